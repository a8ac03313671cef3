package sweep

import (
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	proto "tcpsim/internal/protocol"
)

// Metric is one measurement summarised for every flow.
type Metric uint8

// The metrics, in table order.
const (
	// Goodput: delivered application bits per second from the flow's
	// start to its last byte; over the runs in which the flow completed.
	Goodput Metric = iota
	// DeliveryRatio: delivered / offered application bytes at the end of
	// the run; over all runs, failed ones included (what they had
	// delivered when they ended).
	DeliveryRatio
	// Retransmissions: TCP segments retransmitted (timeout and fast), or
	// the data packets an rdt flow (stop-and-wait, go-back-n,
	// selective-repeat) resent, up to the end of the run; over all runs.
	// UDP has none: not applicable.
	Retransmissions
	// CompletionTime: from the flow's start to its last byte delivered;
	// over the runs in which the flow completed.
	CompletionTime
	// NumMetrics is the number of metrics.
	NumMetrics
)

var metricInfo = [NumMetrics]struct {
	key, title string
	completed  bool
}{
	{"goodput_bps", "goodput (Mbps)", true},
	{"delivery_ratio", "delivery ratio (%)", false},
	{"retransmissions", "retransmissions (segments)", false},
	{"completion_time_s", "completion time (s)", true},
}

// Key is the metric's name in JSON and CSV, with its unit.
func (m Metric) Key() string { return metricInfo[m].key }

// Title is the metric's name in tables, with the unit tables print.
func (m Metric) Title() string { return metricInfo[m].title }

// CompletedOnly reports whether the metric is summarised over the runs in
// which the flow completed only (it does not exist for the others); if
// not, over all runs.
func (m Metric) CompletedOnly() bool { return metricInfo[m].completed }

// Over is "completed_runs" or "all_runs": what the metric's summaries
// cover.
func (m Metric) Over() string {
	if m.CompletedOnly() {
		return "completed_runs"
	}
	return "all_runs"
}

// AppliesTo reports whether the metric exists for a protocol.
func (m Metric) AppliesTo(protocol string) bool {
	p, ok := proto.Parse(protocol)
	return m != Retransmissions || ok && p.Retransmits()
}

// scale converts a metric to its table unit.
func (m Metric) scale(v float64) float64 {
	switch m {
	case Goodput:
		return v / 1e6
	case DeliveryRatio:
		return v * 100
	}
	return v
}

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

// Counts tallies runs: how many, how many completed, how many failed and
// why.
type Counts struct {
	Total, Completed, Failed int
	Because                  [numFailures]int // indexed by Failure; Because[None] is unused
}

func (c *Counts) add(f Failure) {
	c.Total++
	if f == None {
		c.Completed++
		return
	}
	c.Failed++
	c.Because[f]++
}

// Reasons lists the failures that occurred, in Failure order.
func (c *Counts) Reasons() []Failure {
	var out []Failure
	for f := Failure(1); f < numFailures; f++ {
		if c.Because[f] > 0 {
			out = append(out, f)
		}
	}
	return out
}

// FlowStats summarises one flow at one point. Runs counts the runs by
// whether this flow completed in them.
type FlowStats struct {
	Flow    FlowInfo
	Runs    Counts
	Applies [NumMetrics]bool // false: the metric does not exist for the flow's protocol
	Summary [NumMetrics]Summary
}

// PointStats summarises one point. Runs counts the runs by whether the
// whole run completed (every flow, within the run's limits).
type PointStats struct {
	Point int
	Runs  Counts
	Flows []FlowStats
}

// Stats is everything a report says of a sweep's records.
type Stats struct {
	Runs   Counts // every run of the sweep
	Points []PointStats
}

// Summaries computes every point's and flow's counts and summaries, in
// point order; linear in the number of runs.
func Summaries(m Meta, recs []Record) Stats {
	byPoint := make([][]int, len(m.Labels))
	for i, r := range recs {
		byPoint[r.Point] = append(byPoint[r.Point], i)
	}
	st := Stats{Points: make([]PointStats, len(m.Labels))}
	xs := make([]float64, 0, m.Seeds)
	for pt := range m.Labels {
		ps := &st.Points[pt]
		ps.Point = pt
		for _, i := range byPoint[pt] {
			ps.Runs.add(recs[i].Failure)
			st.Runs.add(recs[i].Failure)
		}
		ps.Flows = make([]FlowStats, len(m.Flows))
		for fi, flow := range m.Flows {
			fs := &ps.Flows[fi]
			fs.Flow = flow
			for _, i := range byPoint[pt] {
				fs.Runs.add(recs[i].Flows[fi].Failure)
			}
			for mi := range NumMetrics {
				fs.Applies[mi] = mi.AppliesTo(flow.Protocol)
				xs = xs[:0]
				for _, i := range byPoint[pt] {
					xs = append(xs, recs[i].Flows[fi].Values[mi])
				}
				fs.Summary[mi] = Summarise(xs)
			}
		}
	}
	return st
}
