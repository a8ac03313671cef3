package tcp

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"tcpsim/model/wire"
)

// sackAfter stores a segment of n bytes at stream offset off and returns
// the SACK blocks of the ACK it triggers, as "left-right" in the
// sequence numbers of RFC 2018 §5's examples, where stream offset 0 is
// sequence number 5000.
func sackAfter(b *recvBuffer, r *sackReport, off int64, n, limit int) (ack int64, blocks string) {
	before := b.inOrderEnd()
	b.store(off, stream(off, n), false)
	var dst [wire.MaxSACKBlocks]span
	k := b.sackBlocks(r, span{off, off + int64(n)}, b.inOrderEnd() == before, limit, &dst)
	for i, s := range dst[:k] {
		if i > 0 {
			blocks += " "
		}
		blocks += fmt.Sprintf("%d-%d", 5000+s.start, 5000+s.end)
	}
	return 5000 + b.inOrderEnd(), blocks
}

// RFC 2018 §5's examples, case 2 and case 3: a window of eight 500-byte
// segments from sequence number 5000, and the ACK and SACK blocks each
// arriving segment triggers, row by row as the RFC tabulates them. The RFC
// shows at most three blocks; the receiver gives the same with room for
// four, as it never has more than three ranges here.
func TestSACKBlocksRFC2018Examples(t *testing.T) {
	type row struct {
		seg    int64 // sequence number of the arriving segment
		ack    int64
		blocks string
	}
	for _, c := range []struct {
		name string
		rows []row
	}{
		{"case 2: the first segment is dropped", []row{
			{5500, 5000, "5500-6000"},
			{6000, 5000, "5500-6500"},
			{6500, 5000, "5500-7000"},
			{7000, 5000, "5500-7500"},
			{7500, 5000, "5500-8000"},
			{8000, 5000, "5500-8500"},
			{8500, 5000, "5500-9000"},
		}},
		{"case 3: the 2nd, 4th, 6th and 8th segments are dropped", []row{
			{5000, 5500, ""},
			{6000, 5500, "6000-6500"},
			{7000, 5500, "7000-7500 6000-6500"},
			{8000, 5500, "8000-8500 7000-7500 6000-6500"},
			// "Suppose at this point, the 4th packet is received out
			// of order ... the data receiver has only two SACK blocks
			// to report."
			{6500, 5500, "6000-7500 8000-8500"},
			// "Suppose at this point, the 2nd segment is received."
			{5500, 7500, "8000-8500"},
		}},
	} {
		for _, limit := range []int{3, 4} {
			t.Run(fmt.Sprintf("%s/%d blocks", c.name, limit), func(t *testing.T) {
				var b recvBuffer
				b.init(65536)
				var r sackReport
				for _, w := range c.rows {
					ack, blocks := sackAfter(&b, &r, w.seg-5000, 500, limit)
					if ack != w.ack || blocks != w.blocks {
						t.Errorf("segment %d: ACK %d SACK %q, want ACK %d SACK %q", w.seg, ack, blocks, w.ack, w.blocks)
					}
				}
			})
		}
	}
}

// With more out-of-order ranges than the option holds, the newest range
// comes first and the previous option's blocks follow in their order; the
// oldest drops out (RFC 2018 §4), and it comes back when room frees up.
func TestSACKBlocksMostRecentFirst(t *testing.T) {
	var b recvBuffer
	b.init(65536)
	var r sackReport
	var got []string
	for _, seg := range []int64{6000, 7000, 8000, 9000, 10000} {
		_, blocks := sackAfter(&b, &r, seg-5000, 500, 3)
		got = append(got, blocks)
	}
	want := []string{
		"6000-6500",
		"7000-7500 6000-6500",
		"8000-8500 7000-7500 6000-6500",
		"9000-9500 8000-8500 7000-7500",
		"10000-10500 9000-9500 8000-8500",
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("ACK %d: SACK %q, want %q", i+1, got[i], want[i])
		}
	}
	// An old segment (already delivered) triggers no first block: the
	// previous option repeats.
	if _, blocks := sackAfter(&b, &r, 0, 100, 3); blocks != "10000-10500 9000-9500 8000-8500" {
		t.Errorf("after an old segment: SACK %q", blocks)
	}
	// Filling the first hole delivers 5000-6500; four ranges remain and
	// the fourth block, with room for four, is the one never repeated.
	if _, blocks := sackAfter(&b, &r, 0, 1000, 4); blocks != "10000-10500 9000-9500 8000-8500 7000-7500" {
		t.Errorf("after the hole fills: SACK %q", blocks)
	}
}

