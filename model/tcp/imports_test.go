package tcp

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoIO checks that the TCP model stays sans-I/O by its imports: no
// package it depends on, directly or through others, is a host, a link or
// a router. model/tcpconn is where an endpoint meets them.
func TestNoIO(t *testing.T) {
	forbidden := map[string]bool{"tcpsim/model/host": true, "tcpsim/model/link": true, "tcpsim/model/router": true}
	seen := map[string]bool{}
	var visit func(pkg, dir string, path []string)
	visit = func(pkg, dir string, path []string) {
		if seen[pkg] {
			return
		}
		seen[pkg] = true
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, im := range af.Imports {
				p, _ := strconv.Unquote(im.Path.Value)
				if !strings.HasPrefix(p, "tcpsim/") {
					continue
				}
				chain := append(append([]string(nil), path...), p)
				if forbidden[p] {
					t.Errorf("%s imports %s (via %s), want the TCP model free of I/O", f, p, strings.Join(chain, " -> "))
					continue
				}
				visit(p, filepath.Join("..", "..", strings.TrimPrefix(p, "tcpsim/")), chain)
			}
		}
	}
	visit("tcpsim/model/tcp", ".", []string{"tcpsim/model/tcp"})
	if len(seen) < 3 {
		t.Fatalf("visited %d packages, want the model and its dependencies", len(seen))
	}
}
