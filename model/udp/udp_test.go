package udp

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"tcpsim/model/host"
	"tcpsim/model/link"
	"tcpsim/sim"
)

// A UDP flow paces its datagrams exactly (k·size·8/rate from the start),
// sends each once, and its receiver counts what the link did.
func TestPacingAndCounting(t *testing.T) {
	eng := sim.New(0)
	pool := link.NewPool()
	a, b := host.New([4]byte{10, 0, 0, 1}, pool), host.New([4]byte{10, 0, 0, 2}, pool)
	fwd := link.NewPipe(eng, sim.NewStreams(1), "forward", link.Config{Delay: sim.Millisecond, Loss: link.Loss{P: 0.2}, Duplicate: 0.1}, b, pool)
	a.Attach(fwd)
	var sends []sim.Time
	f := New(eng, Config{Flow: 0, Src: a, Dst: b, SrcPort: 1, DstPort: 2, Count: 1000, Datagram: 100, Rate: 800_000,
		Checksum: true, Start: 5 * sim.Millisecond, Observer: observerFunc(func(ev Event, n Note) { sends = append(sends, eng.Now()) })})
	f.Start()
	eng.Run(sim.Limits{})
	st := f.Stats()
	if st.Sent != 1000 || !f.Done() {
		t.Fatalf("sent %d", st.Sent)
	}
	// 100 bytes at 800 kbps: one datagram per millisecond.
	if st.FirstSent != 5*sim.Millisecond || st.LastSent != 5*sim.Millisecond+999*sim.Millisecond || sends[0] != st.LastSent {
		t.Fatalf("first %v last %v", st.FirstSent, st.LastSent)
	}
	c := fwd.Counters()
	if st.Delivered != 1000-c.Lost || st.Duplicates != c.Duplicated {
		t.Fatalf("delivered %d (link lost %d), duplicates %d (link duplicated %d)", st.Delivered, c.Lost, st.Duplicates, c.Duplicated)
	}
}

// exactDeparture is the pacing formula k·size·8/rate seconds, rounded down
// to the nanosecond, in arbitrary precision: the reference the sender must
// match. ok is false when it does not fit in sim.Time.
func exactDeparture(k int64, size int, rate int64) (sim.Time, bool) {
	n := new(big.Int).Mul(big.NewInt(k), big.NewInt(int64(size)*8*int64(sim.Second)))
	n.Quo(n, big.NewInt(rate))
	if !n.IsInt64() {
		return 0, false
	}
	return sim.Time(n.Int64()), true
}

// Pacing stays exact past the point where k·size·8·10^9 overflows int64
// (about 1.15 GB into the flow, whatever the rate): the flow used to
// schedule its next datagram in the past and panic there. With the largest
// datagram the overflow comes after 17,592 datagrams.
func TestPacingBeyondInt64Overflow(t *testing.T) {
	for _, c := range []struct {
		name  string
		count int64
		size  int
		rate  int64
	}{
		{"just past the overflow, largest datagram", 18_000, 65507, 100_000_000_000},
		{"odd rate", 17_700, 65507, 99_999_999_967},
		{"small datagrams", 150_000_000 / 1000, 8_000, 1_000_000_000_000},
	} {
		t.Run(c.name, func(t *testing.T) {
			eng := sim.New(0)
			pool := link.NewPool()
			a, b := host.New([4]byte{10, 0, 0, 1}, pool), host.New([4]byte{10, 0, 0, 2}, pool)
			fwd := link.NewPipe(eng, sim.NewStreams(1), "forward", link.Config{}, b, pool)
			a.Attach(fwd)
			start := 3 * sim.Millisecond
			f := New(eng, Config{Src: a, Dst: b, SrcPort: 1, DstPort: 2, Count: c.count, Datagram: c.size, Rate: c.rate, Start: start})
			f.Start()
			eng.Run(sim.Limits{})
			st := f.Stats()
			last, ok := exactDeparture(c.count-1, c.size, c.rate)
			if !ok || c.count*int64(c.size)*8 < math.MaxInt64/int64(sim.Second) {
				t.Fatalf("test case does not cross the int64 overflow")
			}
			if !f.Done() || st.Sent != c.count || st.Delivered != c.count {
				t.Fatalf("sent %d, delivered %d of %d", st.Sent, st.Delivered, c.count)
			}
			if st.LastSent != start+last {
				t.Fatalf("last datagram left at %v, want %v", st.LastSent, start+last)
			}
		})
	}
}

