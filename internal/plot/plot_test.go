package plot

import (
	"bytes"
	"flag"
	"fmt"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/sweep"
	"tcpsim/internal/trace"
	"tcpsim/internal/validate"
)

var update = flag.Bool("update", false, "rewrite the golden figure summaries in testdata/")

const (
	krTahoe = "../../scenarios/exercises/26-kr-tahoe.yaml"
	krReno  = "../../scenarios/exercises/26-kr-reno.yaml"
	slowRcv = "../../scenarios/exercises/05-slow-receiver.yaml"
)

// checkFigure asserts what every figure promises: axes from 0 (every
// figure here draws a size, a time, a count or a rate), every point and
// span inside the axes (nothing clipped), ticks at a 1-2-5 step from the
// axis's minimum to its maximum, and a categorical axis with one tick per
// category.
func checkFigure(t *testing.T, f *Figure) {
	t.Helper()
	if f.Y.Min != 0 {
		t.Errorf("%s: y axis from %g, want 0", f.Name, f.Y.Min)
	}
	if f.X.Min > 0 && len(f.X.Categories) == 0 && !f.X.Log {
		t.Errorf("%s: x axis from %g, want 0 or below", f.Name, f.X.Min)
	}
	for _, a := range []Axis{f.X, f.Y} {
		checkTicks(t, f.Name+" "+a.Label, a)
	}
	in := func(v float64, a Axis) bool { return v >= a.Min && v <= a.Max }
	for _, s := range f.Series {
		for i := range s.X {
			ys := []float64{s.Y[i]}
			if i < len(s.Top) {
				ys = append(ys, s.Top[i])
			}
			if i < len(s.Low) {
				ys = append(ys, s.Low[i])
			}
			for _, y := range ys {
				if !in(s.X[i], f.X) || !in(y, f.Y) {
					t.Fatalf("%s: %q point (%g, %g) outside the axes [%g, %g] x [%g, %g]", f.Name, s.Label, s.X[i], y, f.X.Min, f.X.Max, f.Y.Min, f.Y.Max)
				}
			}
		}
	}
	for _, sp := range f.Spans {
		if !in(sp.From, f.X) || !in(sp.To, f.X) || sp.From > sp.To {
			t.Errorf("%s: span [%g, %g] outside the x axis or reversed", f.Name, sp.From, sp.To)
		}
	}
}

// checkTicks: ticks run from Min to Max at one step of 1, 2 or 5 times a
// power of ten, each a multiple of the step; a categorical axis has ticks
// 1..n inside [0.5, n+0.5].
func checkTicks(t *testing.T, what string, a Axis) {
	t.Helper()
	if a.Log {
		if len(a.Ticks) < 2 || a.Ticks[0] != a.Min || a.Ticks[len(a.Ticks)-1] != a.Max || a.Min <= 0 || !slices.IsSorted(a.Ticks) {
			t.Errorf("%s: log axis ticks %v in [%g, %g]", what, a.Ticks, a.Min, a.Max)
		}
		for _, v := range a.Ticks {
			if !roundStep(v) {
				t.Errorf("%s: log tick %g is not 1, 2 or 5 times a power of ten", what, v)
			}
		}
		return
	}
	if n := len(a.Categories); n > 0 {
		if len(a.Ticks) != n || a.Min != 0.5 || a.Max != float64(n)+0.5 {
			t.Errorf("%s: categorical axis %v in [%g, %g], want 1..%d in [0.5, %d.5]", what, a.Ticks, a.Min, a.Max, n, n)
		}
		for i, v := range a.Ticks {
			if v != float64(i+1) {
				t.Errorf("%s: category %d at %g", what, i, v)
			}
		}
		return
	}
	if len(a.Ticks) < 2 || len(a.Ticks) > maxTicks+1 {
		t.Fatalf("%s: %d ticks %v, want 2 to %d", what, len(a.Ticks), a.Ticks, maxTicks+1)
	}
	step := a.Ticks[1] - a.Ticks[0]
	switch last := a.Ticks[len(a.Ticks)-1]; {
	case a.Integer:
		// A count's axis ends one past its data (integerRange), so the
		// last tick may fall short of the end, by less than a step.
		if a.Ticks[0] != a.Min || last > a.Max || a.Max-last >= step || a.Max != math.Round(a.Max) {
			t.Errorf("%s: integer ticks %v in [%g, %g]: want from the min, ending less than a step %g before a whole max", what, a.Ticks, a.Min, a.Max, step)
		}
	case a.Ticks[0] != a.Min || last != a.Max:
		t.Errorf("%s: ticks %v do not run from the axis min %g to its max %g", what, a.Ticks, a.Min, a.Max)
	}
	if mag := math.Pow(10, math.Floor(math.Log10(step)+1e-9)); math.Abs(step/mag-math.Round(step/mag)) < 1e-6 {
		step = math.Round(step/mag) * mag // undo the subtraction's rounding
	}
	if !roundStep(step) {
		t.Errorf("%s: step %g is not 1, 2 or 5 times a power of ten", what, step)
	}
	if a.Integer && step != math.Round(step) {
		t.Errorf("%s: integer axis with step %g", what, step)
	}
	for i, v := range a.Ticks {
		q := v / step
		if math.Abs(v-(a.Ticks[0]+float64(i)*step)) > step*1e-6 || math.Abs(q-math.Round(q)) > 1e-9*math.Max(1, math.Abs(q)) {
			t.Errorf("%s: tick %g is not a multiple of the step %g in place %d", what, v, step, i)
		}
	}
}

