// Package diagram draws the textbook ladder (sequence) diagram of a flow
// from a run's trace: two vertical lanes for hosts a and b, time going
// down, every packet a sloping arrow from its departure to its arrival,
// lost packets ending in X, with labels such as "SYN seq=0" and
// "ACK ack=1 win=65535" and notes for timeouts, retransmissions, checksum
// drops and state changes.
package diagram

import (
	"fmt"
	"sort"
	"strings"

	"tcpsim/internal/trace"
	"tcpsim/sim"
)

// Options shape the drawing.
type Options struct {
	ASCII      bool     // plain ASCII instead of Unicode box drawing
	Delay      sim.Time // one-way delay: an arrow of this length spans RowsPerDelay rows
	Width      int      // columns between the lanes (default 40)
	MaxPackets int      // stop after this many packets (0 = all)
}

// RowsPerDelay is how many rows a one-way delay spans.
const RowsPerDelay = 5

type arrow struct {
	dir       string // "a->b" or "b->a"
	t0, t1    sim.Time
	label     string
	end       string // "deliver", "lost", "queue-drop", "checksum"
	retrans   bool
	corrupted bool
	scripted  bool // lost or corrupted by the scenario's faults: section
	startRow  int
	endRow    int
}

type note struct {
	t    sim.Time
	text string
}

type glyphs struct {
	lane, down, up, right, left, lost string
}

var (
	unicodeGlyphs = glyphs{"│", "╲", "╱", "▶", "◀", "✗"}
	asciiGlyphs   = glyphs{"|", "\\", "/", ">", "<", "X"}
)

