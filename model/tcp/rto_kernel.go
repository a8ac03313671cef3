package tcp

import "tcpsim/sim"

// sampleLinux is Linux's RTT estimator and RTO (tcp_input.c
// tcp_rtt_estimator and tcp_set_rto, Linux 6.18), for Config.LinuxRTO. It
// is RFC 6298's SRTT with α = 1/8, and a deviation term that differs in
// three ways, all of which make the RTO larger on a path whose RTT is
// steady:
//
//   - the variance term never falls below the minimum RTO: RTO = SRTT +
//     max(4·mdev, rto_min), where RFC 6298 §2.4 clamps the whole,
//     RTO = max(SRTT + 4·RTTVAR, rto_min); a 200 ms minimum on a 200 ms
//     path gives a 400 ms RTO, not 200 ms;
//   - the term that sets the RTO (rttvar_us) follows the largest
//     deviation seen in each window of data (mdev_max_us, reset to
//     rto_min once SND.UNA passes the SND.NXT of the last reset), rising
//     at once and decaying by a quarter per window;
//   - a sample below SRTT moves the deviation up an eighth as much as one
//     above it ("only increase mdev by a fraction" when the RTT falls).
//
// Every sample counts with RFC 6298's full gains: Linux does not divide
// them by the samples per window as RFC 7323 Appendix G asks.
//
// Deviation: Linux measures from the send time of the oldest segment the
// ACK newly acknowledges and never retransmitted, and takes the echoed
// timestamp only when there is none (tcp_ack_update_rtt); tcpsim feeds the
// same samples as its RFC 6298 estimator (the echoed timestamp, or the one
// timed segment), which with delayed ACKs is the same oldest segment.
func (r *rttEstimator) sampleLinux(m sim.Time) {
	r.samples++
	r.latest = m
	if !r.hasRTT {
		r.hasRTT = true
		r.srtt = m
		r.mdev = 2 * m // mdev_us = m << 1: "make sure rto = 3*rtt"
		r.rttvar = max(r.mdev, r.minRTO)
		r.mdevMax = r.rttvar
		r.rttSeq = r.nxt
	} else {
		err := m - r.srtt
		r.srtt += err / 8 // srtt = 7/8 srtt + 1/8 m
		d := err
		if d < 0 {
			d = -d - r.mdev/4
			if d > 0 {
				d /= 8 // the RTT fell: raise mdev by an eighth as much
			}
		} else {
			d -= r.mdev / 4
		}
		r.mdev += d // mdev = 3/4 mdev + 1/4 |err| (in four mean deviations)
		if r.mdev > r.mdevMax {
			r.mdevMax = r.mdev
			r.rttvar = max(r.rttvar, r.mdevMax)
		}
		if r.rttSeq.LessThan(r.una) {
			// Once per window: decay rttvar toward the window's largest
			// deviation, and start a new window at rto_min.
			if r.mdevMax < r.rttvar {
				r.rttvar -= (r.rttvar - r.mdevMax) / 4
			}
			r.rttSeq = r.nxt
			r.mdevMax = r.minRTO
		}
	}
	r.srtt = max(r.srtt, 1)
	r.rto = min(r.srtt+r.rttvar, r.maxRTO) // tcp_set_rto, tcp_bound_rto
	if r.obs != nil {
		r.obs.TCPEvent(EvRTT, Note{RTT: m, SRTT: r.srtt, RTTVar: r.rttvar / 4, RTO: r.rto})
	}
}
