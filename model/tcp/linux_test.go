package tcp

import (
	"testing"

	"tcpsim/model/seqnum"
	"tcpsim/sim"
)

// testSender is a bare sender of 1000-byte segments with cwnd and
// ssthresh in segments.
func testSender(cwnd, ssthresh int) *sender {
	s := &sender{mss: 1000, peerMSS: 1000}
	s.cwnd, s.ssthresh = cwnd*1000, ssthresh*1000
	return s
}

// Linux's tcp_slow_start counts the segments an ACK covers: an ACK of two
// segments (a delayed ACK) adds two, where RFC 5681 eq. 2 adds one SMSS;
// what passes ssthresh is handed to congestion avoidance (snd_cwnd_cnt).
func TestByteCountingSlowStart(t *testing.T) {
	for _, c := range []struct {
		name         string
		byteCounting bool
		cwnd, ssth   int
		ackSegs      int
		wantCwnd     int // bytes
		wantCnt      int
	}{
		{"RFC 5681: one SMSS per ACK", false, 10, 100, 2, 11000, 0},
		{"Linux: a segment per segment acknowledged", true, 10, 100, 2, 12000, 0},
		{"Linux: up to ssthresh, the rest to snd_cwnd_cnt", true, 10, 11, 3, 11000, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := testSender(c.cwnd, c.ssth)
			s.byteCounting = c.byteCounting
			a := newAIMD(s).(*aimd)
			a.onAck(ackEvent{acked: c.ackSegs * 1000, delivered: c.ackSegs * 1000, cwndLimited: true})
			if s.cwnd != c.wantCwnd || a.abc.cnt != c.wantCnt {
				t.Errorf("cwnd %d, snd_cwnd_cnt %d; want %d, %d", s.cwnd, a.abc.cnt, c.wantCwnd, c.wantCnt)
			}
		})
	}
}

// In congestion avoidance with delayed ACKs (two segments per ACK), Linux
// grows one segment per window of segments acknowledged, one per RTT;
// RFC 5681 eq. 3 grows SMSS·SMSS/cwnd per ACK, half a segment per RTT.
func TestByteCountingCongestionAvoidance(t *testing.T) {
	for _, c := range []struct {
		byteCounting bool
		want         int
	}{{false, 10490}, {true, 11000}} {
		s := testSender(10, 5)
		s.byteCounting = c.byteCounting
		a := newAIMD(s)
		for range 5 { // one window of 10 segments, ACKed two at a time
			a.onAck(ackEvent{acked: 2000, delivered: 2000, cwndLimited: true})
		}
		if s.cwnd != c.want {
			t.Errorf("byte counting %v: cwnd %d after one window, want %d", c.byteCounting, s.cwnd, c.want)
		}
	}
	// Partial segments accumulate: 1448-byte ACKs of 1000-byte segments.
	s := testSender(10, 5)
	s.byteCounting = true
	a := newAIMD(s).(*aimd)
	for range 7 {
		a.onAck(ackEvent{acked: 1448, delivered: 1448, cwndLimited: true})
	}
	// 10136 bytes: ten segments, a window: cwnd grows by one, 136 wait.
	if s.cwnd != 11000 || a.abc.cnt != 0 || a.abc.rem != 136 {
		t.Errorf("cwnd %d, snd_cwnd_cnt %d, remainder %d; want 11000, 0, 136", s.cwnd, a.abc.cnt, a.abc.rem)
	}
}

func TestCubeRoot(t *testing.T) {
	for _, a := range []uint64{0, 1, 7, 8, 26, 27, 63, 64, 1000, 999_999, 1 << 40, 1<<63 + 12345, ^uint64(0)} {
		x := cubeRoot(a)
		if x*x*x > a || x < 2642245 && (x+1)*(x+1)*(x+1) <= a {
			t.Errorf("cubeRoot(%d) = %d", a, x)
		}
	}
}

