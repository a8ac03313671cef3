package plot

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"tcpsim/sim"
)

// Options choose the units and x axis of the flow figures.
type Options struct {
	// Segments draws sizes in segments of the sender's MSS (--units
	// segments) instead of kB.
	Segments bool
	// Rounds draws against transmission rounds (--x rounds; see Rounds)
	// instead of time.
	Rounds bool
	// Name is the file name stem; each figure appends its kind.
	Name string
	// Title starts every title, e.g. "ex26-kr-reno (seed 1)".
	Title string
	// From and To (plot --from/--to) draw only that time window (To 0:
	// to the end); the x axis then covers the window, not the run from 0.
	// Not with Rounds.
	From, To sim.Time
}

// windowed reports whether o draws a time window.
func (o Options) windowed() bool { return o.From > 0 || o.To > 0 }

// fitIn fits f's axes as fit does, to o's time window when it has one.
func (f *Figure) fitIn(o Options, yFromZero bool) {
	if !o.windowed() {
		f.fit(true, yFromZero)
		return
	}
	to := math.Inf(1)
	if o.To > 0 {
		to = o.To.Seconds()
	}
	f.window(o.From.Seconds(), to)
	f.fit(false, yFromZero)
}

// Figure kinds of a flow, in the order Flows returns them.
const (
	KindTimeSequence = "time-sequence"
	KindCwnd         = "cwnd"
	KindRwnd         = "rwnd"
)

// prepared is one run ready to draw: its data, rounds and units.
type prepared struct {
	Run
	d      *flowData
	rounds *Rounds
	unit   float64 // bytes per y unit
	colour int
	single bool
	short  string // the run's name in the legend (shortNames)
}

// at returns x of event i at time t.
func (p *prepared) at(i int, t sim.Time) float64 {
	if p.rounds != nil {
		return p.rounds.x(i, t)
	}
	return t.Seconds()
}

func (p *prepared) y(bytes int64) float64 { return float64(bytes) / p.unit }

// pick returns single when the figure shows one run, else the run's own
// colour: with one run each kind of data has its colour, with several
// each run has.
func (p *prepared) pick(single int) int {
	if p.single {
		return single
	}
	return p.colour
}

// name prefixes a series' label with the run's label.
func (p *prepared) name(what string) string { return p.Label + ", " + what }

// legend is the legend's short entry for what: with one run just what
// (the title names the run); with several, what is prefixed with the
// run's short name where the series is the run's own (main: its colour
// tells the runs apart), and left bare where one entry serves every run
// (a marker shape, drawn grey in the legend).
func (p *prepared) legend(what string, main bool) string {
	if p.single || !main {
		return what
	}
	return p.short + ": " + what
}

// shortNames returns the names the legend gives runs: the part of each
// label after "<scenario name>: " when those tell the runs apart
// ("tahoe file", "reno file"), else the labels whole.
func shortNames(runs []Run) []string {
	out := make([]string, len(runs))
	seen := map[string]bool{}
	for i, r := range runs {
		_, rest, ok := strings.Cut(r.Label, ": ")
		if !ok || rest == "" || seen[rest] {
			for j := range runs {
				out[j] = runs[j].Label
			}
			return out
		}
		seen[rest] = true
		out[i] = rest
	}
	return out
}

// runColours are the colours of overlaid runs, in order.
var runColours = []int{cBlue, cOrange, cGreen, cPurple, cBrown, cPink, cGrey, 8, 9, cRed}

