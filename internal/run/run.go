// Package run builds a network from a scenario (an engine, hosts and
// routers joined by full-duplex links, static routes, and the flows), runs
// it within its time and event budgets, and collects the results that
// reports print.
package run

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"

	proto "tcpsim/internal/protocol"
	"tcpsim/internal/scenario"
	"tcpsim/model/hist"
	"tcpsim/model/host"
	"tcpsim/model/link"
	"tcpsim/model/router"
	"tcpsim/model/tcpconn"
	"tcpsim/model/udp"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// The shorthand form's host addresses: a is the usual sender, b the usual
// receiver. In the topology form the i-th host (from 0) has HostAddr(i).
var (
	AddrA = HostAddr(0)
	AddrB = HostAddr(1)
)

// HostAddr is the address of the i-th host (from 0): 10.0.0.1, 10.0.0.2,
// ..., counting on into the third octet (10.0.1.0 is the 256th).
func HostAddr(i int) wire.Addr {
	v := uint32(i + 1)
	return wire.Addr{10, byte(v >> 16), byte(v >> 8), byte(v)}
}

// RouterAddr is the address of the j-th router (from 0): 10.255.0.1, ...
func RouterAddr(j int) wire.Addr {
	v := uint32(j + 1)
	return wire.Addr{10, 255, byte(v >> 8), byte(v)}
}

// Result is everything a report needs from one run.
type Result struct {
	Scenario string
	File     string
	Seed     uint64
	Reason   sim.StopReason
	End      sim.Time
	Events   uint64
	Flows    []FlowResult
	// Topology is set when the scenario uses the topology form (nodes:
	// and links:); reports then add what only it has (paths, routers).
	Topology bool
	// Links are every link direction, in file order, each link's forward
	// direction then its reverse: in the shorthand form forward (a→b)
	// and reverse (b→a).
	Links   []LinkResult
	Hosts   []HostResult   // in declaration order: a, b in the shorthand form
	Routers []RouterResult // in declaration order
	// Listeners are the servers' listening ports, in the order of the
	// first flow to each.
	Listeners []ListenerResult
	// routing answers PathOf.
	routing *routing
	// QueueManaged says the scenario writes aqm: or ecn: on a link: the
	// text report shows the queue's rows.
	QueueManaged bool
	// Emulated is set on an emulated run (tcpsim emulate): real kernels'
	// packets crossed the links in real time; it holds the relay's
	// timing. Nil on a simulated run.
	Emulated *Emulation
}

// LinkResult is one direction's accounting.
type LinkResult struct {
	Name     string // "forward", "reverse" (shorthand) or "from->to"
	From, To string // the sending and receiving node
	Config   link.Config
	link.Counters
	InFlight int64
	// QueueDelay summarises the packets' sojourn times in the queue.
	QueueDelay link.QueueDelay
	// RecvHeaderErrors is what the receiving node dropped for a bad
	// IPv4 header (all its interfaces, for a node with several).
	RecvHeaderErrors int64
}

// HostResult is one host's drops that no endpoint saw.
type HostResult struct {
	Name string
	host.Counters
}

// RouterResult is one router's forwarding decisions.
type RouterResult struct {
	Name string
	router.Counters
}

// OK reports whether every flow completed and the run was not cut short by
// its event budget.
func (r *Result) OK() bool {
	if r.Reason == sim.EventBudget || r.Reason == sim.Interrupted {
		return false
	}
	for _, f := range r.Flows {
		if !f.Complete {
			return false
		}
	}
	return true
}

