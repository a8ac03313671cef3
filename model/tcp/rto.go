package tcp

import (
	"strconv"

	"tcpsim/model/seqnum"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// onRTO handles expiry of the retransmission timer (RFC 6298 §5.4–5.6,
// RFC 5681 §3.1 eq. 4).
func (e *Endpoint) onRTO() {
	e.st.RTOExpirations++
	e.retries++
	switch e.state {
	case SynSent, SynReceived:
		limit, what := e.cfg.SynRetries, "SYN"
		if e.state == SynReceived && e.cfg.SynAckRetries > 0 {
			limit, what = e.cfg.SynAckRetries, "SYN-ACK"
		}
		if e.retries > limit {
			e.abort("no answer to " + what + " after " + strconv.Itoa(limit) + " retransmissions")
			return
		}
		e.synRTOExpired = true
		e.rtt.backoff()
		e.st.TimeoutRetrans++
		e.sendSyn()
		return
	case Closed, Listen, TimeWait:
		return
	}
	if e.retries > e.cfg.MaxRetries {
		e.abort("no ACK after " + strconv.Itoa(e.cfg.MaxRetries) + " retransmissions")
		return
	}
	// Karn: a retransmitted segment gives no RTT sample.
	e.rtt.timing = false
	if e.rack != nil {
		e.rack.beforeRTO() // for undo: the window before the timeout cut it
	}
	// F-RTO (RFC 5682 step 1): before the cut, which it may undo.
	e.frto.onRTO(&e.snd, e.rec.inRecovery() || e.frto.loss, e.retries)
	e.snd.limitedSent = 0     // a timeout halves all of FlightSize (RFC 5681 eq. 4)
	e.cc.onRTO(e.clock.Now()) // the loss window, RFC 5681 §3.1
	if e.snd.ssExit != nil {
		e.snd.ssExit.reset()
	}
	e.snd.goBackFast = false
	e.rec.onRTO()
	e.rtt.backoff()
	// Go back: resend from SND.UNA as the window allows. With RACK the
	// segments deemed lost are resent instead (nextSeg), SND.NXT stays.
	if e.rack == nil {
		e.snd.nxt = e.snd.una
	}
	e.rtxAt = e.clock.Now().Add(e.rtt.rto)
	sentBefore := e.st.DataSegsSent
	e.output()
	nothing := e.snd.nxt == e.snd.una
	if e.rack != nil {
		nothing = e.st.DataSegsSent == sentBefore
	}
	if nothing && e.snd.una != e.snd.max {
		// Nothing could be sent (zero window): send the oldest segment
		// anyway so that the timeout really retransmits.
		e.retransmit(e.snd.una, false)
	}
}

// onPersist sends a zero-window probe (RFC 9293 §3.8.6.1): one byte beyond
// the window, with a backed-off interval.
func (e *Endpoint) onPersist() {
	if !e.snd.hasData(e.snd.nxt) || e.snd.nxt != e.snd.una {
		return
	}
	if e.snd.wnd > 0 {
		// The window is open but too small for silly-window avoidance:
		// the override timeout of RFC 9293 §3.8.6.2.1 sends what fits,
		// in cwnd too: after a timeout rewound SND.NXT, the loss
		// recovery's pipe may still count data beyond it (RFC 6675's
		// HighData), and the override must not take pipe above cwnd;
		// then the retransmission timer, not this one, resends.
		room := min(e.cc.window()-e.rec.pipe(), e.snd.wnd)
		if room <= 0 {
			return
		}
		e.sendSegment(e.snd.nxt, int(min(int64(min(room, e.snd.smss())), e.snd.appEnd-e.snd.offset(e.snd.nxt))), false)
		return
	}
	e.st.WindowProbes++
	off := e.snd.offset(e.snd.nxt)
	e.emit(wire.FlagACK, e.snd.nxt, e.data(off, 1))
	e.snd.max = seqnum.Max(e.snd.max, e.snd.nxt+1)
	e.persistBackoff++
	e.persistAt = e.clock.Now().Add(e.persistInterval())
}

func (e *Endpoint) persistInterval() sim.Time {
	r := e.rtt.clamp(e.rtt.rto)
	for range min(e.persistBackoff, 16) {
		r = min(r.Mul(2), e.cfg.MaxRTO)
	}
	return r
}
