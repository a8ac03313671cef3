package tcp

import (
	"tcpsim/model/seqnum"
	"tcpsim/sim"
)

// cubicLinuxAlgorithm is CUBIC as Linux runs it (net/ipv4/tcp_cubic.c,
// Linux 6.x), beside RFC 9438's in cubic.go. The two share the cubic
// curve and differ where the kernel departs from the RFC:
//
//   - integer arithmetic in segments: the curve's time in 1/1024 s
//     (BICTCP_HZ = 10) from jiffies, K from a cube root of
//     cube_factor·(W_max − cwnd) with cube_factor = 2^40/410 (bic_scale
//     41, "C = 0.4"), and the growth as tcp_cong_avoid_ai's one segment
//     per cnt segments acknowledged (snd_cwnd_cnt), cnt recomputed at
//     most once per jiffy and otherwise every HZ/32;
//   - the target is the curve at t + delay_min (the minimum RTT), not
//     t + SRTT (RFC 9438 §4.2 uses the RTT);
//   - β = 717/1024 ≈ 0.7002, ssthresh = max(cwnd·β, 2) of cwnd, not of
//     the flight (RFC 9438 §4.6 uses flight_size); fast convergence
//     W_max = cwnd·(1 + β)/2 when cwnd fell below the last W_max;
//   - the Reno-friendly estimate (tcp_friendliness) grows one segment per
//     cwnd·beta_scale/8 segments acknowledged, beta_scale = 15: about
//     0.53 segments per RTT for good. Deviation from RFC 9438 §4.3, which
//     raises α to 1 once W_est reaches cwnd_prior: Linux never does;
//   - before the first loss (last_max_cwnd 0) cnt is at most 20 (5% per
//     RTT) and never below 2 (1.5× per RTT);
//   - after a timeout the state is reset (cubictcp_state on TCP_CA_Loss):
//     no W_max, delay_min forgotten; ssthresh is recomputed only when no
//     loss episode (recovery or timeout) is under way (tcp_enter_loss);
//   - HyStart (hystart.go) ends slow start by default (hystart=1).
//
// Slow start is tcp_slow_start (abc.go): one segment per segment
// acknowledged, whatever Config.ByteCounting says, as Linux counts.
//
// Deviation: the cube root is the exact integer one (floor), where Linux
// uses a 64-entry table and one Newton step (average error 0.195%, its
// comment says). Deviation: no CA_EVENT_TX_START shift of epoch_start
// after idle periods (a bulk sender is never idle). Deviation: no undo
// (tcp_reno_undo_cwnd): spurious-retransmission undo is the loss
// recovery's business.
var cubicLinuxAlgorithm = algorithm{
	name:     "cubic-linux",
	doc:      "CUBIC as Linux's tcp_cubic.c runs it: integer cubic in segments, β = 717/1024, Reno-friendly α ≈ 0.53 always, HyStart",
	newCC:    newCubicLinux,
	recovery: recoveryNewReno,
	hystart:  HyStartLinux,
}

// tcp_cubic.c's constants (module defaults) and the reference kernel's
// tick.
const (
	linuxHZ          = 250                                                                     // CONFIG_HZ of the reference kernel (6.18.44, linux-peer README)
	linuxJiffy       = sim.Second / linuxHZ                                                    // one jiffy
	bictcpBetaScale  = 1024                                                                    // BICTCP_BETA_SCALE
	bictcpBeta       = 717                                                                     // beta: 717/1024
	bictcpHZ         = 10                                                                      // BICTCP_HZ: time in 1/1024 s
	cubeRTTScale     = 41 * 10                                                                 // cube_rtt_scale = bic_scale·10
	cubeFactor       = (1 << 40) / cubeRTTScale                                                // cube_factor = 2^(10+3·BICTCP_HZ)/(bic_scale·10)
	cubicBetaScale   = 8 * (bictcpBetaScale + bictcpBeta) / 3 / (bictcpBetaScale - bictcpBeta) // beta_scale = 15
	cubicUpdateEvery = linuxHZ / 32                                                            // jiffies between recomputations at an unchanged cwnd
)

// cubicLinux is tcp_cubic.c's struct bictcp for one connection, cwnd in
// segments of SMSS bytes.
type cubicLinux struct {
	s   *sender
	abc segCounter // snd_cwnd_cnt and byte-to-segment remainder

	cnt         int      // cnt: grow cwnd by one per cnt segments acknowledged
	lastMaxCwnd int      // last_max_cwnd (W_max), segments
	lastCwnd    int      // last_cwnd
	lastTime    int64    // last_time, jiffies
	originPoint int      // bic_origin_point
	bicK        uint64   // bic_K, 1/1024 s
	delayMin    sim.Time // delay_min
	epoch       bool     // epoch_start != 0
	epochStart  int64    // epoch_start, jiffies
	ackCnt      int      // ack_cnt: segments acknowledged in the epoch (Reno-friendly estimate)
	tcpCwnd     int      // tcp_cwnd: the Reno-friendly estimate, segments

	// highSeq is SND.MAX when the last loss episode (recovery or
	// timeout) began: a timeout before SND.UNA passes it keeps ssthresh
	// (tcp_enter_loss recomputes it only outside recovery and on the
	// first timeout). lossUna is SND.UNA then.
	lossUna, highSeq seqnum.Value
	inLoss           bool
}

func newCubicLinux(s *sender) congestionControl { return &cubicLinux{s: s} }

