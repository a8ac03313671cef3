package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileNames are scenario and flow names that, used as file names as
// they are, climb out of an output directory or name another one.
var hostileNames = []string{"/../../escaped/x", "../../../escaped", "..", `..\..\escaped`, "a/b/c"}

// filesBelow returns every regular file below root.
func filesBelow(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// assertInside fails unless every file below base that is not one of
// inputs lies directly in dir.
func assertInside(t *testing.T, base, dir string, inputs ...string) {
	t.Helper()
	n := 0
	for _, f := range filesBelow(t, base) {
		switch {
		case slicesContains(inputs, f):
		case filepath.Dir(f) == dir:
			n++
		default:
			t.Errorf("%s written outside %s", f, dir)
		}
	}
	if n == 0 {
		t.Errorf("nothing written into %s", dir)
	}
}

func slicesContains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// hostileScenario is a TCP scenario whose scenario and flow names are
// name.
func hostileScenario(name string) string {
	q := `"` + strings.ReplaceAll(name, `\`, `\\`) + `"`
	return "name: " + q + `
seed: 1
until: 10s
link: {rate: 10Mbps, delay: 5ms, queue: 50}
flows:
  - {name: ` + q + `, protocol: tcp, bytes: 20KB}
`
}

// Issue 21, item 2: plot named its figures after the flow as it was, and
// a flow named "/../../escaped/x" made it write outside --out. (This test
// failed before outdir.)
func TestPlotHostileNamesStayInOut(t *testing.T) {
	for _, name := range hostileNames {
		t.Run(name, func(t *testing.T) {
			base := t.TempDir()
			in := filepath.Join(base, "in")
			out := filepath.Join(base, "p", "q", "out")
			if err := os.MkdirAll(in, 0o755); err != nil {
				t.Fatal(err)
			}
			file := writeFile(t, in, "s.yaml", hostileScenario(name))
			stdout, errs, code := runCmd("plot", "--out", out, "--flow", name, file)
			if code != 0 {
				t.Fatalf("exit %d\n%s%s", code, stdout, errs)
			}
			for _, f := range written(stdout) {
				if filepath.Dir(f) != out {
					t.Errorf("says it wrote %s, outside %s", f, out)
				}
			}
			assertInside(t, base, out, file)
		})
	}
}

// sweep --plot names its figure after the file and the varied path, and
// the scenario's name when it has no file: each stays inside --plot.
func TestSweepPlotHostileNamesStayInDir(t *testing.T) {
	base := t.TempDir()
	in := filepath.Join(base, "in")
	out := filepath.Join(base, "p", "out")
	if err := os.MkdirAll(in, 0o755); err != nil {
		t.Fatal(err)
	}
	// A flow named a/b is addressable by --vary, and its path holds '/'.
	file := writeFile(t, in, "..yaml", hostileScenario("a/b"))
	stdout, errs, code := runCmd("sweep", "--vary", "flows.a/b.bytes=10KB,20KB", "--seeds", "1", "--plot", out, file)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, errs)
	}
	assertInside(t, base, out, file)
}

// exercises extract writes through an os.Root: a link planted in DIR
// under an exercise's name, pointing out of it, is not followed.
func TestExtractStaysInDir(t *testing.T) {
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	dir := filepath.Join(base, "dir")
	for _, d := range []string{outside, dir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(outside, "x.yaml"), filepath.Join(dir, "02-timeout.yaml")); err != nil {
		t.Fatal(err)
	}
	_, errs, code := runCmd("exercises", "extract", dir)
	if code != exitUsage || !strings.Contains(errs, "not overwritten") {
		t.Errorf("extract over a planted link: exit %d, stderr %q; want exit %d and \"not overwritten\"", code, errs, exitUsage)
	}
	if got := filesBelow(t, outside); len(got) != 0 {
		t.Errorf("extract wrote outside DIR: %q", got)
	}
	// Into a fresh directory every exercise lands directly in it.
	fresh := filepath.Join(base, "fresh")
	if _, errs, code := runCmd("exercises", "extract", fresh); code != 0 {
		t.Fatalf("extract: exit %d, %s", code, errs)
	}
	assertInside(t, fresh, fresh)
}

// --pcap with several runs writes FILE-K beside FILE, whatever the scenario
// names, and nowhere else.
func TestPcapPerRunStaysBesideFile(t *testing.T) {
	base := t.TempDir()
	in := filepath.Join(base, "in")
	out := filepath.Join(base, "caps")
	if err := os.MkdirAll(in, 0o755); err != nil {
		t.Fatal(err)
	}
	var files []string
	for i, name := range hostileNames[:2] {
		files = append(files, writeFile(t, in, string(rune('a'+i))+".yaml", hostileScenario(name)))
	}
	stdout, errs, code := runCmd(append([]string{"run", "--pcap", filepath.Join(out, "c.pcap")}, files...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, errs)
	}
	for _, k := range []string{"c-1.pcap", "c-2.pcap"} {
		if _, err := os.Stat(filepath.Join(out, k)); err != nil {
			t.Error(err)
		}
	}
	assertInside(t, base, out, files...)
}
