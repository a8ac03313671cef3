package tcp

import "tcpsim/model/seqnum"

// renoPRRRecovery is Linux's loss recovery without SACK (net/ipv4/tcp_input.c
// when tcp_is_reno): NewReno's partial ACKs (RFC 6582) with the window set
// by Proportional Rate Reduction (RFC 6937, prr.go), where every
// duplicate ACK counts as one segment that left the network. Chosen for a
// connection without SACK when Config.PRR and Config.NewRenoRecovery are
// both set (the linux profile with `sack: false`); it replaces
// renoRecovery's cwnd inflation (ssthresh + 3·SMSS, then one SMSS per
// duplicate ACK), which sends nothing new until the inflation has passed
// the flight, half a window of ACKs after the loss.
//
// Linux emulates SACK for a SACK-less peer with one counter, sacked_out
// (here sackedOut, in segments):
//
//   - a duplicate ACK adds one (tcp_add_reno_sack), at most up to the
//     segments in flight less one hole (tcp_limit_reno_sacked), and what
//     it adds is what the ACK delivered;
//   - an ACK that moves SND.UNA by n segments delivered max(n −
//     sacked_out, 1) of them (one filled the hole, the rest had been
//     counted by duplicate ACKs) and takes n − 1 off sacked_out
//     (tcp_remove_reno_sacks); outside a recovery it clears it;
//   - pipe is Linux's tcp_packets_in_flight: SND.NXT − SND.UNA less
//     sacked_out segments, less SND.UNA's segment while it is marked lost
//     and not yet retransmitted.
//
// So the first two duplicate ACKs each let one new segment out (what RFC
// 3042's Limited Transmit does), the third (sacked_out + 1 > reordering =
// 3, tcp_time_to_recover) marks SND.UNA's segment lost
// (tcp_newreno_mark_lost) and starts the recovery: ssthresh from the
// congestion control, PRR from cwnd before the cut (prior_cwnd), the lost
// segment first and new data after it as PRR's sndcnt allows
// (tcp_xmit_recovery), from the first duplicate ACKs on. A partial ACK
// marks the next segment lost; it goes out when PRR allows. An ACK that
// reaches high_seq (SND.MAX at the start) exactly holds the recovery, PRR
// still running (tcp_is_non_sack_preventing_reopen); one above it ends the
// recovery with cwnd = ssthresh (tcp_end_cwnd_reduction).
//
// After a timeout (TCP_CA_Loss, until an ACK above its high_seq) the
// duplicate ACKs start no recovery and count only for segments sent after
// high_seq (tcp_process_loss): F-RTO's new data (frto.go keeps that
// account) or new data that go-back-N reached.
//
// Deviation: the ACK that ends the recovery does not grow the window.
// Linux is in TCP_CA_Open by tcp_cong_control and grows it by what
// tcp_remove_reno_sacks counted delivered, max(n − sacked_out, 1)
// segments; tcpsim's congestion control would count all n segments the
// ACK covers (most of them counted already by duplicate ACKs), which at
// 5% loss made the reference path 13% faster than the kernel.
//
// Deviation: sacked_out counts segments of SMSS bytes; tcpsim's pipe is in
// bytes, so the last, shorter segment of a flight counts as a whole one.
// Linux's reordering estimate (tcp_check_reno_reordering raises DupThresh
// when more duplicate ACKs arrive than segments are in flight) and its
// timestamp undo of a partial recovery (tcp_try_undo_partial) are not
// modelled: the modelled paths neither reorder nor duplicate.
type renoPRRRecovery struct {
	renoRecovery
	// sackedOut is Linux's sacked_out without SACK: segments that
	// duplicate ACKs say have arrived above SND.UNA.
	sackedOut int
	// headLost says SND.UNA's segment is marked lost
	// (tcp_newreno_mark_lost); headRetx that it has been retransmitted
	// since, so that it counts in pipe again.
	headLost, headRetx bool
	// loss is TCP_CA_Loss: from a timeout until an ACK above its
	// high_seq (renoRecovery.highSeq).
	loss bool
}

func newRenoPRRRecovery(e *Endpoint) *renoPRRRecovery {
	r := &renoPRRRecovery{renoRecovery: *newRenoRecovery(e, recoveryNewReno)}
	r.holdAtHigh = true
	return r
}

// headSize is the size of SND.UNA's segment, 0 for the FIN.
func (r *renoPRRRecovery) headSize() int {
	s := &r.e.snd
	return int(max(0, min(int64(s.smss()), s.appEnd-s.unaOff)))
}

// pipe is tcp_packets_in_flight in bytes (see the type's comment).
func (r *renoPRRRecovery) pipe() int {
	p := r.renoRecovery.pipe() - r.sackedOut*r.e.snd.smss()
	if r.headLost && !r.headRetx {
		p -= max(r.headSize(), 1)
	}
	return max(p, 0)
}

// nextSeg puts SND.UNA's segment, once marked lost, before new data
// (tcp_xmit_retransmit_queue runs before tcp_write_xmit), and records its
// retransmission when the window has room for it.
func (r *renoPRRRecovery) nextSeg() (seqnum.Value, int, bool) {
	if !r.headLost || r.headRetx {
		return 0, 0, false
	}
	e := r.e
	s := &e.snd
	n := r.headSize()
	if n == 0 && !(s.finSet && s.una == s.finSeq) {
		return 0, 0, false // nothing there to resend
	}
	if e.window()-r.pipe() >= max(n, 1) && !(e.pacing && e.clock.Now() < e.pacingNext) {
		r.headRetx = true
		e.rtxAt = e.clock.Now().Add(e.rtt.rto) // Linux re-arms the RTO for the head's retransmission
	}
	return s.una, n, true
}

