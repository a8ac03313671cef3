package tcp

import "tcpsim/sim"

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
func (a *aimd) onCongestionEvent(sim.Time) int {
	a.abc.reset()
	return a.s.halfFlight()
}

func (a *aimd) onRecoveryExit(sim.Time) {}

// onRTO sets the loss window, one segment, and ssthresh by eq. 4
// (RFC 5681 §3.1).
//
// Deviation: the loss window is our configured MSS, not SMSS (the smaller
// of ours and the peer's); the two only differ when the peer announces a
// smaller MSS, and the textbook answers were computed this way.
func (a *aimd) onRTO(sim.Time) {
	a.abc.reset()
	a.s.setCwnd(a.s.mss, a.s.halfFlight())
}
