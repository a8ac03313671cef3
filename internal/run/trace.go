package run

import (
	"sync/atomic"

	"strconv"

	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
	"tcpsim/model/link"
	"tcpsim/model/tcp"
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
}

// tracer turns model callbacks into trace events.
type tracer struct {
	n     *Network
	sink  trace.Sink
	ev    trace.Event
	shift map[uint16]uint8 // window scale by source port, learned from the endpoints
	// last is the packet the link is delivering, so that an endpoint
	// that finds it damaged can be traced against it (rdt flows).
	last    link.Packet
	lastDir string
	rtt     bool // trace RTT samples (Options.TraceRTT)
	rec     bool // trace loss recovery (Options.TraceRecovery)
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

func dirName(src wire.Addr) string {
	if src == AddrB {
		return "b->a"
	}
	return "a->b"
}

// packet fills the event's packet fields from the bytes.
func (t *tracer) packet(kind string, pkt link.Packet, dir string) *trace.Event {
	s := wire.Peek(pkt.Buf)
	t.ev = trace.Event{T: t.n.eng.Now(), Flow: t.flowName(pkt.Flow), Kind: kind, Dir: dir, Len: s.Len, Packet: pkt.Buf, ID: pkt.ID}
	switch s.Protocol {
	case wire.ProtoTCP:
		t.ev.Proto = "tcp"
		t.ev.Seq, t.ev.Ack, t.ev.Flags, t.ev.Win = s.Seq, s.Ack, wire.FlagString(s.Flags), int(s.Window)
		t.ev.SACK = sackList(s.SACK, s.NSACK)
		if s.Flags&wire.FlagSYN == 0 {
			t.ev.Win <<= t.shift[s.SrcPort] // windows in bytes (RFC 7323 scaling undone)
		}
	case wire.ProtoUDP:
		t.ev.Proto = "udp"
		if f := pkt.Flow; f >= 0 && int(f) < len(t.n.sc.Flows) && scenario.IsRDT(t.n.sc.Flows[f].Protocol) {
			rdtPacket(&t.ev, pkt.Buf)
		}
	}
	return &t.ev
}

// LinkEvent implements link.Observer.
func (t *tracer) LinkEvent(dir string, ev link.Event, pkt link.Packet) {
	d := "a->b"
	if dir == "reverse" {
		d = "b->a"
	}
	if ev == link.EvDeliver {
		t.last, t.lastDir = pkt, d
	}
	e := t.packet(linkKinds[ev], pkt, d)
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

// install wires the tracer into hosts and links; tcpHooks does a TCP flow.
func (t *tracer) install() {
	for i, p := range t.n.pipes {
		p.SetObserver(t)
		h := t.n.hosts[1-i]
		dir := [2]string{"a->b", "b->a"}[i]
		h.OnChecksumDrop = func(pkt link.Packet) {
			t.sink.Event(t.packet(trace.ChecksumDrop, pkt, dir))
		}
	}
}

// tcpConfig adds the endpoint hooks of one side to cfg.
func (t *tracer) tcpConfig(cfg *tcp.Config, flow, side string) {
	cfg.OnState = func(from, to tcp.State) {
		t.simple(flow, trace.State, side+" "+from.String()+" => "+to.String(), 0, 0)
	}
	cfg.OnCwnd = func(cwnd, ssthresh int) {
		t.simple(flow, trace.Cwnd, side+" cwnd="+strconv.Itoa(cwnd)+" ssthresh="+strconv.Itoa(ssthresh), int64(cwnd), int64(ssthresh))
	}
	cfg.OnRwnd = func(adv int) {
		t.simple(flow, trace.Rwnd, side+" advertises "+strconv.Itoa(adv), int64(adv), 0)
	}
	if t.rec {
		cfg.OnRecovery = func(enter bool) {
			if enter {
				t.simple(flow, trace.Recovery, side+" enters loss recovery", 1, 0)
			} else {
				t.simple(flow, trace.Recovery, side+" leaves loss recovery", 0, 0)
			}
		}
	}
	if !t.rtt {
		return
	}
	cfg.OnRTT = func(r, srtt, rttvar, rto sim.Time) {
		t.simple(flow, trace.RTT, side+" rtt="+r.String()+" srtt="+srtt.String()+" rttvar="+rttvar.String()+" rto="+rto.String(), int64(r), int64(rto))
	}
}

// tcpConn adds the connection hooks of one side.
func (t *tracer) tcpConn(c *tcp.Conn, flow, side string, i int32) {
	c.OnSegment = func(h *wire.TCP, n int, retrans bool) {
		win := int(h.Window)
		if h.Flags&wire.FlagSYN == 0 {
			if t.shift == nil {
				t.shift = map[uint16]uint8{}
			}
			t.shift[h.SrcPort] = c.WindowShift()
			win <<= c.WindowShift()
		}
		src := AddrA
		if (side == "server") != (t.n.sc.Flows[i].From == "b") {
			src = AddrB
		}
		t.ev = trace.Event{T: t.n.eng.Now(), Flow: flow, Kind: trace.Send, Dir: dirName(src), Proto: "tcp",
			Seq: h.Seq, Ack: h.Ack, Flags: wire.FlagString(h.Flags), Win: win, Len: n, Retrans: retrans,
			SACK: sackList(h.SACK, h.NSACK)}
		t.sink.Event(&t.ev)
	}
	c.OnTimer = func(kind, timer string, at sim.Time) {
		k := map[string]string{"set": trace.TimerSet, "cancel": trace.TimerCancel, "fired": trace.TimerFired}[kind]
		t.simple(flow, k, side+" "+timer+" at "+at.String(), int64(at), 0)
	}
}

func (t *tracer) app(a *tcp.App, flow string) {
	a.OnApp = func(side, kind string, n int64) {
		k := trace.AppRead
		if kind == "write" {
			k = trace.AppWrite
		}
		t.simple(flow, k, side+" "+kind+"s "+strconv.FormatInt(n, 10)+" bytes", n, 0)
	}
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
