package tcp

import "math"

// This file is the data sender's SACK scoreboard of RFC 6675 §3–4: which
// octets above the cumulative ACK the receiver has selectively
// acknowledged (RFC 2018), which of the rest are deemed lost, how much is
// still in the network ("pipe") and what to send next (NextSeg).
//
// Everything is kept in 64-bit stream offsets (see Endpoint.offset), so
// that no comparison wraps; the endpoint converts the sequence numbers of
// SACK blocks before Update. RFC 6675 names the last octet of a range
// (HighACK, HighData, HighRxt, RescueRxt and RecoveryPoint are all "the
// highest sequence number ..."); the scoreboard keeps the offset just past
// it instead, as Go slices and the rest of this package do, and says so on
// every field.

// scoreboard is the sender's record of SACKed data (RFC 6675 §3) and the
// recovery variables the RFC defines beside it (§2). The zero value is not
// ready: call reset.
type scoreboard struct {
	// sacked holds the SACKed ranges above HighACK: sorted, disjoint and
	// never touching (touching ranges merge), each within
	// [highACK, highData).
	sacked spans
	// sackedBytes is the number of octets in sacked.
	sackedBytes int64
	// highACK is HighACK+1: SND.UNA's stream offset, the first octet not
	// cumulatively acknowledged (RFC 6675 §2 "HighACK").
	highACK int64
	// highData is HighData+1: just past the highest octet sent, SND.MAX's
	// stream offset (RFC 6675 §2 "HighData").
	highData int64
	// highRxt is HighRxt+1: just past the highest octet retransmitted in
	// the current loss recovery (RFC 6675 §2 "HighRxt").
	highRxt int64
	// rescueRxt is RescueRxt+1, or -1 while RescueRxt is undefined: just
	// past the highest octet sent by the rescue retransmission (RFC 6675
	// §2 "RescueRxt"), which may happen once per recovery.
	rescueRxt int64
	// recoveryPoint is RecoveryPoint+1: HighData when loss recovery began;
	// a cumulative ACK at or past it ends the recovery (RFC 6675 §5).
	recoveryPoint int64
	// pipe is the octets deemed in the network, as SetPipe last computed
	// it and as transmissions since have raised it (RFC 6675 §4, step C.4).
	pipe int64
	smss int64 // SMSS, for IsLost's byte rule and the size of segments
	// rtoLost is HighData when the retransmission timer last expired
	// (one past it), 0 before: every octet below it that is not SACKed
	// counts as lost for SetPipe, as RFC 5681 takes everything outstanding
	// at a timeout to be (see afterRTO).
	rtoLost int64
	// finAt is the stream offset of our FIN once it is queued (the
	// stream's length; the FIN takes one octet of sequence space there),
	// math.MaxInt64 before. A retransmission never joins data and FIN:
	// the sender resends them as separate segments, so NextSeg cuts a
	// segment at finAt.
	finAt int64
}

// nextSegRule says which rule of RFC 6675 §4 NextSeg chose.
type nextSegRule int

// NextSeg's rules.
const (
	// segNone: nothing to send (NextSeg "returns failure").
	segNone nextSegRule = iota
	// segLost, rule (1): the first unSACKed octet above HighRxt that
	// IsLost deems lost.
	segLost
	// segNew, rule (2): previously unsent data from HighData.
	segNew
	// segUnlost, rule (3): the first unSACKed octet above HighRxt and
	// below the highest SACKed one, not (yet) deemed lost.
	segUnlost
	// segRescue, rule (4): the once-per-recovery rescue retransmission of
	// the highest unSACKed octet.
	segRescue
)

// String names the rule as tests print it.
func (r nextSegRule) String() string {
	return [...]string{"none", "lost", "new", "unlost", "rescue"}[r]
}

// reset empties the scoreboard for a connection whose first unacknowledged
// octet is at offset una, with sender MSS smss.
func (sb *scoreboard) reset(una int64, smss int) {
	*sb = scoreboard{
		sacked:    sb.sacked[:0],
		highACK:   una,
		highData:  una,
		highRxt:   una,
		rescueRxt: -1,
		smss:      int64(smss),
		finAt:     math.MaxInt64,
	}
}

