package tcp

// ESTABLISHED (RFC 9293 §3.10.7.4): the RTO estimator, retransmission,
// the windows, delayed ACKs. Opening is in conn_open_test.go, closing in
// conn_close_test.go and fin_test.go; the harness in harness_test.go.

import (
	"testing"

	"tcpsim/model/seqnum"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// RTO estimator against hand-computed RFC 6298 §2 sequences.
func TestRTOEstimator(t *testing.T) {
	e := NewEndpoint(Config{MinRTO: sim.Millisecond, Granularity: sim.Millisecond}, &clock{}, &capture{})
	ms := sim.Millisecond
	steps := []struct {
		r, srtt, rttvar, rto sim.Time
	}{
		// First: SRTT=R, RTTVAR=R/2, RTO=SRTT+max(G,4·RTTVAR).
		{100 * ms, 100 * ms, 50 * ms, 300 * ms},
		// RTTVAR=3/4·50+1/4·|100-200|=62.5; SRTT=7/8·100+1/8·200=112.5.
		{200 * ms, 112500 * sim.Microsecond, 62500 * sim.Microsecond, 362500 * sim.Microsecond},
		// RTTVAR=3/4·62.5+1/4·62.5=62.5; SRTT=7/8·112.5+1/8·50=104.6875.
		{50 * ms, 104687500, 62500 * sim.Microsecond, 354687500},
	}
	for i, s := range steps {
		e.rtt.sample(s.r)
		if e.SRTT() != s.srtt || e.RTTVar() != s.rttvar || e.RTO() != s.rto {
			t.Fatalf("step %d: srtt %v rttvar %v rto %v, want %v %v %v", i, e.SRTT(), e.RTTVar(), e.RTO(), s.srtt, s.rttvar, s.rto)
		}
	}
	// Clamped below by MinRTO (1 s by default, RFC 6298 §2.4) ...
	d := NewEndpoint(Config{}, &clock{}, &capture{})
	d.rtt.sample(10 * ms)
	if d.RTO() != sim.Second {
		t.Fatalf("RTO %v, want the 1s minimum", d.RTO())
	}
	// ... and backed off by doubling up to MaxRTO (§5.5).
	for _, want := range []sim.Time{2, 4, 8, 16, 32, 60, 60} {
		d.rtt.backoff()
		if d.RTO() != want*sim.Second {
			t.Fatalf("backoff: RTO %v, want %vs", d.RTO(), want)
		}
	}
}

// Karn's algorithm: an ACK for a retransmitted segment gives no sample.
func TestKarn(t *testing.T) {
	p := established(t, Config{ISS: 1, InitialWindow: 1}, Config{ISS: 2})
	samples := p.a.Stats().RTTSamples
	p.a.Write(1000)
	p.aOut.take() // lost
	p.fire()      // RTO: retransmit
	p.flow(100*sim.Millisecond, nil)
	if got := p.a.Stats().RTTSamples; got != samples {
		t.Fatalf("RTT samples %d after acking a retransmission, want %d", got, samples)
	}
	p.a.Write(1000) // fresh segment: sampled again
	p.flow(100*sim.Millisecond, nil)
	if got := p.a.Stats().RTTSamples; got != samples+1 {
		t.Fatalf("RTT samples %d, want %d", got, samples+1)
	}
}

// NewReno (RFC 6582): two losses in one window. The third duplicate ACK
// retransmits the first hole; the partial ACK that follows retransmits the
// second at once, without waiting for three more duplicates or a timeout,
// and recovery ends with the full ACK.
func TestNewRenoPartialAck(t *testing.T) {
	p := established(t, Config{ISS: 1, Congestion: CCNewReno, InitialWindow: 10, MSS: 1000}, Config{ISS: 2, MSS: 1000})
	p.a.Write(10000)
	segs := p.aOut.take()
	if len(segs) != 10 {
		t.Fatalf("sent %d segments, want 10 (IW10)", len(segs))
	}
	for i, s := range segs {
		if i == 2 || i == 5 {
			continue // lost
		}
		p.b.Input(&s.h, s.data)
	}
	acks := p.bOut.take()
	for _, s := range acks {
		p.a.Input(&s.h, s.data)
	}
	st := p.a.Stats()
	if st.DupAcks != 6 || st.FastRetrans != 1 || !p.a.rec.inRecovery() {
		t.Fatalf("dupacks %d fast %d recovery %v, want 6, 1, true", st.DupAcks, st.FastRetrans, p.a.rec.inRecovery())
	}
	// Deliver the retransmission of segment 2: partial ACK up to 5.
	rtx := p.aOut.take()
	var firstRtx segment
	for _, s := range rtx {
		if s.h.Seq == segs[2].h.Seq {
			firstRtx = s
		}
	}
	p.b.Input(&firstRtx.h, firstRtx.data)
	for _, s := range p.bOut.take() {
		p.a.Input(&s.h, s.data)
	}
	if p.a.Stats().FastRetrans != 2 || !p.a.rec.inRecovery() {
		t.Fatalf("after partial ACK: fast retransmissions %d, in recovery %v; want 2, true", p.a.Stats().FastRetrans, p.a.rec.inRecovery())
	}
	found := false
	for _, s := range p.aOut.segs {
		found = found || s.h.Seq == segs[5].h.Seq
	}
	if !found {
		t.Fatal("partial ACK did not retransmit the second hole")
	}
	p.flow(100*sim.Millisecond, nil)
	if p.a.rec.inRecovery() || p.a.snd.una != p.a.snd.max || p.a.Stats().RTOExpirations != 0 {
		t.Fatalf("recovery %v, una %d max %d, RTOs %d", p.a.rec.inRecovery(), p.a.snd.una, p.a.snd.max, p.a.Stats().RTOExpirations)
	}
}

// A receiver that does not read closes its window; the sender probes it
// on the persist timer, and a window update after reading reopens the flow.
func TestZeroWindowProbe(t *testing.T) {
	p := established(t, Config{ISS: 1, MSS: 1000}, Config{ISS: 2, MSS: 1000, RecvBuffer: 4000})
	p.a.Write(10000)
	p.flow(100*sim.Millisecond, nil)
	if p.a.SndWnd() != 0 || p.b.Readable() != 4000 || p.a.Stats().ZeroWindowSeen != 1 {
		t.Fatalf("window %d readable %d zero-window %d", p.a.SndWnd(), p.b.Readable(), p.a.Stats().ZeroWindowSeen)
	}
	// Probes at backed-off intervals, each answered with a zero window.
	for i := range 3 {
		if p.fire() == 0 {
			t.Fatal("no persist timer")
		}
		p.flow(100*sim.Millisecond, nil)
		if p.a.Stats().WindowProbes != int64(i+1) {
			t.Fatalf("probes %d, want %d", p.a.Stats().WindowProbes, i+1)
		}
	}
	if p.b.Readable() != 4000 {
		t.Fatalf("probe byte accepted into a full buffer: readable %d", p.b.Readable())
	}
	// The application reads: a window update reopens the flow.
	got := int64(0)
	for got < 10000 {
		b, _ := p.b.Read(1 << 20)
		got += int64(len(b))
		p.flow(100*sim.Millisecond, nil)
		if len(b) == 0 {
			p.fire()
			p.flow(100*sim.Millisecond, nil)
		}
	}
	if p.a.snd.una != p.a.snd.max || p.b.Stats().ZeroWindowAdvert == 0 {
		t.Fatalf("una %d max %d, zero windows advertised %d", p.a.snd.una, p.a.snd.max, p.b.Stats().ZeroWindowAdvert)
	}
}

// Sequence numbers wrap: a transfer starting just below 2^32 completes.
func TestSequenceWrap(t *testing.T) {
	p := established(t, Config{ISS: seqnum.Value(0xffffffff - 2500)}, Config{ISS: 0xfffffff0})
	p.a.Write(100000)
	got := 0
	for range 1000 {
		p.flow(100*sim.Millisecond, nil)
		b, _ := p.b.Read(1 << 20)
		got += len(b)
		if got == 100000 {
			break
		}
	}
	if got != 100000 || p.a.snd.una != p.a.snd.max || uint32(p.a.snd.una) > 0x10000000 {
		t.Fatalf("read %d, una %#x max %#x", got, p.a.snd.una, p.a.snd.max)
	}
}

// Delayed ACKs (RFC 5681 §4.2, RFC 1122 §4.2.3.2): at most every second
// full-sized segment is ACKed at once; a lone segment is ACKed when the
// delayed-ACK timer fires; out-of-order data is ACKed at once.
func TestDelayedAck(t *testing.T) {
	p := established(t, Config{ISS: 1, MSS: 1000, InitialWindow: 10}, Config{ISS: 2, MSS: 1000, DelayedAck: 200 * sim.Millisecond})
	p.a.Write(4000)
	segs := p.aOut.take()
	for _, s := range segs {
		p.b.Input(&s.h, s.data)
		p.b.Read(1 << 20)
	}
	if acks := p.bOut.take(); len(acks) != 2 {
		t.Fatalf("%d ACKs for 4 full segments, want 2", len(acks))
	}
	p.a.Write(1000)
	s := p.aOut.take()[0]
	p.b.Input(&s.h, s.data)
	if len(p.bOut.segs) != 0 {
		t.Fatal("a lone segment was ACKed at once")
	}
	at := p.b.Deadline()
	if at != p.clk.now+200*sim.Millisecond {
		t.Fatalf("delayed-ACK deadline %v, want now+200ms", at)
	}
	p.fire()
	if acks := p.bOut.take(); len(acks) != 1 || acks[0].h.Ack != uint32(p.a.snd.nxt) {
		t.Fatalf("after the timer: %v", acks)
	}
	// Out of order: ACKed at once (a duplicate ACK).
	p.a.Write(2000)
	two := p.aOut.take()
	p.b.Input(&two[1].h, two[1].data)
	if acks := p.bOut.take(); len(acks) != 1 {
		t.Fatalf("out-of-order segment: %d ACKs, want 1 at once", len(acks))
	}
}

// Quick-ACK mode (Linux): with delayed ACKs, the first QuickAcks data
// segments are acknowledged one by one, then every second one.
func TestQuickAcks(t *testing.T) {
	p := established(t, Config{ISS: 1, MSS: 1000, InitialWindow: 10}, Config{ISS: 2, MSS: 1000, DelayedAck: 40 * sim.Millisecond, QuickAcks: 3})
	p.a.Write(7000)
	for _, s := range p.aOut.take() {
		p.b.Input(&s.h, s.data)
		p.b.Read(1 << 20)
	}
	// 3 quick ACKs for segments 1-3, then one for 4-5 and one for 6-7.
	if acks := p.bOut.take(); len(acks) != 5 {
		t.Fatalf("%d ACKs for 7 full segments with 3 quick ACKs, want 5", len(acks))
	}
}

// ESTABLISHED: a segment in order is acknowledged (no delayed ACK here),
// and the same segment again, now wholly old, is not acceptable but is
// answered by exactly one ACK of RCV.NXT, so that a peer whose ACK was
// lost learns where the receiver is (RFC 9293 §3.10.7.4).
func TestOldDuplicateIsAcked(t *testing.T) {
	p := established(t, Config{ISS: 100}, Config{ISS: 900})
	h := p.template(p.a)
	data := make([]byte, 100)
	p.b.Input(&h, data)
	expectSegs(t, p.bOut, want{flags: wire.FlagACK, seq: 901, ack: 201})
	p.b.Input(&h, data)
	expectSegs(t, p.bOut, want{flags: wire.FlagACK, seq: 901, ack: 201})
	if n := p.b.Readable(); n != 100 {
		t.Errorf("b holds %d bytes to read, want 100: the duplicate was taken twice", n)
	}
}
