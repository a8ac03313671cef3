package link

import (
	"math/rand/v2"

	"tcpsim/model/hist"
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
	periodic                              []int64      // packets seen by periodic loss, by flow tag
	geRng, corruptRng, dupRng, reorderRng *rand.Rand
	geBad                                 bool
	nextID                                uint64

	txDone, arrive, arriveLate sim.Action

	// busy[flow+1] is the transmitter time spent on the flow's packets
	// whose transmission has ended, for the flows TrackBusy named (nil
	// when none did); txStart is when the head began its transmission.
	busy    []sim.Time
	txStart sim.Time

	disc    discipline     // Config.AQM's, from the disciplines table
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
	p.disc = newDiscipline(&cfg, streams, s)
	return p
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

// NextDelivery returns a time before which the direction delivers no
// packet, and false when it holds none: the earliest scheduled arrival
// of a packet on the wire or held back, and for a queued packet the end
// of the transmission in progress plus the propagation delay (the
// packets queued behind it leave later still). The emulation's relay
// spins only before these instants; every other event of the link can
// wait for it. Cost: one pass over the held-back packets.
func (p *Pipe) NextDelivery() (sim.Time, bool) {
	var t sim.Time
	ok := false
	earlier := func(at sim.Time) {
		if !ok || at < t {
			t, ok = at, true
		}
	}
	if p.pipe.len() > 0 {
		earlier(sim.Time(p.pipe.peek().at))
	}
	if p.queue.len() > 0 {
		earlier(p.txStart.Add(p.cfg.TxTime(len(p.queue.peek().pkt.Buf))).Add(p.cfg.Delay))
	}
	for i := range p.late {
		if p.late[i].pkt.Buf != nil {
			earlier(sim.Time(p.late[i].at))
		}
	}
	return t, ok
}

// InFlight returns packets still queued, propagating or held back.
func (p *Pipe) InFlight() int64 {
	return int64(p.queue.len() + p.pipe.len() + len(p.late) - len(p.lateFree))
}

func (p *Pipe) observe(ev Event, pkt Packet) {
	if p.obs != nil {
		p.obs.LinkEvent(p.Name, ev, pkt)
	}
}
