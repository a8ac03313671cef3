package tcp

import "tcpsim/model/seqnum"

// dupAckThreshold is the number of duplicate ACKs that triggers fast
// retransmit (RFC 5681 §3.2; RFC 6675's DupThresh).
const dupAckThreshold = 3

// recoveryVariant is the loss recovery by duplicate ACKs alone that a
// congestion control asks for (its algorithm row says which).
type recoveryVariant int

const (
	// recoveryResendOnly resends SND.UNA on the third duplicate ACK and changes
	// nothing else: no window change, no Limited Transmit (none).
	recoveryResendOnly recoveryVariant = iota
	// recoveryGoBackN is Tahoe's: fast retransmit by going back to SND.UNA with
	// cwnd at one segment and ssthresh from the congestion control;
	// everything after SND.UNA is resent as slow start allows, and those
	// resends count as fast retransmissions.
	recoveryGoBackN
	// recoveryReno is Reno's (RFC 5681 §3.2): retransmit, cwnd = ssthresh
	// + 3·SMSS, inflate by one SMSS per further duplicate ACK, deflate to
	// ssthresh at the first ACK of new data.
	recoveryReno
	// recoveryNewReno is RFC 6582's: Reno's fast recovery that stays until
	// everything outstanding at the loss ("recover") is acknowledged,
	// resending the next hole on each partial ACK, and is not entered for
	// duplicate ACKs of data sent before a timeout.
	recoveryNewReno
)

// renoRecovery is loss recovery by duplicate ACKs alone: fast retransmit
// and fast recovery (RFC 5681 §3.2) with Limited Transmit (RFC 3042), in
// one of the textbook variants (recoveryVariant).
type renoRecovery struct {
	e       *Endpoint
	variant recoveryVariant

	dupAcks    int          // consecutive duplicate ACKs
	recovering bool         // in fast recovery (Reno, NewReno)
	recover    seqnum.Value // RFC 6582 "recover": SND.MAX − 1 at the last loss or timeout
	// ltInflation is cwnd lent by Limited Transmit (RFC 3042), taken back
	// on the next new ACK or the third duplicate ACK.
	ltInflation int
	// holdAtHigh is Linux's stricter end of a recovery without SACK
	// (Config.NewRenoRecovery): highSeq is SND.MAX when the last fast
	// retransmit or timeout began (Linux high_seq), which, unlike
	// "recover", ACKs do not move.
	holdAtHigh bool
	highSeq    seqnum.Value
}

func newRenoRecovery(e *Endpoint, v recoveryVariant) *renoRecovery {
	return &renoRecovery{e: e, variant: v, recover: e.snd.iss} // RFC 6582 §3.2 step 1
}

func (r *renoRecovery) inRecovery() bool { return r.recovering }

// pipe is the data in flight: SND.NXT − SND.UNA (RFC 5681's FlightSize,
// less what go-back-N has rewound).
func (r *renoRecovery) pipe() int {
	s := &r.e.snd
	return int(s.una.Size(s.nxt)) + r.e.frto.inFlight(s.offset(s.nxt))
}

// nextSeg never puts a retransmission ahead of new data: without SACK the
// only retransmissions are the fast ones sent from onDupAck and onNewAck,
// and go-back-N from SND.NXT.
func (r *renoRecovery) nextSeg() (seqnum.Value, int, bool) { return 0, 0, false }

// onDupAck runs Limited Transmit for the first two duplicate ACKs, fast
// retransmit on the third (RFC 5681 §3.2 steps 1–4; RFC 6582 §3.2 step 2
// for NewReno; Tahoe restarts from one segment instead) and, in fast
// recovery, inflates cwnd by one SMSS for each further one (step 4).
func (r *renoRecovery) onDupAck() {
	e := r.e
	s := &e.snd
	r.dupAcks++
	mss := s.smss()
	if e.frto.loss {
		r.frtoDupAck()
	}
	if r.recovering {
		if s.textbook {
			return // the figure's window stays ssthresh + 3 (textbook.go)
		}
		s.setCwnd(s.cwnd+mss, s.ssthresh) // inflate: a segment has left the network
		e.output()
		return
	}
	if r.dupAcks < dupAckThreshold {
		// Limited Transmit (RFC 3042): each of the first two duplicate
		// ACKs lets one new segment out, so that a small window still
		// collects three duplicates. We account for it as a temporary
		// cwnd inflation, removed on the next new ACK, so that in-flight
		// data never exceeds cwnd.
		if r.variant != recoveryResendOnly && !s.textbook && s.hasData(s.nxt) {
			r.ltInflation += mss
			s.setCwnd(s.cwnd+mss, s.ssthresh)
			before := s.max
			e.output()
			s.limitedSent += int(before.Size(s.max))
		}
		return
	}
	if r.dupAcks != dupAckThreshold {
		return
	}
	if !s.textbook { // no Limited Transmit, nothing lent (textbook.go)
		s.setCwnd(s.cwnd-r.ltInflation, s.ssthresh)
		r.ltInflation = 0
	}
	// RFC 6582 §3.2 step 2: enter fast retransmit only if the ACK covers
	// more than "recover" (no repeated recovery after a timeout).
	if r.variant == recoveryNewReno && !r.recover.LessThan(s.una) {
		return
	}
	if r.holdAtHigh && s.una == r.highSeq {
		// Linux's tcp_is_non_sack_preventing_reopen: a recovery or a
		// timeout's recovery that ended exactly at its high_seq holds its
		// state until an ACK above it; duplicate ACKs there start nothing.
		return
	}
	r.recover = s.max - 1
	r.highSeq = s.max
	e.st.Recoveries++
	now := e.clock.Now()
	switch r.variant {
	case recoveryResendOnly:
		e.retransmit(s.una, true)
	case recoveryGoBackN:
		// Tahoe goes back to SND.UNA and slow-starts from one segment;
		// the go-back-N resends that follow count as fast retransmissions.
		s.setCwnd(mss, e.cc.onCongestionEvent(now))
		s.goBackFast = true
		s.nxt = s.una
		e.output()
	case recoveryReno, recoveryNewReno:
		ss := e.cc.onCongestionEvent(now)
		e.retransmit(s.una, true)
		s.setCwnd(ss+dupAckThreshold*mss, ss)
		r.recovering = true
		e.noteRecovery(true)
	}
	e.rtxAt = now.Add(e.rtt.rto)
}