// Draw renders the events of one flow (already filtered by flow and time
// window) as a ladder diagram.
func Draw(evs []trace.Event, opt Options) string {
	if opt.Width == 0 {
		opt.Width = 40
	}
	g := unicodeGlyphs
	if opt.ASCII {
		g = asciiGlyphs
	}
	arrows, notes, truncated := collect(evs, opt.MaxPackets, opt.Delay)
	// Rows: one per distinct time, spaced in proportion to the gaps, so
	// that an arrow of one delay spans about RowsPerDelay rows.
	var times []sim.Time
	for _, a := range arrows {
		times = append(times, a.t0, a.t1)
	}
	for _, n := range notes {
		times = append(times, n.t)
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	rowOf := map[sim.Time]int{}
	q := opt.Delay / RowsPerDelay
	if q <= 0 {
		q = sim.Millisecond
	}
	row := 0
	for i, t := range times {
		if i > 0 && t != times[i-1] {
			gap := int((t - times[i-1] + q - 1) / q)
			row += min(max(gap, 1), RowsPerDelay)
		}
		rowOf[t] = row
	}
	nrows := row + 1
	if len(times) == 0 {
		nrows = 0
	}
	grid := make([][]string, nrows)
	notesAt := make([][]string, nrows)
	timeAt := make([]sim.Time, nrows)
	hasTime := make([]bool, nrows)
	for t, r := range rowOf {
		timeAt[r], hasTime[r] = t, true
	}
	const laneA = 0
	laneB := opt.Width + 1
	for r := range grid {
		grid[r] = make([]string, laneB+1)
		for c := range grid[r] {
			grid[r][c] = " "
		}
		grid[r][laneA], grid[r][laneB] = g.lane, g.lane
	}
	for i := range arrows {
		a := &arrows[i]
		a.startRow, a.endRow = rowOf[a.t0], rowOf[a.t1]
		drawArrow(grid, a, laneA, laneB, g)
		prefix := "a→b "
		if a.dir == "b->a" {
			prefix = "b→a "
		}
		if opt.ASCII {
			prefix = strings.Replace(prefix, "→", "->", 1)
		}
		label := prefix + a.label
		if a.retrans {
			label += "  (retransmission)"
		}
		notesAt[a.startRow] = append(notesAt[a.startRow], label)
		switch a.end {
		case "lost":
			if a.scripted {
				notesAt[a.endRow] = append(notesAt[a.endRow], g.lost+" lost (scripted): "+a.label)
			} else {
				notesAt[a.endRow] = append(notesAt[a.endRow], g.lost+" lost: "+a.label)
			}
		case "queue-drop":
			notesAt[a.endRow] = append(notesAt[a.endRow], g.lost+" dropped, queue full: "+a.label)
		case "checksum":
			notesAt[a.endRow] = append(notesAt[a.endRow], g.lost+" bad checksum, dropped: "+a.label)
		}
		switch {
		case a.corrupted && a.end == "deliver" && a.scripted:
			notesAt[a.endRow] = append(notesAt[a.endRow], "corrupted (scripted), checksum still matches, delivered: "+a.label)
		case a.corrupted && a.end == "deliver":
			notesAt[a.endRow] = append(notesAt[a.endRow], "corrupted, delivered (no checksum): "+a.label)
		}
	}
	for _, n := range notes {
		r := rowOf[n.t]
		notesAt[r] = append(notesAt[r], n.text)
	}
	var b strings.Builder
	head := fmt.Sprintf("%11s  %-*s%s", "time (s)", laneB, "a", "b")
	b.WriteString(strings.TrimRight(head, " ") + "\n")
	for r := range grid {
		ts := ""
		if hasTime[r] {
			ts = fmt.Sprintf("%.6f", timeAt[r].Seconds())
		}
		line := fmt.Sprintf("%11s  %s", ts, strings.Join(grid[r], ""))
		if len(notesAt[r]) > 0 {
			line += "   " + strings.Join(notesAt[r], "; ")
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	if truncated {
		b.WriteString(fmt.Sprintf("... (stopped after %d packets; use --max-packets or --from/--to)\n", opt.MaxPackets))
	}
	return b.String()
}

// drawArrow draws a's slope: one glyph per row, moving from one lane to the
// other, ending in an arrowhead or, for a loss, in X half way.
func drawArrow(grid [][]string, a *arrow, laneA, laneB int, g glyphs) {
	from, to, slope, head := laneA+1, laneB-1, g.down, g.right
	if a.dir == "b->a" {
		from, to, slope, head = laneB-1, laneA+1, g.up, g.left
	}
	span := a.endRow - a.startRow
	x := func(r int) int {
		if span == 0 {
			return to
		}
		return from + (to-from)*(r-a.startRow)/span
	}
	last := a.endRow
	if a.end == "lost" {
		// The packet vanishes half way across: the slope is that of a
		// full crossing in twice the rows.
		half := func(r int) int {
			if span == 0 {
				return (from + to) / 2
			}
			return from + (to-from)*(r-a.startRow)/(2*span)
		}
		for r := a.startRow; r < last; r++ {
			grid[r][half(r)] = slope
		}
		grid[last][half(last)] = g.lost
		return
	}
	if a.end == "queue-drop" {
		grid[a.startRow][from] = g.lost
		return
	}
	for r := a.startRow; r < last; r++ {
		grid[r][x(r)] = slope
	}
	if a.end == "checksum" {
		grid[last][to] = g.lost
	} else {
		grid[last][to] = head
	}
}

// collect turns trace events into arrows and notes.
func collect(evs []trace.Event, maxPackets int, delay sim.Time) ([]arrow, []note, bool) {
	type key struct {
		dir string
		id  uint64
	}
	open := map[key]int{}
	var arrows []arrow
	var notes []note
	isn := map[string]uint32{} // per direction: the ISN, from the SYN
	retransNext := map[string]bool{}
	lastAck := map[string]uint32{} // per direction: the last pure ACK's number
	dupRun := map[string]int{}     // per direction: duplicate ACKs in a row
	lastWin := map[string]int{}    // per direction: the window of that ACK
	var rtoAt sim.Time = -1        // when a retransmission timer last fired
	truncated := false
	for _, e := range evs {
		switch e.Kind {
		case trace.Send:
			retransNext[e.Dir] = e.Retrans
		case trace.Enqueue, trace.QueueDrop, trace.EarlyDrop:
			if maxPackets > 0 && len(arrows) >= maxPackets {
				truncated = true
				continue
			}
			if e.Flags != "" && strings.Contains(e.Flags, "SYN") {
				if _, ok := isn[e.Dir]; !ok {
					isn[e.Dir] = e.Seq
				}
			}
			a := arrow{dir: e.Dir, t0: e.T, t1: e.T, label: label(&e, isn), retrans: retransNext[e.Dir]}
			retransNext[e.Dir] = false
			if a.retrans {
				back := "b->a"
				if e.Dir == "b->a" {
					back = "a->b"
				}
				switch {
				case e.T == rtoAt:
					a.label += "  (timeout retransmission)"
				case dupRun[back] >= 3:
					a.label += "  (fast retransmission)"
				default:
					a.label += "  (retransmission)"
				}
				a.retrans = false
			}
			if e.Proto == "tcp" && e.Len == 0 && e.Flags == "ACK" {
				prev, ok := lastAck[e.Dir]
				switch {
				case ok && prev == e.Ack && lastWin[e.Dir] == e.Win:
					a.label += "  (duplicate ACK)"
					dupRun[e.Dir]++
				case ok && prev == e.Ack:
					a.label += "  (window update)"
					dupRun[e.Dir] = 0
				default:
					dupRun[e.Dir] = 0
				}
				lastAck[e.Dir], lastWin[e.Dir] = e.Ack, e.Win
			}
			if e.Kind == trace.QueueDrop || e.Kind == trace.EarlyDrop {
				a.end = "queue-drop"
				arrows = append(arrows, a)
				continue
			}
			open[key{e.Dir, e.ID}] = len(arrows)
			arrows = append(arrows, a)
		case trace.Duplicate:
			// The copy is a new packet, made on the wire.
			open[key{e.Dir, e.ID}] = len(arrows)
			arrows = append(arrows, arrow{dir: e.Dir, t0: e.T, t1: e.T, label: label(&e, isn) + " (duplicate)"})
		case trace.Corrupt:
			if i, ok := open[key{e.Dir, e.ID}]; ok {
				arrows[i].corrupted = true
				arrows[i].scripted = arrows[i].scripted || e.Scripted
			}
		case trace.Lost:
			if i, ok := open[key{e.Dir, e.ID}]; ok {
				// Lost on the wire: drawn as vanishing half way to
				// the other host.
				arrows[i].t1, arrows[i].end = e.T+delay/2, "lost"
				arrows[i].scripted = e.Scripted
				delete(open, key{e.Dir, e.ID})
			}
		case trace.Deliver:
			if i, ok := open[key{e.Dir, e.ID}]; ok {
				arrows[i].t1, arrows[i].end = e.T, "deliver"
			}
		case trace.DequeueDrop:
			// CoDel dropped it at the head of the queue: it never
			// left the sender's side.
			if i, ok := open[key{e.Dir, e.ID}]; ok {
				arrows[i].end = "queue-drop"
				delete(open, key{e.Dir, e.ID})
			}
		case trace.ChecksumDrop:
			if i, ok := open[key{e.Dir, e.ID}]; ok {
				arrows[i].end = "checksum"
				delete(open, key{e.Dir, e.ID})
			}
		case trace.TimerFired:
			if strings.Contains(e.Detail, "retransmission") {
				rtoAt = e.T
				side, rest, _ := strings.Cut(e.Detail, " ")
				text := "TIMEOUT: " + side + "'s retransmission timer fired"
				if _, pkt, ok := strings.Cut(rest, "timer for "); ok { // rdt flows name the packet guarded
					pkt, _, _ = strings.Cut(pkt, " at ")
					text = "TIMEOUT: " + side + "'s timer for " + pkt + " fired"
				}
				notes = append(notes, note{e.T, text})
			} else if strings.Contains(e.Detail, "persist") {
				notes = append(notes, note{e.T, "persist timer fired: window probe"})
			}
		case trace.State, trace.Decision:
			notes = append(notes, note{e.T, e.Detail})
		}
	}
	// Packets still open at the end of the window arrive off the chart.
	var out []arrow
	for _, a := range arrows {
		if a.end != "" {
			out = append(out, a)
		}
	}
	return out, notes, truncated
}

// label writes a packet as textbooks do, with sequence numbers relative to
// each side's ISN (as Wireshark shows them).
func label(e *trace.Event, isn map[string]uint32) string {
	switch e.Proto {
	case "udp":
		return fmt.Sprintf("UDP len=%d", e.Len)
	case "rdt": // stop-and-wait, go-back-n, selective-repeat: K&R's labels
		if e.Flags == "ACK" {
			return fmt.Sprintf("ACK %d", e.Ack)
		}
		return fmt.Sprintf("pkt %d", e.Seq)
	}
	rel := func(dir string, v uint32) uint32 { return v - isn[dir] }
	other := "b->a"
	if e.Dir == "b->a" {
		other = "a->b"
	}
	flags := e.Flags
	if flags == "ACK" || flags == "ACK,PSH" || flags == "PSH,ACK" {
		flags = ""
	}
	flags = strings.ReplaceAll(flags, ",PSH", "")
	if !strings.Contains(flags, "SYN") {
		flags = strings.ReplaceAll(flags, ",ACK", "") // "FIN ... ack=", but "SYN,ACK" as textbooks write it
	}
	var parts []string
	if flags != "" {
		parts = append(parts, flags)
	}
	if e.Len > 0 || strings.Contains(e.Flags, "SYN") || strings.Contains(e.Flags, "FIN") {
		parts = append(parts, fmt.Sprintf("seq=%d", rel(e.Dir, e.Seq)))
	}
	if e.Len > 0 {
		parts = append(parts, fmt.Sprintf("len=%d", e.Len))
	}
	_, acked := isn[other]
	acked = acked && strings.Contains(e.Flags, "ACK")
	switch {
	case e.Len == 0 && flags == "" && acked && e.SACK.N > 0:
		// A pure ACK with SACK blocks (RFC 2018): "ACK ack=x SACK l-r ...",
		// the blocks relative to the same ISN as the ACK.
		parts = append(parts, fmt.Sprintf("ACK ack=%d", rel(other, e.Ack)), sackLabel(e, rel(other, 0)))
	case e.Len == 0 && flags == "" && acked:
		// A pure ACK: the textbook "ACK ack=x win=w".
		parts = append(parts, fmt.Sprintf("ACK ack=%d win=%d", rel(other, e.Ack), e.Win))
	case acked && e.SACK.N > 0:
		parts = append(parts, fmt.Sprintf("ack=%d", rel(other, e.Ack)))
		if flags != "" {
			parts = append(parts, fmt.Sprintf("win=%d", e.Win))
		}
		parts = append(parts, sackLabel(e, rel(other, 0)))
	case acked:
		parts = append(parts, fmt.Sprintf("ack=%d", rel(other, e.Ack)))
		if flags != "" {
			parts = append(parts, fmt.Sprintf("win=%d", e.Win))
		}
	default:
		parts = append(parts, fmt.Sprintf("win=%d", e.Win))
	}
	return strings.Join(parts, " ")
}

// sackLabel writes a segment's SACK blocks as "SACK l-r l-r", each edge
// less base (zero less the ISN they are relative to, so that adding it
// makes them relative).
func sackLabel(e *trace.Event, base uint32) string {
	var b strings.Builder
	b.WriteString("SACK")
	for _, r := range e.SACK.Blocks[:min(max(e.SACK.N, 0), trace.MaxSACKBlocks)] {
		fmt.Fprintf(&b, " %d-%d", r[0]+base, r[1]+base)
	}
	return b.String()
}
