package diagram

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
	"tcpsim/sim"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// flowEvents runs a scenario (with seed, 0 for the file's) and returns the
// whole trace of its first flow, as the diagram command records it, and
// the options that command would pass.
func flowEvents(t *testing.T, file string, seed uint64) ([]trace.Event, Options) {
	t.Helper()
	sc, err := scenario.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if seed == 0 {
		seed = sc.Seed
	}
	c := &trace.Recorder{}
	res, err := run.ScenarioWith(sc, seed, run.Options{Trace: &trace.Filter{Flow: sc.Flows[0].Name, Next: c}})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Topology() {
		// As the command draws a topology: between the flow's hosts,
		// along its route.
		path := res.Flows[0].Path
		r := &Route{Path: path, Back: res.PathOf(path[len(path)-1], path[0]), Delay: res.LinkDelays()}
		return c.Events, Options{Route: r, Delay: r.OneWay()}
	}
	return c.Events, Options{Delay: run.LinkConfig(sc.LinkDirection("forward")).Delay}
}

// goldenCase is one golden diagram: a scenario drawn with some options,
// each case showing one property of the drawing.
type goldenCase struct {
	name, file string
	opt        func(*Options)
}

var goldenCases = []goldenCase{
	{"handshake-teardown", "handshake-teardown.yaml", nil},
	{"handshake-teardown.ascii", "handshake-teardown.yaml", func(o *Options) { o.ASCII = true }},
	{"loss-fast-timeout", "loss-fast-timeout.yaml", nil},
	{"loss-fast-timeout.ascii", "loss-fast-timeout.yaml", func(o *Options) { o.ASCII = true }},
	{"corruption.ascii", "corruption.yaml", func(o *Options) { o.ASCII = true }},
	{"sack.ascii", "sack.yaml", func(o *Options) { o.ASCII = true }},
	// Gap markers across the idle RTOs, an RTO bracket from arm to fire.
	{"rto-backoff", "rto-backoff.yaml", nil},
	{"rto-backoff.ascii", "rto-backoff.yaml", func(o *Options) { o.ASCII = true }},
	// Ten segments that leave at one instant: one row each.
	{"burst", "burst.yaml", nil},
	// A window: numbers relative to the ISN, the ACK number kept, a
	// bracket armed before the window's end and firing after it.
	{"window.ascii", "rto-backoff.yaml", func(o *Options) {
		o.ASCII, o.From, o.To = true, sim.Time(1*sim.Second), sim.Time(3200*sim.Millisecond)
	}},
	// The persist timer bracketed, the window probe it sends.
	{"persist", "persist.yaml", func(o *Options) { o.From, o.To = sim.Time(200*sim.Millisecond), sim.Time(1400*sim.Millisecond) }},
	// Cut after 12 packets: one line, nothing after it.
	{"truncated", "loss-fast-timeout.yaml", func(o *Options) { o.MaxPackets = 12 }},
	// UDP datagrams numbered, rdt packets by sequence number.
	{"udp-numbered", "udp-numbered.yaml", nil},
	{"rdt-gbn", "rdt-gbn.yaml", nil},
	// The narrowest chart: long labels wrap.
	{"narrow.ascii", "rto-backoff.yaml", func(o *Options) { o.ASCII, o.Width = true, MinWidth }},
	// A topology, s - r1 - r2 - d: one arrow per packet between the
	// end hosts, drops in r1's queue and losses on r1->r2 said where.
	{"hops.ends", "hops.yaml", nil},
	// The same with --hops: a lane per router, each packet hop by hop,
	// waits in a queue as a heavy lane.
	{"hops", "hops.yaml", func(o *Options) { o.Hops = true }},
	{"hops.ascii", "hops.yaml", func(o *Options) { o.Hops, o.ASCII, o.Width = true, true, 80 }},
}

func (c goldenCase) draw(t *testing.T) (string, []trace.Event, Options) {
	t.Helper()
	evs, opt := flowEvents(t, filepath.Join("testdata", c.file), 0)
	if c.opt != nil {
		c.opt(&opt)
	}
	return Draw(evs, opt), evs, opt
}

// Golden diagrams: go test ./internal/diagram -update rewrites them.
func TestGolden(t *testing.T) {
	want := map[string]bool{}
	for _, c := range goldenCases {
		golden := filepath.Join("testdata", c.name+".golden")
		want[golden] = true
		got, _, _ := c.draw(t)
		if *update {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		b, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./internal/diagram -update)", err)
		}
		if got != string(b) {
			t.Errorf("%s differs from the drawing; if the change is intended, run with -update\n%s", golden, got)
		}
	}
	// No golden file outlives its case.
	files, _ := filepath.Glob("testdata/*.golden")
	for _, f := range files {
		if !want[f] {
			t.Errorf("%s belongs to no golden case: delete it", f)
		}
	}
}

// chartRow is one parsed line of a drawing.
type chartRow struct {
	line    int
	timeStr string // "" when the row prints no time
	t       float64
	grid    []rune // margins and lanes
	label   string
	gap     bool
}

// parsed is a drawing taken apart by column, as a reader would.
type parsed struct {
	rows  []chartRow
	lines []string
	laneA int // lane a's column within grid
	laneB int
	a, b  string // the lanes' names: "a" and "b", or a topology's end hosts
}

var markerRE = regexp.MustCompile(`^~~~ ([0-9.]+) s later ~~~$`)

