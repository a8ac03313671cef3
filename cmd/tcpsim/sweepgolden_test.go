package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSweepGolden pins what sweep and merge print, in every format, for a
// sweep of two flows (TCP and UDP) and one whose runs fail (lossy60):
// streaming the records through the statistics must not change a byte.
func TestSweepGolden(t *testing.T) {
	dir := t.TempDir()
	lossy := writeFile(t, dir, "lossy.yaml", lossy60)
	both := "../../scenarios/sweeps/tcp-vs-udp-over-loss.yaml"
	type sweepCase struct {
		name string
		args []string
	}
	cases := []sweepCase{}
	for _, f := range []string{"table", "markdown", "csv", "json"} {
		cases = append(cases,
			sweepCase{"tcp-vs-udp." + f, []string{"sweep", both, "--vary", "link.loss=0,5%", "--vary", "flows.file.congestion=reno,cubic", "--seeds", "3", "--format", f}},
			sweepCase{"lossy." + f, []string{"sweep", lossy, "--vary", "link.loss=10%,20%", "--seeds", "4", "--format", f}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errs, code := runCmd(c.args...)
			if code != 0 && code != 1 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			// The file's path as typed appears in the output: make it stable.
			got := strings.ReplaceAll(out+"\nexit "+strconv.Itoa(code)+"\n"+errs, dir, "DIR")
			sweepGolden(t, "sweep-"+c.name, got)
			// Three shards, merged, print the same.
			args := append([]string(nil), c.args...)
			var shards []string
			for _, k := range []string{"1", "2", "3"} {
				f := filepath.Join(dir, c.name+"-"+k+".jsonl")
				if _, errs, code := runCmd(append(args, "--shard", k+"/3", "--out", f)...); code != 0 && code != 1 {
					t.Fatalf("shard %s: exit %d: %s", k, code, errs)
				}
				shards = append(shards, f)
			}
			format := args[len(args)-1]
			mout, merrs, mcode := runCmd(append([]string{"merge", "--format", format}, shards[2], shards[0], shards[1])...)
			if mout != out || mcode != code || merrs != errs {
				t.Errorf("merge of 3 shards: exit %d (want %d), stderr %q (want %q), stdout differs from the sweep's: %v", mcode, code, merrs, errs, mout != out)
			}
		})
	}
}

func sweepGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "sweep", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestSweepGolden -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n%.3000s", name, path, got)
	}
}
