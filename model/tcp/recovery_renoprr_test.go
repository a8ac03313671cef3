package tcp

import (
	"strings"
	"testing"

	"tcpsim/sim"
)

// renoPRRPair is an established pair (MSS 1000, no SACK, ACK every
// segment) whose sender a recovers as Linux does without SACK
// (recovery_renoprr.go): one segment has been sent and acknowledged (so
// that the windows are settled; cwnd stays iw segments, not being the limit),
// and a has written data for many more.
func renoPRRPair(t *testing.T, iw int) *pair {
	t.Helper()
	cfg := Config{MSS: 1000, RecvBuffer: 1 << 20, InitialWindow: iw, Congestion: CCReno,
		PRR: true, NewRenoRecovery: true, ByteCounting: true}
	p := established(t, cfg, cfg)
	if _, ok := p.a.rec.(*renoPRRRecovery); !ok {
		t.Fatalf("recovery is %T, want *renoPRRRecovery (prr, newreno_recovery, no SACK)", p.a.rec)
	}
	p.a.Write(1000)
	p.flow(100*sim.Millisecond, nil)
	p.a.Write(int64(200 * 1000))
	return p
}

// ackBack delivers s to b, hands every ACK b sends to a, and returns
// what a sent in reply: "R" for a retransmission, "N" for each new
// segment, and the segments themselves appended to sent. It checks PRR's
// and the window's limit after every ACK.
func ackBack(t *testing.T, p *pair, s segment, sent *[]segment) string {
	t.Helper()
	p.b.Input(&s.h, s.data)
	var b strings.Builder
	for _, ack := range p.bOut.take() {
		max := p.a.snd.max
		p.a.Input(&ack.h, ack.data)
		for _, o := range p.aOut.take() {
			*sent = append(*sent, o)
			if o.h.Seq-uint32(max) >= 1<<31 {
				b.WriteString("R")
			} else {
				b.WriteString("N")
			}
		}
		if pipe := p.a.rec.pipe(); pipe > p.a.snd.cwnd {
			t.Errorf("pipe %d > cwnd %d after an ACK", pipe, p.a.snd.cwnd)
		}
	}
	return b.String()
}

// TestRenoPRRRFC6937Example1 walks RFC 6937 §5's first example ("a single
// loss", 20 segments in flight, ssthresh 10) without SACK, as Linux runs
// it: each duplicate ACK counts one segment delivered (tcp_add_reno_sack).
// The first two let one new segment out each (pipe fell by one, cwnd
// stays: Linux's Disorder state, what RFC 3042 does); the third starts
// the recovery with the retransmission; from then on PRR sends one
// segment for every two delivered (prr_delivered counts from the third),
// where RFC 6582's inflation (cwnd = ssthresh + 3, +1 per duplicate ACK)
// sends nothing until the inflated window passes the flight.
func TestRenoPRRRFC6937Example1(t *testing.T) {
	p := renoPRRPair(t, 20)
	segs := p.aOut.take()
	if len(segs) != 20 {
		t.Fatalf("%d segments in the initial window, want 20", len(segs))
	}
	var row []string
	var later []segment
	for _, s := range segs[1:] { // the first is lost
		row = append(row, ackBack(t, p, s, &later))
	}
	// The 19th duplicate ACK brings pipe down to ssthresh: PRR-SSRB then
	// bounds sndcnt by ssthresh − pipe = 0.
	want := []string{"N", "N", "R", "", "N", "", "N", "", "N", "", "N", "", "N", "", "N", "", "N", "", ""}
	if got := strings.Join(row, ","); got != strings.Join(want, ",") {
		t.Errorf("sent per duplicate ACK\n got %q\nwant %q", row, want)
	}
	if ss := p.a.snd.ssthresh; ss != 10*1000 {
		t.Errorf("ssthresh = %d, want 10000 (tcp_reno_ssthresh: cwnd/2)", ss)
	}
	if !p.a.rec.inRecovery() || !p.a.prr.active {
		t.Fatalf("not in a PRR recovery after the duplicate ACKs")
	}
	// prr_out = CEIL(prr_delivered·ssthresh/RecoverFS) at the last
	// proportional ACK, RecoverFS = prior_cwnd (20 segments): 16
	// delivered, 8 sent; pipe (Linux's packets in flight: 29 sent, 19
	// counted delivered) is ssthresh.
	if d, o := p.a.prr.delivered/1000, p.a.prr.out/1000; d != 17 || o != (16*10+19)/20 {
		t.Errorf("prr_delivered %d, prr_out %d segments, want 17 and CEIL(16·10/20) = 8", d, o)
	}
	if pipe := p.a.rec.pipe(); pipe != 10*1000 {
		t.Errorf("pipe = %d, want ssthresh 10000", pipe)
	}
}

// TestRenoPRREnd: the walk of TestRenoPRRRFC6937Example1, then the two
// segments the first duplicate ACKs sent and the retransmission arrive.
// The retransmission's ACK reaches high_seq (SND.MAX at the third
// duplicate ACK) exactly: the recovery holds, PRR still running
// (tcp_is_non_sack_preventing_reopen). The next segment's ACK, above
// high_seq, ends it with cwnd = ssthresh (tcp_end_cwnd_reduction) and
// sacked_out cleared.
func TestRenoPRREnd(t *testing.T) {
	p := renoPRRPair(t, 20)
	segs := p.aOut.take()
	var later []segment
	for _, s := range segs[1:] {
		ackBack(t, p, s, &later)
	}
	r := p.a.rec.(*renoPRRRecovery)
	high := r.highSeq
	if len(later) < 4 || later[2].h.Seq != segs[0].h.Seq {
		t.Fatalf("the third segment sent is not the retransmission of the lost one")
	}
	var more []segment
	ackBack(t, p, later[0], &more)
	ackBack(t, p, later[1], &more)
	ackBack(t, p, later[2], &more) // the retransmission
	if p.a.snd.una != high || !r.inRecovery() || !p.a.prr.active {
		t.Fatalf("after the retransmission: SND.UNA %d (high_seq %d), recovery %v, PRR %v; want the hold at high_seq",
			p.a.snd.una, high, r.inRecovery(), p.a.prr.active)
	}
	ackBack(t, p, later[3], &more)
	if !high.LessThan(p.a.snd.una) {
		t.Fatalf("SND.UNA %d not above high_seq %d", p.a.snd.una, high)
	}
	if r.inRecovery() || p.a.prr.active || r.sackedOut != 0 {
		t.Errorf("recovery %v, PRR %v, sacked_out %d after an ACK above high_seq; want all ended", r.inRecovery(), p.a.prr.active, r.sackedOut)
	}
	if p.a.snd.cwnd != p.a.snd.ssthresh {
		t.Errorf("cwnd %d after the recovery, want ssthresh %d", p.a.snd.cwnd, p.a.snd.ssthresh)
	}
}
