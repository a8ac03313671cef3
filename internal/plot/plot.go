// Package plot draws tcpsim's figures with gonum.org/v1/plot, as PNG and
// SVG: the time-sequence graph of a TCP flow, its congestion window and
// slow-start threshold, the receiver's advertised window, and a sweep's
// goodput against the varied parameter with 95% confidence bars and the
// textbook model beside it.
//
// Every figure is first built as a Figure (axes, ticks, series, shaded
// spans, legend labels: plain data), then drawn by Render. Tests compare
// Figures, not pixels. Every figure follows the same rules: ticks at
// 1-2-5 steps, sizes and rates from 0, axes that hold every point, the
// legend in a column of its own beside the plot.
package plot

import (
	"path/filepath"
	"strconv"
	"strings"

	"tcpsim/internal/outdir"
)

// numeric reads a sweep value as a number for the x axis: "2%" is 2,
// "64KiB" stays 64 (with the unit in the axis label), plain numbers as is.
func numeric(v string) (float64, bool) {
	v = strings.TrimSpace(v)
	// Longest first: "97.2kbps" ends in "s" too.
	for _, suf := range []string{"%", "KiB", "MiB", "KB", "MB", "Mbps", "kbps", "Gbps", "bps", "ms", "s", "B"} {
		if n, ok := strings.CutSuffix(v, suf); ok {
			f, err := strconv.ParseFloat(n, 64)
			return f, err == nil
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil
}

// unit returns the unit of the first value with one, for the axis label.
func unit(vals []string) string {
	for _, v := range vals {
		for _, suf := range []string{"%", "KiB", "MiB", "KB", "MB", "ms", "Mbps", "kbps", "Gbps"} {
			if strings.HasSuffix(v, suf) {
				return " (" + suf + ")"
			}
		}
	}
	return ""
}

// FileBase returns the name a scenario file gives its figures: the file's
// base name without .yaml or .yml ("26-kr-reno" for
// scenarios/exercises/26-kr-reno.yaml or ex:26-kr-reno), so that figures
// of two scenario files never share a name.
func FileBase(file string) string {
	b := filepath.Base(strings.TrimPrefix(file, "ex:"))
	for _, ext := range []string{".yaml", ".yml"} {
		b = strings.TrimSuffix(b, ext)
	}
	return outdir.Name(b)
}
