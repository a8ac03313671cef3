package plot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// Figure is what one plot shows, apart from how it is drawn: axes with
// their ranges and ticks, data series, shaded spans and legend labels. The
// builders (Flows, Sweep) make Figures; Render draws one with gonum/plot.
// Tests compare Figures (Summary), not pixels.
type Figure struct {
	// Name is the file name stem: <scenario file base>-<flow>-<kind>.
	Name  string
	Title string
	X, Y  Axis
	// Spans are shaded x intervals drawn behind the data (fast recovery).
	Spans  []Span
	Series []Series
	// Square draws the plot area square, one scale on both axes (the
	// fairness phase plot: its equal-share line at 45°).
	Square bool `json:",omitempty"`
}

// Axis is one axis: its label, the range drawn, the major ticks, and for a
// categorical axis the category names (category i at x = i+1).
type Axis struct {
	Label      string
	Min, Max   float64
	Ticks      []float64
	Categories []string `json:",omitempty"`
	// Integer ticks only (rounds, categories).
	Integer bool `json:",omitempty"`
	// Log is a logarithmic axis (plot --log-x): ticks at 1, 2 and 5
	// times each power of ten in range.
	Log bool `json:",omitempty"`
}

// Palette indexes with a meaning of their own.
const (
	cBlue, cOrange, cGreen, cRed, cPurple, cBrown, cPink, cGrey = 0, 1, 2, 3, 4, 5, 6, 7
)

// LegendBelow is where every figure's legend goes: in columns below the
// plot area, outside the axes. Tests check it.
const LegendBelow = "below the plot area, outside the axes, in columns"

// Kind is how a series is drawn.
type Kind string

// Series kinds.
const (
	Step       Kind = "step"        // a step line: the value holds until the next point
	Line       Kind = "line"        // straight segments between points
	LinePoints Kind = "line-points" // straight segments with a glyph at each point
	Points     Kind = "points"      // glyphs only (markers)
	Bars       Kind = "bars"        // a vertical bar at each X from Y to Top (tcptrace segments, SACK blocks)
	ErrorBars  Kind = "error-bars"  // a line with points and a vertical bar from Low to Top (95% CI)
	// ErrorPoints is ErrorBars without the line: for a categorical x
	// axis, whose categories have no order to join.
	ErrorPoints Kind = "error-points"
)

// Glyph shapes of Points and LinePoints series.
const (
	Circle   = "circle"
	Triangle = "triangle"
	Cross    = "cross"
	Square   = "square"
	Ring     = "ring"
	Plus     = "plus"
	Diamond  = "diamond"
	ArrowUp  = "arrow-up" // a value running on above the axis
)

// Series is one set of data drawn one way.
type Series struct {
	// Label names the series in full (tests and summaries find it by
	// this name); "" leaves the series out of the legend.
	Label string
	// Legend is the legend's short entry for the series ("" is Label):
	// series with the same Legend share one entry, drawn in grey when
	// their colours differ (one marker shape for several runs).
	Legend string `json:",omitempty"`
	Kind   Kind
	// Color indexes palette; Faint draws it thin and light.
	Color  int
	Dashed bool
	// DashSlot of DashSlots (DashSlots > 1) draws a dashed series' dashes
	// only in its own slot of a pattern shared by DashSlots series: the
	// dashes of series that coincide alternate in their colours instead
	// of the last drawn hiding the others (the ssthresh of overlaid runs:
	// Tahoe's and Reno's are one line until Tahoe's timeout; issue 20).
	DashSlot  int  `json:",omitempty"`
	DashSlots int  `json:",omitempty"`
	Faint     bool `json:",omitempty"`
	// Clip leaves the series out of the y range: its points above the
	// axis are drawn at its top edge (fast recovery's inflated window
	// must not set the scale of cwnd).
	Clip  bool   `json:",omitempty"`
	Shape string `json:",omitempty"`
	// Radius is the glyphs' radius in points (0: the kind's own).
	Radius float64 `json:",omitempty"`
	// Lift draws the glyphs this many points above their points: a
	// marker about a point of another series (the loss in a round, at
	// that round's cwnd dot) sits above the dot instead of on it.
	Lift float64 `json:",omitempty"`
	// Nudge draws the whole series (line, glyphs, bars) this many points
	// to the right (left if below 0) of its x: series that coincide
	// (two flows of one queue in a sweep) side by side, not on top.
	Nudge float64 `json:",omitempty"`
	X, Y  []float64
	// Top (Bars, ErrorBars) is the upper end of each point's bar; Low
	// (ErrorBars) the lower end.
	Top []float64 `json:",omitempty"`
	Low []float64 `json:",omitempty"`
}

