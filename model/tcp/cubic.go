package tcp

import (
	"math"

	"tcpsim/sim"
)

// cubicAlgorithm is CUBIC (RFC 9438), the default of Linux, Windows and
// Apple's stacks: after a loss the window follows a cubic function of the
// time since the last congestion event, concave up to the window where
// the loss happened and convex beyond it, and never grows slower than an
// estimate of Reno's window. Without SACK it repairs losses with NewReno's
// fast recovery (RFC 9438 §4.2: CUBIC does not change fast recovery).
var cubicAlgorithm = algorithm{
	name:     "cubic",
	doc:      "CUBIC: window a cubic function of the time since the last loss, Reno-friendly, β = 0.7 (RFC 9438)",
	newCC:    newCubic,
	recovery: recoveryNewReno,
}

// RFC 9438 constants.
const (
	// cubicC is C (§4.1.1, §5.1: "C SHOULD be set to 0.4"), in
	// segments/second³.
	cubicC = 0.4
	// cubicBeta is β_cubic, the multiplicative decrease factor (§4.6).
	cubicBeta = 0.7
	// cubicAlpha is α_cubic = 3·(1 − β_cubic)/(1 + β_cubic), the additive
	// increase of the Reno-friendly estimate (§4.3), in segments per RTT.
	cubicAlpha = 3 * (1 - cubicBeta) / (1 + cubicBeta)
)

// cubic is RFC 9438's congestion control for one connection. The RFC
// counts windows in segments and time in seconds; tcpsim's cwnd is in
// bytes and its time in nanoseconds. cubic keeps its own state in the RFC's
// units (float64 segments and seconds: deterministic on one platform, and
// every input to the cube root is non-negative) and converts at the
// boundary with SMSS, keeping the fraction of a byte that cwnd cannot
// hold, so that small increments accumulate rather than vanish.
//
// Slow start is RFC 5681's (§4.10 allows it; HyStart++ is not
// implemented), and so is the loss window after a timeout.
type cubic struct {
	s *sender

	// The congestion avoidance stage ("epoch", §4.2). epoch is false
	// until the first ACK in congestion avoidance after a congestion
	// event or a timeout (or the end of fast recovery) starts one.
	epoch     bool
	tEpoch    sim.Time   // t_epoch, moved later by application-limited time (§5.8)
	cwndEpoch float64    // cwnd_epoch, segments
	k         float64    // K, seconds (eq. 2)
	wMax      float64    // W_max, segments (§4.6, lowered by fast convergence §4.7)
	wEst      float64    // W_est, segments (§4.3)
	cwndPrior float64    // cwnd_prior, segments: cwnd when ssthresh was last set
	afterRTO  bool       // the next stage follows a timeout: K = 0, W_max = cwnd_epoch (§4.8)
	frac      float64    // bytes of increase not yet added to cwnd (less than one)
	abc       segCounter // slow start by segments acknowledged (Config.ByteCounting, abc.go)

	// Application-limited and idle time (§5.8): lastAck is when the last
	// ACK of new data arrived, idle whether everything was acknowledged
	// then.
	lastAck sim.Time
	idle    bool
}

func newCubic(s *sender) congestionControl { return &cubic{s: s} }

func (c *cubic) window() int { return c.s.cwnd }

// wCubic is W_cubic(t) = C·(t − K)³ + W_max (RFC 9438 eq. 1), t in seconds
// since t_epoch, in segments.
func (c *cubic) wCubic(t float64) float64 {
	d := t - c.k
	return cubicC*d*d*d + c.wMax
}

// startEpoch begins a congestion avoidance stage at now with the current
// cwnd (§4.2): W_est = cwnd_epoch (§4.3), K from eq. 2, or K = 0 and
// W_max = cwnd_epoch after a timeout (§4.8) or when cwnd already exceeds
// W_max.
func (c *cubic) startEpoch(now sim.Time) {
	cw := float64(c.s.cwnd) / float64(c.s.smss())
	c.epoch = true
	c.tEpoch, c.lastAck = now, now
	c.cwndEpoch = cw
	c.wEst = cw
	c.frac = 0
	if c.afterRTO || c.wMax <= cw {
		c.wMax = cw
		c.k = 0
	} else {
		c.k = math.Cbrt((c.wMax - cw) / cubicC) // eq. 2
	}
	c.afterRTO = false
}

