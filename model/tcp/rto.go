package tcp

import (
	"strconv"

	"tcpsim/model/seqnum"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// K is RFC 6298's variance multiplier.
const rttK = 4

// sampleRTT updates SRTT, RTTVAR and RTO with a measurement r, as RFC 6298
// §2.2–2.4 says, in integer nanoseconds. α = 1/8 and β = 1/4.
func (e *Endpoint) sampleRTT(r sim.Time) {
	e.st.RTTSamples++
	if !e.hasRTT {
		e.srtt = r
		e.rttvar = r / 2
		e.hasRTT = true
	} else {
		d := e.srtt - r
		if d < 0 {
			d = -d
		}
		e.rttvar = (3*e.rttvar + d) / 4 // RTTVAR <- (1-β)·RTTVAR + β·|SRTT-R'|
		e.srtt = (7*e.srtt + r) / 8     // SRTT <- (1-α)·SRTT + α·R'
	}
	e.rto = e.clampRTO(e.srtt + max(e.cfg.Granularity, rttK*e.rttvar))
	if e.cfg.OnRTT != nil {
		e.cfg.OnRTT(r, e.srtt, e.rttvar, e.rto)
	}
}

func (e *Endpoint) clampRTO(r sim.Time) sim.Time {
	return min(max(r, e.cfg.MinRTO), e.cfg.MaxRTO)
}

// backoff doubles the RTO (RFC 6298 §5.5), up to the maximum.
func (e *Endpoint) backoff() { e.rto = min(2*e.rto, e.cfg.MaxRTO) }

// onRTO handles expiry of the retransmission timer (RFC 6298 §5.4–5.6,
// RFC 5681 §3.1 eq. 4).
func (e *Endpoint) onRTO() {
	e.st.RTOExpirations++
	e.retries++
	switch e.state {
	case SynSent, SynReceived:
		if e.retries > e.cfg.SynRetries {
			e.abort("no answer to SYN after " + strconv.Itoa(e.cfg.SynRetries) + " retransmissions")
			return
		}
		e.synRTOExpired = true
		e.backoff()
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
	e.rttTiming = false
	if e.cfg.Congestion != CCNone {
		e.setCwnd(e.cfg.MSS, e.halfFlight()) // loss window: one segment
	}
	e.inRecovery = false
	e.goBackFast = false
	e.ltInflation = 0
	e.dupAcks = 0
	e.recover = e.sndMax - 1 // RFC 6582 §3.2 step 4 after a timeout
	e.backoff()
	// Go back: resend from SND.UNA as the window allows.
	e.sndNxt = e.sndUna
	e.rtxAt = e.clock.Now() + e.rto
	e.output()
	if e.sndNxt == e.sndUna && e.sndUna != e.sndMax {
		// Nothing could be sent (zero window): send the oldest segment
		// anyway so that the timeout really retransmits.
		e.retransmit(e.sndUna, false)
	}
}

// onPersist sends a zero-window probe (RFC 9293 §3.8.6.1): one byte beyond
// the window, with a backed-off interval.
func (e *Endpoint) onPersist() {
	if !e.hasData(e.sndNxt) || e.sndNxt != e.sndUna {
		return
	}
	if e.sndWnd > 0 {
		// The window is open but too small for silly-window avoidance:
		// the override timeout of RFC 9293 §3.8.6.2.1 sends what fits.
		e.sendSegment(e.sndNxt, int(min(int64(min(e.window(), e.smss())), e.appEnd-e.offset(e.sndNxt))), false)
		return
	}
	e.st.WindowProbes++
	off := e.offset(e.sndNxt)
	e.emit(wire.FlagACK, e.sndNxt, e.data(off, 1))
	e.sndMax = seqnum.Max(e.sndMax, e.sndNxt+1)
	e.persistBackoff++
	e.persistAt = e.clock.Now() + e.persistInterval()
}

func (e *Endpoint) persistInterval() sim.Time {
	r := e.clampRTO(e.rto)
	for range min(e.persistBackoff, 16) {
		r = min(2*r, e.cfg.MaxRTO)
	}
	return r
}
