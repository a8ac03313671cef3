package link

import (
	"math/rand/v2"
	"strconv"

	"tcpsim/model/aqm"
	"tcpsim/model/hist"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// Receiver takes packets at the far end of a direction. It owns pkt.Buf
// from then on (and may return it to the Pool).
type Receiver interface {
	Receive(pkt Packet)
}

// Event is what happened to a packet on a direction, for observers.
type Event int

// Packet events on a direction.
const (
	EvEnqueue   Event = iota // accepted into the queue
	EvQueueDrop              // dropped: queue full
	EvTransmit               // started serialisation
	EvLost                   // lost on the wire
	EvCorrupt                // a bit was flipped
	EvDuplicate              // a copy was made
	EvReorder                // held back by an extra delay
	EvDeliver                // handed to the receiver
)

// Packet events of a managed queue (RED, CoDel), after the others.
const (
	EvEarlyDrop   Event = EvDeliver + 1 + iota // dropped by RED on arrival, before the queue was full (in place of EvEnqueue)
	EvDequeueDrop                              // dropped by CoDel when it reached the head of the queue (after EvEnqueue)
	EvMark                                     // marked CE by the queue discipline instead of dropped (RFC 3168)
)

var eventNames = [...]string{"enqueue", "queue-drop", "transmit", "lost", "corrupt", "duplicate", "reorder", "deliver", "early-drop", "dequeue-drop", "ecn-mark"}

func (e Event) String() string { return eventNames[e] }

// Observer is told of every packet event; nil means no observer (and no
// cost).
type Observer interface {
	LinkEvent(dir string, ev Event, pkt Packet)
}

// Counters account for every packet that entered a direction:
// Offered + Duplicated = Delivered + Lost + QueueDropped + InFlight.
type Counters struct {
	Offered, OfferedBytes     int64
	QueueDropped              int64 // dropped by the queue: full, or by its discipline
	AQMDropped                int64 // dropped by RED or CoDel before the queue was full (included in QueueDropped)
	ECNMarked                 int64 // marked CE by RED or CoDel instead of dropped (still delivered, lost, ...)
	Lost                      int64
	Corrupted                 int64 // delivered with a flipped bit (included in Delivered)
	Duplicated                int64 // extra copies created
	Reordered                 int64 // held back by an extra delay
	Delivered, DeliveredBytes int64
	MaxQueue                  int // largest backlog seen, in packets
}

// Pipe is one direction of a link.
type Pipe struct {
	Name string
	cfg  Config
	eng  *sim.Engine
	rx   Receiver
	pool *Pool
	obs  Observer
	c    Counters

	marker   Marker
	down     int    // outages in progress (SetDown)
	downRule uint16 // the rule of the latest outage to start
	gen      uint64 // wire generation: DropInFlight moves it on

	queue      fifo // waiting or being serialised; head is on the wire
	queueBytes int
	pipe       fifo // propagating, in arrival order
	late       []timed
	lateFree   []int

	streams                               sim.Streams
	lossRngs                              []*rand.Rand // by flow tag
	geRng, corruptRng, dupRng, reorderRng *rand.Rand
	geBad                                 bool
	nextID                                uint64

	txDone, arrive, arriveLate sim.Action

	// busy[flow+1] is the transmitter time spent on the flow's packets
	// whose transmission has ended, for the flows TrackBusy named (nil
	// when none did); txStart is when the head began its transmission.
	busy    []sim.Time
	txStart sim.Time

	red     *aqm.RED       // with Config.AQM == RED
	codel   *aqm.CoDel     // with Config.AQM == CoDel
	sojourn hist.Histogram // queue delays of transmitted packets, ns
}

// QueueDelay summarises the sojourn times (queue delays) of a direction's
// packets: from entering the queue to starting transmission, for every
// packet that started it. Mean and Max are exact; P50 and P99 are
// nearest-rank percentiles to within hist.RelErr (0.79%). All are 0 when
// Count is.
type QueueDelay struct {
	Count               int64
	Mean, P50, P99, Max sim.Time
}

// NewPipe returns a direction named name ("fwd", "rev") delivering to rx.
// Its impairments draw from streams named after it, one per impairment, so
// that turning one on does not shift the others' draws. Loss draws come
// from one stream per flow: the k-th packet of a flow meets the same
// uniform number whatever the other flows do.
func NewPipe(eng *sim.Engine, streams sim.Streams, name string, cfg Config, rx Receiver, pool *Pool) *Pipe {
	p := &Pipe{Name: name, cfg: cfg, eng: eng, rx: rx, pool: pool}
	s := "link/" + name + "/"
	p.streams = streams
	p.geRng = streams.Stream(s + "ge-state")
	p.corruptRng = streams.Stream(s + "corrupt")
	p.dupRng = streams.Stream(s + "duplicate")
	p.reorderRng = streams.Stream(s + "reorder")
	p.txDone = p.onTxDone
	p.arrive = p.onArrive
	p.arriveLate = p.onArriveLate
	switch cfg.AQM {
	case RED:
		rp := cfg.RED
		if rp.IdleSlot == 0 {
			// s, the transmission time of a small packet: ns-2's
			// mean_pktsize_ of 500 bytes.
			rp.IdleSlot = cfg.TxTime(500)
		}
		// Its own stream, drawn from only when RED is configured, so
		// that no other stream's draws move (common random numbers).
		p.red = aqm.NewRED(rp, streams.Stream(s+"red"))
	case CoDel:
		p.codel = aqm.NewCoDel(cfg.CoDel)
	}
	return p
}

// TrackBusy makes the direction account for the time its transmitter
// spends sending the packets of flow (see Busy). Call it before the run;
// untracked flows cost nothing.
func (p *Pipe) TrackBusy(flow int32) {
	i := int(max(flow, -1)) + 1
	if i >= len(p.busy) {
		p.busy = append(p.busy, make([]sim.Time, i+1-len(p.busy))...)
	}
}

// Busy returns how long, up to now, the transmitter has spent sending
// packets of flow (which TrackBusy named): whole transmissions that have
// ended, plus the elapsed part of the one in progress. It never exceeds
// the time since the first of them began, as a transmitter sends one
// packet at a time; a packet waiting in the queue counts nothing yet.
func (p *Pipe) Busy(flow int32) sim.Time {
	i := int(max(flow, -1)) + 1
	if i >= len(p.busy) {
		return 0
	}
	b := p.busy[i]
	if p.queue.len() > 0 && p.queue.peek().pkt.Flow == flow {
		b += p.eng.Now() - p.txStart
	}
	return b
}

// QueueDelay returns the summary of the sojourn times so far. Cost: one
// pass over the histogram's buckets (a few thousand at most).
func (p *Pipe) QueueDelay() QueueDelay {
	h := &p.sojourn
	if h.Count() == 0 {
		return QueueDelay{}
	}
	return QueueDelay{Count: h.Count(), Mean: sim.Time(h.Mean() + 0.5), P50: sim.Time(h.Quantile(0.5)),
		P99: sim.Time(h.Quantile(0.99)), Max: sim.Time(h.Max())}
}

// SetObserver installs o (nil to remove).
func (p *Pipe) SetObserver(o Observer) { p.obs = o }

// Config returns the direction's configuration.
func (p *Pipe) Config() Config { return p.cfg }

// Counters returns the accounting so far.
func (p *Pipe) Counters() Counters { return p.c }

// InFlight returns packets still queued, propagating or held back.
func (p *Pipe) InFlight() int64 {
	return int64(p.queue.len() + p.pipe.len() + len(p.late) - len(p.lateFree))
}

// EmptyNoEarlierThan returns a time before which the direction cannot be
// empty: the latest scheduled arrival of a packet on the wire or held
// back, and for a packet still queued, now plus the propagation delay. It
// is now when nothing is in flight. Cost: one pass over the held-back
// packets.
func (p *Pipe) EmptyNoEarlierThan() sim.Time {
	t := p.eng.Now()
	if p.queue.len() > 0 {
		t = max(t, t.Add(p.cfg.Delay))
	}
	if p.pipe.len() > 0 {
		t = max(t, sim.Time(p.pipe.tail().at))
	}
	for i := range p.late {
		if p.late[i].pkt.Buf != nil {
			t = max(t, sim.Time(p.late[i].at))
		}
	}
	return t
}

// Send offers pkt to the direction. A full queue drops it (drop-tail);
// with RED, RED may drop or mark it first.
func (p *Pipe) Send(pkt Packet) {
	p.nextID++
	pkt.ID = p.nextID
	if p.marker != nil {
		pkt.Fault = p.marker.Mark(p.Name, pkt)
	}
	p.c.Offered++
	p.c.OfferedBytes += int64(len(pkt.Buf))
	full := (p.cfg.QueuePackets > 0 && p.queue.len() >= p.cfg.QueuePackets) ||
		(p.cfg.QueueBytes > 0 && p.queueBytes+len(pkt.Buf) > p.cfg.QueueBytes)
	if p.red != nil && p.red.Arrive(p.eng.Now(), p.queue.len()) && !full && !p.mark(&pkt) {
		p.aqmDrop(EvEarlyDrop, pkt)
		return
	}
	if full {
		p.c.QueueDropped++
		p.observe(EvQueueDrop, pkt)
		p.pool.Put(pkt.Buf)
		return
	}
	p.observe(EvEnqueue, pkt)
	// While queued, at holds the time of entering the queue.
	p.queue.push(timed{pkt: pkt, at: int64(p.eng.Now())})
	p.queueBytes += len(pkt.Buf)
	p.c.MaxQueue = max(p.c.MaxQueue, p.queue.len())
	if p.codel != nil {
		p.codel.Enqueue(len(pkt.Buf))
	}
	if p.queue.len() == 1 {
		p.startTx()
	}
}

// startTx dequeues the head: CoDel, if configured, may drop it (and the
// heads after it) or mark it first. The head stays in the queue, counted
// in its length and bytes, until its transmission ends.
func (p *Pipe) startTx() {
	now := p.eng.Now()
	if p.codel != nil {
		p.codel.Dequeue(now, (*codelQueue)(p))
		if p.queue.len() == 0 {
			p.idle()
			return
		}
	}
	h := p.queue.peek()
	p.txStart = now
	p.sojourn.Record(int64(now) - h.at)
	p.observe(EvTransmit, h.pkt)
	p.eng.After(p.cfg.TxTime(len(h.pkt.Buf)), p.txDone, 0)
}

// onTxDone: the head has left the transmitter; the wire decides its fate.
func (p *Pipe) onTxDone(uint64) {
	t := p.queue.pop()
	p.queueBytes -= len(t.pkt.Buf)
	if i := int(t.pkt.Flow) + 1; i >= 0 && i < len(p.busy) {
		p.busy[i] += p.eng.Now() - p.txStart
	}
	if p.queue.len() > 0 {
		p.startTx()
	} else {
		p.idle()
	}
	p.impair(t.pkt)
}

// idle tells the queue discipline that the queue has become empty.
func (p *Pipe) idle() {
	switch {
	case p.red != nil:
		p.red.Idle(p.eng.Now())
	case p.codel != nil:
		p.codel.Dequeue(p.eng.Now(), (*codelQueue)(p)) // an empty queue ends a dropping state
	}
}

// mark gives pkt a congestion signal by ECN, if the direction has ECN on
// and pkt is ECN-capable (ECT(0), ECT(1), or already CE): it sets CE,
// updating the IPv4 header checksum (RFC 3168 §5, RFC 1624), and reports
// true. Otherwise the caller drops pkt.
func (p *Pipe) mark(pkt *Packet) bool {
	if !p.cfg.ECN || len(pkt.Buf) < wire.IPv4HeaderLen || pkt.Buf[1]&3 == wire.ECNNotECT {
		return false
	}
	wire.SetECN(pkt.Buf, wire.ECNCE)
	p.c.ECNMarked++
	p.observe(EvMark, *pkt)
	return true
}

// aqmDrop drops pkt by the queue discipline's decision, reported as ev.
func (p *Pipe) aqmDrop(ev Event, pkt Packet) {
	p.c.QueueDropped++
	p.c.AQMDropped++
	p.observe(ev, pkt)
	p.pool.Put(pkt.Buf)
}

// codelQueue is the pipe's queue as CoDel sees it (aqm.Queue): a
// conversion of the *Pipe, so that passing it costs no allocation.
type codelQueue Pipe

// Head implements aqm.Queue.
func (q *codelQueue) Head(now sim.Time) (sojourn sim.Time, behind int, ok bool) {
	if q.queue.len() == 0 {
		return 0, 0, false
	}
	h := q.queue.peek()
	return now - sim.Time(h.at), q.queueBytes - len(h.pkt.Buf), true
}

// Signal implements aqm.Queue: mark the head if ECN allows, else drop it.
func (q *codelQueue) Signal() bool {
	p := (*Pipe)(q)
	h := p.queue.peek()
	if p.mark(&h.pkt) {
		return true
	}
	t := p.queue.pop()
	p.queueBytes -= len(t.pkt.Buf)
	p.aqmDrop(EvDequeueDrop, t.pkt)
	return false
}

// impair applies the wire's impairments. Every stream is drawn from exactly
// once per packet whatever the configuration, so that runs that differ only
// in one probability see the same random numbers (common random numbers):
// with a higher loss rate the lost packets are a superset of those lost at
// a lower one. The one exception keeps that property: an impairment whose
// probability is zero never acts, so its stream is not drawn from at all;
// each impairment has a stream of its own, so no other draw moves.
//
// Scripted faults (a marked packet, an outage) come after the loss draw and
// draw nothing themselves: a packet lost on purpose is lost like a random
// loss (no further draws for it), and one that random loss took stays a
// random loss.
func (p *Pipe) impair(pkt Packet) {
	f := pkt.Fault
	pkt.Fault = Fault{}
	if p.lost(pkt.Flow) {
		p.c.Lost++
		p.observe(EvLost, pkt)
		p.pool.Put(pkt.Buf)
		return
	}
	corrupted := false
	if f.Kind != FaultNone || p.down > 0 {
		var lost bool
		if lost, corrupted = p.scripted(&pkt, f); lost {
			return
		}
	}
	if p.cfg.Corrupt > 0 {
		uc, bit := p.corruptRng.Float64(), p.corruptRng.Uint64()
		if uc < p.cfg.Corrupt && len(pkt.Buf) > 0 {
			b := bit % uint64(len(pkt.Buf)*8)
			pkt.Buf[b/8] ^= 1 << (b % 8)
			corrupted = true
			p.observe(EvCorrupt, pkt)
		}
	}
	if corrupted {
		p.c.Corrupted++
	}
	now := p.eng.Now()
	at := now.Add(p.cfg.Delay)
	held := false
	if p.cfg.Reorder > 0 {
		ur, extra := p.reorderRng.Float64(), p.reorderRng.Uint64()
		if ur < p.cfg.Reorder {
			p.c.Reordered++
			p.observe(EvReorder, pkt)
			d := sim.Time(extra%uint64(p.cfg.ReorderDelay)) + 1
			p.hold(timed{pkt: pkt, at: int64(at.Add(d))})
			held = true
		}
	}
	if !held {
		p.propagate(timed{pkt: pkt, at: int64(at)})
	}
	if p.cfg.Duplicate > 0 && p.dupRng.Float64() < p.cfg.Duplicate {
		p.nextID++
		cp := Packet{Buf: append(p.pool.Get(), pkt.Buf...), Flow: pkt.Flow, ID: p.nextID, Fault: pkt.Fault}
		p.c.Duplicated++
		p.observe(EvDuplicate, cp)
		p.propagate(timed{pkt: cp, at: int64(at)})
	}
}

// lost draws the loss decision: two uniforms per packet for Gilbert–Elliott
// (state, then loss), one for Bernoulli, none for Bernoulli with P = 0.
func (p *Pipe) lost(flow int32) bool {
	l := &p.cfg.Loss
	if l.Model == LossBernoulli {
		if l.P == 0 {
			return false
		}
		return p.lossStream(flow).Float64() < l.P
	}
	u := p.lossStream(flow).Float64()
	// Gilbert–Elliott: transition first, then lose with the new state's
	// probability.
	v := p.geRng.Float64()
	if p.geBad {
		if v < l.R {
			p.geBad = false
		}
	} else if v < l.P {
		p.geBad = true
	}
	if p.geBad {
		return u < l.LossBad
	}
	return u < l.LossGood
}

func (p *Pipe) lossStream(flow int32) *rand.Rand {
	i := int(max(flow, -1)) + 1 // untagged packets share slot 0
	for i >= len(p.lossRngs) {
		p.lossRngs = append(p.lossRngs, nil)
	}
	if p.lossRngs[i] == nil {
		p.lossRngs[i] = p.streams.Stream("link/" + p.Name + "/loss/" + strconv.Itoa(i-1))
	}
	return p.lossRngs[i]
}

// propagate appends to the in-order pipe; only its head is scheduled.
func (p *Pipe) propagate(t timed) {
	p.pipe.push(t)
	if p.pipe.len() == 1 {
		p.eng.At(sim.Time(t.at), p.arrive, p.gen)
	}
}

// onArrive delivers the head. An arrival scheduled before DropInFlight
// emptied the wire (an older generation) finds nothing of its own.
func (p *Pipe) onArrive(gen uint64) {
	if gen != p.gen {
		return
	}
	t := p.pipe.pop()
	if p.pipe.len() > 0 {
		p.eng.At(sim.Time(p.pipe.peek().at), p.arrive, p.gen)
	}
	p.deliver(t.pkt)
}

// hold parks a reordered packet in a slot and schedules it on its own.
func (p *Pipe) hold(t timed) {
	var i int
	if n := len(p.lateFree); n > 0 {
		i = p.lateFree[n-1]
		p.lateFree = p.lateFree[:n-1]
		p.late[i] = t
	} else {
		i = len(p.late)
		p.late = append(p.late, t)
	}
	p.late[i].gen = p.gen
	p.eng.At(sim.Time(t.at), p.arriveLate, uint64(i)|p.gen<<32)
}

// onArriveLate delivers a held-back packet: arg is its slot, and in its
// high 32 bits the generation it was held in (a slot emptied by
// DropInFlight may hold another packet by now).
func (p *Pipe) onArriveLate(arg uint64) {
	slot := arg & (1<<32 - 1)
	t := p.late[slot]
	if t.pkt.Buf == nil || t.gen&(1<<32-1) != arg>>32 {
		return
	}
	p.late[slot] = timed{}
	p.lateFree = append(p.lateFree, int(slot))
	p.deliver(t.pkt)
}

func (p *Pipe) deliver(pkt Packet) {
	p.c.Delivered++
	p.c.DeliveredBytes += int64(len(pkt.Buf))
	p.observe(EvDeliver, pkt)
	p.rx.Receive(pkt)
}

func (p *Pipe) observe(ev Event, pkt Packet) {
	if p.obs != nil {
		p.obs.LinkEvent(p.Name, ev, pkt)
	}
}
