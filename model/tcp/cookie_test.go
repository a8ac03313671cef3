package tcp

import (
	"testing"

	"tcpsim/model/wire"
)

// A cookie's ACK, carrying data, opens a LISTEN endpoint: ISS = SEG.ACK -
// 1, IRS = SEG.SEQ - 1, the cookie's MSS and no other option; it goes
// LISTEN -> SYN-RECEIVED -> ESTABLISHED at once (as Linux's child of
// cookie_v4_check), takes the data and acknowledges it, with no RTT
// sample from the handshake. An endpoint not in LISTEN refuses.
func TestAcceptCookie(t *testing.T) {
	p := newPair(t, Config{ISS: 1000}, Config{ISS: 9000, SACK: true, Timestamps: true})
	p.b.Listen()
	h := wire.TCP{SrcPort: 1000, DstPort: 2000, Seq: 501, Ack: 70001, Flags: wire.FlagACK, Window: 8000, WScale: -1}
	data := make([]byte, 100)
	if !p.b.AcceptCookie(&h, data, 536) {
		t.Fatal("AcceptCookie refused a LISTEN endpoint")
	}
	if got := p.trans[p.b]; len(got) != 3 || got[1] != "SYN-RECEIVED" || got[2] != "ESTABLISHED" {
		t.Fatalf("states %v, want LISTEN, SYN-RECEIVED, ESTABLISHED", got)
	}
	expectSegs(t, p.bOut, want{wire.FlagACK, 70001, 601, 0})
	if p.b.SMSS() != 536 || p.b.SndWnd() != 8000 || p.b.Readable() != 100 || p.b.Stats().RTTSamples != 0 {
		t.Errorf("SMSS %d, window %d, readable %d, RTT samples %d; want 536, 8000 (unscaled), 100, 0",
			p.b.SMSS(), p.b.SndWnd(), p.b.Readable(), p.b.Stats().RTTSamples)
	}
	if p.b.ts.on || p.b.rcv.sack {
		t.Errorf("timestamps %v, SACK %v after a cookie: want neither (the cookie cannot remember them)", p.b.ts.on, p.b.rcv.sack)
	}
	if p.b.AcceptCookie(&h, nil, 536) {
		t.Error("AcceptCookie opened an ESTABLISHED endpoint again")
	}
}
