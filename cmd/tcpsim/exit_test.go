package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"

	"github.com/gopacket/gopacket/pcapgo"
	"github.com/spf13/cobra"

	"tcpsim/internal/run"
)

// fakeRoot is a command tree of one command "x" whose RunE is do.
func fakeRoot(do func() error) func() *cobra.Command {
	return func() *cobra.Command {
		root := &cobra.Command{Use: "tcpsim", SilenceUsage: true, SilenceErrors: true}
		root.AddCommand(&cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return do() }})
		return root
	}
}

// Every way a command can end maps to its documented exit code, and an
// internal error is one line naming the bug, the file and the seed, with
// the stack only under TCPSIM_DEBUG=1.
func TestExitCodes(t *testing.T) {
	pe := &run.PanicError{File: "scenarios/x y.yaml", Scenario: "x", Seed: 42, Value: "sim: event scheduled in the past\n(-9.22s)", Stack: []byte("goroutine 1 [running]:\nmain.f()\n")}
	for _, c := range []struct {
		name  string
		do    func() error
		debug bool
		code  int
		want  []string // each in stderr
		lines int      // stderr lines, 0 = any
	}{
		{"success", func() error { return nil }, false, 0, nil, 0},
		{"run failed", func() error { return errRunFailed }, false, 1, nil, 0},
		{"bad usage", func() error { return errors.New("--seeds 0: want ...") }, false, 2, []string{"tcpsim: --seeds 0"}, 1},
		{"panic error from a run", func() error { return pe }, false, 3,
			[]string{"a bug in tcpsim", "sim: event scheduled in the past (-9.22s)", `tcpsim run "scenarios/x y.yaml" --seed 42`, "TCPSIM_DEBUG=1"}, 1},
		{"wrapped panic error", func() error { return fmt.Errorf("point 3: %w", pe) }, false, 3, []string{"a bug in tcpsim", "--seed 42"}, 1},
		{"panic error, debug", func() error { return pe }, true, 3, []string{"a bug in tcpsim", "goroutine 1 [running]"}, 3},
		{"panic in the command", func() error { panic("index out of range") }, false, 3, []string{"a bug in tcpsim", "index out of range"}, 1},
		{"panic in the command, debug", func() error { panic("index out of range") }, true, 3, []string{"a bug in tcpsim", "goroutine", "exit_test.go"}, 0},
		{"SIGINT", func() error { return interrupted(os.Interrupt, "stopped a.yaml") }, false, 130, []string{"tcpsim: interrupted by SIGINT: stopped a.yaml"}, 1},
		{"SIGTERM", func() error { return interrupted(syscall.SIGTERM, "stopped a.yaml") }, false, 130, []string{"tcpsim: interrupted by SIGTERM"}, 1},
		{"wrapped interrupt", func() error { return fmt.Errorf("sweep: %w", interrupted(os.Interrupt, "3 of 9 runs")) }, false, 130, []string{"interrupted by SIGINT: 3 of 9 runs"}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			var errb bytes.Buffer
			code := executeRoot(fakeRoot(c.do), []string{"x"}, &errb, c.debug)
			got := errb.String()
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, c.code, got)
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("stderr lacks %q:\n%s", w, got)
				}
			}
			if n := strings.Count(got, "\n"); c.lines > 0 && n != c.lines {
				t.Errorf("stderr has %d lines, want %d:\n%s", n, c.lines, got)
			}
			if !c.debug && strings.Contains(got, "goroutine") {
				t.Errorf("stack trace without TCPSIM_DEBUG=1:\n%s", got)
			}
		})
	}
}

// execute reads TCPSIM_DEBUG from the environment.
func TestExecuteDebugEnv(t *testing.T) {
	t.Setenv(debugEnv, "1")
	_, errs, code := runCmd("--version")
	if code != 0 || errs != "" {
		t.Fatalf("--version with %s=1: exit %d, stderr %q", debugEnv, code, errs)
	}
}

