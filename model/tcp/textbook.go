package tcp

// The window of Kurose & Ross's Figure 3.53 (Computer Networking: A
// Top-Down Approach, 7th ed., §3.7.1, "Evolution of TCP's congestion
// window (Tahoe and Reno)"), segment for segment (Config.TextbookWindow).
//
// The figure counts the window in whole segments per transmission round:
// slow start doubles it (one segment per ACK), congestion avoidance adds
// exactly one segment per round, a loss found by three duplicate ACKs
// sets ssthresh to half of cwnd, and then Tahoe restarts from one segment
// while Reno sets cwnd to ssthresh + 3 segments and "grows linearly" from
// there. RFC 5681 differs in four places, each a Deviation here:
//
//   - congestion avoidance adds SMSS·SMSS/cwnd per ACK (eq. 3), a little
//     less than one segment per round; here a counter of segments
//     acknowledged adds one segment each time it reaches cwnd (as
//     Linux's tcp_cong_avoid_ai, abc.go's segCounter);
//   - ssthresh is half the flight (eq. 4); here half of cwnd, in whole
//     segments, at least two (as Linux's tcp_reno_ssthresh);
//   - Limited Transmit (RFC 3042) sends a new segment on each of the
//     first two duplicate ACKs; here it is off, so the window the loss
//     halves is the round's;
//   - Reno inflates cwnd by one segment per further duplicate ACK and
//     deflates it to ssthresh when the loss is repaired (§3.2 steps 4
//     and 6); here cwnd stays ssthresh + 3 segments through fast
//     recovery and congestion avoidance continues from there, the ACK
//     that ends the recovery counting towards it.
//
// Only the aimd window (tahoe, reno, newreno) and the duplicate-ACK
// recovery (recovery_reno.go) read it.

// textbookAck grows cwnd as the figure does: one segment per ACK of new
// data in slow start, not beyond ssthresh, and one segment per cwnd
// segments acknowledged in congestion avoidance.
func (a *aimd) textbookAck(ev ackEvent) {
	s := a.s
	mss := s.smss()
	if s.cwnd < s.ssthresh {
		s.setCwnd(min(s.cwnd+mss, s.ssthresh), s.ssthresh)
		return
	}
	a.abc.congAvoid(s, s.cwnd/mss, a.abc.segments(ev.acked, mss))
}

// textbookSsthresh is the figure's ssthresh after a loss: half of cwnd in
// whole segments, at least two.
func textbookSsthresh(s *sender) int { return renoSsthresh(s) }
