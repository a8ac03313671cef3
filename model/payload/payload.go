// Package payload generates and checks the application bytes tcpsim sends:
// a deterministic pattern, so that the receiver can verify every delivered
// byte against what was sent without the sender keeping a copy.
package payload

// Period is the length of the repeating pattern in bytes: stream bytes at
// offsets that differ by a multiple of it are equal. It is prime so that
// the pattern does not line up with segment or datagram sizes: a byte
// delivered at the wrong offset fails the check.
const Period = 251

// pattern holds the repeating sequence, long enough to copy any segment
// from any phase with one copy.
var pattern = func() []byte {
	b := make([]byte, 1<<17+Period)
	for i := range b {
		b[i] = byte((i%Period)*37 + 11)
	}
	return b
}()

// Fill writes the stream bytes starting at offset into dst.
func Fill(dst []byte, offset int64) {
	for len(dst) > 0 {
		n := copy(dst, pattern[offset%Period:])
		dst = dst[n:]
		offset += int64(n)
	}
}

// At returns the len(dst) stream bytes from offset as a read-only slice of
// the pattern when they fit, which saves a copy; callers must not modify it.
func At(offset int64, n int) []byte {
	p := int(offset % Period)
	if p+n <= len(pattern) {
		return pattern[p : p+n]
	}
	return nil
}

// Check reports whether b equals the stream bytes starting at offset.
func Check(b []byte, offset int64) bool {
	for len(b) > 0 {
		p := pattern[offset%Period:]
		n := min(len(b), len(p))
		if string(b[:n]) != string(p[:n]) {
			return false
		}
		b = b[n:]
		offset += int64(n)
	}
	return true
}

// Diff returns how many bytes of b differ from the stream bytes starting
// at offset (0 exactly when Check is true). It is the slow path, for data
// that failed Check.
func Diff(b []byte, offset int64) int {
	n := 0
	for i, c := range b {
		if c != pattern[(offset+int64(i))%Period] {
			n++
		}
	}
	return n
}
