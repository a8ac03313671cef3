package tcp

import (
	"fmt"

	"tcpsim/model/seqnum"
	"tcpsim/sim"
)

// HyStart names a slow-start exit algorithm: how slow start may end before
// the first loss, by watching round-trip times and ACK spacing.
type HyStart int

// The slow-start exit algorithms.
const (
	// HyStartAuto is the congestion control's own: Linux's HyStart for
	// cubic-linux (tcp_cubic.c runs it by default, hystart=1), none for
	// the others.
	HyStartAuto HyStart = iota
	// HyStartOff: slow start lasts until a loss or ssthresh.
	HyStartOff
	// HyStartLinux is HyStart as Linux's CUBIC runs it (hystart.go).
	HyStartLinux
	// HyStartPP is HyStart++ (RFC 9406, hystartpp.go).
	HyStartPP
)

var hyStartNames = [...]string{HyStartAuto: "auto", HyStartOff: "off", HyStartLinux: "linux", HyStartPP: "hystart++"}

// HyStartNames returns the names ParseHyStart takes, in constant order.
func HyStartNames() []string { return append([]string(nil), hyStartNames[:]...) }

// ParseHyStart maps a scenario name to a HyStart.
func ParseHyStart(s string) (HyStart, error) {
	for i, n := range hyStartNames {
		if n == s {
			return HyStart(i), nil
		}
	}
	return 0, fmt.Errorf("tcp: unknown hystart %q", s)
}

// String returns the scenario name.
func (h HyStart) String() string {
	if h >= 0 && int(h) < len(hyStartNames) {
		return hyStartNames[h]
	}
	return fmt.Sprintf("HyStart(%d)", int(h))
}

// slowStartExit decides when slow start ends before a loss. The Endpoint
// calls onAck for every ACK of new data, before the congestion control's
// onAck; it ends slow start by setting ssthresh to cwnd (as Linux's
// HyStart and RFC 9406 §4.2 do), and returns the divisor of slow start's
// growth for this ACK (HyStart++'s conservative slow start). reset is
// called when the retransmission timer expires (Linux resets HyStart on
// entering the Loss state, cubictcp_state).
type slowStartExit interface {
	onAck(ev ackEvent, recovering bool) (ssDivisor int)
	reset()
}

// newSlowStartExit returns the detector cfg asks for, or nil.
func newSlowStartExit(cfg *Config, s *sender) slowStartExit {
	h := cfg.HyStart
	if h == HyStartAuto {
		h = cfg.Congestion.algorithm().hystart
	}
	switch h {
	case HyStartLinux:
		return &hyStartLinux{s: s}
	case HyStartPP:
		return newHyStartPP(s)
	}
	return nil
}

// Linux HyStart parameters (net/ipv4/tcp_cubic.c, its module parameters
// and #defines, Linux 6.x).
const (
	hystartLowWindow  = 16                   // hystart_low_window: HyStart acts only from cwnd 16 segments
	hystartAckDelta   = 2 * sim.Millisecond  // hystart_ack_delta_us: ACKs at most 2 ms apart form a train
	hystartMinSamples = 8                    // HYSTART_MIN_SAMPLES: RTT samples per round before the delay test
	hystartDelayMin   = 4 * sim.Millisecond  // HYSTART_DELAY_MIN
	hystartDelayMax   = 16 * sim.Millisecond // HYSTART_DELAY_MAX
	linuxGSOMaxSize   = 65536                // the device's gso_max_size (GSO_LEGACY_MAX_SIZE)
	linuxAckDelayCap  = sim.Millisecond      // hystart_ack_delay's cap, USEC_PER_MSEC
	hystartNever      = sim.Time(1<<63 - 1)  // curr_rtt = ~0U
)

