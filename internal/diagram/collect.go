package diagram

import (
	"fmt"
	"strings"

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
	dir       string   // "a->b" or "b->a"
	t0        sim.Time // departure
	text      string   // label, without the direction
	end       endKind
	corrupted bool
	scripted  bool // lost or corrupted by the scenario's faults: section
	depart    int  // index of its departure item, -1 if it left before the window
	arrive    int  // index of its end item, -1 while open or if it ended before the window
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
	row   int // first row, set by the layout
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
// brackets. Every event counts for the connection's ISN, for datagram
// numbers, duplicate-ACK runs and timer arms, whatever the window; only
// items at or after opt.From are made (layout applies opt.To and the cut).
func collect(evs []trace.Event, opt *Options, g *glyphs) chart {
	type key struct {
		dir string
		id  uint64
	}
	var c chart
	open := map[key]int{}
	isn := map[string]uint32{}     // per direction: the ISN, from the SYN
	sent := map[string]int{}       // per direction: packets sent so far (datagram numbers)
	clientDir, senderDir := "", "" // who sent the SYN; who sends rdt data
	retransNext := map[string]bool{}
	lastAck := map[string]uint32{} // per direction: the last pure ACK's number
	dupRun := map[string]int{}     // per direction: duplicate ACKs in a row
	lastWin := map[string]int{}    // per direction: the window of that ACK
	armed := map[string]int{}      // timer detail -> index of its last timer-set event
	var rtoAt sim.Time = -1        // when a retransmission timer last fired
	in := func(t sim.Time) bool { return t >= opt.From }
	add := func(it item) int {
		c.items = append(c.items, it)
		return len(c.items) - 1
	}
	arrowPrefix := func(dir string) string {
		if dir == "b->a" {
			return g.ba
		}
		return g.ab
	}
	for i := range evs {
		e := &evs[i]
		switch e.Kind {
		case trace.Send:
			retransNext[e.Dir] = e.Retrans
		case trace.Enqueue, trace.QueueDrop, trace.EarlyDrop:
			if strings.Contains(e.Flags, "SYN") {
				if _, ok := isn[e.Dir]; !ok {
					isn[e.Dir] = e.Seq
				}
				if clientDir == "" && !strings.Contains(e.Flags, "ACK") {
					clientDir = e.Dir
				}
			}
			if e.Proto == "rdt" && e.Flags != "ACK" && senderDir == "" {
				senderDir = e.Dir
			}
			sent[e.Dir]++
			text := label(e, isn)
			if e.Proto == "udp" {
				text = fmt.Sprintf("datagram %d len=%d", sent[e.Dir], e.Len)
			}
			retrans := retransNext[e.Dir]
			retransNext[e.Dir] = false
			if retrans {
				back := "b->a"
				if e.Dir == "b->a" {
					back = "a->b"
				}
				switch {
				case e.T == rtoAt:
					text += "  (timeout retransmission)"
				case dupRun[back] >= 3:
					text += "  (fast retransmission)"
				default:
					text += "  (retransmission)"
				}
			}
			if e.Proto == "tcp" && e.Len == 0 && e.Flags == "ACK" {
				prev, ok := lastAck[e.Dir]
				switch {
				case ok && prev == e.Ack && lastWin[e.Dir] == e.Win:
					text += "  (duplicate ACK)"
					dupRun[e.Dir]++
				case ok && prev == e.Ack:
					text += "  (window update)"
					dupRun[e.Dir] = 0
				default:
					dupRun[e.Dir] = 0
				}
				lastAck[e.Dir], lastWin[e.Dir] = e.Ack, e.Win
			}
			a := arrow{dir: e.Dir, t0: e.T, text: text, depart: -1, arrive: -1}
			if !in(e.T) {
				// Left before the window: drawn from above the top
				// if it arrives within it.
				if e.Kind == trace.Enqueue {
					open[key{e.Dir, e.ID}] = len(c.arrows)
					c.arrows = append(c.arrows, a)
				}
				continue
			}
			a.depart = add(item{t: e.T, order: i, timed: true, kind: itemDepart, arrow: len(c.arrows), text: arrowPrefix(e.Dir) + text})
			if e.Kind == trace.QueueDrop || e.Kind == trace.EarlyDrop {
				why := " dropped, queue full: "
				if e.Kind == trace.EarlyDrop {
					why = " dropped early by the queue's AQM: "
				}
				a.end = endQueueDrop
				a.arrive = add(item{t: e.T, order: i, timed: true, kind: itemArrive, arrow: len(c.arrows),
					text: string(g.lost) + why + text})
				c.arrows = append(c.arrows, a)
				continue
			}
			open[key{e.Dir, e.ID}] = len(c.arrows)
			c.arrows = append(c.arrows, a)
		case trace.Duplicate:
			// The copy is a new packet, made on the wire.
			text := label(e, isn) + " (duplicate)"
			a := arrow{dir: e.Dir, t0: e.T, text: text, depart: -1, arrive: -1}
			if in(e.T) {
				a.depart = add(item{t: e.T, order: i, timed: true, kind: itemDepart, arrow: len(c.arrows), text: arrowPrefix(e.Dir) + text})
			}
			open[key{e.Dir, e.ID}] = len(c.arrows)
			c.arrows = append(c.arrows, a)
		case trace.Corrupt:
			if j, ok := open[key{e.Dir, e.ID}]; ok {
				c.arrows[j].corrupted = true
				c.arrows[j].scripted = c.arrows[j].scripted || e.Scripted
			}
		case trace.Lost:
			if j, ok := open[key{e.Dir, e.ID}]; ok {
				// Lost on the wire: drawn as vanishing half way to the
				// other host, on a row of its own without a time.
				a := &c.arrows[j]
				a.end, a.scripted = endLost, e.Scripted
				text := string(g.lost) + " lost: " + a.text
				if e.Scripted {
					text = string(g.lost) + " lost (scripted): " + a.text
				}
				if at := e.T + opt.Delay/2; in(at) {
					a.arrive = add(item{t: at, order: i, kind: itemArrive, arrow: j, text: text})
				}
				delete(open, key{e.Dir, e.ID})
			}
		case trace.Deliver:
			if j, ok := open[key{e.Dir, e.ID}]; ok {
				a := &c.arrows[j]
				a.end = endDeliver
				text := ""
				switch {
				case a.corrupted && a.scripted:
					text = "corrupted (scripted), checksum still matches, delivered: " + a.text
				case a.corrupted:
					text = "corrupted, delivered (no checksum): " + a.text
				}
				if in(e.T) {
					a.arrive = add(item{t: e.T, order: i, timed: true, kind: itemArrive, arrow: j, text: text})
				}
				// A checksum drop follows the delivery at the same
				// instant; keep the arrow findable until then.
			}
		case trace.DequeueDrop:
			// CoDel dropped it at the head of the queue: it never
			// left the sender's side.
			if j, ok := open[key{e.Dir, e.ID}]; ok {
				a := &c.arrows[j]
				a.end = endQueueDrop
				if in(e.T) {
					a.arrive = add(item{t: e.T, order: i, timed: true, kind: itemArrive, arrow: j,
						text: string(g.lost) + " dropped at the head of the queue by its AQM: " + a.text})
				}
				delete(open, key{e.Dir, e.ID})
			}
		case trace.ChecksumDrop:
			if j, ok := open[key{e.Dir, e.ID}]; ok {
				a := &c.arrows[j]
				a.end = endChecksum
				if a.arrive < 0 && in(e.T) {
					a.arrive = add(item{t: e.T, order: i, timed: true, kind: itemArrive, arrow: j})
				}
				if a.arrive >= 0 {
					c.items[a.arrive].text = string(g.lost) + " bad checksum, dropped: " + a.text
				}
				delete(open, key{e.Dir, e.ID})
			}
		case trace.TimerSet:
			if strings.Contains(e.Detail, "retransmission") || strings.Contains(e.Detail, "persist") {
				armed[e.Detail] = i
			}
		case trace.TimerFired:
			side, rest, _ := strings.Cut(e.Detail, " ")
			var timer, text, value string
			switch {
			case strings.Contains(e.Detail, "retransmission"):
				rtoAt = e.T
				timer = side + "'s retransmission timer"
				if _, pkt, ok := strings.Cut(rest, "timer for "); ok { // rdt flows name the packet guarded
					pkt, _, _ = strings.Cut(pkt, " at ")
					timer = side + "'s timer for " + pkt
				}
				text, value = "TIMEOUT: "+timer+" fired, ", "RTO "
			case strings.Contains(e.Detail, "persist"):
				// RFC 9293 §3.8.6.1: the zero-window probe.
				timer = side + "'s persist timer"
				text, value = "persist timer fired: window probe, after ", ""
			default:
				continue
			}
			if !in(e.T) {
				continue
			}
			b := bracket{lane: sideLane(side, clientDir, senderDir), arm: -1, fireOrder: i, col: -1, armedEarly: true}
			if k, ok := armed[e.Detail]; ok {
				b.armOrder = k
				d := value + seconds(e.T-evs[k].T)
				text += d
				if in(evs[k].T) {
					b.armedEarly = false
					b.arm = add(item{t: evs[k].T, order: k, timed: true, kind: itemArm,
						text: timer + " armed: " + d})
				}
			} else {
				text = strings.TrimSuffix(strings.TrimSuffix(text, ", "), ", after ")
			}
			b.fire = add(item{t: e.T, order: i, timed: true, kind: itemFire, text: text})
			c.brackets = append(c.brackets, b)
		case trace.State, trace.Decision:
			if in(e.T) {
				add(item{t: e.T, order: i, timed: true, kind: itemNote, text: e.Detail})
			}
		}
	}
	return c
}

// sideLane is the lane of an endpoint named in a timer's detail: the
// client is whoever sent the SYN, an rdt sender whoever sends data.
func sideLane(side, clientDir, senderDir string) int {
	from := "a->b"
	switch side {
	case "client":
		if clientDir != "" {
			from = clientDir
		}
	case "server":
		from = "b->a"
		if clientDir == "b->a" {
			from = "a->b"
		}
	case "sender":
		if senderDir != "" {
			from = senderDir
		}
	case "receiver":
		from = "b->a"
		if senderDir == "b->a" {
			from = "a->b"
		}
	}
	if from == "b->a" {
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