// parse reads a drawing back: the header gives the time column's width
// and the lanes' columns; the label column is where the labels of timed
// rows start, and a row whose text starts two further is a continuation,
// joined to the label before it.
func parse(t *testing.T, out string) parsed {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	head := []rune(lines[0])
	timeW := strings.Index(lines[0], "time (s)") + len("time (s)")
	p := parsed{lines: lines, laneA: -1}
	// The lanes' names: "a" and "b", or a topology's end hosts, the
	// first name starting over its lane, the last centred on it.
	names := strings.Fields(string(head[timeW+1:]))
	if len(names) >= 2 {
		p.a, p.b = names[0], names[len(names)-1]
		p.laneA = strings.Index(string(head[timeW+1:]), p.a)
		p.laneA = utf8.RuneCountInString(string(head[timeW+1:])[:p.laneA])
		end := utf8.RuneCountInString(string(head[timeW+1:]))
		p.laneB = end - utf8.RuneCountInString(p.b) + (utf8.RuneCountInString(p.b)-1)/2
	}
	if p.laneA < 0 || p.laneB <= p.laneA {
		t.Fatalf("header %q: no lanes", lines[0])
	}
	type raw struct {
		n     int
		r     []rune
		start int // where the text right of lane b starts, len(r) if none
	}
	var raws []raw
	labelCol := math.MaxInt
	for n, line := range lines[1:] {
		if strings.HasPrefix(line, "…") || strings.HasPrefix(line, "...") {
			continue
		}
		r := []rune(line)
		if len(r) < timeW+1+p.laneB+1 {
			t.Fatalf("line %d %q: shorter than the lanes", n+2, line)
		}
		start := timeW + 1 + p.laneB + 1
		for start < len(r) && strings.ContainsRune(" │┐┘|+", r[start]) {
			start++
		}
		raws = append(raws, raw{n + 1, r, start})
		if start < len(r) && strings.TrimSpace(string(r[:timeW])) != "" {
			labelCol = min(labelCol, start)
		}
	}
	for _, x := range raws {
		r := x.r
		if x.start == labelCol+2 && len(p.rows) > 0 && strings.TrimSpace(string(r[:timeW])) == "" {
			prev := &p.rows[len(p.rows)-1]
			prev.label += " " + string(r[x.start:])
			continue
		}
		row := chartRow{line: x.n, timeStr: strings.TrimSpace(string(r[:timeW]))}
		gridEnd := max(labelCol-2, timeW+1+p.laneB+1)
		for len(r) < gridEnd {
			r = append(r, ' ') // a line trimmed short of an empty margin
		}
		row.grid = r[timeW+1 : gridEnd]
		if x.start < len(r) {
			row.label = string(r[x.start:])
		}
		row.gap = markerRE.MatchString(row.label)
		if row.timeStr != "" {
			v, err := strconv.ParseFloat(row.timeStr, 64)
			if err != nil {
				t.Fatalf("line %d: time %q: %v", x.n+1, row.timeStr, err)
			}
			row.t = v
		}
		p.rows = append(p.rows, row)
	}
	return p
}

// departures counts the packets that leave in the window: what the chart
// must show, one row each.
func departures(evs []trace.Event, opt Options) int {
	n := 0
	for _, e := range evs {
		if (e.Kind == trace.Enqueue || e.Kind == trace.QueueDrop || e.Kind == trace.Duplicate) &&
			atEnd(e, opt) && e.T >= opt.From && (opt.To == 0 || e.T <= opt.To) {
			n++
		}
	}
	return n
}

// atEnd: the event happened at one of the chart's two lanes, not at a
// router of a topology's path (where the chart follows the packet
// across hops, not drawing it again).
func atEnd(e trace.Event, opt Options) bool {
	if opt.Route == nil || e.Kind == trace.Duplicate {
		return true
	}
	path := opt.Route.Path
	return e.Node == path[0] || e.Node == path[len(path)-1]
}

// isDeparture: the label is a packet's, "a→b ..." or "s1->d1 ...".
func (p parsed) isDeparture(label string) bool {
	for _, pre := range []string{p.a + "→" + p.b + " ", p.b + "→" + p.a + " ", p.a + "->" + p.b + " ", p.b + "->" + p.a + " "} {
		if strings.HasPrefix(label, pre) {
			return true
		}
	}
	return false
}

