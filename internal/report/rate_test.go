package report

import (
	"math"
	"strings"
	"testing"
)

// Issue 21, item 13: a rate just under a power of 1000 printed as
// "1e+03 kbps". (The boundary cases failed before the fix.)
func TestRateAroundEveryPowerOf1000(t *testing.T) {
	for _, c := range []struct {
		bps  float64
		want string
	}{
		{0, "0 bps"},
		{1, "1 bps"},
		{998.4, "998 bps"},
		{999, "999 bps"},
		{999.4, "999 bps"},
		{999.5, "1 kbps"},
		{999.9999, "1 kbps"},
		{1000, "1 kbps"},
		{1004, "1 kbps"},
		{1006, "1.01 kbps"},
		{64e3, "64 kbps"},
		{999_400, "999 kbps"},
		{999_499, "999 kbps"},
		{999_500, "1 Mbps"},
		{999_999, "1 Mbps"},
		{1e6, "1 Mbps"},
		{9.52e6, "9.52 Mbps"},
		{10e6, "10 Mbps"},
		{999_499_999, "999 Mbps"},
		{999_500_000, "1 Gbps"},
		{999_999_999, "1 Gbps"},
		{1e9, "1 Gbps"},
		{100e9, "100 Gbps"},
		{999.4e9, "999 Gbps"},
		{999.5e9, "1000 Gbps"},
		{1234e9, "1230 Gbps"},
		{1e15, "1000000 Gbps"},
		{0.5, "0.5 bps"},
		{0.0001234, "0.000123 bps"},
		{0.00001234, "0.0000123 bps"},
	} {
		if got := Rate(c.bps); got != c.want {
			t.Errorf("Rate(%v) = %q, want %q", c.bps, got, c.want)
		}
	}
}

// No rate, however near a boundary, prints in exponent notation or with
// more than three significant digits below 1000 of its unit.
func TestRateNeverExponent(t *testing.T) {
	for e := -6; e <= 15; e++ {
		p := math.Pow(10, float64(e))
		for _, x := range []float64{p, math.Nextafter(p, 0), p * 0.9995, p * 0.99949, p * 1.0005, p * 0.99999999} {
			if s := Rate(x); strings.ContainsAny(s, "eE") {
				t.Errorf("Rate(%v) = %q: exponent notation", x, s)
			}
		}
	}
}
