package scenario

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"tcpsim/sim"
)

// The unit types below decode human-written values ("10Mbps", "20ms",
// "1.5MB", "64KiB", "2%") straight from the YAML syntax tree, so that a bad
// value is reported at its own line and column.

// Rate is a bit rate in bits per second.
type Rate int64

// Duration is a simulated duration.
type Duration sim.Time

// Size is a byte count.
type Size int64

// Percent is a probability in [0, 1], written as a percentage.
type Percent float64

// fieldError is a decoding error tied to a node of the document.
type fieldError struct {
	line, col int
	path      string
	msg       string
}

func (e *fieldError) Error() string { return e.msg }

func nodeErr(n ast.Node, format string, args ...any) error {
	tk := n.GetToken()
	e := &fieldError{path: strings.TrimPrefix(n.GetPath(), "$."), msg: fmt.Sprintf(format, args...)}
	if tk != nil && tk.Position != nil {
		e.line, e.col = tk.Position.Line, tk.Position.Column
	}
	return e
}

// decodeScalar parses the scalar at n into dst, reporting a failure at
// n's line and column.
func decodeScalar[T any](n ast.Node, dst *T, parse func(string) (T, error)) error {
	s, _ := scalar(n)
	v, err := parse(s)
	if err != nil {
		return nodeErr(n, "%v", err)
	}
	*dst = v
	return nil
}

func scalar(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.LiteralNode:
		return n.String(), true
	}
	return "", false
}

// ParseRate parses "10Mbps", "1.5Gbps", "64kbps", "9600bps".
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	mult := map[string]float64{"bps": 1, "kbps": 1e3, "Kbps": 1e3, "Mbps": 1e6, "Gbps": 1e9}
	for _, u := range []string{"kbps", "Kbps", "Mbps", "Gbps", "bps"} {
		if num, ok := strings.CutSuffix(s, u); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
			if err != nil || f <= 0 || math.IsInf(f, 0) || f*mult[u] > 1e15 {
				break
			}
			return Rate(math.Round(f * mult[u])), nil
		}
	}
	return 0, fmt.Errorf("%q is not a rate: want a positive number with a unit bps, kbps, Mbps or Gbps, e.g. 10Mbps", s)
}

// UnmarshalYAML implements yaml.NodeUnmarshaler.
func (r *Rate) UnmarshalYAML(n ast.Node) error { return decodeScalar(n, r, ParseRate) }

// ParseDuration parses "20ms", "1.5s", "250us", "2m"; "0" is allowed.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration: want a non-negative number with a unit ns, us, ms, s, m or h, e.g. 20ms", s)
	}
	return Duration(d.Nanoseconds()), nil
}

// UnmarshalYAML implements yaml.NodeUnmarshaler.
func (d *Duration) UnmarshalYAML(n ast.Node) error { return decodeScalar(n, d, ParseDuration) }

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
	f, err := strconv.ParseFloat(num, 64)
	v := f * mult
	if err != nil || v < 0 || v > 1<<50 || v != math.Trunc(v) {
		return 0, fmt.Errorf("%q is not a size: want a whole number of bytes, optionally with a unit B, KB, MB, GB, KiB, MiB or GiB, e.g. 1460, 1.5MB, 64KiB", s)
	}
	return Size(v), nil
}

// UnmarshalYAML implements yaml.NodeUnmarshaler.
func (z *Size) UnmarshalYAML(n ast.Node) error { return decodeScalar(n, z, ParseSize) }

// ParsePercent parses "2%", "0.5%", "100%", or 0.
func ParsePercent(s string) (Percent, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	num, ok := strings.CutSuffix(s, "%")
	f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if !ok || err != nil || !(f >= 0 && f <= 100) {
		return 0, fmt.Errorf("%q is not a percentage: want a number from 0%% to 100%% with a %% sign, e.g. 2%%", s)
	}
	return Percent(f / 100), nil
}

// UnmarshalYAML implements yaml.NodeUnmarshaler.
func (p *Percent) UnmarshalYAML(n ast.Node) error { return decodeScalar(n, p, ParsePercent) }

// String formats p as a percentage, e.g. "2%".
func (p Percent) String() string { return strconv.FormatFloat(float64(p)*100, 'g', -1, 64) + "%" }
