package link

import (
	"math"
	"math/rand/v2"
	"testing"

	"tcpsim/model/aqm"
	"tcpsim/model/hist"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// ipPacket is an IPv4/UDP packet of n bytes in all with ECN codepoint ecn.
func ipPacket(n int, ecn uint8) []byte {
	ip := wire.IPv4{Src: wire.Addr{10, 0, 0, 1}, Dst: wire.Addr{10, 0, 0, 2}, ECN: ecn}
	return wire.BuildUDP(nil, ip, wire.UDP{SrcPort: 1, DstPort: 2}, make([]byte, n-wire.IPv4HeaderLen-wire.UDPHeaderLen), true)
}

// events counts the observer's events, and the ECN codepoints of the
// packets the discipline dropped.
type events struct {
	n          [EvMark + 1]int
	ectDropped int
}

func (e *events) LinkEvent(_ string, ev Event, pkt Packet) {
	e.n[ev]++
	if (ev == EvEarlyDrop || ev == EvDequeueDrop) && pkt.Buf[1]&3 != wire.ECNNotECT {
		e.ectDropped++
	}
}

// Every packet is still accounted for under RED and CoDel, with and
// without ECN, on top of every impairment: AQM drops are queue drops
// (AQMDropped ≤ QueueDropped), marks are counted once per marked packet,
// and with ECN no ECN-capable packet is dropped by the discipline.
func TestCountersAddUpWithAQM(t *testing.T) {
	for seed := range uint64(16) {
		r := rand.New(rand.NewPCG(seed, 7))
		cfg := Config{
			Rate: 10e6, Delay: 5 * sim.Millisecond, QueuePackets: 60,
			Loss:    Loss{P: 0.02},
			Corrupt: 0.02, Duplicate: 0.02, Reorder: 0.05, ReorderDelay: 3 * sim.Millisecond,
			AQM: Discipline(1 + seed%2), RED: aqm.DefaultRED(), CoDel: aqm.DefaultCoDel(), ECN: seed%4 >= 2,
		}
		eng, p, s := newPipe(cfg, seed)
		obs := &events{}
		p.SetObserver(obs)
		send := func(uint64) {
			ecn := wire.ECNNotECT
			if r.IntN(2) == 0 {
				ecn = wire.ECNECT0
			}
			p.Send(Packet{Buf: ipPacket(100+r.IntN(1400), ecn)})
		}
		for i := range 6000 { // about 1.4 times the link's rate for 2 s
			eng.At(sim.Time(r.IntN(int(2*sim.Second))), send, uint64(i))
		}
		eng.Run(sim.Limits{Until: sim.Second})
		if c := p.Counters(); !c.balanced(p.InFlight()) {
			t.Fatalf("seed %d mid-run: %+v in flight %d", seed, c, p.InFlight())
		}
		eng.Run(sim.Limits{})
		c := p.Counters()
		if p.InFlight() != 0 || !c.balanced(0) || int64(len(s.got)) != c.Delivered {
			t.Fatalf("seed %d: %+v in flight %d, sink got %d", seed, c, p.InFlight(), len(s.got))
		}
		if c.AQMDropped > c.QueueDropped || int64(obs.n[EvEarlyDrop]+obs.n[EvDequeueDrop]) != c.AQMDropped ||
			int64(obs.n[EvMark]) != c.ECNMarked || int64(obs.n[EvQueueDrop]) != c.QueueDropped-c.AQMDropped {
			t.Fatalf("seed %d: counters %+v disagree with events %v", seed, c, obs.n)
		}
		if c.AQMDropped == 0 {
			t.Fatalf("seed %d (%v): the discipline never dropped: %+v", seed, cfg.AQM, c)
		}
		if cfg.ECN != (c.ECNMarked > 0) || (cfg.ECN && obs.ectDropped > 0) {
			t.Fatalf("seed %d: ECN %v: %d marks, %d ECN-capable packets dropped by the discipline", seed, cfg.ECN, c.ECNMarked, obs.ectDropped)
		}
		if cfg.AQM == RED && obs.n[EvDequeueDrop] > 0 || cfg.AQM == CoDel && obs.n[EvEarlyDrop] > 0 {
			t.Fatalf("seed %d: %v dropped at the wrong end: %v", seed, cfg.AQM, obs.n)
		}
	}
}

// With ECN, a discipline marks ECN-capable packets CE instead of dropping
// them, and the IPv4 header checksum still verifies; packets that are
// not ECN-capable are dropped.
func TestECNMarksInsteadOfDropping(t *testing.T) {
	for _, d := range []Discipline{RED, CoDel} {
		for _, ecn := range []uint8{wire.ECNNotECT, wire.ECNECT0, wire.ECNECT1} {
			cfg := Config{Rate: 10e6, QueuePackets: 1000, AQM: d, RED: aqm.DefaultRED(), CoDel: aqm.DefaultCoDel(), ECN: true}
			eng, p, s := newPipe(cfg, 3)
			for i := range 3000 { // twice the link's rate for 2.4 s
				eng.At(sim.Time(i)*600*sim.Microsecond, func(uint64) { p.Send(Packet{Buf: ipPacket(1500, ecn)}) }, 0)
			}
			eng.Run(sim.Limits{})
			c := p.Counters()
			ce := 0
			for _, pkt := range s.got {
				ip, _, err := wire.ParseIPv4(pkt.Buf)
				if err != nil {
					t.Fatalf("%v ecn %d: delivered packet fails: %v", d, ecn, err)
				}
				if ip.ECN == wire.ECNCE {
					ce++
				} else if ip.ECN != ecn {
					t.Fatalf("%v: ECN field %d, sent %d", d, ip.ECN, ecn)
				}
			}
			if ecn == wire.ECNNotECT {
				if c.ECNMarked != 0 || ce != 0 || c.AQMDropped == 0 {
					t.Errorf("%v, not ECT: %d marks, %d CE delivered, %d AQM drops; want 0, 0, > 0", d, c.ECNMarked, ce, c.AQMDropped)
				}
				continue
			}
			if c.AQMDropped != 0 || c.ECNMarked == 0 || int64(ce) != c.ECNMarked {
				t.Errorf("%v, ECT: %d AQM drops, %d marks, %d CE delivered; want 0, > 0, = marks", d, c.AQMDropped, c.ECNMarked, ce)
			}
		}
	}
}

// The queue delay of a burst on an idle link is the serialisation of the
// packets ahead: packet k (from 0) waits k transmission times.
func TestQueueDelayOfABurst(t *testing.T) {
	eng, p, _ := newPipe(Config{Rate: 8e6}, 1) // 1000 bytes take 1 ms
	for range 10 {
		p.Send(Packet{Buf: make([]byte, 1000)})
	}
	eng.Run(sim.Limits{})
	q := p.QueueDelay()
	ms := sim.Millisecond
	near := func(got, want sim.Time) bool { return math.Abs(float64(got-want)) <= hist.RelErr*float64(want) }
	if q.Count != 10 || q.Mean != 4500*sim.Microsecond || q.Max != 9*ms || !near(q.P50, 4*ms) || !near(q.P99, 9*ms) {
		t.Fatalf("queue delay %+v: want 10 packets, mean 4.5ms, p50 4ms, p99 9ms, max 9ms", q)
	}
}

// Drop-tail records queue delays without drawing a random number or
// scheduling anything new: its runs are those of before (the shipped
// goldens check the bytes); and sending does not allocate with RED or
// CoDel either, once the buffers have grown.
func TestAQMSendDoesNotAllocate(t *testing.T) {
	for _, d := range []Discipline{DropTail, RED, CoDel} {
		cfg := Config{Rate: 1e9, QueuePackets: 100, AQM: d, RED: aqm.DefaultRED(), CoDel: aqm.DefaultCoDel(), ECN: true}
		eng, p, s := newPipe(cfg, 1)
		buf := ipPacket(1000, wire.ECNECT0)
		for range 1000 {
			p.Send(Packet{Buf: append(p.pool.Get(len(buf)), buf...)})
		}
		eng.Run(sim.Limits{})
		for _, pkt := range s.got {
			p.pool.Put(pkt.Buf)
		}
		s.got, s.when = s.got[:0], s.when[:0]
		a := testing.AllocsPerRun(200, func() {
			for range 20 {
				p.Send(Packet{Buf: append(p.pool.Get(len(buf)), buf...)})
			}
			eng.Run(sim.Limits{})
			for _, pkt := range s.got {
				p.pool.Put(pkt.Buf)
			}
			s.got, s.when = s.got[:0], s.when[:0]
		})
		if a != 0 {
			t.Errorf("%v: %v allocations per burst", d, a)
		}
	}
}

// RED draws from a stream of its own: a RED queue that never signals
// (its average stays below min_th) loses, corrupts and delivers exactly
// the packets a drop-tail queue does, at the same times (common random
// numbers).
func TestREDDrawsFromItsOwnStream(t *testing.T) {
	run := func(d Discipline) ([]sim.Time, Counters) {
		red := aqm.DefaultRED()
		red.MinTh, red.MaxTh = 1e6, 2e6
		cfg := Config{Rate: 10e6, Delay: sim.Millisecond, Loss: Loss{P: 0.1}, Corrupt: 0.05, AQM: d, RED: red}
		eng, p, s := newPipe(cfg, 11)
		r := rand.New(rand.NewPCG(4, 4))
		for i := range 2000 {
			eng.At(sim.Time(r.IntN(int(sim.Second))), func(uint64) { p.Send(Packet{Buf: ipPacket(200+r.IntN(1000), wire.ECNECT0)}) }, uint64(i))
		}
		eng.Run(sim.Limits{})
		return s.when, p.Counters()
	}
	tw, tc := run(DropTail)
	rw, rc := run(RED)
	if tc != rc || len(tw) != len(rw) {
		t.Fatalf("drop-tail %+v, RED %+v", tc, rc)
	}
	for i := range tw {
		if tw[i] != rw[i] {
			t.Fatalf("delivery %d at %v with drop-tail, %v with RED", i, tw[i], rw[i])
		}
	}
}

// Every row of the disciplines table parses back from its name and builds
// a discipline.
func TestDisciplineTable(t *testing.T) {
	names := DisciplineNames()
	if len(names) != len(disciplines) {
		t.Fatalf("DisciplineNames() = %q, want %d names", names, len(disciplines))
	}
	for i, name := range names {
		d, err := ParseDiscipline(name)
		if err != nil || d != Discipline(i) || d.String() != name {
			t.Errorf("ParseDiscipline(%q) = %v, %v; want %v", name, d, err, Discipline(i))
		}
		cfg := Config{AQM: d, RED: aqm.DefaultRED(), CoDel: aqm.DefaultCoDel(), Rate: 1e6}
		if newDiscipline(&cfg, sim.NewStreams(1), "link/fwd/") == nil {
			t.Errorf("%s: no discipline built", name)
		}
	}
	if _, err := ParseDiscipline("fq-codel"); err == nil {
		t.Error(`ParseDiscipline("fq-codel"): no error`)
	}
}
