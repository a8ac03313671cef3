package run

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"tcpsim/internal/direction"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
	"tcpsim/sim"
)

// randomTopology writes a scenario: a tree or a ring of routers (a tree
// when there are fewer than three), each host hanging off one router (a
// few off two: multi-homed hosts, which never forward), random
// impairments on every link, and 1–4 TCP flows between random hosts. Two
// hosts and no router are one link.
func randomTopology(rng *rand.Rand, seed uint64) string {
	n := 2 + rng.IntN(19) // 2..20 nodes
	hosts := 2 + rng.IntN(n-1)
	routers := n - hosts
	var b strings.Builder
	fmt.Fprintf(&b, "name: random-%d\nseed: %d\nuntil: 600s\nnodes:\n  hosts: [", seed, seed)
	for i := range hosts {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "h%d", i)
	}
	b.WriteString("]\n  routers: [")
	for i := range routers {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "r%d", i)
	}
	b.WriteString("]\nlinks:\n")
	link := func(x, y string) {
		fmt.Fprintf(&b, "  - {between: [%s, %s], rate: %dMbps, delay: %dus, queue: %d", x, y, 1+rng.IntN(50), rng.IntN(20000), 5+rng.IntN(60))
		loss := rng.Float64() * 0.02
		if rng.IntN(4) == 0 {
			loss = rng.Float64() * 0.3
		}
		fmt.Fprintf(&b, ", loss: %.3f%%", 100*loss)
		if rng.IntN(3) == 0 {
			fmt.Fprintf(&b, ", corrupt: %.3f%%", 100*rng.Float64()*0.05)
		}
		if rng.IntN(3) == 0 {
			fmt.Fprintf(&b, ", duplicate: %.3f%%", 100*rng.Float64()*0.05)
		}
		if rng.IntN(3) == 0 {
			fmt.Fprintf(&b, ", reorder: %.3f%%, reorder_delay: %dus", 100*rng.Float64()*0.1, 1+rng.IntN(5000))
		}
		if rng.IntN(4) == 0 {
			fmt.Fprintf(&b, ", reverse: {delay: %dus}", rng.IntN(20000))
		}
		b.WriteString("}\n")
	}
	if routers == 0 {
		link("h0", "h1")
	} else {
		ring := routers >= 3 && rng.IntN(2) == 0
		for i := 1; i < routers; i++ {
			parent := rng.IntN(i)
			if ring {
				parent = i - 1
			}
			link(fmt.Sprintf("r%d", parent), fmt.Sprintf("r%d", i))
		}
		if ring {
			link(fmt.Sprintf("r%d", routers-1), "r0")
		}
		for i := range hosts {
			first := rng.IntN(routers)
			link(fmt.Sprintf("h%d", i), fmt.Sprintf("r%d", first))
			if routers >= 2 && rng.IntN(6) == 0 {
				second := (first + 1 + rng.IntN(routers-1)) % routers
				link(fmt.Sprintf("h%d", i), fmt.Sprintf("r%d", second))
			}
		}
	}
	if routers == 0 && hosts > 2 {
		// Hosts do not forward: with no router only h0 and h1 can talk;
		// give the others a router after all.
		return randomTopology(rng, seed)
	}
	b.WriteString("flows:\n")
	for i := range 1 + rng.IntN(4) {
		from := rng.IntN(hosts)
		to := (from + 1 + rng.IntN(hosts-1)) % hosts
		fmt.Fprintf(&b, "  - {name: f%d, protocol: tcp, from: h%d, to: h%d, bytes: %dKB, start: %dms, min_rto: 200ms, max_rto: 4s, max_retries: 100, sack: %v}\n",
			i, from, to, 1+rng.IntN(40), rng.IntN(100), rng.IntN(2) == 0)
	}
	return b.String()
}

// The properties hold on random topologies: every TCP byte is delivered
// once and verified, every link direction's counters add up, and no
// packet loops (no router sees a TTL run out, or lacks a route).
func TestRandomTopologies(t *testing.T) {
	runs := 60
	if testing.Short() {
		runs = 15
	}
	for seed := range uint64(runs) {
		rng := rand.New(rand.NewPCG(seed, 0x70b0))
		src := randomTopology(rng, seed)
		sc, err := scenario.Parse(fmt.Sprintf("random-%d.yaml", seed), []byte(src))
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, src)
		}
		res, err := Scenario(sc, sc.Seed)
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, src)
		}
		fail := func(format string, args ...any) {
			t.Helper()
			t.Errorf("seed %d: "+format+"\n%s", append([]any{seed}, append(args, src)...)...)
		}
		for _, f := range res.Flows {
			if !f.Complete || f.DeliveredBytes != f.OfferedBytes || f.TCP.Verified != "yes" {
				fail("flow %s: complete %v, delivered %d of %d, verified %s (%s)", f.Name, f.Complete, f.DeliveredBytes, f.OfferedBytes, f.TCP.Verified, res.Status())
			}
			if len(f.Path) < 2 || f.Path[0] != f.From || f.Path[len(f.Path)-1] != f.To || f.BaseRTT < 0 {
				fail("flow %s: path %v, base RTT %v", f.Name, f.Path, f.BaseRTT)
			}
			for _, hop := range f.Path[1 : len(f.Path)-1] {
				if !strings.HasPrefix(hop, "r") {
					fail("flow %s: path %v passes through host %s", f.Name, f.Path, hop)
				}
			}
		}
		for _, l := range res.Links {
			if l.Offered+l.Duplicated != l.Delivered+l.Lost+l.QueueDropped+l.InFlight {
				fail("link %s: offered %d + duplicated %d != delivered %d + lost %d + queue-dropped %d + in flight %d",
					l.Name, l.Offered, l.Duplicated, l.Delivered, l.Lost, l.QueueDropped, l.InFlight)
			}
		}
		for _, r := range res.Routers {
			if r.TTLExpired != 0 || r.NoRoute != 0 {
				fail("router %s: %d TTL expired, %d without a route", r.Name, r.TTLExpired, r.NoRoute)
			}
		}
		for _, h := range res.Hosts {
			if h.NoRoute != 0 {
				fail("host %s: %d packets without a route", h.Name, h.NoRoute)
			}
		}
	}
}

