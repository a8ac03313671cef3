package link

import (
	"math/rand/v2"
	"testing"
	"unsafe"

	"tcpsim/sim"
)

// markEvery marks every k-th packet offered with f.
type markEvery struct {
	k, n int
	f    Fault
}

func (m *markEvery) Mark(dir string, pkt Packet) Fault {
	m.n++
	if m.n%m.k == 0 {
		return m.f
	}
	return Fault{}
}

type recorder struct{ evs []Event }

func (r *recorder) LinkEvent(dir string, ev Event, pkt Packet) {
	if ev != EvLost || !pkt.Fault.Scripted() {
		return
	}
	r.evs = append(r.evs, ev)
}

// Packet stays 48 bytes: the fault fits in the padding after Flow; the
// eight bytes of Queued (the packet's queueing delay so far, issue 20's
// per-flow queue-delay metric) are the only growth since 40.
func TestPacketSize(t *testing.T) {
	if n := unsafe.Sizeof(Packet{}); n != 48 {
		t.Errorf("Packet is %d bytes, want 48", n)
	}
}

// A marked packet is lost on purpose after the random loss draw: the
// random losses are exactly those of the same run without marks (common
// random numbers), and the marked ones are lost in addition.
func TestScriptedDropKeepsRandomDraws(t *testing.T) {
	run := func(m Marker) (lost []bool, c Counters) {
		eng, p, s := newPipe(Config{Loss: Loss{P: 0.1}, Duplicate: 0.02, Reorder: 0.05, ReorderDelay: sim.Millisecond}, 9)
		p.SetMarker(m)
		for i := range 2000 {
			p.Send(Packet{Buf: []byte{byte(i), byte(i >> 8)}})
		}
		eng.Run(sim.Limits{})
		lost = make([]bool, 2000)
		for i := range lost {
			lost[i] = true
		}
		for _, q := range s.got {
			lost[int(q.Buf[0])|int(q.Buf[1])<<8] = false
		}
		return lost, p.Counters()
	}
	base, cb := run(nil)
	m := &markEvery{k: 7, f: Fault{Rule: 1, Kind: FaultDrop}}
	got, cg := run(m)
	for i := range base {
		want := base[i] || (i+1)%7 == 0
		if got[i] != want {
			t.Fatalf("packet %d: lost %v, want %v", i, got[i], want)
		}
	}
	if cg.Lost <= cb.Lost || !cg.balanced(0) {
		t.Fatalf("counters %+v (base %+v)", cg, cb)
	}
}

// DropInFlight loses what propagates and what is held back, and nothing
// queued; the arrivals already scheduled do nothing, later packets arrive.
func TestDropInFlight(t *testing.T) {
	for seed := range uint64(10) {
		r := rand.New(rand.NewPCG(seed, 1))
		eng, p, s := newPipe(Config{Rate: 10e6, Delay: 10 * sim.Millisecond, Reorder: 0.3, ReorderDelay: 5 * sim.Millisecond}, seed)
		obs := &recorder{}
		p.SetObserver(obs)
		for i := range 200 {
			eng.At(sim.Time(r.IntN(int(100*sim.Millisecond))), func(uint64) { p.Send(Packet{Buf: make([]byte, 200+i)}) }, 0)
		}
		dropped := int64(0)
		eng.At(50*sim.Millisecond, func(uint64) {
			before := p.Counters().Lost
			onWire := int64(p.pipe.len() + len(p.late) - len(p.lateFree))
			p.DropInFlight(3)
			dropped = p.Counters().Lost - before
			if dropped != onWire || p.pipe.len() != 0 {
				t.Fatalf("seed %d: dropped %d of %d on the wire", seed, dropped, onWire)
			}
		}, 0)
		eng.Run(sim.Limits{})
		c := p.Counters()
		if dropped == 0 || c.Lost != dropped || !c.balanced(p.InFlight()) || p.InFlight() != 0 || int64(len(s.got)) != c.Delivered {
			t.Fatalf("seed %d: dropped %d, %+v, sink got %d", seed, dropped, c, len(s.got))
		}
		if int64(len(obs.evs)) != dropped {
			t.Fatalf("seed %d: %d scripted lost events, want %d", seed, len(obs.evs), dropped)
		}
	}
}

// An outage loses every packet that leaves the transmitter while it lasts;
// overlapping outages end with the last.
func TestOutage(t *testing.T) {
	eng, p, s := newPipe(Config{Rate: 8e6}, 1) // 1000 bytes per ms
	for i := range 10 {
		eng.At(sim.Time(i)*sim.Millisecond, func(uint64) { p.Send(Packet{Buf: make([]byte, 500)}) }, 0)
	}
	eng.At(2*sim.Millisecond, func(uint64) { p.SetDown(true, 1) }, 0)
	eng.At(3*sim.Millisecond, func(uint64) { p.SetDown(true, 2) }, 0)
	eng.At(4*sim.Millisecond, func(uint64) { p.SetDown(false, 1) }, 0)
	eng.At(6*sim.Millisecond, func(uint64) { p.SetDown(false, 2) }, 0)
	eng.Run(sim.Limits{})
	// Packets sent at 2..5 ms finish serialising at 2.5..5.5 ms: lost.
	if c := p.Counters(); c.Lost != 4 || len(s.got) != 6 {
		t.Fatalf("lost %d, delivered %d; want 4 and 6", c.Lost, len(s.got))
	}
}

// A marked flip is counted once as corrupted, even when the random
// corruption also hits the packet.
func TestScriptedFlipCountedOnce(t *testing.T) {
	eng, p, _ := newPipe(Config{Corrupt: 1}, 1)
	p.SetMarker(&markEvery{k: 1, f: Fault{Rule: 1, Kind: FaultFlip, Bits: 2}})
	p.Send(Packet{Buf: make([]byte, 100)}) // not IPv4: nothing to flip
	eng.Run(sim.Limits{})
	if c := p.Counters(); c.Corrupted != 1 {
		t.Fatalf("corrupted %d, want 1", c.Corrupted)
	}
}
