// Package diagram draws the textbook ladder (sequence) diagram of a flow
// from a run's trace: two vertical lanes for hosts a and b, time going
// down, every packet a sloping arrow from its departure to its arrival,
// lost packets ending in X half way across.
//
// The chart is read row by row. Time runs down to scale (a one-way delay
// spans RowsPerDelay rows) while things happen; an idle stretch longer than
// the gap threshold is collapsed into one marker row that prints the
// elapsed time ("~~~ 0.959 s later ~~~"). Every packet, note and timer
// event has a row of its own, even when several happen at one instant, and
// its label is written on that row, in the label column right of the lanes:
// a departure's label on the row its arrow leaves, a loss's on the row of
// its X. Labels never share a row; a long one wraps onto continuation rows.
// A retransmission timer that fires is drawn as a bracket in its host's
// margin, from the row where it was armed to the row where it fired, both
// rows labelled with the RTO. TCP sequence and ACK numbers are relative to
// each side's ISN, as Wireshark shows them, whatever the time window; UDP
// datagrams are numbered from the flow's first; rdt packets carry their
// sequence numbers as K&R writes them ("pkt 3", "ACK 3").
//
// A flow of a topology (Options.Route) is drawn between its end hosts:
// each packet one arrow across every hop, a loss or drop on any hop an X
// that says where ("lost on r1->r2"); with Options.Hops every router on
// the path is a lane of its own and each packet goes hop by hop.
package diagram

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"tcpsim/internal/direction"
	"tcpsim/internal/trace"
	"tcpsim/sim"
)

// Options shape the drawing.
type Options struct {
	ASCII bool     // plain ASCII instead of Unicode box drawing
	Delay sim.Time // one-way delay: an arrow of this length spans RowsPerDelay rows
	// Width is the most columns any line takes (0 = DefaultWidth); less
	// than MinWidth is taken as MinWidth.
	Width      int
	MaxPackets int // stop after this many packets (0 = all)
	// From and To are the time window: packets that leave, notes and
	// timers within [From, To] are drawn (To 0 = no end). Events before
	// From still count for relative numbers and datagram numbers.
	From, To sim.Time
	// Gap is the idle time above which the chart collapses the stretch
	// into a gap marker (0 = GapDelays one-way delays).
	Gap sim.Time
	// Route, for a flow of a topology, is the way its packets go: the
	// lanes are then the flow's sender (left) and receiver (right)
	// hosts, named in the header, and each packet is one arrow from its
	// first hop to the end host, however many hops it crosses. Nil for
	// the two-host form (lanes a and b).
	Route *Route
	// Hops, with a Route, adds a lane for every router on the path, in
	// path order, and draws each packet hop by hop: a segment per link,
	// a heavy lane where it waits in a node's output queue, and its X
	// on the hop or at the router where it was lost or dropped. It
	// wants a Route whose way back is its path reversed
	// (Route.Symmetric): a router only the way back crosses has no lane.
	Hops bool
}

const (
	// DefaultWidth is the width of a chart when Options.Width is 0: it
	// fits a 100-column terminal or page.
	DefaultWidth = 100
	// MinWidth is the narrowest chart: below it lanes and labels no
	// longer fit side by side.
	MinWidth = 60
	// RowsPerDelay is how many rows a one-way delay spans.
	RowsPerDelay = 5
	// GapDelays is the default gap threshold in one-way delays: nothing
	// happening for longer than this is drawn as a gap marker.
	GapDelays = 2
	// maxBracketCols is how many RTO brackets a margin holds side by
	// side; a timer that overlaps more is labelled but not bracketed.
	maxBracketCols = 3
)

type glyphs struct {
	lane, gapLane, down, up, right, left, lost rune
	wait                                       rune // a packet waiting in a node's output queue (Hops)
	flat                                       rune // a hop shorter than a row (Hops)
	to                                         string
	// RTO brackets: top, middle and bottom, for host a (opening right)
	// and host b (opening left).
	topA, botA, topB, botB, mid rune
	ab, ba                      string // label prefixes
	ellipsis                    string
}

