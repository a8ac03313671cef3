package tcp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// board returns a scoreboard with SMSS 1000 after ten segments [0, 10000)
// went out, updated with the given SACK blocks.
func board(blocks ...span) *scoreboard {
	var sb scoreboard
	sb.reset(0, 1000)
	sb.Update(0, 10000, blocks)
	return &sb
}

// Update keeps the SACKed ranges sorted and merged, counts only octets not
// SACKed before as new, and ignores blocks that cannot be right: below
// SND.UNA (a D-SACK, RFC 2883), above SND.MAX, empty or reversed (RFC 6675
// §4 "Update ()", RFC 2018 §8).
func TestScoreboardUpdate(t *testing.T) {
	for _, c := range []struct {
		name   string
		una    int64
		blocks []span
		want   string
		newly  int64
	}{
		{"one block", 0, []span{{1000, 2000}}, "[1000,2000)", 1000},
		{"blocks out of order are sorted", 0, []span{{5000, 6000}, {1000, 2000}, {3000, 4000}}, "[1000,2000) [3000,4000) [5000,6000)", 3000},
		{"touching blocks merge", 0, []span{{1000, 2000}, {2000, 3000}}, "[1000,3000)", 2000},
		{"overlapping blocks count once", 0, []span{{1000, 2500}, {2000, 3000}, {1000, 3000}}, "[1000,3000)", 2000},
		{"a block bridging two merges all three", 0, []span{{1000, 2000}, {3000, 4000}, {1500, 3500}}, "[1000,4000)", 3000},
		{"D-SACK below SND.UNA ignored", 2000, []span{{1000, 2000}, {3000, 4000}}, "[3000,4000)", 1000},
		{"block straddling SND.UNA counts from it", 2000, []span{{1000, 3000}}, "[2000,3000)", 1000},
		{"block past SND.MAX ignored", 0, []span{{9000, 10001}, {1000, 2000}}, "[1000,2000)", 1000},
		{"block ending at SND.MAX taken", 0, []span{{9000, 10000}}, "[9000,10000)", 1000},
		{"empty and reversed blocks ignored", 0, []span{{3000, 3000}, {4000, 3000}}, "", 0},
	} {
		var sb scoreboard
		sb.reset(0, 1000)
		newly := sb.Update(c.una, 10000, c.blocks)
		if got := sb.String(); got != c.want || newly != c.newly {
			t.Errorf("%s: scoreboard %q, %d newly SACKed; want %q, %d", c.name, got, newly, c.want, c.newly)
		}
		checkBoard(t, &sb)
	}
	// The same block again is nothing new; a cumulative ACK into a
	// range trims it, and one past it forgets it.
	sb := board(span{1000, 2000}, span{3000, 5000})
	if n := sb.Update(0, 10000, []span{{1000, 2000}}); n != 0 {
		t.Errorf("repeated block: %d newly SACKed, want 0", n)
	}
	sb.Update(4000, 10000, nil)
	if got := sb.String(); got != "[4000,5000)" || sb.sackedBytes != 1000 {
		t.Errorf("after ACK 4000: %q (%d bytes), want [4000,5000) (1000)", got, sb.sackedBytes)
	}
	sb.Update(6000, 10000, nil)
	if !sb.empty() || sb.sackedBytes != 0 {
		t.Errorf("after ACK 6000: %q (%d bytes), want empty", sb.String(), sb.sackedBytes)
	}
}

// IsLost's two rules (RFC 6675 §4), with DupThresh = 3 and SMSS = 1000:
// DupThresh discontiguous SACKed ranges above an octet, or more than
// (DupThresh−1)·SMSS = 2000 SACKed octets above it.
func TestScoreboardIsLost(t *testing.T) {
	for _, c := range []struct {
		name   string
		blocks []span
		off    int64
		want   bool
	}{
		{"nothing SACKed", nil, 0, false},
		{"one segment SACKed above", []span{{1000, 2000}}, 0, false},
		{"two contiguous segments: 2000 octets, not more", []span{{1000, 3000}}, 0, false},
		{"three contiguous segments: 3000 octets", []span{{1000, 4000}}, 0, true},
		{"2001 octets in one range", []span{{1000, 3001}}, 0, true},
		{"two small discontiguous ranges", []span{{1000, 1100}, {2000, 2100}}, 0, false},
		{"three small discontiguous ranges (the 'discontiguous SACKed sequences' rule)", []span{{1000, 1100}, {2000, 2100}, {3000, 3100}}, 0, true},
		{"only the ranges above count", []span{{1000, 1100}, {2000, 2100}, {3000, 3100}}, 1500, false},
		{"the hole between two ranges with 3000 octets above", []span{{1000, 2000}, {3000, 6000}}, 2000, true},
		{"an octet above every range", []span{{1000, 4000}}, 5000, false},
		{"a SACKed octet: only octets above it count", []span{{1000, 4000}}, 1000, true},
		{"a SACKed octet near the top", []span{{1000, 4000}}, 2000, false},
	} {
		if got := board(c.blocks...).IsLost(c.off); got != c.want {
			t.Errorf("%s: IsLost(%d) = %v, want %v", c.name, c.off, got, c.want)
		}
	}
}

