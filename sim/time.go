// Package sim is tcpsim's discrete-event engine: an integer simulated clock,
// a priority queue of events ordered by (time, insertion order), cheap
// lazily-cancelled timers and seeded, independent random streams.
//
// The engine knows nothing about networks. One run is one deterministic
// loop: the same schedule of events and the same seed produce the same
// sequence of callbacks, on any machine.
package sim

import (
	"fmt"
	"math/bits"
	"strconv"
)

// Time is a simulated instant or duration, in integer nanoseconds.
// Integer time keeps runs exact and reproducible (no float rounding).
type Time int64

// Units of simulated time.
const (
	Nanosecond  Time = 1
	Microsecond      = 1000 * Nanosecond
	Millisecond      = 1000 * Microsecond
	Second           = 1000 * Millisecond
	Minute           = 60 * Second
	// Forever is the largest representable time; a run with no time limit
	// uses it.
	Forever Time = 1<<63 - 1
)

// Seconds returns t as a floating-point number of seconds (for reports
// only: never feed it back into the event queue).
func (t Time) Seconds() float64 { return float64(t) / float64(Second) }

// String formats t in seconds with nanosecond precision and trailing zeros
// removed, e.g. "1.234567s", "0s", "-0.5s".
func (t Time) String() string {
	if t == Forever {
		return "forever"
	}
	neg := t < 0
	u := uint64(t)
	if neg {
		u = uint64(-t)
	}
	whole := u / uint64(Second)
	frac := u % uint64(Second)
	s := strconv.FormatUint(whole, 10)
	if frac != 0 {
		f := fmt.Sprintf("%09d", frac)
		for f[len(f)-1] == '0' {
			f = f[:len(f)-1]
		}
		s += "." + f
	}
	if neg {
		s = "-" + s
	}
	return s + "s"
}

// Add returns t+d, saturated to the range of Time: a sum above Forever is
// Forever, one below the most negative Time is that Time. Every addition
// of a duration to an instant goes through Add, so that a long timeout
// added near the end of Time's range (about 292 years) lands at Forever,
// which never fires (see Engine.Run), instead of wrapping into the past.
func (t Time) Add(d Time) Time {
	s := t + d
	switch {
	case d > 0 && s < t:
		return Forever
	case d < 0 && s > t:
		return -Forever - 1
	}
	return s
}

// Mul returns t·k for k ≥ 0, saturated to Forever (or to the most negative
// Time for a negative t), as Add does for sums: a backed-off timeout
// doubles without wrapping.
func (t Time) Mul(k int64) Time {
	if k <= 0 || t == 0 {
		return 0
	}
	if t > 0 {
		if t > Forever/Time(k) {
			return Forever
		}
	} else if t < (-Forever-1)/Time(k) {
		return -Forever - 1
	}
	return t * Time(k)
}

// Blend returns the weighted mean (wa·a + wb·b) / (wa + wb), rounded
// down, of two non-negative times with non-negative weights whose sum is
// positive. It is exact over the whole range of Time (the products are
// formed in 128 bits), so that a smoothed estimate such as RFC 6298's
// SRTT <- (7·SRTT + R')/8 never wraps, however long the samples.
func Blend(a Time, wa int64, b Time, wb int64) Time {
	hi1, lo1 := bits.Mul64(uint64(a), uint64(wa))
	hi2, lo2 := bits.Mul64(uint64(b), uint64(wb))
	lo, carry := bits.Add64(lo1, lo2, 0)
	hi := hi1 + hi2 + carry
	// The mean lies between a and b, below 2^63, so hi < wa+wb and the
	// quotient fits in 64 bits.
	q, _ := bits.Div64(hi, lo, uint64(wa+wb))
	return Time(q)
}