// cut returns the end of a segment that starts at start and may run to
// end: at most SMSS, and data or the FIN, not both.
func (sb *scoreboard) cut(start, end int64) int64 {
	end = min(end, start+sb.smss)
	if start < sb.finAt {
		end = min(end, sb.finAt)
	}
	return end
}

// Update records an ACK (RFC 6675 §4 "Update ()"): the cumulative ACK at
// offset una, the highest octet sent so far (highData, one past it), and
// the ACK's SACK blocks as stream offsets. It returns how many octets the
// blocks newly SACKed: an ACK that SACKs new octets between HighACK and
// HighData is a "duplicate acknowledgment" in RFC 6675's sense (§2).
//
// A block is ignored when it is empty or reversed, when it ends at or below
// una (a D-SACK of RFC 2883 reports data already acknowledged), or when it
// ends past highData (it cannot acknowledge data never sent, RFC 2018 §8);
// a block that starts below una counts from una.
func (sb *scoreboard) Update(una, highData int64, blocks []span) (newly int64) {
	sb.highData = max(sb.highData, highData)
	sb.advance(una)
	for _, b := range blocks {
		if b.end <= b.start || b.end <= sb.highACK || b.end > sb.highData {
			continue
		}
		newly += sb.insert(span{max(b.start, sb.highACK), b.end})
	}
	return newly
}

// advance moves HighACK to una, forgetting SACKed octets below it: they
// are cumulatively acknowledged now, and SACK information stays only
// until then (RFC 2018 §8).
func (sb *scoreboard) advance(una int64) {
	if una <= sb.highACK {
		return
	}
	sb.highACK = una
	sb.highData = max(sb.highData, una)
	i := 0
	for i < len(sb.sacked) && sb.sacked[i].end <= una {
		sb.sackedBytes -= sb.sacked[i].end - sb.sacked[i].start
		i++
	}
	if i < len(sb.sacked) && sb.sacked[i].start < una {
		sb.sackedBytes -= una - sb.sacked[i].start
		sb.sacked[i].start = una
	}
	if i > 0 {
		sb.sacked = append(sb.sacked[:0], sb.sacked[i:]...)
	}
}

// insert marks s SACKed, merging it with the ranges it overlaps or
// touches, and returns how many of its octets were not SACKed before.
func (sb *scoreboard) insert(s span) (newly int64) {
	newly = s.end - s.start - sb.sacked.insert(s)
	sb.sackedBytes += newly
	return newly
}

// find returns the index of the first SACKed range that ends after off
// (len(sb.sacked) if none): the range holding off, or the next above it.
func (sb *scoreboard) find(off int64) int { return sb.sacked.find(off) }

// IsSACKed reports whether the octet at off has been SACKed.
func (sb *scoreboard) IsSACKed(off int64) bool {
	i := sb.find(off)
	return i < len(sb.sacked) && sb.sacked[i].start <= off
}

// empty reports whether nothing is SACKed.
func (sb *scoreboard) empty() bool { return len(sb.sacked) == 0 }

// highSACKed returns just past the highest SACKed octet (HighACK when none
// is).
func (sb *scoreboard) highSACKed() int64 {
	if len(sb.sacked) == 0 {
		return sb.highACK
	}
	return sb.sacked[len(sb.sacked)-1].end
}

// lossThreshold is IsLost's byte rule: more than (DupThresh−1)·SMSS octets
// SACKed above an octet deem it lost.
func (sb *scoreboard) lossThreshold() int64 { return (dupAckThreshold - 1) * sb.smss }

// IsLost reports whether the octet at off is deemed lost (RFC 6675 §4
// "IsLost (SeqNumber)"): DupThresh discontiguous SACKed ranges lie above
// it (a range counts if any of its octets is above off), or more than
// (DupThresh−1)·SMSS SACKed octets do. Cost: O(1), as it looks at no more
// than DupThresh ranges.
func (sb *scoreboard) IsLost(off int64) bool {
	var n, bytes int64
	for i := len(sb.sacked) - 1; i >= 0; i-- {
		r := sb.sacked[i]
		if r.end <= off+1 {
			break
		}
		n++
		bytes += r.end - max(r.start, off+1)
		if n >= dupAckThreshold || bytes > sb.lossThreshold() {
			return true
		}
	}
	return false
}

