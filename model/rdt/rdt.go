// Package rdt models the reliable-data-transfer protocols of Kurose &
// Ross, Computer Networking, chapter 3: rdt 2.0, 2.1 and 2.2 for a
// channel with bit errors (§3.4.1, Figures 3.10 to 3.14), stop-and-wait
// with an alternating bit (rdt 3.0, §3.4.1), Go-Back-N (§3.4.3) and
// Selective Repeat (§3.4.4), as real protocols with real bytes on the wire: a 10-byte
// header (see HeaderLen) with a sequence number taken modulo 2^k, an ACK
// number, a length and an RFC 1071 checksum, carried in UDP over IPv4.
//
// The Sender and Receiver are sans-I/O, like package tcp's Endpoint: they
// own no clock (they read a Clock), send through an Output they are given,
// and keep their timers as deadlines that the caller asks for (Deadline)
// and fires (OnTimer). Flow binds a sender and a receiver to the engine
// and to two hosts.
//
// Inside the model packets are numbered absolutely from 0 (an int64 that
// never wraps); only the wire carries the number modulo 2^k. The sender
// maps an ACK number back into its window, and the receiver maps a
// sequence number into its window, exactly as the textbook's protocols
// do, so that a sequence space too small for the window misleads them as
// it misleads the real protocols (K&R Figure 3.27).
package rdt

import (
	"fmt"

	"tcpsim/sim"
)

// Clock tells a sender the time; the engine satisfies it.
type Clock interface {
	Now() sim.Time
}

// Output takes the packets a sender or receiver emits. data is the
// payload (nil for an ACK), valid only during the call; sum is its
// unfolded RFC 1071 sum (payload.Sum), so that the encoder need not read
// it; retrans marks a data packet sent before.
type Output interface {
	Output(h *Header, data []byte, sum uint64, retrans bool)
}

// Side names the end of a flow an event happened at.
type Side int

// The two ends of a flow.
const (
	SenderSide Side = iota
	ReceiverSide
)

func (s Side) String() string {
	if s == ReceiverSide {
		return "receiver"
	}
	return "sender"
}

// Event is what a sender, a receiver, their Flow or the receiving
// application reports to an Observer.
type Event uint8

// Events of an rdt flow.
const (
	// EvTimer: the sender's retransmission timer for packet Note.Seq
	// was set, cancelled or fired (Note.TimerOp), with deadline Note.At.
	EvTimer Event = iota
	// EvDecision: an end (Note.Side) did something with a packet that
	// was not simply accepted in order, told in Note.Text: "pkt 2 out
	// of order: discarded, re-ACK 0".
	EvDecision
	// EvSent: an end (Note.Side) sent a packet with header Note.Header
	// (valid during the call) and Note.Len payload bytes; Note.Retrans
	// if it was sent before (reported by Flow).
	EvSent
	// EvCorrupt: an end (Note.Side) dropped an arriving packet that
	// failed the rdt checksum or header checks (reported by Flow).
	EvCorrupt
	// EvWrong: the receiving application read Note.Bytes wrong bytes at
	// stream offset Note.Off (reported by Verifier; Flow reports it as
	// an EvDecision).
	EvWrong
	// EvDone: the sender has every packet acknowledged (reported once,
	// by Flow).
	EvDone
	// EvState: an end (Note.Side) of an rdt 2.x flow moved from state
	// Note.From to Note.To of its K&R FSM, on the event and actions
	// Note.Text ("rdt_rcv(rcvpkt) && notcorrupt(rcvpkt) && isACK(rcvpkt)").
	EvState
)

// Note carries an event's values; each Event's comment says which fields
// it fills. The rest are zero.
type Note struct {
	Side       Side
	TimerOp    sim.TimerOp
	Seq        uint16   // EvTimer: the sequence number of the packet the timer guards
	At         sim.Time // EvTimer: the deadline
	Text       string   // EvDecision
	Header     *Header  // EvSent
	Len        int      // EvSent: payload bytes
	Retrans    bool     // EvSent
	Bytes, Off int64    // EvWrong
	From, To   State    // EvState
}

