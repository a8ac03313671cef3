package plot

import (
	"math"
	"strings"
	"testing"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/sweep"
)

// Exercise 40's network, shorter: two Poisson UDP sources behind an
// unbounded 1 Mbps link (S = 8 ms a 1000-byte packet).
const costs1 = `name: costs
until: 400s
nodes:
  hosts: [a, c]
  routers: [r]
links:
  - {between: [a, r], rate: 100Mbps, delay: 1ms}
  - {between: [r, c], rate: 1Mbps, delay: 1ms}
flows:
  - {name: conn, protocol: udp, from: a, to: c, datagram: 972, count: 3000, rate: 437.4kbps, arrivals: poisson, repeat: {count: 2, every: 0s}}
`

// mdl is the M/D/1 mean wait ρS/(2(1−ρ)) (Kleinrock 1975, eq. 5.73 with
// a constant service time), written out apart from modelQueueDelay.
func mdl(lambda, s float64) float64 {
	rho := lambda * s
	return rho * s / (2 * (1 - rho))
}

// --plot-metric queue_delay_mean: the mean queueing delay against the
// offered rate, in ms, with one M/D/1 curve for the two flows sharing
// r's queue, sampled densely on a numeric rate axis, each sample the
// formula at its own rate (r->c and the 100 Mbps access hop summed).
func TestSweepQueueDelayModel(t *testing.T) {
	m, recs, pts := sweepRun(t, costs1, 2, "flows.conn.rate=194.4kbps,388.8kbps,437.4kbps")
	f, err := SweepFigure(m, recs, pts, SweepOptions{Metric: sweep.QueueDelayMean, File: "s.yaml", Src: []byte(costs1)})
	if err != nil {
		t.Fatal(err)
	}
	checkFigure(t, f)
	if f.X.Categories != nil || f.X.Label != "flows.conn.rate (kbps)" || f.Y.Label != "queue delay mean (ms)" {
		t.Fatalf("axes %q %v, %q: want a numeric rate axis in kbps, the delay in ms", f.X.Label, f.X.Categories, f.Y.Label)
	}
	n := 0
	for _, s := range f.Series {
		if strings.Contains(s.Label, "model") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d model curves, want one for the two flows sharing the queue", n)
	}
	mod := seriesOf(t, f, queueModelName)
	if len(mod.X) < 100 {
		t.Fatalf("model sampled at %d points, want a dense curve", len(mod.X))
	}
	for i, x := range mod.X {
		// Both flows' datagrams a second, at the rate in whole bits per
		// second that the scenario holds.
		lambda := 2 * math.Round(x*1e3) / (972 * 8)
		want := (mdl(lambda, 8e-3) + mdl(lambda, 1000*8/100e6)) * 1e3
		if math.Abs(mod.Y[i]-want) > 1e-9*want {
			t.Fatalf("model at %g kbps: %g ms, want %g", x, mod.Y[i], want)
		}
		if i > 0 && mod.Y[i] <= mod.Y[i-1] {
			t.Fatalf("model not rising at %g kbps", x)
		}
	}
	// The 99th percentile has no model.
	f99, err := SweepFigure(m, recs, pts, SweepOptions{Metric: sweep.QueueDelayP99, File: "s.yaml", Src: []byte(costs1)})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range f99.Series {
		if strings.Contains(s.Label, "model") {
			t.Errorf("a model (%q) beside the p99", s.Label)
		}
	}
	if got, err := sweep.ParseMetric("queue_delay_mean"); err != nil || got != sweep.QueueDelayMean {
		t.Errorf("ParseMetric(queue_delay_mean) = %v, %v", got, err)
	}
}

