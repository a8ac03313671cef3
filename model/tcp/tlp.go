package tcp

import "tcpsim/sim"

// tlpMinTimeout is what Linux adds to 2·SRTT when more than one segment
// is in flight (TCP_TIMEOUT_MIN, two jiffies: 8 ms at the reference
// machine's HZ = 250).
const tlpMinTimeout = 8 * sim.Millisecond

// tlpDelAck is the worst-case delayed-ACK time RFC 8985 §7.2 adds when
// only one segment is in flight (WCDelAckT; Linux adds TCP_RTO_MIN, the
// same 200 ms).
const tlpDelAck = 200 * sim.Millisecond

// tlp is Tail Loss Probe (RFC 8985 §7): when the sender has sent
// everything it may and no ACK comes for about two round trips, it sends
// one segment (new data if it has some, else the last segment again) so
// that the ACK it draws lets RACK find a loss at the tail by itself,
// instead of waiting for the retransmission timer.
type tlp struct {
	end      int64 // TLP.end_seq: SND.NXT's offset after the probe, −1 when no probe is outstanding
	retrans  bool  // TLP.is_retrans: the probe was a retransmission
	probeEnd int64 // the end of the probe segment itself
}

// onDSACK clears a retransmitted probe that a D-SACK reports delivered
// twice: the original arrived too, nothing was lost (RFC 8985 §7.4.1;
// Linux FLAG_DSACK_TLP).
func (p *tlp) onDSACK(d span) {
	if p.end >= 0 && p.retrans && d.end == p.probeEnd {
		p.end = -1
	}
}

func (p *tlp) reset() { *p = tlp{end: -1} }

// arm starts or restarts the probe timer (RFC 8985 §7.2) if a probe may
// be sent: SACK in use (it is, in rackRecovery), no recovery and no
// timeout recovery under way, nothing SACKed (Linux's TCP_CA_Open), no
// probe outstanding, data in flight. PTO = 2·SRTT, plus WCDelAckT with one
// segment in flight (else Linux's TCP_TIMEOUT_MIN), 1 s without an RTT
// sample; never later than the retransmission timer (then the probe
// goes when the timeout would have, in its place, as Linux's
// tcp_schedule_loss_probe does).
func (p *tlp) arm(r *rackRecovery) {
	e := r.e
	s := &e.snd
	if r.recovering || r.lossState || p.end >= 0 || r.segs.sacked > 0 || s.una == s.max {
		e.ptoAt = 0
		return
	}
	pto := sim.Second
	if e.rtt.srtt > 0 {
		pto = 2 * e.rtt.srtt
		if s.flightSize() <= s.smss() {
			pto += tlpDelAck
		} else {
			pto += tlpMinTimeout
		}
	}
	at := e.clock.Now() + pto
	if e.rtxAt != 0 && e.rtxAt < at {
		at = e.rtxAt // Linux probes when the RTO would have fired, instead of it
	}
	e.ptoAt = at
}

// fire sends the probe (RFC 8985 §7.3): one new segment if the receiver's
// window has room for it (whatever cwnd says), else the highest segment
// not SACKed again. Then the retransmission timer restarts.
func (p *tlp) fire(r *rackRecovery) {
	e := r.e
	s := &e.snd
	if r.recovering || r.lossState || p.end >= 0 || s.una == s.max {
		return
	}
	e.st.LossProbes++
	n := int(min(int64(s.smss()), s.appEnd-s.offset(s.nxt)))
	if n > 0 && int(s.una.Size(s.nxt))+n <= s.wnd {
		e.probing = true
		e.sendSegment(s.nxt, n, false)
		e.probing = false
		p.retrans = false
	} else {
		p.retrans = true
		t := &r.segs
		i := len(t.segs) - 1
		for i >= t.head && t.segs[i].flags&segSACKed != 0 {
			i--
		}
		switch {
		case s.finSet && s.finSeq.LessThan(s.max) && !s.finSeq.LessThan(s.una):
			e.retransmit(s.finSeq, true) // the FIN is the tail
			p.probeEnd = s.offset(s.finSeq) + 1
		case i >= t.head:
			g := t.segs[i]
			e.transmit(s.seqAt(g.start), int(min(g.end, s.appEnd)-g.start), true, true)
			p.probeEnd = g.end
		default:
			return
		}
	}
	p.end = s.offset(s.max)
	e.rtxAt = e.clock.Now() + e.rtt.rto
}

// onAck checks an ACK against an outstanding probe (RFC 8985 §7.4): once
// SND.UNA reaches the probe's end, a probe of new data needs nothing more
// (RACK sees any loss); an ACK beyond a retransmitted probe's end shows
// that it repaired a loss (the congestion control cuts the window, as
// Linux's tcp_process_tlp_ack does), and a pure duplicate ACK that both
// copies arrived.
//
// A D-SACK of the probe clears it first (onDSACK).
func (p *tlp) onAck(r *rackRecovery, una int64, advanced bool, delivered int) {
	if p.end < 0 || una < p.end {
		return
	}
	e := r.e
	s := &e.snd
	switch {
	case !p.retrans:
	case una > p.end:
		if !r.recovering && !r.lossState {
			ss := e.cc.onCongestionEvent(e.clock.Now())
			s.setCwnd(ss, ss)
			e.st.LossProbeRecoveries++
		}
	case !advanced && delivered == 0:
	default:
		return
	}
	p.end = -1
}
