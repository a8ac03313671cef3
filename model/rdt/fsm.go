package rdt

import (
	"fmt"
	"strconv"
)

// State is a state of the finite-state machines of rdt 2.0, 2.1 and 2.2
// (K&R Figures 3.10 to 3.14), named as the textbook names them. The other
// protocols report no states.
type State uint8

// The states of the rdt 2.x sender and receiver FSMs.
const (
	NoState State = iota
	// rdt 2.0 (Figure 3.10).
	WaitCallAbove // sender: "wait for call from above"
	WaitACKOrNAK  // sender: "wait for ACK or NAK"
	WaitCallBelow // receiver: "wait for call from below"
	// rdt 2.1 and 2.2 senders (Figures 3.11, 3.13).
	WaitCall0     // "wait for call 0 from above"
	WaitCall1     // "wait for call 1 from above"
	WaitACKOrNAK0 // rdt 2.1: "wait for ACK or NAK 0"
	WaitACKOrNAK1 // rdt 2.1: "wait for ACK or NAK 1"
	WaitACK0      // rdt 2.2: "wait for ACK 0"
	WaitACK1      // rdt 2.2: "wait for ACK 1"
	// rdt 2.1 and 2.2 receivers (Figures 3.12, 3.14).
	Wait0Below // "wait for 0 from below"
	Wait1Below // "wait for 1 from below"
)

var stateNames = [...]string{
	NoState:       "none",
	WaitCallAbove: "wait for call from above",
	WaitACKOrNAK:  "wait for ACK or NAK",
	WaitCallBelow: "wait for call from below",
	WaitCall0:     "wait for call 0 from above",
	WaitCall1:     "wait for call 1 from above",
	WaitACKOrNAK0: "wait for ACK or NAK 0",
	WaitACKOrNAK1: "wait for ACK or NAK 1",
	WaitACK0:      "wait for ACK 0",
	WaitACK1:      "wait for ACK 1",
	Wait0Below:    "wait for 0 from below",
	Wait1Below:    "wait for 1 from below",
}

// String returns the textbook's name of the state.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// senderState is the state the rdt 2.x sender's FSM is in, read from
// send_base and nextseqnum: with nothing outstanding it waits for a call
// from above for packet nextseqnum, else for the answer to packet
// send_base.
func (s *Sender) senderState() State {
	waiting := s.base < s.next
	switch s.cfg.Protocol {
	case RDT20:
		if waiting {
			return WaitACKOrNAK
		}
		return WaitCallAbove
	case RDT21:
		if waiting {
			return WaitACKOrNAK0 + State(s.base&1)
		}
		return WaitCall0 + State(s.next&1)
	case RDT22:
		if waiting {
			return WaitACK0 + State(s.base&1)
		}
		return WaitCall0 + State(s.next&1)
	}
	return NoState
}

// State returns the sender's FSM state (rdt 2.x; NoState for the others).
func (s *Sender) State() State { return s.state }

// setState is the one place an rdt 2.x sender changes state: it moves to
// the state that send_base and nextseqnum now say, and reports the
// transition A => B with the textbook's event and actions (why).
func (s *Sender) setState(why string) {
	to := s.senderState()
	if to == s.state {
		return
	}
	from := s.state
	s.state = to
	if s.obs != nil {
		s.obs.RDTEvent(EvState, Note{Side: SenderSide, From: from, To: to, Text: why})
	}
}

// sendWhy is the event and actions of the sender's transition out of
// "wait for call" for packet a.
func (s *Sender) sendWhy(a int64) string {
	if s.cfg.Protocol == RDT20 {
		return "rdt_send(data) / sndpkt = make_pkt(data, checksum); udt_send(sndpkt)"
	}
	return "rdt_send(data) / sndpkt = make_pkt(" + strconv.Itoa(int(a&1)) + ", data, checksum); udt_send(sndpkt)"
}

// input2 handles an ACK or NAK that passed the checksum at an rdt 2.x
// sender (K&R Figures 3.10, 3.11, 3.13).
func (s *Sender) input2(h *Header) {
	if s.base == s.next {
		// Waiting for a call from above: no transition takes an ACK.
		s.st.DupAcks++
		s.decide(h.Label() + " in " + s.state.String() + ": no transition takes it, ignored")
		return
	}
	x := strconv.Itoa(int(s.seq(s.base)))
	switch {
	case s.cfg.Protocol == RDT22 && h.Type == ACK && h.Ack != s.seq(s.base):
		// A duplicate ACK: the receiver acknowledges the packet before.
		s.st.DupAcks++
		s.decide("duplicate ACK " + strconv.Itoa(int(h.Ack)) + " in " + s.state.String() + ": isACK(rcvpkt, " + strconv.Itoa(int(h.Ack)) +
			"): udt_send(sndpkt), pkt " + x + " resent at once")
		s.transmit(s.base, true)
	case h.Type == NAK:
		s.st.NAKsReceived++
		s.decide("NAK in " + s.state.String() + ": isNAK(rcvpkt): udt_send(sndpkt), pkt " + x + " resent")
		s.transmit(s.base, true)
	default:
		why := "rdt_rcv(rcvpkt) && isACK(rcvpkt) / Λ"
		switch s.cfg.Protocol {
		case RDT21:
			why = "rdt_rcv(rcvpkt) && notcorrupt(rcvpkt) && isACK(rcvpkt) / Λ"
		case RDT22:
			why = "rdt_rcv(rcvpkt) && notcorrupt(rcvpkt) && isACK(rcvpkt, " + x + ") / Λ"
		}
		s.base++
		s.setState(why)
		s.fill()
	}
}