// tcp_cubic.c's constants as the module computes them at load time.
func TestCubicLinuxConstants(t *testing.T) {
	if cubicBetaScale != 15 {
		t.Errorf("beta_scale %d, want 15 (8·1741/3/307)", cubicBetaScale)
	}
	if cubeFactor != (1<<40)/410 || cubeRTTScale != 410 {
		t.Errorf("cube_factor %d, cube_rtt_scale %d", cubeFactor, cubeRTTScale)
	}
	// K for W_max − cwnd = 30 segments: cbrt(30/0.4) = 4.217 s, in 1/1024 s.
	if k := cubeRoot(cubeFactor * 30); k < 4310 || k > 4325 {
		t.Errorf("bic_K for 30 segments = %d/1024 s, want about 4318 (4.217 s)", k)
	}
}

// cubictcp_recalc_ssthresh: ssthresh = cwnd·717/1024 of cwnd (not the
// flight), W_max = cwnd, and with fast convergence W_max = cwnd·1741/2048
// when cwnd is below the last W_max.
func TestCubicLinuxLoss(t *testing.T) {
	s := testSender(100, 50)
	c := newCubicLinux(s).(*cubicLinux)
	if got := c.onCongestionEvent(0); got != 70*1000 || c.lastMaxCwnd != 100 {
		t.Fatalf("first loss at 100: ssthresh %d, W_max %d; want 70000, 100", got, c.lastMaxCwnd)
	}
	s.setCwnd(80*1000, 70*1000)
	if got := c.onCongestionEvent(0); got != 56*1000 || c.lastMaxCwnd != 68 {
		t.Fatalf("second loss at 80: ssthresh %d, W_max %d; want 56000, 68 (fast convergence)", got, c.lastMaxCwnd)
	}
	// A timeout within the recovery keeps its ssthresh (tcp_enter_loss).
	s.max = 200000
	c.onCongestionEvent(0) // at cwnd 80 again: ssthresh 56
	s.setCwnd(80*1000, 56*1000)
	c.onRTO(0)
	if s.ssthresh != 56*1000 || s.cwnd != 1000 {
		t.Fatalf("timeout during recovery: ssthresh %d, cwnd %d; want 56000 kept, 1000", s.ssthresh, s.cwnd)
	}
	// Once SND.UNA passes the episode, a timeout resets CUBIC (no W_max)
	// and recomputes ssthresh; a repeated one without progress keeps it.
	s.una, s.max = 300000, 400000
	c.onAck(ackEvent{}) // the episode is over
	s.setCwnd(60*1000, 56*1000)
	c.onRTO(0)
	if s.cwnd != 1000 || s.ssthresh != 42*1000 || c.lastMaxCwnd != 0 {
		t.Fatalf("after a timeout: cwnd %d ssthresh %d W_max %d; want 1000, 42000, 0", s.cwnd, s.ssthresh, c.lastMaxCwnd)
	}
	c.onRTO(0)
	if s.ssthresh != 42*1000 {
		t.Fatalf("a repeated timeout moved ssthresh to %d", s.ssthresh)
	}
}

// Linux's Reno-friendly estimate grows by one segment per
// cwnd·beta_scale/8 segments acknowledged: 8/15 ≈ 0.53 segments per
// window, for good (no RFC 9438 §4.3 switch to α = 1).
func TestCubicLinuxFriendliness(t *testing.T) {
	s := testSender(100, 50)
	c := newCubicLinux(s).(*cubicLinux)
	c.lastMaxCwnd = 100
	// 30 windows of 100 segments, one per 40 ms (10 jiffies), cwnd held
	// at 100; then one more ACK to take the last window's count.
	for w := range 30 {
		for range 50 {
			c.update(100, 2, 1000+10*int64(w))
		}
	}
	c.update(100, 0, 2000)
	got := c.tcpCwnd - 100
	if got < 15 || got > 16 {
		t.Errorf("tcp_cwnd grew %d segments in 30 windows, want 16 (30·8/15)", got)
	}
}

// Before the first loss (last_max_cwnd 0) cnt is at most 20: 5% per RTT.
func TestCubicLinuxFirstEpochCap(t *testing.T) {
	s := testSender(100, 50)
	c := newCubicLinux(s).(*cubicLinux)
	c.update(100, 1, 10)
	if c.cnt != 20 {
		t.Errorf("cnt %d in the first epoch, want 20", c.cnt)
	}
}

