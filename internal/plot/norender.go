//go:build js && wasm

package plot

import (
	"errors"

	"tcpsim/internal/scenario"
	"tcpsim/internal/sweep"
)

// errNoRender is what drawing a figure answers in a js/wasm build, which
// leaves gonum/plot out (see render.go): the browser lab draws Figures on
// its own canvases.
var errNoRender = errors.New("plot: drawing PNG and SVG files is not built into the js/wasm engine: use the tcpsim command")

// Render is not available in a js/wasm build: it returns errNoRender.
func Render(*Figure, string) ([]string, error) { return nil, errNoRender }

// Sweep is not available in a js/wasm build: it returns errNoRender.
func Sweep(sweep.Meta, []sweep.Record, []*scenario.Scenario, SweepOptions, string) ([]string, error) {
	return nil, errNoRender
}

// SweepStats is not available in a js/wasm build: it returns errNoRender.
func SweepStats(sweep.Meta, sweep.Stats, []*scenario.Scenario, SweepOptions, string) ([]string, error) {
	return nil, errNoRender
}
