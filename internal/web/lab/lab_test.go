package lab

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"tcpsim/internal/flowview"
	"tcpsim/internal/plot"
	"tcpsim/internal/report"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
	"tcpsim/scenarios"
)

func shipped(t *testing.T, path string) string {
	t.Helper()
	b, err := scenarios.FS().Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(b); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestRunIsTheCLIs checks that the page gets exactly what the command's
// code prints: the report writer's JSON and Markdown, and the trace
// writer's JSON lines.
func TestRunIsTheCLIs(t *testing.T) {
	src := shipped(t, "tcp-vs-udp.yaml")
	r := Run(RunRequest{File: "scenarios/tcp-vs-udp.yaml", Source: src, Seed: 7, SeedSet: true})
	if r.Error != nil {
		t.Fatal(r.Error.Message)
	}
	sc, err := scenario.Parse("scenarios/tcp-vs-udp.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var tb bytes.Buffer
	tw := trace.NewWriter(&tb, false)
	res, err := run.ScenarioWith(sc, 7, run.Options{Trace: tw})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		format string
		got    []byte
	}{{"json", r.Report}, {"markdown", r.Tables}} {
		var want bytes.Buffer
		if err := report.Write(&want, res, report.Options{Format: f.format, Report: sc.Report}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.got, want.Bytes()) {
			t.Errorf("%s report differs from the CLI's:\ngot\n%s\nwant\n%s", f.format, f.got, want.Bytes())
		}
	}
	if !bytes.Equal(r.Trace, tb.Bytes()) {
		t.Errorf("trace differs from the CLI's (%d bytes, want %d)", len(r.Trace), len(tb.Bytes()))
	}
	if r.Seed != 7 || r.TraceTruncated || r.TraceEvents != strings.Count(string(r.Trace), "\n") {
		t.Errorf("seed %d, truncated %v, %d events for %d lines", r.Seed, r.TraceTruncated, r.TraceEvents, strings.Count(string(r.Trace), "\n"))
	}
	var info Info
	if err := json.Unmarshal(r.Info, &info); err != nil {
		t.Fatal(err)
	}
	if info.Link.LossMean != 0.05 || info.Link.DelayS != 0.02 || len(info.Flows) != 2 || info.Flows[0].MSS != 1460 || info.Flows[1].RateBps != 2e6 {
		t.Errorf("info %+v", info)
	}
}

func TestRunErrorsAreLocated(t *testing.T) {
	src := strings.Replace(shipped(t, "tcp-vs-udp.yaml"), "loss: 5%", "loss: 150%", 1)
	cases := []struct {
		name      string
		req       RunRequest
		line, col int
		prefix    string
	}{
		{"bad value", RunRequest{File: "editor.yaml", Source: src}, 12, 9, "editor.yaml:12:9: link.loss: "},
		{"not YAML", RunRequest{Source: "name: [x\n"}, 0, 0, "editor.yaml:"},
		{"empty", RunRequest{Source: ""}, 0, 0, "editor.yaml"},
		{"bad override", RunRequest{Source: shipped(t, "tcp-vs-udp.yaml"), Overrides: []string{"link.loss=200%"}}, 0, 0, "editor.yaml: link.loss: "},
		{"override without value", RunRequest{Source: shipped(t, "tcp-vs-udp.yaml"), Overrides: []string{"link.loss"}}, 0, 0, ""},
		{"unknown path", RunRequest{Source: shipped(t, "tcp-vs-udp.yaml"), Overrides: []string{"link.nope=1"}}, 0, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Run(c.req)
			if r.Error == nil {
				t.Fatal("no error")
			}
			if r.Error.Bug {
				t.Errorf("bad input reported as a bug: %s", r.Error.Message)
			}
			if c.line > 0 && (r.Error.Line != c.line || r.Error.Col != c.col) {
				t.Errorf("at %d:%d, want %d:%d (%s)", r.Error.Line, r.Error.Col, c.line, c.col, r.Error.Message)
			}
			if !strings.HasPrefix(r.Error.Message, c.prefix) {
				t.Errorf("message %q, want it to start %q", r.Error.Message, c.prefix)
			}
			if r.Report != nil || r.Trace != nil {
				t.Error("an error with a report")
			}
		})
	}
}

