package aqm

import (
	"math"
	"math/rand/v2"
	"testing"

	"tcpsim/sim"
)

// countingRand counts its draws.
type countingRand struct {
	r *rand.Rand
	n int
}

func (c *countingRand) Float64() float64 { c.n++; return c.r.Float64() }

// The average queue maps to p_b as §4 of the paper draws it: 0 below
// min_th, a line to max_p at max_th, then 1 (or, gentle, a line to 1 at
// 2·max_th).
func TestREDProbabilityCurve(t *testing.T) {
	p := REDParams{MinTh: 5, MaxTh: 15, MaxP: 0.1, Weight: 0.002}
	g := p
	g.Gentle = true
	for _, c := range []struct {
		avg          float64
		plain, gentl float64
	}{
		{0, 0, 0}, {4.999, 0, 0}, {5, 0, 0}, {7.5, 0.025, 0.025}, {10, 0.05, 0.05}, {14, 0.09, 0.09},
		{15, 1, 0.1}, {22.5, 1, 0.55}, {29.99, 1, 0.1 + 0.9*14.99/15}, {30, 1, 1}, {100, 1, 1},
	} {
		if got := p.Prob(c.avg); math.Abs(got-c.plain) > 1e-12 {
			t.Errorf("p_b(%v) = %v, want %v", c.avg, got, c.plain)
		}
		if got := g.Prob(c.avg); math.Abs(got-c.gentl) > 1e-12 {
			t.Errorf("gentle p_b(%v) = %v, want %v", c.avg, got, c.gentl)
		}
	}
	// Monotone everywhere.
	for a := 0.0; a < 40; a += 0.01 {
		if p.Prob(a+0.01) < p.Prob(a) || g.Prob(a+0.01) < g.Prob(a) {
			t.Fatalf("p_b decreases at avg %v", a)
		}
	}
}

// meanInterval is E[X] for the arrivals X between signals when the n-th
// arrival since the last signal is signalled with p_b/(1 − (n−1)·p_b).
func meanInterval(pb float64) float64 {
	e, survive := 0.0, 1.0
	for n := 1; survive > 0; n++ {
		pa := 1.0
		if c := float64(n-1) * pb; c < 1 {
			pa = min(1, pb/(1-c))
		}
		e += float64(n) * survive * pa
		survive *= 1 - pa
	}
	return e
}

// Over a long run at a constant average queue, the fraction of arrivals
// signalled is 1/E[X]; for 1/p_b whole, X is uniform on {1, …, 1/p_b}
// (§7) and the fraction is 2·p_b/(1 + p_b). The tolerance is 4 binomial
// standard errors (the spacing of signals is more regular than
// independent trials, so this is conservative).
func TestREDSignalFractionAtConstantAverage(t *testing.T) {
	if got, want := meanInterval(0.05), (1+20)/2.0; math.Abs(got-want) > 1e-9 {
		t.Fatalf("E[X] at p_b 0.05 = %v, want %v (uniform on 1..20)", got, want)
	}
	for _, avg := range []float64{6, 8, 10, 12.5, 14.9} {
		p := DefaultRED()
		r := NewRED(p, rand.New(rand.NewPCG(uint64(avg*10), 1)))
		r.avg = avg
		const n = 200000
		signals := 0
		for range n {
			if r.Arrive(0, int(avg)) { // qlen ≠ avg moves it; put it back
				signals++
			}
			r.avg = avg
		}
		pb := p.Prob(avg)
		want := 1 / meanInterval(pb)
		got := float64(signals) / n
		if tol := 4 * math.Sqrt(want*(1-want)/n); math.Abs(got-want) > tol {
			t.Errorf("avg %v (p_b %.4f): signalled %.5f of arrivals, want %.5f ± %.5f", avg, pb, got, want, tol)
		}
	}
}

// The average follows the EWMA on a busy queue and decays by
// (1 − w_q)^(idle/s) over an idle period; RED draws a random number only
// between the thresholds.
func TestREDAverageAndDraws(t *testing.T) {
	p := DefaultRED()
	p.IdleSlot = 400 * sim.Microsecond
	rng := &countingRand{r: rand.New(rand.NewPCG(1, 2))}
	r := NewRED(p, rng)
	want := 0.0
	for i := range 3000 {
		q := 1 + i%4 // a busy queue below min_th
		if r.Arrive(sim.Time(i), q) {
			t.Fatalf("arrival %d signalled with avg %v below min_th", i, r.Avg())
		}
		want = (1-p.Weight)*want + p.Weight*float64(q)
		if math.Abs(r.Avg()-want) > 1e-12 {
			t.Fatalf("arrival %d: avg %v, want %v", i, r.Avg(), want)
		}
	}
	if rng.n != 0 {
		t.Fatalf("%d draws below min_th, want none", rng.n)
	}
	r.Idle(sim.Second)
	before := r.Avg()
	r.Arrive(sim.Second+40*sim.Millisecond, 0) // 100 slots idle
	if got, want := r.Avg(), before*math.Pow(1-p.Weight, 100); math.Abs(got-want) > 1e-12 {
		t.Fatalf("after 100 idle slots avg %v, want %v", got, want)
	}
	r.avg = 10
	r.Arrive(2*sim.Second, 10)
	if rng.n != 1 {
		t.Fatalf("%d draws for one arrival between the thresholds, want 1", rng.n)
	}
	r.avg = 20
	if !r.Arrive(2*sim.Second, 20) || rng.n != 1 {
		t.Fatalf("above max_th: want a signal without a draw (draws %d)", rng.n)
	}
	// Arrivals dropped at an empty queue above max_th do not hold the
	// average up: each decays it for the time since the one before.
	r.avg = 50
	r.Idle(3 * sim.Second)
	for k := range 10 {
		r.Arrive(3*sim.Second+sim.Time(k+1)*40*sim.Millisecond, 0)
	}
	if got, want := r.Avg(), 50*math.Pow(1-p.Weight, 1000); math.Abs(got-want) > 1e-9 {
		t.Fatalf("after 10 arrivals at an empty queue 40 ms apart: avg %v, want %v", got, want)
	}
}
