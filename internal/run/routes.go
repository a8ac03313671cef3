package run

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

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

// routing computes static shortest paths by propagation delay, on
// demand. Equal delays are broken by the sequence of node names along the
// path, compared lexicographically; hosts do not forward, so a path passes
// only through routers. Each node's path continues as its next hop's own
// path, so following next hops never loops.
//
// A path tree is computed per destination by Dijkstra's algorithm over the
// directions into it, with a typed binary heap: O(E log V) per tree and
// O(V) memory, kept only for the trees in use. Since node names are
// unique, comparing two candidate paths of equal delay from one node
// compares the names of their next hops, so a tree keeps one next hop
// (and its delay) per node, never a path. A stub host (one link, to a
// router: the leaves of stars and dumbbells) shares its router's tree,
// extended by its one link, so a star of H hosts needs one tree, not H.
//
// The routes are those of the first implementation (refRoutes in the
// tests: a linear scan for the nearest node and every path kept whole,
// O(H·V²) time), route for route.
type routing struct {
	nodes []graphNode
	edges []graphEdge
	index map[string]int32 // node by name
	// The directions into node v are inEdge[inStart[v]:inStart[v+1]], in
	// edge order.
	inStart, inEdge []int32
	rank            []int32   // each node's position in name order
	via             []int32   // a stub host's one direction in (from its router); -1 for other nodes
	stubs           [][]int32 // each router's stub hosts, in declaration order

	mu    sync.Mutex      // guards the cache and the scratch below
	cache map[int32]*tree // trees by destination, at most maxTrees
	heap  routeHeap       // Dijkstra's queue
	done  []bool          // Dijkstra's settled nodes
}

// maxTrees is how many path trees a routing keeps for path queries (each
// is 12 bytes per node); beyond it they are computed again.
const maxTrees = 64

// tree is the shortest-path tree towards one destination: each node's
// first direction (an edge index, -1 for none) and its path's delay.
type tree struct {
	next []int32
	dist []sim.Time
}

func newRouting(nodes []graphNode, edges []graphEdge) *routing {
	n := len(nodes)
	r := &routing{nodes: nodes, edges: edges, index: make(map[string]int32, n),
		inStart: make([]int32, n+1), inEdge: make([]int32, len(edges)),
		rank: make([]int32, n), via: make([]int32, n), stubs: make([][]int32, n),
		cache: map[int32]*tree{}, done: make([]bool, n)}
	for i, nd := range nodes {
		r.index[nd.name] = int32(i)
	}
	for _, e := range edges {
		r.inStart[e.to+1]++
	}
	for v := range n {
		r.inStart[v+1] += r.inStart[v]
	}
	fill := slices.Clone(r.inStart[:n])
	for i, e := range edges {
		r.inEdge[fill[e.to]] = int32(i)
		fill[e.to]++
	}
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(nodes[a].name, nodes[b].name) })
	for pos, v := range order {
		r.rank[v] = int32(pos)
	}
	for v := range n {
		r.via[v] = -1
		if nodes[v].router || r.inStart[v+1]-r.inStart[v] != 1 {
			continue
		}
		if e := r.inEdge[r.inStart[v]]; nodes[edges[e].from].router {
			r.via[v] = e
			r.stubs[edges[e].from] = append(r.stubs[edges[e].from], int32(v))
		}
	}
	return r
}

// build computes into t the tree towards root.
func (r *routing) build(root int32, t *tree) {
	n := len(r.nodes)
	if len(t.next) != n {
		t.next, t.dist = make([]int32, n), make([]sim.Time, n)
	}
	for i := range n {
		t.next[i], t.dist[i], r.done[i] = -1, 0, false
	}
	r.heap = append(r.heap[:0], heapItem{dist: 0, rank: r.rank[root], node: root})
	for len(r.heap) > 0 {
		it := r.heap.pop()
		u := it.node
		if r.done[u] || it.dist != t.dist[u] {
			continue // settled, or superseded by a shorter distance
		}
		r.done[u] = true
		if u != root && !r.nodes[u].router {
			continue // a host is a destination, never a hop
		}
		for _, ei := range r.inEdge[r.inStart[u]:r.inStart[u+1]] {
			e := &r.edges[ei]
			x := int32(e.from)
			if r.done[x] {
				continue
			}
			cd := t.dist[u] + e.delay
			switch {
			case t.next[x] < 0 || cd < t.dist[x]:
				t.next[x], t.dist[x] = ei, cd
				r.heap.push(heapItem{dist: cd, rank: r.rank[x], node: x})
			case cd == t.dist[x] && r.rank[u] < r.rank[r.edges[t.next[x]].to]:
				// Equal delay: the path through the next hop whose name
				// comes first (both paths start with x).
				t.next[x] = ei
			}
		}
	}
}

// tree returns the tree towards root, from the cache. Call with r.mu held.
func (r *routing) tree(root int32) *tree {
	if t, ok := r.cache[root]; ok {
		return t
	}
	if len(r.cache) >= maxTrees {
		clear(r.cache)
	}
	t := &tree{}
	r.build(root, t)
	r.cache[root] = t
	return t
}

// hop returns the direction node x sends on towards host d and the delay
// of x's path to d; ok is false when no path joins them.
func (r *routing) hop(x, d int32) (edge int32, delay sim.Time, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hopLocked(x, d)
}