// checkChart asserts what every drawing must satisfy, whatever the layout.
func checkChart(t *testing.T, name, out string, evs []trace.Event, opt Options) {
	t.Helper()
	width := opt.Width
	if width == 0 {
		width = DefaultWidth
	}
	p := parse(t, out)

	// Every line fits the width.
	for i, line := range p.lines {
		if n := utf8.RuneCountInString(line); n > width {
			t.Errorf("%s: line %d is %d columns, more than %d: %q", name, i+1, n, width, line)
		}
	}

	// Time never goes back up the page.
	last := -1.0
	for _, r := range p.rows {
		if r.timeStr != "" {
			if r.t < last {
				t.Errorf("%s: line %d: time %s after %f", name, r.line+1, r.timeStr, last)
			}
			last = r.t
		}
	}

	// A gap marker appears exactly where consecutive printed times are
	// further apart than the threshold, and prints that gap.
	thr := (GapDelays * opt.Delay).Seconds()
	switch {
	case opt.Gap > 0:
		thr = opt.Gap.Seconds()
	case opt.Delay == 0:
		thr = (GapDelays * RowsPerDelay * sim.Millisecond).Seconds()
	}
	prev, marker := -1.0, ""
	for _, r := range p.rows {
		if r.gap {
			if marker != "" {
				t.Errorf("%s: line %d: two gap markers in a row", name, r.line+1)
			}
			marker = r.label
			continue
		}
		if r.timeStr == "" {
			continue
		}
		if prev >= 0 {
			gap := r.t - prev
			switch {
			case marker == "" && gap > thr+1e-6:
				t.Errorf("%s: line %d: %.6f s after the previous time (more than %.6f s) with no gap marker", name, r.line+1, gap, thr)
			case marker != "" && gap <= thr-1e-6:
				t.Errorf("%s: line %d: gap marker %q for only %.6f s", name, r.line+1, marker, gap)
			case marker != "":
				printed, _ := strconv.ParseFloat(markerRE.FindStringSubmatch(marker)[1], 64)
				if math.Abs(printed-gap) > 0.0005+2e-6 {
					t.Errorf("%s: line %d: marker %q, but the gap is %.6f s", name, r.line+1, marker, gap)
				}
			}
		}
		prev, marker = r.t, ""
	}

	// One packet per row: each row has at most one label, and the packets
	// drawn are those of the window, up to the cut.
	want := departures(evs, opt)
	truncated := opt.MaxPackets > 0 && want > opt.MaxPackets
	if truncated {
		want = opt.MaxPackets
	}
	got := 0
	for _, r := range p.rows {
		if p.isDeparture(r.label) {
			got++
			// A topology's or a shared port's labels name ports "63027->80":
			// not a second packet.
			bare := portsRE.ReplaceAllString(r.label, "")
			if strings.Contains(bare, "; ") || strings.Count(bare, "→")+strings.Count(bare, "->") > 1 {
				t.Errorf("%s: line %d: several labels on one row: %q", name, r.line+1, r.label)
			}
		}
	}
	if got != want {
		t.Errorf("%s: %d packets drawn, want %d", name, got, want)
	}

	// After the truncation line, nothing.
	lastLine := p.lines[len(p.lines)-1]
	for i, line := range p.lines {
		if strings.Contains(line, "truncated after") && i != len(p.lines)-1 {
			t.Errorf("%s: line %d follows the truncation line", name, i+2)
		}
	}
	if isTrunc := strings.Contains(lastLine, fmt.Sprintf("truncated after %d packets", opt.MaxPackets)); isTrunc != truncated {
		t.Errorf("%s: last line %q: truncation line %v, want %v", name, lastLine, isTrunc, truncated)
	}

	checkBrackets(t, name, p, evs, opt)
	checkDatagrams(t, name, p, evs, opt)
}

// checkBrackets: every retransmission or persist timer that fires in the
// chart ends a bracket on the row of its TIMEOUT (or probe), which starts
// on the row where the trace armed it, with the RTO the trace implies,
// drawn without a break.
func checkBrackets(t *testing.T, name string, p parsed, evs []trace.Event, opt Options) {
	t.Helper()
	bottoms, tops := "└┘+", "┌┐+"
	lastTime := -1.0
	for _, r := range p.rows {
		if r.timeStr != "" {
			lastTime = r.t
		}
	}
	// A cut can fall among the rows of one instant: the timers firing at
	// the last instant drawn may be after it.
	if strings.Contains(p.lines[len(p.lines)-1], "truncated after") {
		lastTime -= 2e-7
	}
	for i, e := range evs {
		persist := strings.Contains(e.Detail, "persist")
		if e.Kind != trace.TimerFired || !strings.Contains(e.Detail, "retransmission") && !persist || e.T < opt.From ||
			(opt.To > 0 && e.T > opt.To) || e.T.Seconds() > lastTime+1e-7 {
			continue
		}
		armAt := sim.Time(-1)
		for _, s := range evs[:i] {
			if s.Kind == trace.TimerSet && s.Detail == e.Detail {
				armAt = s.T
			}
		}
		// The timer by name: "client's retransmission timer", "sender's
		// timer for pkt 3", "client's persist timer".
		side, rest, _ := strings.Cut(e.Detail, " ")
		timer := side + "'s retransmission timer"
		if _, pkt, ok := strings.Cut(rest, "timer for "); ok {
			pkt, _, _ = strings.Cut(pkt, " at ")
			timer = side + "'s timer for " + pkt
		} else if persist {
			timer = side + "'s persist timer"
		}
		fire := -1
		for k, r := range p.rows {
			if r.timeStr == fmt.Sprintf("%.6f", e.T.Seconds()) && fire < 0 &&
				(strings.HasPrefix(r.label, "TIMEOUT: "+timer+" fired") || persist && strings.HasPrefix(r.label, "persist timer fired")) {
				fire = k
			}
		}
		if fire < 0 {
			t.Errorf("%s: %s: no TIMEOUT row at %.6f", name, timer, e.T.Seconds())
			continue
		}
		rto := "RTO " + seconds(e.T-armAt)
		if persist {
			rto = seconds(e.T - armAt)
		}
		if !strings.HasSuffix(p.rows[fire].label, rto) {
			t.Errorf("%s: %s: line %d: %q does not give the RTO %s", name, timer, p.rows[fire].line+1, p.rows[fire].label, rto)
		}
		col := slices.IndexFunc(p.rows[fire].grid, func(r rune) bool { return strings.ContainsRune(bottoms, r) })
		if col > p.laneA && col < p.laneB {
			col = -1
		}
		arm := 0
		if armAt >= opt.From {
			arm = -1
			for k := fire; k >= 0; k-- {
				// Armed by a send, or re-armed by an ACK arriving at
				// that instant, which the row names.
				r := p.rows[k]
				rearm, _ := strings.CutPrefix(r.label, timer+" re-armed by ACK ack=")
				if r.timeStr == fmt.Sprintf("%.6f", armAt.Seconds()) && (r.label == timer+" armed: "+rto || rearmRE.MatchString(rearm) && strings.HasSuffix(rearm, ": "+rto)) {
					arm = k
					break
				}
			}
			if arm < 0 {
				t.Errorf("%s: %s: the timer firing at %.6f was armed at %.6f: no such row", name, timer, e.T.Seconds(), armAt.Seconds())
				continue
			}
		}
		if col < 0 {
			// Labelled but not bracketed only when the margin was full
			// where it was armed: maxBracketCols brackets already open
			// (per-packet timers of a window of rdt packets).
			g := p.rows[arm].grid
			if !marginFull(g[:p.laneA]) && !marginFull(g[min(p.laneB+1, len(g)):]) {
				t.Errorf("%s: %s: line %d: no bracket end in the margins, and the margins had room at line %d", name, timer, p.rows[fire].line+1, p.rows[arm].line+1)
			}
			continue
		}
		if armAt >= opt.From && !strings.ContainsRune(tops, p.rows[arm].grid[col]) {
			t.Errorf("%s: %s: line %d: no bracket top in column %d", name, timer, p.rows[arm].line+1, col)
		}
		for k := arm + 1; k < fire; k++ {
			if p.rows[k].grid[col] == ' ' {
				t.Errorf("%s: %s: line %d: the bracket from line %d to %d is broken", name, timer, p.rows[k].line+1, p.rows[arm].line+1, p.rows[fire].line+1)
				break
			}
		}
	}
}

