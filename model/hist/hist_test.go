package hist

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Every value lands in a bucket whose bounds hold it, buckets are
// contiguous, and none is wider than 2^-(SubBits-1) of its lower bound.
func TestBucketsTileTheLine(t *testing.T) {
	next := int64(0)
	for i := range index(math.MaxInt64) + 1 {
		lo, w := bounds(i)
		if lo != next {
			t.Fatalf("bucket %d starts at %d, want %d", i, lo, next)
		}
		if lo >= exact && float64(w) > float64(lo)/half {
			t.Fatalf("bucket %d [%d, +%d) wider than 1/%d of its values", i, lo, w, half)
		}
		if index(lo) != i || index(lo+w-1) != i {
			t.Fatalf("bucket %d: index(%d) = %d, index(%d) = %d", i, lo, index(lo), lo+w-1, index(lo+w-1))
		}
		next = lo + w
		if next < 0 { // the last bucket ends at 2^63
			break
		}
	}
}

// Quantiles are within RelErr of the exact nearest-rank quantiles of
// random samples of several shapes; Count, Min, Max and Mean are exact.
func TestQuantilesWithinStatedError(t *testing.T) {
	shapes := map[string]func(r *rand.Rand) int64{
		"uniform-small": func(r *rand.Rand) int64 { return r.Int64N(200) },
		"uniform-ms":    func(r *rand.Rand) int64 { return r.Int64N(500e6) },
		"exponential":   func(r *rand.Rand) int64 { return int64(r.ExpFloat64() * 5e6) },
		"log-uniform":   func(r *rand.Rand) int64 { return int64(math.Exp(r.Float64() * 40)) },
		"bimodal": func(r *rand.Rand) int64 {
			if r.IntN(2) == 0 {
				return 1000 + r.Int64N(10)
			}
			return 1e9 + r.Int64N(1e6)
		},
	}
	for name, draw := range shapes {
		for seed := range uint64(10) {
			r := rand.New(rand.NewPCG(seed, 3))
			n := 1 + r.IntN(5000)
			var h Histogram
			xs := make([]int64, n)
			sum := 0.0
			for i := range xs {
				xs[i] = draw(r)
				h.Record(xs[i])
				sum += float64(xs[i])
			}
			slices.Sort(xs)
			if h.Count() != int64(n) || h.Min() != xs[0] || h.Max() != xs[n-1] || math.Abs(h.Mean()-sum/float64(n)) > 1e-9*math.Abs(sum) {
				t.Fatalf("%s seed %d: count %d min %d max %d mean %g, want %d %d %d %g", name, seed, h.Count(), h.Min(), h.Max(), h.Mean(), n, xs[0], xs[n-1], sum/float64(n))
			}
			for _, q := range []float64{0, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1} {
				rank := max(int(math.Ceil(q*float64(n))), 1)
				want := xs[rank-1]
				got := h.Quantile(q)
				if math.Abs(float64(got-want)) > RelErr*float64(want) {
					t.Fatalf("%s seed %d n %d: q%g = %d, exact %d: error beyond %g", name, seed, n, q, got, want, RelErr)
				}
			}
		}
	}
}

func TestEmpty(t *testing.T) {
	var h Histogram
	if h.Count() != 0 || h.Quantile(0.5) != 0 || h.Max() != 0 || !math.IsNaN(h.Mean()) {
		t.Fatalf("empty histogram: count %d p50 %d max %d mean %g", h.Count(), h.Quantile(0.5), h.Max(), h.Mean())
	}
}

// Recording into buckets already grown does not allocate.
func TestRecordDoesNotAllocate(t *testing.T) {
	var h Histogram
	h.Record(1 << 40)
	if a := testing.AllocsPerRun(1000, func() { h.Record(12345678) }); a != 0 {
		t.Fatalf("Record allocates %v times", a)
	}
}
