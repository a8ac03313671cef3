package tcp

import (
	"tcpsim/model/seqnum"
	"tcpsim/sim"
)

// tsTick is the period of the timestamp clock: 1 ms, as Linux's, within
// the 1 ms to 1 s that RFC 7323 §5.4 allows.
const tsTick = sim.Millisecond

// pawsIdle is how long TS.Recent stays valid without a segment: RFC 7323
// §5.5 invalidates it after 24 days of idleness, when a 1 ms timestamp
// clock could have wrapped half way.
const pawsIdle = 24 * 24 * 3600 * sim.Second

// tsClock is the value of the timestamp clock at time now (RFC 7323 §5.4):
// milliseconds since the simulation began plus one, so that no TSval is 0
// (Linux sends a non-zero TSval; a zero TSecr means "no echo").
//
// Deviation: RFC 7323 §7.1 recommends a random offset per connection,
// against fingerprinting; in a simulation a fixed clock makes traces easier
// to read and costs nothing.
func tsClock(now sim.Time) uint32 { return uint32(now/tsTick) + 1 }

// tsBefore reports a < b for timestamps, which compare like sequence
// numbers: by the sign of their 32-bit difference (RFC 7323 §5.2).
func tsBefore(a, b uint32) bool { return int32(a-b) < 0 }

// tsState is one endpoint's Timestamps option state (RFC 7323 §3–5).
type tsState struct {
	// on reports that both ends sent TSopt on their SYN (RFC 7323 §3.2):
	// then every non-RST segment carries it.
	on bool
	// recent is TS.Recent: the timestamp to echo in TSecr (RFC 7323 §4.3),
	// valid when recentSet.
	recent    uint32
	recentSet bool
	// recentAt is when TS.Recent was last set, for its 24-day validity.
	recentAt sim.Time
	// lastAckSent is Last.ACK.sent: the ACK field of the last segment we
	// sent (RFC 7323 §4.3).
	lastAckSent seqnum.Value
}

// pawsReject reports whether a segment with timestamp tsval must be
// dropped as an old duplicate by PAWS (RFC 7323 §5.3 R1): TS.Recent is
// valid and tsval is before it. The caller does not apply it to RST
// segments, and acknowledges the dropped segment.
func (t *tsState) pawsReject(tsval uint32, now sim.Time) bool {
	if !t.recentSet {
		return false
	}
	if now-t.recentAt > pawsIdle {
		t.recentSet = false // RFC 7323 §5.5: no longer valid
		return false
	}
	return tsBefore(tsval, t.recent)
}

// update records an acceptable segment's timestamp (RFC 7323 §4.3 (2),
// §5.3 R3): if SEG.TSval ≥ TS.Recent and SEG.SEQ ≤ Last.ACK.sent, TS.Recent
// becomes SEG.TSval. The second test keeps the timestamp of the segment
// that left-most fills the window: with delayed ACKs the earliest
// unacknowledged one, after a loss the retransmission that fills the hole,
// so that the sender measures the RTT of what it is waiting for.
func (t *tsState) update(seg seqnum.Value, tsval uint32, now sim.Time) {
	if t.recentSet && tsBefore(tsval, t.recent) {
		return
	}
	if !seg.LessThanEq(t.lastAckSent) {
		return
	}
	t.recent, t.recentSet, t.recentAt = tsval, true, now
}
