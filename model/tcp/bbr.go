package tcp

import (
	"tcpsim/model/seqnum"
	"tcpsim/sim"
)

// bbrAlgorithm is BBR version 1 as Linux mainline runs it
// (net/ipv4/tcp_bbr.c; Cardwell et al., "BBR: Congestion-Based Congestion
// Control", ACM Queue 2016): a model of the path, its bottleneck
// bandwidth (the windowed maximum of delivery-rate samples, rate.go) and
// its round-trip propagation time (the windowed minimum RTT), sets the
// pacing rate and cwnd, whatever the losses.
var bbrAlgorithm = algorithm{
	name:     "bbr",
	doc:      "BBR v1: pacing at the estimated bottleneck bandwidth, cwnd of twice the BDP (Linux tcp_bbr.c)",
	newCC:    newBBR,
	recovery: recoveryNewReno,
}

// BBR's modes (bbr_mode in tcp_bbr.c).
type bbrMode uint8

// The modes, in the order Linux numbers them.
const (
	bbrStartup  bbrMode = iota // ramp up the sending rate rapidly to fill the pipe
	bbrDrain                   // drain any queue created during startup
	bbrProbeBW                 // discover, share the bandwidth: pace around the estimated bw
	bbrProbeRTT                // cut inflight to the minimum to probe min_rtt
)

var bbrModeNames = [...]string{"STARTUP", "DRAIN", "PROBE_BW", "PROBE_RTT"}

// String returns the mode's name as tcp_bbr.c writes it.
func (m bbrMode) String() string { return bbrModeNames[m] }

// Constants of tcp_bbr.c. Gains are in BBR_UNIT = 256ths.
const (
	bbrUnit = 256
	// bbr_high_gain = 2/ln(2) ≈ 2.885, the smallest gain that doubles the
	// sending rate each round in startup.
	bbrHighGain = bbrUnit*2885/1000 + 1
	// bbr_drain_gain = 1/high_gain: drains startup's queue in one round.
	bbrDrainGain = bbrUnit * 1000 / 2885
	bbrCwndGain  = bbrUnit * 2 // bbr_cwnd_gain: cwnd = 2 BDP in PROBE_BW
	bbrCycleLen  = 8           // CYCLE_LEN: phases of the PROBE_BW gain cycle
	// bbr_cycle_rand: the cycle starts at a random phase other than the
	// draining 0.75 one.
	bbrCycleRand = 7
	// bbr_bw_rtts = CYCLE_LEN + 2: the max-bandwidth filter's window, in
	// rounds.
	bbrBWRounds       = bbrCycleLen + 2
	bbrMinRTTWindow   = 10 * sim.Second       // bbr_min_rtt_win_sec
	bbrProbeRTTTime   = 200 * sim.Millisecond // bbr_probe_rtt_mode_ms
	bbrCwndMinTarget  = 4                     // bbr_cwnd_min_target, segments
	bbrFullBWThresh   = bbrUnit * 5 / 4       // bbr_full_bw_thresh: 25% growth
	bbrFullBWCount    = 3                     // bbr_full_bw_cnt: rounds without it
	bbrPacingMargin   = 1                     // bbr_pacing_margin_percent
	bbrMinTSORate     = 1200000 / 8           // bbr_min_tso_rate, bytes per second
	bbrInitCwnd       = 10                    // TCP_INIT_CWND, segments
	bbrPacingShift    = 10                    // sk_pacing_shift: TSO budget of ~1 ms
	bbrMaxTSOSegments = 0x7F
)

// bbrPacingGain is bbr_pacing_gain: PROBE_BW's cycle, probing for more
// bandwidth (5/4), draining the queue that made (3/4), then cruising.
var bbrPacingGain = [bbrCycleLen]int{bbrUnit * 5 / 4, bbrUnit * 3 / 4, bbrUnit, bbrUnit, bbrUnit, bbrUnit, bbrUnit, bbrUnit}

// Linux's congestion-avoidance states, as far as BBR looks at them.
const (
	caOpen = iota
	caRecovery
	caLoss
)

// bwSample is one round's largest delivery rate, bytes per second.
type bwSample struct {
	round uint32
	bw    int64
}

