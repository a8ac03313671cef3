package sim

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
)

func TestTimeString(t *testing.T) {
	for _, c := range []struct {
		t    Time
		want string
	}{
		{0, "0s"},
		{1234567 * Microsecond, "1.234567s"},
		{Second, "1s"},
		{-Second / 2, "-0.5s"},
		{1, "0.000000001s"},
	} {
		if got := c.t.String(); got != c.want {
			t.Errorf("Time(%d).String() = %q, want %q", int64(c.t), got, c.want)
		}
	}
}

// Events fire in time order; equal times fire in insertion order.
func TestOrderAndTieBreak(t *testing.T) {
	e := New(0)
	r := rand.New(rand.NewPCG(1, 2))
	type rec struct {
		at  Time
		seq uint64
	}
	var got []rec
	fn := func(arg uint64) { got = append(got, rec{e.Now(), arg}) }
	for i := range 5000 {
		e.At(Time(r.IntN(50)), fn, uint64(i))
	}
	if reason := e.Run(Limits{}); reason != Drained {
		t.Fatalf("reason = %v, want drained", reason)
	}
	if len(got) != 5000 {
		t.Fatalf("fired %d, want 5000", len(got))
	}
	ok := slices.IsSortedFunc(got, func(a, b rec) int {
		if a.at != b.at {
			return int(a.at - b.at)
		}
		return int(a.seq) - int(b.seq)
	})
	if !ok {
		t.Fatal("events not in (time, insertion) order")
	}
}

func TestEventsScheduledFromCallbacks(t *testing.T) {
	e := New(0)
	var order []uint64
	var fn Action
	fn = func(arg uint64) {
		order = append(order, arg)
		if arg == 1 {
			e.After(0, fn, 3) // same time: runs after the already-queued 2
		}
	}
	e.At(10, fn, 1)
	e.At(10, fn, 2)
	e.Run(Limits{})
	if want := []uint64{1, 2, 3}; !slices.Equal(order, want) {
		t.Fatalf("order = %v, want %v", order, want)
	}
}

func TestRunReasons(t *testing.T) {
	noop := func(uint64) {}
	t.Run("drained", func(t *testing.T) {
		e := New(0)
		e.At(5, noop, 0)
		if r := e.Run(Limits{Until: 100}); r != Drained {
			t.Fatalf("got %v, want drained", r)
		}
		if e.Now() != 5 {
			t.Fatalf("now = %v, want 5ns", e.Now())
		}
	})
	t.Run("time-limit", func(t *testing.T) {
		e := New(0)
		e.At(5, noop, 0)
		e.At(500, noop, 0)
		if r := e.Run(Limits{Until: 100}); r != TimeLimit {
			t.Fatalf("got %v, want time-limit", r)
		}
		if e.Now() != 100 || e.Fired() != 1 {
			t.Fatalf("now=%v fired=%d, want 100ns and 1", e.Now(), e.Fired())
		}
	})
	t.Run("event-budget", func(t *testing.T) {
		e := New(0)
		var tick Action
		tick = func(uint64) { e.After(Millisecond, tick, 0) } // never ends
		e.At(0, tick, 0)
		if r := e.Run(Limits{MaxEvents: 1000}); r != EventBudget {
			t.Fatalf("got %v, want event-budget", r)
		}
		if e.Fired() != 1000 {
			t.Fatalf("fired %d, want 1000", e.Fired())
		}
	})
	t.Run("stopped", func(t *testing.T) {
		e := New(0)
		e.At(1, func(uint64) { e.Stop() }, 0)
		e.At(2, noop, 0)
		if r := e.Run(Limits{}); r != Stopped {
			t.Fatalf("got %v, want stopped", r)
		}
	})
}