// Flows builds the three figures of one TCP flow (or of the same flow in
// several runs, overlaid): the time-sequence graph, cwnd and ssthresh
// with loss, fast-retransmit and timeout markers and fast recovery
// shaded, and the receiver's advertised window.
func Flows(runs []Run, o Options) ([]*Figure, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("plot: no run to draw")
	}
	if o.Rounds && o.windowed() {
		return nil, fmt.Errorf("plot: a time window (--from, --to) is for --x time, not rounds")
	}
	if o.To > 0 && o.To <= o.From {
		return nil, fmt.Errorf("plot: the window ends at %v, not after its start %v", o.To, o.From)
	}
	ps := make([]*prepared, len(runs))
	shorts := shortNames(runs)
	for i, r := range runs {
		p := &prepared{Run: r, d: analyse(r.Events), unit: 1000, colour: runColours[i%len(runColours)], single: len(runs) == 1, short: shorts[i]}
		for k := range p.d.cwnd {
			p.d.cwnd[k].textbook = r.Textbook
		}
		if o.Segments {
			if r.MSS <= 0 {
				return nil, fmt.Errorf("plot: %s: --units segments needs the MSS", r.Label)
			}
			p.unit = float64(r.MSS)
		}
		if o.Rounds {
			rs, err := p.d.rounds(len(r.Events))
			if err != nil {
				return nil, fmt.Errorf("%w (%s)", err, r.Label)
			}
			p.rounds = rs
		}
		ps[i] = p
	}
	xLabel := "time (s)"
	if o.Rounds {
		xLabel = "transmission round (one ACK-clocked round trip each)"
	}
	unit := "kB"
	if o.Segments {
		unit = "segments of MSS bytes"
	}
	return []*Figure{
		timeSequence(ps, o, xLabel, unit),
		cwndFigure(ps, o, xLabel, unit),
		rwndFigure(ps, o, xLabel, unit),
	}, nil
}

// timeSequence is the time-sequence graph (Stevens, TCP/IP Illustrated
// vol. 1; tcptrace): each data segment a short vertical bar from its first
// to its last byte at the time it was sent, the cumulative ACK as a step
// line, the window the receiver allows (ACK + advertised window) above it,
// SACKed blocks, and the segments lost.
func timeSequence(ps []*prepared, o Options, xLabel, unit string) *Figure {
	f := &Figure{Name: o.Name + "-" + KindTimeSequence, Title: o.Title + ": time-sequence graph",
		X: Axis{Label: xLabel}, Y: Axis{Label: "sequence number relative to the ISN (" + unit + ")"}}
	for _, p := range ps {
		d := p.d
		ack := Series{Label: p.name("cumulative ACK received"), Legend: p.legend("cumulative ACK received", false), Kind: Step, Color: p.pick(cGrey)}
		win := Series{Label: p.name("ACK + advertised window (rwnd)"), Legend: p.legend("ACK + advertised window (rwnd)", false), Kind: Step, Color: p.pick(cGreen), Dashed: true}
		sack := Series{Label: p.name("SACKed blocks (RFC 2018)"), Legend: p.legend("SACKed blocks (RFC 2018)", false), Kind: Bars, Color: p.pick(cPurple), Faint: !p.single}
		for i, a := range d.acks {
			x := p.at(d.ackIdx[i], a.t)
			ack.add(x, p.y(a.ack))
			win.add(x, p.y(a.ack+a.win))
			for _, b := range a.sack {
				sack.bar(x, p.y(b[0]), p.y(b[1]))
			}
		}
		sent := Series{Label: p.name("segment sent"), Legend: p.legend("segment sent", true), Kind: Bars, Color: p.pick(cBlue)}
		retr := Series{Kind: Bars, Color: p.pick(cRed)}
		retrTop := Series{Label: p.name("retransmission"), Legend: p.legend("retransmission", false), Kind: Points, Shape: Triangle, Color: p.pick(cRed)}
		for i, s := range d.sends {
			x := p.at(d.sendIdx[i], s.t)
			if s.retrans {
				retr.bar(x, p.y(s.seq), p.y(s.seq+s.len))
				retrTop.add(x, p.y(s.seq+s.len))
			} else {
				sent.bar(x, p.y(s.seq), p.y(s.seq+s.len))
			}
		}
		lost := Series{Label: p.name("dropped (lost, queue, checksum)"), Legend: p.legend("dropped (lost, queue, checksum)", false), Kind: Points, Shape: Cross, Color: p.pick(cRed)}
		scripted := Series{Label: p.name("scripted fault (faults:)"), Legend: p.legend("scripted fault (faults:)", false), Kind: Points, Shape: Square, Color: p.pick(cOrange)}
		for i, s := range d.drops {
			x, y := p.at(d.dropIdx[i], s.t), p.y(s.seq+s.len/2)
			if s.scripted {
				scripted.add(x, y)
			} else {
				lost.add(x, y)
			}
		}
		// Extend the ACK and window lines to the end of the trace.
		if n := len(ack.X); n > 0 && d.end > 0 {
			xe := p.at(len(p.Events)-1, d.end)
			if xe > ack.X[n-1] {
				ack.add(xe, ack.Y[n-1])
				win.add(xe, win.Y[n-1])
			}
		}
		for _, s := range []Series{win, ack, sent, retr, retrTop, sack, lost, scripted} {
			if len(s.X) > 0 {
				f.Series = append(f.Series, s)
			}
		}
	}
	// Sequence numbers are no size: a window shows the ones it holds,
	// not the axis from 0.
	f.fitIn(o, !o.windowed())
	return f
}

