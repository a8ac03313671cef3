package scenario

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"tcpsim/sim"
)

const topoDoc = `name: t
nodes:
  hosts: [s1, s2, d]
  routers: [r1, r2]
links:
  - {between: [s1, r1], rate: 100Mbps, delay: 2ms}
  - {between: [s2, r1], rate: 100Mbps, delay: 40ms}
  - {between: [r1, r2], rate: 10Mbps, delay: 10ms, queue: 100, reverse: {delay: 12ms}}
  - {between: [r2, d], rate: 50Mbps, delay: 1ms, loss: 2%}
flows:
  - {name: near, protocol: tcp, from: s1, to: d, bytes: 20MB}
  - {name: far,  protocol: tcp, from: s2, to: d, bytes: 20MB}
`

func TestTopologyDecodes(t *testing.T) {
	s, err := Parse("t.yaml", []byte(topoDoc))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Topology() {
		t.Fatal("Topology() = false")
	}
	if got, want := strings.Join(s.HostNames(), ","), "s1,s2,d"; got != want {
		t.Errorf("hosts %s, want %s", got, want)
	}
	if got, want := strings.Join(s.RouterNames(), ","), "r1,r2"; got != want {
		t.Errorf("routers %s, want %s", got, want)
	}
	ls := s.LinkSpecs()
	if len(ls) != 4 {
		t.Fatalf("%d links, want 4", len(ls))
	}
	l := ls[2]
	if l.ForwardName != "r1->r2" || l.ReverseName != "r2->r1" {
		t.Errorf("names %s %s", l.ForwardName, l.ReverseName)
	}
	// The per-direction override applies to its direction only, and the
	// link's own fields to both, over the same defaults as link:.
	if sim.Time(*l.Forward.Delay) != 10*sim.Millisecond || sim.Time(*l.Reverse.Delay) != 12*sim.Millisecond {
		t.Errorf("delays %v %v, want 10ms 12ms", *l.Forward.Delay, *l.Reverse.Delay)
	}
	if *l.Forward.Queue != 100 || *l.Reverse.Queue != 100 || *l.Forward.Rate != 10e6 {
		t.Errorf("queue %d %d rate %d", *l.Forward.Queue, *l.Reverse.Queue, *l.Forward.Rate)
	}
	if ls[3].Forward.Loss.P != 0.02 || ls[0].Forward.Loss.P != 0 {
		t.Errorf("loss %v %v", ls[3].Forward.Loss.P, ls[0].Forward.Loss.P)
	}
	if from, to := s.Flows[1].From, s.Flows[1].To; from != "s2" || to != "d" {
		t.Errorf("ends %s %s", from, to)
	}
}