// Flags that cannot mean anything are usage errors (exit 2) naming the
// flag and the expected form, before any run starts or any file is made.
func TestFlagUsageErrors(t *testing.T) {
	dir := t.TempDir()
	clean := "../../scenarios/udp-clean.yaml"
	hs := "../../scenarios/exercises/01-handshake.yaml"
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"validate --seeds 0", []string{"validate", "--seeds", "0"}, "--seeds 0: want a whole number of seeds from 1"},
		{"validate --seeds -3", []string{"validate", "--seeds", "-3"}, "--seeds -3"},
		{"validate --seeds huge", []string{"validate", "--seeds", "99999999"}, "--seeds 99999999"},
		{"trace-from after trace-to", []string{"run", "--trace", filepath.Join(dir, "a.jsonl"), "--trace-from", "2s", "--trace-to", "1s", clean}, "--trace-from 2s is after --trace-to 1s"},
		{"trace-to zero", []string{"run", "--trace", filepath.Join(dir, "a.jsonl"), "--trace-to", "0s", clean}, "--trace-to 0s"},
		{"trace-from not a time", []string{"run", "--trace", filepath.Join(dir, "a.jsonl"), "--trace-from", "soon", clean}, "--trace-from"},
		{"trace window without trace", []string{"run", "--trace-to", "1s", clean}, "need --trace"},
		{"diagram from after to", []string{"diagram", "--from", "2s", "--to", "1s", hs}, "--from 2s is after --to 1s"},
		{"diagram to zero", []string{"diagram", "--to", "0", hs}, "--to 0"},
		{"diagram max-packets", []string{"diagram", "--max-packets", "-1", hs}, "--max-packets -1"},
		{"diagram width", []string{"diagram", "--width", "40", hs}, "--width 40: want at least 60 columns"},
		{"trace .json", []string{"run", "--trace", filepath.Join(dir, "out.json"), clean}, "want FILE.jsonl (JSON lines), FILE.txt (text) or - (text on stdout)"},
		{"trace no extension", []string{"run", "--trace", filepath.Join(dir, "out"), clean}, "want FILE.jsonl"},
		{"pcap-at", []string{"run", "--pcap-at", "middle", clean}, "--pcap-at \"middle\": want sender or receiver"},
		{"pcap and trace on stdout", []string{"run", "--pcap", "-", "--trace", "-", clean}, "both write to stdout"},
		{"pcap stdout, several runs", []string{"run", "--pcap", "-", clean, clean}, "--pcap -: 2 scenarios"},
		{"pcap and trace one file", []string{"run", "--pcap", filepath.Join(dir, "x.txt"), "--trace", filepath.Join(dir, "x.txt"), clean}, "both name"},
		{"trace-flow missing in the second file", []string{"run", "--trace", filepath.Join(dir, "b.jsonl"), "--trace-flow", "video", clean, hs}, "has no flow named \"video\""},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errs, code := runCmd(c.args...)
			if code != exitUsage || !strings.Contains(errs, c.want) {
				t.Fatalf("exit %d (want 2), stderr lacks %q:\nstdout: %.300s\nstderr: %s", code, c.want, out, errs)
			}
			if out != "" {
				t.Errorf("a usage error printed to stdout: %.300s", out)
			}
		})
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("usage errors left files behind: %v", ents)
	}
}

// --version prints tcpsim's version ("devel" under go test) and the Go
// version; --help documents every exit code.
func TestVersionAndHelp(t *testing.T) {
	out, _, code := runCmd("--version")
	if want := "tcpsim devel (" + runtime.Version() + ")\n"; code != 0 || out != want {
		t.Errorf("--version: exit %d, %q, want %q", code, out, want)
	}
	out, _, code = runCmd("--help")
	for _, w := range []string{"Exit codes:", "  0 ", "  1 ", "  2 ", "  3 ", "  130 ", "TCPSIM_DEBUG=1", "SIGINT"} {
		if code != 0 || !strings.Contains(out, w) {
			t.Errorf("--help (exit %d) lacks %q:\n%s", code, w, out)
		}
	}
}