// Observer is told what the protocol does, for traces and for whoever
// waits on the flow; nil means no observer and no cost (no text is
// built). It is shaped like link.Observer and tcp.Observer: one method,
// an event and its values.
type Observer interface {
	RDTEvent(ev Event, n Note)
}

// Protocol is one of the rdt family.
type Protocol int

// The protocols.
const (
	// StopAndWait is rdt 3.0 (K&R §3.4.1): one packet in flight, a 1-bit
	// (alternating) sequence number, a timer, ACKs that name the packet
	// acknowledged. It is Go-Back-N with N = 1 and k = 1, and is run by
	// the same code.
	StopAndWait Protocol = iota
	// GoBackN (K&R §3.4.3): up to N unacknowledged packets, cumulative
	// ACKs, one timer for the oldest unacknowledged packet, a receiver
	// that accepts only the next packet in order.
	GoBackN
	// SelectiveRepeat (K&R §3.4.4): up to N unacknowledged packets, an
	// ACK and a timer per packet, a receiver that buffers up to N packets
	// out of order.
	SelectiveRepeat
	// RDT20 is rdt 2.0 (K&R Figure 3.10): one packet at a time, no
	// sequence numbers, no timer; the receiver answers each packet with
	// an ACK, or a NAK when it fails the checksum, and the sender resends
	// on a NAK. It has no transition for a corrupted ACK or NAK: its
	// sender then waits for ever (the flaw that rdt 2.1 fixes).
	RDT20
	// RDT21 is rdt 2.1 (K&R Figures 3.11, 3.12): rdt 2.0 with a 1-bit
	// sequence number, so that the sender may resend on a corrupted ACK
	// or NAK and the receiver knows the copy for a duplicate.
	RDT21
	// RDT22 is rdt 2.2 (K&R Figures 3.13, 3.14): rdt 2.1 without NAKs:
	// the receiver acknowledges the last packet received correctly, and
	// a duplicate ACK (or a corrupted one) makes the sender resend at
	// once.
	RDT22
)

// Names are the protocols as scenario files write them.
var Names = [...]string{StopAndWait: "stop-and-wait", GoBackN: "go-back-n", SelectiveRepeat: "selective-repeat",
	RDT20: "rdt2.0", RDT21: "rdt2.1", RDT22: "rdt2.2"}

// HasTimer reports whether the protocol's sender has a retransmission
// timer: every protocol but rdt 2.x, which assume a channel that loses
// nothing (K&R §3.4.1) and so, over one that does, wait for ever.
func (p Protocol) HasTimer() bool { return p < RDT20 }

// rdt2 reports whether p is one of rdt 2.0, 2.1, 2.2.
func (p Protocol) rdt2() bool { return p >= RDT20 && p <= RDT22 }

func (p Protocol) String() string {
	if p >= 0 && int(p) < len(Names) {
		return Names[p]
	}
	return fmt.Sprintf("Protocol(%d)", int(p))
}

// ParseProtocol maps a scenario name to a Protocol.
func ParseProtocol(s string) (Protocol, error) {
	for i, n := range Names {
		if s == n {
			return Protocol(i), nil
		}
	}
	return 0, fmt.Errorf("rdt: unknown protocol %q", s)
}

// Adaptive-timeout constants (RFC 6298).
const (
	// InitialRTO is the timeout before the first RTT sample (RFC 6298 §2.1).
	InitialRTO = sim.Second
	// MinRTO is the smallest adaptive timeout. Deviation: RFC 6298 §2.4
	// asks for 1 s; the clock granularity G = 1 ms is used instead, so
	// that on a classroom link of a few milliseconds the estimator is
	// seen to adapt.
	MinRTO = sim.Millisecond
	// MaxRTO caps backoff (RFC 6298 §2.5).
	MaxRTO = 60 * sim.Second
)

// Config is one flow's protocol parameters.
type Config struct {
	Protocol Protocol
	Window   int // N, in packets: 1 for stop-and-wait
	SeqBits  int // k: sequence numbers are taken modulo 2^k; 1 for stop-and-wait
	// Timeout is the fixed retransmission timeout; 0 means adaptive
	// (RFC 6298 estimator, Karn's rule, backoff).
	Timeout sim.Time
	Packet  int   // payload bytes per packet, 1 to MaxPayload
	Bytes   int64 // bytes to send; the last packet carries the rest
}

