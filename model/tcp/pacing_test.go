package tcp

import (
	"testing"

	"tcpsim/model/wire"
	"tcpsim/sim"
)

type nullOut struct{}

func (nullOut) Output(*wire.TCP, []byte) {}

// Linux's pacing rate (tcp_update_pacing_rate) is cwnd/SRTT × 2 while
// cwnd < ssthresh/2 and × 1.2 after; each segment moves the earliest
// departure of the next by its length over the rate, and output holds data
// until then, with Deadline waking it.
func TestPacingRate(t *testing.T) {
	clk := &clock{now: sim.Second}
	e := NewEndpoint(Config{Congestion: CCReno, Pacing: true}, clk, nullOut{})
	e.rtt.srtt = 40 * sim.Millisecond
	e.snd.cwnd, e.snd.ssthresh = 10*1460, 1<<30
	if got, want := e.pacingRate(), int64(14600*2*25); got != want {
		t.Fatalf("slow-start pacing rate %d B/s, want %d (cwnd/SRTT × 2)", got, want)
	}
	e.snd.ssthresh = 10 * 1460
	if got, want := e.pacingRate(), int64(14600*12/10*25); got != want {
		t.Fatalf("congestion-avoidance pacing rate %d B/s, want %d (cwnd/SRTT × 1.2)", got, want)
	}
	e.snd.ssthresh = 1 << 30
	e.paceSent(1460) // 1460 B at 730000 B/s: 2 ms
	if e.pacingNext != clk.now+2*sim.Millisecond {
		t.Fatalf("next departure %v, want now + 2ms", e.pacingNext-clk.now)
	}
	if !e.pacingHold() || e.Deadline() != e.pacingNext {
		t.Fatalf("pacing does not hold the next segment until %v (deadline %v)", e.pacingNext, e.Deadline())
	}
	clk.now = e.pacingNext
	if e.pacingHold() {
		t.Fatal("pacing holds a segment at its departure time")
	}
	e.rtt.srtt = 0
	if e.pacingRate() != 0 {
		t.Fatal("paced without an SRTT")
	}
}

// The delivery-rate sampler (draft-cheng-iccrg-delivery-rate-estimation):
// ten segments sent back to back and ACKed one per 1.2 ms after a 40 ms
// round trip give samples of the ACK rate, the longer interval; the first
// ACK's sample runs from the start of the send phase.
func TestRateSampler(t *testing.T) {
	var r rateSampler
	r.on = true
	for i := range 10 {
		r.sent(int64(i*1000), 1000, sim.Millisecond*sim.Time(i)/10, i*1000, false)
	}
	now := 40 * sim.Millisecond
	var last *rateSample
	for i := range 10 {
		now += 1200 * sim.Microsecond
		r.begin(0)
		r.ackedTo(int64((i+1)*1000), now)
		last = r.finish(1000, now, 0, false)
		if last.rtt <= 0 {
			t.Fatalf("ACK %d: no RTT sample", i)
		}
	}
	// The last sample: 10 segments delivered; prior state from when the
	// tenth was sent (0 delivered, at time 0); ACK interval 52 ms.
	if last.delivered != 10000 || last.interval != 52*sim.Millisecond {
		t.Fatalf("last sample %d bytes over %v, want 10000 over 52ms", last.delivered, last.interval)
	}
	if len(r.segs) != 0 {
		t.Fatalf("%d segments left after all were ACKed", len(r.segs))
	}
	r.markAppLimited(0)
	r.sent(10000, 1000, now, 0, false)
	r.begin(0)
	r.ackedTo(11000, now+40*sim.Millisecond)
	if rs := r.finish(1000, now+40*sim.Millisecond, 0, false); !rs.appLimited {
		t.Fatal("a segment sent while app-limited gives a sample not marked app-limited")
	}
}

// The sampler and BBR run on every segment and ACK: in the steady state,
// a sliding window of 50 segments in flight, they allocate nothing.
func TestRateSamplerNoAllocs(t *testing.T) {
	g := newBBRRig(t)
	r := &g.r
	var off int64
	now := sim.Second
	step := func() {
		now += sim.Millisecond
		r.sent(off, 1000, now, 50_000, false)
		off += 1000
		r.begin(50_000)
		r.ackedTo(off-50_000, now)
		rs := r.finish(1000, now, 50_000, false)
		g.b.onRateSample(rs, r, now, 40*sim.Millisecond)
	}
	for range 200 {
		step()
	}
	if n := testing.AllocsPerRun(1000, step); n != 0 {
		t.Fatalf("%v allocations per segment and ACK", n)
	}
}
