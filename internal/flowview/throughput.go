package flowview

import (
	"tcpsim/internal/trace"
	"tcpsim/sim"
)

// Throughput returns a flow's throughput against time: the payload
// bytes the network delivered to the flow's hosts (data segments,
// datagrams, rdt packets, retransmissions included; pure ACKs carry none)
// in each interval [k·bin, (k+1)·bin) from 0 to end, as bits per
// second. evs are one flow's events in the two-host form (in a topology,
// trace.EndToEnd's); bin must be above 0. The plots (plot's throughput
// and fairness figures) read this series; the lab's view bins its
// deliveries with the same rate.
func Throughput(evs []trace.Event, bin, end sim.Time) []float64 {
	if bin <= 0 || end <= 0 {
		return nil
	}
	var delivered [][2]float64
	for i := range evs {
		e := &evs[i]
		if e.Kind != trace.Deliver || e.Len <= 0 || e.T < 0 || e.T >= end {
			continue
		}
		delivered = append(delivered, [2]float64{e.T.Seconds(), float64(e.Len)})
	}
	return rate(delivered, bin.Seconds(), int((end+bin-1)/bin))
}

// rate returns the throughput of delivered ([arrival time s, payload
// bytes]) over n intervals of bin seconds from time 0, in bits per
// second: each interval's bytes × 8 / bin. A packet arriving at or after
// n·bin counts in the last interval. It returns nil when bin is not
// positive.
func rate(delivered [][2]float64, bin float64, n int) []float64 {
	if !(bin > 0) || n <= 0 {
		return nil
	}
	out := make([]float64, n)
	for _, d := range delivered {
		k := min(max(int(d[0]/bin), 0), n-1)
		out[k] += d[1]
	}
	for k := range out {
		out[k] *= 8 / bin
	}
	return out
}