// marginFull: a margin's row holds maxBracketCols brackets.
func marginFull(margin []rune) bool {
	n := 0
	for _, r := range margin {
		if strings.ContainsRune("│┌┐└┘|+", r) {
			n++
		}
	}
	return n >= maxBracketCols
}

// checkDatagrams: each datagram in the window appears once, numbered from
// the flow's first, the numbers consecutive. In a topology a datagram is
// numbered by its sender, whatever hop it is on.
func checkDatagrams(t *testing.T, name string, p parsed, evs []trace.Event, opt Options) {
	t.Helper()
	before := 0
	for _, e := range evs {
		if e.Proto == "udp" && (e.Kind == trace.Enqueue || e.Kind == trace.QueueDrop) && atEnd(e, opt) && e.T < opt.From {
			before++
		}
	}
	next := before + 1
	for _, r := range p.rows {
		if !p.isDeparture(r.label) {
			continue
		}
		_, rest, _ := strings.Cut(r.label, " ")
		m := datagramRE.FindStringSubmatch(rest)
		if m == nil {
			continue
		}
		if n, _ := strconv.Atoi(m[1]); n != next {
			t.Errorf("%s: line %d: datagram %d, want %d", name, r.line+1, n, next)
		}
		next++
	}
}

// datagramRE is a datagram's label after its direction.
var datagramRE = regexp.MustCompile(`^datagram (\d+) `)

// portsRE is a pair of ports in a label: "63027->80".
var portsRE = regexp.MustCompile(`[0-9]+->[0-9]+`)

// rearmRE is the rest of a re-armed timer's label: the ACK's number.
var rearmRE = regexp.MustCompile(`^[0-9]+: `)

// Every golden case satisfies the chart's properties.
func TestGoldenProperties(t *testing.T) {
	for _, c := range goldenCases {
		out, evs, opt := c.draw(t)
		if opt.Route != nil {
			continue // TestTopologyGoldenProperties
		}
		checkChart(t, c.name, out, evs, opt)
	}
}

// The properties across seeds and windows: a random loss pattern, a
// window anywhere, a cut anywhere, any width.
func TestProperties(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 3
	}
	for _, file := range []string{"loss-fast-timeout.yaml", "udp-numbered.yaml", "rdt-gbn.yaml", "sack.yaml", "corruption.yaml", "persist.yaml"} {
		for seed := uint64(1); seed <= uint64(seeds); seed++ {
			evs, base := flowEvents(t, filepath.Join("testdata", file), seed)
			end := evs[len(evs)-1].T
			for k, opt := range []Options{
				{},
				{ASCII: true, Width: MinWidth},
				{From: end / 3, To: 2 * end / 3, Width: 80},
				{From: end / 2},
				{MaxPackets: int(seed) * 3},
				{ASCII: true, Width: 140, MaxPackets: 7},
				{ASCII: true, Width: MinWidth, MaxPackets: 5},
				{Gap: sim.Time(5 * sim.Millisecond)},
				{Gap: sim.Time(400 * sim.Millisecond), From: end / 4},
			} {
				opt.Delay = base.Delay
				name := fmt.Sprintf("%s seed %d options %d", file, seed, k)
				checkChart(t, name, Draw(evs, opt), evs, opt)
			}
		}
	}
}

// The properties hold for every shipped scenario and exercise, drawn as
// the command draws them by default (first 60 packets) and in a window.
func TestShippedProperties(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every shipped scenario")
	}
	files, _ := filepath.Glob("../../scenarios/*.yaml")
	ex, _ := filepath.Glob("../../scenarios/exercises/*.yaml")
	files = append(files, ex...)
	if len(files) < 20 {
		t.Fatalf("%d shipped scenarios", len(files))
	}
	for _, file := range files {
		evs, opt := flowEvents(t, file, 0)
		if len(evs) == 0 {
			continue
		}
		end := evs[len(evs)-1].T
		for k, o := range []Options{{MaxPackets: 60}, {MaxPackets: 60, From: end / 2, ASCII: true}} {
			// As the command draws it: a topology's flow between its end
			// hosts, along its route.
			o.Delay, o.Route = opt.Delay, opt.Route
			checkChart(t, fmt.Sprintf("%s options %d", filepath.Base(file), k), Draw(evs, o), evs, o)
		}
	}
}