// lostEnd returns the offset below which every unSACKed octet is deemed
// lost, and at or above which none is. IsLost of an unSACKed octet depends
// only on the ranges above it, the same for every octet of a hole, and
// fewer ranges lie above a higher hole: so walking down from the top, the
// first range whose start has DupThresh ranges or more than
// (DupThresh−1)·SMSS octets at or above it bounds the lost holes. HighACK
// when nothing is lost. Cost: O(1), at most DupThresh ranges.
func (sb *scoreboard) lostEnd() int64 {
	var n, bytes int64
	for i := len(sb.sacked) - 1; i >= 0; i-- {
		r := sb.sacked[i]
		n++
		bytes += r.end - r.start
		if n >= dupAckThreshold || bytes > sb.lossThreshold() {
			return r.start
		}
	}
	return sb.highACK
}

// sackedIn returns how many octets in [a, b) are SACKed.
func (sb *scoreboard) sackedIn(a, b int64) int64 {
	var n int64
	for i := sb.find(a); i < len(sb.sacked) && sb.sacked[i].start < b; i++ {
		r := sb.sacked[i]
		n += min(r.end, b) - max(r.start, a)
	}
	return n
}

// unsackedIn returns how many octets in [a, b) are not SACKed (0 for an
// empty or reversed range).
func (sb *scoreboard) unsackedIn(a, b int64) int64 {
	if b <= a {
		return 0
	}
	return b - a - sb.sackedIn(a, b)
}

// SetPipe computes pipe, the octets deemed still in the network (RFC 6675
// §4 "SetPipe ()"): every unSACKed octet from HighACK to HighData counts
// once if IsLost deems it not lost (and it was not outstanding at the last
// timeout, see afterRTO), and once more if it was retransmitted in this
// recovery (at or below HighRxt). It returns pipe. Cost: O(ranges).
func (sb *scoreboard) SetPipe() int64 {
	notLost := sb.unsackedIn(max(sb.highACK, sb.lostEnd(), sb.rtoLost), sb.highData)
	rexmit := sb.unsackedIn(sb.highACK, min(sb.highRxt, sb.highData))
	sb.pipe = notLost + rexmit
	return sb.pipe
}

// NextSeg returns the range of the next segment to send and the rule that
// chose it (RFC 6675 §4 "NextSeg ()"), at most SMSS octets:
//
//  1. the first unSACKed octet S2 above HighRxt and below the highest
//     SACKed octet that IsLost deems lost, up to the next SACKed range;
//  2. else, if newEnd > HighData (unsent data exists and the receiver's
//     window allows it: the caller says how far), new data from HighData;
//  3. else the first unSACKed octet above HighRxt and below the highest
//     SACKed octet, though not deemed lost;
//  4. else, once per recovery (HighACK past RescueRxt, or RescueRxt
//     undefined), a rescue retransmission holding the highest unSACKed
//     octet below HighData.
//
// NextSeg changes nothing; the caller transmits the segment and reports it
// with Sent. Rules 3 and 4 belong to loss recovery only: outside it the
// caller takes rule 2 alone (RFC 6675 §5 step 3). Cost: O(log ranges).
//
// Rule 4's segment ends just past the highest unSACKed octet and starts
// SMSS before, or at the start of that octet's hole if it is shorter (the
// FIN alone if that octet is the FIN). Every segment holds data or the
// FIN, never both (finAt).
func (sb *scoreboard) NextSeg(newEnd int64) (span, nextSegRule) {
	// Rules (1) and (3) look at the same octet: the first unSACKed one at
	// or above HighRxt+1 (and HighACK+1), if it lies below the highest
	// SACKed octet. IsLost decides which rule it falls under.
	s, end := sb.firstHole(max(sb.highRxt, sb.highACK))
	haveHole := s < sb.highSACKed()
	if haveHole && s < sb.lostEnd() {
		return span{s, sb.cut(s, end)}, segLost
	}
	if newEnd > sb.highData {
		return span{sb.highData, min(newEnd, sb.highData+sb.smss)}, segNew
	}
	if haveHole {
		return span{s, sb.cut(s, end)}, segUnlost
	}
	// Rule (4): HighACK > RescueRxt, in one-past form highACK > rescueRxt.
	if sb.highACK < sb.highData && sb.highACK > sb.rescueRxt {
		// The highest unSACKed octet: just below the top SACKed range if
		// that range reaches HighData, else HighData's last octet.
		hi := sb.highData
		lo := sb.highACK
		if n := len(sb.sacked); n > 0 && sb.sacked[n-1].end == hi {
			hi = sb.sacked[n-1].start
			if n > 1 {
				lo = sb.sacked[n-2].end
			}
		} else if n > 0 {
			lo = sb.sacked[n-1].end
		}
		if lo < hi {
			if hi-1 == sb.finAt {
				return span{sb.finAt, hi}, segRescue // the FIN alone
			}
			return span{max(lo, hi-sb.smss), hi}, segRescue
		}
	}
	return span{}, segNone
}

