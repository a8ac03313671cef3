package diagram

import (
	"fmt"
	"strings"
	"tcpsim/internal/direction"

	"tcpsim/internal/flowview"
	proto "tcpsim/internal/protocol"
	"tcpsim/internal/trace"
	"tcpsim/sim"
)

// endKind is how an arrow ends.
type endKind uint8

const (
	endOpen      endKind = iota // still on the wire when the trace ends
	endDeliver                  // arrived: an arrowhead at the far lane
	endLost                     // lost on the wire: X half way across
	endQueueDrop                // dropped by a full queue: X at the sender
	endChecksum                 // arrived damaged and dropped: X at the far lane
)

// arrow is one packet on the wire.
type arrow struct {
	dir       direction.Dir // direction.AB or BA
	t0        sim.Time      // departure
	text      string        // label, without the direction
	kind      flowview.Kind
	resent    bool // a retransmission
	end       endKind
	corrupted bool
	scripted  bool   // lost or corrupted by the scenario's faults: section
	ackOnly   bool   // a pure TCP ACK (it may re-arm its receiver's timer)
	ack       uint32 // its relative acknowledgment number
	depart    int    // index of its departure item, -1 if it left before the window
	arrive    int    // index of its end item, -1 while open or if it ended before the window

	// In a topology (Options.Route): the node it left from, the
	// routers it reached and left, and where it ended: at node at, or
	// on the hop at->to when lost on the wire; inbound when it ended
	// on arriving at (delivered, or dropped by its header, TTL, route
	// or checksum) rather than in at's output queue.
	from    string
	vias    []via
	at, to  string
	inbound bool
}

// itemKind is what one row of the chart shows.
type itemKind uint8

const (
	itemDepart itemKind = iota // an arrow leaves: its label
	itemArrive                 // an arrow ends: head or X, label if any
	itemNote                   // a state change, a decision, a persist probe
	itemArm                    // a timer armed (top of its bracket)
	itemFire                   // that timer fired (bottom of its bracket)
)

// item is one thing that happens at one instant and takes its own row (and
// continuation rows when its label wraps).
type item struct {
	t     sim.Time
	order int  // position in the trace: ties at one instant keep trace order
	timed bool // the row prints its time; false for a loss drawn mid-flight
	kind  itemKind
	arrow int // the arrow of a depart or arrive item
	text  string
	// soft is an arrival's own label ("arrives: ACK ack=1001 win=2000"),
	// shown on one row unless a note at its instant takes the row (the
	// state change the arrival caused says more).
	soft string
	row  int // first row, set by the layout
}

// bracket is an RTO bracket: a retransmission (or persist) timer from the
// moment it was armed to the moment it fired, in the margin beside its
// host's lane.
type bracket struct {
	lane       int  // 0 host a, 1 host b
	arm, fire  int  // items; arm -1 when armed before the window, fire -1 when it fires after the cut
	armOrder   int  // trace position of the arm
	fireOrder  int  // trace position of the fire
	col        int  // margin column, -1 when too many overlap to draw
	armedEarly bool // armed before the window: the bracket starts at the top
}

// chart is what the events say, before layout.
type chart struct {
	arrows   []arrow
	items    []item
	brackets []bracket
}

// collect turns the events of one flow into arrows, labelled items and RTO
// brackets. Every event goes through the flow's reader (flowview), which
// names the packets and keeps the ISNs, datagram numbers, duplicate-ACK
// runs and timer arms whatever the window; only items at or after
// opt.From are made (layout applies opt.To and the cut).
func collect(evs []trace.Event, opt *Options, g *glyphs) chart {
	k := &collector{evs: evs, opt: opt, g: g, open: map[arrowKey]int{}, r: flowview.NewReader(), arrived: map[direction.Dir]arrival{}, armedAfter: map[int]arrival{}}
	if opt.Route != nil {
		k.tr = newTracker(opt.Route)
	}
	for i := range evs {
		k.event(i)
	}
	return k.c
}

// arrowKey finds the arrow of a packet still on the wire.
type arrowKey struct {
	dir direction.Dir
	id  uint64
}

// collector is collect's state: the chart so far and what the events so
// far have taught it. It has a method per kind of event.
type collector struct {
	evs []trace.Event
	opt *Options
	g   *glyphs
	tr  *tracker // in a topology (Options.Route): the flow's packets hop by hop
	c   chart

	open map[arrowKey]int // arrows still on the wire
	r    *flowview.Reader // the flow's reading: packet names, timers
	// arrived is the last packet delivered in each direction, and the
	// event that delivered it: the ACK that re-arms a timer.
	arrived map[direction.Dir]arrival
	// armedAfter is, for each retransmission timer's arming (its event),
	// the last packet delivered to its host before it.
	armedAfter map[int]arrival
}