var (
	unicodeGlyphs = glyphs{'│', '┆', '╲', '╱', '▶', '◀', '✗', '┃', '─', "→", '┌', '└', '┐', '┘', '│', "a→b ", "b→a ", "…"}
	asciiGlyphs   = glyphs{'|', ':', '\\', '/', '>', '<', 'X', '#', '-', "->", '+', '+', '+', '+', '|', string(direction.AB) + " ", string(direction.BA) + " ", "..."}
)

// Draw renders the events of one flow (filtered by flow, not by time: the
// window is opt.From and opt.To) as a ladder diagram whose lines are at
// most opt.Width columns wide.
func Draw(evs []trace.Event, opt Options) string {
	c, l, g := prepare(evs, &opt)
	return render(c, l, &opt, g)
}

// prepare reads the events into a chart and lays it out, as every output
// form draws it.
func prepare(evs []trace.Event, opt *Options) (*chart, *chartLayout, *glyphs) {
	if opt.Width == 0 {
		opt.Width = DefaultWidth
	}
	opt.Width = max(opt.Width, MinWidth)
	g := unicodeGlyphs
	if opt.ASCII {
		g = asciiGlyphs
	}
	if r := opt.Route; r != nil {
		if len(r.Path) < 2 {
			opt.Route = nil // no route: nothing to follow
		} else {
			a, b := r.Path[0], r.Path[len(r.Path)-1]
			g.ab, g.ba = a+g.to+b+" ", b+g.to+a+" "
		}
	}
	c := collect(evs, opt, &g)
	l := layout(&c, opt)
	return &c, l, &g
}

// laneNames returns the names of the lanes, left to right: nil in the
// two-host form (lanes a and b).
func laneNames(opt *Options) []string {
	r := opt.Route
	switch {
	case r == nil:
		return nil
	case opt.Hops:
		return r.Path
	}
	return []string{r.Path[0], r.Path[len(r.Path)-1]}
}

// minHopCols is the fewest columns from one lane to the next in a chart
// with --hops: the lane, a slope, the middle of the hop, a slope.
const minHopCols = 4

// LanesFit reports whether a chart of width columns holds n lanes
// (Options.Hops draws the routers of a path as lanes) with room for the
// labels.
func LanesFit(n, width int) bool {
	// The widest time column and full bracket margins, and a label
	// column of a third of the chart.
	fixed := len("1000.000000") + 1 + 2*2*maxBracketCols + 2 + 2
	return (n-1)*minHopCols <= (max(width, MinWidth)-fixed)*2/3
}

// chartLayout is where everything goes: rows and columns.
type chartLayout struct {
	order     []int    // items in row order (kept and ghost)
	q         sim.Time // the time a row stands for
	rows      []row
	cutRow    int // rows from here on are not printed
	truncated bool
	windowEnd bool // the --to window cut something off
	timeW     int  // width of the time column
	marginA   int  // bracket columns left of lane a
	marginB   int  // bracket columns right of lane b
	lanes     int  // columns between the lanes
	labelW    int  // width of the label column
}

// row is one line of the chart.
type row struct {
	t     sim.Time
	timed bool   // print t
	gap   bool   // a gap marker row
	text  string // the label column
}

// layout decides which items are drawn, gives each its rows, and sizes the
// columns.
func layout(c *chart, opt *Options) *chartLayout {
	l := &chartLayout{}
	kept := l.choose(c, opt)
	l.columns(c, opt, kept)
	l.placeRows(c, opt, kept)
	return l
}

// pos is an item's place in time: its instant, then its trace order.
type pos struct {
	t     sim.Time
	order int
}

// before reports whether a comes before b.
func (a pos) before(b pos) bool { return a.t < b.t || (a.t == b.t && a.order < b.order) }

