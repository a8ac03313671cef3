package run

import (
	"fmt"

	"tcpsim/internal/direction"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
	"tcpsim/model/link"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// Fabric is a scenario's network without its endpoints: the links (the
// same link.Pipe as every simulated run: rate, delay, queue and AQM,
// loss, corruption, duplication, reordering), tcpsim's routers, the
// routes and the scripted faults, with the trace installed. Package
// emulate drives it in step with the wall clock and puts real kernels'
// packets on it: they enter by Send and leave through the receivers
// given to BuildFabric.
type Fabric struct {
	n *Network
	// sndMax is, per TCP connection seen (by its four-tuple), the end of
	// the highest sequence number sent, to tell first transmissions from
	// retransmissions on the wire.
	sndMax map[connKey]uint32
}

type connKey struct {
	src, dst         wire.Addr
	srcPort, dstPort uint16
}

// Emulation is what an emulated run (tcpsim emulate) reports beside the
// usual tables: how closely the relay kept the link model's times.
type Emulation struct {
	// Packets counts the packets read from the hosts' TUN devices;
	// Releases the packets written to them (delivered by a link).
	Packets, Releases int64
	// ReleaseP50, ReleaseP99 and ReleaseMax are the release error: how
	// late a packet was written after the time the link model gave it
	// (the percentiles to within hist.RelErr).
	ReleaseP50, ReleaseP99, ReleaseMax sim.Time
	// Stalls counts steps of the relay loop that took over StallOver;
	// MaxStall is the longest step.
	Stalls    int64
	StallOver sim.Time
	MaxStall  sim.Time
	// Dropped counts packets read that the relay could not place (not
	// IPv4, or from an address that is no host's).
	Dropped int64
	// CPU is the relay thread's own CPU time (user and system), and
	// Wall the time it ran: CPU/(Packets+Releases) is its cost per
	// packet event.
	CPU, Wall sim.Time
	// AwakeReleases counts the releases whose time found the relay awake
	// (spinning, or woken before it), and AwakeP99 is their release
	// error's p99: the relay's own part of the error. The others waited
	// for a sleep that woke after their time, a wait the machine's
	// scheduler decides; WakeP99 is the p99 of how much later than asked
	// the relay's sleeps woke (their overshoot).
	AwakeReleases     int64
	AwakeP99, WakeP99 sim.Time
}

// BuildFabric builds sc's nodes, links, routes, faults and trace (opt)
// with seed, without flows; what a link delivers to host i (in
// scenario.HostNames order) goes to deliver[i] instead of a model host.
func BuildFabric(sc *scenario.Scenario, seed uint64, opt Options, deliver []link.Receiver) (*Fabric, error) {
	if len(deliver) != len(sc.HostNames()) {
		return nil, fmt.Errorf("run: %d receivers for %d hosts", len(deliver), len(sc.HostNames()))
	}
	n, err := newNetwork(sc, seed, opt, deliver, func() bool { return opt.Interrupt != nil && opt.Interrupt.Load() })
	if err != nil {
		return nil, err
	}
	return &Fabric{n: n, sndMax: map[connKey]uint32{}}, nil
}

// Engine returns the engine the links run on.
func (f *Fabric) Engine() *sim.Engine { return f.n.eng }

// Pool returns the packet buffer pool the links recycle into.
func (f *Fabric) Pool() *link.Pool { return f.n.pool }

// NextRelease returns a time before which no link delivers a packet to
// a host, and false when no link ending at a host holds one (see
// link.Pipe.NextDelivery). A packet still on its way through a router
// is not counted until it enters the router's link to the host: the
// bound holds until the engine's next event, after which it must be
// asked again. Cost: one pass over the directions.
func (f *Fabric) NextRelease() (sim.Time, bool) {
	var t sim.Time
	ok := false
	for i, d := range f.n.dirs {
		if f.n.nodes[d.to].host == nil {
			continue
		}
		if at, has := f.n.pipes[i].NextDelivery(); has && (!ok || at < t) {
			t, ok = at, true
		}
	}
	return t, ok
}

// Send offers pkt, sent by host i, to the host's outgoing link (routed
// by its destination on a multi-homed host), after tracing it as a send
// event decoded from the real bytes. A TCP segment that takes sequence
// space (data, SYN or FIN) starting below the highest already seen on
// its connection is traced as a retransmission, as a capture's analysis
// would call it. It returns
// whether pkt was one.
func (f *Fabric) Send(i int, pkt link.Packet) (retrans bool) {
	s := wire.Peek(pkt.Buf)
	if s.Protocol == wire.ProtoTCP && s.OK {
		k := connKey{s.Src, s.Dst, s.SrcPort, s.DstPort}
		end := s.Seq + uint32(s.Len)
		if s.Flags&(wire.FlagSYN|wire.FlagFIN) != 0 {
			end++
		}
		if prev, ok := f.sndMax[k]; ok && end != s.Seq && int32(s.Seq-prev) < 0 {
			retrans = true
		}
		if prev, ok := f.sndMax[k]; !ok || int32(end-prev) > 0 {
			f.sndMax[k] = end
		}
	}
	if t := f.n.tr; t != nil {
		from := f.n.nodes[i].name
		to := f.hostOf(s.Dst)
		if s.Protocol == wire.ProtoTCP && s.Flags&wire.FlagSYN != 0 {
			if t.shift == nil {
				t.shift = map[uint16]uint8{}
			}
			t.shift[s.SrcPort] = uint8(s.WScale)
		}
		e := t.packet(trace.Send, pkt, direction.Of(from, to))
		e.Node = t.node(from)
		e.Retrans = retrans
		e.Packet = nil // the capture takes it as it enters the link
		t.sink.Event(e)
	}
	f.n.nodes[i].host.Send(pkt)
	return retrans
}

// hostOf names the host with address a, or its dotted form.
func (f *Fabric) hostOf(a wire.Addr) string {
	for _, nd := range f.n.nodes {
		if nd.addr == a {
			return nd.name
		}
	}
	return fmt.Sprintf("%d.%d.%d.%d", a[0], a[1], a[2], a[3])
}

// Delivered is told that a link has just delivered pkt to host i (the
// receiver runs it before writing the packet to the host's TUN): a packet
// whose IPv4 header or TCP/UDP checksum no longer matches is one the
// receiving kernel will drop (RFC 1122 §3.2.1.2, §4.2.2.7; it counts it
// in InHdrErrors or InCsumErrors), and is traced as a checksum drop at
// the host, as a simulated host's drop is.
func (f *Fabric) Delivered(i int, pkt link.Packet) {
	t := f.n.tr
	if t == nil || checksumsOK(pkt.Buf) {
		return
	}
	e := t.packet(trace.ChecksumDrop, pkt, t.lastDir)
	e.Node = t.node(f.n.nodes[i].name)
	e.Detail = "dropped by the receiving kernel's checksum"
	t.sink.Event(e)
}

// checksumsOK reports whether b's IPv4 header checksum and, for TCP and
// UDP, its transport checksum match (a UDP checksum of zero is none).
func checksumsOK(b []byte) bool {
	ip, seg, err := wire.ParseIPv4(b)
	if err != nil {
		return false
	}
	switch ip.Protocol {
	case wire.ProtoTCP:
		_, _, err = wire.ParseTCP(ip, seg)
	case wire.ProtoUDP:
		_, _, err = wire.ParseUDP(ip, seg)
	}
	return err == nil
}

// Note traces a line about flow (empty for the run) at the engine's
// current time: kind is a trace kind such as trace.State or trace.Cwnd.
func (f *Fabric) Note(flow, kind, detail string, v, v2 int64) {
	if f.n.tr != nil {
		f.n.tr.simple(flow, kind, detail, v, v2)
	}
}

// Result collects the run's outcome, given the flows' results (in
// scenario order), the reason it ended and the relay's figures.
func (f *Fabric) Result(reason sim.StopReason, flows []FlowResult, em Emulation) *Result {
	r := f.n.result(reason, flows)
	r.Emulated = &em
	return r
}
