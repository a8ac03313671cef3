package outdir

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzName searches for a name that Name lets out of a directory.
func FuzzName(f *testing.F) {
	for _, s := range []string{"/../../escaped/x", "..", ".", "", `..\x`, "a\x00b", "\xff\xfe", strings.Repeat("é", 120)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Name(s)
		if !filepath.IsLocal(n) || strings.ContainsAny(n, `/\`) || n == "." || n == ".." || len(n) > MaxName || !utf8.ValidString(n) {
			t.Fatalf("Name(%q) = %q: not one local file name of at most %d bytes", s, n, MaxName)
		}
		if filepath.Base(n) != n || filepath.Dir(filepath.Join("out", n)) != "out" {
			t.Fatalf("Name(%q) = %q leaves the directory", s, n)
		}
	})
}
