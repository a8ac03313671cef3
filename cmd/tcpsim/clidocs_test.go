package main

import (
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/spf13/cobra/doc"
)

// cliDocsDir holds the command reference generated from the cobra tree.
const cliDocsDir = "../../docs/cli"

// genCLIDocs writes the Markdown command reference of every tcpsim
// command, completion included, into dir.
func genCLIDocs(dir string) error {
	root := newRoot(io.Discard, io.Discard)
	root.DisableAutoGenTag = true // no date: the files stay byte-stable
	root.InitDefaultVersionFlag()
	root.InitDefaultCompletionCmd()
	return doc.GenMarkdownTree(root, dir)
}

// readDir returns the files of dir by name, with their contents.
func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	return files
}

// TestCLIDocsFresh: docs/cli is what cobra generates from the commands as
// they are now. After changing a command, a flag or a help text,
// regenerate it with
//
//	go test ./cmd/tcpsim -run TestCLIDocsFresh -update
func TestCLIDocsFresh(t *testing.T) {
	if *update {
		old, err := filepath.Glob(filepath.Join(cliDocsDir, "tcpsim*.md"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.MkdirAll(cliDocsDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := genCLIDocs(cliDocsDir); err != nil {
			t.Fatal(err)
		}
		return
	}
	tmp := t.TempDir()
	if err := genCLIDocs(tmp); err != nil {
		t.Fatal(err)
	}
	want, have := readDir(t, tmp), readDir(t, cliDocsDir)
	var names []string
	for name := range want {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		got, ok := have[name]
		switch {
		case !ok:
			t.Errorf("docs/cli/%s is missing", name)
		case got != want[name]:
			t.Errorf("docs/cli/%s is stale", name)
		}
	}
	for name := range have {
		if _, ok := want[name]; !ok && filepath.Ext(name) == ".md" && name != "README.md" {
			t.Errorf("docs/cli/%s documents no command", name)
		}
	}
	if t.Failed() {
		t.Log("regenerate with: go test ./cmd/tcpsim -run TestCLIDocsFresh -update")
	}
}
