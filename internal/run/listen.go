package run

import (
	"strconv"

	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
	"tcpsim/model/host"
	"tcpsim/model/tcpconn"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// Servers' listening ports and SYN floods (Kurose & Ross §3.5.6; RFC
// 9293 §3.10.7.2, RFC 4987). Every TCP flow's server is a passive
// connection that its host's listener for the flow's port hands the
// client's SYN to; flows that name one port of one host share its
// listener. A flow with listen: false has none: its client's SYN finds a
// closed port and the host's RST.

type listenKey struct {
	host string
	port uint16
}

// ListenerResult is one listening port's accounting.
type ListenerResult struct {
	Host string
	Port uint16
	tcpconn.ListenerStats
	// Backlog is the port's limit of half-open connections; SynCookies
	// says a full backlog answers with SYN cookies.
	Backlog    int
	SynCookies bool
}

// listener returns the listener of flow f's server port on host dst
// (named to), making it from f's fields the first time.
func (n *Network) listener(f *scenario.Flow, to string, dst *host.Host, port uint16, streams sim.Streams) *tcpconn.Listener {
	k := listenKey{to, port}
	if l := n.listeners[k]; l != nil {
		return l
	}
	t := f.TCP
	name := "listener/" + to + ":" + strconv.Itoa(int(port))
	var secret [16]byte
	sr := streams.Stream(name + "/secret")
	for i := range secret {
		secret[i] = byte(sr.Uint32())
	}
	isn := streams.Stream(name + "/isn")
	cfg := tcpconn.ListenerConfig{Port: port, Backlog: t.Backlog, SynCookies: t.SynCookies, SynAckRetries: t.SynAckRetries,
		InitialRTO: sim.Time(t.InitialRTO), MSS: t.MSS, Window: min(int(t.RecvBuffer), 65535), Secret: secret, ISN: isn.Uint32}
	if n.tr != nil {
		cfg.Observer = &listenTrace{t: n.tr, host: to, port: port}
	}
	l := tcpconn.NewListener(n.eng, dst, cfg)
	if n.listeners == nil {
		n.listeners = map[listenKey]*tcpconn.Listener{}
	}
	n.listeners[k] = l
	n.listenOrder = append(n.listenOrder, k)
	return l
}

// listenerResults returns every listener's accounting, in the order they
// were made (the flows' order).
func (n *Network) listenerResults() []ListenerResult {
	var out []ListenerResult
	for _, k := range n.listenOrder {
		l := n.listeners[k]
		c := l.Config()
		out = append(out, ListenerResult{Host: k.host, Port: k.port, ListenerStats: l.Stats(), Backlog: c.Backlog, SynCookies: c.SynCookies})
	}
	return out
}

// listenTrace traces a listener's decisions as "listen" events.
type listenTrace struct {
	t    *tracer
	host string
	port uint16
}

// ListenerEvent implements tcpconn.ListenerObserver.
func (l *listenTrace) ListenerEvent(ev tcpconn.ListenerEvent, flow int32, raddr wire.Addr, rport uint16, halfOpen, backlog int) {
	if ev == tcpconn.LnAccept {
		return // the ordinary hand-off: the connection's own events show it
	}
	t := l.t
	what := map[tcpconn.ListenerEvent]string{
		tcpconn.LnHalfOpen:  "SYN-ACK sent, half-open connection kept",
		tcpconn.LnDrop:      "SYN dropped: backlog full",
		tcpconn.LnCookie:    "backlog full: SYN cookie sent, nothing kept",
		tcpconn.LnCookieOK:  "ACK's cookie checks: connection rebuilt",
		tcpconn.LnCookieBad: "ACK's cookie fails: RST",
		tcpconn.LnExpire:    "half-open connection given up (SYN-ACK unanswered)",
		tcpconn.LnReset:     "RST ends a half-open connection",
	}[ev]
	detail := "server " + l.host + ":" + strconv.Itoa(int(l.port)) + " from " + raddr.String() + ":" + strconv.Itoa(int(rport)) +
		" " + ev.String() + ": " + what + " (half-open " + strconv.Itoa(halfOpen) + "/" + strconv.Itoa(backlog) + ")"
	t.ev = trace.Event{T: t.n.eng.Now(), Flow: t.flowName(flow), Kind: trace.Listen, Node: t.node(l.host), Detail: detail,
		Value: int64(halfOpen), Value2: int64(backlog)}
	t.sink.Event(&t.ev)
}

// floodFlow is a syn-flood flow: spoofed SYNs at a rate.
type floodFlow struct {
	spec *scenario.Flow
	f    *tcpconn.Flood
	n    *Network
	key  listenKey
}

func newFloodFlow(n *Network, i int, f *scenario.Flow, src, dst *host.Host, streams sim.Streams) *floodFlow {
	ff := &floodFlow{spec: f, n: n, key: listenKey{f.To, uint16(f.Flood.Port)}}
	ff.f = tcpconn.NewFlood(n.eng, src, tcpconn.FloodConfig{Dst: dst.Addr, DstPort: uint16(f.Flood.Port), Count: f.Flood.Count,
		Rate: f.Flood.Rate, Start: sim.Time(f.Start), Flow: int32(i), Rand: streams.Stream("flow/" + f.Name + "/spoof"),
		OnDone: n.checker(i)})
	return ff
}

func (ff *floodFlow) start()         { ff.f.Start() }
func (ff *floodFlow) finished() bool { return ff.f.Done() }
func (ff *floodFlow) release()       {}

func (ff *floodFlow) result(sim.Time) FlowResult {
	r := FlowResult{Name: ff.spec.Name, Protocol: ff.spec.Protocol, PacketsSent: ff.f.Sent(),
		Start: sim.Time(ff.spec.Start), Completion: -1, Family: ff.spec.Family, Complete: ff.f.Done()}
	r.Flood = &FloodResult{SYNs: ff.f.Sent()}
	if l := ff.n.listeners[ff.key]; l != nil {
		st, c := l.Stats(), l.Config()
		r.Flood.Listener = &ListenerResult{Host: ff.key.host, Port: ff.key.port, ListenerStats: st, Backlog: c.Backlog, SynCookies: c.SynCookies}
	}
	return r
}

// FloodResult is what a syn-flood flow did, and what the listener it aims
// at did in the run (with every client's SYNs, not only the flood's).
type FloodResult struct {
	SYNs int64 // spoofed SYNs sent
	// Listener is the target port's listener; nil if nobody listens
	// there (the host answered every SYN with a RST, to nobody).
	Listener *ListenerResult
}
