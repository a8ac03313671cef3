package tcp

// Closing a connection: FIN-WAIT-1, FIN-WAIT-2, CLOSING, TIME-WAIT,
// CLOSE-WAIT, LAST-ACK (RFC 9293 §3.6). Out-of-order FINs and losses near
// the end are in fin_test.go.

import (
	"slices"
	"testing"

	"tcpsim/model/wire"
	"tcpsim/sim"
)

// FIN-WAIT-2: the peer's FIN is answered by exactly one ACK and the end
// moves to TIME-WAIT; the peer in LAST-ACK takes that ACK silently and is
// CLOSED; TIME-WAIT then sends nothing until 2·MSL (RFC 9293 §3.6).
func TestFinWait2TakesThePeersFIN(t *testing.T) {
	p := finWait2(t, Config{ISS: 100}, Config{ISS: 900})
	p.b.Close()
	fin := expectSegs(t, p.bOut, want{flags: wire.FlagFIN | wire.FlagACK, seq: 901, ack: 102})
	if p.b.State() != LastAck {
		t.Fatalf("b %v after closing in CLOSE-WAIT, want LAST-ACK", p.b.State())
	}
	p.a.Input(&fin[0].h, nil)
	ack := expectSegs(t, p.aOut, want{flags: wire.FlagACK, seq: 102, ack: 902})
	if p.a.State() != TimeWait {
		t.Fatalf("a %v after the peer's FIN, want TIME-WAIT", p.a.State())
	}
	p.b.Input(&ack[0].h, nil)
	expectSegs(t, p.bOut)
	if p.b.State() != Closed {
		t.Fatalf("b %v after the last ACK, want CLOSED", p.b.State())
	}
	at := p.clk.now
	if d := p.fire(); d-at < 60*sim.Second || p.a.State() != Closed {
		t.Fatalf("TIME-WAIT ended %v after it began, in %v: want CLOSED after 2·MSL", d-at, p.a.State())
	}
	expectSegs(t, p.aOut)
}

// CLOSE-WAIT: the end whose peer has closed may still send; its data
// goes out as exactly one segment per write that fits, acknowledging the
// FIN (RCV.NXT past it).
func TestCloseWaitStillSends(t *testing.T) {
	p := finWait2(t, Config{ISS: 100}, Config{ISS: 900})
	p.b.Write(100)
	data := expectSegs(t, p.bOut, want{flags: wire.FlagACK | wire.FlagPSH, seq: 901, ack: 102, len: 100})
	p.a.Input(&data[0].h, data[0].data)
	expectSegs(t, p.aOut, want{flags: wire.FlagACK, seq: 102, ack: 1001})
	if p.a.State() != FinWait2 || p.b.State() != CloseWait {
		t.Fatalf("states %v / %v, want FIN-WAIT-2 / CLOSE-WAIT", p.a.State(), p.b.State())
	}
}

func TestSimultaneousClose(t *testing.T) {
	p := established(t, Config{ISS: 1}, Config{ISS: 2})
	p.a.Close()
	p.b.Close()
	p.flow(100*sim.Millisecond, nil)
	if p.a.State() != TimeWait || p.b.State() != TimeWait {
		t.Fatalf("states %v / %v, want TIME-WAIT both", p.a.State(), p.b.State())
	}
	for _, ep := range []*Endpoint{p.a, p.b} {
		if !slices.Contains(p.trans[ep], "CLOSING") {
			t.Errorf("transitions %v lack CLOSING", p.trans[ep])
		}
	}
}

func TestLostFINIsRetransmitted(t *testing.T) {
	p := established(t, Config{ISS: 1}, Config{ISS: 2})
	p.a.Close()
	lost := 0
	p.flow(100*sim.Millisecond, func(from *Endpoint, s segment) bool {
		if from == p.a && s.h.Flags&wire.FlagFIN != 0 && lost == 0 {
			lost++
			return true
		}
		return false
	})
	if p.b.State() != Established {
		t.Fatalf("b %v before the retransmission", p.b.State())
	}
	p.fire() // RTO
	if p.a.Stats().TimeoutRetrans != 1 {
		t.Fatalf("timeout retransmissions %d, want 1", p.a.Stats().TimeoutRetrans)
	}
	p.flow(100*sim.Millisecond, nil)
	if p.a.State() != FinWait2 || p.b.State() != CloseWait {
		t.Fatalf("states %v / %v", p.a.State(), p.b.State())
	}
}
