package router

import (
	"testing"

	"tcpsim/model/link"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// collect is a link receiver that keeps copies of what arrives.
type collect struct{ got [][]byte }

func (c *collect) Receive(p link.Packet) { c.got = append(c.got, append([]byte(nil), p.Buf...)) }

var (
	addrS = wire.Addr{10, 0, 0, 1}
	addrD = wire.Addr{10, 0, 0, 2}
	addrX = wire.Addr{10, 0, 0, 9}
)

// setup returns a router with two interfaces: to D (index 0) and back to
// S (index 1), each a zero-delay direction into a collector.
func setup() (*sim.Engine, *Router, *collect, *collect) {
	eng := sim.New(16)
	pool := link.NewPool()
	streams := sim.NewStreams(1)
	toD, toS := &collect{}, &collect{}
	r := New("r", wire.Addr{10, 255, 0, 1}, pool)
	r.SetRoute(addrD, r.AddInterface(link.NewPipe(eng, streams, "r->d", link.Config{}, toD, pool)))
	r.SetRoute(addrS, r.AddInterface(link.NewPipe(eng, streams, "r->s", link.Config{}, toS, pool)))
	return eng, r, toD, toS
}

func packet(dst wire.Addr, ttl uint8, payload int) link.Packet {
	b := make([]byte, wire.IPv4HeaderLen+payload)
	wire.PutIPv4(b, wire.IPv4{Src: addrS, Dst: dst, Protocol: wire.ProtoUDP, TTL: ttl, ID: 7}, len(b))
	for i := wire.IPv4HeaderLen; i < len(b); i++ {
		b[i] = byte(i)
	}
	return link.Packet{Buf: b, Flow: 0}
}

func TestForwardDecrementsTTL(t *testing.T) {
	for _, ttl := range []uint8{2, 3, 64, 128, 255} {
		eng, r, toD, toS := setup()
		r.Receive(packet(addrD, ttl, 40))
		eng.Run(sim.Limits{})
		if len(toD.got) != 1 || len(toS.got) != 0 {
			t.Fatalf("ttl %d: %d packets to d, %d to s; want 1 and 0", ttl, len(toD.got), len(toS.got))
		}
		// The checksum updated incrementally is the one a full
		// recompute gives: ParseIPv4 verifies it.
		ip, data, err := wire.ParseIPv4(toD.got[0])
		if err != nil {
			t.Fatalf("ttl %d: forwarded packet does not parse: %v", ttl, err)
		}
		if ip.TTL != ttl-1 {
			t.Errorf("TTL %d after forwarding, want %d", ip.TTL, ttl-1)
		}
		want := make([]byte, wire.IPv4HeaderLen)
		wire.PutIPv4(want, wire.IPv4{Src: addrS, Dst: addrD, Protocol: wire.ProtoUDP, TTL: ttl - 1, ID: 7}, len(toD.got[0]))
		if string(want) != string(toD.got[0][:wire.IPv4HeaderLen]) {
			t.Errorf("ttl %d: header % x, a fresh encoding gives % x", ttl, toD.got[0][:20], want)
		}
		if len(data) != 40 || data[0] != wire.IPv4HeaderLen {
			t.Errorf("payload changed")
		}
		if c := r.Counters(); c != (Counters{Forwarded: 1}) {
			t.Errorf("counters %+v, want one forwarded", c)
		}
	}
}

func TestDrops(t *testing.T) {
	for _, c := range []struct {
		name string
		pkt  func() link.Packet
		want Counters
		why  string
	}{
		{"ttl 1", func() link.Packet { return packet(addrD, 1, 10) }, Counters{TTLExpired: 1}, DropTTL},
		{"no route", func() link.Packet { return packet(addrX, 64, 10) }, Counters{NoRoute: 1}, DropNoRoute},
		{"bad checksum", func() link.Packet { p := packet(addrD, 64, 10); p.Buf[11] ^= 1; return p }, Counters{HeaderErrors: 1}, DropHeader},
		{"short", func() link.Packet { return link.Packet{Buf: []byte{0x45, 0}} }, Counters{HeaderErrors: 1}, DropHeader},
	} {
		eng, r, toD, toS := setup()
		var why string
		r.OnDrop = func(_ link.Packet, w string) { why = w }
		r.Receive(c.pkt())
		eng.Run(sim.Limits{})
		if len(toD.got)+len(toS.got) != 0 {
			t.Errorf("%s: forwarded", c.name)
		}
		if got := r.Counters(); got != c.want || why != c.why {
			t.Errorf("%s: counters %+v, reason %q; want %+v, %q", c.name, got, why, c.want, c.why)
		}
	}
}

// FuzzReceive: any bytes at all are forwarded or counted as dropped,
// never a panic, and a forwarded packet always has a valid header.
func FuzzReceive(f *testing.F) {
	f.Add(packet(addrD, 64, 10).Buf)
	f.Add(packet(addrS, 2, 0).Buf)
	f.Add(packet(addrD, 1, 0).Buf)
	f.Add([]byte{})
	f.Add([]byte{0x45})
	f.Fuzz(func(t *testing.T, b []byte) {
		eng, r, toD, toS := setup()
		r.Receive(link.Packet{Buf: append([]byte(nil), b...)})
		eng.Run(sim.Limits{})
		c := r.Counters()
		if c.Forwarded+c.HeaderErrors+c.TTLExpired+c.NoRoute != 1 {
			t.Fatalf("counters %+v: want exactly one decision", c)
		}
		for _, p := range append(toD.got, toS.got...) {
			if _, _, err := wire.ParseIPv4(p); err != nil {
				t.Fatalf("forwarded a packet with a bad header: %v", err)
			}
		}
	})
}

// recycle is a link receiver that returns every buffer to its pool.
type recycle struct{ pool *link.Pool }

func (r recycle) Receive(p link.Packet) { r.pool.Put(p.Buf) }

// Forwarding does not allocate: the hot path parses into values, looks
// the route up and hands the buffer on.
func TestForwardDoesNotAllocate(t *testing.T) {
	eng := sim.New(16)
	pool := link.NewPool()
	r := New("r", wire.Addr{10, 255, 0, 1}, pool)
	r.SetRoute(addrD, r.AddInterface(link.NewPipe(eng, sim.NewStreams(1), "r->d", link.Config{Rate: 1e9, Delay: 1000}, recycle{pool}, pool)))
	tmpl := packet(addrD, 64, 1000).Buf
	send := func() {
		b := append(pool.Get(len(tmpl)), tmpl...)
		r.Receive(link.Packet{Buf: b})
		eng.Run(sim.Limits{})
	}
	for range 100 {
		send() // warm the pool, the queues and the engine's heap
	}
	if n := testing.AllocsPerRun(1000, send); n != 0 {
		t.Errorf("%v allocations per forwarded packet, want 0", n)
	}
}
