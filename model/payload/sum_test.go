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

// A Memo's Check answers as Check does, for the bytes it remembers (from
// their start, any length up to theirs, at any offset), for bytes it does
// not, after a failed SumIfStream and after Forget.
func TestMemoCheckIsCheck(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	buf := make([]byte, 4000)
	for range 3000 {
		var m Memo
		off := r.Int64N(1 << 40)
		n := 1 + r.IntN(len(buf)-1)
		b := buf[:n]
		Fill(b, off)
		flipped := r.IntN(4) == 0
		if flipped {
			b[r.IntN(n)] ^= 1 << r.IntN(8)
		}
		sum, ok := m.SumIfStream(b)
		if ok == flipped && n > 1 {
			t.Fatalf("Memo.SumIfStream(%d bytes at %d, flipped %v) = %v", n, off, flipped, ok)
		}
		if want, wantOK := SumIfStream(b); sum != want || ok != wantOK {
			t.Fatalf("Memo.SumIfStream = %#x, %v, want %#x, %v", sum, ok, want, wantOK)
		}
		if r.IntN(8) == 0 {
			m.Forget()
		}
		for range 8 {
			k := 1 + r.IntN(n)
			if r.IntN(4) == 0 {
				k = n + 1 + r.IntN(len(buf)-n) // longer than the remembered run
			}
			at := off
			switch r.IntN(3) {
			case 1:
				at += 1 + r.Int64N(2*Period) // another phase, mostly
			case 2:
				at += Period * r.Int64N(100) // the same phase
			}
			start := 0
			if r.IntN(4) == 0 {
				start = 1 + r.IntN(n) // not where the remembered run starts
				k = min(k, len(buf)-start)
			}
			s := buf[start : start+k]
			if got, want := m.Check(s, at), Check(s, at); got != want {
				t.Fatalf("Memo.Check(%d bytes from byte %d of %d, at %d) = %v, Check = %v", k, start, n, at, got, want)
			}
		}
	}
}
