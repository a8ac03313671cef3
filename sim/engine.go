package sim

import (
	"fmt"
	"math/bits"
	"sync/atomic"
)

// Action is a callback run when an event fires. arg is the value given to
// Schedule; it lets one bound callback serve many events without a closure
// per event (closures allocate; method values bound once do not).
type Action func(arg uint64)

// node is one entry of the queue: 16 bytes, so that sifting moves little
// memory and four nodes share a cache line; the callback lives aside. key
// packs the insertion sequence number (high 40 bits, for first-in
// first-out ties) above the index of the entry's payload in Engine.slots
// (low 24 bits).
type node struct {
	at  Time
	key uint64
}

const (
	slotBits = 24
	slotMask = 1<<slotBits - 1
	maxSeq   = 1<<(64-slotBits) - 1
)

// less returns 1 if a fires before b (an earlier time, or the same time
// and an earlier insertion), else 0. It is a 128-bit comparison by
// subtraction with borrow, free of branches: in a heap of random times the
// answer is a coin toss that a branch predictor cannot learn, and a
// mispredicted branch costs more than the whole comparison. Queued times
// are never negative (the clock starts at 0 and At refuses the past), so
// they compare as unsigned numbers.
func less(a, b *node) uint64 {
	_, borrow := bits.Sub64(a.key, b.key, 0)
	_, borrow = bits.Sub64(uint64(a.at), uint64(b.at), borrow)
	return borrow
}

// payload is what an event does when it fires.
type payload struct {
	fn  Action
	arg uint64
}

// StopReason says why Run returned.
type StopReason int

// The reasons a run ends.
const (
	// Drained: no events were left.
	Drained StopReason = iota
	// TimeLimit: the next event lay beyond the time limit.
	TimeLimit
	// EventBudget: the event budget was spent.
	EventBudget
	// Stopped: a callback called Stop.
	Stopped
	// Interrupted: Limits.Interrupt was set from outside the run (e.g. on
	// SIGINT).
	Interrupted
)

func (r StopReason) String() string {
	switch r {
	case Drained:
		return "drained"
	case TimeLimit:
		return "time-limit"
	case EventBudget:
		return "event-budget"
	case Stopped:
		return "stopped"
	case Interrupted:
		return "interrupted"
	}
	return fmt.Sprintf("StopReason(%d)", int(r))
}

// Limits bound a run. A zero Until means no time limit; a zero MaxEvents
// means no event budget.
type Limits struct {
	Until     Time
	MaxEvents uint64
	// Interrupt, if not nil, may be set by another goroutine to end the
	// run early with Interrupted. It is read every interruptEvery events,
	// so an interrupted run stops within microseconds of wall time.
	Interrupt *atomic.Bool
}

// interruptEvery is how many events run between reads of Limits.Interrupt
// (a power of two, so the test is a mask).
const interruptEvery = 4096

// Engine is a discrete-event simulator. The zero value is not ready: use
// New. An Engine is not safe for concurrent use; run independent Engines
// in parallel instead (there is no global state).
type Engine struct {
	now     Time
	seq     uint64
	fired   uint64
	heap    []node
	slots   []payload
	free    []uint32
	stopped bool
	// hole says that the root is the event being fired, kept there so
	// that the first event its callback schedules can replace it.
	hole bool
}

// New returns an engine at time zero with room for about hint pending
// events (the queue grows as needed).
func New(hint int) *Engine {
	return &Engine{heap: make([]node, 0, hint), slots: make([]payload, 0, hint), free: make([]uint32, 0, hint)}
}

// Now returns the current simulated time.
func (e *Engine) Now() Time { return e.now }

// Fired returns how many events have run so far.
func (e *Engine) Fired() uint64 { return e.fired }

// Pending returns the number of queued events (including timer events that
// will turn out to be stale).
func (e *Engine) Pending() int {
	if e.hole {
		return len(e.heap) - 1
	}
	return len(e.heap)
}

// At schedules fn(arg) at absolute time at. Scheduling in the past is a
// broken invariant and panics. Cost: O(log n), no allocation once the
// queue has grown to its working size.
func (e *Engine) At(at Time, fn Action, arg uint64) {
	if at < e.now {
		panic(fmt.Sprintf("sim: event scheduled in the past (%v < now %v)", at, e.now))
	}
	e.seq++
	if e.seq > maxSeq {
		panic("sim: event sequence space exhausted")
	}
	var slot uint32
	if n := len(e.free); n > 0 {
		slot = e.free[n-1]
		e.free = e.free[:n-1]
		e.slots[slot] = payload{fn, arg}
	} else {
		if len(e.slots) > slotMask {
			panic("sim: more than 16M pending events")
		}
		slot = uint32(len(e.slots))
		e.slots = append(e.slots, payload{fn, arg})
	}
	nd := node{at: at, key: e.seq<<slotBits | uint64(slot)}
	if e.hole {
		// The event being fired still holds the root: the new one takes
		// its place with one sift instead of a pop and a push. It is due
		// no earlier than now, the fired event's time, so the heap order
		// holds at the root. It is usually due soon (the next packet of a
		// flow), so it belongs near the top, above the far-off timers
		// (a run of many flows keeps thousands of TIME-WAIT timers):
		// sifting down from the root stops where it belongs.
		e.hole = false
		e.siftDown(nd)
		return
	}
	e.heap = append(e.heap, nd)
	e.up(len(e.heap) - 1)
}

