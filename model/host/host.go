// Package host models an IPv4 host at one end of a link: it verifies the
// IPv4 header and transport checksums of arriving packets and hands them to
// the endpoint bound to their protocol and destination port, and it sends
// endpoints' packets onto its outgoing link direction.
package host

import (
	"tcpsim/model/link"
	"tcpsim/model/payload"
	"tcpsim/model/tcp"
	"tcpsim/model/wire"
)

// TCPEndpoint receives verified TCP segments.
type TCPEndpoint interface {
	InputTCP(h *wire.TCP, payload []byte)
}

// UDPEndpoint receives verified UDP datagrams.
type UDPEndpoint interface {
	InputUDP(h *wire.UDP, payload []byte)
}

// DropSink is told when a packet of its flow is dropped for a bad
// checksum. Attribution uses the simulator's flow tag, since a corrupted
// header may no longer name the flow.
type DropSink interface {
	ChecksumDrop()
}

// DelaySink is told the queueing delay (link.Packet.Queued, in
// nanoseconds) of every packet of its flow that arrives at the host,
// before the host verifies it.
type DelaySink interface {
	Arrived(queued int64)
}

// Counters are a host's receive-side drops that no endpoint saw.
type Counters struct {
	IPHeaderErrors int64 // bad IPv4 header (checksum, version, length)
	NoEndpoint     int64 // valid packet for a port nobody bound
	NoRoute        int64 // sent to a destination no interface leads to (multi-homed hosts)
	// ResetsSent counts the TCP resets the host sent for segments to a
	// port nobody listens on (RFC 9293 §3.10.7.1); each such segment is
	// also counted in NoEndpoint.
	ResetsSent int64
	// NotForUs counts valid packets whose destination is another address
	// (a reply to a spoofed source): a host takes only what is sent to
	// it and forwards nothing (RFC 1122 §3.2.1.3, §3.3.1.6).
	NotForUs int64
}

type binding struct {
	tcp TCPEndpoint
	udp UDPEndpoint
}

// bindKey is the demultiplexing key of a binding: the IP protocol number
// above the 16-bit port.
func bindKey(proto uint8, port uint16) uint32 { return uint32(proto)<<16 | uint32(port) }

// connKey is the demultiplexing key of a TCP connection: the local port
// and the remote address and port (the local address is the host's), so
// that several connections share a local port (RFC 9293 §3.2: a
// connection is named by its pair of sockets).
type connKey struct {
	lport, rport uint16
	raddr        wire.Addr
}

// Host is one end of a link.
type Host struct {
	Addr wire.Addr
	out  *link.Pipe // the first interface: the only one of most hosts
	// More interfaces (a multi-homed host): routes picks one by
	// destination; a host never forwards.
	outs   []*link.Pipe
	routes map[wire.Addr]*link.Pipe
	pool   *link.Pool
	// binds maps protocol and port to the bound endpoint: one lookup per
	// packet, however many flows the host serves.
	binds map[uint32]binding
	// conns maps a TCP connection's 4-tuple to its endpoint; a segment
	// that matches none goes to the port's binding (a listener), if any.
	conns map[connKey]TCPEndpoint
	sinks []DropSink // by flow tag
	// delays are the DelaySinks by flow tag; nil when none was set, so
	// that a run without them pays one comparison per packet.
	delays []DelaySink
	c      Counters
	// Decoded headers handed to endpoints by pointer; kept here so that
	// they do not escape to the heap once per packet.
	th wire.TCP
	uh wire.UDP
	// stream remembers the TCP payload being delivered when the checksum
	// found it to be stream bytes (so that the application's check of the
	// same bytes is O(1)); tcpSum is its SumIfStream, bound once.
	stream payload.Memo
	tcpSum wire.PayloadSum
	// ecn is the IPv4 ECN field of the packet being delivered, src its
	// source address.
	ecn  uint8
	src  wire.Addr
	flow int32
	// OnChecksumDrop, if set, sees every packet dropped for a bad IPv4
	// header or transport checksum (for traces).
	OnChecksumDrop func(pkt link.Packet)
}

// New returns a host with address addr; call Attach before use.
func New(addr wire.Addr, pool *link.Pool) *Host {
	h := &Host{Addr: addr, pool: pool}
	h.tcpSum = h.stream.SumIfStream
	return h
}

// Attach adds an interface that the host sends on. A host with one
// interface sends everything on it; with more, Route says which one each
// destination takes.
func (h *Host) Attach(out *link.Pipe) {
	if h.out == nil {
		h.out = out
	}
	h.outs = append(h.outs, out)
}

