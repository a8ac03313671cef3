package main

import (
	"bytes"
	"encoding/json"
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
	var v struct {
		OK    bool `json:"ok"`
		Flows []struct {
			Name    string            `json:"name"`
			Metrics map[string]string `json:"metrics"`
		} `json:"flows"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || !v.OK || len(v.Flows) != 2 || v.Flows[0].Metrics["data verified"] != "yes" {
		t.Fatalf("json: %v %+v", err, v)
	}
	out, _, _ = runCmd("run", "--format", "csv", "../../scenarios/tcp-vs-udp.yaml")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], "scenario,seed") {
		t.Fatalf("csv:\n%s", out)
	}
	out, _, _ = runCmd("run", "--format", "markdown", "../../scenarios/tcp-vs-udp.yaml")
	if !strings.Contains(out, "| flow ") || !strings.Contains(out, "|---") && !strings.Contains(out, "|:--") {
		t.Fatalf("markdown:\n%s", out)
	}
}