func roundStep(step float64) bool {
	m := step / math.Pow(10, math.Floor(math.Log10(step)+1e-9))
	for _, w := range []float64{1, 2, 5} {
		if math.Abs(m-w) < 1e-6 {
			return true
		}
	}
	return false
}

// Ranges covering any data: 1-2-5 ticks from a tick at or below the
// smallest value to one above the largest, few of them.
func TestNiceRangeProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		scale := math.Pow(10, float64(r.IntN(14)-7))
		lo, hi := r.Float64()*scale, r.Float64()*scale*10
		if i%3 == 0 {
			lo = 0
		}
		if i%7 == 0 {
			hi = lo
		}
		mn, mx, ticks := niceRange(lo, hi)
		a := Axis{Min: mn, Max: mx, Ticks: ticks, Label: "random"}
		if mn > math.Min(lo, hi) || mx < math.Max(lo, hi) {
			t.Fatalf("niceRange(%g, %g) = [%g, %g]: does not cover", lo, hi, mn, mx)
		}
		if mx == hi && hi > lo {
			t.Fatalf("niceRange(%g, %g): the largest value is on the frame", lo, hi)
		}
		checkTicks(t, "niceRange", a)
		if t.Failed() {
			t.Fatalf("niceRange(%g, %g) = %v", lo, hi, ticks)
		}
	}
}

func TestNiceRangeExamples(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []float64
	}{
		{0, 65.535, []float64{0, 10, 20, 30, 40, 50, 60, 70}},
		{0, 1, []float64{0, 0.2, 0.4, 0.6, 0.8, 1, 1.2}},
		{0, 2.35, []float64{0, 0.5, 1, 1.5, 2, 2.5}},
		{0, 0, []float64{0, 0.2, 0.4, 0.6, 0.8, 1, 1.2}},
		{0, 5.66, []float64{0, 1, 2, 3, 4, 5, 6}},
	} {
		_, _, got := niceRange(c.lo, c.hi)
		if !slices.Equal(got, c.want) {
			t.Errorf("niceRange(%g, %g) ticks %v, want %v", c.lo, c.hi, got, c.want)
		}
	}
}

// golden compares a figure's summary with testdata/<name>.json.
func golden(t *testing.T, name string, f *Figure) {
	t.Helper()
	path := filepath.Join("testdata", name+".json")
	got := f.Summarise().JSON()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./internal/plot -update)", err)
	}
	if d := lineDiff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (rerun with -update if intended):\n%s", path, d)
	}
}

func krFigures(t *testing.T, o Options) []*Figure {
	t.Helper()
	runs := []Run{loadRun(t, krTahoe, ""), loadRun(t, krReno, "")}
	o.Name, o.Title = "26-kr-tahoe+26-kr-reno-file", "ex26-kr-tahoe (seed 1) vs ex26-kr-reno (seed 1)"
	figs, err := Flows(runs, o)
	if err != nil {
		t.Fatal(err)
	}
	return figs
}

