package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := execute(args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestRunExitCodes(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("name: x\nlink: {loss: 150%}\nflows: []\n"), 0o644)
	for _, c := range []struct {
		name string
		args []string
		code int
		want string // in stdout+stderr
	}{
		{"success", []string{"run", "../../scenarios/udp-clean.yaml"}, 0, "udp-clean (seed 1): complete"},
		{"abort", []string{"run", "../../scenarios/tcp-total-loss-abort.yaml"}, 1, "aborted"},
		{"bad scenario", []string{"run", bad}, 2, "bad.yaml:2"},
		{"missing file", []string{"run", "nope.yaml"}, 2, "nope.yaml"},
		{"no args", []string{"run"}, 2, "arg"},
		{"bad format", []string{"run", "--format", "xml", "../../scenarios/udp-clean.yaml"}, 2, "--format"},
		{"bad flag", []string{"run", "--sed", "1"}, 2, "unknown flag"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errs, code := runCmd(c.args...)
			if code != c.code || !strings.Contains(out+errs, c.want) {
				t.Fatalf("exit %d (want %d); output lacks %q?\n%s%s", code, c.code, c.want, out, errs)
			}
		})
	}
}

// The same scenario and seed print byte-identical output; --seed changes it.
func TestRunDeterministicOutput(t *testing.T) {
	a, _, _ := runCmd("run", "../../scenarios/tcp-vs-udp.yaml")
	b, _, _ := runCmd("run", "../../scenarios/tcp-vs-udp.yaml")
	c, _, _ := runCmd("run", "--seed", "9", "../../scenarios/tcp-vs-udp.yaml")
	if a != b {
		t.Fatal("two runs printed different bytes")
	}
	if a == c || !strings.Contains(c, "(seed 9)") {
		t.Fatal("--seed had no effect")
	}
}

func TestRunFormats(t *testing.T) {
	out, _, _ := runCmd("run", "--format", "json", "../../scenarios/tcp-vs-udp.yaml")
	var v []struct {
		OK    bool `json:"ok"`
		Flows []struct {
			Name string         `json:"name"`
			TCP  map[string]any `json:"tcp"`
		} `json:"flows"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || len(v) != 1 || !v[0].OK || len(v[0].Flows) != 2 || v[0].Flows[0].TCP["data_verified"] != "yes" {
		t.Fatalf("json: %v %+v", err, v)
	}
	out, _, _ = runCmd("run", "--format", "csv", "../../scenarios/tcp-vs-udp.yaml")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) < 3 || !strings.HasPrefix(lines[0], "scenario,file,seed") {
		t.Fatalf("csv:\n%s", out)
	}
	out, _, _ = runCmd("run", "--format", "markdown", "../../scenarios/tcp-vs-udp.yaml")
	if !strings.Contains(out, "| flow ") || !strings.Contains(out, "|---") && !strings.Contains(out, "|:--") {
		t.Fatalf("markdown:\n%s", out)
	}
}

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// The run table's layout is pinned by golden files (-update rewrites them).
func TestRunGolden(t *testing.T) {
	for _, c := range []struct{ golden, format, file string }{
		{"tcp-vs-udp.table.golden", "table", "../../scenarios/tcp-vs-udp.yaml"},
		{"tcp-vs-udp.markdown.golden", "markdown", "../../scenarios/tcp-vs-udp.yaml"},
		{"udp-lossy.csv.golden", "csv", "../../scenarios/udp-lossy.yaml"},
	} {
		out, _, code := runCmd("run", "--format", c.format, c.file)
		if code != 0 {
			t.Fatalf("%s: exit %d", c.file, code)
		}
		path := filepath.Join("testdata", c.golden)
		if *update {
			os.WriteFile(path, []byte(out), 0o644)
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./cmd/tcpsim -update)", err)
		}
		if out != string(want) {
			t.Errorf("%s: output differs from %s (rerun with -update if intended):\n%s", c.file, path, out)
		}
	}
}

func TestOtherCommands(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"exercises"}, 0, "scenarios/exercises/01-handshake.yaml"},
		{[]string{"diagram", "--ascii", "../../scenarios/exercises/01-handshake.yaml"}, 0, "a->b SYN seq=0"},
		{[]string{"diagram", "--flow", "nope", "../../scenarios/exercises/01-handshake.yaml"}, 2, "has no flow named \"nope\" (flows: "},
		{[]string{"plot", "--out", dir, "../../scenarios/tcp-loss-1.yaml"}, 0, "time-sequence.png"},
		{[]string{"plot", "../../scenarios/tcp-loss-1.yaml"}, 2, "--out"},
		{[]string{"sweep", "--vary", "link.loss=0,5%", "--seeds", "2", "../../scenarios/udp-clean.yaml"}, 0, "95% CI"},
		{[]string{"sweep", "--vary", "link.loss=0,500%", "../../scenarios/udp-clean.yaml"}, 2, "0% to 100%"},
		{[]string{"sweep", "--shard", "1/2", "../../scenarios/udp-clean.yaml"}, 2, "--out"},
		{[]string{"merge", filepath.Join(dir, "none.jsonl")}, 2, "merge"},
		{[]string{"run", "--trace", "-", "--trace-flow", "video", "../../scenarios/udp-clean.yaml"}, 0, "enqueue"},
		{[]string{"run", "--pcap-at", "middle", "../../scenarios/udp-clean.yaml"}, 2, "sender or receiver"},
	} {
		out, errs, code := runCmd(c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("%v: exit %d (want %d), output lacks %q:\n%.600s%s", c.args, code, c.code, c.want, out, errs)
		}
	}
}
