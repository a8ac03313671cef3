//go:build !(js && wasm)

// The figures are drawn with gonum/plot everywhere but in the browser
// lab's WebAssembly engine, which hands them to the page to draw on its
// canvases (and would carry gonum's fonts for nothing).

package plot

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
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

// Figure size and type, for a projector: 1280 x 720 pixels at 96 dpi
// (the PNG), fonts of 14 points and more, the legend in columns below
// the plot, as wide as the figure, so that it never covers data.
const (
	figWidth   = 1280 * vg.Inch / 96
	figHeight  = 720 * vg.Inch / 96
	titleFont  = 20 // points
	labelFont  = 17
	tickFont   = 15
	legendFont = 15
	legendPad  = 6  // points around the legend
	legendGap  = 18 // points between legend columns
	thumbWidth = 28 // points: a legend entry's line or glyph
	// squareSlack is how much wider than high a square figure's plot
	// canvas is: the y axis's label and ticks beside it less the title
	// and the x axis's label and ticks below it.
	squareSlack = 10
)

func glyph(shape string) draw.GlyphDrawer {
	if shape == Circle || shape == "" {
		return draw.CircleGlyph{}
	}
	return outline(shape)
}

// outline draws a marker's outline 2 points wide: gonum's glyphs are
// drawn half a point wide, too thin to see from the back of a lecture
// hall.
type outline string

// glyphWidth is the line width of an outlined marker.
const glyphWidth = 2

// DrawGlyph implements draw.GlyphDrawer.
func (o outline) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	ls := draw.LineStyle{Color: sty.Color, Width: vg.Points(glyphWidth)}
	r := sty.Radius
	at := func(dx, dy float64) vg.Point { return vg.Point{X: pt.X + vg.Length(dx)*r, Y: pt.Y + vg.Length(dy)*r} }
	switch string(o) {
	case Cross:
		c.StrokeLines(ls, []vg.Point{at(-1, -1), at(1, 1)}, []vg.Point{at(-1, 1), at(1, -1)})
	case Plus:
		c.StrokeLines(ls, []vg.Point{at(-1, 0), at(1, 0)}, []vg.Point{at(0, -1), at(0, 1)})
	case Triangle:
		c.StrokeLines(ls, []vg.Point{at(0, 1), at(-0.9, -0.6), at(0.9, -0.6), at(0, 1)})
	case Square:
		c.StrokeLines(ls, []vg.Point{at(-0.8, -0.8), at(0.8, -0.8), at(0.8, 0.8), at(-0.8, 0.8), at(-0.8, -0.8)})
	case Diamond:
		c.StrokeLines(ls, []vg.Point{at(0, 1), at(0.8, 0), at(0, -1), at(-0.8, 0), at(0, 1)})
	case ArrowUp:
		// An arrow pointing up from below pt: what runs on above the
		// axis.
		c.StrokeLines(ls, []vg.Point{at(0, -2.2), at(0, 0)}, []vg.Point{at(-0.8, -0.9), at(0, 0), at(0.8, -0.9)})
	default: // Ring
		var p vg.Path
		p.Move(at(1, 0))
		p.Arc(pt, r, 0, 2*math.Pi)
		p.Close()
		c.SetLineStyle(ls)
		c.Stroke(p)
	}
}

// style returns the line style of s.
func (s *Series) style() draw.LineStyle {
	c := colour(s.Color)
	ls := draw.LineStyle{Color: c, Width: vg.Points(2.5)}
	if s.Faint {
		ls.Color, ls.Width = light(c, 0.55), vg.Points(1.5)
	}
	switch {
	case s.Dashed && s.DashSlots > 1:
		// One dash of 8 points in each slot of the shared pattern.
		on := vg.Points(8)
		ls.Dashes = []vg.Length{on, on * vg.Length(s.DashSlots-1)}
		ls.DashOffs = on * vg.Length((s.DashSlots-s.DashSlot)%s.DashSlots)
	case s.Dashed:
		ls.Dashes = []vg.Length{vg.Points(8), vg.Points(4)}
	}
	return ls
}

