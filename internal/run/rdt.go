package run

import (
	"strconv"

	"tcpsim/internal/direction"
	proto "tcpsim/internal/protocol"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
	"tcpsim/model/host"
	"tcpsim/model/link"
	"tcpsim/model/rdt"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// RDTPortBase is the first receiver port of the rdt flows: flow i's
// receiver listens on RDTPortBase+i and its sender on 49152+i. Both lie
// in the dynamic range that IANA never assigns (RFC 6335 §6), so no
// Wireshark dissector claims them: a capture shows plain UDP whose first
// 10 data bytes are the rdt header (model/rdt.HeaderLen).
const RDTPortBase = 61000

// RDTResult holds the measurements of a stop-and-wait, go-back-n or
// selective-repeat flow.
type RDTResult struct {
	Verified string // "yes", "no" (wrong bytes delivered) or "partial" (transfer unfinished)
	// Utilisation is the fraction of the time from the flow's start to
	// the last ACK the sender needed during which the sender's link
	// transmitter was sending this flow's data packets (see
	// rdt.Flow.Utilisation).
	Utilisation float64
	WrongBytes  int64
	Window      int
	SeqBits     int
	// Failure says why a flow that ran to its end did not complete:
	// wrong bytes, a sender that saw every packet acknowledged while
	// the receiver still missed some, or a deadlock.
	Failure string
	// Deadlock: an rdt 2.x flow (no timer) whose run ran out of events
	// before it finished: each end waits for the other for ever.
	Deadlock bool
	// SenderState and ReceiverState are the K&R FSM states the ends of
	// an rdt 2.x flow ended in ("" for the other protocols).
	SenderState, ReceiverState             string
	Sender                                 rdt.SenderStats
	Receiver                               rdt.ReceiverStats
	HostDropsAtSender, HostDropsAtReceiver int64
}

type rdtFlow struct {
	spec *scenario.Flow
	f    *rdt.Flow
	net  *Network // for the reason the run ended (a deadlock is a drained run)
	// undetectable: a scripted fault corrupts this flow's data so that
	// the checksum cannot see it.
	undetectable bool
}

func newRDTFlow(n *Network, i int, f *scenario.Flow, src, dst *host.Host, out *link.Pipe) (flow, error) {
	cfg, err := f.RDTConfig()
	if err != nil {
		return nil, err
	}
	obs := &rdtSide{t: n.tr, flow: f.Name, check: n.checker(i)}
	if n.tr != nil {
		obs.from, obs.to = f.From, f.To
	}
	rf := rdt.NewFlow(n.eng, rdt.FlowConfig{
		Config: cfg, Flow: int32(i), Src: src, Dst: dst,
		SrcPort: uint16(49152 + i), DstPort: uint16(RDTPortBase + i),
		Link: out, Start: sim.Time(f.Start),
	}, obs)
	x := &rdtFlow{spec: f, f: rf, net: n}
	for _, ft := range n.sc.Faults {
		x.undetectable = x.undetectable || ft.Flow == f.Name && ft.Undetectable
	}
	return x, nil
}

func (r *rdtFlow) start() { r.f.Start() }

func (r *rdtFlow) release() {}

func (r *rdtFlow) finished() bool {
	done, _ := r.f.Sender().Done()
	return done
}

func (r *rdtFlow) result(now sim.Time) FlowResult {
	snd, rcv, app := r.f.Sender().Stats(), r.f.Receiver().Stats(), r.f.App()
	done, _ := r.f.Sender().Done()
	res := FlowResult{
		Name: r.spec.Name, Protocol: r.spec.Protocol,
		OfferedBytes: app.Total, DeliveredBytes: app.Delivered,
		PacketsSent:   snd.DataSent + rcv.AcksSent,
		PacketsRecv:   rcv.DataReceived + snd.AcksReceived,
		ChecksumDrops: rcv.Corrupt + snd.CorruptAcks + r.f.HostDrops(rdt.SenderSide) + r.f.HostDrops(rdt.ReceiverSide),
		Duplicates:    rcv.Duplicates,
		OutOfOrder:    rcv.OutOfOrderDiscarded + rcv.OutOfOrderBuffered,
		Start:         sim.Time(r.spec.Start), Completion: -1,
	}
	if app.DoneAt >= 0 {
		res.Completion = app.DoneAt - res.Start
		res.Goodput = goodput(app.Delivered, res.Completion)
	} else {
		res.partialGoodput(now)
	}
	if app.Total > 0 {
		res.DeliveryRatio = float64(app.Delivered) / float64(app.Total)
	}
	x := &RDTResult{
		Utilisation: r.f.Utilisation(now), WrongBytes: app.Wrong,
		Window: r.spec.RDT.Window, SeqBits: r.spec.RDT.SeqBits,
		Sender: snd, Receiver: rcv,
		SenderState: fsmName(r.f.Sender().State()), ReceiverState: fsmName(r.f.Receiver().State()),
		HostDropsAtSender: r.f.HostDrops(rdt.SenderSide), HostDropsAtReceiver: r.f.HostDrops(rdt.ReceiverSide),
	}
	switch {
	case app.Wrong > 0:
		x.Verified = "NO"
		x.Failure = "delivered " + strconv.FormatInt(app.Wrong, 10) + " wrong bytes (an old packet taken for a new one: too few sequence numbers for the window)"
		if r.undetectable {
			x.Failure = "delivered " + strconv.FormatInt(app.Wrong, 10) + " wrong bytes (a scripted corruption the checksum cannot see, or an old packet taken for a new one)"
		}
	case app.DoneAt < 0:
		x.Verified = "partial"
		if done {
			x.Failure = "the sender saw every packet acknowledged, but the receiver is missing some (an old ACK taken for a new one: too few sequence numbers for the window)"
		}
	default:
		x.Verified = "yes"
	}
	if !done && app.Wrong == 0 && !cfgHasTimer(r.spec) && r.net.drained {
		// Also with every byte delivered: rdt 2.0's sender that got a
		// corrupted last ACK never learns it.
		x.Deadlock = true
		x.Failure = r.deadlock()
	}
	res.Complete = done && app.DoneAt >= 0 && app.Wrong == 0
	res.RDT = x
	return res
}

// rdtPacket fills an event's rdt fields from a packet known to belong to
// an rdt flow.
func rdtPacket(e *trace.Event, buf []byte) {
	if len(buf) < wire.IPv4HeaderLen {
		return
	}
	off := int(buf[0]&0x0f)*4 + wire.UDPHeaderLen
	if off > len(buf) {
		return
	}
	h, ok := rdt.Peek(buf[off:])
	if !ok {
		return
	}
	e.Proto, e.Flags, e.Seq, e.Ack, e.Len = "rdt", h.Type.String(), uint32(h.Seq), uint32(h.Ack), len(buf)-off-rdt.HeaderLen
}

// rdtSide observes an rdt flow: it traces what happens, when the run is
// traced, and has the network check the flow when its sender is done.
type rdtSide struct {
	t        *tracer // nil: not traced
	flow     string
	from, to string // the sending and receiving host
	check    func()
}

// RDTEvent implements rdt.Observer.
func (r *rdtSide) RDTEvent(ev rdt.Event, n rdt.Note) {
	if ev == rdt.EvDone {
		r.check()
		return
	}
	t := r.t
	if t == nil {
		return
	}
	switch ev {
	case rdt.EvSent:
		from, to := r.from, r.to
		if n.Side == rdt.ReceiverSide {
			from, to = to, from
		}
		h := n.Header
		t.ev = trace.Event{T: t.n.eng.Now(), Flow: r.flow, Kind: trace.Send, Dir: direction.Of(from, to), Node: t.node(from), Proto: proto.RDT.String(),
			Flags: h.Type.String(), Seq: uint32(h.Seq), Ack: uint32(h.Ack), Len: n.Len, Retrans: n.Retrans}
		t.sink.Event(&t.ev)
	case rdt.EvTimer:
		t.simple(r.flow, timerKinds[n.TimerOp], "sender retransmission timer for pkt "+strconv.Itoa(int(n.Seq))+" at "+n.At.String(), int64(n.At), int64(n.Seq))
	case rdt.EvDecision:
		t.simple(r.flow, trace.Decision, n.Side.String()+": "+n.Text, 0, 0)
	case rdt.EvState:
		// K&R's FSM state names (rdt 2.x): "sender: wait for call 0 from
		// above => wait for ACK or NAK 0 [rdt_send(data) / ...]".
		if n.From == rdt.NoState {
			t.simple(r.flow, trace.State, n.Side.String()+": "+n.To.String(), 0, 0)
			return
		}
		t.simple(r.flow, trace.State, n.Side.String()+": "+n.From.String()+" => "+n.To.String()+" ["+n.Text+"]", 0, 0)
	case rdt.EvCorrupt:
		// The packet the link just delivered failed the rdt checksum.
		if t.lastDir == "" {
			return
		}
		e := t.packet(trace.ChecksumDrop, t.last, t.lastDir)
		e.Node = t.node(t.lastNode)
		t.sink.Event(e)
	}
}

// cfgHasTimer reports whether the flow's protocol has a retransmission
// timer (every rdt protocol but rdt 2.x).
func cfgHasTimer(f *scenario.Flow) bool {
	c, err := f.RDTConfig()
	return err != nil || c.Protocol.HasTimer()
}

// fsmName is a state's K&R name, or "" for none.
func fsmName(s rdt.State) string {
	if s == rdt.NoState {
		return ""
	}
	return s.String()
}

// deadlock says why an rdt 2.x flow stopped: rdt 2.0 took a corrupted
// ACK or NAK it has no transition for, or a packet was lost and neither
// end has a timer to notice.
func (r *rdtFlow) deadlock() string {
	snd, rcv := r.f.Sender(), r.f.Receiver()
	why := "a packet or its ACK was lost and " + r.spec.Protocol + " has no timer (K&R §3.4.1 assumes a channel that loses nothing)"
	if snd.Stuck() {
		why = "rdt 2.0's sender got a corrupted ACK or NAK, for which its FSM has no transition (K&R §3.4.1)"
	}
	return "deadlocked: " + why + ": the sender waits in \"" + snd.State().String() + "\" and the receiver in \"" + rcv.State().String() + "\" for ever"
}