// corrupt2 handles a corrupted ACK or NAK at an rdt 2.x sender: rdt 2.1
// and 2.2 resend the packet (K&R Figures 3.11, 3.13); rdt 2.0 has no
// transition for it (Figure 3.10) and waits for ever, which the flow
// reports as a deadlock.
func (s *Sender) corrupt2() {
	if s.base == s.next {
		s.decide("corrupted packet in " + s.state.String() + ": ignored")
		return
	}
	if s.cfg.Protocol == RDT20 {
		s.stuck = true
		s.decide("corrupted ACK or NAK in " + s.state.String() + ": rdt 2.0 has no transition for it; the sender waits for ever")
		return
	}
	s.decide("corrupted ACK or NAK in " + s.state.String() + ": corrupt(rcvpkt): udt_send(sndpkt), pkt " +
		strconv.Itoa(int(s.seq(s.base))) + " resent")
	s.transmit(s.base, true)
}

// Stuck reports whether an rdt 2.0 sender got a corrupted ACK or NAK,
// for which its FSM has no transition: it will never send again.
func (s *Sender) Stuck() bool { return s.stuck }

// receiverState is the state the rdt 2.x receiver's FSM is in:
// expectedseqnum's bit.
func (r *Receiver) receiverState() State {
	switch r.cfg.Protocol {
	case RDT20:
		return WaitCallBelow
	case RDT21, RDT22:
		return Wait0Below + State(r.base&1)
	}
	return NoState
}

// State returns the receiver's FSM state (rdt 2.x; NoState for the
// others).
func (r *Receiver) State() State { return r.state }

// Start reports the receiver's initial state (rdt 2.x only).
func (r *Receiver) Start() { r.setState("") }

// setState is the one place an rdt 2.x receiver changes state.
func (r *Receiver) setState(why string) {
	to := r.receiverState()
	if to == r.state {
		return
	}
	from := r.state
	r.state = to
	if r.obs != nil {
		r.obs.RDTEvent(EvState, Note{Side: ReceiverSide, From: from, To: to, Text: why})
	}
}

// deliveredWhy is the receiver's transition on the packet it waits for,
// seq, which it has delivered and acknowledged.
func (r *Receiver) deliveredWhy(seq int64) string {
	x := strconv.Itoa(int(seq))
	if r.cfg.Protocol == RDT22 {
		return "rdt_rcv(rcvpkt) && notcorrupt(rcvpkt) && has_seq" + x + "(rcvpkt) / extract(rcvpkt, data); deliver_data(data); sndpkt = make_pkt(ACK, " + x + ", checksum); udt_send(sndpkt)"
	}
	return "rdt_rcv(rcvpkt) && notcorrupt(rcvpkt) && has_seq" + x + "(rcvpkt) / extract(rcvpkt, data); deliver_data(data); sndpkt = make_pkt(ACK, checksum); udt_send(sndpkt)"
}

// corrupt2 answers a corrupted data packet at an rdt 2.x receiver: a NAK
// (rdt 2.0, 2.1), or the ACK of the last packet received correctly
// (rdt 2.2).
func (r *Receiver) corrupt2() {
	if r.cfg.Protocol == RDT22 {
		last := uint16((r.base - 1) & r.mask)
		if r.obs != nil {
			r.decideText("corrupted packet in " + r.state.String() + ": corrupt(rcvpkt): udt_send(sndpkt), ACK " + strconv.Itoa(int(last)) + " again")
		}
		r.ack(last)
		return
	}
	if r.obs != nil {
		r.decideText("corrupted packet in " + r.state.String() + ": corrupt(rcvpkt): sndpkt = make_pkt(NAK, checksum); udt_send(sndpkt)")
	}
	r.st.NAKsSent++
	r.send(NAK, uint16(r.base&r.mask))
}

// duplicate2 answers a correct copy of the packet before the one an
// rdt 2.1 or 2.2 receiver waits for: the sender missed its ACK, so it is
// acknowledged again and not delivered.
func (r *Receiver) duplicate2(seq int64) {
	if r.obs != nil {
		x := strconv.Itoa(int(seq))
		r.decideText("pkt " + x + " in " + r.state.String() + ": notcorrupt(rcvpkt) && has_seq" + x + "(rcvpkt): a duplicate, discarded; ACK " + x + " again")
	}
	r.ack(uint16(seq))
}

func (r *Receiver) decideText(t string) {
	r.obs.RDTEvent(EvDecision, Note{Side: ReceiverSide, Text: t})
}
