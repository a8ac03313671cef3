package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
)

// Known values: for 1..5 the mean is 3, the sample sd sqrt(2.5), and
// t(0.975, 4 df) = 2.776445 (tables), so the half-width is
// 2.776445·1.581139/sqrt(5) = 1.963243.
func TestSummariseKnownValues(t *testing.T) {
	s := Summarise([]float64{1, 2, 3, 4, 5, math.NaN()})
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-5 }
	if s.N != 5 || !near(s.Mean, 3) || !near(s.SD, 1.581139) || !near(s.CILow, 3-1.963243) || !near(s.CIHigh, 3+1.963243) || s.Min != 1 || s.Max != 5 {
		t.Fatalf("got %+v", s)
	}
	// Two values 10, 20: t(0.975, 1) = 12.7062; sd = 7.0711; h = 63.531.
	s = Summarise([]float64{10, 20})
	if math.Abs(s.CIHigh-s.Mean-63.531) > 1e-3 {
		t.Fatalf("n=2 half-width %v, want 63.531", s.CIHigh-s.Mean)
	}
	if s := Summarise(nil); s.N != 0 || !math.IsNaN(s.Mean) {
		t.Fatalf("empty: %+v", s)
	}
}

const src = `name: s
seed: 3
link: {rate: 10Mbps, delay: 10ms, queue: 100}
flows:
  - {name: file, protocol: tcp, bytes: 200KB}
  - {name: video, protocol: udp, bytes: 200KB, rate: 2Mbps}
`

