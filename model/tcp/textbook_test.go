package tcp

import (
	"slices"
	"testing"
)

// K&R Figure 3.53, round by round on the window alone: every segment of
// a round is ACKed on its own, and the window of the next round is what
// the ACKs leave. Slow start doubles up to ssthresh, congestion avoidance
// adds one segment per round, the loss halves cwnd, Tahoe restarts from
// one segment and stops its slow start at ssthresh.
func TestTextbookWindowRounds(t *testing.T) {
	s := testSender(1, 8)
	s.textbook = true
	a := newAIMD(s).(*aimd)
	round := func() int {
		w := s.cwnd / 1000
		for range w {
			a.onAck(ackEvent{acked: 1000, delivered: 1000, cwndLimited: true})
		}
		return w
	}
	var got []int
	for range 8 {
		got = append(got, round())
	}
	if want := []int{1, 2, 4, 8, 9, 10, 11, 12}; !slices.Equal(got, want) {
		t.Fatalf("rounds 1-8: cwnd %v segments, want %v", got, want)
	}
	if ss := a.onCongestionEvent(0); ss != 6000 {
		t.Fatalf("ssthresh after the loss at cwnd 12: %d, want 6000 (half of cwnd)", ss)
	}
	s.cwnd, s.ssthresh = 1000, 6000 // Tahoe: restart from one segment
	a.abc.reset()
	got = got[:0]
	for range 6 {
		got = append(got, round())
	}
	if want := []int{1, 2, 4, 6, 7, 8}; !slices.Equal(got, want) {
		t.Errorf("Tahoe rounds 9-14: cwnd %v segments, want %v", got, want)
	}
}

// A timeout in the textbook window: ssthresh half of cwnd, cwnd one
// segment.
func TestTextbookWindowTimeout(t *testing.T) {
	s := testSender(12, 8)
	s.textbook = true
	newAIMD(s).onRTO(0)
	if s.cwnd != 1000 || s.ssthresh != 6000 {
		t.Errorf("after a timeout at cwnd 12: cwnd %d, ssthresh %d; want 1000, 6000", s.cwnd, s.ssthresh)
	}
}
