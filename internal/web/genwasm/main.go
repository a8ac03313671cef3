// Command genwasm rebuilds the browser lab's committed engine: it builds
// internal/web/wasm for GOOS=js GOARCH=wasm and writes
// internal/web/static/tcpsim.wasm.gz, the same toolchain's wasm_exec.js
// and its LICENSE (LICENSE-go.txt). Run it through go generate ./internal/web after changing
// anything the engine is built from (the model, the scenario parser, the
// report); TestEmbeddedEngineIsCurrent fails until then.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"tcpsim/internal/web/webbuild"
)

func main() {
	if err := generate(); err != nil {
		fmt.Fprintln(os.Stderr, "genwasm:", err)
		os.Exit(1)
	}
}

func generate() error {
	ctx := context.Background()
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := webbuild.ModuleRoot(ctx, wd)
	if err != nil {
		return err
	}
	a, err := webbuild.Build(ctx, root)
	if err != nil {
		return err
	}
	gz, err := webbuild.Gzip(a.Wasm)
	if err != nil {
		return err
	}
	dir := filepath.Join(root, "internal", "web", "static")
	if err := os.WriteFile(filepath.Join(dir, "tcpsim.wasm.gz"), gz, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "wasm_exec.js"), a.WasmExec, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "LICENSE-go.txt"), a.GoLicense, 0o644); err != nil {
		return err
	}
	fmt.Printf("genwasm: tcpsim.wasm %d bytes, gzip %d bytes (%s)\n", len(a.Wasm), len(gz), a.GoVersion)
	return nil
}
