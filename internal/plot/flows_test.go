package plot

import (
	"math"
	"os"
	"strings"
	"testing"

	"tcpsim/internal/flowview"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
	"tcpsim/sim"
)

// runFlows runs a scenario file and returns each named flow as a Run.
func runFlows(t *testing.T, file string, names ...string) []Run {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse(file, src)
	if err != nil {
		t.Fatal(err)
	}
	rec := &trace.Recorder{}
	if _, err := run.ScenarioWith(sc, sc.Seed, run.Options{Trace: rec, TraceRecovery: true}); err != nil {
		t.Fatal(err)
	}
	var out []Run
	for _, n := range names {
		r := Run{Label: sc.Name + ": " + n, MSS: 1460}
		for _, e := range rec.Events {
			if e.Flow == n {
				r.Events = append(r.Events, e)
			}
		}
		out = append(out, r)
	}
	return out
}

// Throughput is the payload delivered per bin: over the whole run it adds
// up to every byte the trace delivers, and two flows sharing a 10 Mbps
// link never together exceed it by more than a packet per bin.
func TestThroughputAndFairness(t *testing.T) {
	runs := runFlows(t, "../../scenarios/exercises/27-aimd-convergence.yaml", "early", "late")
	bin := sim.Time(2 * sim.Second)
	for _, r := range runs {
		end := runEnd(r)
		rate := flowview.Throughput(r.Events, bin, end+1)
		var got, want float64
		for _, v := range rate {
			got += v * bin.Seconds() / 8
		}
		for _, e := range r.Events {
			if e.Kind == trace.Deliver && e.Len > 0 {
				want += float64(e.Len)
			}
		}
		if math.Abs(got-want) > 1e-6*want {
			t.Errorf("%s: throughput adds up to %g bytes, the trace delivers %g", r.Label, got, want)
		}
	}
	o := Options{Name: "27-aimd-convergence-flows", Title: "ex27-aimd-convergence (seed 1)"}
	tf, err := ThroughputFigure(runs, o, bin)
	if err != nil {
		t.Fatal(err)
	}
	checkFigure(t, tf)
	golden(t, "ex27-throughput", tf)
	ff, err := FairnessFigure(runs[0], runs[1], o, bin, 10e6)
	if err != nil {
		t.Fatal(err)
	}
	checkFigure(t, ff)
	golden(t, "ex27-fairness", ff)
	path := seriesOf(t, ff, "throughputs, bin by bin")
	for i := range path.X {
		// 1500-byte packets of 1460 payload bytes on a 10 Mbps link.
		if s := path.X[i] + path.Y[i]; s > 10*1460/1500.0+0.1 {
			t.Errorf("bin %d: %g + %g Mbps, above the link", i, path.X[i], path.Y[i])
		}
	}
	// AIMD: the last interval is nearer the equal share than the first.
	n := len(path.X)
	if d0, d1 := math.Abs(path.X[0]-path.Y[0]), math.Abs(path.X[n-1]-path.Y[n-1]); d1 >= d0 {
		t.Errorf("no convergence: |x1 - x2| from %g to %g Mbps", d0, d1)
	}
	if ff.X.Max != ff.Y.Max || ff.X.Min != 0 {
		t.Errorf("axes [%g, %g] and [%g, %g]: want one scale from 0", ff.X.Min, ff.X.Max, ff.Y.Min, ff.Y.Max)
	}
	seriesOf(t, ff, "equal share: x = y")
	seriesOf(t, ff, "full utilisation: x + y = R (10 Mbps)")
}

// Go-Back-N's time-sequence graph in packets: after each timeout the
// sender goes back: its next packets are retransmissions of the oldest
// unacknowledged packet and the ones after it, below the highest sent.
func TestPacketsGoBackN(t *testing.T) {
	r := runFlows(t, "../diagram/testdata/rdt-gbn.yaml", "gbn")[0]
	if !IsPacketFlow(r) {
		t.Fatal("an rdt flow is a packet flow")
	}
	f, err := Packets(r, Options{Name: "rdt-gbn-gbn", Title: "rdt-gbn (seed 3), flow gbn"})
	if err != nil {
		t.Fatal(err)
	}
	checkFigure(t, f)
	golden(t, "rdt-gbn-packets", f)
	sent := seriesOf(t, f, "packet sent")
	resent := seriesOf(t, f, "retransmission")
	lost := seriesOf(t, f, "lost or corrupted")
	to := seriesOf(t, f, "timeout (the packet its timer guarded)")
	// 12 packets, numbered 0 to 11 past the 3-bit wrap; packet 5 lost,
	// its timer fires and 5, 6, 7, 8 go again (the window of 4).
	if len(sent.X) != 12 || sent.Y[11] != 11 {
		t.Errorf("sent %v, want packets 0 to 11", sent.Y)
	}
	if len(lost.Y) != 1 || lost.Y[0] != 5 || len(to.Y) != 1 || to.Y[0] != 5 {
		t.Errorf("lost %v, timeouts %v: want packet 5", lost.Y, to.Y)
	}
	if len(resent.Y) != 4 || resent.Y[0] != 5 || resent.Y[3] != 8 || resent.X[0] < to.X[0] {
		t.Errorf("retransmissions %v at %v: want 5, 6, 7, 8 after the timeout at %v", resent.Y, resent.X, to.X)
	}
}

