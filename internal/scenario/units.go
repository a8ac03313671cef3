package scenario

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"tcpsim/sim"
)

// The unit types below parse human-written values ("10Mbps", "20ms",
// "1.5MB", "64KiB", "2%"). Every number of every field follows one
// grammar (docs/numbers.md), read by scanNumber:
//
//	number   = digits [ "." [ digits ] ] [ exponent ] | "." digits [ exponent ]
//	exponent = ( "e" | "E" ) [ "+" | "-" ] digits
//
// with at most three digits in the exponent: no sign in front, no
// underscores, no hexadecimal, no Inf or NaN, so that what the user wrote
// is the value that runs. A quantity is a number and its unit, spaces
// between them allowed ("10Mbps", "10 Mbps", "1e-3s"); a count is a number
// whose value is whole ("1000", "1e3", "2.5e3").

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

// maxExponentDigits bounds the exponent of a number: 1e999 is already
// far outside every field's range, and exact arithmetic on 10^exponent
// must stay cheap.
const maxExponentDigits = 3

// scanNumber returns the longest prefix of s that is a number of the
// grammar above, and the rest of s; n is "" when s does not start with a
// number.
func scanNumber(s string) (n, rest string) {
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
		return "", s
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if k := run(); k == 0 || k > maxExponentDigits {
			// Not an exponent ("5e" is 5 then the unit e), or one too
			// long: the number stops before it, and the caller refuses
			// what follows.
			i = j
		}
	}
	return s[:i], s[i:]
}

// exact returns the value of a number of the grammar exactly.
func exact(n string) *big.Rat {
	r, ok := new(big.Rat).SetString(n)
	if !ok {
		// scanNumber's grammar is a subset of what SetString reads.
		panic("scenario: scanNumber accepted " + n)
	}
	return r
}

// decimal parses a whole string as one number of the grammar.
func decimal(s string) (float64, bool) {
	n, rest := scanNumber(s)
	if n == "" || rest != "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(n, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// whole parses a number of the grammar whose value is a whole number
// from 0 to 2^64-1 ("42", "1e3", "2.5e3"), exactly.
func whole(s string) (uint64, bool) {
	n, rest := scanNumber(s)
	if n == "" || rest != "" {
		return 0, false
	}
	if strings.IndexFunc(n, func(r rune) bool { return r < '0' || r > '9' }) < 0 {
		v, err := strconv.ParseUint(n, 10, 64)
		return v, err == nil
	}
	r := exact(n)
	if !r.IsInt() || r.Num().Sign() < 0 || !r.Num().IsUint64() {
		return 0, false
	}
	return r.Num().Uint64(), true
}

// quantity splits s into its number and unit (spaces between them
// allowed); ok is false when s does not start with a number.
func quantity(s string) (f float64, unit string, ok bool) {
	n, rest := scanNumber(strings.TrimSpace(s))
	if n == "" {
		return 0, "", false
	}
	f, err := strconv.ParseFloat(n, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, "", false
	}
	return f, strings.TrimSpace(rest), true
}

// ParseRate parses "10Mbps", "1.5Gbps", "64kbps", "9600bps", "1e6bps".
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	mult := map[string]float64{"bps": 1, "kbps": 1e3, "Kbps": 1e3, "Mbps": 1e6, "Gbps": 1e9}
	f, unit, ok := quantity(s)
	m, known := mult[unit]
	if !ok || !known || f <= 0 || f*m > maxRate || math.Round(f*m) < 1 {
		return 0, fmt.Errorf("%q is not a rate: want %s", s, wantRate)
	}
	return Rate(math.Round(f * m)), nil
}

// durationUnits are the units of a duration, in nanoseconds (those of
// Go's time.ParseDuration).
var durationUnits = map[string]int64{"ns": 1, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9}

// ParseDuration parses "20ms", "1.5s", "250us", "2m", "1h30m", "1e-3s";
// "0" is allowed. The value is exact, truncated to whole nanoseconds.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not a duration: want %s", s, wantDuration)
	if s == "0" {
		return 0, nil
	}
	total := new(big.Rat)
	rest := s
	for rest != "" {
		n, after := scanNumber(rest)
		if n == "" {
			return 0, bad
		}
		after = strings.TrimLeft(after, " ")
		end := strings.IndexFunc(after, func(r rune) bool { return r >= '0' && r <= '9' || r == '.' || r == ' ' })
		if end < 0 {
			end = len(after)
		}
		unit, ok := durationUnits[after[:end]]
		if !ok {
			return 0, bad
		}
		total.Add(total, new(big.Rat).Mul(exact(n), new(big.Rat).SetInt64(unit)))
		rest = strings.TrimLeft(after[end:], " ")
	}
	ns := new(big.Int).Quo(total.Num(), total.Denom()) // truncated, as time.ParseDuration does
	if !ns.IsInt64() {
		return 0, bad
	}
	return Duration(ns.Int64()), nil
}

// ParseSize parses "1460", "1.5MB", "64KiB", "10MB", "1GiB", "1e6B". SI
// prefixes are powers of 1000, binary ones (KiB, MiB, GiB) powers of 1024.
func ParseSize(s string) (Size, error) {
	s = strings.TrimSpace(s)
	mult := map[string]float64{"": 1, "B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
	f, unit, ok := quantity(s)
	m, known := mult[unit]
	v := f * m
	if !ok || !known || v > maxSize || v != math.Trunc(v) {
		return 0, fmt.Errorf("%q is not a size: want %s", s, wantSize)
	}
	return Size(v), nil
}

// ParsePercent parses "2%", "0.5%", "100%", "1e-3%", or 0.
func ParsePercent(s string) (Percent, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	f, unit, ok := quantity(s)
	if !ok || unit != "%" || f > 100 {
		return 0, fmt.Errorf("%q is not a percentage: want %s", s, wantPercent)
	}
	return Percent(f / 100), nil
}

// String formats p as a percentage, e.g. "2%".
func (p Percent) String() string { return strconv.FormatFloat(float64(p)*100, 'g', -1, 64) + "%" }
