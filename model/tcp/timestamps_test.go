package tcp

import (
	"testing"

	"tcpsim/model/seqnum"
	"tcpsim/sim"
)

// The timestamp clock ticks every millisecond and compares across its
// wrap like sequence numbers (RFC 7323 §5.2, §5.4).
func TestTimestampClock(t *testing.T) {
	if got := tsClock(0); got != 1 {
		t.Errorf("tsClock(0) = %d, want 1", got)
	}
	if got := tsClock(1500 * sim.Microsecond); got != 2 {
		t.Errorf("tsClock(1.5ms) = %d, want 2", got)
	}
	for _, c := range []struct {
		a, b uint32
		want bool
	}{
		{1, 2, true}, {2, 1, false}, {5, 5, false},
		{0xfffffff0, 0x10, true}, // across the wrap
		{0x10, 0xfffffff0, false},
	} {
		if got := tsBefore(c.a, c.b); got != c.want {
			t.Errorf("tsBefore(%#x, %#x) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// TS.Recent follows RFC 7323 §4.3: only a segment at or left of
// Last.ACK.sent with a timestamp not older than TS.Recent updates it; PAWS
// (§5.3) rejects timestamps older than TS.Recent while it is valid, and it
// stops being valid after 24 idle days (§5.5).
func TestTSRecentAndPAWS(t *testing.T) {
	var ts tsState
	ts.lastAckSent = 1001
	if ts.pawsReject(5, 0) {
		t.Fatal("PAWS rejects before TS.Recent is set")
	}
	ts.update(1001, 100, 0) // the segment at RCV.NXT
	if !ts.recentSet || ts.recent != 100 {
		t.Fatalf("TS.Recent = %d (set %v), want 100", ts.recent, ts.recentSet)
	}
	ts.update(3001, 150, 0) // out of order, beyond Last.ACK.sent: ignored
	if ts.recent != 100 {
		t.Fatalf("an out-of-order segment moved TS.Recent to %d", ts.recent)
	}
	ts.update(1001, 90, 0) // older timestamp: ignored
	if ts.recent != 100 {
		t.Fatalf("an older timestamp moved TS.Recent to %d", ts.recent)
	}
	if !ts.pawsReject(99, sim.Second) || ts.pawsReject(100, sim.Second) || ts.pawsReject(101, sim.Second) {
		t.Fatal("PAWS: want only timestamps before TS.Recent rejected")
	}
	ts.lastAckSent = seqnum.Value(4001)
	ts.update(3001, 150, sim.Second) // the retransmission that filled the hole
	if ts.recent != 150 {
		t.Fatalf("TS.Recent = %d, want 150", ts.recent)
	}
	if ts.pawsReject(140, sim.Second+pawsIdle+1) {
		t.Fatal("PAWS rejects after TS.Recent has been idle 24 days")
	}
	if ts.recentSet {
		t.Fatal("TS.Recent still valid after 24 idle days")
	}
}
