package run

import (
	"fmt"

	"tcpsim/model/host"
	"tcpsim/model/link"
	"tcpsim/model/router"
	"tcpsim/sim"
)

// buildNodes makes the hosts, routers and link directions of the
// scenario and fills the forwarding tables from the routes. In the
// shorthand form that is hosts a and b and the directions forward and
// reverse, exactly as before topologies existed.
func (n *Network) buildNodes(streams sim.Streams, pool *link.Pool) error {
	sc := n.sc
	index := map[string]int{}
	for i, name := range sc.HostNames() {
		h := host.New(HostAddr(i), pool)
		index[name] = len(n.nodes)
		n.nodes = append(n.nodes, netNode{name: name, addr: h.Addr, host: h})
		n.hosts = append(n.hosts, h)
	}
	for j, name := range sc.RouterNames() {
		r := router.New(name, RouterAddr(j), pool)
		index[name] = len(n.nodes)
		n.nodes = append(n.nodes, netNode{name: name, addr: r.Addr, router: r})
		n.routers = append(n.routers, r)
	}
	gnodes := make([]graphNode, len(n.nodes))
	for i, nd := range n.nodes {
		gnodes[i] = graphNode{name: nd.name, router: nd.router != nil}
	}
	var edges []graphEdge
	for _, ls := range sc.LinkSpecs() {
		if n.stop() {
			return ErrInterrupted
		}
		a, b := index[ls.A], index[ls.B]
		for _, d := range []struct {
			name     string
			cfg      link.Config
			from, to int
		}{{ls.ForwardName, ls.Forward, a, b}, {ls.ReverseName, ls.Reverse, b, a}} {
			if err := d.cfg.Validate(); err != nil {
				return fmt.Errorf("%s: %s %s: %w", sc.File, ls.Path, d.name, err)
			}
			p := link.NewPipe(n.eng, streams, d.name, d.cfg, n.receiver(d.to), pool)
			n.pipes = append(n.pipes, p)
			n.dirs = append(n.dirs, netDir{from: d.from, to: d.to})
			n.attach(d.from, p)
			edges = append(edges, graphEdge{from: d.from, to: d.to, delay: d.cfg.Delay, name: d.name})
		}
	}
	routes, ok := computeRoutesUntil(gnodes, edges, n.stop)
	if !ok {
		return ErrInterrupted
	}
	n.routes = routes
	for i := range n.routes {
		if n.stop() {
			return ErrInterrupted
		}
		nd := &n.nodes[i]
		for _, r := range n.routes[i].Routes {
			dst := n.nodes[index[r.Dest]].addr
			out := n.pipeNamed(r.Link)
			if nd.router != nil {
				nd.router.SetRoute(dst, n.ifaceOf(nd.router, out))
			} else {
				nd.host.Route(dst, out)
			}
		}
	}
	return nil
}

func (n *Network) receiver(i int) link.Receiver {
	if h := n.nodes[i].host; h != nil {
		return h
	}
	return n.nodes[i].router
}

func (n *Network) attach(i int, p *link.Pipe) {
	if h := n.nodes[i].host; h != nil {
		h.Attach(p)
		return
	}
	n.nodes[i].router.AddInterface(p)
}

func (n *Network) pipeNamed(name string) *link.Pipe {
	for _, p := range n.pipes {
		if p.Name == name {
			return p
		}
	}
	panic("run: a route names direction " + name + ", which does not exist")
}

func (n *Network) ifaceOf(r *router.Router, p *link.Pipe) int {
	for i, q := range r.Interfaces() {
		if q == p {
			return i
		}
	}
	panic("run: a route leaves " + r.Name + " on another node's interface")
}

func (n *Network) nodeIndex(name string) int {
	for i := range n.nodes {
		if n.nodes[i].name == name {
			return i
		}
	}
	panic("run: no node " + name + " (scenario validation checks flow ends)")
}

// host returns the host named name.
func (n *Network) host(name string) *host.Host { return n.nodes[n.nodeIndex(name)].host }

// firstHop returns the direction that host from sends on towards to.
func (n *Network) firstHop(from, to string) *link.Pipe {
	r, ok := n.routes[n.nodeIndex(from)].route(to)
	if !ok {
		panic("run: no route from " + from + " to " + to + " (scenario validation checks reachability)")
	}
	return n.pipeNamed(r.Link)
}

// maxRouters is how many routers a path may cross: hosts send with TTL 64
// (wire.PutIPv4), and a router drops a packet that arrives with TTL 1 or
// less (RFC 791 §3.2, RFC 1812 §5.3.1), so the 64th router would drop
// every packet.
const maxRouters = 63

// checkTTL refuses a flow whose path, out or back, crosses more routers
// than a packet's TTL lets it: it would run and deliver nothing.
func (n *Network) checkTTL(flow, from, to string) error {
	for _, e := range [][2]string{{from, to}, {to, from}} {
		r, ok := n.routes[n.nodeIndex(e[0])].route(e[1])
		if ok && len(r.Path)-2 > maxRouters {
			return fmt.Errorf("flow %s: the shortest path from %s to %s crosses %d routers, and a packet sent with TTL 64 expires at the 64th: want at most %d routers on a path", flow, e[0], e[1], len(r.Path)-2, maxRouters)
		}
	}
	return nil
}

// flowPath returns the nodes from host from to host to, and the
// propagation delay out along that path and back along to's route.
func (n *Network) flowPath(from, to string) ([]string, sim.Time) {
	out, ok1 := n.routes[n.nodeIndex(from)].route(to)
	back, ok2 := n.routes[n.nodeIndex(to)].route(from)
	if !ok1 || !ok2 {
		return nil, -1
	}
	return out.Path, out.Delay + back.Delay
}
