package link

import (
	"fmt"

	"tcpsim/model/aqm"
	"tcpsim/sim"
)

// Discipline is the queue discipline of a direction's output queue: which
// packets it drops (or marks) before the queue is full. It is an index
// into the one table of disciplines (DisciplineNames lists it in order).
type Discipline int

// Queue disciplines. Adding one is a type with the discipline methods
// (in model/aqm the algorithm, here its adapter) and a row in the
// disciplines table; the constant is a convenience for Go callers.
const (
	// DropTail drops an arriving packet only when the queue is full.
	DropTail Discipline = iota
	// RED is Random Early Detection (Floyd and Jacobson 1993), decided
	// at enqueue (aqm.RED).
	RED
	// CoDel is Controlled Delay (RFC 8289), decided at dequeue, when a
	// packet starts its transmission (aqm.CoDel).
	CoDel
)

// discipline is a queue discipline as the queue uses it: told of every
// arrival, every packet accepted, every dequeue (the start of a
// transmission) and every time the queue empties. It owns no packets:
// through q it sees the queue's head and asks it to signal congestion
// (mark the head, or drop it). The methods run on the hot path: they
// must not allocate.
type discipline interface {
	// arrive is told of a packet arriving at a queue that holds qlen
	// packets and reports whether it gets a congestion signal (RED).
	arrive(now sim.Time, qlen int) bool
	// enqueued is told of a packet of n bytes accepted into the queue.
	enqueued(n int)
	// dequeue runs when the head is about to start its transmission; it
	// may signal on the head (and the heads after it) through q (CoDel).
	dequeue(now sim.Time, q aqm.Queue)
	// idle is told that the queue became empty.
	idle(now sim.Time, q aqm.Queue)
}

// disciplineInfo is one row of the disciplines table.
type disciplineInfo struct {
	name string // the scenario's name for it
	// new builds the discipline for a direction; streams and the prefix
	// s ("link/fwd/") name its random streams, if it draws.
	new func(cfg *Config, streams sim.Streams, s string) discipline
}

// disciplines is the one table of queue disciplines: it feeds the
// parser, String, DisciplineNames and NewPipe.
var disciplines = [...]disciplineInfo{
	DropTail: {"droptail", func(*Config, sim.Streams, string) discipline { return dropTail{} }},
	RED:      {"red", newRED},
	CoDel:    {"codel", func(cfg *Config, _ sim.Streams, _ string) discipline { return codel{aqm.NewCoDel(cfg.CoDel)} }},
}

// String returns the discipline's scenario name.
func (d Discipline) String() string {
	if d >= 0 && int(d) < len(disciplines) {
		return disciplines[d].name
	}
	return fmt.Sprintf("Discipline(%d)", int(d))
}

// DisciplineNames lists the disciplines' scenario names, in order.
func DisciplineNames() []string {
	names := make([]string, len(disciplines))
	for i, d := range disciplines {
		names[i] = d.name
	}
	return names
}

// ParseDiscipline maps a scenario name to a Discipline.
func ParseDiscipline(s string) (Discipline, error) {
	for i, d := range disciplines {
		if d.name == s {
			return Discipline(i), nil
		}
	}
	return 0, fmt.Errorf("link: unknown queue discipline %q", s)
}

// newDiscipline builds cfg.AQM's discipline (drop-tail for an unknown
// one, which Config validation has refused already).
func newDiscipline(cfg *Config, streams sim.Streams, s string) discipline {
	if cfg.AQM < 0 || int(cfg.AQM) >= len(disciplines) {
		return dropTail{}
	}
	return disciplines[cfg.AQM].new(cfg, streams, s)
}

// dropTail signals nothing: the queue drops only when it is full.
type dropTail struct{}

func (dropTail) arrive(sim.Time, int) bool   { return false }
func (dropTail) enqueued(int)                {}
func (dropTail) dequeue(sim.Time, aqm.Queue) {}
func (dropTail) idle(sim.Time, aqm.Queue)    {}

// red decides at arrival (aqm.RED).
type red struct{ r *aqm.RED }

func newRED(cfg *Config, streams sim.Streams, s string) discipline {
	rp := cfg.RED
	if rp.IdleSlot == 0 {
		// s, the transmission time of a small packet: ns-2's
		// mean_pktsize_ of 500 bytes.
		rp.IdleSlot = cfg.TxTime(500)
	}
	// Its own stream, drawn from only when RED is configured, so that
	// no other stream's draws move (common random numbers).
	return red{aqm.NewRED(rp, streams.Stream(s+"red"))}
}

func (d red) arrive(now sim.Time, qlen int) bool { return d.r.Arrive(now, qlen) }
func (red) enqueued(int)                         {}
func (red) dequeue(sim.Time, aqm.Queue)          {}
func (d red) idle(now sim.Time, _ aqm.Queue)     { d.r.Idle(now) }

// codel decides at dequeue (aqm.CoDel).
type codel struct{ c *aqm.CoDel }

func (codel) arrive(sim.Time, int) bool           { return false }
func (d codel) enqueued(n int)                    { d.c.Enqueue(n) }
func (d codel) dequeue(now sim.Time, q aqm.Queue) { d.c.Dequeue(now, q) }
func (d codel) idle(now sim.Time, q aqm.Queue)    { d.c.Dequeue(now, q) } // an empty queue ends a dropping state
