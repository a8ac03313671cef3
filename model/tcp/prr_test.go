package tcp

import (
	"strings"
	"testing"
)

// prrWalk drives prr through a recovery in whole segments of 1000 bytes,
// as RFC 6937's examples count: before the recovery flight segments are in
// flight and lost of them are lost; then every ACK delivers one segment
// and the sender sends what cwnd − pipe allows. It returns the row of
// what each ACK sent ("R" for the fast retransmit, "N" for a segment, "NN"
// for two, "" for none) and the final pipe, prr_out and prr_delivered.
func prrWalk(t *testing.T, flight, lost, ssthresh, acks int, safe bool) (sent []string, pipe int, p *prr) {
	t.Helper()
	const mss = 1000
	p = &prr{on: true, safeACK: safe}
	p.start(flight*mss, ssthresh*mss, mss)
	pipe = (flight - lost) * mss // RFC 6675 pipe: the lost segments are out of it
	for i := range acks {
		pipe -= mss // this ACK delivered one segment
		cwnd := p.onAck(mss, pipe, i > 0, false)
		var b strings.Builder
		for pipe+mss <= cwnd {
			p.sent(mss)
			pipe += mss
			if i == 0 && b.Len() == 0 {
				b.WriteString("R")
			} else {
				b.WriteString("N")
			}
		}
		sent = append(sent, b.String())
	}
	return sent, pipe, p
}

// TestPRRRFC6937Example1 walks the first example of RFC 6937 §5 ("a single
// loss"): cwnd 20 segments when one is lost, ssthresh 10. RFC 6675 would
// send nothing for half a round trip, then a burst; PRR sends the
// retransmission at once and then one segment for every two delivered, so
// that pipe comes down smoothly to ssthresh when the 19 ACKs of the
// flight are in.
func TestPRRRFC6937Example1(t *testing.T) {
	sent, pipe, p := prrWalk(t, 20, 1, 10, 18, true)
	// One for every two delivered while pipe > ssthresh; the 17th ACK
	// brings pipe down to ssthresh (10) and PRR-SSRB holds it there, one
	// for one.
	want := []string{"R", "", "N", "", "N", "", "N", "", "N", "", "N", "", "N", "", "N", "", "", "N"}
	if strings.Join(sent, ",") != strings.Join(want, ",") {
		t.Errorf("sent per ACK\n got %q\nwant %q", sent, want)
	}
	if pipe != 10*1000 {
		t.Errorf("pipe at the end = %d, want ssthresh 10000", pipe)
	}
	// Proportional: prr_out = CEIL(prr_delivered·ssthresh/RecoverFS).
	if want := (p.delivered*10 + 19) / 20; p.out != want {
		t.Errorf("prr_out = %d, want CEIL(%d·10/20) = %d", p.out, p.delivered, want)
	}
}

// TestPRRRFC6937Example2 walks the second example of RFC 6937 §5: so many
// segments lost (here 15 of 20) that pipe falls below ssthresh at once.
// PRR-SSRB then slow-starts back up: each ACK that delivers one segment
// lets two out, until pipe reaches ssthresh, and one each after. (The
// first ACK did not move SND.UNA: no SafeACK, no extra segment.)
func TestPRRRFC6937Example2(t *testing.T) {
	sent, pipe, _ := prrWalk(t, 20, 15, 10, 8, true)
	want := []string{"R", "NN", "NN", "NN", "NN", "NN", "N", "N"}
	if strings.Join(sent, ",") != strings.Join(want, ",") {
		t.Errorf("sent per ACK\n got %q\nwant %q", sent, want)
	}
	if pipe != 10*1000 {
		t.Errorf("pipe = %d, want ssthresh 10000", pipe)
	}
}

// TestPRRSafeACK: RFC 9937's SafeACK gives PRR-SSRB's extra segment only
// to an ACK that moves SND.UNA and reveals no further loss; otherwise the
// bound is conservative (PRR-CRB, prr_delivered − prr_out).
func TestPRRSafeACK(t *testing.T) {
	const mss = 1000
	for _, tc := range []struct {
		name           string
		safe, advanced bool
		lost           bool
		want           int
	}{
		{"ns-3.37: always SSRB", false, false, false, 2 * mss},
		{"Linux: SND.UNA advanced, no new loss", true, true, false, 2 * mss},
		{"Linux: SACK only", true, false, false, 1 * mss},
		{"Linux: further loss", true, true, true, 1 * mss},
	} {
		p := &prr{on: true, safeACK: tc.safe}
		p.start(20*mss, 10*mss, mss)
		p.out = 5 * mss
		p.delivered = 5 * mss
		if got := p.onAck(mss, 4*mss, tc.advanced, tc.lost) - 4*mss; got != tc.want {
			t.Errorf("%s: sndcnt = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestPRRLimitPanics: sending more than the ACK allowed is a broken
// invariant, caught where it happens.
func TestPRRLimitPanics(t *testing.T) {
	p := &prr{on: true}
	p.start(20000, 10000, 1000)
	p.onAck(1000, 18000, false, false) // the forced retransmission only
	p.sent(1000)
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a segment PRR did not allow")
		}
	}()
	p.sent(1000)
}
