// Package webbuild builds the browser lab's WebAssembly engine
// (internal/web/wasm) with the Go toolchain on the PATH, and finds the
// wasm_exec.js glue of that same toolchain. go generate ./internal/web
// uses it to refresh the committed build; the web tests use it to check
// that the committed build is current and to test a fresh one.
package webbuild

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Package is the import path of the wasm entry point.
const Package = "./internal/web/wasm"

// Artifacts is one build: the raw WebAssembly module and the toolchain's
// wasm_exec.js, which must come from the Go that built the module.
type Artifacts struct {
	Wasm     []byte
	WasmExec []byte
	// GoLicense is the toolchain's LICENSE, which wasm_exec.js and the
	// Go runtime inside the module are distributed under.
	GoLicense []byte
	// GoVersion is the toolchain's version, e.g. "go1.26.8".
	GoVersion string
}

// goEnv returns `go env NAME` run in dir.
func goEnv(ctx context.Context, dir, name string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "env", name)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("webbuild: go env %s: %w", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// ModuleRoot returns the directory of the go.mod that encloses dir.
func ModuleRoot(ctx context.Context, dir string) (string, error) {
	gomod, err := goEnv(ctx, dir, "GOMOD")
	if err != nil {
		return "", err
	}
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("webbuild: %s is not inside a Go module", dir)
	}
	return filepath.Dir(gomod), nil
}

// Build compiles the wasm entry point of the module at root for
// GOOS=js GOARCH=wasm, reproducibly (-trimpath, no VCS stamp), and reads
// the toolchain's wasm_exec.js (lib/wasm since Go 1.24, misc/wasm before).
func Build(ctx context.Context, root string) (Artifacts, error) {
	tmp, err := os.MkdirTemp("", "tcpsim-wasm-")
	if err != nil {
		return Artifacts{}, fmt.Errorf("webbuild: %w", err)
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "tcpsim.wasm")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", out, Package)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return Artifacts{}, fmt.Errorf("webbuild: GOOS=js GOARCH=wasm go build %s: %w\n%s", Package, err, stderr.Bytes())
	}
	var a Artifacts
	if a.Wasm, err = os.ReadFile(out); err != nil {
		return Artifacts{}, fmt.Errorf("webbuild: %w", err)
	}
	goroot, err := goEnv(ctx, root, "GOROOT")
	if err != nil {
		return Artifacts{}, err
	}
	if a.GoVersion, err = goEnv(ctx, root, "GOVERSION"); err != nil {
		return Artifacts{}, err
	}
	if a.GoLicense, err = os.ReadFile(filepath.Join(goroot, "LICENSE")); err != nil {
		return Artifacts{}, fmt.Errorf("webbuild: %w", err)
	}
	for _, sub := range []string{"lib/wasm", "misc/wasm"} {
		a.WasmExec, err = os.ReadFile(filepath.Join(goroot, sub, "wasm_exec.js"))
		if err == nil {
			return a, nil
		}
	}
	return Artifacts{}, fmt.Errorf("webbuild: no wasm_exec.js under %s/lib/wasm or %s/misc/wasm", goroot, goroot)
}

// Gzip compresses b at the best level with an empty header (no name, no
// time), so the same input always gives the same bytes.
func Gzip(b []byte) ([]byte, error) {
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("webbuild: %w", err)
	}
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("webbuild: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("webbuild: %w", err)
	}
	return out.Bytes(), nil
}

// Gunzip decompresses b.
func Gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("webbuild: %w", err)
	}
	var out bytes.Buffer
	if _, err := out.ReadFrom(zr); err != nil {
		return nil, fmt.Errorf("webbuild: %w", err)
	}
	if err := zr.Close(); err != nil {
		return nil, fmt.Errorf("webbuild: %w", err)
	}
	return out.Bytes(), nil
}

// ErrNoGo is returned by Available when no go command is on the PATH.
var ErrNoGo = errors.New("webbuild: no go command on the PATH")

// Available reports whether Build can run here.
func Available() error {
	if _, err := exec.LookPath("go"); err != nil {
		return ErrNoGo
	}
	return nil
}
