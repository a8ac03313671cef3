package tcp

import (
	"testing"

	"tcpsim/sim"
)

// Vegas's once-per-round decision (Brakmo and Peterson 1995; Linux
// tcp_vegas_cong_avoid): diff = cwnd·(RTT − baseRTT)/baseRTT segments
// queued; in congestion avoidance grow below alpha, shrink above beta,
// hold between; in slow start leave above gamma, to the window that would
// queue nothing plus one.
func TestVegasRound(t *testing.T) {
	const base = 40 * sim.Millisecond
	for _, c := range []struct {
		name           string
		cwnd, ssthresh int // segments
		rtt            sim.Time
		wantCwnd       int
		wantBelowSS    bool // still in slow start afterwards
	}{
		// 20·(41−40)/40 = 0.5 < alpha: +1.
		{"avoidance, diff < alpha: grow", 20, 10, 41 * sim.Millisecond, 21, false},
		// 20·(46−40)/40 = 3: hold.
		{"avoidance, alpha <= diff <= beta: hold", 20, 10, 46 * sim.Millisecond, 20, false},
		// 20·(50−40)/40 = 5 > beta: −1.
		{"avoidance, diff > beta: shrink", 20, 10, 50 * sim.Millisecond, 19, false},
		// 40·(50−40)/40 = 10 > gamma in slow start: target 40·40/50 = 32, +1.
		{"slow start, diff > gamma: leave", 40, 1000, 50 * sim.Millisecond, 33, false},
		// 10·(41−40)/40 = 0.25 <= gamma: slow start goes on.
		{"slow start, diff <= gamma: go on", 10, 1000, 41 * sim.Millisecond, 11, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := testSender(c.cwnd, c.ssthresh)
			v := newVegas(s).(*vegas)
			v.baseRTT, v.minRTT, v.cntRTT = base, c.rtt, 1
			v.round(true)
			if got := s.cwnd / 1000; got != c.wantCwnd {
				t.Errorf("cwnd %d segments, want %d", got, c.wantCwnd)
			}
			if got := s.cwnd < s.ssthresh; got != c.wantBelowSS {
				t.Errorf("in slow start %v (cwnd %d, ssthresh %d), want %v", got, s.cwnd, s.ssthresh, c.wantBelowSS)
			}
		})
	}
}

// A flow that cwnd does not limit does not grow, however empty the queue.
func TestVegasNotCwndLimited(t *testing.T) {
	s := testSender(20, 10)
	v := newVegas(s).(*vegas)
	v.baseRTT, v.minRTT, v.cntRTT = 40*sim.Millisecond, 40*sim.Millisecond, 1
	v.round(false)
	if s.cwnd != 20000 {
		t.Errorf("cwnd %d, want 20000: an application-limited flow must not grow", s.cwnd)
	}
}
