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
