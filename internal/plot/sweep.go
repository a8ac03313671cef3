package plot

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	proto "tcpsim/internal/protocol"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/sweep"
	"tcpsim/internal/validate"
	"tcpsim/model/link"

	"tcpsim/internal/outdir"
)

// PointScenarios parses the scenario of every point of a sweep (the file
// with the point's values applied), for the model overlays.
func PointScenarios(file string, src []byte, m sweep.Meta) ([]*scenario.Scenario, error) {
	out := make([]*scenario.Scenario, len(m.Labels))
	for i, label := range m.Labels {
		ovs := make([]scenario.Override, len(m.Axes))
		for k, a := range m.Axes {
			ovs[k] = scenario.Override{Path: a.Path, Value: label[k]}
		}
		sc, err := scenario.Parse(file, src, ovs...)
		if err != nil {
			return nil, fmt.Errorf("plot: point %v: %w", label, err)
		}
		out[i] = sc
	}
	return out, nil
}

// series is one line of a sweep plot: a flow at one combination of the
// axes other than the first, across the first axis's values.
type series struct {
	name   string
	flow   int
	points []int // the sweep point of each value of the first axis
	s      Series
	failed Series // points whose mean covers only some runs (others failed)
}

// sweepSeries returns one series per flow and per combination of the
// values of the axes after the first, in grid order: every series is
// drawn, even one with no completed run (then it has no points, and its
// legend says so). pts, when not nil, holds the scenario of each point,
// to name the flow's protocol and algorithm.
func sweepSeries(m sweep.Meta, st sweep.Stats, xs []float64, pts []*scenario.Scenario, metric sweep.Metric) []series {
	ax := m.Axes[0]
	stride := len(m.Labels) / len(ax.Values) // points per value of the first axis
	var out []series
	for rest := range stride {
		for fi, flow := range m.Flows {
			s := series{flow: fi}
			name := flow.Name + " (" + algorithm(flow, fi, pts, ax.Values, stride, rest) + ")"
			for k, a := range m.Axes[1:] {
				name += ", " + a.Path + "=" + m.Labels[rest][k+1]
			}
			for vi := range ax.Values {
				pi := vi*stride + rest
				s.points = append(s.points, pi)
				fs := st.Points[pi].Flows[fi]
				sum := fs.Summary[metric]
				if math.IsNaN(sum.Mean) {
					continue
				}
				lo, hi := sum.CILow, sum.CIHigh
				if math.IsNaN(lo) {
					lo, hi = sum.Mean, sum.Mean
				}
				lo = math.Max(lo, 0) // Student's t may reach below 0: no metric can
				u := metric.InTableUnit
				s.s.add(xs[vi], u(sum.Mean))
				s.s.Low = append(s.s.Low, u(lo))
				s.s.Top = append(s.s.Top, u(hi))
				if sum.N < fs.Runs.Total {
					s.failed.add(xs[vi], metric.InTableUnit(sum.Mean))
				}
			}
			if len(s.s.X) == 0 {
				name += " (no completed run)"
			}
			s.name = name
			out = append(out, s)
		}
	}
	return out
}

// algorithm names a flow's protocol, and for TCP its congestion control
// when it is the same at every point of the series: "tcp newreno", "udp",
// "go-back-n".
func algorithm(f sweep.FlowInfo, fi int, pts []*scenario.Scenario, vals []string, stride, rest int) string {
	if !proto.IsFamily(f.Protocol, proto.TCP) || pts == nil {
		return f.Protocol
	}
	cc := ""
	for vi := range vals {
		sc := pts[vi*stride+rest]
		if fi >= len(sc.Flows) || sc.Flows[fi].TCP == nil {
			return f.Protocol
		}
		c := sc.Flows[fi].TCP.Congestion
		if cc != "" && c != cc {
			return f.Protocol // the axis varies it: the x axis names it
		}
		cc = c
	}
	if cc == "" {
		return f.Protocol
	}
	return f.Protocol + " " + cc
}

