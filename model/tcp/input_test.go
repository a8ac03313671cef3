package tcp

import (
	"testing"

	"tcpsim/sim"
)

// Both sides send data and every pure ACK is lost: both time out and go
// back N, so each one's SND.NXT falls behind what the other has already
// received, and their ACKs arrive on segments older than RCV.NXT. Those
// segments are not acceptable (RFC 9293 §3.10.7.4), but their ACK field
// must still count, or each side ignores the other's acknowledgments
// forever and the connection aborts after its retries. Found by
// TestPropertyExactDelivery.
func TestAcksOnOldSegmentsAreProcessed(t *testing.T) {
	p := established(t, Config{ISS: 10, MSS: 1000, InitialWindow: 4, Congestion: CCNewReno}, Config{ISS: 5000, MSS: 1000, InitialWindow: 4, Congestion: CCNewReno})
	p.a.Write(2000)
	p.b.Write(2000)
	pureACKs := true
	drop := func(_ *Endpoint, s segment) bool { return pureACKs && len(s.data) == 0 }
	p.flow(100*sim.Millisecond, drop) // both data flights arrive; every ACK of them is lost
	if p.a.rcv.buf.inOrderEnd() != 2000 || p.b.rcv.buf.inOrderEnd() != 2000 || p.a.snd.una == p.a.snd.max {
		t.Fatalf("set-up: a received %d, b received %d, a una %d max %d", p.a.rcv.buf.inOrderEnd(), p.b.rcv.buf.inOrderEnd(), p.a.snd.una, p.a.snd.max)
	}
	pureACKs = false
	for range 3 {
		p.fire() // both retransmission timers: go back N
		p.flow(100*sim.Millisecond, drop)
	}
	for _, ep := range []*Endpoint{p.a, p.b} {
		if ep.snd.una != ep.snd.max || ep.Aborted() != "" || ep.Stats().RTOExpirations > 1 {
			t.Errorf("una %d, max %d, %d RTO expirations, aborted %q: the peer's ACKs on old segments were ignored",
				ep.snd.una, ep.snd.max, ep.Stats().RTOExpirations, ep.Aborted())
		}
	}
}
