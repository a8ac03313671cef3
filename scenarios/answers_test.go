package scenarios

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"

	"tcpsim/internal/diagram"
	"tcpsim/internal/report"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
)

var (
	heading = regexp.MustCompile(`^## (\S+\.yaml)((?: and \S+\.yaml)*)`)
	check   = regexp.MustCompile(`^<!-- check: (.+?) \| (.+?) \| (.+?) -->$`)
)

// Every check line of ANSWERS.md holds for the simulator's actual output
// (the trace includes RTT samples, as with --trace-rtt). The key is read
// from the repository: it is not embedded in the binary.
func TestAnswerKey(t *testing.T) {
	src, err := os.ReadFile("exercises/ANSWERS.md")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	n := 0
	covered := map[string]bool{}
	for _, line := range strings.Split(string(src), "\n") {
		if m := heading.FindStringSubmatch(line); m != nil {
			files = []string{m[1]}
			files = append(files, strings.Split(m[2], " and ")[1:]...)
			continue
		}
		m := check.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n++
		subject, row, want := m[1], m[2], m[3]
		ok := false
		var got []string
		for _, f := range files {
			covered[f] = true
			g, pass := evaluate(t, "exercises/"+f, subject, row, want)
			got = append(got, g)
			ok = ok || pass
		}
		if !ok {
			t.Errorf("%v: %s | %s: want %q, got %q", files, subject, row, want, got)
		}
	}
	exs, _ := Exercises()
	if len(exs) < 8 || n < 20 {
		t.Fatalf("%d exercises, %d checks", len(exs), n)
	}
	for _, e := range exs {
		if !covered[strings.TrimPrefix(e.Path, "exercises/")] {
			t.Errorf("%s has no checked answer", e.Path)
		}
		if e.Question == "" {
			t.Errorf("%s has no Question: line", e.Path)
		}
	}
}

func evaluate(t *testing.T, file, subject, row, want string) (string, bool) {
	t.Helper()
	sc, err := scenario.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	c := &trace.Recorder{}
	res, err := run.ScenarioWith(sc, sc.Seed, run.Options{Trace: c, TraceRTT: true})
	if err != nil {
		t.Fatal(err)
	}
	switch subject {
	case "diagram":
		var mine []trace.Event
		for _, e := range c.Events {
			if e.Flow == sc.Flows[0].Name {
				mine = append(mine, e)
			}
		}
		d := diagram.Draw(mine, diagram.Options{ASCII: true, Delay: run.LinkConfig(sc.LinkDirection("forward")).Delay, Width: 1000})
		return "(diagram)", strings.Contains(d, want)
	case "trace":
		var b bytes.Buffer
		for i := range c.Events {
			b.WriteString(trace.Text(&c.Events[i]) + "\n")
		}
		return "(trace)", strings.Contains(b.String(), want)
	}
	if dir, ok := strings.CutPrefix(subject, "link "); ok {
		got, ok := report.LinkValue(res, dir, row)
		if !ok {
			t.Fatalf("%s: no row %q for link direction %q", file, row, dir)
		}
		return got, got == want
	}
	if subject == "run" {
		got, ok := report.RunValue(res, row)
		if !ok {
			t.Fatalf("%s: no run field %q", file, row)
		}
		return got, got == want
	}
	got, ok := report.FlowValue(res, subject, row)
	if !ok {
		t.Fatalf("%s: no row %q for flow %q", file, row, subject)
	}
	return got, got == want
}

func TestExercisesListed(t *testing.T) {
	exs, err := Exercises()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range exs {
		if !strings.HasPrefix(e.Title, "Exercise") {
			t.Errorf("%s: title %q", e.Path, e.Title)
		}
	}
}

// The costs of congestion (Kurose & Ross §3.6.1), exercises 40–42: the
// single runs' answers are in ANSWERS.md; these tests sweep the offered
// load, as the exercises ask students to, and check the curves' shapes
// against the textbook and against a formula.