// Routes are shortest by delay; among equal delays the path whose node
// names come first wins; a host is never a hop; and each node's path
// continues as its next hop's own path (so forwarding cannot loop).
func TestRoutesShortestAndConsistent(t *testing.T) {
	// A square r0-r1-r3 and r0-r2-r3 of equal delay, and a shortcut
	// through host h2 that must not be taken.
	nodes := []graphNode{{"h0", false}, {"h1", false}, {"h2", false}, {"r0", true}, {"r1", true}, {"r2", true}, {"r3", true}}
	var edges []graphEdge
	add := func(a, b int, d sim.Time) {
		edges = append(edges, graphEdge{from: a, to: b, delay: d, name: nodes[a].name + "->" + nodes[b].name},
			graphEdge{from: b, to: a, delay: d, name: nodes[b].name + "->" + nodes[a].name})
	}
	add(0, 3, 1)
	add(3, 4, 5)
	add(3, 5, 5)
	add(4, 6, 5)
	add(5, 6, 5)
	add(6, 1, 1)
	add(3, 2, 1) // h2 between r0 and r3: a shortcut through a host
	add(2, 6, 1)
	tables := computeRoutes(nodes, edges)
	r, ok := tables[0].route("h1")
	if !ok || strings.Join(r.Path, " ") != "h0 r0 r1 r3 h1" || r.Delay != 12 || r.Next != "r0" || r.Link != "h0->r0" {
		t.Errorf("h0 to h1: %+v, want path h0 r0 r1 r3 h1 (r1 before r2), delay 12, never through h2", r)
	}
	if r, _ := tables[0].route("h2"); strings.Join(r.Path, " ") != "h0 r0 h2" {
		t.Errorf("h0 to h2: path %v", r.Path)
	}
	// Consistency on random graphs: path(x) = x + path(next(x)), and
	// the delay is the smallest over all simple router paths (brute
	// force on small graphs).
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 7))
		n := 2 + rng.IntN(7)
		nodes := make([]graphNode, n)
		for i := range nodes {
			nodes[i] = graphNode{name: fmt.Sprintf("n%d", i), router: i >= 2 && rng.IntN(3) > 0}
		}
		var edges []graphEdge
		for a := range n {
			for b := a + 1; b < n; b++ {
				if rng.IntN(2) == 0 {
					for _, d := range [][2]int{{a, b}, {b, a}} {
						edges = append(edges, graphEdge{from: d[0], to: d[1], delay: sim.Time(rng.IntN(4)), name: fmt.Sprintf("%d->%d", d[0], d[1])})
					}
				}
			}
		}
		tables := computeRoutes(nodes, edges)
		for x := range nodes {
			for _, r := range tables[x].Routes {
				if r.Path[0] != nodes[x].name || r.Path[len(r.Path)-1] != r.Dest || r.Path[1] != r.Next {
					t.Fatalf("seed %d: %s: route %+v", seed, nodes[x].name, r)
				}
				if r.Next != r.Dest {
					ni := slices.IndexFunc(nodes, func(g graphNode) bool { return g.name == r.Next })
					if !nodes[ni].router {
						t.Fatalf("seed %d: %s routes through host %s", seed, nodes[x].name, r.Next)
					}
					nr, ok := tables[ni].route(r.Dest)
					if !ok || !slices.Equal(nr.Path, r.Path[1:]) {
						t.Fatalf("seed %d: %s's path %v does not continue as %s's %v", seed, nodes[x].name, r.Path, r.Next, nr.Path)
					}
				}
				if best := bruteShortest(nodes, edges, x, r.Dest); best != r.Delay {
					t.Fatalf("seed %d: %s to %s: delay %d, shortest is %d", seed, nodes[x].name, r.Dest, r.Delay, best)
				}
			}
		}
	}
}