// Span is a shaded x interval [From, To].
type Span struct {
	Label    string
	Legend   string `json:",omitempty"` // the legend's entry ("" is Label)
	From, To float64
	Color    int
}

// add appends a point.
func (s *Series) add(x, y float64) {
	s.X = append(s.X, x)
	s.Y = append(s.Y, y)
}

// bar appends a vertical bar at x from lo to hi.
func (s *Series) bar(x, lo, hi float64) {
	s.add(x, lo)
	s.Top = append(s.Top, hi)
}

// extent returns the smallest and largest x and y a series reaches,
// including bar ends; ok is false for an empty series.
func (s *Series) extent() (x0, x1, y0, y1 float64, ok bool) {
	x0, y0, x1, y1 = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := range s.X {
		x0, x1 = math.Min(x0, s.X[i]), math.Max(x1, s.X[i])
		y0, y1 = math.Min(y0, s.Y[i]), math.Max(y1, s.Y[i])
		if i < len(s.Top) {
			y0, y1 = math.Min(y0, s.Top[i]), math.Max(y1, s.Top[i])
		}
		if i < len(s.Low) {
			y0, y1 = math.Min(y0, s.Low[i]), math.Max(y1, s.Low[i])
		}
	}
	return x0, x1, y0, y1, len(s.X) > 0
}

// fit sets both axes' ranges and ticks to cover every series and span:
// from 0 where fromZero says so (sizes, times, rates), to a round value
// at or above the largest, with ticks at 1-2-5 steps. Categorical and
// integer axes keep their own rules.
func (f *Figure) fit(xFromZero, yFromZero bool) {
	x0, x1, y0, y1 := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := range f.Series {
		a, b, c, d, ok := f.Series[i].extent()
		if !ok {
			continue
		}
		x0, x1 = math.Min(x0, a), math.Max(x1, b)
		if !f.Series[i].Clip {
			y0, y1 = math.Min(y0, c), math.Max(y1, d)
		}
	}
	for _, s := range f.Spans {
		x0, x1 = math.Min(x0, s.From), math.Max(x1, s.To)
	}
	if math.IsInf(x0, 1) { // no data
		x0, x1 = 0, 1
	}
	if math.IsInf(y0, 1) {
		y0, y1 = 0, 1
	}
	if xFromZero && !f.X.Log {
		x0 = math.Min(x0, 0)
	}
	if yFromZero {
		y0 = math.Min(y0, 0)
	}
	switch {
	case len(f.X.Categories) > 0:
		f.X.Min, f.X.Max = 0.5, float64(len(f.X.Categories))+0.5
		f.X.Ticks = nil
		for i := range f.X.Categories {
			f.X.Ticks = append(f.X.Ticks, float64(i+1))
		}
	case f.X.Integer:
		f.X.Min, f.X.Max, f.X.Ticks = integerRange(x0, x1)
	case f.X.Log:
		f.X.Min, f.X.Max, f.X.Ticks = logRange(x0, x1)
	default:
		f.X.Min, f.X.Max, f.X.Ticks = niceRange(x0, x1)
	}
	f.Y.Min, f.Y.Max, f.Y.Ticks = niceRange(y0, y1)
	for i := range f.Series {
		if s := &f.Series[i]; s.Clip {
			for j := range s.Y {
				s.Y[j] = math.Min(s.Y[j], f.Y.Max)
			}
		}
	}
}