func TestShorthandIsTwoHosts(t *testing.T) {
	s, err := Parse("s.yaml", []byte("name: s\nlink: {rate: 1Mbps, delay: 5ms, forward: {loss: 1%}}\nflows:\n  - {name: f, protocol: tcp, from: b, bytes: 1KB}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Topology() || strings.Join(s.HostNames(), ",") != "a,b" || len(s.RouterNames()) != 0 {
		t.Fatalf("shorthand: topology %v hosts %v routers %v", s.Topology(), s.HostNames(), s.RouterNames())
	}
	ls := s.LinkSpecs()
	if len(ls) != 1 || ls[0].ForwardName != "forward" || ls[0].ReverseName != "reverse" || ls[0].A != "a" || ls[0].B != "b" {
		t.Fatalf("links %+v", ls)
	}
	if !reflect.DeepEqual(ls[0].Forward, s.LinkDirection("forward")) || !reflect.DeepEqual(ls[0].Reverse, s.LinkDirection("reverse")) {
		t.Error("LinkSpecs and LinkDirection disagree")
	}
	// Parse expanded the shorthand: hosts a and b, one link between
	// them with link:'s settings, the flow's other end filled in.
	if f := s.Flows[0]; f.From != "b" || f.To != "a" {
		t.Errorf("ends %s %s, want b a", f.From, f.To)
	}
	if len(s.Links) != 1 || s.Links[0].Between != [2]string{"a", "b"} || !reflect.DeepEqual(s.Links[0].Link.Resolved("forward"), s.LinkDirection("forward")) {
		t.Errorf("links %+v, want one link a-b with link:'s settings", s.Links)
	}
}

func TestTopologyErrors(t *testing.T) {
	located := regexp.MustCompile(`^t\.yaml:\d+:\d+: \S+: `)
	for _, c := range []struct {
		name, old, new, want string
	}{
		{"unknown node", "between: [r2, d]", "between: [r2, x]", `links[3].between[1]: unknown node "x"`},
		{"duplicate node", "routers: [r1, r2]", "routers: [r1, d]", `nodes.routers[1]: "d" is already the name of a host`},
		{"self link", "between: [r2, d]", "between: [d, d]", "links[3].between: a link from d to itself"},
		{"two links", "between: [s2, r1]", "between: [r1, s1]", "links[1].between: a second link between r1 and s1"},
		{"link and links", "nodes:", "link: {rate: 1Mbps}\nnodes:", "link: link: and links: together"},
		{"host without link", "hosts: [s1, s2, d]", "hosts: [s1, s2, d, e]", `nodes.hosts[3]: host "e" has no link`},
		{"disconnected", "  - {between: [r2, d], rate: 50Mbps, delay: 1ms, loss: 2%}\n", "  - {between: [r2, d], rate: 50Mbps, delay: 1ms, loss: 2%}\n  - {between: [e, r3]}\n",
			`the network is disconnected`},
		{"router end", "to: d, bytes", "to: r2, bytes", `flows[0].to: "r2" is a router`},
		{"unknown end", "from: s2", "from: s9", `flows[1].from: unknown host "s9"`},
		{"bad name", "hosts: [s1, s2, d]", "hosts: [s1, s2, d->e]", `nodes.hosts[2]: "d->e" is not a valid node name`},
		{"between one", "between: [r2, d]", "between: [r2]", "links[3].between: 1 names"},
		{"unknown link field", "loss: 2%", "colour: red", `links[3].colour: unknown field "colour"`},
		{"no to", "to: d, bytes", "bytes", "missing"},
		{"unreachable through a host", "  - {between: [r2, d], rate: 50Mbps, delay: 1ms, loss: 2%}\n", "  - {between: [r2, d], rate: 50Mbps, delay: 1ms, loss: 2%}\n  - {between: [d, e]}\n",
			`flows[2].to: host "e" is unreachable from "s1"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(topoDoc, c.old, c.new, 1)
			if c.name == "disconnected" {
				src = strings.Replace(src, "routers: [r1, r2]", "routers: [r1, r2, r3]", 1)
				src = strings.Replace(src, "hosts: [s1, s2, d]", "hosts: [s1, s2, d, e]", 1)
			}
			if c.name == "unreachable through a host" {
				src = strings.Replace(src, "hosts: [s1, s2, d]", "hosts: [s1, s2, d, e]", 1)
				src += "  - {name: x, protocol: tcp, from: s1, to: e, bytes: 1KB}\n"
			}
			if src == topoDoc {
				t.Fatal("the replacement changed nothing")
			}
			_, err := Parse("t.yaml", []byte(src))
			if err == nil {
				t.Fatalf("accepted:\n%s", src)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant it to contain %s", err, c.want)
			}
			if c.name != "no to" && !located.MatchString(err.Error()) {
				t.Errorf("%q is not located (file:line:col: field: ...)", err)
			}
		})
	}
}

// An override of link: would change nothing in a topology: it is refused,
// as are overrides of nodes: and links:.
func TestTopologyOverridesRefused(t *testing.T) {
	for _, o := range []Override{{"link.loss", "1%"}, {"links.0.loss", "1%"}, {"nodes.hosts", "[x]"}} {
		if _, err := Parse("t.yaml", []byte(topoDoc), o); err == nil {
			t.Errorf("%s accepted", o)
		}
	}
	if _, err := Parse("t.yaml", []byte(topoDoc), Override{"flows.near.mss", "1000"}); err != nil {
		t.Errorf("a flow override: %v", err)
	}
}

// A topology's links are addressed by their place in links: (links[N],
// from 0), through the same decoders and checks as link:'s fields; a bad
// index, a link's ends or links in the two-host form are refused, naming
// the override.
func TestOverrideLinksByIndex(t *testing.T) {
	s, err := Parse("t.yaml", []byte(topoDoc),
		Override{"links[2].rate", "5Mbps"}, Override{"links[3].loss", "7%"}, Override{"links[2].reverse.delay", "30ms"})
	if err != nil {
		t.Fatal(err)
	}
	specs := s.LinkSpecs()
	if r := *specs[2].Forward.Rate; r != 5e6 {
		t.Errorf("links[2].rate=5Mbps: rate %d", r)
	}
	if d := *specs[2].Reverse.Delay; d != 30e6 {
		t.Errorf("links[2].reverse.delay=30ms: reverse delay %v", d)
	}
	if d := *specs[2].Forward.Delay; d != 10e6 {
		t.Errorf("links[2]'s forward delay %v changed, want 10ms as written", d)
	}
	if p := float64(specs[3].Forward.Loss.P); p != 0.07 {
		t.Errorf("links[3].loss=7%%: loss %v", p)
	}
	if r := *specs[0].Forward.Rate; r != 100e6 {
		t.Errorf("links[0] changed: rate %d", r)
	}
	for _, c := range []struct {
		o    Override
		doc  string
		want string
	}{
		{Override{"links[4].rate", "1Mbps"}, topoDoc, "links[4].rate: no link 4: t.yaml has 4 links, links[0] to links[3]"},
		{Override{"links[-1].rate", "1Mbps"}, topoDoc, "links[-1].rate: want links[N]"},
		{Override{"links[01].rate", "1Mbps"}, topoDoc, "want links[N]"},
		{Override{"links[x].rate", "1Mbps"}, topoDoc, "want links[N]"},
		{Override{"links.rate", "1Mbps"}, topoDoc, "want links[N].FIELD"},
		{Override{"links[0].between", "[s1, d]"}, topoDoc, "ends cannot be overridden"},
		{Override{"links[0].colour", "red"}, topoDoc, `links[0].colour: no field "colour" in links[0]`},
		{Override{"links[0]", "5"}, topoDoc, "links[0]: is a group of fields"},
		{Override{"links[1].rate", "-5Mbps"}, topoDoc, "links[1].rate"},
		{Override{"link.rate", "1Mbps"}, topoDoc, "address its links as links[N]"},
		{Override{"links[0].rate", "1Mbps"}, good, "has no links: (the two-host form"},
	} {
		_, err := Parse("t.yaml", []byte(c.doc), c.o)
		var se *Error
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.As(err, &se) || se.Field != c.o.Path {
			t.Errorf("%v: err %v, want %q located at the override", c.o, err, c.want)
		}
	}
}
