package tcp

// Opening a connection: CLOSED, LISTEN, SYN-SENT, SYN-RECEIVED (RFC 9293
// §3.5), up to ESTABLISHED.

import (
	"slices"
	"testing"

	"tcpsim/model/wire"
	"tcpsim/sim"
)

// LISTEN: a SYN is answered by exactly one SYN-ACK (SEQ = ISS, ACK =
// the SYN's SEQ+1) and the listener moves to SYN-RECEIVED; SYN-SENT: the
// SYN-ACK is answered by exactly one ACK, and both ends are ESTABLISHED
// once it arrives (RFC 9293 §3.5, Figure 6).
func TestThreeWayHandshakeSegments(t *testing.T) {
	p := newPair(t, Config{ISS: 100}, Config{ISS: 900})
	p.b.Listen()
	p.a.Connect()
	syn := expectSegs(t, p.aOut, want{flags: wire.FlagSYN, seq: 100})
	if p.a.State() != SynSent {
		t.Fatalf("a %v after Connect, want SYN-SENT", p.a.State())
	}
	p.b.Input(&syn[0].h, nil)
	synAck := expectSegs(t, p.bOut, want{flags: wire.FlagSYN | wire.FlagACK, seq: 900, ack: 101})
	if p.b.State() != SynReceived {
		t.Fatalf("b %v after the SYN, want SYN-RECEIVED", p.b.State())
	}
	p.a.Input(&synAck[0].h, nil)
	ack := expectSegs(t, p.aOut, want{flags: wire.FlagACK, seq: 101, ack: 901})
	p.b.Input(&ack[0].h, nil)
	expectSegs(t, p.bOut)
	if p.a.State() != Established || p.b.State() != Established {
		t.Fatalf("states %v / %v, want ESTABLISHED both", p.a.State(), p.b.State())
	}
}

func TestHandshakeAndTeardownTransitions(t *testing.T) {
	p := newPair(t, Config{ISS: 100}, Config{ISS: 900})
	p.b.Listen()
	p.a.Connect()
	first := p.aOut.segs[0]
	if first.h.Flags != wire.FlagSYN || first.h.Seq != 100 || first.h.MSS != 1460 {
		t.Fatalf("first segment %v, want SYN seq=100 with MSS", first)
	}
	p.flow(100*sim.Millisecond, nil)
	p.a.Write(3000)
	p.a.Close()
	p.flow(100*sim.Millisecond, func(_ *Endpoint, _ segment) bool { return false })
	for p.b.Readable() > 0 || !p.b.EOF() {
		p.b.Read(1 << 20)
	}
	p.b.Close()
	p.flow(100*sim.Millisecond, nil)
	p.fire() // TIME-WAIT expires
	want := map[*Endpoint][]string{
		p.a: {"SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSED"},
		p.b: {"LISTEN", "SYN-RECEIVED", "ESTABLISHED", "CLOSE-WAIT", "LAST-ACK", "CLOSED"},
	}
	for ep, w := range want {
		if !slices.Equal(p.trans[ep], w) {
			t.Errorf("transitions %v, want %v", p.trans[ep], w)
		}
	}
	if p.clk.now < 60*sim.Second {
		t.Errorf("TIME-WAIT ended at %v, before 2·MSL", p.clk.now)
	}
}

// A lost SYN is retransmitted after the initial RTO of 1 s, then 2 s
// later (backoff), and the RTO is 3 s once data flows (RFC 6298 §5.7).
func TestLostSYNBackoff(t *testing.T) {
	p := newPair(t, Config{ISS: 1}, Config{ISS: 2})
	p.b.Listen()
	p.a.Connect()
	var synTimes []sim.Time
	drops := 0
	for p.a.State() != Established {
		for _, s := range p.aOut.segs {
			if s.h.Flags&wire.FlagSYN != 0 {
				synTimes = append(synTimes, p.clk.now)
			}
		}
		p.flow(100*sim.Millisecond, func(from *Endpoint, s segment) bool {
			if s.h.Flags&wire.FlagSYN != 0 && from == p.a && drops < 2 {
				drops++
				return true
			}
			return false
		})
		if p.a.State() != Established {
			p.fire()
		}
	}
	want := []sim.Time{0, sim.Second, 3 * sim.Second}
	if !slices.Equal(synTimes, want) {
		t.Fatalf("SYNs at %v, want %v", synTimes, want)
	}
	if p.a.RTO() != 3*sim.Second {
		t.Fatalf("RTO after a retransmitted SYN = %v, want 3s", p.a.RTO())
	}
}
