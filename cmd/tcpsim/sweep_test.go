package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// lossy60 is the example: 20% loss with until: 60s left 7 of 10
// runs unfinished then, and 8 of 10 since Limited Transmit's segments are
// left out of ssthresh (RFC 5681 §3.2 step 2).
const lossy60 = `name: lossy60
seed: 1
until: 60s
link: {rate: 10Mbps, delay: 20ms, queue: 100, loss: 20%}
flows:
  - {name: file, protocol: tcp, bytes: 200KB, congestion: newreno, recv_buffer: 64KiB}
`

func writeFile(t *testing.T, dir, name, src string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSweepExitCodes(t *testing.T) {
	dir := t.TempDir()
	lossy := writeFile(t, dir, "lossy.yaml", lossy60)
	clean := "../../scenarios/udp-clean.yaml"
	for _, c := range []struct {
		name string
		args []string
		code int
		want string // in stdout+stderr
	}{
		{"all complete", []string{"sweep", "--vary", "link.loss=0,5%", "--seeds", "2", clean}, 0, "95% CI"},
		{"runs failed", []string{"sweep", "--vary", "link.loss=20%", "--seeds", "10", lossy}, 1, "warning: 8 of 10 runs failed (time limit 8)"},
		{"runs failed, json", []string{"sweep", "--seeds", "10", "--format", "json", lossy}, 1, `"runs_failed": 8`},
		{"runs failed, shard", []string{"sweep", "--seeds", "10", "--shard", "1/2", "--out", filepath.Join(dir, "s.jsonl"), lossy}, 1, "warning: 5 of 5 runs failed"},
		{"empty value", []string{"sweep", "--vary", "link.loss=1%,,2%", clean}, 2, "value 2 is empty"},
		{"seed varied", []string{"sweep", "--vary", "seed=1,2", clean}, 2, "--seeds"},
		{"path twice", []string{"sweep", "--vary", "link.loss=1%", "--vary", "link.loss=2%", clean}, 2, "given twice"},
		{"zero seeds", []string{"sweep", "--seeds", "0", clean}, 2, "--seeds 0"},
		{"negative seeds", []string{"sweep", "--seeds", "-4", clean}, 2, "--seeds -4"},
		{"huge seeds", []string{"sweep", "--seeds", "9999999999999", "--vary", "link.loss=0,1%", clean}, 2, "more than 10000000 runs"},
		{"zero workers", []string{"sweep", "--workers", "0", clean}, 2, "--workers 0"},
		{"negative workers", []string{"sweep", "--workers", "-1", clean}, 2, "--workers -1"},
		{"too many workers", []string{"sweep", "--workers", "100000", clean}, 2, "--workers 100000"},
		{"endless file", []string{"sweep", "/dev/zero"}, 2, "larger than 128 KiB"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errs, code := runCmd(c.args...)
			if code != c.code || !strings.Contains(out+errs, c.want) {
				t.Fatalf("exit %d (want %d); output lacks %q?\n%.2000s\n%s", code, c.code, c.want, out, errs)
			}
			if n := strings.Count(errs, "warning:"); n > 1 {
				t.Errorf("%d warnings, want at most one:\n%s", n, errs)
			}
		})
	}
}