// After schedules fn(arg) d after now; d must not be negative.
func (e *Engine) After(d Time, fn Action, arg uint64) { e.At(e.now+d, fn, arg) }

// Stop makes Run return after the current callback.
func (e *Engine) Stop() { e.stopped = true }

// Run fires events in (time, insertion) order until none are left, the next
// one lies beyond lim.Until, lim.MaxEvents events have fired in this call,
// a callback calls Stop, or lim.Interrupt is set. It returns the reason. On
// TimeLimit the clock is advanced to lim.Until.
func (e *Engine) Run(lim Limits) StopReason {
	until := lim.Until
	if until == 0 {
		until = Forever
	}
	budget := lim.MaxEvents
	if budget == 0 {
		budget = ^uint64(0)
	}
	e.stopped = false
	for n := uint64(0); len(e.heap) > 0; n++ {
		if n >= budget {
			return EventBudget
		}
		if n&(interruptEvery-1) == 0 && lim.Interrupt != nil && lim.Interrupt.Load() {
			return Interrupted
		}
		if e.heap[0].at > until {
			e.now = until
			return TimeLimit
		}
		nd := e.heap[0]
		e.now = nd.at // the root is the minimum: time never goes backwards
		slot := uint32(nd.key & slotMask)
		p := e.slots[slot]
		e.free = append(e.free, slot)
		e.fired++
		// The fired event stays at the root until the callback schedules
		// its first event (which replaces it) or returns (then it is
		// popped): most callbacks schedule one event, and that costs one
		// sift, not two.
		e.hole = true
		p.fn(p.arg)
		if e.hole {
			e.hole = false
			e.pop()
		}
		if e.stopped {
			return Stopped
		}
	}
	return Drained
}

// The queue is a binary min-heap over 16-byte values, with bottom-up
// deletion in pop. Hand-written rather than container/heap, which would box
// every event in an interface. (Measured on this machine: the binary heap
// beat 4- and 8-ary ones for 1,000 pending events.)

func (e *Engine) up(i int) {
	h := e.heap
	ev := h[i]
	for i > 0 {
		p := (i - 1) / 2
		if less(&ev, &h[p]) == 0 {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = ev
}

// pop removes the root.
func (e *Engine) pop() {
	last := len(e.heap) - 1
	ev := e.heap[last]
	e.heap = e.heap[:last]
	if last > 0 {
		e.sift(ev)
	}
}

// siftDown puts ev in place of the root, top-down: it moves the smaller
// child up while that child fires before ev, and stops as soon as ev
// fires before both children. Cost: two comparisons per level down to
// where ev belongs, which for an event due soon is near the top.
func (e *Engine) siftDown(ev node) {
	h := e.heap
	last := len(h)
	i := 0
	for {
		c := 2*i + 1
		if c >= last {
			break
		}
		if c+1 < last {
			c += int(less(&h[c+1], &h[c]))
		}
		if less(&h[c], &ev) == 0 {
			break
		}
		h[i] = h[c]
		i = c
	}
	h[i] = ev
}

// sift puts ev in place of the root. Bottom-up (Floyd): walk the hole
// down to a leaf along the smallest children, then sift ev up from there.
// The element almost always belongs near the bottom, so this saves a
// comparison per level against the usual top-down sift. The smaller child
// is picked by arithmetic, not by a branch.
func (e *Engine) sift(ev node) {
	h := e.heap
	last := len(h)
	i := 0
	for {
		c := 2*i + 1
		if c+1 >= last {
			if c < last { // an only child
				h[i] = h[c]
				i = c
			}
			break
		}
		c += int(less(&h[c+1], &h[c]))
		h[i] = h[c]
		i = c
	}
	h[i] = ev
	e.up(i)
}

// Next returns the time of the earliest pending event, and false when none
// is pending. The earliest may be a stale timer event (see Timer); firing
// it is harmless. It lets a caller that keeps the engine in step with
// another clock (the wall clock of package emulate) sleep until then.
func (e *Engine) Next() (Time, bool) {
	if len(e.heap) == 0 {
		return 0, false
	}
	return e.heap[0].at, true
}

// RunTo fires every event due at or before t and leaves the clock at t,
// even when the queue drains first: the engine then stands at t, so that
// an event scheduled next is placed relative to t. t before Now is a
// broken invariant and panics. It returns Run's reason (TimeLimit or
// Drained unless a callback stops the run).
func (e *Engine) RunTo(t Time) StopReason {
	if t < e.now {
		panic(fmt.Sprintf("sim: RunTo into the past (%v < now %v)", t, e.now))
	}
	r := e.Run(Limits{Until: t})
	if r == Drained || r == TimeLimit {
		e.now = t
	}
	return r
}