func (r *routing) hopLocked(x, d int32) (edge int32, delay sim.Time, ok bool) {
	if x == d {
		return -1, 0, false
	}
	root, extra := d, sim.Time(0)
	if v := r.via[d]; v >= 0 {
		// A stub host: its router's tree, then its one link.
		e := &r.edges[v]
		if int32(e.from) == x {
			return v, e.delay, true
		}
		root, extra = int32(e.from), e.delay
	}
	t := r.tree(root)
	if t.next[x] < 0 {
		return -1, 0, false
	}
	return t.next[x], t.dist[x] + extra, true
}

// path returns the nodes from x to host d, both included, and the path's
// delay; nil if no path joins them.
func (r *routing) path(x, d int32) ([]string, sim.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, delay, ok := r.hopLocked(x, d)
	if !ok {
		return nil, 0
	}
	p := []string{r.nodes[x].name}
	for u := x; u != d; {
		e, _, _ := r.hopLocked(u, d)
		u = int32(r.edges[e].to)
		p = append(p, r.nodes[u].name)
	}
	return p, delay
}

// each calls fn(x, d, edge) for every node x for which want(x) holds and
// every host d that x has a route to, with the direction x takes. It
// computes each tree once, without the cache: the cost is one tree per
// router and per host that is not a stub, plus one call per route. It
// asks stop before each tree and each destination, and returns false as
// soon as stop says to give up.
func (r *routing) each(want func(x int32) bool, fn func(x, d, edge int32), stop func() bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	var xs []int32
	for x := range r.nodes {
		if want(int32(x)) {
			xs = append(xs, int32(x))
		}
	}
	var t tree
	for v, nd := range r.nodes {
		d := int32(v)
		switch {
		case nd.router:
			if len(r.stubs[d]) == 0 {
				continue
			}
			if stop() {
				return false
			}
			r.build(d, &t)
			for _, s := range r.stubs[d] {
				if stop() {
					return false
				}
				for _, x := range xs {
					switch {
					case x == d:
						fn(x, s, r.via[s])
					case x != s && t.next[x] >= 0:
						fn(x, s, t.next[x])
					}
				}
			}
		case r.via[d] < 0:
			if stop() {
				return false
			}
			r.build(d, &t)
			for _, x := range xs {
				if t.next[x] >= 0 {
					fn(x, d, t.next[x])
				}
			}
		}
	}
	return true
}

// tables returns the routing table of every node (by node index), each
// route with its whole path: O(V·H·path) time and memory, for printing.
func (r *routing) tables() []RoutingTable {
	t, _ := r.tablesUntil(func() bool { return false })
	return t
}

// tablesUntil is tables, asking stop before each destination whether to
// give up: then it returns nil, false.
func (r *routing) tablesUntil(stop func() bool) ([]RoutingTable, bool) {
	tables := make([]RoutingTable, len(r.nodes))
	for i, n := range r.nodes {
		tables[i] = RoutingTable{Node: n.name, Router: n.router}
	}
	for d, dn := range r.nodes {
		if dn.router {
			continue
		}
		if stop() {
			return nil, false
		}
		for x := range r.nodes {
			e, delay, ok := r.hop(int32(x), int32(d))
			if !ok {
				continue
			}
			path, _ := r.path(int32(x), int32(d))
			ed := &r.edges[e]
			tables[x].Routes = append(tables[x].Routes, Route{Dest: dn.name, Next: r.nodes[ed.to].name, Link: ed.name, Delay: delay, Path: path})
		}
	}
	return tables, true
}

// computeRoutes returns the routing table of every node (by node index).
func computeRoutes(nodes []graphNode, edges []graphEdge) []RoutingTable {
	return newRouting(nodes, edges).tables()
}

// computeRoutesUntil is computeRoutes, asking stop before each
// destination whether to give up: then it returns nil, false.
func computeRoutesUntil(nodes []graphNode, edges []graphEdge, stop func() bool) ([]RoutingTable, bool) {
	return newRouting(nodes, edges).tablesUntil(stop)
}

// heapItem is a node waiting in Dijkstra's queue, ordered by distance and
// then by name, as the reference implementation picks its next node.
type heapItem struct {
	dist sim.Time
	rank int32
	node int32
}

// routeHeap is a binary min-heap of heapItems, typed so that a push or pop
// neither allocates nor goes through an interface.
type routeHeap []heapItem

func (a heapItem) less(b heapItem) bool {
	if a.dist != b.dist {
		return a.dist < b.dist
	}
	return a.rank < b.rank
}

func (h *routeHeap) push(it heapItem) {
	*h = append(*h, it)
	q := *h
	for i := len(q) - 1; i > 0; {
		p := (i - 1) / 2
		if !q[i].less(q[p]) {
			break
		}
		q[i], q[p] = q[p], q[i]
		i = p
	}
}

func (h *routeHeap) pop() heapItem {
	q := *h
	top := q[0]
	last := len(q) - 1
	q[0] = q[last]
	q = q[:last]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < len(q) && q[l].less(q[m]) {
			m = l
		}
		if l+1 < len(q) && q[l+1].less(q[m]) {
			m = l + 1
		}
		if m == i {
			break
		}
		q[i], q[m] = q[m], q[i]
		i = m
	}
	*h = q
	return top
}

// PathOf returns the nodes that a packet from host from to host to
// crosses, both included, by the run's routes; nil if none.
func (r *Result) PathOf(from, to string) []string {
	if r.routing == nil {
		return nil
	}
	x, ok1 := r.routing.index[from]
	d, ok2 := r.routing.index[to]
	if !ok1 || !ok2 {
		return nil
	}
	p, _ := r.routing.path(x, d)
	return p
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
