package scenario

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"tcpsim/sim"
)

func repeatDoc(repeat string) string {
	return "name: r\nlink: {rate: 1Gbps}\nflows:\n" +
		"  - {name: solo, protocol: tcp, bytes: 1MB}\n" +
		"  - {name: web, protocol: tcp, bytes: 100KB, start: 2s, repeat: " + repeat + "}\n" +
		"  - {name: tail, protocol: udp, bytes: 1KB, rate: 1Mbps}\n"
}

// A repeated entry expands into count flows named <name>#k in file
// order, between the flows around it; each keeps the entry's fields; the
// first starts at start and each next one a fixed interval later.
func TestRepeatFixedExpansion(t *testing.T) {
	s := mustParse(t, repeatDoc("{count: 5, every: 3ms}"))
	fs := s.Expanded(99)
	if len(fs) != 7 || fs[0].Name != "solo" || fs[6].Name != "tail" || fs[0].Family != "" || fs[6].Family != "" {
		t.Fatalf("expanded to %d flows: %+v", len(fs), fs)
	}
	for k := 1; k <= 5; k++ {
		f := fs[k]
		want := Duration(2*sim.Second + sim.Time(k-1)*3*sim.Millisecond)
		if f.Name != fmt.Sprintf("web#%d", k) || f.Family != "web" || f.Start != want || f.Repeat != nil || f.TCP.Bytes != 100e3 {
			t.Errorf("member %d: got %s family %q start %v repeat %v bytes %d, want web#%d starting at %v", k, f.Name, f.Family, sim.Time(f.Start), f.Repeat, f.TCP.Bytes, k, sim.Time(want))
		}
	}
	if n := len(s.Flows); n != 3 || s.Flows[1].Repeat == nil {
		t.Fatalf("Expanded changed the scenario's own flows: %d", n)
	}
	plain := mustParse(t, docTCP(""))
	if got := plain.Expanded(1); &got[0] != &plain.Flows[0] || plain.Repeated() {
		t.Fatal("a scenario without repeat: must expand to its own flows")
	}
}

// Exponential inter-arrival times come from the seed's stream
// flows/<name>/arrivals: the same seed gives the same starts, another
// seed others; they increase; and their mean is near the one written.
func TestRepeatExponentialExpansion(t *testing.T) {
	const n = 4000
	s := mustParse(t, repeatDoc(fmt.Sprintf("{count: %d, every: exp(10ms)}", n)))
	a, b, c := s.Expanded(7), s.Expanded(7), s.Expanded(8)
	rng := sim.NewStreams(7).Stream("flows/web/arrivals")
	at := Duration(2 * sim.Second)
	differ := 0
	for k := 1; k <= n; k++ {
		if a[k].Start != b[k].Start {
			t.Fatalf("member %d: seed 7 gave starts %v and %v", k, a[k].Start, b[k].Start)
		}
		if a[k].Start != at {
			t.Fatalf("member %d starts at %v, want %v from the arrivals stream", k, sim.Time(a[k].Start), sim.Time(at))
		}
		if a[k].Start != c[k].Start {
			differ++
		}
		if k > 1 && a[k].Start < a[k-1].Start {
			t.Fatalf("member %d starts before member %d", k, k-1)
		}
		at += Duration(math.Round(rng.ExpFloat64() * 10e6))
	}
	if differ < n/2 {
		t.Errorf("seeds 7 and 8 gave %d different starts of %d", differ, n)
	}
	// The mean of n exponential gaps is within 5 standard errors.
	mean := float64(a[n].Start-a[1].Start) / float64(n-1)
	if math.Abs(mean-10e6) > 5*10e6/math.Sqrt(n-1) {
		t.Errorf("mean inter-arrival %.0f ns, want about 10ms", mean)
	}
}

