package seqnum

import "testing"

func TestCompareAcrossWrap(t *testing.T) {
	for _, c := range []struct {
		v, w Value
		less bool
	}{
		{1, 2, true},
		{2, 1, false},
		{0xffffffff, 0, true}, // 2^32-1 comes just before 0
		{0xfffffff0, 0x10, true},
		{0x10, 0xfffffff0, false},
		{5, 5, false},
	} {
		if got := c.v.LessThan(c.w); got != c.less {
			t.Errorf("%#x.LessThan(%#x) = %v, want %v", c.v, c.w, got, c.less)
		}
	}
	if !Value(0xfffffffe).Add(4).InRange(0xffffffff, 3) {
		t.Error("0xfffffffe+4 = 2 should lie in [0xffffffff, 3)")
	}
	if Value(0xfffffff0).Size(0x10) != 0x20 {
		t.Error("size across the wrap")
	}
	if Max(0xfffffff0, 0x10) != 0x10 {
		t.Error("Max across the wrap")
	}
}

// Delta places a sequence number relative to another, across the wrap and
// in both directions.
func TestDelta(t *testing.T) {
	for _, c := range []struct {
		v, w Value
		want int64
	}{
		{1, 2, 1},
		{2, 1, -1},
		{0xffffffff, 0, 1},
		{0, 0xffffffff, -1},
		{0xfffffff0, 0x10, 0x20},
		{0x10, 0xfffffff0, -0x20},
		{7, 7, 0},
		{0, 1<<31 - 1, 1<<31 - 1},
		{0, 1 << 31, -(1 << 31)},
	} {
		if got := Delta(c.v, c.w); got != c.want {
			t.Errorf("Delta(%#x, %#x) = %d, want %d", c.v, c.w, got, c.want)
		}
	}
}
