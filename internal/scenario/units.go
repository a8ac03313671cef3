package scenario

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"tcpsim/sim"
)

// The unit types below parse human-written values ("10Mbps", "20ms",
// "1.5MB", "64KiB", "2%"). Numbers are plain decimals: no underscores, no
// signs, no hexadecimal, no Inf or NaN, so that what the user wrote is the
// value that runs.

// Rate is a bit rate in bits per second.
type Rate int64

// Duration is a simulated duration.
type Duration sim.Time

// Size is a byte count.
type Size int64

// Percent is a probability in [0, 1], written as a percentage.
type Percent float64

// The expected forms, quoted by every error about a value of that kind.
const (
	wantRate     = "a positive number with a unit bps, kbps, Mbps or Gbps, e.g. 10Mbps"
	wantDuration = "a non-negative number with a unit ns, us, ms, s, m or h, e.g. 20ms"
	wantSize     = "a whole number of bytes, optionally with a unit B, KB, MB, GB, KiB, MiB or GiB, e.g. 1460, 1.5MB, 64KiB"
	wantPercent  = "a number from 0% to 100% with a % sign, e.g. 2%"
)

// maxRate bounds rates (1 Pbps) and maxSize sizes (1 PiB), far beyond
// anything a scenario needs and safely inside int64 arithmetic.
const (
	maxRate = 1e15
	maxSize = 1 << 50
)

// decimal parses a plain non-negative decimal number such as "12", "1.5",
// ".5" or "2e3". It refuses what strconv.ParseFloat would also take:
// underscores, signs, hexadecimal, "Inf" and "NaN".
func decimal(s string) (float64, bool) {
	i, digits := 0, 0
	run := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	digits += run()
	if i < len(s) && s[i] == '.' {
		i++
		digits += run()
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if run() == 0 {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// whole parses a plain non-negative decimal integer ("0", "42"); it
// refuses signs, underscores, fractions, exponents and values above
// 2^64-1.
func whole(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	return v, err == nil
}

// ParseRate parses "10Mbps", "1.5Gbps", "64kbps", "9600bps".
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	mult := map[string]float64{"bps": 1, "kbps": 1e3, "Kbps": 1e3, "Mbps": 1e6, "Gbps": 1e9}
	for _, u := range []string{"kbps", "Kbps", "Mbps", "Gbps", "bps"} {
		if num, ok := strings.CutSuffix(s, u); ok {
			f, ok := decimal(strings.TrimSpace(num))
			if !ok || f <= 0 || f*mult[u] > maxRate || math.Round(f*mult[u]) < 1 {
				break
			}
			return Rate(math.Round(f * mult[u])), nil
		}
	}
	return 0, fmt.Errorf("%q is not a rate: want %s", s, wantRate)
}

// ParseDuration parses "20ms", "1.5s", "250us", "2m", "1h30m"; "0" is
// allowed.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || !(s[0] >= '0' && s[0] <= '9' || s[0] == '.') {
		return 0, fmt.Errorf("%q is not a duration: want %s", s, wantDuration)
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration: want %s", s, wantDuration)
	}
	return Duration(d.Nanoseconds()), nil
}

// ParseSize parses "1460", "1.5MB", "64KiB", "10MB", "1GiB". SI prefixes
// are powers of 1000, binary ones (KiB, MiB, GiB) powers of 1024.
func ParseSize(s string) (Size, error) {
	s = strings.TrimSpace(s)
	num, mult := s, 1.0
	for _, u := range []struct {
		suf string
		m   float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}} {
		if n, ok := strings.CutSuffix(s, u.suf); ok {
			num, mult = strings.TrimSpace(n), u.m
			break
		}
	}
	f, ok := decimal(num)
	v := f * mult
	if !ok || v > maxSize || v != math.Trunc(v) {
		return 0, fmt.Errorf("%q is not a size: want %s", s, wantSize)
	}
	return Size(v), nil
}

// ParsePercent parses "2%", "0.5%", "100%", or 0.
func ParsePercent(s string) (Percent, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	num, ok := strings.CutSuffix(s, "%")
	f, okNum := decimal(strings.TrimSpace(num))
	if !ok || !okNum || f > 100 {
		return 0, fmt.Errorf("%q is not a percentage: want %s", s, wantPercent)
	}
	return Percent(f / 100), nil
}

// String formats p as a percentage, e.g. "2%".
func (p Percent) String() string { return strconv.FormatFloat(float64(p)*100, 'g', -1, 64) + "%" }
