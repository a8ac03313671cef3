package link

import (
	"math/rand/v2"
	"strconv"

	"tcpsim/sim"
)

// The wire of a direction, after the transmitter: random impairments
// (loss, corruption, reordering, duplication), scripted faults
// (fault.go), propagation and delivery.

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
		cp := Packet{Buf: append(p.pool.Get(len(pkt.Buf)), pkt.Buf...), Flow: pkt.Flow, ID: p.nextID, Fault: pkt.Fault, Queued: pkt.Queued}
		p.c.Duplicated++
		p.observe(EvDuplicate, cp)
		p.propagate(timed{pkt: cp, at: int64(at)})
	}
}

// lost draws the loss decision: two uniforms per packet for Gilbert–Elliott
// (state, then loss), one for Bernoulli, none for Bernoulli with P = 0 and
// none for periodic loss, which counts each flow's packets.
func (p *Pipe) lost(flow int32) bool {
	l := &p.cfg.Loss
	if l.Model == LossPeriodic {
		i := int(max(flow, -1)) + 1 // untagged packets share slot 0
		for i >= len(p.periodic) {
			p.periodic = append(p.periodic, 0)
		}
		p.periodic[i]++
		return p.periodic[i]%int64(l.Every) == 0
	}
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
