package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"tcpsim/internal/plot"
	"tcpsim/internal/report"
	"tcpsim/internal/sweep"
)

// sweepOptions are the sweep command's flags; validate, execute and
// report are its body.
type sweepOptions struct {
	vary           []string
	seeds, workers int
	format         string
	shard, out     string
	plotDir        string
	stdout, stderr io.Writer
	// getenv reads the scheduler's variables for --shard auto: os.Getenv.
	getenv func(string) string
}

func newSweepCmd(stdout, stderr io.Writer) *cobra.Command {
	o := &sweepOptions{stdout: stdout, stderr: stderr, getenv: os.Getenv}
	cmd := &cobra.Command{
		Use:   "sweep FILE --vary PATH=V1,V2,... [--vary ...] --seeds N",
		Short: "Run a scenario over parameter values and seeds; report means and 95% confidence intervals",
		Long: `Run FILE at every combination of the --vary values, each with --seeds
independent seeds, on all cores, and summarise goodput, delivery ratio,
retransmissions and completion time per point and flow: mean, standard
deviation, 95% confidence interval (Student's t), min and max.

Fields are addressed as in the file, flows by name:
  --vary link.loss=0,0.5%,1%,2%,5%,10%,20%
  --vary flows.file.congestion=reno,newreno

Seed k (the file's seed + k) is used at every point, so points are compared
under common random numbers. Output is identical whatever --workers is.
With --shard K/N --out FILE only every N-th run is made and its raw results
are written to FILE; 'tcpsim merge' combines the shards. --shard auto takes
K and N from a Slurm job array task (SLURM_ARRAY_TASK_ID, _MIN, _COUNT or
_MAX), --shard auto/N takes K from a Kubernetes Indexed Job's
JOB_COMPLETION_INDEX (from 0); docs/sweeps.md has the tested recipes.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			axes, sh, err := o.validate()
			if err != nil {
				return err
			}
			name, src, err := readScenario(args[0])
			if err != nil {
				return err
			}
			plan, err := sweep.NewPlan(name, src, axes, o.seeds)
			if err != nil {
				return err
			}
			intr, which, stop := notifyInterrupt()
			defer stop()
			recs, err := o.execute(plan, sh, intr, which)
			if err != nil {
				return err
			}
			return o.report(name, src, plan, sh, recs)
		},
	}
	cmd.Flags().StringArrayVar(&o.vary, "vary", nil, "PATH=V1,V2,...: a parameter and its values (repeatable)")
	cmd.Flags().IntVar(&o.seeds, "seeds", 10, "independent seeds per point")
	cmd.Flags().IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "parallel runs (1 to 1024; default: the number of cores)")
	cmd.Flags().StringVar(&o.format, "format", "table", "output format: "+report.FormatList(true, false))
	cmd.Flags().StringVar(&o.shard, "shard", "", "K/N: run only the K-th of N slices of the runs (needs --out); auto: K and N from a Slurm job array; auto/N: K from a Kubernetes Indexed Job")
	cmd.Flags().StringVar(&o.out, "out", "", "write raw results of a shard to FILE (JSON lines) instead of a report")
	cmd.Flags().StringVar(&o.plotDir, "plot", "", "also write goodput vs the first --vary parameter, with 95% CI bars and the textbook model (Mathis, 1 − p, rdt utilisation), as PNG and SVG into DIR")
	return cmd
}

// validate checks the flags and returns the axes and the shard they give.
func (o *sweepOptions) validate() ([]sweep.Axis, sweep.Shard, error) {
	sh := sweep.Shard{K: 1, N: 1}
	if _, err := report.ParseFormat(o.format, true); err != nil {
		return nil, sh, fmt.Errorf("--format %q: want one of %s", o.format, strings.Join(report.FormatNames(true), ", "))
	}
	if o.seeds < 1 {
		return nil, sh, fmt.Errorf("--seeds %d: want at least 1", o.seeds)
	}
	if o.workers < 1 || o.workers > sweep.MaxWorkers {
		return nil, sh, fmt.Errorf("--workers %d: want 1 to %d", o.workers, sweep.MaxWorkers)
	}
	var axes []sweep.Axis
	for _, v := range o.vary {
		a, err := sweep.ParseAxis(v)
		if err != nil {
			return nil, sh, err
		}
		axes = append(axes, a)
	}
	if o.shard != "" {
		var err error
		if sweep.IsAutoShard(o.shard) {
			sh, err = sweep.ShardFromEnv(o.shard, o.getenv)
		} else {
			sh, err = sweep.ParseShard(o.shard)
		}
		if err != nil {
			return nil, sh, err
		}
		if o.out == "" {
			return nil, sh, fmt.Errorf("--shard needs --out FILE for the shard's raw results")
		}
	}
	return axes, sh, nil
}

// execute makes the shard's runs, with a progress bar when stderr is a
// terminal; a signal (intr set, which says it) stops them, and nothing is
// written.
func (o *sweepOptions) execute(plan *sweep.Plan, sh sweep.Shard, intr *atomic.Bool, which func() os.Signal) ([]sweep.Record, error) {
	total := plan.Runs()
	if sh.N > 1 {
		total = (plan.Runs() - (sh.K - 1) + sh.N - 1) / sh.N
	}
	var tick func()
	var bar *progressbar.ProgressBar
	if f, ok := o.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(o.stderr),
			progressbar.OptionSetDescription("runs"), progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond))
		tick = func() { bar.Add(1) }
	}
	recs, err := plan.Execute(sweep.Options{Shard: sh, Workers: o.workers, Interrupt: intr, Progress: tick})
	if bar != nil {
		bar.Clear()
	}
	if errors.Is(err, sweep.ErrInterrupted) {
		return nil, interrupted(which(), fmt.Sprintf("sweep stopped: %d of %d runs had finished; no report or shard written", len(recs), total))
	}
	return recs, err
}

// report writes the shard's raw results (--out), or the report and the
// plots (--plot), and warns of failed runs.
func (o *sweepOptions) report(name string, src []byte, plan *sweep.Plan, sh sweep.Shard, recs []sweep.Record) error {
	if o.out != "" {
		if err := sweep.WriteShard(o.out, plan.Meta, sh, recs); err != nil {
			return err
		}
		return warnFailed(o.stderr, plan.Meta, recs)
	}
	if err := sweep.Write(o.stdout, plan.Meta, recs, o.format); err != nil {
		return err
	}
	if o.plotDir != "" {
		pts, err := plot.PointScenarios(name, src, plan.Meta)
		if err != nil {
			return err
		}
		files, err := plot.Sweep(plan.Meta, recs, pts, o.plotDir)
		for _, f := range files {
			fmt.Fprintln(o.stderr, "wrote", f)
		}
		if err != nil {
			return err
		}
	}
	return warnFailed(o.stderr, plan.Meta, recs)
}

func newMergeCmd(stdout io.Writer) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "merge SHARD...",
		Short: "Combine sweep shards into the report an unsharded sweep prints",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := report.ParseFormat(format, true); err != nil {
				return fmt.Errorf("--format %q: want one of %s", format, strings.Join(report.FormatNames(true), ", "))
			}
			meta, recs, err := sweep.Merge(args)
			if err != nil {
				return err
			}
			if err := sweep.Write(stdout, meta, recs, format); err != nil {
				return err
			}
			return warnFailed(cmd.ErrOrStderr(), meta, recs)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: "+report.FormatList(true, false))
	return cmd
}

// warnFailed says once on stderr how many runs failed and why, and then
// returns errRunFailed (exit 1); it returns nil when every run completed.
func warnFailed(stderr io.Writer, m sweep.Meta, recs []sweep.Record) error {
	w := sweep.Warning(sweep.Summaries(m, recs))
	if w == "" {
		return nil
	}
	fmt.Fprintln(stderr, "tcpsim: warning:", w)
	return errRunFailed
}
