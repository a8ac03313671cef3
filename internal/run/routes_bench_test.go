package run

import (
	"fmt"
	"testing"

	"tcpsim/internal/scenario"
)

// starNetwork returns a star of hosts hosts h0..h{n-1} around one router
// r, each on its own link, with one flow from h0 to h1. It is built from a
// parsed three-host star whose link entries are copied, because a file of
// 10,000 hosts is larger than scenario.MaxFileSize.
func starNetwork(tb testing.TB, hosts int) *scenario.Scenario {
	tb.Helper()
	sc := parse(tb, `name: star
nodes: {hosts: [h0, h1], routers: [r]}
links:
  - {between: [h0, r], rate: 100Mbps, delay: 1ms}
  - {between: [r, h1], rate: 100Mbps, delay: 1ms}
flows:
  - {name: f, protocol: udp, from: h0, to: h1, count: 1, rate: 1Mbps}
`)
	proto := sc.Links[1]
	for i := 2; i < hosts; i++ {
		h := fmt.Sprintf("h%d", i)
		sc.Nodes.Hosts = append(sc.Nodes.Hosts, h)
		l := proto
		l.Between = [2]string{"r", h}
		sc.Links = append(sc.Links, l)
	}
	return sc
}

// BenchmarkBuildStar builds (routes included) a star of 1,000 and 10,000
// hosts around one router (issue 21, item 4: before, 1,000 hosts took
// 70 s and 3,800 hosts 11 minutes):
//
//	go test ./internal/run -run '^$' -bench BuildStar -benchtime 1x -benchmem
func BenchmarkBuildStar(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("hosts=%d", n), func(b *testing.B) {
			sc := starNetwork(b, n)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Build(sc, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// gridScenario returns routers r0..r{n-1} in a grid of rows × cols, each
// joined to its right and lower neighbour, with one host per router: the
// worst case of the limits' kind, a tree per router.
func gridScenario(tb testing.TB, rows, cols int) *scenario.Scenario {
	tb.Helper()
	sc := parse(tb, `name: grid
nodes: {hosts: [h0, h1], routers: [r0, r1]}
links:
  - {between: [h0, r0], rate: 100Mbps, delay: 1ms}
  - {between: [r0, r1], rate: 100Mbps, delay: 1ms}
  - {between: [r1, h1], rate: 100Mbps, delay: 1ms}
flows:
  - {name: f, protocol: udp, from: h0, to: h1, count: 1, rate: 1Mbps}
`)
	proto := sc.Links[0]
	sc.Nodes = &scenario.Nodes{}
	sc.Links = nil
	add := func(a, b string) {
		l := proto
		l.Between = [2]string{a, b}
		sc.Links = append(sc.Links, l)
	}
	for i := range rows * cols {
		r, h := fmt.Sprintf("r%d", i), fmt.Sprintf("h%d", i)
		sc.Nodes.Routers = append(sc.Nodes.Routers, r)
		sc.Nodes.Hosts = append(sc.Nodes.Hosts, h)
		add(h, r)
		if (i+1)%cols != 0 {
			add(r, fmt.Sprintf("r%d", i+1))
		}
		if i+cols < rows*cols {
			add(r, fmt.Sprintf("r%d", i+cols))
		}
	}
	return sc
}

// BenchmarkBuildGrid builds a grid of 1,000 routers (25 × 40), each with a
// host: 1,000 shortest-path trees and a million forwarding entries, the
// most routers the limits allow.
func BenchmarkBuildGrid(b *testing.B) {
	sc := gridScenario(b, 25, 40)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(sc, 1); err != nil {
			b.Fatal(err)
		}
	}
}
