package tcp

import (
	"fmt"

	"tcpsim/model/payload"
	"tcpsim/model/seqnum"
	"tcpsim/model/wire"
)

// sender is the send half of a connection: the send sequence variables
// (RFC 9293 §3.3.1), the peer's window, the application's stream and the
// congestion window. The congestion control changes cwnd and ssthresh
// through setCwnd; the Endpoint's transmit functions move SND.NXT and
// SND.MAX; processAck moves SND.UNA through setUna.
type sender struct {
	iss seqnum.Value // ISS
	una seqnum.Value // SND.UNA: oldest unacknowledged
	// unaOff is the 64-bit stream offset of SND.UNA (-1 while it names the
	// SYN). Sequence numbers wrap every 4 GiB; stream offsets do not:
	// every other send-side offset is found from it with seqnum.Delta, and
	// it moves only through setUna.
	unaOff  int64
	nxt     seqnum.Value // SND.NXT: next to send
	max     seqnum.Value // highest sequence number sent + 1 (4.4BSD's snd_max)
	wnd     int          // SND.WND, scaled to bytes
	maxWnd  int          // largest window the peer has offered (for SWS avoidance)
	wl1     seqnum.Value // SND.WL1
	wl2     seqnum.Value // SND.WL2
	shift   uint8        // the peer's window scale shift (RFC 7323)
	mss     int          // our MSS (Config.MSS)
	peerMSS int          // the MSS the peer announced (536 without the option)
	optLen  int          // option bytes every segment carries (12 with timestamps), taken from the payload

	// The application's stream has appEnd bytes written so far; Close
	// queues a FIN after them.
	appEnd     int64
	closeAsked bool
	finSet     bool
	finSeq     seqnum.Value // sequence number of our FIN, once queued

	// Congestion window (RFC 5681 §3.1), in bytes, set by the congestion
	// control and the loss recovery.
	cwnd, ssthresh int
	cwndMax        int // largest cwnd so far (Stats.CwndMax)
	// limitedSent is the new data Limited Transmit (RFC 3042) sent since
	// SND.UNA last moved. It is left out of FlightSize when the third
	// duplicate ACK sets ssthresh: "additional data sent in limited
	// transmit MUST NOT be included in this calculation" (RFC 5681 §3.2
	// step 2; RFC 6675 §5 step 4.2 repeats it for SACK).
	limitedSent int
	obs         Observer // Config.Observer: told of every setCwnd
	// byteCounting makes the congestion control count segments
	// acknowledged, as Linux does (Config.ByteCounting, abc.go).
	byteCounting bool
	// textbook makes the window K&R's Figure 3.53's
	// (Config.TextbookWindow, textbook.go).
	textbook bool
	// ssExit, when set, may end slow start before a loss (HyStart,
	// Config.HyStart): hystart.go, hystartpp.go.
	ssExit slowStartExit
	// goBackFast makes the go-back-N resends that follow a fast
	// retransmit count as fast retransmissions (Tahoe), until the next
	// timeout.
	goBackFast bool

	// SACK (RFC 2018, RFC 6675): sack says both ends allowed it; sb is
	// the scoreboard of what the receiver holds above SND.UNA, fed from
	// every ACK (takeSACK); sackNew says the ACK being processed SACKed
	// octets not SACKed before, which makes it a duplicate ACK in RFC
	// 6675's sense (§2). blocks is scratch for one ACK's blocks.
	sack    bool
	sb      scoreboard
	sackNew bool
	// sackDelta is the change in SACKed octets above SND.UNA that the ACK
	// being processed made (negative when SND.UNA passed SACKed octets):
	// with the octets it acknowledged cumulatively, RFC 6937's
	// DeliveredData.
	sackDelta int
	blocks    [wire.MaxSACKBlocks]span
	// dsack says the ACK being processed carried a D-SACK block (RFC
	// 2883), dsackSpan, in stream offsets.
	dsack     bool
	dsackSpan span
	// lossFromCwnd makes lossFlight cwnd, as Linux (set with RACK).
	lossFromCwnd bool
	// ackTSecr is the TSecr of the ACK being processed, 0 without
	// timestamps.
	ackTSecr uint32
	// sackNewly is the octets the ACK being processed newly SACKed;
	// sackedBelow those between SND.UNA and its ACK number that were
	// SACKed before it (for Linux's count of delivered data).
	sackNewly, sackedBelow int64
	// rate samples the delivery rate (rate.go), for BBR.
	rate rateSampler
}

// rateDelivered is the bytes delivered so far (the draft's C.delivered).
func (s *sender) rateDelivered() int64 { return s.rate.delivered }

