package diagram

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"tcpsim/internal/direction"
	"tcpsim/internal/trace"
	"tcpsim/sim"
)

// Route is what a ladder between the two ends of a flow of a topology
// needs to know of the network: the nodes its packets cross and each
// hop's propagation delay. In a topology, send events name the flow's
// direction ("s1->d") while link events name the hop ("r1->r2") and
// carry the node; with a Route the diagram follows each packet from hop
// to hop and draws it as one arrow between the end hosts.
type Route struct {
	// Path is the nodes from the flow's sender to its receiver, both
	// included (run.FlowResult.Path): the left lane is Path[0], the
	// right lane the last, and with Options.Hops every router between
	// them is a lane of its own, in path order.
	Path []string
	// Back is the nodes from the receiver back to the sender (the
	// receiver's route); nil means Path reversed.
	Back []string
	// Delay is the propagation delay of each link direction, by its
	// name ("r1->r2"): a packet lost on a hop is drawn half way along
	// it.
	Delay map[string]sim.Time
}

// via is a node that a packet of a topology reached (delivered to a
// router) or left (started transmission on its output link) on its way.
type via struct {
	t    sim.Time
	node string
}

// topoAct is what the ladder does with one event of a topology.
type topoAct uint8

const (
	actPass topoAct = iota // rewritten to the two-host form, drawn as such
	actSkip                // nothing to draw
	actVia                 // the packet reached or left a router
	actEnd                 // the packet died at a router or in its queue
)

// tracker reads the events of one flow of a topology for the ladder: a
// trace.Follower ties each hop's events to the packet's journey between
// the end hosts.
type tracker struct {
	f *trace.Follower
}

func newTracker(r *Route) *tracker {
	return &tracker{f: trace.NewFollower(r.Path, r.Back)}
}

// hopEnds splits a link direction's name "x->y".
func hopEnds(link direction.Dir) (string, string) {
	x, y, _ := link.Ends()
	return x, y
}

// step reads one event of the flow. For actPass it returns the event
// rewritten as the two-host form has it: the direction "a->b" or "b->a"
// between the end hosts, the packet numbered by its journey (from 1).
// For actVia and actEnd it returns the journey j (the event's ID and
// direction are rewritten the same way).
func (t *tracker) step(e *trace.Event) (trace.Event, topoAct, int) {
	x := *e
	h := t.f.Step(e)
	if h.Journey < 0 {
		if e.Kind == trace.Send {
			x.Dir = h.Dir
			return x, actPass, -1
		}
		if e.Dir != "" {
			return x, actSkip, -1 // a packet the flow's ends never sent
		}
		return x, actPass, -1 // timers, states, windows
	}
	x.Dir, x.ID = h.Dir, uint64(h.Journey)+1
	act := actPass
	switch e.Kind {
	case trace.Enqueue:
		if !h.End {
			act = actSkip // forwarded: its delivery to the router was the via
		}
	case trace.QueueDrop, trace.EarlyDrop:
		if !h.End {
			act = actEnd
		}
	case trace.Transmit:
		act = actVia
	case trace.Deliver:
		if !h.End {
			act = actVia
		}
	case trace.ChecksumDrop, trace.TTLExpired, trace.NoRoute:
		if !h.End {
			act = actEnd
		} else if e.Kind != trace.ChecksumDrop {
			act = actSkip
		}
	case trace.Reorder, trace.ECNMark:
		act = actSkip
	}
	return x, act, h.Journey
}

// OneWay returns the propagation delay along Path, the sum of its hops'
// delays: a good Options.Delay for the flow.
func (r *Route) OneWay() sim.Time {
	var d sim.Time
	for i := 0; i+1 < len(r.Path); i++ {
		d += r.Delay[direction.Of(r.Path[i], r.Path[i+1]).String()]
	}
	return d
}

// Symmetric reports whether the packets back from the receiver cross
// the nodes of Path in reverse (Back is nil or Path reversed). Only then
// can Options.Hops draw them: the lanes are Path's nodes, and a router
// that only the way back crosses has none.
func (r *Route) Symmetric() bool {
	rev := slices.Clone(r.Path)
	slices.Reverse(rev)
	return slices.Equal(r.backPath(), rev)
}

// backPath is Back, or Path reversed.
func (r *Route) backPath() []string {
	if r.Back != nil {
		return r.Back
	}
	b := make([]string, len(r.Path))
	for i, n := range r.Path {
		b[len(b)-1-i] = n
	}
	return b
}

