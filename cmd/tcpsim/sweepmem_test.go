package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tinySweep is a small scenario: one datagram per run, so that a sweep of
// many runs measures the sweep's own memory, not the runs'.
const tinySweep = `name: tiny
seed: 1
until: 1s
link: {rate: 10Mbps, delay: 1ms, queue: 10, loss: 1%}
flows:
  - {name: ping, protocol: udp, bytes: 1200, datagram: 1200, rate: 1Mbps}
`

// peakRSS runs the command and returns its peak resident set size in
// bytes (getrusage's ru_maxrss, KiB on Linux) and its wall time. It runs
// it from a fresh, small helper process (this test binary again, as
// TestPeakRSSHelper): Go starts children with vfork, and Linux keeps the
// memory high-water mark of the address space a child execs from, so a
// child of this (large) test process would report the test's own peak.
func peakRSS(t *testing.T, dir, bin string, args ...string) (int64, time.Duration) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestPeakRSSHelper$")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TCPSIM_PEAKRSS_CMD="+strings.Join(append([]string{bin}, args...), "\x1f"))
	cmd.Stderr = os.Stderr
	start := time.Now()
	out, err := cmd.Output()
	wall := time.Since(start)
	if err != nil {
		t.Fatalf("tcpsim %q: %v", args, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "maxrss "); ok {
			kib, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("helper said %q", line)
			}
			if kib < 0 {
				t.Skip("no rusage on this system")
			}
			return kib << 10, wall
		}
	}
	t.Fatalf("tcpsim %q: the helper printed no maxrss line: %q", args, out)
	return 0, 0
}

// TestPeakRSSHelper is peakRSS's helper process: it runs the command in
// TCPSIM_PEAKRSS_CMD (separated by \x1f, the unit separator) and prints its ru_maxrss in KiB
// (-1 where there is none). Exit status 1 of the command is a run that
// failed, which the sweeps here may have.
func TestPeakRSSHelper(t *testing.T) {
	spec := os.Getenv("TCPSIM_PEAKRSS_CMD")
	if spec == "" {
		t.Skip("the helper of peakRSS (runs only from it)")
	}
	argv := strings.Split(spec, "\x1f")
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Fatalf("%q: %v", argv, err)
		}
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		fmt.Println("maxrss -1")
		return
	}
	fmt.Printf("maxrss %d\n", ru.Maxrss)
}

// TestSweepMemoryFlat measures, in a subprocess, the peak RSS of sweeps
// of a growing number of runs (report and --out), and of merging 100
// shards: it must not grow with the runs. TCPSIM_SWEEP_RUNS=N1,N2,...
// measures other counts (docs/sweeps.md gives the figures for 1,000,000).
func TestSweepMemoryFlat(t *testing.T) {
	bin := buildTcpsim(t)
	dir := t.TempDir()
	writeFile(t, dir, "tiny.yaml", tinySweep)
	counts := []int{2_000, 20_000}
	if s := os.Getenv("TCPSIM_SWEEP_RUNS"); s != "" {
		counts = nil
		for _, f := range filepath.SplitList(s) {
			n, err := strconv.Atoi(f)
			if err != nil {
				t.Fatal(err)
			}
			counts = append(counts, n)
		}
	}
	var first int64
	for _, n := range counts {
		seeds := strconv.Itoa(n / 4)
		for _, c := range []struct {
			name string
			args []string
		}{
			{"table", []string{"sweep", "tiny.yaml", "--vary", "link.loss=0,1%,5%,10%", "--seeds", seeds, "--workers", "2"}},
			{"json", []string{"sweep", "tiny.yaml", "--vary", "link.loss=0,1%,5%,10%", "--seeds", seeds, "--workers", "2", "--format", "json"}},
			{"--out", []string{"sweep", "tiny.yaml", "--vary", "link.loss=0,1%,5%,10%", "--seeds", seeds, "--workers", "2", "--out", "all.jsonl"}},
		} {
			rss, wall := peakRSS(t, dir, bin, c.args...)
			t.Logf("sweep of %d runs, %s: peak RSS %.1f MB, %v", n, c.name, float64(rss)/1e6, wall.Round(time.Millisecond))
			if first == 0 {
				first = rss
			}
			if rss > 200e6 || rss > 2*first+20e6 {
				t.Errorf("sweep of %d runs, %s: peak RSS %.1f MB; the smallest sweep's was %.1f MB: memory grows with the runs", n, c.name, float64(rss)/1e6, float64(first)/1e6)
			}
		}
		os.Remove(filepath.Join(dir, "all.jsonl"))
	}
	// Merge 100 shards of the last sweep.
	n := counts[len(counts)-1]
	args := []string{"merge"}
	for k := 1; k <= 100; k++ {
		f := fmt.Sprintf("shard-%d.jsonl", k)
		if _, _, code := runCmdIn(t, dir, bin, "sweep", "tiny.yaml", "--vary", "link.loss=0,1%,5%,10%", "--seeds", strconv.Itoa(n/4), "--workers", "2", "--shard", fmt.Sprintf("%d/100", k), "--out", f); code > 1 {
			t.Fatalf("shard %d: exit %d", k, code)
		}
		args = append(args, f)
	}
	for _, format := range []string{"table", "csv"} {
		rss, wall := peakRSS(t, dir, bin, append(args, "--format", format)...)
		t.Logf("merge of 100 shards, %d runs, %s: peak RSS %.1f MB, %v", n, format, float64(rss)/1e6, wall.Round(time.Millisecond))
		if rss > 200e6 || rss > 2*first+40e6 {
			t.Errorf("merge of 100 shards (%d runs), %s: peak RSS %.1f MB", n, format, float64(rss)/1e6)
		}
	}
}

// runCmdIn runs the built command in dir and returns its exit code.
func runCmdIn(t *testing.T, dir, bin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), string(ee.Stderr), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(out), "", 0
}