func plan(t *testing.T) *Plan {
	t.Helper()
	a, _ := ParseAxis("link.loss=0,2%,10%")
	b, _ := ParseAxis("flows.file.congestion=reno,newreno")
	p, err := NewPlan("s.yaml", []byte(src), []Axis{a, b}, 4)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func output(t *testing.T, m Meta, recs []Record, format string) string {
	var b bytes.Buffer
	if err := Write(&b, m, recs, format); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Results are byte-identical whatever the number of workers.
func TestDeterministicAcrossWorkers(t *testing.T) {
	p := plan(t)
	var outs []string
	for _, w := range []int{1, 2, 5} {
		recs, err := p.Execute(Options{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, output(t, p.Meta, recs, "csv"))
	}
	if outs[0] != outs[1] || outs[0] != outs[2] {
		t.Fatal("output depends on the worker count")
	}
}

// shards runs p in n shards written under dir and returns their paths.
func shards(t *testing.T, p *Plan, dir string, n int) []string {
	t.Helper()
	var files []string
	for k := 1; k <= n; k++ {
		recs, err := p.Execute(Options{Shard: Shard{k, n}, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, fmt.Sprintf("shard%d.jsonl", k))
		if err := WriteShard(f, p.Meta, Shard{k, n}, recs); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// Shards written to files and merged print exactly the unsharded report,
// failed runs included.
func TestShardMergeEqualsPlainSweep(t *testing.T) {
	for _, c := range []struct {
		name string
		src  string
		vary []string
	}{
		{"complete", src, []string{"link.loss=0,2%,10%", "flows.file.congestion=reno,newreno"}},
		{"with failures", lossy, []string{"link.loss=0,20%", "max_events=100000000,200"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, all := execute(t, c.src, 4, c.vary...)
			files := shards(t, p, t.TempDir(), 3)
			m, merged, err := Merge([]string{files[2], files[0], files[1]})
			if err != nil {
				t.Fatal(err)
			}
			for _, format := range []string{"table", "csv", "json"} {
				if a, b := output(t, p.Meta, all, format), output(t, m, merged, format); a != b {
					t.Fatalf("%s: merged output differs from the plain sweep:\n%s\n%s", format, a, b)
				}
			}
		})
	}
}

// Merge knows a sweep by its content: the same file reached by another
// path merges, an edited file or another grid is refused, and a missing,
// truncated or corrupt shard is named.
func TestMergeChecks(t *testing.T) {
	dir := t.TempDir()
	ax, _ := ParseAxis("link.loss=0,2%,10%")
	mk := func(file, s string, seeds int, sub string) []string {
		p, err := NewPlan(file, []byte(s), []Axis{ax}, seeds)
		if err != nil {
			t.Fatal(err)
		}
		d := filepath.Join(dir, sub)
		os.MkdirAll(d, 0o755)
		return shards(t, p, d, 3)
	}
	base := mk("s.yaml", src, 4, "base")
	moved := mk("./sub/../s.yaml", src, 4, "moved")
	edited := mk("s.yaml", src+"# a comment\n", 4, "edited")
	regrid := mk("s.yaml", src, 5, "regrid")
	damage := func(name string, f func([]byte) []byte) string {
		b, _ := os.ReadFile(base[1])
		p := filepath.Join(dir, name)
		os.WriteFile(p, f(b), 0o644)
		return p
	}
	lines := func(b []byte) [][]byte { return bytes.SplitAfter(b, []byte("\n")) }
	cutMid := damage("cut-mid.jsonl", func(b []byte) []byte { return b[:len(b)-10] })
	cutLine := damage("cut-line.jsonl", func(b []byte) []byte {
		l := lines(b)
		return bytes.Join(l[:len(l)-2], nil)
	})
	cutHeader := damage("cut-header.jsonl", func(b []byte) []byte { return b[:30] })
	garbled := damage("garbled.jsonl", func(b []byte) []byte {
		l := lines(b)
		l[2] = []byte("{\"run\": \"x\"}\n")
		return bytes.Join(l, nil)
	})
	wrongRun := damage("wrong-run.jsonl", func(b []byte) []byte {
		l := lines(b)
		l[1] = bytes.Replace(l[1], []byte(`"run":1,`), []byte(`"run":0,`), 1)
		return bytes.Join(l, nil)
	})
	oldFormat := damage("old.jsonl", func([]byte) []byte { return []byte(`{"tcpsim_sweep_shard":1,"shard":"1/1","sweep":{}}` + "\n") })
	for _, c := range []struct {
		name  string
		files []string
		want  string // "" for success
	}{
		{"same file by another path", []string{base[0], moved[1], moved[2]}, ""},
		{"edited file", []string{base[0], edited[1], base[2]}, "was s.yaml edited"},
		{"other seeds", []string{base[0], regrid[1], base[2]}, "different --vary or --seeds"},
		{"shard missing", []string{base[0], base[2]}, "shard 2/3 missing"},
		{"two missing", []string{base[1]}, "shards 1/3, 3/3 missing"},
		{"shard twice", []string{base[0], base[0], base[1], base[2]}, "in both"},
		{"truncated mid-line", []string{base[0], cutMid, base[2]}, "cut-mid.jsonl is truncated: line 5"},
		{"truncated at a line", []string{base[0], cutLine, base[2]}, "cut-line.jsonl is truncated: it has 3 of its shard's 4 runs"},
		{"truncated header", []string{cutHeader}, "cut-header.jsonl"},
		{"corrupt line", []string{base[0], garbled, base[2]}, "garbled.jsonl: line 3 is corrupt"},
		{"run of another shard", []string{base[0], wrongRun, base[2]}, "wrong-run.jsonl: line 2 is corrupt: run 0 does not belong to shard 2/3"},
		{"not a shard", []string{filepath.Join(dir, "none.jsonl")}, "none.jsonl"},
		{"old format", []string{oldFormat}, "shard format 1, this tcpsim reads format 2"},
		{"nothing", nil, "no shard files"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := Merge(c.files)
			if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

// Common random numbers: with the same seed, the UDP datagrams lost at a
// lower loss rate are also lost at a higher one, so delivery never rises
// with loss for any seed, and the paired difference has a tighter spread
// than the unpaired one would.
func TestCommonRandomNumbers(t *testing.T) {
	a, _ := ParseAxis("link.loss=1%,2%,5%")
	p, err := NewPlan("s.yaml", []byte(src), []Axis{a}, 8)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := p.Execute(Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	udp := func(pt, k int) float64 { return recs[pt*8+k].Flows[1].Values[DeliveryRatio] }
	for k := range 8 {
		if !(udp(0, k) >= udp(1, k) && udp(1, k) >= udp(2, k)) {
			t.Fatalf("seed %d: delivery %v, %v, %v rises with loss", k, udp(0, k), udp(1, k), udp(2, k))
		}
	}
}

// A panic in a run (a bug) stops the sweep and comes back as an error
// that names the point and seed and still unwraps to the
// *run.PanicError (the command's exit 3).
func TestPanicStopsTheSweep(t *testing.T) {
	p := plan(t) // 6 points x 4 seeds
	var calls atomic.Int32
	p.run = func(sc *scenario.Scenario, seed uint64, opt run.Options) (*run.Result, error) {
		if calls.Add(1) == 6 { // run 5: point 1, seed 3+1
			return nil, &run.PanicError{File: sc.File, Scenario: sc.Name, Seed: seed, Value: "broken invariant"}
		}
		return run.ScenarioWith(sc, seed, opt)
	}
	recs, err := p.Execute(Options{Workers: 1})
	var pe *run.PanicError
	if !errors.As(err, &pe) || pe.Seed != 4 || recs != nil {
		t.Fatalf("got %v (%d records), want the PanicError of seed 4", err, len(recs))
	}
	if want := "point 1 (link.loss=0, flows.file.congestion=newreno), seed 4"; !strings.Contains(err.Error(), want) {
		t.Errorf("%q lacks %q", err, want)
	}
	if n := calls.Load(); n != 6 {
		t.Errorf("%d runs made after the panic, want none (6 in all of %d)", n-6, p.Runs())
	}
}

func TestParseShard(t *testing.T) {
	for _, s := range []string{"0/3", "4/3", "x", "1/0", "1/", "/3"} {
		if _, err := ParseShard(s); err == nil {
			t.Errorf("shard %q accepted", s)
		}
	}
	for _, c := range []struct{ k, n, runs, want int }{{1, 3, 12, 4}, {3, 3, 10, 3}, {2, 3, 1, 0}, {1, 1, 7, 7}} {
		if got := (Shard{c.k, c.n}).size(c.runs); got != c.want {
			t.Errorf("shard %d/%d of %d runs: %d, want %d", c.k, c.n, c.runs, got, c.want)
		}
	}
}

// BenchmarkSweep is the reference sweep: 7 loss rates x 30 seeds of
// a 10 MB TCP flow beside a UDP flow on 10 Mbps / 20 ms.
func BenchmarkSweep(b *testing.B) {
	const s = `name: bench
until: 3600s
link: {rate: 10Mbps, delay: 20ms, queue: 100}
flows:
  - {name: file, protocol: tcp, bytes: 10MB}
  - {name: video, protocol: udp, bytes: 10MB, rate: 2Mbps}
`
	a, _ := ParseAxis("link.loss=0,0.5%,1%,2%,5%,10%,20%")
	p, err := NewPlan("b.yaml", []byte(s), []Axis{a}, 30)
	if err != nil {
		b.Fatal(err)
	}
	for _, w := range []int{1, 2} {
		b.Run("workers="+string(rune('0'+w)), func(b *testing.B) {
			for b.Loop() {
				if _, err := p.Execute(Options{Workers: w}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(p.Runs()*b.N)/b.Elapsed().Seconds(), "runs/s")
		})
	}
}

// lossy is the example: 200 KB over 20% loss cannot always finish
// in 60 s.
const lossy = `name: lossy
seed: 1
until: 60s
link: {rate: 10Mbps, delay: 20ms, queue: 100, loss: 20%}
flows:
  - {name: file, protocol: tcp, bytes: 200KB, congestion: newreno, recv_buffer: 64KiB}
  - {name: video, protocol: udp, bytes: 100KB, rate: 1Mbps}
`

func execute(t *testing.T, src string, seeds int, vary ...string) (*Plan, []Record) {
	t.Helper()
	var axes []Axis
	for _, v := range vary {
		a, err := ParseAxis(v)
		if err != nil {
			t.Fatal(err)
		}
		axes = append(axes, a)
	}
	p, err := NewPlan("s.yaml", []byte(src), axes, seeds)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := p.Execute(Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return p, recs
}

// Runs that did not complete are counted, with their reason, and each
// metric's n says which runs it covers: never a silent subset.
func TestFailedRunsAreCounted(t *testing.T) {
	p, recs := execute(t, lossy, 10, "link.loss=0,20%", "max_events=100000000,200")
	st := Summaries(p.Meta, recs)
	for _, c := range []struct {
		name                    string
		point                   int
		completed, failed       int
		because                 Failure
		fileCompleted, udpCompl int
	}{
		// At 20% loss 3 of 10 finished when the issue was filed; 2 of 10
		// since Limited Transmit's segments are left out of ssthresh
		// (RFC 5681 §3.2 step 2): still some of each.
		{"clean", 0, 10, 0, None, 10, 10},
		{"clean, event budget", 1, 0, 10, EventBudget, 0, 0},
		{"20% loss", 2, 2, 8, TimeLimit, 2, 10},
		{"20% loss, event budget", 3, 0, 10, EventBudget, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			ps := st.Points[c.point]
			if ps.Runs.Total != 10 || ps.Runs.Completed != c.completed || ps.Runs.Failed != c.failed || ps.Runs.Because[c.because] != c.failed {
				t.Fatalf("runs %+v, want 10 = %d completed + %d failed (%s)", ps.Runs, c.completed, c.failed, c.because.Key())
			}
			file, video := ps.Flows[0], ps.Flows[1]
			if file.Runs.Completed != c.fileCompleted || video.Runs.Completed != c.udpCompl {
				t.Fatalf("flows completed %d and %d, want %d and %d", file.Runs.Completed, video.Runs.Completed, c.fileCompleted, c.udpCompl)
			}
			// Goodput and completion time: over the completed runs;
			// delivery ratio and retransmissions: over all of them.
			for _, m := range []struct {
				metric Metric
				n      int
			}{{Goodput, c.fileCompleted}, {CompletionTime, c.fileCompleted}, {DeliveryRatio, 10}, {Retransmissions, 10}} {
				if got := file.Summary[m.metric].N; got != m.n {
					t.Errorf("%s: n = %d, want %d", m.metric.Key(), got, m.n)
				}
			}
			if file.Runs.Failed != 10-c.fileCompleted || file.Runs.Because[c.because] != file.Runs.Failed {
				t.Errorf("file: %+v, want %d failed (%s)", file.Runs, 10-c.fileCompleted, c.because.Key())
			}
			if video.Applies[Retransmissions] || video.Summary[Retransmissions].N != 0 {
				t.Errorf("UDP retransmissions apply: %+v", video.Summary[Retransmissions])
			}
		})
	}
	if st.Runs.Total != 40 || st.Runs.Failed != 28 || st.Runs.Because[TimeLimit] != 8 || st.Runs.Because[EventBudget] != 20 {
		t.Fatalf("totals %+v", st.Runs)
	}
	w := Warning(st)
	if !strings.Contains(w, "28 of 40 runs failed (time limit 8, event budget 20)") {
		t.Fatalf("warning %q", w)
	}
	table := output(t, p.Meta, recs, "table")
	for _, want := range []string{"WARNING: 28 of 40 runs failed", "over completed runs only", "2 of 10", "time limit 8", "n/a (udp)"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	csvOut := output(t, p.Meta, recs, "csv")
	if !strings.Contains(csvOut, "failed_time_limit") || !strings.Contains(csvOut, ",time_limit,") || !strings.Contains(csvOut, ",completed_runs,") {
		t.Errorf("csv lacks the failure columns:\n%.500s", csvOut)
	}
}

// Every run completed: no warning, and n is the number of runs.
func TestNoFailureNoWarning(t *testing.T) {
	p, recs := execute(t, src, 3, "link.loss=0,1%")
	st := Summaries(p.Meta, recs)
	if w := Warning(st); w != "" || st.Runs.Failed != 0 || st.Runs.Completed != 6 {
		t.Fatalf("warning %q, runs %+v", w, st.Runs)
	}
	if table := output(t, p.Meta, recs, "table"); strings.Contains(table, "WARNING") || strings.Contains(table, " of 3") {
		t.Fatalf("table marks a subset:\n%s", table)
	}
}

// The sweep's JSON: snake_case keys, numbers at full precision, null
// where a value does not exist, no HTML escaping, vary as {path, values},
// point as the index of one combination of values everywhere.
func TestJSONStyle(t *testing.T) {
	s := strings.Replace(lossy, "name: lossy", `name: "a<b>&c"`, 1)
	p, recs := execute(t, s, 2, "link.loss=0,20%")
	out := output(t, p.Meta, recs, "json")
	if strings.Contains(out, `\u003c`) || !strings.Contains(out, `"a<b>&c"`) {
		t.Errorf("HTML-escaped: %.200s", out)
	}
	var doc any
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if !key.MatchString(k) {
					t.Errorf("%s: key %q is not snake_case", path, k)
				}
				walk(path+"."+k, x)
			}
		case []any:
			for i, x := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), x)
			}
		}
	}
	walk("$", doc)

	var v struct {
		Vary []struct {
			Path   string   `json:"path"`
			Values []string `json:"values"`
		} `json:"vary"`
		RunsFailed int `json:"runs_failed"`
		Points     []struct {
			Point  int      `json:"point"`
			Values []string `json:"values"`
			Flows  []struct {
				Flow    string                     `json:"flow"`
				Metrics map[string]json.RawMessage `json:"metrics"`
			} `json:"flows"`
		} `json:"points"`
		Runs []struct {
			Point int  `json:"point"`
			OK    bool `json:"ok"`
			Flows []struct {
				Goodput         *float64 `json:"goodput_bps"`
				Retransmissions *float64 `json:"retransmissions"`
			} `json:"flows"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Vary) != 1 || v.Vary[0].Path != "link.loss" || len(v.Vary[0].Values) != 2 {
		t.Errorf("vary %+v", v.Vary)
	}
	if len(v.Points) != 2 || v.Points[1].Point != 1 || v.Points[1].Values[0] != "20%" {
		t.Errorf("points %+v", v.Points)
	}
	if got := string(v.Points[0].Flows[1].Metrics["retransmissions"]); got != "null" {
		t.Errorf("UDP retransmissions summary %s, want null", got)
	}
	for i, r := range v.Runs {
		if r.Point != recs[i].Point || r.OK != recs[i].OK() {
			t.Errorf("run %d: point %d ok %v", i, r.Point, r.OK)
		}
		if g := recs[i].Flows[0].Values[Goodput]; math.IsNaN(g) != (r.Flows[0].Goodput == nil) || r.Flows[0].Goodput != nil && *r.Flows[0].Goodput != g {
			t.Errorf("run %d: goodput %v, want %v at full precision", i, r.Flows[0].Goodput, g)
		}
		if r.Flows[1].Retransmissions != nil {
			t.Errorf("run %d: UDP retransmissions %v, want null", i, *r.Flows[1].Retransmissions)
		}
	}
}

// Bad --vary values, seeds and sizes are errors before any run, and the
// size is checked before anything is allocated for the grid.
func TestPlanChecked(t *testing.T) {
	ax := func(s string) Axis {
		a, err := ParseAxis(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		return a
	}
	many := Axis{Path: "link.delay"}
	for i := range 1000 {
		many.Values = append(many.Values, fmt.Sprintf("%dms", i+1))
	}
	for _, c := range []struct {
		name  string
		axes  []Axis
		seeds int
		want  string
	}{
		{"seed", []Axis{ax("seed=1,2")}, 2, "--seeds"},
		{"same path twice", []Axis{ax("link.loss=1%"), ax("link.loss=2%")}, 2, "given twice"},
		{"same value twice", []Axis{ax("link.loss=1%,2%,1%")}, 2, `"1%" is given twice`},
		{"overlap", []Axis{ax("link.reverse=1"), ax("link.reverse.loss=2%")}, 2, "overlap"},
		{"no values", []Axis{{Path: "link.loss"}}, 2, "no values"},
		{"out of range", []Axis{ax("link.loss=0,150%")}, 2, "0% to 100%"},
		{"no such field", []Axis{ax("link.nope=1")}, 2, `no field "nope"`},
		{"zero seeds", nil, 0, "at least 1"},
		{"negative seeds", nil, -3, "at least 1"},
		{"too many runs", []Axis{ax("link.loss=0,1%")}, 9999999999999, "more than 10000000 runs"},
		{"overflowing runs", []Axis{ax("link.loss=0,1%")}, math.MaxInt, "more than 10000000 runs"},
		{"too many points", []Axis{many, many.withPath("link.reverse.delay")}, 1, "more than 100000 points"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewPlan("s.yaml", []byte(src), c.axes, c.seeds)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
		})
	}
	for _, s := range []string{"link.loss=1%,,2%", "link.loss=1%,", "link.loss=,1%", "link.loss", "=1%", "link.loss= "} {
		if _, err := ParseAxis(s); err == nil {
			t.Errorf("--vary %q accepted", s)
		}
	}
}

func (a Axis) withPath(p string) Axis { a.Path = p; return a }

// Interrupting a sweep ends the runs in progress, starts no new one, and
// returns the finished runs with ErrInterrupted.
func TestInterrupt(t *testing.T) {
	p := plan(t)
	for _, after := range []int{0, 1, 5} {
		var flag atomic.Bool
		n := 0
		if after == 0 {
			flag.Store(true)
		}
		recs, err := p.Execute(Options{Workers: 1, Interrupt: &flag, Progress: func() {
			if n++; n == after {
				flag.Store(true)
			}
		}})
		if !errors.Is(err, ErrInterrupted) || len(recs) != after || n != after {
			t.Errorf("interrupt after %d runs: %d records, %d runs made, err %v", after, len(recs), n, err)
		}
	}
	if _, err := p.Execute(Options{Workers: -1}); err == nil {
		t.Error("--workers -1 accepted")
	}
}