// hyStartLinux is HyStart as tcp_cubic.c runs it (Ha and Rhee, "Taming
// the elephants", 2011; Linux's hystart_update and cubictcp_acked): in
// slow start, once cwnd is at least hystart_low_window segments, each
// round trip (from the ACK of the data outstanding when the round began)
//
//   - the ACK train: while ACKs arrive at most 2 ms apart, if the train
//     has lasted more than (delay_min + ack_delay)/2 since the round
//     began, the window is about a BDP: slow start ends;
//   - the delay increase: once 8 RTT samples of the round are in, if
//     their minimum exceeds delay_min by clamp(delay_min/8, 4 ms, 16 ms),
//     a queue is building: slow start ends.
//
// Slow start ends with ssthresh = cwnd (tp->snd_ssthresh =
// tcp_snd_cwnd(tp)); the congestion control then grows the window in
// congestion avoidance.
//
// Deviation: Linux's delay samples have microsecond resolution (the
// send time of the newest segment acknowledged); tcpsim's come from the
// timestamp echo (1 ms ticks) or the one timed segment. Deviation:
// Linux skips delay samples during the first second after a fast
// recovery (epoch_start); slow start after a recovery is rare (it needs a
// timeout, which resets the epoch), so that test is left out.
type hyStartLinux struct {
	s          *sender
	started    bool
	found      bool
	roundStart sim.Time     // round_start
	lastAck    sim.Time     // last_ack: the last ACK of the train
	endSeq     seqnum.Value // end_seq: SND.NXT when the round began
	currRTT    sim.Time     // curr_rtt: the round's minimum RTT sample
	sampleCnt  int          // sample_cnt
	delayMin   sim.Time     // delay_min: the connection's minimum RTT
}

// roundReset is bictcp_hystart_reset: a new round begins now.
func (h *hyStartLinux) roundReset(now sim.Time) {
	h.roundStart, h.lastAck = now, now
	h.endSeq = h.s.nxt
	h.currRTT = hystartNever
	h.sampleCnt = 0
}

func (h *hyStartLinux) reset() {
	h.found = false
	h.delayMin = 0
	h.started = false
}

// ackDelay is hystart_ack_delay: the time a GSO burst at the pacing rate
// takes, at most 1 ms; Linux's pacing rate in slow start is
// 2·cwnd·SMSS/SRTT (tcp_update_pacing_rate, tcp_pacing_ss_ratio 200%).
func (h *hyStartLinux) ackDelay(srtt sim.Time) sim.Time {
	if srtt <= 0 {
		return 0
	}
	rate := 2 * float64(h.s.cwnd) / srtt.Seconds() // bytes per second
	if rate <= 0 {
		return 0
	}
	return min(linuxAckDelayCap, sim.Time(4*linuxGSOMaxSize/rate*1e9))
}

func (h *hyStartLinux) onAck(ev ackEvent, recovering bool) int {
	s := h.s
	if !h.started {
		h.started = true
		h.roundReset(ev.now)
	}
	if ev.rtt <= 0 {
		return 1
	}
	delay := ev.rtt
	if h.delayMin == 0 || delay < h.delayMin {
		h.delayMin = delay
	}
	if h.found || recovering || s.cwnd >= s.ssthresh || s.cwnd < hystartLowWindow*s.smss() {
		return 1
	}
	// hystart_update.
	if h.endSeq.LessThan(s.una) {
		h.roundReset(ev.now)
	}
	if ev.now-h.lastAck <= hystartAckDelta {
		h.lastAck = ev.now
		// No pacing (sk_pacing_status is SK_PACING_NONE without fq):
		// the threshold is halved.
		threshold := (h.delayMin + h.ackDelay(ev.srtt)) / 2
		if ev.now-h.roundStart > threshold {
			h.exit()
			return 1
		}
	}
	h.currRTT = min(h.currRTT, delay)
	if h.sampleCnt < hystartMinSamples {
		h.sampleCnt++
	} else if h.currRTT > h.delayMin+min(max(h.delayMin/8, hystartDelayMin), hystartDelayMax) {
		h.exit()
	}
	return 1
}

// exit ends slow start: ssthresh = cwnd.
func (h *hyStartLinux) exit() {
	h.found = true
	h.s.setCwnd(h.s.cwnd, h.s.cwnd)
}
