package tcp

import "tcpsim/sim"

// This file is RACK, time-based loss detection (RFC 8985 §6): a segment is
// deemed lost once a segment sent after it has been delivered (ACKed or
// SACKed) and more than a round trip plus a reordering window has passed
// since it was sent. It needs each segment's last transmission time, so it
// keeps the sender's segments in flight in a table (rackSegs), which the
// rackRecovery (recovery_rack.go) also uses for pipe and retransmissions.
//
// Everything is in stream offsets, as the scoreboard (scoreboard.go).

// Segment flags.
const (
	segSACKed     uint8 = 1 << iota // selectively acknowledged
	segDeemedLost                   // deemed lost (RACK, or everything at an RTO)
	segRetrans                      // a retransmission of it is in flight (not deemed lost since)
	segEverRe                       // retransmitted at least once (RFC 8985 §6.2 step 2)
)

// rackSeg is one segment the sender has sent and not had cumulatively
// acknowledged: [start, end) and when it was last sent.
type rackSeg struct {
	start, end int64
	xmit       sim.Time
	flags      uint8
}

func (g *rackSeg) len() int64 { return g.end - g.start }

// rackSegs is the table of segments in flight, in sequence order: segs[head:]
// live, the slots before head are reused when the table compacts, so that
// the steady state allocates nothing. Byte counters follow Linux's
// sacked_out, lost_out and retrans_out (in bytes, not packets).
type rackSegs struct {
	segs                  []rackSeg
	head                  int
	sacked, lost, retrans int64 // bytes SACKed; deemed lost and not SACKed; retransmitted, in flight
	lostHint              int   // no lost-and-not-retransmitted segment lies below segs[lostHint]
}