// A loss recovery step by step, as RFC 6675 §5 runs it: ten segments out,
// the first lost, three SACKed; fast retransmit; pipe; NextSeg's rules.
func TestScoreboardRecoveryOneLoss(t *testing.T) {
	sb := board(span{1000, 2000})
	sb.Update(0, 10000, []span{{1000, 3000}})
	if sb.IsLost(0) {
		t.Fatal("two SACKed segments: segment 0 deemed lost")
	}
	if n := sb.Update(0, 10000, []span{{1000, 4000}}); n != 1000 {
		t.Fatalf("third SACK: %d newly SACKed, want 1000", n)
	}
	if !sb.IsLost(0) {
		t.Fatal("three SACKed segments: segment 0 not deemed lost")
	}
	// Step 4: RecoveryPoint = HighData; retransmit HighACK+1's segment.
	first := sb.enterRecovery()
	if first != (span{0, 1000}) || sb.recoveryPoint != 10000 || sb.highRxt != 1000 || sb.rescueRxt != 1000 {
		t.Fatalf("enterRecovery: %v, RecoveryPoint+1 %d, HighRxt+1 %d, RescueRxt+1 %d", first, sb.recoveryPoint, sb.highRxt, sb.rescueRxt)
	}
	// SetPipe: [4000,10000) not lost counts once, the retransmitted
	// [0,1000) once; SACKed [1000,4000) not at all.
	if p := sb.SetPipe(); p != 7000 {
		t.Fatalf("pipe = %d, want 7000", p)
	}
	// Nothing lost is left, nothing unSACKed lies below the highest
	// SACKed octet above HighRxt, and the rescue must wait for HighACK
	// to pass RescueRxt: with no new data NextSeg has nothing.
	if seg, rule := sb.NextSeg(10000); rule != segNone {
		t.Fatalf("NextSeg = %v by rule %v, want none", seg, rule)
	}
	// With new data allowed, rule (2) sends it.
	if seg, rule := sb.NextSeg(20000); rule != segNew || seg != (span{10000, 11000}) {
		t.Fatalf("NextSeg = %v by rule %v, want [10000,11000) new", seg, rule)
	}
	sb.Sent(span{10000, 11000}, segNew)
	if sb.highData != 11000 || sb.pipe != 8000 {
		t.Fatalf("after new data: HighData+1 %d, pipe %d; want 11000, 8000", sb.highData, sb.pipe)
	}
}