// Status is a one-line verdict for the run.
func (r *Result) Status() string {
	switch {
	case r.Reason == sim.EventBudget:
		return "aborted: event budget exhausted"
	case r.Reason == sim.Interrupted:
		return "interrupted"
	case r.OK():
		return "complete"
	}
	for _, f := range r.Flows {
		if f.Aborted != "" {
			return "flow " + f.Name + " aborted: " + f.Aborted
		}
		if f.RDT != nil && f.RDT.Failure != "" {
			return "flow " + f.Name + " " + f.RDT.Failure
		}
	}
	for _, f := range r.Flows {
		if f.TCP != nil && f.TCP.CorruptBytes > 0 {
			return fmt.Sprintf("flow %s delivered %d bytes that differ from those sent (the checksum missed them)", f.Name, f.TCP.CorruptBytes)
		}
	}
	if r.Reason == sim.TimeLimit {
		return "unfinished at the time limit"
	}
	return "incomplete"
}

// FlowResult is one flow's outcome. Fields that do not apply to a protocol
// are zero; TCP holds the TCP-only measurements.
type FlowResult struct {
	Name     string
	Protocol string
	From, To string
	Complete bool
	Aborted  string // why the flow gave up, if it did

	OfferedBytes   int64 // application bytes to send
	DeliveredBytes int64 // application bytes delivered, in order, once
	PacketsSent    int64 // datagrams or segments, retransmissions included
	PacketsRecv    int64 // accepted by the receiving endpoint
	Lost           int64 // UDP: datagrams never delivered
	ChecksumDrops  int64
	Duplicates     int64
	OutOfOrder     int64
	Corrupt        int64 // UDP: delivered with wrong bytes (checksum off); included in PacketsRecv
	// Unplaceable (UDP) counts datagrams that arrived too damaged to
	// place (checksum off): neither delivered nor in Corrupt.
	Unplaceable int64
	Start       sim.Time
	Completion  sim.Time // from Start to the last byte delivered; -1 if not
	// Path is the nodes from the sender to the receiver, and BaseRTT the
	// propagation delay out along it and back along the receiver's
	// route (no serialisation, no queueing).
	Path    []string
	BaseRTT sim.Time
	Goodput float64 // delivered application bits per second of Completion
	// PartialGoodput is, for a TCP or rdt transfer that did not finish
	// and delivered something, the application bits it delivered per
	// second from Start to the end of the run (Goodput stays 0: it is of
	// completed transfers, and sweeps and fairness indices read it); 0
	// otherwise, and for UDP.
	PartialGoodput float64
	// Partial reports that the transfer did not finish, so that the
	// goodput reported is PartialGoodput.
	Partial       bool
	DeliveryRatio float64

	TCP   *TCPResult
	RDT   *RDTResult   // stop-and-wait, go-back-n and selective-repeat
	Flood *FloodResult // syn-flood

	// QueueDelay summarises, with Options.QueueDelay, the queueing delay
	// of the flow's packets that reached its receiving host: each one's
	// time spent waiting in queues, summed over the hops of its path
	// (link.Packet.Queued); zero without the option or when none arrived.
	QueueDelay link.QueueDelay

	// Family names the repeated flow (repeat:) this flow is a member of,
	// or is "" for a flow written out on its own.
	Family string
}

type flow interface {
	start()
	result(now sim.Time) FlowResult
	// finished reports that the flow needs no more simulation: all data
	// delivered (or the flow aborted) and, for TCP, both ends closed or
	// in TIME-WAIT.
	finished() bool
	// release frees what a finished flow no longer needs (empty buffers),
	// so that memory follows the flows still running.
	release()
}

