// Package lab is what the browser lab asks of the engine: run a scenario
// given as YAML text and return the CLI's own JSON report, its Markdown
// tables and its JSON-lines trace; run a sweep and return the CLI's sweep
// JSON; list the shipped scenarios. It is plain Go with no dependency on
// the browser, so that the WebAssembly entry point (internal/web/wasm) is
// a thin wrapper and everything here is tested natively.
//
// Every output is produced by the same code the command uses
// (internal/report, internal/trace, internal/sweep), never by a copy, so
// the page and `tcpsim run --format json` agree byte for byte.
package lab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"runtime/debug"
	"sort"
	"strings"

	"tcpsim/internal/direction"
	"tcpsim/internal/flowview"
	"tcpsim/internal/plot"
	proto "tcpsim/internal/protocol"
	"tcpsim/internal/report"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/sweep"
	"tcpsim/internal/trace"
	"tcpsim/model/link"
	"tcpsim/scenarios"
)

// DefaultMaxTraceEvents bounds the trace a run hands to the page: the
// largest shipped scenario (exercise 08) makes about 69,000 events, and
// the page animates every one it gets.
const DefaultMaxTraceEvents = 250_000

// RunRequest is one run asked for by the page.
type RunRequest struct {
	// File names the scenario in errors and in the report ("file"), e.g.
	// "scenarios/tcp-vs-udp.yaml" for a shipped one or "editor.yaml".
	File string `json:"file"`
	// Source is the scenario's YAML text.
	Source string `json:"source"`
	// Seed overrides the scenario's seed when SeedSet is true, as
	// `tcpsim run --seed` does.
	Seed    uint64 `json:"seed"`
	SeedSet bool   `json:"seed_set"`
	// Overrides set fields by path ("link.loss=5%"), through the same
	// decoders and checks as the file's own values (as sweep --vary).
	Overrides []string `json:"overrides"`
	// MaxTraceEvents bounds the trace (0: DefaultMaxTraceEvents); the
	// events past it are counted but not kept.
	MaxTraceEvents int `json:"max_trace_events"`
	// RoundsFlow names the TCP flow whose rounds figure the run builds
	// ("": the first TCP flow): one flow's, since keeping every flow's
	// events costs a large network's run a quarter of its time.
	RoundsFlow string `json:"rounds_flow"`
}

// ErrorInfo is an error the page shows: the message as the CLI prints it
// and, for a scenario error, where it lies so the editor can mark it.
type ErrorInfo struct {
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	Field   string `json:"field,omitempty"`
	// Bug is true for an internal error (a bug in tcpsim), never for bad
	// input.
	Bug bool `json:"bug,omitempty"`
}

// RunResponse is the outcome of a run. Error is set when the scenario
// could not be run; the other fields are then empty.
type RunResponse struct {
	Error *ErrorInfo
	// Seed is the seed the run used.
	Seed uint64
	// Report is exactly what `tcpsim run --format json FILE --seed Seed`
	// prints: a JSON array holding one run object.
	Report []byte
	// Tables is what `--format markdown` prints: the same cells as the
	// CLI's text tables.
	Tables []byte
	// Trace is what `--trace FILE.jsonl` writes, one JSON object per
	// line, cut after the request's MaxTraceEvents events.
	Trace []byte
	// TraceEvents counts every event of the run, kept or not.
	TraceEvents int
	// TraceTruncated is true when events were left out of Trace.
	TraceTruncated bool
	// Info describes the scenario as run (after overrides), as JSON.
	Info []byte
	// View is the kept trace read by flowview (the packets named as the
	// ladder names them, timer spans, states, per-flow series), as JSON:
	// the page draws it and derives nothing from Trace itself.
	View []byte
	// Rounds builds, when called, the cwnd figure of the request's
	// RoundsFlow that `tcpsim plot --x rounds --units segments` draws
	// (Kurose & Ross's Figure 3.53: the window in segments against
	// transmission rounds), as JSON: an object of plot.Figure by flow
	// name, empty when the flow sent no data or the trace was cut. The
	// page asks for it once it has shown the run, so that its first run
	// does not wait for the figure. It is nil after an error.
	Rounds func() ([]byte, error)
}

