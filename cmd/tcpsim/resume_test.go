package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Rerunning a sweep with the same --out finishes what a stopped one left
// in FILE.partial: stderr says how many runs were made already, FILE is
// then the uninterrupted sweep's byte for byte, and merge of the partial
// file said to rerun it.
func TestSweepOutResumes(t *testing.T) {
	dir := t.TempDir()
	args := []string{"sweep", "../../scenarios/udp-clean.yaml", "--vary", "link.loss=0,5%", "--seeds", "5", "--shard", "1/2"}
	ref := filepath.Join(dir, "ref.jsonl")
	if _, errs, code := runCmd(append(args, "--out", ref)...); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	whole, _ := os.ReadFile(ref)
	lines := bytes.SplitAfter(whole, []byte("\n"))
	out := filepath.Join(dir, "out.jsonl")
	// A killed job: the header, two runs and half of the third.
	partial := append(bytes.Join(lines[:3], nil), lines[3][:15]...)
	if err := os.WriteFile(out+".partial", partial, 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "shard2.jsonl")
	if _, errs, code := runCmd(append(args[:len(args)-1], "2/2", "--out", other)...); code != 0 {
		t.Fatalf("shard 2: exit %d: %s", code, errs)
	}
	if _, errs, code := runCmd("merge", out+".partial", other); code != 2 || !strings.Contains(errs, "rerun it with --out "+out) {
		t.Errorf("merge of the partial file: exit %d, %q; want it to say to rerun with --out", code, errs)
	}
	_, errs, code := runCmd(append(args, "--out", out)...)
	if code != 0 || !strings.Contains(errs, "resuming "+out+": 2 of its 5 runs were made already") {
		t.Fatalf("resume: exit %d, stderr %q", code, errs)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, whole) {
		t.Fatal("the resumed shard differs from an uninterrupted one")
	}
	if _, err := os.Stat(out + ".partial"); !os.IsNotExist(err) {
		t.Errorf("%s.partial left behind", out)
	}
	_, errs, code = runCmd(append(args, "--out", out)...)
	if code != 0 || !strings.Contains(errs, "5 of its 5 runs were made already") {
		t.Errorf("rerun of a finished shard: exit %d, %q", code, errs)
	}
}
