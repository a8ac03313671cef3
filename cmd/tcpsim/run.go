package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"

	"github.com/spf13/cobra"

	"tcpsim/internal/report"
	"tcpsim/internal/report/runparquet"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/sim"
)

// runOptions are the run command's flags; validate and run are its body.
type runOptions struct {
	seed           uint64
	seedSet        bool // --seed was given: it overrides the files' seeds
	fl             instrumentFlags
	format         string
	routes         bool
	stdout, stderr io.Writer
}

func newRunCmd(stdout, stderr io.Writer) *cobra.Command {
	o := &runOptions{stdout: stdout, stderr: stderr}
	cmd := &cobra.Command{
		Use:   "run FILE...",
		Short: "Run scenario files and print a table per run",
		Long: `Run each scenario file and print, per run, a table of its flows (one
column per flow) and a table of the link's two directions (in a topology, a
column per link direction, and a table of the routers). --routes first
prints every node's routing table.

The same file and seed always print the same bytes.

Traces and captures: --trace - writes the text trace to stdout, before each
run's tables (with --format table or markdown only: csv, json and jsonl
keep stdout for their document). --pcap - writes the capture to stdout,
and the tables then go to stderr; --trace - and --pcap - together are
refused. With several FILEs the runs are kept apart: every trace record
carries the run's number (the JSON field "run", or "run K" at the start
of a text line; K counts FILEs from 1), and --pcap OUT.pcap writes one
capture per run, OUT-1.pcap, OUT-2.pcap, ... (--pcap - is refused).

SIGINT or SIGTERM stops the run within a second: its table is printed,
the trace and capture keep every whole record so far, and tcpsim exits
130. A signal while a large network is still being built stops the build
(no table then: the run has not started). A second signal kills it at
once.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.seedSet = cmd.Flags().Changed("seed")
			if err := o.validate(); err != nil {
				return err
			}
			return o.run(args)
		},
	}
	cmd.Flags().Uint64Var(&o.seed, "seed", 0, "override the scenarios' seed")
	cmd.Flags().StringVar(&o.format, "format", "table", "output format: "+report.FormatList(false, true)+", or parquet (the csv's rows, typed: docs/output.md)")
	cmd.Flags().BoolVar(&o.routes, "routes", false, "print each node's routing table (destination, next hop, link direction, path delay) before the run's tables")
	cmd.Flags().StringVar(&o.fl.Trace, "trace", "", "write an event trace: FILE.jsonl (JSON lines), FILE.txt (text) or - (text on stdout)")
	cmd.Flags().StringVar(&o.fl.TraceFlow, "trace-flow", "", "trace only this flow")
	cmd.Flags().StringVar(&o.fl.TraceFrom, "trace-from", "", "trace from this simulated time (e.g. 1.5s)")
	cmd.Flags().StringVar(&o.fl.TraceTo, "trace-to", "", "trace up to this simulated time (after --trace-from)")
	cmd.Flags().BoolVar(&o.fl.TraceRTT, "trace-rtt", false, "also trace every RTT sample with the SRTT, RTTVAR and RTO it gives (RFC 6298): event rtt")
	cmd.Flags().StringVar(&o.fl.Pcap, "pcap", "", "write a packet capture (pcap, Ethernet) that Wireshark and tshark open: FILE, or - for stdout (tables then go to stderr); one FILE-K per run with several scenarios")
	cmd.Flags().StringVar(&o.fl.PcapAt, "pcap-at", "receiver", "where to capture: sender (host a's interface) or receiver (host b's); in a topology NODE (every interface of a host or router) or NODE:PEER (its link to PEER)")
	return cmd
}

// validate checks the flags that need no scenario file.
func (o *runOptions) validate() error {
	if o.format == runparquet.Format {
		if o.routes {
			return fmt.Errorf("--routes prints text before each table: want --format table or markdown, not %s", o.format)
		}
		if o.fl.Trace == "-" {
			return fmt.Errorf("--trace - writes the trace to stdout, where --format %s writes its document: give --trace FILE.jsonl (or FILE.txt), or --format table or markdown", o.format)
		}
		return nil
	}
	f, err := report.ParseFormat(o.format, false)
	if err != nil {
		return fmt.Errorf("--format %q: want one of %s, %s", o.format, strings.Join(report.FormatNames(false), ", "), runparquet.Format)
	}
	if o.routes && !f.Tables() {
		return fmt.Errorf("--routes prints text before each table: want --format table or markdown, not %s", o.format)
	}
	if o.fl.Trace == "-" && !f.Tables() {
		// The text trace would land inside the document that stdout
		// carries (issue 21, item 13).
		return fmt.Errorf("--trace - writes the trace to stdout, where --format %s writes its document: give --trace FILE.jsonl (or FILE.txt), or --format table or markdown", o.format)
	}
	return nil
}

// run loads every file (all are checked before any runs), then runs them
// one after another into one report, with the instruments asked for.
func (o *runOptions) run(args []string) error {
	ins, err := newInstruments(o.fl, len(args), o.stdout)
	if err != nil {
		return err
	}
	var scs []*scenario.Scenario
	for _, file := range args {
		sc, err := loadScenario(file)
		if err != nil {
			return err
		}
		if err := ins.check(sc); err != nil {
			return err
		}
		scs = append(scs, sc)
	}
	tables := o.stdout
	if ins.pcapToStdout() {
		tables = o.stderr
	}
	intr, which, stop := notifyInterrupt()
	defer stop()
	if err := ins.open(); err != nil {
		return err
	}
	out, err := o.newReport(tables)
	if err != nil {
		return ins.fail(err)
	}
	defer out.Close() // on an error too, a JSON array ends whole
	failed := false
	for k, sc := range scs {
		s := sc.Seed
		if o.seedSet {
			s = o.seed
		}
		st := stopState{out: out, ins: ins, sc: sc, seed: s, notStarted: len(scs) - k - 1, total: len(scs)}
		res, err := o.runOne(ins, tables, k+1, sc, s, intr)
		if errors.Is(err, run.ErrInterrupted) {
			// A signal while a large network is built stops the build
			// too: no table then, as there is no result.
			return st.stoppedBuilding(which())
		}
		if err != nil {
			return ins.fail(err)
		}
		if err := out.Add(res, sc.Report); err != nil {
			return ins.fail(err)
		}
		failed = failed || !res.OK()
		if res.Reason == sim.Interrupted || intr.Load() {
			return st.stopped(which(), res)
		}
	}
	if err := ins.close(); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	if failed {
		return errRunFailed
	}
	return nil
}

// runReport is where the runs' results go: a report.Writer, or a
// runparquet.Writer for --format parquet (kept out of package report, so
// that the browser's engine does not carry the Parquet library).
type runReport interface {
	Add(r *run.Result, sections []string) error
	Close() error
}

func (o *runOptions) newReport(w io.Writer) (runReport, error) {
	if o.format == runparquet.Format {
		return runparquet.NewWriter(w), nil
	}
	return report.NewWriter(w, o.format)
}

// runOne runs the k-th scenario (from 1) with seed s, its routing tables
// first if --routes asks for them. A signal during the build returns
// run.ErrInterrupted.
func (o *runOptions) runOne(ins *instruments, tables io.Writer, k int, sc *scenario.Scenario, s uint64, intr *atomic.Bool) (*run.Result, error) {
	opt, err := ins.begin(k, sc)
	if err != nil {
		return nil, err
	}
	opt.Interrupt = intr
	if o.routes {
		n, err := run.BuildWith(sc, s, run.Options{Interrupt: intr})
		if err != nil {
			return nil, err
		}
		if err := run.WriteRoutes(tables, n.Routes()); err != nil {
			return nil, err
		}
	}
	res, err := run.ScenarioWith(sc, s, opt)
	if err != nil {
		return nil, err
	}
	return res, ins.end()
}

// stopState is what a signal stops: the report, the instruments, and the
// run of sc with seed seed, notStarted of total runs not started after it.
type stopState struct {
	out               runReport
	ins               *instruments
	sc                *scenario.Scenario
	seed              uint64
	notStarted, total int
}

// stopped ends the report and the instruments after a signal (or a run
// that ended as the signal arrived) and says what was stopped.
func (st stopState) stopped(sig os.Signal, res *run.Result) error {
	what := fmt.Sprintf("stopped %s (seed %d) at simulated time %s", st.sc.File, st.seed, report.Duration(res.End))
	if res.Reason != sim.Interrupted {
		what = fmt.Sprintf("stopped after %s (seed %d) ended", st.sc.File, st.seed)
	}
	return st.end(sig, what)
}

// stoppedBuilding ends the instruments' run, the report and the
// instruments after a signal stopped the build of a network.
func (st stopState) stoppedBuilding(sig os.Signal) error {
	if err := st.ins.end(); err != nil {
		return st.ins.fail(err)
	}
	return st.end(sig, fmt.Sprintf("stopped while building the network of %s (seed %d), before its run", st.sc.File, st.seed))
}

// end closes the report (a JSON array stays whole) and the instruments,
// and returns the interruption error saying what was stopped.
func (st stopState) end(sig os.Signal, what string) error {
	if err := st.out.Close(); err != nil {
		return st.ins.fail(err)
	}
	if err := st.ins.close(); err != nil {
		return err
	}
	if st.notStarted > 0 {
		what += fmt.Sprintf("; %d of %d runs not started", st.notStarted, st.total)
	}
	return interrupted(sig, what+st.ins.kept())
}