func (s *Series) glyphStyle() draw.GlyphStyle {
	r := vg.Points(6)
	if s.Kind == LinePoints || s.Kind == ErrorBars || s.Kind == ErrorPoints {
		r = vg.Points(4)
	}
	if s.Radius > 0 {
		r = vg.Points(s.Radius)
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

// lifted draws a scatter's glyphs dy above their points (Series.Lift).
type lifted struct {
	sc *plotter.Scatter
	dy vg.Length
}

// Plot implements plot.Plotter.
func (l lifted) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, pt := range l.sc.XYs {
		at := vg.Point{X: trX(pt.X), Y: trY(pt.Y) + l.dy}
		c.DrawGlyphNoClip(l.sc.GlyphStyle, at)
	}
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

// build makes the gonum plot of f, in the projector's type sizes.
func build(f *Figure) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = f.Title
	p.Title.TextStyle.Font.Size = vg.Points(titleFont)
	p.X.Label.Text = f.X.Label
	p.Y.Label.Text = f.Y.Label
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(labelFont)
		a.Tick.Label.Font.Size = vg.Points(tickFont)
		a.LineStyle.Width = vg.Points(1)
	}
	p.Add(plotter.NewGrid())
	if len(f.Spans) > 0 {
		p.Add(spans{sp: f.Spans, ymin: f.Y.Min, ym: f.Y.Max})
	}
	for i := range f.Series {
		if err := addSeries(p, &f.Series[i]); err != nil {
			return nil, err
		}
	}
	// The axes are the figure's, not gonum's autoscale.
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = f.X.Min, f.X.Max, f.Y.Min, f.Y.Max
	p.X.Tick.Marker = ticker(f.X)
	p.Y.Tick.Marker = ticker(f.Y)
	if f.X.Log {
		p.X.Scale = plot.LogScale{}
	}
	return p, nil
}

// shifted draws a plotter dx points across (Series.Nudge).
type shifted struct {
	plot.Plotter
	dx vg.Length
}

// Plot implements plot.Plotter.
func (s shifted) Plot(c draw.Canvas, p *plot.Plot) {
	c.Push()
	c.Translate(vg.Point{X: s.dx})
	s.Plotter.Plot(c, p)
	c.Pop()
}

// addSeries adds the plotters that draw s.
func addSeries(p *plot.Plot, s *Series) error {
	add := func(pl plot.Plotter) { p.Add(pl) }
	if s.Nudge != 0 {
		add = func(pl plot.Plotter) { p.Add(shifted{pl, vg.Points(s.Nudge)}) }
	}
	return addSeriesTo(add, s)
}

// addSeriesTo hands add the plotters that draw s.
func addSeriesTo(add func(plot.Plotter), s *Series) error {
	pts := make(plotter.XYs, len(s.X))
	for j := range s.X {
		pts[j] = plotter.XY{X: s.X[j], Y: s.Y[j]}
	}
	if len(pts) == 0 {
		return nil
	}
	switch s.Kind {
	case Step, Line, LinePoints, ErrorBars:
		l, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("plot: %s: %w", s.Label, err)
		}
		l.LineStyle = s.style()
		if s.Kind == Step {
			l.StepStyle = plotter.PostStep
		}
		add(l)
	case ErrorPoints, Points, Bars:
	default:
		return fmt.Errorf("plot: series %q: unknown kind %q", s.Label, s.Kind)
	}
	switch s.Kind {
	case LinePoints, ErrorBars, ErrorPoints, Points:
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return fmt.Errorf("plot: %s: %w", s.Label, err)
		}
		sc.GlyphStyle = s.glyphStyle()
		if s.Lift != 0 {
			add(lifted{sc, vg.Points(s.Lift)})
		} else {
			add(sc)
		}
	}
	switch s.Kind {
	case ErrorBars, ErrorPoints:
		st := s.style()
		st.Dashes = nil
		add(bars{s: &Series{X: s.X, Y: s.Y, Top: s.Top}, lo: s.Low, style: st, cap: vg.Points(6)})
	case Bars:
		st := s.style()
		st.Width = vg.Points(1.2)
		add(bars{s: s, style: st})
	}
	return nil
}

