package tcp

import (
	"tcpsim/model/seqnum"
	"tcpsim/sim"
)

// rackRecovery is SACK loss recovery as Linux runs it with
// net.ipv4.tcp_recovery = 1, the third lossRecovery: RACK decides what is
// lost (rack.go, RFC 8985 §6) instead of RFC 6675's DupThresh rule, Tail
// Loss Probes turn tail losses into fast recoveries (tlp.go, RFC 8985 §7),
// and the window follows PRR when Config.PRR is set (prr.go). Chosen in
// Endpoint.useSACK when Config.RACK is set, both ends negotiated SACK and
// the congestion control has fast recovery.
//
// What is in flight is Linux's tcp_packets_in_flight, in bytes: sent and
// not cumulatively acknowledged, less what is SACKed or deemed lost, plus
// the retransmissions in flight. What is retransmitted is every segment
// deemed lost whose retransmission is not in flight, lowest first, before
// new data; so a retransmission that RACK finds lost is sent again without
// waiting for the retransmission timer (RFC 8985 §6, "detecting lost
// retransmissions").
//
// A recovery starts when RACK deems a segment lost (the congestion control
// sets ssthresh) and ends when SND.UNA reaches the highest octet sent at
// its start. After a timeout, every segment not SACKed is deemed lost (RFC
// 8985 §6.3, Linux's tcp_enter_loss), and they are resent in order as the
// loss window grows, without going back over SACKed data or rewinding
// SND.NXT.
//
// Deviation: RFC 8985 §6.2 takes min_RTT from the RTT estimator over a
// window; tcpsim keeps the smallest RTT RACK has measured on a segment sent
// once (the paths it models do not change their base RTT).
type rackRecovery struct {
	e    *Endpoint
	segs rackSegs
	rack rack
	tlp  tlp

	recovering    bool  // in fast recovery (Linux TCP_CA_Recovery)
	lossState     bool  // after a timeout, until lossPoint (TCP_CA_Loss)
	recoveryPoint int64 // HighData at the start of the recovery or timeout

	undo undoState // spurious retransmission undo (undo.go)
	// origAcked says the ACK being processed acknowledged or SACKed data
	// sent before a timeout and never retransmitted, below its "recover"
	// (Linux's FLAG_ORIG_SACK_ACKED), for F-RTO (frto.go).
	origAcked bool
}

func newRACKRecovery(e *Endpoint) *rackRecovery {
	r := &rackRecovery{e: e}
	r.rack.reset()
	r.tlp.reset()
	return r
}

func (r *rackRecovery) inRecovery() bool { return r.recovering }

// pipe is Linux's in-flight estimate in bytes (tcp_packets_in_flight):
// SND.MAX − SND.UNA − SACKed − lost + retransmitted.
func (r *rackRecovery) pipe() int {
	s := &r.e.snd
	return int(int64(s.flightSize()) - r.segs.sacked - r.segs.lost + r.segs.retrans)
}

// nextSeg returns the lowest segment deemed lost whose retransmission is
// not in flight. output transmits it when the window allows, and
// Endpoint.transmit records that (onSent).
func (r *rackRecovery) nextSeg() (seqnum.Value, int, bool) {
	t := &r.segs
	s := &r.e.snd
	t.lostHint = max(t.lostHint, t.head)
	for i := t.lostHint; i < len(t.segs); i++ {
		g := &t.segs[i]
		if g.flags&(segDeemedLost|segRetrans|segSACKed) == segDeemedLost {
			end := min(g.end, s.appEnd)
			// The scoreboard may hold SACKed bytes inside the segment
			// (blocks that do not fall on its edges): resend only the
			// first run it lacks (RFC 6675 §4 NextSeg never resends
			// SACKed data), and take a segment the scoreboard holds
			// whole as SACKed, no longer lost (Linux's tcp_sacktag).
			start, n := s.sb.unsackedRun(g.start, int(end-g.start))
			if start >= end {
				t.setFlag(i, segDeemedLost, false)
				t.setFlag(i, segSACKed, true)
				continue
			}
			t.lostHint = i
			n = int(min(int64(n), end-start))
			return s.seqAt(start), n, n > 0
		}
	}
	t.lostHint = len(t.segs)
	return 0, 0, false
}

