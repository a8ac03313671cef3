package tcp

import (
	"testing"

	"tcpsim/model/wire"
	"tcpsim/sim"
)

// ecnSeg is a segment as sent, with whether it went out ECN-capable.
type ecnSeg struct {
	h    wire.TCP
	data []byte
	ect  bool
}

type ecnOut struct {
	ep   *Endpoint
	segs []ecnSeg
}

func (o *ecnOut) Output(h *wire.TCP, d []byte) {
	o.segs = append(o.segs, ecnSeg{*h, append([]byte(nil), d...), o.ep.ECT()})
}

func (o *ecnOut) take() []ecnSeg {
	s := o.segs
	o.segs = nil
	return s
}

// ecnPair is a client a and server b on a hand-driven wire whose queue may
// mark (CE) or drop what a sends.
type ecnPair struct {
	clk    *clock
	a, b   *Endpoint
	ao, bo *ecnOut
	sentA  []ecnSeg // everything a sent, in order
	sentB  []ecnSeg
	cwnd   [][2]int // a's (cwnd, ssthresh) changes
}

func newECNPair(aECN, bECN bool, cc Congestion) *ecnPair {
	p := &ecnPair{clk: &clock{}, ao: &ecnOut{}, bo: &ecnOut{}}
	acfg := Config{LocalPort: 1000, RemotePort: 2000, ECN: aECN, Congestion: cc, RecvBuffer: 1 << 20, ISS: 100}
	bcfg := Config{LocalPort: 2000, RemotePort: 1000, ECN: bECN, Congestion: cc, RecvBuffer: 1 << 20, ISS: 5000}
	acfg.Observer = ObserverFunc(func(ev Event, n Note) {
		if ev == EvCwnd {
			p.cwnd = append(p.cwnd, [2]int{n.Cwnd, n.Ssthresh})
		}
	})
	p.a = NewEndpoint(acfg, p.clk, p.ao)
	p.b = NewEndpoint(bcfg, p.clk, p.bo)
	p.ao.ep, p.bo.ep = p.a, p.b
	p.b.Listen()
	return p
}

// flow runs rounds of rtt/2 each way until both ends are quiet; fate
// decides what happens to each segment a sends: its ECN codepoint on
// arrival, or drop.
func (p *ecnPair) flow(rtt sim.Time, fate func(i int, s ecnSeg) (ecn uint8, drop bool)) {
	for range 100000 {
		as, bs := p.ao.take(), p.bo.take()
		if len(as) == 0 && len(bs) == 0 {
			if d := p.a.Deadline(); d != 0 {
				p.clk.now = max(p.clk.now, d)
				p.a.OnTimer()
				continue
			}
			return
		}
		p.clk.now += rtt / 2
		for _, s := range as {
			i := len(p.sentA)
			p.sentA = append(p.sentA, s)
			ecn := wire.ECNNotECT
			if s.ect {
				ecn = wire.ECNECT0
			}
			drop := false
			if fate != nil {
				if e, d := fate(i, s); d {
					drop = true
				} else if e != 0 {
					ecn = e
				}
			}
			if !drop {
				p.b.InputECN(&s.h, s.data, ecn)
				p.b.Read(1 << 30)
			}
		}
		for _, s := range bs {
			p.sentB = append(p.sentB, s)
			p.a.InputECN(&s.h, s.data, wire.ECNNotECT)
		}
	}
	panic("ecnPair.flow: no quiescence")
}

// RFC 3168 §6.1.1: the SYN offers ECN with ECE and CWR, the SYN-ACK
// accepts with ECE alone, and the connection uses ECN only when both ends
// asked for it.
func TestECNNegotiation(t *testing.T) {
	for _, c := range []struct{ a, b bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		p := newECNPair(c.a, c.b, CCNewReno)
		p.a.Connect()
		p.flow(10*sim.Millisecond, nil)
		p.a.Write(10000)
		p.a.Close()
		p.flow(10*sim.Millisecond, nil)
		syn, synack := p.sentA[0].h.Flags, p.sentB[0].h.Flags
		ecnBits := uint8(wire.FlagECE | wire.FlagCWR)
		if want := map[bool]uint8{true: ecnBits}[c.a]; syn&ecnBits != want {
			t.Errorf("a %v b %v: SYN %s", c.a, c.b, wire.FlagString(syn))
		}
		if want := map[bool]uint8{true: wire.FlagECE}[c.a && c.b]; synack&ecnBits != want {
			t.Errorf("a %v b %v: SYN-ACK %s", c.a, c.b, wire.FlagString(synack))
		}
		on := c.a && c.b
		if p.a.ECN() != on || p.b.ECN() != on {
			t.Errorf("a %v b %v: negotiated a %v b %v, want %v", c.a, c.b, p.a.ECN(), p.b.ECN(), on)
		}
		for _, s := range append(p.sentA[1:], p.sentB[1:]...) {
			if s.ect != (on && len(s.data) > 0) || s.h.Flags&ecnBits != 0 {
				t.Fatalf("a %v b %v: %s len %d sent ect %v", c.a, c.b, wire.FlagString(s.h.Flags), len(s.data), s.ect)
			}
		}
	}
}