// ticker returns the axis's ticks as gonum constant ticks, labelled.
func ticker(a Axis) plot.ConstantTicks {
	var t plot.ConstantTicks
	for i, v := range a.Ticks {
		label := tickLabel(v, a.Ticks)
		if a.Log {
			label = strconv.FormatFloat(v, 'g', -1, 64)
		}
		if len(a.Categories) > 0 {
			label = a.Categories[i]
		}
		t = append(t, plot.Tick{Value: v, Label: label})
	}
	return t
}

// legendEntry is one line of the legend: its text and the thumbnails
// that show what it names.
type legendEntry struct {
	text   string
	thumbs []plot.Thumbnailer
}

// thumbs returns the legend thumbnails of a series drawn in colour c.
func (s *Series) thumbs() []plot.Thumbnailer {
	var out []plot.Thumbnailer
	switch s.Kind {
	case Step, Line, LinePoints, ErrorBars:
		out = append(out, &plotter.Line{LineStyle: s.style()})
	}
	switch s.Kind {
	case LinePoints, ErrorBars, ErrorPoints, Points:
		out = append(out, &plotter.Scatter{GlyphStyle: s.glyphStyle()})
	}
	switch s.Kind {
	case ErrorBars, ErrorPoints:
		st := s.style()
		st.Dashes = nil
		out = append(out, bars{style: st})
	case Bars:
		st := s.style()
		st.Width = vg.Points(1.2)
		out = append(out, bars{style: st})
	}
	return out
}

// legendKey is the legend entry of a series: Legend, or else Label.
func (s *Series) legendKey() string {
	if s.Label == "" {
		return ""
	}
	if s.Legend != "" {
		return s.Legend
	}
	return s.Label
}

// legendEntries returns the legend of f: one entry per span label and per
// legend key. Series sharing a key in different colours (one marker
// shape for several runs) share an entry drawn in grey. The series' own
// entries come first, in order, then the shaded spans, then the shared
// grey ones.
func legendEntries(f *Figure) []legendEntry {
	var own, spans, shared []legendEntry
	seen := map[string]bool{}
	for _, sp := range f.Spans {
		key := sp.Legend
		if key == "" {
			key = sp.Label
		}
		if key != "" && !seen[key] {
			seen[key] = true
			spans = append(spans, legendEntry{key, []plot.Thumbnailer{swatch(spanColour(sp.Color))}})
		}
	}
	for i := range f.Series {
		s := &f.Series[i]
		key := s.legendKey()
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		shown := *s
		for j := i + 1; j < len(f.Series); j++ {
			if f.Series[j].legendKey() == key && f.Series[j].Color != s.Color {
				shown.Color = cGrey
			}
		}
		if shown.Color == cGrey && s.Color != cGrey {
			shared = append(shared, legendEntry{key, shown.thumbs()})
		} else {
			own = append(own, legendEntry{key, shown.thumbs()})
		}
	}
	return append(append(own, spans...), shared...)
}

// legendLayout places the legend below the plot: entries in as many
// columns of one width as fit the figure, filled column by column.
type legendLayout struct {
	entries    []legendEntry
	cols, rows int
	colW, rowH vg.Length
	style      text.Style
}

// layoutLegend lays out entries across width w.
func layoutLegend(entries []legendEntry, w vg.Length) legendLayout {
	l := legendLayout{entries: entries, style: text.Style{Font: font.From(plot.DefaultFont, vg.Points(legendFont)), Handler: plot.DefaultTextHandler}}
	if len(entries) == 0 {
		return l
	}
	widest := vg.Length(0)
	for _, e := range entries {
		widest = max(widest, l.style.Width(e.text))
	}
	l.colW = widest + vg.Points(thumbWidth+8+legendGap)
	l.cols = max(1, min(len(entries), int((w-2*vg.Points(legendPad))/l.colW)))
	l.rows = (len(entries) + l.cols - 1) / l.cols
	l.cols = (len(entries) + l.rows - 1) / l.rows // no empty column
	l.rowH = l.style.Height("Xg") * 1.25
	return l
}

