package web

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"tcpsim/internal/testenv"
	"tcpsim/internal/web/webbuild"
)

func TestHandlerServesOnlyTheSite(t *testing.T) {
	srv := httptest.NewServer(Handler(Site()))
	defer srv.Close()
	cases := []struct {
		name, method, path string
		want               int
		wantType           string
	}{
		{"root is the page", "GET", "/", 200, "text/html; charset=utf-8"},
		{"index by name", "GET", "/index.html", 200, "text/html; charset=utf-8"},
		{"script", "GET", "/app.js", 200, "text/javascript; charset=utf-8"},
		{"worker", "GET", "/worker.js", 200, "text/javascript; charset=utf-8"},
		{"engine, compressed", "GET", "/tcpsim.wasm.gz", 200, "application/gzip"},
		{"head", "HEAD", "/lab.css", 200, "text/css; charset=utf-8"},
		{"unknown file", "GET", "/secret.txt", 404, ""},
		{"directory", "GET", "/static/", 404, ""},
		{"dot-dot", "GET", "/../web.go", 404, ""},
		{"encoded dot-dot", "GET", "/%2e%2e/web.go", 404, ""},
		{"hidden file", "GET", "/.git/config", 404, ""},
		{"trailing slash", "GET", "/app.js/", 404, ""},
		{"double slash", "GET", "//app.js", 404, ""},
		{"source of the package", "GET", "/web.go", 404, ""},
		{"post", "POST", "/", 405, ""},
		{"put", "PUT", "/app.js", 405, ""},
		{"delete", "DELETE", "/index.html", 405, ""},
		{"options", "OPTIONS", "/", 405, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader("x"))
			if err != nil {
				t.Fatal(err)
			}
			req.URL.Opaque = c.path // send the path exactly as written
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("%s %s: got status %d, want %d", c.method, c.path, resp.StatusCode, c.want)
			}
			if got := resp.Header.Get("Content-Security-Policy"); got != CSP {
				t.Errorf("%s %s: Content-Security-Policy %q, want %q", c.method, c.path, got, CSP)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("%s %s: X-Content-Type-Options %q, want nosniff", c.method, c.path, got)
			}
			if c.wantType != "" && resp.Header.Get("Content-Type") != c.wantType {
				t.Errorf("%s %s: Content-Type %q, want %q", c.method, c.path, resp.Header.Get("Content-Type"), c.wantType)
			}
			if c.want == 405 && resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: Allow %q, want \"GET, HEAD\"", c.method, c.path, resp.Header.Get("Allow"))
			}
		})
	}
}

func TestCSPAllowsWasmButNoEval(t *testing.T) {
	for _, want := range []string{"script-src 'self' 'wasm-unsafe-eval'", "default-src 'none'", "worker-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(CSP, want) {
			t.Errorf("CSP %q lacks %q", CSP, want)
		}
	}
	if strings.Contains(CSP, "'unsafe-eval'") || strings.Contains(CSP, "'unsafe-inline'") {
		t.Errorf("CSP %q allows eval or inline code", CSP)
	}
}

func TestExportWritesTheSite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "course", "lab")
	written, err := Export(Site(), dir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Files(Site())
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != len(files) {
		t.Errorf("wrote %d files, want %d", len(written), len(files))
	}
	for _, name := range []string{"index.html", "app.js", "model.js", "draw.js", "worker.js", "lab.css", "wasm_exec.js", "tcpsim.wasm.gz"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("export lacks %s: %v", name, err)
			continue
		}
		want, _ := fs.ReadFile(Site(), name)
		if !bytes.Equal(got, want) {
			t.Errorf("exported %s differs from the embedded file", name)
		}
	}
	// A second export into the same directory is refused: the lab never
	// overwrites a course site's files.
	if _, err := Export(Site(), dir); !errors.Is(err, ErrExportNotEmpty) {
		t.Errorf("export into a full directory: got %v, want ErrExportNotEmpty", err)
	}
}

func TestSiteName(t *testing.T) {
	cases := []struct {
		path, want string
		ok         bool
	}{
		{"/", "index.html", true},
		{"/app.js", "app.js", true},
		{"/img/a.png", "img/a.png", true},
		{"", "", false},
		{"app.js", "", false},
		{"/a/../app.js", "", false},
		{"/./app.js", "", false},
		{"/.env", "", false},
		{"/a//b", "", false},
		{"/dir/", "", false},
	}
	for _, c := range cases {
		got, ok := siteName(c.path)
		if got != c.want || ok != c.ok {
			t.Errorf("siteName(%q) = %q, %v; want %q, %v", c.path, got, ok, c.want, c.ok)
		}
	}
}

// fresh is the engine built from the current source, once per test
// binary.
var fresh struct {
	once sync.Once
	a    webbuild.Artifacts
	gz   []byte
	err  error
}

// freshEngine builds the wasm engine from the current source (cached by
// the go command after the first build).
func freshEngine(t *testing.T) (webbuild.Artifacts, []byte) {
	t.Helper()
	if err := webbuild.Available(); err != nil {
		t.Skipf("cannot build the engine: %v", err)
	}
	fresh.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		root, err := webbuild.ModuleRoot(ctx, ".")
		if err != nil {
			fresh.err = err
			return
		}
		fresh.a, fresh.err = webbuild.Build(ctx, root)
		if fresh.err == nil {
			fresh.gz, fresh.err = webbuild.Gzip(fresh.a.Wasm)
		}
	})
	if fresh.err != nil {
		t.Fatal(fresh.err)
	}
	return fresh.a, fresh.gz
}

// TestEmbeddedEngineIsCurrent checks that the committed engine was built
// from the current source, so that `tcpsim serve` shows the numbers that
// `tcpsim run` prints. After a change to anything it is built from, run
// go generate ./internal/web.
func TestEmbeddedEngineIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the engine: skipped with -short")
	}
	testenv.SkipUnlessSlow(t, "builds the WebAssembly engine")
	a, _ := freshEngine(t)
	gz, err := fs.ReadFile(Site(), "tcpsim.wasm.gz")
	if err != nil {
		t.Fatal(err)
	}
	committed, err := webbuild.Gunzip(gz)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, a.Wasm) {
		t.Errorf("internal/web/static/tcpsim.wasm.gz (%d bytes unpacked) was not built from the current source (%d bytes): run go generate ./internal/web", len(committed), len(a.Wasm))
	}
	exec, err := fs.ReadFile(Site(), "wasm_exec.js")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(exec, a.WasmExec) {
		t.Errorf("internal/web/static/wasm_exec.js is not %s's: run go generate ./internal/web", a.GoVersion)
	}
	t.Logf("engine: %d bytes, %d gzip-compressed (%s)", len(a.Wasm), len(gz), a.GoVersion)
}

// freshSite is the embedded site with the engine and its glue replaced by
// a build of the current source, so that the browser tests test the code
// as it is, even before go generate.
func freshSite(t *testing.T) fs.FS {
	t.Helper()
	a, gz := freshEngine(t)
	m := fstest.MapFS{}
	files, err := Files(Site())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		b, err := fs.ReadFile(Site(), name)
		if err != nil {
			t.Fatal(err)
		}
		m[name] = &fstest.MapFile{Data: b, Mode: 0o644}
	}
	m["tcpsim.wasm.gz"] = &fstest.MapFile{Data: gz, Mode: 0o644}
	m["wasm_exec.js"] = &fstest.MapFile{Data: a.WasmExec, Mode: 0o644}
	return m
}