// A window changes which packets are drawn, never their labels: relative
// sequence and ACK numbers come from the ISN, datagram numbers from the
// first datagram, duplicate ACKs from the ACKs before.
func TestWindowKeepsNumbers(t *testing.T) {
	for _, file := range []string{"rto-backoff.yaml", "sack.yaml", "udp-numbered.yaml", "rdt-gbn.yaml"} {
		evs, opt := flowEvents(t, filepath.Join("testdata", file), 0)
		full := parse(t, Draw(evs, opt))
		labels := map[string]bool{}
		for _, r := range full.rows {
			if full.isDeparture(r.label) {
				labels[r.timeStr+" "+r.label] = true
			}
		}
		end := evs[len(evs)-1].T
		for _, w := range [][2]sim.Time{{end / 4, end / 2}, {end / 2, 0}, {end / 3, end / 3}} {
			o := opt
			o.From, o.To = w[0], w[1]
			win := parse(t, Draw(evs, o))
			n, acks := 0, 0
			for _, r := range win.rows {
				if !win.isDeparture(r.label) {
					continue
				}
				n++
				if strings.Contains(r.label, "ack=") {
					acks++
				}
				if !labels[r.timeStr+" "+r.label] {
					t.Errorf("%s window %v: %s %q is not the label of that packet without the window", file, w, r.timeStr, r.label)
				}
			}
			if n != departures(evs, o) {
				t.Errorf("%s window %v: %d packets drawn, want %d", file, w, n, departures(evs, o))
			}
			if strings.HasPrefix(file, "rto") || strings.HasPrefix(file, "sack") {
				if n > 0 && acks == 0 {
					t.Errorf("%s window %v: no ACK number in %d TCP labels", file, w, n)
				}
			}
		}
	}
}

// Every delivery in a window has its arrowhead, whether the packet left
// in the window or before it; every loss whose X falls in it, its X.
func TestWindowArrivals(t *testing.T) {
	for _, file := range []string{"rto-backoff.yaml", "sack.yaml", "udp-numbered.yaml", "rdt-gbn.yaml", "loss-fast-timeout.yaml"} {
		evs, opt := flowEvents(t, filepath.Join("testdata", file), 0)
		end := evs[len(evs)-1].T
		for _, w := range [][2]sim.Time{{0, 0}, {end / 4, end / 2}, {end / 2, 0}, {end / 3, end / 3}, {end / 5, end / 4}} {
			o := opt
			o.From, o.To = w[0], w[1]
			in := func(t sim.Time) bool { return t >= o.From && (o.To == 0 || t <= o.To) }
			heads, xs := 0, 0
			for i, e := range evs {
				switch {
				case e.Kind == trace.Deliver && in(e.T):
					if i+1 < len(evs) && evs[i+1].Kind == trace.ChecksumDrop && evs[i+1].ID == e.ID && evs[i+1].Dir == e.Dir {
						xs++ // drawn as X at the lane
					} else {
						heads++
					}
				case e.Kind == trace.Lost && in(e.T+o.Delay/2):
					xs++
				case e.Kind == trace.QueueDrop && in(e.T):
					xs++
				}
			}
			gotHeads, gotX := 0, 0
			for _, r := range parse(t, Draw(evs, o)).rows {
				for _, ch := range r.grid {
					switch ch {
					case '▶', '◀':
						gotHeads++
					case '✗':
						gotX++
					}
				}
			}
			if gotHeads != heads || gotX != xs {
				t.Errorf("%s window %v: %d arrowheads and %d X, want %d and %d", file, w, gotHeads, gotX, heads, xs)
			}
		}
	}
}

// The relative numbers of a windowed chart start from the ISN: the first
// data segment after the window's start is not seq=0 or seq=1 unless it
// really is the first.
func TestWindowRelativeToISN(t *testing.T) {
	evs, opt := flowEvents(t, "testdata/rto-backoff.yaml", 0)
	opt.From, opt.To, opt.ASCII = sim.Time(3*sim.Second), sim.Time(4*sim.Second), true
	out := Draw(evs, opt)
	for _, want := range []string{"a->b seq=2001 len=1000 ack=1  (timeout retransmission)", "b->a ACK ack=4001 win=2000"} {
		if !strings.Contains(out, want) {
			t.Errorf("window 3s-4s lacks %q:\n%s", want, out)
		}
	}
}

// Exercise 02: the timer that fires was re-armed by the ACK of seq=1
// (ack=1001) arriving at 0.080973 s, when seq=2001 went out; its bracket
// starts on the row below that send, and the row says which ACK re-armed
// it, so that it is not read as the timer of seq=2001 (RFC 6298 §5.3: it
// guards the oldest unacknowledged segment, seq=1001, which it resends).
func TestTimerRearmNamed(t *testing.T) {
	src, err := os.ReadFile("../../scenarios/exercises/02-timeout.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse("02-timeout.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	rec := &trace.Recorder{}
	if _, err := run.ScenarioWith(sc, sc.Seed, run.Options{Trace: rec}); err != nil {
		t.Fatal(err)
	}
	out := Draw(rec.Events, Options{ASCII: true, Width: 200})
	var armRow string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "retransmission timer") && strings.Contains(l, "armed") {
			armRow = l
			break
		}
	}
	if !strings.HasPrefix(armRow, "0.080973") || !strings.Contains(armRow, "client's retransmission timer re-armed by ACK ack=1001: RTO 1 s") {
		t.Errorf("the arming row %q does not name the ACK that re-armed the timer", armRow)
	}
	if !strings.Contains(out, "a->b seq=1001 len=1000 ack=1  (timeout retransmission)") {
		t.Error("the timeout does not resend seq=1001")
	}
	// Sent at one instant, the handshake's ACK, seq=1 and seq=1001 leave
	// one after another at 10 Mbps: seq=1 waits for the 40-byte ACK
	// (0.032 ms), seq=1001 for it and seq=1's 1040 bytes (0.864 ms).
	for _, want := range []string{"a->b seq=1 len=1000 ack=1  (queued 0.032 ms)", "a->b seq=1001 len=1000 ack=1  (queued 0.864 ms)"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q: the serialisation of the packets ahead", want)
		}
	}
	// Every arrival row says what arrived, or the state change it caused.
	arrivals := 0
	for _, l := range strings.Split(out, "\n") {
		a, b := strings.Index(l, "|"), strings.LastIndex(l, "|")
		if a < 0 || a == b || !strings.ContainsAny(l[a:b], "<>") {
			continue
		}
		arrivals++
		if strings.TrimSpace(l[b+1:]) == "" {
			t.Errorf("an arrival row without a label: %q", l)
		}
	}
	if arrivals < 10 {
		t.Errorf("%d arrival rows, want every packet's", arrivals)
	}
	if !strings.Contains(out, "arrives: ACK ack=1001 win=2000") {
		t.Error("the ACK that re-armed the timer is not named where it arrives")
	}
}