// dataDir returns the link direction carrying a flow's data.
func dataDir(sc *scenario.Scenario, f *scenario.Flow) (data, acks link.Config) {
	fwd, rev := run.LinkConfig(sc.LinkDirection("forward")), run.LinkConfig(sc.LinkDirection("reverse"))
	if f.From == "b" {
		return rev, fwd
	}
	return fwd, rev
}

// Header sizes for the models: IPv4 + TCP without options, IPv4 + UDP.
const (
	tcpHeaders = 40
	udpHeaders = 28
)

// modelGoodput returns what the textbook model predicts for flow fi of
// sc, in bits per second, and the model's name; ok is false where the
// model does not apply (no random loss for Mathis, a Gilbert-Elliott
// channel, an unknown protocol).
//
//   - TCP: Mathis et al. 1997, MSS/RTT · sqrt(3/2)/sqrt(p), capped at the
//     link's payload rate and at rwnd/RTT, which the model ignores;
//   - UDP: (1 − p) · the offered rate (at most the link's payload rate);
//   - rdt: the utilisation U = min(1, N·(L/R)/(RTT + L/R)) times the
//     link's payload rate, for a clean link (Kurose & Ross §3.4).
func modelGoodput(sc *scenario.Scenario, fi int) (bps float64, name string, ok bool) {
	if fi >= len(sc.Flows) || sc.Topology() { // the models are of one link
		return 0, "", false
	}
	f := &sc.Flows[fi]
	data, acks := dataDir(sc, f)
	if data.Rate <= 0 {
		return 0, "", false
	}
	r, rr := float64(data.Rate), float64(acks.Rate)
	if rr <= 0 {
		rr = r
	}
	bernoulli := data.Loss.Model == link.LossBernoulli || data.Loss.P == 0
	p := data.Loss.P
	switch {
	case f.TCP != nil:
		if !bernoulli || p <= 0 {
			return 0, "", false
		}
		mss := f.TCP.MSS
		if mss == 0 {
			mss = 1460
		}
		rtt := (data.Delay + acks.Delay).Seconds() + float64(mss+tcpHeaders)*8/r + tcpHeaders*8/rr
		b := validate.MathisRate(mss, rtt, p)
		b = math.Min(b, r*float64(mss)/float64(mss+tcpHeaders))
		if rw := float64(f.TCP.RecvBuffer); rw > 0 {
			b = math.Min(b, rw*8/rtt)
		}
		return b, "Mathis et al. 1997 (Reno)", true
	case f.UDP != nil:
		if !bernoulli {
			return 0, "", false
		}
		dg := float64(f.UDP.Datagram)
		offered := float64(f.UDP.Rate)
		if dg > 0 {
			offered = math.Min(offered, r*dg/(dg+udpHeaders))
		}
		return (1 - p) * offered, "(1 − p) × offered", true
	case f.RDT != nil:
		n := max(f.RDT.Window, 1)
		pl := float64(f.RDT.Packet)
		l := (pl + validate.RDTOverhead) * 8 / r
		rtt := (data.Delay + acks.Delay).Seconds() + validate.RDTOverhead*8/rr
		u := validate.PipelinedUtilisation(n, l, rtt)
		return u * r * pl / (pl + validate.RDTOverhead), "K&R U = min(1, N·(L/R)/(RTT+L/R)), no loss", true
	}
	return 0, "", false
}

// SweepFigure builds the figure of a sweep: goodput against the first
// varied parameter with 95% confidence bars, one line per flow and per
// combination of the other axes' values (none left out), and beside each
// the textbook model's prediction, dashed, where one applies. Means are
// over completed runs only; a point where some runs failed is circled and
// the title gives the count. A parameter whose values are not all
// numbers (congestion: reno, cubic) gets a categorical axis, its values
// in the order given. pts holds each point's scenario (PointScenarios);
// nil draws no models.
func SweepFigure(m sweep.Meta, recs []sweep.Record, pts []*scenario.Scenario, so SweepOptions) (*Figure, error) {
	return SweepStatsFigure(m, sweep.Summaries(m, recs), pts, so)
}

