package tcp

import "tcpsim/model/seqnum"

// dupAckThreshold is the number of duplicate ACKs that triggers fast
// retransmit (RFC 5681 §3.2).
const dupAckThreshold = 3

// onDupAck runs fast retransmit and fast recovery (RFC 5681 §3.2; RFC 6582
// §3.2 for NewReno; Tahoe restarts from one segment instead).
func (e *Endpoint) onDupAck() {
	e.dupAcks++
	mss := e.smss()
	if e.inRecovery {
		if e.cfg.Congestion == CCReno || e.cfg.Congestion == CCNewReno {
			e.setCwnd(e.cwnd+mss, e.ssthresh) // inflate: a segment has left the network
			e.output()
		}
		return
	}
	if e.dupAcks < dupAckThreshold {
		// Limited Transmit (RFC 3042): each of the first two duplicate
		// ACKs lets one new segment out, so that a small window still
		// collects three duplicates. We account for it as a temporary
		// cwnd inflation, removed on the next new ACK, so that in-flight
		// data never exceeds cwnd.
		if e.cfg.Congestion != CCNone && e.hasData(e.sndNxt) {
			e.ltInflation += mss
			e.setCwnd(e.cwnd+mss, e.ssthresh)
			e.output()
		}
		return
	}
	if e.dupAcks != dupAckThreshold {
		return
	}
	e.setCwnd(e.cwnd-e.ltInflation, e.ssthresh)
	e.ltInflation = 0
	// RFC 6582 §3.2 step 2: enter fast retransmit only if the ACK covers
	// more than "recover" (no repeated recovery after a timeout).
	if e.cfg.Congestion == CCNewReno && !e.recover.LessThan(e.sndUna) {
		return
	}
	e.recover = e.sndMax - 1
	e.st.Recoveries++
	switch e.cfg.Congestion {
	case CCNone:
		e.retransmit(e.sndUna, true)
	case CCTahoe:
		// Tahoe goes back to SND.UNA and slow-starts from one segment;
		// the go-back-N resends that follow count as fast retransmissions.
		e.setCwnd(mss, e.halfFlight())
		e.goBackFast = true
		e.sndNxt = e.sndUna
		e.output()
	case CCReno, CCNewReno:
		ss := e.halfFlight()
		e.retransmit(e.sndUna, true)
		e.setCwnd(ss+dupAckThreshold*mss, ss)
		e.inRecovery = true
	}
	e.rtxAt = e.clock.Now() + e.rto
}

// onNewAck grows or deflates cwnd for an ACK of acked new bytes
// (RFC 5681 §3.1 and §3.2 step 6, RFC 6582 §3.2 steps 3–4).
//
// flight is the data in flight before this ACK. cwnd only grows when it
// was what limited the sender (RFC 7661's cwnd validation, simplified):
// otherwise a receiver-limited flow would inflate cwnd without bound.
func (e *Endpoint) onNewAck(ack seqnum.Value, acked, flight int) {
	mss := e.smss()
	prevDup := e.dupAcks
	e.dupAcks = 0
	if e.ltInflation > 0 {
		e.setCwnd(e.cwnd-e.ltInflation, e.ssthresh)
		e.ltInflation = 0
	}
	if e.cfg.Congestion == CCNone {
		return
	}
	if e.inRecovery {
		if e.cfg.Congestion == CCNewReno && ack.LessThanEq(e.recover) {
			// Partial ACK: retransmit the next hole, deflate by the
			// amount acknowledged, add back one SMSS, stay in recovery.
			e.retransmit(ack, true)
			c := e.cwnd - acked
			if acked >= mss {
				c += mss
			}
			e.setCwnd(max(c, mss), e.ssthresh)
			e.dupAcks = prevDup
			return
		}
		// Full ACK (or Reno's first new ACK): deflate to ssthresh.
		fs := int(e.sndUna.Size(e.sndMax))
		e.setCwnd(min(e.ssthresh, max(fs, mss)+mss), e.ssthresh)
		if e.cfg.Congestion == CCReno {
			e.setCwnd(e.ssthresh, e.ssthresh)
		}
		e.inRecovery = false
		return
	}
	if flight+mss < e.cwnd {
		return // not cwnd-limited
	}
	if e.cwnd < e.ssthresh {
		e.setCwnd(e.cwnd+min(acked, mss), e.ssthresh) // slow start, RFC 5681 eq. 2
	} else {
		e.setCwnd(e.cwnd+max(1, mss*mss/e.cwnd), e.ssthresh) // congestion avoidance, eq. 3
	}
}
