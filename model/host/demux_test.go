package host

import (
	"testing"

	"tcpsim/model/link"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// tap keeps the segments a host sends.
type tap struct{ got []wire.TCP }

func (t *tap) Receive(pkt link.Packet) {
	var ip wire.IPv4
	seg, err := wire.ParseIPv4Into(&ip, pkt.Buf)
	if err != nil {
		panic(err)
	}
	h, _, err := wire.ParseTCPWith(ip, seg, nil)
	if err != nil {
		panic(err)
	}
	t.got = append(t.got, h)
}

// TCP is demultiplexed by the 4-tuple first (two connections on one local
// port, told apart by the remote port or address), then by the port to
// its listener; a segment for a port nobody binds gets the RST of RFC
// 9293 §3.10.7.1; a packet for another address is not taken.
func TestDemuxFourTuple(t *testing.T) {
	eng := sim.New(16)
	pool := link.NewPool()
	h := New(b, pool)
	out := &tap{}
	h.Attach(link.NewPipe(eng, sim.NewStreams(1), "out", link.Config{}, out, pool))
	c1, c2, c3, lis := &tcpEP{}, &tcpEP{}, &tcpEP{}, &tcpEP{}
	c := wire.Addr{10, 0, 0, 3}
	h.BindTCPConn(80, a, 40000, c1)
	h.BindTCPConn(80, a, 40001, c2)
	h.BindTCPConn(80, c, 40000, c3)
	h.BindTCP(80, lis)
	send := func(src wire.Addr, sport, dport uint16, seq uint32, flags uint8) {
		th := wire.TCP{SrcPort: sport, DstPort: dport, Seq: seq, Flags: flags, WScale: -1}
		h.Receive(link.Packet{Buf: wire.BuildTCP(nil, wire.IPv4{Src: src, Dst: b}, &th, nil)})
	}
	send(a, 40000, 80, 1, wire.FlagACK)
	send(a, 40001, 80, 2, wire.FlagACK)
	send(c, 40000, 80, 3, wire.FlagACK)
	send(a, 40002, 80, 4, wire.FlagSYN)
	if len(c1.got) != 1 || c1.got[0] != 1 || len(c2.got) != 1 || c2.got[0] != 2 || len(c3.got) != 1 || c3.got[0] != 3 || len(lis.got) != 1 || lis.got[0] != 4 {
		t.Fatalf("delivered %v %v %v, listener %v; want [1] [2] [3], listener [4]", c1.got, c2.got, c3.got, lis.got)
	}
	send(a, 40000, 81, 1000, wire.FlagSYN)
	send(a, 40000, 81, 5, wire.FlagRST) // a RST gets nothing
	eng.Run(sim.Limits{})
	if len(out.got) != 1 {
		t.Fatalf("sent %d segments, want one RST", len(out.got))
	}
	if r := out.got[0]; r.Flags != wire.FlagRST|wire.FlagACK || r.Seq != 0 || r.Ack != 1001 || r.SrcPort != 81 || r.DstPort != 40000 {
		t.Errorf("reply %s seq=%d ack=%d %d->%d, want RST,ACK seq=0 ack=1001 81->40000", wire.FlagString(r.Flags), r.Seq, r.Ack, r.SrcPort, r.DstPort)
	}
	th := wire.TCP{SrcPort: 1, DstPort: 80, Flags: wire.FlagSYN, WScale: -1}
	h.Receive(link.Packet{Buf: wire.BuildTCP(nil, wire.IPv4{Src: a, Dst: wire.Addr{198, 18, 0, 1}}, &th, nil)})
	if cs := h.Counters(); cs.NoEndpoint != 2 || cs.ResetsSent != 1 || cs.NotForUs != 1 || len(lis.got) != 1 {
		t.Errorf("counters %+v, listener %v: want 2 for no endpoint, 1 reset, 1 not for us, the listener untouched", cs, lis.got)
	}
}
