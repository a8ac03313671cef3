package host

import (
	"maps"
	"math/rand/v2"
	"testing"

	"tcpsim/model/link"
	"tcpsim/model/payload"
	"tcpsim/model/wire"
)

type tcpEP struct{ got []uint32 }

func (e *tcpEP) InputTCP(h *wire.TCP, _ []byte) { e.got = append(e.got, h.Seq) }

type udpEP struct{ n int }

func (e *udpEP) InputUDP(*wire.UDP, []byte) { e.n++ }

type sink struct{ n int }

func (s *sink) ChecksumDrop() { s.n++ }

var a, b = wire.Addr{10, 0, 0, 1}, wire.Addr{10, 0, 0, 2}

// The host demultiplexes by protocol and port, drops bad checksums and
// charges them to the packet's flow, and counts packets nobody wants.
func TestReceive(t *testing.T) {
	pool := link.NewPool()
	h := New(b, pool)
	te, ue, s0, s1 := &tcpEP{}, &udpEP{}, &sink{}, &sink{}
	h.BindTCP(80, te)
	h.BindUDP(53, ue)
	h.SetDropSink(0, s0)
	h.SetDropSink(1, s1)
	th := wire.TCP{SrcPort: 1, DstPort: 80, Seq: 7, Flags: wire.FlagACK, WScale: -1}
	h.Receive(link.Packet{Buf: wire.BuildTCP(nil, wire.IPv4{Src: a, Dst: b}, &th, []byte("x")), Flow: 0})
	h.Receive(link.Packet{Buf: wire.BuildUDP(nil, wire.IPv4{Src: a, Dst: b}, wire.UDP{SrcPort: 1, DstPort: 53}, []byte("q"), true), Flow: 1})
	bad := wire.BuildUDP(nil, wire.IPv4{Src: a, Dst: b}, wire.UDP{SrcPort: 1, DstPort: 53}, []byte("q"), true)
	bad[len(bad)-1] ^= 1
	h.Receive(link.Packet{Buf: bad, Flow: 1})
	badIP := wire.BuildTCP(nil, wire.IPv4{Src: a, Dst: b}, &th, nil)
	badIP[8] ^= 1 // TTL: the IPv4 header checksum fails
	h.Receive(link.Packet{Buf: badIP, Flow: 0})
	h.Receive(link.Packet{Buf: wire.BuildUDP(nil, wire.IPv4{Src: a, Dst: b}, wire.UDP{SrcPort: 1, DstPort: 99}, nil, true), Flow: 1})
	if len(te.got) != 1 || te.got[0] != 7 || ue.n != 1 {
		t.Fatalf("delivered tcp %v udp %d", te.got, ue.n)
	}
	if s0.n != 1 || s1.n != 1 || h.Counters().IPHeaderErrors != 1 || h.Counters().NoEndpoint != 1 {
		t.Fatalf("drops: flow0 %d flow1 %d counters %+v", s0.n, s1.n, h.Counters())
	}
}

// streamEP checks the payload it is handed against the stream, through its
// host's memo, during delivery.
type streamEP struct {
	h          *Host
	data       []byte
	off        int64
	right, any bool
}

func (e *streamEP) InputTCP(_ *wire.TCP, data []byte) {
	e.data = data
	e.right = e.h.Stream().Check(data, e.off)
	e.any = e.h.Stream().Check(data, e.off+1) // wrong offset
}

// While a segment of stream bytes is delivered, the host's memo answers
// Check about them as Check does; once the packet is recycled it vouches
// for nothing, even if the same memory now holds other bytes.
func TestStreamMemoLastsOneDelivery(t *testing.T) {
	pool := link.NewPool()
	h := New(b, pool)
	ep := &streamEP{h: h, off: 1000}
	h.BindTCP(80, ep)
	th := wire.TCP{SrcPort: 1, DstPort: 80, Seq: 7, Flags: wire.FlagACK, WScale: -1}
	data := make([]byte, 1460)
	payload.Fill(data, ep.off)
	h.Receive(link.Packet{Buf: wire.BuildTCP(pool.Get(wire.IPv4HeaderLen+wire.TCPLen(&th, len(data))), wire.IPv4{Src: a, Dst: b}, &th, data)})
	if len(ep.data) != len(data) || !ep.right || ep.any {
		t.Fatalf("during delivery: %d bytes, check at the right offset %v, at a wrong one %v; want %d, true, false",
			len(ep.data), ep.right, ep.any, len(data))
	}
	ep.data[0] ^= 1 // the buffer is reused for other bytes
	if h.Stream().Check(ep.data, ep.off) {
		t.Fatal("after delivery the memo still vouches for bytes that changed")
	}
}

// countEP counts what it receives, by protocol and destination port.
type countEP struct{ got map[uint32]int }

func (e *countEP) InputTCP(h *wire.TCP, _ []byte) { e.got[bindKey(wire.ProtoTCP, h.DstPort)]++ }
func (e *countEP) InputUDP(h *wire.UDP, _ []byte) { e.got[bindKey(wire.ProtoUDP, h.DstPort)]++ }

// With thousands of bindings, every packet reaches the endpoint bound to
// its protocol and port, and only that one; the first binding of a port
// stands; a packet for an unbound port is counted, not delivered.
func TestDemuxManyBindings(t *testing.T) {
	h := New(b, link.NewPool())
	r := rand.New(rand.NewPCG(12, 5))
	const n = 5000
	eps := make([]*countEP, n)
	owner := map[uint32]int{} // the first endpoint bound to each key
	for i := range eps {
		eps[i] = &countEP{got: map[uint32]int{}}
		port := uint16(r.IntN(1 << 12)) // a small range, so that some ports are bound twice
		proto := []uint8{wire.ProtoTCP, wire.ProtoUDP}[r.IntN(2)]
		if proto == wire.ProtoTCP {
			h.BindTCP(port, eps[i])
		} else {
			h.BindUDP(port, eps[i])
		}
		if _, ok := owner[bindKey(proto, port)]; !ok {
			owner[bindKey(proto, port)] = i
		}
	}
	want := make([]map[uint32]int, n)
	for i := range want {
		want[i] = map[uint32]int{}
	}
	var unbound int64
	for range 20000 {
		port := uint16(r.IntN(1 << 13))
		proto := []uint8{wire.ProtoTCP, wire.ProtoUDP}[r.IntN(2)]
		if proto == wire.ProtoTCP {
			th := wire.TCP{SrcPort: 1, DstPort: port, Flags: wire.FlagACK, WScale: -1}
			h.Receive(link.Packet{Buf: wire.BuildTCP(nil, wire.IPv4{Src: a, Dst: b}, &th, nil)})
		} else {
			h.Receive(link.Packet{Buf: wire.BuildUDP(nil, wire.IPv4{Src: a, Dst: b}, wire.UDP{SrcPort: 1, DstPort: port}, nil, true)})
		}
		if i, ok := owner[bindKey(proto, port)]; ok {
			want[i][bindKey(proto, port)]++
		} else {
			unbound++
		}
	}
	for i := range eps {
		if !maps.Equal(eps[i].got, want[i]) {
			t.Fatalf("endpoint %d received %v, want %v", i, eps[i].got, want[i])
		}
	}
	if got := h.Counters().NoEndpoint; got != unbound || unbound == 0 {
		t.Fatalf("no-endpoint drops: got %d, want %d (> 0)", got, unbound)
	}
}
