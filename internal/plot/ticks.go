package plot

import (
	"math"
	"strconv"
)

// maxTicks bounds the major ticks of a numeric axis; niceStep picks the
// smallest 1-2-5 step that stays within it.
const maxTicks = 8

// niceStep returns the smallest step of the form {1, 2, 5}·10^k that
// divides span into at most maxTicks−1 intervals.
func niceStep(span float64) float64 {
	if span <= 0 || math.IsNaN(span) || math.IsInf(span, 0) {
		return 1
	}
	raw := span / (maxTicks - 1)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw*(1-1e-9) {
			return m * mag
		}
	}
	return 10 * mag
}

// niceRange returns an axis range covering [lo, hi] that starts and ends
// on a tick, with its ticks at a 1-2-5 step. Data at the very top gets one
// more step of headroom so that no line runs along the frame; an empty
// range (lo = hi) is widened to one step.
func niceRange(lo, hi float64) (minV, maxV float64, ticks []float64) {
	if hi < lo {
		lo, hi = hi, lo
	}
	if hi == lo {
		if lo == 0 {
			hi = 1
		} else {
			lo, hi = math.Min(0, lo), math.Max(0, hi)*1.0
			if lo == hi { // negative single value
				hi = 0
			}
		}
	}
	step := niceStep(hi - lo)
	minV = math.Floor(lo/step+1e-9) * step
	maxV = math.Ceil(hi/step-1e-9) * step
	if maxV-hi < step*0.02 && hi > lo {
		maxV += step
	}
	// Recompute the step over the padded range, so that ticks stay few.
	if (maxV-minV)/step > maxTicks-1 {
		step = niceStep(maxV - minV)
		minV = math.Floor(lo/step+1e-9) * step
		maxV = math.Ceil(hi/step-1e-9) * step
		if maxV-hi < step*0.02 && hi > lo {
			maxV += step
		}
	}
	ticks = tickValues(minV, maxV, step)
	return ticks[0], ticks[len(ticks)-1], ticks
}

// integerRange is niceRange for a count (transmission rounds): whole
// ticks, a step of at least 1, and the axis ending one count past the
// last whole value at or above hi, not at the next tick: rounds that stop
// at 25 end the axis at 26 (ticks to 25), not at 30, so the axis fits the
// data (issue 20: Figure 3.53's axis ran five rounds past its data). The
// last tick may then fall short of the axis's end.
func integerRange(lo, hi float64) (minV, maxV float64, ticks []float64) {
	lo = math.Floor(lo)
	step := math.Max(1, niceStep(hi-lo))
	if hi-lo <= 20 {
		step = 1
	}
	step = math.Round(step)
	minV = math.Floor(lo/step) * step
	maxV = math.Max(minV+step, math.Ceil(hi+0.5))
	return minV, maxV, tickValues(minV, maxV, step)
}

// tickValues returns min, min+step, ..., max, each rounded to the step's
// precision so that 0.1+0.2 prints as 0.3.
func tickValues(minV, maxV, step float64) []float64 {
	d := decimals(step)
	var out []float64
	for i := 0; ; i++ {
		v := minV + float64(i)*step
		if v > maxV+step*1e-6 {
			break
		}
		r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', d, 64), 64)
		out = append(out, r)
	}
	return out
}

// decimals returns the digits after the point that a tick step needs.
func decimals(step float64) int {
	if step >= 1 {
		return 0
	}
	return int(math.Ceil(-math.Log10(step) - 1e-6))
}

// tickLabel formats a tick value of an axis whose ticks are ticks.
func tickLabel(v float64, ticks []float64) string {
	step := 1.0
	if len(ticks) > 1 {
		step = ticks[1] - ticks[0]
	}
	return strconv.FormatFloat(v, 'f', decimals(step), 64)
}

// logRange is niceRange for a log axis over [lo, hi], lo > 0: from the
// 1-2-5 value below lo to the one above hi (so that no point sits on the
// frame), with ticks at 1, 2 and 5 times each power of ten in between
// (only the powers, and the ends, past four decades).
func logRange(lo, hi float64) (minV, maxV float64, ticks []float64) {
	if lo <= 0 || hi < lo {
		return 1, 10, []float64{1, 2, 5, 10}
	}
	var all []float64
	for e := math.Floor(math.Log10(lo)) - 1; e <= math.Ceil(math.Log10(hi))+1; e++ {
		for _, m := range []float64{1, 2, 5} {
			v, _ := strconv.ParseFloat(strconv.FormatFloat(m*math.Pow(10, e), 'g', 6, 64), 64)
			all = append(all, v)
		}
	}
	i, j := 0, len(all)-1
	for i+1 < len(all) && all[i+1] < lo*(1-1e-9) {
		i++
	}
	for j-1 >= 0 && all[j-1] > hi*(1+1e-9) {
		j--
	}
	ticks = all[i : j+1]
	if math.Log10(ticks[len(ticks)-1]/ticks[0]) > 4 {
		var few []float64
		for k, v := range ticks {
			if k == 0 || k == len(ticks)-1 || roundPower(v) {
				few = append(few, v)
			}
		}
		ticks = few
	}
	return ticks[0], ticks[len(ticks)-1], ticks
}

// roundPower reports whether v is a power of ten.
func roundPower(v float64) bool {
	l := math.Log10(v)
	return math.Abs(l-math.Round(l)) < 1e-9
}