// bbr is one connection's BBR state (struct bbr in tcp_bbr.c). cwnd is
// in segments, as Linux counts it; window multiplies it by the SMSS.
type bbr struct {
	s    *sender
	cwnd int // segments; 0 until the first ACK takes the sender's initial window

	mode       bbrMode
	bw         [bbrBWRounds]bwSample // max filter: the largest sample of each of the last rounds
	roundCount uint32                // rtt_cnt
	// maxBWCache is maxBW's value while maxBWOK: the filter changes only
	// in addBW and when a round ends, and maxBW is asked several times
	// per ACK.
	maxBWCache int64
	maxBWOK    bool
	nextRound  int64 // next_rtt_delivered
	roundStart bool

	minRTT      sim.Time // 0: none yet
	minRTTStamp sim.Time

	pacingGain, cwndGain int
	pacingRate           int64 // bytes per second; 0 until set
	hasSeenRTT           bool

	fullBW        int64
	fullBWCount   int
	fullBWReached bool

	cycleIdx   int
	cycleStamp sim.Time

	probeRTTDone      sim.Time // 0: not yet armed
	probeRTTRoundDone bool
	priorCwnd         int
	packetConserve    bool
	prevCA            int
	lossHigh          seqnum.Value // SND.MAX at the last RTO: the Loss state lasts until SND.UNA passes it
	inLoss            bool
	rng               uint64 // xorshift state for the cycle's random start, seeded from the ISS
}

func newBBR(s *sender) congestionControl {
	b := &bbr{s: s, rng: uint64(s.iss)*0x9E3779B97F4A7C15 | 1}
	b.mode = bbrStartup // reported with the first ACK's sample
	b.updateGains()
	return b
}

func (b *bbr) window() int {
	if b.cwnd == 0 {
		return b.s.cwnd
	}
	return b.cwnd * b.s.smss()
}

// rand returns a deterministic pseudo-random number below n (Linux's
// prandom_u32_max; xorshift64).
func (b *bbr) rand(n int) int {
	b.rng ^= b.rng << 13
	b.rng ^= b.rng >> 7
	b.rng ^= b.rng << 17
	return int(b.rng % uint64(n))
}

// onAck does nothing: BBR takes every ACK through onRateSample.
func (b *bbr) onAck(ackEvent) {}

// onCongestionEvent is bbr_ssthresh: remember cwnd for when recovery
// ends. Deviation: Linux returns ssthresh unchanged; we return the current
// window, which our loss recoveries then set and BBR's window ignores.
func (b *bbr) onCongestionEvent(sim.Time) int {
	b.saveCwnd()
	return b.window()
}

func (b *bbr) onRecoveryExit(sim.Time) {}

// onRTO is tcp_enter_loss with bbr_set_state(TCP_CA_Loss): the Loss state
// until SND.UNA passes SND.MAX, cwnd one segment (tcp_enter_loss sets it
// to the packets in flight, none, plus one), and the full-pipe estimate
// restarted.
func (b *bbr) onRTO(sim.Time) {
	b.saveCwnd()
	b.inLoss, b.lossHigh = true, b.s.max
	b.prevCA = caLoss
	b.fullBW = 0
	b.roundStart = true
	b.cwnd = 1
	b.s.setCwnd(b.s.smss(), b.s.ssthresh)
}

// caState is the emulated icsk_ca_state.
func (b *bbr) caState(rs *rateSample) int {
	if b.inLoss && !b.s.una.LessThan(b.lossHigh) {
		b.inLoss = false
	}
	switch {
	case b.inLoss:
		return caLoss
	case rs.inRecovery:
		return caRecovery
	}
	return caOpen
}

// saveCwnd is bbr_save_cwnd.
func (b *bbr) saveCwnd() {
	cw := b.window() / b.s.smss()
	if b.prevCA < caRecovery && b.mode != bbrProbeRTT {
		b.priorCwnd = cw
	} else {
		b.priorCwnd = max(b.priorCwnd, cw)
	}
}