func (c *cubicLinux) window() int { return c.s.cwnd }

// jiffies is tcp_jiffies32 at now.
func jiffies(now sim.Time) int64 { return int64(now / linuxJiffy) }

// cubeRoot returns floor(cbrt(a)), by bisection over [0, 2642245]
// (2642245³ is the largest cube below 2^64, so no product overflows).
func cubeRoot(a uint64) uint64 {
	lo, hi := uint64(0), uint64(2642246) // lo³ <= a < hi³
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if mid*mid*mid <= a {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// onAck is cubictcp_acked (the delay sample) and cubictcp_cong_avoid.
func (c *cubicLinux) onAck(ev ackEvent) {
	s := c.s
	now := jiffies(ev.now)
	// cubictcp_acked: delay_min, except in the first second of an epoch
	// (right after a recovery).
	if ev.rtt > 0 && !(c.epoch && now-c.epochStart < linuxHZ) {
		if c.delayMin == 0 || ev.rtt < c.delayMin {
			c.delayMin = ev.rtt
		}
	}
	if c.inLoss && !s.una.LessThan(c.highSeq) {
		c.inLoss = false
	}
	if !ev.cwndLimited {
		return
	}
	mss := s.smss()
	segs := c.abc.segments(ev.delivered, mss)
	if s.cwnd < s.ssthresh {
		segs = c.abc.slowStart(s, segs/ev.ssDiv())
		if segs == 0 {
			return
		}
	}
	if segs == 0 {
		return
	}
	c.update(s.cwnd/mss, segs, now)
	c.abc.congAvoid(s, c.cnt, segs)
}

// update is bictcp_update: it recomputes cnt for cwnd (segments) after
// acked segments, at jiffy now.
func (c *cubicLinux) update(cwnd, acked int, now int64) {
	c.ackCnt += acked
	if c.lastCwnd == cwnd && now-c.lastTime <= cubicUpdateEvery {
		return
	}
	if !(c.epoch && now == c.lastTime) {
		c.lastCwnd = cwnd
		c.lastTime = now
		if !c.epoch {
			c.epoch = true
			c.epochStart = now
			c.ackCnt = acked
			c.tcpCwnd = cwnd
			if c.lastMaxCwnd <= cwnd {
				c.bicK = 0
				c.originPoint = cwnd
			} else {
				c.bicK = cubeRoot(cubeFactor * uint64(c.lastMaxCwnd-cwnd))
				c.originPoint = c.lastMaxCwnd
			}
		}
		// t in 1/1024 s: the epoch's age plus delay_min, in jiffies
		// (usecs_to_jiffies rounds up).
		tj := now - c.epochStart + int64((c.delayMin+linuxJiffy-1)/linuxJiffy)
		t := uint64(tj) << bictcpHZ / linuxHZ
		var offs uint64
		if t < c.bicK {
			offs = c.bicK - t
		} else {
			offs = t - c.bicK
		}
		delta := int((cubeRTTScale * offs * offs * offs) >> (10 + 3*bictcpHZ))
		target := c.originPoint + delta
		if t < c.bicK {
			target = c.originPoint - delta
		}
		if target > cwnd {
			c.cnt = cwnd / (target - cwnd)
		} else {
			c.cnt = 100 * cwnd // very small increment
		}
		if c.lastMaxCwnd == 0 && c.cnt > 20 {
			c.cnt = 20 // 5% per RTT before the first loss
		}
	}
	// tcp_friendliness.
	d := (cwnd * cubicBetaScale) >> 3
	for d > 0 && c.ackCnt > d {
		c.ackCnt -= d
		c.tcpCwnd++
	}
	if c.tcpCwnd > cwnd {
		if maxCnt := cwnd / (c.tcpCwnd - cwnd); c.cnt > maxCnt {
			c.cnt = maxCnt
		}
	}
	c.cnt = max(c.cnt, 2)
}

// onCongestionEvent is cubictcp_recalc_ssthresh: the epoch ends, W_max
// with fast convergence, ssthresh = max(cwnd·β, 2) segments.
func (c *cubicLinux) onCongestionEvent(sim.Time) int {
	c.abc.reset()
	c.lossUna, c.highSeq, c.inLoss = c.s.una, c.s.max, true
	return c.recalcSsthresh()
}

func (c *cubicLinux) recalcSsthresh() int {
	s := c.s
	mss := s.smss()
	cwnd := s.cwnd / mss
	c.epoch = false
	if cwnd < c.lastMaxCwnd {
		c.lastMaxCwnd = cwnd * (bictcpBetaScale + bictcpBeta) / (2 * bictcpBetaScale)
	} else {
		c.lastMaxCwnd = cwnd
	}
	return max(cwnd*bictcpBeta/bictcpBetaScale, 2) * mss
}

func (c *cubicLinux) onRecoveryExit(sim.Time) {}

// onRTO is tcp_enter_loss with cubictcp_state(TCP_CA_Loss): ssthresh from
// recalc_ssthresh unless this timeout repeats one without progress, cwnd
// one segment, and the CUBIC state reset.
func (c *cubicLinux) onRTO(sim.Time) {
	s := c.s
	ssthresh := s.ssthresh
	if !c.inLoss || !s.una.LessThan(c.highSeq) {
		ssthresh = c.recalcSsthresh()
	}
	*c = cubicLinux{s: s, lossUna: s.una, highSeq: s.max, inLoss: true}
	s.setCwnd(s.smss(), ssthresh)
}
