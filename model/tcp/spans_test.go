package tcp

import (
	"math/rand/v2"
	"testing"
)

// insert keeps the list sorted, disjoint and never touching, covering
// exactly the union of what was inserted, and reports the overlap: checked
// against a bitmap over many random sequences.
func TestSpansInsert(t *testing.T) {
	const size = 200
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 1))
		var l spans
		var have [size]bool
		for k := range 40 {
			a := rng.Int64N(size)
			s := span{a, min(size, a+1+rng.Int64N(20))}
			var want int64
			for o := s.start; o < s.end; o++ {
				if have[o] {
					want++
				}
				have[o] = true
			}
			if got := l.insert(s); got != want {
				t.Fatalf("seed %d step %d: insert(%v) overlap %d, want %d", seed, k, s, got, want)
			}
			for i, r := range l {
				if r.start >= r.end || i > 0 && l[i-1].end >= r.start {
					t.Fatalf("seed %d step %d: list %v not sorted, disjoint and apart at %d", seed, k, l, i)
				}
			}
			for o := range int64(size) {
				_, in := l.holding(o)
				if in != have[o] {
					t.Fatalf("seed %d step %d: holding(%d) = %v, want %v (list %v)", seed, k, o, in, have[o], l)
				}
			}
		}
	}
}

// Touching ranges merge; find returns the range holding an octet or the
// next above it.
func TestSpansTouchAndFind(t *testing.T) {
	var l spans
	l.insert(span{10, 20})
	l.insert(span{30, 40})
	if got := l.insert(span{20, 30}); got != 0 || len(l) != 1 || l[0] != (span{10, 40}) {
		t.Fatalf("after filling the gap: %v (overlap %d), want [{10 40}] and 0", l, got)
	}
	l.insert(span{50, 60})
	for _, tc := range []struct {
		off  int64
		want int
	}{{0, 0}, {10, 0}, {39, 0}, {40, 1}, {59, 1}, {60, 2}} {
		if got := l.find(tc.off); got != tc.want {
			t.Errorf("find(%d) = %d, want %d", tc.off, got, tc.want)
		}
	}
}
