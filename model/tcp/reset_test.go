package tcp

import (
	"testing"

	"tcpsim/model/wire"
	"tcpsim/sim"
)

// RFC 9293 §3.10.7.1: a segment that reaches no connection (state
// CLOSED) is answered by a reset whose numbers the sender will accept.
func TestResetForClosedRule(t *testing.T) {
	for _, c := range []struct {
		name  string
		flags uint8
		seq   uint32
		ack   uint32
		n     int
		want  *want
	}{
		{"SYN: <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>", wire.FlagSYN, 1000, 0, 0, &want{wire.FlagRST | wire.FlagACK, 0, 1001, 0}},
		{"data without ACK: ACK=SEG.SEQ+SEG.LEN", 0, 5000, 0, 100, &want{wire.FlagRST | wire.FlagACK, 0, 5100, 0}},
		{"data and FIN without ACK: the FIN counts", wire.FlagFIN, 5000, 0, 100, &want{wire.FlagRST | wire.FlagACK, 0, 5101, 0}},
		{"ACK: <SEQ=SEG.ACK><CTL=RST>", wire.FlagACK, 7000, 424242, 0, &want{wire.FlagRST, 424242, 0, 0}},
		{"data with ACK: <SEQ=SEG.ACK><CTL=RST>", wire.FlagACK | wire.FlagPSH, 7000, 99, 1460, &want{wire.FlagRST, 99, 0, 0}},
		{"SYN,ACK: <SEQ=SEG.ACK><CTL=RST>", wire.FlagSYN | wire.FlagACK, 7000, 77, 0, &want{wire.FlagRST, 77, 0, 0}},
		{"sequence wraps", wire.FlagSYN, 0xffffffff, 0, 0, &want{wire.FlagRST | wire.FlagACK, 0, 0, 0}},
		{"RST: discarded", wire.FlagRST, 1, 0, 0, nil},
		{"RST,ACK: discarded", wire.FlagRST | wire.FlagACK, 1, 2, 0, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := wire.TCP{SrcPort: 40000, DstPort: 80, Seq: c.seq, Ack: c.ack, Flags: c.flags, Window: 1000, WScale: -1}
			rst, ok := ResetFor(&h, c.n)
			if c.want == nil {
				if ok {
					t.Fatalf("got %s seq=%d ack=%d, want no reply", wire.FlagString(rst.Flags), rst.Seq, rst.Ack)
				}
				return
			}
			if !ok || rst.Flags != c.want.flags || rst.Seq != c.want.seq || rst.Ack != c.want.ack {
				t.Fatalf("got %s seq=%d ack=%d (ok %v), want %v", wire.FlagString(rst.Flags), rst.Seq, rst.Ack, ok, *c.want)
			}
			if rst.SrcPort != 80 || rst.DstPort != 40000 || rst.Window != 0 || rst.MSS != 0 || rst.WScale != -1 {
				t.Errorf("got ports %d->%d window %d MSS %d wscale %d, want 80->40000, window 0, no options",
					rst.SrcPort, rst.DstPort, rst.Window, rst.MSS, rst.WScale)
			}
		})
	}
}

// A SYN to an endpoint nobody put in LISTEN: exactly one RST,ACK comes
// back, the client aborts with "connection refused" at once, and neither
// side sends anything more or keeps a timer.
func TestSynToClosedPortRefused(t *testing.T) {
	p := newPair(t, Config{ISS: 1000}, Config{ISS: 9000})
	p.a.Connect()
	syn := expectSegs(t, p.aOut, want{wire.FlagSYN, 1000, 0, 0})
	p.clk.now += 50 * sim.Millisecond
	p.b.Input(&syn[0].h, nil)
	rst := expectSegs(t, p.bOut, want{wire.FlagRST | wire.FlagACK, 0, 1001, 0})
	if p.b.State() != Closed || p.b.Deadline() != 0 {
		t.Fatalf("b: %v, deadline %d; want CLOSED with no timer", p.b.State(), p.b.Deadline())
	}
	p.clk.now += 50 * sim.Millisecond
	p.a.Input(&rst[0].h, nil)
	if p.a.State() != Closed || p.a.Aborted() != "connection refused" {
		t.Fatalf("a: %v, aborted %q; want CLOSED, \"connection refused\"", p.a.State(), p.a.Aborted())
	}
	expectSegs(t, p.aOut)
	expectSegs(t, p.bOut)
	if d := p.a.Deadline(); d != 0 {
		t.Errorf("a's deadline %d after the refusal, want none", d)
	}
	if got := p.b.Stats().ResetsSent; got != 1 {
		t.Errorf("b sent %d resets, want 1", got)
	}
	// The refused client's retransmission timer never fires: nothing more
	// is sent even long after.
	p.clk.now += 10 * sim.Second
	p.a.OnTimer()
	p.b.OnTimer()
	expectSegs(t, p.aOut)
	expectSegs(t, p.bOut)
}

// §3.10.7.4 second check: a RST in TIME-WAIT (or CLOSING, LAST-ACK)
// closes the connection without reporting a reset to the user, who had
// already closed; in ESTABLISHED it is "connection reset by peer".
func TestResetAfterCloseIsNotAnAbort(t *testing.T) {
	p := finWait2(t, Config{ISS: 1000}, Config{ISS: 9000})
	p.b.Close()
	p.flow(100*sim.Millisecond, nil)
	if p.a.State() != TimeWait || p.b.State() != Closed {
		t.Fatalf("after both closes: %v / %v, want TIME-WAIT / CLOSED", p.a.State(), p.b.State())
	}
	h := p.template(p.b)
	h.Flags = wire.FlagRST
	p.a.Input(&h, nil)
	if p.a.State() != Closed || p.a.Aborted() != "" {
		t.Errorf("a after RST in TIME-WAIT: %v, aborted %q; want CLOSED, no abort", p.a.State(), p.a.Aborted())
	}

	q := established(t, Config{ISS: 1000}, Config{ISS: 9000})
	h = q.template(q.b)
	h.Flags = wire.FlagRST
	q.a.Input(&h, nil)
	if q.a.State() != Closed || q.a.Aborted() != "connection reset by peer" {
		t.Errorf("a after RST in ESTABLISHED: %v, aborted %q; want CLOSED, \"connection reset by peer\"", q.a.State(), q.a.Aborted())
	}
}
