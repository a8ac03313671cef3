package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"tcpsim/internal/report/runparquet"
)

// TestRunParquet: run --format parquet writes one Parquet file of every
// run's rows (the CSV's, typed) that reads back with as many rows as the
// CSV has, and refuses --routes and --trace -.
func TestRunParquet(t *testing.T) {
	files := []string{"../../scenarios/tcp-clean.yaml", "../../scenarios/udp-lossy.yaml"}
	out, errs, code := runCmd(append([]string{"run", "--format", "parquet"}, files...)...)
	if code != 0 || !strings.HasPrefix(out, "PAR1") || !strings.HasSuffix(out, "PAR1") {
		t.Fatalf("exit %d, %s: %d bytes, not Parquet", code, errs, len(out))
	}
	rows, err := parquet.Read[runparquet.Row](bytes.NewReader([]byte(out)), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	csv, errs, code := runCmd(append([]string{"run", "--format", "csv"}, files...)...)
	if code != 0 {
		t.Fatalf("csv: exit %d: %s", code, errs)
	}
	if n := strings.Count(csv, "\n") - 1; len(rows) != n {
		t.Errorf("%d Parquet rows, the CSV has %d", len(rows), n)
	}
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r.Scenario] = true
		if r.Section == "flow" && r.Metric == "goodput_bps" && (r.Value == nil || *r.Value <= 0) {
			t.Errorf("%s: flow %s's goodput %v", r.Scenario, r.Name, r.Value)
		}
	}
	if len(seen) != 2 {
		t.Errorf("runs of %v in the file, want both scenarios", seen)
	}
	for _, extra := range [][]string{{"--routes"}, {"--trace", "-"}} {
		if _, errs, code := runCmd(append(append([]string{"run", "--format", "parquet"}, extra...), files[0])...); code != 2 {
			t.Errorf("--format parquet %v: exit %d (%s), want 2", extra, code, errs)
		}
	}
}
