package tcp

import "tcpsim/model/seqnum"

// sackRecovery is the conservative SACK-based loss recovery of RFC 6675,
// the second lossRecovery: chosen in Endpoint.established when both ends
// allowed SACK (RFC 2018 §2) and the congestion control has fast recovery
// (Reno, NewReno and later ones; Tahoe and none keep their duplicate-ACK
// textbook behaviour, with go-back-N skipping SACKed data).
//
// The sender's scoreboard (sender.sb) is fed from every ACK before the
// recovery sees it (processAck, sender.takeSACK). What counts as in flight
// is RFC 6675's pipe, recomputed from the scoreboard whenever output asks;
// what is retransmitted is what NextSeg picks. The congestion control sets
// ssthresh on entry; cwnd is not inflated or deflated during recovery, as
// pipe does that accounting.
type sackRecovery struct {
	e *Endpoint
	// dupAcks counts duplicate ACKs in RFC 6675's sense (§2): ACKs that
	// SACK octets not SACKed before, whether or not they also move SND.UNA.
	dupAcks    int
	recovering bool
	// lostEnd is the scoreboard's lostEnd after the last ACK in
	// recovery: an ACK that moves it up reveals a further loss (for PRR's
	// SafeACK).
	lostEnd int64
}

func newSACKRecovery(e *Endpoint) *sackRecovery { return &sackRecovery{e: e} }

func (r *sackRecovery) inRecovery() bool { return r.recovering }

// pipe is RFC 6675's pipe (§4 SetPipe): the octets between HighACK and
// HighData neither SACKed nor deemed lost, plus those retransmitted in
// this recovery. After a timeout, until everything then outstanding is
// acknowledged, every octet sent before it counts as lost and those resent
// since (go-back-N, up to SND.NXT) as retransmitted: RFC 6675 §5.1 leaves
// pipe to the RTO recovery, and this is its RFC 5681 FlightSize with the
// SACKed octets left out.
func (r *sackRecovery) pipe() int {
	s := &r.e.snd
	sb := &s.sb
	sb.Update(s.unaOff, s.offset(s.max), nil)
	if sb.highACK < sb.rtoLost {
		sb.highRxt = min(s.offset(s.nxt), sb.rtoLost)
	}
	return int(sb.SetPipe())
}

// nextSeg returns the retransmission NextSeg picks (RFC 6675 §4 rules 1,
// 3 and 4) during loss recovery, unless new data comes first (rule 2:
// output sends it from SND.NXT). If the windows have room for the segment
// it is recorded as sent (steps C.2–C.4), as output sends it at once;
// otherwise output stops without sending and nothing is recorded.
func (r *sackRecovery) nextSeg() (seqnum.Value, int, bool) {
	e := r.e
	s := &e.snd
	sb := &s.sb
	// Not in recovery, or at its end: an ACK past RecoveryPoint may reach
	// output (a larger window) before onNewAck has ended the recovery.
	if !r.recovering || s.unaOff >= sb.recoveryPoint {
		return 0, 0, false
	}
	room := e.window() - r.pipe()
	newEnd := min(s.appEnd, s.unaOff+int64(s.wnd))
	seg, rule := sb.NextSeg(newEnd)
	if rule == segNone || rule == segNew {
		return 0, 0, false
	}
	seq := s.seqAt(seg.start)
	n := int(min(seg.end, s.appEnd) - seg.start) // 0: the FIN
	if room < max(n, 1) {
		return seq, n, true // output finds no room and stops
	}
	sb.Sent(seg, rule)
	e.st.SACKRetrans++
	return seq, n, true
}

// onDupAck is called for an ACK that SACKs new octets without moving
// SND.UNA (RFC 6675 §5): in recovery it lets output send what pipe now
// allows (step C); otherwise it counts it and enters recovery on DupThresh
// of them or when IsLost(HighACK+1), and else runs Limited Transmit
// (step 3) through output.
func (r *sackRecovery) onDupAck() {
	if r.recovering {
		r.prrAck(r.e.snd.sackDelta, false)
		r.e.output()
		return
	}
	r.dupAcks++
	r.maybeEnter(r.e.snd.sackDelta)
}

// prrAck sets cwnd by Proportional Rate Reduction (prr.go) for an ACK in
// recovery that delivered bytes, and moved SND.UNA if advanced.
func (r *sackRecovery) prrAck(delivered int, advanced bool) {
	e := r.e
	if !e.prr.active {
		return
	}
	s := &e.snd
	pipe := r.pipe()
	le := s.sb.lostEnd()
	lost := le > r.lostEnd
	r.lostEnd = max(r.lostEnd, le)
	s.setCwnd(e.prr.onAck(delivered, pipe, advanced, lost), s.ssthresh)
}

