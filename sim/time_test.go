package sim

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// clampBig clamps an exact (arbitrary-precision) result to Time's
// range: what a saturating operation must return.
func clampBig(v *big.Int) Time {
	if v.Cmp(big.NewInt(math.MaxInt64)) > 0 {
		return Forever
	}
	if v.Cmp(big.NewInt(math.MinInt64)) < 0 {
		return -Forever - 1
	}
	return Time(v.Int64())
}

// randomTime draws times from every scale: near zero, around a second,
// near the edges of the range, and anywhere.
func randomTime(r *rand.Rand) Time {
	switch r.IntN(5) {
	case 0:
		return Time(r.Int64N(1000))
	case 1:
		return Time(r.Int64N(int64(Minute)))
	case 2:
		return Forever - Time(r.Int64N(int64(Minute)))
	case 3:
		return Forever/2 + Time(r.Int64N(int64(Minute))) - Minute/2
	}
	return Time(r.Int64())
}

// Property: Add is t+d when the sum fits and saturates otherwise; it
// never wraps, so a time plus a non-negative duration is never earlier.
func TestAddSaturates(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 1))
	for range 200_000 {
		a, d := randomTime(r), randomTime(r)
		if r.IntN(4) == 0 {
			d = -d
		}
		want := clampBig(new(big.Int).Add(big.NewInt(int64(a)), big.NewInt(int64(d))))
		got := a.Add(d)
		if got != want {
			t.Fatalf("Time(%d).Add(%d) = %d, want %d", a, d, got, want)
		}
		if d >= 0 && got < a {
			t.Fatalf("Time(%d).Add(%d) = %d went backwards", a, d, got)
		}
	}
	for _, c := range []struct{ a, d, want Time }{
		{Forever, 1, Forever},
		{Forever - Second, Minute, Forever},
		{Forever, Forever, Forever},
		{-Forever - 1, -1, -Forever - 1},
		{1, 2, 3},
		{Forever, -Forever, 0},
	} {
		if got := c.a.Add(c.d); got != c.want {
			t.Errorf("Time(%d).Add(%d) = %d, want %d", c.a, c.d, got, c.want)
		}
	}
}

// Property: Mul is t·k when the product fits and saturates otherwise.
func TestMulSaturates(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 2))
	for range 200_000 {
		a := randomTime(r)
		if r.IntN(4) == 0 {
			a = -a
		}
		k := []int64{0, 1, 2, 4, 7, r.Int64N(1 << 20), r.Int64()}[r.IntN(7)]
		want := clampBig(new(big.Int).Mul(big.NewInt(int64(a)), big.NewInt(k)))
		if got := a.Mul(k); got != want {
			t.Fatalf("Time(%d).Mul(%d) = %d, want %d", a, k, got, want)
		}
	}
}

// Property: Blend is the exact weighted mean, rounded down, over the whole
// range (where (7·a + b)/8 in 64 bits would wrap).
func TestBlendExact(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 3))
	for range 200_000 {
		a, b := randomTime(r), randomTime(r)
		if a < 0 {
			a = -(a + 1)
		}
		if b < 0 {
			b = -(b + 1)
		}
		wa, wb := r.Int64N(16), r.Int64N(16)+1
		sum := new(big.Int).Mul(big.NewInt(int64(a)), big.NewInt(wa))
		sum.Add(sum, new(big.Int).Mul(big.NewInt(int64(b)), big.NewInt(wb)))
		sum.Quo(sum, big.NewInt(wa+wb))
		if got := Blend(a, wa, b, wb); got != Time(sum.Int64()) {
			t.Fatalf("Blend(%d, %d, %d, %d) = %d, want %s", a, wa, b, wb, got, sum)
		}
	}
}

// An event at Forever (where a saturated sum lands) never fires: without
// a time limit the run drains, with one it reaches the limit; events
// before it fire as usual.
func TestForeverNeverFires(t *testing.T) {
	for _, lim := range []Limits{{}, {Until: Forever}, {Until: Forever - 1}} {
		e := New(0)
		var fired []Time
		fn := func(uint64) { fired = append(fired, e.Now()) }
		e.At(Forever-Second, fn, 0)
		// A callback re-arming itself a long way off: saturates, never
		// wraps into the past (which would panic) or fires at once.
		e.At(Forever-Second, func(uint64) { e.After(Minute, fn, 0) }, 0)
		e.At(Forever, fn, 0)
		reason := e.Run(lim)
		want := TimeLimit
		if lim.Until == 0 {
			want = Drained
		}
		if reason != want || len(fired) != 1 || fired[0] != Forever-Second {
			t.Errorf("Run(%+v) = %v, fired at %v; want %v, fired once at Forever-1s", lim, reason, fired, want)
		}
	}
}
