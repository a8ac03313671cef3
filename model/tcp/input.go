package tcp

import (
	"cmp"

	"tcpsim/model/seqnum"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// Input processes one arriving segment whose checksum has been verified,
// following RFC 9293 §3.10.7 ("SEGMENT ARRIVES").
func (e *Endpoint) Input(h *wire.TCP, data []byte) {
	e.st.SegsRecv++
	seg := seqnum.Value(h.Seq)
	ack := seqnum.Value(h.Ack)
	switch e.state {
	case Closed:
		// §3.10.7.1: no TCB; everything but a RST is answered by one.
		e.sendReset(h, len(data))
		return
	case Listen:
		if h.Flags&wire.FlagRST != 0 || h.Flags&wire.FlagACK != 0 || h.Flags&wire.FlagSYN == 0 {
			return
		}
		e.acceptSyn(h)
		e.setState(SynReceived)
		e.sendSyn()
		return
	case SynSent:
		e.inputSynSent(h, seg, ack)
		return
	}

	// RFC 7323 §5.3 R1 (PAWS): a segment with a timestamp older than
	// TS.Recent is an old duplicate: acknowledge and drop it. After the
	// handshake a segment without the option is dropped silently (§3.2).
	// Deviation: a pure ACK is exempt from PAWS, as in Linux: ACKs that
	// the network reorders carry timestamps out of order and nothing that
	// an old duplicate could corrupt.
	if e.ts.on && h.Flags&wire.FlagRST == 0 {
		if !h.Timestamps {
			return
		}
		if (len(data) > 0 || h.Flags&(wire.FlagSYN|wire.FlagFIN) != 0) && e.ts.pawsReject(h.TSval, e.clock.Now()) {
			e.st.PAWSDrops++
			e.sendAck()
			return
		}
	}
	// §3.10.7.4 first: sequence number acceptability.
	if !e.acceptable(seg, len(data), h.Flags) {
		if h.Flags&wire.FlagRST == 0 {
			if e.oldAck(seg, len(data), h.Flags) {
				if !e.processAck(h, seg, ack, len(data)) || e.state == Closed {
					return
				}
			}
			if len(data) > 0 {
				e.st.DupSegs++
				if seg.LessThan(e.rcv.nxt) {
					// Old data (RFC 2883 §4: a D-SACK of what arrived
					// again below the cumulative ACK).
					off := e.rcv.buf.inOrderEnd() + seqnum.Delta(e.rcv.nxt, seg)
					e.rcv.noteDup(off, min(off+int64(len(data)), e.rcv.buf.inOrderEnd()))
				}
			}
			e.sendAck()
		}
		if e.state == TimeWait && h.Flags&wire.FlagFIN != 0 {
			e.timeWaitAt = e.clock.Now().Add(e.cfg.TimeWait) // restart 2·MSL
		}
		return
	}
	if h.Flags&wire.FlagRST != 0 {
		// §3.10.7.4 second: in CLOSING, LAST-ACK and TIME-WAIT the user
		// has closed and is told nothing; before, the connection is reset.
		switch e.state {
		case Closing, LastAck, TimeWait:
		default:
			e.abortReason = "connection reset by peer"
		}
		e.setState(Closed)
		return
	}
	if e.ts.on {
		e.ts.update(seg, h.TSval, e.clock.Now()) // RFC 7323 §4.3, §5.3 R3
	}
	if h.Flags&wire.FlagSYN != 0 {
		if e.state == SynReceived && seg == e.rcv.irs {
			return // retransmitted SYN: our SYN,ACK will be retransmitted
		}
		e.abort("SYN in window")
		return
	}
	if h.Flags&wire.FlagACK == 0 {
		return
	}
	if e.state == SynReceived {
		if !e.snd.una.LessThan(ack) || e.snd.max.LessThan(ack) {
			e.emit(wire.FlagRST, ack, nil)
			return
		}
		e.established(h)
	}
	if !e.processAck(h, seg, ack, len(data)) {
		return
	}
	if e.state == Closed {
		return
	}
	// Segment text (§3.10.7.4 seventh).
	if len(data) > 0 {
		switch e.state {
		case Established, FinWait1, FinWait2:
			e.tuneRTT(h)
			e.receiveData(seg, data, h.Flags&wire.FlagFIN != 0)
		}
	} else if h.Flags&wire.FlagFIN != 0 {
		e.receiveBareFin(seg)
	}
}

// sendReset answers a segment that reached no connection (a CLOSED
// endpoint) with the reset RFC 9293 §3.10.7.1 prescribes (ResetFor).
func (e *Endpoint) sendReset(h *wire.TCP, n int) {
	rst, ok := ResetFor(h, n)
	if !ok {
		return
	}
	e.st.SegsSent++
	e.st.ResetsSent++
	e.out.Output(&rst, nil)
}

// acceptSyn records the peer's ISN and options from a SYN.
func (e *Endpoint) acceptSyn(h *wire.TCP) {
	e.rcv.irs = seqnum.Value(h.Seq)
	e.rcv.nxt = e.rcv.irs + 1
	if h.MSS != 0 {
		e.snd.peerMSS = int(h.MSS)
	}
	if h.WScale >= 0 {
		e.snd.shift = uint8(h.WScale)
	} else {
		e.rcv.shift = 0 // RFC 7323 §1.3: scaling only if both sides offer it
		e.rcv.buf.init(min(e.cfg.RecvBuffer, 65535))
	}
	e.snd.wnd = int(h.Window) // never scaled in a SYN
	e.snd.wl1 = e.rcv.irs
	// RFC 2018 §2: SACK when both ends allow it (our SYN-ACK says so in
	// turn; on a SYN-ACK the peer only offers it if our SYN did).
	e.rcv.sack = e.cfg.SACK && h.SACKPermitted
	// RFC 7323 §3.2: timestamps likewise; TS.Recent starts from the SYN's
	// TSval (§4.3), and every segment gives up TimestampsLen bytes of
	// payload to carry the option.
	e.ecnNegotiate(h)
	e.ts.on = e.cfg.Timestamps && h.Timestamps
	if e.ts.on {
		e.ts.recent, e.ts.recentSet, e.ts.recentAt = h.TSval, true, e.clock.Now()
		e.snd.optLen = wire.TimestampsLen
	}
}

func (e *Endpoint) inputSynSent(h *wire.TCP, seg, ack seqnum.Value) {
	if h.Flags&wire.FlagACK != 0 && (ack != e.snd.iss+1) {
		if h.Flags&wire.FlagRST == 0 {
			e.emit(wire.FlagRST, ack, nil)
		}
		return
	}
	if h.Flags&wire.FlagRST != 0 {
		if h.Flags&wire.FlagACK != 0 {
			e.abortReason = "connection refused"
			e.setState(Closed)
		}
		return
	}
	if h.Flags&wire.FlagSYN == 0 {
		return
	}
	if e.rcv.shift > 0 && h.WScale < 0 {
		e.rcv.shift = 0
		e.rcv.buf.init(min(e.cfg.RecvBuffer, 65535))
	}
	e.acceptSyn(h)
	if h.Flags&wire.FlagACK != 0 {
		e.established(h)
		e.snd.setUna(ack)
		e.retries = 0
		e.sendAck()
		e.output()
		return
	}
	// Simultaneous open (RFC 9293 Figure 8).
	e.setState(SynReceived)
	e.sendSyn()
}

// established finishes the handshake: the SYN is acknowledged.
func (e *Endpoint) established(h *wire.TCP) {
	if e.noSynSample {
		// A SYN cookie's handshake: nobody kept the SYN-ACK's time.
	} else if !e.synRTOExpired {
		// The SYN was sent once: its round trip is a valid sample (Karn).
		e.rtt.sample(e.clock.Now() - e.synAt)
	} else if e.cfg.InitialRTO < 3*sim.Second {
		e.rtt.rto = 3 * sim.Second // RFC 6298 §5.7: re-initialised once data flows
	}
	e.rtt.timing = false
	e.rtxAt = 0
	e.retries = 0
	e.snd.wnd = int(h.Window) // SYN,ACK windows are never scaled
	if h.Flags&wire.FlagSYN == 0 {
		e.snd.wnd = int(h.Window) << e.snd.shift
	}
	e.snd.wl1, e.snd.wl2 = seqnum.Value(h.Seq), seqnum.Value(h.Ack)
	e.snd.maxWnd = max(e.snd.maxWnd, e.snd.wnd)
	e.snd.setUna(e.snd.iss + 1)
	e.snd.setCwnd(e.cfg.InitialWindow*e.snd.smss(), cmp.Or(e.cfg.InitialSsthresh, 1<<30)) // RFC 5681 §3.1: ssthresh arbitrarily high unless configured
	if e.rcv.sack {
		e.useSACK()
	}
	e.setState(Established)
}

// acceptable is the test of RFC 9293 §3.10.7.4 table "segment length /
// receive window".
func (e *Endpoint) acceptable(seg seqnum.Value, n int, flags uint8) bool {
	slen := n
	if flags&wire.FlagSYN != 0 {
		slen++
	}
	if flags&wire.FlagFIN != 0 {
		slen++
	}
	// The window offered now, or up to the right edge already advertised
	// if that lies further (the edge never moves left, §3.8.6).
	wnd := seqnum.Size(e.rcv.window(e.state.synchronized()))
	if e.rcv.nxt.LessThan(e.rcv.advRight) {
		wnd = max(wnd, e.rcv.nxt.Size(e.rcv.advRight))
	}
	switch {
	case slen == 0 && wnd == 0:
		return seg == e.rcv.nxt
	case slen == 0:
		return seg.InWindow(e.rcv.nxt, wnd)
	case wnd == 0:
		return false
	}
	last := seg.Add(seqnum.Size(slen - 1))
	return seg.InWindow(e.rcv.nxt, wnd) || last.InWindow(e.rcv.nxt, wnd)
}

// oldAck reports whether an unacceptable segment is an old one (entirely
// before RCV.NXT) whose ACK field must still be processed.
//
// Deviation: RFC 9293 §3.10.7.4 drops an unacceptable segment whole. Like
// 4.4BSD's tcp_input ("keep on processing for RST or ACK"), whose
// go-back-N this model shares, we still take the ACK of an old one. After a
// timeout go-back-N rewinds SND.NXT; when both sides send data, both can be
// rewound behind what the other has received, so that every segment each
// sends, pure ACKs included, is old to the other. Dropping their ACK fields
// would leave both retransmitting, and answering each other's ACKs with
// ACKs, until they abort.
func (e *Endpoint) oldAck(seg seqnum.Value, n int, flags uint8) bool {
	if flags&(wire.FlagACK|wire.FlagSYN) != wire.FlagACK || e.state == SynReceived {
		return false
	}
	if flags&wire.FlagFIN != 0 {
		n++
	}
	return seg.LessThan(e.rcv.nxt) && seg.Add(seqnum.Size(n)).LessThanEq(e.rcv.nxt)
}

// processAck handles the ACK field (§3.10.7.4 fifth). It returns false
// when the segment must be dropped.
func (e *Endpoint) processAck(h *wire.TCP, seg, ack seqnum.Value, n int) bool {
	if e.snd.max.LessThan(ack) {
		e.sendAck() // ACKs something not yet sent
		return false
	}
	wnd := int(h.Window) << e.snd.shift
	if ack.LessThan(e.snd.una) {
		return true // old duplicate ACK: ignore it, keep the data
	}
	if e.snd.rate.on {
		e.snd.rate.begin(e.rec.pipe())
	}
	nblocks := 0
	if e.snd.sack {
		nblocks = e.snd.takeSACK(h, ack)
		e.st.SACKBlocksRecv += int64(nblocks)
	}
	e.snd.ackTSecr = 0
	if e.ts.on && h.Timestamps {
		e.snd.ackTSecr = h.TSecr // for RACK's test of retransmissions (RFC 8985 §6.2 step 2)
	}
	if ack == e.snd.una {
		// RFC 5681 §2 duplicate ACK: no data, no SYN/FIN, same window,
		// outstanding data, ACK = SND.UNA.
		dup := n == 0 && h.Flags&(wire.FlagSYN|wire.FlagFIN) == 0 && wnd == e.snd.wnd && e.snd.una != e.snd.max
		if dup {
			e.st.DupAcks++
		}
		if e.snd.sack {
			// RFC 6675 §2: with SACK, a duplicate ACK is one that SACKs
			// octets not SACKed before, whatever else it carries; a
			// repeat of known blocks (a duplicated segment's ACK) is not.
			dup = e.snd.sackNew
		}
		if dup {
			e.rec.onDupAck()
		} else if e.rack != nil && e.snd.dsack {
			e.rack.onDSACK() // a D-SACK alone: what arrived twice
		}
		if e.bbr != nil {
			delivered := 0
			if e.snd.sack {
				e.snd.rate.sacked(e.snd.blocks[:nblocks], e.clock.Now())
				delivered = int(e.snd.sackNewly)
			} else if dup {
				// tcp_add_reno_sack: a duplicate ACK delivered a segment.
				delivered = e.snd.smss()
				e.snd.rate.renoSacked += int64(delivered)
			}
			e.bbrSample(delivered)
		}
		if e.ecn.on {
			e.ecnEcho(h)
		}
		e.updateWindow(seg, ack, wnd)
		return true
	}
	// New data acknowledged.
	acked := int(e.snd.una.Size(ack))
	flight := int(e.snd.una.Size(e.snd.max))
	samples := e.rtt.samples
	e.rtt.at(ack, e.snd.nxt)
	if e.ts.on {
		// RFC 7323 §4: RTTM from the echoed timestamp of every ACK of
		// new data, retransmissions included (no Karn's rule needed).
		if d := tsClock(e.clock.Now()) - h.TSecr; h.Timestamps && h.TSecr != 0 && !tsBefore(tsClock(e.clock.Now()), h.TSecr) {
			e.rtt.sampleTS(d, flight, e.snd.smss())
		}
	} else {
		e.rtt.acked(ack, e.clock.Now())
	}
	e.snd.setUna(ack)
	if e.snd.nxt.LessThan(ack) {
		e.snd.nxt = ack // a window probe's byte was taken
	}
	e.retries = 0
	e.persistBackoff = 0
	e.updateWindow(seg, ack, wnd)
	cut := e.ecn.on && e.ecnEcho(h)
	delivered := acked
	if e.snd.sack {
		delivered = max(0, acked-int(e.snd.sackedBelow)+int(e.snd.sackNewly))
	}
	ev := ackEvent{
		acked:       acked,
		delivered:   delivered,
		cwndLimited: flight+e.snd.smss() >= e.snd.cwnd,
		now:         e.clock.Now(),
		srtt:        e.rtt.srtt,
	}
	if e.rtt.samples > samples {
		ev.rtt = e.rtt.latest
	}
	if e.snd.ssExit != nil {
		// HyStart (hystart.go, hystartpp.go) sees every ACK of new data,
		// recovery's included (Linux's cubictcp_acked runs on each).
		ev.ssDivisor = e.snd.ssExit.onAck(ev, e.rec.inRecovery())
	}
	if !e.rec.onNewAck(ack, acked) && !cut {
		e.cc.onAck(ev)
	}
	if e.bbr != nil {
		now := e.clock.Now()
		e.snd.rate.ackedTo(e.snd.unaOff, now)
		d := delivered
		if e.snd.sack {
			e.snd.rate.sacked(e.snd.blocks[:nblocks], now)
		} else {
			// tcp_remove_reno_sacks: what duplicate ACKs counted already.
			r := &e.snd.rate
			d = max(acked-int(r.renoSacked), min(acked, e.snd.smss()))
			r.renoSacked -= min(int64(acked), r.renoSacked)
		}
		e.bbrSample(d)
	}
	// RFC 6298 §5.2–5.3: stop the timer when all is acknowledged, else
	// restart it.
	if e.snd.una == e.snd.max {
		e.rtxAt, e.reoAt, e.ptoAt = 0, 0, 0
	} else {
		e.rtxAt = e.clock.Now().Add(e.rtt.rto)
		if e.rack != nil {
			e.rack.tlp.arm(e.rack) // after the RTO, which it may not outlast
		}
	}
	if e.snd.finSet && e.snd.finSeq.LessThan(ack) {
		switch e.state {
		case FinWait1:
			e.setState(FinWait2)
		case Closing:
			e.enterTimeWait()
		case LastAck:
			e.setState(Closed)
			return false
		}
	}
	e.output()
	return true
}

// updateWindow takes the peer's window if the segment is newer than the
// one it was last taken from (SND.WL1/SND.WL2, §3.10.7.4).
func (e *Endpoint) updateWindow(seg, ack seqnum.Value, wnd int) {
	if e.snd.wl1.LessThan(seg) || (e.snd.wl1 == seg && e.snd.wl2.LessThanEq(ack)) {
		grew := wnd > e.snd.wnd
		e.snd.wnd = wnd
		e.snd.maxWnd = max(e.snd.maxWnd, wnd)
		if grew {
			// A larger window may let data out that waited on it; output
			// re-arms the persist timer if it still cannot send. In a
			// PRR recovery the ACK sets cwnd first (processAck runs
			// output after the loss recovery has seen it).
			e.persistAt = 0
			if !e.prr.active && !e.frto.loss && !e.rec.inRecovery() {
				e.output()
			}
		}
	}
}

// receiveData stores in-window text and ACKs it (immediately, or delayed
// per RFC 5681 §4.2 / RFC 1122 §4.2.3.2).
func (e *Endpoint) receiveData(seg seqnum.Value, data []byte, fin bool) {
	// RCV.NXT is the stream offset just past the in-order data (the FIN,
	// which would add one more, has not been processed in these states);
	// the segment lies within a window of it.
	off := e.rcv.buf.inOrderEnd() + seqnum.Delta(e.rcv.nxt, seg)
	// Nothing follows the peer's FIN: bytes past it are not its stream.
	if end := e.rcv.buf.fin; end >= 0 && off+int64(len(data)) > end {
		data = data[:max(0, end-off)]
	}
	// Trim to the window; a FIN beyond it is not taken either.
	if room := e.rcv.buf.free() - int(off-e.rcv.buf.inOrderEnd()); room < len(data) {
		if room <= 0 {
			e.sendAck()
			return
		}
		data = data[:room]
		fin = false
	}
	if fin {
		e.rcv.buf.setFin(off + int64(len(data)))
	}
	before := e.rcv.nxt
	if e.rcv.dsack {
		e.noteDupData(off, len(data))
	}
	// With an application waiting in a read, in-order data stays in the
	// packet until it has read (see recvBuffer).
	adv, dup := e.rcv.buf.store(off, data, e.onReadable != nil)
	// RFC 2018 §4: the first SACK block of the ACK this segment triggers
	// holds its data, unless it advanced RCV.NXT.
	e.rcv.trigger, e.rcv.hasTrigger = span{off, off + int64(len(data))}, adv == 0 && len(data) > 0
	if dup > 0 {
		e.st.DupSegs++
	}
	e.rcv.nxt = e.rcv.nxt.Add(seqnum.Size(adv))
	outOfOrder := seg != before
	if outOfOrder && adv == 0 && dup < len(data) {
		e.st.OutOfOrder++
	}
	finNext := e.rcv.buf.finNext() // this segment's FIN, or one that waited for it
	if adv > 0 && e.onReadable != nil {
		sent := e.st.SegsSent
		e.onReadable()
		e.rcv.buf.flush() // what it left must outlive the packet
		if e.st.SegsSent > sent && e.rcv.ackedTo == e.rcv.nxt && !finNext {
			return // the application's answer carried the ACK (piggybacking)
		}
	}
	if finNext {
		e.receiveFin()
		return
	}
	// Immediate ACK for out-of-order data, for data that fills a hole,
	// without delayed ACKs, and in quick-ACK mode at the start; otherwise
	// every second full segment.
	if e.cfg.DelAckATO {
		e.rcv.ato.onData(e.clock.Now(), e.rtt.rto)
		if dup > 0 && adv == 0 {
			e.rcv.ato.quick = max(e.rcv.ato.quick, tcpMaxQuickAck) // a retransmit: ACK at once
		}
		if e.rcv.ato.quick > 0 {
			e.rcv.ato.quick--
			e.sendAck()
			return
		}
	}
	if e.rcv.quickAcks > 0 {
		e.rcv.quickAcks--
		e.sendAck()
		return
	}
	if e.cfg.DelayedAck == 0 || outOfOrder || len(e.rcv.buf.ooo) > 0 || adv > len(data) || dup > 0 {
		e.sendAck()
		return
	}
	e.rcv.ackPending++
	if e.rcv.ackPending >= 2 {
		e.sendAck()
		return
	}
	if e.delackAt == 0 {
		e.st.AcksDelay++
		d := e.cfg.DelayedAck
		if e.cfg.DelAckATO {
			d = e.rcv.ato.timeout(e.rtt.srtt)
		}
		e.delackAt = e.clock.Now().Add(d)
	}
}

// noteDupData finds the first part of [off, off+n) the receiver already
// holds, below RCV.NXT or in an out-of-order range, for the D-SACK block
// of the ACK (RFC 2883 §4).
func (e *Endpoint) noteDupData(off int64, n int) {
	end := off + int64(n)
	b := &e.rcv.buf
	if start := b.inOrderEnd(); off < start {
		e.rcv.noteDup(off, min(end, start))
		return
	}
	if s, ok := b.oooHolding(off); ok {
		e.rcv.noteDup(off, min(end, s.end))
		return
	}
	if i := b.oooAfter(off); i < len(b.ooo) && b.ooo[i].start < end {
		e.rcv.noteDup(b.ooo[i].start, min(end, b.ooo[i].end))
	}
}

// receiveBareFin handles a FIN that carries no data. At RCV.NXT it takes
// effect at once. Beyond it, with data before it still missing, it waits in
// the reassembly queue and takes effect when the hole fills (§3.10.7.4,
// eighth: the FIN is processed once everything before it has arrived);
// like any out-of-order segment it is acknowledged at once, with a
// duplicate ACK (RFC 5681 §4.2) that tells the sender about the hole.
func (e *Endpoint) receiveBareFin(seg seqnum.Value) {
	switch {
	case seg == e.rcv.nxt:
		e.receiveFin()
	case e.rcv.nxt.LessThan(seg) && (e.state == Established || e.state == FinWait1 || e.state == FinWait2):
		if e.rcv.buf.fin < 0 {
			e.st.OutOfOrder++
		}
		e.rcv.buf.setFin(e.rcv.buf.inOrderEnd() + seqnum.Delta(e.rcv.nxt, seg))
		e.sendAck()
	}
}

// receiveFin handles the peer's FIN at RCV.NXT (§3.10.7.4 eighth).
func (e *Endpoint) receiveFin() {
	if e.rcv.finRcvd {
		e.sendAck()
		return
	}
	e.rcv.finRcvd = true
	e.rcv.nxt++
	switch e.state {
	case SynReceived, Established:
		e.setState(CloseWait)
	case FinWait1:
		if e.snd.finSet && e.snd.finSeq.LessThan(e.snd.una) {
			e.enterTimeWait()
		} else {
			e.setState(Closing)
		}
	case FinWait2:
		e.enterTimeWait()
	}
	e.sendAck()
}

func (e *Endpoint) enterTimeWait() {
	e.setState(TimeWait)
	e.rtxAt, e.persistAt = 0, 0
	e.reoAt, e.ptoAt = 0, 0
	e.timeWaitAt = e.clock.Now().Add(e.cfg.TimeWait)
}

// bbrSample completes the ACK's delivery-rate sample, delivered bytes
// delivered by it, and gives it to BBR, which sets cwnd and the pacing
// rate from it (Linux's tcp_cong_control with a cong_control module runs
// it on every ACK, in recovery too).
func (e *Endpoint) bbrSample(delivered int) {
	now := e.clock.Now()
	rs := e.snd.rate.finish(delivered, now, e.rec.pipe(), e.rec.inRecovery())
	e.bbr.onRateSample(rs, &e.snd.rate, now, e.rtt.srtt)
}