// Merge exits 1 when the merged runs include failures, like the sweep it
// stands for, and refuses an edited scenario file.
func TestMergeExitCodes(t *testing.T) {
	dir := t.TempDir()
	lossy := writeFile(t, dir, "lossy.yaml", lossy60)
	var shards []string
	for _, k := range []string{"1", "2"} {
		f := filepath.Join(dir, "shard"+k+".jsonl")
		if _, errs, code := runCmd("sweep", "--seeds", "10", "--shard", k+"/2", "--out", f, lossy); code != 1 {
			t.Fatalf("shard %s: exit %d: %s", k, code, errs)
		}
		shards = append(shards, f)
	}
	plain, _, _ := runCmd("sweep", "--seeds", "10", lossy)
	out, errs, code := runCmd(append([]string{"merge"}, shards...)...)
	if code != 1 || out != plain || !strings.Contains(errs, "8 of 10 runs failed") {
		t.Fatalf("merge: exit %d, same output %v, stderr %q", code, out == plain, errs)
	}
	// The same file by another path: one shard made again from there.
	other := filepath.Join(dir, "sub", "..", "lossy.yaml")
	if _, _, code := runCmd("sweep", "--seeds", "10", "--shard", "2/2", "--out", shards[1], other); code != 1 {
		t.Fatalf("shard from %s: exit %d", other, code)
	}
	if _, errs, code := runCmd("merge", shards[0], shards[1]); code != 1 || strings.Contains(errs, "different") {
		t.Fatalf("merge across paths: exit %d: %s", code, errs)
	}
	writeFile(t, dir, "lossy.yaml", lossy60+"# edited\n")
	if _, _, code := runCmd("sweep", "--seeds", "10", "--shard", "2/2", "--out", shards[1], lossy); code != 1 {
		t.Fatalf("edited shard: exit %d", code)
	}
	if _, errs, code := runCmd("merge", shards[0], shards[1]); code != 2 || !strings.Contains(errs, "edited") {
		t.Fatalf("merge of an edited file: exit %d: %s", code, errs)
	}
	if _, errs, code := runCmd("merge", shards[0]); code != 2 || !strings.Contains(errs, "shard 2/2 missing") {
		t.Fatalf("merge of 1 of 2 shards: exit %d: %s", code, errs)
	}
}

// SIGINT during a sweep stops it within a second, says what was done on
// stderr, writes no report, and returns errInterrupted (exit 130).
func TestSweepInterrupted(t *testing.T) {
	// Keep the test process alive whatever signal arrives before the
	// command catches it.
	guard := make(chan os.Signal, 16)
	signal.Notify(guard, os.Interrupt)
	defer signal.Stop(guard)

	long := writeFile(t, t.TempDir(), "long.yaml", `name: long
link: {rate: 100Mbps, delay: 1ms, queue: 1000}
flows:
  - {name: file, protocol: tcp, bytes: 20MB}
`)
	var out, errb bytes.Buffer
	root := newRoot(&out, &errb)
	root.SetArgs([]string{"sweep", "--seeds", "1000", "--workers", "2", long})
	done := make(chan error, 1)
	go func() { done <- root.Execute() }()
	time.Sleep(300 * time.Millisecond)
	sent := time.Now()
	var err error
wait:
	for {
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		select {
		case err = <-done:
			break wait
		case <-time.After(100 * time.Millisecond):
		}
		if time.Since(sent) > 5*time.Second {
			t.Fatal("the sweep did not stop within 5 s of SIGINT")
		}
	}
	// Wall time is logged, not asserted tightly (speed belongs in
	// benchmarks); the loop above fails a sweep that ignores the signal.
	t.Logf("stopped %v after SIGINT", time.Since(sent))
	if !errors.Is(err, errInterrupted) {
		t.Fatalf("err %v, want errInterrupted", err)
	}
	if out.Len() != 0 || !strings.Contains(err.Error(), "interrupted by SIGINT: sweep stopped") || !strings.Contains(err.Error(), "of 1000 runs had finished") {
		t.Fatalf("stdout %q, error %q", out.String(), err)
	}
}

// The sweep's JSON is one document with snake_case keys and numbers.
func TestSweepJSON(t *testing.T) {
	out, _, code := runCmd("sweep", "--vary", "link.loss=0,5%", "--seeds", "2", "--format", "json", "../../scenarios/tcp-vs-udp.yaml")
	var v struct {
		Vary []struct {
			Path   string   `json:"path"`
			Values []string `json:"values"`
		} `json:"vary"`
		RunsTotal int `json:"runs_total"`
		Points    []struct {
			Point int `json:"point"`
		} `json:"points"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != 0 || v.RunsTotal != 4 || len(v.Points) != 2 || v.Vary[0].Path != "link.loss" {
		t.Fatalf("exit %d, %v: %+v", code, err, v)
	}
}
