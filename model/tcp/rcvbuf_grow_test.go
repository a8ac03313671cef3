package tcp

import (
	"math/rand/v2"
	"testing"

	"tcpsim/model/payload"
)

// The receive buffer returns exactly the stream's bytes, in order, for any
// mix of in-order, out-of-order and duplicate segments within the window,
// while its ring grows from nothing up to its size.
func TestRecvBufferReassembles(t *testing.T) {
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 9))
		size := 1 + r.IntN(200_000)
		var b recvBuffer
		b.init(size)
		var got []byte
		const total = 600_000
		for b.inOrderEnd() < total {
			// A segment somewhere in the window, possibly old.
			free := int64(b.free())
			start := b.inOrderEnd() - int64(r.IntN(3000))
			if r.IntN(3) > 0 && free > 0 {
				start = b.inOrderEnd() + r.Int64N(free)
			}
			start = max(start, 0)
			n := min(int64(1+r.IntN(3000)), b.inOrderEnd()+free-start, total-start)
			if n > 0 {
				b.store(start, stream(start, int(n)), r.IntN(2) == 0)
				b.flush()
			}
			if len(b.ring) > size {
				t.Fatalf("seed %d: ring %d bytes, above the buffer size %d", seed, len(b.ring), size)
			}
			if r.IntN(2) == 0 || b.free() == 0 {
				data, off := b.read(r.IntN(size + 1))
				if off != int64(len(got)) {
					t.Fatalf("seed %d: read at offset %d, want %d", seed, off, len(got))
				}
				got = append(got, data...)
			}
		}
		for b.readable > 0 {
			data, _ := b.read(size)
			got = append(got, data...)
		}
		if len(got) != total || !payload.Check(got, 0) {
			t.Fatalf("seed %d (size %d): the bytes read differ from the stream", seed, size)
		}
	}
}

// An idle endpoint with a large buffer holds no ring: memory follows the
// data buffered, not the configured limit.
func TestRecvBufferAllocatesOnDemand(t *testing.T) {
	var b recvBuffer
	b.init(1 << 30)
	if len(b.ring) != 0 || b.free() != 1<<30 {
		t.Fatalf("ring %d bytes, free %d before any data", len(b.ring), b.free())
	}
	b.store(0, stream(0, 1000), false)
	if len(b.ring) > minRing {
		t.Fatalf("ring %d bytes after 1000 bytes stored, want at most %d", len(b.ring), minRing)
	}
}

// stream returns the n stream bytes from off.
func stream(off int64, n int) []byte {
	b := make([]byte, n)
	payload.Fill(b, off)
	return b
}
