package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Every command a user can see has examples in its --help.
func TestEveryCommandHasExamples(t *testing.T) {
	root := newRoot(io.Discard, io.Discard)
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		if c.IsAvailableCommand() || c == root {
			n++
			if strings.TrimSpace(c.Example) == "" {
				t.Errorf("%s has no examples in --help (add them to examples in examples.go)", c.CommandPath())
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if n < 15 {
		t.Errorf("%d commands seen, want every one (at least 15)", n)
	}
	out, _, code := runCmd("sweep", "--help")
	if code != 0 || !strings.Contains(out, "Examples:\n  tcpsim sweep") {
		t.Errorf("sweep --help: exit %d, no examples:\n%s", code, out)
	}
}

// tcpsim completion writes a script for each shell, and tcpsim man a man
// page for every command.
func TestCompletionAndManPages(t *testing.T) {
	for shell, want := range map[string]string{"bash": "__start_tcpsim", "zsh": "#compdef tcpsim", "fish": "complete -c tcpsim", "powershell": "Register-ArgumentCompleter"} {
		out, errs, code := runCmd("completion", shell)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("completion %s: exit %d, %s; output lacks %q", shell, code, errs, want)
		}
	}
	dir := t.TempDir()
	t.Setenv(sourceDateEpoch, "1767225600")
	if _, errs, code := runCmd("man", dir); code != 0 {
		t.Fatalf("man: exit %d: %s", code, errs)
	}
	for _, page := range []string{"tcpsim.1", "tcpsim-run.1", "tcpsim-sweep.1", "tcpsim-merge.1", "tcpsim-completion-bash.1", "tcpsim-exercises-show.1"} {
		b, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil {
			t.Errorf("man page %s: %v", page, err)
			continue
		}
		if !strings.Contains(string(b), ".TH \"TCPSIM\" \"1\" \"Jan 2026\"") || !strings.Contains(string(b), ".SH EXAMPLE") {
			t.Errorf("%s: no dated .TH header or no EXAMPLE section:\n%.400s", page, b)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "tcpsim-emulate-peer.1")); err == nil {
		t.Error("a man page for the hidden emulate-peer")
	}
}