// addSacked counts one duplicate ACK into sacked_out, within what is in
// flight (tcp_add_reno_sack, tcp_limit_reno_sacked), and returns the bytes
// it delivered. limit is the most sacked_out may reach.
func (r *renoPRRRecovery) addSacked(limit int) int {
	before := r.sackedOut
	r.sackedOut = max(min(r.sackedOut+1, limit), 0)
	return max(r.sackedOut-before, 0) * r.e.snd.smss()
}

// segsOut is Linux's packets_out: the segments from SND.UNA to SND.MAX.
func (r *renoPRRRecovery) segsOut() int {
	s := &r.e.snd
	mss := s.smss()
	return (s.flightSize() + mss - 1) / mss
}

// onDupAck counts the duplicate ACK as a delivered segment and, by the
// state Linux is in, lets new data out (Disorder), starts the recovery
// (the third), or sets cwnd by PRR (Recovery).
func (r *renoPRRRecovery) onDupAck() {
	e := r.e
	s := &e.snd
	if r.loss {
		// tcp_process_loss: only segments sent after high_seq can have
		// drawn the duplicate ACK.
		if e.frto.loss {
			r.frtoDupAck()
			return
		}
		if r.highSeq.LessThan(s.max) && !s.nxt.LessThan(r.highSeq) {
			mss := s.smss()
			if r.addSacked((int(r.highSeq.Size(s.max))+mss-1)/mss) > 0 {
				e.output()
			}
		}
		return
	}
	delivered := r.addSacked(r.segsOut() - 1)
	if r.recovering {
		r.prrAck(delivered, false, false)
		e.output()
		return
	}
	if r.sackedOut < dupAckThreshold {
		// TCP_CA_Disorder: cwnd stays, pipe fell by a segment.
		before := s.max
		e.output()
		s.limitedSent += int(before.Size(s.max))
		return
	}
	r.enter(delivered)
}

// enter starts a recovery on the duplicate ACK that delivered delivered
// bytes (tcp_enter_recovery, tcp_init_cwnd_reduction).
func (r *renoPRRRecovery) enter(delivered int) {
	e := r.e
	s := &e.snd
	now := e.clock.Now()
	r.recover = s.max - 1
	r.highSeq = s.max
	e.st.Recoveries++
	prior := s.cwnd
	ss := e.cc.onCongestionEvent(now)
	r.headLost, r.headRetx = true, false
	r.recovering = true
	e.noteRecovery(true)
	e.prr.safeACK = true // Linux: the extra segment only for FLAG_SND_UNA_ADVANCED && !newly_lost
	e.prr.start(prior, ss, s.smss())
	s.setCwnd(e.prr.onAck(delivered, r.pipe(), false, false), ss)
	e.output() // the lost segment (nextSeg), then new data
}

// prrAck sets cwnd by PRR for an ACK in the recovery that delivered
// delivered bytes; advanced says it moved SND.UNA, lost that it marked a
// segment lost. Nothing delivered leaves cwnd as it is
// (tcp_cwnd_reduction).
func (r *renoPRRRecovery) prrAck(delivered int, advanced, lost bool) {
	e := r.e
	if delivered <= 0 || !e.prr.active {
		return
	}
	e.snd.setCwnd(e.prr.onAck(delivered, r.pipe(), advanced, lost), e.snd.ssthresh)
}

// onNewAck handles an ACK that moved SND.UNA by acked bytes: in a
// recovery a partial ACK (tcp_remove_reno_sacks, then the next segment
// marked lost), the hold at high_seq, or the end; after a timeout the end
// of TCP_CA_Loss above high_seq; otherwise sacked_out is cleared.
func (r *renoPRRRecovery) onNewAck(ack seqnum.Value, acked int) bool {
	e := r.e
	s := &e.snd
	if r.recover.LessThan(ack - 1) {
		r.recover = ack - 1 // within 2^31 of SND.UNA across wraps
	}
	if e.frto.loss && r.frtoAck(acked) {
		r.loss, r.sackedOut = false, 0
		return false // a spurious timeout, undone
	}
	if !r.recovering {
		r.sackedOut = 0 // tcp_reset_reno_sack
		if r.loss && r.highSeq.LessThan(ack) {
			r.loss = false // recovered: TCP_CA_Open
		}
		return false
	}
	mss := s.smss()
	n := (acked + mss - 1) / mss
	delivered := max(n-r.sackedOut, 1) * mss
	r.sackedOut = max(min(r.sackedOut-(n-1), r.segsOut()-1), 0) // tcp_limit_reno_sacked
	r.headLost, r.headRetx = false, false
	if !ack.LessThan(r.highSeq) {
		r.sackedOut = 0
		if ack == r.highSeq && s.una != s.max {
			// tcp_is_non_sack_preventing_reopen: hold until an ACK above.
			// (With nothing in flight there is nothing to hold: the
			// recovery ends, and a window update alone may send again.)
			r.prrAck(delivered, true, false)
			return true
		}
		r.recovering = false
		e.prr.stop()
		s.setCwnd(s.ssthresh, s.ssthresh) // tcp_end_cwnd_reduction
		e.noteRecovery(false)
		e.cc.onRecoveryExit(e.clock.Now())
		return true
	}
	// A partial ACK: tcp_newreno_mark_lost marks the new head lost.
	r.headLost = s.una.LessThan(s.max)
	r.prrAck(delivered, true, r.headLost)
	return true
}

// onRTO enters TCP_CA_Loss: the recovery under way ends (PRR with it),
// sacked_out is cleared (tcp_timeout_mark_lost), go-back-N resends.
func (r *renoPRRRecovery) onRTO() {
	r.renoRecovery.onRTO()
	r.e.prr.stop()
	r.sackedOut = 0
	r.headLost, r.headRetx = false, false
	r.loss = true
}