// SweepOptions choose how a sweep figure is drawn.
type SweepOptions struct {
	// LogX draws the first axis on a log scale (sweep --log-x): every
	// value must be a number above 0 (CheckLogX).
	LogX bool
	// File and Src are the scenario file and its text: with them each
	// model is a curve sampled densely between the swept values
	// (modelSamples points, or every whole value of a whole-number
	// parameter), not a polyline through the swept points.
	File string
	Src  []byte
	// Metric is the metric drawn (sweep --plot-metric): goodput, the zero
	// value, by default. Goodput is drawn with its textbook models, the
	// mean queueing delay with the M/D/1 queue's (modelQueueDelay), the
	// other metrics without a model.
	Metric sweep.Metric
}

// metricModel returns the textbook model of a metric, nil if it has
// none: for flow fi of a point's scenario, the model's value in the
// metric's table unit and its legend (series names the flow); ok is false
// where the model does not apply. Goodput has Mathis, 1 − p and the rdt
// utilisation (modelGoodput), the mean queueing delay the M/D/1 queue
// (modelQueueDelay).
func metricModel(m sweep.Meta, metric sweep.Metric) func(sc *scenario.Scenario, fi int, series string) (float64, string, bool) {
	switch metric {
	case sweep.Goodput:
		return func(sc *scenario.Scenario, fi int, series string) (float64, string, bool) {
			bps, model, ok := modelGoodput(sc, fi)
			return bps / 1e6, series + ": model, " + model, ok
		}
	case sweep.QueueDelayMean:
		return func(sc *scenario.Scenario, fi int, _ string) (float64, string, bool) {
			if fi >= len(m.Flows) {
				return 0, "", false
			}
			s, ok := modelQueueDelay(sc, m.Flows[fi].Name)
			// One curve for every flow that shares the queues.
			return metric.InTableUnit(s), queueModelName, ok
		}
	}
	return nil
}

// modelSamples is how many points a model curve is sampled at.
const modelSamples = 160

// CheckLogX says why a sweep axis cannot be drawn on a log scale: a
// value that is not a number above 0 (a loss of 0, a category).
func CheckLogX(ax sweep.Axis) error {
	for _, v := range ax.Values {
		if x, ok := numeric(v); !ok || x <= 0 {
			return fmt.Errorf("--log-x: %s value %q is not a number above 0: a log axis cannot show it (leave it out of --vary or drop --log-x)", ax.Path, v)
		}
	}
	return nil
}

