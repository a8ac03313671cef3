package report

import (
	"math"
	"math/rand/v2"
	"testing"

	"tcpsim/internal/run"
)

// Jain's index over many flows keeps its bounds and its defining cases:
// 1 for equal shares, 1/n when one flow takes everything, k/n when k
// flows share equally and the rest get nothing, and always within
// [1/n, 1]; flows of another protocol do not count, nor do unfinished
// flows (they have no goodput); all goodputs zero has no index.
func TestJainManyFlows(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{2, 3, 10, 1000, 10000} {
		flows := func(get func(i int) float64) *run.Result {
			r := &run.Result{Flows: make([]run.FlowResult, n+1)}
			for i := range n {
				r.Flows[i] = run.FlowResult{Protocol: tcpProto, Goodput: get(i), Complete: true}
			}
			r.Flows[n] = run.FlowResult{Protocol: udpProto, Goodput: 1e12, Complete: true}
			// An unfinished TCP flow: no goodput, not counted.
			r.Flows = append(r.Flows, run.FlowResult{Protocol: tcpProto})
			return r
		}
		near := func(got any, want float64) bool {
			x, ok := got.(float64)
			return ok && math.Abs(x-want) <= 1e-9*max(1, want)
		}
		if got := jain(flows(func(int) float64 { return 5e6 }), tcpProto); !near(got, 1) {
			t.Errorf("n=%d equal: %v, want 1", n, got)
		}
		if got := jain(flows(func(int) float64 { return 0 }), tcpProto); got != nil {
			t.Errorf("n=%d all zero: %v, want none (0/0)", n, got)
		}
		if got := jain(flows(func(i int) float64 {
			if i == 0 {
				return 1e7
			}
			return 0
		}), tcpProto); !near(got, 1/float64(n)) {
			t.Errorf("n=%d one flow takes all: %v, want %v", n, got, 1/float64(n))
		}
		k := 1 + n/2
		if got := jain(flows(func(i int) float64 {
			if i < k {
				return 3e6
			}
			return 0
		}), tcpProto); !near(got, float64(k)/float64(n)) {
			t.Errorf("n=%d, %d equal and the rest zero: %v, want %v", n, k, got, float64(k)/float64(n))
		}
		got := jain(flows(func(int) float64 { return rng.Float64() * 1e8 }), tcpProto).(float64)
		if got < 1/float64(n)-1e-12 || got > 1+1e-12 {
			t.Errorf("n=%d random: %v outside [1/n, 1]", n, got)
		}
	}
}