// Rule (1) takes lost holes in order above HighRxt; rule (2) new data
// comes before rule (3), which retransmits a hole not yet deemed lost.
func TestScoreboardNextSegRules(t *testing.T) {
	// Holes at [0,1000), [2000,3000) and [4000,5000): three ranges above
	// the first hole deem it lost; the second has two ranges and 2000
	// octets above it, so it is not lost, and neither is the third.
	sb := board(span{1000, 2000}, span{3000, 4000}, span{5000, 6000})
	if !sb.IsLost(0) || sb.IsLost(2000) || sb.IsLost(4000) {
		t.Fatalf("IsLost 0, 2000, 4000 = %v %v %v, want true false false", sb.IsLost(0), sb.IsLost(2000), sb.IsLost(4000))
	}
	first := sb.enterRecovery()
	sb.Sent(first, segLost)
	if p := sb.SetPipe(); p != 7000 {
		// Not lost: [2000,3000), [4000,5000), [6000,10000); retransmitted: [0,1000).
		t.Fatalf("pipe = %d, want 7000", p)
	}
	if seg, rule := sb.NextSeg(11000); rule != segNew || seg != (span{10000, 11000}) {
		t.Fatalf("NextSeg with new data = %v %v, want [10000,11000) new", seg, rule)
	}
	seg, rule := sb.NextSeg(10000)
	if rule != segUnlost || seg != (span{2000, 3000}) {
		t.Fatalf("NextSeg = %v %v, want [2000,3000) unlost", seg, rule)
	}
	sb.Sent(seg, rule)
	if seg, rule = sb.NextSeg(10000); rule != segUnlost || seg != (span{4000, 5000}) {
		t.Fatalf("NextSeg = %v %v, want [4000,5000) unlost", seg, rule)
	}
	sb.Sent(seg, rule)
	if seg, rule = sb.NextSeg(10000); rule != segNone {
		t.Fatalf("NextSeg = %v %v, want none", seg, rule)
	}

	// Two lost holes: rule (1) retransmits them in order, each capped at
	// the SACKed range above it.
	sb = board(span{1000, 2000}, span{2500, 6000})
	first = sb.enterRecovery()
	if first != (span{0, 1000}) {
		t.Fatalf("first retransmission %v", first)
	}
	sb.Sent(first, segLost)
	if seg, rule = sb.NextSeg(10000); rule != segLost || seg != (span{2000, 2500}) {
		t.Fatalf("NextSeg = %v %v, want [2000,2500) lost", seg, rule)
	}
	sb.Sent(seg, rule)
	if sb.highRxt != 2500 {
		t.Fatalf("HighRxt+1 = %d, want 2500", sb.highRxt)
	}
	if seg, rule = sb.NextSeg(10000); rule != segNone {
		t.Fatalf("NextSeg = %v %v, want none", seg, rule)
	}
}

// Rule (4), the rescue retransmission: the tail of the window is lost, so
// no SACK arrives above it. Once HighACK passes RescueRxt, one segment
// holding the highest unSACKed octet goes out, once per recovery.
func TestScoreboardRescue(t *testing.T) {
	sb := board(span{1000, 9000})
	first := sb.enterRecovery()
	sb.Sent(first, segLost)
	if seg, rule := sb.NextSeg(10000); rule != segNone {
		t.Fatalf("before HighACK passes RescueRxt: NextSeg = %v %v, want none", seg, rule)
	}
	sb.Update(9000, 10000, nil) // the retransmission fills the hole
	sb.SetPipe()
	seg, rule := sb.NextSeg(10000)
	if rule != segRescue || seg != (span{9000, 10000}) {
		t.Fatalf("NextSeg = %v %v, want [9000,10000) rescue", seg, rule)
	}
	sb.Sent(seg, rule)
	if sb.rescueRxt != sb.recoveryPoint || sb.highRxt != 1000 {
		t.Fatalf("after the rescue: RescueRxt+1 %d (RecoveryPoint+1 %d), HighRxt+1 %d; want RescueRxt = RecoveryPoint, HighRxt unchanged", sb.rescueRxt, sb.recoveryPoint, sb.highRxt)
	}
	if seg, rule := sb.NextSeg(10000); rule != segNone {
		t.Fatalf("second rescue: NextSeg = %v %v, want none", seg, rule)
	}

	// The rescue holds the highest unSACKed octet even below a SACKed
	// range that reaches HighData, and stays within that octet's hole.
	sb = board(span{1000, 2000}, span{2000, 3000}, span{3000, 4000}, span{8500, 10000})
	sb.enterRecovery()
	sb.Update(4000, 10000, nil)
	if seg, rule := sb.NextSeg(10000); rule != segUnlost || seg != (span{4000, 5000}) {
		t.Fatalf("NextSeg = %v %v, want [4000,5000) unlost", seg, rule)
	}
	sb.Sent(span{4000, 8500}, segUnlost)
	if seg, rule := sb.NextSeg(10000); rule != segRescue || seg != (span{7500, 8500}) {
		t.Fatalf("NextSeg = %v %v, want [7500,8500) rescue", seg, rule)
	}
}