// Route makes packets for dst leave on out, one of the attached
// interfaces. Only a host with several interfaces consults it.
func (h *Host) Route(dst wire.Addr, out *link.Pipe) {
	if h.routes == nil {
		h.routes = map[wire.Addr]*link.Pipe{}
	}
	h.routes[dst] = out
}

// Pool returns the packet buffer pool shared with the link.
func (h *Host) Pool() *link.Pool { return h.pool }

// Counters returns drops no endpoint saw.
func (h *Host) Counters() Counters { return h.c }

// BindTCP delivers TCP segments for port to ep, unless a connection
// bound with BindTCPConn matches them (ep is the port's listener). The
// first binding of a port stands: binding it again changes nothing.
func (h *Host) BindTCP(port uint16, ep TCPEndpoint) {
	h.bind(bindKey(wire.ProtoTCP, port), binding{tcp: ep})
}

// BindTCPConn delivers TCP segments of one connection, to local port
// lport from remote port rport of raddr, to ep (demultiplexing by the
// 4-tuple). The first binding of a 4-tuple stands.
func (h *Host) BindTCPConn(lport uint16, raddr wire.Addr, rport uint16, ep TCPEndpoint) {
	if h.conns == nil {
		h.conns = make(map[connKey]TCPEndpoint)
	}
	k := connKey{lport: lport, rport: rport, raddr: raddr}
	if _, taken := h.conns[k]; !taken {
		h.conns[k] = ep
	}
}

// BindUDP delivers UDP datagrams for port to ep. The first binding of a
// port stands: binding it again changes nothing.
func (h *Host) BindUDP(port uint16, ep UDPEndpoint) {
	h.bind(bindKey(wire.ProtoUDP, port), binding{udp: ep})
}

func (h *Host) bind(k uint32, b binding) {
	if h.binds == nil {
		h.binds = make(map[uint32]binding)
	}
	if _, taken := h.binds[k]; !taken {
		h.binds[k] = b
	}
}

// SetDropSink registers who counts checksum drops of packets tagged flow.
func (h *Host) SetDropSink(flow int32, s DropSink) {
	for int(flow) >= len(h.sinks) {
		h.sinks = append(h.sinks, nil)
	}
	h.sinks[flow] = s
}

// SetDelaySink registers who is told the queueing delay of the packets
// tagged flow that arrive here (at a flow's receiving host: its
// packets' queueing delays from sender to receiver).
func (h *Host) SetDelaySink(flow int32, s DelaySink) {
	for int(flow) >= len(h.delays) {
		h.delays = append(h.delays, nil)
	}
	h.delays[flow] = s
}

// ArrivingECN returns, while a packet is being delivered to an endpoint,
// the ECN field of its IPv4 header (RFC 3168 §5): wire.ECNCE if a queue
// marked it.
func (h *Host) ArrivingECN() uint8 { return h.ecn }

// ArrivingSource returns, while a packet is being delivered to an
// endpoint, its IPv4 source address (a listener names the connection a
// SYN asks for by it).
func (h *Host) ArrivingSource() wire.Addr { return h.src }

// ArrivingFlow returns, while a packet is being delivered to an endpoint,
// the simulator's flow tag of the packet (a listener tags its replies
// with it, so that traces show them beside what they answer).
func (h *Host) ArrivingFlow() int32 { return h.flow }

// Send puts pkt on the outgoing link: the only one, or the one routed to
// its destination. A packet with no route is dropped and counted.
func (h *Host) Send(pkt link.Packet) {
	if len(h.outs) <= 1 {
		h.out.Send(pkt)
		return
	}
	var dst wire.Addr
	if len(pkt.Buf) >= wire.IPv4HeaderLen {
		copy(dst[:], pkt.Buf[16:20])
	}
	out := h.routes[dst]
	if out == nil {
		h.c.NoRoute++
		h.pool.Put(pkt.Buf)
		return
	}
	out.Send(pkt)
}

// find returns the binding of proto and port, if any. Cost: one map
// lookup, independent of the number of bindings.
func (h *Host) find(proto uint8, port uint16) (binding, bool) {
	b, ok := h.binds[bindKey(proto, port)]
	return b, ok
}

// Stream remembers the payload of the TCP segment being delivered, while
// an endpoint handles it, if its checksum found it to be stream bytes:
// its Check of those bytes is then O(1). Outside a delivery it remembers
// nothing.
func (h *Host) Stream() *payload.Memo { return &h.stream }

