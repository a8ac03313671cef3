// Package tcpconn runs tcp endpoints in the simulated network: Conn binds
// a sans-I/O tcp.Endpoint to the engine (one lazy timer for all of the
// endpoint's timers) and to a host (segments are encoded as real IPv4
// bytes and put on the link), and App is the application on a pair of
// them (bulk transfer or request/response). The TCP model itself, in
// model/tcp, imports neither hosts nor links.
package tcpconn

import (
	"tcpsim/model/host"
	"tcpsim/model/link"
	"tcpsim/model/tcp"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// Conn binds a tcp.Endpoint to the engine and to a host. The application
// calls the endpoint through Conn's methods, each of which re-arms the
// engine timer for the endpoint's earliest deadline.
type Conn struct {
	ep     *tcp.Endpoint
	eng    *sim.Engine
	h      *host.Host
	remote wire.Addr
	// lport and rport are the connection's ports: with the host's and
	// remote's addresses, the 4-tuple the host demultiplexes it by.
	lport, rport uint16
	flow         int32
	timer        *sim.Timer
	ipID         uint16
	// obs is Config.Observer: told of segments sent and timers, as the
	// endpoint tells it of its own events.
	obs tcp.Observer
	// onInput, if set (by App), runs after every segment the endpoint
	// processes and every timer it runs (the application reacts to new
	// data or state).
	onInput func()
	// depth counts the calls into the endpoint in progress (an arriving
	// segment, a timer, an application call): the outermost re-arms the
	// timer when it returns, so that an application call made from
	// inside one does not re-arm halfway.
	depth  int
	timers [4]sim.Time // the deadlines last reported to obs
	// checksumDrops counts this connection's segments that arrived with a
	// bad checksum.
	checksumDrops int64
}

// NewConn creates an endpoint on h talking to port cfg.RemotePort of
// remote, binds it to its 4-tuple (cfg.LocalPort, remote, cfg.RemotePort),
// and tags its packets with flow. cfg.Observer, if set, is told of the
// endpoint's events and of the connection's (EvSegment, EvTimer).
func NewConn(eng *sim.Engine, h *host.Host, remote wire.Addr, flow int32, cfg tcp.Config) *Conn {
	c := NewPassiveConn(eng, h, remote, flow, cfg)
	c.bind()
	return c
}

// NewPassiveConn is NewConn for a server's side of a connection that a
// Listener will accept (Listener.Expect): it is bound to its 4-tuple only
// when the listener hands it the client's SYN or a cookie's ACK. Until
// then segments of its 4-tuple reach the listener, or, with none, the
// host's reset for a closed port.
func NewPassiveConn(eng *sim.Engine, h *host.Host, remote wire.Addr, flow int32, cfg tcp.Config) *Conn {
	c := &Conn{eng: eng, h: h, remote: remote, lport: cfg.LocalPort, rport: cfg.RemotePort, flow: flow, obs: cfg.Observer}
	c.ep = tcp.NewEndpoint(cfg, eng, c)
	c.timer = sim.NewTimer(eng, c.onTimer)
	return c
}

// bind makes the host deliver the connection's segments to it.
func (c *Conn) bind() { c.h.BindTCPConn(c.lport, c.remote, c.rport, c) }

// acceptCookie opens the listening endpoint from a cookie's ACK
// (tcp.Endpoint.AcceptCookie), as one call into it.
func (c *Conn) acceptCookie(th *wire.TCP, data []byte, mss int) bool {
	c.depth++
	ok := c.ep.AcceptCookie(th, data, mss)
	if c.onInput != nil {
		c.onInput()
	}
	c.done()
	return ok
}

// Output implements tcp.Output: encode and send.
func (c *Conn) Output(th *wire.TCP, data []byte) {
	c.ipID++
	ip := wire.IPv4{Src: c.h.Addr, Dst: c.remote, ID: c.ipID}
	if c.ep.ECT() {
		ip.ECN = wire.ECNECT0
	}
	var buf []byte
	b := c.h.Pool().Get(wire.IPv4HeaderLen + wire.TCPLen(th, len(data)))
	if sum, ok := c.ep.PayloadSum(); len(data) == 0 {
		buf = wire.BuildTCPSum(b, ip, th, nil, 0) // no payload: nothing to sum
	} else if ok {
		buf = wire.BuildTCPSum(b, ip, th, data, sum)
	} else {
		buf = wire.BuildTCP(b, ip, th, data)
	}
	if c.obs != nil {
		c.obs.TCPEvent(tcp.EvSegment, tcp.Note{Header: th, Len: len(data), Retrans: c.ep.Retransmitting()})
	}
	c.h.Send(link.Packet{Buf: buf, Flow: c.flow})
}

// InputTCP implements host.TCPEndpoint.
func (c *Conn) InputTCP(th *wire.TCP, data []byte) {
	c.depth++
	if c.ep.ECN() {
		c.ep.InputECN(th, data, c.h.ArrivingECN())
	} else {
		c.ep.Input(th, data) // without ECN the IP header's ECN field means nothing here
	}
	if c.onInput != nil {
		c.onInput()
	}
	c.done()
}

// ChecksumDrops returns how many of this connection's arriving segments
// failed the checksum.
func (c *Conn) ChecksumDrops() int64 { return c.checksumDrops }

// ChecksumDrop implements host.DropSink: it counts a segment dropped for a
// bad checksum.
func (c *Conn) ChecksumDrop() { c.checksumDrops++ }

// Listen makes the endpoint wait for a SYN (tcp.Endpoint.Listen).
func (c *Conn) Listen() { c.depth++; c.ep.Listen(); c.done() }

// Connect sends a SYN (tcp.Endpoint.Connect).
func (c *Conn) Connect() { c.depth++; c.ep.Connect(); c.done() }

// Write adds n bytes to the stream to send (tcp.Endpoint.Write).
func (c *Conn) Write(n int64) { c.depth++; c.ep.Write(n); c.done() }

// Close queues a FIN after the data written so far (tcp.Endpoint.Close).
func (c *Conn) Close() { c.depth++; c.ep.Close(); c.done() }

// ReadInPlace consumes up to max in-order bytes without copying them
// (tcp.Endpoint.ReadInPlace): at most two slices, valid until the next
// call, and the stream offset of the first byte.
func (c *Conn) ReadInPlace(max int) (first, second []byte, off int64) {
	c.depth++
	first, second, off = c.ep.ReadInPlace(max)
	c.done()
	return first, second, off
}

// Readable returns how many in-order bytes wait for the application.
func (c *Conn) Readable() int { return c.ep.Readable() }

// EOF reports whether the peer's FIN has arrived and every byte before it
// has been read.
func (c *Conn) EOF() bool { return c.ep.EOF() }

// MSS returns the endpoint's configured MSS.
func (c *Conn) MSS() int { return c.ep.MSS() }

// State returns the connection state.
func (c *Conn) State() tcp.State { return c.ep.State() }

// Aborted returns why the connection was aborted, or "".
func (c *Conn) Aborted() string { return c.ep.Aborted() }

// Stats returns the endpoint's counters.
func (c *Conn) Stats() tcp.Stats { return c.ep.Stats() }

// SMSS returns the sender's maximum segment size (tcp.Endpoint.SMSS).
func (c *Conn) SMSS() int { return c.ep.SMSS() }

// Cwnd returns the congestion window in bytes.
func (c *Conn) Cwnd() int { return c.ep.Cwnd() }

// SRTT returns the smoothed round-trip time (0 before the first sample).
func (c *Conn) SRTT() sim.Time { return c.ep.SRTT() }

// RTO returns the current retransmission timeout.
func (c *Conn) RTO() sim.Time { return c.ep.RTO() }

// ECN reports whether the handshake agreed to ECN (RFC 3168 §6.1.1).
func (c *Conn) ECN() bool { return c.ep.ECN() }

// WindowShift returns the window scale shift the endpoint applies to the
// windows it advertises (RFC 7323), valid once the handshake is done.
func (c *Conn) WindowShift() uint8 { return c.ep.WindowShift() }

// Trim releases the endpoint's empty buffers (tcp.Endpoint.Trim).
func (c *Conn) Trim() { c.ep.Trim() }

func (c *Conn) onTimer() {
	c.depth++
	if c.obs != nil {
		now := c.eng.Now()
		for i, d := range c.ep.Timers() {
			if d != 0 && d <= now {
				c.obs.TCPEvent(tcp.EvTimer, tcp.Note{TimerOp: sim.TimerFired, Timer: tcp.TimerNames[i], At: d})
				c.timers[i] = 0
			}
		}
	}
	c.ep.OnTimer()
	if c.onInput != nil {
		c.onInput()
	}
	c.done()
}

// done ends a call into the endpoint; the outermost re-arms the timer.
func (c *Conn) done() {
	c.depth--
	if c.depth == 0 {
		c.arm()
	}
}

// arm points the engine timer at the endpoint's earliest deadline. The
// timer is lazy, so moving it later costs nothing.
func (c *Conn) arm() {
	if c.obs != nil {
		for i, d := range c.ep.Timers() {
			switch old := c.timers[i]; {
			case d == old:
			case d == 0:
				c.obs.TCPEvent(tcp.EvTimer, tcp.Note{TimerOp: sim.TimerCancel, Timer: tcp.TimerNames[i], At: old})
			default:
				c.obs.TCPEvent(tcp.EvTimer, tcp.Note{TimerOp: sim.TimerSet, Timer: tcp.TimerNames[i], At: d})
			}
			c.timers[i] = d
		}
	}
	d := c.ep.Deadline()
	if d == 0 {
		c.timer.Stop()
		return
	}
	if d < c.eng.Now() {
		d = c.eng.Now()
	}
	c.timer.Reset(d)
}
