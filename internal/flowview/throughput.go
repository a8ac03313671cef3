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
// and fairness figures) and the lab's throughput view read this one
// series.
func Throughput(evs []trace.Event, bin, end sim.Time) []float64 {
	if bin <= 0 || end <= 0 {
		return nil
	}
	n := int((end + bin - 1) / bin)
	bytes := make([]int64, n)
	for i := range evs {
		e := &evs[i]
		if e.Kind != trace.Deliver || e.Len <= 0 || e.T < 0 || e.T >= end {
			continue
		}
		bytes[int(e.T/bin)] += int64(e.Len)
	}
	out := make([]float64, n)
	for k, b := range bytes {
		out[k] = float64(b) * 8 / bin.Seconds()
	}
	return out
}
