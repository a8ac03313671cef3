package link

import (
	"math"
	"math/rand/v2"
	"testing"

	"tcpsim/sim"
)

type sink struct {
	eng  *sim.Engine
	got  []Packet
	when []sim.Time
}

func (s *sink) Receive(p Packet) {
	s.got = append(s.got, p)
	s.when = append(s.when, s.eng.Now())
}

func newPipe(cfg Config, seed uint64) (*sim.Engine, *Pipe, *sink) {
	eng := sim.New(0)
	s := &sink{eng: eng}
	return eng, NewPipe(eng, sim.NewStreams(seed), "fwd", cfg, s, NewPool()), s
}

func (c Counters) balanced(inFlight int64) bool {
	return c.Offered+c.Duplicated == c.Delivered+c.Lost+c.QueueDropped+inFlight
}

// Every packet is accounted for, under every impairment at once, for many
// seeds, including packets still in flight when the run is cut short.
func TestCountersAddUp(t *testing.T) {
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 99))
		cfg := Config{
			Rate: 10e6, Delay: 5 * sim.Millisecond, QueuePackets: 20,
			Loss:    Loss{Model: LossModel(seed % 2), P: 0.05, R: 0.3, LossGood: 0.01, LossBad: 0.6},
			Corrupt: 0.05, Duplicate: 0.05, Reorder: 0.1, ReorderDelay: 3 * sim.Millisecond,
		}
		eng, p, s := newPipe(cfg, seed)
		send := func(uint64) { p.Send(Packet{Buf: make([]byte, 40+r.IntN(1460))}) }
		for i := range 3000 {
			eng.At(sim.Time(r.IntN(int(2*sim.Second))), send, uint64(i))
		}
		eng.Run(sim.Limits{Until: sim.Second}) // cut short: some in flight
		c := p.Counters()
		if !c.balanced(p.InFlight()) {
			t.Fatalf("seed %d mid-run: %+v in flight %d", seed, c, p.InFlight())
		}
		eng.Run(sim.Limits{})
		c = p.Counters()
		if p.InFlight() != 0 || !c.balanced(0) || int64(len(s.got)) != c.Delivered {
			t.Fatalf("seed %d: %+v in flight %d, sink got %d", seed, c, p.InFlight(), len(s.got))
		}
		if c.Lost == 0 || c.QueueDropped == 0 || c.Corrupted == 0 || c.Duplicated == 0 || c.Reordered == 0 {
			t.Fatalf("seed %d: some impairment never happened: %+v", seed, c)
		}
	}
}

// The measured Bernoulli loss rate converges to the configured one: with n
// packets the estimate has standard error sqrt(p(1-p)/n); we allow 4
// standard errors (a false failure has probability ~6e-5, and the seed is
// fixed anyway).
func TestBernoulliLossConverges(t *testing.T) {
	for _, p := range []float64{0.001, 0.01, 0.05, 0.2, 0.5} {
		eng, pipe, _ := newPipe(Config{Loss: Loss{P: p}}, 7)
		const n = 200000
		buf := make([]byte, 60)
		for range n {
			pipe.Send(Packet{Buf: buf})
			eng.Run(sim.Limits{})
		}
		got := float64(pipe.Counters().Lost) / n
		tol := 4 * math.Sqrt(p*(1-p)/n)
		if math.Abs(got-p) > tol {
			t.Errorf("p=%v: measured %v, tolerance %v", p, got, tol)
		}
	}
}

// Gilbert–Elliott loss converges to its stationary mean and comes in bursts
// (mean burst length about 1/R when LossBad is 1).
func TestGilbertElliott(t *testing.T) {
	l := Loss{Model: LossGilbertElliott, P: 0.01, R: 0.25, LossGood: 0, LossBad: 1}
	eng, pipe, s := newPipe(Config{Loss: l}, 11)
	const n = 400000
	for i := range n {
		pipe.Send(Packet{Buf: []byte{byte(i), byte(i >> 8), byte(i >> 16)}})
		eng.Run(sim.Limits{})
	}
	got := float64(pipe.Counters().Lost) / n
	if want := l.Mean(); math.Abs(got-want) > 0.1*want {
		t.Errorf("loss %v, want %v ±10%%", got, want)
	}
	// Count loss bursts from gaps in the delivered sequence.
	bursts, lost := 0, 0
	prev := -1
	for _, p := range s.got {
		i := int(p.Buf[0]) | int(p.Buf[1])<<8 | int(p.Buf[2])<<16
		if gap := i - prev - 1; gap > 0 {
			bursts++
			lost += gap
		}
		prev = i
	}
	if mean := float64(lost) / float64(bursts); math.Abs(mean-1/l.R) > 0.5 {
		t.Errorf("mean burst %v, want about %v", mean, 1/l.R)
	}
}

