package run

import "tcpsim/sim"

// startFlows starts every flow. A flow written out on its own starts at
// once (it schedules its own start time, as it always has). The members
// of a repeated flow, which follow one another in start order, start in a
// chain instead: one event at a time, each member starting the next one
// at its start time, so that a family of 10,000 members adds one pending
// event to the queue, not 10,000, and each member's state is touched only
// when it begins.
func (n *Network) startFlows() {
	fs := n.sc.Flows
	for i := 0; i < len(fs); i++ {
		if fs[i].Family == "" {
			n.flows[i].start()
			continue
		}
		j := i + 1
		for j < len(fs) && fs[j].Family == fs[i].Family {
			j++
		}
		n.eng.At(sim.Time(fs[i].Start), n.starter, chainArg(i, j))
		i = j - 1
	}
}

// chainArg packs the member to start and the end of its family (both
// below MaxFlows, so 32 bits each are plenty).
func chainArg(i, end int) uint64 { return uint64(i)<<32 | uint64(end) }

// onChain starts member i of a family ending before end and schedules
// the next member's start.
func (n *Network) onChain(arg uint64) {
	i, end := int(arg>>32), int(arg&(1<<32-1))
	n.flows[i].start()
	if i+1 < end {
		n.eng.At(sim.Time(n.sc.Flows[i+1].Start), n.starter, chainArg(i+1, end))
	}
}
