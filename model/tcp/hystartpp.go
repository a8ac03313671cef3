package tcp

import (
	"tcpsim/model/seqnum"
	"tcpsim/sim"
)

// RFC 9406 §4.3 constants (the RECOMMENDED values).
const (
	hsppMinRTTThresh    = 4 * sim.Millisecond  // MIN_RTT_THRESH
	hsppMaxRTTThresh    = 16 * sim.Millisecond // MAX_RTT_THRESH
	hsppMinRTTDivisor   = 8                    // MIN_RTT_DIVISOR
	hsppNRTTSample      = 8                    // N_RTT_SAMPLE
	hsppCSSGrowthDivide = 4                    // CSS_GROWTH_DIVISOR
	hsppCSSRounds       = 5                    // CSS_ROUNDS
	hsppInfinity        = sim.Time(1<<63 - 1)  // "infinity" for the RTT minima
)

// hyStartPP is HyStart++ (RFC 9406): slow start watches the minimum RTT
// of each round; when it rises by RttThresh over the last round's
// (§4.2), slow start gives way to Conservative Slow Start (CSS), which
// grows the window by a quarter as fast; if the RTT falls back below the
// baseline CSS was entered at, slow start resumes; after CSS_ROUNDS
// rounds of CSS, congestion avoidance begins (ssthresh = cwnd). A loss
// ends both (the congestion control sets ssthresh).
//
// A round (§4.2) ends when an ACK covers windowEnd, SND.NXT at its start.
// L, the per-ACK growth limit, is left infinite: tcpsim does not pace
// (§4.2 says L = infinity for a paced sender, 8 otherwise). Deviation:
// L = 8 is not applied; growth per ACK stays the congestion control's.
type hyStartPP struct {
	s       *sender
	started bool
	// windowEnd is SND.NXT when the current round began.
	windowEnd          seqnum.Value
	lastRoundMinRTT    sim.Time
	currentRoundMinRTT sim.Time
	rttSampleCount     int
	// css: in Conservative Slow Start since cssBaselineMinRTT was taken;
	// cssRounds counts its rounds.
	css               bool
	cssBaselineMinRTT sim.Time
	cssRounds         int
	done              bool // congestion avoidance reached: HyStart++ is over
}

func newHyStartPP(s *sender) *hyStartPP {
	return &hyStartPP{s: s, lastRoundMinRTT: hsppInfinity, currentRoundMinRTT: hsppInfinity, cssBaselineMinRTT: hsppInfinity}
}

func (h *hyStartPP) reset() {
	*h = *newHyStartPP(h.s)
}

// rttThresh is RttThresh = max(MIN_RTT_THRESH, min(lastRoundMinRTT /
// MIN_RTT_DIVISOR, MAX_RTT_THRESH)) (§4.2).
func rttThresh(lastRoundMinRTT sim.Time) sim.Time {
	return max(hsppMinRTTThresh, min(lastRoundMinRTT/hsppMinRTTDivisor, hsppMaxRTTThresh))
}

func (h *hyStartPP) onAck(ev ackEvent, recovering bool) int {
	s := h.s
	if h.done || recovering || s.cwnd >= s.ssthresh {
		if s.cwnd >= s.ssthresh && h.started {
			h.done = true // a loss or ssthresh ended slow start
		}
		return 1
	}
	if !h.started {
		h.started = true
		h.windowEnd = s.nxt
	}
	// A new round: the ACK covers windowEnd.
	if h.windowEnd.LessThanEq(s.una) {
		h.windowEnd = s.nxt
		h.lastRoundMinRTT = h.currentRoundMinRTT
		h.currentRoundMinRTT = hsppInfinity
		h.rttSampleCount = 0
		if h.css {
			h.cssRounds++
			if h.cssRounds >= hsppCSSRounds {
				// §4.2: CSS lasted CSS_ROUNDS rounds: ssthresh = cwnd.
				h.done = true
				s.setCwnd(s.cwnd, s.cwnd)
				return 1
			}
		}
	}
	if ev.rtt > 0 {
		h.currentRoundMinRTT = min(h.currentRoundMinRTT, ev.rtt)
		h.rttSampleCount++
	}
	if h.rttSampleCount >= hsppNRTTSample && h.currentRoundMinRTT != hsppInfinity {
		if !h.css {
			if h.lastRoundMinRTT != hsppInfinity && h.currentRoundMinRTT >= h.lastRoundMinRTT+rttThresh(h.lastRoundMinRTT) {
				h.css = true
				h.cssBaselineMinRTT = h.currentRoundMinRTT
				h.cssRounds = 0
			}
		} else if h.currentRoundMinRTT < h.cssBaselineMinRTT {
			// §4.2: the RTT increase was spurious: back to slow start.
			h.css = false
			h.cssBaselineMinRTT = hsppInfinity
		}
	}
	if h.css {
		return hsppCSSGrowthDivide
	}
	return 1
}
