// Package hist is a log-linear histogram of non-negative integers (queue
// delays in nanoseconds, say) in the manner of Gil Tene's HdrHistogram:
// values below 2^SubBits are counted exactly; above, each power of two is
// split into 2^(SubBits-1) equal buckets, so a bucket is never wider than
// 1/64 of the values it holds. Memory grows with the logarithm of the
// largest value recorded (at most 3,776 counters for any int64), never
// with the number of values.
//
// Precision: Quantile returns the middle of the bucket that holds the
// exact quantile, which is within 1/128 (0.79%) of it; Min, Max, Count and
// Mean are exact. Recording is O(1) and does not allocate once the bucket
// array has grown to the largest value.
package hist

import (
	"math"
	"math/bits"
)

// SubBits sets the precision: buckets are at most 2^-(SubBits-1) of their
// values wide, so the middle of one is within 2^-SubBits of any value in
// it.
const SubBits = 7

const (
	exact = 1 << SubBits       // values below are their own bucket
	half  = 1 << (SubBits - 1) // buckets per power of two above
)

// RelErr is the largest relative error of a quantile: |Quantile(q) − x| ≤
// RelErr·x for the exact nearest-rank quantile x.
const RelErr = 1.0 / (1 << SubBits)

// Histogram counts values. The zero value is empty and ready to use.
type Histogram struct {
	counts   []int64
	n        int64
	sum      float64
	min, max int64
}

// index returns the bucket of v ≥ 0.
func index(v int64) int {
	shift := bits.Len64(uint64(v)) - SubBits
	if shift <= 0 {
		return int(v)
	}
	mant := int(uint64(v) >> uint(shift)) // in [half, exact)
	return exact + (shift-1)*half + mant - half
}

// bounds returns bucket i's values [lo, lo+width).
func bounds(i int) (lo, width int64) {
	if i < exact {
		return int64(i), 1
	}
	shift := (i-exact)/half + 1
	mant := int64((i-exact)%half + half)
	return mant << uint(shift), 1 << uint(shift)
}

// Record counts v; a negative v counts as 0.
func (h *Histogram) Record(v int64) {
	v = max(v, 0)
	i := index(v)
	if i >= len(h.counts) {
		h.grow(i + 1)
	}
	h.counts[i]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	h.max = max(h.max, v)
	h.n++
	h.sum += float64(v)
}

// grow makes room for n buckets, at least doubling the array (so that a
// run of growing values costs a logarithmic number of allocations).
func (h *Histogram) grow(n int) {
	c := make([]int64, max(n, 2*len(h.counts), 64))
	copy(c, h.counts)
	h.counts = c
}

// Count returns how many values were recorded.
func (h *Histogram) Count() int64 { return h.n }

// Mean returns the mean of the values (NaN when there are none).
func (h *Histogram) Mean() float64 {
	if h.n == 0 {
		return math.NaN()
	}
	return h.sum / float64(h.n)
}

// Max returns the largest value (0 when there are none).
func (h *Histogram) Max() int64 { return h.max }

// Min returns the smallest value (0 when there are none).
func (h *Histogram) Min() int64 { return h.min }

// Quantile returns the q-quantile (0 ≤ q ≤ 1) by the nearest-rank
// definition, the value of rank ⌈q·n⌉ (at least 1) in sorted order, to
// within RelErr: the middle of its bucket, clamped to [Min, Max]. It
// returns 0 when there are no values. Cost: one pass over the buckets.
func (h *Histogram) Quantile(q float64) int64 {
	if h.n == 0 {
		return 0
	}
	rank := max(int64(math.Ceil(q*float64(h.n))), 1)
	var seen int64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, w := bounds(i)
			return min(max(lo+w/2, h.min), h.max)
		}
	}
	return h.max
}