func TestTimerResetStop(t *testing.T) {
	e := New(0)
	var fires []Time
	tm := NewTimer(e, func() { fires = append(fires, e.Now()) })
	tm.Reset(100)
	tm.Reset(300) // later: moves the deadline
	e.At(50, func(uint64) { tm.Reset(200) }, 0)
	e.Run(Limits{})
	if want := []Time{200}; !slices.Equal(fires, want) {
		t.Fatalf("fires = %v, want %v", fires, want)
	}

	fires = nil
	tm.Reset(e.Now() + 10)
	tm.Stop()
	e.Run(Limits{})
	if len(fires) != 0 {
		t.Fatalf("stopped timer fired at %v", fires)
	}

	// Earlier deadline after a later one: fires once, at the earlier time.
	base := e.Now()
	tm.Reset(base + 1000)
	tm.Reset(base + 10)
	e.Run(Limits{})
	if want := []Time{base + 10}; !slices.Equal(fires, want) {
		t.Fatalf("fires = %v, want %v", fires, want)
	}
}

// A timer reset on every one of many events keeps O(1) queued entries.
func TestTimerDoesNotChurnQueue(t *testing.T) {
	e := New(0)
	tm := NewTimer(e, func() {})
	var tick Action
	n := 0
	tick = func(uint64) {
		n++
		tm.Reset(e.Now() + Second)
		if n < 10000 {
			e.After(Millisecond, tick, 0)
		}
		if e.Pending() > 3 {
			t.Fatalf("pending = %d after %d resets", e.Pending(), n)
		}
	}
	e.At(0, tick, 0)
	e.Run(Limits{})
}

func TestPastSchedulePanics(t *testing.T) {
	e := New(0)
	e.At(10, func(uint64) {
		defer func() {
			if recover() == nil {
				t.Error("scheduling in the past did not panic")
			}
		}()
		e.At(5, func(uint64) {}, 0)
	}, 0)
	e.Run(Limits{})
}

func TestZeroAllocsPerEvent(t *testing.T) {
	e := New(2048)
	r := rand.New(rand.NewPCG(3, 4))
	noop := Action(func(uint64) {})
	for range 1000 {
		e.After(Time(r.IntN(1e6)), noop, 0)
	}
	allocs := testing.AllocsPerRun(10000, func() {
		e.After(Time(r.IntN(1e6)), noop, 0)
		e.Run(Limits{MaxEvents: 1})
	})
	if allocs != 0 {
		t.Fatalf("allocs per schedule+fire = %v, want 0", allocs)
	}
	tm := NewTimer(e, func() {})
	allocs = testing.AllocsPerRun(10000, func() {
		tm.Reset(e.Now() + Time(r.IntN(1e6)))
		e.Run(Limits{MaxEvents: 1})
	})
	if allocs != 0 {
		t.Fatalf("allocs per timer reset = %v, want 0", allocs)
	}
}

func TestStreamsIndependentAndReproducible(t *testing.T) {
	a := NewStreams(42).Stream("link/fwd/loss")
	b := NewStreams(42).Stream("link/fwd/loss")
	c := NewStreams(42).Stream("link/rev/loss")
	d := NewStreams(43).Stream("link/fwd/loss")
	same, diffName, diffSeed := true, 0, 0
	for range 100 {
		x := a.Uint64()
		if x != b.Uint64() {
			same = false
		}
		if x == c.Uint64() {
			diffName++
		}
		if x == d.Uint64() {
			diffSeed++
		}
	}
	if !same || diffName > 0 || diffSeed > 0 {
		t.Fatalf("same=%v collisions name=%d seed=%d", same, diffName, diffSeed)
	}
}