// Network is a built scenario, ready to run.
type Network struct {
	// drained: Run's engine ran out of events (an unfinished rdt 2.x
	// flow is then deadlocked).
	drained  bool
	sc       *scenario.Scenario
	seed     uint64
	eng      *sim.Engine
	nodes    []netNode // hosts in declaration order, then routers
	hosts    []*host.Host
	routers  []*router.Router
	pipes    []*link.Pipe
	dirs     []netDir       // by pipe
	index    map[string]int // node by name
	rt       *routing
	flows    []flow
	hasTCP   bool
	watch    sim.Action
	watching bool
	tr       *tracer
	faults   *faultScript // nil without packet faults
	intr     *atomic.Bool
	stop     func() bool // reports whether intr is set; read while building
	pool     *link.Pool
	delays   []*flowDelay // by flow, with Options.QueueDelay
	// ext, in an emulation (BuildFabric), receives what the links
	// deliver to each host, by host index, in place of the model host.
	ext []link.Receiver

	// done[i] records that flow i has finished (a flow never unfinishes);
	// unfinished counts the flows not yet done, so that noticing the last
	// one costs O(1) per state change, not a scan of every flow.
	done       []bool
	unfinished int
	starter    sim.Action // n.onChain, bound once
	// listeners are the servers' listening ports (listen.go), made in
	// listenOrder.
	listeners   map[listenKey]*tcpconn.Listener
	listenOrder []listenKey
}

// netNode is one node of the network: a host or a router.
type netNode struct {
	name   string
	addr   wire.Addr
	host   *host.Host     // nil for a router
	router *router.Router // nil for a host
}

// netDir is one link direction: the nodes it joins, by index, and its
// index among the interfaces of its from node when that is a router.
type netDir struct {
	from, to int
	iface    int
}

// watchPeriod is how often, once every flow has finished, the run looks
// whether the link has drained. Ending there matters: TIME-WAIT timers
// (2·MSL) would otherwise stretch every run by a minute of idle time.
const watchPeriod = 10 * sim.Millisecond

// check runs when flow i may have finished (a TCP state change, a UDP
// sender's last datagram, an rdt sender's last ACK): each flow is counted
// once, when it is first seen finished, and with every flow finished the
// run ends as soon as the link is empty. A flow only becomes finished at
// one of these moments, so counting at them sees the last flow finish
// exactly when a scan of every flow would.
func (n *Network) check(i int) {
	if n.done[i] || !n.flows[i].finished() {
		return
	}
	n.done[i] = true
	n.unfinished--
	n.flows[i].release()
	if n.unfinished > 0 || n.watching || !n.hasTCP {
		return
	}
	n.watching = true
	n.eng.After(0, n.watch, 0)
}

// checker returns the callback by which flow i reports that it may have
// finished.
func (n *Network) checker(i int) func() { return func() { n.check(i) } }

// watchJump is how many watch periods away the last packet in flight must
// be due before the watch skips the looks that would all find it still in
// flight: with a long propagation delay (hours, years), a look every 10 ms
// would spend the event budget waiting (issue 21 item 10: a run whose
// flows had all finished then reported its event budget exhausted).
// Nearer than that, the watch looks every period, as it always has.
const watchJump = 100

// udpDone has the network check UDP flow i when its last datagram is
// sent.
type udpDone struct {
	n *Network
	i int
}

// UDPEvent implements udp.Observer.
func (d udpDone) UDPEvent(ev udp.Event, _ udp.Note) {
	if ev == udp.EvDone {
		d.n.check(d.i)
	}
}

func (n *Network) onWatch(uint64) {
	now := n.eng.Now()
	busy := false
	bound := now
	for _, p := range n.pipes {
		if p.InFlight() > 0 {
			busy = true
			bound = max(bound, p.EmptyNoEarlierThan())
		}
	}
	if !busy {
		n.eng.Stop()
		return
	}
	// Every look strictly before bound finds a packet in flight: jump to
	// the last of them, the same instant the looks would have reached.
	if k := (bound - now - 1) / watchPeriod; k >= watchJump {
		n.eng.After(watchPeriod.Mul(int64(k)), n.watch, 0)
		return
	}
	n.eng.After(watchPeriod, n.watch, 0)
}

// Build constructs the network of sc with the given seed.
func Build(sc *scenario.Scenario, seed uint64) (*Network, error) {
	return BuildWith(sc, seed, Options{})
}

// ErrInterrupted is returned (wrapped, naming the scenario) by BuildWith
// and ScenarioWith when Options.Interrupt is set while the network is
// being built: before the run starts there is no result to report.
var ErrInterrupted = errors.New("run: interrupted while building the network")

