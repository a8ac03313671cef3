package scenario

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"

	proto "tcpsim/internal/protocol"
	"tcpsim/sim"
)

// Fault is one scripted event of the scenario's faults: section, applied
// on top of the link's random impairments and drawing no random number.
// Exactly one of three actions:
//
//   - Drop "data" or "ack", or Corrupt "data", of one packet of Flow:
//     the Segment-th data segment the flow's sender sends (first
//     transmissions counted, from 1; Transmission k > 1 names that
//     segment's (k-1)-th retransmission), or for Drop "ack" the Number-th
//     pure ACK (no data, SYN, FIN or RST) its receiver sends. For a UDP
//     flow, Segment counts datagrams; for an rdt flow (stop-and-wait,
//     go-back-n, selective-repeat) data packets (Segment N is the wire's
//     pkt (N-1) mod 2^k) and Number its receiver's ACKs. Corrupt flips
//     Bits payload bits (an rdt packet's payload, not its rdt header);
//     with Undetectable they are flipped in pairs that cancel in the
//     RFC 1071 checksum, so the error is delivered.
//   - Drop "in-flight" At a time: every packet propagating on the wire
//     (Direction forward, reverse or both) at that instant is lost.
//   - Outage ("forward", "reverse" or "both") From a time To a later one:
//     what is on the wire at From is lost, and so is every packet that
//     leaves the transmitter before To. The queue keeps filling and
//     draining: the sender does not know the link is down.
type Fault struct {
	Flow         string
	Drop         string // "data", "ack" or "in-flight"
	Corrupt      string // "data"
	Outage       string // "forward", "reverse" or "both"
	Segment      int64  // data: which data segment (or UDP datagram), from 1
	Number       int64  // ack: which pure ACK, from 1
	Transmission int    // 1 = the first transmission, 2 = the first retransmission, ...
	Bits         int    // corrupt: payload bits to flip
	Undetectable bool   // corrupt: flips that cancel in the checksum
	At           Duration
	Direction    string // in-flight: "forward", "reverse" or "both"
	From, To     Duration
}

// Limits of fault fields.
const (
	maxFaults  = 10_000
	maxFlipped = 16 // wire.FlipPayloadBits' cap
)

func faultFields() []field[Fault] {
	return []field[Fault]{
		textField("flow", true, "the name of a flow, e.g. file", func(f *Fault, v string) { f.Flow = v }),
		enumField("drop", []string{"data", "ack", "in-flight"}, func(f *Fault, v string) { f.Drop = v }),
		{name: "corrupt", want: "data", parse: func(f *Fault, v string) error {
			if v != "data" {
				return invalid(v, "corrupt", "data (only data segments carry a payload to corrupt)")
			}
			f.Corrupt = v
			return nil
		}},
		enumField("outage", []string{"forward", "reverse", "both"}, func(f *Fault, v string) { f.Outage = v }),
		wholeField("segment", 1, math.MaxInt64, " (the first data segment is 1)", "14", func(f *Fault, v uint64) { f.Segment = int64(v) }),
		wholeField("number", 1, math.MaxInt64, " (the first pure ACK is 1)", "3", func(f *Fault, v uint64) { f.Number = int64(v) }),
		wholeField("transmission", 1, 1000, " (1 = first, 2 = first retransmission)", "2", func(f *Fault, v uint64) { f.Transmission = int(v) }),
		wholeField("bits", 1, maxFlipped, " bits", "2", func(f *Fault, v uint64) { f.Bits = int(v) }),
		boolField("undetectable", func(f *Fault, v bool) { f.Undetectable = v }),
		durationField("at", false, "1.2s", func(f *Fault, v Duration) { f.At = v }),
		enumField("direction", []string{"forward", "reverse", "both"}, func(f *Fault, v string) { f.Direction = v }),
		durationField("from", false, "2s", func(f *Fault, v Duration) { f.From = v }),
		durationField("to", false, "2.5s", func(f *Fault, v Duration) { f.To = v }),
	}
}

const wantFaults = "a list of scripted faults, each a mapping, e.g. - {flow: file, drop: data, segment: 14}"

func (d *decoder) faults(s *Scenario, n ast.Node, path string) error {
	seq, err := d.list(n, path, wantFaults)
	if err != nil {
		return err
	}
	if len(seq.Values) > maxFaults {
		return d.errAt(n, path, "%d faults: at most %d", len(seq.Values), maxFaults)
	}
	fs := faultFields()
	s.Faults = make([]Fault, 0, len(seq.Values))
	for i, item := range seq.Values {
		p := fmt.Sprintf("%s[%d]", path, i)
		d.pos[p] = nodePos(item)
		es, err := d.entries(item, p, "a fault mapping, e.g. {flow: file, drop: data, segment: 14}")
		if err != nil {
			return err
		}
		var f Fault
		if err := applyDefaults(d, "fault", fs, &f); err != nil {
			return err
		}
		if err := decodeMapping(d, es, fs, &f, p, unknownIn(fs)); err != nil {
			return err
		}
		s.Faults = append(s.Faults, f)
	}
	return nil
}

