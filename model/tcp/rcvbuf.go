package tcp

// recvBuffer is the receive buffer and reassembly queue: a ring of
// RecvBuffer bytes indexed by stream offset, holding in-order bytes not yet
// read and out-of-order bytes within the window, with the out-of-order
// ranges kept sorted and disjoint, and the peer's FIN once it is known
// where the stream ends.
//
// Two shortcuts keep bytes from being moved for nothing, without changing
// what any read returns: the ring is allocated as data is stored, growing
// fourfold up to size (a sender's receive buffer may never be, and a thousand idle
// 1 GiB buffers cost nothing), and a segment that arrives in order into an
// empty buffer may stay where it is, in the arriving packet (pend), while
// an application reading at once takes it; flush copies into the ring
// whatever is left before the packet goes.
type recvBuffer struct {
	size     int    // capacity in bytes (RecvBuffer)
	ring     []byte // the byte at stream offset o is at ring[o%len(ring)]
	hi       int64  // stream offset just past the highest byte in the ring
	readOff  int64  // stream offset of the next byte the application reads
	readable int    // in-order bytes after readOff
	ooo      spans
	// fin is the stream offset the peer's FIN follows (the length of its
	// stream), or -1 before a FIN arrives. A FIN that arrives ahead of
	// missing data waits here, like out-of-order data, until the hole
	// fills (RFC 9293 §3.10.7.4, eighth).
	fin int64
	out []byte // scratch returned by read
	// pend, when not nil, holds all the readable bytes (from readOff),
	// still in the arriving segment's packet.
	pend []byte
}

func (b *recvBuffer) init(size int) {
	b.size = size
	b.ring = nil
	b.out = b.out[:0] // grown by the first read, if any: readInPlace needs none
	b.hi = b.readOff
	b.fin = -1
}

// minRing is the smallest ring allocated once data arrives.
const minRing = 16 << 10

// ringGrowth is the factor a full ring grows by. Out-of-order data makes
// the ring grow a segment at a time up to the window's extent (a quarter
// MiB at 1% loss on the benchmarks' 10 Mbps path): growing fourfold, the
// rings allocated on the way sum to at most a third of the last one
// (16+64 KiB before 256 KiB), where doubling sums to as much again
// (16+32+64+128 KiB). Which ring holds the bytes changes nothing a read
// returns.
const ringGrowth = 4

// reserve makes the ring hold stream offsets up to end (at most size
// bytes beyond readOff), moving the live bytes [readOff, hi) into a larger
// ring when needed.
func (b *recvBuffer) reserve(end int64) {
	need := end - b.readOff
	if need <= int64(len(b.ring)) {
		return
	}
	n := min(int64(b.size), max(need, ringGrowth*int64(len(b.ring)), minRing))
	ring := make([]byte, n)
	if old := int64(len(b.ring)); old > 0 {
		for o := b.readOff; o < b.hi; {
			p, q := o%old, o%n
			c := min(b.hi-o, old-p, n-q)
			copy(ring[q:q+c], b.ring[p:p+c])
			o += c
		}
	}
	b.ring = ring
}

// setFin records that the peer's stream ends at off. The first FIN
// stands: the peer cannot move its end.
func (b *recvBuffer) setFin(off int64) {
	if b.fin < 0 {
		b.fin = off
	}
}

// finNext reports whether the FIN is next in sequence: received, and every
// byte before it received too.
func (b *recvBuffer) finNext() bool { return b.fin >= 0 && b.fin == b.inOrderEnd() }

// free is the advertised window: space not taken by unread in-order data.
// Out-of-order data lies inside the window and does not shrink it (the
// right edge never moves left, RFC 9293 §3.8.6); an autotuning receiver
// charges it as Linux does (receiver.linuxWindow).
func (b *recvBuffer) free() int { return b.size - b.readable }

// inOrderEnd is the stream offset just past the in-order data.
func (b *recvBuffer) inOrderEnd() int64 { return b.readOff + int64(b.readable) }

// store copies data at stream offset off (which must lie within the
// window) and returns how many new bytes became in-order and how many of
// the given bytes were already held (duplicates). With lazy set, in-order
// data arriving into an empty buffer is not copied yet: the caller must
// call flush before data's memory is reused.
func (b *recvBuffer) store(off int64, data []byte, lazy bool) (advanced int, dup int) {
	b.flush()
	end := off + int64(len(data))
	start := b.inOrderEnd()
	if off < start { // already delivered part
		cut := int(min(start-off, int64(len(data))))
		dup += cut
		data, off = data[cut:], start
	}
	if len(data) == 0 {
		return 0, dup
	}
	if lazy && off == start && b.readable == 0 && (len(b.ooo) == 0 || b.ooo[0].start > end) {
		b.pend = data
		b.readable = len(data)
		return len(data), dup
	}
	b.copyIn(off, data)
	if off > start {
		dup += int(b.ooo.insert(span{off, end}))
		return 0, dup
	}
	// In order: extend, then absorb any out-of-order spans now touching.
	newEnd := end
	i := 0
	for ; i < len(b.ooo) && b.ooo[i].start <= newEnd; i++ {
		if b.ooo[i].end > newEnd {
			dup += int(newEnd - b.ooo[i].start)
			newEnd = b.ooo[i].end
		} else {
			dup += int(b.ooo[i].end - b.ooo[i].start)
		}
	}
	if i > 0 {
		b.ooo = append(b.ooo[:0], b.ooo[i:]...)
	}
	advanced = int(newEnd - start)
	b.readable += advanced
	return advanced, dup
}

// flush copies pending bytes into the ring.
func (b *recvBuffer) flush() {
	if b.pend != nil {
		b.copyIn(b.readOff, b.pend)
		b.pend = nil
	}
}

func (b *recvBuffer) copyIn(off int64, data []byte) {
	end := off + int64(len(data))
	b.reserve(end)
	b.hi = max(b.hi, end)
	n := int64(len(b.ring))
	for len(data) > 0 {
		p := off % n
		c := copy(b.ring[p:], data)
		data = data[c:]
		off += int64(c)
	}
}

// read returns up to max in-order bytes and their stream offset.
func (b *recvBuffer) read(max int) ([]byte, int64) {
	b.flush()
	k := min(max, b.readable)
	off := b.readOff
	n := int64(len(b.ring))
	b.out = b.out[:0]
	for rem, o := k, off; rem > 0; {
		p := o % n
		c := min(int64(rem), n-p)
		b.out = append(b.out, b.ring[p:p+c]...)
		rem -= int(c)
		o += c
	}
	b.readOff += int64(k)
	b.readable -= k
	return b.out, off
}

// readInPlace consumes up to max in-order bytes like read, but returns
// them as at most two slices of the ring (the second one when they wrap
// around its end) instead of copying them out.
func (b *recvBuffer) readInPlace(max int) (first, second []byte, off int64) {
	k := int64(min(max, b.readable))
	off = b.readOff
	if k == 0 {
		return nil, nil, off // the ring may not exist yet
	}
	if b.pend != nil {
		first, b.pend = b.pend[:k], b.pend[k:]
		if len(b.pend) == 0 {
			b.pend = nil
		}
		b.readOff += k
		b.readable -= int(k)
		return first, nil, off
	}
	n := int64(len(b.ring))
	p := off % n
	c := min(k, n-p)
	first, second = b.ring[p:p+c], b.ring[:k-c]
	b.readOff += k
	b.readable -= int(k)
	return first, second, off
}