// topoRender draws the arrows of a topology's flow: one polyline per
// packet through the lanes of the nodes it crosses.
type topoRender struct {
	c        *chart
	l        *chartLayout
	opt      *Options
	g        *glyphs
	drawn    []bool
	names    []string
	laneCols []int
	anchors  []anchor // rows of the items laid out, in time order
	cutT     sim.Time // the time of the last row printed
	ends     []mark   // arrowheads and X, drawn over the slopes
	waits    []mark   // heavy lanes: waiting in an output queue
	flats    [][3]int // hops shorter than a row: row, first and last column
	segs     [][4]int // every slope and flat drawn: rows r0, r1, columns from, to (for SVG)
}

// anchor is a row whose time is known: where an item was laid out.
type anchor struct {
	t   sim.Time
	row int
}

// vertex is a point an arrow passes: a node's lane at a row.
type vertex struct {
	row  int
	node string
}

// rowAt returns the row of time t: the row of an item at t, else
// interpolated between the items around it (to scale within a burst,
// across a gap marker), else extrapolated at one row per l.q.
func (t *topoRender) rowAt(at sim.Time) int {
	if t.anchors == nil {
		t.anchors = []anchor{}
		t.cutT = -1
		for _, i := range t.l.order {
			it := &t.c.items[i]
			t.anchors = append(t.anchors, anchor{it.t, it.row})
			if it.row < t.l.cutRow {
				t.cutT = max(t.cutT, it.t)
			}
		}
	}
	as := t.anchors
	if len(as) == 0 {
		return -1
	}
	if at > t.cutT && t.l.cutRow < len(t.l.rows) {
		// After the cut: below the last row printed.
		return max(t.rowAfter(at), t.l.cutRow)
	}
	return t.rowAfter(at)
}

// rowAfter is rowAt without the cut.
func (t *topoRender) rowAfter(at sim.Time) int {
	as := t.anchors
	k := sort.Search(len(as), func(i int) bool { return as[i].t >= at })
	q := t.l.q
	switch {
	case k == len(as):
		last := as[len(as)-1]
		return last.row + int((at-last.t+q/2)/q)
	case as[k].t == at:
		return as[k].row
	case k == 0:
		return as[0].row - int((as[0].t-at+q/2)/q)
	}
	p, n := as[k-1], as[k]
	return p.row + int(int64(n.row-p.row)*int64(at-p.t)/int64(n.t-p.t))
}

// col returns the column of node for an arrow going dir: its lane, or,
// for a router without a lane, its place along the path between the end
// lanes.
func (t *topoRender) col(node string, dir direction.Dir) int {
	for k, name := range t.names {
		if name == node {
			return t.laneCols[k]
		}
	}
	cA, cB := t.laneCols[0], t.laneCols[len(t.laneCols)-1]
	path := t.opt.Route.Path
	if dir == direction.BA {
		path = t.opt.Route.backPath()
		cA, cB = cB, cA
	}
	for k, name := range path {
		if name == node {
			return cA + (cB-cA)*k/(len(path)-1)
		}
	}
	return cA
}

// arrow draws one packet's polyline with set, and queues its end and its
// waits.
func (t *topoRender) arrow(a *arrow, set func(r, col int, ch rune)) {
	departs := a.depart >= 0 && t.drawn[a.depart]
	ends := a.arrive >= 0 && t.drawn[a.arrive]
	if !departs && !ends {
		return
	}
	h := t.heading(a.dir)
	vs := t.vertices(a, departs)
	endRow, endCol := t.arrowEnd(a, ends, h.sign)
	for k := range vs {
		vs[k].row = min(vs[k].row, endRow)
	}
	last := t.legs(vs, a.dir, h, set)
	if !t.lastLeg(a, last, len(vs) == 1, ends, endRow, endCol, h, set) {
		return
	}
	switch {
	case !ends:
	case a.end == endDeliver:
		t.ends = append(t.ends, mark{endRow, endCol, h.head})
	default:
		t.ends = append(t.ends, mark{endRow, endCol, t.g.lost})
	}
}

// heading is how a packet's arrow goes: the way along the columns (+1
// towards the receiver's lane), its slope and its head.
type heading struct {
	sign        int
	slope, head rune
}

func (t *topoRender) heading(dir direction.Dir) heading {
	if dir == direction.BA {
		return heading{-1, t.g.up, t.g.left}
	}
	return heading{1, t.g.down, t.g.right}
}

