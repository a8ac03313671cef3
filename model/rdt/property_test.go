package rdt

import (
	"fmt"
	"testing"

	"tcpsim/model/host"
	"tcpsim/model/link"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// net is two hosts joined by a lossy link, running one rdt flow, with the
// textbook's invariants checked at every packet the link accepts.
type testNet struct {
	t     *testing.T
	eng   *sim.Engine
	f     *Flow
	cfg   Config
	pipes [2]*link.Pipe
	fail  string
}

// LinkEvent implements link.Observer: it checks, whenever a packet enters
// a direction, what may be in flight and what the receiver may ACK.
func (n *testNet) LinkEvent(dir string, ev link.Event, pkt link.Packet) {
	if ev != link.EvEnqueue || n.fail != "" {
		return
	}
	s, r := n.f.Sender(), n.f.Receiver()
	if in := s.InFlight(); in > n.cfg.Window || (n.cfg.Protocol == StopAndWait && in > 1) {
		n.fail = fmt.Sprintf("%d packets in flight, window %d", in, n.cfg.Window)
	}
	if n.cfg.Protocol != SelectiveRepeat && r.Buffered() != 0 {
		n.fail = fmt.Sprintf("%v receiver buffers %d packets", n.cfg.Protocol, r.Buffered())
	}
	if dir != "reverse" {
		return
	}
	// An ACK: decode it as the sender would.
	ip, seg, err := wire.ParseIPv4(pkt.Buf)
	if err != nil {
		return
	}
	uh, data, err := wire.ParseUDP(ip, seg)
	if err != nil {
		return
	}
	h, _, err := Decode(data, uh.SrcPort, uh.DstPort)
	if err != nil || h.Type != ACK && !(h.Type == NAK && (n.cfg.Protocol == RDT20 || n.cfg.Protocol == RDT21)) {
		n.fail = fmt.Sprintf("receiver sent a bad ACK: %v", err)
		return
	}
	m, w, base := int64(1)<<n.cfg.SeqBits, int64(n.cfg.Window), r.Base()
	if n.cfg.Protocol == RDT20 {
		m = 1 // no sequence numbers: every ACK and NAK carries 0
	}
	if h.Type == NAK {
		// A NAK names the packet the receiver waits for.
		if int64(h.Ack) != base&(m-1) {
			n.fail = fmt.Sprintf("%v receiver expecting %d sent NAK %d", n.cfg.Protocol, base, h.Ack)
		}
		return
	}
	// K&R Figure 3.24: SR ACKs only packets in [rcv_base−N, rcv_base+N−1]
	// (here after processing, so rcv_base may have moved past the packet).
	if n.cfg.Protocol == SelectiveRepeat {
		ok := false
		for a := base - w; a < base+w; a++ {
			if int64(h.Ack) == a&(m-1) {
				ok = true
			}
		}
		if !ok {
			n.fail = fmt.Sprintf("SR receiver at rcv_base %d (N=%d) ACKed %d", base, w, h.Ack)
		}
	} else if int64(h.Ack) != (base-1)&(m-1) {
		// GBN and stop-and-wait always ACK the last packet in order.
		n.fail = fmt.Sprintf("%v receiver expecting %d ACKed %d", n.cfg.Protocol, base, h.Ack)
	}
}

type impairments struct {
	name                                 string
	loss, corrupt, dup, reorder, ackLoss float64
	noAckCorrupt                         bool // corrupt the data direction only
}

func runNet(t *testing.T, cfg Config, imp impairments, seed uint64) *testNet {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	n := &testNet{t: t, eng: sim.New(64), cfg: cfg}
	streams := sim.NewStreams(seed)
	pool := link.NewPool()
	a := host.New(wire.Addr{10, 0, 0, 1}, pool)
	b := host.New(wire.Addr{10, 0, 0, 2}, pool)
	for i, c := range []link.Config{
		{Rate: 10e6, Delay: 5 * sim.Millisecond, Loss: link.Loss{P: imp.loss}, Corrupt: imp.corrupt, Duplicate: imp.dup, Reorder: imp.reorder, ReorderDelay: 8 * sim.Millisecond},
		{Rate: 10e6, Delay: 5 * sim.Millisecond, Loss: link.Loss{P: imp.ackLoss}, Corrupt: ackCorrupt(imp), Duplicate: imp.dup, Reorder: imp.reorder, ReorderDelay: 8 * sim.Millisecond},
	} {
		rx := [2]*host.Host{b, a}[i]
		n.pipes[i] = link.NewPipe(n.eng, streams, [2]string{"forward", "reverse"}[i], c, rx, pool)
		n.pipes[i].SetObserver(n)
		[2]*host.Host{a, b}[i].Attach(n.pipes[i])
	}
	n.f = NewFlow(n.eng, FlowConfig{Config: cfg, Src: a, Dst: b, SrcPort: 49152, DstPort: 61000, Link: n.pipes[0]}, nil)
	n.f.Start()
	if why := n.eng.Run(sim.Limits{Until: 3600 * sim.Second, MaxEvents: 5_000_000}); why != sim.Drained {
		t.Fatalf("%v %s seed %d: run ended by %v, want drained (no hang)", cfg.Protocol, imp.name, seed, why)
	}
	return n
}

func ackCorrupt(imp impairments) float64 {
	if imp.noAckCorrupt {
		return 0
	}
	return imp.corrupt
}

var mixes = []impairments{
	{name: "clean"},
	{name: "loss 10%", loss: 0.1, ackLoss: 0.1},
	{name: "corrupt 5%", corrupt: 0.05},
	{name: "duplicate 10%", dup: 0.1},
	{name: "reorder 20%", reorder: 0.2},
	{name: "everything", loss: 0.05, ackLoss: 0.05, corrupt: 0.03, dup: 0.05, reorder: 0.1},
}

// With enough sequence numbers every protocol delivers every byte exactly
// once, in order and unchanged, whatever the link does; the sender never
// has more than N packets in flight (one for stop-and-wait), GBN's
// receiver never buffers, and SR's receiver ACKs only by its window rules.
func TestPropertyDeliversEverythingOnce(t *testing.T) {
	for _, p := range []struct {
		proto   Protocol
		window  int
		seqBits int
	}{{StopAndWait, 1, 1}, {GoBackN, 8, 16}, {SelectiveRepeat, 8, 16}, {GoBackN, 7, 3}, {SelectiveRepeat, 4, 3}} {
		for _, imp := range mixes {
			for seed := uint64(1); seed <= 6; seed++ {
				cfg := Config{Protocol: p.proto, Window: p.window, SeqBits: p.seqBits, Timeout: 60 * sim.Millisecond, Packet: 500, Bytes: 60_000 - 123}
				if seed%2 == 0 {
					cfg.Timeout = 0 // adaptive
				}
				// Reordering by up to 8 ms on a 5 ms link can bring
				// back a packet from more than 2^k numbers ago when k
				// is small, and rdt 3.0 assumes a channel that does not
				// reorder (K&R §3.4.1): only the wide sequence spaces
				// face it.
				if p.seqBits < 16 && imp.reorder > 0 {
					continue
				}
				name := fmt.Sprintf("%v N=%d k=%d %s seed %d", p.proto, p.window, p.seqBits, imp.name, seed)
				n := runNet(t, cfg, imp, seed)
				app := n.f.App()
				if n.fail != "" {
					t.Errorf("%s: %s", name, n.fail)
				}
				if done, _ := n.f.Sender().Done(); !done || app.Delivered != cfg.Bytes || app.Wrong != 0 {
					t.Errorf("%s: sender done %v, delivered %d of %d, %d wrong", name, done, app.Delivered, cfg.Bytes, app.Wrong)
				}
				if got := n.f.Receiver().Stats().Delivered; got != cfg.Count() {
					t.Errorf("%s: %d packets delivered, want %d (exactly once)", name, got, cfg.Count())
				}
			}
		}
	}
}

// Stop-and-wait has N = 1 and k = 1; GBN needs N ≤ 2^k − 1; SR needs
// N ≤ 2^k but may exceed 2^(k−1), to show the dilemma.
func TestValidateWindows(t *testing.T) {
	for _, c := range []Config{
		{Protocol: StopAndWait, Window: 2, SeqBits: 1, Packet: 1, Bytes: 1},
		{Protocol: StopAndWait, Window: 1, SeqBits: 2, Packet: 1, Bytes: 1},
		{Protocol: GoBackN, Window: 4, SeqBits: 2, Packet: 1, Bytes: 1},
		{Protocol: SelectiveRepeat, Window: 5, SeqBits: 2, Packet: 1, Bytes: 1},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: accepted", c)
		}
	}
	sr := Config{Protocol: SelectiveRepeat, Window: 3, SeqBits: 2, Packet: 1, Bytes: 1}
	if err := sr.Validate(); err != nil {
		t.Errorf("the SR dilemma (N=3, k=2) must be allowed: %v", err)
	}
}