// BuildWith constructs the network of sc with the given seed and
// instruments. Building a large topology takes a while (routes above
// all), so Options.Interrupt is read between its steps as well: between
// links, between routing destinations, between nodes and between flows.
func BuildWith(sc *scenario.Scenario, seed uint64, opt Options) (*Network, error) {
	stop := func() bool { return opt.Interrupt != nil && opt.Interrupt.Load() }
	return buildWith(sc, seed, opt, stop)
}

// buildWith is BuildWith with the interrupt read through stop, which
// tests replace to interrupt the build at each of its checks in turn.
func buildWith(sc *scenario.Scenario, seed uint64, opt Options, stop func() bool) (*Network, error) {
	interrupted := fmt.Errorf("%s: %w", sc.File, ErrInterrupted)
	if stop() {
		return nil, interrupted
	}
	if sc.Repeated() {
		// Repeated flows: the network runs, traces and reports their
		// members, each a flow of its own.
		cp := *sc
		cp.Flows = sc.Expanded(seed)
		sc = &cp
		if stop() {
			return nil, interrupted
		}
	}
	n, err := newNetwork(sc, seed, opt, nil, stop)
	if err != nil {
		if errors.Is(err, ErrInterrupted) {
			return nil, interrupted
		}
		return nil, err
	}
	streams := sim.NewStreams(seed)
	n.done = make([]bool, len(sc.Flows))
	n.unfinished = len(sc.Flows)
	for i := range sc.Flows {
		if stop() {
			return nil, interrupted
		}
		f := &sc.Flows[i]
		from, to := f.From, f.To
		if err := n.checkTTL(f.Name, from, to); err != nil {
			return nil, fmt.Errorf("%s: %w", sc.File, err)
		}
		src, dst := n.host(from), n.host(to)
		if opt.QueueDelay {
			d := &flowDelay{}
			dst.SetDelaySink(int32(i), d)
			n.delays = append(n.delays, d)
		}
		// Ports: flow i uses client port 49152+i and server port 5001+i,
		// or the port it names (scenario.ServerPort).
		cport, sport := uint16(49152+i), uint16(sc.ServerPort(i))
		pr, _ := proto.Parse(f.Protocol)
		switch pr.Family() {
		case proto.UDP:
			c := udpConfig(f)
			c.Flow, c.Src, c.Dst, c.SrcPort, c.DstPort, c.Observer = int32(i), src, dst, cport, sport, udpDone{n, i}
			if f.UDP.Poisson() {
				c.Poisson = streams.Stream("flows/" + f.Name + "/send-times")
			}
			u := udp.New(n.eng, c)
			n.flows = append(n.flows, &udpFlow{spec: f, f: u})
		case proto.Flood:
			n.flows = append(n.flows, newFloodFlow(n, i, f, src, dst, streams))
		case proto.TCP:
			tf, err := newTCPFlow(n, i, f, src, dst, cport, sport, streams)
			if err != nil {
				return nil, err
			}
			n.flows = append(n.flows, tf)
			n.hasTCP = true
		case proto.RDT:
			out := n.firstHop(from, to)
			rf, err := newRDTFlow(n, i, f, src, dst, out)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", sc.File, err)
			}
			n.flows = append(n.flows, rf)
			if n.faults != nil {
				n.faults.flows[i].rdt = rf.(*rdtFlow).f.Sender()
			}
		}
	}
	return n, nil
}

