package tcp

import (
	"testing"

	"tcpsim/sim"
)

// bbrRig drives a bbr directly with synthetic rate samples: one sample per
// round trip, each delivering bw × rtt bytes over rtt.
type bbrRig struct {
	t   *testing.T
	s   *sender
	b   *bbr
	r   rateSampler
	now sim.Time
	rtt sim.Time
}

func newBBRRig(t *testing.T) *bbrRig {
	s := &sender{mss: 1460, peerMSS: 1460, cwnd: 10 * 1460, ssthresh: 1 << 30}
	g := &bbrRig{t: t, s: s, b: newBBR(s).(*bbr), rtt: 40 * sim.Millisecond}
	g.r.on = true
	return g
}

// round feeds one round's sample: bw bytes per second, an RTT of rtt, and
// inflight bytes in flight around the ACK; the sample starts a new round.
func (g *bbrRig) round(bw int64, rtt sim.Time, inflight int) {
	g.now += g.rtt
	d := bw * int64(g.rtt) / int64(sim.Second)
	prior := g.r.delivered
	g.r.delivered += d
	g.r.deliveredTime = g.now
	rs := rateSample{delivered: d, interval: g.rtt, priorDelivered: max(prior, g.b.nextRound), priorTime: g.now - g.rtt,
		has: true, rtt: rtt, ackedSacked: 2 * g.s.smss(), priorInFlight: inflight, inFlight: inflight}
	g.b.onRateSample(&rs, &g.r, g.now, g.rtt)
}

func (g *bbrRig) wantMode(when string, m bbrMode) {
	g.t.Helper()
	if g.b.mode != m {
		g.t.Fatalf("%s: mode %v, want %v (full bw %d, count %d, max bw %d)", when, g.b.mode, m, g.b.fullBW, g.b.fullBWCount, g.b.maxBW())
	}
}

// startup fills the pipe: four rounds doubling the bandwidth, then rounds
// at 1.25 MB/s (10 Mbit/s) until STARTUP ends.
func (g *bbrRig) fillPipe(inflight int) {
	for bw := int64(1250000 / 16); bw < 1250000; bw *= 2 {
		g.round(bw, g.rtt, inflight)
	}
	g.round(1250000, g.rtt, inflight)
}

// STARTUP ends only after three rounds in a row without 25% growth
// (bbr_full_bw_cnt, bbr_full_bw_thresh), into DRAIN with its gains; DRAIN
// lasts until inflight is down to one BDP (bbr_check_drain), then
// PROBE_BW starts with a phase of the cycle other than the 3/4 one.
func TestBBRStartupDrainProbeBW(t *testing.T) {
	g := newBBRRig(t)
	g.wantMode("start", bbrStartup)
	if g.b.pacingGain != bbrHighGain || g.b.cwndGain != bbrHighGain || bbrHighGain != 739 {
		t.Fatalf("STARTUP gains %d/%d, want 2/ln2: 739/256", g.b.pacingGain, g.b.cwndGain)
	}
	big := 1 << 20 // far above the BDP: DRAIN cannot end
	g.fillPipe(big)
	g.wantMode("growing", bbrStartup)
	g.round(1250000*6/5, g.rtt, big) // +20%: not growth
	g.wantMode("1 round without growth", bbrStartup)
	g.round(1250000, g.rtt, big)
	g.wantMode("2 rounds without growth", bbrStartup)
	g.round(1250000, g.rtt, big)
	g.wantMode("3 rounds without growth", bbrDrain)
	if !g.b.fullBWReached || g.b.pacingGain != bbrDrainGain || g.b.cwndGain != bbrHighGain {
		t.Fatalf("DRAIN: full %v, gains %d/%d", g.b.fullBWReached, g.b.pacingGain, g.b.cwndGain)
	}
	// One BDP at the filter's max, the +20% sample: 1.5 MB/s × 40 ms =
	// 60000 bytes, 42 segments rounded up; bbr_inflight adds 3 ×
	// tso_segs_goal (2) and rounds to even: 48.
	bdp := g.b.inflight(g.b.maxBW(), bbrUnit)
	if bdp != 48 {
		t.Fatalf("bbr_inflight(bw, 1) = %d segments, want 48", bdp)
	}
	g.round(1250000, g.rtt, (bdp+1)*g.s.smss())
	g.wantMode("inflight above BDP", bbrDrain)
	g.round(1250000, g.rtt, bdp*g.s.smss())
	g.wantMode("inflight at BDP", bbrProbeBW)
	if g.b.cycleIdx == 1 || g.b.pacingGain == bbrUnit*3/4 {
		t.Fatalf("PROBE_BW starts in phase %d (gain %d): never the draining one", g.b.cycleIdx, g.b.pacingGain)
	}
	if g.b.cwndGain != bbrCwndGain {
		t.Fatalf("PROBE_BW cwnd gain %d, want 2", g.b.cwndGain)
	}
	// Once the +20% sample has left the 10-round filter, cwnd converges
	// on 2 BDP plus the quanta: 69 + 6, even, 76 segments (78 while
	// probing).
	for range 100 {
		g.round(1250000, g.rtt, bdp*g.s.smss())
	}
	if want := g.b.quantizationBudget(g.b.bdp(1250000, bbrCwndGain)); g.b.cwnd != want || want < 76 || want > 78 {
		t.Fatalf("PROBE_BW cwnd %d segments, want %d (2 BDP + quanta)", g.b.cwnd, want)
	}
}

