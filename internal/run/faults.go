package run

import (
	"fmt"
	"strconv"

	proto "tcpsim/internal/protocol"
	"tcpsim/internal/scenario"
	"tcpsim/model/link"
	"tcpsim/model/rdt"
	"tcpsim/model/seqnum"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// faultScript applies a scenario's faults: section. Packet faults are
// marked on the packets as the hosts offer them to the link (link.Marker),
// counting each flow's data segments and pure ACKs; timed faults are
// engine events that empty the wire or take a direction down. Nothing here
// draws a random number, so the random impairments meet the same numbers
// with or without a script, and a scenario without faults installs none.
type faultScript struct {
	rules []packetRule
	flows []flowCount // by flow index
	skip  []int       // by fault index: payload bytes a flip leaves alone (an rdt header)
}

// FlipSkip implements link.SkipMarker.
func (s *faultScript) FlipSkip(f link.Fault) int {
	if i := int(f.Rule) - 1; i >= 0 && i < len(s.skip) {
		return s.skip[i]
	}
	return 0
}

// packetRule is one fault aimed at one packet of a flow.
type packetRule struct {
	rule  uint16 // 1 + its index in the faults: list
	flow  int32
	ack   bool  // the n-th pure ACK of the flow's receiver; else its n-th data segment
	n     int64 // segment or ACK number, from 1
	trans int   // which transmission of that segment, from 1
	fault link.Fault

	// learned as the run goes: the segment's first sequence number and
	// how many times a segment holding it was sent.
	seq  seqnum.Value
	seen bool
	sent int
}

// flowCount counts the packets of one flow that rules refer to.
type flowCount struct {
	ruled   bool   // some rule names the flow
	dataDir string // the direction its sender's packets take: "forward" or "reverse"
	tcp     bool
	// rdt is the sender of an rdt flow, nil for TCP and UDP: it names the
	// data packet being sent (the wire's number is taken modulo 2^k).
	rdt     *rdt.Sender
	data    int64        // data segments (first transmissions) or datagrams sent
	acks    int64        // pure ACKs sent by the receiver
	sndMax  seqnum.Value // the sender's highest sequence number sent + 1
	synSeen bool
}

// installFaults builds the script of sc's faults, if any, and schedules its
// timed events.
func (n *Network) installFaults() {
	sc := n.sc
	if len(sc.Faults) == 0 {
		return
	}
	s := &faultScript{flows: make([]flowCount, len(sc.Flows)), skip: make([]int, len(sc.Faults))}
	for i := range sc.Flows {
		f := &sc.Flows[i]
		s.flows[i] = flowCount{dataDir: "forward", tcp: proto.IsFamily(f.Protocol, proto.TCP)}
		if f.From == "b" {
			s.flows[i].dataDir = "reverse"
		}
	}
	for i := range sc.Faults {
		f := &sc.Faults[i]
		rule := uint16(i + 1)
		switch {
		case f.Outage != "":
			for _, p := range n.faultPipes(f.Outage) {
				n.eng.At(sim.Time(f.From), func(uint64) { p.DropInFlight(rule); p.SetDown(true, rule) }, 0)
				n.eng.At(sim.Time(f.To), func(uint64) { p.SetDown(false, rule) }, 0)
			}
		case f.Drop == "in-flight":
			for _, p := range n.faultPipes(f.Direction) {
				n.eng.At(sim.Time(f.At), func(uint64) { p.DropInFlight(rule) }, 0)
			}
		default:
			fi := int32(n.flowIndex(f.Flow))
			r := packetRule{rule: rule, flow: fi, ack: f.Drop == "ack", n: f.Segment, trans: f.Transmission,
				fault: link.Fault{Rule: rule, Kind: link.FaultDrop}}
			if r.ack {
				r.n = f.Number
			}
			if f.Corrupt != "" {
				r.fault.Kind = link.FaultFlip
				if f.Undetectable {
					r.fault.Kind = link.FaultFlipUndetectable
				}
				r.fault.Bits = uint8(f.Bits)
				if proto.IsFamily(sc.Flows[fi].Protocol, proto.RDT) {
					// Flip the rdt packet's payload, never its header.
					s.skip[i] = rdt.HeaderLen
				}
			}
			s.rules = append(s.rules, r)
			s.flows[fi].ruled = true
		}
	}
	if len(s.rules) > 0 {
		n.faults = s
		for _, p := range n.pipes {
			p.SetMarker(s)
		}
	}
}

// faultPipes returns the directions named: "forward", "reverse" or "both".
func (n *Network) faultPipes(dir string) []*link.Pipe {
	switch dir {
	case "forward":
		return n.pipes[:1]
	case "reverse":
		return n.pipes[1:]
	}
	return n.pipes[:]
}

func (n *Network) flowIndex(name string) int {
	for i := range n.sc.Flows {
		if n.sc.Flows[i].Name == name {
			return i
		}
	}
	panic("run: fault names flow " + name + ", which validation let through") // scenario.validateFaults checks it
}

// Mark implements link.Marker: it counts the packet and returns the fault
// of the rule that names it.
func (s *faultScript) Mark(dir string, p link.Packet) link.Fault {
	pkt := &p
	if pkt.Flow < 0 || int(pkt.Flow) >= len(s.flows) || !s.flows[pkt.Flow].ruled {
		return link.Fault{}
	}
	fc := &s.flows[pkt.Flow]
	h := wire.Peek(pkt.Buf)
	fromSender := dir == fc.dataDir
	if fc.rdt != nil {
		s.markRDT(pkt, fc, fromSender)
		return pkt.Fault
	}
	if !fc.tcp {
		if fromSender && h.Protocol == wire.ProtoUDP {
			fc.data++
			s.mark(pkt, false, fc.data)
		}
		return pkt.Fault
	}
	if h.Protocol != wire.ProtoTCP || !h.OK {
		return link.Fault{}
	}
	seq := seqnum.Value(h.Seq)
	switch {
	case fromSender && h.Flags&wire.FlagSYN != 0:
		if !fc.synSeen {
			fc.synSeen, fc.sndMax = true, seq+1
		}
	case fromSender && h.Len > 0 && fc.synSeen:
		end := seq.Add(seqnum.Size(h.Len))
		if fc.sndMax.LessThan(end) {
			// It carries bytes never sent before: a first transmission.
			fc.sndMax = end
			fc.data++
			for i := range s.rules {
				r := &s.rules[i]
				if r.flow == pkt.Flow && !r.ack && r.n == fc.data {
					r.seq, r.seen, r.sent = seq, true, 1
				}
			}
			s.mark(pkt, false, fc.data)
			return pkt.Fault
		}
		// A retransmission: is it another transmission of a ruled segment?
		for i := range s.rules {
			r := &s.rules[i]
			if r.flow == pkt.Flow && r.seen && r.seq.InRange(seq, end) {
				r.sent++
				if r.sent == r.trans && pkt.Fault.Kind == link.FaultNone {
					pkt.Fault = r.fault
				}
			}
		}
	case !fromSender && h.Len == 0 && h.Flags&(wire.FlagSYN|wire.FlagFIN|wire.FlagRST) == 0 && h.Flags&wire.FlagACK != 0:
		fc.acks++
		s.mark(pkt, true, fc.acks)
	}
	return pkt.Fault
}

// markRDT counts a packet of an rdt flow: a data packet from the sender
// is packet a+1 of the flow (a its absolute number, which the sender
// names: the wire holds it modulo 2^k) in its k-th transmission, so that
// segment: N, transmission: k name it exactly as they name a TCP segment;
// an ACK from the receiver is the flow's next pure ACK (duplicates
// included, as number: N counts TCP's).
func (s *faultScript) markRDT(pkt *link.Packet, fc *flowCount, fromSender bool) {
	h := wire.Peek(pkt.Buf)
	if h.Protocol != wire.ProtoUDP {
		return
	}
	off := int(pkt.Buf[0]&0x0f)*4 + wire.UDPHeaderLen
	if off > len(pkt.Buf) {
		return
	}
	rh, ok := rdt.Peek(pkt.Buf[off:])
	if !ok {
		return
	}
	switch {
	case fromSender && rh.Type == rdt.Data:
		a, k := fc.rdt.Sending()
		if k == 1 {
			fc.data++
		}
		for i := range s.rules {
			r := &s.rules[i]
			if r.flow == pkt.Flow && !r.ack && r.n == a+1 && r.trans == k {
				pkt.Fault = r.fault
				return
			}
		}
	case !fromSender && rh.Type != rdt.Data: // an ACK, or an rdt 2.0 or 2.1 NAK
		fc.acks++
		s.mark(pkt, true, fc.acks)
	}
}

// mark sets the fault of the first rule naming the k-th data segment (or
// pure ACK) of pkt's flow, in its first transmission.
func (s *faultScript) mark(pkt *link.Packet, ack bool, k int64) {
	for i := range s.rules {
		r := &s.rules[i]
		if r.flow == pkt.Flow && r.ack == ack && r.n == k && r.trans == 1 {
			pkt.Fault = r.fault
			return
		}
	}
}

// faultDetail describes the scripted fault f for the trace.
func faultDetail(sc *scenario.Scenario, f link.Fault) string {
	i := int(f.Rule) - 1
	if i < 0 || i >= len(sc.Faults) {
		return "scripted"
	}
	x := &sc.Faults[i]
	d := "scripted: faults[" + strconv.Itoa(i) + "] "
	switch {
	case x.Outage != "":
		return d + fmt.Sprintf("outage %s from %v to %v", x.Outage, sim.Time(x.From), sim.Time(x.To))
	case x.Drop == "in-flight":
		return d + fmt.Sprintf("drop in-flight at %v", sim.Time(x.At))
	case x.Drop == "ack":
		return d + fmt.Sprintf("drop ack %d of flow %s", x.Number, x.Flow)
	}
	what := "drop"
	if x.Corrupt != "" {
		what = "corrupt"
	}
	d += fmt.Sprintf("%s data segment %d of flow %s", what, x.Segment, x.Flow)
	if x.Transmission > 1 {
		d += fmt.Sprintf(", transmission %d", x.Transmission)
	}
	if x.Corrupt != "" {
		d += fmt.Sprintf(": %d bits flipped", f.Bits)
		if f.Kind == link.FaultFlipUndetectable {
			d += " in pairs that cancel: the checksum still matches"
		}
	}
	return d
}
