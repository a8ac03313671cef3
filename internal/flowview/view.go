package flowview

import (
	"sort"
	"strings"

	"tcpsim/internal/direction"
	proto "tcpsim/internal/protocol"
	"tcpsim/internal/trace"
)

// View is a whole trace read, every flow by its own Reader: what the
// browser lab draws (it gets the View as JSON from the wasm engine and
// only lays it out). Event indexes count the events given to the
// Builder, from 0: the lines of the JSON-lines trace.
type View struct {
	// Packets are the packets of every flow, in the order they left
	// (a wire copy where the wire made it).
	Packets []ViewPacket `json:"packets"`
	// Timers are every arming of every timer, to its next event: re-armed,
	// cancelled or fired (End -1 while still armed when the trace ends).
	Timers []ViewTimer `json:"timers"`
	// States are the connection state changes.
	States []ViewState `json:"states"`
	// Flows are the per-flow series, in the order flows first appear.
	Flows []ViewFlow `json:"flows"`
	// Bin is the width in seconds of the intervals of every flow's
	// Throughput: the trace's span cut into ThroughputBins.
	Bin float64 `json:"bin"`
	// Links are the link directions packets crossed, in the order first
	// used, each with its queue over time.
	Links []ViewLink `json:"links"`
}

// ViewLink is one direction of a link ("r1->r2" in a topology, "a->b" in
// the two-host form) and what its output queue held.
type ViewLink struct {
	Name direction.Dir `json:"name"`
	// Queue is [time s, packets] at every change of the number of packets
	// in the queue, the one in transmission included (as the queue's
	// limit counts them): +1 on enqueue, -1 when its transmission ends
	// (or CoDel drops it at the head). Changes at one instant are merged.
	Queue [][2]float64 `json:"queue"`
	// Drops are the times of the packets that died on this link
	// direction: dropped by its queue or AQM, or lost on its wire.
	Drops []float64 `json:"drops"`
}

// ViewHop is one packet of a topology crossing one link direction: when
// it entered the link's queue, started transmission, arrived at the far
// node, was lost on the wire or dropped (-1 when it did not).
type ViewHop struct {
	Link int     `json:"l"`  // index in View.Links
	At   int     `json:"at"` // index of its first event (the enqueue): its events carry the link's own packet number
	T    float64 `json:"t"`
	Tx   float64 `json:"tx"`
	Del  float64 `json:"del"`
	Lost float64 `json:"lost"`
	Drop float64 `json:"drop"`
}

// ViewPacket is one packet on the wire: its names (from Packet) and what
// happened to it there.
type ViewPacket struct {
	Flow  string        `json:"flow"`
	Dir   direction.Dir `json:"dir"`
	ID    uint64        `json:"id"`
	Proto string        `json:"proto"`
	Flags string        `json:"flags,omitempty"`
	Kind  string        `json:"kind"` // Kind's word: "data", "ACK", "control", "window probe", "datagram", "pkt"
	// Seq and Ack are relative (Packet.Seq, Packet.Ack).
	Seq     uint32 `json:"seq"`
	Ack     uint32 `json:"ack"`
	Len     int    `json:"len"`
	Win     int    `json:"win"`
	Retrans bool   `json:"retrans,omitempty"`
	Label   string `json:"label"`           // the ladder's label (Packet.Label)
	Words   string `json:"words,omitempty"` // the log's words (Packet.Words), left out when they are Label
	// Send is the index of the send event that made it, -1 for a wire
	// copy; First the index of its first event on the wire.
	Send  int `json:"send"`
	First int `json:"first"`
	// Times in seconds: it entered the queue (T), started serialisation
	// (Tx), was lost on the wire (Lost), arrived (Del), was dropped by a
	// queue or its AQM (Drop); -1 when it did not.
	T    float64 `json:"t"`
	Tx   float64 `json:"tx"`
	Lost float64 `json:"lost"`
	Del  float64 `json:"del"`
	Drop float64 `json:"drop"`
	// What the wire did to it.
	Corrupt  bool `json:"corrupt,omitempty"`
	Checksum bool `json:"csum,omitempty"` // dropped for its checksum on arrival
	Copy     bool `json:"dup,omitempty"`  // a copy the wire made
	Reorder  bool `json:"reorder,omitempty"`
	// Hops are the link directions a packet of a topology's flow crossed
	// (Builder.Route), in order: one packet followed from node to node
	// (trace.Follower), not a packet per hop.
	Hops []ViewHop `json:"hops,omitempty"`
}