// effective returns the window a cwnd change leaves in force: during fast
// recovery ssthresh, since the inflation by one segment per duplicate ACK
// (RFC 5681 §3.2 step 4) only lets new segments replace those that left
// and must not read as the window growing on a loss.
func (c cwndAt) effective() int64 {
	if c.textbook {
		return c.cwnd // K&R's window: never inflated (model/tcp/textbook.go)
	}
	if c.inRecovery && c.ssthresh >= 0 {
		return min(c.cwnd, c.ssthresh)
	}
	return c.cwnd - c.lent
}

// inflated reports whether the window in force differs from cwnd.
func (c cwndAt) inflated() bool { return c.effective() != c.cwnd }

// cwndFigure draws cwnd (in fast recovery, ssthresh; the inflated value
// faint) and ssthresh, with the losses, fast retransmits, ECN window
// cuts and timeouts marked at the window in force, and fast recovery shaded.
func cwndFigure(ps []*prepared, o Options, xLabel, unit string) *Figure {
	f := &Figure{Name: o.Name + "-" + KindCwnd, Title: o.Title + ": congestion window",
		X: Axis{Label: xLabel, Integer: o.Rounds}, Y: Axis{Label: "window (" + unit + ")"}}
	for i, p := range ps {
		cw := Series{Label: p.name("cwnd"), Legend: p.legend("cwnd", true), Kind: Step, Color: p.pick(cBlue)}
		ss := Series{Label: p.name("ssthresh"), Legend: p.legend("ssthresh", false), Kind: Step, Color: p.pick(cOrange), Dashed: true}
		if len(ps) > 1 {
			// Overlaid runs' ssthresh often coincide (Tahoe's and Reno's
			// halve alike): each dashes in its own slot.
			ss.DashSlot, ss.DashSlots = i, len(ps)
		}
		infl := Series{Label: p.name("cwnd inflated (fast recovery, limited transmit)"), Legend: p.legend("cwnd inflated (fast recovery, limited transmit)", false), Kind: Step, Color: p.pick(cBlue), Faint: true, Clip: true}
		var perRound []int64 // with --x rounds: the window in force by round
		if p.rounds != nil {
			perRound = cwndByRound(p, &cw, &ss)
		} else {
			cwndInTime(p, &cw, &ss, &infl)
		}
		f.Spans = append(f.Spans, recoverySpans(p)...)
		for _, s := range append([]Series{cw, ss, infl}, cwndMarkers(p, perRound)...) {
			if len(s.X) > 0 {
				f.Series = append(f.Series, s)
			}
		}
	}
	f.fitIn(o, true)
	f.Series = append(f.Series, offScale(f, ps)...)
	return f
}