// What each drawing must show, independent of layout details.
func TestDiagramShows(t *testing.T) {
	draw := func(file string, ascii bool) string {
		evs, opt := flowEvents(t, "testdata/"+file, 0)
		opt.ASCII, opt.Width = ascii, 200
		return Draw(evs, opt)
	}
	hs := draw("handshake-teardown.yaml", true)
	for _, want := range []string{"a->b SYN seq=0 win=65535", "b->a SYN,ACK seq=0 ack=1 win=65535", "a->b ACK ack=1 win=65536",
		"client SYN-SENT => ESTABLISHED", "FIN seq=101", "client FIN-WAIT-2 => TIME-WAIT", "server LAST-ACK => CLOSED"} {
		if !strings.Contains(hs, want) {
			t.Errorf("handshake diagram lacks %q", want)
		}
	}
	loss := draw("loss-fast-timeout.yaml", true)
	for _, want := range []string{"X lost:", "(duplicate ACK)", "(fast retransmission)", "(timeout retransmission)",
		"TIMEOUT: client's retransmission timer fired, RTO", "client's retransmission timer re-armed by ACK ack=4001: RTO 0.2 s"} {
		if !strings.Contains(loss, want) {
			t.Errorf("loss diagram lacks %q", want)
		}
	}
	cor := draw("corruption.yaml", true)
	if !strings.Contains(cor, "X bad checksum, dropped") {
		t.Errorf("corruption diagram lacks the checksum drop:\n%s", cor)
	}
	sack := draw("sack.yaml", true)
	for _, want := range []string{"b->a ACK ack=20001 SACK 21001-22001", "SACK 23001-24001 21001-22001", "(fast retransmission)"} {
		if !strings.Contains(sack, want) {
			t.Errorf("SACK diagram lacks %q", want)
		}
	}
	rto := draw("rto-backoff.yaml", true)
	for _, want := range []string{"~~~ 0.959 s later ~~~", "~~~ 2 s later ~~~", "RTO 1 s", "RTO 2 s"} {
		if !strings.Contains(rto, want) {
			t.Errorf("RTO diagram lacks %q:\n%s", want, rto)
		}
	}
	gbn := draw("rdt-gbn.yaml", true)
	for _, want := range []string{"a->b pkt 5  (timeout retransmission)", "X lost (scripted): pkt 5",
		"TIMEOUT: sender's timer for pkt 5 fired, RTO 0.06 s", "sender's timer for pkt 5 armed: RTO 0.06 s"} {
		if !strings.Contains(gbn, want) {
			t.Errorf("GBN diagram lacks %q:\n%s", want, gbn)
		}
	}
	// Unicode and ASCII differ only in glyphs.
	u := draw("handshake-teardown.yaml", false)
	if !strings.Contains(u, "╲") || strings.Contains(hs, "╲") {
		t.Error("glyph sets mixed up")
	}
}

// A width below MinWidth is taken as MinWidth; above it, every line fits.
func TestWidth(t *testing.T) {
	evs, opt := flowEvents(t, "testdata/sack.yaml", 0)
	for _, w := range []int{1, MinWidth - 1, MinWidth, 77, DefaultWidth, 300} {
		opt.Width = w
		for i, line := range strings.Split(Draw(evs, opt), "\n") {
			if n := utf8.RuneCountInString(line); n > max(w, MinWidth) {
				t.Fatalf("width %d: line %d is %d columns: %q", w, i+1, n, line)
			}
		}
	}
}

// wrap keeps every word, in order, and every line within the width.
func TestWrap(t *testing.T) {
	texts := []string{"", "ACK", "a→b seq=1001 len=1000 ack=1  (timeout retransmission)",
		"receiver: application got 1000 WRONG bytes at stream offset 4000 (packet #4): an old packet taken for a new one",
		strings.Repeat("x", 70) + " y " + strings.Repeat("é", 45)}
	for _, s := range texts {
		for w := 10; w <= 60; w++ {
			lines := wrap(s, w)
			var words []string
			for i, l := range lines {
				if n := utf8.RuneCountInString(l); n > w {
					t.Errorf("wrap(%q, %d): line %d is %d columns", s, w, i, n)
				}
				if i > 0 && !strings.HasPrefix(l, "  ") {
					t.Errorf("wrap(%q, %d): continuation %q not indented", s, w, l)
				}
				words = append(words, strings.Fields(l)...)
			}
			if got, want := strings.Join(words, ""), strings.Join(strings.Fields(s), ""); got != want {
				t.Errorf("wrap(%q, %d) lost text: %q", s, w, got)
			}
		}
	}
}