func (s *sender) init(cfg *Config) {
	s.iss = cfg.ISS
	s.una, s.nxt, s.max = s.iss, s.iss, s.iss
	s.unaOff = -1 // SND.UNA = ISS: the SYN comes before the stream
	s.mss = cfg.MSS
	s.peerMSS = 536 // RFC 9293 §3.7.1 default when no MSS option arrives
	s.obs = cfg.Observer
	s.byteCounting = cfg.ByteCounting
	s.textbook = cfg.TextbookWindow
}

// offset maps a sequence number on the send side (at most 2^31 from
// SND.UNA, as everything in flight is) to its 64-bit stream offset. The
// SYN takes ISS itself, so ISS+1 is offset 0; a stream longer than 4 GiB
// reuses sequence numbers but never offsets.
func (s *sender) offset(q seqnum.Value) int64 { return s.unaOff + seqnum.Delta(s.una, q) }

// seqAt is the sequence number of the stream offset off (within 2^31 of
// SND.UNA's, as everything in flight is): the inverse of offset.
func (s *sender) seqAt(off int64) seqnum.Value { return s.una.Add(seqnum.Size(off - s.unaOff)) }

// takeSACK feeds the scoreboard from an ACK for ack (not before SND.UNA,
// not after SND.MAX) with h's SACK blocks (RFC 6675 §4 Update), and
// records in sackNew whether they SACKed anything new. Block edges become
// stream offsets relative to SND.UNA; the scoreboard drops those that make
// no sense (below the ACK, beyond what was sent). It returns the number of
// blocks the ACK carried.
func (s *sender) takeSACK(h *wire.TCP, ack seqnum.Value) int {
	n := min(int(h.NSACK), wire.MaxSACKBlocks)
	for i, b := range h.SACK[:n] {
		s.blocks[i] = span{s.offset(seqnum.Value(b.Left)), s.offset(seqnum.Value(b.Right))}
	}
	// RFC 2883 §4: the first block is a D-SACK if it lies below the
	// cumulative ACK, or within the second block.
	s.dsack = n > 0 && (s.blocks[0].end <= s.offset(ack) ||
		n > 1 && s.blocks[1].start <= s.blocks[0].start && s.blocks[0].end <= s.blocks[1].end)
	if s.dsack {
		s.dsackSpan = s.blocks[0]
	}
	// What this ACK delivers, as Linux counts it (acked_sacked): the
	// octets it newly SACKs plus those it cumulatively acknowledges that
	// were not SACKed already.
	s.sackedBelow = 0
	if s.una.LessThan(ack) {
		s.sackedBelow = s.sb.sackedIn(s.unaOff, s.offset(ack))
	}
	before := s.sb.sackedBytes
	s.sackNewly = s.sb.Update(s.offset(ack), s.offset(s.max), s.blocks[:n])
	s.sackNew = s.sackNewly > 0
	s.sackDelta = int(s.sb.sackedBytes - before)
	return n
}

// setUna moves SND.UNA forward to ack, and its stream offset with it.
func (s *sender) setUna(ack seqnum.Value) {
	s.unaOff += seqnum.Delta(s.una, ack)
	s.una = ack
	s.limitedSent = 0
}

// hasData reports whether unsent application bytes exist at q.
func (s *sender) hasData(q seqnum.Value) bool { return s.offset(q) < s.appEnd }

// smss is the sender's maximum segment size: the smaller of ours and the
// peer's announced MSS, less the options every segment carries (the MSS
// counts no options, RFC 6691 §2: with timestamps 12 bytes fewer).
func (s *sender) smss() int { return min(s.mss, s.peerMSS) - s.optLen }

// flightSize is RFC 5681's FlightSize: sent and not yet acknowledged,
// SND.MAX − SND.UNA.
func (s *sender) flightSize() int { return int(s.una.Size(s.max)) }

// lossFlight is the FlightSize a loss response halves: FlightSize less
// what Limited Transmit sent since SND.UNA last moved (RFC 5681 §3.2 step
// 2). A timeout clears limitedSent first, so that it halves all of it.
//
// With lossFromCwnd (the connection recovers as Linux does, RACK) it is
// cwnd instead: Linux's congestion controls take ssthresh from cwnd
// (tcp_reno_ssthresh, cubictcp_recalc_ssthresh), and a RACK recovery
// keeps sending new data while holes wait, so that SND.MAX − SND.UNA,
// which counts SACKed data, can grow far past what is in the network
// and would raise ssthresh above cwnd at the next loss.
func (s *sender) lossFlight() int {
	if s.lossFromCwnd {
		return s.cwnd
	}
	return max(s.flightSize()-s.limitedSent, 0)
}

