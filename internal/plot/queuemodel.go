package plot

import (
	"tcpsim/internal/direction"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/model/link"
)

// queueModelName names the queueing-delay model in the legend.
const queueModelName = "model: M/D/1 (Pollaczek-Khinchine), Σλ·S²/(2(1−ρ)) per hop"

// modelQueueDelay returns the mean queueing delay that Kurose & Ross
// §3.6.1's first scenario (two Poisson sources, an unbounded buffer)
// predicts for the flow named flow, in seconds: each output queue on the
// flow's path is an M/G/1 queue fed by every flow whose path crosses it,
// and its mean wait is the Pollaczek-Khinchine formula
//
//	Wq = Σ λi·Si² / (2(1 − ρ)),  ρ = Σ λi·Si,
//
// (Kleinrock, Queueing Systems vol. 1, 1975, eq. 5.72), λi a flow's
// datagrams a second and Si the time its datagram (payload and the 28
// bytes of IPv4 and UDP headers) takes to transmit: ρS/(2(1−ρ)) for one
// packet size, the M/D/1 queue. The waits are summed over the hops. ok
// is false where the model does not hold: a flow that is not UDP with
// Poisson arrivals (the formula needs Poisson arrivals at the queue), a
// hop with a bounded buffer, an AQM, random loss or no rate, or a load
// ρ ≥ 1 (the wait grows without bound). Behind a first queue arrivals
// are no longer Poisson; where, as in exercise 40, every hop but one is
// fast, the other hops' waits are negligible.
func modelQueueDelay(sc *scenario.Scenario, flow string) (seconds float64, ok bool) {
	hops, ok := queueHops(sc, flow)
	if !ok {
		return 0, false
	}
	for _, h := range hops {
		if h.rho >= 1 {
			return 0, false
		}
		seconds += h.s2 / (2 * (1 - h.rho))
	}
	return seconds, true
}

// hopLoad is what the flows crossing one output queue offer it: Σλ,
// Σλ·S (the load ρ) and Σλ·S².
type hopLoad struct{ lambda, rho, s2 float64 }

// queueLoad returns the largest load ρ of the queues on flow's path, where
// modelQueueDelay's conditions but ρ < 1 hold: the model's wait grows
// without bound as it nears 1 (the capacity limit, R/2 per flow in
// exercise 40).
func queueLoad(sc *scenario.Scenario, flow string) (rho float64, ok bool) {
	hops, ok := queueHops(sc, flow)
	if !ok {
		return 0, false
	}
	for _, h := range hops {
		rho = max(rho, h.rho)
	}
	return rho, true
}

// queueHops returns the load of each queue on flow's path, ok false where
// modelQueueDelay's model does not hold apart from the load (see there).
func queueHops(sc *scenario.Scenario, flow string) ([]hopLoad, bool) {
	net, err := run.Build(sc, sc.Seed)
	if err != nil {
		return nil, false
	}
	routes := net.FlowRoutes()
	links := map[direction.Dir]link.Config{}
	for _, l := range sc.LinkSpecs() {
		links[direction.Of(l.A, l.B)] = run.LinkConfig(l.Forward)
		links[direction.Of(l.B, l.A)] = run.LinkConfig(l.Reverse)
	}
	hops := map[direction.Dir]*hopLoad{}
	for _, f := range sc.Expanded(sc.Seed) {
		r, has := routes[f.Name]
		if f.UDP == nil || !f.UDP.Poisson() || !has || f.UDP.Datagram <= 0 {
			return nil, false
		}
		lambda := float64(f.UDP.Rate) / float64(f.UDP.Datagram*8)
		bits := float64((f.UDP.Datagram + udpHeaders) * 8)
		path := r[0]
		for k := 0; k+1 < len(path); k++ {
			d := direction.Of(path[k], path[k+1])
			c, found := links[d]
			if !found || c.Rate <= 0 {
				return nil, false
			}
			s := bits / float64(c.Rate)
			h := hops[d]
			if h == nil {
				h = &hopLoad{}
				hops[d] = h
			}
			h.lambda += lambda
			h.rho += lambda * s
			h.s2 += lambda * s * s
		}
	}
	r, has := routes[flow]
	if !has {
		return nil, false
	}
	path := r[0]
	var out []hopLoad
	for k := 0; k+1 < len(path); k++ {
		d := direction.Of(path[k], path[k+1])
		c, h := links[d], hops[d]
		if c.QueuePackets > 0 || c.QueueBytes > 0 || c.AQM != link.DropTail ||
			c.Loss.P > 0 || c.Loss.Every > 0 || c.Loss.Model == link.LossGilbertElliott {
			return nil, false
		}
		out = append(out, *h)
	}
	return out, true
}