// costsRun loads an exercise with overrides and runs it with per-flow
// queue delays measured.
func costsRun(t *testing.T, file string, set ...string) *run.Result {
	t.Helper()
	var ovs []scenario.Override
	for _, s := range set {
		o, err := scenario.ParseOverride(s)
		if err != nil {
			t.Fatal(err)
		}
		ovs = append(ovs, o)
	}
	sc, err := scenario.Load("exercises/"+file, ovs...)
	if err != nil {
		t.Fatal(err)
	}
	res, err := run.ScenarioWith(sc, sc.Seed, run.Options{QueueDelay: true})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Scenario 1 (exercise 40): with an infinite buffer every packet is
// delivered, so throughput is λ up to R/2 and no more; the queueing
// delay follows the M/D/1 formula ρS/(2(1−ρ)) (Pollaczek–Khinchine)
// and grows without bound as λ → R/2.
func TestCostsOfCongestionInfiniteBuffer(t *testing.T) {
	const service = 0.008            // s: 1000 bytes at 1 Mbps
	const halfR = 0.5e6 * 972 / 1000 // bit/s of payload: R/2
	prev := 0.0
	for _, rho := range []float64{0.2, 0.6, 0.9, 0.99, 1.2} {
		lambda := rho * halfR
		res := costsRun(t, "40-costs-infinite-buffer.yaml", fmt.Sprintf("flows.conn.rate=%.0fbps", lambda))
		for _, f := range res.Flows {
			if f.DeliveryRatio != 1 {
				t.Errorf("ρ = %.2f: %s delivered %.2f%%: an infinite buffer loses nothing", rho, f.Name, 100*f.DeliveryRatio)
			}
			want := min(lambda, halfR)
			if math.Abs(f.Goodput/want-1) > 0.02 {
				t.Errorf("ρ = %.2f: %s's throughput %.0f bit/s, want min(λ, R/2) = %.0f", rho, f.Name, f.Goodput, want)
			}
		}
		d := res.Flows[0].QueueDelay.Mean.Seconds()
		if d <= prev {
			t.Errorf("ρ = %.2f: queue delay %.4f s, not above %.4f s at the lower load", rho, d, prev)
		}
		prev = d
		if rho <= 0.9 {
			md1 := rho * service / (2 * (1 - rho))
			if math.Abs(d/md1-1) > 0.05 {
				t.Errorf("ρ = %.2f: queue delay %.4f s, M/D/1 says %.4f s (M/M/1 %.4f s)", rho, d, md1, 2*md1)
			}
		}
		if rho > 1 && d < 10 {
			t.Errorf("ρ = %.2f: queue delay %.1f s: beyond R/2 the queue must grow for the whole run", rho, d)
		}
	}
}

// Scenario 2 (exercise 41): with a finite buffer the senders offer more
// than they deliver (λ'in > λout); with a timer longer than any wait every
// retransmission replaces a drop, with a premature one the link also
// carries copies the receivers discard, and goodput falls.
func TestCostsOfCongestionFiniteBuffer(t *testing.T) {
	known := costsRun(t, "41-costs-finite-buffer.yaml")
	early := costsRun(t, "41-costs-premature-timeout.yaml")
	drops := func(res *run.Result) (n int64) {
		for _, l := range res.Links {
			n += l.QueueDropped
		}
		return n
	}
	var retrans int64
	for i, f := range known.Flows {
		r := f.RDT.Sender.Retransmissions
		retrans += r
		if r == 0 || f.Duplicates != 0 {
			t.Errorf("%s (250 ms timer): %d retransmissions, %d duplicates; want some and none", f.Name, r, f.Duplicates)
		}
		e := early.Flows[i]
		if e.Duplicates == 0 || e.RDT.Sender.Retransmissions <= r || e.Goodput >= f.Goodput {
			t.Errorf("%s (60 ms timer): %d duplicates, %d retransmissions, goodput %.0f against %.0f: want copies, more resending, less goodput",
				f.Name, e.Duplicates, e.RDT.Sender.Retransmissions, e.Goodput, f.Goodput)
		}
	}
	if d := drops(known); d != retrans {
		t.Errorf("250 ms timer: %d drops, %d retransmissions: want one for one", d, retrans)
	}
}

// Scenario 3 (exercise 42): on the ring of two-hop paths goodput rises
// with the offered load up to about R/2, then falls towards zero as the
// first hop's fresh traffic crowds out the second hop's; a fluid model
// (each link shares R in proportion to its arrival rates: first-hop
// output x = Rλ'/(λ' + x), goodput x²/λ') predicts the fall to within
// 25%.
func TestCostsOfCongestionMultihop(t *testing.T) {
	const R = 125.0 // packets a second
	const seconds = 60
	goodput := func(lambda float64) float64 {
		var set []string
		for _, c := range []string{"c1", "c2", "c3", "c4"} {
			set = append(set, fmt.Sprintf("flows.%s.rate=%.0fbps", c, lambda*972*8), fmt.Sprintf("flows.%s.count=%d", c, int(lambda*seconds)))
		}
		res := costsRun(t, "42-costs-multihop.yaml", set...)
		var n int64
		for _, f := range res.Flows {
			n += f.PacketsRecv
		}
		return float64(n) / 4 / seconds
	}
	fluid := func(l float64) float64 {
		if 2*l <= R {
			return l
		}
		x := (-l + math.Sqrt(l*l+4*R*l)) / 2
		return x * x / l
	}
	low, peak := goodput(50), goodput(62.5)
	if math.Abs(low/50-1) > 0.02 || peak < 0.9*R/2 {
		t.Errorf("goodput %.1f at λ' = 50 (want about 50), %.1f at R/2 (want about 62.5)", low, peak)
	}
	prev := peak
	for _, l := range []float64{125, 250, 500, 1000} {
		g := goodput(l)
		if g >= prev {
			t.Errorf("λ' = %.0f: goodput %.1f, not below %.1f at the lower load", l, g, prev)
		}
		if f := fluid(l); math.Abs(g/f-1) > 0.25 {
			t.Errorf("λ' = %.0f: goodput %.1f, fluid model %.1f", l, g, f)
		}
		prev = g
	}
	if prev > R/8 {
		t.Errorf("goodput %.1f at λ' = 8R: want it falling towards 0 (below R/8)", prev)
	}
}
