package link

import "tcpsim/model/wire"

// FaultKind is what a scripted fault does to a packet.
type FaultKind uint8

// Scripted fault kinds.
const (
	// FaultNone: no scripted fault.
	FaultNone FaultKind = iota
	// FaultDrop: the packet is lost on the wire.
	FaultDrop
	// FaultFlip: Bits payload bits are flipped so that the checksum
	// catches it (wire.FlipPayloadBits, detectable).
	FaultFlip
	// FaultFlipUndetectable: Bits payload bits are flipped in pairs that
	// cancel in the RFC 1071 sum, so the checksum still matches.
	FaultFlipUndetectable
)

// Fault is a scripted fault: an impairment that happens on purpose, to a
// chosen packet or at a chosen time, on top of the random ones. It never
// draws a random number, so a scenario's random impairments meet the same
// numbers with or without it (common random numbers).
type Fault struct {
	// Rule numbers the script's rule that caused it, from 1; observers
	// use it to say which. 0 only with FaultNone.
	Rule uint16
	Kind FaultKind
	Bits uint8 // payload bits to flip, for the flip kinds
}

// SkipMarker is a Marker that also says, for a flip fault it set, how
// many bytes at the start of the transport payload the flips leave alone:
// the header of a protocol carried in UDP (an rdt header), so that only
// its payload is damaged. It is asked only when a flip happens (rarely),
// so that Fault, and Packet with it, stay small.
type SkipMarker interface {
	Marker
	FlipSkip(f Fault) int
}

// Scripted reports whether a fault is set.
func (f Fault) Scripted() bool { return f.Kind != FaultNone }

// Marker chooses the scripted fault of each packet offered to a
// direction; it sees every packet, in order, before the queue does, and
// returns the packet's fault (the zero Fault for none). A nil Marker (the
// default) costs nothing. The packet is passed by value so that Send's
// packet never escapes to the heap.
type Marker interface {
	Mark(dir string, pkt Packet) Fault
}

// SetMarker installs m (nil to remove).
func (p *Pipe) SetMarker(m Marker) { p.marker = m }

// DropInFlight loses, at once, every packet on the wire: propagating or
// held back by reordering, not those still queued or being serialised.
// Each is counted lost and reported to the observer as EvLost with a
// FaultDrop of rule.
func (p *Pipe) DropInFlight(rule uint16) {
	fault := Fault{Rule: rule, Kind: FaultDrop}
	for p.pipe.len() > 0 {
		t := p.pipe.pop()
		p.scriptedLoss(t.pkt, fault)
	}
	// The head's arrival is still scheduled: a new generation makes it a
	// no-op when it fires, and later packets are scheduled afresh.
	p.gen++
	for i := range p.late {
		if p.late[i].pkt.Buf == nil {
			continue
		}
		t := p.late[i]
		p.late[i] = timed{}
		p.lateFree = append(p.lateFree, i)
		p.scriptedLoss(t.pkt, fault)
	}
}

// SetDown starts (down true) or ends an outage: while at least one is in
// progress, every packet that leaves the transmitter is lost, with a
// FaultDrop of rule (the latest outage to start). Outages may overlap;
// the link is up again when the last one ends. Starting an outage does
// not by itself drop what is already on the wire: call DropInFlight.
func (p *Pipe) SetDown(down bool, rule uint16) {
	if down {
		p.down++
		p.downRule = rule
	} else if p.down > 0 {
		p.down--
	}
}

func (p *Pipe) scriptedLoss(pkt Packet, f Fault) {
	pkt.Fault = f
	p.c.Lost++
	p.observe(EvLost, pkt)
	p.pool.Put(pkt.Buf)
}

// scripted applies the scripted fault f marked on pkt, and an outage,
// after the random loss draw: it reports whether the packet was lost (and
// recycled), and whether its bits were flipped. Both are reported to the
// observer with pkt.Fault set; random impairments are reported with it
// clear, so that observers tell them apart.
func (p *Pipe) scripted(pkt *Packet, f Fault) (lost, flipped bool) {
	switch {
	case p.down > 0:
		p.scriptedLoss(*pkt, Fault{Rule: p.downRule, Kind: FaultDrop})
		return true, false
	case f.Kind == FaultDrop:
		p.scriptedLoss(*pkt, f)
		return true, false
	case f.Kind == FaultFlip || f.Kind == FaultFlipUndetectable:
		skip := 0
		if m, ok := p.marker.(SkipMarker); ok {
			skip = m.FlipSkip(f)
		}
		n := wire.FlipPayloadBitsAfter(pkt.Buf, skip, int(f.Bits), f.Kind == FaultFlipUndetectable)
		if n == 0 {
			return false, false
		}
		f.Bits = uint8(n) // what was really flipped
		pkt.Fault = f
		p.observe(EvCorrupt, *pkt)
		return false, true
	}
	return false, false
}