// A UDP flow's datagrams from 1, its losses crossed where they fell.
func TestPacketsUDP(t *testing.T) {
	r := runFlows(t, "../../scenarios/exercises/04-udp-loss.yaml", "video")[0]
	f, err := Packets(r, Options{Name: "x", Title: "x"})
	if err != nil {
		t.Fatal(err)
	}
	checkFigure(t, f)
	sent := seriesOf(t, f, "datagram sent")
	if sent.Y[0] != 1 || !strings.Contains(f.Y.Label, "datagram") {
		t.Errorf("first datagram %g, axis %q", sent.Y[0], f.Y.Label)
	}
}

// Exercise 25: fast recovery's inflated window runs far above cwnd; the
// axis is cwnd's, the inflation cut at its top and marked there.
func TestInflationAtTheEdge(t *testing.T) {
	r := loadRun(t, "../../scenarios/exercises/25-aimd.yaml", "")
	figs, err := Flows([]Run{r}, Options{Segments: true, Name: "25-aimd-file", Title: "ex25"})
	if err != nil {
		t.Fatal(err)
	}
	cw := figs[1]
	checkFigure(t, cw)
	golden(t, "ex25-cwnd", cw)
	var top float64
	for _, s := range cw.Series {
		if !s.Clip && !strings.Contains(s.Label, "above the axis") {
			top = math.Max(top, slicesMax(s.Y))
		}
	}
	if _, hi, _ := niceRange(0, top); cw.Y.Max != hi {
		t.Errorf("y axis to %g, want %g: cwnd's scale, not the inflation's", cw.Y.Max, hi)
	}
	var mark Series
	for _, s := range cw.Series {
		if strings.Contains(s.Label, "inflated window above the axis") {
			mark = s
		}
	}
	if len(mark.X) == 0 {
		t.Fatal("no mark where the inflated window runs above the axis")
	}
	for _, y := range mark.Y {
		if y != cw.Y.Max {
			t.Errorf("mark at %g, want the top edge %g", y, cw.Y.Max)
		}
	}
}

// --from/--to: only the window is drawn; a step holding into it starts
// at its start with the value it holds.
func TestTimeWindow(t *testing.T) {
	figs := krFigures(t, Options{From: sim.Time(0.8 * float64(sim.Second)), To: sim.Time(1.2 * float64(sim.Second))})
	cw := figs[1]
	golden(t, "kr-window-cwnd", cw)
	if cw.X.Min > 0.8 || cw.X.Max < 1.2 || cw.X.Max > 1.5 {
		t.Errorf("x axis [%g, %g], want about [0.8, 1.2]", cw.X.Min, cw.X.Max)
	}
	for _, s := range cw.Series {
		for _, x := range s.X {
			if x < 0.8 || x > 1.2 {
				t.Fatalf("%s: point at %g s outside the window", s.Label, x)
			}
		}
	}
	reno := seriesOf(t, cw, "ex26-kr-reno: reno file, cwnd")
	if reno.X[0] != 0.8 {
		t.Errorf("cwnd starts at %g s, want the window's start", reno.X[0])
	}
	if _, err := Flows(nil, Options{Rounds: true, From: 1}); err == nil {
		t.Error("no run: want an error")
	}
}

// Exercise 11 between 0.05 and 0.25 s, as the projector shows it: packet
// 24 is lost, the receiver re-ACKs 23 for each later packet, the timer of
// 24 fires 100 ms after it was last armed and the sender goes back N = 8:
// packets 24 to 31 again, then on with 32. The packet axis starts near
// the window's packets, not at 0.
func TestPacketsGoBackNWindow(t *testing.T) {
	r := runFlows(t, "../../scenarios/exercises/11-rdt-go-back-n-loss.yaml", "gbn")[0]
	o := Options{Name: "11-rdt-go-back-n-loss-gbn", Title: "ex11-rdt-go-back-n-loss (seed 3), flow gbn",
		From: sim.Time(0.05 * float64(sim.Second)), To: sim.Time(0.25 * float64(sim.Second))}
	f, err := Packets(r, o)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "ex11-gbn-window-packets", f)
	if f.Y.Min <= 0 || f.Y.Min > 24 || f.X.Min > 0.05 || f.X.Max < 0.25 {
		t.Errorf("axes x [%g, %g], y [%g, %g]: want the window and its packets", f.X.Min, f.X.Max, f.Y.Min, f.Y.Max)
	}
	lost := seriesOf(t, f, "lost or corrupted")
	to := seriesOf(t, f, "timeout (the packet its timer guarded)")
	resent := seriesOf(t, f, "retransmission")
	if lost.Y[0] != 24 || len(to.Y) != 1 || to.Y[0] != 24 {
		t.Fatalf("lost %v, timeouts %v: want packet 24", lost.Y, to.Y)
	}
	if len(resent.Y) != 8 {
		t.Fatalf("retransmissions %v: want the window of 8", resent.Y)
	}
	for i, y := range resent.Y {
		if y != float64(24+i) || resent.X[i] < to.X[0] || resent.X[i]-to.X[0] > 0.01 {
			t.Errorf("retransmission %d: packet %g at %g s, want %d just after the timeout at %g s", i, y, resent.X[i], 24+i, to.X[0])
		}
	}
	acks := seriesOf(t, f, "ACK received (the packet it acknowledges)")
	dup := 0
	for i, x := range acks.X {
		if x > lost.X[0] && x < to.X[0] && acks.Y[i] == 23 {
			dup++
		}
	}
	if dup != 8 {
		t.Errorf("%d ACKs of 23 between the loss and the timeout, want 8: its own, then a re-ACK for each of the 7 packets after the lost one", dup)
	}
}
