package payload

// The Internet checksum (RFC 1071) of pattern bytes in O(1).
//
// A segment's payload starts on a 16-bit word boundary of its checksum, so
// the payload's contribution to the one's-complement sum is
//
//	S = Σ b[j]·w(j),  w(j) = 256 for even j (high byte), 1 for odd j,
//
// taken modulo 0xffff (2^16 ≡ 1, RFC 1071 §2(B)). For stream bytes the sum
// depends only on the phase p = offset mod Period and the length n. Since
// the period is odd, two periods carry every pattern byte once as a high
// byte and once as a low one, so a 2·Period block sums to 257·Σpattern
// whatever its phase; what is left (fewer than 2·Period bytes) is a
// difference of two prefix sums. The bytes are still real: this is the
// same number the byte loop gives, found without reading them.

// block is two periods: the length after which local word parity and
// phase both repeat.
const block = 2 * Period

// prefixHi[x] is Σ pattern[i]·w(i) over i < x with global parity (even i
// high); prefixLo[x] the same with the parities swapped. A run starting at
// an even phase uses prefixHi, one at an odd phase prefixLo.
var prefixHi, prefixLo = func() (hi, lo [Period + block + 1]uint32) {
	for i := range Period + block {
		b := uint32(pattern[i])
		if i%2 == 0 {
			hi[i+1], lo[i+1] = hi[i]+b<<8, lo[i]+b
		} else {
			hi[i+1], lo[i+1] = hi[i]+b, lo[i]+b<<8
		}
	}
	return hi, lo
}()

// blockSum is the sum of any block-long run: each pattern byte once high,
// once low.
var blockSum = func() uint64 {
	var t uint64
	for _, b := range pattern[:Period] {
		t += uint64(b)
	}
	return 257 * t
}()

// phaseOf maps a byte value to the phase at which it occurs in the
// pattern, or -1 if it never does. Pattern bytes are (i·37+11) mod 256 for
// i < Period < 256 and 37 is odd, so they are all distinct.
var phaseOf = func() (t [256]int16) {
	for i := range t {
		t[i] = -1
	}
	for i, b := range pattern[:Period] {
		t[b] = int16(i)
	}
	return t
}()

// sumAt returns the word sum of n pattern bytes from phase p < Period.
func sumAt(p int, n int) uint64 {
	q, r := n/block, n%block
	s := uint64(q) * blockSum
	if p%2 == 0 {
		return s + uint64(prefixHi[p+r]-prefixHi[p])
	}
	return s + uint64(prefixLo[p+r]-prefixLo[p])
}

// Sum returns the RFC 1071 one's-complement sum of the n stream bytes at
// offset, read as 16-bit big-endian words from the first (an odd last byte
// padded with zero), in O(1). The result is unfolded and congruent modulo
// 0xffff to what wire.Sum(0, bytes) returns, so it can stand in for it in
// any sum that is folded afterwards.
func Sum(offset int64, n int) uint64 { return sumAt(int(offset%Period), n) }

// SumIfStream reports whether b is a run of stream bytes (at some offset:
// its first byte fixes the phase) and, if so, returns its sum as Sum does.
// It reads b once, with the cost of a comparison, which is several times
// cheaper than summing it; on false the caller sums b itself.
func SumIfStream(b []byte) (uint64, bool) {
	s, _, ok := sumIfStream(b)
	return s, ok
}

// sumIfStream is SumIfStream that also returns the phase of b's first byte.
func sumIfStream(b []byte) (sum uint64, phase int, ok bool) {
	if len(b) == 0 {
		return 0, 0, true
	}
	p := int(phaseOf[b[0]])
	if p < 0 || p+len(b) > len(pattern) || string(b) != string(pattern[p:p+len(b)]) {
		return 0, 0, false
	}
	return sumAt(p, len(b)), p, true
}

// Memo remembers the last bytes its SumIfStream found to be stream bytes,
// and at which phase, so that Check of those same bytes (an application
// verifying what the receiving host's checksum already compared) costs
// O(1) instead of a second comparison. It keeps no copy, only where the
// bytes are: its owner calls Forget before that memory can change. The
// zero Memo remembers nothing.
type Memo struct {
	start *byte // first byte of the remembered run; nil for none
	n     int   // its length
	phase int   // its first byte's phase
}

// SumIfStream is the package's SumIfStream; on success m remembers b,
// otherwise it forgets what it held.
func (m *Memo) SumIfStream(b []byte) (uint64, bool) {
	m.start = nil
	if len(b) == 0 {
		return 0, true
	}
	p := int(phaseOf[b[0]])
	if p < 0 || p+len(b) > len(pattern) || string(b) != string(pattern[p:p+len(b)]) {
		return 0, false
	}
	m.start, m.n, m.phase = &b[0], len(b), p
	return sumAt(p, len(b)), true
}

// Forget drops what m remembers.
func (m *Memo) Forget() { m.start = nil }

// Check is the package's Check, in O(1) when b starts where the
// remembered run starts and is no longer: those bytes equal the pattern
// from the remembered phase, and since the bytes of one period are all
// distinct (see phaseOf), they equal the stream bytes at offset exactly
// when offset has that phase.
func (m *Memo) Check(b []byte, offset int64) bool {
	if len(b) > 0 && &b[0] == m.start && len(b) <= m.n {
		return int(offset%Period) == m.phase
	}
	return Check(b, offset)
}