// maxBW is bbr_max_bw: the windowed maximum over the last bbr_bw_rtts
// rounds. Deviation: an exact maximum over the window, where Linux keeps
// Nichols' three-sample approximation (lib/win_minmax.c).
func (b *bbr) maxBW() int64 {
	if b.maxBWOK {
		return b.maxBWCache
	}
	var m int64
	for _, x := range b.bw {
		if b.roundCount-x.round < bbrBWRounds && x.bw > m {
			m = x.bw
		}
	}
	b.maxBWCache, b.maxBWOK = m, true
	return m
}

func (b *bbr) addBW(bw int64) {
	b.maxBWOK = false
	x := &b.bw[b.roundCount%bbrBWRounds]
	if x.round != b.roundCount {
		*x = bwSample{round: b.roundCount}
	}
	x.bw = max(x.bw, bw)
}

// bdp is bbr_bdp: gain × bw × min_rtt in segments, rounded up; the
// initial window while no RTT has been measured.
func (b *bbr) bdp(bw int64, gain int) int {
	if b.minRTT == 0 {
		return bbrInitCwnd
	}
	mss := int64(b.s.smss())
	w := bw * int64(b.minRTT) / int64(sim.Second) // bytes
	return int((w*int64(gain)/bbrUnit + mss - 1) / mss)
}

// tsoSegsGoal is bbr_tso_segs_goal: the segments the host would send in
// one burst at the pacing rate, ~1 ms of it, at least 2 above 1.2 Mbit/s.
func (b *bbr) tsoSegsGoal() int {
	minSegs := 2
	if b.pacingRate < bbrMinTSORate {
		minSegs = 1
	}
	segs := int(b.pacingRate>>bbrPacingShift) / b.s.smss()
	return min(max(segs, minSegs), bbrMaxTSOSegments)
}

// quantizationBudget is bbr_quantization_budget: room for the bursts the
// host sends and receives delayed ACKs for, an even cwnd, and two more
// segments while probing.
func (b *bbr) quantizationBudget(cwnd int) int {
	cwnd += 3 * b.tsoSegsGoal()
	cwnd = (cwnd + 1) &^ 1
	if b.mode == bbrProbeBW && b.cycleIdx == 0 {
		cwnd += 2
	}
	return cwnd
}

// inflight is bbr_inflight: the cwnd a gain of the BDP needs.
func (b *bbr) inflight(bw int64, gain int) int { return b.quantizationBudget(b.bdp(bw, gain)) }

// segs converts bytes in flight to segments, rounding up.
func (b *bbr) segs(bytes int) int { mss := b.s.smss(); return (bytes + mss - 1) / mss }

func (b *bbr) resetStartup() {
	b.setMode(bbrStartup)
}

// resetProbeBW is bbr_reset_probe_bw_mode: PROBE_BW from a random phase
// of the cycle other than the draining one.
func (b *bbr) resetProbeBW(now sim.Time) {
	b.setMode(bbrProbeBW)
	b.cycleIdx = bbrCycleLen - 1 - b.rand(bbrCycleRand)
	b.advanceCycle(now)
}

func (b *bbr) advanceCycle(now sim.Time) {
	b.cycleIdx = (b.cycleIdx + 1) % bbrCycleLen
	b.cycleStamp = now
}

func (b *bbr) resetMode(now sim.Time) {
	if !b.fullBWReached {
		b.resetStartup()
	} else {
		b.resetProbeBW(now)
	}
}

func (b *bbr) setMode(m bbrMode) {
	b.mode = m
	b.updateGains()
	if b.s.obs != nil {
		b.s.obs.TCPEvent(EvBBR, Note{BBRMode: m.String(), BW: b.maxBW(), MinRTT: b.minRTT})
	}
}

// updateGains is bbr_update_gains.
func (b *bbr) updateGains() {
	switch b.mode {
	case bbrStartup:
		b.pacingGain, b.cwndGain = bbrHighGain, bbrHighGain
	case bbrDrain:
		b.pacingGain, b.cwndGain = bbrDrainGain, bbrHighGain
	case bbrProbeBW:
		b.pacingGain, b.cwndGain = bbrPacingGain[b.cycleIdx], bbrCwndGain
	case bbrProbeRTT:
		b.pacingGain, b.cwndGain = bbrUnit, bbrUnit
	}
}

