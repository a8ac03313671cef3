package scenario

import (
	"strings"

	proto "tcpsim/internal/protocol"
	"tcpsim/model/rdt"
)

// RDTFlow holds the fields of a stop-and-wait, go-back-n or
// selective-repeat flow (Kurose & Ross ch. 3): Count packets of Packet
// payload bytes (the last one shorter when Bytes is not a multiple), with
// a window of Window packets and sequence numbers modulo 2^SeqBits.
type RDTFlow struct {
	Window  int // N, in packets; 1 for stop-and-wait
	SeqBits int // k
	// Timeout is the fixed retransmission timeout; 0 with Adaptive.
	Timeout  Duration
	Adaptive bool // RFC 6298 estimator instead of a fixed timeout
	Packet   Size
	Bytes    Size // total payload; set from count when the file gave count
	Count    int64
}

// IsRDT reports whether protocol names one of the rdt family.
func IsRDT(protocol string) bool { return proto.IsFamily(protocol, proto.RDT) }

// protocols are every value of a flow's protocol field.
var protocols = proto.Names()

// wantProtocol is the expected form of the protocol field.
var wantProtocol = strings.Join(protocols[:len(protocols)-1], ", ") + " or " + protocols[len(protocols)-1]

const wantTimeout = "adaptive, or a positive duration such as 200ms"

func rdtFields() []field[RDTFlow] {
	return []field[RDTFlow]{
		wholeField("window", 1, rdt.MaxWindow, " packets", "4", func(f *RDTFlow, v uint64) { f.Window = int(v) }),
		wholeField("seq_bits", 1, rdt.MaxSeqBits, " (sequence numbers 0 to 2^seq_bits - 1)", "3", func(f *RDTFlow, v uint64) { f.SeqBits = int(v) }),
		{name: "timeout", want: wantTimeout, parse: func(f *RDTFlow, s string) error {
			if s == "adaptive" {
				f.Timeout, f.Adaptive = 0, true
				return nil
			}
			v, err := ParseDuration(s)
			if err != nil || v == 0 {
				return invalid(s, "timeout", wantTimeout)
			}
			f.Timeout, f.Adaptive = v, false
			return nil
		}},
		sizeField("packet", 1, rdt.MaxPayload, "1000", func(f *RDTFlow, v Size) { f.Packet = v }),
		sizeField("bytes", 1, maxSize, "1MB", func(f *RDTFlow, v Size) { f.Bytes = v }),
		wholeField("count", 1, maxDatagrams, " packets", "100", func(f *RDTFlow, v uint64) { f.Count = int64(v) }),
	}
}

// validateRDT checks an rdt flow's fields against each other and against
// its protocol (K&R §3.4): stop-and-wait has window 1 and seq_bits 1;
// Go-Back-N needs window ≤ 2^seq_bits − 1; Selective Repeat needs
// window ≤ 2^seq_bits, and accepts window > 2^(seq_bits−1) on purpose, to
// show the dilemma of K&R Figure 3.27.
func (s *Scenario) validateRDT(f *Flow, p string) error {
	r := f.RDT
	at := func(field string) string { return p + "." + field }
	switch {
	case s.has(at("bytes")) && s.has(at("count")):
		return s.errAt(at("count"), "give exactly one of bytes (total payload) or count (packets), not both")
	case s.has(at("bytes")):
		r.Count = (int64(r.Bytes) + int64(r.Packet) - 1) / int64(r.Packet)
		if r.Count > maxDatagrams {
			return s.errAt(at("bytes"), "%d bytes in packets of %d make %d packets: at most %d per flow", r.Bytes, r.Packet, r.Count, int64(maxDatagrams))
		}
	case s.has(at("count")):
		r.Bytes = Size(r.Count * int64(r.Packet))
	default:
		return s.errMissing(p, "bytes", "give bytes (total payload, e.g. bytes: 100KB) or count (packets, e.g. count: 100)")
	}
	rp := f.rdtProtocol()
	if !rp.HasTimer() && s.has(at("timeout")) {
		return s.errAt(at("timeout"), "%s has no timer (K&R §3.4.1: it assumes a channel that loses nothing): remove timeout, or use stop-and-wait (rdt 3.0) for a channel that loses", f.Protocol)
	}
	if rp == rdt.StopAndWait || !rp.HasTimer() {
		what := "stop-and-wait (rdt 3.0)"
		if rp != rdt.StopAndWait {
			what = f.Protocol
		}
		for _, k := range []struct {
			name string
			v    int
		}{{"window", r.Window}, {"seq_bits", r.SeqBits}} {
			if s.has(at(k.name)) && k.v != 1 {
				return s.errAt(at(k.name), "%s has %s 1 (one packet at a time, an alternating bit): remove it, or use go-back-n or selective-repeat", what, k.name)
			}
		}
		r.Window, r.SeqBits = 1, 1
		return nil
	}
	if !s.has(at("window")) {
		return s.errMissing(p, "window", "%s needs a window in packets, e.g. window: 4", f.Protocol)
	}
	if !s.has(at("seq_bits")) {
		// The fewest bits that are correct for the window.
		r.SeqBits = 1
		for r.SeqBits < rdt.MaxSeqBits && !rdtCorrect(rp, r.Window, r.SeqBits) {
			r.SeqBits++
		}
	}
	space := 1 << r.SeqBits
	where := at("window")
	if s.has(at("seq_bits")) {
		where = at("seq_bits")
	}
	switch {
	case rp == rdt.GoBackN && r.Window > space-1:
		return s.errAt(where, "go-back-n needs window ≤ 2^seq_bits - 1: window %d with seq_bits %d (2^%d - 1 = %d); with more, a cumulative ACK could mean every packet or none (K&R §3.4.3)", r.Window, r.SeqBits, r.SeqBits, space-1)
	case rp == rdt.SelectiveRepeat && r.Window > space:
		return s.errAt(where, "selective-repeat needs window ≤ 2^seq_bits: window %d with seq_bits %d (2^%d = %d) gives the sender two packets with one number; window ≤ 2^(seq_bits-1) = %d is correct, and above that the receiver can take an old packet for a new one (K&R Figure 3.27), which is allowed on purpose", r.Window, r.SeqBits, r.SeqBits, space, space/2)
	}
	return nil
}

