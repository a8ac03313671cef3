package tcpconn

import (
	"math/rand/v2"

	"tcpsim/model/host"
	"tcpsim/model/link"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// FloodConfig describes a SYN flood (RFC 4987 §2): Count SYNs to port
// DstPort of Dst, Rate a second from Start, each from a spoofed source.
type FloodConfig struct {
	Dst     wire.Addr
	DstPort uint16
	Count   int64
	Rate    int64 // SYNs per second
	Start   sim.Time
	Flow    int32 // the packets' flow tag
	// Rand draws each SYN's spoofed source address and port and its
	// sequence number.
	Rand *rand.Rand
	// OnDone, if set, runs when the last SYN has left.
	OnDone func()
}

// SpoofNet is where a flood's spoofed sources lie: 198.18.0.0/15, the
// range RFC 2544 (and RFC 6890) sets aside for benchmarking, so no host of
// a scenario has one of its addresses and the server's SYN-ACKs reach
// nobody, as a flooder that spoofs unused addresses intends (RFC 4987 §2).
var SpoofNet = wire.Addr{198, 18, 0, 0}

// Flood sends a SYN flood from a host: SYN segments with no options, each
// from a random address of SpoofNet and a random port, at a constant
// rate. It keeps no state and answers nothing.
type Flood struct {
	cfg  FloodConfig
	eng  *sim.Engine
	h    *host.Host
	fire sim.Action
	sent int64
	// LastAt is when the last SYN left; -1 until then.
	LastAt sim.Time
}

// NewFlood makes a flood from h. Call Start.
func NewFlood(eng *sim.Engine, h *host.Host, cfg FloodConfig) *Flood {
	f := &Flood{cfg: cfg, eng: eng, h: h, LastAt: -1}
	f.fire = f.send
	return f
}

// Start schedules the first SYN at the start time.
func (f *Flood) Start() {
	if f.cfg.Count > 0 {
		f.eng.At(f.cfg.Start, f.fire, 0)
	}
}

// Sent returns how many SYNs have left.
func (f *Flood) Sent() int64 { return f.sent }

// Done reports whether every SYN has left.
func (f *Flood) Done() bool { return f.sent >= f.cfg.Count }

// send sends SYN k and schedules the next, at Start + (k+1)/Rate exactly.
func (f *Flood) send(k uint64) {
	r := f.cfg.Rand
	src := SpoofNet
	v := r.Uint32N(1 << 17)
	src[1] += uint8(v >> 16)
	src[2], src[3] = uint8(v>>8), uint8(v)
	th := wire.TCP{SrcPort: uint16(1024 + r.IntN(65536-1024)), DstPort: f.cfg.DstPort, Seq: r.Uint32(),
		Flags: wire.FlagSYN, Window: 1024, WScale: -1}
	buf := wire.BuildTCP(f.h.Pool().Get(wire.IPv4HeaderLen+wire.TCPLen(&th, 0)), wire.IPv4{Src: src, Dst: f.cfg.Dst, ID: uint16(k)}, &th, nil)
	f.sent++
	f.LastAt = f.eng.Now()
	f.h.Send(link.Packet{Buf: buf, Flow: f.cfg.Flow})
	if next := int64(k) + 1; next < f.cfg.Count {
		f.eng.At(f.cfg.Start.Add(sim.Time(next*int64(sim.Second)/f.cfg.Rate)), f.fire, uint64(next))
	} else if f.cfg.OnDone != nil {
		f.cfg.OnDone()
	}
}
