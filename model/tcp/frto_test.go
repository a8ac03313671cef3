package tcp

import (
	"slices"
	"testing"
)

// frtoPair is a connection of 1000-byte segments with cfg's loss recovery
// at the sender, after the handshake and a first segment delivered (100 ms
// RTT, so an RTO of 300 ms; RACK has its minimum RTT), and 20 more segments
// written: ten of them (stream offsets 1000 to 10000) are out, as the
// window allows. It returns them.
func frtoPair(t *testing.T, cfg Config, rcv Config) (*pair, []segment) {
	t.Helper()
	cfg.MSS, cfg.InitialWindow, cfg.Congestion, cfg.RecvBuffer = 1000, 10, CCNewReno, 1<<20
	cfg.MinRTO, cfg.NewRenoRecovery = 200*ms, true
	rcv.RecvBuffer = 1 << 20
	p := newPair(t, cfg, rcv)
	p.handshake(t)
	p.a.Write(1000)
	p.flow(100*ms, nil)
	p.a.Write(20_000)
	segs := p.aOut.take()
	if got := sent(p, segs); len(got) != 10 {
		t.Fatalf("the first window sent %v, want ten segments", got)
	}
	return p, segs
}

// deliver hands segments to the receiver and returns its ACKs, not yet
// delivered to the sender.
func (p *pair) deliver(segs ...segment) []segment {
	for _, s := range segs {
		p.b.Input(&s.h, s.data)
	}
	return p.bOut.take()
}

// ack hands ACKs to the sender and returns the stream offsets of the data
// segments it sent in answer.
func (p *pair) ack(acks ...segment) []int { return sent(p, p.ackSegs(acks...)) }

// ackSegs hands ACKs to the sender and returns what it sent in answer.
func (p *pair) ackSegs(acks ...segment) []segment {
	for _, s := range acks {
		p.a.Input(&s.h, s.data)
	}
	return p.aOut.take()
}

// A spurious timeout without SACK, RFC 5682 §2.1 step by step: the ten
// segments all arrive, but their ACKs are held past the RTO. Step 1: the
// timeout resends the first segment alone (cwnd one segment). Step 2.b:
// the first late ACK acknowledges only that segment, so two new segments
// go out, not retransmissions. Step 3.b: the next ACK acknowledges a
// segment never retransmitted: the timeout was spurious, cwnd and ssthresh
// return to their values before it, and nothing more is retransmitted.
func TestFRTOSpuriousTimeoutNoSACK(t *testing.T) {
	p, segs := frtoPair(t, Config{FRTO: true}, Config{})
	cwnd, ssthresh := p.a.Cwnd(), p.a.snd.ssthresh
	acks := p.deliver(segs...)
	if len(acks) != 10 {
		t.Fatalf("%d ACKs for ten segments, want 10", len(acks))
	}
	p.fire()
	if got := sent(p, p.aOut.take()); !slices.Equal(got, []int{1000}) || p.a.Stats().RTOExpirations != 1 {
		t.Fatalf("step 1: the timeout sent %v (%d RTOs), want [1000] after one RTO", got, p.a.Stats().RTOExpirations)
	}
	if got := p.ack(acks[0]); !slices.Equal(got, []int{11_000, 12_000}) {
		t.Fatalf("step 2.b: the first ACK after the timeout sent %v, want the new segments [11000 12000]", got)
	}
	got := p.ack(acks[1])
	if st := p.a.Stats(); st.SpuriousRTOs != 1 || st.Undos != 1 {
		t.Fatalf("step 3.b: %d spurious RTOs, %d undos after an ACK of original data, want 1 and 1", st.SpuriousRTOs, st.Undos)
	}
	if p.a.Cwnd() < cwnd || p.a.snd.ssthresh < ssthresh || p.a.frto.loss {
		t.Fatalf("undo: cwnd %d ssthresh %d (before the timeout %d, %d), loss state %v; want them back and no loss state",
			p.a.Cwnd(), p.a.snd.ssthresh, cwnd, ssthresh, p.a.frto.loss)
	}
	got = append(got, p.ack(acks[2:]...)...)
	for _, off := range got {
		if off < 13_000 {
			t.Fatalf("after the undo the sender sent %v: %d again, want only new data", got, off)
		}
	}
	if st := p.a.Stats(); st.TimeoutRetrans+st.FastRetrans != 1 {
		t.Fatalf("%d retransmissions, want only the timeout's one", st.TimeoutRetrans+st.FastRetrans)
	}
}

// Without F-RTO the same late ACKs leave the cut in place: the sender goes
// back N in slow start.
func TestFRTOOffKeepsTheCut(t *testing.T) {
	p, segs := frtoPair(t, Config{}, Config{})
	cwnd := p.a.Cwnd()
	acks := p.deliver(segs...)
	p.fire()
	p.aOut.take()
	p.ack(acks...)
	if st := p.a.Stats(); st.SpuriousRTOs != 0 || st.Undos != 0 || p.a.Cwnd() >= cwnd {
		t.Fatalf("without F-RTO: %d spurious RTOs, %d undos, cwnd %d (before %d); want 0, 0 and a cut window",
			st.SpuriousRTOs, st.Undos, p.a.Cwnd(), cwnd)
	}
}