// maybeEnter starts a recovery if RFC 6675 §5 steps 1–2 say so, else runs
// Limited Transmit (step 3). A recovery starts only once SND.UNA has
// passed the previous RecoveryPoint (§5: "the cumulative acknowledgment
// point is beyond the last value of RecoveryPoint"; after a timeout, §5.1).
func (r *sackRecovery) maybeEnter(delivered int) bool {
	s := &r.e.snd
	sb := &s.sb
	if s.unaOff >= sb.recoveryPoint && (r.dupAcks >= dupAckThreshold || sb.IsLost(s.unaOff)) {
		r.enter(delivered)
		return true
	}
	sb.beforeLimitedTransmit() // step 3.1; output runs steps 3.2–3.3 by pipe
	before := s.max
	r.e.output()
	s.limitedSent += int(before.Size(s.max))
	return false
}

// enter starts loss recovery (RFC 6675 §5 step 4): RecoveryPoint =
// HighData, ssthresh and cwnd from the congestion control (step 4.2), the
// first unacknowledged segment retransmitted at once (step 4.3), then
// step C through output. With PRR, cwnd is not ssthresh but what PRR
// allows for the ACK that started the recovery (delivered bytes): pipe
// and at least the retransmission (prr.go).
func (r *sackRecovery) enter(delivered int) {
	e := r.e
	s := &e.snd
	now := e.clock.Now()
	e.st.Recoveries++
	r.recovering = true
	e.noteRecovery(true)
	ss := e.cc.onCongestionEvent(now)
	s.setCwnd(ss, ss)
	s.sb.Update(s.unaOff, s.offset(s.max), nil)
	if e.prr.on {
		e.prr.start(s.flightSize(), ss, s.smss()) // the retransmission below is PRR's forced one
		r.lostEnd = s.sb.lostEnd()
	}
	first := s.sb.enterRecovery()
	e.st.SACKRetrans++
	if n := int(min(first.end, s.appEnd) - first.start); n > 0 {
		e.transmit(s.seqAt(first.start), n, true, true)
	} else {
		e.retransmit(s.seqAt(first.start), true) // the FIN
	}
	e.rtxAt = now + e.rtt.rto
	if e.prr.on {
		s.setCwnd(e.prr.onAck(delivered, r.pipe(), false, false), ss)
	}
	e.output()
}

// onNewAck handles an ACK that moves SND.UNA: it ends the recovery once
// SND.UNA reaches RecoveryPoint (RFC 6675 §5 step A; the congestion
// control is told), keeps it on below (step B; output then runs step C).
// Outside recovery an ACK that also SACKs new octets is the first
// duplicate ACK of RFC 6675 §2 (DupAcks is reset, then counted), and may
// reveal a loss by IsLost. It returns true when the ACK belonged to a
// recovery, so that the congestion control does not grow cwnd for it.
func (r *sackRecovery) onNewAck(ack seqnum.Value, acked int) bool {
	e := r.e
	s := &e.snd
	r.dupAcks = 0
	if r.recovering {
		if s.unaOff >= s.sb.recoveryPoint {
			r.recovering = false
			if e.prr.active {
				e.prr.stop()
				s.setCwnd(s.ssthresh, s.ssthresh) // RFC 6937 §3.1: cwnd = ssthresh on exit
			}
			e.noteRecovery(false)
			e.cc.onRecoveryExit(e.clock.Now())
		} else {
			r.prrAck(acked+s.sackDelta, true)
		}
		return true
	}
	if s.sackNew {
		r.dupAcks = 1
		if s.unaOff >= s.sb.recoveryPoint && s.sb.IsLost(s.unaOff) {
			r.enter(acked + s.sackDelta)
			return true
		}
	}
	return false
}

// onRTO ends any recovery (RFC 6675 §5.1): RecoveryPoint becomes HighData
// and no new recovery starts before SND.UNA reaches it; every octet sent so
// far counts as lost for pipe, and go-back-N resends them, skipping what
// the scoreboard says was SACKed (output), as the receiver keeps what it
// SACKed (tcpsim's receiver never reneges).
func (r *sackRecovery) onRTO() {
	s := &r.e.snd
	if r.recovering {
		r.e.noteRecovery(false)
	}
	r.recovering = false
	r.dupAcks = 0
	r.e.prr.stop()
	s.sb.Update(s.unaOff, s.offset(s.max), nil)
	s.sb.afterRTO()
}
