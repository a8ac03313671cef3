package run

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"tcpsim/internal/scenario"
)

// starScenario is a star of hosts h0..h(hosts-1) around router r, with
// a TCP flow from h0 to h1 and, when repeat > 1, a repeated UDP flow.
func starScenario(hosts, repeat int) string {
	var b strings.Builder
	b.WriteString("name: star\nseed: 1\nuntil: 10s\nnodes:\n  hosts: [")
	for i := range hosts {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "h%d", i)
	}
	b.WriteString("]\n  routers: [r]\nlinks:\n")
	for i := range hosts {
		fmt.Fprintf(&b, "  - {between: [h%d, r], rate: 10Mbps, delay: 1ms}\n", i)
	}
	b.WriteString("flows:\n  - {name: f, protocol: tcp, from: h0, to: h1, bytes: 10KB}\n")
	if repeat > 1 {
		fmt.Fprintf(&b, "  - {name: web, protocol: udp, from: h1, to: h0, bytes: 2KB, rate: 1Mbps, repeat: {count: %d, every: 1ms}}\n", repeat)
	}
	return b.String()
}

func parseStar(t *testing.T, hosts, repeat int) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse("star.yaml", []byte(starScenario(hosts, repeat)))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// Issue 21, item 6: a signal while a large topology was built went
// unread until the build ended (23 s, and once 6 minutes): the interrupt
// was read by the engine only. The build now reads it between links,
// routing destinations, nodes and flows. Interrupting it at each of its
// checks in turn ends it right there, with ErrInterrupted and no network;
// and there is a check per destination host and per node, so the longest
// stretch between two checks is one destination's routes. (This test
// failed before the fix: the build never asked.)
func TestBuildStopsAtEveryCheck(t *testing.T) {
	const hosts = 12
	sc := parseStar(t, hosts, 3)
	calls := 0
	if _, err := buildWith(sc, 1, Options{}, func() bool { calls++; return false }); err != nil {
		t.Fatal(err)
	}
	// Links, destination hosts, nodes (hosts and the router), flows (the
	// repeated one as its 3 members), and one before and after expanding.
	if want := hosts + hosts + (hosts + 1) + 4 + 2; calls < want {
		t.Fatalf("the build of a %d-host star read the interrupt %d times, want at least %d", hosts, calls, want)
	}
	for k := 1; k <= calls; k++ {
		n := 0
		nw, err := buildWith(sc, 1, Options{}, func() bool { n++; return n == k })
		if !errors.Is(err, ErrInterrupted) || nw != nil {
			t.Fatalf("interrupted at check %d of %d: got %v, %v; want no network and ErrInterrupted", k, calls, nw, err)
		}
		if n != k {
			t.Errorf("interrupted at check %d: the build went on to read it %d times", k, n)
		}
		if !strings.HasPrefix(err.Error(), "star.yaml: ") {
			t.Errorf("error %q does not name the scenario file", err)
		}
	}
}

// A flag set before the build (a signal during parsing) ends BuildWith
// and ScenarioWith before any route is computed, whatever the topology's
// size: a 2000-host star, whose routes take minutes with the routing of
// before issue 21 item 4, returns at once.
func TestBuildInterruptedBeforeItStarts(t *testing.T) {
	sc := parseStar(t, 2000, 0)
	var flag atomic.Bool
	flag.Store(true)
	if n, err := BuildWith(sc, 1, Options{Interrupt: &flag}); !errors.Is(err, ErrInterrupted) || n != nil {
		t.Errorf("BuildWith: %v, %v; want ErrInterrupted", n, err)
	}
	if res, err := ScenarioWith(sc, 1, Options{Interrupt: &flag}); !errors.Is(err, ErrInterrupted) || res != nil {
		t.Errorf("ScenarioWith: %v, %v; want ErrInterrupted", res, err)
	}
}

// computeRoutesUntil gives up at the destination where stop says so.
func TestComputeRoutesUntilStops(t *testing.T) {
	nodes := []graphNode{{"h0", false}, {"h1", false}, {"h2", false}, {"r", true}}
	var edges []graphEdge
	for h := range 3 {
		edges = append(edges, graphEdge{from: h, to: 3, delay: 1, name: fmt.Sprintf("h%d->r", h)},
			graphEdge{from: 3, to: h, delay: 1, name: fmt.Sprintf("r->h%d", h)})
	}
	for k := 1; k <= 3; k++ {
		n := 0
		tables, ok := computeRoutesUntil(nodes, edges, func() bool { n++; return n == k })
		if ok || tables != nil || n != k {
			t.Errorf("stop at destination %d: ok %v, %d tables, asked %d times", k, ok, len(tables), n)
		}
	}
	tables, ok := computeRoutesUntil(nodes, edges, func() bool { return false })
	if !ok || len(tables) != 4 || len(tables[0].Routes) != 2 {
		t.Errorf("never stopped: ok %v, tables %+v", ok, tables)
	}
}