// choose decides which items are drawn and orders them (l.order): those
// before the cut (the end of the window, and the departure of the packet
// after the last allowed), and as ghosts the ends of arrows drawn up to
// the cut. It returns whether item i is before the cut.
func (l *chartLayout) choose(c *chart, opt *Options) (kept func(i int) bool) {
	cut := pos{math.MaxInt64, math.MaxInt}
	if opt.To > 0 {
		cut = pos{opt.To, math.MaxInt} // t <= To is kept
	}
	if opt.MaxPackets > 0 {
		n := 0
		for _, a := range c.arrows {
			if a.depart < 0 {
				continue // left before the window
			}
			if n++; n > opt.MaxPackets {
				d := c.items[a.depart]
				if p := (pos{d.t, d.order}); p.before(cut) {
					cut, l.truncated = p, true
				}
				break
			}
		}
	}
	kept = func(i int) bool { return i >= 0 && (pos{c.items[i].t, c.items[i].order}).before(cut) }
	for i := range c.items {
		it := &c.items[i]
		switch {
		case kept(i):
			l.order = append(l.order, i)
		case it.kind == itemArrive && kept(c.arrows[it.arrow].depart):
			// A ghost: the end of an arrow drawn up to the cut, laid
			// out so that its slope is right, never printed.
			it.text = ""
			l.order = append(l.order, i)
			l.windowEnd = true
		default:
			l.windowEnd = true
		}
	}
	sort.SliceStable(l.order, func(x, y int) bool {
		a, b := &c.items[l.order[x]], &c.items[l.order[y]]
		return (pos{a.t, a.order}).before(pos{b.t, b.order})
	})
	return kept
}

// columns sizes the time column, the bracket margins, the lanes and the
// labels. The margins hold the RTO brackets drawn.
func (l *chartLayout) columns(c *chart, opt *Options, kept func(int) bool) {
	l.timeW = len("time (s)")
	for _, i := range l.order {
		if it := &c.items[i]; it.timed && kept(i) {
			l.timeW = max(l.timeW, len(fmt.Sprintf("%.6f", it.t.Seconds())))
		}
	}
	l.marginA, l.marginB = assignBrackets(c, kept)
	avail := opt.Width - (l.timeW + 1 + 2*l.marginA + 2 + 2*l.marginB + 2)
	l.lanes = min(max(avail/3, 10), 60)
	if n := len(laneNames(opt)); n > 2 {
		// Every hop gets as many columns, at least minHopCols, and
		// the labels keep a third of the line.
		hop := max((l.lanes+1)/(n-1), minHopCols)
		hop = min(hop, max(avail*2/3/(n-1), 2))
		l.lanes = hop*(n-1) - 1
	}
	// More lanes than LanesFit allows overflow the width rather than
	// leave no room for a label.
	l.labelW = max(avail-l.lanes, 10)
}

