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

// TestLinuxWindowChargesOutOfOrder: an autotuning receiver (rcvtune.go)
// offers its window share less the data it holds out of order, as Linux
// charges the out-of-order queue against the buffer, and never moves the
// right edge left (tcp_select_window). With two holes, the segments past
// them keep the window where it was; when the first hole fills, the edge
// does not open past where it stood, since the data held beyond the second
// hole takes the room the filled hole freed.
func TestLinuxWindowChargesOutOfOrder(t *testing.T) {
	cfg := Config{MSS: 1000, RecvBuffer: 64000, RecvBufferMax: 1 << 20}
	p := established(t, cfg, cfg)
	p.a.Write(20 * 1000)
	segs := p.aOut.take()
	if len(segs) < 10 {
		t.Fatalf("%d segments, want at least 10", len(segs))
	}
	share := p.b.rcv.buf.size // 32000: half of the buffer
	start := p.b.rcv.nxt
	deliver := func(s segment) {
		p.b.Input(&s.h, s.data)
		for p.b.Readable() > 0 {
			p.b.Read(p.b.Readable()) // an application that reads at once
		}
	}
	edge := func() int { return int(start.Size(p.b.rcv.nxt)) + p.b.rcv.window(true) }
	for i, s := range segs[:10] {
		if i == 0 || i == 3 {
			continue // two holes: segments 1 and 4
		}
		deliver(s)
		if got := edge(); got != share {
			t.Fatalf("after segment %d out of order: right edge %d, want %d (never left of the edge offered)", i+1, got, share)
		}
	}
	deliver(segs[0]) // fills the first hole: RCV.NXT moves 3 segments on
	if got := int(start.Size(p.b.rcv.nxt)); got != 3000 {
		t.Fatalf("RCV.NXT moved %d, want 3000", got)
	}
	// Segments 5–10 (6000 bytes) are held: the share less them from the
	// new RCV.NXT is 3000 + 26000, left of the old edge, which stands (as
	// advertised: the scaled window rounds down, by less than one unit).
	if got := edge(); got > share || got <= share-1<<p.b.rcv.shift {
		t.Errorf("right edge %d after the first hole filled, want %d (held by the out-of-order data, not %d)", got, share, 3000+share)
	}
	deliver(segs[3]) // the second hole: nothing held any more
	if got := edge(); got != 10000+share {
		t.Errorf("right edge %d with both holes filled, want %d (the whole share)", got, 10000+share)
	}
}