// onNewAck ends Limited Transmit's loan and, in fast recovery, handles a
// partial ACK (NewReno: retransmit the next hole, deflate by the amount
// acknowledged, add back one SMSS; RFC 6582 §3.2 step 4) or a full one
// (deflate and leave; step 3, and RFC 5681 §3.2 step 6 for Reno).
func (r *renoRecovery) onNewAck(ack seqnum.Value, acked int) bool {
	e := r.e
	s := &e.snd
	if r.recover.LessThan(ack - 1) {
		r.recover = ack - 1 // keep "recover" within 2^31 of SND.UNA across wraps
	}
	mss := s.smss()
	if e.frto.loss && r.frtoAck(acked) {
		return false // a spurious timeout, undone: the ACK grows the window
	}
	prevDup := r.dupAcks
	r.dupAcks = 0
	if r.ltInflation > 0 {
		s.setCwnd(s.cwnd-r.ltInflation, s.ssthresh)
		r.ltInflation = 0
	}
	if !r.recovering {
		return false
	}
	if r.variant == recoveryNewReno && ack.LessThanEq(r.recover) {
		// Partial ACK: retransmit the next hole, deflate by the amount
		// acknowledged, add back one SMSS, stay in recovery.
		e.retransmit(ack, true)
		r.dupAcks = prevDup
		if s.textbook {
			return true // never inflated, so nothing to deflate (textbook.go)
		}
		c := s.cwnd - acked
		if acked >= mss {
			c += mss
		}
		s.setCwnd(max(c, mss), s.ssthresh)
		return true
	}
	if s.textbook {
		// The figure's Reno: cwnd stays ssthresh + 3 segments and grows
		// linearly from there; this ACK counts towards the growth
		// (textbook.go), so it is reported as outside recovery.
		r.recovering = false
		e.noteRecovery(false)
		e.cc.onRecoveryExit(e.clock.Now())
		return false
	}
	// Full ACK (or Reno's first new ACK): deflate to ssthresh.
	fs := s.flightSize()
	s.setCwnd(min(s.ssthresh, max(fs, mss)+mss), s.ssthresh)
	if r.variant == recoveryReno {
		s.setCwnd(s.ssthresh, s.ssthresh)
	}
	r.recovering = false
	e.noteRecovery(false)
	e.cc.onRecoveryExit(e.clock.Now())
	return true
}

// onRTO forgets any recovery under way: after a timeout the sender goes
// back to SND.UNA, and duplicate ACKs for data sent before it must not
// start another fast retransmit (RFC 6582 §3.2 step 4, "recover").
func (r *renoRecovery) onRTO() {
	if r.recovering {
		r.e.noteRecovery(false)
	}
	r.recovering = false
	r.ltInflation = 0
	r.dupAcks = 0
	r.recover = r.e.snd.max - 1
	r.highSeq = r.e.snd.max
}

// frtoDupAck runs F-RTO for a duplicate ACK of a timeout's episode: after
// step 2.b's new data it says the loss is genuine (step 3.a), and one of
// those segments has arrived.
func (r *renoRecovery) frtoDupAck() {
	e := r.e
	before := e.frto.newInFlight
	e.frto.dupAck(e.snd.smss())
	e.frto.onAck(&e.snd, false, true, false)
	if e.frto.newInFlight < before {
		e.output()
	}
}

// frtoAck runs F-RTO (frto.go) for an ACK of a timeout's episode that
// moved SND.UNA by acked bytes, and reports whether it found the timeout
// spurious and undid it. Without SACK the data never retransmitted is what
// lies above rtxHigh: go-back-N resends in order.
func (r *renoRecovery) frtoAck(acked int) bool {
	e := r.e
	s := &e.snd
	f := &e.frto
	from := max(s.unaOff-int64(acked), f.rtxHigh)
	orig := from < min(s.unaOff, f.high)
	if f.onAck(s, true, false, orig) != frtoUndo {
		return false
	}
	cwnd, ss := f.undone(s)
	e.st.Undos++
	e.st.SpuriousRTOs++
	s.setCwnd(cwnd, ss)
	// Nothing more is deemed lost (tcp_undo_cwnd_reduction unmarks it):
	// go-back-N stops, and duplicate ACKs may start a fast recovery again.
	if s.nxt.LessThan(s.max) {
		s.nxt = s.max
	}
	r.recover = s.una - 1
	r.dupAcks, r.ltInflation = 0, 0
	e.cc.onRecoveryExit(e.clock.Now())
	return true
}