func seriesOf(t *testing.T, f *Figure, label string) Series {
	t.Helper()
	for _, s := range f.Series {
		if s.Label == label {
			return s
		}
	}
	var have []string
	for _, s := range f.Series {
		have = append(have, s.Label)
	}
	t.Fatalf("%s: no series %q; have %q", f.Name, label, have)
	return Series{}
}

// valueAt returns the y of the point at x.
func valueAt(t *testing.T, s Series, x float64) float64 {
	t.Helper()
	for i := range s.X {
		if s.X[i] == x {
			return s.Y[i]
		}
	}
	t.Fatalf("%q has no point at x = %g", s.Label, x)
	return 0
}

// Kurose & Ross's Tahoe-vs-Reno figure: cwnd in segments against rounds;
// the loss of the first segment of round 8 lands at x = 8; in round 9
// Tahoe is back to one segment and Reno at ssthresh, half the flight.
func TestKRTahoeVsRenoInRounds(t *testing.T) {
	figs := krFigures(t, Options{Segments: true, Rounds: true})
	for _, f := range figs {
		checkFigure(t, f)
	}
	cw := figs[1]
	golden(t, "kr-rounds-cwnd", cw)
	golden(t, "kr-rounds-time-sequence", figs[0])
	tahoe := seriesOf(t, cw, "ex26-kr-tahoe: tahoe file, cwnd")
	reno := seriesOf(t, cw, "ex26-kr-reno: reno file, cwnd")
	// Slow start from 1 to ssthresh = 8, then one more a round.
	for k, want := range []float64{1, 2, 4, 8} {
		for _, s := range []Series{tahoe, reno} {
			if got := valueAt(t, s, float64(k+1)); got != want {
				t.Errorf("%s round %d: cwnd %g segments, want %g", s.Label, k+1, got, want)
			}
		}
	}
	pre := valueAt(t, reno, 8)
	if valueAt(t, tahoe, 8) != pre || pre < 11 || pre > 12.5 {
		t.Errorf("round 8: tahoe %g, reno %g segments, want the same, about 12", valueAt(t, tahoe, 8), pre)
	}
	if got := valueAt(t, tahoe, 9); got != 1 {
		t.Errorf("tahoe round 9: cwnd %g segments, want 1", got)
	}
	// ssthresh is half the FlightSize at the third duplicate ACK: the 11
	// segments of round 8, without the two that Limited Transmit sent on
	// the first two duplicate ACKs, which "MUST NOT be included in this
	// calculation" (RFC 5681 §3.2 step 2). So 5.5 segments, not 6.5 (and
	// not K&R's 6: congestion avoidance adds SMSS·SMSS/cwnd per ACK, eq.
	// 3, so round 8 holds 11 segments, not 12). In fast recovery the
	// figure draws Reno's cwnd as ssthresh.
	for _, s := range []Series{reno, seriesOf(t, cw, "ex26-kr-tahoe: tahoe file, ssthresh"), seriesOf(t, cw, "ex26-kr-reno: reno file, ssthresh")} {
		if got := valueAt(t, s, 9); got != 5.5 {
			t.Errorf("%s round 9: %g segments, want 5.5 (half of round 8's 11, about half of %g)", s.Label, got, pre)
		}
	}
	for _, who := range []string{"ex26-kr-tahoe: tahoe file", "ex26-kr-reno: reno file"} {
		loss := seriesOf(t, cw, who+", segment lost")
		if len(loss.X) != 1 || loss.X[0] != 8 {
			t.Errorf("%s: losses at rounds %v, want one at 8", who, loss.X)
		}
		fr := seriesOf(t, cw, who+", fast retransmit")
		if len(fr.X) != 1 || fr.X[0] != 9 {
			t.Errorf("%s: fast retransmits at rounds %v, want one at 9", who, fr.X)
		}
	}
	// Reno shades its fast recovery, Tahoe has none.
	if len(cw.Spans) != 1 || !strings.HasPrefix(cw.Spans[0].Label, "ex26-kr-reno") || cw.Spans[0].From != 9 {
		t.Errorf("spans %+v, want one fast recovery of reno from round 9", cw.Spans)
	}
}