// SweepStatsFigure is SweepFigure from the sweep's statistics (a
// streaming sweep keeps no records).
func SweepStatsFigure(m sweep.Meta, st sweep.Stats, pts []*scenario.Scenario, so SweepOptions) (*Figure, error) {
	if len(m.Axes) == 0 {
		return nil, fmt.Errorf("plot: a sweep plot needs at least one --vary")
	}
	if so.LogX {
		if err := CheckLogX(m.Axes[0]); err != nil {
			return nil, fmt.Errorf("plot: %w", err)
		}
	}
	if pts != nil && len(pts) != len(m.Labels) {
		return nil, fmt.Errorf("plot: %d point scenarios for %d points", len(pts), len(m.Labels))
	}
	ax := m.Axes[0]
	name := so.Metric.Name()
	title := fmt.Sprintf("%s: %s vs %s (mean of %d seeds, 95%% CI)", m.Scenario, strings.ReplaceAll(name, "_", " "), ax.Path, m.Seeds)
	if st.Runs.Failed > 0 {
		title += fmt.Sprintf("\n%d of %d runs failed: circled means cover completed runs only", st.Runs.Failed, st.Runs.Total)
	}
	f := &Figure{Name: outdir.Name(FileBase(m.File) + "-" + name + "-vs-" + ax.Path), Title: title,
		X: Axis{Label: ax.Path + unit(ax.Values), Log: so.LogX}, Y: Axis{Label: so.Metric.Title()}}
	if m.File == "" {
		f.Name = outdir.Name(m.Scenario + "-" + name + "-vs-" + ax.Path)
	}
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
		f.X.Categories = append([]string(nil), ax.Values...)
		f.X.Label = ax.Path
	}
	var models []Series
	all := sweepSeries(m, st, xs, pts, so.Metric)
	for i, s := range all {
		c := runColours[i%len(runColours)]
		s.s.Label, s.s.Kind, s.s.Color, s.s.Shape = s.name, ErrorBars, c, []string{Circle, Square, Triangle, Diamond, Plus}[i%5]
		if !allNumeric {
			// Categories have no order to join, and series side by side
			// are set apart a little so that their bars do not hide
			// each other.
			s.s.Kind = ErrorPoints
			dodge := (float64(i) - float64(len(all)-1)/2) * math.Min(0.3/float64(len(all)), 0.1)
			for j := range s.s.X {
				s.s.X[j] += dodge
			}
			for j := range s.failed.X {
				s.failed.X[j] += dodge
			}
		}
		f.Series = append(f.Series, s.s)
		if len(s.failed.X) > 0 {
			s.failed.Label, s.failed.Kind, s.failed.Shape, s.failed.Color = "some runs failed", Points, Ring, cRed
			f.Series = append(f.Series, s.failed)
		}
		if pts == nil || metricModel(m, so.Metric) == nil {
			continue
		}
		if mod := modelSeries(m, s, xs, pts, allNumeric, so); len(mod.X) > 0 && !sameModel(models, mod) {
			mod.Color = c
			if so.Metric == sweep.QueueDelayMean {
				mod.Color = cRed // one curve for all the flows sharing the queues
			}
			models = append(models, mod)
		}
	}
	f.Series = append(f.Series, models...)
	var limit *Series
	if so.Metric == sweep.QueueDelayMean && allNumeric && pts != nil && len(all) > 0 {
		if x, ok := capacityLimit(m.Flows[all[0].flow].Name, all[0], xs, pts); ok {
			limit = &Series{Label: fmt.Sprintf("capacity limit: ρ = 1 at %.4g %s (where the delay has no bound)", x, strings.TrimSuffix(strings.TrimPrefix(unit(ax.Values), " ("), ")")),
				Kind: Line, Color: cGrey, Faint: true}
			limit.add(x, 0)
			limit.add(x, 0) // its top set to the axis's once fitted
			f.Series = append(f.Series, *limit)
		}
	}
	f.fit(true, true)
	if so.Metric == sweep.QueueDelayMean {
		// Near saturation a queue converges slowly: a few seeds give
		// a CI far above the mean (the other metrics keep their CIs
		// whole, their figures as they were).
		f.clipIntervals()
	}
	if limit != nil {
		l := &f.Series[len(f.Series)-1]
		for i := range f.Series {
			if f.Series[i].Label == limit.Label {
				l = &f.Series[i]
			}
		}
		l.Y[1] = f.Y.Max
	}
	f.nudgeOverlaps()
	for i := range f.Series { // a clipped CI's arrow goes with its bar
		for _, o := range f.Series {
			if m := &f.Series[i]; m.Shape == ArrowUp && o.Label != "" && strings.HasPrefix(m.Label, o.Label+": 95% CI") {
				m.Nudge = o.Nudge
			}
		}
	}
	return f, nil
}