// vertices are where a packet's arrow starts (its departure's row, or
// above the chart if it left before the window) and, with Hops, each
// node it reaches on the way.
func (t *topoRender) vertices(a *arrow, departs bool) []vertex {
	start := t.rowAt(a.t0)
	if departs {
		start = t.c.items[a.depart].row
	} else {
		start = min(start, -1)
	}
	vs := []vertex{{start, a.from}}
	if t.opt.Hops {
		for _, v := range a.vias {
			vs = append(vs, vertex{max(t.rowAt(v.t), vs[len(vs)-1].row), v.node})
		}
	}
	return vs
}

// arrowEnd is where a packet's head or X goes: its row and column (off
// the bottom towards the far lane while it is still on the wire).
func (t *topoRender) arrowEnd(a *arrow, ends bool, sign int) (endRow, endCol int) {
	if ends {
		endRow = t.c.items[a.arrive].row
	} else {
		endRow = t.l.cutRow + RowsPerDelay // still on the wire: off the bottom
	}
	far := t.opt.Route.Path[len(t.opt.Route.Path)-1]
	if a.dir == direction.BA {
		far = t.opt.Route.Path[0]
	}
	switch {
	case !ends:
		endCol = t.col(far, a.dir) - sign
	case a.end == endLost:
		endCol = (t.col(a.at, a.dir) + t.col(a.to, a.dir)) / 2
	case a.inbound:
		endCol = t.col(a.at, a.dir) - sign
	default:
		endCol = t.col(a.at, a.dir) + sign // in the output queue of a.at
	}
	return endRow, endCol
}

// legs draws the segments from node to node, and a wait where the packet
// stays at one; it returns the last vertex.
func (t *topoRender) legs(vs []vertex, dir direction.Dir, h heading, set func(r, col int, ch rune)) vertex {
	last := vs[0]
	for _, v := range vs[1:] {
		if v.node == last.node {
			col := t.col(v.node, dir)
			for r := last.row; r < v.row; r++ {
				t.waits = append(t.waits, mark{r, col, t.g.wait})
			}
		} else {
			t.segment(last.row, v.row, t.col(last.node, dir)+h.sign, t.col(v.node, dir)-h.sign, h.slope, set)
		}
		last = v
	}
	return last
}

// lastLeg draws the packet from its last vertex to its end; false if
// that also drew its end (dropped by its sender's own queue).
func (t *topoRender) lastLeg(a *arrow, last vertex, single, ends bool, endRow, endCol int, h heading, set func(r, col int, ch rune)) bool {
	switch {
	case a.end == endQueueDrop && a.at == last.node && single:
		// Dropped by the sender's own queue: the X where it would
		// have left, as in the two-host form.
		t.ends = append(t.ends, mark{last.row, endCol, t.g.lost})
		return false
	case ends && !a.inbound && a.end != endLost && a.at == last.node:
		// Dropped in a router's output queue: it waited there until
		// then.
		col := t.col(a.at, a.dir)
		for r := last.row; r < endRow; r++ {
			t.waits = append(t.waits, mark{r, col, t.g.wait})
		}
	default:
		t.segment(last.row, endRow, t.col(last.node, a.dir)+h.sign, endCol, h.slope, set)
	}
	return true
}

// segment draws a slope from column from at row r0 to column to at row
// r1 (the row of r1 left for what comes next). A hop that takes less than
// a row is a flat line on its row, where nothing else is drawn.
func (t *topoRender) segment(r0, r1, from, to int, slope rune, set func(r, col int, ch rune)) {
	t.segs = append(t.segs, [4]int{r0, r1, from, to})
	if r0 == r1 && r0 >= 0 && r0 < t.l.cutRow {
		t.flats = append(t.flats, [3]int{r0, min(from, to), max(from, to)})
		return
	}
	for r := max(r0, 0); r < min(r1, t.l.cutRow); r++ {
		set(r, from+(to-from)*(r-r0)/(r1-r0), slope)
	}
}

// laneHeader writes the header of a topology's chart: each lane's name
// over its lane, shifted right where names would touch, cut at width.
func laneHeader(timeW int, names []string, cols []int, width int) string {
	line := []rune(fmt.Sprintf("%*s ", timeW, "time (s)"))
	base := len(line)
	for k, name := range names {
		at := base + cols[k] - (utf8.RuneCountInString(name)-1)/2
		if k == 0 {
			at = base + cols[k]
		}
		if len(line) > base {
			at = max(at, len(line)+1)
		}
		for len(line) < at {
			line = append(line, ' ')
		}
		line = append(line, []rune(name)...)
	}
	if len(line) > width {
		line = line[:width]
	}
	return strings.TrimRight(string(line), " ")
}
