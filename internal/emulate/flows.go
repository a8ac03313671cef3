package emulate

import (
	"tcpsim/model/link"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// classifier tags the real packets with the scenario's flows (the tag
// that the link's per-flow loss streams and the fault script key on) and
// measures each flow on the wire, as a capture would.
type classifier struct {
	addrs []wire.Addr // by host index
	flows []wireFlow  // by flow index
	// fixed maps the four-tuple of a built-in flow's connection (both
	// ways) to its flow; learned maps connections of commands' flows,
	// found by their hosts.
	fixed   map[tuple]int32
	learned map[tuple]int32
}

type tuple struct {
	proto            uint8
	src, dst         wire.Addr
	srcPort, dstPort uint16
}

// wireFlow is one flow as the wire shows it: its first connection (the
// first SYN from its sending host) and what crossed.
type wireFlow struct {
	from, to int  // host indexes: the flow's sender and receiver
	builtin  bool // carried by tcpsim's own sender and reader
	command  bool // carried by a user command (on either host)

	conn      tuple // the sender's side of the first connection
	synAt     sim.Time
	synSeen   bool
	estAt     sim.Time // the sender's first ACK after its SYN: the handshake is done
	est       bool
	iss       uint32
	sndMax    uint32 // highest sequence sent + 1, sender side
	segments  int64  // segments from the sender, retransmissions included
	received  int64  // segments the link delivered to the receiver
	retrans   int64  // sender's segments below sndMax with data
	dupAcks   int64  // RFC 5681 §2 duplicate ACKs from the receiver
	lastAck   uint32
	lastWin   uint16
	ackSeen   bool
	highAck   uint32 // the receiver's highest cumulative ACK
	highAckAt sim.Time
	finSent   bool
	finEnd    uint32 // the sequence number after the sender's FIN
}

func newClassifier(addrs []wire.Addr, flows []wireFlow) *classifier {
	return &classifier{addrs: addrs, flows: flows, fixed: map[tuple]int32{}, learned: map[tuple]int32{}}
}

// fix binds the built-in connection (protocol proto) of flow f, client
// side c:cport, server side s:sport.
func (c *classifier) fix(f int32, proto uint8, cl wire.Addr, cport uint16, sv wire.Addr, sport uint16) {
	c.fixed[tuple{proto, cl, sv, cport, sport}] = f
	c.fixed[tuple{proto, sv, cl, sport, cport}] = f
}

func (c *classifier) hostOf(a wire.Addr) int {
	for i, h := range c.addrs {
		if h == a {
			return i
		}
	}
	return -1
}

// sent classifies a packet host i sent at time now and measures it. It
// reports false for a packet the relay cannot place (not IPv4, or not
// from host i's address).
func (c *classifier) sent(i int, b []byte, now sim.Time) (int32, bool) {
	s := wire.Peek(b)
	if len(b) < wire.IPv4HeaderLen || b[0]>>4 != 4 || s.Src != c.addrs[i] {
		return -1, false
	}
	k := tuple{s.Protocol, s.Src, s.Dst, s.SrcPort, s.DstPort}
	f, ok := c.fixed[k]
	if !ok {
		f, ok = c.learned[k]
	}
	if !ok {
		f = c.match(i, c.hostOf(s.Dst))
		if len(c.learned) < 1<<16 {
			c.learned[k] = f
			c.learned[tuple{s.Protocol, s.Dst, s.Src, s.DstPort, s.SrcPort}] = f
		}
	}
	if f >= 0 && s.Protocol == wire.ProtoTCP && s.OK {
		c.flows[f].observe(i, k, &s, now)
	}
	if f >= 0 && s.Protocol == wire.ProtoUDP && i == c.flows[f].from {
		c.flows[f].segments++ // datagrams from the sender
	}
	return f, true
}

// match finds the flow of a new connection between hosts a and b: the
// first command-carried flow between them, else the first flow between
// them, else none (-1).
func (c *classifier) match(a, b int) int32 {
	best := int32(-1)
	for j := range c.flows {
		w := &c.flows[j]
		if !(w.from == a && w.to == b || w.from == b && w.to == a) {
			continue
		}
		if w.command {
			return int32(j)
		}
		if best < 0 && !w.builtin {
			best = int32(j)
		}
	}
	return best
}

// delivered counts a packet the link hands to host i.
func (c *classifier) delivered(i int, pkt link.Packet) {
	if pkt.Flow >= 0 && int(pkt.Flow) < len(c.flows) && c.flows[pkt.Flow].to == i {
		c.flows[pkt.Flow].received++
	}
}

// observe measures a TCP segment of the flow sent by host i.
func (w *wireFlow) observe(i int, k tuple, s *wire.Summary, now sim.Time) {
	fromSender := i == w.from
	// The flow's connection is its sender's first SYN, or a later one on
	// other ports if the first was never established (a client that
	// tries again after its server refused it).
	if fromSender && s.Flags&wire.FlagSYN != 0 && s.Flags&wire.FlagACK == 0 && (!w.synSeen || !w.est && k != w.conn) {
		w.synSeen, w.conn, w.synAt, w.iss, w.sndMax = true, k, now, s.Seq, s.Seq+1
		w.ackSeen, w.finSent, w.highAck, w.highAckAt = false, false, 0, 0
	}
	if !w.synSeen {
		return
	}
	rev := tuple{k.proto, k.dst, k.src, k.dstPort, k.srcPort}
	switch {
	case fromSender && k == w.conn:
		w.segments++
		if !w.est && s.Flags&wire.FlagACK != 0 && s.Flags&wire.FlagSYN == 0 {
			w.est, w.estAt = true, now
		}
		end := s.Seq + uint32(s.Len)
		if s.Flags&wire.FlagFIN != 0 {
			end++
		}
		if int32(end-w.sndMax) > 0 {
			w.sndMax = end
		}
		if s.Flags&wire.FlagFIN != 0 {
			w.finSent, w.finEnd = true, end
		}
	case !fromSender && rev == w.conn && s.Flags&wire.FlagACK != 0:
		// RFC 5681 §2: a duplicate ACK acknowledges nothing new, carries
		// no data, no SYN or FIN, the same window, while data is
		// outstanding.
		if w.ackSeen && s.Len == 0 && s.Flags&(wire.FlagSYN|wire.FlagFIN|wire.FlagRST) == 0 &&
			s.Ack == w.lastAck && s.Window == w.lastWin && s.Ack != w.sndMax {
			w.dupAcks++
		}
		if !w.ackSeen || int32(s.Ack-w.highAck) > 0 {
			w.highAck, w.highAckAt = s.Ack, now
		}
		w.lastAck, w.lastWin, w.ackSeen = s.Ack, s.Window, true
	}
}

// deliveredBytes is what the receiver acknowledged of the sender's data
// (SYN and FIN not counted).
func (w *wireFlow) deliveredBytes() int64 {
	if !w.ackSeen || !w.synSeen {
		return 0
	}
	n := int64(int32(w.highAck - (w.iss + 1)))
	if w.finSent && w.highAck == w.finEnd {
		n-- // the FIN's sequence number
	}
	return max(n, 0)
}
