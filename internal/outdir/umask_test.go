//go:build unix

package outdir

import (
	"os"
	"strings"
	"syscall"
	"testing"
)

// Files are created 0666 less the umask, as os.Create makes them.
func TestCreateRespectsUmask(t *testing.T) {
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	for _, c := range []struct {
		umask int
		want  os.FileMode
	}{{0o022, 0o644}, {0o002, 0o664}, {0o077, 0o600}} {
		syscall.Umask(c.umask)
		os.Remove(d.Path() + "/f") // a new file takes the umask
		p, err := d.WriteFile("f", strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != c.want {
			t.Errorf("umask %03o: %v, mode %v, want %v", c.umask, err, st.Mode().Perm(), c.want)
		}
	}
}