// newNetwork builds the nodes, links, routes, tracer and fault script of
// sc, without its flows. ext, if not nil, receives by host index what
// the links deliver to the hosts (an emulation's real endpoints); stop
// reports an interrupt, read between the building's steps.
func newNetwork(sc *scenario.Scenario, seed uint64, opt Options, ext []link.Receiver, stop func() bool) (*Network, error) {
	n := &Network{sc: sc, seed: seed, eng: sim.New(1024), intr: opt.Interrupt, ext: ext, stop: stop}
	n.watch = n.onWatch
	n.starter = n.onChain
	if opt.Trace != nil {
		n.tr = &tracer{n: n, sink: opt.Trace, rtt: opt.TraceRTT, rec: opt.TraceRecovery}
	}
	n.pool = link.NewPool()
	n.pool.SetPoison(opt.PoisonBuffers)
	if err := n.buildNodes(sim.NewStreams(seed), n.pool); err != nil {
		return nil, err
	}
	if n.tr != nil {
		n.tr.install()
	}
	n.installFaults()
	return n, nil
}

// Engine exposes the engine (for tracing and tests).
func (n *Network) Engine() *sim.Engine { return n.eng }

// Pipes returns every link direction, in the order of Result.Links.
func (n *Network) Pipes() []*link.Pipe { return n.pipes }

// Routes returns the routing tables of every node, hosts then routers,
// every path written out: O(nodes × hosts × path length), for printing.
func (n *Network) Routes() []RoutingTable { return n.rt.tables() }

// Run runs the network to its end and returns the result.
func (n *Network) Run() *Result {
	n.startFlows()

	reason := n.eng.Run(sim.Limits{Until: sim.Time(n.sc.Until), MaxEvents: uint64(n.sc.MaxEvents), Interrupt: n.intr})
	n.drained = reason == sim.Drained
	flows := make([]FlowResult, 0, len(n.flows))
	for _, f := range n.flows {
		flows = append(flows, f.result(n.eng.Now()))
	}
	return n.result(reason, flows)
}

// result collects the run's outcome, given the flows' own results (in
// scenario order): it fills in their ends and paths, and the links',
// hosts' and routers' accounting.
func (n *Network) result(reason sim.StopReason, flows []FlowResult) *Result {
	r := &Result{Scenario: n.sc.Name, File: n.sc.File, Seed: n.seed, Reason: reason, End: n.eng.Now(), Events: n.eng.Fired(),
		QueueManaged: n.sc.QueueManaged()}
	r.Flows = flows
	for i := range r.Flows {
		fr := &r.Flows[i]
		f := &n.sc.Flows[i]
		fr.From, fr.To = f.From, f.To
		fr.Path, fr.BaseRTT = n.flowPath(fr.From, fr.To)
		if i < len(n.delays) {
			fr.QueueDelay = n.delays[i].summary()
		}
	}
	r.Topology, r.routing = n.sc.Topology(), n.rt
	r.Listeners = n.listenerResults()
	for _, nd := range n.nodes {
		if nd.host != nil {
			r.Hosts = append(r.Hosts, HostResult{Name: nd.name, Counters: nd.host.Counters()})
		} else {
			r.Routers = append(r.Routers, RouterResult{Name: nd.name, Counters: nd.router.Counters()})
		}
	}
	for i, p := range n.pipes {
		d := n.dirs[i]
		to := &n.nodes[d.to]
		var hdr int64
		if to.host != nil {
			hdr = to.host.Counters().IPHeaderErrors
		} else {
			hdr = to.router.Counters().HeaderErrors
		}
		r.Links = append(r.Links, LinkResult{Name: p.Name, From: n.nodes[d.from].name, To: to.name, Config: p.Config(),
			Counters: p.Counters(), InFlight: p.InFlight(), RecvHeaderErrors: hdr, QueueDelay: p.QueueDelay()})
	}
	return r
}

// Scenario builds and runs sc with seed.
func Scenario(sc *scenario.Scenario, seed uint64) (*Result, error) {
	return ScenarioWith(sc, seed, Options{})
}