// A genuine timeout without SACK, RFC 5682 §2.1 steps 2.b and 3.a: the
// whole window is lost. The timeout resends the first segment; its ACK
// sends two new segments (step 2.b); they arrive above the hole and come
// back as duplicate ACKs, so the loss was genuine (step 3.a): the
// recovery goes on with slow start from the loss window, resending the
// rest in order, never the new segments, and the cut stands. Every byte
// then arrives.
func TestFRTOGenuineTimeoutNoSACK(t *testing.T) {
	p, _ := frtoPair(t, Config{FRTO: true}, Config{})
	p.fire()
	rto := p.aOut.take()
	if got := sent(p, rto); !slices.Equal(got, []int{1000}) {
		t.Fatalf("step 1: the timeout sent %v, want [1000]", got)
	}
	fresh := p.ackSegs(p.deliver(rto...)...)
	if got := sent(p, fresh); !slices.Equal(got, []int{11_000, 12_000}) {
		t.Fatalf("step 2.b: sent %v, want the new segments [11000 12000]", got)
	}
	dups := p.deliver(fresh...)
	if len(dups) != 2 {
		t.Fatalf("%d duplicate ACKs for the two new segments, want 2", len(dups))
	}
	ssthresh := p.a.snd.ssthresh
	next := p.ackSegs(dups...)
	got := sent(p, next)
	if p.a.frto.active {
		t.Fatalf("step 3.a: F-RTO still deciding after duplicate ACKs")
	}
	if len(got) == 0 || got[0] != 2000 {
		t.Fatalf("step 3.a: after the duplicate ACKs the sender sent %v, want the retransmission of 2000 first", got)
	}
	if st := p.a.Stats(); st.SpuriousRTOs != 0 || st.Undos != 0 || p.a.snd.ssthresh != ssthresh {
		t.Fatalf("a genuine timeout: %d spurious RTOs, %d undos, ssthresh %d (was %d); want no undo", st.SpuriousRTOs, st.Undos, p.a.snd.ssthresh, ssthresh)
	}
	// The rest, with nothing lost: every byte arrives, and go-back-N
	// never resends step 2.b's new data.
	p.ackSegs(p.deliver(next...)...)
	var resent []int
	for range 1000 {
		segs := p.aOut.take()
		for _, off := range sent(p, segs) {
			if off >= 11_000 && off < 13_000 {
				resent = append(resent, off)
			}
		}
		if len(segs) == 0 {
			if p.fire() == 0 || p.b.Readable() >= 21_000 {
				break
			}
			continue
		}
		p.ackSegs(p.deliver(segs...)...)
	}
	if p.b.Readable() != 21_000 || len(resent) > 0 {
		t.Fatalf("the receiver holds %d bytes in order (want 21000); step 2.b's data resent at %v (want never)", p.b.Readable(), resent)
	}
}

// With SACK and RACK (Linux's default), a spurious timeout is seen the
// same way: the late ACKs of the original segments acknowledge data never
// retransmitted (FLAG_ORIG_SACK_ACKED). Timestamps are off, so Eifel's
// detection cannot be the one that undoes.
func TestFRTOSpuriousTimeoutRACK(t *testing.T) {
	cfg := Config{FRTO: true, SACK: true, RACK: true, PRR: true}
	p, segs := frtoPair(t, cfg, Config{SACK: true, DSACK: true})
	cwnd := p.a.Cwnd()
	acks := p.deliver(segs...)
	// No loss probe: deliver nothing until the RTO itself fires.
	for p.a.Stats().RTOExpirations == 0 {
		if p.fire() == 0 {
			t.Fatal("no timer")
		}
		p.aOut.take() // a loss probe, if one went out
	}
	p.aOut.take()
	p.ack(acks[0])
	p.ack(acks[1])
	if st := p.a.Stats(); st.SpuriousRTOs != 1 || p.a.Cwnd() < cwnd || p.a.rack.lossState {
		t.Fatalf("RACK: %d spurious RTOs, cwnd %d (before %d), loss state %v; want 1, restored, none",
			st.SpuriousRTOs, p.a.Cwnd(), cwnd, p.a.rack.lossState)
	}
}

// F-RTO runs only for a timeout that does not interrupt a fast recovery,
// or one that repeats (Linux tcp_enter_loss).
func TestFRTOWhenItRuns(t *testing.T) {
	for _, c := range []struct {
		name          string
		wasRecovering bool
		retries       int
		want          bool
	}{
		{"first timeout, no recovery", false, 1, true},
		{"first timeout in a fast recovery", true, 1, false},
		{"repeated timeout in a recovery", true, 2, true},
	} {
		s := testSender(10, 100)
		f := frto{on: true}
		f.onRTO(s, c.wasRecovering, c.retries)
		if f.active != c.want || !f.loss {
			t.Errorf("%s: active %v (loss state %v), want %v", c.name, f.active, f.loss, c.want)
		}
	}
	s := testSender(8, 100)
	f := frto{on: true}
	f.onRTO(s, false, 1)
	s.cwnd, s.ssthresh = 1000, 4000
	if cwnd, ss := f.undone(s); cwnd != 8000 || ss != 100_000 {
		t.Errorf("undone: cwnd %d ssthresh %d, want the values before the timeout, 8000 and 100000", cwnd, ss)
	}
	s = testSender(8, 2)
	f.onRTO(s, false, 1)
	s.cwnd, s.ssthresh = 1000, 4000
	if _, ss := f.undone(s); ss != 6000 {
		t.Errorf("undone: ssthresh %d, want max(ssthresh, 3/4 cwnd) before the timeout, 6000", ss)
	}
}
