package tcp

import (
	"tcpsim/model/seqnum"
	"tcpsim/model/wire"
)

// ecnState is Explicit Congestion Notification (RFC 3168 §6.1), both
// halves: negotiated in the handshake; the receiver echoes a CE mark with
// ECE on its ACKs until the sender says CWR; the sender treats an ECE as
// a congestion event without a loss, at most once per window of data.
type ecnState struct {
	on bool // both ends asked for ECN (§6.1.1)
	// Receiver: set ECE on every ACK, from a CE-marked arrival until a
	// segment with CWR (§6.1.3).
	ece bool
	// Sender: set CWR on the next new data segment (§6.1.2); no new
	// reduction until SND.UNA passes recover, SND.MAX at the last one:
	// the ACK of the data sent before the CWR segment still echoes the
	// old mark.
	cwrPending bool
	recover    seqnum.Value
	ect        bool // the segment being emitted may be sent ECT(0)
}

// ecnNegotiate records, from the peer's SYN or SYN-ACK, whether the
// connection uses ECN (RFC 3168 §6.1.1): an ECN-setup SYN carries ECE and
// CWR, an ECN-setup SYN-ACK ECE alone.
func (e *Endpoint) ecnNegotiate(h *wire.TCP) {
	f := h.Flags & (wire.FlagECE | wire.FlagCWR)
	want := wire.FlagECE | wire.FlagCWR
	if h.Flags&wire.FlagACK != 0 {
		want = wire.FlagECE
	}
	e.ecn.on = e.cfg.ECN && f == want
	e.ecn.recover = e.snd.iss
}

// ecnFlags adds the ECN bits to the flags of a segment about to be sent:
// ECE and CWR on a SYN that offers ECN, ECE on the SYN-ACK that accepts
// it, and afterwards ECE on every ACK while a CE mark waits to be
// acknowledged by a CWR.
func (e *Endpoint) ecnFlags(flags uint8) uint8 {
	switch {
	case flags&wire.FlagSYN != 0 && flags&wire.FlagACK == 0:
		return flags | wire.FlagECE | wire.FlagCWR
	case flags&wire.FlagSYN != 0:
		if e.ecn.on {
			return flags | wire.FlagECE
		}
	case e.ecn.on && e.ecn.ece && flags&(wire.FlagACK|wire.FlagRST) == wire.FlagACK:
		return flags | wire.FlagECE
	}
	return flags
}

// InputECN is Input for a segment whose IPv4 header carried the ECN
// codepoint ecn (wire.ECNCE when a queue marked it). A CWR ends the echo
// of earlier marks, then a CE starts a new one (RFC 3168 §6.1.3).
//
// Deviation: the echo is set before the segment's acceptability is
// checked, so that a marked segment outside the window is echoed too; it
// went through the congested queue all the same.
func (e *Endpoint) InputECN(h *wire.TCP, data []byte, ecn uint8) {
	if e.ecn.on {
		if h.Flags&wire.FlagCWR != 0 {
			e.ecn.ece = false
		}
		if ecn == wire.ECNCE {
			e.st.CEReceived++
			e.ecn.ece = true
		}
	}
	e.Input(h, data)
}

// ecnEcho reacts to an ACK carrying ECE (RFC 3168 §6.1.2): as to a loss
// found by duplicate ACKs, through the congestion control (ssthresh =
// max(FlightSize/2, 2·SMSS) for Reno's family, RFC 5681 eq. 4; β_cubic
// for CUBIC), with cwnd = ssthresh and no retransmission; at most once per
// window of data and not during loss recovery. It reports whether it cut
// the window (the ACK then does not grow it).
//
// Deviation: a loss found within the window after an ECE reduction cuts
// the window again (RFC 3168 asks for one reduction per window for both).
func (e *Endpoint) ecnEcho(h *wire.TCP) bool {
	if !e.ecn.on || h.Flags&wire.FlagECE == 0 || h.Flags&wire.FlagSYN != 0 {
		return false
	}
	e.st.ECEReceived++
	if _, none := e.cc.(noCC); none || e.rec.inRecovery() || !e.ecn.recover.LessThan(e.snd.una) {
		return false
	}
	now := e.clock.Now()
	ssthresh := e.cc.onCongestionEvent(now)
	e.snd.setCwnd(ssthresh, ssthresh)
	e.cc.onRecoveryExit(now) // a reduction without a recovery: CUBIC starts its epoch
	e.ecn.recover = e.snd.max
	e.ecn.cwrPending = true
	e.st.ECNReductions++
	return true
}

// ECT reports, during Output, whether the segment being sent is new data
// on a connection that negotiated ECN, to be sent ECN-capable (ECT(0)):
// not a pure ACK (RFC 3168 §6.1.4), not a retransmission (§6.1.5), not a
// window probe (§6.1.6), not a SYN (§6.1.1).
func (e *Endpoint) ECT() bool { return e.ecn.ect }

// ECN reports whether the connection negotiated ECN (RFC 3168 §6.1.1).
func (e *Endpoint) ECN() bool { return e.ecn.on }