// One CE mark: the receiver sets ECE on every ACK from the marked segment
// until the segment with CWR arrives (§6.1.3); the sender reduces once,
// cwnd = ssthresh = max(FlightSize/2, 2·SMSS) for NewReno (§6.1.2, RFC
// 5681 eq. 4), retransmits nothing, and sets CWR on its next new data
// segment; every new data segment is ECT, no pure ACK is.
func TestECNEchoAndReaction(t *testing.T) {
	for _, cc := range []Congestion{CCNewReno, CCCubic, CCReno} {
		p := newECNPair(true, true, cc)
		p.a.Connect()
		p.flow(20*sim.Millisecond, nil)
		p.a.Write(2_000_000)
		p.a.Close()
		const marked = 40
		data := 0
		p.flow(20*sim.Millisecond, func(i int, s ecnSeg) (uint8, bool) {
			if len(s.data) == 0 {
				return 0, false
			}
			data++
			if data == marked {
				return wire.ECNCE, false
			}
			return 0, false
		})
		st, rs := p.a.Stats(), p.b.Stats()
		if st.ECNReductions != 1 || st.CWRSent != 1 || rs.CEReceived != 1 || st.FastRetrans+st.TimeoutRetrans != 0 {
			t.Fatalf("%v: reductions %d, CWR %d, CE received %d, retransmissions %d; want 1, 1, 1, 0", cc, st.ECNReductions, st.CWRSent, rs.CEReceived, st.FastRetrans+st.TimeoutRetrans)
		}
		if p.b.Readable() != 0 || !p.b.EOF() {
			t.Fatalf("%v: the receiver did not get everything", cc)
		}
		// The receiver's echo: from the ACK of the marked segment up to
		// the arrival of CWR.
		cwrAt := -1
		for i, s := range p.sentA {
			if s.h.Flags&wire.FlagSYN != 0 {
				continue
			}
			if s.h.Flags&wire.FlagCWR != 0 {
				cwrAt = i
				if len(s.data) == 0 || !s.ect {
					t.Fatalf("%v: CWR on %s len %d ect %v, want new data", cc, wire.FlagString(s.h.Flags), len(s.data), s.ect)
				}
			}
			if s.ect != (len(s.data) > 0) {
				t.Fatalf("%v: segment %d (%s, %d bytes) ect %v", cc, i, wire.FlagString(s.h.Flags), len(s.data), s.ect)
			}
		}
		echoes := 0
		for _, s := range p.sentB {
			if s.h.Flags&wire.FlagECE != 0 && s.h.Flags&wire.FlagSYN == 0 {
				echoes++
			}
			if s.ect {
				t.Fatalf("%v: the receiver sent a pure ACK ECN-capable", cc)
			}
		}
		if cwrAt < 0 || echoes == 0 || int64(echoes) != st.ECEReceived {
			t.Fatalf("%v: CWR at %d, %d ECE ACKs sent, %d received", cc, cwrAt, echoes, st.ECEReceived)
		}
		// The reduction: the only change where cwnd == ssthresh below the
		// maximum, at a ssthresh of at least 2·SMSS.
		cut := 0
		for _, c := range p.cwnd {
			if c[0] == c[1] && c[1] < 1<<30 {
				cut++
				if c[1] < 2*p.a.SMSS() {
					t.Fatalf("%v: ssthresh %d below 2·SMSS", cc, c[1])
				}
			}
		}
		if cut != 1 {
			t.Fatalf("%v: %d changes with cwnd = ssthresh, want the one reduction: %v", cc, cut, p.cwnd)
		}
	}
}

// Marks on many segments of one window reduce the window once (§6.1.2);
// a retransmission after a loss is never ECN-capable (§6.1.5).
func TestECNOncePerWindowAndRetransmissionsNotECT(t *testing.T) {
	p := newECNPair(true, true, CCNewReno)
	p.a.Connect()
	p.flow(20*sim.Millisecond, nil)
	p.a.Write(500_000)
	p.a.Close()
	data := 0
	p.flow(20*sim.Millisecond, func(i int, s ecnSeg) (uint8, bool) {
		if len(s.data) == 0 {
			return 0, false
		}
		data++
		switch {
		case data >= 30 && data < 36: // six marks in one window
			return wire.ECNCE, false
		case data == 200:
			return 0, true
		}
		return 0, false
	})
	st := p.a.Stats()
	if st.ECNReductions != 1 || st.FastRetrans == 0 {
		t.Fatalf("reductions %d, fast retransmissions %d: want 1, > 0", st.ECNReductions, st.FastRetrans)
	}
	maxEnd := uint32(0)
	for _, s := range p.sentA {
		if len(s.data) == 0 {
			continue
		}
		end := s.h.Seq + uint32(len(s.data))
		retrans := end <= maxEnd
		if s.ect == retrans {
			t.Fatalf("seq %d len %d: ect %v, retransmission %v", s.h.Seq, len(s.data), s.ect, retrans)
		}
		maxEnd = max(maxEnd, end)
	}
}