// K&R Figure 3.27: Selective Repeat with N = 3 and 2-bit numbers. Lost
// ACKs make the sender resend an old packet, which the receiver takes for
// a new one: the run ends (never hangs) and the application counts wrong
// bytes.
func TestSelectiveRepeatDilemma(t *testing.T) {
	wrongRuns := 0
	for seed := uint64(1); seed <= 20; seed++ {
		cfg := Config{Protocol: SelectiveRepeat, Window: 3, SeqBits: 2, Timeout: 30 * sim.Millisecond, Packet: 500, Bytes: 20_000}
		n := runNet(t, cfg, impairments{name: "ack loss 30%", ackLoss: 0.3}, seed)
		if n.f.App().Wrong > 0 {
			wrongRuns++
		}
	}
	if wrongRuns == 0 {
		t.Errorf("no run of 20 delivered wrong bytes: the dilemma did not show")
	}
}

// The hot path does not allocate: a run ten times longer allocates no
// more (buffers, the timer heap and the receiver's slots are reused).
func TestSteadyStateAllocatesNothing(t *testing.T) {
	for _, p := range []Protocol{StopAndWait, GoBackN, SelectiveRepeat} {
		allocs := func(bytes int64) float64 {
			w, k := 8, 5
			if p == StopAndWait {
				w, k = 1, 1
			}
			cfg := Config{Protocol: p, Window: w, SeqBits: k, Timeout: 50 * sim.Millisecond, Packet: 1000, Bytes: bytes}
			return testing.AllocsPerRun(2, func() { runNet(t, cfg, impairments{name: "loss", loss: 0.05}, 1) })
		}
		short, long := allocs(100_000), allocs(1_000_000)
		if long > short+20 {
			t.Errorf("%v: %v allocations for 100 KB, %v for 1 MB: the hot path allocates", p, short, long)
		}
	}
}
