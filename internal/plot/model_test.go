package plot

import (
	"math"
	"slices"
	"strings"
	"testing"

	"tcpsim/internal/sweep"
	"tcpsim/internal/validate"
)

// The model beside a sweep is a curve sampled densely between the swept
// values, each sample the formula at its own x (Mathis et al. 1997 for
// TCP, (1 − p) × offered for UDP), not a polyline through the swept
// points; with --log-x the axis runs from the 1-2-5 value below the
// smallest swept value to the one above the largest.
func TestSweepModelDenseLogX(t *testing.T) {
	m, recs, pts := sweepRun(t, tcpUDP, 1, "link.loss=0.5%,2%,10%")
	f, err := SweepFigure(m, recs, pts, SweepOptions{LogX: true, File: "s.yaml", Src: []byte(tcpUDP)})
	if err != nil {
		t.Fatal(err)
	}
	checkFigure(t, f)
	golden(t, "sweep-loss-logx", f)
	if !f.X.Log || f.X.Min != 0.2 || f.X.Max != 20 || !slices.Contains(f.X.Ticks, 2) || !slices.Contains(f.X.Ticks, 5) {
		t.Errorf("x axis %+v, want log from 0.2 to 20 with 1-2-5 ticks", f.X)
	}
	mathis := seriesOf(t, f, "file (tcp newreno): model, Mathis et al. 1997 (Reno)")
	if len(mathis.X) < 100 {
		t.Fatalf("Mathis sampled at %d points, want a dense curve", len(mathis.X))
	}
	rtt := 0.020 + 1500*8/10e6 + 40*8/10e6
	for i, x := range mathis.X {
		want := math.Min(validate.MathisRate(1460, rtt, x/100), 65536*8/rtt) / 1e6
		if math.Abs(mathis.Y[i]-want) > 1e-9*want {
			t.Fatalf("Mathis at p = %g%%: %g Mbps, want %g", x, mathis.Y[i], want)
		}
		if i > 0 && (x <= mathis.X[i-1] || mathis.Y[i] > mathis.Y[i-1]) {
			t.Fatalf("Mathis not sampled in order or rising at %g%%", x)
		}
	}
	// Evenly spaced in log: the ratio of neighbours is constant.
	r0 := mathis.X[1] / mathis.X[0]
	if r1 := mathis.X[len(mathis.X)-1] / mathis.X[len(mathis.X)-2]; math.Abs(r1/r0-1) > 1e-3 {
		t.Errorf("samples not log-spaced: ratios %g and %g", r0, r1)
	}
	if err := CheckLogX(m.Axes[0]); err != nil {
		t.Error(err)
	}
	// A loss of 0 has no place on a log axis: refused, naming it.
	m0, recs0, pts0 := sweepRun(t, tcpUDP, 1, "link.loss=0,2%")
	if _, err := SweepFigure(m0, recs0, pts0, SweepOptions{LogX: true}); err == nil || !containsAll(err.Error(), "link.loss", `"0"`, "above 0") {
		t.Errorf("log-x with a loss of 0: %v", err)
	}
}

// A whole-number parameter (the window of an rdt sender) is sampled at
// every whole value in range: the knee of K&R's utilisation is drawn
// where it is, between swept values.
func TestSweepModelWholeNumbers(t *testing.T) {
	const src = `name: rdt
until: 600s
link: {rate: 1Mbps, delay: 10ms}
flows:
  - {name: f, protocol: go-back-n, window: 4, seq_bits: 5, count: 30, packet: 1000, timeout: 1s}
`
	m, recs, pts := sweepRun(t, src, 1, "flows.f.window=1,4,16")
	f, err := SweepFigure(m, recs, pts, SweepOptions{File: "s.yaml", Src: []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	checkFigure(t, f)
	mod := seriesOf(t, f, "f (go-back-n): model, K&R U = min(1, N·(L/R)/(RTT+L/R)), no loss")
	if len(mod.X) != 16 {
		t.Fatalf("model at %v, want every window from 1 to 16", mod.X)
	}
	l := (1000.0 + validate.RDTOverhead) * 8 / 1e6
	rtt := 0.020 + validate.RDTOverhead*8/1e6
	for i, x := range mod.X {
		want := validate.PipelinedUtilisation(int(x), l, rtt) * 1000 / (1000 + validate.RDTOverhead)
		if x != float64(i+1) || math.Abs(mod.Y[i]-want) > 1e-9 {
			t.Errorf("N = %g: model %g Mbps, want %g", x, mod.Y[i], want)
		}
	}
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

// --plot-metric: another metric against the parameter, in its table
// unit, named in the title and the file, without the goodput models.
func TestSweepMetric(t *testing.T) {
	m, recs, pts := sweepRun(t, tcpUDP, 2, "link.loss=0,2%,10%")
	f, err := SweepFigure(m, recs, pts, SweepOptions{Metric: sweep.CompletionTime, File: "s.yaml", Src: []byte(tcpUDP)})
	if err != nil {
		t.Fatal(err)
	}
	checkFigure(t, f)
	golden(t, "sweep-completion-time", f)
	if f.Name != "s-completion_time-vs-link.loss" || f.Y.Label != "completion time (s)" || !strings.Contains(f.Title, "completion time vs link.loss") {
		t.Errorf("name %q, y %q, title %q", f.Name, f.Y.Label, f.Title)
	}
	st := sweep.Summaries(m, recs)
	file := seriesOf(t, f, "file (tcp newreno)")
	for i := range file.X {
		if want := st.Points[i].Flows[0].Summary[sweep.CompletionTime].Mean; math.Abs(file.Y[i]-want) > 1e-9 {
			t.Errorf("point %d: %g s, the summary's mean is %g s", i, file.Y[i], want)
		}
	}
	for _, s := range f.Series {
		if strings.Contains(s.Label, "model") {
			t.Errorf("a model (%q) beside completion time: the models are of goodput", s.Label)
		}
	}
	for _, c := range []struct {
		in   string
		want sweep.Metric
	}{{"goodput", sweep.Goodput}, {"goodput_bps", sweep.Goodput}, {"delivery_ratio", sweep.DeliveryRatio}, {"completion_time", sweep.CompletionTime}, {"retransmissions", sweep.Retransmissions}} {
		if got, err := sweep.ParseMetric(c.in); err != nil || got != c.want {
			t.Errorf("ParseMetric(%q) = %v, %v", c.in, got, err)
		}
	}
	if _, err := sweep.ParseMetric("delay"); err == nil || !strings.Contains(err.Error(), "want one of goodput, delivery_ratio") {
		t.Errorf("ParseMetric(delay): %v", err)
	}
}