// topoChart is a topology's drawing read back: the lanes are the columns
// where every row of the chart has a lane glyph.
type topoChart struct {
	lines  []string
	rows   [][]rune // each chart row's columns right of the time column
	lanes  []int
	labels []string
}

func parseTopo(t *testing.T, out string) topoChart {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	timeW := strings.Index(lines[0], "time (s)") + len("time (s)")
	c := topoChart{lines: lines}
	width := 0
	for _, line := range lines[1:] {
		if strings.HasPrefix(line, "…") || strings.HasPrefix(line, "...") {
			continue
		}
		r := []rune(line)
		if len(r) <= timeW+1 {
			t.Fatalf("line %q: no chart", line)
		}
		c.rows = append(c.rows, r[timeW+1:])
		width = max(width, len(r)-timeW-1)
	}
	for col := 0; col < width; col++ {
		all := true
		for _, r := range c.rows {
			if col >= len(r) || !strings.ContainsRune("│┆┃|:#", r[col]) {
				all = false
				break
			}
		}
		if all {
			c.lanes = append(c.lanes, col)
		}
	}
	for _, r := range c.rows {
		last := c.lanes[len(c.lanes)-1]
		label := ""
		if len(r) > last+1 {
			label = strings.TrimLeft(string(r[last+1:]), " │┐┘|+")
		}
		c.labels = append(c.labels, label)
	}
	return c
}

// checkTopo asserts what a topology's chart must show, drawn whole (no
// window, no cut): every line within the width; the lanes (the two end
// hosts, and with Hops every router of the path); each packet that left
// its sender host one labelled row; each packet delivered to an end host
// one arrowhead at that host's lane and none elsewhere; each packet lost
// or dropped anywhere one X.
func checkTopo(t *testing.T, name, out string, evs []trace.Event, opt Options) {
	t.Helper()
	width := opt.Width
	if width == 0 {
		width = DefaultWidth
	}
	for i, line := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(line); n > max(width, MinWidth) {
			t.Errorf("%s: line %d is %d columns, more than %d: %q", name, i+1, n, width, line)
		}
	}
	c := parseTopo(t, out)
	path := opt.Route.Path
	a, b := path[0], path[len(path)-1]
	wantLanes := 2
	if opt.Hops {
		wantLanes = len(path)
	}
	if len(c.lanes) != wantLanes {
		t.Fatalf("%s: %d lanes, want %d:\n%s", name, len(c.lanes), wantLanes, out)
	}
	for k, n := range laneNames(&opt) {
		if !strings.Contains(c.lines[0], n) {
			t.Errorf("%s: header %q does not name lane %d, %s", name, c.lines[0], k, n)
		}
	}
	departs, headsB, headsA, xs := 0, 0, 0, 0
	for i, e := range evs {
		switch e.Kind {
		case trace.Enqueue, trace.QueueDrop, trace.EarlyDrop:
			if e.Node == a || e.Node == b {
				departs++
			}
			if e.Kind != trace.Enqueue {
				xs++
			}
		case trace.Duplicate:
			departs++
		case trace.Deliver:
			if e.Node != a && e.Node != b {
				continue
			}
			if i+1 < len(evs) && evs[i+1].Kind == trace.ChecksumDrop && evs[i+1].Node == e.Node {
				continue // drawn as an X at the lane
			}
			if e.Node == b {
				headsB++
			} else {
				headsA++
			}
		case trace.Lost, trace.DequeueDrop, trace.ChecksumDrop, trace.TTLExpired, trace.NoRoute:
			xs++
		}
	}
	if headsB == 0 {
		t.Errorf("%s: nothing delivered to %s: a test of nothing", name, b)
	}
	right, left, lost := "▶>", "◀<", "✗X"
	gotDeparts, gotB, gotA, gotX, stray := 0, 0, 0, 0, 0
	laneA, laneB := c.lanes[0], c.lanes[len(c.lanes)-1]
	for k, r := range c.rows {
		if strings.HasPrefix(c.labels[k], a+"→"+b+" ") || strings.HasPrefix(c.labels[k], b+"→"+a+" ") ||
			strings.HasPrefix(c.labels[k], a+"->"+b+" ") || strings.HasPrefix(c.labels[k], b+"->"+a+" ") {
			gotDeparts++
		}
		for col, ch := range r[:min(len(r), laneB+1)] {
			switch {
			case strings.ContainsRune(right, ch) && col == laneB-1:
				gotB++
			case strings.ContainsRune(left, ch) && col == laneA+1:
				gotA++
			case strings.ContainsRune(right+left, ch):
				stray++
			case strings.ContainsRune(lost, ch):
				gotX++
			}
		}
	}
	if gotDeparts != departs {
		t.Errorf("%s: %d packets labelled, want %d", name, gotDeparts, departs)
	}
	if gotB != headsB || gotA != headsA || stray != 0 {
		t.Errorf("%s: %d arrowheads at %s and %d at %s (%d elsewhere), want %d and %d", name, gotB, b, gotA, a, stray, headsB, headsA)
	}
	if gotX != xs {
		t.Errorf("%s: %d X, want %d (losses and drops)", name, gotX, xs)
	}
}

// The topology golden cases satisfy the properties of a topology chart.
func TestTopologyGoldenProperties(t *testing.T) {
	for _, c := range goldenCases {
		if !strings.HasPrefix(c.name, "hops") {
			continue
		}
		out, evs, opt := c.draw(t)
		checkTopo(t, c.name, out, evs, opt)
	}
}