// Properties over random arrivals (RFC 2018 §4): every block is a whole
// out-of-order range, the blocks are distinct, there are as many as the
// room and the ranges allow, the first holds the segment that triggered
// the ACK when it was stored out of order, and a range that was first in
// an option is in the next two options too while it is still out of order.
func TestSACKBlocksProperties(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 2018))
		var b recvBuffer
		b.init(1 + r.IntN(100_000))
		var rep sackReport
		limit := 1 + r.IntN(wire.MaxSACKBlocks)
		var firsts []span // first blocks of the options sent, latest last
		for step := range 400 {
			free := int64(b.free())
			start := max(0, b.inOrderEnd()-int64(r.IntN(2000)))
			if r.IntN(4) > 0 && free > 0 {
				start = b.inOrderEnd() + r.Int64N(free)
			}
			n := min(int64(1+r.IntN(1500)), b.inOrderEnd()+free-start)
			if n <= 0 {
				b.read(r.IntN(b.size + 1))
				continue
			}
			before := b.inOrderEnd()
			b.store(start, stream(start, int(n)), r.IntN(2) == 0)
			trigger := span{start, start + n}
			outOfOrder := b.inOrderEnd() == before && start > before
			var dst [wire.MaxSACKBlocks]span
			k := b.sackBlocks(&rep, trigger, b.inOrderEnd() == before, limit, &dst)
			fail := func(format string, args ...any) {
				t.Fatalf("seed %d step %d: %s (blocks %v, ranges %v)", seed, step, fmt.Sprintf(format, args...), dst[:k], b.ooo)
			}
			if want := min(limit, len(b.ooo)); k != want {
				fail("%d blocks, want %d", k, want)
			}
			for i, s := range dst[:k] {
				if h, ok := b.oooHolding(s.start); !ok || h != s {
					fail("block %v is not a whole out-of-order range", s)
				}
				for _, o := range dst[:i] {
					if o == s {
						fail("block %v repeated", s)
					}
				}
			}
			if outOfOrder {
				if k == 0 || dst[0].start > trigger.start || dst[0].end < trigger.end {
					fail("first block does not hold the triggering segment %v", trigger)
				}
			}
			if limit >= 3 {
				for back := 1; back <= 2 && back <= len(firsts); back++ {
					old := firsts[len(firsts)-back]
					h, ok := b.oooHolding(old.start)
					if !ok {
						continue
					}
					found := false
					for _, s := range dst[:k] {
						found = found || s == h
					}
					if !found {
						fail("range %v, first %d options ago, is missing", h, back)
					}
				}
			}
			if k > 0 {
				firsts = append(firsts, dst[0])
			}
			if r.IntN(3) == 0 {
				b.read(r.IntN(b.size + 1))
			}
		}
	}
}

// Building SACK blocks allocates nothing.
func TestSACKBlocksDoNotAllocate(t *testing.T) {
	var b recvBuffer
	b.init(65536)
	for _, off := range []int64{1000, 3000, 5000, 7000, 9000} {
		b.store(off, stream(off, 500), false)
	}
	var r sackReport
	var dst [wire.MaxSACKBlocks]span
	if n := testing.AllocsPerRun(100, func() {
		b.sackBlocks(&r, span{5000, 5500}, true, 3, &dst)
	}); n != 0 {
		t.Fatalf("%v allocations per call, want 0", n)
	}
}