// Bad repeat: mappings are errors located at the field, saying what
// was expected.
func TestRepeatErrors(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"no count", repeatDoc("{every: 1ms}"), "x.yaml:5:65: flows[1].repeat.count: missing: want a mapping {count: N, every: 1ms}"},
		{"no every", repeatDoc("{count: 3}"), "flows[1].repeat.every: missing"},
		{"count 0", repeatDoc("{count: 0, every: 1ms}"), `x.yaml:5:73: flows[1].repeat.count: "0" is not a valid count: want a whole number from 1 to 16384 flows`},
		{"count too big", repeatDoc("{count: 16385, every: 1ms}"), `"16385" is not a valid count`},
		{"bad every", repeatDoc("{count: 3, every: often}"), `flows[1].repeat.every: "often" is not a valid every: want a duration between flow starts`},
		{"exp 0", repeatDoc("{count: 3, every: exp(0s)}"), `"exp(0s)" is not a valid every`},
		{"exp unclosed", repeatDoc("{count: 3, every: exp(1ms}"), `is not a valid every`},
		{"unknown", repeatDoc("{count: 3, every: 1ms, jitter: 1ms}"), `flows[1].repeat.jitter: unknown field "jitter": want one of count, every`},
		{"scalar", repeatDoc("3"), `flows[1].repeat: "3": want a mapping {count: N, every: 1ms}`},
		{"too many in all", repeatDoc("{count: 16384, every: 1ms}"), "flows[1].repeat.count: the flows expand to more than 16384 in all"},
		{"plain flow after a full family", "name: r\nflows:\n  - {name: w, protocol: udp, count: 1, rate: 1Mbps, repeat: {count: 16384, every: 0s}}\n  - {name: x, protocol: udp, count: 1, rate: 1Mbps}\n", "flows[1].name: flow x is flow 16385 once the repeated flows are expanded: at most 16384 in all"},
		{"rdt", "name: r\nflows:\n  - {name: s, protocol: stop-and-wait, bytes: 1KB, repeat: {count: 2, every: 1s}}\n", "flows[0].repeat: repeat applies to tcp and udp flows, not stop-and-wait"},
		{"name taken", strings.Replace(repeatDoc("{count: 3, every: 1ms}"), "name: solo", "name: web#2", 1), `flows[0].name: "web#2" is also the name of flow 2 of the repeated flow web`},
		{"rdt after many", "name: r\nflows:\n  - {name: w, protocol: udp, bytes: 1KB, rate: 1Mbps, repeat: {count: 5000, every: 1ms}}\n  - {name: s, protocol: stop-and-wait, bytes: 1KB}\n", "flows[1].protocol: a stop-and-wait flow must be among the first 4536 flows"},
		{"fault on family", repeatDoc("{count: 3, every: 1ms}") + "faults:\n  - {flow: web, drop: data, segment: 1}\n", "faults[0].flow: flow web is repeated"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v\nwant an error containing %s\nsource:\n%s", err, c.want, c.src)
			}
		})
	}
	// A name with # that no member takes is fine.
	mustParse(t, strings.Replace(repeatDoc("{count: 3, every: 1ms}"), "name: solo", "name: web#4", 1))
}

// Overrides (sweep --vary) set a repeated flow's count and every through
// the same decoders and checks as the file.
func TestRepeatOverrides(t *testing.T) {
	src := repeatDoc("{count: 5, every: 3ms}")
	s := mustParse(t, src, Override{"flows.web.repeat.count", "7"}, Override{"flows.web.repeat.every", "exp(2ms)"})
	if r := s.Flows[1].Repeat; r.Count != 7 || r.Every != Duration(2*sim.Millisecond) || !r.Exponential {
		t.Fatalf("overridden repeat: %+v", r)
	}
	for _, c := range []struct {
		o    Override
		want string
	}{
		{Override{"flows.web.repeat.count", "0"}, `flows.web.repeat.count: "0" is not a valid count`},
		{Override{"flows.web.repeat.count", "16384"}, "from 49152 to 65535 (set by override flows.web.repeat.count=16384)"},
		{Override{"flows.web.repeat.jitter", "1ms"}, `no field "jitter" in repeat: want one of count, every`},
		{Override{"flows.solo.repeat.count", "3"}, "flow solo has no repeat: mapping to vary"},
	} {
		_, err := Parse("x.yaml", []byte(src), c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want an error containing %s", c.o, err, c.want)
		}
	}
}
