package tcp

import (
	"tcpsim/model/host"
	"tcpsim/model/link"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// Conn binds an Endpoint to the engine (one lazy timer for all of the
// endpoint's timers) and to a host (segments are encoded as real IPv4
// bytes and put on the link).
type Conn struct {
	*Endpoint
	eng    *sim.Engine
	h      *host.Host
	remote wire.Addr
	flow   int32
	timer  *sim.Timer
	ipID   uint16
	// OnInput, if set, runs after every segment the endpoint processes
	// (the application reacts to new data or state).
	OnInput func()
	// OnSegment, if set, sees every segment sent (for traces): its header,
	// payload length, and whether it is a retransmission.
	OnSegment func(h *wire.TCP, n int, retrans bool)
	// OnTimer, if set, is told when a timer is set, restarted, cancelled or
	// fired: kind is "set", "cancel" or "fired", at the deadline.
	OnTimer func(kind, timer string, at sim.Time)
	timers  [4]sim.Time
	// checksumDrops counts this connection's segments that arrived with a
	// bad checksum.
	checksumDrops int64
}

// NewConn creates an endpoint on h talking to remote, binds it to its local
// port, and tags its packets with flow.
func NewConn(eng *sim.Engine, h *host.Host, remote wire.Addr, flow int32, cfg Config) *Conn {
	c := &Conn{eng: eng, h: h, remote: remote, flow: flow}
	c.Endpoint = NewEndpoint(cfg, eng, c)
	c.timer = sim.NewTimer(eng, c.onTimer)
	h.BindTCP(cfg.LocalPort, c)
	return c
}

// Output implements Output: encode and send.
func (c *Conn) Output(th *wire.TCP, data []byte) {
	c.ipID++
	ip := wire.IPv4{Src: c.h.Addr, Dst: c.remote, ID: c.ipID}
	if c.Endpoint.ECT() {
		ip.ECN = wire.ECNECT0
	}
	var buf []byte
	if sum, ok := c.Endpoint.PayloadSum(); len(data) == 0 {
		buf = wire.BuildTCPSum(c.h.Pool().Get(), ip, th, nil, 0) // no payload: nothing to sum
	} else if ok {
		buf = wire.BuildTCPSum(c.h.Pool().Get(), ip, th, data, sum)
	} else {
		buf = wire.BuildTCP(c.h.Pool().Get(), ip, th, data)
	}
	if c.OnSegment != nil {
		c.OnSegment(th, len(data), c.Endpoint.Retransmitting())
	}
	c.h.Send(link.Packet{Buf: buf, Flow: c.flow})
}

// InputTCP implements host.TCPEndpoint.
func (c *Conn) InputTCP(th *wire.TCP, data []byte) {
	if c.Endpoint.ecn.on {
		c.Endpoint.InputECN(th, data, c.h.ArrivingECN())
	} else {
		c.Endpoint.Input(th, data) // without ECN the IP header's ECN field means nothing here
	}
	if c.OnInput != nil {
		c.OnInput()
	}
	c.arm()
}

// ChecksumDrops returns how many of this connection's arriving segments
// failed the checksum.
func (c *Conn) ChecksumDrops() int64 { return c.checksumDrops }

// ChecksumDrop counts a segment dropped for a bad checksum.
func (c *Conn) ChecksumDrop() { c.checksumDrops++ }

// Do runs f (an application call on the endpoint) and re-arms the timer.
func (c *Conn) Do(f func(e *Endpoint)) {
	f(c.Endpoint)
	c.arm()
}

func (c *Conn) onTimer() {
	if c.OnTimer != nil {
		now := c.eng.Now()
		for i, d := range c.Endpoint.Timers() {
			if d != 0 && d <= now {
				c.OnTimer("fired", TimerNames[i], d)
				c.timers[i] = 0
			}
		}
	}
	c.Endpoint.OnTimer()
	if c.OnInput != nil {
		c.OnInput()
	}
	c.arm()
}

// arm points the engine timer at the endpoint's earliest deadline. The
// timer is lazy, so moving it later costs nothing.
func (c *Conn) arm() {
	if c.OnTimer != nil {
		for i, d := range c.Endpoint.Timers() {
			switch old := c.timers[i]; {
			case d == old:
			case d == 0:
				c.OnTimer("cancel", TimerNames[i], old)
			default:
				c.OnTimer("set", TimerNames[i], d)
			}
			c.timers[i] = d
		}
	}
	d := c.Endpoint.Deadline()
	if d == 0 {
		c.timer.Stop()
		return
	}
	if d < c.eng.Now() {
		d = c.eng.Now()
	}
	c.timer.Reset(d)
}
