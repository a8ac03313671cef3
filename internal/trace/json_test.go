package trace_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"tcpsim/internal/direction"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
	"tcpsim/scenarios"
	"tcpsim/sim"
)

// encodingJSON is what the Writer wrote before AppendJSON: encoding/json
// without HTML escaping, one line.
func encodingJSON(t *testing.T, e *trace.Event) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// check compares AppendJSON with encoding/json for e.
func check(t *testing.T, what string, e *trace.Event) {
	t.Helper()
	got, ok := trace.AppendJSON(nil, e)
	if want := encodingJSON(t, e); !ok || string(got) != want {
		t.Fatalf("%s: AppendJSON\n%s (ok %v)\nencoding/json\n%s", what, got, ok, want)
	}
}

// AppendJSON writes every event exactly as encoding/json did: every
// event of the shipped scenarios and of exercises of every protocol and a
// network (over 100,000 events), and a
// seeded loop of random events with every field, strings with quotes,
// control characters, HTML characters, invalid UTF-8 and U+2028, times
// from 0 through the exponent forms, and SACK lists of every length.
func TestAppendJSONIsEncodingJSONs(t *testing.T) {
	paths, err := fs.Glob(scenarios.FS(), "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// TCP, UDP, rdt, faults, a topology's hops and queues.
	paths = append(paths, "exercises/03-corruption.yaml", "exercises/12-rdt-sr-dilemma.yaml", "exercises/14-rdt20-nak.yaml",
		"exercises/23-persist.yaml", "exercises/26-kr-reno.yaml", "networks/parking-lot.yaml")
	n := 0
	for _, p := range paths {
		src, err := fs.ReadFile(scenarios.FS(), p)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := scenario.Parse(p, src)
		if err != nil {
			t.Fatal(err)
		}
		rec := &trace.Recorder{}
		w := trace.NewWriter(&bytes.Buffer{}, false) // sets Time, as for the file
		if _, err := run.ScenarioWith(sc, sc.Seed, run.Options{Trace: trace.Multi{w, rec}, TraceRTT: true, TraceRecovery: true}); err != nil {
			t.Fatal(err)
		}
		for i := range rec.Events {
			check(t, p, &rec.Events[i])
			n++
		}
	}
	if n < 100000 {
		t.Errorf("only %d events of shipped scenarios checked", n)
	}
	r := rand.New(rand.NewPCG(19, 2026))
	words := []string{"", "file", "a->b", "tcp", "<&>", "quote\"d", `back\slash`, "tab\tnl\nnul\x00", "\x7f\x1f\b\f\r",
		"bad\xff\xfeutf8", "sep\u2028\u2029", "é ü 🙂", "r1->r2", "client cwnd=14600 ssthresh=65535"}
	pick := func() string { return words[r.IntN(len(words))] }
	times := []float64{0, 1e-9, 1e-7, 9.99e-7, 1e-6, 0.5, 1.234567891, 3.965308935, 60, 1e20, 1e21, 1.5e300, 5e-324}
	for i := range 20000 {
		e := trace.Event{Time: times[r.IntN(len(times))] * float64(1-2*r.IntN(2)), Run: r.IntN(3), Flow: pick(), Kind: pick(),
			Dir: direction.Dir(pick()), Node: pick(), Proto: pick(), Flags: pick(), Detail: pick(),
			Retrans: r.IntN(2) == 0, Scripted: r.IntN(2) == 0, T: sim.Time(r.Int64N(1e12))}
		if r.IntN(2) == 0 {
			e.ID, e.Seq, e.Ack = r.Uint64(), r.Uint32(), r.Uint32()
			e.Win, e.Len = r.IntN(1<<20)-1000, r.IntN(70000)
			e.Value, e.Value2 = r.Int64()-math.MaxInt64/2, r.Int64N(1000)-500
		}
		if r.IntN(3) == 0 {
			e.SACK.N = r.IntN(7) - 1
			for k := range e.SACK.Blocks {
				e.SACK.Blocks[k] = [2]uint32{r.Uint32(), r.Uint32()}
			}
		}
		if r.IntN(10) == 0 {
			e.Time = r.NormFloat64() * math.Pow(10, float64(r.IntN(60)-30))
		}
		check(t, "random event "+string(rune('0'+i%10)), &e)
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, ok := trace.AppendJSON(nil, &trace.Event{Time: bad}); ok {
			t.Errorf("time %v: AppendJSON wrote it; encoding/json refuses it", bad)
		}
	}
}