// offScale marks, at the top edge of the axis, each stretch where a
// clipped series (the inflated window) runs above it, with the peak it
// reaches in the legend: the inflation is shown, but cwnd sets the scale.
func offScale(f *Figure, ps []*prepared) []Series {
	var out []Series
	for i := range f.Series {
		s := &f.Series[i]
		if !s.Clip {
			continue
		}
		peak, p := 0.0, ps[0]
		for _, q := range ps {
			if strings.HasPrefix(s.Label, q.Label+", ") {
				p = q
			}
		}
		m := Series{Kind: Points, Shape: ArrowUp, Color: s.Color}
		above := false
		for j := range s.X {
			if s.Y[j] >= f.Y.Max {
				if !above {
					m.add(s.X[j], f.Y.Max)
				}
				above = true
			} else {
				above = false
			}
		}
		for _, c := range p.d.cwnd {
			if c.inflated() {
				peak = math.Max(peak, p.y(c.cwnd))
			}
		}
		if len(m.X) == 0 {
			continue
		}
		what := fmt.Sprintf("inflated window above the axis (up to %.4g)", peak)
		m.Label, m.Legend = p.name(what), p.legend(what, false)
		if !p.single {
			m.Legend = "inflated window above the axis"
		}
		out = append(out, m)
	}
	return out
}

// cwndByRound draws cwnd and ssthresh by round (--x rounds): each round's
// last value, a round without a change keeping the one before. It returns
// the window in force by round, for the markers.
func cwndByRound(p *prepared, cw, ss *Series) []int64 {
	n := len(p.rounds.Start)
	perRound, ssRound := make([]int64, n+1), make([]int64, n+1)
	for k := range ssRound {
		ssRound[k] = -1
	}
	for _, c := range p.d.cwnd {
		k := p.rounds.Of[c.idx]
		perRound[k], ssRound[k] = c.effective(), c.ssthresh
	}
	for k := 1; k <= n; k++ { // a round without a change keeps the last value
		if perRound[k] == 0 {
			perRound[k], ssRound[k] = perRound[k-1], ssRound[k-1]
		}
	}
	cw.Kind = LinePoints
	cw.Shape = Circle
	if n > 60 {
		cw.Kind, cw.Shape = Line, "" // a glyph per round would hide the line
	}
	for k := 1; k <= n; k++ {
		cw.add(float64(k), p.y(perRound[k]))
		if ssRound[k] >= 0 {
			ss.add(float64(k), p.y(ssRound[k]))
		}
	}
	return perRound
}

// cwndInTime draws the window in force, ssthresh and (during recovery)
// the inflated cwnd in time, to the end of the trace.
func cwndInTime(p *prepared, cw, ss, infl *Series) {
	d := p.d
	inRec := false
	for k, c := range d.cwnd {
		if k+1 < len(d.cwnd) && d.cwnd[k+1].t == c.t {
			continue // changes within one instant: the last holds
		}
		x := c.t.Seconds()
		cw.add(x, p.y(c.effective()))
		if c.ssthresh >= 0 {
			ss.add(x, p.y(c.ssthresh))
		}
		if c.inflated() {
			infl.add(x, p.y(c.cwnd))
			inRec = true
		} else if inRec {
			// Close the inflated line where recovery ends.
			infl.add(x, p.y(c.effective()))
			inRec = false
		}
	}
	if n := len(cw.X); n > 0 && d.end.Seconds() > cw.X[n-1] {
		cw.add(d.end.Seconds(), cw.Y[n-1])
		if m := len(ss.X); m > 0 {
			ss.add(d.end.Seconds(), ss.Y[m-1])
		}
	}
}