// Is reports whether the packet belongs to protocol family f.
func (p *ViewPacket) Is(f proto.Family) bool { return p.Proto == f.String() }

// ViewTimer is one arming of a timer.
type ViewTimer struct {
	Flow  string  `json:"flow"`
	Role  string  `json:"role"`
	Host  string  `json:"host"` // the owner's end: "a" or "b"
	Kind  string  `json:"kind"` // "retransmission", "persist", "time-wait", ...
	T     float64 `json:"t0"`
	End   float64 `json:"end"` // -1: still armed
	Fired bool    `json:"fired"`
	At    int     `json:"at"` // index of the arming event
}

// ViewState is a state change at one end.
type ViewState struct {
	Flow string  `json:"flow"`
	Host string  `json:"host"`
	T    float64 `json:"t"`
	Text string  `json:"text"` // "SYN-SENT => ESTABLISHED"
	At   int     `json:"at"`
}

// ViewFlow is what the lab's plots of one flow read.
type ViewFlow struct {
	Name string `json:"name"`
	// Path is the nodes from the flow's sender to its receiver, both
	// included ("a" and "b" without a Route): the "a" end of the view's
	// directions is Path[0], the "b" end the last; Back the nodes the
	// packets back cross, from the receiver.
	Path []string `json:"path"`
	Back []string `json:"back"`
	// Sends are the indexes in View.Packets of the data segments of the
	// data direction, in order sent; Lost those of them lost or dropped.
	Sends []int `json:"sends"`
	Lost  []int `json:"lost"`
	// ACKs are [arrival time s, relative ACK number] of the ACKs the data
	// sender received (SYN-ACK excluded).
	ACKs [][2]float64 `json:"acks"`
	// Cwnd is [time s, cwnd, ssthresh] of the client's cwnd events.
	Cwnd   [][3]float64 `json:"cwnd"`
	MaxSeq uint32       `json:"max_seq"`
	// Throughput is the flow's throughput at its receiver, in bits per
	// second, over each interval of View.Bin seconds from time 0 (see
	// Throughput).
	Throughput []float64 `json:"throughput"`
}

// Builder reads a trace into a View as its events come: a trace.Sink.
type Builder struct {
	v       View
	n       int // events read
	flows   map[string]*flowState
	onWire  map[wireKey]int // (flow, dir, id) -> index in v.Packets
	clients map[string]direction.Dir
	routes  map[string][2][]string
	links   map[direction.Dir]*linkState
	end     float64 // the last event's time, seconds
}

// wireKey names a packet on the wire: in the two-host form by its
// direction and number; a followed packet of a topology by its flow,
// journey direction and journey number.
type wireKey struct {
	flow string
	dir  direction.Dir
	id   uint64
}

// linkState is what the builder keeps of one link direction's queue.
type linkState struct {
	idx   int              // in v.Links
	delay float64          // propagation, s
	pkts  map[uint64]*qpkt // by the link's packet number, until it arrives
	all   []*qpkt          // every packet enqueued, in order
	head  *qpkt            // the last packet to start transmission
	drops []float64
}

// qpkt is a packet in a link's queue: when it entered, and when its
// transmission ended (end, -1 until known; cand, the next packet's start,
// a bound on it).
type qpkt struct {
	enq, end, cand float64
}

// flowState is one flow's reader and what the builder keeps of it.
type flowState struct {
	r         *Reader
	fol       *trace.Follower       // a topology's flow: its packets followed hop by hop
	byJour    map[int]int           // journey -> index in v.Packets
	delivered [][2]float64          // [arrival time s, payload bytes] of the data its receiver got
	idx       int                   // index in v.Flows
	sendAt    map[direction.Dir]int // per direction: the last send event's index
	armed     map[timerKey]int      // open armings: index in v.Timers
}

type timerKey struct {
	role trace.Role
	name string
}

