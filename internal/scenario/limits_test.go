package scenario

import (
	"fmt"
	"strings"
	"testing"
)

// TestTopologyLimits: more routers, hosts or links than the limits is
// refused at the first one over, located (issue 21, item 4).
func TestTopologyLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: chain\nnodes:\n  hosts: [h0, h1]\n  routers: [")
	for i := range MaxRouters + 1 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "r%d", i)
	}
	b.WriteString("]\nlinks:\n  - {between: [h0, r0]}\n")
	for i := range MaxRouters {
		fmt.Fprintf(&b, "  - {between: [r%d, r%d]}\n", i, i+1)
	}
	fmt.Fprintf(&b, "  - {between: [r%d, h1]}\nflows: [{name: f, protocol: udp, from: h0, to: h1, count: 1, rate: 1bps}]\n", MaxRouters)
	_, err := Parse("c.yaml", []byte(b.String()))
	line4 := strings.Split(b.String(), "\n")[3]
	want := fmt.Sprintf("c.yaml:4:%d: nodes.routers[%d]: %d routers: want at most %d (the limit MaxRouters)",
		strings.Index(line4, fmt.Sprintf("r%d]", MaxRouters))+1, MaxRouters, MaxRouters+1, MaxRouters)
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}

	// Hosts and links: more than a file of MaxFileSize can hold, so the
	// scenario is grown after parsing.
	s, err := Parse("t.yaml", []byte(topoDoc))
	if err != nil {
		t.Fatal(err)
	}
	hosts := *s
	nodes := *s.Nodes
	hosts.Nodes = &nodes
	for i := len(nodes.Hosts); i <= MaxHosts; i++ {
		hosts.Nodes.Hosts = append(hosts.Nodes.Hosts, fmt.Sprintf("x%d", i))
	}
	if err := hosts.validate(); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("nodes.hosts[%d]: %d hosts: want at most %d", MaxHosts, MaxHosts+1, MaxHosts)) {
		t.Fatalf("hosts: err = %v", err)
	}
	links := *s
	for len(links.Links) <= MaxLinks {
		links.Links = append(links.Links, s.Links[0])
	}
	if err := links.validate(); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("links[%d]: %d links: want at most %d", MaxLinks, MaxLinks+1, MaxLinks)) {
		t.Fatalf("links: err = %v", err)
	}
}
