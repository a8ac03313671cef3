package tcp

import (
	"fmt"
	"strings"
	"testing"

	"tcpsim/model/seqnum"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// SACK is used only when both ends allow it (RFC 2018 §2): the SYN offers
// SACK-permitted if the client allows it, the SYN-ACK only if the server
// allows it and the SYN offered it.
func TestSACKNegotiation(t *testing.T) {
	for _, c := range []struct {
		client, server      bool
		synOffer, synAckOff bool
	}{
		{false, false, false, false},
		{true, false, true, false},
		{false, true, false, false},
		{true, true, true, true},
	} {
		name := fmt.Sprintf("client %v server %v", c.client, c.server)
		p := newPair(t, Config{ISS: 100, SACK: c.client, Congestion: CCNewReno}, Config{ISS: 900, SACK: c.server, Congestion: CCNewReno})
		p.b.Listen()
		p.a.Connect()
		syn := p.aOut.segs[0]
		p.flow(100*sim.Millisecond, func(from *Endpoint, s segment) bool {
			if from == p.b && s.h.Flags&wire.FlagSYN != 0 && s.h.SACKPermitted != c.synAckOff {
				t.Errorf("%s: SYN-ACK SACK-permitted %v, want %v", name, s.h.SACKPermitted, c.synAckOff)
			}
			return false
		})
		if syn.h.SACKPermitted != c.synOffer {
			t.Errorf("%s: SYN SACK-permitted %v, want %v", name, syn.h.SACKPermitted, c.synOffer)
		}
		want := c.client && c.server
		for _, e := range []*Endpoint{p.a, p.b} {
			if e.snd.sack != want || e.rcv.sack != want {
				t.Errorf("%s: SACK in use %v/%v, want %v", name, e.snd.sack, e.rcv.sack, want)
			}
			_, sackRec := e.rec.(*sackRecovery)
			if sackRec != want {
				t.Errorf("%s: RFC 6675 recovery %v, want %v", name, sackRec, want)
			}
		}
	}
	// Tahoe keeps its textbook recovery with SACK: it has no fast
	// recovery for RFC 6675 to replace.
	p := established(t, Config{SACK: true, Congestion: CCTahoe}, Config{SACK: true, Congestion: CCTahoe})
	if _, ok := p.a.rec.(*renoRecovery); !ok || !p.a.snd.sack {
		t.Errorf("Tahoe with SACK: recovery %T, SACK %v; want renoRecovery with SACK on", p.a.rec, p.a.snd.sack)
	}
}

// sackString writes a segment's SACK blocks relative to isn+1, as
// "l-r l-r".
func sackString(h *wire.TCP, isn seqnum.Value) string {
	var parts []string
	for _, b := range h.SACK[:h.NSACK] {
		parts = append(parts, fmt.Sprintf("%d-%d", seqnum.Delta(isn+1, seqnum.Value(b.Left)), seqnum.Delta(isn+1, seqnum.Value(b.Right))))
	}
	return strings.Join(parts, " ")
}

// The receiver acknowledges every out-of-order segment at once with SACK
// blocks naming what it holds, newest first (RFC 2018 §4), in the
// sequence numbers of the wire, here across the 2^32 wrap; once the hole
// fills, the ACK carries no SACK option.
func TestSACKBlocksOnACKs(t *testing.T) {
	const isn = 0xfffffc00 // the stream wraps at its byte 1023
	p := established(t, Config{ISS: isn, MSS: 1000, SACK: true}, Config{ISS: 7, SACK: true})
	data := func(off int) segment {
		h := p.template(p.a) // a's ACK of b's SYN: ack=8
		h.Seq, h.Window = uint32(seqnum.Value(isn+1).Add(seqnum.Size(off))), 65535
		return segment{h, make([]byte, 1000)}
	}
	for _, step := range []struct {
		off      int
		ack      int
		blocks   string
		outOfOrd bool
	}{
		{1000, 0, "1000-2000", true},
		{3000, 0, "3000-4000 1000-2000", true},
		{2000, 0, "1000-4000", true},
		{5000, 0, "5000-6000 1000-4000", true},
		{0, 4000, "5000-6000", false},
		{4000, 6000, "", false},
	} {
		s := data(step.off)
		p.b.Input(&s.h, s.data)
		out := p.bOut.take()
		if len(out) != 1 {
			t.Fatalf("segment at %d: %d segments in reply, want one ACK", step.off, len(out))
		}
		h := out[0].h
		if got := int(seqnum.Delta(isn+1, seqnum.Value(h.Ack))); got != step.ack {
			t.Errorf("segment at %d: ACK %d, want %d", step.off, got, step.ack)
		}
		if got := sackString(&h, isn); got != step.blocks {
			t.Errorf("segment at %d: SACK %q, want %q", step.off, got, step.blocks)
		}
	}
	if st := p.b.Stats(); st.SACKBlocksSent != 7 {
		t.Errorf("SACKBlocksSent = %d, want 7", st.SACKBlocksSent)
	}
}

// ackWith builds the receiver's ACK for the sender a of p: ACK at
// relative sequence ack and the given relative SACK blocks.
func ackWith(p *pair, ack int, blocks ...[2]int) segment {
	base := p.a.snd.iss + 1
	h := p.template(p.b)
	// The window a last heard, so that the ACK changes nothing but what it acknowledges.
	h.Ack, h.Window = uint32(base.Add(seqnum.Size(ack))), uint16(p.a.snd.wnd>>p.a.snd.shift)
	for i, b := range blocks {
		h.SACK[i] = wire.SACKBlock{Left: uint32(base.Add(seqnum.Size(b[0]))), Right: uint32(base.Add(seqnum.Size(b[1])))}
	}
	h.NSACK = uint8(len(blocks))
	return segment{h: h}
}

// sent returns the relative sequence numbers of the data segments in segs.
func sent(p *pair, segs []segment) []int {
	var offs []int
	for _, s := range segs {
		if len(s.data) > 0 {
			offs = append(offs, int(seqnum.Delta(p.a.snd.iss+1, seqnum.Value(s.h.Seq))))
		}
	}
	return offs
}

// One RFC 6675 loss recovery, ACK by ACK: ten 1000-byte segments out, the
// 1st and the 5th lost. The third duplicate ACK (three segments SACKed)
// starts recovery: ssthresh = cwnd = FlightSize/2, the 1st resent at once.
// As SACKs shrink pipe, new data goes out, and the 5th is resent as soon
// as IsLost deems it lost, before any partial ACK; the ACK past
// RecoveryPoint ends recovery. Nothing SACKed is ever resent. The
// sequence numbers wrap past 2^32 during the transfer.
func TestSACKRecoveryStepByStep(t *testing.T) {
	p := established(t, Config{ISS: 0xffffd000, MSS: 1000, InitialWindow: 10, SACK: true, Congestion: CCNewReno}, Config{ISS: 5000, SACK: true, RecvBuffer: 1 << 20})
	p.a.Write(100_000)
	if got := sent(p, p.aOut.take()); len(got) != 10 {
		t.Fatalf("initial window: %v, want ten segments", got)
	}
	in := func(s segment) []int {
		p.a.Input(&s.h, s.data)
		return sent(p, p.aOut.take())
	}
	// Segments 1000..3000 arrive above the hole at 0: duplicate ACKs.
	if got := in(ackWith(p, 0, [2]int{1000, 2000})); len(got) != 1 || got[0] != 10000 {
		t.Fatalf("1st dup ACK sent %v, want one new segment at 10000 (Limited Transmit by pipe)", got)
	}
	if got := in(ackWith(p, 0, [2]int{1000, 3000})); len(got) != 1 || got[0] != 11000 {
		t.Fatalf("2nd dup ACK sent %v, want one new segment at 11000", got)
	}
	cwnd := p.a.Cwnd()
	got := in(ackWith(p, 0, [2]int{1000, 4000}))
	if len(got) == 0 || got[0] != 0 {
		t.Fatalf("3rd dup ACK sent %v, want the retransmission of 0 first", got)
	}
	// ssthresh = cwnd = FlightSize/2 with the two segments Limited
	// Transmit sent left out (RFC 6675 §5 step 4.2, RFC 5681 §3.2 step
	// 2): 10 segments, not 12.
	if !p.a.rec.inRecovery() || p.a.Ssthresh() != 5000 || p.a.Cwnd() != 5000 {
		t.Fatalf("after the 3rd dup ACK: recovery %v, cwnd %d (was %d), ssthresh %d; want recovery, 5000, 5000", p.a.rec.inRecovery(), p.a.Cwnd(), cwnd, p.a.Ssthresh())
	}
	// pipe: 12 segments out, 3 SACKed, 1 lost and resent: 12-3-1+1 = 9
	// segments, above cwnd: nothing more goes out.
	if pipe := p.a.rec.pipe(); pipe != 9000 || len(got) != 1 {
		t.Fatalf("pipe %d and sent %v, want 9000 and only the retransmission", pipe, got)
	}
	// SACKs for 5000..9000 (the 5th, at 4000, is lost): four more
	// segments leave pipe, and with 3000 octets SACKed above it 4000 is
	// deemed lost (pipe 12-7-2+1 = 4 segments, below cwnd), so it is
	// resent first.
	in(ackWith(p, 0, [2]int{5000, 6000}, [2]int{1000, 4000}))
	in(ackWith(p, 0, [2]int{5000, 7000}, [2]int{1000, 4000}))
	in(ackWith(p, 0, [2]int{5000, 8000}, [2]int{1000, 4000}))
	got = in(ackWith(p, 0, [2]int{5000, 9000}, [2]int{1000, 4000}))
	if len(got) == 0 || got[0] != 4000 {
		t.Fatalf("after SACKs above 4000: sent %v, want the retransmission of 4000 first", got)
	}
	for _, off := range got {
		if off >= 1000 && off < 4000 || off >= 5000 && off < 9000 {
			t.Fatalf("resent SACKed data at %d", off)
		}
	}
	// The retransmission of 0 arrives: a partial ACK to 4000.
	in(ackWith(p, 4000, [2]int{5000, 9000}))
	if !p.a.rec.inRecovery() {
		t.Fatal("a partial ACK ended the recovery")
	}
	// Everything up to RecoveryPoint (12000) arrives: recovery ends.
	in(ackWith(p, 12000))
	if p.a.rec.inRecovery() {
		t.Fatal("the ACK past RecoveryPoint did not end the recovery")
	}
	st := p.a.Stats()
	if st.Recoveries != 1 || st.SACKRetrans != 2 || st.TimeoutRetrans != 0 || st.SACKBlocksRecv != 12 {
		t.Errorf("stats: %d recoveries, %d SACK retransmissions, %d timeouts, %d blocks received; want 1, 2, 0, 12",
			st.Recoveries, st.SACKRetrans, st.TimeoutRetrans, st.SACKBlocksRecv)
	}
}

// After a retransmission timeout go-back-N resends from SND.UNA but skips
// every SACKed range (RFC 6675 §5.1): of ten segments the receiver got
// only those at 1000 and 5000 (two duplicate ACKs: no fast retransmit);
// after the timeout every other segment is resent once, those two never.
func TestSACKGoBackNSkipsSACKed(t *testing.T) {
	p := newPair(t, Config{ISS: 1000, MSS: 1000, InitialWindow: 10, SACK: true, Congestion: CCNewReno, MinRTO: 200 * sim.Millisecond},
		Config{ISS: 5000, SACK: true, RecvBuffer: 1 << 20})
	p.handshake(t)
	p.a.Write(10_000)
	for _, s := range p.aOut.take() {
		if off := sent(p, []segment{s}); off[0] == 1000 || off[0] == 5000 {
			p.b.Input(&s.h, s.data)
		}
	}
	for _, s := range p.bOut.take() {
		p.a.Input(&s.h, s.data)
	}
	if got := sent(p, p.aOut.take()); len(got) != 0 {
		t.Fatalf("two duplicate ACKs sent %v (the data is all out)", got)
	}
	p.fire() // the retransmission timeout
	var resent []int
	p.flow(100*sim.Millisecond, func(from *Endpoint, s segment) bool {
		if from == p.a {
			resent = append(resent, sent(p, []segment{s})...)
		}
		return false
	})
	want := []int{0, 2000, 3000, 4000, 6000, 7000, 8000, 9000}
	if fmt.Sprint(resent) != fmt.Sprint(want) {
		t.Errorf("after the timeout sent %v, want %v (never 1000 or 5000)", resent, want)
	}
	if p.a.snd.una != p.a.snd.max || p.b.Readable() != 10_000 {
		t.Errorf("SND.UNA %d of %d, %d bytes readable", p.a.snd.unaOff, p.a.snd.offset(p.a.snd.max), p.b.Readable())
	}
	if st := p.a.Stats(); st.Recoveries != 0 || st.TimeoutRetrans != int64(len(want)) {
		t.Errorf("%d recoveries, %d timeout retransmissions; want 0 and %d", st.Recoveries, st.TimeoutRetrans, len(want))
	}
}
