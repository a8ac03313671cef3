package sweepparquet

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"tcpsim/internal/sweep"
)

const lossy = `name: lossy
seed: 1
until: 60s
link: {rate: 10Mbps, delay: 20ms, queue: 100, loss: 20%}
flows:
  - {name: file, protocol: tcp, bytes: 200KB, congestion: newreno, recv_buffer: 64KiB}
  - {name: video, protocol: udp, bytes: 100KB, rate: 1Mbps}
`

// sweepOf runs a small sweep with failures (TCP at 20% loss within 60 s)
// and a UDP flow (no retransmissions: null).
func sweepOf(t *testing.T) (sweep.Meta, []sweep.Record) {
	t.Helper()
	a, _ := sweep.ParseAxis("link.loss=0,20%")
	p, err := sweep.NewPlan("lossy.yaml", []byte(lossy), []sweep.Axis{a}, 4)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := p.Execute(sweep.Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return p.Meta, recs
}

func write(t *testing.T, m sweep.Meta, recs []sweep.Record) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := NewWriter(&b, m)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		if err := w.Add(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The file reads back: one row per run and flow, every value as the
// records hold it, typed (int64, uint64, bool, double, string), null
// where a value does not exist.
func TestParquetReadsBack(t *testing.T) {
	m, recs := sweepOf(t)
	b := write(t, m, recs)
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.NumRows(), int64(len(recs)*len(m.Flows)); got != want {
		t.Fatalf("%d rows, want %d", got, want)
	}
	types := map[string]string{}
	for _, c := range f.Schema().Fields() {
		types[c.Name()] = c.Type().String()
		if c.Optional() {
			types[c.Name()] += "?"
		}
	}
	for col, want := range map[string]string{"run": "INT(64,true)", "seed": "INT(64,false)", "run_ok": "BOOLEAN",
		"goodput_bps": "DOUBLE?", "retransmissions": "INT(64,true)?", "completion_time_s": "DOUBLE?", "link.loss": "STRING", "failed_because": "STRING?"} {
		if types[col] != want {
			t.Errorf("column %s: type %q, want %q (all: %v)", col, types[col], want, types)
		}
	}
	r := parquet.NewReader(bytes.NewReader(b))
	defer r.Close()
	idx := map[string]int{}
	for i, path := range r.Schema().Columns() {
		idx[strings.Join(path, ".")] = i
	}
	rows := make([]parquet.Row, 1)
	nulls, failed := 0, 0
	for i := 0; ; i++ {
		n, err := r.ReadRows(rows)
		if n == 0 && errors.Is(err, io.EOF) {
			if i != len(recs)*len(m.Flows) {
				t.Fatalf("read %d rows, want %d", i, len(recs)*len(m.Flows))
			}
			break
		}
		if err != nil && !errors.Is(err, io.EOF) {
			t.Fatal(err)
		}
		row := rows[0]
		rec, fi := recs[i/len(m.Flows)], i%len(m.Flows)
		fr := rec.Flows[fi]
		get := func(c string) parquet.Value { return row[idx[c]] }
		if get("run").Int64() != int64(rec.Run) || get("seed").Uint64() != rec.Seed || get("flow").String() != m.Flows[fi].Name ||
			get("link.loss").String() != m.Labels[rec.Point][0] || get("run_ok").Boolean() != rec.OK() || get("complete").Boolean() != fr.Complete {
			t.Fatalf("row %d: %v, want run %d, flow %d of %+v", i, row, rec.Run, fi, rec)
		}
		for col, metric := range map[string]sweep.Metric{"goodput_bps": sweep.Goodput, "delivery_ratio": sweep.DeliveryRatio, "completion_time_s": sweep.CompletionTime, "retransmissions": sweep.Retransmissions} {
			v, want := get(col), fr.Values[metric]
			switch {
			case math.IsNaN(want):
				if !v.IsNull() {
					t.Fatalf("row %d: %s = %v, want null", i, col, v)
				}
				nulls++
			case metric == sweep.Retransmissions && v.Int64() != int64(want),
				metric != sweep.Retransmissions && v.Double() != want:
				t.Fatalf("row %d: %s = %v, want %v", i, col, v, want)
			}
		}
		if fb := get("failed_because"); fr.Failure == sweep.None != fb.IsNull() {
			t.Fatalf("row %d: failed_because %v, flow failure %v", i, fb, fr.Failure)
		} else if !fb.IsNull() {
			failed++
		}
	}
	if nulls == 0 || failed == 0 {
		t.Errorf("%d null values, %d failed flows: the sweep should have both", nulls, failed)
	}
}

// pandas, polars, DuckDB and pyarrow read the file, with the snippets
// docs/sweeps.md shows; skipped where python3 lacks them (TCPSIM_PYTHON
// names another interpreter, e.g. a virtual environment's).
func TestParquetInPython(t *testing.T) {
	py := os.Getenv("TCPSIM_PYTHON")
	if py == "" {
		py = "python3"
	}
	if _, err := exec.LookPath(py); err != nil {
		t.Skipf("no %s: skipped", py)
	}
	m, recs := sweepOf(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "runs.parquet"), write(t, m, recs), 0o644); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../../docs/sweeps.md")
	if err != nil {
		t.Fatal(err)
	}
	want := len(recs) * len(m.Flows)
	ran := 0
	for _, lib := range []string{"pandas", "polars", "duckdb"} {
		_, rest, ok := strings.Cut(string(doc), "```python\n# "+lib+"\n")
		if !ok {
			t.Fatalf("docs/sweeps.md has no python block starting # %s", lib)
		}
		snippet, _, _ := strings.Cut(rest, "```")
		imports := "import " + lib
		if lib == "pandas" { // and a Parquet engine
			imports += "\ntry:\n    import pyarrow\nexcept ImportError:\n    import fastparquet"
		}
		if out, err := exec.Command(py, "-c", imports).CombinedOutput(); err != nil {
			t.Logf("%s: no %s (%v: %s): its snippet skipped", py, lib, err, bytes.TrimSpace(out))
			continue
		}
		// The snippet leaves its table in df; print its row count and
		// the mean goodput of the completed TCP runs at 0% loss.
		prog := snippet + "\nprint(len(df))\n"
		cmd := exec.Command(py, "-c", prog)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s snippet: %v\n%s\n%s", lib, err, prog, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if got := lines[len(lines)-1]; got != strconv.Itoa(want) {
			t.Errorf("%s snippet: %s rows, want %d\n%s", lib, got, want, out)
		}
		ran++
	}
	if ran == 0 {
		t.Skipf("%s has none of pandas, polars, duckdb: skipped (TCPSIM_PYTHON=path/to/python names another)", py)
	}
}