// capacityLimit returns where on the first axis the busiest queue on
// series s's path reaches the load ρ = 1 that the M/D/1 model's wait
// rises without bound towards (λ → R/2 for each of exercise 40's two
// flows; K&R Figure 3.44): ρ is affine in a rate, so it is extrapolated
// from the swept points. ok is false unless ρ is known at every point,
// rises, and is affine in the axis (to 1e-6).
func capacityLimit(flow string, s series, xs []float64, pts []*scenario.Scenario) (float64, bool) {
	if len(s.points) < 2 {
		return 0, false
	}
	rho := make([]float64, len(s.points))
	for vi, pi := range s.points {
		r, ok := queueLoad(pts[pi], flow)
		if !ok {
			return 0, false
		}
		rho[vi] = r
	}
	n := len(xs) - 1
	if xs[n] == xs[0] || rho[n] <= rho[0] {
		return 0, false
	}
	slope := (rho[n] - rho[0]) / (xs[n] - xs[0])
	for vi := range xs {
		if want := rho[0] + slope*(xs[vi]-xs[0]); math.Abs(rho[vi]-want) > 1e-6*math.Max(1, want) {
			return 0, false
		}
	}
	x := xs[0] + (1-rho[0])/slope
	if x <= 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, false
	}
	return x, true
}

// nudgeOverlaps sets apart, by a few points across, the error-bar
// series whose means all lie within 1% of the y axis's height of another
// series' at the same x (exercise 40's conn#1 and conn#2 share one queue
// and one delay: drawn in place, the second hid the first): each of a
// group of k is drawn Nudge points left or right of the centre, 10
// points apart, so every glyph and bar shows. The data stay as they are.
func (f *Figure) nudgeOverlaps() {
	tol := 0.01 * (f.Y.Max - f.Y.Min)
	close := func(a, b *Series) bool {
		if !slices.Equal(a.X, b.X) {
			return false
		}
		for j := range a.Y {
			if math.Abs(a.Y[j]-b.Y[j]) > tol {
				return false
			}
		}
		return true
	}
	done := map[int]bool{}
	for i := range f.Series {
		a := &f.Series[i]
		if a.Kind != ErrorBars || done[i] {
			continue
		}
		group := []int{i}
		for j := i + 1; j < len(f.Series); j++ {
			if b := &f.Series[j]; b.Kind == ErrorBars && !done[j] && close(a, b) {
				group = append(group, j)
			}
		}
		if len(group) < 2 {
			continue
		}
		for k, j := range group {
			done[j] = true
			f.Series[j].Nudge = (float64(k) - float64(len(group)-1)/2) * 10
		}
	}
}

// clipIntervals keeps confidence intervals from setting the y scale when
// one runs far above every mean and model (the last point of exercise
// 40's sweep, so near saturation that three seeds give a CI twice the
// mean, flattening every other point): when the axis fitted to the means,
// the models and the CIs' lower ends is less than two thirds of the one
// fitted to everything, the figure takes the smaller, cuts those CIs at
// its top and marks each with an arrow there, as the inflated cwnd is.
func (f *Figure) clipIntervals() {
	full, fullX := f.Y, f.X
	tops := make([][]float64, len(f.Series))
	for i := range f.Series {
		if s := &f.Series[i]; s.Kind == ErrorBars || s.Kind == ErrorPoints {
			tops[i], s.Top = s.Top, slices.Clone(s.Y)
		}
	}
	f.fit(true, true)
	if f.Y.Max*1.5 > full.Max {
		f.Y, f.X = full, fullX
		for i := range f.Series {
			if tops[i] != nil {
				f.Series[i].Top = tops[i]
			}
		}
		return
	}
	var marks []Series
	for i := range f.Series {
		s := &f.Series[i]
		if tops[i] == nil {
			continue
		}
		s.Top = tops[i]
		m := Series{Legend: "95% CI runs on above the axis", Kind: Points, Shape: ArrowUp, Color: s.Color}
		peak := 0.0
		for j := range s.Top {
			if s.Top[j] > f.Y.Max {
				peak = math.Max(peak, s.Top[j])
				s.Top[j] = f.Y.Max
				m.add(s.X[j], f.Y.Max)
			}
		}
		if len(m.X) > 0 {
			m.Label = fmt.Sprintf("%s: 95%% CI above the axis (up to %.4g)", s.Label, peak)
			marks = append(marks, m)
		}
	}
	f.Series = append(f.Series, marks...)
}