func TestOverridesChangeTheRun(t *testing.T) {
	src := shipped(t, "tcp-vs-udp.yaml")
	base := Run(RunRequest{Source: src})
	more := Run(RunRequest{Source: src, Overrides: []string{"link.loss=10%", "link.delay=30ms", "link.rate=5Mbps"}})
	if base.Error != nil || more.Error != nil {
		t.Fatal(base.Error, more.Error)
	}
	var info Info
	if err := json.Unmarshal(more.Info, &info); err != nil {
		t.Fatal(err)
	}
	if info.Link.LossMean != 0.1 || info.Link.DelayS != 0.03 || *info.Link.RateBps != 5e6 {
		t.Errorf("info after overrides: %+v", info.Link)
	}
	if bytes.Equal(base.Report, more.Report) {
		t.Error("overrides did not change the report")
	}
}

func TestTraceIsCapped(t *testing.T) {
	r := Run(RunRequest{Source: shipped(t, "tcp-vs-udp.yaml"), MaxTraceEvents: 100})
	if r.Error != nil {
		t.Fatal(r.Error.Message)
	}
	if n := strings.Count(string(r.Trace), "\n"); n != 100 || !r.TraceTruncated || r.TraceEvents <= 100 {
		t.Errorf("%d lines kept, truncated %v, %d events", n, r.TraceTruncated, r.TraceEvents)
	}
}

func TestSweep(t *testing.T) {
	src := shipped(t, "tcp-vs-udp.yaml")
	var calls, last int
	r := Sweep(SweepRequest{File: "s.yaml", Source: src, Vary: []string{"link.loss=0,5%"}, Seeds: 2, Overrides: []string{"link.loss=1%", "link.delay=10ms"}},
		func(done, total int) { calls, last = done, total })
	if r.Error != nil {
		t.Fatal(r.Error.Message)
	}
	if calls != 4 || last != 4 {
		t.Errorf("progress ended at %d of %d, want 4 of 4", calls, last)
	}
	var out struct {
		Vary []struct {
			Path   string   `json:"path"`
			Values []string `json:"values"`
		} `json:"vary"`
		RunsTotal int `json:"runs_total"`
	}
	if err := json.Unmarshal(r.Report, &out); err != nil {
		t.Fatal(err)
	}
	// The varied loss wins over the loss slider; the delay slider rides
	// along as an axis of one value.
	if out.RunsTotal != 4 || len(out.Vary) != 2 || out.Vary[0].Path != "link.loss" || out.Vary[1].Path != "link.delay" || out.Vary[1].Values[0] != "10ms" {
		t.Errorf("sweep %+v", out)
	}
	if r := Sweep(SweepRequest{Source: src, Vary: []string{"link.loss=0,1%"}, Seeds: MaxSweepRuns}, nil); r.Error == nil || !strings.Contains(r.Error.Message, "more than") {
		t.Errorf("a sweep over the browser's limit: %+v", r.Error)
	}
	if r := Sweep(SweepRequest{Source: src, Vary: []string{"link.loss=0,150%"}, Seeds: 1}, nil); r.Error == nil || r.Error.Bug {
		t.Errorf("a bad varied value: %+v", r.Error)
	}
}

func TestScenariosListed(t *testing.T) {
	list, err := Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string]int{}
	for _, s := range list {
		groups[s.Group]++
		if s.Title == "" || s.Source == "" {
			t.Errorf("%s: title %q, %d bytes", s.Path, s.Title, len(s.Source))
		}
		if r := Run(RunRequest{File: "scenarios/" + s.Path, Source: s.Source, MaxTraceEvents: 1}); r.Error != nil {
			t.Errorf("%s: %s", s.Path, r.Error.Message)
		}
	}
	if groups["scenarios"] < 10 || groups["exercises"] < 9 || groups["sweeps"] < 1 {
		t.Errorf("groups %v", groups)
	}
	var q string
	for _, s := range list {
		if s.Path == "exercises/02-timeout.yaml" {
			q = s.Question
		}
	}
	if !strings.HasPrefix(q, "find the timeout retransmission") || strings.Contains(q, "Try:") {
		t.Errorf("exercise 2's question: %q", q)
	}
}

