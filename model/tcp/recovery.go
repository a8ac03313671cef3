package tcp

import "tcpsim/model/seqnum"

// lossRecovery repairs the losses that duplicate ACKs (or, with SACK, the
// scoreboard) reveal, before the retransmission timer has to: it decides
// when a loss is declared, what is retransmitted and how cwnd is inflated
// and deflated while recovering. By how much the window is cut is the
// congestion control's decision, asked through
// congestionControl.onCongestionEvent when a loss is declared, and told
// through onRecoveryExit when recovery ends.
//
// One is chosen per connection: renoRecovery (recovery_reno.go), fast
// retransmit and fast recovery by duplicate ACKs alone (RFC 5681 §3.2,
// RFC 6582) in the variant the congestion control asks for; sackRecovery
// (recovery_sack.go), SACK-based loss recovery (RFC 6675), chosen by
// Endpoint.useSACK when both ends negotiated SACK and the congestion control
// has fast recovery. It lives in
// Endpoint.rec and holds a pointer to its Endpoint, whose sender
// (e.snd), transmit functions (e.retransmit, e.output) and congestion
// control (e.cc) it drives, as gVisor's renoRecovery and sackRecovery do.
//
// The sender calls it at these points, in this order within one ACK
// (input.go processAck, rto.go onRTO, snd.go output):
//
//   - onDupAck, for every duplicate ACK: without SACK as RFC 5681 §2
//     defines it (no data, same window, ACK = SND.UNA, data outstanding),
//     with SACK an ACK = SND.UNA that SACKs new data (RFC 6675 §2); the
//     sender has fed the scoreboard (sender.takeSACK) before this call;
//   - onNewAck, for every ACK that moves SND.UNA, after SND.UNA, SND.NXT,
//     the peer's window and the RTT estimate have been updated (and after
//     output has run for a larger window) and before the congestion
//     control grows the window: partial and full ACKs (RFC 6582 §3.2 steps
//     3–4; RFC 6675 §5 step (A)). If it returns true the ACK belonged to
//     loss recovery and the congestion control's onAck is not called;
//   - onRTO, when the retransmission timer expires with data outstanding,
//     after the congestion control's onRTO and before the go-back-N resend
//     from SND.UNA (RFC 6582 §3.2 step 4, RFC 6675 §5.1);
//   - pipe and nextSeg, from output, each time round its loop.
//
// Methods run on the hot path: they must not allocate.
type lossRecovery interface {
	onDupAck()
	onNewAck(ack seqnum.Value, acked int) (recovering bool)
	onRTO()

	// inRecovery reports whether a loss recovery episode is under way.
	inRecovery() bool

	// pipe returns the bytes counted as in flight against cwnd when
	// output decides whether a segment may be sent: SND.NXT − SND.UNA
	// without SACK, RFC 6675's pipe (§4, SetPipe) with it.
	pipe() int

	// nextSeg returns a retransmission to send before any new data, as
	// RFC 6675 §4 NextSeg() rule 1 (and 3–4) picks it: the segment at seq
	// of size bytes. ok is false when new data at SND.NXT (rule 2) comes
	// next. When it returns ok, output sends the segment if
	// min(cwnd, rwnd) − pipe has room for it (size 0 is the FIN: room for
	// one byte) and otherwise stops; so an implementation records the
	// retransmission (HighRxt) in pipe when, and only when, there is that
	// room, or output asks again forever.
	nextSeg() (seq seqnum.Value, size int, ok bool)
}

// noteRecovery tells Config.Observer that a loss recovery episode
// started (enter true) or ended.
func (e *Endpoint) noteRecovery(enter bool) {
	if e.cfg.Observer != nil {
		e.cfg.Observer.TCPEvent(EvRecovery, Note{Enter: enter})
	}
}
