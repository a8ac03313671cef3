package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tcpsim/scenarios"
)

// Exercises run by name from any directory, print whole, extract, and the
// binary carries no answer key.
func TestExercisesCommand(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"run by number", []string{"run", "ex:02"}, 0, "ex02-timeout (seed 4): complete"},
		{"run by number without zero", []string{"run", "ex:2"}, 0, "ex02-timeout"},
		{"run by name", []string{"run", "ex:09-reno"}, 0, "ex09-reno"},
		{"ambiguous", []string{"run", "ex:09"}, 2, `exercise "09" is ambiguous: 09-reno or 09-tahoe`},
		{"unknown", []string{"run", "ex:99"}, 2, `no exercise "99"`},
		{"diagram", []string{"diagram", "--ascii", "ex:01"}, 0, "a->b SYN seq=0"},
		{"sweep", []string{"sweep", "--vary", "link.loss=0,10%", "--seeds", "1", "ex:04"}, 0, "95% CI"},
		{"show", []string{"exercises", "show", "02"}, 0, "name: ex02-timeout"},
		{"show unknown", []string{"exercises", "show", "nope"}, 2, `no exercise "nope"`},
		{"list prints whole questions", []string{"exercises"}, 0, "Which one finished sooner, and why?"},
		{"list says how to run", []string{"exercises"}, 0, "ex:01-handshake"},
		{"extract", []string{"exercises", "extract", dir}, 0, "exercises to " + dir},
		{"extract again", []string{"exercises", "extract", dir}, 2, "not overwritten"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errs, code := runCmd(c.args...)
			if code != c.code || !strings.Contains(out+errs, c.want) {
				t.Errorf("%v: exit %d (want %d), output lacks %q:\n%.600s%s", c.args, code, c.code, c.want, out, errs)
			}
		})
	}
	exs, err := scenarios.Exercises()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range exs {
		got, err := os.ReadFile(filepath.Join(dir, filepath.Base(e.Path)))
		want, _ := e.Source()
		if err != nil || string(got) != string(want) {
			t.Errorf("%s: extracted %d bytes (%v), want %d", e.Path, len(got), err, len(want))
		}
	}
	if _, err := fs.Stat(scenarios.FS(), "exercises/ANSWERS.md"); err == nil {
		t.Error("the answer key is embedded in the binary")
	}
}

// exercises new and sheet: a variant names its seed, the same seed writes
// the same bytes, --key prints answers with units, an exercise without
// variants says why, and the class sheets are bounded and deterministic.
func TestExercisesVariants(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "v.yaml")
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"new", []string{"exercises", "new", "02", "--seed", "17"}, 0, "# Your variant: seed 17 (tcpsim exercises new 02-timeout --seed 17"},
		{"new key", []string{"exercises", "new", "02-timeout", "--seed", "17", "--key"}, 0, "wait before retransmitting (the RTO): 1.000000s"},
		{"new out", []string{"exercises", "new", "20", "--seed", "3", "--out", out}, 0, "wrote " + out},
		{"new needs a seed", []string{"exercises", "new", "02"}, 2, "--seed is required"},
		{"refused with a reason", []string{"exercises", "new", "27-two-tcp-flows", "--seed", "1"}, 2, "has no variants: the two flows' shares"},
		{"ambiguous", []string{"exercises", "new", "26", "--seed", "1"}, 2, "26-kr-reno-textbook or 26-kr-reno"},
		{"unknown", []string{"exercises", "new", "99", "--seed", "1"}, 2, `no exercise "99"`},
		{"sheet needs --out", []string{"exercises", "sheet", "--students", "2"}, 2, "--out DIR is required"},
		{"sheet needs --students", []string{"exercises", "sheet", "--out", dir}, 2, "--students N is required"},
		{"sheet bounded", []string{"exercises", "sheet", "--students", "1001", "--out", dir}, 2, "--students 1001: want 1 to 1000"},
		{"sheet refused exercise", []string{"exercises", "sheet", "--students", "2", "--exercises", "03", "--out", dir}, 2, "03-corruption has no variants"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o, errs, code := runCmd(c.args...)
			if code != c.code || !strings.Contains(o+errs, c.want) {
				t.Errorf("%v: exit %d (want %d), output lacks %q:\n%.800s%s", c.args, code, c.code, c.want, o, errs)
			}
		})
	}
	a, _, _ := runCmd("exercises", "new", "20", "--seed", "3")
	if b, err := os.ReadFile(out); err != nil || string(b) != a {
		t.Errorf("--out wrote %q (%v), stdout %q", b, err, a)
	}
	// Two classes from one seed are byte-identical, whatever the workers.
	sheet := func(sub, workers string) string {
		d := filepath.Join(dir, sub)
		if o, errs, code := runCmd("exercises", "sheet", "--students", "3", "--seed", "7", "--exercises", "02,26-kr-reno-textbook", "--workers", workers, "--out", d); code != 0 {
			t.Fatalf("sheet: exit %d: %s%s", code, o, errs)
		}
		return d
	}
	d1, d2 := sheet("c1", "1"), sheet("c2", "3")
	for _, f := range []string{"key.tsv", "student-001.md", "student-003.md", "student-002/02-timeout-seed7002.yaml", "student-003/26-kr-reno-textbook-seed7003.yaml"} {
		b1, err1 := os.ReadFile(filepath.Join(d1, f))
		b2, err2 := os.ReadFile(filepath.Join(d2, f))
		if err1 != nil || err2 != nil || !bytes.Equal(b1, b2) {
			t.Errorf("%s: %v %v, or the two classes differ", f, err1, err2)
		}
	}
	key, _ := os.ReadFile(filepath.Join(d1, "key.tsv"))
	if !strings.HasPrefix(string(key), "student\tseed\texercise\tquantity\tanswer\n") || !strings.Contains(string(key), "student-003\t7003\t26-kr-reno-textbook\tssthresh after the loss\t") {
		t.Errorf("key:\n%s", key)
	}
	v, _, _ := runCmd("exercises", "new", "02", "--seed", "7002")
	if b, _ := os.ReadFile(filepath.Join(d1, "student-002/02-timeout-seed7002.yaml")); string(b) != v {
		t.Error("a student's file differs from exercises new with the student's seed")
	}
	if o, errs, code := runCmd("exercises", "sheet", "--students", "3", "--seed", "7", "--out", d1); code != 2 || !strings.Contains(o+errs, "not overwritten") {
		t.Errorf("sheet into a used directory: exit %d, %s%s", code, o, errs)
	}
}
