package tcp

import (
	"math"

	"tcpsim/sim"
)

// This file is pacing: with Config.Pacing, or with BBR, the sender spaces
// its data segments at a pacing rate instead of sending a window's worth
// back to back, as Linux's internal pacing does (tcp_internal_pacing,
// tcp_update_skb_after_send with the earliest departure time model): each
// segment of len bytes moves the earliest time of the next one len/rate
// later. A held segment waits for the pacing deadline, which Deadline
// reports with the endpoint's timers; nothing is allocated per segment.
//
// Deviation: the rate counts payload bytes, Linux's skb->len counts the
// TCP header too.

// pacingHold reports whether pacing holds the next data segment back,
// and if so makes Deadline wake the sender when it may go.
func (e *Endpoint) pacingHold() bool {
	if !e.pacing || e.clock.Now() >= e.pacingNext {
		return false
	}
	e.pacingWait = true
	return true
}

// paceSent moves the pacing deadline past a segment of size bytes just
// sent.
func (e *Endpoint) paceSent(size int) {
	rate := e.pacingRate()
	if rate <= 0 {
		return
	}
	e.pacingNext = max(e.pacingNext, e.clock.Now()) + sim.Time(int64(size)*int64(sim.Second)/rate)
}

// pacingRate returns the pacing rate in bytes per second, 0 for none.
// BBR sets its own (bbr.go). Otherwise it is tcp_update_pacing_rate's:
// max(cwnd, packets out)/SRTT, times sysctl_tcp_pacing_ss_ratio (200%)
// while cwnd < ssthresh/2, in slow start, and sysctl_tcp_pacing_ca_ratio
// (120%) after; without an SRTT, unpaced (as Linux, whose rate stays at
// its maximum).
func (e *Endpoint) pacingRate() int64 {
	if e.bbr != nil {
		return e.bbr.pacing()
	}
	srtt := e.rtt.srtt
	w := max(e.snd.cwnd, e.snd.flightSize())
	if srtt <= 0 || w <= 0 || w > math.MaxInt32 {
		return 0
	}
	ratio := int64(120)
	if e.snd.cwnd < e.snd.ssthresh/2 {
		ratio = 200
	}
	return int64(w) * ratio / 100 * int64(sim.Second) / int64(srtt)
}
