// Package web is the browser lab: one static page (HTML, CSS, plain
// JavaScript) and tcpsim's engine compiled to WebAssembly, embedded in the
// binary. The page runs scenarios in a Web Worker, shows the CLI's run
// tables, animates the ladder diagram with the time-sequence and
// cwnd/ssthresh plots beside it, and sweeps loss. `tcpsim serve` serves
// it (Handler) or writes it out for a course web server (Export).
//
// The engine (static/tcpsim.wasm.gz) and its JavaScript glue
// (static/wasm_exec.js) are committed, so users need no build step;
// go generate ./internal/web rebuilds both from the current source with
// the Go toolchain on the PATH, and a test fails while they are stale.
package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"tcpsim/internal/outdir"
)

//go:generate go run ./genwasm

//go:embed static
var static embed.FS

// Site returns the embedded static site: index.html at its root.
func Site() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // a broken embed pattern: caught by every test
	}
	return sub
}

// CSP is the Content-Security-Policy of every response: only the site's
// own scripts, styles, worker and fetches; WebAssembly may compile
// ('wasm-unsafe-eval') but no string may become code; no frames, no
// forms, no plugins.
const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
	"connect-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// contentTypes maps the site's file extensions to their media types, so
// that responses do not depend on the host's mime tables.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".gz":   "application/gzip",
	".wasm": "application/wasm",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".txt":  "text/plain; charset=utf-8",
	".md":   "text/plain; charset=utf-8",
}

// contentType returns the media type of a file name.
func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// Handler serves the files of site and nothing else: GET and HEAD of an
// existing regular file ("/" is index.html); every other path is 404 and
// every other method 405. Every response carries CSP and headers that
// stop content sniffing, referrers and framing.
func Handler(site fs.FS) http.Handler {
	start := time.Now()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "405 method not allowed: the lab serves files only", http.StatusMethodNotAllowed)
			return
		}
		name, ok := siteName(r.URL.Path)
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, err := fs.ReadFile(site, name)
		if err != nil {
			http.NotFound(w, r) // a directory, or no such file
			return
		}
		h.Set("Content-Type", contentType(name))
		h.Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, name, start, bytes.NewReader(b))
	})
}

// siteName turns a URL path into a file name of the site, refusing
// anything that is not a plain, clean path (no "..", no empty or hidden
// segments, no trailing slash but the root's).
func siteName(p string) (string, bool) {
	if p == "/" || p == "/index.html" {
		return "index.html", true
	}
	name := strings.TrimPrefix(p, "/")
	if name == p || name == "" || strings.HasSuffix(name, "/") || !fs.ValidPath(name) || path.Clean(name) != name {
		return "", false
	}
	for _, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, ".") {
			return "", false
		}
	}
	return name, true
}

// Files lists the site's regular files, in lexical order.
func Files(site fs.FS) ([]string, error) {
	var out []string
	err := fs.WalkDir(site, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	return out, nil
}

// ErrExportNotEmpty is returned by Export when the target directory holds
// files already: the lab never overwrites a course site's files.
var ErrExportNotEmpty = errors.New("web: export directory is not empty")

// Export writes the site's files under dir (created if missing; it must be
// empty) and returns the paths written. Any static web server can then
// serve dir: the page decompresses the engine itself, so no server
// configuration is needed.
func Export(site fs.FS, dir string) ([]string, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrExportNotEmpty, dir)
	}
	files, err := Files(site)
	if err != nil {
		return nil, err
	}
	od, err := outdir.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("web: export: %w", err)
	}
	defer od.Close()
	var written []string
	for _, name := range files {
		b, err := fs.ReadFile(site, name)
		if err != nil {
			return written, fmt.Errorf("web: %w", err)
		}
		// Through an os.Root: no name in site writes outside dir.
		dst, err := od.WriteFile(name, bytes.NewReader(b))
		if err != nil {
			return written, fmt.Errorf("web: export: %w", err)
		}
		written = append(written, dst)
	}
	return written, nil
}
