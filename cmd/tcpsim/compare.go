package main

import (
	"fmt"
	"io"
	"math"
	"os"

	"github.com/spf13/cobra"

	"tcpsim/internal/emulate"
	"tcpsim/internal/report"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/sweep"
	"tcpsim/sim"
)

// compareMetric is one row of tcpsim compare: a figure of a run's flow.
type compareMetric struct {
	title string
	get   func(r *run.Result, f *run.FlowResult) float64
}

var compareMetrics = []compareMetric{
	{"goodput (Mbps)", func(_ *run.Result, f *run.FlowResult) float64 { return f.Goodput / 1e6 }},
	{"completion time (s)", func(_ *run.Result, f *run.FlowResult) float64 {
		if f.Completion < 0 {
			return math.NaN()
		}
		return f.Completion.Seconds()
	}},
	{"handshake time (s)", func(_ *run.Result, f *run.FlowResult) float64 {
		if f.TCP == nil || f.TCP.Handshake < 0 {
			return math.NaN()
		}
		return f.TCP.Handshake.Seconds()
	}},
	{"bytes delivered", func(_ *run.Result, f *run.FlowResult) float64 { return float64(f.DeliveredBytes) }},
	{"retransmissions (timeout + fast)", func(_ *run.Result, f *run.FlowResult) float64 {
		if f.TCP == nil {
			return math.NaN()
		}
		return float64(f.TCP.TimeoutRetrans + f.TCP.FastRetrans)
	}},
	{"RTO expirations", func(_ *run.Result, f *run.FlowResult) float64 {
		if f.TCP == nil {
			return math.NaN()
		}
		return float64(f.TCP.RTOExpirations)
	}},
	{"duplicate ACKs", func(_ *run.Result, f *run.FlowResult) float64 {
		if f.TCP == nil {
			return math.NaN()
		}
		return float64(f.TCP.DupAcks)
	}},
	{"max cwnd (bytes)", func(_ *run.Result, f *run.FlowResult) float64 {
		if f.TCP == nil {
			return math.NaN()
		}
		return float64(f.TCP.CwndMax)
	}},
	{"packets lost on the data path", func(r *run.Result, f *run.FlowResult) float64 { return float64(dataLink(r, f).Lost) }},
	{"queue drops on the data path", func(r *run.Result, f *run.FlowResult) float64 {
		return float64(dataLink(r, f).QueueDropped)
	}},
}

// dataLink is the first link direction out of the flow's sender.
func dataLink(r *run.Result, f *run.FlowResult) run.LinkResult {
	for _, l := range r.Links {
		if l.From == f.From {
			return l
		}
	}
	return run.LinkResult{}
}

func newCompareCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		seed  uint64
		seeds int
		flow  string
		md    bool
		force bool
		runs  []string
	)
	cmd := &cobra.Command{
		Use:   "compare FILE",
		Short: "Simulate and emulate a scenario with the same seeds, and show both side by side (Linux, root)",
		Long: `Run FILE twice per seed: simulated by tcpsim's own TCP (tcpsim run) and
emulated with the real kernel's TCP over the same links (tcpsim emulate).
The links draw their random numbers from the same seeded streams, one per
flow and direction, so the k-th packet of a flow meets the same draw in
both: where the two TCPs send the same packets they meet the same losses.
A table gives, for one flow (--flow, default the first), each figure
simulated, emulated and the difference (emulated - simulated, relative to
simulated). With --seeds N both run for N consecutive seeds from the
scenario's (or --seed), and each cell is the mean with its 95% confidence
interval (Student t).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if seeds < 1 || seeds > 1000 {
				return fmt.Errorf("--seeds %d: want 1 to 1000", seeds)
			}
			if ok, err := rootless(stdout, stderr); ok {
				return err
			}
			sc, cmds, err := loadForEmulation(args[0], runs, force)
			if err != nil {
				return err
			}
			if flow == "" {
				flow = sc.Expanded(sc.Seed)[0].Name // a repeated flow's first member
			} else if !hasFlow(sc, flow) {
				return fmt.Errorf("--flow %q: %s", flow, sc.NoSuchFlow(flow))
			}
			first := sc.Seed
			if cmd.Flags().Changed("seed") {
				first = seed
			}
			intr, _, stop := catchInterrupts()
			defer stop()
			simV := make([][]float64, len(compareMetrics))
			emuV := make([][]float64, len(compareMetrics))
			var timing []string
			for k := range seeds {
				s := first + uint64(k)
				sres, err := run.ScenarioWith(sc, s, run.Options{Interrupt: intr})
				if err != nil {
					return err
				}
				eres, err := emulate.Run(sc, emulate.Options{Seed: s, Commands: cmds, Interrupt: intr, Output: stderr, Force: force})
				if err != nil {
					return err
				}
				if intr.Load() || eres.Reason == sim.Interrupted {
					return interrupted(os.Interrupt, fmt.Sprintf("stopped comparing %s at seed %d", sc.File, s))
				}
				sf, ef := flowNamed(sres, flow), flowNamed(eres, flow)
				for i, m := range compareMetrics {
					simV[i] = append(simV[i], m.get(sres, sf))
					emuV[i] = append(emuV[i], m.get(eres, ef))
				}
				fmt.Fprintf(stderr, "seed %d: simulated %s, emulated %s\n", s, sres.Status(), eres.Status())
				timing = append(timing, fmt.Sprintf("seed %d %s", s, report.RelayLine(eres)))
			}
			return writeCompare(stdout, sc, flow, first, seeds, simV, emuV, timing, md)
		},
	}
	cmd.Flags().Uint64Var(&seed, "seed", 0, "first seed (default: the scenario's)")
	cmd.Flags().BoolVar(&force, "force", false, "emulate even a scenario that asks the relay for more packets/s than it sustains (a warning instead of exit 2)")
	cmd.Flags().IntVar(&seeds, "seeds", 1, "how many consecutive seeds to run both ways")
	cmd.Flags().StringVar(&flow, "flow", "", "the flow to compare (default: the first)")
	cmd.Flags().BoolVar(&md, "markdown", false, "print the table as Markdown")
	cmd.Flags().StringArrayVar(&runs, "run", nil, "carry a host's flows by a command in the emulated runs: HOST='COMMAND ARGS...'")
	return cmd
}

func flowNamed(r *run.Result, name string) *run.FlowResult {
	for i := range r.Flows {
		if r.Flows[i].Name == name {
			return &r.Flows[i]
		}
	}
	return &run.FlowResult{Name: name, Completion: -1}
}

func writeCompare(w io.Writer, sc *scenario.Scenario, flow string, first uint64, seeds int, simV, emuV [][]float64, timing []string, md bool) error {
	what := fmt.Sprintf("seed %d", first)
	if seeds > 1 {
		what = fmt.Sprintf("seeds %d to %d, mean [95%% CI]", first, first+uint64(seeds)-1)
	}
	if _, err := fmt.Fprintf(w, "%s, flow %s: simulated vs emulated (real kernel), %s\n\n", sc.Name, flow, what); err != nil {
		return err
	}
	t := report.NewTable(w, md)
	t.Header("", "simulated", "emulated", "difference")
	for i, m := range compareMetrics {
		s, e := sweep.Summarise(simV[i]), sweep.Summarise(emuV[i])
		diff := "-"
		if s.Mean != 0 && !math.IsNaN(s.Mean) && !math.IsNaN(e.Mean) {
			diff = fmt.Sprintf("%+.1f%%", 100*(e.Mean-s.Mean)/math.Abs(s.Mean))
		} else if !math.IsNaN(s.Mean) && !math.IsNaN(e.Mean) {
			diff = fmt.Sprintf("%+.4g", e.Mean-s.Mean)
		}
		if err := t.Append([]string{m.title, cell(s, seeds), cell(e, seeds), diff}); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	for _, l := range timing {
		if _, err := fmt.Fprintf(w, "\n%s", l); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}

func cell(s sweep.Summary, seeds int) string {
	if s.N == 0 || math.IsNaN(s.Mean) {
		return "-"
	}
	if seeds == 1 || s.N == 1 {
		return fmt.Sprintf("%.4g", s.Mean)
	}
	return fmt.Sprintf("%.4g [%.4g, %.4g]", s.Mean, s.CILow, s.CIHigh)
}