// rdtCorrect reports whether window n is correct with k sequence bits:
// GBN needs n ≤ 2^k − 1, SR n ≤ 2^(k−1) (K&R §3.4.4).
func rdtCorrect(protocol rdt.Protocol, n, k int) bool {
	if protocol == rdt.SelectiveRepeat {
		return n <= 1<<(k-1)
	}
	return n <= 1<<k-1
}

// rdtProtocol returns the rdt model's protocol of an rdt flow.
func (f *Flow) rdtProtocol() rdt.Protocol {
	p, _ := proto.Parse(f.Protocol)
	return p.RDT()
}

// validateRDT2Channel refuses a shorthand link that loses, duplicates or
// reorders packets under an rdt 2.x flow: those protocols have no timer
// and assume a channel with bit errors only (K&R §3.4.1), so a lost
// packet deadlocks them and a duplicated or reordered ACK (they carry
// no number in rdt 2.0 and 2.1) is taken for the next one. The error
// points at the link field that impairs. In a topology the links are not
// checked: a loss there shows as a deadlock in the report.
func (s *Scenario) validateRDT2Channel() error {
	if s.Nodes != nil { // a topology (validation runs before the shorthand is expanded)
		return nil
	}
	var flow string
	for i := range s.Flows {
		if p, ok := proto.Parse(s.Flows[i].Protocol); ok && p.Untimed() {
			flow = s.Flows[i].Name
			break
		}
	}
	if flow == "" {
		return nil
	}
	fwd, rev := s.LinkDirection("forward"), s.LinkDirection("reverse")
	for _, c := range []struct {
		field, what string
		on          func(r *Direction) bool
	}{
		{"loss", "loses packets: a lost packet or ACK leaves both ends waiting for ever (no timer)", func(r *Direction) bool { return lossy(*r) }},
		{"duplicate", "duplicates packets: a copied ACK is taken for the answer to the next packet", func(r *Direction) bool { return *r.Duplicate > 0 }},
		{"reorder", "reorders packets: an old ACK is taken for the answer to the next packet", func(r *Direction) bool { return *r.Reorder > 0 }},
	} {
		if !c.on(&fwd) && !c.on(&rev) {
			continue
		}
		where := "link." + c.field
		for _, d := range []struct {
			path string
			r    *Direction
		}{{"link.forward." + c.field, &fwd}, {"link.reverse." + c.field, &rev}} {
			if s.has(d.path) && c.on(d.r) {
				where = d.path
				break
			}
		}
		return s.errAt(where, "flow %s runs %s, which assumes a channel with bit errors and no loss (K&R §3.4.1), and this link %s: use stop-and-wait (rdt 3.0), or set %s to 0 (a scripted drop fault shows the deadlock)",
			flow, s.flow(flow).Protocol, c.what, c.field)
	}
	return nil
}