// readPcap reads a whole capture and returns its packet count; a torn
// record is an error.
func readPcap(t *testing.T, b []byte) int {
	t.Helper()
	r, err := pcapgo.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a pcap file: %v", err)
	}
	n, off := 0, 24
	for {
		data, _, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("packet %d: %v", n, err)
		}
		n, off = n+1, off+16+len(data)
	}
	if off != len(b) {
		t.Fatalf("%d whole packets end at byte %d of %d: a torn record", n, off, len(b))
	}
	return n
}

// --pcap - writes the capture to stdout and the tables to stderr.
func TestPcapToStdout(t *testing.T) {
	out, errs, code := runCmd("run", "--pcap", "-", "../../scenarios/udp-clean.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if n := readPcap(t, []byte(out)); n < 100 {
		t.Errorf("stdout holds %d packets, want the whole run's", n)
	}
	if !strings.Contains(errs, "udp-clean (seed 1): complete") {
		t.Errorf("the tables did not go to stderr:\n%s", errs)
	}
}

// With several scenarios one trace keeps the runs apart (every record
// carries its run, run 1's records all come first), and --pcap makes one
// capture per run.
func TestSeveralRunsKeptApart(t *testing.T) {
	dir := t.TempDir()
	tr, pc := filepath.Join(dir, "out.jsonl"), filepath.Join(dir, "out.pcap")
	files := []string{"../../scenarios/udp-clean.yaml", "../../scenarios/tcp-clean.yaml", "../../scenarios/udp-clean.yaml"}
	_, errs, code := runCmd(append([]string{"run", "--trace", tr, "--pcap", pc}, files...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	f, err := os.Open(tr)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	count := map[int]int{}
	last := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var rec struct {
			Run  int    `json:"run"`
			Flow string `json:"flow"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if rec.Run < last || rec.Run < 1 || rec.Run > 3 {
			t.Fatalf("record of run %d after run %d (want 1..3, in order): %s", rec.Run, last, sc.Text())
		}
		last = rec.Run
		count[rec.Run]++
	}
	if count[1] == 0 || count[2] == 0 || count[1] != count[3] {
		t.Errorf("records per run %v: want every run, runs 1 and 3 alike", count)
	}
	if _, err := os.Stat(pc); err == nil {
		t.Errorf("%s written: with several runs want one capture per run", pc)
	}
	var n [3]int
	for k := range 3 {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("out-%d.pcap", k+1)))
		if err != nil {
			t.Fatal(err)
		}
		n[k] = readPcap(t, b)
	}
	if n[0] == 0 || n[1] == 0 || n[0] != n[2] {
		t.Errorf("packets per capture %v: want every run, runs 1 and 3 alike", n)
	}
}

// A text trace of several runs starts each line with its run.
func TestSeveralRunsTextTrace(t *testing.T) {
	out, errs, code := runCmd("run", "--trace", "-", "../../scenarios/udp-clean.yaml", "../../scenarios/udp-clean.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, w := range []string{"\nrun 1     0.000000 video", "\nrun 2     0.000000 video"} {
		if !strings.Contains("\n"+out, w) {
			t.Errorf("text trace lacks %q", w)
		}
	}
}

func TestVCSRevision(t *testing.T) {
	for _, c := range []struct {
		name       string
		settings   []debug.BuildSetting
		rev, dirty string
	}{
		{"none", nil, "", ""},
		{"clean", []debug.BuildSetting{{Key: "vcs.revision", Value: "c9ace98ee3c940e1623ff56e1bea54209b502028"}, {Key: "vcs.modified", Value: "false"}}, "c9ace98ee3c9", ""},
		{"dirty", []debug.BuildSetting{{Key: "vcs.modified", Value: "true"}, {Key: "vcs.revision", Value: "abc"}}, "abc", "+dirty"},
		{"dirty without revision", []debug.BuildSetting{{Key: "vcs.modified", Value: "true"}}, "", ""},
	} {
		if rev, dirty := vcsRevision(c.settings); rev != c.rev || dirty != c.dirty {
			t.Errorf("%s: got %q %q, want %q %q", c.name, rev, dirty, c.rev, c.dirty)
		}
	}
}