// bruteShortest is the least delay of any simple path from x to the host
// dest passing only through routers, or -1.
func bruteShortest(nodes []graphNode, edges []graphEdge, x int, dest string) sim.Time {
	best := sim.Time(-1)
	seen := make([]bool, len(nodes))
	var walk func(u int, d sim.Time)
	walk = func(u int, d sim.Time) {
		if nodes[u].name == dest {
			if best < 0 || d < best {
				best = d
			}
			return
		}
		if u != x && !nodes[u].router {
			return
		}
		seen[u] = true
		for _, e := range edges {
			if e.from == u && !seen[e.to] {
				walk(e.to, d+e.delay)
			}
		}
		seen[u] = false
	}
	walk(x, 0)
	return best
}

// In a topology every packet event names its link direction by its nodes
// and carries the node where it happened: the sender of the direction,
// or its receiver for deliveries and drops on arrival; two-host traces
// carry no node. Router header drops are traced at the router.
func TestTopologyTraceNodes(t *testing.T) {
	sc := parse(t, `name: t
seed: 2
until: 600s
nodes: {hosts: [s, d], routers: [r]}
links:
  - {between: [s, r], rate: 10Mbps, delay: 2ms, corrupt: 10%}
  - {between: [r, d], rate: 5Mbps, delay: 5ms, queue: 10, loss: 2%}
flows:
  - {name: f, protocol: tcp, from: s, to: d, bytes: 100KB, mss: 100, max_retries: 100, min_rto: 200ms, max_rto: 2s}
`)
	c := &trace.Recorder{}
	res, err := ScenarioWith(sc, sc.Seed, Options{Trace: c})
	if err != nil || !res.OK() {
		t.Fatal(err, res.Status())
	}
	dirs := map[direction.Dir]bool{"s->r": true, "r->s": true, "r->d": true, "d->r": true}
	var routerDrops int64
	for _, e := range c.Events {
		if e.Dir == "" {
			continue
		}
		from, to, _ := e.Dir.Ends()
		switch e.Kind {
		case trace.Send:
			if e.Dir != "s->d" && e.Dir != "d->s" || e.Node != from {
				t.Fatalf("send event dir %s node %s", e.Dir, e.Node)
			}
		case trace.Deliver:
			if !dirs[e.Dir] || e.Node != to {
				t.Fatalf("deliver on %s at %s", e.Dir, e.Node)
			}
		case trace.ChecksumDrop:
			if e.Node != to {
				t.Fatalf("checksum drop on %s at %s", e.Dir, e.Node)
			}
			if e.Node == "r" {
				routerDrops++
			}
		default:
			if !dirs[e.Dir] || e.Node != from {
				t.Fatalf("%s on %s at %s", e.Kind, e.Dir, e.Node)
			}
		}
	}
	if want := res.Routers[0].HeaderErrors; routerDrops != want || want == 0 {
		t.Errorf("%d checksum drops traced at r, the router counted %d", routerDrops, want)
	}
	sc2 := parse(t, "name: t\nlink: {rate: 1Mbps}\nflows:\n  - {name: f, protocol: tcp, bytes: 10KB}\n")
	c2 := &trace.Recorder{}
	if _, err := ScenarioWith(sc2, 1, Options{Trace: c2}); err != nil {
		t.Fatal(err)
	}
	for _, e := range c2.Events {
		if e.Node != "" || e.Dir != "" && e.Dir != "a->b" && e.Dir != "b->a" {
			t.Fatalf("two-host event %s: dir %q node %q", e.Kind, e.Dir, e.Node)
		}
	}
}

// chain is a line of k routers between hosts s and d, 1 ms a link.
func chain(k int) string {
	var b strings.Builder
	b.WriteString("name: chain\nuntil: 5s\nnodes: {hosts: [s, d], routers: [")
	for i := range k {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "r%d", i)
	}
	b.WriteString("]}\nlinks:\n  - {between: [s, r0], delay: 1ms}\n")
	for i := 1; i < k; i++ {
		fmt.Fprintf(&b, "  - {between: [r%d, r%d], delay: 1ms}\n", i-1, i)
	}
	fmt.Fprintf(&b, "  - {between: [r%d, d], delay: 1ms}\nflows: [{name: f, protocol: tcp, from: s, to: d, bytes: 20KB}]\n", k-1)
	return b.String()
}

// A path of 63 routers delivers (the last one receives TTL 2 and sends
// TTL 1 to the host); one of 64 would expire every packet, so the
// scenario is refused rather than run to deliver nothing.
func TestPathLongerThanTTLRefused(t *testing.T) {
	res := mustRun(t, parse(t, chain(maxRouters)), 1)
	if !res.OK() || res.Flows[0].DeliveredBytes != 20000 {
		t.Fatalf("%d routers: %s, %d bytes delivered", maxRouters, res.Status(), res.Flows[0].DeliveredBytes)
	}
	for _, r := range res.Routers {
		if r.TTLExpired != 0 {
			t.Fatalf("router %s expired %d packets", r.Name, r.TTLExpired)
		}
	}
	_, err := Build(parse(t, chain(maxRouters+1)), 1)
	if err == nil || !strings.Contains(err.Error(), "crosses 64 routers") {
		t.Fatalf("64 routers: %v, want a refusal", err)
	}
}