// BenchmarkEngine schedules and fires no-op events with ~1000 pending, the
// depth of a busy network run. Reports events/s.
func BenchmarkEngine(b *testing.B) {
	e := New(2048)
	r := rand.New(rand.NewPCG(5, 6))
	var fn Action
	var x uint64 = 88172645463325252
	fn = func(uint64) {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		e.After(Time(x%1e6), fn, 0)
	}
	for range 1000 {
		e.After(Time(r.IntN(1e6)), fn, 0)
	}
	b.ReportAllocs()
	b.ResetTimer()
	e.Run(Limits{MaxEvents: uint64(b.N)})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// A set Interrupt flag ends the run within interruptEvery events.
func TestRunInterrupt(t *testing.T) {
	e := New(16)
	var flag atomic.Bool
	n := 0
	var tick Action
	tick = func(uint64) {
		n++
		if n == 10 {
			flag.Store(true)
		}
		e.After(1, tick, 0)
	}
	e.After(0, tick, 0)
	if r := e.Run(Limits{Interrupt: &flag}); r != Interrupted {
		t.Fatalf("reason %v, want interrupted", r)
	}
	if n < 10 || n > 10+interruptEvery {
		t.Fatalf("%d events ran, want 10 to %d", n, 10+interruptEvery)
	}
}

// BenchmarkEnginePending is BenchmarkEngine at several queue sizes: a
// run of 10,000 flows keeps about 20,000 events pending (a timer per
// endpoint), and the cost per event grows with the heap's depth,
// log2(pending).
func BenchmarkEnginePending(b *testing.B) {
	for _, pending := range []int{1000, 20000, 100000} {
		b.Run(fmt.Sprintf("pending=%d", pending), func(b *testing.B) {
			e := New(pending)
			r := rand.New(rand.NewPCG(5, 6))
			var fn Action
			var x uint64 = 88172645463325252
			fn = func(uint64) {
				x ^= x << 13
				x ^= x >> 7
				x ^= x << 17
				e.After(Time(x%1e6), fn, 0)
			}
			for range pending {
				e.After(Time(r.IntN(1e6)), fn, 0)
			}
			b.ReportAllocs()
			b.ResetTimer()
			e.Run(Limits{MaxEvents: uint64(b.N)})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// Events scheduled from callbacks, as a simulation schedules them (mostly
// one soon, sometimes none or two, a few far off like TIME-WAIT timers,
// some at the same instant), fire in (time, insertion) order: the order
// does not depend on how the queue places them (the fired event's slot
// refilled from the top, the last leaf sifted from the bottom).
func TestCallbackSchedulingOrder(t *testing.T) {
	for seed := range uint64(20) {
		e := New(0)
		r := rand.New(rand.NewPCG(seed, 99))
		type rec struct {
			at Time
			id uint64
		}
		var got []rec
		next := uint64(0) // ids in insertion order
		var fn Action
		schedule := func() {
			var d Time
			switch k := r.IntN(10); {
			case k == 0:
				d = Time(1e9 + r.IntN(1e9)) // far off
			case k == 1:
				d = 0 // same instant
			default:
				d = Time(r.IntN(1000))
			}
			e.After(d, fn, next)
			next++
		}
		fn = func(id uint64) {
			got = append(got, rec{e.Now(), id})
			if next < 20000 {
				for range r.IntN(3) {
					schedule()
				}
				if e.Pending() == 0 {
					schedule()
				}
			}
		}
		for range 500 {
			schedule()
		}
		e.Run(Limits{})
		if uint64(len(got)) != next {
			t.Fatalf("seed %d: fired %d of %d events", seed, len(got), next)
		}
		if !slices.IsSortedFunc(got, func(a, b rec) int {
			if a.at != b.at {
				return cmp.Compare(a.at, b.at)
			}
			return cmp.Compare(a.id, b.id)
		}) {
			t.Fatalf("seed %d: events not in (time, insertion) order", seed)
		}
	}
}

func TestRunToAdvancesClock(t *testing.T) {
	e := New(4)
	var fired []Time
	rec := func(uint64) { fired = append(fired, e.Now()) }
	e.At(5, rec, 0)
	e.At(10, rec, 0)
	if at, ok := e.Next(); !ok || at != 5 {
		t.Fatalf("Next = %v, %v; want 5, true", at, ok)
	}
	e.RunTo(7)
	if e.Now() != 7 || len(fired) != 1 {
		t.Fatalf("after RunTo(7): now %v, fired %v; want 7 and one event", e.Now(), fired)
	}
	e.RunTo(20)
	if e.Now() != 20 || len(fired) != 2 || fired[1] != 10 {
		t.Fatalf("after RunTo(20): now %v, fired %v; want 20 and events at 5, 10", e.Now(), fired)
	}
	if _, ok := e.Next(); ok {
		t.Fatal("Next on an empty queue says an event is pending")
	}
	e.After(3, rec, 0) // placed relative to the clock RunTo left
	e.RunTo(30)
	if fired[2] != 23 {
		t.Fatalf("event after RunTo fired at %v, want 23", fired[2])
	}
}
