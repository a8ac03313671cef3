package tcp

import (
	"tcpsim/model/seqnum"
	"tcpsim/sim"
)

// renoAlgorithm is Reno: RFC 5681's slow start and congestion avoidance
// with fast retransmit and fast recovery, which ends at the first ACK of
// new data (RFC 5681 §3.2).
var renoAlgorithm = algorithm{
	name:     "reno",
	doc:      "Reno: slow start, congestion avoidance, fast retransmit and fast recovery (RFC 5681)",
	newCC:    newAIMD,
	recovery: recoveryReno,
}

// aimd is RFC 5681's window: slow start below ssthresh, additive increase
// of about one SMSS per RTT above it, and a halving of the flight on a
// loss. Tahoe, Reno and NewReno all grow and cut the window this way and
// differ only in their loss recovery.
type aimd struct {
	s   *sender
	abc segCounter // segment counting, when the sender counts as Linux does (abc.go)
	// highSeq is SND.MAX when the last loss episode (a recovery or a
	// timeout) began, and episode whether one began: with byte counting
	// a timeout before SND.UNA passes highSeq keeps ssthresh, as Linux's
	// tcp_enter_loss does.
	highSeq seqnum.Value
	episode bool
}

func newAIMD(s *sender) congestionControl { return &aimd{s: s} }

func (a *aimd) window() int { return a.s.cwnd }

// onAck grows cwnd: by min(acked, SMSS) in slow start (RFC 5681 eq. 2),
// by SMSS·SMSS/cwnd in congestion avoidance (eq. 3), only while cwnd
// limits the sender. With Config.ByteCounting it counts segments
// acknowledged instead, as Linux's tcp_reno_cong_avoid does (abc.go):
// slow start by tcp_slow_start, congestion avoidance by
// tcp_cong_avoid_ai with w = cwnd.
func (a *aimd) onAck(ev ackEvent) {
	if !ev.cwndLimited {
		return
	}
	if a.s.textbook {
		a.textbookAck(ev)
		return
	}
	s := a.s
	mss := s.smss()
	if s.byteCounting {
		segs := a.abc.segments(ev.delivered, mss)
		if s.cwnd < s.ssthresh {
			segs = a.abc.slowStart(s, segs/ev.ssDiv())
		}
		if segs > 0 {
			a.abc.congAvoid(s, s.cwnd/mss, segs)
		}
		return
	}
	if s.cwnd < s.ssthresh && ev.ssDiv() > 1 {
		// HyStart++'s conservative slow start (RFC 9406 §4.2).
		s.setCwnd(s.cwnd+min(ev.acked, mss)/ev.ssDiv(), s.ssthresh)
		return
	}
	if s.cwnd < s.ssthresh {
		s.setCwnd(s.cwnd+min(ev.acked, mss), s.ssthresh)
	} else {
		s.setCwnd(s.cwnd+max(1, mss*mss/s.cwnd), s.ssthresh)
	}
}

// onCongestionEvent returns max(FlightSize/2, 2·SMSS) (RFC 5681 eq. 4).
//
// With byte counting it is Linux's tcp_reno_ssthresh instead: max(cwnd/2,
// 2 segments), of cwnd, not of the flight. Deviation from RFC 5681, as
// Linux: after a long NewReno recovery that kept sending new data, the
// flight can be many windows, and half of it is no estimate of the path.
func (a *aimd) onCongestionEvent(sim.Time) int {
	a.abc.reset()
	s := a.s
	if s.textbook {
		return textbookSsthresh(s)
	}
	if !s.byteCounting {
		return s.halfFlight()
	}
	a.highSeq, a.episode = s.max, true
	return renoSsthresh(s)
}

// renoSsthresh is tcp_reno_ssthresh: max(cwnd/2, 2 segments), in whole
// segments.
func renoSsthresh(s *sender) int {
	mss := s.smss()
	return max(s.cwnd/mss/2, 2) * mss
}

func (a *aimd) onRecoveryExit(sim.Time) {}

// onRTO sets the loss window, one segment, and ssthresh by eq. 4
// (RFC 5681 §3.1).
//
// Deviation: the loss window is our configured MSS, not SMSS (the smaller
// of ours and the peer's); the two only differ when the peer announces a
// smaller MSS, and the textbook answers were computed this way.
//
// With byte counting, ssthresh follows Linux's tcp_enter_loss: recomputed
// from cwnd (tcp_reno_ssthresh) only when no loss episode is under way; a
// timeout during a recovery, or a repeated one, keeps it.
func (a *aimd) onRTO(sim.Time) {
	a.abc.reset()
	s := a.s
	if s.textbook {
		s.setCwnd(s.smss(), textbookSsthresh(s))
		return
	}
	if !s.byteCounting {
		s.setCwnd(s.mss, s.halfFlight())
		return
	}
	ssthresh := s.ssthresh
	if !a.episode || !s.una.LessThan(a.highSeq) {
		ssthresh = renoSsthresh(s)
	}
	a.highSeq, a.episode = s.max, true
	s.setCwnd(s.smss(), ssthresh)
}
