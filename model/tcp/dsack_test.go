package tcp

import (
	"fmt"
	"strings"
	"testing"

	"tcpsim/model/seqnum"
)

// dsackReceiver is a receiver with SACK and D-SACK after a handshake,
// and a function that delivers a segment of the peer's stream [from, to)
// (offsets from 3000, as RFC 2883's examples number them) and returns the
// ACK it triggered as RFC 2883 writes it: "4000, SACK=3000-3500, ...".
func dsackReceiver(t *testing.T) func(from, to int) string {
	t.Helper()
	p := established(t, Config{SACK: true, MSS: 500}, Config{SACK: true, DSACK: true, RecvBuffer: 1 << 16})
	base := p.a.snd.iss + 1
	rel := func(v uint32) int { return int(seqnum.Delta(base, seqnum.Value(v))) + 3000 }
	return func(from, to int) string {
		h := p.template(p.a)
		h.Seq, h.Window = uint32(base.Add(seqnum.Size(from-3000))), 65535
		p.b.Input(&h, make([]byte, to-from))
		acks := p.bOut.take()
		if len(acks) == 0 {
			return "no ACK"
		}
		a := acks[len(acks)-1].h
		var b strings.Builder
		fmt.Fprintf(&b, "%d", rel(a.Ack))
		for i, s := range a.SACK[:a.NSACK] {
			if i == 0 {
				b.WriteString(", SACK=")
			} else {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%d-%d", rel(s.Left), rel(s.Right))
		}
		return b.String()
	}
}

// The three examples of RFC 2883 §4.1 (D-SACK for duplicate segments), row
// by row: the receiver's ACK for each segment received. (The RFC's lost
// ACKs do not matter to the receiver.)
func TestDSACKRFC2883Examples(t *testing.T) {
	for _, ex := range []struct {
		name string
		segs [][2]int
		want []string
	}{
		{"4.1.1 reporting a duplicate segment",
			[][2]int{{3000, 3500}, {3500, 4000}, {3000, 3500}},
			[]string{"3500", "4000", "4000, SACK=3000-3500"}},
		{"4.1.2 reporting an out-of-order segment and a duplicate segment",
			[][2]int{{3000, 3500}, {3500, 4000}, {4500, 5000}, {3000, 3500}},
			[]string{"3500", "4000", "4000, SACK=4500-5000", "4000, SACK=3000-3500, 4500-5000"}},
		{"4.1.3 reporting a duplicate of an out-of-order segment",
			[][2]int{{3000, 3500}, {3500, 4000}, {4500, 5000}, {5000, 5500}, {6000, 6500}, {4500, 5000}},
			[]string{"3500", "4000", "4000, SACK=4500-5000", "4000, SACK=4500-5500", "4000, SACK=6000-6500, 4500-5500",
				"4000, SACK=4500-5000, 4500-5500, 6000-6500"}},
	} {
		in := dsackReceiver(t)
		for i, s := range ex.segs {
			if got := in(s[0], s[1]); got != ex.want[i] {
				t.Errorf("%s, segment %d-%d: ACK %q, want %q", ex.name, s[0], s[1], got, ex.want[i])
			}
		}
	}
}

// Undo by D-SACK (Linux tcp_try_undo_dsack, RFC 3708's detection): the
// first of ten segments is only delayed. Three SACKed segments above it
// make RACK deem it lost: a recovery starts (cwnd cut), it is resent.
// Then the original arrives (the ACK jumps), and the retransmission comes
// back as a D-SACK: every retransmission of the episode was spurious, so
// the cut is undone. The D-SACK changes nothing in what the sender holds
// as delivered.
func TestDSACKUndo(t *testing.T) {
	p := newPair(t, Config{MSS: 1000, InitialWindow: 10, SACK: true, RACK: true, PRR: true, Congestion: CCNewReno, RecvBuffer: 1 << 20},
		Config{SACK: true, DSACK: true, RecvBuffer: 1 << 20})
	p.handshake(t)
	p.a.Write(10_000)
	segs := p.aOut.take()
	before := p.a.Cwnd()
	deliverTo := func(ss ...segment) {
		for _, s := range ss {
			p.b.Input(&s.h, s.data)
		}
		for _, s := range p.bOut.take() {
			p.a.Input(&s.h, s.data)
		}
	}
	p.clk.now += 50 * ms
	deliverTo(segs[1], segs[2], segs[3])
	if !p.a.rec.inRecovery() || p.a.Cwnd() >= before {
		t.Fatalf("three SACKed above a hole: recovery %v, cwnd %d (was %d); want a recovery and a cut", p.a.rec.inRecovery(), p.a.Cwnd(), before)
	}
	rexmit := p.aOut.take()
	if got := sent(p, rexmit); len(got) == 0 || got[0] != 0 {
		t.Fatalf("the recovery sent %v, want the retransmission of 0 first", got)
	}
	deliverTo(segs[0]) // the original, late
	deliverTo(rexmit[0])
	st := p.a.Stats()
	if st.DSACKsRecv != 1 || st.Undos != 1 || p.a.Cwnd() < before || p.a.rec.inRecovery() {
		t.Fatalf("after the D-SACK: %d D-SACKs, %d undos, cwnd %d (before the cut %d), recovery %v; want 1, 1, ≥ %d, false",
			st.DSACKsRecv, st.Undos, p.a.Cwnd(), before, p.a.rec.inRecovery(), before)
	}
	if p.a.snd.sb.sackedBytes != 0 || p.a.snd.unaOff != 4000 {
		t.Fatalf("the D-SACK changed the scoreboard: %d SACKed, SND.UNA at %d", p.a.snd.sb.sackedBytes, p.a.snd.unaOff)
	}
}