// hystartRound feeds the detector n ACKs spaced gap apart, each with RTT
// sample rtt, advancing SND.UNA past the round's end first.
func hystartRound(h slowStartExit, s *sender, now *sim.Time, n int, gap, rtt sim.Time) {
	s.una = s.nxt.Add(1)
	s.nxt = s.una.Add(100000)
	for range n {
		*now += gap
		h.onAck(ackEvent{now: *now, rtt: rtt, srtt: rtt}, false)
	}
}

// Linux HyStart's delay test: after 8 samples of a round, a minimum above
// delay_min + clamp(delay_min/8, 4 ms, 16 ms) ends slow start.
func TestHyStartLinuxDelay(t *testing.T) {
	us := sim.Microsecond
	for _, c := range []struct {
		name      string
		cwnd      int
		base, rtt sim.Time
		exit      bool
	}{
		{"40 ms + 4.9 ms stays", 20, 40000 * us, 44900 * us, false},
		{"40 ms + 5 ms (delay_min/8) + 1 ms exits", 20, 40000 * us, 46000 * us, true},
		{"10 ms: the threshold is at least 4 ms", 20, 10000 * us, 13500 * us, false},
		{"10 ms + 4.5 ms exits", 20, 10000 * us, 14500 * us, true},
		{"200 ms: at most 16 ms", 20, 200000 * us, 216500 * us, true},
		{"below hystart_low_window nothing", 15, 40000 * us, 100000 * us, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := testSender(c.cwnd, 1000)
			h := &hyStartLinux{s: s}
			now := sim.Time(0)
			// ACKs 10 ms apart: no ACK train, the delay test alone.
			hystartRound(h, s, &now, 10, 10*sim.Millisecond, c.base)
			hystartRound(h, s, &now, 10, 10*sim.Millisecond, c.rtt)
			if got := s.ssthresh == s.cwnd; got != c.exit {
				t.Errorf("exit %v, want %v (ssthresh %d, cwnd %d)", got, c.exit, s.ssthresh, s.cwnd)
			}
		})
	}
}

// Linux HyStart's ACK train: ACKs at most 2 ms apart for longer than
// (delay_min + ack_delay)/2 since the round began end slow start.
func TestHyStartLinuxAckTrain(t *testing.T) {
	for _, c := range []struct {
		gap  sim.Time
		n    int
		exit bool
	}{
		{sim.Millisecond, 15, false},        // 15 ms < (40 + 1)/2
		{sim.Millisecond, 25, true},         // 25 ms > 20.5 ms
		{2400 * sim.Microsecond, 20, false}, // ACKs 2.4 ms apart make no train
	} {
		s := testSender(20, 1000)
		h := &hyStartLinux{s: s}
		now := sim.Time(0)
		h.onAck(ackEvent{now: now, rtt: 40 * sim.Millisecond, srtt: 40 * sim.Millisecond}, false)
		hystartRound(h, s, &now, c.n, c.gap, 40*sim.Millisecond)
		if got := s.ssthresh == s.cwnd; got != c.exit {
			t.Errorf("%d ACKs %v apart: exit %v, want %v", c.n, c.gap, got, c.exit)
		}
	}
}

// RFC 9406 §4.2's RttThresh = max(4 ms, min(lastRoundMinRTT/8, 16 ms)).
func TestHyStartPPThresholds(t *testing.T) {
	for _, c := range []struct{ last, want sim.Time }{
		{10 * sim.Millisecond, 4 * sim.Millisecond},
		{32 * sim.Millisecond, 4 * sim.Millisecond},
		{40 * sim.Millisecond, 5 * sim.Millisecond},
		{100 * sim.Millisecond, 12500 * sim.Microsecond},
		{128 * sim.Millisecond, 16 * sim.Millisecond},
		{500 * sim.Millisecond, 16 * sim.Millisecond},
	} {
		if got := rttThresh(c.last); got != c.want {
			t.Errorf("RttThresh(%v) = %v, want %v", c.last, got, c.want)
		}
	}
}

