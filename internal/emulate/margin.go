package emulate

import "tcpsim/sim"

// The relay's spin margin: how long before a packet's release it stops
// sleeping and spins. It must cover how late a sleep wakes (the
// overshoot: timer expiry, the scheduler putting the thread back on a
// CPU), which is tens of microseconds on an idle machine and
// milliseconds on a loaded one, so it is measured while the relay runs
// rather than fixed: a fixed 150 µs was too short whenever the machine
// was busy, and too long (CPU spent spinning for nothing) when it was
// idle.
const (
	// marginWindow is how many recent sleeps the margin is taken from.
	marginWindow = 128
	// startMargin is the margin before any sleep has been measured.
	startMargin = 150 * sim.Microsecond
	// minMargin and maxMargin bound the margin: below 50 µs a wake-up
	// that is merely slower than usual makes a release late; above 1 ms
	// the relay would spin through most of every gap between packets at
	// 10 Mbps (one every 1.2 ms) and the spin budget would end it early.
	minMargin = 50 * sim.Microsecond
	maxMargin = sim.Millisecond
	// marginGuard is added to the measured overshoot: the spin itself and
	// the step that follows the wake-up take a few microseconds.
	marginGuard = 25 * sim.Microsecond
)

// wakeMargin keeps the overshoot of the relay's last marginWindow sleeps
// and derives the margin from their second largest (about the 99th
// percentile of 128): a single whole-machine stall does not widen the
// margin for the next 128 sleeps, and a tail that recurs does. The zero
// value is ready and gives startMargin.
type wakeMargin struct {
	over [marginWindow]sim.Time
	n    int // sleeps recorded, up to marginWindow
	next int // where the next one goes
	cur  sim.Time
}

// record adds the overshoot of one sleep (how much later than asked it
// woke; a negative one, an early wake, counts as zero).
func (w *wakeMargin) record(over sim.Time) {
	w.over[w.next] = max(over, 0)
	w.next = (w.next + 1) % marginWindow
	w.n = min(w.n+1, marginWindow)
	var first, second sim.Time
	for _, o := range w.over[:w.n] {
		if o > first {
			first, second = o, first
		} else if o > second {
			second = o
		}
	}
	q := second
	if w.n == 1 {
		q = first
	}
	w.cur = min(max(q+marginGuard, minMargin), maxMargin)
}

// margin is the current spin margin.
func (w *wakeMargin) margin() sim.Time {
	if w.n == 0 {
		return startMargin
	}
	return w.cur
}