// onRateSample is bbr_main, run on every ACK: update the model, then set
// the pacing rate and cwnd from it.
func (b *bbr) onRateSample(rs *rateSample, r *rateSampler, now sim.Time, srtt sim.Time) {
	if b.cwnd == 0 {
		b.cwnd = max(b.s.cwnd/b.s.smss(), 1)
		b.setMode(b.mode)
	}
	b.updateBW(rs, r)
	b.updateCyclePhase(rs, r)
	b.checkFullBW(rs)
	b.checkDrain(rs, now)
	b.updateMinRTT(rs, r, now)
	b.updateGains()
	b.setPacingRate(b.maxBW(), b.pacingGain, srtt)
	b.setCwnd(rs, b.maxBW(), b.cwndGain)
}

// updateBW is bbr_update_bw: count rounds (a round ends when a segment
// sent after its start is delivered) and feed the max filter, with an
// app-limited sample only if it raises the estimate.
func (b *bbr) updateBW(rs *rateSample, r *rateSampler) {
	b.roundStart = false
	if rs.delivered < 0 || rs.interval <= 0 {
		return
	}
	if rs.priorDelivered >= b.nextRound {
		b.nextRound = r.delivered
		b.roundCount++
		b.maxBWOK = false // samples may have left the window
		b.roundStart = true
		b.packetConserve = false
	}
	bw := rs.delivered * int64(sim.Second) / int64(rs.interval)
	if !rs.appLimited || bw >= b.maxBW() {
		b.addBW(bw)
	}
}

// updateCyclePhase is bbr_update_cycle_phase and bbr_is_next_cycle_phase.
// Deviation: rs.losses is not counted; the probing phase ends on time and
// inflight only.
func (b *bbr) updateCyclePhase(rs *rateSample, r *rateSampler) {
	if b.mode != bbrProbeBW {
		return
	}
	fullLength := r.deliveredTime-b.cycleStamp > b.minRTT
	inflight := b.segs(rs.priorInFlight)
	bw := b.maxBW()
	var next bool
	switch g := b.pacingGain; {
	case g == bbrUnit:
		next = fullLength
	case g > bbrUnit:
		next = fullLength && inflight >= b.inflight(bw, g)
	default:
		next = fullLength || inflight <= b.inflight(bw, bbrUnit)
	}
	if next {
		b.advanceCycle(r.deliveredTime)
	}
}

// checkFullBW is bbr_check_full_bw_reached: the pipe is full once three
// rounds in a row (not app-limited) failed to grow the bandwidth by 25%.
func (b *bbr) checkFullBW(rs *rateSample) {
	if b.fullBWReached || !b.roundStart || rs.appLimited {
		return
	}
	if bw := b.maxBW(); bw >= b.fullBW*bbrFullBWThresh/bbrUnit {
		b.fullBW, b.fullBWCount = bw, 0
		return
	}
	b.fullBWCount++
	b.fullBWReached = b.fullBWCount >= bbrFullBWCount
}

// checkDrain is bbr_check_drain: leave STARTUP for DRAIN once the pipe is
// full, and DRAIN for PROBE_BW once inflight is down to one BDP.
func (b *bbr) checkDrain(rs *rateSample, now sim.Time) {
	if b.mode == bbrStartup && b.fullBWReached {
		b.setMode(bbrDrain)
		b.s.ssthresh = b.inflight(b.maxBW(), bbrUnit) * b.s.smss()
	}
	if b.mode == bbrDrain && b.segs(rs.inFlight) <= b.inflight(b.maxBW(), bbrUnit) {
		b.resetProbeBW(now)
	}
}