// modelSeries is the textbook model beside series s: dashed, sampled
// densely over the swept range where the axis is numeric and the scenario
// text is known (so.Src), else at the swept values; pluses on a
// categorical axis.
func modelSeries(m sweep.Meta, s series, xs []float64, pts []*scenario.Scenario, numericAxis bool, so SweepOptions) Series {
	mod := Series{Kind: Line, Dashed: true}
	if !numericAxis {
		mod.Kind, mod.Shape = Points, Plus
	}
	name := strings.SplitN(s.name, ",", 2)[0]
	model := metricModel(m, so.Metric)
	for vi, pi := range s.points {
		if y, label, ok := model(pts[pi], s.flow, name); ok {
			mod.add(xs[vi], y)
			mod.Label = label
		}
	}
	if len(mod.X) < 2 || !numericAxis || so.Src == nil {
		return mod
	}
	dense := Series{Kind: Line, Dashed: true, Label: mod.Label}
	lo, hi := slices.Min(xs), slices.Max(xs)
	for _, x := range sampleAxis(m, s, lo, hi, so) {
		sc, err := parseAt(m, s, x, so)
		if err != nil {
			return mod // a value the parameter refuses: the swept points only
		}
		if y, _, ok := model(sc, s.flow, name); ok {
			dense.add(x.v, y)
		}
	}
	if len(dense.X) < len(mod.X) {
		return mod
	}
	return dense
}

// sample is a value of the first axis: its number and its text.
type sample struct {
	v    float64
	text string
}

// sampleAxis returns modelSamples values from lo to hi (spaced evenly,
// or evenly in log with LogX), in the unit of the axis's values; for a
// parameter whose swept values are all whole numbers, every whole number
// from lo to hi (at most modelSamples of them, evenly picked).
func sampleAxis(m sweep.Meta, s series, lo, hi float64, so SweepOptions) []sample {
	vals := m.Axes[0].Values
	suffix, whole := "", true
	for _, v := range vals {
		x, _ := numeric(v)
		whole = whole && x == math.Trunc(x)
		if n := strings.TrimLeft(strings.TrimSpace(v), "0123456789.+-eE"); n != "" {
			suffix = n
		}
	}
	var out []sample
	add := func(x float64) {
		out = append(out, sample{x, strconv.FormatFloat(x, 'f', -1, 64) + suffix})
	}
	if whole && hi-lo <= modelSamples {
		for x := lo; x <= hi; x++ {
			add(x)
		}
		return out
	}
	for i := range modelSamples + 1 {
		f := float64(i) / modelSamples
		x := lo + f*(hi-lo)
		if so.LogX {
			x = lo * math.Pow(hi/lo, f)
		}
		if whole {
			x = math.Round(x)
			if len(out) > 0 && out[len(out)-1].v == x {
				continue
			}
		} else {
			x = round9(x)
		}
		add(x)
	}
	return out
}

// parseAt parses the sweep's scenario with the first axis at x and the
// other axes at series s's values.
func parseAt(m sweep.Meta, s series, x sample, so SweepOptions) (*scenario.Scenario, error) {
	label := m.Labels[s.points[0]]
	ovs := []scenario.Override{{Path: m.Axes[0].Path, Value: x.text}}
	for k, a := range m.Axes[1:] {
		ovs = append(ovs, scenario.Override{Path: a.Path, Value: label[k+1]})
	}
	return scenario.Parse(so.File, so.Src, ovs...)
}

// sameModel reports whether models already holds a line with the same
// label and points as m (a model that ignores an axis's other values).
func sameModel(models []Series, m Series) bool {
	for _, o := range models {
		if o.Label == m.Label && slices.Equal(o.X, m.X) && slices.Equal(o.Y, m.Y) {
			return true
		}
	}
	return false
}
