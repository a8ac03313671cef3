package tcp

import (
	"math/rand/v2"
	"testing"

	"tcpsim/model/payload"
)

// The receive buffer against a model that keeps one flag per byte: random
// segments (in order, out of order, overlapping, duplicated) give the same
// advance and duplicate counts and the same bytes, read by copy or in place.
func TestRecvBufferAgainstByteModel(t *testing.T) {
	const size = 4096
	for seed := range uint64(50) {
		r := rand.New(rand.NewPCG(seed, 1))
		var b recvBuffer
		b.init(size)
		have := map[int64]bool{} // out-of-order bytes held, by offset
		inPlace := seed%2 == 0
		if x, y, _ := b.readInPlace(10); len(x)+len(y) != 0 {
			t.Fatalf("read %d bytes from an empty buffer", len(x)+len(y))
		}
		for range 400 {
			start := b.inOrderEnd()
			off := b.readOff + int64(r.IntN(size))
			n := int(min(int64(1+r.IntN(600)), b.readOff+size-off))
			if r.IntN(4) == 0 {
				off, n = max(b.readOff, start-int64(r.IntN(300))), 1+r.IntN(300) // near the edge
				n = int(min(int64(n), b.readOff+size-off))
			}
			data := make([]byte, n)
			payload.Fill(data, off)
			wantAdv, wantDup := 0, 0
			for o := off; o < off+int64(n); o++ {
				if o < start || have[o] {
					wantDup++
				}
			}
			if off <= start {
				end := off + int64(n)
				for have[end] {
					delete(have, end)
					end++
				}
				for o := start; o < off+int64(n); o++ {
					delete(have, o)
				}
				wantAdv = int(max(0, end-start))
			} else {
				for o := off; o < off+int64(n); o++ {
					have[o] = true
				}
			}
			adv, dup := b.store(off, data, r.IntN(2) == 0)
			if adv != wantAdv || dup != wantDup {
				t.Fatalf("seed %d: store(%d, %d bytes) at edge %d = %d, %d, want %d, %d", seed, off, n, start, adv, dup, wantAdv, wantDup)
			}
			read := func() {
				k := r.IntN(b.readable + 1)
				var got []byte
				var at int64
				if inPlace {
					x, y, o := b.readInPlace(k)
					got, at = append(append([]byte(nil), x...), y...), o
				} else {
					got, at = b.read(k)
				}
				if len(got) != k || !payload.Check(got, at) {
					t.Fatalf("seed %d: read %d bytes at %d: got %d bytes, match %v", seed, k, at, len(got), payload.Check(got, at))
				}
			}
			if r.IntN(3) == 0 {
				read() // while the segment's packet is still there
			}
			b.flush()
			for i := range data {
				data[i] = 0xaa // the packet buffer goes back to the pool
			}
			if r.IntN(3) == 0 {
				read()
			}
		}
	}
}
