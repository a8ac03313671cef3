package tcp

import "testing"

// A window update on the ACK that ends a NewReno recovery does not let the
// inflated recovery window out: the ACK deflates cwnd (RFC 6582 §3.2 step
// 3) before anything is sent, as Linux sends only after processing the
// whole ACK. (tcpsim sent first when the ACK also opened the peer's
// window, a burst of the whole inflation into the queue.)
func TestNoBurstAtRecoveryExitOnWindowUpdate(t *testing.T) {
	p := newPair(t, Config{MSS: 1000, InitialWindow: 10, Congestion: CCNewReno, RecvBuffer: 1 << 20},
		Config{RecvBuffer: 1 << 20})
	p.handshake(t)
	p.a.Write(100_000)
	segs := p.aOut.take()
	var more []segment
	for _, a := range p.deliver(segs[1:]...) { // the first is lost
		more = append(more, p.ackSegs(a)...)
	}
	if !p.a.rec.inRecovery() {
		t.Fatal("nine duplicate ACKs: no recovery")
	}
	var rexmit, others []segment
	for _, s := range more {
		if sent(p, []segment{s})[0] == 0 {
			rexmit = append(rexmit, s)
		} else {
			others = append(others, s)
		}
	}
	p.deliver(others...) // their duplicate ACKs are lost
	acks := p.deliver(rexmit...)
	full := acks[len(acks)-1]
	full.h.Window = 0xffff // the peer's window grows on this ACK
	got := p.ackSegs(full)
	if p.a.rec.inRecovery() {
		t.Fatal("the full ACK did not end the recovery")
	}
	if limit := p.a.Ssthresh()/1000 + 1; len(got) > limit {
		t.Fatalf("the full ACK with a window update sent %d segments, want at most ssthresh + 1 = %d", len(got), limit)
	}
}