// onSent records a transmission of n bytes at stream offset off (every
// data segment goes through Endpoint.transmit, which calls it), and
// re-arms the loss probe after new data (RFC 8985 §7.2).
func (r *rackRecovery) onSent(off int64, n int, retrans bool) {
	now := r.e.clock.Now()
	r.segs.sent(off, n, now)
	if retrans {
		r.undo.retransmitted(n, now)
		r.e.st.SACKRetrans++
		if r.lossState && !r.e.probing {
			// Resent after a timeout: a timeout retransmission, as
			// go-back-N's are (transmit counted it as fast).
			r.e.st.FastRetrans--
			r.e.st.TimeoutRetrans++
		}
		return
	}
	r.tlp.arm(r)
}

// onDupAck handles an ACK that SACKs new data without moving SND.UNA.
func (r *rackRecovery) onDupAck() {
	r.onAck(r.e.snd.sackDelta, false)
	r.e.output()
}

// onNewAck handles an ACK that moves SND.UNA. It returns true when the
// ACK belonged to a fast recovery, or started one (the congestion control
// does not grow cwnd for it). After a timeout the congestion control
// slow-starts as usual.
func (r *rackRecovery) onNewAck(_ seqnum.Value, acked int) bool {
	was := r.recovering
	r.onAck(acked+r.e.snd.sackDelta, true)
	return was || r.recovering
}

// onAck runs RACK for an ACK that delivered bytes: marks what it
// acknowledged, updates RACK and the reordering window, detects losses,
// ends or starts a recovery, and sets cwnd by PRR in one.
func (r *rackRecovery) onAck(delivered int, advanced bool) {
	e := r.e
	s := &e.snd
	now := e.clock.Now()
	una := s.unaOff
	r.origAcked = false
	r.markDelivered(una, now)
	if s.dsack {
		r.onDSACK()
	}
	if advanced && r.undo.delayed(s.ackTSecr) && (r.recovering || r.lossState) {
		r.undoReduction() // RFC 3522: the ACK echoes the original
	}
	if r.lossState && e.frto.loss && e.frto.onAck(s, advanced, s.sackNew, r.origAcked) == frtoUndo {
		r.undoTimeout() // RFC 5682 step 3.b: a spurious timeout
	}
	exited := false
	if (r.recovering || r.lossState) && una >= r.recoveryPoint {
		exited = true
		if r.recovering {
			r.recovering = false
			if e.prr.active {
				e.prr.stop()
				s.setCwnd(s.ssthresh, s.ssthresh) // RFC 6937: cwnd = ssthresh on exit
			}
			e.noteRecovery(false)
			e.cc.onRecoveryExit(now)
		}
		r.lossState = false
	}
	r.tlp.onAck(r, una, advanced, delivered)
	r.rack.updateReoWnd(una, s.offset(s.max), exited)
	newly := r.detect(now)
	switch {
	case r.segs.lost > 0 && !r.recovering && !r.lossState:
		r.enter(delivered)
	case r.recovering && e.prr.active:
		s.setCwnd(e.prr.onAck(delivered, r.pipe(), advanced, newly > 0), s.ssthresh)
	}
	r.tlp.arm(r)
}

// detect runs RACK's loss detection and arms or stops the reordering
// timer (RFC 8985 §6.2 step 5, §6.3).
func (r *rackRecovery) detect(now sim.Time) int64 {
	e := r.e
	w := r.rack.reoWnd(r.recovering || r.lossState, e.rtt.srtt)
	newly, timeout := r.rack.detectLoss(&r.segs, now, w)
	if timeout > 0 {
		e.reoAt = now.Add(timeout)
	} else {
		e.reoAt = 0
	}
	return newly
}

