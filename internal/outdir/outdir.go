// Package outdir writes files whose names come from scenario, flow and
// exercise names into one output directory, and never outside it.
//
// Names in scenario files are the author's, not the user's: a flow named
// "/../../escaped/x" must not make `tcpsim plot --out plots/` write
// outside plots/. Two defences stand one behind the other: Name turns any
// string into one plain file name (no separator, never "." or ".."), and a
// Dir writes through an os.Root, which refuses every path that would leave
// the directory, whether by "..", an absolute path or a symbolic link.
package outdir

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxName is the longest file name, in bytes, that Name returns: most
// file systems allow 255, and a figure's or capture's suffix must still
// fit after it.
const MaxName = 200

// ErrOutside is returned (wrapped) for a name that would leave the
// directory.
var ErrOutside = errors.New("outdir: name leaves the output directory")

// Name returns s as one plain file name: path separators ('/', '\\'),
// spaces, colons, control characters, the characters Windows refuses in
// file names (<>"|?*) and invalid UTF-8 become '_'; a name that would be
// empty, "." or ".." becomes "_"; and a name longer than MaxName bytes is
// cut to MaxName at a character boundary. Every other character (letters
// of any script, digits, ".-_+=,#[]") is kept, so that ordinary names give
// the file names they always gave.
func Name(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				r = '_' // an invalid byte, not a real U+FFFD
			}
		}
		switch {
		case r == '/' || r == '\\' || r == ' ' || r == ':',
			strings.ContainsRune(`<>"|?*`, r),
			!unicode.IsPrint(r):
			r = '_'
		}
		if b.Len()+utf8.RuneLen(r) > MaxName {
			break
		}
		b.WriteRune(r)
	}
	n := b.String()
	if n == "" || n == "." || n == ".." {
		return "_"
	}
	return n
}

// Dir is an output directory, open for writing files inside it only.
type Dir struct {
	path string
	root *os.Root
}

// Open creates the directory dir (and its parents) if missing, with
// permissions 0755 before the umask, and opens it for writing.
func Open(dir string) (*Dir, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("outdir: %w", err)
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("outdir: %w", err)
	}
	return &Dir{path: dir, root: r}, nil
}

// Close releases the directory; files already created stay open.
func (d *Dir) Close() error { return d.root.Close() }

// Path returns the directory as given to Open.
func (d *Dir) Path() string { return d.path }

// check refuses a slash-separated name that is not local (absolute, or
// climbing out with ".."), before the os.Root would.
func check(name string) error {
	if name == "" || !filepath.IsLocal(filepath.FromSlash(name)) || strings.ContainsRune(name, '\\') || strings.ContainsRune(name, 0) {
		return fmt.Errorf("%w: %q", ErrOutside, name)
	}
	return nil
}

// Create creates (or truncates) the file name inside the directory, with
// permissions 0666 less the umask (as os.Create), and returns it with its
// path (the directory joined with name). name is a slash-separated path
// inside the directory; pass names made of scenario names through Name
// first.
func (d *Dir) Create(name string) (*os.File, string, error) {
	return d.open(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
}

// CreateNew is Create for a file that must not exist yet: an existing one
// is an error matching fs.ErrExist, and is left as it was.
func (d *Dir) CreateNew(name string) (*os.File, string, error) {
	return d.open(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
}

func (d *Dir) open(name string, flag int) (*os.File, string, error) {
	p := filepath.Join(d.path, filepath.FromSlash(name))
	if err := check(name); err != nil {
		return nil, p, err
	}
	if dir := path.Dir(name); dir != "." {
		if err := d.root.MkdirAll(dir, 0o755); err != nil {
			return nil, p, fmt.Errorf("outdir: %w", err)
		}
	}
	f, err := d.root.OpenFile(name, flag, 0o666)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, p, fmt.Errorf("outdir: %s: %w", p, fs.ErrExist)
		}
		return nil, p, fmt.Errorf("outdir: %w", err)
	}
	return f, p, nil
}

// WriteFile writes the file name inside the directory from w, creating
// or truncating it, and returns its path.
func (d *Dir) WriteFile(name string, w io.WriterTo) (string, error) {
	f, p, err := d.Create(name)
	if err != nil {
		return p, err
	}
	if _, err := w.WriteTo(f); err != nil {
		f.Close()
		return p, fmt.Errorf("outdir: %s: %w", p, err)
	}
	if err := f.Close(); err != nil {
		return p, fmt.Errorf("outdir: %s: %w", p, err)
	}
	return p, nil
}
