package trace

import "tcpsim/internal/direction"

// Follower follows the packets of one flow of a topology from hop to hop.
// In a topology, send events name the flow's direction ("s1->d") while
// link events name the hop ("r1->r2") and number packets per hop; a
// Follower ties every hop of a packet to one journey, from the end host
// that sent it towards the other.
//
// A router forwards a packet in the same instant and the same call that
// the link delivers it, so the first event at that router after a
// delivery to it (an enqueue on its next hop, a queue drop, a router drop)
// is the same packet's. Give the Follower every event of the flow, in
// trace order.
type Follower struct {
	a, b     string
	dirs     []direction.Dir                 // per journey: direction.AB or BA
	onLink   map[hopKey]int                  // a link direction's packet → journey
	at       map[string]int                  // router → journey just delivered to it
	lastAt   map[string]int                  // end host → journey last delivered to it
	linkDirs map[direction.Dir]direction.Dir // link direction → the journey direction taking it
}

type hopKey struct {
	link direction.Dir
	id   uint64
}

// Hop is what a Follower learns of one event.
type Hop struct {
	// Journey numbers the packet (from 0): one journey per packet an
	// end host sends, and per copy a link makes. -1 for an event of no
	// packet, a send event, or a packet the Follower cannot place.
	Journey int
	// Dir is direction.AB for a packet from the first node of the path
	// to the last, BA for one the other way; "" with Journey -1, except
	// for a send event, which has its direction.
	Dir direction.Dir
	// End says the event happened at an end host: the packet's first
	// enqueue (or drop) there, its delivery or checksum drop at the far
	// one. The events in between happen on the way.
	End bool
}

// NewFollower returns a Follower of the flow whose packets go out along
// path (the nodes from its sender to its receiver, both included) and come
// back along back (nil: path reversed).
func NewFollower(path, back []string) *Follower {
	f := &Follower{a: path[0], b: path[len(path)-1], onLink: map[hopKey]int{}, at: map[string]int{},
		lastAt: map[string]int{}, linkDirs: map[direction.Dir]direction.Dir{}}
	for i := 0; i+1 < len(path); i++ {
		f.linkDirs[direction.Of(path[i], path[i+1])] = direction.AB
	}
	if back == nil {
		for i := len(path) - 1; i > 0; i-- {
			f.linkDirs[direction.Of(path[i], path[i-1])] = direction.BA
		}
	}
	for i := 0; i+1 < len(back); i++ {
		f.linkDirs[direction.Of(back[i], back[i+1])] = direction.BA
	}
	return f
}

// Step reads the next event of the flow.
func (f *Follower) Step(e *Event) Hop {
	none := Hop{Journey: -1}
	end := e.Node == f.a || e.Node == f.b
	from := func(host string) direction.Dir {
		if host == f.b {
			return direction.BA
		}
		return direction.AB
	}
	j := -1
	switch e.Kind {
	case Send:
		return Hop{Journey: -1, Dir: from(e.Dir.From())}
	case Enqueue, QueueDrop, EarlyDrop:
		if end {
			j = len(f.dirs)
			f.dirs = append(f.dirs, from(e.Node))
		} else {
			k, ok := f.at[e.Node]
			if !ok {
				return none
			}
			delete(f.at, e.Node)
			j = k
		}
		if e.Kind == Enqueue {
			f.onLink[hopKey{e.Dir, e.ID}] = j
		}
	case Duplicate:
		// The copy is a new packet, made on the wire of this hop.
		dir, ok := f.linkDirs[e.Dir]
		if !ok {
			dir = from(e.Node)
		}
		j = len(f.dirs)
		f.dirs = append(f.dirs, dir)
		f.onLink[hopKey{e.Dir, e.ID}] = j
		end = false
	case Transmit, Corrupt, Reorder, ECNMark:
		k, ok := f.onLink[hopKey{e.Dir, e.ID}]
		if !ok {
			return none
		}
		j, end = k, false
	case Lost, DequeueDrop:
		k, ok := f.onLink[hopKey{e.Dir, e.ID}]
		if !ok {
			return none
		}
		delete(f.onLink, hopKey{e.Dir, e.ID})
		j, end = k, false
	case Deliver:
		k, ok := f.onLink[hopKey{e.Dir, e.ID}]
		if !ok {
			return none
		}
		delete(f.onLink, hopKey{e.Dir, e.ID})
		j = k
		if end {
			f.lastAt[e.Node] = j
		} else {
			f.at[e.Node] = j
		}
	case ChecksumDrop, TTLExpired, NoRoute:
		m := f.at
		if end {
			m = f.lastAt
		}
		k, ok := m[e.Node]
		if !ok {
			return none
		}
		delete(m, e.Node)
		j = k
	default:
		return none
	}
	return Hop{Journey: j, Dir: f.dirs[j], End: end}
}

// EndToEnd returns the events of one flow of a topology as a ladder
// between its two end hosts sees them: each packet's first enqueue (or
// drop) at its end host, its delivery and checksum drop at the far one,
// and its loss or drop on any hop, with Dir the flow's direction between
// the hosts ("s1->d" or "d->s1", as send events name it) and ID the
// packet's journey from 1; the hops in between (deliveries to routers,
// their enqueues, transmissions) are left out. Events of no packet are
// kept as they are. path and back are as for NewFollower.
func EndToEnd(evs []Event, path, back []string) []Event {
	f := NewFollower(path, back)
	a, b := path[0], path[len(path)-1]
	names := map[direction.Dir]direction.Dir{direction.AB: direction.Of(a, b), direction.BA: direction.Of(b, a)}
	out := make([]Event, 0, len(evs))
	for i := range evs {
		e := evs[i]
		h := f.Step(&e)
		if e.Dir == "" || e.Kind == Send {
			out = append(out, e)
			continue
		}
		if h.Journey < 0 {
			continue
		}
		switch e.Kind {
		case Lost, QueueDrop, EarlyDrop, DequeueDrop, ChecksumDrop, TTLExpired, NoRoute, Corrupt, Duplicate:
		default:
			if !h.End {
				continue
			}
		}
		e.Dir, e.ID = names[h.Dir], uint64(h.Journey)+1
		out = append(out, e)
	}
	return out
}
