package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every shipped scenario and exercise prints exactly its committed table,
// and its full event trace hashes to the committed digest. A refactor that
// should change no behaviour proves it here; a change that is meant to
// alter behaviour rewrites these files with -update and says so.
func TestShippedScenariosGolden(t *testing.T) {
	for _, file := range shippedFiles(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		if strings.Contains(file, "/exercises/") {
			name = "ex-" + name
		}
		if strings.Contains(file, "/networks/") {
			name = "net-" + name
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if name == untracedShipped {
				// Its trace is about 700 MB: the table alone is pinned.
				out, errs, code := runCmd("run", file)
				if code != 0 && code != 1 {
					t.Fatalf("exit %d: %s", code, errs)
				}
				compareGolden(t, file, name, fmt.Sprintf("%s\nexit %d\ntrace not pinned (too large)\n", out, code))
				return
			}
			tr := filepath.Join(t.TempDir(), "trace.txt")
			out, errs, code := runCmd("run", "--trace", tr, file)
			if code != 0 && code != 1 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			b, err := os.ReadFile(tr)
			if err != nil {
				t.Fatal(err)
			}
			compareGolden(t, file, name, fmt.Sprintf("%s\nexit %d\ntrace sha256 %x (%d bytes)\n", out, code, sha256.Sum256(b), len(b)))
		})
	}
}

// untracedShipped is the shipped scenario whose trace is too large to
// write in a test (10,000 flows).
const untracedShipped = "net-web-10k"

// compareGolden checks got against the golden file of shipped scenario
// name, or rewrites it with -update.
func compareGolden(t *testing.T, file, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "shipped", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/tcpsim -run TestShippedScenariosGolden -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s: output differs from %s (rerun with -update if the change is intended):\n%s", file, path, got)
	}
}
