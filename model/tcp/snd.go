package tcp

import (
	"fmt"

	"tcpsim/model/payload"
	"tcpsim/model/seqnum"
	"tcpsim/model/wire"
)

// offset maps a sequence number on the send side (at most 2^31 from
// SND.UNA, as everything in flight is) to its 64-bit stream offset. The
// SYN takes ISS itself, so ISS+1 is offset 0; a stream longer than 4 GiB
// reuses sequence numbers but never offsets.
func (e *Endpoint) offset(s seqnum.Value) int64 { return e.sndUnaOff + seqnum.Delta(e.sndUna, s) }

// setSndUna moves SND.UNA forward to ack, and its stream offset with it.
func (e *Endpoint) setSndUna(ack seqnum.Value) {
	e.sndUnaOff += seqnum.Delta(e.sndUna, ack)
	e.sndUna = ack
}

// hasData reports whether unsent application bytes exist at s.
func (e *Endpoint) hasData(s seqnum.Value) bool { return e.offset(s) < e.appEnd }

// data returns the stream bytes [off, off+n). For the payload package's
// pattern it also notes their checksum contribution, found in O(1), for
// PayloadSum.
func (e *Endpoint) data(off int64, n int) []byte {
	if e.cfg.Data != nil {
		return e.cfg.Data(off, n)
	}
	b := payload.At(off, n)
	if b != nil {
		e.paySum, e.paySumKnown = payload.Sum(off, n), true
	}
	return b
}

// smss is the sender's maximum segment size: the smaller of ours and the
// peer's announced MSS.
func (e *Endpoint) smss() int { return min(e.cfg.MSS, e.peerMSS) }

// window is the usable send window: min(cwnd, rwnd), or rwnd alone
// without congestion control.
func (e *Endpoint) window() int {
	if e.cfg.Congestion == CCNone {
		return e.sndWnd
	}
	return min(e.cwnd, e.sndWnd)
}

// halfFlight is ssthresh after a loss: max(FlightSize/2, 2·SMSS)
// (RFC 5681 §3.1 eq. 4).
func (e *Endpoint) halfFlight() int {
	fs := int(e.sndUna.Size(e.sndMax))
	return max(fs/2, 2*e.smss())
}

// output sends what the windows allow: new or go-back-N data from SND.NXT,
// then a FIN once all data is out. It keeps the invariant that a new
// segment never takes the bytes in flight above min(cwnd, rwnd).
func (e *Endpoint) output() {
	switch e.state {
	case Established, CloseWait, FinWait1, Closing, LastAck:
	default:
		return
	}
	mss := e.smss()
	for {
		inFlight := int(e.sndUna.Size(e.sndNxt))
		wnd := e.window()
		avail := e.appEnd - e.offset(e.sndNxt)
		if avail > 0 {
			room := wnd - inFlight
			n := int(min(int64(mss), avail))
			// Sender silly-window avoidance (RFC 9293 §3.8.6.2.1): send a
			// full segment (or all that is left), or at least half the
			// largest window the peer has offered (Fs = 1/2); a smaller
			// remainder waits for ACKs or, with nothing in flight, for
			// the override timeout (the persist timer).
			if room >= n || (room > 0 && room >= e.maxSndWnd/2) {
				e.sendSegment(e.sndNxt, min(n, room), false)
				continue
			}
			if inFlight == 0 && e.persistAt == 0 {
				if e.sndWnd == 0 {
					e.st.ZeroWindowSeen++
				}
				e.persistBackoff = 0
				e.persistAt = e.clock.Now() + e.persistInterval()
			}
			return
		}
		if e.closeAsked && !e.finSent() && avail == 0 {
			e.sendFin()
		}
		return
	}
}

// finSent reports whether our FIN is out (and not rewound by go-back-N).
func (e *Endpoint) finSent() bool { return e.finSet && e.sndNxt == e.finSeq+1 }

// sendSegment sends size bytes at seq from SND.NXT, advancing it.
func (e *Endpoint) sendSegment(seq seqnum.Value, size int, fast bool) {
	e.transmit(seq, size, false, fast)
}

// retransmit resends the segment at seq (at most one SMSS) without moving
// SND.NXT: fast retransmit, NewReno's partial-ACK retransmission, or the
// forced retransmission of an RTO with a closed window.
func (e *Endpoint) retransmit(seq seqnum.Value, fast bool) {
	off := e.offset(seq)
	size := int(min(int64(e.smss()), e.appEnd-off))
	if size <= 0 {
		if e.finSet && seq == e.finSeq {
			e.emit(wire.FlagFIN|wire.FlagACK, seq, nil)
			e.countRetrans(fast)
		}
		return
	}
	e.transmit(seq, size, true, fast)
}

func (e *Endpoint) countRetrans(fast bool) {
	if fast {
		e.st.FastRetrans++
	} else {
		e.st.TimeoutRetrans++
	}
}

func (e *Endpoint) transmit(seq seqnum.Value, size int, rexmit, fast bool) {
	off := e.offset(seq)
	if !rexmit {
		end := seq.Add(seqnum.Size(size))
		if inFlight := int(e.sndUna.Size(end)); inFlight > e.window() && e.sndWnd > 0 {
			panic(fmt.Sprintf("tcp: invariant broken: %d bytes in flight > min(cwnd %d, rwnd %d)", inFlight, e.cwnd, e.sndWnd))
		}
	}
	isRetrans := seq.LessThan(e.sndMax)
	if isRetrans {
		e.rttTiming = false // Karn's algorithm
	} else if !e.rttTiming {
		e.rttTiming = true
		e.rttSeq = seq.Add(seqnum.Size(size))
		e.rttStart = e.clock.Now()
	}
	flags := wire.FlagACK
	end := seq.Add(seqnum.Size(size))
	if off+int64(size) == e.appEnd {
		flags |= wire.FlagPSH
	}
	e.st.DataSegsSent++
	e.st.BytesSent += int64(size)
	if isRetrans {
		e.countRetrans(fast || e.goBackFast)
	}
	e.emit(flags, seq, e.data(off, size))
	if !rexmit {
		e.sndNxt = end
	}
	e.sndMax = seqnum.Max(e.sndMax, end)
	if e.rtxAt == 0 {
		e.rtxAt = e.clock.Now() + e.rto // RFC 6298 §5.1
	}
}

func (e *Endpoint) sendFin() {
	if !e.finSet {
		e.finSet = true
		e.finSeq = e.sndNxt
		switch e.state {
		case Established:
			e.setState(FinWait1)
		case CloseWait:
			e.setState(LastAck)
		}
	}
	if e.finSeq.LessThan(e.sndMax) {
		e.countRetrans(false)
	}
	e.emit(wire.FlagFIN|wire.FlagACK, e.finSeq, nil)
	e.sndNxt = e.finSeq + 1
	e.sndMax = seqnum.Max(e.sndMax, e.sndNxt)
	if e.rtxAt == 0 {
		e.rtxAt = e.clock.Now() + e.rto
	}
}
