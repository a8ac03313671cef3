package main

import (
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