// Receive implements link.Receiver: verify, demultiplex, deliver, recycle.
func (h *Host) Receive(pkt link.Packet) {
	if h.delays != nil && pkt.Flow >= 0 && int(pkt.Flow) < len(h.delays) && h.delays[pkt.Flow] != nil {
		h.delays[pkt.Flow].Arrived(pkt.Queued)
	}
	h.deliver(&pkt)
	h.stream.Forget()
	h.pool.Put(pkt.Buf)
}

// deliver verifies pkt and hands it to its endpoint.
func (h *Host) deliver(pkt *link.Packet) {
	var ip wire.IPv4
	seg, err := wire.ParseIPv4Into(&ip, pkt.Buf)
	if err != nil {
		h.c.IPHeaderErrors++
		h.checksumDrop(pkt)
		return
	}
	if ip.Dst != h.Addr {
		h.c.NotForUs++
		return
	}
	h.ecn, h.src, h.flow = ip.ECN, ip.Src, pkt.Flow
	switch ip.Protocol {
	case wire.ProtoTCP:
		data, err := wire.ParseTCPInto(&h.th, ip, seg, h.tcpSum)
		if err != nil {
			h.checksumDrop(pkt)
			return
		}
		if ep, ok := h.conns[connKey{lport: h.th.DstPort, rport: h.th.SrcPort, raddr: ip.Src}]; ok {
			ep.InputTCP(&h.th, data)
			return
		}
		if b, ok := h.find(wire.ProtoTCP, h.th.DstPort); ok {
			b.tcp.InputTCP(&h.th, data)
			return
		}
		h.refuse(&ip, pkt.Flow, len(data))
	case wire.ProtoUDP:
		uh, data, err := wire.ParseUDPWith(ip, seg, udpPayloadSum)
		if err != nil {
			h.checksumDrop(pkt)
			return
		}
		h.uh = uh
		if b, ok := h.find(wire.ProtoUDP, uh.DstPort); ok {
			b.udp.InputUDP(&h.uh, data)
			return
		}
	}
	h.c.NoEndpoint++
	if f := pkt.Flow; f >= 0 && int(f) < len(h.sinks) {
		if s, ok := h.sinks[f].(NoEndpointSink); ok {
			s.NoEndpoint()
		}
	}
}

// refuse answers the TCP segment h.th, from ip.Src, which reached no
// endpoint, with the reset of RFC 9293 §3.10.7.1 (tcp.ResetFor), tagged
// with the arriving packet's flow so that traces show it beside the
// segment it answers.
func (h *Host) refuse(ip *wire.IPv4, flow int32, n int) {
	rst, ok := tcp.ResetFor(&h.th, n)
	if !ok || h.out == nil {
		return // a RST gets none; a host with no link has nowhere to send it
	}
	h.c.ResetsSent++
	buf := wire.BuildTCP(h.pool.Get(wire.IPv4HeaderLen+wire.TCPLen(&rst, 0)), wire.IPv4{Src: h.Addr, Dst: ip.Src}, &rst, nil)
	h.Send(link.Packet{Buf: buf, Flow: flow})
}

// NoEndpointSink is a DropSink that is also told when a packet of its
// flow passed the IPv4 and UDP checks but reached no endpoint: its
// destination port was damaged on the wire (UDP without a checksum).
// The rdt 2.x flows take it for the garbled packet it is.
type NoEndpointSink interface {
	NoEndpoint()
}

// udpPayloadSum sums a datagram that carries an 8-byte sequence number
// before its stream bytes (as package udp's flows, and iperf, send): the
// number by wire.Sum, the rest by payload.SumIfStream. Both fast paths only
// save reading bytes: the checksum verified is the same.
func udpPayloadSum(b []byte) (uint64, bool) {
	if s, ok := payload.SumIfStream(b); ok {
		return s, true
	}
	if len(b) < 8 {
		return 0, false
	}
	s, ok := payload.SumIfStream(b[8:])
	return wire.Sum(s, b[:8]), ok
}

func (h *Host) checksumDrop(pkt *link.Packet) {
	if h.OnChecksumDrop != nil {
		h.OnChecksumDrop(*pkt)
	}
	flow := pkt.Flow
	if flow >= 0 && int(flow) < len(h.sinks) && h.sinks[flow] != nil {
		h.sinks[flow].ChecksumDrop()
	}
}