// NewBuilder returns a builder. clients gives, per flow name, the
// direction its client (or rdt sender) sends in (direction.AB, BA), so
// that events before the first packet are put on the right host; a flow
// it does not name is taken to start at host a until its packets say.
func NewBuilder(clients map[string]direction.Dir) *Builder {
	return &Builder{flows: map[string]*flowState{}, onWire: map[wireKey]int{}, clients: clients,
		routes: map[string][2][]string{}, links: map[direction.Dir]*linkState{}}
}

// Route makes the builder follow the packets of a flow of a topology from
// hop to hop (trace.Follower), before its first event: path is the nodes
// from its sender to its receiver, back those from the receiver to the
// sender (nil: path reversed). Its packets are then each one packet
// between the end hosts, direction "a->b" from path[0] to the last node
// and "b->a" back, numbered by journey from 1, with their Hops; without a
// Route every hop of a topology is a packet of its own.
func (b *Builder) Route(flow string, path, back []string) {
	if len(path) >= 2 {
		b.routes[flow] = [2][]string{path, back}
	}
}

// LinkDelay gives the propagation delay of a link direction (seconds),
// by the name its events carry ("r1->r2", "a->b"): a packet's
// transmission on it ended that long before its arrival, when it leaves
// the queue. Without it the queue counts a packet until its arrival.
func (b *Builder) LinkDelay(link direction.Dir, seconds float64) {
	b.link(link).delay = seconds
}

// link returns the state of a link direction, made on first use.
func (b *Builder) link(name direction.Dir) *linkState {
	l, ok := b.links[name]
	if !ok {
		l = &linkState{idx: len(b.v.Links), pkts: map[uint64]*qpkt{}}
		b.links[name] = l
		b.v.Links = append(b.v.Links, ViewLink{Name: name})
	}
	return l
}

// host is the end that sends in direction dir: "a" of "a->b".
func host(dir direction.Dir) string { return dir.From() }

// secs is a time in seconds as the JSON trace writes it.
func secs(e *trace.Event) float64 { return e.T.Seconds() }

// flow returns the state of e's flow, made on its first event.
func (b *Builder) flow(name string) *flowState {
	f, ok := b.flows[name]
	if !ok {
		f = &flowState{r: NewReader(), idx: len(b.v.Flows), sendAt: map[direction.Dir]int{}, armed: map[timerKey]int{}}
		vf := ViewFlow{Name: name, Path: []string{"a", "b"}, Back: []string{"b", "a"}}
		if rt, ok := b.routes[name]; ok {
			f.fol = trace.NewFollower(rt[0], rt[1])
			f.byJour = map[int]int{}
			f.r.Expect(direction.AB)
			vf.Path, vf.Back = rt[0], rt[1]
			if vf.Back == nil {
				vf.Back = make([]string, len(rt[0]))
				for i, n := range rt[0] {
					vf.Back[len(rt[0])-1-i] = n
				}
			}
		} else if d, ok := b.clients[name]; ok {
			f.r.Expect(d)
		}
		b.flows[name] = f
		b.v.Flows = append(b.v.Flows, vf)
	}
	return f
}

// Event implements trace.Sink.
func (b *Builder) Event(e *trace.Event) {
	i := b.n
	b.n++
	b.queue(e)
	b.end = max(b.end, secs(e))
	f := b.flow(e.Flow)
	if f.fol != nil {
		b.follow(f, i, e)
		return
	}
	b.read(f, i, e)
}

