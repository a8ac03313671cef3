package tcp

import (
	"tcpsim/model/seqnum"
	"tcpsim/sim"
)

// vegasAlgorithm is TCP Vegas (Brakmo and Peterson, "TCP Vegas: End to
// End Congestion Avoidance on a Global Internet", IEEE JSAC 13(8), 1995),
// as Linux's net/ipv4/tcp_vegas.c runs it: a delay-based congestion
// avoidance that keeps between alpha and beta segments queued in the
// network, with Reno's response to loss.
var vegasAlgorithm = algorithm{
	name:     "vegas",
	doc:      "Vegas: delay-based, keeps alpha=2 to beta=4 segments queued, Reno on loss (Brakmo and Peterson 1995; Linux tcp_vegas.c)",
	newCC:    newVegas,
	recovery: recoveryReno,
}

// Vegas's thresholds in segments, Linux's defaults (tcp_vegas.c, module
// parameters alpha, beta, gamma).
const (
	vegasAlpha = 2 // fewer segments queued than this: grow by one a round
	vegasBeta  = 4 // more than this: shrink by one a round
	vegasGamma = 1 // more than this in slow start: leave slow start
)

// vegas is Vegas's state for one sender. Once per round trip (when the
// ACK passes begSndNxt, SND.NXT at the start of the round) it compares
// the expected rate cwnd/baseRTT with the actual cwnd/RTT, RTT being the
// smallest sample of the round: diff = cwnd·(RTT − baseRTT)/baseRTT is
// how many segments the flow keeps in queues.
type vegas struct {
	aimd               // loss response and Reno's growth when Vegas has no sample
	baseRTT   sim.Time // smallest RTT ever seen: the propagation delay
	minRTT    sim.Time // smallest RTT of this round
	cntRTT    int      // RTT samples this round
	begSndNxt seqnum.Value
	started   bool
}

func newVegas(s *sender) congestionControl { return &vegas{aimd: aimd{s: s}} }

// onAck is tcp_vegas_cong_avoid.
//
// Deviation: Linux takes an RTT sample from every ACK and falls back to
// Reno's growth for a round with fewer than three; tcpsim's sender times
// one segment per round trip without timestamps (RFC 6298), so a round
// with one sample is enough here. With timestamps every ACK gives one.
func (v *vegas) onAck(ev ackEvent) {
	s := v.s
	if ev.rtt > 0 {
		if v.baseRTT == 0 || ev.rtt < v.baseRTT {
			v.baseRTT = ev.rtt
		}
		if v.cntRTT == 0 || ev.rtt < v.minRTT {
			v.minRTT = ev.rtt
		}
		v.cntRTT++
	}
	if !v.started {
		v.started, v.begSndNxt = true, s.nxt
	}
	if !v.begSndNxt.LessThan(s.una) {
		// Within the round: only slow start grows, per ACK.
		if s.cwnd < s.ssthresh && ev.cwndLimited {
			s.setCwnd(s.cwnd+min(ev.acked, s.smss()), s.ssthresh)
		}
		return
	}
	v.begSndNxt = s.nxt
	if v.cntRTT == 0 {
		v.aimd.onAck(ev)
		return
	}
	v.round(ev.cwndLimited)
	v.cntRTT, v.minRTT = 0, 0
}

// round is Vegas's once-per-RTT decision, in whole segments as Linux.
// cwnd grows only while it limits the sender (as the other algorithms,
// RFC 7661), or an application-limited flow, which queues nothing, would
// grow it without bound.
func (v *vegas) round(cwndLimited bool) {
	s := v.s
	mss := s.smss()
	cw := s.cwnd / mss
	rtt := v.minRTT
	target := int(int64(cw) * int64(v.baseRTT) / int64(rtt))
	diff := int(int64(cw) * int64(rtt-v.baseRTT) / int64(v.baseRTT))
	ssthresh := s.ssthresh
	switch {
	case diff > vegasGamma && s.cwnd < s.ssthresh:
		// Too much queued already in slow start: go to the rate that
		// would queue nothing, plus one, and stay in avoidance.
		cw = min(cw, target+1)
		ssthresh = min(ssthresh, (cw-1)*mss)
	case s.cwnd < s.ssthresh:
		if cwndLimited {
			cw++ // this ACK's slow-start segment; the others grow in onAck
		}
	case diff > vegasBeta:
		cw--
		ssthresh = min(ssthresh, (cw-1)*mss)
	case diff < vegasAlpha && cwndLimited:
		cw++
	}
	cw = max(cw, 2)
	// tcp_current_ssthresh: at least three quarters of cwnd.
	ssthresh = max(ssthresh, (cw>>1+cw>>2)*mss)
	s.setCwnd(cw*mss, ssthresh)
}

func (v *vegas) onCongestionEvent(now sim.Time) int {
	v.cntRTT, v.minRTT = 0, 0
	return v.aimd.onCongestionEvent(now)
}

func (v *vegas) onRTO(now sim.Time) {
	v.cntRTT, v.minRTT = 0, 0
	v.begSndNxt = v.s.max
	v.aimd.onRTO(now)
}