// On random seeds of a shipped network, with and without Hops, at any
// width: every packet of the flow delivered is one arrow ending at its
// end host's lane, every loss one X, every line within the width.
func TestTopologyProperties(t *testing.T) {
	seeds := 6
	if testing.Short() {
		seeds = 2
	}
	rng := rand.New(rand.NewPCG(12, 0))
	for _, file := range []string{"../../scenarios/networks/wireless-last-hop.yaml", "testdata/hops.yaml"} {
		for s := 0; s < seeds; s++ {
			seed := rng.Uint64N(1000) + 1
			evs, base := flowEvents(t, file, seed)
			for _, hops := range []bool{false, true} {
				o := base
				o.Hops, o.ASCII = hops, rng.IntN(2) == 0
				o.Width = MinWidth + rng.IntN(100)
				name := fmt.Sprintf("%s seed %d hops %v width %d", filepath.Base(file), seed, hops, o.Width)
				checkTopo(t, name, Draw(evs, o), evs, o)
			}
		}
	}
}

// A two-host trace drawn as a one-link topology (hosts a and b joined by
// one link) is the two-host chart, but for saying where packets were
// lost: following packets across hops changes nothing on one hop.
func TestTopologyOneLink(t *testing.T) {
	two, o2 := flowEvents(t, "testdata/loss-fast-timeout.yaml", 0)
	o2.Width = 200 // no label wraps, with or without the hop
	want := Draw(two, o2)
	// Rename the trace as a topology has it: hosts a and b are nodes,
	// link events carry their node.
	var topo []trace.Event
	for _, e := range two {
		if e.Dir != "" && e.Kind != trace.Send {
			from, to, _ := e.Dir.Ends()
			e.Node = from
			if e.Kind == trace.Deliver || e.Kind == trace.ChecksumDrop {
				e.Node = to
			}
		}
		topo = append(topo, e)
	}
	ot := o2
	ot.Route = &Route{Path: []string{"a", "b"}, Delay: map[string]sim.Time{"a->b": o2.Delay, "b->a": o2.Delay}}
	// A topology says on which hop a packet was lost or dropped.
	got := strings.NewReplacer(" on a->b:", ":", " on b->a:", ":").Replace(Draw(topo, ot))
	if got != want {
		g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
		for i := range min(len(g), len(w)) {
			if g[i] != w[i] {
				t.Fatalf("one-link topology differs from the two-host chart at line %d:\n got %q\nwant %q", i+1, g[i], w[i])
			}
		}
		t.Errorf("one-link topology: %d lines, the two-host chart %d", len(g), len(w))
	}
}

// A path longer than LanesFit allows still draws (lines overflow the
// width, labels keep their room); LanesFit says when it fits.
func TestManyLanes(t *testing.T) {
	evs, opt := flowEvents(t, "testdata/hops.yaml", 0)
	long := []string{"s"}
	for i := range 40 {
		long = append(long, fmt.Sprintf("x%d", i))
	}
	long = append(long, "r1", "r2", "d")
	opt.Route = &Route{Path: long, Back: []string{"d", "r2", "r1", "s"}, Delay: opt.Route.Delay}
	opt.Hops, opt.Width = true, MinWidth
	if LanesFit(len(long), MinWidth) {
		t.Errorf("LanesFit(%d, %d): want false", len(long), MinWidth)
	}
	if out := Draw(evs, opt); !strings.Contains(out, "s→d SYN") {
		t.Errorf("no SYN in a chart of %d lanes", len(long))
	}
	for n := 2; n < 30; n++ {
		for _, w := range []int{MinWidth, DefaultWidth, 200} {
			if !LanesFit(n, w) {
				continue
			}
			o := opt
			path := slices.Clone(long[len(long)-n:])
			path[0] = "s"
			o.Route = &Route{Path: path, Delay: opt.Route.Delay}
			o.Width = w
			for i, line := range strings.Split(Draw(evs, o), "\n") {
				if c := utf8.RuneCountInString(line); c > w {
					t.Fatalf("%d lanes fit %d columns by LanesFit, but line %d is %d: %q", n, w, i+1, c, line)
				}
			}
		}
	}
}

// Symmetric: a route is symmetric when its way back is its path
// reversed; an asymmetric ring (out by r4, back by r2) is not, whichever
// end sends.
func TestRouteSymmetric(t *testing.T) {
	out := []string{"h0", "r1", "r4", "r3", "h1"}
	back := []string{"h1", "r3", "r2", "r1", "h0"}
	for _, c := range []struct {
		name string
		r    Route
		want bool
	}{
		{"no Back", Route{Path: out}, true},
		{"Back is Path reversed", Route{Path: out, Back: []string{"h1", "r3", "r4", "r1", "h0"}}, true},
		{"asymmetric ring", Route{Path: out, Back: back}, false},
		{"asymmetric ring, other end", Route{Path: back, Back: out}, false},
		{"same routers, other order", Route{Path: []string{"a", "r1", "r2", "b"}, Back: []string{"b", "r1", "r2", "a"}}, false},
		{"longer way back", Route{Path: []string{"a", "r1", "b"}, Back: []string{"b", "r2", "r1", "a"}}, false},
	} {
		if got := c.r.Symmetric(); got != c.want {
			t.Errorf("%s: Symmetric() = %v, want %v (path %v, back %v)", c.name, got, c.want, c.r.Path, c.r.Back)
		}
	}
	// The shipped hops scenario comes back the way it went.
	_, opt := flowEvents(t, "testdata/hops.yaml", 0)
	if !opt.Route.Symmetric() {
		t.Errorf("testdata/hops.yaml: path %v, back %v: want symmetric", opt.Route.Path, opt.Route.Back)
	}
}
