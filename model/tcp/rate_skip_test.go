package tcp

import (
	"math/rand/v2"
	"testing"

	"tcpsim/sim"
)

// naiveSacked is rateSampler.sacked without the jumps over delivered
// segments: every segment of every block is looked at.
func naiveSacked(r *rateSampler, blocks []span, now sim.Time) {
	for _, b := range blocks {
		for i := r.find(b.start); i < len(r.segs) && r.segs[i].end <= b.end; i++ {
			if r.segs[i].start >= b.start {
				r.deliver(&r.segs[i], now)
			}
		}
	}
}

// TestRateSackedSkipMatchesWalk drives two samplers with the same random
// sends, cumulative ACKs and SACK blocks (older blocks repeated, as a
// receiver does), one with sacked and one with the plain walk, and checks
// after every ACK that they hold the same segments and the same sample.
func TestRateSackedSkipMatchesWalk(t *testing.T) {
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 17))
		var fast, slow rateSampler
		var next, una int64
		now := sim.Time(0)
		var blocks []span
		for step := 0; step < 400; step++ {
			now += sim.Time(1 + rng.IntN(1000))
			for range rng.IntN(4) {
				n := 1 + rng.IntN(1500)
				fast.sent(next, n, now, int(next-una), false)
				slow.sent(next, n, now, int(next-una), false)
				next += int64(n)
			}
			if next == una {
				continue
			}
			fast.begin(0)
			slow.begin(0)
			if rng.IntN(8) == 0 {
				una += rng.Int64N(next - una + 1)
				fast.ackedTo(una, now)
				slow.ackedTo(una, now)
				blocks = blocks[:0]
			} else {
				s := una + rng.Int64N(next-una)
				e := s + 1 + rng.Int64N(next-s)
				blocks = append([]span{{s, e}}, blocks...)
				blocks = blocks[:min(len(blocks), 4)]
			}
			fast.sacked(blocks, now)
			naiveSacked(&slow, blocks, now)
			if fast.rs != slow.rs || fast.head != slow.head || len(fast.segs) != len(slow.segs) {
				t.Fatalf("seed %d step %d: sample %+v, want %+v", seed, step, fast.rs, slow.rs)
			}
			for i := range fast.segs {
				f, s := fast.segs[i], slow.segs[i]
				f.skip, s.skip = 0, 0
				if f != s {
					t.Fatalf("seed %d step %d: segment %d is %+v, want %+v", seed, step, i, f, s)
				}
			}
		}
	}
}