// After a timeout everything outstanding counts as lost, only what
// go-back-N has resent since is in the pipe, new data counts as usual, and
// no recovery starts before SND.UNA passes what was outstanding (RFC 6675
// §5.1).
func TestScoreboardAfterRTO(t *testing.T) {
	sb := board(span{1000, 2000}, span{5000, 6000})
	sb.afterRTO()
	if p := sb.SetPipe(); p != 0 {
		t.Fatalf("pipe just after the timeout = %d, want 0", p)
	}
	if sb.recoveryPoint != 10000 {
		t.Fatalf("RecoveryPoint+1 = %d, want HighData+1 = 10000", sb.recoveryPoint)
	}
	sb.highRxt = 3000 // go-back-N resent [0,1000) and [2000,3000)
	if p := sb.SetPipe(); p != 2000 {
		t.Fatalf("pipe after resending two segments = %d, want 2000", p)
	}
	sb.Update(0, 11000, nil) // and one new segment
	if p := sb.SetPipe(); p != 3000 {
		t.Fatalf("pipe with a new segment = %d, want 3000", p)
	}
	// The SACKed ranges stay for go-back-N to skip.
	if s, n := sb.unsackedRun(1000, 1000); s != 2000 || n != 1000 {
		t.Fatalf("unsackedRun(1000) = %d, %d; want 2000, 1000", s, n)
	}
}

// A retransmission holds data or the FIN, never both: the stream is 9999
// bytes and the FIN takes offset 9999.
func TestScoreboardFINAlone(t *testing.T) {
	sb := board(span{1000, 9000})
	sb.finAt = 9999
	sb.Sent(sb.enterRecovery(), segLost)
	sb.Update(9000, 10000, nil)
	if seg, rule := sb.NextSeg(9999); rule != segRescue || seg != (span{9999, 10000}) {
		t.Fatalf("rescue = %v %v, want the FIN alone [9999,10000)", seg, rule)
	}
	// Lost data just before the FIN is resent without it.
	sb = board(span{9999, 10000})
	sb.finAt = 9999
	sb.Update(9500, 10000, []span{{9999, 10000}})
	sb.highRxt = 9500
	if seg, rule := sb.NextSeg(9999); rule != segUnlost || seg != (span{9500, 9999}) {
		t.Fatalf("NextSeg = %v %v, want [9500,9999) without the FIN", seg, rule)
	}
}

// unsackedRun skips SACKed data and stops before the next SACKed range:
// go-back-N after a timeout never resends SACKed octets (RFC 6675 §5.1).
func TestScoreboardUnsackedRun(t *testing.T) {
	sb := board(span{1000, 2000}, span{2500, 4000})
	for _, c := range []struct {
		off       int64
		n         int
		wantStart int64
		wantN     int
	}{
		{0, 1000, 0, 1000},
		{0, 1460, 0, 1000},
		{500, 1460, 500, 500},
		{1000, 1460, 2000, 500},
		{1999, 100, 2000, 100},
		{3000, 1460, 4000, 1460},
		{9000, 1460, 9000, 1460},
	} {
		s, n := sb.unsackedRun(c.off, c.n)
		if s != c.wantStart || n != c.wantN {
			t.Errorf("unsackedRun(%d, %d) = %d, %d; want %d, %d", c.off, c.n, s, n, c.wantStart, c.wantN)
		}
	}
}

// String shows the SACKed ranges, for test messages.
func (sb *scoreboard) String() string {
	s := ""
	for i, r := range sb.sacked {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("[%d,%d)", r.start, r.end)
	}
	return s
}

// checkBoard checks the scoreboard's structural invariants.
func checkBoard(t *testing.T, sb *scoreboard) {
	t.Helper()
	var bytes int64
	for i, r := range sb.sacked {
		if r.start >= r.end || r.start < sb.highACK || r.end > sb.highData {
			t.Fatalf("range %v outside [HighACK+1 %d, HighData+1 %d) or empty: %s", r, sb.highACK, sb.highData, sb)
		}
		if i > 0 && sb.sacked[i-1].end >= r.start {
			t.Fatalf("ranges not sorted, disjoint and apart: %s", sb)
		}
		bytes += r.end - r.start
	}
	if bytes != sb.sackedBytes {
		t.Fatalf("sackedBytes %d, ranges hold %d: %s", sb.sackedBytes, bytes, sb)
	}
}

// bruteBoard is the scoreboard as RFC 6675 §4 states it, octet by octet:
// a flag per octet, IsLost and SetPipe by counting, NextSeg by scanning.
type bruteBoard struct {
	sacked                                           []bool // by stream offset
	una, highData, highRxt, rescueRxt, recoveryPoint int64
	smss                                             int64
	finAt                                            int64
	rtoLost                                          int64
}