// window keeps what f shows in [x0, x1]: points outside go; a step or a
// line that holds a value into the window starts at x0 with it, and one
// that goes on past it ends at x1; shaded spans are cut to the window.
func (f *Figure) window(x0, x1 float64) {
	for i := range f.Series {
		s := &f.Series[i]
		joined := s.Kind == Step || s.Kind == Line || s.Kind == LinePoints
		var w Series
		for j := range s.X {
			x := s.X[j]
			switch {
			case x < x0:
				continue
			case x > x1:
				if joined && j > 0 && s.X[j-1] <= x1 {
					w.add(x1, s.Y[j-1])
				}
				continue
			}
			if joined && len(w.X) == 0 && j > 0 && x > x0 {
				w.add(x0, s.Y[j-1])
			}
			w.add(x, s.Y[j])
			if j < len(s.Top) {
				w.Top = append(w.Top, s.Top[j])
			}
			if j < len(s.Low) {
				w.Low = append(w.Low, s.Low[j])
			}
		}
		if joined && len(w.X) == 0 && len(s.X) > 0 && s.X[0] < x0 {
			// Every point before the window: the last value holds over it.
			last := s.Y[len(s.Y)-1]
			w.add(x0, last)
			if !math.IsInf(x1, 1) {
				w.add(x1, last)
			}
		}
		s.X, s.Y, s.Top, s.Low = w.X, w.Y, w.Top, w.Low
	}
	var sp []Span
	for _, s := range f.Spans {
		if s.To < x0 || s.From > x1 {
			continue
		}
		s.From, s.To = math.Max(s.From, x0), math.Min(s.To, x1)
		sp = append(sp, s)
	}
	f.Spans = sp
}

// Summary is a Figure as golden tests compare it: everything but the
// points themselves, which are counted, bounded, sampled (first and last
// three) and hashed.
type Summary struct {
	Name, Title string
	X, Y        Axis
	Spans       []Span `json:",omitempty"`
	Square      bool   `json:",omitempty"`
	Series      []SeriesSummary
}

// SeriesSummary stands for a Series in a Summary.
type SeriesSummary struct {
	Label                  string
	Legend                 string `json:",omitempty"`
	Kind                   Kind
	Shape                  string  `json:",omitempty"`
	Clip                   bool    `json:",omitempty"`
	DashSlot               int     `json:",omitempty"`
	DashSlots              int     `json:",omitempty"`
	Lift                   float64 `json:",omitempty"`
	Nudge                  float64 `json:",omitempty"`
	N                      int
	MinX, MaxX, MinY, MaxY float64
	First, Last            []string `json:",omitempty"` // "x y", and the bar's top and low
	SHA256                 string
}

// Summarise returns the summary of f.
func (f *Figure) Summarise() Summary {
	s := Summary{Name: f.Name, Title: f.Title, X: f.X, Y: f.Y, Spans: f.Spans, Square: f.Square}
	for i := range f.Series {
		sr := &f.Series[i]
		ss := SeriesSummary{Label: sr.Label, Legend: sr.Legend, Kind: sr.Kind, Shape: sr.Shape, Clip: sr.Clip, DashSlot: sr.DashSlot, DashSlots: sr.DashSlots, Lift: sr.Lift, Nudge: sr.Nudge, N: len(sr.X)}
		if x0, x1, y0, y1, ok := sr.extent(); ok {
			ss.MinX, ss.MaxX, ss.MinY, ss.MaxY = round9(x0), round9(x1), round9(y0), round9(y1)
		}
		h := sha256.New()
		for j := range sr.X {
			p := []float64{round9(sr.X[j]), round9(sr.Y[j])}
			if j < len(sr.Top) {
				p = append(p, round9(sr.Top[j]))
			}
			if j < len(sr.Low) {
				p = append(p, round9(sr.Low[j]))
			}
			line := strings.Trim(fmt.Sprint(p), "[]")
			fmt.Fprintln(h, line)
			if j < 3 {
				ss.First = append(ss.First, line)
			} else if j >= len(sr.X)-3 {
				ss.Last = append(ss.Last, line)
			}
		}
		ss.SHA256 = hex.EncodeToString(h.Sum(nil))[:16]
		s.Series = append(s.Series, ss)
	}
	return s
}

// round9 rounds to 9 significant digits, so that summaries do not depend
// on the last bits of floating-point arithmetic.
func round9(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	e := math.Pow(10, 8-math.Floor(math.Log10(math.Abs(v))))
	return math.Round(v*e) / e
}

// JSON returns the summary as indented JSON.
func (s Summary) JSON() []byte {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		panic(err) // plain data: cannot fail
	}
	return append(b, '\n')
}
