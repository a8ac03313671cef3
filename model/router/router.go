// Package router models an IPv4 router: packets arriving on any interface
// are checked (IPv4 header), their TTL decremented with an incremental
// checksum update (RFC 1624), and sent on the interface that the
// forwarding table names for their destination. Each interface is an
// outgoing link direction, whose queue is the interface's output queue.
//
// Deviation: a real router answers a packet it drops for an expired TTL
// or a missing route with an ICMP message (RFC 1812 §4.3.2, §5.3.1);
// tcpsim's routers drop and count, and send nothing.
package router

import (
	"tcpsim/model/link"
	"tcpsim/model/wire"
)

// Counters are a router's forwarding decisions. Every packet received is
// counted in exactly one of them.
type Counters struct {
	Forwarded    int64 // sent on an interface
	HeaderErrors int64 // bad IPv4 header (checksum, version, length): RFC 1812 §5.2.2
	TTLExpired   int64 // TTL of 1 or 0 on arrival: RFC 1812 §5.3.1
	NoRoute      int64 // no forwarding table entry for the destination
}

// Drop reasons passed to OnDrop.
const (
	DropHeader  = "header"
	DropTTL     = "ttl-expired"
	DropNoRoute = "no-route"
)

// Router forwards IPv4 packets by destination address.
type Router struct {
	Name   string
	Addr   wire.Addr
	pool   *link.Pool
	ifaces []*link.Pipe
	routes map[wire.Addr]int // destination → interface index
	c      Counters
	// OnDrop, if set, sees every packet the router drops, with why (one
	// of the Drop constants), before its buffer is recycled.
	OnDrop func(pkt link.Packet, why string)
}

// New returns a router with no interfaces and an empty forwarding table.
func New(name string, addr wire.Addr, pool *link.Pool) *Router {
	return &Router{Name: name, Addr: addr, pool: pool, routes: map[wire.Addr]int{}}
}

// AddInterface adds an interface sending on out and returns its index.
func (r *Router) AddInterface(out *link.Pipe) int {
	r.ifaces = append(r.ifaces, out)
	return len(r.ifaces) - 1
}

// Interfaces returns the outgoing directions, by interface index.
func (r *Router) Interfaces() []*link.Pipe { return r.ifaces }

// SetRoute makes packets for dst leave on interface iface (an index from
// AddInterface). It panics on an unknown interface: routes are computed
// from the same topology that made the interfaces.
func (r *Router) SetRoute(dst wire.Addr, iface int) {
	if iface < 0 || iface >= len(r.ifaces) {
		panic("router: route to an interface that does not exist")
	}
	r.routes[dst] = iface
}

// Counters returns the forwarding decisions so far.
func (r *Router) Counters() Counters { return r.c }

// Receive implements link.Receiver: verify the IPv4 header, look up the
// route, decrement the TTL and send on the route's interface. A packet
// dropped is returned to the pool.
func (r *Router) Receive(pkt link.Packet) {
	ip, _, err := wire.ParseIPv4(pkt.Buf)
	if err != nil {
		r.c.HeaderErrors++
		r.drop(pkt, DropHeader)
		return
	}
	iface, ok := r.routes[ip.Dst]
	if !ok {
		r.c.NoRoute++
		r.drop(pkt, DropNoRoute)
		return
	}
	// RFC 1812 §5.3.1: a packet that arrives with TTL 1 (or 0) would
	// leave with 0, so it is not forwarded.
	if ip.TTL <= 1 {
		r.c.TTLExpired++
		r.drop(pkt, DropTTL)
		return
	}
	wire.DecrementTTL(pkt.Buf)
	r.c.Forwarded++
	r.ifaces[iface].Send(pkt)
}

func (r *Router) drop(pkt link.Packet, why string) {
	if r.OnDrop != nil {
		r.OnDrop(pkt, why)
	}
	r.pool.Put(pkt.Buf)
}
