package aqm

import (
	"fmt"
	"math"

	"tcpsim/sim"
)

// CoDelParams are CoDel's two parameters (RFC 8289 §4.2–4.3).
type CoDelParams struct {
	Target   sim.Time // acceptable standing queue delay: 5 ms
	Interval sim.Time // a worst-case RTT: 100 ms
}

// DefaultCoDel returns RFC 8289's values: TARGET 5 ms (§4.4), INTERVAL
// 100 ms (§4.3).
func DefaultCoDel() CoDelParams {
	return CoDelParams{Target: 5 * sim.Millisecond, Interval: 100 * sim.Millisecond}
}

// Validate checks the parameters' ranges.
func (p CoDelParams) Validate() error {
	if p.Target <= 0 || p.Interval <= 0 {
		return fmt.Errorf("aqm: CoDel target %v, interval %v: want both above 0", p.Target, p.Interval)
	}
	return nil
}

// Queue is what CoDel sees of the queue it manages, from its dequeue
// side: the packet at its head, about to be transmitted.
type Queue interface {
	// Head returns the head packet's sojourn time (now minus its enqueue
	// time) and the bytes queued behind it; ok is false if the queue is
	// empty.
	Head(now sim.Time) (sojourn sim.Time, behind int, ok bool)
	// Signal gives the head a congestion signal: it marks it CE and
	// reports true (the packet stays at the head and is sent), or drops
	// it and reports false (the next packet becomes the head).
	Signal() (marked bool)
}

// CoDel is Controlled Delay (Nichols, Jacobson, McGregor, Iyengar, RFC
// 8289), run at dequeue. Dequeue is the pseudocode of RFC 8289 §5.5–5.6
// (dodequeue and dequeue); marking instead of dropping follows Linux's
// codel_dequeue (include/net/codel_impl.h): a mark, like a drop, counts and
// schedules the next signal, but the marked packet is sent.
type CoDel struct {
	p              CoDelParams
	firstAboveTime sim.Time // 0: the sojourn time is below target
	dropNext       sim.Time
	count          uint32 // signals since entering the dropping state
	lastCount      uint32
	dropping       bool
	maxPacket      int // the largest packet seen, in bytes (RFC 8289 §5.2 maxpacket)
}

// NewCoDel returns CoDel with parameters p, not dropping.
func NewCoDel(p CoDelParams) *CoDel { return &CoDel{p: p} }

// Enqueue is told the size of every packet the queue accepts (for
// maxpacket).
func (c *CoDel) Enqueue(size int) { c.maxPacket = max(c.maxPacket, size) }

// Dropping reports whether CoDel is in its dropping state.
func (c *CoDel) Dropping() bool { return c.dropping }

// Count returns count, the signals of the current (or last) dropping
// state.
func (c *CoDel) Count() uint32 { return c.count }

// controlLaw is t + interval/sqrt(count) (RFC 8289 §5.4).
func (c *CoDel) controlLaw(t sim.Time, count uint32) sim.Time {
	return t.Add(sim.Time(float64(c.p.Interval) / math.Sqrt(float64(count))))
}

// okToDrop is dodequeue's test on the head (RFC 8289 §5.5): the sojourn
// time has been at or above target, with more than a packet queued behind,
// for at least an interval. ok is false if the queue is empty.
func (c *CoDel) okToDrop(now sim.Time, q Queue) (ok, drop bool) {
	sojourn, behind, ok := q.Head(now)
	if !ok {
		c.firstAboveTime = 0
		return false, false
	}
	if sojourn < c.p.Target || behind <= c.maxPacket {
		c.firstAboveTime = 0
		return true, false
	}
	if c.firstAboveTime == 0 {
		c.firstAboveTime = now.Add(c.p.Interval)
		return true, false
	}
	return true, now >= c.firstAboveTime
}

// Dequeue runs CoDel at the start of a transmission (RFC 8289 §5.6): it
// may drop the head, and the heads after it, until it leaves a packet to
// send or the queue is empty; or mark it. Call it whenever the queue is
// about to transmit its head, and with the queue empty whenever it goes
// idle.
func (c *CoDel) Dequeue(now sim.Time, q Queue) {
	ok, drop := c.okToDrop(now, q)
	if !ok {
		c.dropping = false
		return
	}
	if c.dropping {
		if !drop {
			c.dropping = false // sojourn time below target: leave the dropping state
		}
		for c.dropping && now >= c.dropNext {
			c.count++
			if q.Signal() {
				c.dropNext = c.controlLaw(c.dropNext, c.count)
				return
			}
			if _, drop = c.okToDrop(now, q); !drop {
				c.dropping = false
			} else {
				c.dropNext = c.controlLaw(c.dropNext, c.count)
			}
		}
		return
	}
	if !drop {
		return
	}
	if !q.Signal() {
		c.okToDrop(now, q) // the next head: RFC 8289's dodequeue after the drop
	}
	c.dropping = true
	// If the sojourn time went above target soon after it last went
	// below, start from the signal rate that controlled the queue then
	// (RFC 8289 §5.6, Linux's version).
	delta := c.count - c.lastCount
	c.count = 1
	if delta > 1 && now-c.dropNext < 16*c.p.Interval {
		c.count = delta
	}
	c.dropNext = c.controlLaw(now, c.count)
	c.lastCount = c.count
}
