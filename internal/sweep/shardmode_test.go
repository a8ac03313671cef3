//go:build unix

package sweep

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Issue 21, item 13: shard files were written 0600 whatever the umask
// (os.CreateTemp, then a rename). They now get 0666 less the umask, as
// any file tcpsim creates. (This test failed before the fix.)
func TestShardRespectsUmask(t *testing.T) {
	p := plan(t)
	recs, err := p.Execute(Options{Shard: Shard{1, 2}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	for _, c := range []struct {
		umask int
		want  os.FileMode
	}{{0o022, 0o644}, {0o027, 0o640}, {0o002, 0o664}, {0o077, 0o600}} {
		syscall.Umask(c.umask)
		f := filepath.Join(dir, "shard.jsonl")
		os.Remove(f)
		if err := WriteShard(f, p.Meta, Shard{1, 2}, recs); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != c.want {
			t.Errorf("umask %03o: shard written %03o, want %03o", c.umask, got, c.want)
		}
	}
	// No temporary file is left beside the shard.
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("%d files in the directory, want the shard alone", len(es))
	}
}
