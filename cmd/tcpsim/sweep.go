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
	"tcpsim/internal/sweep/sweepparquet"
)

// sweepOptions are the sweep command's flags; validate, execute and
// report are its body.
type sweepOptions struct {
	vary           []string
	seeds, workers int
	format         string
	shard, out     string
	plotDir        string
	logX           bool // --log-x: the plot's x axis on a log scale
	plotMetric     string
	metric         sweep.Metric // --plot-metric
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
			if o.out != "" {
				return o.shardOut(plan, sh, intr, which)
			}
			return o.report(name, src, plan, sh, intr, which)
		},
	}
	cmd.Flags().StringArrayVar(&o.vary, "vary", nil, "PATH=V1,V2,...: a parameter and its values (repeatable)")
	cmd.Flags().IntVar(&o.seeds, "seeds", 10, "independent seeds per point")
	cmd.Flags().IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "parallel runs (1 to 1024; default: the number of cores)")
	cmd.Flags().StringVar(&o.format, "format", "table", sweepFormatHelp)
	cmd.Flags().StringVar(&o.shard, "shard", "", "K/N: run only the K-th of N slices of the runs (needs --out); auto: K and N from a Slurm job array; auto/N: K from a Kubernetes Indexed Job")
	cmd.Flags().StringVar(&o.out, "out", "", "write raw results of a shard to FILE (JSON lines) instead of a report")
	cmd.Flags().StringVar(&o.plotDir, "plot", "", "also write goodput vs the first --vary parameter, with 95% CI bars and the textbook model (Mathis, 1 − p, rdt utilisation) sampled densely, as PNG and SVG into DIR")
	cmd.Flags().StringVar(&o.plotMetric, "plot-metric", "goodput", "--plot: the metric drawn: goodput (with the textbook models), delivery_ratio, retransmissions, completion_time, queue_delay_mean (with the M/D/1 model for Poisson sources) or queue_delay_p99")
	cmd.Flags().BoolVar(&o.logX, "log-x", false, "--plot: the first --vary parameter on a log scale (its values must all be above 0)")
	return cmd
}

// validate checks the flags and returns the axes and the shard they give.
func (o *sweepOptions) validate() ([]sweep.Axis, sweep.Shard, error) {
	sh := sweep.Shard{K: 1, N: 1}
	if err := checkSweepFormat(o.format); err != nil {
		return nil, sh, err
	}
	if o.format == sweepparquet.Format && o.plotDir != "" {
		return nil, sh, fmt.Errorf("--plot draws from a report: use it without --format parquet")
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
	m, err := sweep.ParseMetric(o.plotMetric)
	if err != nil {
		return nil, sh, fmt.Errorf("--plot-metric: %w", err)
	}
	o.metric = m
	if o.logX {
		if o.plotDir == "" {
			return nil, sh, fmt.Errorf("--log-x is for the plot: use it with --plot DIR")
		}
		if len(axes) > 0 {
			if err := plot.CheckLogX(axes[0]); err != nil {
				return nil, sh, err
			}
		}
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

// stream makes the runs not skipped and hands their records to sink in
// run order, with a progress bar when stderr is a terminal; a signal
// (intr set, which says it) stops them.
func (o *sweepOptions) stream(plan *sweep.Plan, sh sweep.Shard, total int, skip func(int) bool, intr *atomic.Bool, sink func(*sweep.Record) error) error {
	var tick func()
	var bar *progressbar.ProgressBar
	if f, ok := o.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) && total > 0 {
		bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(o.stderr),
			progressbar.OptionSetDescription("runs"), progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond))
		tick = func() { bar.Add(1) }
	}
	err := plan.Stream(sweep.Options{Shard: sh, Workers: o.workers, Interrupt: intr, Progress: tick, Skip: skip}, sink)
	if bar != nil {
		bar.Clear()
	}
	return err
}