// RFC 9406 §4.2 walked: a round's minimum RTT at lastRoundMinRTT +
// RttThresh enters CSS (growth divided by CSS_GROWTH_DIVISOR = 4), a
// minimum below the baseline returns to slow start, and CSS_ROUNDS = 5
// rounds of CSS end slow start with ssthresh = cwnd.
func TestHyStartPP(t *testing.T) {
	ms := sim.Millisecond
	step := func(h *hyStartPP, s *sender, rtt sim.Time) int {
		s.una = s.nxt.Add(1)
		s.nxt = s.una.Add(100000)
		div := 1
		for range hsppNRTTSample {
			div = h.onAck(ackEvent{rtt: rtt}, false)
		}
		return div
	}
	s := testSender(20, 1000)
	h := newHyStartPP(s)
	s.nxt = seqnum.Value(1000)
	if d := step(h, s, 100*ms); d != 1 {
		t.Fatalf("first round: divisor %d", d)
	}
	if d := step(h, s, 112*ms); d != 1 || h.css {
		t.Fatalf("100 → 112 ms (< 100 + 12.5): divisor %d, css %v; want slow start", d, h.css)
	}
	if d := step(h, s, 125*ms); d != 1 || h.css {
		t.Fatalf("112 → 125 ms (< 112 + 14): divisor %d, css %v; want slow start", d, h.css)
	}
	if d := step(h, s, 141*ms); d != hsppCSSGrowthDivide || !h.css {
		t.Fatalf("125 → 141 ms (≥ 125 + 15.6): divisor %d, css %v; want CSS", d, h.css)
	}
	if d := step(h, s, 138*ms); d != 1 || h.css {
		t.Fatalf("141 → 138 ms, below the CSS baseline: divisor %d, css %v; want slow start again", d, h.css)
	}
	if d := step(h, s, 160*ms); d != hsppCSSGrowthDivide {
		t.Fatalf("138 → 160 ms: divisor %d, want CSS", d)
	}
	for r := 1; r < hsppCSSRounds; r++ {
		step(h, s, 160*ms)
		if s.ssthresh == s.cwnd {
			t.Fatalf("slow start ended after %d CSS rounds, want %d", r, hsppCSSRounds)
		}
	}
	step(h, s, 160*ms)
	if s.ssthresh != s.cwnd || !h.done {
		t.Fatalf("after %d CSS rounds: ssthresh %d, cwnd %d; want ssthresh = cwnd", hsppCSSRounds, s.ssthresh, s.cwnd)
	}
}

// Linux's dynamic right-sizing: a 128 KiB buffer offers 64 KiB; once a
// receiver round trip has passed, reading more than the last round trip's
// bytes sets the buffer to room for 2·copied + 16·MSS plus twice the
// growth, within tcp_rmem[2]; the window scale covers tcp_rmem[2].
func TestReceiveAutotuning(t *testing.T) {
	clk := &clock{}
	e := NewEndpoint(Config{MSS: 1460, RecvBuffer: 131072, RecvBufferMax: 33554432}, clk, nil)
	if e.rcv.buf.size != 65536 || e.rcv.shift != 10 {
		t.Fatalf("window %d, scale %d; want 65536, 10", e.rcv.buf.size, e.rcv.shift)
	}
	e.rcv.tune.rtt = 40 * sim.Millisecond
	e.tuneAfterRead() // the first read starts the measurement: space = 10·MSS
	if e.rcv.tune.space != 14600 {
		t.Fatalf("rcvq_space %d, want 14600", e.rcv.tune.space)
	}
	e.rcv.buf.readOff += 100000
	clk.now += 39 * sim.Millisecond
	e.tuneAfterRead()
	if e.rcv.buf.size != 65536 {
		t.Fatalf("grew before a round trip: %d", e.rcv.buf.size)
	}
	clk.now += sim.Millisecond
	e.tuneAfterRead()
	// rcvwin = 200000 + 23360 = 223360; grow = 223360·85400/14600 =
	// 1306503; rcvwin + 2·grow = 2836366 of window, twice that of buffer.
	if e.rcv.buf.size != 2836366 || e.rcv.tune.rcvbuf != 5672732 || e.rcv.tune.space != 100000 {
		t.Fatalf("window %d, buffer %d, space %d; want 2836366, 5672732, 100000", e.rcv.buf.size, e.rcv.tune.rcvbuf, e.rcv.tune.space)
	}
	// Never beyond tcp_rmem[2].
	e.rcv.buf.readOff += 50_000_000
	clk.now += 40 * sim.Millisecond
	e.tuneAfterRead()
	if e.rcv.tune.rcvbuf != 33554432 || e.rcv.buf.size != 33554432/2 {
		t.Fatalf("buffer %d, window %d; want the ceiling 33554432 and half", e.rcv.tune.rcvbuf, e.rcv.buf.size)
	}
	// Without RecvBufferMax the buffer is fixed and all of it is window.
	f := NewEndpoint(Config{MSS: 1460, RecvBuffer: 131072}, clk, nil)
	if f.rcv.buf.size != 131072 || f.rcv.tune.on {
		t.Fatalf("fixed buffer: window %d, tuning %v", f.rcv.buf.size, f.rcv.tune.on)
	}
}

