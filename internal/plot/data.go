package plot

import (
	"tcpsim/internal/direction"
	"tcpsim/internal/flowview"
	proto "tcpsim/internal/protocol"
	"tcpsim/internal/trace"
	"tcpsim/sim"
)

// Run is one simulated run of a TCP flow, as the flow figures draw it.
type Run struct {
	// Label names the run's series: "<scenario name>: <algorithm> <flow>".
	Label string
	// Events are the flow's trace events (run with
	// run.Options.TraceRecovery, so that fast recovery can be shaded).
	Events []trace.Event
	// MSS is the sender's segment size, for --units segments.
	MSS int
	// Textbook says the flow ran Kurose & Ross's window (textbook_window:
	// true): in fast recovery cwnd, ssthresh + 3 segments, is the window
	// in force and is drawn as cwnd, not as inflation (the figure's 9).
	Textbook bool
}

// segment is a data segment sent, lost or dropped, with sequence numbers
// relative to the ISN (the first data byte is 0).
type segment struct {
	t        sim.Time
	seq, len int64
	retrans  bool
	scripted bool
}

// ackAt is an ACK as it reached the data sender.
type ackAt struct {
	t    sim.Time
	ack  int64 // relative
	win  int64 // advertised window, bytes
	sack [][2]int64
	dup  bool // no new data acknowledged
	ece  bool // ECN-Echo set: the receiver saw a CE mark (RFC 3168 §6.1.3)
}

// cwndAt is a cwnd or ssthresh change of the sender; ssthresh < 0 while
// it is still "arbitrarily high" (RFC 5681 §3.1).
type cwndAt struct {
	t              sim.Time
	cwnd, ssthresh int64
	inRecovery     bool
	lent           int64 // bytes of cwnd lent by Limited Transmit (RFC 3042)
	idx            int   // index of the event, for rounds
	textbook       bool  // Run.Textbook: no inflation, cwnd is in force
}

// flowData is what the flow figures read from one run's trace, in trace
// order; idx fields index Run.Events so that rounds can be assigned.
type flowData struct {
	dataDir      direction.Dir
	sends        []segment
	sendIdx      []int
	acks         []ackAt
	ackIdx       []int
	drops        []segment
	dropIdx      []int
	cwnd         []cwndAt
	rwnd         []cwndAt // cwnd holds the advertised window
	rto          []sim.Time
	rtoIdx       []int
	fastRetrans  []sim.Time // recovery entered; without recovery events (Tahoe), ssthresh lowered without a timeout
	fastIdx      []int
	ecnCut       []sim.Time // ssthresh lowered for an ECN-Echo, no retransmission (RFC 3168 §6.1.2)
	ecnIdx       []int
	recovery     [][2]sim.Time // fast-recovery episodes [enter, leave]
	recoveryIdx  [][2]int
	end          sim.Time
	synRTT       sim.Time // SYN sent to SYN-ACK received; 0 if unknown
	hasRecovery  bool     // the trace carries recovery events
	maxSsthresh  int64
	firstDataIdx int
}

// hugeSsthresh: a ssthresh at or above it is the initial "arbitrarily
// high" value, not drawn.
const hugeSsthresh = 1 << 29

// sender is the side that sends the data of a bulk flow: the client.
const sender = trace.RoleClient

// analyse reads a run's events through the flow's reader (flowview),
// which keeps the ISNs, the data direction, the handshake RTT, the
// sender's timeouts and its recovery episodes.
func analyse(evs []trace.Event) *flowData {
	a := &analyser{d: &flowData{firstDataIdx: -1}, r: flowview.NewReader(), highAck: -1, lastRTO: -1, prevSs: -1}
	for i := range evs {
		a.event(i, &evs[i])
	}
	d := a.d
	d.episodes(a.r, evs)
	d.classifyCuts(a.cuts, evs)
	d.markRecoveryCwnd(evs)
	return d
}

// analyser is what analyse carries from one event to the next.
type analyser struct {
	d       *flowData
	r       *flowview.Reader
	highAck int64    // the highest ACK seen, relative
	lastRTO sim.Time // the sender's last timeout
	prevSs  int64    // ssthresh before the current cwnd event
	cuts    []ssCut  // congestion responses outside a timeout, sorted out at the end
}

