package scenario

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"tcpsim/internal/direction"
)

// The topology form: a nodes: section naming hosts and routers, and a
// links: list whose entries take every field of link: plus between:.
// Without them, link: is shorthand for two hosts a and b joined by one
// link whose directions are named forward (a→b) and reverse (b→a). Parse
// expands the shorthand once it is valid (expandShorthand): every parsed
// Scenario has Nodes and Links, and every flow names both its hosts.

// Nodes names the hosts and routers of the topology form, in file order.
type Nodes struct {
	Hosts   []string
	Routers []string
}

// TopoLink is one entry of links:: a link between two nodes, with every
// setting of link: (its Forward direction runs Between[0]→Between[1]).
type TopoLink struct {
	Between [2]string
	Link
}

// The shorthand form's host names.
const (
	HostA = "a"
	HostB = "b"
)

// nodeName is the form of a node name: it appears in link direction
// names ("r1->r2") and in --pcap-at NODE:LINK, so it holds neither '-'
// followed by '>' nor ':'.
var nodeName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.]*$`)

const wantNodeName = "a name of letters, digits, _ and . (e.g. r1, web_server)"

// Topology reports whether the file used the topology form (nodes: and
// links:) rather than the two-host shorthand (link:). Both have Nodes and
// Links once parsed; what differs is only how the output names things:
// the shorthand's link directions are forward and reverse, its trace
// events carry no node, its scripted faults and --pcap-at sender/receiver
// address the one link.
//
// During validation, before the expansion, a shorthand file has no Nodes.
func (s *Scenario) Topology() bool { return s.Nodes != nil && !s.shorthand }

// HostNames returns the hosts in declaration order: a and b in the
// shorthand form.
func (s *Scenario) HostNames() []string { return s.Nodes.Hosts }

// RouterNames returns the routers in declaration order (none in the
// shorthand form).
func (s *Scenario) RouterNames() []string { return s.Nodes.Routers }

// expandShorthand turns a valid two-host file (link:, no nodes:) into the
// topology it stands for: hosts a and b, one link between them with
// link:'s settings, and every flow's To set (the other host when the file
// left it out). It marks s as shorthand, for the names of its output.
func (s *Scenario) expandShorthand() {
	if s.Nodes != nil {
		return
	}
	s.shorthand = true
	s.Nodes = &Nodes{Hosts: []string{HostA, HostB}}
	s.Links = []TopoLink{{Between: [2]string{HostA, HostB}, Link: s.Link}}
	for i := range s.Flows {
		f := &s.Flows[i]
		if f.To == "" {
			f.To = HostB
			if f.From == HostB {
				f.To = HostA
			}
		}
	}
}

// LinkSpec is one resolved link: its two nodes and the settings
// (Link.Resolved) and name of each direction.
type LinkSpec struct {
	A, B        string // Forward runs A→B, Reverse B→A
	Forward     Direction
	Reverse     Direction
	ForwardName string // "forward" in the shorthand form, else "A->B"
	ReverseName string // "reverse" in the shorthand form, else "B->A"
	Path        string // where the link is written: "link" or "links[i]"
}

// LinkSpecs returns every link of s, resolved, in file order: the one
// link a–b in the shorthand form.
func (s *Scenario) LinkSpecs() []LinkSpec {
	out := make([]LinkSpec, len(s.Links))
	for i := range s.Links {
		l := &s.Links[i]
		a, b := l.Between[0], l.Between[1]
		p := fmt.Sprintf("links[%d]", i)
		out[i] = LinkSpec{A: a, B: b, Forward: l.Link.Resolved("forward"), Reverse: l.Link.Resolved("reverse"),
			ForwardName: direction.Of(a, b).String(), ReverseName: direction.Of(b, a).String(), Path: p}
		if s.shorthand {
			out[i].ForwardName, out[i].ReverseName, out[i].Path = "forward", "reverse", "link"
		}
	}
	return out
}

func nodesFields() []field[Nodes] {
	return []field[Nodes]{
		{name: "hosts", want: "a list of host names, e.g. [s1, s2, d]",
			node: func(d *decoder, n *Nodes, v ast.Node, path string) error {
				var err error
				n.Hosts, err = d.nameList(v, path, "a list of host names, e.g. [s1, s2, d]")
				return err
			}},
		{name: "routers", want: "a list of router names, e.g. [r1, r2]",
			node: func(d *decoder, n *Nodes, v ast.Node, path string) error {
				var err error
				n.Routers, err = d.nameList(v, path, "a list of router names, e.g. [r1, r2]")
				return err
			}},
	}
}

const wantBetween = "a list of the two nodes the link joins, e.g. [r1, r2]"

func topoLinkFields() []field[TopoLink] {
	fs := lift(linkFields(), func(l *TopoLink) *Link { return &l.Link })
	return append([]field[TopoLink]{{name: "between", want: wantBetween,
		node: func(d *decoder, l *TopoLink, v ast.Node, path string) error {
			names, err := d.nameList(v, path, wantBetween)
			if err != nil {
				return err
			}
			if len(names) != 2 {
				return d.errAt(v, path, "%d names: want %s", len(names), wantBetween)
			}
			l.Between = [2]string{names[0], names[1]}
			return nil
		}}}, fs...)
}

// nameList decodes a list of node names, recording where each was
// written (path[i]).
func (d *decoder) nameList(n ast.Node, path, want string) ([]string, error) {
	at := n
	n, err := d.resolve(n, path)
	if err != nil {
		return nil, err
	}
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		return nil, d.errAt(at, path, "want %s", want)
	}
	out := make([]string, 0, len(seq.Values))
	for i, item := range seq.Values {
		p := fmt.Sprintf("%s[%d]", path, i)
		text, err := d.scalar(item, p, wantNodeName)
		if err != nil {
			return nil, err
		}
		if !nodeName.MatchString(text) {
			return nil, d.errAt(item, p, "%q is not a valid node name: want %s", text, wantNodeName)
		}
		d.pos[p] = nodePos(item)
		out = append(out, text)
	}
	return out, nil
}

func (d *decoder) nodes(s *Scenario, n ast.Node, path string) error {
	fs := nodesFields()
	d.pos[path] = nodePos(n)
	es, err := d.entries(n, path, "a mapping {hosts: [...], routers: [...]}")
	if err != nil {
		return err
	}
	s.Nodes = &Nodes{}
	return decodeMapping(d, es, fs, s.Nodes, path, unknownIn(fs))
}

func (d *decoder) links(s *Scenario, n ast.Node, path string) error {
	seq, err := d.list(n, path, "a list of links, each a mapping (- {between: [x, y], rate: ..., delay: ...})")
	if err != nil {
		return err
	}
	s.Links = make([]TopoLink, 0, len(seq.Values))
	fs := topoLinkFields()
	for i, item := range seq.Values {
		p := fmt.Sprintf("%s[%d]", path, i)
		d.pos[p] = nodePos(item)
		es, err := d.entries(item, p, "a link mapping {between: [x, y], rate: ..., delay: ...}")
		if err != nil {
			return err
		}
		var l TopoLink
		if err := decodeMapping(d, es, fs, &l, p, unknownIn(fs)); err != nil {
			return err
		}
		s.Links = append(s.Links, l)
	}
	return nil
}

// validateTopology checks the nodes: and links: sections and that every
// flow runs between two hosts that a path through routers joins; in the
// shorthand form, that flows name a and b.
func (s *Scenario) validateTopology() error {
	if s.Nodes == nil {
		return s.validateShorthand()
	}
	if s.has("link") {
		return s.errAt("link", "link: and links: together: use link: alone for two hosts a and b, or nodes: and links: for a topology")
	}
	if s.Links == nil {
		return s.errMissing("", "links", "nodes: needs a links: list, e.g. links: [{between: [s, d], rate: 10Mbps, delay: 10ms}]")
	}
	for _, g := range []struct {
		key   string
		n     int
		limit int
	}{{"nodes.hosts", len(s.Nodes.Hosts), MaxHosts}, {"nodes.routers", len(s.Nodes.Routers), MaxRouters}, {"links", len(s.Links), MaxLinks}} {
		if g.n > g.limit {
			return s.errAt(fmt.Sprintf("%s[%d]", g.key, g.limit), "%d %s: want at most %d (the limit %s)", g.n, g.key[strings.LastIndexByte(g.key, '.')+1:], g.limit,
				map[string]string{"nodes.hosts": "MaxHosts", "nodes.routers": "MaxRouters", "links": "MaxLinks"}[g.key])
		}
	}
	kind, err := s.validateNodes()
	if err != nil {
		return err
	}
	adj, err := s.validateLinks(kind)
	if err != nil {
		return err
	}
	if err := s.validateConnected(kind, adj); err != nil {
		return err
	}
	if len(s.Faults) > 0 {
		return s.errAt("faults", "faults: applies to the two-host link: form only (its directions are forward and reverse)")
	}
	reach := newReachability(adj, kind)
	for i := range s.Flows {
		if err := s.validateFlowEnds(i, kind, reach); err != nil {
			return err
		}
	}
	return nil
}

// validateShorthand checks, in the two-host form, that there is no
// links: section and that every flow names a and b.
func (s *Scenario) validateShorthand() error {
	if s.Links != nil {
		return s.errAt("links", "links: needs a nodes: section naming the hosts and routers, e.g. nodes: {hosts: [s, d], routers: [r]}")
	}
	for i := range s.Flows {
		f := &s.Flows[i]
		p := fmt.Sprintf("flows[%d]", i)
		if f.From != HostA && f.From != HostB {
			return s.errAt(p+".from", "%q is not a valid from: want a or b", f.From)
		}
		if f.To != "" && (f.To != HostA && f.To != HostB || f.To == f.From) {
			return s.errAt(p+".to", "%q is not a valid to: want the other host (a or b)", f.To)
		}
	}
	return nil
}

// eachNode calls f with every node of the nodes: section, hosts first, in
// order: the path of its entry ("nodes.hosts[0]"), its kind ("host" or
// "router") and its name, until f fails.
func (s *Scenario) eachNode(f func(path, kind, name string) error) error {
	for _, g := range []struct {
		key   string
		names []string
	}{{"hosts", s.Nodes.Hosts}, {"routers", s.Nodes.Routers}} {
		for i, name := range g.names {
			if err := f(fmt.Sprintf("nodes.%s[%d]", g.key, i), g.key[:len(g.key)-1], name); err != nil {
				return err
			}
		}
	}
	return nil
}

// validateNodes checks that node names are unique and that there are two
// hosts at least; it returns each node's kind, "host" or "router".
func (s *Scenario) validateNodes() (map[string]string, error) {
	kind := map[string]string{}
	err := s.eachNode(func(p, k, name string) error {
		if was, dup := kind[name]; dup {
			return s.errAt(p, "%q is already the name of a %s: node names must be unique", name, was)
		}
		kind[name] = k
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(s.Nodes.Hosts) < 2 {
		return nil, s.errAt("nodes", "%d hosts: want at least two (nodes: {hosts: [s, d]})", len(s.Nodes.Hosts))
	}
	return kind, nil
}

// validateLinks checks every link (two known, different nodes, at most
// one link per pair, its directions) and returns each node's neighbours,
// in link order.
func (s *Scenario) validateLinks(kind map[string]string) (map[string][]string, error) {
	adj := map[string][]string{}
	pair := map[[2]string]int{}
	for i := range s.Links {
		l := &s.Links[i]
		p := fmt.Sprintf("links[%d]", i)
		if !s.has(p + ".between") {
			return nil, s.errMissing(p, "between", "every link needs between: [x, y], the two nodes it joins")
		}
		for j, name := range l.Between {
			if _, ok := kind[name]; !ok {
				return nil, s.errAt(fmt.Sprintf("%s.between[%d]", p, j), "unknown node %q: want a host or router of nodes: (%s)", name, s.nodeList())
			}
		}
		a, b := l.Between[0], l.Between[1]
		if a == b {
			return nil, s.errAt(p+".between", "a link from %s to itself: want two different nodes", a)
		}
		key := [2]string{min(a, b), max(a, b)}
		if k, dup := pair[key]; dup {
			return nil, s.errAt(p+".between", "a second link between %s and %s (the first is links[%d]): want at most one link per pair of nodes", a, b, k)
		}
		pair[key] = i
		adj[a] = append(adj[a], b)
		adj[b] = append(adj[b], a)
		for _, d := range []struct {
			path string
			d    *Direction
		}{{p, &l.Direction}, {p + ".forward", l.Forward}, {p + ".reverse", l.Reverse}} {
			if err := s.validateDirection(d.path, d.d, d.path == p || l.ReorderDelay == nil); err != nil {
				return nil, err
			}
		}
	}
	return adj, nil
}

// validateConnected checks that every node has a link and that a walk
// from the first host reaches every node.
func (s *Scenario) validateConnected(kind map[string]string, adj map[string][]string) error {
	err := s.eachNode(func(p, _, name string) error {
		if len(adj[name]) == 0 {
			return s.errAt(p, "%s %q has no link: want it in some link's between:", kind[name], name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	seen := map[string]bool{s.Nodes.Hosts[0]: true}
	stack := []string{s.Nodes.Hosts[0]}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, y := range adj[x] {
			if !seen[y] {
				seen[y] = true
				stack = append(stack, y)
			}
		}
	}
	return s.eachNode(func(p, _, name string) error {
		if !seen[name] {
			return s.errAt(p, "the network is disconnected: no path joins %s %q to host %q", kind[name], name, s.Nodes.Hosts[0])
		}
		return nil
	})
}

// validateFlowEnds checks that flow i, in a topology, names two different
// hosts that a path through routers joins.
func (s *Scenario) validateFlowEnds(i int, kind map[string]string, reach *reachability) error {
	f := &s.Flows[i]
	p := fmt.Sprintf("flows[%d]", i)
	for _, end := range []struct {
		key, name string
	}{{"from", f.From}, {"to", f.To}} {
		if !s.has(p + "." + end.key) {
			return s.errMissing(p, end.key, "in a topology every flow names its hosts, e.g. from: %s, to: %s", s.Nodes.Hosts[0], s.Nodes.Hosts[1])
		}
		switch kind[end.name] {
		case "host":
		case "router":
			return s.errAt(p+"."+end.key, "%q is a router: a flow runs between two hosts (%s)", end.name, strings.Join(s.Nodes.Hosts, ", "))
		default:
			return s.errAt(p+"."+end.key, "unknown host %q: want one of %s", end.name, strings.Join(s.Nodes.Hosts, ", "))
		}
	}
	if f.From == f.To {
		return s.errAt(p+".to", "%q is also the sender: want another host", f.To)
	}
	if !reach.joins(f.From, f.To) {
		return s.errAt(p+".to", "host %q is unreachable from %q: every path passes through another host, and hosts do not forward", f.To, f.From)
	}
	return nil
}

// reachability answers whether a path through routers only joins two
// hosts: it numbers the connected parts of the routers once, so that each
// question costs the two hosts' links, not a walk of the network.
type reachability struct {
	adj  map[string][]string
	kind map[string]string
	part map[string]int // each router's connected part (of routers)
}

func newReachability(adj map[string][]string, kind map[string]string) *reachability {
	r := &reachability{adj: adj, kind: kind, part: map[string]int{}}
	for x, k := range kind {
		if k != "router" {
			continue
		}
		if _, seen := r.part[x]; seen {
			continue
		}
		id := len(r.part) + 1
		r.part[x] = id
		stack := []string{x}
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, y := range adj[u] {
				if _, seen := r.part[y]; !seen && kind[y] == "router" {
					r.part[y] = id
					stack = append(stack, y)
				}
			}
		}
	}
	return r
}

// joins reports whether a path from host src to host dst passes only
// through routers: a direct link, or a router next to src in the same
// part as a router next to dst.
func (r *reachability) joins(src, dst string) bool {
	parts := map[int]bool{}
	for _, y := range r.adj[src] {
		if y == dst {
			return true
		}
		if r.kind[y] == "router" {
			parts[r.part[y]] = true
		}
	}
	for _, y := range r.adj[dst] {
		if r.kind[y] == "router" && parts[r.part[y]] {
			return true
		}
	}
	return false
}

func (s *Scenario) nodeList() string {
	return strings.Join(append(slices.Clip(s.Nodes.Hosts), s.Nodes.Routers...), ", ")
}