// find returns the index in segs of the first live segment that ends after
// off (len(segs) if none).
func (t *rackSegs) find(off int64) int {
	lo, hi := t.head, len(t.segs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if t.segs[m].end <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// split cuts the segment at index i in two at offset at (strictly inside
// it); both halves keep its flags and transmission time.
func (t *rackSegs) split(i int, at int64) {
	g := t.segs[i]
	t.segs = append(t.segs, rackSeg{})
	copy(t.segs[i+1:], t.segs[i:])
	t.segs[i].end = at
	t.segs[i+1] = g
	t.segs[i+1].start = at
}

// setFlag sets or clears flag f on segment i, keeping the byte counters.
func (t *rackSegs) setFlag(i int, f uint8, on bool) {
	g := &t.segs[i]
	if (g.flags&f != 0) == on {
		return
	}
	var d int64 = g.len()
	if !on {
		d = -d
	}
	switch f {
	case segSACKed:
		t.sacked += d
	case segDeemedLost:
		t.lost += d
	case segRetrans:
		t.retrans += d
	}
	if on {
		g.flags |= f
	} else {
		g.flags &^= f
	}
	if g.flags&(segDeemedLost|segRetrans|segSACKed) == segDeemedLost && i < t.lostHint {
		t.lostHint = i // to be resent: a new loss, or a lost retransmission
	}
}

// sent records a transmission of [off, off+n) at now: new data appends a
// segment; a retransmission restamps the segments it covers (splitting at
// its edges) and marks them retransmitted.
func (t *rackSegs) sent(off int64, n int, now sim.Time) {
	end := off + int64(n)
	if l := len(t.segs); l == t.head || off >= t.segs[l-1].end {
		t.compact()
		t.segs = append(t.segs, rackSeg{start: off, end: end, xmit: now})
		return
	}
	i := t.find(off)
	if i < len(t.segs) && t.segs[i].start < off {
		t.split(i, off)
		i++
	}
	for ; i < len(t.segs) && t.segs[i].start < end; i++ {
		if t.segs[i].end > end {
			t.split(i, end)
		}
		t.segs[i].xmit = now
		t.segs[i].flags |= segEverRe
		t.setFlag(i, segRetrans, true)
	}
}

// compact moves the live segments to the front of the slice when more than
// half of it is dead, so that append reuses the space.
func (t *rackSegs) compact() {
	if t.head > 0 && t.head >= len(t.segs)/2 {
		n := copy(t.segs, t.segs[t.head:])
		t.segs = t.segs[:n]
		t.lostHint = max(0, t.lostHint-t.head)
		t.head = 0
	}
}

// rack is RACK's state (RFC 8985 §6.1 "RACK.*" variables) for one sender.
type rack struct {
	xmitTS sim.Time // RACK.xmit_ts: latest transmission time of a delivered segment
	endSeq int64    // RACK.end_seq: its end
	rtt    sim.Time // RACK.rtt: the RTT measured from it
	fack   int64    // RACK.fack: highest end of a delivered segment
	minRTT sim.Time // RACK.min_RTT, 0 before the first sample
	// Reordering window adaptation (§6.2 step 4).
	reordSeen   bool  // RACK.reordering_seen
	reoWndMult  int   // RACK.reo_wnd_mult
	reoPersist  int   // RACK.reo_wnd_persist
	dsackRound  int64 // RACK.dsack_round (SND.NXT when set), −1 for none
	dsackSeen   bool  // a D-SACK arrived since the last update of reo_wnd
	segsSACKed  int   // segments SACKed (for the DupThresh test of §6.2 step 4)
	deliveredOK bool  // a segment has been delivered (RACK.xmit_ts is set)
}

func (r *rack) reset() {
	*r = rack{reoWndMult: 1, dsackRound: -1}
}

// onDelivered updates RACK with a segment newly delivered at now (RFC
// 8985 §6.2 steps 2 and 3), unless its RTT sample is ambiguous: a
// retransmitted segment whose RTT is below min_RTT, or whose ACK echoes a
// timestamp (tsecr, 0 without timestamps) older than its last
// transmission, was delivered by an earlier transmission.
func (r *rack) onDelivered(g *rackSeg, now sim.Time, tsecr uint32) {
	rtt := now - g.xmit
	if g.flags&segEverRe != 0 {
		if r.minRTT > 0 && rtt < r.minRTT {
			return
		}
		if tsecr != 0 && tsBefore(tsecr, tsClock(g.xmit)) {
			return // the ACK echoes an earlier transmission
		}
	}
	if g.flags&segEverRe == 0 && (r.minRTT == 0 || rtt < r.minRTT) {
		r.minRTT = max(rtt, 1)
	}
	if !r.deliveredOK || g.xmit > r.xmitTS || (g.xmit == r.xmitTS && g.end > r.endSeq) {
		r.xmitTS, r.endSeq, r.rtt = g.xmit, g.end, rtt
		r.deliveredOK = true
	}
	// Step 3: a never-retransmitted segment delivered below RACK.fack was
	// reordered.
	if g.flags&segEverRe == 0 && g.end < r.fack {
		r.reordSeen = true
	}
	r.fack = max(r.fack, g.end)
}

// reoWnd returns the reordering window (RFC 8985 §6.2 step 4):
// min_RTT/4 · reo_wnd_mult, at most SRTT; 0 while no reordering has been
// seen and the sender is recovering or has DupThresh segments SACKed (the
// classic rule then decides as fast).
func (r *rack) reoWnd(recovering bool, srtt sim.Time) sim.Time {
	if !r.reordSeen && (recovering || r.segsSACKed >= dupAckThreshold) {
		return 0
	}
	w := (r.minRTT / 4).Mul(int64(r.reoWndMult))
	if srtt > 0 {
		w = min(w, srtt)
	}
	return w
}

// updateReoWnd adapts reo_wnd_mult to D-SACKs (RFC 8985 §6.2 step 4):
// una and nxt are SND.UNA's and SND.NXT's offsets; exited says a recovery
// just ended.
func (r *rack) updateReoWnd(una, nxt int64, exited bool) {
	if r.dsackRound >= 0 && una >= r.dsackRound {
		r.dsackRound = -1
	}
	switch {
	case r.dsackRound < 0 && r.dsackSeen:
		r.dsackRound = nxt
		r.reoWndMult++
		r.reoPersist = 16
	case exited:
		r.reoPersist--
		if r.reoPersist <= 0 {
			r.reoWndMult = 1
		}
	}
	r.dsackSeen = false
}

// sentBefore reports whether segment g was sent before RACK's segment
// (RFC 8985 §6.2 "RACK_sent_after", reversed).
func (r *rack) sentBefore(g *rackSeg) bool {
	return g.xmit < r.xmitTS || (g.xmit == r.xmitTS && g.end <= r.endSeq)
}

// detectLoss marks lost every segment of t not SACKed that was sent before
// RACK's segment more than RACK.rtt + reo_wnd ago (RFC 8985 §6.2 step 5,
// "RACK_detect_loss"), and returns how long until the next one would be
// (0: none is waiting: no reordering timer is needed). Lost segments whose
// retransmission is not in flight are skipped: they are lost already.
// The walk stops at the first segment sent once after RACK's segment, so
// it costs the segments up to RACK.end_seq, not the whole window.
func (r *rack) detectLoss(t *rackSegs, now sim.Time, reoWnd sim.Time) (newly int64, timeout sim.Time) {
	if !r.deliveredOK {
		return 0, 0
	}
	for i := t.head; i < len(t.segs); i++ {
		g := &t.segs[i]
		if g.flags&segSACKed != 0 || g.flags&(segDeemedLost|segRetrans) == segDeemedLost {
			continue
		}
		if !r.sentBefore(g) {
			if g.flags&segEverRe == 0 {
				// Sent once, after RACK's segment: so was everything
				// above it (originals go out in sequence order, and a
				// retransmission after its original). Stop here.
				break
			}
			continue
		}
		remaining := g.xmit.Add(r.rtt).Add(reoWnd) - now
		if remaining <= 0 {
			if g.flags&segRetrans != 0 {
				t.setFlag(i, segRetrans, false) // a lost retransmission (§6.2, no RTO needed)
			}
			if g.flags&segDeemedLost == 0 {
				newly += g.len()
			}
			t.setFlag(i, segDeemedLost, true)
			continue
		}
		timeout = max(timeout, remaining)
	}
	return newly, timeout
}
