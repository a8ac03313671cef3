package main

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// The command draws the whole flow's numbers into any window, to the
// width asked for, and ends a cut chart on its truncation line.
func TestDiagramCommand(t *testing.T) {
	const karn = "../../scenarios/exercises/21-karn.yaml"
	for _, c := range []struct {
		args  []string
		width int
		want  []string
		last  string
	}{
		// In a window after the handshake, relative numbers and the
		// ACK number are still there, and the idle RTO is a gap marker.
		{[]string{"--ascii", "--from", "0.1s", "--to", "1.2s", karn}, 100,
			[]string{"b->a ACK ack=3001 win=2000", "~~~ 0.959 s later ~~~", "RTO 1 s"}, "... window ends at 1.200000 s"},
		{[]string{"--width", "72", karn}, 72, []string{"a→b SYN seq=0 win=2000"}, ""},
		{[]string{"--max-packets", "5", karn}, 100, nil, "… truncated after 5 packets (use --max-packets to see more)"},
	} {
		out, errs, code := runCmd(append([]string{"diagram"}, c.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, w, out)
			}
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		for i, l := range lines {
			if n := utf8.RuneCountInString(l); n > c.width {
				t.Errorf("%v: line %d is %d columns, want at most %d", c.args, i+1, n, c.width)
			}
		}
		if c.last != "" && lines[len(lines)-1] != c.last {
			t.Errorf("%v: last line %q, want %q", c.args, lines[len(lines)-1], c.last)
		}
	}
}

// The README's example diagram is what the command prints, less the rows
// it elides with "...".
func TestDiagramREADMEExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const cmd = "`tcpsim diagram ex:02 --from 0.04s --to 1.1s`:"
	_, rest, ok := strings.Cut(string(readme), cmd)
	if !ok {
		t.Fatalf("README lacks the example %s", cmd)
	}
	_, block, _ := strings.Cut(rest, "```\n")
	block, _, _ = strings.Cut(block, "```")
	out, errs, code := runCmd("diagram", "--from", "0.04s", "--to", "1.1s", "../../scenarios/exercises/02-timeout.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	have := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		have[l] = true
	}
	n := 0
	for _, l := range strings.Split(strings.TrimRight(block, " \n"), "\n") {
		l = strings.TrimPrefix(l, "  ")
		if l == "..." {
			continue
		}
		n++
		if !have[l] {
			t.Errorf("README example line %q is not in the output:\n%s", l, out)
		}
	}
	if n < 10 {
		t.Errorf("README example has %d lines", n)
	}
}