// read reads one event of a flow in the two-host form (a followed
// topology's event rewritten to it).
func (b *Builder) read(f *flowState, i int, e *trace.Event) {
	step := f.r.Step(i, e)
	if p := step.Packet; p != nil {
		vp := ViewPacket{Flow: e.Flow, Dir: p.Dir, ID: p.ID, Proto: p.Proto, Flags: e.Flags, Kind: p.Kind.String(),
			Seq: p.Seq, Ack: p.Ack, Len: p.Len, Win: p.Win, Retrans: p.Resend != NotResent, Label: p.Label,
			Send: -1, First: i, T: secs(e), Tx: -1, Lost: -1, Del: -1, Drop: -1, Copy: p.Copy}
		if w := p.Words(); w != p.Label {
			vp.Words = w
		}
		if p.Copy {
			vp.Tx = secs(e)
		} else if s, ok := f.sendAt[e.Dir]; ok {
			vp.Send = s
			delete(f.sendAt, e.Dir)
		}
		if e.Kind == trace.QueueDrop || e.Kind == trace.EarlyDrop {
			vp.Drop = secs(e)
		}
		b.onWire[wireKey{e.Flow, e.Dir, e.ID}] = len(b.v.Packets)
		b.v.Packets = append(b.v.Packets, vp)
		b.series(f, len(b.v.Packets)-1)
		return
	}
	switch e.Kind {
	case trace.Send:
		f.sendAt[e.Dir] = i
	case trace.Transmit, trace.Lost, trace.Deliver, trace.Corrupt, trace.ChecksumDrop, trace.DequeueDrop, trace.Reorder:
		b.wire(f, e)
	case trace.TimerSet, trace.TimerCancel, trace.TimerFired:
		b.timer(f, i, e)
	case trace.State:
		role := e.Role()
		text := e.Detail
		if role != trace.RoleNone {
			text = strings.TrimPrefix(text, role.String()+" ")
		}
		b.v.States = append(b.v.States, ViewState{Flow: e.Flow, Host: host(f.r.DirOf(role)), T: secs(e), Text: text, At: i})
	case trace.Cwnd:
		if e.Role() == trace.RoleClient {
			vf := &b.v.Flows[f.idx]
			vf.Cwnd = append(vf.Cwnd, [3]float64{secs(e), float64(e.Value), float64(e.Value2)})
		}
	}
}

// follow reads one event of a flow of a topology: the Follower ties it
// to a packet's journey between the end hosts; the events at the ends
// are read as the two-host form has them (direction "a->b" from the
// path's first node, the journey's number), those on the way become the
// packet's Hops.
func (b *Builder) follow(f *flowState, i int, e *trace.Event) {
	h := f.fol.Step(e)
	x := *e
	if h.Journey < 0 {
		switch {
		case e.Kind == trace.Send:
			x.Dir = h.Dir
			b.read(f, i, &x)
		case e.Dir == "": // timers, states, windows
			b.read(f, i, &x)
		}
		return // else a packet the flow's ends never sent
	}
	x.Dir, x.ID = h.Dir, uint64(h.Journey)+1
	t := secs(e)
	switch e.Kind {
	case trace.Enqueue, trace.QueueDrop, trace.EarlyDrop, trace.Duplicate:
		if h.End || e.Kind == trace.Duplicate {
			b.read(f, i, &x)
			f.byJour[h.Journey] = len(b.v.Packets) - 1
		}
		p := b.journey(f, h.Journey)
		if p == nil {
			return
		}
		hop := ViewHop{Link: b.link(e.Dir).idx, At: i, T: t, Tx: -1, Del: -1, Lost: -1, Drop: -1}
		switch e.Kind {
		case trace.Duplicate:
			hop.T, hop.Tx = -1, t
		case trace.QueueDrop, trace.EarlyDrop:
			hop.Drop = t
			if !h.End {
				p.Drop = t
				b.lost(f, f.byJour[h.Journey])
			}
		}
		p.Hops = append(p.Hops, hop)
		return
	case trace.TTLExpired, trace.NoRoute:
		if p := b.journey(f, h.Journey); p != nil && p.Drop < 0 {
			p.Drop = t
			b.lost(f, f.byJour[h.Journey])
		}
		return
	case trace.ECNMark:
		return
	}
	if p := b.journey(f, h.Journey); p != nil && len(p.Hops) > 0 {
		hop := &p.Hops[len(p.Hops)-1]
		switch e.Kind {
		case trace.Transmit:
			hop.Tx = t
		case trace.Lost:
			hop.Lost = t
		case trace.DequeueDrop:
			hop.Drop = t
		case trace.Deliver:
			hop.Del = t
		}
	}
	if e.Kind == trace.Deliver && !h.End {
		return // reached a router: a hop, not the packet's arrival
	}
	b.read(f, i, &x)
}

// journey returns the packet of journey j of a followed flow, nil if the
// trace did not show its start.
func (b *Builder) journey(f *flowState, j int) *ViewPacket {
	n, ok := f.byJour[j]
	if !ok {
		return nil
	}
	return &b.v.Packets[n]
}

