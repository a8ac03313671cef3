package tcp

// The harness of the TCP tests: a manual clock, a capture of what an
// endpoint sends, two endpoints joined by a wire the test drives by hand
// (pair), the canonical pairs (established, finWait2), segment templates
// with overrides (template), and the assertion "exactly these segments,
// then nothing" (expectSegs). The model is sans-I/O, so a test is a
// script: input a segment, look at what came out, move the clock.

import (
	"fmt"
	"testing"

	"tcpsim/model/wire"
	"tcpsim/sim"
)

// clock is a manual clock: time moves only when the test moves it.
type clock struct{ now sim.Time }

func (c *clock) Now() sim.Time { return c.now }

type segment struct {
	h    wire.TCP
	data []byte
}

func (s segment) String() string {
	return fmt.Sprintf("%s seq=%d ack=%d len=%d win=%d", wire.FlagString(s.h.Flags), s.h.Seq, s.h.Ack, len(s.data), s.h.Window)
}

type capture struct{ segs []segment }

func (c *capture) Output(h *wire.TCP, d []byte) {
	c.segs = append(c.segs, segment{*h, append([]byte(nil), d...)})
}

func (c *capture) take() []segment {
	s := c.segs
	c.segs = nil
	return s
}

// pair is two endpoints joined by a test wire that the test drives by
// hand: nothing moves until the test says so.
type pair struct {
	clk        *clock
	a, b       *Endpoint
	aOut, bOut *capture
	trans      map[*Endpoint][]string
}

func newPair(t *testing.T, acfg, bcfg Config) *pair {
	t.Helper()
	p := &pair{clk: &clock{}, aOut: &capture{}, bOut: &capture{}, trans: map[*Endpoint][]string{}}
	acfg.LocalPort, acfg.RemotePort = 1000, 2000
	bcfg.LocalPort, bcfg.RemotePort = 2000, 1000
	acfg.Observer = ObserverFunc(func(ev Event, n Note) {
		if ev == EvState {
			p.trans[p.a] = append(p.trans[p.a], n.To.String())
		}
	})
	bcfg.Observer = ObserverFunc(func(ev Event, n Note) {
		if ev == EvState {
			p.trans[p.b] = append(p.trans[p.b], n.To.String())
		}
	})
	p.a = NewEndpoint(acfg, p.clk, p.aOut)
	p.b = NewEndpoint(bcfg, p.clk, p.bOut)
	return p
}

// flow delivers everything each side has sent to the other, after rtt/2,
// until both are quiet, dropping segments for which drop returns true.
func (p *pair) flow(rtt sim.Time, drop func(from *Endpoint, s segment) bool) {
	for range 10000 {
		as, bs := p.aOut.take(), p.bOut.take()
		if len(as) == 0 && len(bs) == 0 {
			return
		}
		p.clk.now += rtt / 2
		for _, s := range as {
			if drop == nil || !drop(p.a, s) {
				p.b.Input(&s.h, s.data)
			}
		}
		for _, s := range bs {
			if drop == nil || !drop(p.b, s) {
				p.a.Input(&s.h, s.data)
			}
		}
	}
	panic("pair.flow: no quiescence")
}

// fire advances the clock to the earliest deadline and runs the timers.
func (p *pair) fire() sim.Time {
	d := p.a.Deadline()
	if bd := p.b.Deadline(); bd != 0 && (d == 0 || bd < d) {
		d = bd
	}
	if d == 0 {
		return 0
	}
	p.clk.now = max(p.clk.now, d)
	p.a.OnTimer()
	p.b.OnTimer()
	return d
}

func (p *pair) handshake(t *testing.T) {
	t.Helper()
	p.b.Listen()
	p.a.Connect()
	p.flow(100*sim.Millisecond, nil)
	if p.a.State() != Established || p.b.State() != Established {
		t.Fatalf("after handshake: %v / %v", p.a.State(), p.b.State())
	}
}

// established returns a pair whose handshake is done: a (ports 1000 →
// 2000, the active opener) and b both ESTABLISHED, nothing in flight,
// the clock at one RTT of 100 ms.
func established(t *testing.T, acfg, bcfg Config) *pair {
	t.Helper()
	p := newPair(t, acfg, bcfg)
	p.handshake(t)
	return p
}

// finWait2 returns an established pair in which a has closed and b has
// acknowledged its FIN: a in FIN-WAIT-2, b in CLOSE-WAIT (RFC 9293
// §3.6), nothing in flight.
func finWait2(t *testing.T, acfg, bcfg Config) *pair {
	t.Helper()
	p := established(t, acfg, bcfg)
	p.a.Close()
	p.flow(100*sim.Millisecond, nil)
	if p.a.State() != FinWait2 || p.b.State() != CloseWait {
		t.Fatalf("after a's close: %v / %v, want FIN-WAIT-2 / CLOSE-WAIT", p.a.State(), p.b.State())
	}
	return p
}

// template returns the segment from sends next as it stands: its ports,
// SEQ = SND.NXT, ACK = RCV.NXT with the ACK flag, its receive window
// (scaled as on the wire) and no options. Override what the case is
// about: h := p.template(p.b); h.Ack = ...
func (p *pair) template(from *Endpoint) wire.TCP {
	return wire.TCP{SrcPort: from.cfg.LocalPort, DstPort: from.cfg.RemotePort, Seq: uint32(from.snd.nxt), Ack: uint32(from.rcv.nxt),
		Flags: wire.FlagACK, Window: uint16(min(from.rcv.window(true)>>from.rcv.shift, 65535)), WScale: -1}
}

// want describes one segment expected on the wire: its flags exactly,
// and its sequence and acknowledgment numbers and payload length.
type want struct {
	flags    uint8
	seq, ack uint32
	len      int
}

func (w want) String() string {
	return fmt.Sprintf("%s seq=%d ack=%d len=%d", wire.FlagString(w.flags), w.seq, w.ack, w.len)
}

// expectSegs takes everything c captured and fails unless it is exactly
// the segments ws, in order, and nothing more. It returns what it took,
// for the test to deliver.
func expectSegs(t *testing.T, c *capture, ws ...want) []segment {
	t.Helper()
	got := c.take()
	for i := range max(len(got), len(ws)) {
		switch {
		case i >= len(ws):
			t.Errorf("segment %d: %v, want nothing more", i, got[i])
		case i >= len(got):
			t.Errorf("segment %d: nothing, want %v", i, ws[i])
		case got[i].h.Flags != ws[i].flags || got[i].h.Seq != ws[i].seq || got[i].h.Ack != ws[i].ack || len(got[i].data) != ws[i].len:
			t.Errorf("segment %d: %v, want %v", i, got[i], ws[i])
		}
	}
	return got
}
