// Package udp models UDP applications (RFC 768): a constant-rate sender and
// a receiver that counts what arrived. There is no handshake, no
// acknowledgement, no retransmission and no reordering: what the link loses
// is lost. Each datagram carries an 8-byte sequence number (as iperf does)
// so that the receiver can count losses, duplicates and reordering; a last
// datagram shorter than that (bytes not a multiple of the datagram size,
// with fewer than 8 bytes left over) carries only its bytes, and the
// receiver knows it by its length, shorter than any other datagram.
package udp

import (
	"encoding/binary"
	"math"
	"math/bits"
	"math/rand/v2"

	"tcpsim/model/host"
	"tcpsim/model/link"
	"tcpsim/model/payload"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// Config describes one UDP flow.
type Config struct {
	Flow             int32 // simulator tag for attribution
	Src, Dst         *host.Host
	SrcPort, DstPort uint16
	Count            int64 // datagrams to send
	Bytes            int64 // total payload; the last datagram may be short
	Datagram         int   // payload bytes per datagram, 8 to 65507
	Rate             int64 // payload bits per second, > 0
	Checksum         bool  // compute the UDP checksum (optional in IPv4)
	Start            sim.Time
	// Poisson, if not nil, makes the sends a Poisson process: the gap
	// before each next datagram is exponential with mean Datagram·8/Rate
	// seconds, drawn from this stream (the flow's own); nil sends at the
	// constant rate.
	Poisson *rand.Rand
	// Observer, if set, is told of the flow's events (EvDone).
	Observer Observer
}

// Event is what a UDP flow reports to an Observer.
type Event uint8

// Events of a UDP flow.
const (
	// EvDone: the last datagram was sent; Note.Sent is the count.
	EvDone Event = iota
)

// Note carries an event's values.
type Note struct {
	Sent int64 // EvDone: datagrams sent
}

// Observer is told of a UDP flow's events, for whoever waits on the flow;
// nil means no observer (and no cost). It is shaped like link.Observer,
// tcp.Observer and rdt.Observer: one method, an event and its values.
type Observer interface {
	UDPEvent(ev Event, n Note)
}

// Stats are a UDP flow's counters.
type Stats struct {
	Sent, SentBytes           int64
	Delivered, DeliveredBytes int64 // unique datagrams handed to the application
	Duplicates                int64
	OutOfOrder                int64 // arrived after a higher sequence number
	ChecksumDrops             int64
	CorruptDelivered          int64 // delivered with wrong bytes (checksum off); included in Delivered
	// Unplaceable counts datagrams that arrived (checksum off) so damaged
	// that no sequence number sent so far and size fit them (another
	// flow's datagram that a flipped port brought here, too): not
	// delivered, and not in CorruptDelivered, which counts only delivered
	// ones.
	Unplaceable         int64
	FirstSent, LastSent sim.Time
	LastDelivered       sim.Time
}

// Flow is a UDP sender on Src and receiver on Dst.
type Flow struct {
	cfg Config
	eng *sim.Engine
	st  Stats
	// seen is the bitset of received sequence numbers, grown (by
	// doubling) up to the highest one received, so that memory follows
	// the datagrams delivered rather than Count.
	seen    []uint64
	highest int64
	tick    sim.Action
	ipID    uint16
}

// New binds a flow's receiver on cfg.Dst; Start schedules the sender.
func New(eng *sim.Engine, cfg Config) *Flow {
	f := &Flow{cfg: cfg, eng: eng, highest: -1}
	f.tick = f.onTick
	cfg.Dst.BindUDP(cfg.DstPort, f)
	cfg.Dst.SetDropSink(cfg.Flow, f)
	return f
}

// Start schedules the first datagram: at Config.Start, or (Poisson) an
// exponential gap after it, as a Poisson process that starts then.
func (f *Flow) Start() {
	at, ok := f.cfg.Start, true
	if f.cfg.Poisson != nil {
		at, ok = f.poissonGap(f.cfg.Start)
	}
	if ok {
		f.eng.At(at, f.tick, 0)
	}
}

// Stats returns the counters so far.
func (f *Flow) Stats() Stats { return f.st }

// Done reports whether every datagram has been sent.
func (f *Flow) Done() bool { return f.st.Sent == f.cfg.Count }

// size returns datagram seq's payload size: Datagram, except for a last
// datagram that Bytes cuts short, which carries exactly what is left, so
// that the flow sends Bytes and not a byte more.
func (f *Flow) size(seq int64) int {
	if seq == f.cfg.Count-1 && f.cfg.Bytes > 0 {
		if r := int(f.cfg.Bytes - seq*int64(f.cfg.Datagram)); r < f.cfg.Datagram {
			return r
		}
	}
	return f.cfg.Datagram
}

// short returns the size of a last datagram too short to carry the
// sequence number (fewer than 8 bytes), or 0 if there is none.
func (f *Flow) short() int {
	if n := f.size(f.cfg.Count - 1); n < 8 {
		return n
	}
	return 0
}

func (f *Flow) onTick(seq uint64) {
	s := int64(seq)
	n := f.size(s)
	src, dst := f.cfg.Src, f.cfg.Dst
	buf, data := wire.UDPBuffer(src.Pool().Get(wire.IPv4HeaderLen+wire.UDPHeaderLen+n), n) // the payload is written in place
	var sum uint64
	if n < 8 {
		// The short last datagram: its bytes only (see short).
		payload.Fill(data, s*int64(f.cfg.Datagram))
		if f.cfg.Checksum {
			sum = payload.Sum(s*int64(f.cfg.Datagram), n)
		}
	} else {
		binary.BigEndian.PutUint64(data, seq)
		payload.Fill(data[8:], s*int64(f.cfg.Datagram))
		if f.cfg.Checksum { // the pattern's sum in O(1), the sequence number's by hand
			sum = wire.Sum(payload.Sum(s*int64(f.cfg.Datagram), n-8), data[:8])
		}
	}
	f.ipID++
	buf = wire.BuildUDPSum(buf, wire.IPv4{Src: src.Addr, Dst: dst.Addr, ID: f.ipID},
		wire.UDP{SrcPort: f.cfg.SrcPort, DstPort: f.cfg.DstPort}, data, f.cfg.Checksum, sum)
	now := f.eng.Now()
	if s == 0 {
		f.st.FirstSent = now
	}
	f.st.LastSent = now
	f.st.Sent++
	f.st.SentBytes += int64(n)
	src.Send(link.Packet{Buf: buf, Flow: f.cfg.Flow})
	if s+1 == f.cfg.Count && f.cfg.Observer != nil {
		defer f.cfg.Observer.UDPEvent(EvDone, Note{Sent: f.st.Sent})
	}
	if next := s + 1; next < f.cfg.Count {
		if at, ok := f.nextSend(next); ok {
			f.eng.At(at, f.tick, uint64(next))
		}
	}
}

// nextSend returns when datagram k leaves, k-1 having just left: at the
// constant rate's departure, or after an exponential gap (Config.Poisson).
func (f *Flow) nextSend(k int64) (sim.Time, bool) {
	if f.cfg.Poisson == nil {
		return f.departure(k)
	}
	return f.poissonGap(f.eng.Now())
}

// poissonGap draws the gap to the next send of a Poisson process of rate
// Rate/(Datagram·8) datagrams per second: ExpFloat64 is exponential with
// mean 1, scaled to the mean gap in nanoseconds and rounded to the
// nearest nanosecond. ok is false when the instant lies beyond sim.Time's
// range.
func (f *Flow) poissonGap(now sim.Time) (at sim.Time, ok bool) {
	mean := float64(f.cfg.Datagram) * 8 * float64(sim.Second) / float64(f.cfg.Rate)
	gap := math.Round(f.cfg.Poisson.ExpFloat64() * mean)
	if gap >= float64(math.MaxInt64-now) {
		return 0, false
	}
	return now + sim.Time(gap), true
}

// departure returns when datagram k leaves: Start + k·Datagram·8/Rate
// seconds, rounded down to the nanosecond, so that pacing never drifts.
// The product needs up to 94 bits (a billion 64 KB datagrams in
// nanoseconds), so it is formed and divided in 128 bits. ok is false when
// the instant lies beyond sim.Time's range (about 292 years): no run
// reaches it, and the datagram is never scheduled.
func (f *Flow) departure(k int64) (at sim.Time, ok bool) {
	bitNanos := uint64(f.cfg.Datagram) * 8 * uint64(sim.Second) // < 2^50 for a UDP payload
	hi, lo := bits.Mul64(uint64(k), bitNanos)
	rate := uint64(f.cfg.Rate)
	if hi >= rate {
		return 0, false // the quotient needs more than 64 bits
	}
	off, _ := bits.Div64(hi, lo, rate)
	if off > uint64(math.MaxInt64-f.cfg.Start) {
		return 0, false
	}
	return f.cfg.Start + sim.Time(off), true
}

// InputUDP implements host.UDPEndpoint.
func (f *Flow) InputUDP(h *wire.UDP, data []byte) {
	var seq int64
	content := data
	if len(data) < 8 {
		if len(data) != f.short() || len(data) == 0 {
			f.st.Unplaceable++ // no datagram is this short
			return
		}
		seq = f.cfg.Count - 1
		if seq >= f.st.Sent {
			f.st.Unplaceable++ // not sent yet: another flow's, misdelivered
			return
		}
	} else {
		seq = int64(binary.BigEndian.Uint64(data))
		// A number this flow has not sent yet is damaged, or belongs to
		// another flow's datagram that a flipped port bit (checksum off)
		// brought here: counting it would deliver more than was sent.
		if seq < 0 || seq >= f.st.Sent || len(data) != f.size(seq) {
			f.st.Unplaceable++ // header or sequence number damaged
			return
		}
		content = data[8:]
	}
	w, bit := seq/64, uint64(1)<<(seq%64)
	if w >= int64(len(f.seen)) {
		n := min(max(w+1, 2*int64(len(f.seen)), 64), (f.cfg.Count+63)/64)
		f.seen = append(f.seen, make([]uint64, n-int64(len(f.seen)))...)
	}
	if f.seen[w]&bit != 0 {
		f.st.Duplicates++
		return
	}
	f.seen[w] |= bit
	// Checked once placed and new, so that CorruptDelivered counts only
	// datagrams delivered (a damaged duplicate is discarded as such).
	if !payload.Check(content, seq*int64(f.cfg.Datagram)) {
		// Wrong bytes handed to the application: possible only without
		// a checksum (or through RFC 768's zero-checksum hole).
		f.st.CorruptDelivered++
	}
	if seq < f.highest {
		f.st.OutOfOrder++
	}
	f.highest = max(f.highest, seq)
	f.st.Delivered++
	f.st.DeliveredBytes += int64(len(data))
	f.st.LastDelivered = f.eng.Now()
}

// ChecksumDrop implements host.DropSink.
func (f *Flow) ChecksumDrop() { f.st.ChecksumDrops++ }
