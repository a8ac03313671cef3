// Package plot draws tcpsim's figures with gonum.org/v1/plot, as PNG and
// SVG: the time-sequence graph of a TCP flow, its congestion window and
// slow-start threshold, the receiver's advertised window, and a sweep's
// goodput against the varied parameter with 95% confidence bars.
package plot

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"tcpsim/internal/sweep"
	"tcpsim/internal/trace"
)

var (
	blue   = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	orange = color.RGBA{R: 255, G: 127, B: 14, A: 255}
	green  = color.RGBA{R: 44, G: 160, B: 44, A: 255}
	red    = color.RGBA{R: 214, G: 39, B: 40, A: 255}
	gray   = color.RGBA{R: 120, G: 120, B: 120, A: 255}
	purple = color.RGBA{R: 148, G: 103, B: 189, A: 255}
)

// Size of every figure.
const (
	width  = 8 * vg.Inch
	height = 5 * vg.Inch
)

// save writes p to dir/name.png and dir/name.svg and returns the paths.
func save(p *plot.Plot, dir, name string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	var out []string
	for _, ext := range []string{".png", ".svg"} {
		f := filepath.Join(dir, name+ext)
		if err := p.Save(width, height, f); err != nil {
			return nil, fmt.Errorf("plot: %s: %w", f, err)
		}
		out = append(out, f)
	}
	return out, nil
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Legend.Top = true
	p.Legend.Left = true
	p.Add(plotter.NewGrid())
	return p
}

