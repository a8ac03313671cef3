// Package aqm holds active queue management algorithms, pure and
// sans-I/O: they own no queue and no clock, and only decide. A link's
// output queue (model/link) asks RED at each arrival whether to signal
// congestion, and runs CoDel at each dequeue (the start of a
// transmission); the queue then drops the packet or, with ECN, marks it
// CE (RFC 3168).
package aqm

import (
	"fmt"
	"math"

	"tcpsim/sim"
)

// REDParams are the parameters of RED (Floyd and Jacobson, "Random Early
// Detection Gateways for Congestion Avoidance", IEEE/ACM ToN 1(4), 1993).
// Queue sizes are in packets.
type REDParams struct {
	MinTh, MaxTh float64 // min_th, max_th: the average queue thresholds
	MaxP         float64 // max_p: the early-signal probability at max_th
	Weight       float64 // w_q: the EWMA weight of the average queue
	// Gentle makes p_b rise from max_p to 1 as the average goes from
	// max_th to 2·max_th, instead of jumping to 1 at max_th (Floyd,
	// "Recommendation on using the gentle_ variant of RED", 2000).
	Gentle bool
	// IdleSlot is s, the transmission time of a typical small packet:
	// after an idle period of length d the average decays as if
	// m = d/s empty-queue arrivals had occurred (§4 of the paper); 0
	// (a link of unlimited rate) resets it to 0.
	IdleSlot sim.Time
}

// DefaultRED returns the parameters the paper's simulations and ns-2 use:
// min_th 5, max_th 15 packets (ns-2 thresh_ 5, maxthresh_ 15; max_th ≥
// 3·min_th as Floyd's "RED: Discussions of Setting Parameters", 1997,
// recommends), max_p 0.1 (ns-2 linterm_ 10, and the 1997 note), w_q 0.002
// (§9 of the paper and ns-2 q_weight_), not gentle (the 1993 algorithm).
func DefaultRED() REDParams {
	return REDParams{MinTh: 5, MaxTh: 15, MaxP: 0.1, Weight: 0.002}
}

// Validate checks the parameters' ranges.
func (p REDParams) Validate() error {
	switch {
	case !(p.MinTh >= 0 && p.MaxTh > p.MinTh):
		return fmt.Errorf("aqm: RED thresholds min %v, max %v: want 0 ≤ min < max", p.MinTh, p.MaxTh)
	case !(p.MaxP > 0 && p.MaxP <= 1):
		return fmt.Errorf("aqm: RED max_p %v: want a probability in (0, 1]", p.MaxP)
	case !(p.Weight > 0 && p.Weight <= 1):
		return fmt.Errorf("aqm: RED weight %v: want a number in (0, 1]", p.Weight)
	case p.IdleSlot < 0:
		return fmt.Errorf("aqm: RED idle slot %v: want ≥ 0", p.IdleSlot)
	}
	return nil
}

// Uniform is a source of uniform numbers in [0, 1) (*rand.Rand is one).
type Uniform interface{ Float64() float64 }

// RED is Random Early Detection, decided at enqueue (the paper's Figure
// 2). It draws one uniform number per arrival while the average queue is
// between the thresholds (min_th ≤ avg < max_th, or below 2·max_th when
// gentle), and none otherwise.
type RED struct {
	p     REDParams
	rng   Uniform
	avg   float64  // avg: the average queue
	count int      // unsignalled arrivals since the last signal (the paper's count, see Arrive)
	qTime sim.Time // q_time: when the queue became empty (or, see Arrive, last found empty)
}

// NewRED returns RED with parameters p, drawing from rng. The queue
// starts empty, idle since time 0.
func NewRED(p REDParams, rng Uniform) *RED { return &RED{p: p, rng: rng} }

// Avg returns the average queue, in packets.
func (r *RED) Avg() float64 { return r.avg }

// Idle tells RED that the queue became empty at now.
func (r *RED) Idle(now sim.Time) { r.qTime = now }

// Prob returns p_b, the base signal probability for an average queue avg
// (§4: max_p·(avg − min_th)/(max_th − min_th) between the thresholds; 0
// below min_th; 1 from max_th, or with Gentle max_p + (1 − max_p)·(avg −
// max_th)/max_th up to 2·max_th and 1 from there).
func (p REDParams) Prob(avg float64) float64 {
	switch {
	case avg < p.MinTh:
		return 0
	case avg < p.MaxTh:
		return p.MaxP * (avg - p.MinTh) / (p.MaxTh - p.MinTh)
	case p.Gentle && avg < 2*p.MaxTh:
		return p.MaxP + (1-p.MaxP)*(avg-p.MaxTh)/p.MaxTh
	}
	return 1
}

// Arrive is told of a packet arriving at a queue that holds qlen packets
// (the one being transmitted included) and reports whether the packet
// gets a congestion signal: dropped, or marked with ECN.
//
// The average: avg ← (1 − w_q)·avg + w_q·q for an arrival at a busy
// queue; after an idle period, avg ← (1 − w_q)^m·avg with m = (now −
// q_time)/s (§4). An arrival that finds the queue empty moves q_time to
// now: if it is dropped the queue stays idle, and the next arrival decays
// the average only for the time since (so that drops during an idle
// period, above max_th, do not freeze the average there).
//
// Between the thresholds the n-th arrival since the last signal is
// signalled with p_a = p_b/(1 − (n−1)·p_b), so that the number of arrivals
// between signals is uniform on {1, …, 1/p_b} (§7). Deviation: Figure 2
// resets count to 0 after a signal and increments it before computing
// p_a, which makes the n-th arrival's p_a = p_b/(1 − n·p_b) (as ns-2); we
// follow the text of §7, whose intervals Figure 2 was meant to give.
func (r *RED) Arrive(now sim.Time, qlen int) bool {
	if qlen == 0 {
		if r.p.IdleSlot > 0 {
			m := float64(now-r.qTime) / float64(r.p.IdleSlot)
			r.avg *= math.Pow(1-r.p.Weight, m)
		} else {
			r.avg = 0
		}
		r.qTime = now
	} else {
		r.avg = (1-r.p.Weight)*r.avg + r.p.Weight*float64(qlen)
	}
	pb := r.p.Prob(r.avg)
	switch {
	case pb == 0:
		r.count = 0
		return false
	case pb >= 1:
		r.count = 0
		return true
	}
	pa := 1.0
	if c := float64(r.count) * pb; c < 1 {
		pa = pb / (1 - c)
	}
	if r.rng.Float64() < pa {
		r.count = 0
		return true
	}
	r.count++
	return false
}