func (m *bruteBoard) update(una, highData int64, blocks []span) (newly int64) {
	m.una, m.highData = max(m.una, una), max(m.highData, highData, una)
	for o := range m.una {
		m.sacked[o] = false
	}
	for _, b := range blocks {
		if b.end <= b.start || b.end <= m.una || b.end > m.highData {
			continue
		}
		for o := max(b.start, m.una); o < b.end; o++ {
			if !m.sacked[o] {
				m.sacked[o] = true
				newly++
			}
		}
	}
	return newly
}

func (m *bruteBoard) isLost(s int64) bool {
	ranges, bytes := 0, int64(0)
	for o := s + 1; o < m.highData; o++ {
		if m.sacked[o] {
			bytes++
			if o == s+1 || !m.sacked[o-1] {
				ranges++
			}
		}
	}
	return ranges >= dupAckThreshold || bytes > (dupAckThreshold-1)*m.smss
}

func (m *bruteBoard) setPipe() int64 {
	var pipe int64
	for o := m.una; o < m.highData; o++ {
		if m.sacked[o] {
			continue
		}
		if !m.isLost(o) && o >= m.rtoLost {
			pipe++
		}
		if o < m.highRxt {
			pipe++
		}
	}
	return pipe
}

// holeEnd is the segment starting at s: up to SMSS octets, not into
// SACKed data, not past HighData.
func (m *bruteBoard) holeEnd(s int64) int64 {
	e := s
	for e < m.highData && e < s+m.smss && !m.sacked[e] && (e == s || e != m.finAt) {
		e++
	}
	return e
}

func (m *bruteBoard) nextSeg(newEnd int64) (span, nextSegRule) {
	highSACKed := int64(-1) // the highest SACKed octet
	for o := m.una; o < m.highData; o++ {
		if m.sacked[o] {
			highSACKed = o
		}
	}
	for o := max(m.highRxt, m.una); o < m.highData; o++ {
		if !m.sacked[o] && o < highSACKed && m.isLost(o) {
			return span{o, m.holeEnd(o)}, segLost
		}
	}
	if newEnd > m.highData {
		return span{m.highData, min(newEnd, m.highData+m.smss)}, segNew
	}
	for o := max(m.highRxt, m.una); o < m.highData; o++ {
		if !m.sacked[o] && o < highSACKed {
			return span{o, m.holeEnd(o)}, segUnlost
		}
	}
	if m.una > m.rescueRxt && m.una < m.highData {
		hi := m.highData - 1
		for hi >= m.una && m.sacked[hi] {
			hi--
		}
		if hi >= m.una {
			lo := hi
			for lo > m.una && !m.sacked[lo-1] && lo > hi+1-m.smss && hi != m.finAt {
				lo--
			}
			return span{lo, hi + 1}, segRescue
		}
	}
	return span{}, segNone
}

func (m *bruteBoard) sent(seg span, rule nextSegRule) {
	switch rule {
	case segRescue:
		m.rescueRxt = m.recoveryPoint
	case segLost, segUnlost:
		m.highRxt = max(m.highRxt, seg.end)
	}
	m.highData = max(m.highData, seg.end)
}

