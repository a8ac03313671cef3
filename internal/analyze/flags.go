package analyze

import (
	"strings"
	"time"
)

// Flag is one of Wireshark's TCP analysis flags (its tcp.analysis.*
// fields), set on a segment by the rules the Wireshark User's Guide gives
// in "TCP Analysis" (§7.5) and its dissector (epan/dissectors/packet-tcp.c,
// tcp_analyze_sequence_number) applies, in the same order.
type Flag uint16

// The analysis flags. Retransmission is also set with FastRetransmission
// and SpuriousRetransmission, as tshark sets tcp.analysis.retransmission
// with them.
const (
	Retransmission         Flag = 1 << iota // tcp.analysis.retransmission
	FastRetransmission                      // tcp.analysis.fast_retransmission
	SpuriousRetransmission                  // tcp.analysis.spurious_retransmission
	DuplicateACK                            // tcp.analysis.duplicate_ack
	ZeroWindow                              // tcp.analysis.zero_window
	WindowFull                              // tcp.analysis.window_full
	OutOfOrder                              // tcp.analysis.out_of_order
	LostSegment                             // tcp.analysis.lost_segment: previous segment not captured
	KeepAlive                               // tcp.analysis.keep_alive
	ZeroWindowProbe                         // tcp.analysis.zero_window_probe
	WindowUpdate                            // tcp.analysis.window_update
	ACKedUnseen                             // tcp.analysis.ack_lost_segment
	KeepAliveACK                            // tcp.analysis.keep_alive_ack
	ZeroWindowProbeACK                      // tcp.analysis.zero_window_probe_ack
	numFlags               = iota
)

// flagNames are the flags' tshark field names after "tcp.analysis.", in bit
// order.
var flagNames = [numFlags]string{"retransmission", "fast_retransmission", "spurious_retransmission",
	"duplicate_ack", "zero_window", "window_full", "out_of_order", "lost_segment", "keep_alive",
	"zero_window_probe", "window_update", "ack_lost_segment", "keep_alive_ack", "zero_window_probe_ack"}

// FieldNames returns the tshark field names of all flags, in bit order.
func FieldNames() []string {
	out := make([]string, numFlags)
	for i, n := range flagNames {
		out[i] = "tcp.analysis." + n
	}
	return out
}

// String lists the flags set, by tshark field name without the prefix,
// joined by ",": "retransmission,fast_retransmission".
func (f Flag) String() string {
	var b strings.Builder
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(n)
		}
	}
	return b.String()
}

// Serial-number comparisons (RFC 1982) of sequence numbers.
func seqLT(a, b uint32) bool { return int32(a-b) < 0 }
func seqGT(a, b uint32) bool { return int32(a-b) > 0 }
func seqLE(a, b uint32) bool { return int32(a-b) <= 0 }

// half is what analysis remembers of one direction of a connection (the
// dissector's tcp_analyze_seq_info).
type half struct {
	nextSeq     uint32 // the sequence number expected next, once known
	seqKnown    bool
	nextSeqTime time.Time // when nextSeq last advanced
	maxSeqAcked uint32    // the highest sequence number sent, plus one
	lastAck     uint32
	ackKnown    bool
	lastAckTime time.Time
	window      int64 // last advertised window, scaled
	winKnown    bool
	dupAcks     int  // duplicate ACKs in a row
	lastFlags   Flag // the analysis flags of the last segment
	wscale      int  // window scale shift from its SYN: -1 no SYN seen, -2 no option, 0 no scaling
}

// fastRetransWindow is the dissector's limit on the time since the
// duplicate ACK for a fast retransmission (20 ms).
const fastRetransWindow = 20 * time.Millisecond

// defaultOOO is the out-of-order threshold when the handshake was not
// seen (3 ms); otherwise it is the initial RTT.
const defaultOOO = 3 * time.Millisecond

