package tcp

import (
	"testing"

	"tcpsim/sim"
)

const ms = sim.Millisecond

// rackTable builds a table of n 1000-byte segments, the i-th sent at
// times[i].
func rackTable(times ...sim.Time) *rackSegs {
	t := &rackSegs{}
	for i, at := range times {
		t.sent(int64(i)*1000, 1000, at)
	}
	return t
}

// deliver marks segment i SACKed (or, below una, acknowledged) at now and
// feeds RACK, as rackRecovery.markDelivered does.
func deliver(r *rack, t *rackSegs, i int, now sim.Time) {
	t.setFlag(t.head+i, segSACKed, true)
	r.segsSACKed++
	r.onDelivered(&t.segs[t.head+i], now, 0)
}

// RFC 8985 §3.3's first scenario, the reordering window at work: P1 and P2
// sent 1 ms apart, P2 SACKed after one round trip (40 ms), P1 not. With
// one segment SACKed and no reordering seen yet, RACK waits min_RTT/4
// (10 ms) beyond P1's round trip before deeming it lost, and asks for a
// timer at that point; with three SACKed (DupThresh) it does not wait.
func TestRACKReorderingWindow(t *testing.T) {
	r := &rack{}
	r.reset()
	segs := rackTable(0, 1*ms)
	deliver(r, segs, 1, 41*ms)
	if r.minRTT != 40*ms || r.rtt != 40*ms || r.xmitTS != 1*ms {
		t.Fatalf("RACK after P2: min_RTT %v rtt %v xmit_ts %v, want 40ms 40ms 1ms", r.minRTT, r.rtt, r.xmitTS)
	}
	w := r.reoWnd(false, 40*ms)
	if w != 10*ms {
		t.Fatalf("reo_wnd = %v, want min_RTT/4 = 10ms", w)
	}
	newly, timeout := r.detectLoss(segs, 41*ms, w)
	if newly != 0 || timeout != 9*ms {
		t.Fatalf("at 41ms: %d bytes lost, timer %v; want none lost and a 9ms timer (0 + 40 + 10 − 41)", newly, timeout)
	}
	newly, timeout = r.detectLoss(segs, 50*ms, w)
	if newly != 1000 || timeout != 0 || segs.lost != 1000 {
		t.Fatalf("at 50ms: %d bytes newly lost (%d in all), timer %v; want P1 lost, no timer", newly, segs.lost, timeout)
	}

	// DupThresh segments SACKed and no reordering seen: reo_wnd is 0.
	r.reset()
	segs = rackTable(0, 1*ms, 2*ms, 3*ms)
	for i := 1; i <= 3; i++ {
		deliver(r, segs, i, sim.Time(40+i)*ms)
	}
	if w := r.reoWnd(false, 40*ms); w != 0 {
		t.Fatalf("reo_wnd with three SACKed = %v, want 0", w)
	}
	if newly, _ := r.detectLoss(segs, 43*ms, 0); newly != 1000 {
		t.Fatalf("with three SACKed P1 is not lost at once (%d bytes)", newly)
	}
}

// RFC 8985 §6.2 step 3: a segment sent once and delivered below RACK.fack
// shows reordering; from then on reo_wnd is min_RTT/4 even in recovery and
// with DupThresh segments SACKed.
func TestRACKReorderingSeen(t *testing.T) {
	r := &rack{}
	r.reset()
	segs := rackTable(0, 1*ms, 2*ms, 3*ms)
	for i := 1; i <= 3; i++ {
		deliver(r, segs, i, sim.Time(40+i)*ms)
	}
	if r.reordSeen {
		t.Fatal("reordering seen before any")
	}
	deliver(r, segs, 0, 44*ms) // P1 arrives late: it was reordered, not lost
	if !r.reordSeen {
		t.Fatal("P1 delivered below RACK.fack did not count as reordering")
	}
	if w := r.reoWnd(true, 40*ms); w != 10*ms {
		t.Fatalf("reo_wnd in recovery after reordering = %v, want 10ms", w)
	}
}

// A lost retransmission is found without the retransmission timer (RFC
// 8985 §2.2, §6.2): P1 resent at 50 ms is lost again; P3, sent at 51 ms,
// is SACKed at 91 ms; at 91 ms P1's retransmission is a round trip old
// and it is deemed lost again, ready to be resent (lost, no
// retransmission in flight).
func TestRACKLostRetransmission(t *testing.T) {
	r := &rack{}
	r.reset()
	segs := rackTable(0, 1*ms, 2*ms, 3*ms)
	for i := 1; i <= 3; i++ {
		deliver(r, segs, i, sim.Time(40+i)*ms)
	}
	r.detectLoss(segs, 43*ms, 0)
	segs.sent(0, 1000, 50*ms) // the retransmission
	if g := segs.segs[0]; g.flags&(segDeemedLost|segRetrans) != segDeemedLost|segRetrans || segs.retrans != 1000 {
		t.Fatalf("after the retransmission: flags %b, retrans %d", g.flags, segs.retrans)
	}
	segs.sent(4000, 1000, 51*ms) // new data after it
	deliver(r, segs, 4, 91*ms)
	newly, _ := r.detectLoss(segs, 91*ms, 0)
	if g := segs.segs[0]; newly != 0 || g.flags&(segDeemedLost|segRetrans) != segDeemedLost || segs.retrans != 0 || segs.lost != 1000 {
		t.Fatalf("after P5's SACK: flags %b, lost %d, retrans %d; want P1 lost again, its retransmission no longer in flight", g.flags, segs.lost, segs.retrans)
	}
	// An ACK of a retransmitted segment whose timestamp echo is older than
	// the retransmission gives RACK no sample (§6.2 step 2).
	before := r.xmitTS
	segs.sent(0, 1000, 100*ms)
	r.onDelivered(&segs.segs[0], 110*ms, tsClock(20*ms))
	if r.xmitTS != before {
		t.Fatal("an ACK echoing the original transmission moved RACK.xmit_ts to the retransmission")
	}
}

