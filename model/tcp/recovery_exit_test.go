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

// Without SACK, Linux holds a recovery that ended with SND.UNA exactly at
// its high_seq until an ACK above it (tcp_is_non_sack_preventing_reopen):
// duplicate ACKs for a loss of the segment at high_seq start no fast
// retransmit, and only the timeout repairs it. RFC 6582's test alone
// (ACK above "recover" = high_seq − 1) lets them. The first segment is
// lost, a NewReno recovery repairs it and ends at exactly high_seq, and the
// segment there is lost too.
func TestNoSACKHoldAtHighSeq(t *testing.T) {
	for _, c := range []struct {
		name       string
		cfg        Config
		recoveries int64
	}{
		{"Linux (newreno_recovery)", Config{Congestion: CCReno, NewRenoRecovery: true}, 1},
		{"RFC 6582", Config{Congestion: CCNewReno}, 2},
	} {
		cfg := c.cfg
		cfg.MSS, cfg.InitialWindow, cfg.RecvBuffer = 1000, 10, 1<<20
		p := newPair(t, cfg, Config{RecvBuffer: 1 << 20})
		p.handshake(t)
		p.a.Write(100_000)
		segs := p.aOut.take()
		out := p.ackSegs(p.deliver(segs[1:]...)...) // the first is lost
		high := p.a.rec.(*renoRecovery).recover + 1
		highOff := int(high - (p.a.snd.iss + 1))
		if p.a.Stats().Recoveries != 1 {
			t.Fatalf("%s: %d recoveries after nine duplicate ACKs, want 1", c.name, p.a.Stats().Recoveries)
		}
		// Round by round: the segment at high_seq is lost the first time,
		// everything else arrives.
		lost := false
		for range 50 {
			var pass []segment
			for _, s := range out {
				if off := sent(p, []segment{s}); len(off) == 1 && off[0] == highOff && !lost {
					lost = true
					continue
				}
				pass = append(pass, s)
			}
			if len(pass) == 0 {
				break
			}
			out = p.ackSegs(p.deliver(pass...)...)
		}
		st := p.a.Stats()
		if !lost || st.Recoveries != c.recoveries || st.RTOExpirations != 0 {
			t.Errorf("%s: segment at high_seq lost %v; %d recoveries, %d RTOs before the timer; want %d recoveries and no RTO yet",
				c.name, lost, st.Recoveries, st.RTOExpirations, c.recoveries)
		}
	}
}