// rel makes a sequence number relative to the first byte after the SYN:
// the first data byte is 0. Without the SYN (a capture that missed the
// handshake) it stays absolute.
func (a *analyser) rel(dir direction.Dir, v uint32) int64 {
	isn, ok := a.r.ISN(dir)
	if !ok {
		return int64(v)
	}
	return int64(v - isn - 1)
}

// event reads event i: a data segment sent or lost, an ACK reaching the
// sender, a timeout, a cwnd or rwnd change.
func (a *analyser) event(i int, e *trace.Event) {
	d, r := a.d, a.r
	d.end = max(d.end, e.T)
	step := r.Step(i, e)
	if d.synRTT == 0 {
		d.synRTT = r.SYNRTT()
	}
	switch {
	case e.Is(proto.TCP) && e.Kind == trace.Send && e.Len > 0:
		if d.dataDir == "" {
			d.dataDir = r.DataDir()
			d.firstDataIdx = i
		}
		if e.Dir != d.dataDir {
			return
		}
		d.sends = append(d.sends, segment{t: e.T, seq: a.rel(e.Dir, e.Seq), len: int64(e.Len), retrans: e.Retrans})
		d.sendIdx = append(d.sendIdx, i)
	case e.Is(proto.TCP) && e.Len > 0 && e.Dir == d.dataDir && d.dataDir != "" &&
		(e.Kind == trace.Lost || e.Kind == trace.QueueDrop || e.Kind == trace.ChecksumDrop || (e.Kind == trace.Corrupt && e.Scripted)):
		d.drops = append(d.drops, segment{t: e.T, seq: a.rel(e.Dir, e.Seq), len: int64(e.Len), scripted: e.Scripted})
		d.dropIdx = append(d.dropIdx, i)
	case e.Is(proto.TCP) && e.Kind == trace.Deliver && e.Len == 0 && d.dataDir != "" && e.Dir != d.dataDir && e.Has(trace.FlagACK):
		a.ack(i, e)
	case e.Kind == trace.Recovery && e.Role() == sender:
		d.hasRecovery = true
	case step.Timer != nil && step.Timer.Role == sender && step.Timer.Kind == flowview.Retransmission:
		d.rto = append(d.rto, e.T)
		d.rtoIdx = append(d.rtoIdx, i)
		a.lastRTO = e.T
	case e.Kind == trace.Cwnd && e.Role() == sender:
		a.cwnd(i, e)
	case e.Kind == trace.Rwnd && e.Role() != sender:
		d.rwnd = append(d.rwnd, cwndAt{t: e.T, cwnd: e.Value, idx: i})
	}
}

// ack reads an ACK that reached the data sender.
func (a *analyser) ack(i int, e *trace.Event) {
	d := a.d
	k := ackAt{t: e.T, ack: a.rel(d.dataDir, e.Ack), win: int64(e.Win)}
	k.dup = k.ack == a.highAck
	k.ece = e.Has(trace.FlagECE)
	a.highAck = max(a.highAck, k.ack)
	for _, b := range e.SACK.Blocks[:min(max(e.SACK.N, 0), trace.MaxSACKBlocks)] {
		k.sack = append(k.sack, [2]int64{a.rel(d.dataDir, b[0]), a.rel(d.dataDir, b[1])})
	}
	d.acks = append(d.acks, k)
	d.ackIdx = append(d.ackIdx, i)
}