// Count returns the number of packets the flow sends.
func (c *Config) Count() int64 { return (c.Bytes + int64(c.Packet) - 1) / int64(c.Packet) }

// size returns the payload bytes of packet a.
func (c *Config) size(a int64) int { return int(min(int64(c.Packet), c.Bytes-a*int64(c.Packet))) }

// MaxWindow is the largest window the model accepts: windows are scanned
// and buffered per packet, and no classroom link needs more.
const MaxWindow = 4096

// Validate checks the parameters: a window of 1 to MaxWindow packets, k
// from 1 to MaxSeqBits; stop-and-wait with N = 1 and k = 1; Go-Back-N
// with N ≤ 2^k − 1 (with N = 2^k a cumulative ACK could mean "all" or
// "none", K&R §3.4.3); Selective Repeat with N ≤ 2^k, so that the
// sender's own window holds distinct numbers. Selective Repeat with
// N > 2^(k−1) is allowed on purpose: it is the textbook's dilemma
// (Figure 3.27), in which the receiver takes an old packet for a new one.
func (c *Config) Validate() error {
	if c.SeqBits < 1 || c.SeqBits > MaxSeqBits {
		return fmt.Errorf("rdt: seq_bits %d, want 1 to %d", c.SeqBits, MaxSeqBits)
	}
	if c.Window < 1 || c.Window > MaxWindow {
		return fmt.Errorf("rdt: window %d, want 1 to %d packets", c.Window, MaxWindow)
	}
	space := 1 << c.SeqBits
	switch c.Protocol {
	case StopAndWait:
		if c.Window != 1 || c.SeqBits != 1 {
			return fmt.Errorf("rdt: stop-and-wait has window 1 and seq_bits 1, not %d and %d", c.Window, c.SeqBits)
		}
	case GoBackN:
		if c.Window > space-1 {
			return fmt.Errorf("rdt: go-back-n window %d needs at most 2^k - 1 = %d with seq_bits %d", c.Window, space-1, c.SeqBits)
		}
	case SelectiveRepeat:
		if c.Window > space {
			return fmt.Errorf("rdt: selective-repeat window %d needs at most 2^k = %d with seq_bits %d", c.Window, space, c.SeqBits)
		}
	case RDT20, RDT21, RDT22:
		if c.Window != 1 || c.SeqBits != 1 {
			return fmt.Errorf("rdt: %v has window 1 and seq_bits 1, not %d and %d", c.Protocol, c.Window, c.SeqBits)
		}
		if c.Timeout != 0 {
			return fmt.Errorf("rdt: %v has no timer, not a timeout of %v", c.Protocol, c.Timeout)
		}
	default:
		return fmt.Errorf("rdt: unknown protocol %d", c.Protocol)
	}
	if c.Packet < 1 || c.Packet > MaxPayload {
		return fmt.Errorf("rdt: packet %d bytes, want 1 to %d", c.Packet, MaxPayload)
	}
	if c.Bytes < 1 {
		return fmt.Errorf("rdt: %d bytes to send, want at least 1", c.Bytes)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("rdt: negative timeout %v", c.Timeout)
	}
	return nil
}

// rtoEstimator is RFC 6298's retransmission-timeout estimator, in integer
// nanoseconds: SRTT and RTTVAR with α = 1/8, β = 1/4, K = 4.
type rtoEstimator struct {
	srtt, rttvar, rto sim.Time
	has               bool
}

// sample folds in a measurement r (RFC 6298 §2.2–2.3).
func (e *rtoEstimator) sample(r sim.Time) {
	if !e.has {
		e.srtt, e.rttvar, e.has = r, r/2, true
	} else {
		d := e.srtt - r
		if d < 0 {
			d = -d
		}
		e.rttvar = sim.Blend(e.rttvar, 3, d, 1)
		e.srtt = sim.Blend(e.srtt, 7, r, 1)
	}
	e.rto = min(max(e.srtt.Add(max(MinRTO, e.rttvar.Mul(4))), MinRTO), MaxRTO)
}

// backoff doubles the timeout after an expiry (RFC 6298 §5.5).
func (e *rtoEstimator) backoff() { e.rto = min(e.rto.Mul(2), MaxRTO) }
