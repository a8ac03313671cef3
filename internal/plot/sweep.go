package plot

import (
	"fmt"
	"math"
	"slices"
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
func sweepSeries(m sweep.Meta, st sweep.Stats, xs []float64, pts []*scenario.Scenario) []series {
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
				sum := fs.Summary[sweep.Goodput]
				if math.IsNaN(sum.Mean) {
					continue
				}
				lo, hi := sum.CILow, sum.CIHigh
				if math.IsNaN(lo) {
					lo, hi = sum.Mean, sum.Mean
				}
				lo = math.Max(lo, 0) // Student's t may reach below 0: goodput cannot
				s.s.add(xs[vi], sum.Mean/1e6)
				s.s.Low = append(s.s.Low, lo/1e6)
				s.s.Top = append(s.s.Top, hi/1e6)
				if sum.N < fs.Runs.Total {
					s.failed.add(xs[vi], sum.Mean/1e6)
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
func SweepFigure(m sweep.Meta, recs []sweep.Record, pts []*scenario.Scenario) (*Figure, error) {
	return SweepStatsFigure(m, sweep.Summaries(m, recs), pts)
}

// SweepStatsFigure is SweepFigure from the sweep's statistics (a
// streaming sweep keeps no records).
func SweepStatsFigure(m sweep.Meta, st sweep.Stats, pts []*scenario.Scenario) (*Figure, error) {
	if len(m.Axes) == 0 {
		return nil, fmt.Errorf("plot: a sweep plot needs at least one --vary")
	}
	if pts != nil && len(pts) != len(m.Labels) {
		return nil, fmt.Errorf("plot: %d point scenarios for %d points", len(pts), len(m.Labels))
	}
	ax := m.Axes[0]
	title := fmt.Sprintf("%s: goodput vs %s (mean of %d seeds, 95%% CI)", m.Scenario, ax.Path, m.Seeds)
	if st.Runs.Failed > 0 {
		title += fmt.Sprintf("\n%d of %d runs failed: circled means cover completed runs only", st.Runs.Failed, st.Runs.Total)
	}
	f := &Figure{Name: outdir.Name(FileBase(m.File) + "-goodput-vs-" + ax.Path), Title: title,
		X: Axis{Label: ax.Path + unit(ax.Values)}, Y: Axis{Label: "goodput (Mbps)"}}
	if m.File == "" {
		f.Name = outdir.Name(m.Scenario + "-goodput-vs-" + ax.Path)
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
	all := sweepSeries(m, st, xs, pts)
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
		if pts == nil {
			continue
		}
		mod := Series{Kind: Line, Color: c, Dashed: true}
		if !allNumeric {
			mod.Kind = Points
			mod.Shape = Plus
		}
		for vi, pi := range s.points {
			if bps, name, ok := modelGoodput(pts[pi], s.flow); ok {
				mod.add(xs[vi], bps/1e6)
				mod.Label = strings.SplitN(s.name, ",", 2)[0] + ": model, " + name
			}
		}
		if len(mod.X) > 0 && !sameModel(models, mod) {
			models = append(models, mod)
		}
	}
	f.Series = append(f.Series, models...)
	f.fit(true, true)
	return f, nil
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
