package tcp

// frto is Forward RTO-Recovery (F-RTO, RFC 5682) as Linux runs it
// (net.ipv4.tcp_frto, on by default; tcp_input.c tcp_enter_loss,
// tcp_process_loss, tcp_try_undo_loss): after a retransmission timeout it
// tells a spurious timeout (the segments were delayed, not lost) from a
// genuine one, and undoes the timeout's window cut when it was spurious.
// It sits behind the loss-recovery seam: the recoveries that keep a
// timeout's loss state (renoRecovery without SACK, rackRecovery with it)
// ask it, on every ACK of the episode, what to do next (onAck), and output
// asks it whether new data goes first (sendNew). Chosen per flow by
// Config.FRTO.
//
// The rules, as RFC 5682 §2.1 (basic) and §3.1 (SACK-enhanced) number
// them, in Linux's form:
//
//   - step 1: the timeout retransmits the first unacknowledged segment
//     and, if F-RTO may run (below), remembers the highest octet sent,
//     "recover" (Linux's high_seq);
//   - step 2.b: the first ACK that advances SND.UNA without reaching
//     "recover" sends new, never-sent data (as cwnd allows, two segments
//     after the loss window's growth) instead of the next retransmissions;
//     with nothing new to send, F-RTO ends and the recovery goes on;
//   - step 3.a: a duplicate ACK (or one that SACKs new data) after that
//     new data shows the loss genuine: F-RTO ends and the recovery goes on
//     retransmitting in slow start;
//   - step 3.b: an ACK that acknowledges or SACKs data sent before the
//     timeout and never retransmitted shows the timeout spurious: the cut
//     is undone (cwnd and ssthresh back to their values before it) and
//     nothing more is retransmitted.
//
// Deviation: Linux tests step 3.b (FLAG_ORIG_SACK_ACKED in tcp_process_loss)
// on every ACK of the episode, the first included, and before step 2.b,
// where RFC 5682 waits for the ACK after the new data; an ACK that covers
// the retransmitted segment and original ones after it therefore undoes at
// once. tcpsim does as Linux.
//
// Deviation: as Linux's tcp_enter_loss, F-RTO runs only for a timeout that
// does not interrupt a fast recovery, or one that repeats an earlier
// timeout (icsk_retransmits > 0); RFC 5682 §2 runs it on every timeout.
//
// Deviation: the window restored is Linux's (tcp_undo_cwnd_reduction):
// cwnd = max(cwnd, cwnd before the timeout), ssthresh = max(ssthresh,
// max(ssthresh, 3/4·cwnd) before the timeout) (tcp_current_ssthresh);
// RFC 5682 leaves the response to RFC 4015.
//
// Without SACK (renoRecovery) the timeout goes back N from SND.UNA, so the
// data retransmitted since the timeout is [SND.UNA at the timeout,
// rtxHigh), and what step 2.b sends lies past SND.MAX: go-back-N skips it
// ([newFrom, newTo)), and until it does those bytes count in flight less a
// segment per duplicate ACK (Linux's tcp_add_reno_sack). With RACK the
// scoreboard knows which segments were ever retransmitted (segEverRe).
type frto struct {
	on bool // Config.FRTO

	// active is Linux's tp->frto: this timeout's F-RTO has not decided yet.
	active bool
	// loss is the timeout's recovery (TCP_CA_Loss): from the timeout until
	// SND.UNA reaches high or the timeout is undone.
	loss bool
	// high is "recover" (Linux high_seq): the stream offset of SND.MAX at
	// the timeout.
	high int64
	// rtxHigh is the end of what was retransmitted since the episode's
	// first timeout (without SACK, go-back-N resends in order from there).
	rtxHigh int64
	// sendNew says step 2.b's new data goes out before any retransmission
	// on the ACK being processed.
	sendNew bool
	// newFrom, newTo are the stream offsets of step 2.b's new data without
	// SACK; newInFlight its bytes still counted in flight.
	newFrom, newTo int64
	newInFlight    int

	priorCwnd, priorSsthresh int // the window before the timeout's cut
}

// frtoAction is what onAck tells the recovery to do.
type frtoAction int

const (
	// frtoGoOn: nothing for F-RTO; the recovery retransmits what is lost.
	frtoGoOn frtoAction = iota
	// frtoUndo: the timeout was spurious (step 3.b): undo its cut.
	frtoUndo
	// frtoNewData: send new data first (step 2.b); output asks sendNew.
	frtoNewData
)

