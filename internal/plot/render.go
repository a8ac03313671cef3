//go:build !(js && wasm)

// The figures are drawn with gonum/plot everywhere but in the browser
// lab's WebAssembly engine, which hands them to the page to draw on its
// canvases (and would carry gonum's fonts for nothing).

package plot

import (
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"tcpsim/internal/outdir"
	"tcpsim/internal/scenario"
	"tcpsim/internal/sweep"
)

// palette is the colour of Series.Color and Span.Color i (Tableau 10).
var palette = []color.RGBA{
	{R: 31, G: 119, B: 180, A: 255},  // 0 blue
	{R: 255, G: 127, B: 14, A: 255},  // 1 orange
	{R: 44, G: 160, B: 44, A: 255},   // 2 green
	{R: 214, G: 39, B: 40, A: 255},   // 3 red
	{R: 148, G: 103, B: 189, A: 255}, // 4 purple
	{R: 140, G: 86, B: 75, A: 255},   // 5 brown
	{R: 227, G: 119, B: 194, A: 255}, // 6 pink
	{R: 90, G: 90, B: 90, A: 255},    // 7 grey
	{R: 188, G: 189, B: 34, A: 255},  // 8 olive
	{R: 23, G: 190, B: 207, A: 255},  // 9 cyan
}

func colour(i int) color.RGBA { return palette[((i%len(palette))+len(palette))%len(palette)] }

// light mixes c with white: a fraction f of c.
func light(c color.RGBA, f float64) color.RGBA {
	mix := func(v uint8) uint8 { return uint8(float64(v)*f + 255*(1-f)) }
	return color.RGBA{R: mix(c.R), G: mix(c.G), B: mix(c.B), A: 255}
}

// Figure size: the plot area is plotWidth wide; the legend gets a column
// of its own to the right, as wide as its longest entry, so that it never
// covers data.
const (
	plotWidth  = 7 * vg.Inch
	height     = 5 * vg.Inch
	legendFont = 9 // points
	legendPad  = 8 // points either side of the legend column
)

// LegendOutside is where every figure's legend goes: a column to the
// right of the plot area, outside the axes. Tests check it.
const LegendOutside = "right of the plot area, outside the axes"

func glyph(shape string) draw.GlyphDrawer {
	switch shape {
	case Triangle:
		return draw.TriangleGlyph{}
	case Cross:
		return draw.CrossGlyph{}
	case Square:
		return draw.SquareGlyph{}
	case Ring:
		return draw.RingGlyph{}
	case Plus:
		return draw.PlusGlyph{}
	case Diamond:
		return draw.PyramidGlyph{}
	}
	return draw.CircleGlyph{}
}

// style returns the line style of s.
func (s *Series) style() draw.LineStyle {
	c := colour(s.Color)
	ls := draw.LineStyle{Color: c, Width: vg.Points(1.4)}
	if s.Faint {
		ls.Color, ls.Width = light(c, 0.55), vg.Points(1)
	}
	if s.Dashed {
		ls.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	}
	return ls
}

func (s *Series) glyphStyle() draw.GlyphStyle {
	r := vg.Points(4.5)
	if s.Kind == LinePoints || s.Kind == ErrorBars || s.Kind == ErrorPoints {
		r = vg.Points(2.5)
	}
	return draw.GlyphStyle{Color: colour(s.Color), Shape: glyph(s.Shape), Radius: r}
}

// bars draws vertical segments from Y to Top at each X: tcptrace's
// segments and SACK blocks, and confidence intervals.
type bars struct {
	s     *Series
	style draw.LineStyle
	lo    []float64 // lower ends; nil: Y
	cap   vg.Length
}

// Plot implements plot.Plotter.
func (b bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, x := range b.s.X {
		lo := b.s.Y[i]
		if b.lo != nil {
			lo = b.lo[i]
		}
		x0, y0, y1 := trX(x), trY(lo), trY(b.s.Top[i])
		if y1-y0 < vg.Points(1) { // a one-byte segment still shows
			y1 = y0 + vg.Points(1)
		}
		c.StrokeLine2(b.style, x0, y0, x0, y1)
		if b.cap > 0 {
			c.StrokeLine2(b.style, x0-b.cap/2, y0, x0+b.cap/2, y0)
			c.StrokeLine2(b.style, x0-b.cap/2, y1, x0+b.cap/2, y1)
		}
	}
}