// Serialisation and propagation: back-to-back packets leave one
// transmission time apart and arrive delay later.
func TestTiming(t *testing.T) {
	eng, pipe, s := newPipe(Config{Rate: 8e6, Delay: 10 * sim.Millisecond}, 1) // 1 byte/µs
	for range 3 {
		pipe.Send(Packet{Buf: make([]byte, 1000)})
	}
	eng.Run(sim.Limits{})
	want := []sim.Time{11 * sim.Millisecond, 12 * sim.Millisecond, 13 * sim.Millisecond}
	for i, w := range want {
		if s.when[i] != w {
			t.Fatalf("arrival %d at %v, want %v", i, s.when[i], w)
		}
	}
}

func TestQueueLimits(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
		want int64
	}{
		{"packets", Config{Rate: 1e6, QueuePackets: 5}, 5},
		{"bytes", Config{Rate: 1e6, QueueBytes: 3500}, 3},
	} {
		eng, pipe, _ := newPipe(c.cfg, 1)
		for range 10 {
			pipe.Send(Packet{Buf: make([]byte, 1000)})
		}
		eng.Run(sim.Limits{})
		if got := pipe.Counters().Delivered; got != c.want {
			t.Errorf("%s: delivered %d, want %d", c.name, got, c.want)
		}
	}
}

func TestReorderOvertakes(t *testing.T) {
	eng, pipe, s := newPipe(Config{Rate: 100e6, Delay: sim.Millisecond, Reorder: 0.2, ReorderDelay: 2 * sim.Millisecond}, 3)
	for i := range 1000 {
		pipe.Send(Packet{Buf: []byte{byte(i), byte(i >> 8)}})
	}
	eng.Run(sim.Limits{})
	inversions := 0
	for i := 1; i < len(s.got); i++ {
		if int(s.got[i].Buf[0])|int(s.got[i].Buf[1])<<8 < int(s.got[i-1].Buf[0])|int(s.got[i-1].Buf[1])<<8 {
			inversions++
		}
	}
	if len(s.got) != 1000 || inversions == 0 {
		t.Fatalf("delivered %d, inversions %d", len(s.got), inversions)
	}
}

func TestCorruptionFlipsOneBit(t *testing.T) {
	eng, pipe, s := newPipe(Config{Corrupt: 1}, 5)
	orig := make([]byte, 100)
	pipe.Send(Packet{Buf: append([]byte(nil), orig...)})
	eng.Run(sim.Limits{})
	diff := 0
	for i, b := range s.got[0].Buf {
		x := b ^ orig[i]
		for ; x != 0; x &= x - 1 {
			diff++
		}
	}
	if diff != 1 {
		t.Fatalf("%d bits differ, want 1", diff)
	}
}

// NextDelivery is a lower bound on the direction's next delivery, under
// every impairment and with packets entering at random times, and it is
// exact when nothing is lost, reordered or duplicated (the relay of an
// emulation sleeps until shortly before it).
func TestNextDeliveryBoundsDeliveries(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		exact := seed%3 == 0
		cfg := Config{Rate: int64(1+rng.IntN(100)) * 1e6, Delay: sim.Time(1+rng.IntN(5000)) * sim.Microsecond, QueuePackets: 50}
		if !exact {
			cfg.Loss = Loss{Model: LossBernoulli, P: 0.1}
			cfg.Reorder, cfg.ReorderDelay, cfg.Duplicate = 0.2, sim.Time(1+rng.IntN(3000))*sim.Microsecond, 0.1
		}
		eng, pipe, s := newPipe(cfg, seed)
		at := sim.Time(0)
		for range 300 {
			at += sim.Time(rng.IntN(400)) * sim.Microsecond
			size := 40 + rng.IntN(1460)
			eng.At(at, func(uint64) { pipe.Send(Packet{Buf: make([]byte, size)}) }, 0)
		}
		bound, has := pipe.NextDelivery()
		for {
			next, ok := eng.Next()
			if !ok {
				break
			}
			before := len(s.when)
			eng.RunTo(next)
			if len(s.when) > before {
				got := s.when[before]
				if !has || got < bound {
					t.Fatalf("seed %d: delivered at %v, before the bound %v (had one: %v)", seed, got, bound, has)
				}
				if exact && got != bound {
					t.Fatalf("seed %d: delivered at %v, bound %v: not exact without impairments", seed, got, bound)
				}
			}
			prev, had := bound, has
			bound, has = pipe.NextDelivery()
			// Without impairments the bound is the next arrival itself,
			// whether that packet is queued or on the wire: it stays put
			// until the arrival (packets sent meanwhile arrive later).
			if exact && had && len(s.when) == before && bound != prev {
				t.Fatalf("seed %d at %v: the bound moved from %v to %v with no delivery", seed, next, prev, bound)
			}
			if has != (pipe.InFlight() > 0) {
				t.Fatalf("seed %d at %v: NextDelivery says %v with %d in flight", seed, next, has, pipe.InFlight())
			}
			if has && bound < eng.Now() {
				t.Fatalf("seed %d: bound %v in the past (now %v)", seed, bound, eng.Now())
			}
		}
		if len(s.when) == 0 {
			t.Fatalf("seed %d: nothing delivered", seed)
		}
	}
}