// validateFaults checks what each fault's fields say together, and that
// its flow exists and has what the fault names.
func (s *Scenario) validateFaults() error {
	for i := range s.Faults {
		f := &s.Faults[i]
		p := fmt.Sprintf("faults[%d]", i)
		at := func(field string) string { return p + "." + field }
		var action string
		for _, a := range []string{"drop", "corrupt", "outage"} {
			if !s.has(at(a)) {
				continue
			}
			if action != "" {
				return s.errAt(at(a), "a fault does one thing: %s or %s, not both (write two faults)", action, a)
			}
			action = a
		}
		// allowed lists the fields this kind of fault takes.
		var allowed []string
		switch {
		case action == "":
			return s.errMissing(p, "drop", "a fault needs drop: data|ack|in-flight, corrupt: data, or outage: forward|reverse|both")
		case action == "outage":
			allowed = []string{"outage", "from", "to"}
		case f.Drop == "in-flight":
			allowed = []string{"drop", "at", "direction"}
		case f.Drop == "ack":
			allowed = []string{"flow", "drop", "number"}
		case action == "drop":
			allowed = []string{"flow", "drop", "segment", "transmission"}
		default:
			allowed = []string{"flow", "corrupt", "segment", "transmission", "bits", "undetectable"}
		}
		what := action + ": " + f.Drop + f.Corrupt + f.Outage
		for _, k := range faultFields() {
			if s.has(at(k.name)) && !slices.Contains(allowed, k.name) {
				return s.errAt(at(k.name), "field %s does not apply to a fault with %s (its fields: %s)", k.name, what, strings.Join(allowed, ", "))
			}
		}
		for _, k := range allowed {
			if s.has(at(k)) {
				continue
			}
			switch k {
			case "flow":
				return s.errMissing(p, k, "%s needs the flow it applies to, e.g. flow: %s", what, s.firstFlowName())
			case "segment":
				return s.errMissing(p, k, "%s needs which data segment (first transmissions, from 1), e.g. segment: 14", what)
			case "number":
				return s.errMissing(p, k, "drop: ack needs which pure ACK of the flow's receiver (from 1), e.g. number: 3")
			case "at":
				return s.errMissing(p, k, "drop: in-flight needs the time, e.g. at: 1.2s")
			case "from", "to":
				return s.errMissing(p, k, "an outage needs from and to, e.g. {from: 2s, to: 2.5s, outage: forward}")
			}
		}
		if action == "outage" && f.From >= f.To {
			return s.errAt(at("to"), "to %v is not after from %v: want an outage that lasts", sim.Time(f.To), sim.Time(f.From))
		}
		if f.Undetectable && f.Bits%2 != 0 {
			field := "bits"
			if !s.has(at(field)) {
				field = "undetectable"
			}
			return s.errAt(at(field), "undetectable corruption flips bits in pairs that cancel in the checksum: want an even number of bits, e.g. bits: 2")
		}
		if !s.has(at("flow")) {
			continue
		}
		fl := s.flow(f.Flow)
		if fl == nil {
			if base, _, ok := splitMember(f.Flow); ok {
				if g := s.flow(base); g != nil && g.Repeat != nil {
					return s.errAt(at("flow"), "%s is a member of the repeated flow %s: a fault applies to one flow that is written out on its own", f.Flow, base)
				}
			}
			return s.errAt(at("flow"), "no flow named %q (flows: %s)", f.Flow, s.flowNames())
		}
		if fl.Repeat != nil {
			return s.errAt(at("flow"), "flow %s is repeated (repeat:): a fault applies to one flow that is written out on its own", f.Flow)
		}
		pr, _ := proto.Parse(fl.Protocol)
		if !pr.Acks() && f.Drop == "ack" {
			return s.errAt(at("drop"), "flow %s is %s: it sends no ACKs (drop: data, segment: N drops its N-th datagram)", f.Flow, strings.ToUpper(fl.Protocol))
		}
		if !pr.Retransmits() && f.Transmission > 1 {
			return s.errAt(at("transmission"), "flow %s is %s: it never retransmits, so only transmission: 1 exists", f.Flow, strings.ToUpper(fl.Protocol))
		}
		if fl.RDT != nil && s.has(at("segment")) && f.Segment > fl.RDT.Count {
			// Packets are numbered from 1 here, from 0 on the wire
			// (modulo 2^seq_bits): segment N is the wire's pkt (N-1) mod 2^k.
			return s.errAt(at("segment"), "flow %s sends %d packets: segment %d is never sent (segment 1 is the first, the wire's pkt 0)", f.Flow, fl.RDT.Count, f.Segment)
		}
	}
	return nil
}

func (s *Scenario) flow(name string) *Flow {
	for i := range s.Flows {
		if s.Flows[i].Name == name {
			return &s.Flows[i]
		}
	}
	return nil
}