// onRTO starts, or continues, a timeout's episode. wasRecovering says a
// fast recovery or an earlier timeout's recovery was under way; retries is
// the number of timeouts of this segment, this one included. It runs
// before the congestion control cuts the window.
func (f *frto) onRTO(s *sender, wasRecovering bool, retries int) {
	if !f.on {
		return
	}
	if !f.loss {
		// tcp_enter_loss: prior_cwnd, prior_ssthresh (tcp_current_ssthresh).
		f.priorCwnd = s.cwnd
		f.priorSsthresh = max(s.ssthresh, s.cwnd/2+s.cwnd/4)
		f.rtxHigh = s.unaOff
	}
	f.active = !wasRecovering || retries > 1
	f.loss = true
	f.high = s.offset(s.max)
	f.sendNew = false
	f.newFrom, f.newTo, f.newInFlight = 0, 0, 0
}

// onSent records a transmission of n bytes at stream offset off.
func (f *frto) onSent(off int64, n int, retrans bool) {
	if f.loss && retrans {
		f.rtxHigh = max(f.rtxHigh, off+int64(n))
	}
}

// onAck decides, for an ACK of the timeout's episode, what comes next
// (tcp_process_loss). advanced says it moved SND.UNA, dup that it was a
// duplicate ACK or SACKed new data, origAcked that it acknowledged or
// SACKed data below high never retransmitted (Linux's
// FLAG_ORIG_SACK_ACKED). A recovery calls it only while loss holds; it
// ends the episode when SND.UNA reaches high.
func (f *frto) onAck(s *sender, advanced, dup, origAcked bool) frtoAction {
	if f.active {
		switch {
		case origAcked:
			return frtoUndo // step 3.b
		case s.offset(s.max) > f.high:
			if dup {
				f.active = false // step 3.a: the loss was genuine
			}
		case advanced && s.unaOff < f.high:
			// Step 2.b: new data, if there is some and the peer's window
			// takes it (tcp_process_loss: REXMIT_NEW).
			if s.appEnd > s.offset(s.max) && s.offset(s.max) < s.unaOff+int64(s.wnd) {
				f.sendNew = true
				return frtoNewData
			}
			f.active = false
		}
	}
	if s.unaOff >= f.high {
		f.end() // recovered (tcp_try_undo_recovery)
	}
	return frtoGoOn
}

// undone ends the episode after a spurious timeout and returns the window
// to set (tcp_undo_cwnd_reduction).
func (f *frto) undone(s *sender) (cwnd, ssthresh int) {
	f.end()
	return max(s.cwnd, f.priorCwnd), max(s.ssthresh, f.priorSsthresh)
}

// end closes the episode.
func (f *frto) end() {
	f.active, f.loss, f.sendNew = false, false, false
	f.newFrom, f.newTo, f.newInFlight = 0, 0, 0
}

// dupAck takes one segment of step 2.b's new data out of flight without
// SACK: a duplicate ACK says one has arrived (tcp_add_reno_sack).
func (f *frto) dupAck(smss int) {
	f.newInFlight = max(0, f.newInFlight-smss)
}

// inFlight is what of step 2.b's new data counts in flight without SACK
// while go-back-N (at stream offset nxt) has not reached it.
func (f *frto) inFlight(nxt int64) int {
	if f.newTo > f.newFrom && nxt <= f.newFrom {
		return f.newInFlight
	}
	return 0
}

// skip moves go-back-N's SND.NXT (stream offset nxt) over step 2.b's new
// data, which was sent after the timeout and is not lost with it; it
// returns nxt unchanged otherwise.
func (f *frto) skip(nxt int64) int64 {
	if f.newTo > f.newFrom && nxt >= f.newFrom && nxt < f.newTo {
		f.newInFlight = 0
		return f.newTo
	}
	return nxt
}

// sendNewData is step 2.b's transmission, run by output before anything
// else while frto.sendNew holds: new data from SND.MAX as min(cwnd, rwnd)
// allows. Without SACK SND.NXT stays where go-back-N is. If nothing could
// be sent, F-RTO ends and output goes on with the retransmissions (Linux
// tcp_xmit_recovery).
func (e *Endpoint) sendNewData() {
	f := &e.frto
	s := &e.snd
	f.sendNew = false
	mss := s.smss()
	sent := false
	for {
		off := s.offset(s.max)
		n := int(min(int64(mss), s.appEnd-off))
		if n <= 0 || e.cc.window()-e.rec.pipe() < n || off+int64(n) > s.unaOff+int64(s.wnd) {
			break
		}
		if s.sack {
			e.sendSegment(s.max, n, false) // with RACK SND.NXT is SND.MAX
		} else {
			if f.newTo == f.newFrom {
				f.newFrom = off
			}
			e.transmit(s.max, n, true, false) // past go-back-N: SND.NXT stays
			f.newTo = off + int64(n)
			f.newInFlight += n
		}
		sent = true
	}
	if !sent {
		f.active = false
	}
}
