package validate

import (
	"fmt"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
)

// unfairnessScenario: two NewReno flows from s1 and s2 through router r
// to d. The shared link r→d loses a fraction p of the data packets (its
// ACK direction is clean) and is fast, with a queue that never fills, so
// random loss and not congestion sets both windows: each flow sees the
// same p. Access delays make the round trips 20 ms and 60 ms.
func unfairnessScenario(p float64) string {
	return fmt.Sprintf(`name: rtt-unfairness
until: 36000s
nodes: {hosts: [s1, s2, d], routers: [r]}
links:
  - {between: [s1, r], rate: 1Gbps, delay: 2ms}
  - {between: [s2, r], rate: 1Gbps, delay: 22ms}
  - {between: [r, d], rate: 100Mbps, delay: 8ms, queue: 10000, forward: {loss: %g%%}}
flows:
  - {name: near, protocol: tcp, from: s1, to: d, bytes: 20MB, congestion: newreno, recv_buffer: 16MiB, min_rto: 200ms, max_retries: 100}
  - {name: far,  protocol: tcp, from: s2, to: d, bytes: 20MB, congestion: newreno, recv_buffer: 16MiB, min_rto: 200ms, max_retries: 100}
`, p*100)
}

// RTTUnfairness: two long-lived Reno flows that share a bottleneck and
// see the same random loss p get throughputs in inverse ratio to their
// RTTs, since Mathis et al.'s B = MSS/RTT · sqrt(3/2)/sqrt(p) has the same
// p and MSS for both (Mathis, Semke, Mahdavi, Ott, CCR 27(3), 1997; the
// "RTT unfairness" of TCP, Floyd & Jacobson 1991 and Lakshman & Madhow
// 1997). The check compares the ratio of the near flow's goodput to the
// far flow's, averaged over seeds, with the ratio of their round trips
// (propagation and serialisation of a segment and its ACK on every hop).
func RTTUnfairness(p float64, seeds int) (Check, error) {
	sc, err := scenario.Parse("validate.yaml", []byte(unfairnessScenario(p)))
	if err != nil {
		return Check{}, err
	}
	rtt := func(oneWay float64) float64 {
		// Two 1 Gbps hops and one 100 Mbps hop each way.
		return 2*oneWay + 2*txTime(mss+hdr, 1e9) + txTime(mss+hdr, 100e6) + 2*txTime(ackBytes, 1e9) + txTime(ackBytes, 100e6)
	}
	pred := rtt(0.030) / rtt(0.010)
	var ratio float64
	for seed := 1; seed <= seeds; seed++ {
		res, err := run.Scenario(sc, uint64(seed))
		if err != nil {
			return Check{}, err
		}
		if !res.OK() {
			return Check{}, fmt.Errorf("validate: rtt-unfairness p=%g seed %d: %s", p, seed, res.Status())
		}
		ratio += res.Flows[0].Goodput / res.Flows[1].Goodput / float64(seeds)
	}
	return Check{
		Model: "RTT unfairness (Mathis)", Citation: "Mathis et al. 1997: B ∝ 1/RTT at equal p, so B_near/B_far = RTT_far/RTT_near",
		Params: fmt.Sprintf("p=%g%% on the shared link, RTT 20 ms vs 60 ms, NewReno", p*100), Unit: "ratio",
		Predicted: pred, Simulated: ratio, Seeds: seeds, Tolerance: 0.2,
		Why: "the model's constant cancels in the ratio, but not the timeouts: with min_rto 200 ms a timeout " +
			"costs the 20 ms flow 10 RTTs and the 60 ms flow 3, so the near flow loses more and the ratio falls " +
			"below 3 as p grows; with 4 seeds of 20 MB the ratio's spread is a few percent, so 20%",
	}, nil
}
