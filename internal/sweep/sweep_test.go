package sweep

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"
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
		recs, err := p.Execute(Shard{1, 1}, w, nil)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, output(t, p.Meta, recs, "csv"))
	}
	if outs[0] != outs[1] || outs[0] != outs[2] {
		t.Fatal("output depends on the worker count")
	}
}

// Shards written to files and merged print exactly the unsharded report.
func TestShardMergeEqualsPlainSweep(t *testing.T) {
	p := plan(t)
	all, err := p.Execute(Shard{1, 1}, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var files []string
	for k := 1; k <= 3; k++ {
		recs, err := p.Execute(Shard{k, 3}, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, "shard"+string(rune('0'+k))+".jsonl")
		if err := WriteShard(f, p.Meta, Shard{k, 3}, recs); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	m, merged, err := Merge([]string{files[2], files[0], files[1]})
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"table", "csv", "json"} {
		if a, b := output(t, p.Meta, all, format), output(t, m, merged, format); a != b {
			t.Fatalf("%s: merged output differs from the plain sweep", format)
		}
	}
	if _, _, err := Merge(files[:2]); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("merge of 2 of 3 shards: %v", err)
	}
	if _, _, err := Merge([]string{files[0], files[0]}); err == nil || !strings.Contains(err.Error(), "both") {
		t.Fatalf("merge of a shard twice: %v", err)
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
	recs, err := p.Execute(Shard{1, 1}, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	udp := func(pt, k int) float64 { return recs[pt*8+k].Flows[1].Values[1] }
	for k := range 8 {
		if !(udp(0, k) >= udp(1, k) && udp(1, k) >= udp(2, k)) {
			t.Fatalf("seed %d: delivery %v, %v, %v rises with loss", k, udp(0, k), udp(1, k), udp(2, k))
		}
	}
}

func TestBadInput(t *testing.T) {
	for _, c := range []struct{ vary, want string }{
		{"link.loss=0,150%", "0% to 100%"},
		{"link.nope=1", `no field "nope"`},
	} {
		a, _ := ParseAxis(c.vary)
		if _, err := NewPlan("s.yaml", []byte(src), []Axis{a}, 2); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.vary, err)
		}
	}
	if _, err := ParseAxis("link.loss"); err == nil {
		t.Error("axis without values accepted")
	}
	for _, s := range []string{"0/3", "4/3", "x", "1/0"} {
		if _, err := ParseShard(s); err == nil {
			t.Errorf("shard %q accepted", s)
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
				if _, err := p.Execute(Shard{1, 1}, w, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(p.Runs()*b.N)/b.Elapsed().Seconds(), "runs/s")
		})
	}
}
