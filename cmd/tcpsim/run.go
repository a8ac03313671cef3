package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"tcpsim/internal/report"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/sim"
)

func newRunCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		seed   uint64
		fl     instrumentFlags
		format string
		routes bool
	)
	cmd := &cobra.Command{
		Use:   "run FILE...",
		Short: "Run scenario files and print a table per run",
		Long: `Run each scenario file and print, per run, a table of its flows (one
column per flow) and a table of the link's two directions (in a topology, a
column per link direction, and a table of the routers). --routes first
prints every node's routing table.

The same file and seed always print the same bytes.

Traces and captures: --trace - writes the text trace to stdout, before each
run's tables. --pcap - writes the capture to stdout, and the tables then go
to stderr; --trace - and --pcap - together are refused. With several FILEs
the runs are kept apart: every trace record carries the run's number (the
JSON field "run", or "run K" at the start of a text line; K counts FILEs
from 1), and --pcap OUT.pcap writes one capture per run, OUT-1.pcap,
OUT-2.pcap, ... (--pcap - is refused).

SIGINT or SIGTERM stops the run within a second: its table is printed,
the trace and capture keep every whole record so far, and tcpsim exits
130. A second signal kills it at once.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := report.ParseFormat(format, false)
			if err != nil {
				return fmt.Errorf("--format %q: want one of %s", format, strings.Join(report.FormatNames(false), ", "))
			}
			if routes && !f.Tables() {
				return fmt.Errorf("--routes prints text before each table: want --format table or markdown, not %s", format)
			}
			ins, err := newInstruments(fl, len(args), stdout)
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
			tables := stdout
			if ins.pcapToStdout() {
				tables = stderr
			}
			intr, which, stop := notifyInterrupt()
			defer stop()
			if err := ins.open(); err != nil {
				return err
			}
			out, err := report.NewWriter(tables, format)
			if err != nil {
				return ins.fail(err)
			}
			defer out.Close() // on an error too, a JSON array ends whole
			failed := false
			for k, sc := range scs {
				s := sc.Seed
				if cmd.Flags().Changed("seed") {
					s = seed
				}
				opt, err := ins.begin(k+1, sc)
				if err != nil {
					return ins.fail(err)
				}
				opt.Interrupt = intr
				if routes {
					n, err := run.Build(sc, s)
					if err != nil {
						return ins.fail(err)
					}
					if err := run.WriteRoutes(tables, n.Routes()); err != nil {
						return ins.fail(err)
					}
				}
				res, err := run.ScenarioWith(sc, s, opt)
				if err != nil {
					return ins.fail(err)
				}
				if err := ins.end(); err != nil {
					return ins.fail(err)
				}
				if err := out.Add(res, sc.Report); err != nil {
					return ins.fail(err)
				}
				failed = failed || !res.OK()
				if res.Reason == sim.Interrupted || intr.Load() {
					if err := out.Close(); err != nil { // a JSON array stays whole
						return ins.fail(err)
					}
					if err := ins.close(); err != nil {
						return err
					}
					what := fmt.Sprintf("stopped %s (seed %d) at simulated time %s", sc.File, s, report.Duration(res.End))
					if res.Reason != sim.Interrupted {
						what = fmt.Sprintf("stopped after %s (seed %d) ended", sc.File, s)
					}
					if k+1 < len(scs) {
						what += fmt.Sprintf("; %d of %d runs not started", len(scs)-k-1, len(scs))
					}
					return interrupted(which(), what+ins.kept())
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
		},
	}
	cmd.Flags().Uint64Var(&seed, "seed", 0, "override the scenarios' seed")
	cmd.Flags().StringVar(&format, "format", "table", "output format: "+report.FormatList(false, true))
	cmd.Flags().BoolVar(&routes, "routes", false, "print each node's routing table (destination, next hop, link direction, path delay) before the run's tables")
	cmd.Flags().StringVar(&fl.Trace, "trace", "", "write an event trace: FILE.jsonl (JSON lines), FILE.txt (text) or - (text on stdout)")
	cmd.Flags().StringVar(&fl.TraceFlow, "trace-flow", "", "trace only this flow")
	cmd.Flags().StringVar(&fl.TraceFrom, "trace-from", "", "trace from this simulated time (e.g. 1.5s)")
	cmd.Flags().StringVar(&fl.TraceTo, "trace-to", "", "trace up to this simulated time (after --trace-from)")
	cmd.Flags().BoolVar(&fl.TraceRTT, "trace-rtt", false, "also trace every RTT sample with the SRTT, RTTVAR and RTO it gives (RFC 6298): event rtt")
	cmd.Flags().StringVar(&fl.Pcap, "pcap", "", "write a packet capture (pcap, Ethernet) that Wireshark and tshark open: FILE, or - for stdout (tables then go to stderr); one FILE-K per run with several scenarios")
	cmd.Flags().StringVar(&fl.PcapAt, "pcap-at", "receiver", "where to capture: sender (host a's interface) or receiver (host b's); in a topology NODE (every interface of a host or router) or NODE:PEER (its link to PEER)")
	return cmd
}