// Thumbnail implements plot.Thumbnailer: a short vertical bar.
func (b bars) Thumbnail(c *draw.Canvas) {
	x := (c.Min.X + c.Max.X) / 2
	c.StrokeLine2(b.style, x, c.Min.Y, x, c.Max.Y)
}

// spans shades x intervals over the whole height of the plot.
type spans struct {
	sp       []Span
	ymin, ym float64
}

// Plot implements plot.Plotter.
func (s spans) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, sp := range s.sp {
		x0, x1 := trX(sp.From), trX(sp.To)
		if x1-x0 < vg.Points(2) {
			x1 = x0 + vg.Points(2)
		}
		y0, y1 := trY(s.ymin), trY(s.ym)
		c.FillPolygon(spanColour(sp.Color), []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
	}
}

func spanColour(i int) color.RGBA { return light(colour(i), 0.18) }

// swatch is the legend thumbnail of a span.
type swatch color.RGBA

// Thumbnail implements plot.Thumbnailer.
func (w swatch) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(color.RGBA(w), []vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}})
}

// build makes the gonum plot and the legend of f.
func build(f *Figure) (*plot.Plot, plot.Legend, error) {
	p := plot.New()
	p.Title.Text = f.Title
	p.X.Label.Text = f.X.Label
	p.Y.Label.Text = f.Y.Label
	p.Add(plotter.NewGrid())
	leg := plot.NewLegend()
	leg.Top, leg.Left = true, true
	leg.TextStyle.Font.Size = vg.Points(legendFont)
	seen := map[string]bool{}
	if len(f.Spans) > 0 {
		p.Add(spans{sp: f.Spans, ymin: f.Y.Min, ym: f.Y.Max})
		for _, sp := range f.Spans {
			if sp.Label != "" && !seen[sp.Label] {
				seen[sp.Label] = true
				leg.Add(sp.Label, swatch(spanColour(sp.Color)))
			}
		}
	}
	for i := range f.Series {
		s := &f.Series[i]
		var thumbs []plot.Thumbnailer
		pts := make(plotter.XYs, len(s.X))
		for j := range s.X {
			pts[j] = plotter.XY{X: s.X[j], Y: s.Y[j]}
		}
		switch s.Kind {
		case Step, Line, LinePoints, ErrorBars, ErrorPoints:
			if s.Kind == ErrorPoints {
				// no line
			} else if len(pts) > 0 {
				l, err := plotter.NewLine(pts)
				if err != nil {
					return nil, leg, fmt.Errorf("plot: %s: %w", s.Label, err)
				}
				l.LineStyle = s.style()
				if s.Kind == Step {
					l.StepStyle = plotter.PostStep
				}
				p.Add(l)
				thumbs = append(thumbs, l)
			} else {
				thumbs = append(thumbs, &plotter.Line{LineStyle: s.style()})
			}
			if s.Kind == LinePoints || s.Kind == ErrorBars || s.Kind == ErrorPoints {
				sc, err := plotter.NewScatter(pts)
				if err != nil {
					return nil, leg, fmt.Errorf("plot: %s: %w", s.Label, err)
				}
				sc.GlyphStyle = s.glyphStyle()
				if len(pts) > 0 {
					p.Add(sc)
				}
				thumbs = append(thumbs, sc)
			}
			if s.Kind == ErrorBars || s.Kind == ErrorPoints {
				st := s.style()
				st.Dashes = nil
				p.Add(bars{s: &Series{X: s.X, Y: s.Y, Top: s.Top}, lo: s.Low, style: st, cap: vg.Points(5)})
			}
		case Points:
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return nil, leg, fmt.Errorf("plot: %s: %w", s.Label, err)
			}
			sc.GlyphStyle = s.glyphStyle()
			if len(pts) > 0 {
				p.Add(sc)
			}
			thumbs = append(thumbs, sc)
		case Bars:
			st := s.style()
			st.Width = vg.Points(1.2)
			b := bars{s: s, style: st}
			p.Add(b)
			thumbs = append(thumbs, b)
		default:
			return nil, leg, fmt.Errorf("plot: series %q: unknown kind %q", s.Label, s.Kind)
		}
		if s.Label != "" {
			leg.Add(s.Label, thumbs...)
		}
	}
	// The axes are the figure's, not gonum's autoscale.
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = f.X.Min, f.X.Max, f.Y.Min, f.Y.Max
	p.X.Tick.Marker = ticker(f.X)
	p.Y.Tick.Marker = ticker(f.Y)
	return p, leg, nil
}

