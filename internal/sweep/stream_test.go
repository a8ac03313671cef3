package sweep

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
)

// Stream hands the records in run order whatever the worker count, and
// the same records as one worker makes; the Accumulator fed as they come
// gives exactly Summaries' statistics.
func TestStreamInRunOrder(t *testing.T) {
	p := plan(t)
	want, err := p.Execute(Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	wantSt := fmt.Sprintf("%+v", Summaries(p.Meta, want))
	for _, w := range []int{1, 2, 7} {
		for _, sh := range []Shard{{1, 1}, {2, 3}} {
			acc := NewAccumulator(p.Meta)
			var got []Record
			err := p.Stream(Options{Workers: w, Shard: sh}, func(r *Record) error {
				got = append(got, *r)
				return acc.Add(r)
			})
			if err != nil {
				t.Fatal(err)
			}
			var sub []Record
			for _, r := range want {
				if sh.has(r.Run) {
					sub = append(sub, r)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(sub) {
				t.Fatalf("workers %d, shard %v: records differ from one worker's", w, sh)
			}
			if sh.N == 1 {
				if st := fmt.Sprintf("%+v", acc.Stats()); st != wantSt {
					t.Fatalf("workers %d: accumulated stats differ from Summaries:\n%s\n%s", w, st, wantSt)
				}
			}
		}
	}
	acc := NewAccumulator(p.Meta)
	if err := acc.Add(&want[3]); err != nil {
		t.Fatal(err)
	}
	if err := acc.Add(&want[2]); err == nil || !strings.Contains(err.Error(), "run order") {
		t.Errorf("a record out of order: %v, want an error", err)
	}
}

// A sink's error stops the sweep and is returned.
func TestStreamSinkError(t *testing.T) {
	p := plan(t)
	boom := errors.New("disk full")
	n := 0
	err := p.Stream(Options{Workers: 2}, func(*Record) error {
		n++
		if n == 3 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || n != 3 {
		t.Fatalf("got %v after %d records, want %v after 3", err, n, boom)
	}
}

// countingPlan is plan(t) with its runs counted.
func countingPlan(t *testing.T, made *atomic.Int64) *Plan {
	p := plan(t)
	p.run = func(sc *scenario.Scenario, seed uint64, o run.Options) (*run.Result, error) {
		made.Add(1)
		return run.ScenarioWith(sc, seed, o)
	}
	return p
}

// --out resumes: a sweep stopped part-way (here: its side file cut in the
// middle of a line, as a killed job leaves it) is finished by running it
// again, which makes only the missing runs; the file is then byte for
// byte the one an uninterrupted sweep writes. A third run makes nothing.
func TestOpenShardResumes(t *testing.T) {
	var made atomic.Int64
	p := countingPlan(t, &made)
	dir := t.TempDir()
	for _, sh := range []Shard{{1, 1}, {2, 3}} {
		ref := filepath.Join(dir, "ref.jsonl")
		recs, err := p.Execute(Options{Workers: 2, Shard: sh})
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteShard(ref, p.Meta, sh, recs); err != nil {
			t.Fatal(err)
		}
		whole, _ := os.ReadFile(ref)
		lines := bytes.SplitAfter(whole, []byte("\n"))
		out := filepath.Join(dir, fmt.Sprintf("out-%d.jsonl", sh.K))
		kept := 3
		partial := append(bytes.Join(lines[:1+kept], nil), lines[1+kept][:20]...)
		if err := os.WriteFile(out+PartialSuffix, partial, 0o644); err != nil {
			t.Fatal(err)
		}
		resume := func() (int, int64) {
			made.Store(0)
			w, done, resumed, err := OpenShard(out, p.Meta, sh)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Stream(Options{Workers: 2, Shard: sh, Skip: done}, w.Add); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if w.Counts().Total != len(recs) {
				t.Errorf("shard %v: counts cover %d runs, want %d", sh, w.Counts().Total, len(recs))
			}
			return resumed, made.Load()
		}
		if resumed, n := resume(); resumed != kept || n != int64(len(recs)-kept) {
			t.Fatalf("shard %v: resumed %d runs and made %d, want %d and %d", sh, resumed, n, kept, len(recs)-kept)
		}
		if got, _ := os.ReadFile(out); !bytes.Equal(got, whole) {
			t.Fatalf("shard %v: the resumed shard differs from an uninterrupted one", sh)
		}
		if _, err := os.Stat(out + PartialSuffix); !os.IsNotExist(err) {
			t.Errorf("shard %v: %s left behind: %v", sh, out+PartialSuffix, err)
		}
		if resumed, n := resume(); resumed != len(recs) || n != 0 {
			t.Fatalf("shard %v, whole already: resumed %d runs and made %d, want %d and 0", sh, resumed, n, len(recs))
		}
		if got, _ := os.ReadFile(out); !bytes.Equal(got, whole) {
			t.Fatalf("shard %v: rerunning a finished shard changed it", sh)
		}
	}
	// A partial file of another sweep is replaced, not resumed.
	other, _ := ParseAxis("link.loss=0,5%")
	q, err := NewPlan("s.yaml", []byte(src), []Axis{other}, 4)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out-1.jsonl")
	os.Remove(out)
	os.WriteFile(out+PartialSuffix, []byte("not a shard\n"), 0o644)
	w, _, resumed, err := OpenShard(out, q.Meta, Shard{1, 1})
	if err != nil || resumed != 0 {
		t.Fatalf("another sweep's partial file: resumed %d, %v", resumed, err)
	}
	w.Abort()
}

// Merge names what a stopped sweep left out, and how to finish it.
func TestMergeNamesMissingRuns(t *testing.T) {
	p := plan(t)
	dir := t.TempDir()
	recs, err := p.Execute(Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "all.jsonl")
	if err := WriteShard(out, p.Meta, Shard{1, 1}, recs); err != nil {
		t.Fatal(err)
	}
	whole, _ := os.ReadFile(out)
	lines := bytes.SplitAfter(whole, []byte("\n"))
	os.WriteFile(out+PartialSuffix, bytes.Join(lines[:6], nil), 0o644)
	_, _, err = Merge([]string{out + PartialSuffix})
	if err == nil || !strings.Contains(err.Error(), "it has 5 of its shard's 24 runs: a sweep stopped before its end; rerun it with --out "+out) {
		t.Fatalf("got %v, want the runs counted and the --out to rerun", err)
	}
}
