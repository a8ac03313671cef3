package tcp

import (
	"testing"

	"tcpsim/model/payload"
	"tcpsim/model/seqnum"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// readAll makes ep's application take every byte as it arrives, checking
// it against the payload pattern, and returns the running count.
func readAll(t *testing.T, ep *Endpoint) *int64 {
	t.Helper()
	var got int64
	ep.SetOnReadable(func() {
		for ep.Readable() > 0 {
			b, off := ep.Read(1 << 20)
			if !payload.Check(b, off) || off != got {
				t.Errorf("read %d bytes at offset %d (after %d read): wrong bytes or order", len(b), off, got)
			}
			got += int64(len(b))
		}
	})
	return &got
}

// A FIN that arrives beyond RCV.NXT (the data before it is still missing)
// is kept with the out-of-order data, acknowledged at once with a duplicate
// ACK, and processed when the hole fills (RFC 9293 §3.10.7.4, eighth: the
// FIN takes effect only once everything before it has arrived). Whether
// the FIN comes alone or on the last data segment, and whether the
// receiver is still ESTABLISHED or has already closed its own side.
func TestOutOfOrderFINWaitsForTheHole(t *testing.T) {
	for _, c := range []struct {
		name      string
		onData    bool // FIN carried by the last data segment, not alone
		closeB    bool // b has closed first (FIN-WAIT-2 when a's FIN comes)
		wantState State
	}{
		{"FIN alone, ESTABLISHED", false, false, CloseWait},
		{"FIN on data, ESTABLISHED", true, false, CloseWait},
		{"FIN alone, FIN-WAIT-2", false, true, TimeWait},
		{"FIN on data, FIN-WAIT-2", true, true, TimeWait},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := established(t, Config{ISS: 0xfffff000, MSS: 1000}, Config{ISS: 77, MSS: 1000})
			got := readAll(t, p.b)
			if c.closeB {
				p.b.Close()
				p.flow(100*sim.Millisecond, nil)
				if p.b.State() != FinWait2 {
					t.Fatalf("b %v after closing first, want FIN-WAIT-2", p.b.State())
				}
			}
			p.a.Write(3000)
			p.a.Close()
			segs := p.aOut.take() // three data segments, then the FIN
			if len(segs) != 4 || segs[3].h.Flags&wire.FlagFIN == 0 {
				t.Fatalf("a sent %v, want 3 data segments and a FIN", segs)
			}
			if c.onData {
				segs[2].h.Flags |= wire.FlagFIN
				segs = segs[:3]
			}
			hole := segs[1]
			finSeq := seqnum.Value(segs[len(segs)-1].h.Seq).Add(seqnum.Size(len(segs[len(segs)-1].data)))
			p.b.Input(&segs[0].h, segs[0].data)
			p.bOut.take() // its ACK, in order
			for _, s := range segs[2:] {
				p.b.Input(&s.h, s.data)
			}
			// One duplicate ACK at once for each out-of-order segment, the
			// FIN's included (RFC 5681 §4.2).
			acks := p.bOut.take()
			ooo := len(segs) - 2
			if len(acks) != ooo {
				t.Fatalf("b answered %d out-of-order segments with %v, want %d duplicate ACKs at once", ooo, acks, ooo)
			}
			for _, a := range acks {
				if a.h.Ack != hole.h.Seq {
					t.Fatalf("b answered the out-of-order segments with %v, want duplicate ACKs of %d", acks, hole.h.Seq)
				}
			}
			if p.b.State() == c.wantState || p.b.EOF() {
				t.Fatalf("b is %v (EOF %v) with a hole before the FIN", p.b.State(), p.b.EOF())
			}
			p.b.Input(&hole.h, hole.data)
			acks = p.bOut.take()
			if len(acks) != 1 || seqnum.Value(acks[0].h.Ack) != finSeq.Add(1) {
				t.Fatalf("after the hole filled b sent %v, want one ACK of the FIN (ack=%d)", acks, finSeq.Add(1))
			}
			if p.b.State() != c.wantState || !p.b.EOF() || *got != 3000 {
				t.Fatalf("b is %v, EOF %v, read %d; want %v, EOF, 3000", p.b.State(), p.b.EOF(), *got, c.wantState)
			}
			if n := p.b.Stats().OutOfOrder; n != int64(ooo) {
				t.Errorf("out-of-order segments %d, want %d", n, ooo)
			}
		})
	}
}

// One data segment lost near the end of a transfer. The FIN that follows
// the data is acknowledged out of order (a duplicate ACK) and taken when
// the hole fills, so:
//   - a loss three segments from the end collects three duplicate ACKs
//     (two data segments and the FIN) and is repaired by fast retransmit,
//     without an RTO, by every algorithm; it used to wait 1 s for one,
//     the FIN being dropped without an ACK;
//   - an earlier loss never needs the FIN sent twice: Reno and "none",
//     whose first new ACK ended recovery before the FIN was ACKed, used
//     to time out for it;
//   - the last two data segments can bring back only one or two duplicate
//     ACKs, fewer than fast retransmit needs (RFC 5681 §3.2): their loss
//     still costs one RTO, as in any TCP without early retransmit
//     (RFC 5827) or tail-loss probes (RFC 8985).
func TestLossNearTheEnd(t *testing.T) {
	const segs = 20
	for _, cc := range []Congestion{CCNone, CCTahoe, CCReno, CCNewReno, CCCubic} {
		for _, c := range []struct {
			fromEnd int // 1: the last data segment
			rto     bool
		}{{1, true}, {2, true}, {3, false}, {4, false}, {10, false}} {
			p := established(t, Config{ISS: 1, MSS: 1000, InitialWindow: segs, Congestion: cc}, Config{ISS: 2, MSS: 1000, RecvBuffer: 64000})
			got := readAll(t, p.b)
			lost := seqnum.Value(2 + (segs-c.fromEnd)*1000)
			fins, dropped := 0, false
			p.a.Write(segs * 1000)
			p.a.Close()
			drop := func(from *Endpoint, s segment) bool {
				if from != p.a {
					return false
				}
				if s.h.Flags&wire.FlagFIN != 0 {
					fins++
				}
				if !dropped && seqnum.Value(s.h.Seq) == lost && len(s.data) > 0 {
					dropped = true
					return true
				}
				return false
			}
			p.flow(50*sim.Millisecond, drop)
			for range 5 {
				if p.b.State() == CloseWait {
					break
				}
				p.fire()
				p.flow(50*sim.Millisecond, drop)
			}
			st := p.a.Stats()
			if p.b.State() != CloseWait || *got != segs*1000 || p.a.State() != FinWait2 {
				t.Fatalf("%v, segment %d from the end lost: a %v, b %v, read %d", cc, c.fromEnd, p.a.State(), p.b.State(), *got)
			}
			if rto := st.RTOExpirations > 0; rto != c.rto {
				t.Errorf("%v, segment %d from the end lost: %d RTO expirations, %d fast retransmissions; want an RTO: %v",
					cc, c.fromEnd, st.RTOExpirations, st.FastRetrans, c.rto)
			}
			if !c.rto && (st.FastRetrans == 0 || fins != 1) {
				t.Errorf("%v, segment %d from the end lost: %d fast retransmissions, FIN sent %d times; want fast retransmit and one FIN",
					cc, c.fromEnd, st.FastRetrans, fins)
			}
		}
	}
}
