package analyze

import (
	"slices"
	"time"

	"tcpsim/internal/direction"
	proto "tcpsim/internal/protocol"
	"tcpsim/internal/trace"
	"tcpsim/sim"
)

// FlagText writes TCP flags f as tcpsim's trace does: "SYN,ACK".
func FlagText(f uint8) string {
	var s string
	for _, x := range []struct {
		bit  uint8
		name string
	}{{SYN, "SYN"}, {FIN, "FIN"}, {RST, "RST"}, {PSH, "PSH"}, {ACK, "ACK"}} {
		if f&x.bit != 0 {
			if s != "" {
				s += ","
			}
			s += x.name
		}
	}
	return s
}

// OneWay is the one-way delay Trace assumes: half the initial RTT, or 1
// ms when the handshake was not captured.
func (c *Conn) OneWay() time.Duration {
	if c.IRTT > 0 {
		return c.IRTT / 2
	}
	return time.Millisecond
}

// Trace returns the kept segments of c as the trace tcpsim writes for its
// own runs, host a being c.A and host b c.B: per segment a send, an
// enqueue and a deliver event, numbered per direction, Retrans set on
// Wireshark's retransmissions.
//
// Deviation: a capture sees each packet once, at one place. The capture
// is taken to be at the host it is nearer (Conn.NearA, from the
// handshake): that host's packets leave at their timestamp, the other's
// arrive at theirs, and each crosses in OneWay. A packet lost beyond the
// capture point is drawn delivered; one lost before it is not drawn.
// Time 0 is one one-way delay before c's first packet.
func (c *Conn) Trace() []trace.Event {
	owd := sim.Time(c.OneWay())
	near := 0
	if !c.NearA && c.hsk {
		near = 1
	}
	dirs := [2]direction.Dir{direction.AB, direction.BA}
	var ids [2]uint64
	evs := make([]trace.Event, 0, 3*len(c.Packets))
	for i := range c.Packets {
		p := &c.Packets[i]
		at := sim.Time(p.Time.Sub(c.First)) + owd
		t0, t1 := at, at+owd
		if p.Dir != near {
			t0, t1 = at-owd, at
		}
		ids[p.Dir]++
		e := trace.Event{Flow: c.Name, Dir: dirs[p.Dir], Proto: proto.TCP.String(), ID: ids[p.Dir], Seq: p.Seq, Ack: p.Ack,
			Flags: FlagText(p.Flags), Win: int(min(p.Win, 1<<30)), Len: p.Len,
			Retrans: p.Analysis&(Retransmission|SpuriousRetransmission|FastRetransmission) != 0}
		if p.Flags&ACK == 0 {
			e.Ack = 0
		}
		for j := range p.NSACK {
			e.SACK.Blocks[j] = p.SACK[j]
		}
		e.SACK.N = p.NSACK
		if p.Analysis != 0 {
			e.Detail = "[" + p.Analysis.String() + "]"
		}
		for _, k := range []struct {
			kind string
			t    sim.Time
		}{{trace.Send, t0}, {trace.Enqueue, t0}, {trace.Deliver, t1}} {
			x := e
			x.Kind, x.T = k.kind, k.t
			if k.kind == trace.Deliver {
				x.Node = ""
			}
			evs = append(evs, x)
		}
	}
	slices.SortStableFunc(evs, func(x, y trace.Event) int { return int(x.T - y.T) })
	return evs
}