// shardOut writes the shard's raw results to --out as they come, resuming
// what an earlier, stopped sweep with the same --out left in
// FILE.partial, and warns of failed runs.
func (o *sweepOptions) shardOut(plan *sweep.Plan, sh sweep.Shard, intr *atomic.Bool, which func() os.Signal) error {
	w, done, resumed, err := sweep.OpenShard(o.out, plan.Meta, sh)
	if err != nil {
		return err
	}
	size := sh.Size(plan.Runs())
	if resumed > 0 {
		fmt.Fprintf(o.stderr, "tcpsim: resuming %s: %d of its %d runs were made already\n", o.out, resumed, size)
	}
	err = o.stream(plan, sh, size-resumed, done, intr, w.Add)
	if errors.Is(err, sweep.ErrInterrupted) {
		kept := w.Abort()
		return interrupted(which(), fmt.Sprintf("sweep stopped: %s; %d of the shard's %d runs are kept in %s: run the same command again to make only the others",
			strings.TrimPrefix(err.Error(), sweep.ErrInterrupted.Error()+": "), w.Counts().Total, size, kept))
	}
	if err != nil {
		w.Abort()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return warnCounts(o.stderr, w.Counts())
}

// report prints the report (and writes the plots, --plot) from the
// records as they come, and warns of failed runs; a signal stops the
// sweep and nothing is printed.
func (o *sweepOptions) report(name string, src []byte, plan *sweep.Plan, sh sweep.Shard, intr *atomic.Bool, which func() os.Signal) error {
	if o.format == sweepparquet.Format {
		pw, err := sweepparquet.NewWriter(o.stdout, plan.Meta)
		if err != nil {
			return err
		}
		err = o.stream(plan, sh, plan.Runs(), nil, intr, pw.Add)
		if errors.Is(err, sweep.ErrInterrupted) {
			pw.Abort()
			return interrupted(which(), fmt.Sprintf("sweep stopped: %s; no report written", strings.TrimPrefix(err.Error(), sweep.ErrInterrupted.Error()+": ")))
		}
		if err != nil {
			pw.Abort()
			return err
		}
		if err := pw.Close(); err != nil {
			return err
		}
		return warnCounts(o.stderr, pw.Counts())
	}
	rep, err := sweep.NewReport(o.stdout, plan.Meta, o.format)
	if err != nil {
		return err
	}
	err = o.stream(plan, sh, plan.Runs(), nil, intr, rep.Add)
	if errors.Is(err, sweep.ErrInterrupted) {
		rep.Abort()
		return interrupted(which(), fmt.Sprintf("sweep stopped: %s; no report written", strings.TrimPrefix(err.Error(), sweep.ErrInterrupted.Error()+": ")))
	}
	if err != nil {
		rep.Abort()
		return err
	}
	st, err := rep.Close()
	if err != nil {
		return err
	}
	if o.plotDir != "" {
		pts, err := plot.PointScenarios(name, src, plan.Meta)
		if err != nil {
			return err
		}
		files, err := plot.SweepStats(plan.Meta, st, pts, plot.SweepOptions{LogX: o.logX, File: name, Src: src, Metric: o.metric}, o.plotDir)
		for _, f := range files {
			fmt.Fprintln(o.stderr, "wrote", f)
		}
		if err != nil {
			return err
		}
	}
	return warnCounts(o.stderr, st.Runs)
}

func newMergeCmd(stdout io.Writer) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "merge SHARD...",
		Short: "Combine sweep shards into the report an unsharded sweep prints",
		Long: `Combine the shards of a sweep (tcpsim sweep --shard K/N --out FILE) into
exactly the report the unsharded sweep prints. The shards are read side by
side, in run order, without holding their runs in memory. Merge refuses
shards of different sweeps or scenario files, and names what is missing:
the shards, a truncated file, the runs (a FILE.partial of a stopped sweep
says to rerun it with the same --out).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkSweepFormat(format); err != nil {
				return err
			}
			if format == sweepparquet.Format {
				var pw *sweepparquet.Writer
				_, err := sweep.MergeTo(args, func(r *sweep.Record) error { return pw.Add(r) }, func(m sweep.Meta) error {
					var err error
					pw, err = sweepparquet.NewWriter(stdout, m)
					return err
				})
				if err != nil {
					if pw != nil {
						pw.Abort()
					}
					return err
				}
				if err := pw.Close(); err != nil {
					return err
				}
				return warnCounts(cmd.ErrOrStderr(), pw.Counts())
			}
			var rep *sweep.Report
			_, err := sweep.MergeTo(args, func(r *sweep.Record) error { return rep.Add(r) }, func(m sweep.Meta) error {
				var err error
				rep, err = sweep.NewReport(stdout, m, format)
				return err
			})
			if err != nil {
				if rep != nil {
					rep.Abort()
				}
				return err
			}
			st, err := rep.Close()
			if err != nil {
				return err
			}
			return warnCounts(cmd.ErrOrStderr(), st.Runs)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", sweepFormatHelp)
	return cmd
}

// sweepFormatHelp is the --format flag's help of sweep and merge.
var sweepFormatHelp = "output format: " + report.FormatList(true, false) + ", or parquet (one row per run and flow: docs/sweeps.md)"

// checkSweepFormat checks a sweep or merge --format.
func checkSweepFormat(format string) error {
	if format == sweepparquet.Format {
		return nil
	}
	if _, err := report.ParseFormat(format, true); err != nil {
		return fmt.Errorf("--format %q: want one of %s, %s", format, strings.Join(report.FormatNames(true), ", "), sweepparquet.Format)
	}
	return nil
}

// warnCounts says once on stderr how many runs failed and why, and then
// returns errRunFailed (exit 1); it returns nil when every run completed.
func warnCounts(stderr io.Writer, c sweep.Counts) error {
	w := sweep.Warning(sweep.Stats{Runs: c})
	if w == "" {
		return nil
	}
	fmt.Fprintln(stderr, "tcpsim: warning:", w)
	return errRunFailed
}
