package outdir

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"tcp-loss-1", "tcp-loss-1"},
		{"26-kr-reno-flows.file.congestion-file", "26-kr-reno-flows.file.congestion-file"},
		{"web#1", "web#1"},
		{"a+b=c,[d]", "a+b=c,[d]"},
		{"débit-débit", "débit-débit"},
		{"/../../escaped/x", "_.._.._escaped_x"},
		{`..\..\x`, ".._.._x"},
		{"..", "_"},
		{".", "_"},
		{"", "_"},
		{"a b:c", "a_b_c"},
		{"nul\x00byte", "nul_byte"},
		{"new\nline\ttab", "new_line_tab"},
		{"bad\xffutf8", "bad_utf8"},
		{`win<>"|?*`, "win______"},
		{"\u00a0nbsp\u200bzw", "_nbsp_zw"},
	} {
		if got := Name(c.in); got != c.want {
			t.Errorf("Name(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Whatever the input, Name gives one local file name of at most MaxName
// bytes of valid UTF-8.
func TestNameProperty(t *testing.T) {
	inputs := []string{strings.Repeat("é", 300), strings.Repeat("../", 100), "\xc3", "a/" + strings.Repeat("x", 400)}
	for b := 0; b < 256; b++ {
		inputs = append(inputs, string([]byte{byte(b)}), "x"+string([]byte{byte(b)})+"..", string([]byte{byte(b), byte(b)}))
	}
	for _, in := range inputs {
		n := Name(in)
		if !filepath.IsLocal(n) || strings.ContainsAny(n, `/\`) || n == "." || n == ".." || len(n) > MaxName || !utf8.ValidString(n) {
			t.Errorf("Name(%q) = %q: not one local file name of at most %d bytes", in, n, MaxName)
		}
	}
}

// listAll returns every file and directory below root, slash-separated
// and relative to it.
func listAll(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A Dir writes inside its directory and refuses every name that leaves
// it: "..", absolute paths, and symbolic links pointing out.
func TestDirStaysInside(t *testing.T) {
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	if err := os.Mkdir(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "out", "deep")
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// A link planted in the directory, pointing out of it.
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "f"), filepath.Join(dir, "dangling")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"../x", "../../outside/x", "/tmp/x", filepath.Join(outside, "x"), "a/../../x", "link/x", "dangling", "", "..", `..\x`, "nul\x00"} {
		f, _, err := d.Create(name)
		if err == nil {
			f.Close()
			t.Errorf("Create(%q): no error, want a refusal", name)
		}
		if f, _, err := d.CreateNew(name); err == nil {
			f.Close()
			t.Errorf("CreateNew(%q): no error, want a refusal", name)
		}
	}
	if got := listAll(t, outside); len(got) != 1 {
		t.Errorf("files outside the directory: %q", got[1:])
	}
	// Ordinary names, nested ones too, are written where asked.
	p, err := d.WriteFile("sub/a.txt", strings.NewReader("a"))
	if err != nil || p != filepath.Join(dir, "sub", "a.txt") {
		t.Fatalf("WriteFile(sub/a.txt) = %q, %v", p, err)
	}
	if b, _ := os.ReadFile(p); string(b) != "a" {
		t.Errorf("%s holds %q, want %q", p, b, "a")
	}
	if _, _, err := d.CreateNew("sub/a.txt"); !errors.Is(err, fs.ErrExist) {
		t.Errorf("CreateNew of an existing file: %v, want fs.ErrExist", err)
	}
}
