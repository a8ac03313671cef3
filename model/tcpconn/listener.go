package tcpconn

import (
	"tcpsim/model/host"
	"tcpsim/model/link"
	"tcpsim/model/tcp"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// ListenerConfig describes a listening port (RFC 9293 §3.10.7.2, "If the
// state is LISTEN") and its queue of half-open connections.
type ListenerConfig struct {
	Port uint16
	// Backlog is how many half-open connections (in SYN-RECEIVED) the
	// port holds at once; a SYN beyond it is dropped, or answered with a
	// cookie. As Linux's inet_csk_reqsk_queue_is_full, the queue of SYNs
	// is bounded by the listen(2) backlog. At least 1.
	Backlog int
	// SynCookies answers a SYN that finds the backlog full with a SYN
	// cookie instead of dropping it (RFC 4987 §3.6; Linux's
	// net.ipv4.tcp_syncookies = 1 does so only then).
	SynCookies bool
	// SynAckRetries is how many times the SYN-ACK of a half-open
	// connection the listener holds is retransmitted before the
	// connection is dropped (Linux net.ipv4.tcp_synack_retries); at
	// least 1.
	SynAckRetries int
	// InitialRTO is the SYN-ACK timer's first timeout, doubled at each
	// retransmission (Linux's TCP_TIMEOUT_INIT, reqsk_timer_handler).
	InitialRTO sim.Time
	// MSS is the MSS option of the listener's SYN-ACKs; Window their
	// window (never scaled on a SYN, RFC 7323 §2.2).
	MSS, Window int
	// Secret keys the SYN cookies (tcp.CookieJar).
	Secret [16]byte
	// ISN draws the initial sequence number of a half-open connection
	// the listener holds itself.
	ISN func() uint32
	// Observer, if set, is told what the listener decides.
	Observer ListenerObserver
}

// ListenerEvent is a decision of a listener.
type ListenerEvent uint8

// What a listener reports.
const (
	// LnAccept: a SYN (or a cookie's ACK) was handed to the connection
	// that expects it.
	LnAccept ListenerEvent = iota
	// LnHalfOpen: a SYN from a client no application expects was
	// answered with a SYN-ACK, and a half-open connection kept for it.
	LnHalfOpen
	// LnDrop: a SYN was dropped: the backlog was full.
	LnDrop
	// LnCookie: a SYN that found the backlog full was answered with a
	// SYN cookie, and nothing kept.
	LnCookie
	// LnCookieOK: an ACK's cookie checked: the connection was rebuilt.
	LnCookieOK
	// LnCookieBad: an ACK's cookie did not check: a RST answered it.
	LnCookieBad
	// LnExpire: a half-open connection's SYN-ACK went unanswered
	// SynAckRetries times: it was dropped.
	LnExpire
	// LnReset: a RST ended a half-open connection.
	LnReset
)

var listenerEventNames = [...]string{"accept", "half-open", "drop", "cookie", "cookie-ok", "cookie-bad", "expire", "reset"}

// String returns the event's name, as traces write it.
func (e ListenerEvent) String() string {
	if int(e) < len(listenerEventNames) {
		return listenerEventNames[e]
	}
	return "listener-event?"
}

// ListenerObserver is told of a listener's decisions: ev about the
// connection from port rport of raddr, with half-open connections held
// after it, of backlog.
type ListenerObserver interface {
	ListenerEvent(ev ListenerEvent, flow int32, raddr wire.Addr, rport uint16, halfOpen, backlog int)
}

// ListenerStats are a listener's counters.
type ListenerStats struct {
	Received        int64 // segments the listener took itself (not handed to a connection)
	Syns            int64 // SYNs that reached it: those accepted (Accepted less the connections a cookie opened) + HalfOpened + Dropped + CookiesSent + Repeated
	Repeated        int64 // SYNs repeated for a half-open connection it holds (its timer resends the SYN-ACK)
	Accepted        int64 // connections handed to the application that expected them, by their SYN or by a cookie's ACK
	HalfOpened      int64 // half-open connections it kept for clients nobody expects
	Dropped         int64 // SYNs dropped because the backlog was full (Linux ListenDrops)
	CookiesSent     int64 // SYN cookies sent (Linux SyncookiesSent)
	CookiesAccepted int64 // ACKs whose cookie checked (Linux SyncookiesRecv)
	CookiesRejected int64 // ACKs whose cookie failed (Linux SyncookiesFailed)
	Expired         int64 // half-open connections dropped after SynAckRetries retransmissions
	SynAcksSent     int64 // SYN-ACKs it sent itself (its half-open connections' and cookies), retransmissions included
	ResetsSent      int64 // RSTs it sent (an ACK in LISTEN, RFC 9293 §3.10.7.2)
	MaxHalfOpen     int   // the most half-open connections held at once
}

// Listener is a listening port on a host: it takes the segments of the
// port that belong to no connection yet (RFC 9293 §3.10.7.2), hands a SYN
// to the connection an application expects from its sender (Expect) if
// the backlog has room, keeps a half-open connection (Linux's
// request_sock: no endpoint, a SYN-ACK and its timer) for a SYN nobody
// expects, and drops a SYN, or answers it with a SYN cookie, when the
// backlog is full.
type Listener struct {
	cfg      ListenerConfig
	eng      *sim.Engine
	h        *host.Host
	jar      *tcp.CookieJar
	expect   map[remoteKey]*Conn
	children []*Conn // connections accepted that may still be half-open
	reqs     map[remoteKey]*request
	st       ListenerStats
	fire     sim.Action
	gen      uint64
	byGen    map[uint64]remoteKey
	hdr      wire.TCP
}

type remoteKey struct {
	addr wire.Addr
	port uint16
}

// request is a half-open connection the listener keeps itself.
type request struct {
	irs, iss uint32
	retries  int
	flow     int32
	gen      uint64 // the generation of its pending timer event
}

// NewListener makes a listener for cfg.Port on h and binds it there.
func NewListener(eng *sim.Engine, h *host.Host, cfg ListenerConfig) *Listener {
	l := &Listener{cfg: cfg, eng: eng, h: h, jar: tcp.NewCookieJar(cfg.Secret),
		expect: map[remoteKey]*Conn{}, reqs: map[remoteKey]*request{}, byGen: map[uint64]remoteKey{}}
	l.fire = l.onTimer
	h.BindTCP(cfg.Port, l)
	return l
}

// Expect makes the listener hand the SYN from c's remote address and port
// to c (a passive connection, NewPassiveConn, on the listener's port).
func (l *Listener) Expect(c *Conn) { l.expect[remoteKey{c.remote, c.rport}] = c }

// Stats returns the listener's counters.
func (l *Listener) Stats() ListenerStats { return l.st }

// Config returns the listener's configuration.
func (l *Listener) Config() ListenerConfig { return l.cfg }

// HalfOpen returns how many half-open connections the listener holds:
// its own and the accepted connections still in SYN-RECEIVED.
func (l *Listener) HalfOpen() int {
	kept := l.children[:0]
	for _, c := range l.children {
		if c.State() == tcp.SynReceived {
			kept = append(kept, c)
		}
	}
	clear(l.children[len(kept):])
	l.children = kept
	return len(l.reqs) + len(kept)
}

func (l *Listener) note(ev ListenerEvent, flow int32, k remoteKey) {
	if l.cfg.Observer != nil {
		l.cfg.Observer.ListenerEvent(ev, flow, k.addr, k.port, l.HalfOpen(), l.cfg.Backlog)
	}
}

// InputTCP implements host.TCPEndpoint: a segment of the port that no
// connection has claimed.
func (l *Listener) InputTCP(th *wire.TCP, data []byte) {
	k := remoteKey{l.h.ArrivingSource(), th.SrcPort}
	flow := l.h.ArrivingFlow()
	switch {
	case th.Flags&wire.FlagRST != 0:
		l.st.Received++
		// §3.10.7.4: a RST in SYN-RECEIVED from a passive open returns
		// to LISTEN (the half-open connection is gone); in LISTEN it is
		// ignored (§3.10.7.2).
		if r, ok := l.reqs[k]; ok && th.Seq == r.irs+1 {
			l.forget(k)
			l.note(LnReset, flow, k)
		}
	case th.Flags&wire.FlagACK != 0:
		l.inputAck(th, data, k, flow)
	case th.Flags&wire.FlagSYN != 0:
		l.inputSyn(th, data, k, flow)
	default:
		l.st.Received++ // §3.10.7.2: anything else in LISTEN is dropped
	}
}

func (l *Listener) inputSyn(th *wire.TCP, data []byte, k remoteKey, flow int32) {
	l.st.Syns++
	if _, ok := l.reqs[k]; ok {
		l.st.Received++ // a repeated SYN: the held SYN-ACK's timer resends
		l.st.Repeated++
		return
	}
	if l.HalfOpen() >= l.cfg.Backlog {
		l.st.Received++
		if !l.cfg.SynCookies {
			l.st.Dropped++
			l.note(LnDrop, flow, k)
			return
		}
		tu := tcp.Tuple{Remote: k.addr, RemotePort: k.port, Local: l.h.Addr, LocalPort: l.cfg.Port}
		isn, _ := l.jar.ISN(tu, int(th.MSS), l.eng.Now())
		l.st.CookiesSent++
		l.synAck(k, isn, th.Seq, flow)
		l.note(LnCookie, flow, k)
		return
	}
	if c := l.expect[k]; c != nil && c.State() == tcp.Listen {
		l.st.Accepted++
		c.bind()
		l.children = append(l.children, c)
		c.InputTCP(th, data)
		l.note(LnAccept, flow, k)
		return
	}
	l.st.Received++
	l.st.HalfOpened++
	r := &request{irs: th.Seq, iss: l.cfg.ISN(), flow: flow}
	l.reqs[k] = r
	l.synAck(k, r.iss, r.irs, flow)
	l.arm(k, r, l.cfg.InitialRTO)
	l.st.MaxHalfOpen = max(l.st.MaxHalfOpen, l.HalfOpen())
	l.note(LnHalfOpen, flow, k)
}

func (l *Listener) inputAck(th *wire.TCP, data []byte, k remoteKey, flow int32) {
	if th.Flags&wire.FlagSYN == 0 {
		if r, ok := l.reqs[k]; ok && th.Ack == r.iss+1 {
			// A held connection completes, but no application expects
			// this client: it is dropped (Linux would queue it for an
			// accept() that tcpsim's applications never call).
			l.st.Received++
			l.forget(k)
			return
		}
		if l.cfg.SynCookies {
			tu := tcp.Tuple{Remote: k.addr, RemotePort: k.port, Local: l.h.Addr, LocalPort: l.cfg.Port}
			if mss, ok := l.jar.Check(tu, th.Ack-1, l.eng.Now()); ok {
				l.st.CookiesAccepted++
				if c := l.expect[k]; c != nil && c.State() == tcp.Listen {
					l.st.Accepted++
					c.bind()
					c.acceptCookie(th, data, mss)
					l.note(LnCookieOK, flow, k)
					return
				}
				l.st.Received++
				l.note(LnCookieOK, flow, k)
				return
			}
			l.st.CookiesRejected++
			l.note(LnCookieBad, flow, k)
		}
	}
	l.st.Received++
	// §3.10.7.2: any acknowledgment is bad in LISTEN: <SEQ=SEG.ACK><CTL=RST>.
	if rst, ok := tcp.ResetFor(th, len(data)); ok {
		l.st.ResetsSent++
		l.send(k, &rst, flow)
	}
}

// synAck sends a SYN-ACK with sequence number iss acknowledging a SYN
// with sequence number irs. It carries the MSS option only (a cookie's
// must: nothing else could be remembered; the flood's SYNs offer nothing
// else).
func (l *Listener) synAck(k remoteKey, iss, irs uint32, flow int32) {
	h := &l.hdr
	*h = wire.TCP{SrcPort: l.cfg.Port, DstPort: k.port, Seq: iss, Ack: irs + 1, Flags: wire.FlagSYN | wire.FlagACK,
		Window: uint16(min(l.cfg.Window, 65535)), MSS: uint16(l.cfg.MSS), WScale: -1}
	l.st.SynAcksSent++
	l.send(k, h, flow)
}

func (l *Listener) send(k remoteKey, h *wire.TCP, flow int32) {
	buf := wire.BuildTCP(l.h.Pool().Get(wire.IPv4HeaderLen+wire.TCPLen(h, 0)), wire.IPv4{Src: l.h.Addr, Dst: k.addr}, h, nil)
	l.h.Send(link.Packet{Buf: buf, Flow: flow})
}

// arm schedules the SYN-ACK timer of r after d; an event whose
// generation is no longer r's is stale and does nothing.
func (l *Listener) arm(k remoteKey, r *request, d sim.Time) {
	l.gen++
	r.gen = l.gen
	l.byGen[r.gen] = k
	l.eng.At(l.eng.Now().Add(d), l.fire, r.gen)
}

func (l *Listener) forget(k remoteKey) {
	if r, ok := l.reqs[k]; ok {
		delete(l.byGen, r.gen)
		delete(l.reqs, k)
	}
}

// onTimer is a half-open connection's SYN-ACK timer: resend with the
// timeout doubled (RFC 6298 §5.5), or drop it after SynAckRetries.
func (l *Listener) onTimer(gen uint64) {
	k, ok := l.byGen[gen]
	if !ok {
		return
	}
	delete(l.byGen, gen)
	r := l.reqs[k]
	if r.retries >= l.cfg.SynAckRetries {
		delete(l.reqs, k)
		l.st.Expired++
		l.note(LnExpire, r.flow, k)
		return
	}
	r.retries++
	l.synAck(k, r.iss, r.irs, r.flow)
	l.arm(k, r, l.cfg.InitialRTO<<r.retries)
}
