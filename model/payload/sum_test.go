package payload

import (
	"math/rand/v2"
	"testing"
)

// refSum is RFC 1071's 16-bit loop, reduced modulo 0xffff.
func refSum(b []byte) uint64 {
	var s uint64
	for i := 0; i < len(b); i += 2 {
		w := uint64(b[i]) << 8
		if i+1 < len(b) {
			w |= uint64(b[i+1])
		}
		s += w
	}
	return s % 0xffff
}

func TestSumMatchesByteLoop(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 70000)
	for range 3000 {
		off := r.Int64N(1 << 40)
		n := r.IntN(len(buf))
		if r.IntN(4) == 0 {
			n = r.IntN(2 * block)
		}
		b := buf[:n]
		Fill(b, off)
		want := refSum(b)
		if got := Sum(off, n) % 0xffff; got != want {
			t.Fatalf("Sum(%d, %d) = %#x, want %#x", off, n, got, want)
		}
		got, ok := SumIfStream(b)
		if !ok || got%0xffff != want {
			t.Fatalf("SumIfStream(%d bytes at %d) = %#x, %v, want %#x, true", n, off, got, ok, want)
		}
		if n > 1 { // a lone byte flipped may be another phase's byte
			b[r.IntN(n)] ^= 1 << r.IntN(8)
			if _, ok := SumIfStream(b); ok {
				t.Fatalf("SumIfStream accepted %d bytes at %d with a flipped bit", n, off)
			}
		}
	}
}

func TestSumIfStreamRejectsOtherBytes(t *testing.T) {
	for _, b := range [][]byte{{0, 0}, {1, 2, 3}, make([]byte, 1500)} {
		if _, ok := SumIfStream(b); ok {
			t.Errorf("SumIfStream(% x...) = ok, want not stream bytes", b[:min(len(b), 4)])
		}
	}
	if s, ok := SumIfStream(nil); !ok || s != 0 {
		t.Errorf("SumIfStream(nil) = %v, %v, want 0, true", s, ok)
	}
}
