// Package link models a full-duplex point-to-point link between two hosts:
// per direction an output queue (drop-tail, RED or CoDel), a transmitter of finite rate, a
// propagation delay, and impairments (Bernoulli or Gilbert–Elliott loss,
// bit corruption, duplication, reordering) drawn from seeded streams.
//
// Packets are real IPv4 bytes; the link never parses them, except that a
// queue with ECN reads and sets the IPv4 ECN field (RFC 3168) when it
// marks a packet instead of dropping it. A direction's queue discipline
// is drop-tail, RED or CoDel (package aqm); it measures every packet's
// queue delay (sojourn time). Each direction
// keeps its packets in its own FIFOs and schedules only the head of each,
// so a long queue costs one pending event, not one per packet.
package link

// Packet is one IPv4 datagram in flight. Buf holds the real bytes; Flow is
// simulator metadata (never on the wire) that lets reports attribute drops
// to a flow even when corruption has destroyed the headers.
type Packet struct {
	Buf  []byte
	Flow int32
	// Fault is a scripted fault the packet will meet on the wire, set by
	// the direction's Marker when it is offered; the zero value is none.
	// It shares the padding after Flow.
	Fault Fault
	// ID numbers the packets entering one direction (from 1), copies
	// made by duplication included: traces follow a packet by it.
	ID uint64
	// Queued is the time the packet has spent waiting in queues so far,
	// from entering each direction's queue to starting its transmission,
	// summed over the directions it crossed (simulator metadata, like
	// Flow): its queueing delay when it arrives.
	Queued int64
}

// fifo is a growable ring buffer of timed packets. Its length is a power
// of two, so that positions wrap with a mask rather than a division.
type fifo struct {
	buf        []timed
	head, size int
}

type timed struct {
	pkt Packet
	at  int64  // sim.Time of arrival at the far end; while queued, of entering the queue
	gen uint64 // the direction's wire generation when it was scheduled
}

func (q *fifo) len() int { return q.size }

func (q *fifo) push(t timed) {
	if q.size == len(q.buf) {
		n := max(16, 2*len(q.buf))
		nb := make([]timed, n)
		for i := range q.size {
			nb[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
		}
		q.buf, q.head = nb, 0
	}
	q.buf[(q.head+q.size)&(len(q.buf)-1)] = t
	q.size++
}

func (q *fifo) peek() *timed { return &q.buf[q.head] }

// tail returns the newest entry; the fifo must not be empty.
func (q *fifo) tail() *timed { return &q.buf[(q.head+q.size-1)&(len(q.buf)-1)] }

func (q *fifo) pop() timed {
	t := q.buf[q.head]
	q.buf[q.head] = timed{}
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.size--
	return t
}