// departure agrees with the exact formula for every count, size and rate
// the scenario file accepts (count up to 10^9, datagram 8 to 65507 bytes,
// any positive rate): at the old int64 overflow, at the limits, and for a
// seeded sample in between. Beyond sim.Time's range it reports false
// instead of wrapping.
func TestDepartureExact(t *testing.T) {
	const maxCount, maxSize = 1_000_000_000, 65507
	type tc struct {
		k     int64
		size  int
		rate  int64
		start sim.Time
	}
	cases := []tc{
		{1, 8, 1, 0},
		{maxCount - 1, maxSize, 1, 0},                 // 2^88 ns: never
		{maxCount - 1, maxSize, math.MaxInt64, 0},     // the fastest rate
		{maxCount - 1, maxSize, 100_000_000_000, 0},   // 100 Gbps: 5.2e5 s
		{maxCount - 1, 8, 1_000_000, 0},               // 8 bytes at 1 Mbps
		{maxCount - 1, maxSize, 57_000, 0},            // just fits...
		{maxCount - 1, maxSize, 56_000, 0},            // ...just does not
		{17_592, maxSize, 1_000_000_000, 0},           // first k past the old overflow
		{17_591, maxSize, 1_000_000_000, 0},           // last k before it
		{1, maxSize, 1, math.MaxInt64 - 1},            // start near the end of time
		{1, 8, math.MaxInt64, math.MaxInt64},          // 0 ns after the last instant
		{maxCount - 1, maxSize, 3, 5 * sim.Second},    // a slow odd rate
		{1 << 40, maxSize, 1_234_567_891_011, 0},      // beyond the parser's count
		{maxCount - 1, maxSize, 1_000_000_000_007, 0}, // prime rate, remainder != 0
	}
	r := rand.New(rand.NewPCG(8, 2))
	for range 5000 {
		cases = append(cases, tc{r.Int64N(maxCount), 8 + r.IntN(maxSize-7), 1 + r.Int64N(1<<r.IntN(63)), sim.Time(r.Int64N(1 << 40))})
	}
	for _, c := range cases {
		f := &Flow{cfg: Config{Datagram: c.size, Rate: c.rate, Start: c.start}}
		got, ok := f.departure(c.k)
		off, fits := exactDeparture(c.k, c.size, c.rate)
		fits = fits && off <= math.MaxInt64-c.start
		if ok != fits || (ok && got != c.start+off) {
			t.Errorf("departure(k=%d, size %d, rate %d, start %v) = %v, %v; want %v, %v",
				c.k, c.size, c.rate, c.start, got, ok, c.start+off, fits)
		}
	}
}

// The biggest flow the parser accepts (10^9 datagrams of 65507 bytes) runs
// for as long as it is given, without panicking, and simply has not sent
// everything when the run ends.
func TestLargestFlowRuns(t *testing.T) {
	eng := sim.New(0)
	pool := link.NewPool()
	a, b := host.New([4]byte{10, 0, 0, 1}, pool), host.New([4]byte{10, 0, 0, 2}, pool)
	a.Attach(link.NewPipe(eng, sim.NewStreams(1), "forward", link.Config{}, b, pool))
	for _, rate := range []int64{1, 100_000_000_000} {
		f := New(eng, Config{Src: a, Dst: b, SrcPort: 1, DstPort: uint16(rate % 1000), Count: 1_000_000_000, Datagram: 65507, Rate: rate, Start: eng.Now()})
		f.Start()
		eng.Run(sim.Limits{Until: eng.Now() + 100*sim.Millisecond})
		want, _ := exactDeparture(f.Stats().Sent-1, 65507, rate)
		if f.Done() || f.Stats().Sent == 0 || f.Stats().LastSent != f.cfg.Start+want {
			t.Fatalf("rate %d: done %v, sent %d, last at %v", rate, f.Done(), f.Stats().Sent, f.Stats().LastSent)
		}
	}
}

// observerFunc adapts a function to an Observer.
type observerFunc func(ev Event, n Note)

func (f observerFunc) UDPEvent(ev Event, n Note) { f(ev, n) }

// Poisson sends (Config.Poisson): the gaps between sends are exponential
// with mean Datagram·8/Rate, so their mean is that and their coefficient
// of variation 1, and a gap exceeds the mean with probability 1/e
// (K&R §3.6.1's senders; any queueing text's Poisson process). The same
// stream gives the same send times.
func TestPoissonSends(t *testing.T) {
	sends := func(seed uint64) []sim.Time {
		eng := sim.New(0)
		pool := link.NewPool()
		a, b := host.New([4]byte{10, 0, 0, 1}, pool), host.New([4]byte{10, 0, 0, 2}, pool)
		fwd := link.NewPipe(eng, sim.NewStreams(1), "forward", link.Config{Delay: sim.Millisecond}, b, pool)
		a.Attach(fwd)
		var at []sim.Time
		fwd.SetObserver(linkObserver(func(ev link.Event) {
			if ev == link.EvEnqueue {
				at = append(at, eng.Now())
			}
		}))
		f := New(eng, Config{Src: a, Dst: b, SrcPort: 1, DstPort: 2, Count: 20000, Datagram: 100, Rate: 800_000,
			Checksum: true, Start: 5 * sim.Millisecond, Poisson: rand.New(rand.NewPCG(seed, 7))})
		f.Start()
		eng.Run(sim.Limits{})
		if f.Stats().Sent != 20000 {
			t.Fatalf("sent %d of 20000", f.Stats().Sent)
		}
		return at
	}
	at := sends(1)
	const mean = float64(sim.Millisecond) // 100 bytes at 800 kbps
	var sum, sq float64
	over := 0
	prev := 5 * sim.Millisecond
	for _, s := range at {
		g := float64(s - prev)
		prev = s
		sum += g
		sq += g * g
		if g > mean {
			over++
		}
	}
	n := float64(len(at))
	m := sum / n
	cv := math.Sqrt(sq/n-m*m) / m
	// 20,000 gaps: the mean's standard error is 0.7%, the tail's 0.34 points.
	if math.Abs(m/mean-1) > 0.03 || math.Abs(cv-1) > 0.05 || math.Abs(float64(over)/n-1/math.E) > 0.015 {
		t.Errorf("gaps: mean %.0f ns (want %.0f), CV %.3f (want 1), P(gap > mean) %.4f (want %.4f)", m, mean, cv, float64(over)/n, 1/math.E)
	}
	again := sends(1)
	for i := range at {
		if at[i] != again[i] {
			t.Fatalf("send %d at %v, then at %v: the same stream must give the same times", i, at[i], again[i])
		}
	}
	if other := sends(2); other[10] == at[10] {
		t.Errorf("another stream gave the same 11th send time %v", at[10])
	}
}

// linkObserver adapts a function to a link.Observer.
type linkObserver func(ev link.Event)

func (o linkObserver) LinkEvent(_ string, ev link.Event, _ link.Packet) { o(ev) }