// queue keeps the length of every link direction's queue: a packet
// counts from its enqueue until its transmission ends, which the trace
// does not say; it is the moment the link starts the next packet, the
// moment its wire loses, corrupts or holds it back, or its arrival less
// the link's delay, whichever comes first.
func (b *Builder) queue(e *trace.Event) {
	if e.Dir == "" || e.Kind == trace.Send {
		return
	}
	t := secs(e)
	switch e.Kind {
	case trace.Enqueue, trace.QueueDrop, trace.EarlyDrop, trace.Transmit, trace.DequeueDrop, trace.Lost,
		trace.Corrupt, trace.Reorder, trace.Deliver:
	default:
		return
	}
	l := b.link(e.Dir)
	switch e.Kind {
	case trace.Enqueue:
		q := &qpkt{enq: t, end: -1, cand: -1}
		l.pkts[e.ID] = q
		l.all = append(l.all, q)
		return
	case trace.QueueDrop, trace.EarlyDrop:
		l.drops = append(l.drops, t)
		return
	}
	q, ok := l.pkts[e.ID]
	if !ok {
		return
	}
	switch e.Kind {
	case trace.Transmit:
		if l.head != nil && l.head.end < 0 && l.head.cand < 0 {
			l.head.cand = t
		}
		l.head = q
	case trace.DequeueDrop, trace.Lost:
		l.drops = append(l.drops, t)
		if q.end < 0 {
			q.end = t
		}
		delete(l.pkts, e.ID)
	case trace.Corrupt, trace.Reorder:
		if q.end < 0 {
			q.end = t
		}
	case trace.Deliver:
		if q.end < 0 {
			q.end = t - l.delay
		}
		delete(l.pkts, e.ID)
	}
}

// wire records what happened to a packet on the wire.
func (b *Builder) wire(f *flowState, e *trace.Event) {
	n, ok := b.onWire[wireKey{e.Flow, e.Dir, e.ID}]
	if !ok {
		return
	}
	p := &b.v.Packets[n]
	switch e.Kind {
	case trace.Transmit:
		if p.Tx < 0 {
			p.Tx = secs(e)
		}
	case trace.Lost:
		p.Lost = secs(e)
		b.lost(f, n)
	case trace.Deliver:
		if p.Del < 0 {
			p.Del = secs(e)
		}
		if p.Len > 0 && !p.Copy && p.Dir.To() == b.receiver(f, e.Flow) && p.Kind != KindACK.String() && p.Kind != KindPktNAK.String() {
			f.delivered = append(f.delivered, [2]float64{secs(e), float64(p.Len)})
		}
		if p.Is(proto.TCP) && p.Dir.To() == f.r.DirOf(trace.RoleClient).From() && e.Has(trace.FlagACK) && !e.Has(trace.FlagSYN) {
			// An ACK the client received.
			vf := &b.v.Flows[f.idx]
			vf.ACKs = append(vf.ACKs, [2]float64{secs(e), float64(p.Ack)})
		}
	case trace.Corrupt:
		p.Corrupt = true
	case trace.ChecksumDrop:
		p.Checksum = true
		b.lost(f, n)
	case trace.DequeueDrop:
		p.Drop = secs(e)
		b.lost(f, n)
	case trace.Reorder:
		p.Reorder = true
	}
}

// receiver is the host that a flow's client (or rdt sender, or UDP
// source) sends its data to: its end in a topology, not the next hop.
func (b *Builder) receiver(f *flowState, name string) string {
	if f.fol != nil {
		return direction.AB.To() // a followed flow's: its path's last node, "b" of the view
	}
	if d, ok := b.clients[name]; ok {
		return d.To()
	}
	return f.r.DirOf(trace.RoleClient).To()
}

// series adds packet n to its flow's series when it is data of the data
// direction. In a topology without a Route each hop is a packet of its
// own: the series takes the hop that leaves the client's host (and an ACK
// on the hop that reaches it), so a drop on a later hop is not in Lost;
// with a Route the packet is followed and a drop anywhere is in Lost.
func (b *Builder) series(f *flowState, n int) {
	p := &b.v.Packets[n]
	if !p.Is(proto.TCP) || p.Len == 0 || p.Copy || p.Dir.From() != f.r.DirOf(trace.RoleClient).From() {
		return
	}
	vf := &b.v.Flows[f.idx]
	vf.Sends = append(vf.Sends, n)
	vf.MaxSeq = max(vf.MaxSeq, p.Seq+uint32(p.Len))
	if p.Drop >= 0 {
		vf.Lost = append(vf.Lost, n)
	}
}

