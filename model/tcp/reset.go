package tcp

import "tcpsim/model/wire"

// ResetFor returns the reset that answers a segment arriving where no
// connection exists (RFC 9293 §3.10.7.1, "If the state is CLOSED"): h is
// the arriving header and n its payload length. A segment that is itself
// a RST gets nothing (ok is false). Otherwise the reset's numbers make it
// acceptable to the sender of h:
//
//   - if h's ACK bit is off: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>,
//     SEG.LEN counting the SYN and FIN;
//   - if it is on: <SEQ=SEG.ACK><CTL=RST>.
//
// The reset goes back to the sender's port from the port h was sent to,
// with a zero window and no options. It is what a host sends for a port
// nobody listens on (Linux's tcp_v4_send_reset) and what a CLOSED
// endpoint sends.
func ResetFor(h *wire.TCP, n int) (rst wire.TCP, ok bool) {
	if h.Flags&wire.FlagRST != 0 {
		return wire.TCP{}, false // "An incoming segment containing a RST is discarded."
	}
	rst = wire.TCP{SrcPort: h.DstPort, DstPort: h.SrcPort, WScale: -1}
	if h.Flags&wire.FlagACK != 0 {
		rst.Seq, rst.Flags = h.Ack, wire.FlagRST
		return rst, true
	}
	slen := uint32(n)
	if h.Flags&wire.FlagSYN != 0 {
		slen++
	}
	if h.Flags&wire.FlagFIN != 0 {
		slen++
	}
	rst.Ack, rst.Flags = h.Seq+slen, wire.FlagRST|wire.FlagACK
	return rst, true
}