// Info describes a scenario for the page: what its sliders start at and
// what the model curves of the sweep view need.
type Info struct {
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Seed        uint64     `json:"seed"`
	Link        LinkInfo   `json:"link"`
	Flows       []FlowInfo `json:"flows"`
	// Topology is true for the topology form (nodes: and links:), whose
	// links the overrides (and so the page's sliders) cannot address.
	Topology bool `json:"topology"`
	// Hosts and Routers name the nodes ("a" and "b" in the shorthand).
	Hosts   []string `json:"hosts"`
	Routers []string `json:"routers"`
	// Links are every link of the network, in file order.
	Links []TopoLinkInfo `json:"links"`
}

// TopoLinkInfo is one link of the network, as the page draws it.
type TopoLinkInfo struct {
	// Between names its two nodes; Forward runs Between[0]→Between[1].
	Between [2]string `json:"between"`
	// Path is where it is written: "link" or "links[i]".
	Path    string   `json:"path"`
	Forward LinkInfo `json:"forward"`
	Reverse LinkInfo `json:"reverse"`
	// QueuePackets bounds the forward queue (0: unbounded).
	QueuePackets int `json:"queue_packets"`
}

// LinkInfo is the forward (a to b) direction of the link.
type LinkInfo struct {
	RateBps   *int64  `json:"rate_bps"` // nil: infinitely fast
	DelayS    float64 `json:"delay_s"`
	LossMean  float64 `json:"loss_mean"`
	LossModel string  `json:"loss_model"` // bernoulli or gilbert-elliott
	// ReverseDelayS is the b to a direction's delay (RTT = both).
	ReverseDelayS float64 `json:"reverse_delay_s"`
}

// FlowInfo is one flow's parameters.
type FlowInfo struct {
	Name       string `json:"name"`
	Protocol   string `json:"protocol"`
	From       string `json:"from"`
	To         string `json:"to"`
	MSS        int    `json:"mss,omitempty"`
	RecvBuffer int64  `json:"recv_buffer_bytes,omitempty"`
	RateBps    int64  `json:"rate_bps,omitempty"` // UDP send rate
	// Counts is how a faults: entry counts the flow's data, which the
	// page needs to name a packet clicked away: "bytes" (a TCP segment
	// by its first byte), "packets" (an rdt packet by its sequence
	// number), "datagrams" (every UDP datagram). The page asks this, not
	// the protocol's name.
	Counts string `json:"counts"`
	// Model is the sweep's model of the flow's goodput against loss:
	// "mathis" (TCP; Mathis et al. 1997), "rate" (UDP: its send rate
	// times 1 - p), "" for none.
	Model string `json:"model,omitempty"`
	// Vary are the flow's fields worth a sweep (flows.NAME.FIELD), for
	// the page's parameter menu.
	Vary []string `json:"vary,omitempty"`
}

// errorInfo turns err into what the page shows. A scenario error keeps
// its position; a panic error is marked as a bug.
func errorInfo(err error) *ErrorInfo {
	ei := &ErrorInfo{Message: err.Error()}
	var se *scenario.Error
	if errors.As(err, &se) {
		ei.Line, ei.Col, ei.Field = se.Line, se.Col, se.Field
	}
	var pe *run.PanicError
	if errors.As(err, &pe) {
		ei.Bug = true
	}
	return ei
}

// capped passes at most max events on to next and counts them all.
type capped struct {
	next  trace.Sink
	max   int
	count int
}

// Event implements trace.Sink.
func (c *capped) Event(e *trace.Event) {
	c.count++
	if c.count <= c.max {
		c.next.Event(e)
	}
}

// parse reads the request's scenario with its overrides.
func parse(file, src string, overrides []string) (*scenario.Scenario, error) {
	ovs := make([]scenario.Override, 0, len(overrides))
	for _, s := range overrides {
		o, err := scenario.ParseOverride(s)
		if err != nil {
			return nil, err
		}
		ovs = append(ovs, o)
	}
	return scenario.Parse(file, []byte(src), ovs...)
}