// The PROBE_BW gain cycle is 5/4, 3/4, then six phases of 1
// (bbr_pacing_gain), each at least a min_rtt long.
func TestBBRGainCycle(t *testing.T) {
	want := [8]float64{1.25, 0.75, 1, 1, 1, 1, 1, 1}
	for i, g := range bbrPacingGain {
		if float64(g)/bbrUnit != want[i] {
			t.Fatalf("phase %d gain %v, want %v", i, float64(g)/bbrUnit, want[i])
		}
	}
	g := newBBRRig(t)
	g.fillPipe(1 << 20)
	for range 3 {
		g.round(1250000, g.rtt, 1<<20)
	}
	bdp := g.b.inflight(g.b.maxBW(), bbrUnit) * g.s.smss()
	g.round(1250000, g.rtt, bdp)
	g.wantMode("after drain", bbrProbeBW)
	seen := map[int]bool{}
	for range 40 {
		// Inflight at 1.25 BDP ends the probing phase; at one BDP the
		// draining one; the others end on time.
		g.round(1250000, g.rtt, bdp*5/4+4*g.s.smss())
		seen[g.b.cycleIdx] = true
	}
	if len(seen) != bbrCycleLen {
		t.Fatalf("phases visited %v, want all 8", seen)
	}
}

// PROBE_RTT starts once the minimum RTT has not been refreshed for 10 s
// (bbr_min_rtt_win_sec), caps cwnd at 4 segments, and ends 200 ms after
// inflight reached it (bbr_probe_rtt_mode_ms) and a round later, back in
// PROBE_BW with the cwnd saved before.
func TestBBRProbeRTT(t *testing.T) {
	g := newBBRRig(t)
	g.fillPipe(1 << 20)
	for range 3 {
		g.round(1250000, g.rtt, 1<<20)
	}
	bdp := g.b.inflight(g.b.maxBW(), bbrUnit) * g.s.smss()
	g.round(1250000, g.rtt, bdp)
	g.wantMode("after drain", bbrProbeBW)
	stamp := g.b.minRTTStamp
	// Rounds at a larger RTT never refresh the minimum.
	for g.now+g.rtt <= stamp+bbrMinRTTWindow {
		g.round(1250000, g.rtt+5*sim.Millisecond, bdp)
		g.wantMode("within 10 s of the last minimum", bbrProbeBW)
	}
	saved := g.b.cwnd
	g.round(1250000, g.rtt+5*sim.Millisecond, bdp)
	g.wantMode("10 s without a new minimum", bbrProbeRTT)
	if g.b.cwnd != bbrCwndMinTarget || g.b.priorCwnd != saved {
		t.Fatalf("PROBE_RTT cwnd %d (want 4), saved %d (want %d)", g.b.cwnd, g.b.priorCwnd, saved)
	}
	if g.r.appLimited == 0 {
		t.Fatal("PROBE_RTT does not mark the flow app-limited")
	}
	// Inflight falls to 4 segments: 200 ms from now, and a round, to go.
	g.rtt = 10 * sim.Millisecond
	g.round(1250000, 45*sim.Millisecond, 4*g.s.smss())
	done := g.b.probeRTTDone
	if done == 0 {
		t.Fatal("PROBE_RTT did not arm its 200 ms once inflight reached 4 segments")
	}
	for g.now+g.rtt <= done {
		g.round(1250000, 45*sim.Millisecond, 4*g.s.smss())
		g.wantMode("within 200 ms", bbrProbeRTT)
	}
	g.round(1250000, 45*sim.Millisecond, 4*g.s.smss())
	g.wantMode("after 200 ms and a round", bbrProbeBW)
	if g.b.cwnd < saved {
		t.Fatalf("cwnd %d after PROBE_RTT, want the saved %d restored", g.b.cwnd, saved)
	}
	if g.b.minRTTStamp != g.now {
		t.Fatal("PROBE_RTT did not restart the min_rtt window")
	}
}