// RFC 8985 §6.2 step 4: each round trip with a D-SACK widens reo_wnd by
// min_RTT/4 (reo_wnd_mult), for 16 recoveries, then it falls back; and it
// is never above SRTT.
func TestRACKReoWndDSACK(t *testing.T) {
	r := &rack{}
	r.reset()
	r.minRTT, r.reordSeen = 40*ms, true
	r.dsackSeen = true
	r.updateReoWnd(0, 10000, false)
	if r.reoWndMult != 2 || r.reoWnd(false, time1s) != 20*ms {
		t.Fatalf("after a D-SACK: mult %d, reo_wnd %v; want 2 and 20ms", r.reoWndMult, r.reoWnd(false, time1s))
	}
	r.dsackSeen = true
	r.updateReoWnd(5000, 12000, false) // same round (SND.UNA below dsack_round)
	if r.reoWndMult != 2 {
		t.Fatalf("a second D-SACK in the same round trip: mult %d, want 2", r.reoWndMult)
	}
	if w := r.reoWnd(false, 15*ms); w != 15*ms {
		t.Fatalf("reo_wnd %v with SRTT 15ms, want 15ms", w)
	}
	for range 16 {
		r.updateReoWnd(20000, 20000, true)
	}
	if r.reoWndMult != 1 {
		t.Fatalf("after 16 recoveries without D-SACK: mult %d, want 1", r.reoWndMult)
	}
}

const time1s = sim.Second

// The table splits a segment when a retransmission or a SACK covers part
// of it, and keeps its byte counters exact.
func TestRACKSegsSplit(t *testing.T) {
	segs := rackTable(0, 1*ms, 2*ms)
	segs.sent(500, 1000, 10*ms) // half of the 1st and half of the 2nd
	if len(segs.segs) != 5 || segs.retrans != 1000 {
		t.Fatalf("after a straddling retransmission: %d segments, %d bytes retransmitted; want 5 and 1000", len(segs.segs), segs.retrans)
	}
	for i := 1; i < len(segs.segs); i++ {
		if segs.segs[i].start != segs.segs[i-1].end {
			t.Fatalf("segments not contiguous: %+v", segs.segs)
		}
	}
}

// Tail Loss Probe (RFC 8985 §7), end to end: of ten segments the last is
// lost; the nine ACKs arrive and nothing more comes. Instead of a
// retransmission timeout the probe timer fires at 2·SRTT (plus Linux's
// 8 ms) and resends the last segment; its ACK completes the transfer with
// no timeout and no window cut to one segment.
func TestTLPTailLoss(t *testing.T) {
	p := newPair(t, Config{MSS: 1000, InitialWindow: 10, SACK: true, RACK: true, PRR: true, Congestion: CCNewReno, MinRTO: 200 * ms},
		Config{SACK: true, RecvBuffer: 1 << 20})
	p.handshake(t) // one 100 ms round trip: SRTT 100 ms
	p.a.Write(10_000)
	segs := p.aOut.take()
	if len(segs) != 10 {
		t.Fatalf("sent %d segments, want 10", len(segs))
	}
	p.clk.now += 50 * ms
	for _, s := range segs[:9] {
		p.b.Input(&s.h, s.data)
	}
	p.clk.now += 50 * ms
	for _, s := range p.bOut.take() {
		p.a.Input(&s.h, s.data)
	}
	if p.a.ptoAt == 0 {
		t.Fatal("no loss probe armed with one segment outstanding")
	}
	want := p.clk.now + 2*p.a.SRTT() + tlpDelAck
	if p.a.ptoAt != min(want, p.a.rtxAt) {
		t.Fatalf("PTO at %v, want min(now + 2·SRTT + 200ms, RTO) = %v", p.a.ptoAt, min(want, p.a.rtxAt))
	}
	p.fire()
	probe := p.aOut.take()
	if got := sent(p, probe); len(got) != 1 || got[0] != 9000 {
		t.Fatalf("the probe sent %v, want the last segment, 9000", got)
	}
	p.clk.now += 50 * ms
	p.b.Input(&probe[0].h, probe[0].data)
	p.clk.now += 50 * ms
	for _, s := range p.bOut.take() {
		p.a.Input(&s.h, s.data)
	}
	st := p.a.Stats()
	if p.a.snd.una != p.a.snd.max || st.LossProbes != 1 || st.RTOExpirations != 0 || p.a.Cwnd() < 10000 {
		t.Fatalf("after the probe: all ACKed %v, %d probes, %d RTOs, cwnd %d; want all, 1, 0, at least 10000",
			p.a.snd.una == p.a.snd.max, st.LossProbes, st.RTOExpirations, p.a.Cwnd())
	}
}