// Run parses and runs the request's scenario. Bad input is reported in
// the response's Error, never as a panic; a panic of the model (a bug) is
// caught and reported likewise, marked Bug.
func Run(req RunRequest) (resp RunResponse) {
	defer func() {
		if v := recover(); v != nil {
			resp = RunResponse{Error: &ErrorInfo{Bug: true,
				Message: fmt.Sprintf("internal error (a bug in tcpsim, please report it): %v\n%s", v, debug.Stack())}}
		}
	}()
	file := req.File
	if file == "" {
		file = "editor.yaml"
	}
	sc, err := parse(file, req.Source, req.Overrides)
	if err != nil {
		return RunResponse{Error: errorInfo(err)}
	}
	seed := sc.Seed
	if req.SeedSet {
		seed = req.Seed
	}
	maxEv := req.MaxTraceEvents
	if maxEv <= 0 {
		maxEv = DefaultMaxTraceEvents
	}
	var tbuf bytes.Buffer
	tw := trace.NewWriter(&tbuf, false)
	vb := flowview.NewBuilder(clients(sc))
	sink := &capped{next: trace.Multi{tw, vb}, max: maxEv}
	rec := newFlowRecorder(sc, seed, req.RoundsFlow, sink)
	n, err := run.BuildWith(sc, seed, run.Options{Trace: rec, TraceRecovery: true})
	if err != nil {
		return RunResponse{Error: errorInfo(err)}
	}
	follow(vb, sc, n)
	res := n.Run()
	if err := tw.Flush(); err != nil {
		return RunResponse{Error: errorInfo(err)}
	}
	resp = RunResponse{Seed: seed, Trace: tbuf.Bytes(), TraceEvents: sink.count, TraceTruncated: sink.count > maxEv}
	if resp.Report, err = write(res, sc.Report, "json"); err != nil {
		return RunResponse{Error: errorInfo(err)}
	}
	if resp.Tables, err = write(res, sc.Report, "markdown"); err != nil {
		return RunResponse{Error: errorInfo(err)}
	}
	if resp.Info, err = marshal(describe(sc)); err != nil {
		return RunResponse{Error: errorInfo(err)}
	}
	if resp.View, err = json.Marshal(vb.View()); err != nil {
		return RunResponse{Error: errorInfo(err)}
	}
	cut := sink.count > maxEv
	resp.Rounds = func() ([]byte, error) { return json.Marshal(rec.rounds(sc, res, cut)) }
	return resp
}

// follow tells the view builder what it needs of the network: every
// link direction's delay and, in a topology, every flow's path, so that
// the view has one packet per packet sent, followed hop by hop, with its
// lanes named by the path's nodes.
func follow(vb *flowview.Builder, sc *scenario.Scenario, n *run.Network) {
	for _, p := range n.Pipes() {
		name := direction.Dir(p.Name)
		if !sc.Topology() {
			name = direction.AB
			if p.Name == "reverse" {
				name = direction.BA
			}
		}
		vb.LinkDelay(name, p.Config().Delay.Seconds())
	}
	if !sc.Topology() {
		return
	}
	for name, r := range n.FlowRoutes() {
		vb.Route(name, r[0], r[1])
	}
}

// flowRecorder keeps the events of a TCP flow for its figures, with
// the loss-recovery events that `tcpsim plot` traces to shade fast
// recovery; every other event goes on to next, so that the trace and the
// view are `tcpsim run --trace`'s.
type flowRecorder struct {
	next  trace.Sink
	flows map[string]*scenario.Flow // the TCP flows, by name
	evs   map[string][]trace.Event
}

// newFlowRecorder records the TCP flow named want of sc run with seed,
// or its first TCP flow when want is "" or not a TCP flow.
func newFlowRecorder(sc *scenario.Scenario, seed uint64, want string, next trace.Sink) *flowRecorder {
	r := &flowRecorder{next: next, flows: map[string]*scenario.Flow{}, evs: map[string][]trace.Event{}}
	fs := sc.Expanded(seed) // a repeated flow's members by name
	var first *scenario.Flow
	for i := range fs {
		if fs[i].TCP == nil {
			continue
		}
		if first == nil {
			first = &fs[i]
		}
		if fs[i].Name == want {
			first = &fs[i]
			break
		}
	}
	if first != nil {
		r.flows[first.Name] = first
	}
	return r
}

