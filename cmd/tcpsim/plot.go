package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"tcpsim/internal/plot"
	proto "tcpsim/internal/protocol"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/sweep"
	"tcpsim/internal/trace"
	"tcpsim/sim"
)

// plotOptions are the plot command's flags; validate, inputs, runs and
// write are its body.
type plotOptions struct {
	flow, out, units, xAxis, vary string
	from, to                      string   // --from, --to: the time window drawn
	bin                           sim.Time // --bin: the throughput figures' interval (0: plot.DefaultBin)
	binFlag                       string
	oneFile                       bool // one FILE: its flows may be drawn together
	seed                          uint64
	seedSet                       bool // --seed was given: it overrides the files' seeds
	emulated                      bool // --emulate: the real kernel's runs (tcpsim emulate)
	stdout, stderr                io.Writer
}

// plotInput is one run to plot: its file, the base of the figures' file
// names, and its scenario.
type plotInput struct {
	file, base string
	sc         *scenario.Scenario
}

func newPlotCmd(stdout io.Writer) *cobra.Command {
	o := &plotOptions{stdout: stdout}
	cmd := &cobra.Command{
		Use:   "plot FILE... --out DIR",
		Short: "Write PNG and SVG plots of flows: time-sequence graph, cwnd/ssthresh, receive window, throughput, fairness",
		Long: `Write the figures of a flow, as PNG and SVG (1280x720, for a projector),
into DIR. For a TCP flow:

  time-sequence  each data segment a short vertical bar at the time it was
                 sent (tcptrace style), the cumulative ACK, the edge of the
                 advertised window (ACK + rwnd), SACKed blocks and losses
  cwnd           cwnd and ssthresh (a step), losses, fast retransmits and
                 timeouts marked, fast recovery shaded; the window inflation
                 of fast recovery drawn faint and cut at the top of the
                 axis, which cwnd sets, with a mark where it runs above
  rwnd           the window the receiver advertises, from 0

For an rdt flow (stop-and-wait, go-back-n, selective-repeat, rdt2.x) or a
UDP flow, the time-sequence graph counts packets: each packet sent a point
(rdt packets numbered past the wrap of their sequence numbers), the
retransmissions, losses, ACKs and timeouts marked; Go-Back-N's go-back is
the run of retransmissions stepping back after a timeout.

Every plot also writes throughput (payload delivered per --bin against
time, one line per flow). --flow a,b or --flow all draws several flows of
one run together: the TCP figures overlaid, one throughput figure, and for
two flows K&R's fairness phase plot (fairness: one throughput against the
other, bin by bin, with the equal-share line x = y and the
full-utilisation line x + y = R of a single link).

Several FILEs (or one FILE with --vary PATH=V1,V2,...) overlay the same
flow of each run on one set of axes, each series named
"<scenario name>: <congestion control> <flow>". Files are named after the
scenario files and the figure: <file>-<flow>-<kind>.png, or
<file1>+<file2>-<flow>-<kind>.png for an overlay.

--x rounds draws against transmission rounds: round 1 starts with the
first data segment; a round ends with the first ACK that acknowledges the
first segment sent in it, or a duplicate ACK at least one minimum RTT
after that segment was sent. --units segments counts in MSS. --from and
--to draw only a time window (--x time).`,
		Example: `  tcpsim plot ex:26-kr-tahoe ex:26-kr-reno --x rounds --units segments --out plots/
  tcpsim plot ex:26-kr-reno --vary flows.file.congestion=tahoe,reno,newreno --out plots/
  tcpsim plot ex:05 --out plots/
  tcpsim plot ex:27-aimd-convergence --flow all --bin 1s --out plots/
  tcpsim plot ex:11-rdt-go-back-n-loss --from 0.05s --to 0.25s --out plots/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.seedSet = cmd.Flags().Changed("seed")
			o.oneFile = len(args) == 1 && o.vary == ""
			o.stderr = cmd.ErrOrStderr()
			po, err := o.validate()
			if err != nil {
				return err
			}
			ins, err := o.inputs(args)
			if err != nil {
				return err
			}
			runs, err := o.runs(ins, &po)
			if err != nil {
				return err
			}
			return o.write(runs, po)
		},
	}
	cmd.Flags().StringVar(&o.flow, "flow", "", "flow to plot (default: the first TCP flow, else the first flow); several, comma-separated, or all: drawn together from one run")
	cmd.Flags().StringVar(&o.binFlag, "bin", "", "interval the throughput and fairness figures average over (default: about a fiftieth of the run)")
	cmd.Flags().StringVar(&o.out, "out", "", "directory for the PNG and SVG files")
	cmd.Flags().Uint64Var(&o.seed, "seed", 0, "override the scenarios' seed")
	cmd.Flags().StringVar(&o.units, "units", "bytes", "sizes in bytes (drawn in kB) or segments (of the flow's MSS)")
	cmd.Flags().StringVar(&o.xAxis, "x", "time", "x axis: time or rounds (transmission rounds, as Kurose & Ross draw cwnd)")
	cmd.Flags().BoolVar(&o.emulated, "emulate", false, "plot an emulated run (tcpsim emulate: the real kernel's packets, cwnd and ssthresh from TCP_INFO; Linux, root)")
	cmd.Flags().StringVar(&o.from, "from", "", "draw from this simulated time (e.g. 0.8s; --x time only)")
	cmd.Flags().StringVar(&o.to, "to", "", "draw up to this simulated time (e.g. 1.2s; --x time only)")
	cmd.Flags().StringVar(&o.vary, "vary", "", "PATH=V1,V2,...: overlay one run of FILE per value (e.g. flows.file.congestion=tahoe,reno)")
	return cmd
}

// validate checks the flags and returns the figures' options they give.
func (o *plotOptions) validate() (plot.Options, error) {
	var po plot.Options
	if o.out == "" {
		return po, fmt.Errorf("--out DIR is required")
	}
	switch o.units {
	case "bytes":
	case "segments":
		po.Segments = true
	default:
		return po, fmt.Errorf("--units %q: want bytes or segments", o.units)
	}
	switch o.xAxis {
	case "time":
	case "rounds":
		po.Rounds = true
	default:
		return po, fmt.Errorf("--x %q: want time or rounds", o.xAxis)
	}
	f, t, err := window("--from", o.from, "--to", o.to)
	if err != nil {
		return po, err
	}
	if (f > 0 || t > 0) && po.Rounds {
		return po, fmt.Errorf("--from/--to draw a time window: use them with --x time, not rounds")
	}
	if t > 0 && t == f {
		return po, fmt.Errorf("--from %s --to %s: an empty window: want --to after --from", o.from, o.to)
	}
	po.From, po.To = f, t
	if o.binFlag != "" {
		d, err := scenario.ParseDuration(o.binFlag)
		if err != nil {
			return po, fmt.Errorf("--bin: %w", err)
		}
		if d <= 0 {
			return po, fmt.Errorf("--bin %s: want an interval above 0 (e.g. 500ms)", o.binFlag)
		}
		o.bin = sim.Time(d)
	}
	return po, nil
}

// inputs loads the runs to overlay: every FILE, or one FILE once per
// --vary value.
func (o *plotOptions) inputs(args []string) ([]plotInput, error) {
	var ins []plotInput
	if o.vary == "" {
		for _, a := range args {
			sc, err := loadScenario(a)
			if err != nil {
				return nil, err
			}
			ins = append(ins, plotInput{file: a, base: plot.FileBase(sc.File), sc: sc})
		}
		return ins, nil
	}
	if len(args) != 1 {
		return nil, fmt.Errorf("--vary overlays the values of one FILE: got %d files", len(args))
	}
	ax, err := sweep.ParseAxis(o.vary)
	if err != nil {
		return nil, err
	}
	name, src, err := readScenario(args[0])
	if err != nil {
		return nil, err
	}
	for _, v := range ax.Values {
		sc, err := scenario.Parse(name, src, scenario.Override{Path: ax.Path, Value: v})
		if err != nil {
			return nil, fmt.Errorf("--vary: %w", err)
		}
		sc.Name += " [" + ax.Path + "=" + v + "]"
		ins = append(ins, plotInput{file: args[0], base: plot.FileBase(name) + "-" + ax.Path, sc: sc})
	}
	return ins, nil
}

// plotRuns are the runs to draw: the TCP flows (overlaid by plot.Flows),
// the rdt and UDP flows (plot.Packets, one figure each), and all of them
// in order for the throughput figure; capacity is the shared link's rate
// for the fairness figure (0 when unknown: a topology).
type plotRuns struct {
	tcp, packets, all []plot.Run
	capacity          float64
}

// runs runs each input, tracing the flows to plot, and names the figures
// after the inputs (po.Name, po.Title).
func (o *plotOptions) runs(ins []plotInput, po *plot.Options) (*plotRuns, error) {
	out := &plotRuns{}
	var bases, titles []string
	flows := map[string]bool{}
	for _, in := range ins {
		fs, err := plotFlows(in.sc, o.flow)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", in.file, err)
		}
		if len(fs) > 1 && (len(ins) > 1 || o.emulated) {
			return nil, fmt.Errorf("--flow %q: several flows are drawn from one run of one FILE (not with several FILEs, --vary or --emulate)", o.flow)
		}
		s := in.sc.Seed
		if o.seedSet {
			s = o.seed
		}
		if err := o.runOne(in, fs, s, out); err != nil {
			return nil, fmt.Errorf("%s: %w", in.file, err)
		}
		for _, f := range fs {
			flows[f.Name] = true
		}
		if len(bases) == 0 || bases[len(bases)-1] != in.base {
			bases = append(bases, in.base)
		}
		titles = append(titles, fmt.Sprintf("%s (seed %d)", in.sc.Name, s))
	}
	po.Name = strings.Join(bases, "+")
	po.Title = strings.Join(titles, " vs ")
	switch {
	case len(flows) == 1:
		for f := range flows {
			po.Name += "-" + f
			if len(out.all) == 1 {
				po.Title += ", flow " + f
			}
		}
	case len(ins) == 1:
		po.Name += "-flows"
	}
	return out, nil
}

// runOne runs one input with seed s, tracing flows fs (one run for all of
// them), and adds each flow's run to out.
func (o *plotOptions) runOne(in plotInput, fs []*scenario.Flow, s uint64, out *plotRuns) error {
	rec := &trace.Recorder{}
	var res *run.Result
	var err error
	if o.emulated {
		// The real kernel's run: its cwnd and ssthresh are the sender's
		// TCP_INFO samples.
		res, rec.Events, err = emulateTrace(in.sc, s, fs[0].Name, nil, o.stderr)
	} else {
		flt := &trace.Filter{Next: rec}
		if len(fs) == 1 {
			flt.Flow = fs[0].Name
		}
		res, err = run.ScenarioWith(in.sc, s, run.Options{Trace: flt, TraceRecovery: true})
	}
	if err != nil {
		return err
	}
	if !in.sc.Topology() {
		out.capacity = float64(run.LinkConfig(in.sc.LinkDirection("forward")).Rate)
	}
	for _, f := range fs {
		evs := rec.Events
		if len(fs) > 1 {
			evs = nil
			for _, e := range rec.Events {
				if e.Flow == f.Name {
					evs = append(evs, e)
				}
			}
		}
		if in.sc.Topology() {
			// The figures are per flow: its packets seen from its end
			// hosts, a drop on any hop a drop.
			r, _ := flowRoute(res, f.Name)
			if r == nil {
				return fmt.Errorf("flow %s has no path from its sender to its receiver", f.Name)
			}
			evs = trace.EndToEnd(evs, r.Path, r.Back)
		}
		pr := plot.Run{Label: in.sc.Name + ": " + algorithmName(f) + " " + f.Name, Events: evs}
		if f.TCP != nil {
			pr.MSS, pr.Textbook = f.TCP.MSS, f.TCP.TextbookWindow
			if pr.MSS == 0 {
				pr.MSS = 1460
			}
			out.tcp = append(out.tcp, pr)
		} else {
			out.packets = append(out.packets, pr)
		}
		out.all = append(out.all, pr)
	}
	return nil
}

// write draws the figures and writes each as PNG and SVG into --out,
// saying every file written: the TCP figures, each packet flow's
// time-sequence, the throughput of every flow drawn, and with two flows
// of one run their fairness phase plot.
func (o *plotOptions) write(rs *plotRuns, po plot.Options) error {
	var figs []*plot.Figure
	if len(rs.tcp) > 0 {
		fs, err := plot.Flows(rs.tcp, po)
		if err != nil {
			return err
		}
		figs = append(figs, fs...)
	}
	for _, r := range rs.packets {
		pp := po
		if len(rs.all) > 1 {
			name := r.Label[strings.LastIndex(r.Label, " ")+1:]
			pp.Name, pp.Title = po.Name+"-"+name, po.Title+", flow "+name
		}
		f, err := plot.Packets(r, pp)
		if err != nil {
			return err
		}
		figs = append(figs, f)
	}
	f, err := plot.ThroughputFigure(rs.all, po, o.bin)
	if err != nil {
		return err
	}
	figs = append(figs, f)
	if len(rs.all) == 2 && o.oneFile {
		f, err := plot.FairnessFigure(rs.all[0], rs.all[1], po, o.bin, rs.capacity)
		if err != nil {
			return err
		}
		figs = append(figs, f)
	}
	for _, fg := range figs {
		files, err := plot.Render(fg, o.out)
		for _, f := range files {
			fmt.Fprintln(o.stdout, "wrote", f)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// plotFlows returns the flows --flow names: by default the first TCP flow
// (the first flow when none is TCP), "all" every flow, else the
// comma-separated names, a repeated flow's members by name.
func plotFlows(sc *scenario.Scenario, names string) ([]*scenario.Flow, error) {
	fs := sc.Expanded(sc.Seed)
	if len(fs) == 0 {
		return nil, fmt.Errorf("no flow to plot")
	}
	var out []*scenario.Flow
	switch names {
	case "":
		for i := range fs {
			if proto.IsFamily(fs[i].Protocol, proto.TCP) && fs[i].TCP != nil {
				return []*scenario.Flow{&fs[i]}, nil
			}
		}
		return []*scenario.Flow{&fs[0]}, nil
	case "all":
		for i := range fs {
			out = append(out, &fs[i])
		}
		return out, nil
	}
	for _, n := range strings.Split(names, ",") {
		n = strings.TrimSpace(n)
		found := false
		for i := range fs {
			if fs[i].Name == n {
				out, found = append(out, &fs[i]), true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("--flow %q: %s", n, sc.NoSuchFlow(n))
		}
	}
	return out, nil
}

// algorithmName names a flow's congestion control for a legend ("reno",
// "newreno sack"), or its protocol ("go-back-n", "udp").
func algorithmName(f *scenario.Flow) string {
	if f.TCP == nil {
		return f.Protocol
	}
	s := f.TCP.Congestion
	if s == "" {
		s = "tcp"
	}
	if f.TCP.SACK {
		s += " sack"
	}
	return s
}
