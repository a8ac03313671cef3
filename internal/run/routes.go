package run

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"tcpsim/sim"
)

// Route is one entry of a node's routing table: how it reaches a host.
type Route struct {
	Dest  string   // the destination host
	Next  string   // the next hop
	Link  string   // the link direction taken to the next hop, e.g. "r1->r2"
	Delay sim.Time // propagation delay of the whole path
	Path  []string // the nodes from this one to Dest, both included
}

// RoutingTable is the routes of one node, by destination in the order the
// hosts were declared; a destination that no path reaches has no entry.
type RoutingTable struct {
	Node   string
	Router bool
	Routes []Route
}

// graphNode and graphEdge are the topology that routes are computed on.
type graphNode struct {
	name   string
	router bool
}

type graphEdge struct {
	from, to int      // node indices
	delay    sim.Time // the direction's propagation delay
	name     string   // the direction's name
}

// computeRoutes returns the routing table of every node (by node index):
// static shortest paths by propagation delay, computed by Dijkstra's
// algorithm once per destination host over the directions into it. Equal
// delays are broken by the sequence of node names along the path,
// compared lexicographically. Hosts do not forward: a path passes only
// through routers.
//
// Each node's path is itself followed by its next hop's path (a node's
// path is built from its next hop's final one), so following next hops
// never loops.
func computeRoutes(nodes []graphNode, edges []graphEdge) []RoutingTable {
	tables, _ := computeRoutesUntil(nodes, edges, func() bool { return false })
	return tables
}

// computeRoutesUntil is computeRoutes, asking stop before each
// destination whether to give up: then it returns nil, false.
func computeRoutesUntil(nodes []graphNode, edges []graphEdge, stop func() bool) ([]RoutingTable, bool) {
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
		if stop() {
			return nil, false
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
				if u < 0 || better(dist[i], path[i], dist[u], path[u]) {
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
				if path[x] == nil || better(cd, cp, dist[x], path[x]) {
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
	return tables, true
}

// better orders paths by delay, then by their node names.
func better(d1 sim.Time, p1 []string, d2 sim.Time, p2 []string) bool {
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

// PathOf returns the nodes that a packet from host from to host to
// crosses, both included, by the run's routes; nil if none.
func (r *Result) PathOf(from, to string) []string {
	for i := range r.Routes {
		if t := &r.Routes[i]; t.Node == from {
			rt, _ := t.route(to)
			return rt.Path
		}
	}
	return nil
}

// LinkDelays returns the propagation delay of every link direction, by
// name ("r1->r2"; "forward" and "reverse" in the shorthand form).
func (r *Result) LinkDelays() map[string]sim.Time {
	m := make(map[string]sim.Time, len(r.Links))
	for _, l := range r.Links {
		m[l.Name] = l.Config.Delay
	}
	return m
}

// WriteRoutes prints routing tables: per node, each destination with its
// next hop, the link direction taken and the path's propagation delay.
func WriteRoutes(w io.Writer, tables []RoutingTable) error {
	var b strings.Builder
	for _, t := range tables {
		kind := "host"
		if t.Router {
			kind = "router"
		}
		fmt.Fprintf(&b, "routes of %s %s:\n", kind, t.Node)
		if len(t.Routes) == 0 {
			b.WriteString("  (none)\n")
		}
		for _, r := range t.Routes {
			fmt.Fprintf(&b, "  to %-8s via %-8s link %-12s delay %-8v path %s\n", r.Dest, r.Next, r.Link, r.Delay, strings.Join(r.Path, " "))
		}
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
