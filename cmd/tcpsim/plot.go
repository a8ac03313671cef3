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
)

// plotOptions are the plot command's flags; validate, inputs, runs and
// write are its body.
type plotOptions struct {
	flow, out, units, xAxis, vary string
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
		Short: "Write PNG and SVG plots of a TCP flow: time-sequence graph, cwnd/ssthresh, receive window",
		Long: `Write three figures of a TCP flow, as PNG and SVG, into DIR:

  time-sequence  each data segment a short vertical bar at the time it was
                 sent (tcptrace style), the cumulative ACK, the edge of the
                 advertised window (ACK + rwnd), SACKed blocks and losses
  cwnd           cwnd and ssthresh, losses, fast retransmits and timeouts
                 marked, fast recovery shaded (the window inflation of
                 fast recovery drawn faint, apart from cwnd)
  rwnd           the window the receiver advertises, from 0

Several FILEs (or one FILE with --vary PATH=V1,V2,...) overlay the same
flow of each run on one set of axes, each series named
"<scenario name>: <congestion control> <flow>". Files are named after the
scenario files and the figure: <file>-<flow>-<kind>.png, or
<file1>+<file2>-<flow>-<kind>.png for an overlay.

--x rounds draws against transmission rounds: round 1 starts with the
first data segment; a round ends with the first ACK that acknowledges the
first segment sent in it, or a duplicate ACK at least one minimum RTT
after that segment was sent. --units segments counts in MSS.`,
		Example: `  tcpsim plot ex:26-kr-tahoe ex:26-kr-reno --x rounds --units segments --out plots/
  tcpsim plot ex:26-kr-reno --vary flows.file.congestion=tahoe,reno,newreno --out plots/
  tcpsim plot ex:05 --out plots/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.seedSet = cmd.Flags().Changed("seed")
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
	cmd.Flags().StringVar(&o.flow, "flow", "", "TCP flow to plot (default: the first TCP flow)")
	cmd.Flags().StringVar(&o.out, "out", "", "directory for the PNG and SVG files")
	cmd.Flags().Uint64Var(&o.seed, "seed", 0, "override the scenarios' seed")
	cmd.Flags().StringVar(&o.units, "units", "bytes", "sizes in bytes (drawn in kB) or segments (of the flow's MSS)")
	cmd.Flags().StringVar(&o.xAxis, "x", "time", "x axis: time or rounds (transmission rounds, as Kurose & Ross draw cwnd)")
	cmd.Flags().BoolVar(&o.emulated, "emulate", false, "plot an emulated run (tcpsim emulate: the real kernel's packets, cwnd and ssthresh from TCP_INFO; Linux, root)")
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

// runs runs each input, tracing the flow to plot, and names the figures
// after the inputs (po.Name, po.Title).
func (o *plotOptions) runs(ins []plotInput, po *plot.Options) ([]plot.Run, error) {
	var runs []plot.Run
	var bases, titles []string
	flows := map[string]bool{}
	for _, in := range ins {
		f, err := tcpFlow(in.sc, o.flow)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", in.file, err)
		}
		s := in.sc.Seed
		if o.seedSet {
			s = o.seed
		}
		rec := &trace.Recorder{}
		var res *run.Result
		if o.emulated {
			// The real kernel's run: its cwnd and ssthresh are the
			// sender's TCP_INFO samples.
			res, rec.Events, err = emulateTrace(in.sc, s, f.Name, nil, o.stderr)
		} else {
			res, err = run.ScenarioWith(in.sc, s, run.Options{Trace: &trace.Filter{Flow: f.Name, Next: rec}, TraceRecovery: true})
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", in.file, err)
		}
		if in.sc.Topology() {
			// The figures are per flow: its packets seen from its end
			// hosts, a drop on any hop a drop.
			r, _ := flowRoute(res, f.Name)
			if r == nil {
				return nil, fmt.Errorf("%s: flow %s has no path from its sender to its receiver", in.file, f.Name)
			}
			rec.Events = trace.EndToEnd(rec.Events, r.Path, r.Back)
		}
		mss := f.TCP.MSS
		if mss == 0 {
			mss = 1460
		}
		runs = append(runs, plot.Run{Label: in.sc.Name + ": " + algorithmName(f) + " " + f.Name, Events: rec.Events, MSS: mss, Textbook: f.TCP.TextbookWindow})
		if len(bases) == 0 || bases[len(bases)-1] != in.base {
			bases = append(bases, in.base)
		}
		titles = append(titles, fmt.Sprintf("%s (seed %d)", in.sc.Name, s))
		flows[f.Name] = true
	}
	po.Name = strings.Join(bases, "+")
	po.Title = strings.Join(titles, " vs ")
	if len(flows) == 1 {
		for f := range flows {
			po.Name += "-" + f
			if len(runs) == 1 {
				po.Title += ", flow " + f
			}
		}
	}
	return runs, nil
}

// write draws the figures and writes each as PNG and SVG into --out,
// saying every file written.
func (o *plotOptions) write(runs []plot.Run, po plot.Options) error {
	figs, err := plot.Flows(runs, po)
	if err != nil {
		return err
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

// tcpFlow returns the flow named name (the first TCP flow when name is
// empty), which must be a TCP flow.
func tcpFlow(sc *scenario.Scenario, name string) (*scenario.Flow, error) {
	fs := sc.Expanded(sc.Seed) // a repeated flow's members by name
	for i := range fs {
		f := &fs[i]
		tcp := proto.IsFamily(f.Protocol, proto.TCP)
		if name == "" && tcp || f.Name == name {
			if !tcp || f.TCP == nil {
				return nil, fmt.Errorf("--flow %q is %s: plots are for TCP flows", f.Name, f.Protocol)
			}
			return f, nil
		}
	}
	if name == "" {
		return nil, fmt.Errorf("no TCP flow to plot")
	}
	return nil, fmt.Errorf("--flow %q: %s", name, sc.NoSuchFlow(name))
}

// algorithmName names a TCP flow's congestion control for a legend:
// "reno", "newreno sack".
func algorithmName(f *scenario.Flow) string {
	s := f.TCP.Congestion
	if s == "" {
		s = "tcp"
	}
	if f.TCP.SACK {
		s += " sack"
	}
	return s
}
