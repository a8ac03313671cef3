package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const runSchema = "../../internal/report/schema/run.schema.json"

// shippedFiles lists every shipped scenario, exercise and network.
func shippedFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../scenarios/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := filepath.Glob("../../scenarios/exercises/*.yaml")
	files = append(files, ex...)
	nets, _ := filepath.Glob("../../scenarios/networks/*.yaml")
	files = append(files, nets...)
	if len(files) < 20 {
		t.Fatalf("found %d shipped scenarios, want at least 20", len(files))
	}
	return files
}

// runFormat runs every file in one command and checks the exit code (1
// is fine: some shipped scenarios are meant to fail).
func runFormat(t *testing.T, format string, files ...string) string {
	t.Helper()
	out, errs, code := runCmd(append([]string{"run", "--format", format}, files...)...)
	if code != 0 && code != 1 {
		t.Fatalf("run --format %s: exit %d: %s", format, code, errs)
	}
	return out
}

func checkSchema(t *testing.T, loc, doc string) {
	t.Helper()
	sch, err := jsonschema.NewCompiler().Compile(loc)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("%s: %v", loc, err)
	}
}

// Several files print one JSON array that json.Unmarshal reads, one
// element per file in order, valid against the schema, with nothing
// HTML-escaped; jsonl prints the same objects one per line.
func TestRunJSONSeveralFiles(t *testing.T) {
	files := shippedFiles(t)
	out := runFormat(t, "json", files...)
	if strings.Contains(out, `\u003e`) || strings.Contains(out, `\u003c`) || strings.Contains(out, `\u0026`) {
		t.Error("JSON output is HTML-escaped")
	}
	var runs []map[string]any
	if err := json.Unmarshal([]byte(out), &runs); err != nil {
		t.Fatalf("json.Unmarshal of %d files: %v", len(files), err)
	}
	if len(runs) != len(files) {
		t.Fatalf("%d runs for %d files", len(runs), len(files))
	}
	for i, r := range runs {
		if r["file"] != files[i] {
			t.Errorf("run %d is %v, want %s", i, r["file"], files[i])
		}
	}
	checkSchema(t, runSchema, out)

	lines := strings.Split(strings.TrimSuffix(runFormat(t, "jsonl", files...), "\n"), "\n")
	if len(lines) != len(files) {
		t.Fatalf("jsonl: %d lines for %d files", len(lines), len(files))
	}
	for i, l := range lines {
		checkSchema(t, runSchema+"#/$defs/run", l)
		var obj map[string]any
		if err := json.Unmarshal([]byte(l), &obj); err != nil {
			t.Fatalf("jsonl line %d: %v", i+1, err)
		}
		if !reflect.DeepEqual(obj, runs[i]) {
			t.Errorf("jsonl line %d differs from json element %d", i+1, i)
		}
	}
}

// Several files print one CSV table: one header, then rows whose value
// column is a number (or empty for null) and whose text column holds the
// text fields.
func TestRunCSVSeveralFiles(t *testing.T) {
	files := shippedFiles(t)
	recs, err := csv.NewReader(strings.NewReader(runFormat(t, "csv", files...))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"scenario", "file", "seed", "section", "name", "metric", "value", "text"}
	if !slices.Equal(recs[0], header) {
		t.Fatalf("header %v, want %v", recs[0], header)
	}
	seen := map[string]bool{}
	numbers := 0
	for _, r := range recs[1:] {
		if slices.Equal(r, header) {
			t.Fatal("a second header")
		}
		seen[r[1]] = true
		if _, err := strconv.ParseUint(r[2], 10, 64); err != nil {
			t.Errorf("seed %q is not a number", r[2])
		}
		if r[6] != "" {
			if _, err := strconv.ParseFloat(r[6], 64); err != nil {
				t.Errorf("value %q is not a number: %v", r[6], r)
			}
			numbers++
		}
	}
	if len(seen) != len(files) || numbers < 30*len(files) {
		t.Errorf("%d files in the CSV (want %d), %d numeric values", len(seen), len(files), numbers)
	}
}

// The JSON, JSON lines and CSV of two files (TCP and UDP side by side, a
// lossy UDP link) are pinned by golden files (-update rewrites them).
func TestRunMachineGolden(t *testing.T) {
	files := []string{"../../scenarios/tcp-vs-udp.yaml", "../../scenarios/udp-lossy.yaml"}
	for _, format := range []string{"json", "jsonl", "csv"} {
		out := runFormat(t, format, files...)
		path := filepath.Join("testdata", "two-files."+format+".golden")
		if *update {
			if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./cmd/tcpsim -run TestRunMachineGolden -update)", err)
		}
		if out != string(want) {
			t.Errorf("--format %s differs from %s (rerun with -update if intended):\n%s", format, path, out)
		}
	}
}