// arrival is a packet's delivery: the event and the packet's arrow.
type arrival struct {
	order int
	t     sim.Time
	a     arrow
}

// onWire returns the arrow of the packet e is about, and its index; nil
// if it is not on the wire (never seen, or already ended).
func (k *collector) onWire(e *trace.Event) (int, *arrow) {
	j, ok := k.open[arrowKey{e.Dir, e.ID}]
	if !ok {
		return -1, nil
	}
	return j, &k.c.arrows[j]
}

// in reports whether t is within the window's start.
func (k *collector) in(t sim.Time) bool { return t >= k.opt.From }

// add appends an item and returns its index.
func (k *collector) add(it item) int {
	k.c.items = append(k.c.items, it)
	return len(k.c.items) - 1
}

// arrowPrefix is the arrow glyph that starts a departure's label.
func (k *collector) arrowPrefix(dir direction.Dir) string {
	if dir == direction.BA {
		return k.g.ba
	}
	return k.g.ab
}

// event takes event i. In a topology it is first seen hop by hop: e
// becomes the end-to-end view of it, raw stays the event as the trace has
// it, and where says on which hop a packet died (" on r1->r2").
func (k *collector) event(i int) {
	e := &k.evs[i]
	raw := e
	where := ""
	if k.tr != nil {
		x, act, j := k.tr.step(e)
		switch act {
		case actSkip:
			return
		case actVia:
			if a, ok := k.open[arrowKey{x.Dir, x.ID}]; ok {
				if e.Kind == trace.Transmit && e.Node == k.c.arrows[a].from {
					k.transmit(&x) // its first hop: out of its sender's queue
				}
				k.c.arrows[a].vias = append(k.c.arrows[a].vias, via{t: e.T, node: e.Node})
			}
			return
		case actEnd:
			k.hopEnd(i, e, &x, j)
			return
		}
		switch e.Kind {
		case trace.Enqueue, trace.QueueDrop, trace.EarlyDrop, trace.Lost, trace.DequeueDrop:
			where = " on " + e.Dir.String()
		}
		e = &x
	}
	step := k.r.Step(i, e)
	switch e.Kind {
	case trace.Enqueue, trace.QueueDrop, trace.EarlyDrop:
		k.departure(i, e, raw, where, step.Packet)
	case trace.Duplicate:
		k.duplicate(i, e, raw, step.Packet)
	case trace.Corrupt:
		if j, ok := k.open[arrowKey{e.Dir, e.ID}]; ok {
			k.c.arrows[j].corrupted = true
			k.c.arrows[j].scripted = k.c.arrows[j].scripted || e.Scripted
		}
	case trace.Lost:
		k.lost(i, e, raw, where)
	case trace.Deliver:
		k.deliver(i, e, raw)
	case trace.Transmit:
		k.transmit(e)
	case trace.DequeueDrop:
		k.dequeueDrop(i, e, raw, where)
	case trace.ChecksumDrop:
		k.checksumDrop(i, e)
	case trace.TimerFired:
		if step.Timer != nil {
			k.timerFired(step.Timer)
		}
	case trace.TimerSet:
		if strings.Contains(e.Detail, "retransmission") {
			if ar, ok := k.arrived[k.r.DirOf(e.Role()).Reverse()]; ok {
				k.armedAfter[i] = ar
			}
		}
	case trace.State, trace.Decision:
		if k.in(e.T) {
			k.add(item{t: e.T, order: i, timed: true, kind: itemNote, text: e.Detail})
		}
	}
}

// hopEnd ends, in a topology, the arrow of packet j+1 of x's direction
// where e (at a node) says it died: in a queue, or on arriving.
func (k *collector) hopEnd(i int, e, x *trace.Event, j int) {
	n, ok := k.open[arrowKey{x.Dir, uint64(j) + 1}]
	if !ok {
		return
	}
	a := &k.c.arrows[n]
	a.at, a.inbound, a.end = e.Node, true, endChecksum
	var why string
	switch e.Kind {
	case trace.QueueDrop:
		why, a.inbound, a.end = " dropped, queue full on "+e.Dir.String(), false, endQueueDrop
	case trace.EarlyDrop:
		why, a.inbound, a.end = " dropped early by the queue's AQM on "+e.Dir.String(), false, endQueueDrop
	case trace.TTLExpired:
		why = " TTL expired at " + e.Node
	case trace.NoRoute:
		why = " no route at " + e.Node
	default:
		why = " bad checksum, dropped at " + e.Node
	}
	if k.in(e.T) {
		a.arrive = k.add(item{t: e.T, order: i, timed: true, kind: itemArrive, arrow: n,
			text: string(k.g.lost) + why + ": " + a.text})
	}
	delete(k.open, arrowKey{x.Dir, x.ID})
}