// updateMinRTT is bbr_update_min_rtt: the windowed minimum RTT, and
// PROBE_RTT when it has not been refreshed for bbr_min_rtt_win_sec: cwnd
// down to bbr_cwnd_min_target for bbr_probe_rtt_mode_ms and a round.
// Deviation: no delayed-ACK exemption (rs->is_ack_delayed) and no idle
// restart.
func (b *bbr) updateMinRTT(rs *rateSample, r *rateSampler, now sim.Time) {
	expired := b.minRTT != 0 && now > b.minRTTStamp+bbrMinRTTWindow
	if rs.rtt >= 0 && (b.minRTT == 0 || rs.rtt < b.minRTT || expired) {
		b.minRTT, b.minRTTStamp = max(rs.rtt, 1), now
		if b.s.obs != nil {
			b.s.obs.TCPEvent(EvBBR, Note{BBRMode: b.mode.String(), BW: b.maxBW(), MinRTT: b.minRTT})
		}
	}
	if expired && b.mode != bbrProbeRTT {
		b.setMode(bbrProbeRTT)
		b.saveCwnd()
		b.probeRTTDone = 0
	}
	if b.mode != bbrProbeRTT {
		return
	}
	r.markAppLimited(rs.inFlight) // ignore low-rate samples during PROBE_RTT
	if b.probeRTTDone == 0 && b.segs(rs.inFlight) <= bbrCwndMinTarget {
		b.probeRTTDone = now + bbrProbeRTTTime
		b.probeRTTRoundDone = false
		b.nextRound = r.delivered
	} else if b.probeRTTDone != 0 {
		if b.roundStart {
			b.probeRTTRoundDone = true
		}
		if b.probeRTTRoundDone && now > b.probeRTTDone {
			b.minRTTStamp = now
			b.cwnd = max(b.cwnd, b.priorCwnd) // bbr_check_probe_rtt_done restores cwnd
			b.resetMode(now)
		}
	}
}

// setPacingRate is bbr_set_pacing_rate: gain × bw less a 1% margin, once
// the pipe is full or when it raises the rate; before the first RTT
// sample, the initial window over the SRTT (1 ms without one) at the high
// gain (bbr_init_pacing_rate_from_rtt).
func (b *bbr) setPacingRate(bw int64, gain int, srtt sim.Time) {
	if !b.hasSeenRTT && srtt > 0 {
		b.hasSeenRTT = true
		b.pacingRate = 0
	}
	if b.pacingRate == 0 {
		rtt := srtt
		if rtt <= 0 {
			rtt = sim.Millisecond
		}
		init := int64(b.window()) * int64(sim.Second) / int64(rtt)
		b.pacingRate = init * bbrHighGain / bbrUnit * (100 - bbrPacingMargin) / 100
	}
	rate := bw * int64(gain) / bbrUnit * (100 - bbrPacingMargin) / 100
	if rate > 0 && (b.fullBWReached || rate > b.pacingRate) {
		b.pacingRate = rate
	}
}

// pacing returns the pacing rate in bytes per second (0: not yet known).
func (b *bbr) pacing() int64 {
	if b.pacingRate == 0 {
		b.setPacingRate(0, b.pacingGain, 0)
	}
	return b.pacingRate
}

// setCwnd is bbr_set_cwnd with bbr_set_cwnd_to_recover_or_restore.
func (b *bbr) setCwnd(rs *rateSample, bw int64, gain int) {
	acked := b.segs(rs.ackedSacked)
	cwnd := b.cwnd
	if acked > 0 {
		state := b.caState(rs)
		inflight := b.segs(rs.inFlight)
		conserve := false
		switch {
		case state == caRecovery && b.prevCA != caRecovery:
			b.packetConserve = true
			b.nextRound = b.s.rateDelivered()
			cwnd = inflight + acked
		case b.prevCA >= caRecovery && state < caRecovery:
			cwnd = max(cwnd, b.priorCwnd)
			b.packetConserve = false
		}
		b.prevCA = state
		if b.packetConserve {
			cwnd = max(cwnd, inflight+acked)
			conserve = true
		}
		if !conserve {
			target := b.quantizationBudget(b.bdp(bw, gain))
			if b.fullBWReached {
				cwnd = min(cwnd+acked, target)
			} else if cwnd < target || b.s.rateDelivered() < int64(bbrInitCwnd*b.s.smss()) {
				cwnd += acked
			}
			cwnd = max(cwnd, bbrCwndMinTarget)
		}
	}
	if b.mode == bbrProbeRTT {
		cwnd = min(cwnd, bbrCwndMinTarget)
	}
	b.cwnd = max(cwnd, 1)
	b.s.setCwnd(b.cwnd*b.s.smss(), b.s.ssthresh)
}