// cwndMarkers marks the losses, fast retransmits, ECN window cuts and
// timeouts (those after the handshake) at the window in force: just
// before the instant in time (before a cut), the round's value in rounds
// (perRound not nil).
func cwndMarkers(p *prepared, perRound []int64) []Series {
	d := p.d
	at := func(i int, t sim.Time) (float64, float64) {
		if perRound != nil {
			k := p.rounds.Of[i]
			return float64(k), p.y(perRound[k])
		}
		v := int64(0)
		if k := sort.Search(len(d.cwnd), func(k int) bool { return d.cwnd[k].t >= t }); k > 0 {
			v = d.cwnd[k-1].effective()
		}
		return t.Seconds(), p.y(v)
	}
	loss := Series{Label: p.name("segment lost"), Legend: p.legend("segment lost", false), Kind: Points, Shape: Cross, Color: p.pick(cRed)}
	for i, s := range d.drops {
		loss.add(at(d.dropIdx[i], s.t))
	}
	if perRound != nil {
		// In rounds the loss is at its round's cwnd dot: the cross goes
		// above it, clear of the dot (issue 20, Fig 3.53).
		loss.Lift = 13
	}
	fr := Series{Label: p.name("fast retransmit"), Legend: p.legend("fast retransmit", false), Kind: Points, Shape: Triangle, Color: p.pick(cPurple)}
	for i, t := range d.fastRetrans {
		fr.add(at(d.fastIdx[i], t))
	}
	ecn := Series{Label: p.name("ECN window cut"), Legend: p.legend("ECN window cut", false), Kind: Points, Shape: Ring, Color: p.pick(cGreen)}
	for i, t := range d.ecnCut {
		ecn.add(at(d.ecnIdx[i], t))
	}
	rto := Series{Label: p.name("retransmission timeout"), Legend: p.legend("retransmission timeout", false), Kind: Points, Shape: Square, Color: p.pick(cBrown)}
	for i, t := range d.rto {
		if d.firstDataIdx >= 0 && d.rtoIdx[i] < d.firstDataIdx {
			continue // the handshake's: no window yet
		}
		rto.add(at(d.rtoIdx[i], t))
	}
	return []Series{loss, fr, ecn, rto}
}

// recoverySpans shades the fast recovery episodes: in time, or in rounds
// (a quarter round either side when one starts and ends in one round).
func recoverySpans(p *prepared) []Span {
	var spans []Span
	for i, r := range p.d.recovery {
		sp := Span{Label: p.name("fast recovery"), Legend: p.legend("fast recovery", true), From: r[0].Seconds(), To: r[1].Seconds(), Color: p.pick(cGrey)}
		if p.rounds != nil {
			a, b := p.rounds.Of[p.d.recoveryIdx[i][0]], p.rounds.Of[p.d.recoveryIdx[i][1]]
			sp.From, sp.To = float64(a), float64(b)
			if a == b {
				sp.From, sp.To = float64(a)-0.25, float64(a)+0.25
			}
		}
		spans = append(spans, sp)
	}
	return spans
}

// rwndFigure draws the window the receiver advertises, from 0: a window
// that does not change is a flat line, not a full-height jump.
func rwndFigure(ps []*prepared, o Options, xLabel, unit string) *Figure {
	f := &Figure{Name: o.Name + "-" + KindRwnd, Title: o.Title + ": receive window advertised by the receiver",
		X: Axis{Label: xLabel}, Y: Axis{Label: "advertised window (" + unit + ")"}}
	for _, p := range ps {
		s := Series{Label: p.name("rwnd"), Legend: p.legend("rwnd", true), Kind: Step, Color: p.pick(cGreen)}
		for _, r := range p.d.rwnd {
			s.add(p.at(r.idx, r.t), p.y(r.cwnd))
		}
		if n := len(s.X); n > 0 {
			if xe := p.at(len(p.Events)-1, p.d.end); xe > s.X[n-1] {
				s.add(xe, s.Y[n-1])
			}
			f.Series = append(f.Series, s)
		}
	}
	f.fitIn(o, true)
	return f
}