// onAck grows cwnd: slow start below ssthresh (RFC 5681 eq. 2), and in
// congestion avoidance toward target = W_cubic(t + RTT), bounded to
// [cwnd, 1.5·cwnd] (§4.2), by (target − cwnd)/cwnd per segment
// acknowledged (§4.4, §4.5), or to W_est in the Reno-friendly region
// (§4.3). The RFC's per-ACK increment is counted per segment acknowledged
// (its note on byte counting in §4.1), so delayed ACKs do not slow it.
func (c *cubic) onAck(ev ackEvent) {
	s := c.s
	if c.epoch {
		// §5.8 and §4.2: t must not include application-limited periods.
		// An ACK that finds the sender not cwnd-limited freezes the time
		// since the previous one; after an idle period (everything was
		// acknowledged) the gap less the round trip of the data now
		// acknowledged is idle time.
		gap := ev.now - c.lastAck
		switch {
		case !ev.cwndLimited:
			c.tEpoch += gap
		case c.idle:
			c.tEpoch += max(0, gap-ev.srtt)
		}
	}
	c.lastAck = ev.now
	c.idle = s.una == s.max
	if !ev.cwndLimited {
		return
	}
	mss := s.smss()
	if s.cwnd < s.ssthresh {
		if s.byteCounting {
			// RFC 3465 / Linux tcp_slow_start: a segment per segment
			// acknowledged; what passes ssthresh waits for the next ACK.
			c.abc.slowStart(s, c.abc.segments(ev.delivered, mss)/ev.ssDiv())
			return
		}
		s.setCwnd(s.cwnd+min(ev.acked, mss)/ev.ssDiv(), s.ssthresh)
		return
	}
	if !c.epoch {
		c.startEpoch(ev.now)
	}
	fmss := float64(mss)
	cw := float64(s.cwnd) / fmss
	acked := float64(ev.acked) / fmss // segments_acked
	// Reno-friendly estimate, eq. 4; α_cubic becomes 1 once W_est
	// reaches cwnd_prior (§4.3).
	alpha := cubicAlpha
	if c.wEst >= c.cwndPrior {
		alpha = 1
	}
	c.wEst += alpha * acked / cw
	t := (ev.now - c.tEpoch).Seconds()
	next := cw
	if c.wCubic(t) < c.wEst {
		// Reno-friendly region (§4.3): cwnd = W_est. Deviation: never
		// below the current cwnd, so that an ACK does not shrink it.
		next = max(cw, c.wEst)
	} else {
		// Concave (cwnd < W_max, §4.4) or convex (§4.5) region.
		target := min(max(c.wCubic(t+ev.srtt.Seconds()), cw), 1.5*cw)
		next = cw + (target-cw)/cw*acked
	}
	inc := (next-cw)*fmss + c.frac
	whole := math.Floor(inc)
	c.frac = inc - whole
	if whole >= 1 {
		s.setCwnd(s.cwnd+int(whole), s.ssthresh)
	}
}

// onCongestionEvent applies fast convergence (§4.7) to W_max, records
// cwnd_prior, and returns ssthresh = max(β_cubic·flight_size, 2·SMSS)
// (§4.6); the loss recovery sets cwnd from it.
func (c *cubic) onCongestionEvent(sim.Time) int {
	s := c.s
	cw := float64(s.cwnd) / float64(s.smss())
	if cw < c.wMax {
		c.wMax = cw * (1 + cubicBeta) / 2 // the saturation point fell: release bandwidth
	} else {
		c.wMax = cw
	}
	c.cwndPrior = cw
	c.epoch = false
	c.afterRTO = false
	return c.ssthresh()
}

// ssthresh is max(β_cubic·flight_size, 2·SMSS) in bytes (§4.6).
func (c *cubic) ssthresh() int {
	return max(int(cubicBeta*float64(c.s.lossFlight())), 2*c.s.smss())
}

// onRecoveryExit starts the congestion avoidance stage when fast recovery
// ends, with the cwnd it left (§4.2: t counts from the start of the
// stage).
func (c *cubic) onRecoveryExit(now sim.Time) {
	if c.s.cwnd >= c.s.ssthresh {
		c.startEpoch(now)
	}
}

// onRTO follows Reno for cwnd, the loss window (RFC 5681 §3.1), and sets
// ssthresh with β_cubic (§4.8); the next congestion avoidance stage starts
// with K = 0 and W_max and W_est at its cwnd.
func (c *cubic) onRTO(sim.Time) {
	s := c.s
	c.cwndPrior = float64(s.cwnd) / float64(s.smss())
	c.epoch = false
	c.afterRTO = true
	s.setCwnd(s.mss, c.ssthresh())
}
