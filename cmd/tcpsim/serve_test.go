package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeAddrWarnings(t *testing.T) {
	cases := []struct {
		addr, warn string // warn: a word the warning must hold, "" for none
		bad        bool
	}{
		{addr: "127.0.0.1:8080"},
		{addr: "localhost:9000"},
		{addr: "[::1]:8080"},
		{addr: "127.0.0.2:0"},
		{addr: ":8080", warn: "every network interface"},
		{addr: "0.0.0.0:8080", warn: "every network interface"},
		{addr: "[::]:8080", warn: "every network interface"},
		{addr: "192.0.2.7:8080", warn: "not a loopback address"},
		{addr: "lab.example:8080", warn: "not a loopback address"},
		{addr: "8080", bad: true},
		{addr: "127.0.0.1:", bad: true},
	}
	for _, c := range cases {
		warn, err := checkServeAddr(c.addr)
		switch {
		case c.bad && err == nil:
			t.Errorf("checkServeAddr(%q): no error, want one", c.addr)
		case !c.bad && err != nil:
			t.Errorf("checkServeAddr(%q): %v", c.addr, err)
		case c.warn == "" && warn != "":
			t.Errorf("checkServeAddr(%q) warns %q, want no warning", c.addr, warn)
		case c.warn != "" && !strings.Contains(warn, c.warn):
			t.Errorf("checkServeAddr(%q) warns %q, want it to say %q", c.addr, warn, c.warn)
		}
	}
}

func TestServeExport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	var stdout, stderr bytes.Buffer
	if code := execute([]string{"serve", "--export", dir}, &stdout, &stderr); code != exitOK {
		t.Fatalf("serve --export: exit %d, stderr %q", code, stderr.String())
	}
	for _, name := range []string{"index.html", "app.js", "worker.js", "wasm_exec.js", "tcpsim.wasm.gz"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("export lacks %s: %v", name, err)
		}
	}
	if !strings.Contains(stdout.String(), "wrote ") {
		t.Errorf("stdout %q: want a line naming what was written", stdout.String())
	}
	// Exporting into the same, now full, directory is bad usage.
	stdout.Reset()
	stderr.Reset()
	if code := execute([]string{"serve", "--export", dir}, &stdout, &stderr); code != exitUsage {
		t.Errorf("second export: exit %d, want %d; stderr %q", code, exitUsage, stderr.String())
	}
	if code := execute([]string{"serve", "--addr", "nonsense"}, &stdout, &stderr); code != exitUsage {
		t.Errorf("serve --addr nonsense: exit %d, want %d", code, exitUsage)
	}
}
