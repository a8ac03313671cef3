package link

import "fmt"

// Pool recycles packet buffers so that traffic does not allocate once the
// run has made as many buffers as it ever holds at once. It belongs to one
// run (the network passes it to every host, router and link direction):
// a plain free list per size class, deterministic and single-threaded like
// everything inside a run.
//
// A buffer's life: a transport takes it with Get, builds its packet in it
// and hands the packet to its host; from then on the buffer belongs to the
// packet, and whoever ends the packet's life returns it exactly once with
// Put: the receiving host after the endpoint has consumed the payload,
// or whoever drops it (a queue, the wire's loss, a scripted fault, a
// router's header or TTL check, a host without a route). A copy of a
// packet (duplication on the wire) is built in a buffer of its own;
// observers (traces, captures) read the bytes only while they are called.
//
// Size classes keep a queue of acknowledgements from holding
// full-sized buffers, and buffers are cut from slabs of up to slabBytes,
// so that a burst that queues tens of thousands of packets costs a few
// thousand allocations rather than one per packet (issue 23).
//
// In poison mode (SetPoison, for tests) the pool checks the contract: a
// buffer returned twice panics, a returned buffer is overwritten with
// PoisonByte over its whole capacity, and Get panics if a buffer it hands
// out again was written after it was returned. A read after return sees
// the poison, which fails every checksum.
type Pool struct {
	classes [len(classSizes)]sizeClass
	poison  bool
	// free holds, in poison mode, the buffers in the pool by the address
	// of their first byte, to catch a second return.
	free map[*byte]struct{}
	made int // buffers made
	out  int // buffers handed out and not returned
}

// sizeClass is the free list of one buffer size.
type sizeClass struct {
	free [][]byte
	made int // buffers of this size made, which sets the next slab's size
}

// classSizes are the buffer capacities the pool keeps, smallest first: a
// bare TCP acknowledgement (40 bytes) with options up to a jumbo frame.
// 1536 holds a full Ethernet-sized packet (1500 bytes) with little waste.
var classSizes = [...]int{128, 256, 512, 1024, 1536, 2048, 4096, 9216, 16384, 65536}

// slabBytes bounds the slab a class cuts its buffers from: a class's
// slabs double from one buffer up to this size.
const slabBytes = 64 << 10

// PoisonByte is what a buffer holds after it was returned, in poison mode.
const PoisonByte = 0xA5

// NewPool returns an empty pool.
func NewPool() *Pool { return &Pool{} }

// SetPoison turns poison mode on or off (see Pool). Set it before the
// first Get: it checks only the buffers returned while it is on.
func (p *Pool) SetPoison(on bool) {
	p.poison = on
	if on && p.free == nil {
		p.free = make(map[*byte]struct{})
	}
}

// smallClass is classOf for n up to 2048 bytes (every packet of an
// Ethernet-sized MTU), by 128-byte blocks: smallClass[(n+127)/128].
var smallClass = [17]int8{0, 0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5}

// classOf returns the index of the smallest class holding n bytes, or -1
// if n is larger than every class.
func classOf(n int) int {
	if uint(n) <= 2048 {
		return int(smallClass[(n+127)>>7])
	}
	for i, s := range classSizes {
		if n <= s {
			return i
		}
	}
	return -1
}

// Get returns an empty buffer with capacity at least n bytes (n is the
// packet's length, so that building it does not grow the buffer). Cost:
// O(1); an allocation only when the class's free list is empty, of a
// slab of buffers at once.
func (p *Pool) Get(n int) []byte {
	p.out++
	i := classOf(n)
	if i < 0 {
		p.made++
		return make([]byte, 0, n)
	}
	c := &p.classes[i]
	if len(c.free) == 0 {
		p.refill(c, classSizes[i])
	}
	b := c.free[len(c.free)-1]
	c.free = c.free[:len(c.free)-1]
	if p.poison {
		p.unpoison(b)
	}
	return b[:0]
}

// refill cuts a new slab into buffers of size bytes: as many as the class
// has made so far (so slabs double), at least one, at most slabBytes'
// worth. Each buffer's capacity ends where the next begins, so appending
// to one never writes into its neighbour.
func (p *Pool) refill(c *sizeClass, size int) {
	k := min(max(1, c.made), max(1, slabBytes/size))
	slab := make([]byte, k*size)
	for j := k - 1; j >= 0; j-- {
		b := slab[j*size : j*size : (j+1)*size]
		if p.poison {
			b = b[:size]
			for i := range b {
				b[i] = PoisonByte
			}
			p.free[&b[0]] = struct{}{}
			b = b[:0]
		}
		c.free = append(c.free, b)
	}
	c.made += k
	p.made += k
}

// Put returns a buffer to the pool; the caller and everyone it lent the
// buffer to must not use it afterwards. A buffer smaller than the
// smallest class is left to the garbage collector; a larger one joins the
// largest class it holds.
func (p *Pool) Put(b []byte) {
	p.out--
	i := len(classSizes) - 1
	for i >= 0 && classSizes[i] > cap(b) {
		i--
	}
	if i < 0 {
		return
	}
	if p.poison {
		p.poisonBuf(b)
	}
	p.classes[i].free = append(p.classes[i].free, b[:0])
}

// poisonBuf checks that b is not already in the pool and overwrites it.
func (p *Pool) poisonBuf(b []byte) {
	b = b[:cap(b)]
	k := &b[0]
	if _, dup := p.free[k]; dup {
		panic(fmt.Sprintf("link: packet buffer %p returned to the pool twice", k))
	}
	p.free[k] = struct{}{}
	for i := range b {
		b[i] = PoisonByte
	}
}

// unpoison checks that b was not written since it was returned.
func (p *Pool) unpoison(b []byte) {
	b = b[:cap(b)]
	k := &b[0]
	for i, v := range b {
		if v != PoisonByte {
			panic(fmt.Sprintf("link: packet buffer %p written at byte %d after it was returned to the pool", k, i))
		}
	}
	delete(p.free, k)
}

// Outstanding returns how many buffers Get handed out that Put has not
// taken back: at the end of a run, the packets still queued or on the
// wire (a check that every packet's buffer is returned exactly once).
func (p *Pool) Outstanding() int { return p.out }

// Made returns how many buffers the pool has allocated.
func (p *Pool) Made() int { return p.made }
