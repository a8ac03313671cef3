package web

// Browser tests of issue 19's textbook views (cwnd against rounds,
// several flows on one plot, throughput per flow, the sweep over any
// --vary parameter with its models) and of its speed targets.

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// drawnPoint is a data point a figure drew, in canvas pixels.
type drawnPoint struct {
	Label string  `json:"label"`
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
}

// drawn is what drawFigure returned for a plot: its axes' box and points.
type drawn struct {
	Box struct {
		X, Y, W, H float64
	} `json:"box"`
	Points []drawnPoint `json:"points"`
}

// drawnOf reads where the page drew the figure it keeps in tcpsimPage[key].
func drawnOf(l *lab, key string) drawn {
	l.t.Helper()
	return eval[drawn](l, fmt.Sprintf(`(() => { const d = tcpsimPage[%q]; return d ? {box: {X: d.box.x, Y: d.box.y, W: d.box.w, H: d.box.h}, points: d.points} : {box: {}, points: []} })()`, key))
}

// inside checks that every point of d lies in its axes' box and returns
// the labels of the series drawn.
func inside(t *testing.T, what string, d drawn) map[string]int {
	t.Helper()
	labels := map[string]int{}
	for _, p := range d.Points {
		labels[p.Label]++
		if p.X < d.Box.X-0.5 || p.X > d.Box.X+d.Box.W+0.5 || p.Y < d.Box.Y-0.5 || p.Y > d.Box.Y+d.Box.H+0.5 {
			t.Errorf("%s: %s point at (%.1f, %.1f) outside the axes %+v", what, p.Label, p.X, p.Y, d.Box)
		}
	}
	if len(d.Points) == 0 {
		t.Errorf("%s: nothing drawn", what)
	}
	return labels
}

// load is the machine's load average, for the timings' log.
func load() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ") + " (1, 5, 15 min) on 2 cores"
}

// TestBrowserRoundsView: exercise 26 with the textbook window, in the
// rounds view, is Kurose & Ross's Figure 3.53: cwnd 1, 2, 4, 8, 9, 10,
// 11, 12 segments in rounds 1 to 8, then, after the loss in round 8,
// Reno's 9 (ssthresh 6 + 3); drawn inside its axes.
func TestBrowserRoundsView(t *testing.T) {
	l := newLab(t, 1400, 1000)
	l.open("#s=exercises/26-kr-reno-textbook.yaml")
	// The engine builds the figure once the run is shown.
	if _, err := chromedp.Run(l.ctx, chromedp.Poll[bool](`!!(tcpsimPage.run.rounds && tcpsimPage.run.rounds.file)`, chromedp.WithPollingTimeout(time.Minute))); err != nil {
		t.Fatalf("no rounds figure: %v", err)
	}
	got := eval[[]float64](l, `tcpsimPage.run.rounds.file.Series.find(s => s.Label.endsWith(", cwnd")).Y.slice(0, 9)`)
	if fmt.Sprint(got) != "[1 2 4 8 9 10 11 12 9]" {
		t.Errorf("cwnd by round %v, want [1 2 4 8 9 10 11 12 9] (K&R Figure 3.53, Reno)", got)
	}
	labels := inside(t, "rounds view", drawnOf(l, "roundsDrawn"))
	if labels["file, cwnd"] < 9 || labels["file, ssthresh"] == 0 {
		t.Errorf("rounds view drew %v, want cwnd and ssthresh by round", labels)
	}
	l.noErrors()
}

// TestBrowserSeveralFlows: two TCP flows (exercise 27) share the cwnd
// plot and the throughput plot, one colour and legend entry each.
func TestBrowserSeveralFlows(t *testing.T) {
	l := newLab(t, 1400, 1000)
	l.open("#s=exercises/27-two-tcp-flows.yaml")
	flows := eval[[]string](l, `tcpsimPage.run.info.flows.map(f => f.name)`)
	cw := inside(t, "cwnd of every flow", drawnOf(l, "cwndAxes"))
	th := inside(t, "throughput", drawnOf(l, "thruAxes"))
	for _, f := range flows {
		if cw[f] == 0 {
			t.Errorf("the cwnd plot has no line of flow %s: %v", f, cw)
		}
		if th[f+" (tcp)"] == 0 {
			t.Errorf("the throughput plot has no line of flow %s: %v", f, th)
		}
	}
	// One flow picked: its own plots.
	l.setAndFire("#flow", flows[0], "change")
	if th := inside(t, "throughput of one flow", drawnOf(l, "thruAxes")); len(th) != 1 {
		t.Errorf("one flow picked, the throughput plot draws %v", th)
	}
	l.noErrors()
}

