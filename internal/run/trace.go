package run

import (
	"sync/atomic"

	"strconv"

	"tcpsim/internal/direction"
	proto "tcpsim/internal/protocol"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
	"tcpsim/model/link"
	"tcpsim/model/router"
	"tcpsim/model/tcp"
	"tcpsim/model/tcpconn"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// Options are optional instruments of a run.
type Options struct {
	// Trace, if set, receives every event of the run. Without it no
	// event is built: tracing off costs nothing on the hot path.
	Trace trace.Sink
	// Interrupt, if not nil, may be set from another goroutine (a signal
	// handler) to end the run early; the result's Reason is then
	// sim.Interrupted.
	Interrupt *atomic.Bool
	// TraceRTT adds an rtt event for every RTT sample of a TCP endpoint
	// (the sample, SRTT, RTTVAR and RTO, RFC 6298 §2). Off by default, so
	// that traces without it stay as they were.
	TraceRTT bool
	// TraceRecovery adds a recovery event whenever a TCP endpoint enters
	// or leaves loss recovery (fast recovery), for plots that shade it.
	// Off by default, so that traces without it stay as they were.
	TraceRecovery bool
	// PoisonBuffers checks the packet buffers' life (link.Pool's poison
	// mode): a buffer returned twice or written after its return panics,
	// one read after its return holds poison that fails its checksum.
	// For tests: it costs a pass over every buffer at each return.
	PoisonBuffers bool
	// QueueDelay measures every flow's queueing delays
	// (FlowResult.QueueDelay): a histogram per flow, filled at its
	// receiving host. Sweeps turn it on for their queue-delay metrics.
	QueueDelay bool
}

// tracer turns model callbacks into trace events.
type tracer struct {
	n     *Network
	sink  trace.Sink
	ev    trace.Event
	shift map[uint16]uint8 // window scale by source port, learned from the endpoints
	// last is the packet the link is delivering, so that an endpoint
	// that finds it damaged can be traced against it (rdt flows).
	last     link.Packet
	lastDir  direction.Dir
	lastNode string
	rtt      bool // trace RTT samples (Options.TraceRTT)
	rec      bool // trace loss recovery (Options.TraceRecovery)
	// dirs are the link directions by pipe name: the name events carry
	// and the nodes they join.
	dirs map[string]traceDir
	topo bool // events carry their node (topology form only)
	// ports[i] says flow i's packets carry their ports: its server port
	// is shared with other flows (scenario.ServerPort).
	ports []bool
}

// traceDir is how events name one link direction.
type traceDir struct {
	name     direction.Dir
	from, to string
}

var linkKinds = [...]string{
	link.EvEnqueue: trace.Enqueue, link.EvQueueDrop: trace.QueueDrop, link.EvTransmit: trace.Transmit,
	link.EvLost: trace.Lost, link.EvCorrupt: trace.Corrupt, link.EvDuplicate: trace.Duplicate,
	link.EvReorder: trace.Reorder, link.EvDeliver: trace.Deliver,
	link.EvEarlyDrop: trace.EarlyDrop, link.EvDequeueDrop: trace.DequeueDrop, link.EvMark: trace.ECNMark,
}

func (t *tracer) flowName(f int32) string {
	if f >= 0 && int(f) < len(t.n.sc.Flows) {
		return t.n.sc.Flows[f].Name
	}
	return ""
}

// node returns name if events carry nodes, else "".
func (t *tracer) node(name string) string {
	if t.topo {
		return name
	}
	return ""
}

// packet fills the event's packet fields from the bytes.
func (t *tracer) packet(kind string, pkt link.Packet, dir direction.Dir) *trace.Event {
	s := wire.Peek(pkt.Buf)
	t.ev = trace.Event{T: t.n.eng.Now(), Flow: t.flowName(pkt.Flow), Kind: kind, Dir: dir, Len: s.Len, Packet: pkt.Buf, ID: pkt.ID}
	switch s.Protocol {
	case wire.ProtoTCP:
		t.ev.Proto = proto.TCP.String()
		t.ev.Seq, t.ev.Ack, t.ev.Flags, t.ev.Win = s.Seq, s.Ack, wire.FlagString(s.Flags), int(s.Window)
		t.ev.SACK = sackList(s.SACK, s.NSACK)
		if f := pkt.Flow; f >= 0 && int(f) < len(t.ports) && t.ports[f] {
			t.ev.Ports = portPair(s.SrcPort, s.DstPort)
		}
		if s.Flags&wire.FlagSYN == 0 {
			t.ev.Win <<= t.shift[s.SrcPort] // windows in bytes (RFC 7323 scaling undone)
		}
	case wire.ProtoUDP:
		t.ev.Proto = proto.UDP.String()
		if f := pkt.Flow; f >= 0 && int(f) < len(t.n.sc.Flows) && scenario.IsRDT(t.n.sc.Flows[f].Protocol) {
			rdtPacket(&t.ev, pkt.Buf)
		}
	}
	return &t.ev
}

// LinkEvent implements link.Observer.
func (t *tracer) LinkEvent(dir string, ev link.Event, pkt link.Packet) {
	td := t.dirs[dir]
	at := td.from
	if ev == link.EvDeliver {
		at = td.to
		t.last, t.lastDir, t.lastNode = pkt, td.name, td.to
	}
	e := t.packet(linkKinds[ev], pkt, td.name)
	e.Node = t.node(at)
	if pkt.Fault.Scripted() && (ev == link.EvLost || ev == link.EvCorrupt) {
		e.Scripted = true
		e.Detail = faultDetail(t.n.sc, pkt.Fault)
	}
	t.sink.Event(e)
}

func (t *tracer) simple(flow, kind, detail string, v, v2 int64) {
	t.ev = trace.Event{T: t.n.eng.Now(), Flow: flow, Kind: kind, Detail: detail, Value: v, Value2: v2}
	t.sink.Event(&t.ev)
}

// install wires the tracer into nodes and links; tcpHooks does a TCP
// flow. Link directions are named by their nodes, "a->b" and "b->a" in
// the shorthand form.
func (t *tracer) install() {
	n := t.n
	t.topo = n.sc.Topology()
	t.ports = sharedPorts(n.sc)
	t.dirs = map[string]traceDir{}
	for i, p := range n.pipes {
		from, to := n.nodes[n.dirs[i].from].name, n.nodes[n.dirs[i].to].name
		t.dirs[p.Name] = traceDir{name: direction.Of(from, to), from: from, to: to}
		p.SetObserver(t)
	}
	// A node's drop on arrival is traced against the packet the link
	// just delivered to it, and that delivery's direction.
	for i := range n.nodes {
		nd := &n.nodes[i]
		if nd.host != nil {
			nd.host.OnChecksumDrop = func(pkt link.Packet) {
				e := t.packet(trace.ChecksumDrop, pkt, t.lastDir)
				e.Node = t.node(nd.name)
				t.sink.Event(e)
			}
			continue
		}
		nd.router.OnDrop = func(pkt link.Packet, why string) {
			kind := map[string]string{router.DropHeader: trace.ChecksumDrop, router.DropTTL: trace.TTLExpired, router.DropNoRoute: trace.NoRoute}[why]
			e := t.packet(kind, pkt, t.lastDir)
			e.Node = nd.name
			t.sink.Event(e)
		}
	}
}

// tcpSide observes one end of a TCP flow (or, with side "", its
// application): it traces what happens, when the run is traced, and has
// the network check the flow on every state change.
type tcpSide struct {
	t          *tracer // nil: not traced
	flow, side string
	i          int32
	conn       *tcpconn.Conn // set once the connection exists
	check      func()        // nil for the application
}

// TCPEvent implements tcp.Observer.
func (s *tcpSide) TCPEvent(ev tcp.Event, n tcp.Note) {
	if s.t != nil {
		s.t.tcpEvent(s, ev, n)
	}
	if ev == tcp.EvState && s.check != nil {
		s.check()
	}
}

// timerKinds are the trace kinds of sim.TimerOp values (TCP and rdt).
var timerKinds = [...]string{sim.TimerSet: trace.TimerSet, sim.TimerCancel: trace.TimerCancel, sim.TimerFired: trace.TimerFired}

// tcpEvent traces one event of a TCP flow's side s.
func (t *tracer) tcpEvent(s *tcpSide, ev tcp.Event, n tcp.Note) {
	flow, side := s.flow, s.side
	switch ev {
	case tcp.EvState:
		d := side + " " + n.From.String() + " => " + n.To.String()
		if s.conn != nil && n.To == tcp.Closed {
			if why := s.conn.Aborted(); why != "" {
				d += " (aborted: " + why + ")" // connection refused, reset by peer, retries exhausted
			}
		}
		t.simple(flow, trace.State, d, 0, 0)
	case tcp.EvCwnd:
		t.simple(flow, trace.Cwnd, side+" cwnd="+strconv.Itoa(n.Cwnd)+" ssthresh="+strconv.Itoa(n.Ssthresh), int64(n.Cwnd), int64(n.Ssthresh))
	case tcp.EvRwnd:
		t.simple(flow, trace.Rwnd, side+" advertises "+strconv.Itoa(n.Window), int64(n.Window), 0)
	case tcp.EvRecovery:
		if !t.rec {
			return
		}
		if n.Enter {
			t.simple(flow, trace.Recovery, side+" enters loss recovery", 1, 0)
		} else {
			t.simple(flow, trace.Recovery, side+" leaves loss recovery", 0, 0)
		}
	case tcp.EvRTT:
		if t.rtt {
			t.simple(flow, trace.RTT, side+" rtt="+n.RTT.String()+" srtt="+n.SRTT.String()+" rttvar="+n.RTTVar.String()+" rto="+n.RTO.String(), int64(n.RTT), int64(n.RTO))
		}
	case tcp.EvBBR:
		t.simple(flow, trace.BBR, side+" bbr "+n.BBRMode+" bw="+strconv.FormatInt(n.BW, 10)+"B/s min_rtt="+n.MinRTT.String(), n.BW, int64(n.MinRTT))
	case tcp.EvSegment:
		t.tcpSegment(s, n)
	case tcp.EvTimer:
		t.simple(flow, timerKinds[n.TimerOp], side+" "+n.Timer+" at "+n.At.String(), int64(n.At), 0)
	case tcp.EvApp:
		k := trace.AppRead
		if n.AppOp == tcp.AppWrite {
			k = trace.AppWrite
		}
		op := n.AppOp.String()
		t.simple(flow, k, n.Side+" "+op+"s "+strconv.FormatInt(n.Bytes, 10)+" bytes", n.Bytes, 0)
	}
}

// tcpSegment traces a segment that side s sent.
func (t *tracer) tcpSegment(s *tcpSide, n tcp.Note) {
	h, c := n.Header, s.conn
	win := int(h.Window)
	if h.Flags&wire.FlagSYN == 0 {
		if t.shift == nil {
			t.shift = map[uint16]uint8{}
		}
		t.shift[h.SrcPort] = c.WindowShift()
		win <<= c.WindowShift()
	}
	f := &t.n.sc.Flows[s.i]
	from, to := f.From, f.To
	if s.side == "server" {
		from, to = to, from
	}
	t.ev = trace.Event{T: t.n.eng.Now(), Flow: s.flow, Kind: trace.Send, Dir: direction.Of(from, to), Node: t.node(from), Proto: proto.TCP.String(),
		Seq: h.Seq, Ack: h.Ack, Flags: wire.FlagString(h.Flags), Win: win, Len: n.Len, Retrans: n.Retrans,
		SACK: sackList(h.SACK, h.NSACK)}
	if int(s.i) < len(t.ports) && t.ports[s.i] {
		t.ev.Ports = portPair(h.SrcPort, h.DstPort)
	}
	t.sink.Event(&t.ev)
}

// portPair writes a segment's ports as traces show them, as tcpdump
// does: "49152 > 80".
func portPair(src, dst uint16) string {
	return strconv.Itoa(int(src)) + " > " + strconv.Itoa(int(dst))
}

// sharedPorts says, for each flow, whether its server's port on its
// receiving host is the port of another TCP or syn-flood flow too.
func sharedPorts(sc *scenario.Scenario) []bool {
	type key struct {
		host string
		port int
	}
	count := map[key]int{}
	keyOf := func(i int) (key, bool) {
		f := &sc.Flows[i]
		if f.TCP == nil && f.Flood == nil {
			return key{}, false
		}
		return key{f.To, sc.ServerPort(i)}, true
	}
	for i := range sc.Flows {
		if k, ok := keyOf(i); ok {
			count[k]++
		}
	}
	out := make([]bool, len(sc.Flows))
	for i := range sc.Flows {
		if k, ok := keyOf(i); ok && count[k] > 1 {
			out[i] = true
		}
	}
	return out
}

// sackList copies a header's SACK blocks into a trace record's list.
func sackList(blocks [wire.MaxSACKBlocks]wire.SACKBlock, n uint8) trace.SACKList {
	var l trace.SACKList
	l.N = min(int(n), trace.MaxSACKBlocks)
	for i, b := range blocks[:l.N] {
		l.Blocks[i] = [2]uint32{b.Left, b.Right}
	}
	return l
}
