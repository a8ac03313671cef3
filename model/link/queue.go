package link

import (
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// The output queue of a direction: drop-tail bounds, the queue
// discipline (aqm.go), the transmitter. What happens after transmission
// is impair.go's.

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
	if p.disc.arrive(p.eng.Now(), p.queue.len()) && !full && !p.mark(&pkt) {
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
	p.disc.enqueued(len(pkt.Buf))
	if p.queue.len() == 1 {
		p.startTx()
	}
}

// startTx dequeues the head: the discipline (CoDel) may drop it (and the
// heads after it) or mark it first. The head stays in the queue, counted
// in its length and bytes, until its transmission ends.
func (p *Pipe) startTx() {
	now := p.eng.Now()
	p.disc.dequeue(now, (*aqmQueue)(p))
	if p.queue.len() == 0 {
		p.idle()
		return
	}
	h := p.queue.peek()
	p.txStart = now
	p.sojourn.Record(int64(now) - h.at)
	h.pkt.Queued += int64(now) - h.at
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
	p.disc.idle(p.eng.Now(), (*aqmQueue)(p))
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

// aqmQueue is the pipe's queue as a discipline sees it (aqm.Queue): a
// conversion of the *Pipe, so that passing it costs no allocation.
type aqmQueue Pipe

// Head implements aqm.Queue.
func (q *aqmQueue) Head(now sim.Time) (sojourn sim.Time, behind int, ok bool) {
	if q.queue.len() == 0 {
		return 0, 0, false
	}
	h := q.queue.peek()
	return now - sim.Time(h.at), q.queueBytes - len(h.pkt.Buf), true
}

// Signal implements aqm.Queue: mark the head if ECN allows, else drop it.
func (q *aqmQueue) Signal() bool {
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