// cwnd reads a change of the sender's cwnd or ssthresh.
func (a *analyser) cwnd(i int, e *trace.Event) {
	d := a.d
	inRec := a.r.InRecovery(sender)
	ss := e.Value2
	if ss >= hugeSsthresh {
		ss = -1
	} else {
		d.maxSsthresh = max(d.maxSsthresh, ss)
	}
	// A congestion event lowers ssthresh (or sets it for the first
	// time); without a timeout at the same instant it is a fast
	// retransmit (RFC 5681 §3.2). Outside recovery, cwnd cut to
	// ssthresh by an ACK carrying ECN-Echo is an ECN window cut
	// (RFC 3168 §6.1.2), whether or not ssthresh went down.
	// Which is which is sorted out at the end (classifyCuts).
	if a.lastRTO != e.T && d.firstDataIdx >= 0 {
		lowered := ss >= 0 && (a.prevSs < 0 || ss < a.prevSs)
		ece := false
		if n, m := len(d.acks), len(d.cwnd); n > 0 && m > 0 && d.acks[n-1].t == e.T && d.acks[n-1].ece {
			ece = !inRec && ss >= 0 && e.Value == ss && e.Value < d.cwnd[m-1].cwnd
		}
		if lowered || ece {
			a.cuts = append(a.cuts, ssCut{t: e.T, idx: i, lowered: lowered, ece: ece})
		}
	}
	c := cwndAt{t: e.T, cwnd: e.Value, ssthresh: ss, inRecovery: inRec, idx: i}
	// Limited Transmit (RFC 3042) lends one segment per duplicate
	// ACK before fast retransmit: not growth, drawn as inflation.
	if n := len(d.cwnd); !inRec && n > 0 && ss == a.prevSs && len(d.acks) > 0 {
		last := d.acks[len(d.acks)-1]
		prev := d.cwnd[n-1]
		if last.dup && last.t == e.T && e.Value > prev.cwnd {
			c.lent = e.Value - prev.effective()
		}
	}
	a.prevSs = ss
	d.cwnd = append(d.cwnd, c)
}

// episodes records the sender's fast-recovery episodes, an unfinished
// one up to the trace's end.
func (d *flowData) episodes(r *flowview.Reader, evs []trace.Event) {
	for _, ep := range r.Episodes() {
		if ep.Role != sender {
			continue
		}
		leave, to := ep.Leave, d.end
		if leave < 0 {
			leave = len(evs) - 1
		} else {
			to = evs[leave].T
		}
		d.recovery = append(d.recovery, [2]sim.Time{evs[ep.Enter].T, to})
		d.recoveryIdx = append(d.recoveryIdx, [2]int{ep.Enter, leave})
	}
}

// classifyCuts sorts the congestion responses: a cut answering an
// ECN-Echo with no retransmission at the same instant is an ECN window
// cut; any other cut is a fast retransmit. The sender's recovery events,
// when the trace has them, say exactly when it entered fast retransmit
// (RFC 5681 §3.2 step 2; RFC 6675 §5 step 4); without them (Tahoe), the
// remaining cuts are.
func (d *flowData) classifyCuts(cuts []ssCut, evs []trace.Event) {
	retransAt := map[sim.Time]bool{}
	for _, s := range d.sends {
		if s.retrans {
			retransAt[s.t] = true
		}
	}
	for _, c := range cuts {
		switch {
		case c.ece && !retransAt[c.t]:
			d.ecnCut = append(d.ecnCut, c.t)
			d.ecnIdx = append(d.ecnIdx, c.idx)
		case !d.hasRecovery && c.lowered:
			d.fastRetrans = append(d.fastRetrans, c.t)
			d.fastIdx = append(d.fastIdx, c.idx)
		}
	}
	if d.hasRecovery {
		for i := range evs {
			if e := &evs[i]; e.Kind == trace.Recovery && e.Value == 1 && e.Role() == sender {
				d.fastRetrans = append(d.fastRetrans, e.T)
				d.fastIdx = append(d.fastIdx, i)
			}
		}
	}
}

// markRecoveryCwnd: a recovery event lands after the cwnd change that
// entered it: the cwnd events of the same instant that already carry the
// new ssthresh are marked in recovery too.
func (d *flowData) markRecoveryCwnd(evs []trace.Event) {
	for _, r := range d.recoveryIdx {
		ss := int64(-2)
		for _, c := range d.cwnd {
			if c.idx < r[0] {
				ss = c.ssthresh
			}
		}
		for k := range d.cwnd {
			c := &d.cwnd[k]
			if c.t == evs[r[0]].T && c.idx < r[0] && c.ssthresh == ss && c.ssthresh >= 0 && c.cwnd > c.ssthresh {
				c.inRecovery = true
			}
		}
	}
}

// ssCut is a congestion response of the sender outside a timeout.
type ssCut struct {
	t       sim.Time
	idx     int
	lowered bool // ssthresh went down (or was first set)
	ece     bool // cwnd cut to ssthresh, outside recovery, by an ACK with ECN-Echo
}