// In time, with bytes: the golden summaries, and the rule that fast
// recovery's inflation never shows as cwnd growing: cwnd in recovery is
// ssthresh, the inflated value a faint series of its own.
func TestKRInTime(t *testing.T) {
	figs := krFigures(t, Options{})
	for i, f := range figs {
		checkFigure(t, f)
		golden(t, "kr-time-"+[]string{KindTimeSequence, KindCwnd, KindRwnd}[i], f)
	}
	cw := figs[1]
	reno := seriesOf(t, cw, "ex26-kr-reno: reno file, cwnd")
	ss := seriesOf(t, cw, "ex26-kr-reno: reno file, ssthresh")
	sp := cw.Spans[0]
	for i, x := range reno.X {
		if x >= sp.From && x < sp.To {
			if want := valueAt(t, ss, x); reno.Y[i] > want {
				t.Errorf("cwnd %g kB at %g s in fast recovery, above ssthresh %g", reno.Y[i], x, want)
			}
		}
	}
	infl := seriesOf(t, cw, "ex26-kr-reno: reno file, cwnd inflated (fast recovery, limited transmit)")
	if len(infl.X) == 0 || slicesMax(infl.Y) <= slicesMax(reno.Y[:len(reno.Y)/4]) {
		t.Errorf("the inflated window (%v) should rise above the window in force", infl.Y)
	}
}

func slicesMax(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}

// The shaded spans are exactly the sender's recovery episodes of the
// trace, over runs with many losses, with and without SACK.
func TestRecoverySpansMatchTrace(t *testing.T) {
	for _, c := range []struct {
		file string
		ovs  []scenario.Override
	}{
		{krReno, nil},
		{"../../scenarios/tcp-loss-5.yaml", nil},
		{"../../scenarios/tcp-loss-5.yaml", []scenario.Override{{Path: "flows.file.sack", Value: "true"}}},
		{"../../scenarios/tcp-burst-loss.yaml", nil},
	} {
		r := loadRun(t, c.file, "r", c.ovs...)
		var want []Span
		for _, e := range r.Events {
			if e.Kind != trace.Recovery || !strings.HasPrefix(e.Detail, "client") {
				continue
			}
			if e.Value == 1 {
				want = append(want, Span{Label: "r, fast recovery", Legend: "fast recovery", From: e.T.Seconds(), To: -1, Color: cGrey})
			} else if n := len(want); n > 0 && want[n-1].To < 0 {
				want[n-1].To = e.T.Seconds()
			} else {
				t.Fatalf("%s: a recovery ends that never began at %v", c.file, e.T)
			}
		}
		figs, err := Flows([]Run{r}, Options{Name: "x", Title: "x"})
		if err != nil {
			t.Fatal(err)
		}
		checkFigure(t, figs[1])
		if len(want) == 0 && c.file != krReno {
			t.Logf("%s: no recovery", c.file)
		}
		if n := len(want); n > 0 && want[n-1].To < 0 {
			want[n-1].To = r.Events[len(r.Events)-1].T.Seconds()
		}
		if !reflect.DeepEqual(want, figs[1].Spans) {
			t.Errorf("%s %v: spans differ from the trace's recovery events:\n got %+v\nwant %+v", c.file, c.ovs, figs[1].Spans, want)
		}
		// One fast retransmit marker per recovery.
		fr := 0
		for _, s := range figs[1].Series {
			if strings.HasSuffix(s.Label, "fast retransmit") {
				fr = len(s.X)
			}
		}
		if fr != len(want) {
			t.Errorf("%s: %d fast retransmit markers for %d recoveries", c.file, fr, len(want))
		}
	}
}