// The scoreboard agrees with the octet-by-octet model of RFC 6675 §4 over
// random runs of sends, cumulative ACKs, SACK blocks (valid, D-SACK,
// beyond SND.MAX, reversed), recoveries and NextSeg transmissions: the
// same SACKed octets, IsLost for every octet, pipe, NextSeg's segment and
// rule, and go-back-N's unSACKed runs.
func TestScoreboardMatchesOctetModel(t *testing.T) {
	const space = 1200
	for seed := range uint64(400) {
		r := rand.New(rand.NewPCG(seed, 6675))
		smss := int64(1 + r.IntN(12))
		var sb scoreboard
		sb.reset(0, int(smss))
		m := &bruteBoard{sacked: make([]bool, space+256), rescueRxt: -1, smss: smss, finAt: math.MaxInt64}
		if r.IntN(2) == 0 { // the stream ends (a FIN) within the run
			sb.finAt = 1 + r.Int64N(space-1)
			m.finAt = sb.finAt
		}
		fail := func(step int, format string, args ...any) {
			t.Helper()
			t.Fatalf("seed %d step %d (SMSS %d, HighACK+1 %d, HighData+1 %d, HighRxt+1 %d): %s\nscoreboard %s", seed, step, smss, sb.highACK, sb.highData, sb.highRxt, fmt.Sprintf(format, args...), &sb)
		}
		for step := range 300 {
			una, hd := sb.highACK, sb.highData
			var blocks []span
			switch op := r.IntN(10); {
			case op < 2 && hd < space: // send new data
				hd = min(space, hd+1+r.Int64N(3*smss))
			case op < 4: // cumulative ACK
				una += r.Int64N(hd - una + 1)
			case op < 5 && r.IntN(8) == 0: // a retransmission timeout
				sb.afterRTO()
				m.recoveryPoint, m.rtoLost, m.highRxt = m.highData, m.highData, m.una
				continue
			case op < 5 && r.IntN(4) == 0: // limited transmit, RFC 6675 §5 step 3.1
				sb.beforeLimitedTransmit()
				m.highRxt = m.una
				continue
			case op < 5: // enter recovery, as RFC 6675 §5 step 4
				if una < hd {
					first := sb.enterRecovery()
					m.recoveryPoint = m.highData
					m.highRxt, m.rescueRxt = first.end, first.end
					if want := (span{una, m.holeEnd(m.una)}); first != want && !m.sacked[una] {
						fail(step, "first retransmission %v, want %v", first, want)
					}
				}
				continue
			case op < 7: // transmit by NextSeg
				newEnd := min(space, hd+r.Int64N(2*smss)*int64(r.IntN(2)))
				seg, rule := sb.NextSeg(newEnd)
				wseg, wrule := m.nextSeg(newEnd)
				if seg != wseg || rule != wrule {
					fail(step, "NextSeg(%d) = %v %v, model %v %v", newEnd, seg, rule, wseg, wrule)
				}
				if rule != segNone {
					pipe := sb.pipe
					sb.Sent(seg, rule)
					m.sent(seg, rule)
					if sb.pipe != pipe+seg.end-seg.start {
						fail(step, "Sent did not add the segment to pipe")
					}
				}
				continue
			default: // an ACK with SACK blocks, some of them bogus
				for range r.IntN(5) {
					a := una - 10 + r.Int64N(hd-una+20)
					blocks = append(blocks, span{a, a + r.Int64N(4*smss) - smss/2})
				}
			}
			newly := sb.Update(una, hd, blocks)
			if want := m.update(una, hd, blocks); newly != want {
				fail(step, "Update(%d, %d, %v) newly SACKed %d, model %d", una, hd, blocks, newly, want)
			}
			checkBoard(t, &sb)
			for o := sb.highACK; o < sb.highData; o++ {
				if sb.IsSACKed(o) != m.sacked[o] {
					fail(step, "IsSACKed(%d) = %v, model %v", o, sb.IsSACKed(o), m.sacked[o])
				}
				if sb.IsLost(o) != m.isLost(o) {
					fail(step, "IsLost(%d) = %v, model %v", o, sb.IsLost(o), m.isLost(o))
				}
			}
			if p, want := sb.SetPipe(), m.setPipe(); p != want {
				fail(step, "SetPipe = %d, model %d", p, want)
			}
			off := sb.highACK + r.Int64N(sb.highData-sb.highACK+2*smss)
			n := 1 + r.IntN(int(2*smss))
			s, k := sb.unsackedRun(off, n)
			ws := off
			for ws < int64(len(m.sacked)) && m.sacked[ws] {
				ws++
			}
			wk := 0
			for wk < n && ws+int64(wk) < int64(len(m.sacked)) && !m.sacked[ws+int64(wk)] {
				wk++
			}
			if s != ws || k != wk {
				fail(step, "unsackedRun(%d, %d) = %d, %d; model %d, %d", off, n, s, k, ws, wk)
			}
		}
	}
}

// Update, SetPipe and NextSeg allocate nothing once the ranges' slice has
// grown.
func TestScoreboardDoesNotAllocate(t *testing.T) {
	sb := board(span{1000, 2000}, span{3000, 4000}, span{5000, 6000}, span{7000, 8000})
	blocks := []span{{8000, 9000}, {1000, 2000}, {3000, 4000}}
	if n := testing.AllocsPerRun(100, func() {
		sb.Update(0, 10000, blocks)
		sb.SetPipe()
		sb.NextSeg(12000)
		sb.IsLost(0)
	}); n != 0 {
		t.Fatalf("%v allocations per ACK, want 0", n)
	}
}