// The engine agrees with the model: exercise 40 itself (ρ = 0.9, 20000
// packets a flow) queues its packets 36 ms on average by M/D/1; the run's
// mean is within 5%. M/M/1 (72 ms) does not fit: the service time is
// constant.
func TestQueueDelayModelMatchesRun(t *testing.T) {
	sc, err := scenario.Load("../../scenarios/exercises/40-costs-infinite-buffer.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, ok := modelQueueDelay(sc, "conn#1")
	if !ok || math.Abs(want-0.036) > 0.0005 {
		t.Fatalf("model %g s, %v: want 36 ms (0.9·8 ms/(2·0.1)) and a little for the access hop", want, ok)
	}
	res, err := run.ScenarioWith(sc, sc.Seed, run.Options{QueueDelay: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Flows {
		if got := f.QueueDelay.Mean.Seconds(); math.Abs(got-want) > 0.05*want {
			t.Errorf("%s: mean queueing delay %g s, the model %g s", f.Name, got, want)
		}
	}
}

// Where the model does not hold, none: a bounded buffer, a flow that is
// not a Poisson source, a load of 1 or more, a flow not in the run.
func TestQueueDelayModelRefuses(t *testing.T) {
	for _, c := range []struct{ name, from, to, flow string }{
		{"bounded buffer", "rate: 1Mbps, delay: 1ms}", "rate: 1Mbps, delay: 1ms, queue: 10}", "conn#1"},
		{"constant arrivals", "arrivals: poisson", "arrivals: constant", "conn#1"},
		{"overload", "rate: 437.4kbps", "rate: 500kbps", "conn#1"},
		{"no such flow", "", "", "other"},
	} {
		src := costs1
		if c.from != "" {
			src = strings.Replace(costs1, c.from, c.to, 1)
		}
		sc, err := scenario.Parse("s.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := modelQueueDelay(sc, c.flow); ok {
			t.Errorf("%s: model %g s, want none", c.name, d)
		}
	}
	if _, ok := numeric("97.2kbps"); !ok {
		t.Error(`numeric("97.2kbps"): not a number`)
	}
}

// Issue 20's costs-of-congestion figure: a faint vertical line where the
// queue's load reaches ρ = 1 (the M/D/1 wait's asymptote, λ = R/2 =
// 486 kbps of payload for each of two flows of 972-byte datagrams in
// 1000-byte packets on 1 Mbps), from 0 to the axis's top; the two flows'
// near-identical series set side by side, not one on the other.
func TestSweepQueueDelayCapacityAndOverlap(t *testing.T) {
	m, recs, pts := sweepRun(t, costs1, 2, "flows.conn.rate=194.4kbps,388.8kbps,437.4kbps")
	f, err := SweepFigure(m, recs, pts, SweepOptions{Metric: sweep.QueueDelayMean, File: "s.yaml", Src: []byte(costs1)})
	if err != nil {
		t.Fatal(err)
	}
	checkFigure(t, f)
	var limit *Series
	var nudges []float64
	for i := range f.Series {
		s := &f.Series[i]
		if strings.HasPrefix(s.Label, "capacity limit") {
			limit = s
		}
		if s.Kind == ErrorBars {
			nudges = append(nudges, s.Nudge)
		}
	}
	if limit == nil {
		t.Fatal("no capacity-limit line")
	}
	if len(limit.X) != 2 || math.Abs(limit.X[0]-486) > 1e-6 || limit.X[1] != limit.X[0] || limit.Y[0] != 0 || limit.Y[1] != f.Y.Max {
		t.Errorf("capacity line %v %v, want x = 486 from 0 to the axis top %g", limit.X, limit.Y, f.Y.Max)
	}
	if len(nudges) != 2 || nudges[0] != -nudges[1] {
		t.Errorf("the two flows' series nudged %v points, want none or ±5", nudges)
	}
}

// Error-bar series whose means coincide (to 1% of the axis) are drawn
// side by side, 10 points apart; one apart from them stays in place.
func TestNudgeOverlaps(t *testing.T) {
	f := &Figure{Series: []Series{
		{Label: "conn#1", Kind: ErrorBars, X: []float64{1, 2}, Y: []float64{1, 356}},
		{Label: "conn#2", Kind: ErrorBars, X: []float64{1, 2}, Y: []float64{1.2, 359}},
		{Label: "other", Kind: ErrorBars, X: []float64{1, 2}, Y: []float64{50, 100}},
		{Label: "model", Kind: Line, X: []float64{1, 2}, Y: []float64{1, 356}},
	}}
	f.fit(true, true)
	f.nudgeOverlaps()
	for i, want := range []float64{-5, 5, 0, 0} {
		if got := f.Series[i].Nudge; got != want {
			t.Errorf("%s nudged %g points, want %g", f.Series[i].Label, got, want)
		}
	}
}

// A CI far above every mean and model no longer sets the y scale: it is
// cut at the axis's top and marked there with an arrow; a CI that does
// not leaves the axis as it was.
func TestClipIntervals(t *testing.T) {
	mk := func(top float64) *Figure {
		f := &Figure{Series: []Series{{Label: "a", Kind: ErrorBars, X: []float64{1, 2}, Y: []float64{1, 36}, Low: []float64{0, 10}, Top: []float64{2, top}}}}
		f.fit(true, true)
		f.clipIntervals()
		return f
	}
	f := mk(200)
	if f.Y.Max != 40 || f.Series[0].Top[1] != 40 || len(f.Series) != 2 || f.Series[1].Shape != ArrowUp || f.Series[1].Y[0] != 40 {
		t.Errorf("CI to 200 over means to 36: axis to %g, top %v, series %d: want the axis to 40, the CI cut there with an arrow", f.Y.Max, f.Series[0].Top, len(f.Series))
	}
	if f := mk(45); f.Y.Max != 50 || f.Series[0].Top[1] != 45 || len(f.Series) != 1 {
		t.Errorf("CI to 45: axis to %g, top %v: want it whole, the axis to 50", f.Y.Max, f.Series[0].Top)
	}
}