// TestNetworksDescribed: the shipped networks are listed, and a
// topology's Info names its hosts, routers and every link with its rate.
func TestNetworksDescribed(t *testing.T) {
	list, err := Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	var src string
	for _, s := range list {
		if s.Path == "networks/parking-lot.yaml" {
			if s.Group != "networks" {
				t.Errorf("%s: group %q, want networks", s.Path, s.Group)
			}
			src = s.Source
		}
	}
	if src == "" {
		t.Fatal("networks/parking-lot.yaml is not listed")
	}
	r := Run(RunRequest{File: "scenarios/networks/parking-lot.yaml", Source: src, MaxTraceEvents: 10})
	if r.Error != nil {
		t.Fatal(r.Error.Message)
	}
	var in Info
	if err := json.Unmarshal(r.Info, &in); err != nil {
		t.Fatal(err)
	}
	if !in.Topology || len(in.Routers) == 0 || len(in.Hosts) < 2 || len(in.Links) < 2 {
		t.Fatalf("parking-lot info: topology %v, %d hosts, %d routers, %d links", in.Topology, len(in.Hosts), len(in.Routers), len(in.Links))
	}
	for _, l := range in.Links {
		if l.Forward.RateBps == nil || *l.Forward.RateBps <= 0 || l.Between[0] == "" || l.Between[1] == "" {
			t.Errorf("link %s: %+v, want its nodes and rate", l.Path, l)
		}
	}
	for _, f := range in.Flows {
		if f.From == "" || f.To == "" {
			t.Errorf("flow %s: from %q to %q", f.Name, f.From, f.To)
		}
	}
}

// The run's view is the kept trace read by flowview: a packet for every
// packet that left (or that the wire copied) in the kept events, each
// pointing at its first event there; a flow from host b has its states
// on b's lane from the first event.
func TestRunView(t *testing.T) {
	for _, c := range []struct {
		src string
		max int
	}{{shipped(t, "tcp-vs-udp.yaml"), 0}, {shipped(t, "tcp-vs-udp.yaml"), 500}} {
		r := Run(RunRequest{Source: c.src, MaxTraceEvents: c.max})
		if r.Error != nil {
			t.Fatal(r.Error.Message)
		}
		var v flowview.View
		if err := json.Unmarshal(r.View, &v); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(r.Trace)), "\n")
		departs := 0
		for _, l := range lines {
			for _, k := range []string{`"event":"enqueue"`, `"event":"queue-drop"`, `"event":"early-drop"`, `"event":"duplicate"`} {
				if strings.Contains(l, k) {
					departs++
				}
			}
		}
		if len(v.Packets) != departs || departs == 0 {
			t.Errorf("max %d: %d packets in the view, %d departures in the trace", c.max, len(v.Packets), departs)
		}
		for _, p := range v.Packets {
			if p.First >= len(lines) || !strings.Contains(lines[p.First], `"id":`+strconv.FormatUint(p.ID, 10)+`,`) {
				t.Fatalf("packet %s #%d: first event %d is %s", p.Dir, p.ID, p.First, lines[min(p.First, len(lines)-1)])
			}
		}
	}
	src := "name: from-b\nseed: 1\nuntil: 5s\nlink: {rate: 10Mbps, delay: 10ms}\nflows:\n  - {name: up, protocol: tcp, from: b, bytes: 3000}\n"
	r := Run(RunRequest{Source: src})
	if r.Error != nil {
		t.Fatal(r.Error.Message)
	}
	var v flowview.View
	if err := json.Unmarshal(r.View, &v); err != nil {
		t.Fatal(err)
	}
	for _, s := range v.States {
		if strings.HasPrefix(s.Text, "CLOSED => SYN-SENT") && s.Host != "b" {
			t.Errorf("the client of a flow from b: state %q on host %q", s.Text, s.Host)
		}
	}
}

// roundsOf returns the cwnd series of a flow's rounds figure.
func roundsOf(t *testing.T, r RunResponse, flow string) (cwnd, ssthresh *plot.Series) {
	t.Helper()
	var figs map[string]*plot.Figure
	b, err := r.Rounds()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &figs); err != nil {
		t.Fatal(err)
	}
	fg := figs[flow]
	if fg == nil {
		t.Fatalf("no rounds figure for flow %s (have %d)", flow, len(figs))
	}
	for i := range fg.Series {
		switch {
		case strings.HasSuffix(fg.Series[i].Label, ", cwnd"):
			cwnd = &fg.Series[i]
		case strings.HasSuffix(fg.Series[i].Label, ", ssthresh"):
			ssthresh = &fg.Series[i]
		}
	}
	if cwnd == nil || ssthresh == nil || !fg.X.Integer {
		t.Fatalf("rounds figure of %s: no cwnd or ssthresh series, or x not in rounds: %+v", flow, fg)
	}
	return cwnd, ssthresh
}

