package tcp

import "fmt"

// prr is Proportional Rate Reduction (RFC 6937; RFC 9937 obsoletes it
// with the same core): during a loss recovery it sets cwnd on every ACK so
// that what the sender transmits follows what the receiver has been
// delivered, in proportion ssthresh/RecoverFS while pipe is above ssthresh
// and, once pipe has fallen below it, slow-starting back up to it by the
// Slow-Start Reduction Bound (PRR-SSRB). At the end of the recovery cwnd
// is ssthresh, the window the congestion control asked for, reached
// without the burst of RFC 6675 (all of it at once) nor the stall of RFC
// 5681's halving (nothing sent for half a round trip).
//
// It is not a loss recovery of its own: a lossRecovery (sackRecovery,
// rackRecovery) that has it calls start when a recovery begins, onAck for
// every ACK in the recovery, and cwnd's value it returns replaces the
// congestion control's; the sender counts every segment it transmits in
// the recovery into out (Endpoint.transmit). Everything is in bytes, as
// the RFC writes it.
//
// Deviation: Linux (tcp_cwnd_reduction) and ns-3 (TcpPrrRecovery, 3.37)
// take RecoverFS as, respectively, cwnd before the reduction and the
// FlightSize at the start; tcpsim takes RFC 6937's FlightSize (SND.NXT −
// SND.UNA) at the start, the same as both for a window-limited flow. Like
// both it forces the first retransmission out (sndcnt at least one SMSS
// while prr_out is 0, RFC 9937 §7), and uses PRR-SSRB's extra SMSS only
// for an ACK that moved SND.UNA without revealing a further loss (RFC 9937
// §7's SafeACK, Linux's FLAG_SND_UNA_ADVANCED && !newly_lost) when safeACK
// is set; without it (ns-3.37) always. The proportional part's quotient
// is rounded up to whole segments, as Linux counts it in packets: in bytes
// a remainder below SMSS would hold a segment back until the next ACK.
type prr struct {
	on        bool // PRR is in use for this connection (Config.PRR)
	active    bool // a recovery is under way
	safeACK   bool // RFC 9937's SafeACK test for SSRB's extra segment
	recoverFS int  // RecoverFS: FlightSize when the recovery began
	delivered int  // prr_delivered: bytes delivered to the receiver in the recovery
	out       int  // prr_out: bytes sent since the recovery began
	ssthresh  int  // the target the congestion control set
	lastSnd   int  // sndcnt of the last ACK
	ackOut    int  // prr_out when the last ACK set cwnd
	smss      int  // SMSS, for SSRB and the forced retransmission
}

// start begins a recovery (RFC 6937 §3.1 "on entering recovery"):
// ssthresh is the congestion control's new threshold, flight the
// FlightSize at the start (RecoverFS). The fast retransmission may be sent
// before the first onAck: it counts in prr_out, and onAck's allowance
// includes it.
func (p *prr) start(flight, ssthresh, smss int) {
	p.active = true
	p.recoverFS = max(flight, 1)
	p.delivered, p.out = 0, 0
	p.ssthresh = ssthresh
	p.smss = smss
	p.lastSnd, p.ackOut = smss, 0 // the fast retransmit may go before the first onAck
}

// onAck returns the cwnd for an ACK in recovery (RFC 6937 §3.1 "on every
// ACK during recovery"): delivered is DeliveredData, the bytes this ACK
// newly acknowledged cumulatively or selectively; pipe is RFC 6675's pipe
// after it; advanced says the ACK moved SND.UNA and lost that no further
// loss was found (for SafeACK). cwnd = pipe + sndcnt.
func (p *prr) onAck(delivered, pipe int, advanced, lost bool) (cwnd int) {
	p.delivered += delivered
	var sndcnt int
	if pipe > p.ssthresh {
		// Proportional Rate Reduction: CEIL(prr_delivered·ssthresh /
		// RecoverFS) − prr_out, the quotient rounded up to whole
		// segments.
		q := (int64(p.delivered)*int64(p.ssthresh) + int64(p.recoverFS) - 1) / int64(p.recoverFS)
		q = (q + int64(p.smss) - 1) / int64(p.smss) * int64(p.smss)
		sndcnt = int(q) - p.out
	} else {
		// PRR-SSRB: MAX(prr_delivered − prr_out, DeliveredData) + MSS,
		// the MSS only for a SafeACK in RFC 9937.
		limit := max(p.delivered-p.out, delivered)
		if !p.safeACK || (advanced && !lost) {
			limit += p.smss
		}
		sndcnt = min(p.ssthresh-pipe, limit)
	}
	if p.out == 0 {
		sndcnt = max(sndcnt, p.smss) // the fast retransmit goes out at once
	}
	sndcnt = max(sndcnt, 0)
	p.lastSnd, p.ackOut = sndcnt, p.out
	return pipe + sndcnt
}

// sent counts n bytes transmitted during the recovery (prr_out). It
// panics if the bytes sent since the last ACK exceed the sndcnt that ACK
// allowed, less than one segment's rounding: the sender broke PRR's
// sending limit.
func (p *prr) sent(n int) {
	if !p.active {
		return
	}
	p.out += n
	if p.out-p.ackOut > p.lastSnd {
		panic(fmt.Sprintf("tcp: invariant broken: %d bytes sent in recovery since the last ACK, PRR allowed %d", p.out-p.ackOut, p.lastSnd))
	}
}

// allow lets the sender send room more bytes before the next ACK without
// a new sndcnt: RACK's reordering timer deems segments lost between ACKs,
// and Linux (tcp_rack_reo_timeout) then sends into the pipe they freed
// with cwnd as the last ACK left it.
func (p *prr) allow(room int) {
	if p.active {
		p.lastSnd, p.ackOut = max(room, 0), p.out
	}
}

// stop ends the recovery: the caller sets cwnd to ssthresh (RFC 6937
// §3.1, "cwnd = ssthresh" on exiting recovery).
func (p *prr) stop() { p.active = false }
