package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"
)

// hostileFS is a site whose root lists files with names that climb out of
// any directory they are written into; it serves every name it is asked
// for. fstest.MapFS would refuse such names when opened, a careless fs.FS
// need not.
type hostileFS struct{ names []string }

type hostileEntry struct{ name string }

func (e hostileEntry) Name() string               { return e.name }
func (e hostileEntry) IsDir() bool                { return false }
func (e hostileEntry) Type() fs.FileMode          { return 0 }
func (e hostileEntry) Info() (fs.FileInfo, error) { return e, nil }
func (e hostileEntry) Size() int64                { return 1 }
func (e hostileEntry) Mode() fs.FileMode          { return 0o644 }
func (e hostileEntry) ModTime() time.Time         { return time.Time{} }
func (e hostileEntry) Sys() any                   { return nil }

func (h hostileFS) Open(name string) (fs.File, error) {
	if name == "." {
		return fstest.MapFS{}.Open(".")
	}
	return fstest.MapFS{"f": {Data: []byte("x")}}.Open("f")
}

func (h hostileFS) ReadDir(name string) ([]fs.DirEntry, error) {
	var out []fs.DirEntry
	if name == "." {
		for _, n := range h.names {
			out = append(out, hostileEntry{n})
		}
	}
	return out, nil
}

func (h hostileFS) ReadFile(name string) ([]byte, error) { return []byte("x"), nil }

// Issue 21, item 2: Export joined the site's names to DIR as they were; a
// name climbing out with ".." was written outside DIR. (This test failed
// before outdir.)
func TestExportHostileNamesStayInDir(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "a", "site")
	site := hostileFS{names: []string{"../../escaped", "../x", "/abs"}}
	if _, err := Export(site, dir); err == nil {
		t.Error("Export of a site naming ../../escaped: no error, want a refusal")
	}
	filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("%s written (outside %s, or from a refused name)", p, dir)
		}
		return nil
	})
	if _, err := os.Stat(filepath.Join(base, "escaped")); err == nil {
		t.Error("escaped written beside the site's parent")
	}
}