// ScenarioWith builds and runs sc with seed and instruments. A panic in the
// model (a broken invariant: a bug, never bad input) is returned as a
// *PanicError naming the scenario and seed that reproduce it.
func ScenarioWith(sc *scenario.Scenario, seed uint64, opt Options) (res *Result, err error) {
	defer func() {
		if v := recover(); v != nil {
			res, err = nil, &PanicError{File: sc.File, Scenario: sc.Name, Seed: seed, Value: v, Stack: debug.Stack()}
		}
	}()
	n, err := BuildWith(sc, seed, opt)
	if err != nil {
		return nil, err
	}
	return n.Run(), nil
}

// PanicError is an internal error: the model broke one of its invariants
// while running a scenario. It is a bug in tcpsim, and the scenario file
// and seed reproduce it.
type PanicError struct {
	File     string
	Scenario string
	Seed     uint64
	Value    any    // what was passed to panic
	Stack    []byte // the goroutine's stack at the panic
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("internal error (a bug in tcpsim, please report it): %v; reproduce with: tcpsim run %s --seed %d", e.Value, e.File, e.Seed)
}

// partialGoodput marks r as an unfinished transfer and sets its goodput
// so far: the bytes delivered per second from its start to now. A
// transfer that delivered nothing keeps goodput 0, not marked.
func (r *FlowResult) partialGoodput(now sim.Time) {
	if r.DeliveredBytes <= 0 {
		return
	}
	r.Partial = true
	r.PartialGoodput = goodput(r.DeliveredBytes, now-r.Start)
}

func goodput(bytes int64, d sim.Time) float64 {
	if d <= 0 {
		return 0
	}
	return float64(bytes) * 8 / d.Seconds()
}

type udpFlow struct {
	spec *scenario.Flow
	f    *udp.Flow
}

func (u *udpFlow) start() { u.f.Start() }

func (u *udpFlow) finished() bool { return u.f.Done() }

func (u *udpFlow) release() {}

func (u *udpFlow) result(now sim.Time) FlowResult {
	st := u.f.Stats()
	r := FlowResult{
		Name: u.spec.Name, Protocol: u.spec.Protocol,
		OfferedBytes: st.SentBytes, DeliveredBytes: st.DeliveredBytes,
		PacketsSent: st.Sent, PacketsRecv: st.Delivered,
		Lost: st.Sent - st.Delivered, ChecksumDrops: st.ChecksumDrops,
		Duplicates: st.Duplicates, OutOfOrder: st.OutOfOrder, Corrupt: st.CorruptDelivered, Unplaceable: st.Unplaceable,
		Start: sim.Time(u.spec.Start), Completion: -1, Family: u.spec.Family,
	}
	r.OfferedBytes = u.totalBytes()
	// A UDP flow is complete when everything was sent: its losses are
	// the point, not a failure.
	r.Complete = u.f.Done()
	if st.Delivered > 0 {
		r.Completion = st.LastDelivered - r.Start
		r.Goodput = goodput(st.DeliveredBytes, r.Completion)
	}
	if r.OfferedBytes > 0 {
		r.DeliveryRatio = float64(r.DeliveredBytes) / float64(r.OfferedBytes)
	}
	return r
}

func (u *udpFlow) totalBytes() int64 {
	if u.spec.UDP.Bytes > 0 {
		return int64(u.spec.UDP.Bytes)
	}
	return u.spec.UDP.Count * int64(u.spec.UDP.Datagram)
}

// flowDelay gathers the queueing delays of one flow's packets at its
// receiving host (Options.QueueDelay).
type flowDelay struct{ h hist.Histogram }

// Arrived implements host.DelaySink.
func (d *flowDelay) Arrived(queued int64) { d.h.Record(queued) }

func (d *flowDelay) summary() link.QueueDelay {
	h := &d.h
	if h.Count() == 0 {
		return link.QueueDelay{}
	}
	return link.QueueDelay{Count: h.Count(), Mean: sim.Time(h.Mean() + 0.5), P50: sim.Time(h.Quantile(0.5)),
		P99: sim.Time(h.Quantile(0.99)), Max: sim.Time(h.Max())}
}