// lost adds packet n to its flow's lost data, once.
func (b *Builder) lost(f *flowState, n int) {
	p := &b.v.Packets[n]
	if !p.Is(proto.TCP) || p.Len == 0 || p.Copy || p.Dir.From() != f.r.DirOf(trace.RoleClient).From() {
		return
	}
	vf := &b.v.Flows[f.idx]
	if k := len(vf.Lost); k > 0 && vf.Lost[k-1] == n {
		return
	}
	vf.Lost = append(vf.Lost, n)
}

// timer keeps the armings of every timer: each lasts until the timer's
// next event.
func (b *Builder) timer(f *flowState, i int, e *trace.Event) {
	role := e.Role()
	k := timerKey{role, e.TimerName()}
	if n, ok := f.armed[k]; ok {
		t := &b.v.Timers[n]
		t.End = secs(e)
		t.Fired = e.Kind == trace.TimerFired
		delete(f.armed, k)
	}
	if e.Kind != trace.TimerSet {
		return
	}
	f.armed[k] = len(b.v.Timers)
	b.v.Timers = append(b.v.Timers, ViewTimer{Flow: e.Flow, Role: role.String(), Host: host(f.r.DirOf(role)),
		Kind: timerKind(k.name), T: secs(e), End: -1, At: i})
}

// timerKind is the kind of a timer name: an rdt sender's "retransmission
// timer for pkt 3" is a retransmission timer.
func timerKind(name string) string {
	if strings.HasPrefix(name, "retransmission") {
		return "retransmission"
	}
	return name
}

// View returns the view of the events so far.
func (b *Builder) View() *View {
	// The page iterates every list: an empty one is written [], never null.
	v := &b.v
	v.Packets = nonNil(v.Packets)
	v.Timers = nonNil(v.Timers)
	v.States = nonNil(v.States)
	v.Flows = nonNil(v.Flows)
	v.Links = nonNil(v.Links)
	for _, l := range b.links {
		vl := &v.Links[l.idx]
		vl.Queue, vl.Drops = l.series(), nonNil(l.drops)
	}
	v.Bin = b.end / ThroughputBins
	for _, fs := range b.flows {
		v.Flows[fs.idx].Throughput = rate(fs.delivered, v.Bin, ThroughputBins)
	}
	for i := range v.Flows {
		f := &v.Flows[i]
		f.Sends, f.Lost, f.ACKs, f.Cwnd = nonNil(f.Sends), nonNil(f.Lost), nonNil(f.ACKs), nonNil(f.Cwnd)
		f.Throughput = nonNil(f.Throughput)
	}
	return v
}

// series is the queue's length at its every change.
func (l *linkState) series() [][2]float64 {
	type diff struct {
		t float64
		d int
	}
	ds := make([]diff, 0, 2*len(l.all))
	for _, q := range l.all {
		ds = append(ds, diff{q.enq, 1})
		end := q.end
		if q.cand >= 0 && (end < 0 || q.cand < end) {
			end = q.cand
		}
		if end >= 0 {
			ds = append(ds, diff{max(end, q.enq), -1})
		}
	}
	// In time order; at one instant the departures first (the queue's
	// length after the instant is the same either way).
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].t < ds[j].t || ds[i].t == ds[j].t && ds[i].d < ds[j].d })
	out := [][2]float64{}
	n := 0
	for _, d := range ds {
		n += d.d
		if k := len(out); k > 0 && out[k-1][0] == d.t {
			out[k-1][1] = float64(n)
			continue
		}
		out = append(out, [2]float64{d.t, float64(n)})
	}
	return out
}

// ThroughputBins is how many intervals View cuts the trace's span into
// for the flows' throughput: fine enough to show slow start and each
// loss, coarse enough that an interval holds several packets.
const ThroughputBins = 100

// nonNil returns s, or an empty slice where s is nil.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Build reads a whole trace (see NewBuilder for clients).
func Build(evs []trace.Event, clients map[string]direction.Dir) *View {
	b := NewBuilder(clients)
	for i := range evs {
		b.Event(&evs[i])
	}
	return b.View()
}
