package tcp

import "tcpsim/sim"

// undoState is the bookkeeping of spurious-retransmission undo as Linux
// does it (tcp_input.c: undo_marker, undo_retrans, prior_cwnd,
// prior_ssthresh, retrans_stamp): when a recovery or a timeout starts, the
// window before the cut is kept; if it turns out that nothing was lost,
// the cut is taken back. Two detections (RFC 3708's and RFC 3522's):
//
//   - D-SACK: every retransmission of the episode has come back in a
//     D-SACK block (RFC 2883), so each original had arrived: the bytes
//     retransmitted, less the bytes D-SACKed, reach zero;
//   - Eifel (RFC 3522): an ACK that moves SND.UNA echoes (TSecr) a
//     timestamp older than the episode's first retransmission, so the
//     original was delivered, not the retransmission.
//
// Deviation: the congestion control's own state (CUBIC's W_max and epoch)
// is not restored, as Linux's tcp_cubic does not either (its undo_cwnd is
// tcp_reno_undo_cwnd). F-RTO (RFC 5682) is not implemented: after a
// timeout only the two detections above undo.
type undoState struct {
	marker      bool     // undo_marker: an episode whose cut may be undone
	priorCwnd   int      // cwnd before the cut
	priorSsth   int      // ssthresh before the cut
	retrans     int64    // bytes retransmitted in the episode less those D-SACKed
	firstRetran sim.Time // retrans_stamp: the episode's first retransmission, 0 before
	from        int64    // SND.UNA's offset when the episode began: D-SACKs below it are older
}

// start opens an episode at SND.UNA's offset una with the window before
// its cut.
func (u *undoState) start(cwnd, ssthresh int, una int64) {
	*u = undoState{marker: true, priorCwnd: cwnd, priorSsth: ssthresh, from: una}
}

// retransmitted counts n bytes retransmitted at now.
func (u *undoState) retransmitted(n int, now sim.Time) {
	if !u.marker {
		return
	}
	u.retrans += int64(n)
	if u.firstRetran == 0 {
		u.firstRetran = now
	}
}

// dsacked counts n bytes D-SACKed and reports whether every retransmission
// of the episode has now been D-SACKed.
func (u *undoState) dsacked(n int64) bool {
	if !u.marker || u.firstRetran == 0 {
		return false
	}
	u.retrans -= n
	return u.retrans <= 0
}

// delayed reports whether an ACK echoing tsecr (0 without timestamps)
// shows the episode's retransmission to have been spurious (RFC 3522
// §3.2; Linux tcp_packet_delayed).
func (u *undoState) delayed(tsecr uint32) bool {
	return u.marker && u.firstRetran != 0 && tsecr != 0 && tsBefore(tsecr, tsClock(u.firstRetran))
}

// restore ends the episode and returns the window to set:
// max(cwnd, prior cwnd) and max(ssthresh, prior ssthresh).
func (u *undoState) restore(cwnd, ssthresh int) (int, int) {
	u.marker = false
	return max(cwnd, u.priorCwnd), max(ssthresh, u.priorSsth)
}