// placeRows gives each item its rows: to scale within bursts, a gap
// marker across idle stretches; a note at the instant of an unlabelled
// arrival shares its row. It sets the cut row, where ghosts begin.
func (l *chartLayout) placeRows(c *chart, opt *Options, kept func(int) bool) {
	q := opt.Delay / RowsPerDelay
	if q <= 0 {
		q = sim.Millisecond
	}
	gapAt := opt.Gap
	switch {
	case gapAt > 0:
	case opt.Delay > 0:
		gapAt = GapDelays * opt.Delay
	default:
		gapAt = GapDelays * RowsPerDelay * q
	}
	l.q = q
	l.cutRow = -1
	var prevT, lastTimed sim.Time
	prevStart, haveTimed := 0, false
	share := -1 // the row of an unlabelled arrival that a note at its instant may share
	for n, i := range l.order {
		it := &c.items[i]
		if share >= 0 && it.kind == itemNote && it.t == prevT && kept(i) {
			// "▶ server LISTEN => SYN-RECEIVED": the arrival and the
			// state change it caused, on one row.
			lines := wrap(it.text, l.labelW)
			it.row, l.rows[share].text = share, lines[0]
			for _, line := range lines[1:] {
				l.rows = append(l.rows, row{t: it.t, text: line})
			}
			share = -1
			continue
		}
		share = -1
		ghost := !kept(i)
		if ghost && l.cutRow < 0 {
			l.cutRow = len(l.rows)
		}
		if n == 0 || it.t != prevT {
			start := 0
			switch {
			case n == 0:
			case it.timed && haveTimed && it.t-lastTimed > gapAt:
				l.rows = append(l.rows, row{gap: true, text: fmt.Sprintf("~~~ %s later ~~~", seconds(it.t-lastTimed))})
				start = len(l.rows)
			default:
				step := int((it.t - prevT + q/2) / q)
				start = max(len(l.rows), prevStart+min(step, GapDelays*RowsPerDelay))
			}
			for len(l.rows) < start {
				l.rows = append(l.rows, row{})
			}
			prevT, prevStart = it.t, start
		}
		it.row = len(l.rows)
		if it.kind == itemArrive && it.text == "" && !ghost {
			share = it.row
		}
		text := it.text
		if text == "" && it.soft != "" && !ghost {
			// One row: a long arrival label is cut, not wrapped.
			lines := wrap(it.soft, l.labelW)
			text = lines[0]
			if len(lines) > 1 {
				text = string([]rune(text)[:max(utf8.RuneCountInString(text)-1, 0)]) + "…"
			}
		}
		for k, line := range wrap(text, l.labelW) {
			l.rows = append(l.rows, row{t: it.t, timed: it.timed && k == 0, text: line})
		}
		if it.timed {
			lastTimed, haveTimed = it.t, true
		}
	}
	if l.cutRow < 0 {
		l.cutRow = len(l.rows)
	}
}

// assignBrackets gives each RTO bracket drawn a margin column, reusing a
// column once its bracket has ended, and returns how many columns each
// margin needs. kept says whether an item is drawn.
func assignBrackets(c *chart, kept func(int) bool) (int, int) {
	var ends [2][]int // per lane, per column: the order of the last fire
	for k := range c.brackets {
		b := &c.brackets[k]
		b.col = -1
		if b.arm >= 0 && !kept(b.arm) || !kept(b.fire) && b.armedEarly {
			continue
		}
		if !kept(b.fire) {
			b.fire = -1 // armed in the window, fires after it: open at the bottom
		}
		start := -1
		if b.arm >= 0 {
			start = b.armOrder
		}
		cols := ends[b.lane]
		for j, end := range cols {
			if end < start {
				b.col = j
				break
			}
		}
		if b.col < 0 && len(cols) < maxBracketCols {
			b.col = len(cols)
			ends[b.lane] = append(ends[b.lane], 0)
		}
		if b.col >= 0 {
			ends[b.lane][b.col] = math.MaxInt
			if b.fire >= 0 {
				ends[b.lane][b.col] = b.fireOrder
			}
		}
	}
	return len(ends[0]), len(ends[1])
}

// mark is one glyph at a row and column of the drawing area.
type mark struct {
	r, col int
	ch     rune
}

// render draws the laid-out chart.
func render(c *chart, l *chartLayout, opt *Options, g *glyphs) string {
	cv := newCanvas(l, opt, g)
	drawn := make([]bool, len(c.items)) // the items laid out
	for _, i := range l.order {
		drawn[i] = true
	}
	// Slopes first, then the ends (heads and X) over them, so that no
	// slope hides where a packet arrived or died.
	var ends, waits []mark
	if opt.Route != nil {
		ends, waits = cv.topoArrows(c, l, opt, g, drawn)
	} else {
		ends = cv.arrows(c, l, g, drawn)
	}
	for _, m := range waits {
		if r := m.r; r >= 0 && r < cv.n && m.col >= 0 && m.col < cv.cols && !l.rows[r].gap {
			cv.grid[r][m.col] = m.ch
		}
	}
	for _, m := range ends {
		cv.set(m.r, m.col, m.ch)
	}
	cv.brackets(c, g)
	return cv.print(l, opt, g)
}