// Event implements trace.Sink.
func (r *flowRecorder) Event(e *trace.Event) {
	if e.Kind != trace.Recovery {
		r.next.Event(e)
	}
	if _, ok := r.flows[e.Flow]; ok {
		x := *e
		x.Packet = nil
		r.evs[e.Flow] = append(r.evs[e.Flow], x)
	}
}

// rounds builds the recorded flow's cwnd figure against rounds, in segments,
// as `tcpsim plot --x rounds --units segments` does; none when the trace
// was cut (cut says so), since the page's other views stop there too.
func (r *flowRecorder) rounds(sc *scenario.Scenario, res *run.Result, cut bool) map[string]*plot.Figure {
	out := map[string]*plot.Figure{}
	if cut {
		return out
	}
	for name, f := range r.flows {
		evs := r.evs[name]
		if sc.Topology() {
			var path []string
			for _, fr := range res.Flows {
				if fr.Name == name {
					path = fr.Path
				}
			}
			if len(path) < 2 {
				continue
			}
			evs = trace.EndToEnd(evs, path, res.PathOf(path[len(path)-1], path[0]))
		}
		mss := f.TCP.MSS
		if mss == 0 {
			mss = 1460
		}
		figs, err := plot.Flows([]plot.Run{{Label: name, Events: evs, MSS: mss, Textbook: f.TCP.TextbookWindow}},
			plot.Options{Rounds: true, Segments: true, Name: name, Title: sc.Name + ", flow " + name})
		if err != nil {
			continue // no data sent, or no RTT sample: no rounds to count
		}
		for _, fg := range figs {
			if strings.HasSuffix(fg.Name, "-"+plot.KindCwnd) {
				out[name] = fg
			}
		}
	}
	return out
}

// clients gives, per flow, the direction its client (or rdt sender)
// sends in, for flowview.NewBuilder.
func clients(sc *scenario.Scenario) map[string]direction.Dir {
	m := make(map[string]direction.Dir, len(sc.Flows))
	for _, f := range sc.Flows {
		m[f.Name] = direction.Of(f.From, f.To)
	}
	return m
}

