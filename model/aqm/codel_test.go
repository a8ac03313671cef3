package aqm

import (
	"math"
	"math/rand/v2"
	"testing"

	"tcpsim/sim"
)

// fakeQueue is a queue whose head always has the sojourn time and backlog
// the test sets; Signal drops (or marks) and records when.
type fakeQueue struct {
	sojourn sim.Time
	behind  int
	empty   bool
	mark    bool
	now     sim.Time
	signals []sim.Time
}

func (q *fakeQueue) Head(now sim.Time) (sim.Time, int, bool) {
	return q.sojourn, q.behind, !q.empty
}

func (q *fakeQueue) Signal() bool {
	q.signals = append(q.signals, q.now)
	return q.mark
}

// run dequeues every step from `from` to `to` (exclusive).
func (q *fakeQueue) run(c *CoDel, from, to, step sim.Time) {
	for q.now = from; q.now < to; q.now += step {
		c.Dequeue(q.now, q)
	}
}

// A queue whose sojourn time stays above target: CoDel's first signal
// comes an interval after the sojourn time went above target, the next
// an interval later, then at interval/sqrt(2), interval/sqrt(3), ... (RFC
// 8289 §5.4's control law), computed here by hand: 100, 200, 270.711,
// 328.446, 378.446, 423.167, 464.000 ms. With marking the schedule is the
// same, one signal per dequeue at most.
func TestCoDelSchedule(t *testing.T) {
	want := []float64{100, 200, 270.711, 328.446, 378.446, 423.167, 464.000}
	for _, mark := range []bool{false, true} {
		c := NewCoDel(DefaultCoDel())
		c.Enqueue(1500)
		q := &fakeQueue{sojourn: 20 * sim.Millisecond, behind: 30000, mark: mark}
		const step = 10 * sim.Microsecond
		q.run(c, 0, 465*sim.Millisecond, step)
		if len(q.signals) != len(want) {
			t.Fatalf("mark %v: %d signals at %v, want %d", mark, len(q.signals), q.signals, len(want))
		}
		for i, at := range q.signals {
			ms := float64(at) / 1e6
			if ms < want[i]-0.001 || ms > want[i]+0.001+float64(step)/1e6 {
				t.Errorf("mark %v: signal %d at %.4f ms, want %.3f ms", mark, i+1, ms, want[i])
			}
		}
		if !c.Dropping() || c.Count() != uint32(len(want)) {
			t.Errorf("mark %v: dropping %v count %d, want true %d", mark, c.Dropping(), c.Count(), len(want))
		}
	}
}

// CoDel never signals while the sojourn time is below target, nor while
// at most one packet (maxpacket) waits behind the head, whatever the
// history.
func TestCoDelNoSignalBelowTarget(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for trial := range 200 {
		c := NewCoDel(DefaultCoDel())
		c.Enqueue(1500)
		q := &fakeQueue{}
		// First drive it into the dropping state half the time.
		if trial%2 == 0 {
			q.sojourn, q.behind = 50*sim.Millisecond, 100000
			q.run(c, 0, 300*sim.Millisecond, sim.Millisecond)
		}
		q.signals = nil
		for i := range 2000 {
			q.now = 300*sim.Millisecond + sim.Time(i)*sim.Millisecond
			if r.IntN(2) == 0 {
				q.sojourn, q.behind = sim.Time(r.Int64N(int64(5*sim.Millisecond))), r.IntN(1<<20)
			} else {
				q.sojourn, q.behind = sim.Time(r.Int64N(int64(sim.Second))), r.IntN(1501)
			}
			q.empty = r.IntN(10) == 0
			c.Dequeue(q.now, q)
		}
		if len(q.signals) != 0 {
			t.Fatalf("trial %d: %d signals with sojourn below target or one packet queued", trial, len(q.signals))
		}
	}
}

// After the sojourn time falls below target CoDel leaves the dropping
// state; if it goes above again within 16 intervals it resumes at the
// signal rate it had reached (count = count − lastcount, RFC 8289 §5.6),
// otherwise it starts again from count = 1.
func TestCoDelCountRestart(t *testing.T) {
	for _, c := range []struct {
		pause     sim.Time
		wantCount uint32
	}{{200 * sim.Millisecond, 6}, {3 * sim.Second, 1}} {
		cd := NewCoDel(DefaultCoDel())
		cd.Enqueue(1500)
		q := &fakeQueue{sojourn: 20 * sim.Millisecond, behind: 30000}
		q.run(cd, 0, 465*sim.Millisecond, 10*sim.Microsecond) // 7 signals, count 7
		q.sojourn = sim.Millisecond
		q.run(cd, 465*sim.Millisecond, 465*sim.Millisecond+c.pause, sim.Millisecond)
		if cd.Dropping() {
			t.Fatalf("pause %v: still dropping with the sojourn time below target", c.pause)
		}
		q.sojourn, q.signals = 20*sim.Millisecond, nil
		start := 465*sim.Millisecond + c.pause
		q.run(cd, start, start+101*sim.Millisecond, 10*sim.Microsecond)
		if len(q.signals) != 1 || cd.Count() != c.wantCount {
			t.Fatalf("pause %v: %d signals, count %d; want 1 signal, count %d", c.pause, len(q.signals), cd.Count(), c.wantCount)
		}
		// The next signal follows at interval/sqrt(count).
		first := q.signals[0]
		q.signals = nil
		q.run(cd, first+10*sim.Microsecond, first+101*sim.Millisecond, 10*sim.Microsecond)
		gap := float64(q.signals[0]-first) / 1e6
		if want := 100 / math.Sqrt(float64(c.wantCount)); math.Abs(gap-want) > 0.02 {
			t.Fatalf("pause %v: next signal after %.3f ms, want %.3f ms", c.pause, gap, want)
		}
	}
}
