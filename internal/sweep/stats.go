package sweep

import (
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Summary describes a sample.
type Summary struct {
	N             int
	Mean, SD      float64
	CILow, CIHigh float64 // 95% confidence interval of the mean
	Min, Max      float64
}

// Summarise computes the mean, sample standard deviation, a 95%
// confidence interval for the mean from Student's t distribution with n-1
// degrees of freedom, and the range. NaN values (missing) are skipped.
// With one value the interval is that value; with none, all are NaN.
func Summarise(xs []float64) Summary {
	var v []float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	s := Summary{N: len(v), Mean: math.NaN(), SD: math.NaN(), CILow: math.NaN(), CIHigh: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	if len(v) == 0 {
		return s
	}
	s.Min, s.Max = v[0], v[0]
	for _, x := range v {
		s.Min, s.Max = min(s.Min, x), max(s.Max, x)
	}
	if len(v) == 1 {
		s.Mean, s.SD, s.CILow, s.CIHigh = v[0], 0, v[0], v[0]
		return s
	}
	s.Mean, s.SD = stat.MeanStdDev(v, nil)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(v) - 1)}.Quantile(0.975)
	h := t * s.SD / math.Sqrt(float64(len(v)))
	s.CILow, s.CIHigh = s.Mean-h, s.Mean+h
	return s
}
