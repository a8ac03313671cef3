package run

import (
	"fmt"
	"math"
	"testing"

	"tcpsim/sim"
)

// TestPoissonQueueIsMD1: Poisson arrivals of equal packets at a link are
// an M/D/1 queue, whose mean wait is given by the Pollaczek–Khinchine
// formula, W = ρ·S / (2(1 − ρ)) for service time S and load ρ = λS
// (Kleinrock, Queueing Systems vol. 1, §5.7; half the M/M/1 wait ρ·S/(1 −
// ρ)). 1000-byte packets (972 bytes of payload and 28 of headers) take
// S = 8 ms at 1 Mbps; the flow sends λ = ρ/S packets a second.
func TestPoissonQueueIsMD1(t *testing.T) {
	const service = 8 * sim.Millisecond
	for _, rho := range []float64{0.3, 0.5, 0.7} {
		rate := rho / service.Seconds() * 972 * 8
		sc := parse(t, fmt.Sprintf(`name: md1
until: 2000s
link: {rate: 1Mbps, delay: 1ms}
flows:
  - {name: u, protocol: udp, arrivals: poisson, datagram: 972, count: 60000, rate: %.0fbps}
`, rate))
		res := mustRun(t, sc, 1)
		q := res.Links[0].QueueDelay
		want := rho * service.Seconds() / (2 * (1 - rho))
		got := q.Mean.Seconds()
		t.Logf("ρ = %.1f: mean queue delay %.3f ms; M/D/1 %.3f ms, M/M/1 %.3f ms", rho, got*1e3, want*1e3, 2*want*1e3)
		// 60,000 packets: within 6% of the formula (the waits of
		// neighbouring packets are correlated, more so as ρ grows).
		if math.Abs(got/want-1) > 0.06 {
			t.Errorf("ρ = %.1f: mean queue delay %.3f ms, want %.3f ms (M/D/1; M/M/1 would be %.3f ms)",
				rho, got*1e3, want*1e3, 2*want*1e3)
		}
	}
}

// TestFlowQueueDelay: with Options.QueueDelay a flow's packets carry
// their waits to its receiver. On one link with one flow the flow's mean
// is the link's; along two bottlenecks in series it is the sum of the
// two links' means; without the option it is not measured.
func TestFlowQueueDelay(t *testing.T) {
	one := parse(t, `name: one
link: {rate: 1Mbps, delay: 1ms}
flows:
  - {name: u, protocol: udp, arrivals: poisson, datagram: 972, count: 3000, rate: 600kbps}
`)
	net, err := BuildWith(one, 3, Options{QueueDelay: true})
	if err != nil {
		t.Fatal(err)
	}
	res := net.Run()
	f, l := res.Flows[0].QueueDelay, res.Links[0].QueueDelay
	if f.Count != 3000 || f.Mean != l.Mean || f.Max != l.Max || f.P99 != l.P99 {
		t.Errorf("flow %+v, link %+v: want the same", f, l)
	}
	if plain := mustRun(t, one, 3); plain.Flows[0].QueueDelay.Count != 0 {
		t.Errorf("without the option the flow's queue delay is %+v, want none", plain.Flows[0].QueueDelay)
	}
	chain := parse(t, `name: chain
nodes: {hosts: [s, d], routers: [r]}
links:
  - {between: [s, r], rate: 1Mbps, delay: 1ms}
  - {between: [r, d], rate: 900kbps, delay: 1ms}
flows:
  - {name: u, protocol: udp, from: s, to: d, arrivals: poisson, datagram: 972, count: 3000, rate: 600kbps}
`)
	net, err = BuildWith(chain, 3, Options{QueueDelay: true})
	if err != nil {
		t.Fatal(err)
	}
	res = net.Run()
	var sum sim.Time
	for _, l := range res.Links {
		if l.QueueDelay.Count == 3000 {
			sum += l.QueueDelay.Mean
		}
	}
	if got := res.Flows[0].QueueDelay.Mean; got == 0 || math.Abs(float64(got-sum)) > 2 {
		t.Errorf("flow's mean %v, sum of its two links' means %v", got, sum)
	}
}