// halfFlight is ssthresh after a loss: max(FlightSize/2, 2·SMSS)
// (RFC 5681 §3.1 eq. 4), Limited Transmit's data left out (lossFlight).
func (s *sender) halfFlight() int { return max(s.lossFlight()/2, 2*s.smss()) }

// setCwnd sets cwnd and ssthresh and reports them to Config.Observer (even
// when unchanged: the trace records every decision).
func (s *sender) setCwnd(cwnd, ssthresh int) {
	s.cwnd, s.ssthresh = cwnd, ssthresh
	s.cwndMax = max(s.cwndMax, cwnd)
	if s.obs != nil {
		s.obs.TCPEvent(EvCwnd, Note{Cwnd: cwnd, Ssthresh: ssthresh})
	}
}

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

// window is the usable send window: min(cwnd, rwnd), where the congestion
// control's window may be unlimited.
func (e *Endpoint) window() int { return min(e.cc.window(), e.snd.wnd) }

// output sends what the windows allow: first any retransmission the loss
// recovery puts ahead of new data (lossRecovery.nextSeg; only with SACK),
// then new or go-back-N data from SND.NXT, then a FIN once all data is
// out. The bytes in flight against cwnd are the loss recovery's pipe; the
// receiver's window bounds the sequence space from SND.UNA (the two are
// the same without SACK). With SACK, go-back-N skips what the receiver has
// SACKed (RFC 6675 §5.1). It keeps the invariant that a new segment never
// takes pipe above cwnd nor the sequence space above rwnd.
func (e *Endpoint) output() {
	switch e.state {
	case Established, CloseWait, FinWait1, Closing, LastAck:
	default:
		return
	}
	if e.frto.sendNew {
		e.sendNewData() // F-RTO step 2.b: new data before retransmissions
	}
	mss := e.snd.smss()
	for {
		if !e.snd.sack && e.frto.newTo > e.frto.newFrom {
			// Go-back-N after a timeout skips what F-RTO sent after it.
			e.snd.nxt = e.snd.seqAt(e.frto.skip(e.snd.offset(e.snd.nxt)))
		}
		if e.snd.sack && e.snd.nxt.LessThan(e.snd.max) {
			// Go-back-N after a timeout: never resend SACKed data.
			if start, _ := e.snd.sb.unsackedRun(e.snd.offset(e.snd.nxt), 1); start > e.snd.offset(e.snd.nxt) {
				e.snd.nxt = e.snd.seqAt(min(start, e.snd.offset(e.snd.max)))
			}
		}
		inFlight := e.rec.pipe()
		flight := int(e.snd.una.Size(e.snd.nxt))
		if seq, n, ok := e.rec.nextSeg(); ok {
			if e.window()-inFlight < max(n, 1) {
				return
			}
			if n > 0 && e.pacingHold() {
				return
			}
			if n == 0 {
				e.retransmit(seq, true) // the FIN
			} else {
				e.transmit(seq, n, true, true)
			}
			continue
		}
		avail := e.snd.appEnd - e.snd.offset(e.snd.nxt)
		if avail > 0 {
			room := min(e.cc.window()-inFlight, e.snd.wnd-flight)
			n := int(min(int64(mss), avail))
			if e.snd.sack && e.snd.nxt.LessThan(e.snd.max) {
				_, n = e.snd.sb.unsackedRun(e.snd.offset(e.snd.nxt), n) // stop before SACKed data
			}
			// Sender silly-window avoidance (RFC 9293 §3.8.6.2.1): send a
			// full segment (or all that is left), or at least half the
			// largest window the peer has offered (Fs = 1/2); a smaller
			// remainder waits for ACKs or, with nothing in flight, for
			// the override timeout (the persist timer).
			if room >= n || (room > 0 && room >= e.snd.maxWnd/2) {
				if e.pacingHold() {
					return
				}
				e.sendSegment(e.snd.nxt, min(n, room), false)
				continue
			}
			if flight == 0 && e.persistAt == 0 {
				if e.snd.wnd == 0 {
					e.st.ZeroWindowSeen++
				}
				e.persistBackoff = 0
				e.persistAt = e.clock.Now().Add(e.persistInterval())
			}
			return
		}
		if e.snd.rate.on && inFlight < e.cc.window() {
			e.snd.rate.markAppLimited(inFlight)
		}
		if e.snd.closeAsked && !e.finSent() && avail == 0 {
			e.sendFin()
		}
		return
	}
}

// finSent reports whether our FIN is out (and not rewound by go-back-N).
func (e *Endpoint) finSent() bool { return e.snd.finSet && e.snd.nxt == e.snd.finSeq+1 }

