package scenario

import (
	"strings"
	"testing"
)

// numberKinds are the kinds of numeric field, each with a field written
// in a scenario, its unit and how to read back the value that a number N
// of that unit gave.
var numberKinds = []struct {
	kind, unit string
	doc        func(v string) string
	got        func(s *Scenario) float64
	per        float64 // the value of 1 unit
}{
	{"count (udp count)", "", func(v string) string {
		return "name: n\nflows: [{name: u, protocol: udp, count: " + v + ", rate: 1Mbps}]\n"
	}, func(s *Scenario) float64 { return float64(s.Flows[0].UDP.Count) }, 1},
	{"whole (max_events)", "", func(v string) string {
		return "name: n\nmax_events: " + v + "\nflows: [{name: u, protocol: udp, count: 1, rate: 1Mbps}]\n"
	}, func(s *Scenario) float64 { return float64(s.MaxEvents) }, 1},
	{"size (bytes)", "KB", func(v string) string {
		return "name: n\nflows: [{name: t, protocol: tcp, bytes: " + v + "}]\n"
	}, func(s *Scenario) float64 { return float64(s.Flows[0].TCP.Bytes) }, 1000},
	{"rate (link rate)", "Mbps", func(v string) string {
		return "name: n\nlink: {rate: " + v + "}\nflows: [{name: u, protocol: udp, count: 1, rate: 1Mbps}]\n"
	}, func(s *Scenario) float64 { return float64(*s.Link.Rate) }, 1e6},
	{"duration (until)", "s", func(v string) string {
		return "name: n\nuntil: " + v + "\nflows: [{name: u, protocol: udp, count: 1, rate: 1Mbps}]\n"
	}, func(s *Scenario) float64 { return float64(s.Until) }, 1e9},
	{"percent (link loss)", "%", func(v string) string {
		return "name: n\nlink: {loss: " + v + "}\nflows: [{name: u, protocol: udp, count: 1, rate: 1Mbps}]\n"
	}, func(s *Scenario) float64 { return float64(s.Link.Loss.P) }, 0.01},
	{"number (red.weight)", "e-1", func(v string) string {
		return "name: n\nlink: {aqm: red, red: {weight: " + v + "}}\nflows: [{name: u, protocol: udp, count: 1, rate: 1Mbps}]\n"
	}, func(s *Scenario) float64 { return s.Link.RED.Weight }, 0.1},
}

// TestOneNumberGrammar: every numeric field reads its numbers by one
// grammar (docs/numbers.md): the same spellings of two are accepted
// everywhere, exponents included, and the same ones refused everywhere,
// signs and hexadecimal included (issue 21, item 11). Before the fix
// red.weight took 0x1p-3 and +0.002, and durations and counts refused
// exponents.
func TestOneNumberGrammar(t *testing.T) {
	two := []string{"2", "2.", "2.0", "02", "0.2e1", ".2e1", "2e0", "20e-1", "2E0", "2e+0", "200e-2", "2.000e000"}
	bad := []string{"+2", "-2", "0x2", "0x1p1", "2_0", "Inf", "NaN", "inf", "2e", "2e+", "e2", ".", "2..0", "2e1.0", "2e0001", "2 e0", "٢", "1,5", "2 2"}
	for _, k := range numberKinds {
		t.Run(k.kind, func(t *testing.T) {
			for _, n := range two {
				v := n + k.unit
				if k.unit == "e-1" {
					if strings.ContainsAny(n, "eE") {
						continue // two exponents: covered by the others
					}
				}
				s, err := Parse("n.yaml", []byte(k.doc(v)))
				if err != nil {
					t.Errorf("%s refused: %v", v, err)
					continue
				}
				if got, want := k.got(s), 2*k.per; got < want*(1-1e-12) || got > want*(1+1e-12) {
					t.Errorf("%s = %g, want %g", v, got, want)
				}
			}
			for _, n := range bad {
				v := n + k.unit
				_, err := Parse("n.yaml", []byte(k.doc(v)))
				if err == nil {
					t.Errorf("%q accepted", v)
				} else if !strings.HasPrefix(err.Error(), "n.yaml:") || strings.Count(err.Error()[:strings.Index(err.Error(), " ")], ":") < 3 {
					t.Errorf("%q: error %v is not located", v, err)
				}
			}
		})
	}
}

// TestNumberGrammarUnits: units and their spacing are those of each kind,
// compound durations still work, and durations are exact.
func TestNumberGrammarUnits(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Duration
	}{
		{"1h30m", Duration(90 * 60e9)}, {"1.5s", 1.5e9}, {"1e-3s", 1e6}, {"1 ms", 1e6}, {"250us", 250e3}, {"250µs", 250e3},
		{"0", 0}, {"0s", 0}, {"1.5ns", 1}, {"0.1s", 1e8}, {"3e2ms", 300e6}, {"1m0.5s", 60.5e9},
	} {
		if got, err := ParseDuration(c.in); err != nil || got != c.want {
			t.Errorf("ParseDuration(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"1", "1.5", "ms", "1x", "1e3", "-1s", "+1s", "0x10s", "3000000h", "1s2", "1e999h"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) accepted", in)
		}
	}
	for _, c := range []struct {
		in   string
		want Size
	}{{"1460", 1460}, {"1e3", 1000}, {"1.5MB", 1.5e6}, {"64KiB", 65536}, {"1e6 B", 1e6}, {"2.5e-3MB", 2500}} {
		if got, err := ParseSize(c.in); err != nil || got != c.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"1.5", "1e-3", "1 b", "2x", "0x10", "1e999"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) accepted", in)
		}
	}
	for _, c := range []struct {
		in   string
		want uint64
	}{{"0", 0}, {"18446744073709551615", 1<<64 - 1}, {"1e19", 1e19}, {"1.5e1", 15}, {"100e-2", 1}} {
		if got, ok := whole(c.in); !ok || got != c.want {
			t.Errorf("whole(%q) = %d, %v; want %d", c.in, got, ok, c.want)
		}
	}
	for _, in := range []string{"18446744073709551616", "2e19", "1.5", "1e-1", "1e999", "-0"} {
		if _, ok := whole(in); ok {
			t.Errorf("whole(%q) accepted", in)
		}
	}
}