// Rounds: start times increase, every event's round is the one whose
// start precedes it, and a clean ACK-clocked run has one round per RTT.
func TestRoundsProperties(t *testing.T) {
	for _, file := range []string{krTahoe, krReno, "../../scenarios/tcp-loss-5.yaml", slowRcv, "../../scenarios/tcp-clean.yaml"} {
		r := loadRun(t, file, "r")
		d := analyse(r.Events)
		rs, err := d.rounds(len(r.Events))
		if err != nil {
			t.Fatal(err)
		}
		for k := 1; k < len(rs.Start); k++ {
			if rs.Start[k] < rs.Start[k-1] {
				t.Fatalf("%s: round %d starts at %v, before round %d at %v", file, k+1, rs.Start[k], k, rs.Start[k-1])
			}
		}
		prev := 0
		for i, k := range rs.Of {
			if k < prev || k > len(rs.Start) {
				t.Fatalf("%s: event %d in round %d after round %d", file, i, k, prev)
			}
			if k > 0 && r.Events[i].T < rs.Start[k-1] {
				t.Fatalf("%s: event %d at %v in round %d, which starts at %v", file, i, r.Events[i].T, k, rs.Start[k-1])
			}
			prev = k
		}
		if rs.MinRTT <= 0 {
			t.Errorf("%s: min RTT %v", file, rs.MinRTT)
		}
	}
	// Exercise 26: 100 ms rounds from 0.1 s.
	r := loadRun(t, krTahoe, "r")
	rs, _ := analyse(r.Events).rounds(len(r.Events))
	for k := 0; k < 8; k++ {
		want := 0.1 * float64(k+1)
		if got := rs.Start[k].Seconds(); math.Abs(got-want) > 0.001 {
			t.Errorf("round %d starts at %.6f s, want about %.1f s", k+1, got, want)
		}
	}
}

// A receiver that reads slowly: the rwnd figure is drawn from 0 to a round
// value above 5840 bytes, not stretched over one byte's change; the
// time-sequence graph carries the advertised-window line above the ACKs.
func TestSlowReceiver(t *testing.T) {
	r := loadRun(t, slowRcv, "")
	figs, err := Flows([]Run{r}, Options{Name: "05-slow-receiver-file", Title: "ex05-slow-receiver (seed 1), flow file"})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range figs {
		checkFigure(t, f)
		golden(t, "slow-receiver-"+[]string{KindTimeSequence, KindCwnd, KindRwnd}[i], f)
	}
	rw := figs[2]
	if rw.Y.Min != 0 || rw.Y.Max < 5.84 || rw.Y.Max > 10 {
		t.Errorf("rwnd axis [%g, %g] kB, want from 0 to a little above 5.84", rw.Y.Min, rw.Y.Max)
	}
	ts := figs[0]
	ack := seriesOf(t, ts, "ex05-slow-receiver: newreno file, cumulative ACK received")
	win := seriesOf(t, ts, "ex05-slow-receiver: newreno file, ACK + advertised window (rwnd)")
	if len(ack.X) != len(win.X) || len(win.X) == 0 {
		t.Fatalf("%d ACK points, %d window points", len(ack.X), len(win.X))
	}
	zero := 0
	for i := range ack.X {
		if win.Y[i] < ack.Y[i] {
			t.Fatalf("window edge %g below the ACK %g at %g s", win.Y[i], ack.Y[i], ack.X[i])
		}
		if win.Y[i] == ack.Y[i] {
			zero++
		}
	}
	if zero == 0 {
		t.Error("the window never closed: exercise 5's receiver should advertise zero")
	}
	// Segments are bars from their first byte to their last.
	sent := seriesOf(t, ts, "ex05-slow-receiver: newreno file, segment sent")
	for i := range sent.X {
		if l := sent.Top[i] - sent.Y[i]; l <= 0 || l > 1.461 {
			t.Fatalf("segment bar %d spans %g kB", i, l)
		}
	}
}