// height is the height the legend takes below the plot.
func (l legendLayout) height() vg.Length {
	if l.rows == 0 {
		return 0
	}
	return vg.Length(l.rows)*l.rowH + 2*vg.Points(legendPad)
}

// draw draws the legend into c, centred.
func (l legendLayout) draw(c draw.Canvas) {
	if l.rows == 0 {
		return
	}
	total := vg.Length(l.cols)*l.colW - vg.Points(legendGap)
	x0 := c.Min.X + max(0, (c.Max.X-c.Min.X-total)/2)
	top := c.Max.Y - vg.Points(legendPad)
	desc := l.style.FontExtents().Descent
	for i, e := range l.entries {
		col, row := i/l.rows, i%l.rows
		x := x0 + vg.Length(col)*l.colW
		y := top - vg.Length(row+1)*l.rowH
		icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x, Y: y + l.rowH*0.15}, Max: vg.Point{X: x + vg.Points(thumbWidth), Y: y + l.rowH*0.85}}}
		for _, t := range e.thumbs {
			t.Thumbnail(&icon)
		}
		c.FillText(l.style, vg.Point{X: x + vg.Points(thumbWidth+8), Y: y + desc + l.rowH*0.1}, e.text)
	}
}

// drawFigure renders f onto a canvas of the figure's size: the plot
// above, the legend below it.
func drawFigure(c vg.Canvas, f *Figure, p *plot.Plot, l legendLayout) {
	dc := draw.NewCanvas(c, figWidth, figHeight)
	lh := l.height()
	pc := draw.Crop(dc, 0, 0, lh, 0)
	if f.Square {
		// The data area as wide as it is high: the axes' labels and
		// ticks take about as much room across as up and down.
		w := pc.Max.Y - pc.Min.Y + vg.Points(squareSlack)
		if side := (pc.Max.X - pc.Min.X - w) / 2; side > 0 {
			pc = draw.Crop(pc, side, -side, 0, 0)
		}
	}
	p.Draw(pc)
	l.draw(draw.Crop(dc, vg.Points(legendPad), -vg.Points(legendPad), 0, lh-dc.Max.Y+dc.Min.Y))
}

// Render writes f to dir/f.Name.png and .svg and returns their paths.
// The files are byte-stable: the same figure gives the same bytes. f.Name
// passes through outdir.Name, and the files are written through an
// os.Root on dir: whatever the scenario and flow names in it, nothing is
// written outside dir.
func Render(f *Figure, dir string) ([]string, error) {
	p, err := build(f)
	if err != nil {
		return nil, err
	}
	l := layoutLegend(legendEntries(f), figWidth)
	od, err := outdir.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	defer od.Close()
	png := vgimg.New(figWidth, figHeight)
	drawFigure(png, f, p, l)
	svg := vgsvg.New(figWidth, figHeight)
	drawFigure(svg, f, p, l)
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
func Sweep(m sweep.Meta, recs []sweep.Record, pts []*scenario.Scenario, so SweepOptions, dir string) ([]string, error) {
	f, err := SweepFigure(m, recs, pts, so)
	if err != nil {
		return nil, err
	}
	return Render(f, dir)
}

// SweepStats draws SweepStatsFigure into dir and returns the files
// written.
func SweepStats(m sweep.Meta, st sweep.Stats, pts []*scenario.Scenario, so SweepOptions, dir string) ([]string, error) {
	f, err := SweepStatsFigure(m, st, pts, so)
	if err != nil {
		return nil, err
	}
	return Render(f, dir)
}
