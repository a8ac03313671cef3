package emulate

import (
	"math/rand/v2"
	"slices"
	"testing"

	"tcpsim/sim"
)

func TestWakeMargin(t *testing.T) {
	us := sim.Microsecond
	for _, c := range []struct {
		name string
		over []sim.Time
		want sim.Time
	}{
		{"nothing measured", nil, startMargin},
		{"idle machine: the floor", []sim.Time{5 * us, 8 * us, 12 * us}, minMargin},
		{"one sleep: its overshoot", []sim.Time{300 * us}, 325 * us},
		{"one stall does not widen it", []sim.Time{10 * us, 40 * sim.Millisecond, 10 * us, 30 * us}, 55 * us},
		{"a recurring tail does", []sim.Time{10 * us, 400 * us, 10 * us, 400 * us}, 425 * us},
		{"a loaded machine: the ceiling", []sim.Time{5 * sim.Millisecond, 9 * sim.Millisecond}, maxMargin},
		{"early wake-ups count as zero", []sim.Time{-3 * us, -5 * us}, minMargin},
	} {
		var w wakeMargin
		for _, o := range c.over {
			w.record(o)
		}
		if got := w.margin(); got != c.want {
			t.Errorf("%s: margin %v, want %v", c.name, got, c.want)
		}
	}
}

// The margin follows the window: it is the second largest of the last
// marginWindow overshoots (plus the guard, within the bounds), checked
// against a sort of that window for random sequences, and an old stall
// leaves the window after marginWindow sleeps.
func TestWakeMarginFollowsWindow(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 1))
		var w wakeMargin
		var all []sim.Time
		for range 1000 {
			o := sim.Time(rng.ExpFloat64() * float64(100*sim.Microsecond))
			if rng.IntN(50) == 0 {
				o = sim.Time(rng.IntN(20)) * sim.Millisecond
			}
			w.record(o)
			all = append(all, o)
			win := slices.Clone(all[max(0, len(all)-marginWindow):])
			slices.Sort(win)
			q := win[len(win)-1]
			if len(win) > 1 {
				q = win[len(win)-2]
			}
			want := min(max(q+marginGuard, minMargin), maxMargin)
			if got := w.margin(); got != want {
				t.Fatalf("seed %d after %d sleeps: margin %v, want %v", seed, len(all), got, want)
			}
		}
	}
}