// The run's rounds view is Kurose & Ross's Figure 3.53 for exercise 26
// with the textbook window: cwnd 1, 2, 4, 8 segments in slow start, then
// 9, 10, 11, 12 in congestion avoidance (ssthresh 8), and after the loss
// of the first segment of round 8, found by three duplicate ACKs in round
// 9, ssthresh 6 and Reno's cwnd ssthresh + 3 = 9. The trace and the view
// stay the CLI's: the loss-recovery events the figure reads are not in
// them.
func TestRunRoundsAreKRFigure353(t *testing.T) {
	src := shipped(t, "exercises/26-kr-reno-textbook.yaml")
	r := Run(RunRequest{File: "scenarios/exercises/26-kr-reno-textbook.yaml", Source: src})
	if r.Error != nil {
		t.Fatal(r.Error.Message)
	}
	cwnd, ss := roundsOf(t, r, "file")
	want := []float64{1, 2, 4, 8, 9, 10, 11, 12, 9}
	for i, w := range want {
		if i >= len(cwnd.Y) || cwnd.X[i] != float64(i+1) || cwnd.Y[i] != w {
			t.Fatalf("cwnd by round %v, want %v first", cwnd.Y, want)
		}
	}
	if ss.Y[7] != 8 || ss.Y[8] != 6 {
		t.Errorf("ssthresh by round %v: want 8 in round 8, 6 in round 9", ss.Y)
	}
	if strings.Contains(string(r.Trace), "loss recovery") {
		t.Error("the page's trace has the figure's loss-recovery events: it must be tcpsim run --trace's")
	}
	// A UDP flow has no rounds; a topology's TCP flow has; the flow asked
	// for is the one drawn.
	u := Run(RunRequest{Source: shipped(t, "exercises/28-udp-crowds-tcp.yaml")})
	var figs map[string]*plot.Figure
	if err := json.Unmarshal(must(u.Rounds()), &figs); err != nil || len(figs) != 1 {
		t.Errorf("exercise 28: rounds figures %v (%v), want the TCP flow's only", figs, err)
	}
	p := Run(RunRequest{Source: shipped(t, "exercises/27-two-tcp-flows.yaml"), RoundsFlow: "late"})
	figs = nil
	if err := json.Unmarshal(must(p.Rounds()), &figs); err != nil || len(figs) != 1 || figs["late"] == nil {
		t.Errorf("exercise 27, rounds of late: figures %v (%v), want late's", figs, err)
	}
	p = Run(RunRequest{Source: shipped(t, "networks/parking-lot.yaml")})
	figs = nil
	if err := json.Unmarshal(must(p.Rounds()), &figs); err != nil || len(figs) != 1 {
		t.Errorf("parking-lot: rounds figures %v (%v), want its first TCP flow's", figs, err)
	}
}

// The sweep's figure is the CLI's (tcpsim sweep --plot) for any varied
// parameter: here the link's delay, with the Mathis model beside each
// TCP point and every series inside the axes' ranges.
func TestSweepFigure(t *testing.T) {
	src := shipped(t, "exercises/02-timeout.yaml")
	r := Sweep(SweepRequest{File: "s.yaml", Source: src, Vary: []string{"link.delay=10ms,50ms"}, Seeds: 2, Overrides: []string{"link.loss=2%"}}, nil)
	if r.Error != nil {
		t.Fatal(r.Error.Message)
	}
	var fg plot.Figure
	if err := json.Unmarshal(r.Figure, &fg); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(fg.X.Label, "link.delay") {
		t.Errorf("x axis %q, want link.delay", fg.X.Label)
	}
	model := false
	for _, s := range fg.Series {
		model = model || strings.Contains(s.Label, "Mathis")
		for i := range s.X {
			if s.X[i] < fg.X.Min || s.X[i] > fg.X.Max || s.Y[i] < fg.Y.Min || s.Y[i] > fg.Y.Max {
				t.Errorf("%s: point (%g, %g) outside the axes %+v %+v", s.Label, s.X[i], s.Y[i], fg.X, fg.Y)
			}
		}
	}
	if !model {
		t.Errorf("no Mathis model in the sweep figure: %+v", fg.Series)
	}
}

// must returns b, or an empty object where err says there is none.
func must(b []byte, err error) []byte {
	if err != nil {
		return []byte("{}")
	}
	return b
}