// departure starts an arrow for a packet its sender's queue took (or
// dropped at once), labelled with what it is and why it was sent.
func (k *collector) departure(i int, e, raw *trace.Event, where string, p *flowview.Packet) {
	text := p.Label
	a := arrow{dir: e.Dir, t0: e.T, text: text, kind: p.Kind, resent: p.Resend != flowview.NotResent,
		depart: -1, arrive: -1, from: raw.Node, at: raw.Node,
		ackOnly: p.Is(proto.TCP) && p.Kind == flowview.KindACK, ack: p.Ack}
	if !k.in(e.T) {
		// Left before the window: drawn from above the top if it
		// arrives within it.
		if e.Kind == trace.Enqueue {
			k.open[arrowKey{e.Dir, e.ID}] = len(k.c.arrows)
			k.c.arrows = append(k.c.arrows, a)
		}
		return
	}
	a.depart = k.add(item{t: e.T, order: i, timed: true, kind: itemDepart, arrow: len(k.c.arrows), text: k.arrowPrefix(e.Dir) + text})
	if e.Kind == trace.QueueDrop || e.Kind == trace.EarlyDrop {
		why := " dropped, queue full" + where + ": "
		if e.Kind == trace.EarlyDrop {
			why = " dropped early by the queue's AQM" + where + ": "
		}
		a.end = endQueueDrop
		a.arrive = k.add(item{t: e.T, order: i, timed: true, kind: itemArrive, arrow: len(k.c.arrows),
			text: string(k.g.lost) + why + text})
		k.c.arrows = append(k.c.arrows, a)
		return
	}
	k.open[arrowKey{e.Dir, e.ID}] = len(k.c.arrows)
	k.c.arrows = append(k.c.arrows, a)
}

// duplicate starts an arrow for a copy the wire made: a new packet.
func (k *collector) duplicate(i int, e, raw *trace.Event, p *flowview.Packet) {
	text := p.Label
	a := arrow{dir: e.Dir, t0: e.T, text: text, kind: p.Kind, depart: -1, arrive: -1, from: raw.Node}
	if k.in(e.T) {
		a.depart = k.add(item{t: e.T, order: i, timed: true, kind: itemDepart, arrow: len(k.c.arrows), text: k.arrowPrefix(e.Dir) + text})
	}
	k.open[arrowKey{e.Dir, e.ID}] = len(k.c.arrows)
	k.c.arrows = append(k.c.arrows, a)
}

// lost ends an arrow lost on the wire: drawn as vanishing half way to the
// other host, on a row of its own without a time.
func (k *collector) lost(i int, e, raw *trace.Event, where string) {
	j, a := k.onWire(e)
	if a == nil {
		return
	}
	a.end, a.scripted = endLost, e.Scripted
	text := string(k.g.lost) + " lost" + where + ": " + a.text
	if e.Scripted {
		text = string(k.g.lost) + " lost (scripted)" + where + ": " + a.text
	}
	at := e.T + k.opt.Delay/2
	if k.tr != nil {
		a.at, a.to = hopEnds(raw.Dir)
		at = e.T + k.opt.Route.Delay[raw.Dir.String()]/2
	}
	if k.in(at) {
		a.arrive = k.add(item{t: at, order: i, kind: itemArrive, arrow: j, text: text})
	}
	delete(k.open, arrowKey{e.Dir, e.ID})
}

// deliver ends an arrow at the far lane. A checksum drop follows the
// delivery at the same instant: the arrow stays findable until then.
func (k *collector) deliver(i int, e, raw *trace.Event) {
	j, a := k.onWire(e)
	if a == nil {
		return
	}
	a.end, a.at, a.inbound = endDeliver, raw.Node, true
	k.arrived[e.Dir] = arrival{order: i, t: e.T, a: *a}
	text := ""
	switch {
	case a.corrupted && a.scripted:
		text = "corrupted (scripted), checksum still matches, delivered: " + a.text
	case a.corrupted:
		text = "corrupted, delivered (no checksum): " + a.text
	}
	if k.in(e.T) {
		a.arrive = k.add(item{t: e.T, order: i, timed: true, kind: itemArrive, arrow: j, text: text, soft: "arrives: " + a.text})
	}
}