// ticker returns the axis's ticks as gonum constant ticks, labelled.
func ticker(a Axis) plot.ConstantTicks {
	var t plot.ConstantTicks
	for i, v := range a.Ticks {
		label := tickLabel(v, a.Ticks)
		if len(a.Categories) > 0 {
			label = a.Categories[i]
		}
		t = append(t, plot.Tick{Value: v, Label: label})
	}
	return t
}

// legendWidth is the width of the legend column of leg's labels.
func legendWidth(f *Figure, leg plot.Legend) vg.Length {
	w := vg.Length(0)
	for _, sp := range f.Spans {
		w = max(w, leg.TextStyle.Width(sp.Label))
	}
	for _, s := range f.Series {
		w = max(w, leg.TextStyle.Width(s.Label))
	}
	if w == 0 {
		return 0
	}
	return w + leg.ThumbnailWidth + vg.Points(2*legendPad+6)
}

// draw renders f onto a canvas of size w x height.
func drawFigure(c vg.Canvas, f *Figure, p *plot.Plot, leg plot.Legend, w, lw vg.Length) {
	dc := draw.NewCanvas(c, w, height)
	p.Draw(draw.Crop(dc, 0, -lw, 0, 0))
	if lw > 0 {
		lc := draw.Crop(dc, w-lw+vg.Points(legendPad), -vg.Points(legendPad), 0, -vg.Points(28))
		leg.Draw(lc)
	}
}

// Render writes f to dir/f.Name.png and .svg and returns their paths.
// The files are byte-stable: the same figure gives the same bytes. f.Name
// passes through outdir.Name, and the files are written through an
// os.Root on dir: whatever the scenario and flow names in it, nothing is
// written outside dir.
func Render(f *Figure, dir string) ([]string, error) {
	p, leg, err := build(f)
	if err != nil {
		return nil, err
	}
	lw := legendWidth(f, leg)
	w := plotWidth + lw
	od, err := outdir.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	defer od.Close()
	png := vgimg.New(w, height)
	drawFigure(png, f, p, leg, w, lw)
	svg := vgsvg.New(w, height)
	drawFigure(svg, f, p, leg, w, lw)
	var out []string
	for _, o := range []struct {
		ext string
		w   io.WriterTo
	}{{".png", vgimg.PngCanvas{Canvas: png}}, {".svg", svg}} {
		// f.Name holds scenario and flow names: outdir keeps the file
		// inside dir whatever they hold (issue 21, item 2).
		name, err := od.WriteFile(outdir.Name(f.Name)+o.ext, o.w)
		if err != nil {
			return out, fmt.Errorf("plot: %w", err)
		}
		out = append(out, name)
	}
	return out, nil
}

// Sweep draws SweepFigure into dir and returns the files written.
func Sweep(m sweep.Meta, recs []sweep.Record, pts []*scenario.Scenario, dir string) ([]string, error) {
	f, err := SweepFigure(m, recs, pts)
	if err != nil {
		return nil, err
	}
	return Render(f, dir)
}

// SweepStats draws SweepStatsFigure into dir and returns the files
// written.
func SweepStats(m sweep.Meta, st sweep.Stats, pts []*scenario.Scenario, dir string) ([]string, error) {
	f, err := SweepStatsFigure(m, st, pts)
	if err != nil {
		return nil, err
	}
	return Render(f, dir)
}