// canvas is the drawing area of a chart's rows (above the cut): margin a,
// lane a, the lanes' space, lane b, margin b; in a topology, a lane per
// node.
type canvas struct {
	grid         [][]rune
	n, cols      int
	laneA, laneB int      // the columns of the first and the last lane
	laneCols     []int    // every lane's column
	names        []string // the lanes' names in a topology, else nil
}

// newCanvas returns the rows with their lanes drawn (a gap's lane
// broken).
func newCanvas(l *chartLayout, opt *Options, g *glyphs) *canvas {
	cv := &canvas{n: l.cutRow, laneA: 2 * l.marginA, names: laneNames(opt)}
	cv.laneB = cv.laneA + l.lanes + 1
	cv.cols = cv.laneB + 1 + 2*l.marginB
	cv.laneCols = []int{cv.laneA, cv.laneB}
	if len(cv.names) > 2 {
		cv.laneCols = cv.laneCols[:0]
		for k := range cv.names {
			cv.laneCols = append(cv.laneCols, cv.laneA+k*(l.lanes+1)/(len(cv.names)-1))
		}
	}
	cv.grid = make([][]rune, cv.n)
	for r := range cv.grid {
		cv.grid[r] = []rune(strings.Repeat(" ", cv.cols))
		lane := g.lane
		if l.rows[r].gap {
			lane = g.gapLane
		}
		for _, col := range cv.laneCols {
			cv.grid[r][col] = lane
		}
	}
	return cv
}

// set puts ch at row r, column col, if that is on the canvas.
func (cv *canvas) set(r, col int, ch rune) {
	if r >= 0 && r < cv.n && col >= 0 && col < cv.cols {
		cv.grid[r][col] = ch
	}
}

// topoArrows draws a topology's arrows hop by hop (topoRender) and the
// flat hops where no slope is (a slope shows more); it returns the ends
// and the waits in queues to draw over them.
func (cv *canvas) topoArrows(c *chart, l *chartLayout, opt *Options, g *glyphs, drawn []bool) (ends, waits []mark) {
	t := topoRender{c: c, l: l, opt: opt, g: g, drawn: drawn, names: cv.names, laneCols: cv.laneCols}
	for k := range c.arrows {
		t.arrow(&c.arrows[k], cv.set)
	}
	for _, f := range t.flats {
		for col := max(f[1], 0); col <= min(f[2], cv.cols-1); col++ {
			if cv.grid[f[0]][col] == ' ' {
				cv.grid[f[0]][col] = g.flat
			}
		}
	}
	return t.ends, t.waits
}

// arrows draws the two-host chart's arrows as slopes from lane to lane
// and returns their ends (heads and X) to draw over them.
func (cv *canvas) arrows(c *chart, l *chartLayout, g *glyphs, drawn []bool) (ends []mark) {
	for _, a := range c.arrows {
		from, to, slope, head := cv.laneA+1, cv.laneB-1, g.down, g.right
		if a.dir == direction.BA {
			from, to, slope, head = cv.laneB-1, cv.laneA+1, g.up, g.left
		}
		var r0, r1 int
		switch {
		case a.depart >= 0 && drawn[a.depart] && a.arrive >= 0:
			r0, r1 = c.items[a.depart].row, c.items[a.arrive].row
		case a.depart >= 0 && drawn[a.depart]:
			r0, r1 = c.items[a.depart].row, l.cutRow+RowsPerDelay // still on the wire: off the bottom
		case a.depart < 0 && a.arrive >= 0 && drawn[a.arrive]:
			// Left before the window: it comes in from above the top
			// row, at the slope its flight time gives.
			end := c.items[a.arrive]
			r1 = end.row
			r0 = min(r1-int((end.t-a.t0+l.q/2)/l.q), -1)
		default:
			continue
		}
		if a.end == endQueueDrop {
			ends = append(ends, mark{r0, from, g.lost})
			continue
		}
		stop := to
		if a.end == endLost {
			stop = (from + to) / 2
		}
		for r := max(r0, 0); r < min(r1, cv.n); r++ {
			cv.set(r, from+(stop-from)*(r-r0)/(r1-r0), slope)
		}
		switch a.end {
		case endLost, endChecksum:
			ends = append(ends, mark{max(r1, r0), stop, g.lost})
		case endDeliver:
			ends = append(ends, mark{max(r1, r0), stop, head})
		}
	}
	return ends
}