// Linux's ATO (tcp_event_data_recv): 40 ms at the first data; arrivals 20
// ms apart or less pull it back toward 40 ms; a gap m below ato sets it to
// ato/2 + m; the timer is at least 40 ms and at most min(SRTT, 500 ms); a
// gap above the RTO re-enters quick-ACK mode.
func TestDelAckATO(t *testing.T) {
	ms := sim.Millisecond
	var a ackTimer
	rto := 300 * ms
	a.onData(0, rto)
	if a.ato != 40*ms || a.timeout(0) != 40*ms {
		t.Fatalf("first data: ato %v, timer %v; want 40 ms", a.ato, a.timeout(0))
	}
	a.onData(30*ms, rto) // m = 30 ms < ato: 20 + 30
	if a.ato != 50*ms {
		t.Fatalf("after a 30 ms gap: ato %v, want 50 ms", a.ato)
	}
	if got := a.timeout(45 * ms); got != 45*ms {
		t.Fatalf("timer %v with SRTT 45 ms, want 45 ms (at most the SRTT)", got)
	}
	if got := a.timeout(100 * ms); got != 50*ms {
		t.Fatalf("timer %v with SRTT 100 ms, want the ato, 50 ms", got)
	}
	a.onData(31*ms, rto) // m = 1 ms: 25 + 20
	if a.ato != 45*ms {
		t.Fatalf("after a 1 ms gap: ato %v, want 45 ms", a.ato)
	}
	a.onData(31*ms+rto+ms, rto)
	if a.quick != tcpMaxQuickAck {
		t.Fatalf("after an idle gap above the RTO: %d quick ACKs, want %d", a.quick, tcpMaxQuickAck)
	}
	var b ackTimer
	b.ato = 10 * ms
	if got := b.timeout(5 * ms); got != 40*ms {
		t.Fatalf("timer %v, want at least TCP_DELACK_MIN", got)
	}
}

// With byte counting Reno's ssthresh is Linux's tcp_reno_ssthresh, half
// of cwnd (not of the flight), and a timeout during a recovery keeps it.
func TestRenoLinuxSsthresh(t *testing.T) {
	s := testSender(40, 1000)
	s.byteCounting = true
	s.max = 500000 // a flight of 500 segments after a long recovery
	a := newAIMD(s)
	if got := a.onCongestionEvent(0); got != 20000 {
		t.Fatalf("ssthresh %d, want 20000 (cwnd/2)", got)
	}
	s.setCwnd(300*1000, 20000) // inflated by the recovery
	a.onRTO(0)
	if s.ssthresh != 20000 || s.cwnd != 1000 {
		t.Fatalf("timeout in recovery: ssthresh %d cwnd %d; want 20000 kept, 1000", s.ssthresh, s.cwnd)
	}
	s.una = 600000
	s.max = 700000
	s.setCwnd(30*1000, 20000)
	a.onRTO(0)
	if s.ssthresh != 15000 {
		t.Fatalf("timeout after the episode: ssthresh %d, want 15000", s.ssthresh)
	}
	// Without byte counting: RFC 5681 eq. 4, half the flight.
	r := testSender(40, 1000)
	r.max = 500000
	if got := newAIMD(r).onCongestionEvent(0); got != 250000 {
		t.Fatalf("RFC 5681 ssthresh %d, want 250000", got)
	}
}