// markDelivered drops the segments below una (cumulatively acknowledged)
// and marks SACKed the ones the scoreboard now holds, feeding RACK with
// every segment newly delivered.
func (r *rackRecovery) markDelivered(una int64, now sim.Time) {
	t := &r.segs
	for t.head < len(t.segs) && t.segs[t.head].start < una {
		g := &t.segs[t.head]
		if g.end > una {
			// Partly acknowledged: keep the rest as its own segment.
			t.split(t.head, una)
			continue
		}
		if g.flags&segSACKed == 0 {
			r.rack.onDelivered(g, now, r.e.snd.ackTSecr)
			r.noteOrig(g)
		} else {
			r.rack.segsSACKed--
		}
		for _, f := range [...]uint8{segSACKed, segDeemedLost, segRetrans} {
			t.setFlag(t.head, f, false)
		}
		t.head++
	}
	sb := &r.e.snd.sb
	if !r.e.snd.sackNew {
		return
	}
	// Walk the SACKed ranges and mark the segments inside them.
	for _, sp := range sb.sacked {
		i := t.find(sp.start)
		for ; i < len(t.segs) && t.segs[i].start < sp.end; i++ {
			g := &t.segs[i]
			if g.flags&segSACKed != 0 {
				continue
			}
			if g.start < sp.start {
				t.split(i, sp.start)
				continue // the next round takes the part inside
			}
			if g.end > sp.end {
				t.split(i, sp.end)
				g = &t.segs[i]
			}
			t.setFlag(i, segRetrans, false)
			t.setFlag(i, segDeemedLost, false)
			t.setFlag(i, segSACKed, true)
			r.rack.segsSACKed++
			r.rack.onDelivered(g, now, r.e.snd.ackTSecr)
			r.noteOrig(g)
		}
	}
}

// enter starts a fast recovery because RACK deemed segments lost: ssthresh
// from the congestion control, PRR (or cwnd = ssthresh without it), and
// RecoveryPoint at HighData. output then retransmits what is lost.
func (r *rackRecovery) enter(delivered int) {
	e := r.e
	s := &e.snd
	now := e.clock.Now()
	e.st.Recoveries++
	r.recovering = true
	r.recoveryPoint = s.offset(s.max)
	e.noteRecovery(true)
	r.undo.start(s.cwnd, s.ssthresh, s.unaOff)
	ss := e.cc.onCongestionEvent(now)
	s.setCwnd(ss, ss)
	if e.prr.on {
		e.prr.start(s.flightSize(), ss, s.smss())
		s.setCwnd(e.prr.onAck(delivered, r.pipe(), false, false), ss)
	}
}

// beforeRTO notes the window before a timeout cuts it, for undo (Linux
// tcp_enter_loss calls tcp_init_undo unless a recovery's undo is already
// under way).
func (r *rackRecovery) beforeRTO() {
	if !r.undo.marker || !(r.recovering || r.lossState) {
		r.undo.start(r.e.snd.cwnd, r.e.snd.ssthresh, r.e.snd.unaOff)
	}
}

// onDSACK handles a D-SACK (RFC 2883): RACK widens its reordering window
// (RFC 8985 §6.2 step 4), a loss probe it matches needed no repair, and
// once every retransmission of the episode has been reported twice, the
// window reduction was spurious and is undone (RFC 3708's detection, as
// Linux's tcp_try_undo_dsack).
func (r *rackRecovery) onDSACK() {
	s := &r.e.snd
	r.e.st.DSACKsRecv++
	r.rack.dsackSeen = true
	r.tlp.onDSACK(s.dsackSpan)
	if r.retransmittedInEpisode(s.dsackSpan) && r.undo.dsacked(s.dsackSpan.end-s.dsackSpan.start) && (r.recovering || r.lossState) {
		r.undoReduction()
	}
}

