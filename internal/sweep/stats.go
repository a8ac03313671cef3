package sweep

import (
	"fmt"
	"math"
	"slices"

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
	// QueueDelayMean: the mean queueing delay of the flow's packets that
	// reached its receiver (each one's waits in queues, summed over the
	// hops of its path: run.FlowResult.QueueDelay), in seconds; over all
	// runs in which any arrived (K&R §3.6.1's cost of congestion).
	QueueDelayMean
	// QueueDelayP99: the 99th percentile of the same delays (nearest
	// rank, within 0.8%).
	QueueDelayP99
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
	{"queue_delay_mean_s", "queue delay mean (ms)", false},
	{"queue_delay_p99_s", "queue delay p99 (ms)", false},
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
	case QueueDelayMean, QueueDelayP99:
		return v * 1e3
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

// Add counts a run (or a flow in it) that ended with f (None: completed).
func (c *Counts) Add(f Failure) { c.add(f) }

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
// point order; linear in the number of runs. Within a point, values are
// summarised in the order of recs (Write sorts them into run order).
func Summaries(m Meta, recs []Record) Stats {
	idx := make([]int, len(recs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return recs[a].Point - recs[b].Point })
	acc := NewAccumulator(m)
	for _, i := range idx {
		acc.add(&recs[i])
	}
	return acc.Stats()
}

// Accumulator computes a sweep's Stats from its records as they come, in
// run order, holding the values of one point only (points x flows x
// metrics summaries, and seeds x flows x metrics values): memory does not
// grow with the number of points' runs already summarised. The values of
// a point are summarised in run (seed) order, so the statistics are
// exactly, bit for bit, those Summaries computes from all the records.
type Accumulator struct {
	m     Meta
	st    Stats
	point int                     // the point whose values are held; -1: none
	vals  [][NumMetrics][]float64 // per flow, that point's values in run order
	last  int                     // the last run added; -1: none
	done  bool
}

// NewAccumulator returns an Accumulator for a sweep of m, its Stats
// already sized for every point.
func NewAccumulator(m Meta) *Accumulator {
	a := &Accumulator{m: m, point: -1, last: -1, vals: make([][NumMetrics][]float64, len(m.Flows))}
	a.st.Points = make([]PointStats, len(m.Labels))
	for pt := range a.st.Points {
		ps := &a.st.Points[pt]
		ps.Point = pt
		ps.Flows = make([]FlowStats, len(m.Flows))
		for fi, flow := range m.Flows {
			fs := &ps.Flows[fi]
			fs.Flow = flow
			for mi := range NumMetrics {
				fs.Applies[mi] = mi.AppliesTo(flow.Protocol)
				fs.Summary[mi] = Summarise(nil)
			}
		}
	}
	return a
}

// Add adds the next record; records must come in increasing run order
// (as Plan.Stream and MergeTo give them), each of the sweep's points and
// flows.
func (a *Accumulator) Add(r *Record) error {
	switch {
	case a.done:
		return fmt.Errorf("sweep: record of run %d added after Stats", r.Run)
	case r.Run <= a.last:
		return fmt.Errorf("sweep: run %d added after run %d: records must come in run order", r.Run, a.last)
	case r.Point < 0 || r.Point >= len(a.st.Points) || r.Point < a.point:
		return fmt.Errorf("sweep: run %d: point %d out of order or not in the sweep", r.Run, r.Point)
	case len(r.Flows) != len(a.m.Flows):
		return fmt.Errorf("sweep: run %d has %d flows, want %d", r.Run, len(r.Flows), len(a.m.Flows))
	}
	a.last = r.Run
	a.add(r)
	return nil
}

// add adds r, whose point is the current one or a later one.
func (a *Accumulator) add(r *Record) {
	if r.Point != a.point {
		a.flush()
		a.point = r.Point
	}
	ps := &a.st.Points[r.Point]
	ps.Runs.add(r.Failure)
	a.st.Runs.add(r.Failure)
	for fi := range ps.Flows {
		ps.Flows[fi].Runs.add(r.Flows[fi].Failure)
		for mi := range NumMetrics {
			a.vals[fi][mi] = append(a.vals[fi][mi], r.Flows[fi].Values[mi])
		}
	}
}

// flush summarises the held point's values and forgets them.
func (a *Accumulator) flush() {
	if a.point < 0 {
		return
	}
	ps := &a.st.Points[a.point]
	for fi := range ps.Flows {
		for mi := range NumMetrics {
			ps.Flows[fi].Summary[mi] = Summarise(a.vals[fi][mi])
			a.vals[fi][mi] = a.vals[fi][mi][:0]
		}
	}
}

// Stats summarises the last point and returns the statistics; points
// without records have zero counts and no values (N = 0, NaN). No record
// may be added after it.
func (a *Accumulator) Stats() Stats {
	if !a.done {
		a.flush()
		a.done = true
	}
	return a.st
}
