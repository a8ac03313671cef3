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
		if n.stop() {
			return ErrInterrupted
		}
		h := host.New(HostAddr(i), pool)
		index[name] = len(n.nodes)
		n.nodes = append(n.nodes, netNode{name: name, addr: h.Addr, host: h})
		n.hosts = append(n.hosts, h)
	}
	for j, name := range sc.RouterNames() {
		if n.stop() {
			return ErrInterrupted
		}
		r := router.New(name, RouterAddr(j), pool)
		index[name] = len(n.nodes)
		n.nodes = append(n.nodes, netNode{name: name, addr: r.Addr, router: r})
		n.routers = append(n.routers, r)
	}
	n.index = index
	gnodes := make([]graphNode, len(n.nodes))
	for i, nd := range n.nodes {
		gnodes[i] = graphNode{name: nd.name, router: nd.router != nil}
	}
	// Edge i of the routing graph is direction n.pipes[i].
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
		}{{ls.ForwardName, LinkConfig(ls.Forward), a, b}, {ls.ReverseName, LinkConfig(ls.Reverse), b, a}} {
			if err := d.cfg.Validate(); err != nil {
				return fmt.Errorf("%s: %s %s: %w", sc.File, ls.Path, d.name, err)
			}
			p := link.NewPipe(n.eng, streams, d.name, d.cfg, n.receiver(d.to), pool)
			n.pipes = append(n.pipes, p)
			n.dirs = append(n.dirs, netDir{from: d.from, to: d.to, iface: n.attach(d.from, p)})
			edges = append(edges, graphEdge{from: d.from, to: d.to, delay: d.cfg.Delay, name: d.name})
		}
	}
	n.rt = newRouting(gnodes, edges)
	// Fill the forwarding tables of the routers and of the hosts with
	// several interfaces (a host with one sends everything on it).
	ifaces := make([]int, len(n.nodes))
	for _, d := range n.dirs {
		ifaces[d.from]++
	}
	// Interrupt is read before each destination's routes.
	ok := n.rt.each(func(x int32) bool {
		return n.nodes[x].router != nil || ifaces[x] > 1
	}, func(x, d, e int32) {
		if nd := &n.nodes[x]; nd.router != nil {
			nd.router.SetRoute(n.nodes[d].addr, n.dirs[e].iface)
		} else {
			nd.host.Route(n.nodes[d].addr, n.pipes[e])
		}
	}, n.stop)
	if !ok {
		return ErrInterrupted
	}
	return nil
}

func (n *Network) receiver(i int) link.Receiver {
	if n.ext != nil && n.nodes[i].host != nil {
		return n.ext[i] // hosts come first: node i is host i
	}
	if h := n.nodes[i].host; h != nil {
		return h
	}
	return n.nodes[i].router
}

// attach adds direction p to node i's interfaces, and returns its index
// among a router's interfaces (0 for a host).
func (n *Network) attach(i int, p *link.Pipe) int {
	if h := n.nodes[i].host; h != nil {
		h.Attach(p)
		return 0
	}
	return n.nodes[i].router.AddInterface(p)
}

func (n *Network) nodeIndex(name string) int {
	i, ok := n.index[name]
	if !ok {
		panic("run: no node " + name + " (scenario validation checks flow ends)")
	}
	return i
}

// host returns the host named name.
func (n *Network) host(name string) *host.Host { return n.nodes[n.nodeIndex(name)].host }

// firstHop returns the direction that host from sends on towards to.
func (n *Network) firstHop(from, to string) *link.Pipe {
	e, _, ok := n.rt.hop(int32(n.nodeIndex(from)), int32(n.nodeIndex(to)))
	if !ok {
		panic("run: no route from " + from + " to " + to + " (scenario validation checks reachability)")
	}
	return n.pipes[e]
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
		path, _ := n.rt.path(int32(n.nodeIndex(e[0])), int32(n.nodeIndex(e[1])))
		if path != nil && len(path)-2 > maxRouters {
			return fmt.Errorf("flow %s: the shortest path from %s to %s crosses %d routers, and a packet sent with TTL 64 expires at the 64th: want at most %d routers on a path", flow, e[0], e[1], len(path)-2, maxRouters)
		}
	}
	return nil
}

// flowPath returns the nodes from host from to host to, and the
// propagation delay out along that path and back along to's route.
func (n *Network) flowPath(from, to string) ([]string, sim.Time) {
	x, d := int32(n.nodeIndex(from)), int32(n.nodeIndex(to))
	out, outDelay := n.rt.path(x, d)
	back, backDelay := n.rt.path(d, x)
	if out == nil || back == nil {
		return nil, -1
	}
	return out, outDelay.Add(backDelay)
}

// FlowRoute returns the nodes a flow's packets cross, out from its
// sender's host to its receiver's (path) and back (back), both ends
// included, for every flow of the network by name (a repeated flow's
// members each under their own name): what a trace.Follower needs,
// known before the run starts. A flow without a route has none.
func (n *Network) FlowRoutes() map[string][2][]string {
	m := make(map[string][2][]string, len(n.sc.Flows))
	for _, f := range n.sc.Flows {
		x, d := int32(n.nodeIndex(f.From)), int32(n.nodeIndex(f.To))
		out, _ := n.rt.path(x, d)
		back, _ := n.rt.path(d, x)
		if out != nil && back != nil {
			m[f.Name] = [2][]string{out, back}
		}
	}
	return m
}
