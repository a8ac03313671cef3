package rdt

import (
	"strconv"

	"tcpsim/model/host"
	"tcpsim/model/link"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// FlowConfig binds a protocol configuration to the engine and two hosts.
// The sender runs on Src, bound to UDP port SrcPort; the receiver on Dst,
// port DstPort. Packets travel as UDP datagrams without a UDP checksum
// (RFC 768 allows none in IPv4): the rdt header's own checksum is the one
// that detects corruption, as the textbook's protocols do.
type FlowConfig struct {
	Config
	Flow             int32 // simulator tag for attribution
	Src, Dst         *host.Host
	SrcPort, DstPort uint16
	// Link is the direction Src sends on: its rate gives each data
	// packet's transmission time, for the sender's utilisation.
	Link  *link.Pipe
	Start sim.Time
}

// Flow is an rdt sender on Src and receiver on Dst.
type Flow struct {
	cfg   FlowConfig
	eng   *sim.Engine
	snd   *Sender
	rcv   *Receiver
	app   *Verifier
	obs   Observer
	timer *sim.Timer
	// busyAtDone is the sender's link's transmitter time spent on this
	// flow's packets when the last ACK arrived (see Utilisation).
	busyAtDone     sim.Time
	ipID           [2]uint16
	hostDrops      [2]int64 // by Side: packets the host dropped (bad IPv4 header, bad UDP length)
	notifiedDone   bool
	sndIn, rcvIn   port
	sndOut, rcvOut output
}

// port delivers one end's UDP datagrams and host-level drops.
type port struct {
	f    *Flow
	side Side
}

// output is one end's Output.
type output struct {
	f    *Flow
	side Side
}

// NewFlow builds a flow (cfg must Validate) and binds its ports; obs, if
// not nil, is told of every event of the sender, the receiver, the
// receiving application and the flow itself. Start schedules the first
// window.
func NewFlow(eng *sim.Engine, cfg FlowConfig, obs Observer) *Flow {
	f := &Flow{cfg: cfg, eng: eng, obs: obs}
	f.sndIn, f.rcvIn = port{f, SenderSide}, port{f, ReceiverSide}
	f.sndOut, f.rcvOut = output{f, SenderSide}, output{f, ReceiverSide}
	f.app = NewVerifier(cfg.Bytes, eng)
	if obs != nil {
		f.app.Observer = wrongBytes{f}
	}
	f.snd = NewSender(cfg.Config, eng, &f.sndOut, obs)
	f.rcv = NewReceiver(cfg.Config, f.app, &f.rcvOut, obs)
	f.timer = sim.NewTimer(eng, f.onTimer)
	cfg.Link.TrackBusy(cfg.Flow)
	cfg.Src.BindUDP(cfg.SrcPort, &f.sndIn)
	cfg.Dst.BindUDP(cfg.DstPort, &f.rcvIn)
	cfg.Src.SetDropSink(cfg.Flow, &f.sndIn)
	cfg.Dst.SetDropSink(cfg.Flow, &f.rcvIn)
	return f
}

// wrongBytes tells the flow's observer of the application's wrong bytes,
// as a decision of the receiver.
type wrongBytes struct{ f *Flow }

// RDTEvent implements Observer for the Verifier.
func (w wrongBytes) RDTEvent(ev Event, n Note) {
	if ev != EvWrong {
		w.f.obs.RDTEvent(ev, n)
		return
	}
	w.f.obs.RDTEvent(EvDecision, Note{Side: ReceiverSide, Text: "application got " + strconv.FormatInt(n.Bytes, 10) + " WRONG bytes at stream offset " +
		strconv.FormatInt(n.Off, 10) + " (packet #" + strconv.FormatInt(n.Off/int64(w.f.cfg.Packet), 10) + "): an old packet taken for a new one"})
}

// Start schedules the first window at the flow's start time.
func (f *Flow) Start() {
	f.eng.At(f.cfg.Start, func(uint64) {
		if f.cfg.Protocol.rdt2() {
			f.rcv.Start()
		}
		f.snd.Start()
		f.arm()
	}, 0)
}

// Sender returns the sending end.
func (f *Flow) Sender() *Sender { return f.snd }

// Receiver returns the receiving end.
func (f *Flow) Receiver() *Receiver { return f.rcv }

// App returns the receiving application.
func (f *Flow) App() *Verifier { return f.app }

// HostDrops returns the packets of this flow that the host at side
// dropped before the rdt layer saw them (bad IPv4 header checksum, bad
// UDP length).
func (f *Flow) HostDrops(side Side) int64 { return f.hostDrops[side] }

// Utilisation returns the sender's utilisation (K&R §3.4.2): the fraction
// of the time from the flow's start to the last ACK it needed (or to now,
// if it is still waiting) during which its link's transmitter was sending
// this flow's data packets. Each packet counts L/R, L its IPv4 size, R the
// link's rate, for the part of its transmission that lies in that time
// (link.Pipe.Busy): a packet still waiting in the queue counts nothing
// yet, so the fraction never exceeds 1, however often a timeout shorter
// than a transmission resends. 0 on a link of unlimited rate.
func (f *Flow) Utilisation(now sim.Time) float64 {
	end, busy := now, f.cfg.Link.Busy(f.cfg.Flow)
	if done, at := f.snd.Done(); done {
		end, busy = at, f.busyAtDone
	}
	if end <= f.cfg.Start {
		return 0
	}
	return float64(busy) / float64(end-f.cfg.Start)
}

// Output implements Output for one end: encode in place and send.
func (o *output) Output(h *Header, data []byte, sum uint64, retrans bool) {
	f := o.f
	from, to := f.cfg.Src, f.cfg.Dst
	sport, dport := f.cfg.SrcPort, f.cfg.DstPort
	if o.side == ReceiverSide {
		from, to, sport, dport = to, from, dport, sport
	}
	buf, seg := wire.UDPBuffer(from.Pool().Get(wire.IPv4HeaderLen+wire.UDPHeaderLen+HeaderLen+len(data)), HeaderLen+len(data))
	copy(seg[HeaderLen:], data)
	Put(seg, h, sport, dport, len(data), sum)
	f.ipID[o.side]++
	buf = wire.BuildUDPSum(buf, wire.IPv4{Src: from.Addr, Dst: to.Addr, ID: f.ipID[o.side]},
		wire.UDP{SrcPort: sport, DstPort: dport}, seg, false, 0)
	if f.obs != nil {
		f.obs.RDTEvent(EvSent, Note{Side: o.side, Header: h, Len: len(data), Retrans: retrans})
	}
	from.Send(link.Packet{Buf: buf, Flow: f.cfg.Flow})
}

// InputUDP implements host.UDPEndpoint.
func (p *port) InputUDP(uh *wire.UDP, data []byte) {
	f := p.f
	h, payload, err := Decode(data, uh.SrcPort, uh.DstPort)
	if p.side == ReceiverSide {
		if err != nil {
			if f.obs != nil {
				f.obs.RDTEvent(EvCorrupt, Note{Side: ReceiverSide})
			}
			f.rcv.Corrupt()
			return
		}
		f.rcv.Input(&h, payload)
		return
	}
	if err != nil {
		if f.obs != nil {
			f.obs.RDTEvent(EvCorrupt, Note{Side: SenderSide})
		}
		f.snd.Corrupt()
		return
	}
	f.snd.Input(&h)
	f.arm()
}

// ChecksumDrop implements host.DropSink: the host dropped a packet of
// this flow (bad IPv4 header checksum, bad UDP length) before the rdt
// layer saw it. No rdt action follows: the packet is as good as lost.
func (p *port) ChecksumDrop() {
	p.f.hostDrops[p.side]++
	if p.f.cfg.Protocol.rdt2() {
		p.garbled()
	}
}

// NoEndpoint implements host.NoEndpointSink: a packet of this flow
// arrived with its destination port damaged. The rdt 2.x flows, which
// assume a channel with bit errors and no loss (K&R §3.4.1), take it and
// a host drop for what they are, a packet that arrived corrupted; the
// others ignore it (it is as good as lost, and their timer recovers).
func (p *port) NoEndpoint() {
	if p.f.cfg.Protocol.rdt2() {
		p.f.hostDrops[p.side]++
		if p.f.obs != nil {
			p.f.obs.RDTEvent(EvCorrupt, Note{Side: p.side})
		}
		p.garbled()
	}
}

// garbled hands a packet the host could not deliver to its end as a
// corrupted one: "rdt_rcv(rcvpkt) && corrupt(rcvpkt)".
func (p *port) garbled() {
	if p.side == ReceiverSide {
		p.f.rcv.Corrupt()
		return
	}
	p.f.snd.Corrupt()
	p.f.arm()
}

func (f *Flow) onTimer() {
	f.snd.OnTimer()
	f.arm()
}

// arm points the engine timer at the sender's next deadline (the timer
// is lazy: moving it later costs nothing), and reports completion once.
func (f *Flow) arm() {
	if done, _ := f.snd.Done(); done && !f.notifiedDone {
		f.notifiedDone = true
		f.busyAtDone = f.cfg.Link.Busy(f.cfg.Flow)
		if f.obs != nil {
			f.obs.RDTEvent(EvDone, Note{Side: SenderSide})
		}
	}
	d := f.snd.Deadline()
	if d == 0 {
		f.timer.Stop()
		return
	}
	f.timer.Reset(max(d, f.eng.Now()))
}
