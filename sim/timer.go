package sim

// Timer is a restartable one-shot timer on an Engine, for protocol timers
// such as TCP's retransmission timer that are re-armed on almost every ACK.
//
// It is lazy (as in gVisor's netstack): re-arming to a later deadline only
// moves the deadline, and the one queued event re-queues itself on firing
// if it is early; Stop only clears a flag. Both are O(1) and never touch the
// queue; only re-arming to an earlier deadline queues a new event (the old
// one is recognised as stale by its generation and ignored).
type Timer struct {
	eng      *Engine
	fn       func()
	fire     Action // t.onEvent, bound once
	deadline Time
	armed    bool
	queued   bool
	queuedAt Time
	gen      uint64
}

// NewTimer returns a stopped timer that calls fn when it expires.
func NewTimer(e *Engine, fn func()) *Timer {
	t := &Timer{eng: e, fn: fn}
	t.fire = t.onEvent
	return t
}

// Reset arms the timer to expire at absolute time at, replacing any
// earlier deadline.
func (t *Timer) Reset(at Time) {
	t.deadline = at
	t.armed = true
	if t.queued && t.queuedAt <= at {
		return // the queued event will re-queue itself for the new deadline
	}
	t.gen++
	t.queued = true
	t.queuedAt = at
	t.eng.At(at, t.fire, t.gen)
}

// Stop disarms the timer. It is O(1).
func (t *Timer) Stop() { t.armed = false }

// Armed reports whether the timer will fire.
func (t *Timer) Armed() bool { return t.armed }

// Deadline returns when an armed timer will fire.
func (t *Timer) Deadline() Time { return t.deadline }

func (t *Timer) onEvent(gen uint64) {
	if gen != t.gen {
		return // superseded by an earlier re-queue
	}
	t.queued = false
	if !t.armed {
		return
	}
	if now := t.eng.Now(); now < t.deadline {
		t.gen++
		t.queued = true
		t.queuedAt = t.deadline
		t.eng.At(t.deadline, t.fire, t.gen)
		return
	}
	t.armed = false
	t.fn()
}

// TimerOp is what happened to a protocol's timer, as its observers are
// told (tcp.EvTimer, rdt.EvTimer): protocols keep their timers as
// deadlines and arm one engine Timer for the earliest.
type TimerOp uint8

// Timer operations.
const (
	TimerSet    TimerOp = iota // set or restarted
	TimerCancel                // stopped before it fired
	TimerFired                 // reached its deadline
)

// String returns "set", "cancel" or "fired".
func (o TimerOp) String() string { return [...]string{"set", "cancel", "fired"}[o] }