// analyse sets the flags of segment s of connection c going direction d
// (0 from A, 1 from B) at time t, and updates c's state. win is the window
// s advertises, scaled. The checks and their order are the dissector's:
// a zero window probe, a keep-alive ACK and a zero window probe ACK end
// the per-segment checks early; the ACKed-unseen check and the
// retransmission family run for every segment.
func (c *Conn) analyse(s *Segment, d int, t time.Time, win int64) Flag {
	fwd, rev := &c.half[d], &c.half[1-d]
	var fl Flag
	seglen := uint32(s.Len)
	synFinRst := s.Flags&(SYN|FIN|RST) != 0
	seq, ack := s.Seq, s.Ack
	// sameAck: a segment without data at the next sequence number
	// repeating this side's last ACK.
	sameAck := seglen == 0 && fwd.seqKnown && seq == fwd.nextSeq && fwd.ackKnown && ack == fwd.lastAck && !synFinRst

	switch {
	// Zero window probe: one byte at the next sequence number into a
	// window the other side closed (a window not yet seen counts as
	// closed, as in the dissector).
	case seglen == 1 && fwd.seqKnown && seq == fwd.nextSeq && rev.window == 0:
		fl |= ZeroWindowProbe
	default:
		if win == 0 && !synFinRst {
			fl |= ZeroWindow
		}
		// Previous segment not captured: data beyond what was expected.
		if fwd.seqKnown && seqGT(seq, fwd.nextSeq) && s.Flags&RST == 0 {
			fl |= LostSegment
		}
		// Keep-alive: zero or one byte one below the next sequence number.
		if seglen <= 1 && !synFinRst && fwd.seqKnown && seq == fwd.nextSeq-1 {
			fl |= KeepAlive
		}
		// Window update: a pure ACK changing only the window.
		if sameAck && win != 0 && win != fwd.window {
			fl |= WindowUpdate
		}
		// Window full: the segment reaches the edge of the other side's
		// window, once its SYN said how that window scales.
		if seglen > 0 && rev.wscale != -1 && rev.ackKnown && seq+seglen == rev.lastAck+uint32(rev.window) && !synFinRst {
			fl |= WindowFull
		}
		switch {
		case sameAck && win != 0 && win == fwd.window && rev.lastFlags&KeepAlive != 0:
			fl |= KeepAliveACK
		case sameAck && win == 0 && win == fwd.window && rev.lastFlags&ZeroWindowProbe != 0:
			fl |= ZeroWindowProbeACK
		case sameAck && win != 0 && win == fwd.window:
			// Duplicate ACK: a pure ACK repeating the last ACK and window.
			fwd.dupAcks++
			fl |= DuplicateACK
		}
	}
	if !fwd.ackKnown || ack != fwd.lastAck {
		fwd.dupAcks = 0
	}
	// ACKed segment that was not captured: beyond the highest sequence
	// number the other side was seen to send without a gap.
	if rev.seqKnown && s.Flags&ACK != 0 && seqGT(ack, rev.maxSeqAcked) {
		fl |= ACKedUnseen
		rev.maxSeqAcked = rev.nextSeq
	}
	// Data (or SYN, FIN) below the next sequence number: a fast
	// retransmission, out of order, a spurious retransmission or a
	// retransmission. A segment of more than one byte starting one
	// below (after a zero window probe) is new data, but may still be
	// spurious.
	if (seglen > 0 || s.Flags&(SYN|FIN) != 0) && fl&KeepAlive == 0 {
		notAdvanced := fwd.seqKnown && seqLT(seq, fwd.nextSeq) && !(seglen > 1 && seq == fwd.nextSeq-1)
		switch {
		case notAdvanced && rev.dupAcks >= 2 && rev.ackKnown && rev.lastAck == seq && t.Sub(rev.lastAckTime) < fastRetransWindow:
			fl |= FastRetransmission | Retransmission
		case notAdvanced && t.Sub(fwd.nextSeqTime) < c.oooThreshold() && fwd.nextSeq != seq+seglen:
			fl |= OutOfOrder
		case seglen > 0 && rev.ackKnown && seqLE(seq+seglen, rev.lastAck):
			fl |= SpuriousRetransmission | Retransmission
		case notAdvanced:
			fl |= Retransmission
		}
	}
	next := seq + seglen
	if s.Flags&(SYN|FIN) != 0 {
		next++
	}
	// A zero window probe's byte moves neither the next sequence number
	// nor the highest one to be ACKed.
	if fl&ZeroWindowProbe == 0 {
		if !fwd.seqKnown || seqGT(next, fwd.nextSeq) {
			fwd.nextSeq, fwd.nextSeqTime = next, t
		}
		if !fwd.seqKnown || seq == fwd.maxSeqAcked {
			fwd.maxSeqAcked = fwd.nextSeq
		}
		fwd.seqKnown = true
	}
	fwd.window, fwd.winKnown, fwd.lastFlags = win, true, fl
	if s.Flags&ACK != 0 {
		fwd.lastAck, fwd.lastAckTime, fwd.ackKnown = ack, t, true
	}
	return fl
}

// oooThreshold is the out-of-order threshold: the initial RTT, or 3 ms
// before the handshake completed.
func (c *Conn) oooThreshold() time.Duration {
	if c.IRTT > 0 {
		return c.IRTT
	}
	return defaultOOO
}