// transmit notes, on the departure's row, how long a packet waited in its
// sender's queue before going on the wire ("queued 0.864 ms"): sent at
// the same instant as others, it waits for the serialisation of those
// ahead of it, and arrives that much later.
func (k *collector) transmit(e *trace.Event) {
	_, a := k.onWire(e)
	if a == nil || a.depart < 0 || e.T <= a.t0 {
		return
	}
	k.c.items[a.depart].text += "  (queued " + millis(e.T-a.t0) + ")"
}

// millis writes a short wait in milliseconds to the microsecond:
// "0.832 ms".
func millis(d sim.Time) string {
	s := strings.TrimRight(fmt.Sprintf("%.3f", float64(d)/float64(sim.Millisecond)), "0")
	return strings.TrimSuffix(s, ".") + " ms"
}

// dequeueDrop ends an arrow CoDel dropped at the head of the queue: it
// never left the sender's side.
func (k *collector) dequeueDrop(i int, e, raw *trace.Event, where string) {
	j, a := k.onWire(e)
	if a == nil {
		return
	}
	a.end, a.at = endQueueDrop, raw.Node
	if k.in(e.T) {
		a.arrive = k.add(item{t: e.T, order: i, timed: true, kind: itemArrive, arrow: j,
			text: string(k.g.lost) + " dropped at the head of the queue by its AQM" + where + ": " + a.text})
	}
	delete(k.open, arrowKey{e.Dir, e.ID})
}

// checksumDrop ends an arrow that arrived damaged and was dropped.
func (k *collector) checksumDrop(i int, e *trace.Event) {
	j, a := k.onWire(e)
	if a == nil {
		return
	}
	a.end = endChecksum
	if a.arrive < 0 && k.in(e.T) {
		a.arrive = k.add(item{t: e.T, order: i, timed: true, kind: itemArrive, arrow: j})
	}
	if a.arrive >= 0 {
		k.c.items[a.arrive].text = string(k.g.lost) + " bad checksum, dropped: " + a.text
	}
	delete(k.open, arrowKey{e.Dir, e.ID})
}

// timerFired draws an RTO (or persist) bracket from the timer's arming to
// its firing, in the margin beside its host's lane.
func (k *collector) timerFired(t *flowview.Timer) {
	var text, value string
	switch t.Kind {
	case flowview.Retransmission:
		text, value = "TIMEOUT: "+t.Name+" fired, ", "RTO "
	case flowview.Persist:
		// RFC 9293 §3.8.6.1: the zero-window probe.
		text, value = "persist timer fired: window probe, after ", ""
	}
	if !k.in(t.FiredAt) {
		return
	}
	b := bracket{lane: laneOf(t.Dir), arm: -1, fireOrder: t.Fired, col: -1, armedEarly: true}
	if t.Armed >= 0 {
		b.armOrder = t.Armed
		d := value + seconds(t.FiredAt-t.ArmedAt)
		text += d
		if k.in(t.ArmedAt) {
			b.armedEarly = false
			b.arm = k.add(item{t: t.ArmedAt, order: t.Armed, timed: true, kind: itemArm,
				text: k.armedBy(t) + d})
		}
	} else {
		text = strings.TrimSuffix(strings.TrimSuffix(text, ", "), ", after ")
	}
	b.fire = k.add(item{t: t.FiredAt, order: t.Fired, timed: true, kind: itemFire, text: text})
	k.c.brackets = append(k.c.brackets, b)
}

// armedBy is the label of a timer's arming: "... armed: ", or, when an
// ACK that arrived at the same instant re-armed it (RFC 6298 §5.3: the
// timer restarts when an ACK acknowledges new data, and the segments that
// ACK lets out are sent first, so the arming's row falls below them),
// "... re-armed by ACK ack=N: " (it guards seq=N, the oldest
// unacknowledged), so that the bracket is not read as guarding the
// segment sent just above it.
func (k *collector) armedBy(t *flowview.Timer) string {
	if t.Kind == flowview.Retransmission {
		if ar, ok := k.armedAfter[t.Armed]; ok && ar.a.dir == t.Dir.Reverse() && ar.a.ackOnly && ar.t == t.ArmedAt {
			return fmt.Sprintf("%s re-armed by ACK ack=%d: ", t.Name, ar.a.ack)
		}
	}
	return t.Name + " armed: "
}

// laneOf is the lane of the host that sends in direction dir.
func laneOf(dir direction.Dir) int {
	if dir == direction.BA {
		return 1
	}
	return 0
}

// seconds writes a duration to the millisecond, as textbooks do: "1 s",
// "0.2 s", "0.041 s".
func seconds(d sim.Time) string {
	s := strings.TrimRight(fmt.Sprintf("%.3f", d.Seconds()), "0")
	return strings.TrimSuffix(s, ".") + " s"
}