// firstHole returns the first unSACKed octet at or above off and the end
// of its hole (the start of the next SACKed range, or HighData).
func (sb *scoreboard) firstHole(off int64) (start, end int64) {
	i := sb.find(off)
	if i < len(sb.sacked) && sb.sacked[i].start <= off {
		off = sb.sacked[i].end
		i++
	}
	if i < len(sb.sacked) {
		return off, sb.sacked[i].start
	}
	return off, max(off, sb.highData)
}

// Sent records the transmission of seg, chosen by NextSeg's rule (RFC 6675
// §5 steps C.2–C.4): a retransmission below HighData moves HighRxt to its
// end, except the rescue retransmission, which sets RescueRxt to
// RecoveryPoint instead; new data moves HighData; pipe grows by the
// segment's size.
func (sb *scoreboard) Sent(seg span, rule nextSegRule) {
	switch rule {
	case segRescue:
		sb.rescueRxt = sb.recoveryPoint
	case segLost, segUnlost:
		sb.highRxt = max(sb.highRxt, seg.end)
	}
	sb.highData = max(sb.highData, seg.end)
	sb.pipe += seg.end - seg.start
}

// enterRecovery starts a loss recovery (RFC 6675 §5 step 4) and returns
// its first retransmission, the segment at HighACK+1 (step 4.3):
// RecoveryPoint is HighData, and HighRxt and RescueRxt both take the end of
// that segment, so that neither repeats it nor rescues too soon. The
// caller sends the segment, then runs SetPipe (step 4.4).
func (sb *scoreboard) enterRecovery() span {
	sb.recoveryPoint = sb.highData
	s, n := sb.unsackedRun(sb.highACK, int(sb.smss))
	first := span{s, sb.cut(s, min(s+int64(n), sb.highData))}
	sb.highRxt, sb.rescueRxt = first.end, first.end
	return first
}

// afterRTO records a retransmission timeout (RFC 6675 §5.1): RecoveryPoint
// becomes HighData, so that no loss recovery starts again before HighACK
// reaches it, and every unSACKed octet sent so far counts as lost in pipe
// (rtoLost), nothing as retransmitted (HighRxt = HighACK): the go-back-N
// that follows resends them, and the caller moves HighRxt along as it
// does. The SACKed ranges stay: RFC 6675 §5.1 asks the sender to use them
// in the recovery after a timeout, and tcpsim's receiver never discards
// what it has SACKed (RFC 2018 §8 lets a receiver renege; it does not).
func (sb *scoreboard) afterRTO() {
	sb.recoveryPoint = sb.highData
	sb.rtoLost = sb.highData
	sb.highRxt = sb.highACK
}

// beforeLimitedTransmit sets HighRxt to HighACK (RFC 6675 §5 step 3.1):
// outside recovery nothing counts as retransmitted in pipe.
func (sb *scoreboard) beforeLimitedTransmit() { sb.highRxt = sb.highACK }

// unsackedRun returns the first unSACKed octet at or after off and how
// many octets, at most n, follow it before the next SACKed range: what a
// go-back-N retransmission after a timeout may resend without repeating
// SACKed data (RFC 6675 §5.1).
func (sb *scoreboard) unsackedRun(off int64, n int) (int64, int) {
	i := sb.find(off)
	if i < len(sb.sacked) && sb.sacked[i].start <= off {
		off = sb.sacked[i].end
		i++
	}
	if i < len(sb.sacked) {
		return off, int(min(int64(n), sb.sacked[i].start-off))
	}
	return off, n
}