// brackets draws the RTO brackets in the margins, from arm to fire (from
// the top or to the cut when either is outside the window).
func (cv *canvas) brackets(c *chart, g *glyphs) {
	for _, b := range c.brackets {
		if b.col < 0 {
			continue
		}
		col, top, bot := cv.laneA-2-2*b.col, g.topA, g.botA
		if b.lane == 1 {
			col, top, bot = cv.laneB+2+2*b.col, g.topB, g.botB
		}
		r0, r1 := 0, cv.n-1
		if b.arm >= 0 {
			r0 = c.items[b.arm].row
		}
		if b.fire >= 0 {
			r1 = c.items[b.fire].row
		}
		for r := r0; r <= r1; r++ {
			cv.set(r, col, g.mid)
		}
		if b.arm >= 0 {
			cv.set(r0, col, top)
		}
		if b.fire >= 0 {
			cv.set(r1, col, bot)
		}
	}
}

// print writes the header, every row (its time, its drawing, its label)
// and the line that says why the chart stops, if it stops early.
func (cv *canvas) print(l *chartLayout, opt *Options, g *glyphs) string {
	var out strings.Builder
	head := fmt.Sprintf("%*s %s%c%s%c", l.timeW, "time (s)", strings.Repeat(" ", cv.laneA), 'a', strings.Repeat(" ", l.lanes), 'b')
	if cv.names != nil {
		head = laneHeader(l.timeW, cv.names, cv.laneCols, opt.Width)
	}
	out.WriteString(head + "\n")
	for r := 0; r < cv.n; r++ {
		ts := ""
		if l.rows[r].timed {
			ts = fmt.Sprintf("%.6f", l.rows[r].t.Seconds())
		}
		line := fmt.Sprintf("%*s %s", l.timeW, ts, string(cv.grid[r]))
		if l.rows[r].text != "" {
			line += "  " + l.rows[r].text
		}
		out.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	switch {
	case l.truncated:
		line := fmt.Sprintf("%s truncated after %d packets (use --max-packets to see more)", g.ellipsis, opt.MaxPackets)
		if utf8.RuneCountInString(line) > opt.Width {
			line = fmt.Sprintf("%s truncated after %d packets", g.ellipsis, opt.MaxPackets)
		}
		out.WriteString(line + "\n")
	case l.windowEnd && opt.To > 0:
		fmt.Fprintf(&out, "%s window ends at %.6f s\n", g.ellipsis, opt.To.Seconds())
	}
	return out.String()
}

// wrap breaks a label into lines of at most w columns, at spaces where it
// can; continuation lines are indented by two. An empty label is one empty
// line.
func wrap(s string, w int) []string {
	var lines []string
	indent := ""
	for utf8.RuneCountInString(indent+s) > w {
		room := w - len(indent)
		r := []rune(s)
		cut := strings.LastIndex(string(r[:room+1]), " ")
		if cut <= 0 {
			cut = len(string(r[:room]))
		}
		lines = append(lines, indent+strings.TrimRight(s[:cut], " "))
		s = strings.TrimLeft(s[cut:], " ")
		indent = "  "
	}
	return append(lines, indent+s)
}
