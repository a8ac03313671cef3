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