// write formats one run as the CLI's report writer does.
func write(res *run.Result, sections []string, format string) ([]byte, error) {
	var b bytes.Buffer
	w, err := report.NewWriter(&b, format)
	if err != nil {
		return nil, err
	}
	if err := w.Add(res, sections); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// describe collects the scenario's Info.
func describe(sc *scenario.Scenario) Info {
	fwd, rev := run.LinkConfig(sc.LinkDirection("forward")), run.LinkConfig(sc.LinkDirection("reverse"))
	in := Info{Name: sc.Name, Description: sc.Description, Seed: sc.Seed}
	in.Link = LinkInfo{DelayS: fwd.Delay.Seconds(), ReverseDelayS: rev.Delay.Seconds(), LossMean: fwd.Loss.Mean(), LossModel: "bernoulli"}
	if fwd.Rate > 0 {
		r := fwd.Rate
		in.Link.RateBps = &r
	}
	if l := sc.Link.Loss; l != nil && l.Model == "gilbert-elliott" {
		in.Link.LossModel = l.Model
	}
	if f := sc.Link.Forward; f != nil && f.Loss != nil && f.Loss.Model == "gilbert-elliott" {
		in.Link.LossModel = f.Loss.Model
	}
	for _, f := range sc.Flows {
		fi := FlowInfo{Name: f.Name, Protocol: f.Protocol, From: f.From, To: f.To}
		if pr, ok := proto.Parse(f.Protocol); ok {
			switch pr.Family() {
			case proto.TCP:
				fi.Counts, fi.Model = "bytes", "mathis"
				fi.Vary = []string{"congestion", "recv_buffer", "mss", "sack"}
			case proto.UDP:
				fi.Counts, fi.Model = "datagrams", "rate"
				fi.Vary = []string{"rate"}
			default:
				fi.Counts = "packets"
			}
		}
		switch {
		case f.TCP != nil:
			fi.MSS, fi.RecvBuffer = f.TCP.MSS, int64(f.TCP.RecvBuffer)
		case f.UDP != nil:
			fi.RateBps = int64(f.UDP.Rate)
		}
		in.Flows = append(in.Flows, fi)
	}
	in.Topology = sc.Topology()
	in.Hosts, in.Routers = sc.HostNames(), sc.RouterNames()
	for _, l := range sc.LinkSpecs() {
		fwd, rev := run.LinkConfig(l.Forward), run.LinkConfig(l.Reverse)
		in.Links = append(in.Links, TopoLinkInfo{Between: [2]string{l.A, l.B}, Path: l.Path,
			Forward: linkInfo(fwd), Reverse: linkInfo(rev), QueuePackets: fwd.QueuePackets})
	}
	return in
}

// linkInfo describes one direction of a link.
func linkInfo(c link.Config) LinkInfo {
	li := LinkInfo{DelayS: c.Delay.Seconds(), LossMean: c.Loss.Mean(), LossModel: "bernoulli"}
	if c.Rate > 0 {
		r := c.Rate
		li.RateBps = &r
	}
	return li
}

// SweepRequest is a sweep asked for by the page: the scenario, the varied
// parameters ("link.loss=0,1%,5%", as --vary) and the seeds per point.
type SweepRequest struct {
	File   string   `json:"file"`
	Source string   `json:"source"`
	Vary   []string `json:"vary"`
	Seeds  int      `json:"seeds"`
	// Overrides are the page's sliders: each is applied at every point,
	// as a --vary of one value; a varied path wins over an override of
	// the same path.
	Overrides []string `json:"overrides"`
}

// MaxSweepRuns bounds a sweep made in the browser, where runs go one at a
// time: a sweep of the CLI's size would hold the page for minutes.
const MaxSweepRuns = 2000

// SweepResponse is the outcome of a sweep: Report is what `tcpsim sweep
// --format json` prints, or Error says why there is none.
type SweepResponse struct {
	Error  *ErrorInfo
	Report []byte
	Info   []byte
	// Figure is the figure `tcpsim sweep --plot` draws (goodput against
	// the first varied parameter, 95% confidence bars, the textbook
	// models dashed), as plot.Figure JSON.
	Figure []byte
}

// Sweep makes the request's sweep, calling progress (if not nil) after
// every run with the runs done and the runs in all.
func Sweep(req SweepRequest, progress func(done, total int)) (resp SweepResponse) {
	defer func() {
		if v := recover(); v != nil {
			resp = SweepResponse{Error: &ErrorInfo{Bug: true,
				Message: fmt.Sprintf("internal error (a bug in tcpsim, please report it): %v\n%s", v, debug.Stack())}}
		}
	}()
	file := req.File
	if file == "" {
		file = "editor.yaml"
	}
	var axes []sweep.Axis
	varied := map[string]bool{}
	for _, v := range req.Vary {
		a, err := sweep.ParseAxis(v)
		if err != nil {
			return SweepResponse{Error: errorInfo(err)}
		}
		axes = append(axes, a)
		varied[a.Path] = true
	}
	// Overrides that the sweep does not vary become part of the source:
	// parse once with them to check them, then vary on top.
	var keep []string
	for _, o := range req.Overrides {
		p, _, _ := strings.Cut(o, "=")
		if !varied[p] {
			keep = append(keep, o)
		}
	}
	sc, err := parse(file, req.Source, keep)
	if err != nil {
		return SweepResponse{Error: errorInfo(err)}
	}
	seeds := req.Seeds
	if seeds < 1 {
		seeds = 1
	}
	points := 1
	for _, a := range axes {
		points *= len(a.Values)
		if points*seeds > MaxSweepRuns {
			return SweepResponse{Error: &ErrorInfo{Message: fmt.Sprintf("sweep: more than %d runs in the browser: use fewer seeds or values, or the command line (tcpsim sweep)", MaxSweepRuns)}}
		}
	}
	// The sliders' overrides ride along as axes of one value each, so
	// that they pass through the same checks as --vary.
	for _, o := range keep {
		a, err := sweep.ParseAxis(o)
		if err != nil {
			return SweepResponse{Error: errorInfo(err)}
		}
		axes = append(axes, a)
	}
	plan, err := sweep.NewPlan(file, []byte(req.Source), axes, seeds)
	if err != nil {
		return SweepResponse{Error: errorInfo(err)}
	}
	total := plan.Runs()
	done := 0
	recs, err := plan.Execute(sweep.Options{Workers: 1, Progress: func() {
		done++
		if progress != nil {
			progress(done, total)
		}
	}})
	if err != nil {
		return SweepResponse{Error: errorInfo(err)}
	}
	var b bytes.Buffer
	if err := sweep.Write(&b, plan.Meta, recs, "json"); err != nil {
		return SweepResponse{Error: errorInfo(err)}
	}
	info, err := marshal(describe(sc))
	if err != nil {
		return SweepResponse{Error: errorInfo(err)}
	}
	pts, err := plot.PointScenarios(file, []byte(req.Source), plan.Meta)
	if err != nil {
		return SweepResponse{Error: errorInfo(err)}
	}
	fg, err := plot.SweepFigure(plan.Meta, recs, pts, plot.SweepOptions{File: file, Src: []byte(req.Source)})
	if err != nil {
		return SweepResponse{Error: errorInfo(err)}
	}
	fig, err := json.Marshal(fg)
	if err != nil {
		return SweepResponse{Error: errorInfo(err)}
	}
	return SweepResponse{Report: b.Bytes(), Info: info, Figure: fig}
}

// Scenario is one shipped scenario file.
type Scenario struct {
	Path     string `json:"path"`  // e.g. "exercises/02-timeout.yaml"
	Group    string `json:"group"` // "scenarios", "exercises", "networks" or "sweeps"
	Title    string `json:"title"` // the first header comment line
	Question string `json:"question,omitempty"`
	Source   string `json:"source"`
}

// Scenarios lists the shipped scenarios and exercises (scenarios.FS), in
// the order of their paths within each group.
func Scenarios() ([]Scenario, error) {
	fsys := scenarios.FS()
	var out []Scenario
	for _, g := range []struct{ group, glob string }{
		{"scenarios", "*.yaml"}, {"exercises", "exercises/*.yaml"}, {"networks", "networks/*.yaml"}, {"sweeps", "sweeps/*.yaml"},
	} {
		names, err := fs.Glob(fsys, g.glob)
		if err != nil {
			return nil, fmt.Errorf("lab: %w", err)
		}
		sort.Strings(names)
		for _, n := range names {
			b, err := fs.ReadFile(fsys, n)
			if err != nil {
				return nil, fmt.Errorf("lab: %w", err)
			}
			title, question := header(string(b))
			out = append(out, Scenario{Path: n, Group: g.group, Title: title, Question: question, Source: string(b)})
		}
	}
	return out, nil
}

// header returns a scenario file's first comment line and the text after
// "Question:" in its header comment.
func header(src string) (title, question string) {
	inQ := false
	for _, line := range strings.Split(src, "\n") {
		if !strings.HasPrefix(line, "#") {
			break
		}
		text := strings.TrimSpace(strings.TrimPrefix(line, "#"))
		switch {
		case title == "":
			title = text
		case strings.HasPrefix(text, "Question:"):
			inQ = true
			question = strings.TrimSpace(strings.TrimPrefix(text, "Question:"))
		case inQ && text != "" && !strings.HasPrefix(text, "Try:") && !strings.HasPrefix(text, "tcpsim") && !strings.HasPrefix(text, "go run") && !strings.HasPrefix(text, "--"):
			question += " " + text
		default:
			inQ = false
		}
	}
	return title, question
}

// marshal encodes v as JSON without HTML escaping, as the report does.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
