package tcp

import (
	"testing"

	"tcpsim/model/seqnum"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// Timestamps are used only when both ends allow them (RFC 7323 §3.2);
// then every segment carries the option, the SYN-ACK echoes the SYN's
// TSval, and a full segment carries 12 bytes less payload.
func TestTimestampsNegotiation(t *testing.T) {
	for _, c := range []struct{ client, server bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		p := newPair(t, Config{ISS: 100, Timestamps: c.client, Congestion: CCNewReno}, Config{ISS: 900, Timestamps: c.server})
		p.b.Listen()
		p.clk.now = 5 * sim.Millisecond
		p.a.Connect()
		var all []segment
		syn := p.aOut.segs[0]
		p.flow(100*sim.Millisecond, func(_ *Endpoint, s segment) bool { all = append(all, s); return false })
		p.a.Write(5000)
		p.flow(100*sim.Millisecond, func(_ *Endpoint, s segment) bool { all = append(all, s); return false })
		on := c.client && c.server
		if syn.h.Timestamps != c.client || (c.client && syn.h.TSval != tsClock(5*sim.Millisecond)) {
			t.Errorf("client %v server %v: SYN TSopt %v TSval %d", c.client, c.server, syn.h.Timestamps, syn.h.TSval)
		}
		for _, s := range all {
			if s.h.Timestamps != on && s.h.Flags&wire.FlagSYN == 0 {
				t.Fatalf("client %v server %v: %v carries TSopt %v, want %v", c.client, c.server, s, s.h.Timestamps, on)
			}
			if s.h.Flags == wire.FlagSYN|wire.FlagACK && on && s.h.TSecr != syn.h.TSval {
				t.Errorf("SYN-ACK echoes %d, want the SYN's TSval %d", s.h.TSecr, syn.h.TSval)
			}
		}
		wantSMSS := 1460
		if on {
			wantSMSS = 1448
		}
		if p.a.SMSS() != wantSMSS || len(all) < 4 {
			t.Errorf("client %v server %v: SMSS %d, want %d", c.client, c.server, p.a.SMSS(), wantSMSS)
		}
		for _, s := range all {
			if len(s.data) > wantSMSS {
				t.Errorf("a segment of %d bytes, above the SMSS %d", len(s.data), wantSMSS)
			}
		}
	}
}

// RTTM (RFC 7323 §4): the ACK of a retransmission echoes the
// retransmission's TSval, so the sender measures its round trip, where
// Karn's rule would measure nothing.
func TestTimestampsMeasureRetransmissions(t *testing.T) {
	p := newPair(t, Config{ISS: 100, Timestamps: true, Congestion: CCNewReno, MinRTO: 200 * sim.Millisecond},
		Config{ISS: 900, Timestamps: true})
	p.handshake(t)
	before := p.a.Stats().RTTSamples
	p.a.Write(1000)
	p.aOut.take() // lost
	p.fire()      // the retransmission timeout resends it
	if got := sent(p, p.aOut.segs); len(got) != 1 || got[0] != 0 {
		t.Fatalf("after the timeout sent %v, want the segment at 0", got)
	}
	p.flow(60*sim.Millisecond, nil)
	st := p.a.Stats()
	if st.RTTSamples != before+1 || st.TimeoutRetrans != 1 {
		t.Fatalf("%d RTT samples after the handshake, %d timeout retransmissions; want 1 and 1", st.RTTSamples-before, st.TimeoutRetrans)
	}
	if p.a.rtt.hasRTT && p.a.SRTT() == 0 {
		t.Fatal("no SRTT")
	}
}

// PAWS (RFC 7323 §5): a data segment whose timestamp is older than
// TS.Recent is an old duplicate: it is dropped, and acknowledged.
func TestPAWSDropsOldDuplicates(t *testing.T) {
	p := established(t, Config{ISS: 100, Timestamps: true}, Config{ISS: 900, Timestamps: true})
	p.a.Write(2000)
	segs := p.aOut.take()
	if len(segs) != 2 {
		t.Fatalf("%d segments, want 2", len(segs))
	}
	old := segs[0]
	p.b.Input(&segs[0].h, segs[0].data)
	p.clk.now += 10 * sim.Millisecond
	p.a.Write(1000)
	later := p.aOut.take()
	p.b.Input(&segs[1].h, segs[1].data)
	p.b.Input(&later[0].h, later[0].data) // TS.Recent moves on
	p.bOut.take()
	// The first segment again, with its old timestamp but rewritten to
	// lie in the window (as a wrapped old segment would): PAWS drops it.
	old.h.Seq = uint32(seqnum.Value(later[0].h.Seq).Add(1000))
	readable := p.b.Readable()
	p.b.Input(&old.h, old.data)
	if st := p.b.Stats(); st.PAWSDrops != 1 {
		t.Fatalf("PAWSDrops = %d, want 1", st.PAWSDrops)
	}
	if acks := p.bOut.take(); len(acks) != 1 || len(acks[0].data) != 0 {
		t.Fatalf("PAWS answered %v, want one ACK", acks)
	}
	if p.b.Readable() != readable || len(p.b.rcv.buf.ooo) != 0 {
		t.Fatal("the old duplicate's data was stored")
	}
}
