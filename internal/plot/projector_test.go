//go:build !(js && wasm)

package plot

import (
	"testing"

	"gonum.org/v1/plot/vg"
)

// For a projector: type of 14 points or more, and a short legend that
// fits below the plot in at most a third of the figure's height. The
// overlay of Tahoe and Reno (which listed 16 entries of full names) has
// at most 8, none longer than 50 characters; a marker both runs share is
// one entry.
func TestProjectorLegend(t *testing.T) {
	for _, pt := range []float64{tickFont, labelFont, legendFont, titleFont} {
		if pt < 14 {
			t.Errorf("a font of %g points, want 14 or more", pt)
		}
	}
	for _, o := range []Options{{}, {Segments: true, Rounds: true}} {
		for _, f := range krFigures(t, o) {
			es := legendEntries(f)
			l := layoutLegend(es, figWidth)
			if h := l.height(); h > figHeight/3 {
				t.Errorf("%s: legend %g points high, over a third of the figure", f.Name, h.Points())
			}
			if w := vg.Length(l.cols) * l.colW; w > figWidth {
				t.Errorf("%s: legend %g points wide, wider than the figure", f.Name, w.Points())
			}
			if len(es) > 8 {
				t.Errorf("%s: %d legend entries, want at most 8", f.Name, len(es))
			}
			seen := map[string]bool{}
			for _, e := range es {
				if len(e.text) > 50 || seen[e.text] {
					t.Errorf("%s: legend entry %q too long or repeated", f.Name, e.text)
				}
				seen[e.text] = true
			}
		}
	}
}
