package run

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"tcpsim/sim"
)

// refRoutes is the routing of tcpsim before issue 21: Dijkstra's
// algorithm per destination host with a linear scan for the nearest node
// and every path kept as a slice of names, O(H·V²) time and O(V²·path)
// memory. It stays here as the reference that computeRoutes must match
// route for route (TestRoutesMatchReference).
// refRoutes returns the routing table of every node (by node index):
// static shortest paths by propagation delay, computed by Dijkstra's
// algorithm once per destination host over the directions into it. Equal
// delays are broken by the sequence of node names along the path,
// compared lexicographically. Hosts do not forward: a path passes only
// through routers.
//
// Each node's path is itself followed by its next hop's path (a node's
// path is built from its next hop's final one), so following next hops
// never loops.
func refRoutes(nodes []graphNode, edges []graphEdge) []RoutingTable {
	in := make([][]int, len(nodes)) // edges into each node
	for i, e := range edges {
		in[e.to] = append(in[e.to], i)
	}
	tables := make([]RoutingTable, len(nodes))
	for i, n := range nodes {
		tables[i] = RoutingTable{Node: n.name, Router: n.router}
	}
	dist := make([]sim.Time, len(nodes))
	path := make([][]string, len(nodes))
	next := make([]int, len(nodes)) // edge taken, -1: none
	done := make([]bool, len(nodes))
	for d, dn := range nodes {
		if dn.router {
			continue
		}
		for i := range nodes {
			dist[i], path[i], next[i], done[i] = -1, nil, -1, false
		}
		dist[d], path[d] = 0, []string{dn.name}
		for {
			u := -1
			for i := range nodes {
				if done[i] || path[i] == nil {
					continue
				}
				if u < 0 || refBetter(dist[i], path[i], dist[u], path[u]) {
					u = i
				}
			}
			if u < 0 {
				break
			}
			done[u] = true
			if u != d && !nodes[u].router {
				continue // a host is a destination, never a hop
			}
			for _, ei := range in[u] {
				e := &edges[ei]
				x := e.from
				if done[x] {
					continue
				}
				cd := dist[u] + e.delay
				cp := append([]string{nodes[x].name}, path[u]...)
				if path[x] == nil || refBetter(cd, cp, dist[x], path[x]) {
					dist[x], path[x], next[x] = cd, cp, ei
				}
			}
		}
		for x := range nodes {
			if x == d || next[x] < 0 {
				continue
			}
			e := &edges[next[x]]
			tables[x].Routes = append(tables[x].Routes, Route{Dest: dn.name, Next: nodes[e.to].name, Link: e.name, Delay: dist[x], Path: path[x]})
		}
	}
	return tables
}

// refBetter orders paths by delay, then by their node names.
func refBetter(d1 sim.Time, p1 []string, d2 sim.Time, p2 []string) bool {
	if d1 != d2 {
		return d1 < d2
	}
	return slices.Compare(p1, p2) < 0
}

// route returns the route of table t to dest, if any.
func (t *RoutingTable) route(dest string) (Route, bool) {
	for _, r := range t.Routes {
		if r.Dest == dest {
			return r, true
		}
	}
	return Route{}, false
}

// randomGraph returns a random topology of up to 12 nodes (hosts and
// routers, names in an order unlike their indices), with at most one
// link per pair, delays from a few values (zero included, so that equal
// delays and ties are common), stub hosts, multi-homed hosts and
// sometimes parts that no path joins.
func randomGraph(rng *rand.Rand) ([]graphNode, []graphEdge) {
	n := 2 + rng.IntN(11)
	nodes := make([]graphNode, n)
	for i := range nodes {
		nodes[i] = graphNode{name: fmt.Sprintf("%c%d", 'a'+rune(rng.IntN(26)), i), router: i >= 2 && rng.IntN(3) > 0}
	}
	var edges []graphEdge
	density := 1 + rng.IntN(4)
	for a := range n {
		for b := a + 1; b < n; b++ {
			if rng.IntN(5) < density {
				for _, d := range [][2]int{{a, b}, {b, a}} {
					edges = append(edges, graphEdge{from: d[0], to: d[1], delay: sim.Time(rng.IntN(3)) * sim.Time(1+rng.IntN(2)), name: nodes[d[0]].name + "->" + nodes[d[1]].name})
				}
			}
		}
	}
	rng.Shuffle(len(edges)/2, func(i, j int) {
		edges[2*i], edges[2*j] = edges[2*j], edges[2*i]
		edges[2*i+1], edges[2*j+1] = edges[2*j+1], edges[2*i+1]
	})
	return nodes, edges
}

// TestRoutesMatchReference: on 5,000 random topologies the routing
// computes exactly the routes of the reference implementation (next hop,
// direction, delay and whole path, in the same order), and the forwarding
// entries that Build installs are those routes' directions.
func TestRoutesMatchReference(t *testing.T) {
	for seed := range uint64(5000) {
		rng := rand.New(rand.NewPCG(seed, 21))
		nodes, edges := randomGraph(rng)
		want := refRoutes(nodes, edges)
		got := computeRoutes(nodes, edges)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: nodes %v edges %v:\ngot  %+v\nwant %+v", seed, nodes, edges, got, want)
		}
		r := newRouting(nodes, edges)
		installed := map[[2]int32]int32{}
		r.each(func(int32) bool { return true }, func(x, d, e int32) {
			if _, dup := installed[[2]int32{x, d}]; dup {
				t.Fatalf("seed %d: route %s to %s installed twice", seed, nodes[x].name, nodes[d].name)
			}
			installed[[2]int32{x, d}] = e
		}, func() bool { return false })
		count := 0
		for x, tb := range want {
			for _, rt := range tb.Routes {
				count++
				d := r.index[rt.Dest]
				e, ok := installed[[2]int32{int32(x), d}]
				if !ok || edges[e].name != rt.Link {
					t.Fatalf("seed %d: %s to %s: installed %v (%v), want %s", seed, nodes[x].name, rt.Dest, e, ok, rt.Link)
				}
			}
		}
		if count != len(installed) {
			t.Fatalf("seed %d: %d routes installed, want %d", seed, len(installed), count)
		}
	}
}