// Rendering: a PNG and an SVG per figure, byte-stable, 1280 x 720 for a
// projector with the legend below the plot, file names carrying the
// scenario file's base.
func TestRender(t *testing.T) {
	figs := krFigures(t, Options{Segments: true, Rounds: true})
	dir := t.TempDir()
	var all []string
	for _, f := range figs {
		files, err := Render(f, dir)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Render(f, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		for i := range files {
			a, _ := os.ReadFile(files[i])
			b, _ := os.ReadFile(again[i])
			if !bytes.Equal(a, b) {
				t.Errorf("%s is not byte-stable", files[i])
			}
			if strings.HasSuffix(files[i], ".png") {
				cfg, err := png.DecodeConfig(bytes.NewReader(a))
				if err != nil {
					t.Fatal(err)
				}
				if cfg.Width != 1280 || cfg.Height != 720 {
					t.Errorf("%s: %dx%d, want 1280x720 (a projector)", files[i], cfg.Width, cfg.Height)
				}
			} else if !strings.Contains(string(a), "tahoe file: cwnd") && f.Name == figs[1].Name {
				t.Errorf("%s: the legend does not name the algorithm", files[i])
			}
		}
		all = append(all, files...)
	}
	for _, f := range all {
		if !strings.Contains(filepath.Base(f), "26-kr-tahoe+26-kr-reno-file-") {
			t.Errorf("%s: want the scenario files' names in the file name", f)
		}
	}
	if LegendBelow == "" {
		t.Error("no legend placement")
	}
}

func TestFileBase(t *testing.T) {
	for in, want := range map[string]string{
		"scenarios/exercises/26-kr-reno.yaml": "26-kr-reno",
		"ex:26-kr-reno":                       "26-kr-reno",
		"a/b/my file.yml":                     "my_file",
		"x.yaml":                              "x",
	} {
		if got := FileBase(in); got != want {
			t.Errorf("FileBase(%q) = %q, want %q", in, got, want)
		}
	}
	if FileBase("a/tcp.yaml") == FileBase("b/udp.yaml") {
		t.Error("two scenario files share a figure name")
	}
}

func sweepRun(t *testing.T, src string, seeds int, vary ...string) (sweep.Meta, []sweep.Record, []*scenario.Scenario) {
	t.Helper()
	var axes []sweep.Axis
	for _, v := range vary {
		a, err := sweep.ParseAxis(v)
		if err != nil {
			t.Fatal(err)
		}
		axes = append(axes, a)
	}
	p, err := sweep.NewPlan("s.yaml", []byte(src), axes, seeds)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := p.Execute(sweep.Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	pts, err := PointScenarios("s.yaml", []byte(src), p.Meta)
	if err != nil {
		t.Fatal(err)
	}
	return p.Meta, recs, pts
}

const tcpUDP = `name: sw
until: 60s
link: {rate: 10Mbps, delay: 10ms, queue: 100, reverse: {loss: 0%}}
flows:
  - {name: file, protocol: tcp, bytes: 200KB}
  - {name: video, protocol: udp, bytes: 200KB, rate: 2Mbps}
`

// The sweep plot: goodput with its CI, the models beside it, axes from 0,
// series named by protocol and algorithm.
func TestSweepFigure(t *testing.T) {
	m, recs, pts := sweepRun(t, tcpUDP, 2, "link.loss=0,2%,10%")
	f, err := SweepFigure(m, recs, pts, SweepOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkFigure(t, f)
	golden(t, "sweep-loss", f)
	if f.Name != "s-goodput-vs-link.loss" {
		t.Errorf("name %q", f.Name)
	}
	seriesOf(t, f, "file (tcp newreno)")
	seriesOf(t, f, "video (udp)")
	mathis := seriesOf(t, f, "file (tcp newreno): model, Mathis et al. 1997 (Reno)")
	// Mathis has no value at p = 0; at 2% and 10% it is the formula,
	// with the RTT of the path: 2 x 10 ms + a 1500-byte and a 40-byte
	// transmission at 10 Mbps.
	if len(mathis.X) != 2 || mathis.X[0] != 2 || mathis.X[1] != 10 {
		t.Fatalf("Mathis at %v, want at 2 and 10", mathis.X)
	}
	rtt := 0.020 + 1500*8/10e6 + 40*8/10e6
	for i, p := range []float64{0.02, 0.10} {
		want := math.Min(validate.MathisRate(1460, rtt, p), 65536*8/rtt) / 1e6
		if math.Abs(mathis.Y[i]-want) > 1e-9 {
			t.Errorf("Mathis at p = %g: %g Mbps, want %g", p, mathis.Y[i], want)
		}
	}
	udp := seriesOf(t, f, "video (udp): model, (1 − p) × offered")
	for i, p := range []float64{0, 0.02, 0.10} {
		if want := (1 - p) * 2; math.Abs(udp.Y[i]-want) > 1e-9 {
			t.Errorf("UDP model at p = %g: %g Mbps, want %g", p, udp.Y[i], want)
		}
	}
	files, err := Render(f, t.TempDir())
	if err != nil || len(files) != 2 {
		t.Fatalf("wrote %v: %v", files, err)
	}
}

// A parameter whose values are not numbers gets a categorical axis, the
// values in their order, unjoined points; the series name no algorithm
// when the axis varies it.
func TestSweepCategorical(t *testing.T) {
	m, recs, pts := sweepRun(t, tcpUDP, 2, "flows.file.congestion=tahoe,reno,cubic", "link.loss=1%,5%")
	f, err := SweepFigure(m, recs, pts, SweepOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkFigure(t, f)
	golden(t, "sweep-congestion", f)
	if !slices.Equal(f.X.Categories, []string{"tahoe", "reno", "cubic"}) {
		t.Errorf("categories %v", f.X.Categories)
	}
	s := seriesOf(t, f, "file (tcp), link.loss=1%")
	if s.Kind != ErrorPoints {
		t.Errorf("kind %s, want unjoined points", s.Kind)
	}
	// Side-by-side series stay within their category.
	for _, s := range f.Series {
		for _, x := range s.X {
			if d := math.Abs(x - math.Round(x)); d > 0.2 {
				t.Errorf("%q at %g: too far from its category", s.Label, x)
			}
		}
	}
}

// An rdt sweep draws the K&R utilisation model: goodput = U x R x
// payload/(payload + headers).
func TestSweepRDTModel(t *testing.T) {
	const src = `name: rdt
until: 600s
link: {rate: 1Mbps, delay: 10ms}
flows:
  - {name: f, protocol: go-back-n, window: 4, seq_bits: 4, count: 50, packet: 1000, timeout: 1s}
`
	m, recs, pts := sweepRun(t, src, 1, "flows.f.window=1,2,4,8")
	f, err := SweepFigure(m, recs, pts, SweepOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkFigure(t, f)
	mod := seriesOf(t, f, "f (go-back-n): model, K&R U = min(1, N·(L/R)/(RTT+L/R)), no loss")
	l := (1000.0 + validate.RDTOverhead) * 8 / 1e6
	rtt := 0.020 + validate.RDTOverhead*8/1e6
	for i, n := range []int{1, 2, 4, 8} {
		want := validate.PipelinedUtilisation(n, l, rtt) * 1e6 * 1000 / (1000 + validate.RDTOverhead) / 1e6
		if math.Abs(mod.Y[i]-want) > 1e-9 {
			t.Errorf("N = %d: model %g Mbps, want %g", n, mod.Y[i], want)
		}
	}
}

// With two varied parameters every combination of the second with each
// flow is a series, none dropped: even one where no run completed.
func TestSweepSeries(t *testing.T) {
	for _, c := range []struct {
		name  string
		vary  []string
		names []string
		pts   []int
	}{
		{"one axis", []string{"link.loss=0,2%,10%"}, []string{"file (tcp newreno)", "video (udp)"}, []int{3, 3}},
		{"two axes", []string{"link.loss=0,2%,10%", "flows.file.congestion=tahoe,reno"},
			[]string{
				"file (tcp tahoe), flows.file.congestion=tahoe", "video (udp), flows.file.congestion=tahoe",
				"file (tcp reno), flows.file.congestion=reno", "video (udp), flows.file.congestion=reno",
			}, []int{3, 3, 3, 3}},
		{"a series with no completed run", []string{"link.loss=0,2%", "max_events=100000000,100"},
			[]string{"file (tcp newreno), max_events=100000000", "video (udp), max_events=100000000",
				"file (tcp newreno), max_events=100 (no completed run)", "video (udp), max_events=100 (no completed run)"},
			[]int{2, 2, 0, 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, recs, pts := sweepRun(t, tcpUDP, 2, c.vary...)
			ss := sweepSeries(m, sweep.Summaries(m, recs), []float64{1, 2, 3}, pts, sweep.Goodput)
			if len(ss) != len(c.names) {
				t.Fatalf("%d series, want %d", len(ss), len(c.names))
			}
			for i, s := range ss {
				if s.name != c.names[i] || len(s.s.X) != c.pts[i] {
					t.Errorf("series %d: %q with %d points, want %q with %d", i, s.name, len(s.s.X), c.names[i], c.pts[i])
				}
			}
			f, err := SweepFigure(m, recs, pts, SweepOptions{})
			if err != nil {
				t.Fatal(err)
			}
			checkFigure(t, f)
		})
	}
}

// lineDiff lists the lines where want and got differ, "" if none.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := range max(len(w), len(g)) {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			fmt.Fprintf(&b, "line %d:\n- %s\n+ %s\n", i+1, a, c)
		}
	}
	return b.String()
}

// ecnScenario is RED marking CE on the bottleneck for an ECN flow e that
// loses nothing: every window reduction answers an ECN-Echo.
const ecnScenario = `name: red-ecn
nodes:
  hosts: [a1, a2, b]
  routers: [r]
links:
  - {between: [a1, r], rate: 100Mbps, delay: 1ms}
  - {between: [a2, r], rate: 100Mbps, delay: 1ms}
  - {between: [r, b], rate: 5Mbps, delay: 10ms, queue: 100, aqm: red, ecn: true, red: {min: 5, max: 15, max_p: 10%}}
flows:
  - {name: e, protocol: tcp, from: a1, to: b, bytes: 1MB, ecn: true}
  - {name: n, protocol: tcp, from: a2, to: b, bytes: 1MB}
`

// An ECN-Echo window cut (RFC 3168 §6.1.2) is no retransmission: with no
// fast retransmit and no timeout the cwnd figure has no fast retransmit
// markers, and one ECN window cut marker per CWR the sender sent.
func TestECNCutsAreNotRetransmits(t *testing.T) {
	sc, err := scenario.Parse("red-ecn.yaml", []byte(ecnScenario))
	if err != nil {
		t.Fatal(err)
	}
	rec := &trace.Recorder{}
	res, err := run.ScenarioWith(sc, sc.Seed, run.Options{Trace: &trace.Filter{Flow: "e", Next: rec}, TraceRecovery: true})
	if err != nil {
		t.Fatal(err)
	}
	var fr *run.FlowResult
	for i := range res.Flows {
		if res.Flows[i].Name == "e" {
			fr = &res.Flows[i]
		}
	}
	if fr == nil || fr.TCP == nil {
		t.Fatal("no TCP flow e")
	}
	if fr.TCP.CWRSent == 0 {
		t.Fatalf("flow e sent no CWR: the scenario no longer exercises ECN")
	}
	for _, e := range rec.Events {
		if e.Kind == trace.Send && e.Retrans {
			t.Fatalf("flow e retransmitted at %v: the scenario is meant to have none", e.T)
		}
	}
	path := fr.Path
	evs := trace.EndToEnd(rec.Events, path, res.PathOf(path[len(path)-1], path[0]))
	figs, err := Flows([]Run{{Label: "red-ecn: newreno e", Events: evs, MSS: 1460}}, Options{Name: "x", Title: "x"})
	if err != nil {
		t.Fatal(err)
	}
	cw := figs[1]
	checkFigure(t, cw)
	var fast int
	var cuts []float64
	for _, s := range cw.Series {
		switch {
		case strings.HasSuffix(s.Label, "fast retransmit"):
			fast = len(s.X)
		case strings.HasSuffix(s.Label, "ECN window cut"):
			cuts = s.X
		}
	}
	if fast != 0 {
		t.Errorf("%d fast retransmit markers, want 0 (the flow retransmitted nothing)", fast)
	}
	// The sender sets CWR on the first new segment after each cut (RFC
	// 3168 §6.1.2): cuts and CWRs alternate, and a last cut after which
	// no new data went out has no CWR.
	var cwr []float64
	lastData := -1.0
	for _, e := range evs {
		if e.Kind == trace.Send && e.Len > 0 && e.Dir == "a1->b" {
			lastData = e.T.Seconds()
			if e.Has(trace.FlagCWR) {
				cwr = append(cwr, e.T.Seconds())
			}
		}
	}
	if int64(len(cwr)) != fr.TCP.CWRSent {
		t.Fatalf("%d CWR segments in the trace, the report says %d", len(cwr), fr.TCP.CWRSent)
	}
	want := len(cwr)
	if n := len(cuts); n > 0 && cuts[n-1] >= lastData {
		want++
	}
	if len(cuts) != want {
		t.Fatalf("%d ECN window cut markers for %d CWR sent (last data at %gs), want %d:\ncuts %v\ncwr  %v", len(cuts), len(cwr), lastData, want, cuts, cwr)
	}
	for k, c := range cwr {
		if c < cuts[k] || (k+1 < len(cuts) && c >= cuts[k+1]) {
			t.Errorf("CWR %d at %gs is not between ECN window cuts at %gs and the next", k, c, cuts[k])
		}
	}
}