// retransmittedInEpisode reports whether the D-SACKed range d can be a
// retransmission of the undo episode, as Linux's tcp_check_dsack and
// tcp_sacktag_one ask: below SND.UNA it must lie above where the episode
// began; above, the segment must have been retransmitted. A duplicate the
// network made of an original does not count.
func (r *rackRecovery) retransmittedInEpisode(d span) bool {
	if d.end <= r.e.snd.unaOff {
		return d.start >= r.undo.from
	}
	t := &r.segs
	i := t.find(d.start)
	return i < len(t.segs) && t.segs[i].start <= d.start && t.segs[i].flags&segEverRe != 0
}

// undoReduction restores the window a spurious retransmission cut
// (Linux tcp_undo_cwnd_reduction): cwnd = max(cwnd, cwnd before),
// ssthresh = max(ssthresh, ssthresh before); the recovery or timeout
// recovery ends; after a timeout the segments deemed lost and not resent
// are no longer.
func (r *rackRecovery) undoReduction() {
	s := &r.e.snd
	cwnd, ss := r.undo.restore(s.cwnd, s.ssthresh)
	r.e.frto.end()
	r.restore(cwnd, ss)
}

// noteOrig notes a segment newly delivered (cumulatively or by SACK) that
// was sent before a timeout and never retransmitted, for F-RTO.
func (r *rackRecovery) noteOrig(g *rackSeg) {
	if g.flags&segEverRe == 0 && r.e.frto.loss && g.end <= r.e.frto.high {
		r.origAcked = true
	}
}

// undoTimeout takes back a timeout's cut that F-RTO found spurious
// (tcp_try_undo_loss with frto_undo): the window before it, as frto.undone
// says, and the segments the timeout deemed lost are no longer.
func (r *rackRecovery) undoTimeout() {
	cwnd, ss := r.e.frto.undone(&r.e.snd)
	r.undo.marker = false
	r.e.st.SpuriousRTOs++
	r.restore(cwnd, ss)
}

// restore ends the recovery or the timeout's recovery with the window
// cwnd, ssthresh, for an undo (Linux tcp_undo_cwnd_reduction).
func (r *rackRecovery) restore(cwnd, ss int) {
	e := r.e
	s := &e.snd
	e.st.Undos++
	if r.recovering {
		r.recovering = false
		e.prr.stop()
		e.noteRecovery(false)
	}
	if r.lossState {
		r.lossState = false
		t := &r.segs
		for i := t.head; i < len(t.segs); i++ {
			if t.segs[i].flags&segRetrans == 0 {
				t.setFlag(i, segDeemedLost, false)
			}
		}
	}
	s.setCwnd(cwnd, ss)
	e.cc.onRecoveryExit(e.clock.Now())
}

// onReoTimeout runs when the reordering timer expires (RFC 8985 §6.3,
// RACK_detect_loss_and_arm_timer): losses the reordering window held back
// are deemed lost now, a recovery starts if none is under way, and output
// resends them.
func (r *rackRecovery) onReoTimeout() {
	e := r.e
	before := r.pipe()
	r.detect(e.clock.Now())
	if r.pipe() == before {
		return // nothing more deemed lost (Linux compares the in-flight count)
	}
	if !r.recovering && !r.lossState {
		r.enter(0)
	} else {
		e.prr.allow(e.cc.window() - r.pipe())
	}
	e.output()
	if e.snd.una != e.snd.max {
		e.rtxAt = e.clock.Now().Add(e.rtt.rto)
	}
}

// onRTO deems every segment not SACKed lost (RFC 8985 §6.3; Linux
// tcp_enter_loss) and ends any recovery: they are resent in order as the
// loss window allows, SACKed ones never.
func (r *rackRecovery) onRTO() {
	e := r.e
	s := &e.snd
	if r.recovering {
		e.noteRecovery(false)
	}
	r.recovering = false
	e.prr.stop()
	r.lossState = true
	r.recoveryPoint = s.offset(s.max)
	t := &r.segs
	for i := t.head; i < len(t.segs); i++ {
		t.setFlag(i, segRetrans, false)
		if t.segs[i].flags&segSACKed == 0 {
			t.setFlag(i, segDeemedLost, true)
		}
	}
	t.lostHint = t.head
	e.reoAt = 0
	r.tlp.reset()
	e.ptoAt = 0
}
