package tcp

import (
	"math/rand/v2"
	"testing"

	"tcpsim/model/payload"
)

// Trimming never changes what the buffer holds or returns: with trims
// between random arrivals and reads, every byte read is the stream's
// byte at its offset, and the stream is read to its end; a trim frees
// the ring exactly when no byte is held.
func TestRecvBufferTrim(t *testing.T) {
	const size, total = 8192, 200_000
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 7))
		var b recvBuffer
		b.init(size)
		freed := 0
		for b.readOff < total {
			off := b.inOrderEnd() // in order, or else anywhere in the window
			if r.IntN(3) == 0 {
				off = b.readOff + int64(r.IntN(size))
			}
			n := int(min(int64(1+r.IntN(1460)), b.readOff+size-off, total-off))
			if n > 0 {
				data := make([]byte, n)
				payload.Fill(data, off)
				b.store(off, data, r.IntN(2) == 0)
				b.flush() // the segment's packet goes: keep no pointer into data
			}
			if r.IntN(2) == 0 {
				first, second, at := b.readInPlace(r.IntN(2 * size))
				if !payload.Check(first, at) || !payload.Check(second, at+int64(len(first))) {
					t.Fatalf("seed %d: wrong bytes read at %d", seed, at)
				}
			}
			if r.IntN(4) == 0 {
				held := b.readable > 0 || len(b.ooo) > 0
				b.trim()
				if held && b.ring == nil {
					t.Fatalf("seed %d: trim freed a ring holding bytes", seed)
				}
				if !held && b.ring != nil {
					t.Fatalf("seed %d: trim kept an empty ring", seed)
				}
				if !held {
					freed++
				}
			}
		}
		if freed == 0 {
			t.Fatalf("seed %d: no trim found the buffer empty: the test proves nothing", seed)
		}
	}
}