// sendSegment sends size bytes at seq from SND.NXT, advancing it.
func (e *Endpoint) sendSegment(seq seqnum.Value, size int, fast bool) {
	e.transmit(seq, size, false, fast)
}

// retransmit resends the segment at seq (at most one SMSS) without moving
// SND.NXT: fast retransmit, NewReno's partial-ACK retransmission, or the
// forced retransmission of an RTO with a closed window.
func (e *Endpoint) retransmit(seq seqnum.Value, fast bool) {
	off := e.snd.offset(seq)
	size := int(min(int64(e.snd.smss()), e.snd.appEnd-off))
	if e.snd.sack && size > 0 {
		_, size = e.snd.sb.unsackedRun(off, size) // not into SACKed data
	}
	if size <= 0 {
		if e.snd.finSet && seq == e.snd.finSeq {
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
	off := e.snd.offset(seq)
	if !rexmit && e.snd.wnd > 0 {
		// seq is SND.NXT: without SACK pipe is SND.NXT − SND.UNA, and the
		// two tests are the one of RFC 5681 (in flight ≤ min(cwnd, rwnd)).
		end := seq.Add(seqnum.Size(size))
		if space := int(e.snd.una.Size(end)); space > e.snd.wnd {
			panic(fmt.Sprintf("tcp: invariant broken: %d bytes from SND.UNA > rwnd %d", space, e.snd.wnd))
		}
		if p := e.rec.pipe() + size; p > e.cc.window() && !e.probing {
			panic(fmt.Sprintf("tcp: invariant broken: pipe %d with the new segment > cwnd %d", p, e.snd.cwnd))
		}
	}
	if e.snd.sack && seq.LessThan(e.snd.max) && e.snd.sb.sackedIn(off, off+int64(size)) > 0 {
		panic(fmt.Sprintf("tcp: invariant broken: retransmitting SACKed data in [%d, %d)", off, off+int64(size)))
	}
	isRetrans := seq.LessThan(e.snd.max)
	if isRetrans {
		e.rtt.timing = false // Karn's algorithm
	} else {
		e.rtt.startTiming(seq.Add(seqnum.Size(size)), e.clock.Now())
	}
	flags := wire.FlagACK
	end := seq.Add(seqnum.Size(size))
	if off+int64(size) == e.snd.appEnd {
		flags |= wire.FlagPSH
	}
	e.st.DataSegsSent++
	e.st.BytesSent += int64(size)
	e.prr.sent(size)
	if e.snd.rate.on && size > 0 {
		e.snd.rate.sent(off, size, e.clock.Now(), e.snd.flightSize(), isRetrans)
	}
	if e.pacing && size > 0 {
		e.paceSent(size)
	}
	if e.rack != nil && size > 0 {
		e.rack.onSent(off, size, isRetrans)
	}
	if e.frto.loss {
		e.frto.onSent(off, size, isRetrans)
	}
	if isRetrans {
		e.countRetrans(fast || e.snd.goBackFast)
	} else if e.ecn.on {
		// New data: ECN-capable, and the first after a reduction says
		// CWR (RFC 3168 §6.1.2, §6.1.5).
		e.ecn.ect = true
		if e.ecn.cwrPending {
			flags |= wire.FlagCWR
			e.ecn.cwrPending = false
			e.st.CWRSent++
		}
	}
	e.emit(flags, seq, e.data(off, size))
	e.ecn.ect = false
	if !rexmit {
		e.snd.nxt = end
	}
	e.snd.max = seqnum.Max(e.snd.max, end)
	if e.rtxAt == 0 {
		e.rtxAt = e.clock.Now().Add(e.rtt.rto) // RFC 6298 §5.1
	}
}

func (e *Endpoint) sendFin() {
	if !e.snd.finSet {
		e.snd.finSet = true
		e.snd.finSeq = e.snd.nxt
		e.snd.sb.finAt = e.snd.appEnd // retransmissions keep data and FIN apart
		switch e.state {
		case Established:
			e.setState(FinWait1)
		case CloseWait:
			e.setState(LastAck)
		}
	}
	if e.snd.finSeq.LessThan(e.snd.max) {
		e.countRetrans(false)
	}
	e.emit(wire.FlagFIN|wire.FlagACK, e.snd.finSeq, nil)
	e.snd.nxt = e.snd.finSeq + 1
	e.snd.max = seqnum.Max(e.snd.max, e.snd.nxt)
	if e.rtxAt == 0 {
		e.rtxAt = e.clock.Now().Add(e.rtt.rto)
	}
}