// TestBrowserSweepAnyParameter: the sweep varies a parameter other than
// the loss (the link's delay, with a second --vary of the loss), gives
// exactly `tcpsim sweep`'s JSON, and draws the Mathis model inside the
// axes beside the points.
func TestBrowserSweepAnyParameter(t *testing.T) {
	l := newLab(t, 1400, 1000)
	l.open("#s=exercises/02-timeout.yaml")
	l.setAndFire("#sweep-param", "link.delay", "change")
	l.setAndFire("#sweep-values", "10ms,50ms,100ms", "change")
	l.setAndFire("#sweep-extra", "link.loss=2%", "input")
	l.setAndFire("#sweep-seeds", "3", "change")
	l.click("#sweep-run")
	if _, err := chromedp.Run(l.ctx, chromedp.Poll[bool](`+(document.body.dataset.sweeps || 0) > 0`, chromedp.WithPollingTimeout(3*time.Minute))); err != nil {
		t.Fatalf("the sweep did not end: %v (status %q)", err, l.text("#status"))
	}
	got := l.text("#sweep-json")
	want := tcpsim(t, "sweep", "scenarios/exercises/02-timeout.yaml", "--vary", "link.delay=10ms,50ms,100ms", "--vary", "link.loss=2%", "--seeds", "3", "--format", "json")
	if strings.TrimSpace(got) != strings.TrimSpace(string(want)) {
		t.Errorf("page sweep JSON differs from tcpsim sweep --format json:\npage:\n%.1500s\ncli:\n%.1500s", got, want)
	}
	labels := inside(t, "sweep", drawnOf(l, "sweepDrawn"))
	model := false
	for k := range labels {
		model = model || strings.Contains(k, "Mathis")
	}
	if !model {
		t.Errorf("the sweep drew %v: no Mathis model", labels)
	}
	if x := eval[string](l, `tcpsimPage.sweepFig.X.Label`); !strings.HasPrefix(x, "link.delay") {
		t.Errorf("the sweep's x axis is %q, want link.delay", x)
	}
	// Exercise 2's own sweep, over the loss: the Mathis line is drawn.
	l.setAndFire("#sweep-param", "link.loss", "change")
	l.setAndFire("#sweep-extra", "", "input")
	l.setAndFire("#sweep-seeds", "2", "change")
	l.click("#sweep-run")
	if _, err := chromedp.Run(l.ctx, chromedp.Poll[bool](`+(document.body.dataset.sweeps || 0) > 1`, chromedp.WithPollingTimeout(3*time.Minute))); err != nil {
		t.Fatalf("the loss sweep did not end: %v (status %q)", err, l.text("#status"))
	}
	mathis := 0
	for k, n := range inside(t, "loss sweep", drawnOf(l, "sweepDrawn")) {
		if strings.Contains(k, "Mathis") {
			mathis += n
		}
	}
	if mathis < 2 {
		t.Errorf("exercise 2's loss sweep drew %d Mathis points, want a line", mathis)
	}
	l.run(chromedp.ScrollIntoView(chromedp.CSS("#sweep")))
	l.screenshot("lab-ex02-sweep-loss")
	l.noErrors()
}

// TestBrowserSpeed logs where the time of the runs issue 19 times goes:
// the engine's load (fetch and compile, then start), and for each run the
// engine's call, the answer's transfer from the worker, the page's
// reading of it and the drawing; with the machine's load. It asserts no
// time (the machine is shared), only that the first run was the one the
// worker made before it was asked.
func TestBrowserSpeed(t *testing.T) {
	l := newLab(t, 1400, 1000)
	t.Logf("load before: %s", load())
	d := l.open("")
	ds := func(k string) string { return eval[string](l, `document.body.dataset.`+k+` || "?"`) }
	t.Logf("timing: first run shown %s ms after navigation start (%v in the test); worker started at %s ms, engine fetched and compiled in %s ms, started in %s ms, ready at %s ms; the run: engine %s ms (made before it was asked: %v), transfer %s ms, read %s ms, drawn %s ms",
		ds("firstRunMs"), d, ds("workerStartMs"), ds("engineCompileMs"), ds("engineStartMs"), ds("engineReadyMs"), ds("runMs"), eval[bool](l, `document.body.dataset.speculated === "true"`), ds("lastTransferMs"), ds("lastParseMs"), ds("lastDrawMs"))
	// Not a time: the worker's early run must be the page's first request,
	// byte for byte (worker.js writes it as runner.js does).
	if !eval[bool](l, `document.body.dataset.speculated === "true"`) {
		t.Error("the page's first run was not the one the worker made before it was asked: worker.js's request differs from runner.js's")
	}
	for _, path := range []string{"exercises/28-udp-crowds-tcp.yaml", "networks/parking-lot.yaml", "exercises/26-kr-reno-textbook.yaml"} {
		n := l.runs()
		start := time.Now()
		l.setAndFire("#scenario", path, "change")
		l.waitRuns(n)
		t.Logf("timing: %s shown %v after it was picked: engine %s ms, transfer %s ms, read %s ms, drawn %s ms", path, time.Since(start),
			ds("runMs"), ds("lastTransferMs"), ds("lastParseMs"), ds("lastDrawMs"))
	}
	t.Logf("load after: %s", load())
	l.noErrors()
}
