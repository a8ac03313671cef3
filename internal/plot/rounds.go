package plot

import (
	"fmt"

	"tcpsim/sim"
)

// Rounds numbers the transmission rounds of a flow, as Kurose & Ross
// draw cwnd against them: round 1 begins when the first data segment is
// sent; a round ends, and the next begins, with the first ACK to reach
// the sender that either acknowledges the first segment sent in the round
// or is a duplicate ACK arriving at least one minimum RTT after that
// segment was sent (a duplicate ACK is the echo of a later segment of the
// round, when the first was lost). The minimum RTT is the smallest time
// from sending a segment to the first ACK covering it, over segments
// never retransmitted (Karn), or else the handshake's.
//
// A round is thus one ACK-clocked round trip; a retransmission timeout
// stalls the round it falls in until the retransmission is acknowledged.
type Rounds struct {
	// Start[k] is when round k+1 began.
	Start []sim.Time
	// Of[i] is the round (1, 2, ...; 0 before the first data segment) that
	// event i of the run falls in.
	Of []int
	// MinRTT is the minimum RTT used.
	MinRTT sim.Time
}

// rounds computes the rounds of a run of n events.
func (d *flowData) rounds(n int) (*Rounds, error) {
	if len(d.sends) == 0 {
		return nil, fmt.Errorf("plot: --x rounds: the flow sent no data")
	}
	r := &Rounds{Of: make([]int, n), MinRTT: d.minRTT()}
	if r.MinRTT <= 0 {
		return nil, fmt.Errorf("plot: --x rounds: no RTT sample (no segment was acknowledged)")
	}
	// Walk the sends and ACKs in trace order.
	type first struct {
		end int64
		t   sim.Time
		ok  bool
	}
	var f first
	si, ai := 0, 0
	round := 0
	mark := 0 // events before mark are numbered
	number := func(upto int) {
		for ; mark < upto && mark < n; mark++ {
			r.Of[mark] = round
		}
	}
	for si < len(d.sends) || ai < len(d.acks) {
		if ai >= len(d.acks) || (si < len(d.sends) && d.sendIdx[si] < d.ackIdx[ai]) {
			s := d.sends[si]
			if round == 0 {
				number(d.sendIdx[si])
				round = 1
				r.Start = append(r.Start, s.t)
			}
			if !f.ok {
				f = first{end: s.seq + s.len, t: s.t, ok: true}
			}
			si++
			continue
		}
		a := d.acks[ai]
		if round > 0 && f.ok && (a.ack >= f.end || (a.dup && a.t >= f.t+r.MinRTT)) {
			number(d.ackIdx[ai])
			round++
			r.Start = append(r.Start, a.t)
			f.ok = false
		}
		ai++
	}
	number(n)
	return r, nil
}

// minRTT returns the smallest RTT sample of segments sent once, or the
// handshake's RTT when there is none.
func (d *flowData) minRTT() sim.Time {
	resent := map[int64]bool{}
	for _, s := range d.sends {
		if s.retrans {
			resent[s.seq] = true
		}
	}
	best := sim.Time(0)
	ai := 0
	for _, s := range d.sends {
		if s.retrans || resent[s.seq] {
			continue
		}
		for ai < len(d.acks) && (d.acks[ai].t < s.t || d.acks[ai].ack < s.seq+s.len) {
			ai++
		}
		if ai < len(d.acks) {
			if rtt := d.acks[ai].t - s.t; best == 0 || rtt < best {
				best = rtt
			}
		}
	}
	if best == 0 {
		best = d.synRTT
	}
	return best
}

// x maps a time in event i to a fractional round: k + the fraction of
// round k elapsed (the last round is taken to last MinRTT).
func (r *Rounds) x(i int, t sim.Time) float64 {
	k := r.Of[i]
	if k == 0 {
		if r.Start[0] == 0 {
			return 0
		}
		return float64(t) / float64(r.Start[0])
	}
	s := r.Start[k-1]
	l := r.MinRTT
	if k < len(r.Start) {
		l = r.Start[k] - s
	}
	frac := float64(t-s) / float64(l)
	return float64(k) + min(max(frac, 0), 0.999)
}