func scatter(p *plot.Plot, pts plotter.XYs, c color.Color, shape draw.GlyphDrawer, radius vg.Length, legend string) error {
	if len(pts) == 0 {
		return nil
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	s.GlyphStyle.Color = c
	s.GlyphStyle.Shape = shape
	s.GlyphStyle.Radius = radius
	p.Add(s)
	p.Legend.Add(legend, s)
	return nil
}

func stepLine(p *plot.Plot, pts plotter.XYs, c color.Color, legend string, dashed bool) error {
	if len(pts) == 0 {
		return nil
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return err
	}
	l.StepStyle = plotter.PostStep
	l.Color = c
	l.Width = vg.Points(1.2)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	p.Add(l)
	p.Legend.Add(legend, l)
	return nil
}

// Flow writes the three figures of one TCP flow from its trace events
// (already filtered to the flow) and returns the files written.
func Flow(evs []trace.Event, dir, scenario string, seed uint64, flow string) ([]string, error) {
	var files []string
	// Time-sequence graph (Stevens, TCP/IP Illustrated; tcptrace):
	// sequence number of each data segment sent, against time.
	isn := map[string]uint32{}
	var sent, retr, lost, scripted, acks plotter.XYs
	var sacked sackBars
	dataDir := ""
	for _, e := range evs {
		if e.Proto != "tcp" {
			continue
		}
		if strings.Contains(e.Flags, "SYN") && e.Kind == trace.Send {
			if _, ok := isn[e.Dir]; !ok {
				isn[e.Dir] = e.Seq + 1
			}
		}
		switch {
		case e.Kind == trace.Send && e.Len > 0:
			if dataDir == "" {
				dataDir = e.Dir
			}
			if e.Dir != dataDir {
				continue
			}
			y := float64(e.Seq-isn[e.Dir]) / 1000
			if e.Retrans {
				retr = append(retr, plotter.XY{X: e.T.Seconds(), Y: y})
			} else {
				sent = append(sent, plotter.XY{X: e.T.Seconds(), Y: y})
			}
		case e.Scripted && e.Len > 0 && e.Dir == dataDir:
			// Lost or corrupted on purpose (faults:): marked apart.
			scripted = append(scripted, plotter.XY{X: e.T.Seconds(), Y: float64(e.Seq-isn[e.Dir]) / 1000})
		case (e.Kind == trace.Lost || e.Kind == trace.QueueDrop || e.Kind == trace.ChecksumDrop) && e.Len > 0 && e.Dir == dataDir:
			lost = append(lost, plotter.XY{X: e.T.Seconds(), Y: float64(e.Seq-isn[e.Dir]) / 1000})
		case e.Kind == trace.Deliver && e.Len == 0 && dataDir != "" && e.Dir != dataDir && strings.Contains(e.Flags, "ACK"):
			acks = append(acks, plotter.XY{X: e.T.Seconds(), Y: float64(e.Ack-isn[dataDir]) / 1000})
			for _, b := range e.SACK.Blocks[:min(max(e.SACK.N, 0), trace.MaxSACKBlocks)] {
				lo, hi := float64(b[0]-isn[dataDir])/1000, float64(b[1]-isn[dataDir])/1000
				sacked.XYs = append(sacked.XYs, plotter.XY{X: e.T.Seconds(), Y: (lo + hi) / 2})
				sacked.YErrors = append(sacked.YErrors, struct{ Low, High float64 }{(hi - lo) / 2, (hi - lo) / 2})
			}
		}
	}
	p := newPlot(fmt.Sprintf("%s (seed %d), flow %s: time-sequence graph", scenario, seed, flow), "time (s)", "sequence number (kB, relative)")
	if err := stepLine(p, acks, gray, "ACK received", false); err != nil {
		return nil, err
	}
	if err := sackLines(p, sacked); err != nil {
		return nil, err
	}
	if err := scatter(p, sent, blue, draw.CircleGlyph{}, vg.Points(1.5), "segment sent"); err != nil {
		return nil, err
	}
	if err := scatter(p, retr, red, draw.TriangleGlyph{}, vg.Points(3), "retransmission"); err != nil {
		return nil, err
	}
	if err := scatter(p, lost, red, draw.CrossGlyph{}, vg.Points(4), "dropped (lost, queue, checksum)"); err != nil {
		return nil, err
	}
	if len(scripted) > 0 {
		if err := scatter(p, scripted, orange, draw.SquareGlyph{}, vg.Points(4), "scripted fault (faults:)"); err != nil {
			return nil, err
		}
	}
	f, err := save(p, dir, sanitize(scenario+"-"+flow+"-time-sequence"))
	if err != nil {
		return nil, err
	}
	files = append(files, f...)

	// Congestion window and ssthresh of the sender (the client).
	var cwnd, ssth plotter.XYs
	var rwnd plotter.XYs
	for _, e := range evs {
		switch {
		case e.Kind == trace.Cwnd && strings.HasPrefix(e.Detail, "client"):
			cwnd = append(cwnd, plotter.XY{X: e.T.Seconds(), Y: float64(e.Value) / 1000})
			if e.Value2 < 1<<29 { // "arbitrarily high" until the first loss
				ssth = append(ssth, plotter.XY{X: e.T.Seconds(), Y: float64(e.Value2) / 1000})
			}
		case e.Kind == trace.Rwnd && strings.HasPrefix(e.Detail, "server"):
			rwnd = append(rwnd, plotter.XY{X: e.T.Seconds(), Y: float64(e.Value) / 1000})
		}
	}
	p = newPlot(fmt.Sprintf("%s (seed %d), flow %s: congestion window", scenario, seed, flow), "time (s)", "window (kB)")
	if err := stepLine(p, cwnd, blue, "cwnd", false); err != nil {
		return nil, err
	}
	if err := stepLine(p, ssth, orange, "ssthresh", true); err != nil {
		return nil, err
	}
	if f, err = save(p, dir, sanitize(scenario+"-"+flow+"-cwnd")); err != nil {
		return nil, err
	}
	files = append(files, f...)

	p = newPlot(fmt.Sprintf("%s (seed %d), flow %s: receive window advertised by b", scenario, seed, flow), "time (s)", "advertised window (kB)")
	if err := stepLine(p, rwnd, green, "rwnd", false); err != nil {
		return nil, err
	}
	if f, err = save(p, dir, sanitize(scenario+"-"+flow+"-rwnd")); err != nil {
		return nil, err
	}
	return append(files, f...), nil
}

// sackBars holds the SACK blocks of the ACKs received, each a vertical
// segment at the ACK's arrival from the block's left edge to its right
// edge (as a midpoint and a half-length either side).
type sackBars struct {
	plotter.XYs
	plotter.YErrors
}

// sackLines draws the SACKed ranges as tcptrace does: a thin vertical line
// per SACK block, at the time the ACK carrying it arrived, spanning the
// sequence numbers the receiver holds above the cumulative ACK.
func sackLines(p *plot.Plot, bars sackBars) error {
	if len(bars.XYs) == 0 {
		return nil
	}
	eb, err := plotter.NewYErrorBars(bars)
	if err != nil {
		return err
	}
	eb.LineStyle.Color = purple
	eb.LineStyle.Width = vg.Points(1)
	eb.CapWidth = 0
	p.Add(eb)
	legend := &plotter.Line{LineStyle: eb.LineStyle}
	p.Legend.Add("SACKed (RFC 2018 blocks)", legend)
	return nil
}

// numeric reads a sweep value as a number for the x axis: "2%" is 2,
// "64KiB" stays 64 (with the unit in the axis label), plain numbers as is.
func numeric(v string) (float64, bool) {
	v = strings.TrimSpace(v)
	for _, suf := range []string{"%", "KiB", "MiB", "KB", "MB", "ms", "s", "Mbps", "kbps", "Gbps", "B"} {
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

// series is one line of a sweep plot: a flow at one combination of the
// axes other than the first, across the first axis's values.
type series struct {
	name   string
	pts    plotter.XYs
	errs   plotter.YErrors
	failed plotter.XYs // points whose mean covers only some runs (others failed)
}

// sweepSeries returns one series per flow and per combination of the
// values of the axes after the first, in grid order: every series is
// drawn, even one with no completed run (then it has no points, and its
// legend says so).
func sweepSeries(m sweep.Meta, st sweep.Stats, xs []float64) []series {
	ax := m.Axes[0]
	stride := len(m.Labels) / len(ax.Values) // points per value of the first axis
	var out []series
	for rest := range stride {
		for fi, flow := range m.Flows {
			name := flow.Name
			for k, a := range m.Axes[1:] {
				name += ", " + a.Path + "=" + m.Labels[rest][k+1]
			}
			s := series{name: name}
			for vi := range ax.Values {
				fs := st.Points[vi*stride+rest].Flows[fi]
				sum := fs.Summary[sweep.Goodput]
				if math.IsNaN(sum.Mean) {
					continue
				}
				xy := plotter.XY{X: xs[vi], Y: sum.Mean / 1e6}
				s.pts = append(s.pts, xy)
				lo, hi := (sum.Mean-sum.CILow)/1e6, (sum.CIHigh-sum.Mean)/1e6
				if math.IsNaN(lo) {
					lo, hi = 0, 0
				}
				s.errs = append(s.errs, struct{ Low, High float64 }{lo, hi})
				if sum.N < fs.Runs.Total {
					s.failed = append(s.failed, xy)
				}
			}
			if len(s.pts) == 0 {
				s.name += " (no completed run)"
			}
			out = append(out, s)
		}
	}
	return out
}

// Sweep writes goodput against the first varied parameter with 95%
// confidence bars: one line per flow and per combination of the other
// axes' values, so that no series is left out. Means are over completed
// runs only; a point where some runs failed is circled in red and the
// title gives the count. Non-numeric values are placed at 1, 2, 3, ... in
// order.
func Sweep(m sweep.Meta, recs []sweep.Record, dir string) ([]string, error) {
	if len(m.Axes) == 0 {
		return nil, fmt.Errorf("plot: a sweep plot needs at least one --vary")
	}
	ax := m.Axes[0]
	st := sweep.Summaries(m, recs)
	title := fmt.Sprintf("%s: goodput vs %s (mean over completed runs of %d seeds, 95%% CI)", m.Scenario, ax.Path, m.Seeds)
	if st.Runs.Failed > 0 {
		title += fmt.Sprintf("\n%d of %d runs failed: circled means cover completed runs only", st.Runs.Failed, st.Runs.Total)
	}
	p := newPlot(title, ax.Path+unit(ax.Values), "goodput (Mbps)")
	xs := make([]float64, len(ax.Values))
	allNumeric := true
	for vi, v := range ax.Values {
		x, ok := numeric(v)
		xs[vi] = x
		allNumeric = allNumeric && ok
	}
	if !allNumeric {
		for vi := range xs {
			xs[vi] = float64(vi + 1)
		}
	}
	p.Legend.Left = false                               // goodput mostly falls as the parameter grows
	palette := []color.Color{blue, orange, green, gray} // red marks failures
	for i, s := range sweepSeries(m, st, xs) {
		c := plotutil.Color(i)
		if i < len(palette) {
			c = palette[i]
		}
		if len(s.pts) == 0 {
			// Keep the series in the legend: an empty line says "nothing
			// completed" where leaving it out would say nothing.
			l := &plotter.Line{LineStyle: draw.LineStyle{Color: c, Width: vg.Points(1), Dashes: plotutil.Dashes(i)}}
			p.Legend.Add(s.name, l)
			continue
		}
		l, sc, err := plotter.NewLinePoints(s.pts)
		if err != nil {
			return nil, err
		}
		l.Color, sc.GlyphStyle.Color = c, c
		l.Dashes = plotutil.Dashes(i)
		sc.GlyphStyle.Shape = plotutil.Shape(i)
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{s.pts, s.errs})
		if err != nil {
			return nil, err
		}
		eb.LineStyle.Color = c
		p.Add(l, sc, eb)
		p.Legend.Add(s.name, l, sc)
		if len(s.failed) > 0 {
			ring, err := plotter.NewScatter(s.failed)
			if err != nil {
				return nil, err
			}
			ring.GlyphStyle = draw.GlyphStyle{Color: red, Radius: vg.Points(6), Shape: draw.RingGlyph{}}
			p.Add(ring)
		}
	}
	if !allNumeric {
		var ticks []plot.Tick
		for vi, v := range ax.Values {
			ticks = append(ticks, plot.Tick{Value: float64(vi + 1), Label: v})
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
	}
	return save(p, dir, sanitize(m.Scenario+"-goodput-vs-"+ax.Path))
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == ':' {
			return '_'
		}
		return r
	}, s)
}
