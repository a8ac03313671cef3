package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"

	"tcpsim/internal/report"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
)

func newRunCmd(stdout io.Writer) *cobra.Command {
	var (
		seed      uint64
		format    string
		traceTo   string
		traceFlow string
		traceFrom string
		traceTill string
		pcapTo    string
		pcapAt    string
	)
	cmd := &cobra.Command{
		Use:   "run FILE...",
		Short: "Run scenario files and print a table per run",
		Long: `Run each scenario file and print, per run, a table of its flows (one
column per flow) and a table of the link's two directions.

The same file and seed always print the same bytes.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(report.RunFormats(), format) {
				return fmt.Errorf("--format %q: want one of table, markdown, csv, json, jsonl", format)
			}
			var scs []*scenario.Scenario
			for _, file := range args {
				sc, err := scenario.Load(file)
				if err != nil {
					return err
				}
				scs = append(scs, sc)
			}
			ins, err := newInstruments(stdout, traceTo, traceFlow, traceFrom, traceTill, pcapTo, pcapAt)
			if err != nil {
				return err
			}
			defer ins.close()
			out, err := report.NewWriter(stdout, format)
			if err != nil {
				return err
			}
			failed := false
			for _, sc := range scs {
				s := sc.Seed
				if cmd.Flags().Changed("seed") {
					s = seed
				}
				opt, err := ins.options(sc)
				if err != nil {
					return err
				}
				res, err := run.ScenarioWith(sc, s, opt)
				if err != nil {
					return err
				}
				if err := ins.flush(); err != nil {
					return err
				}
				if err := out.Add(res, sc.Report); err != nil {
					return err
				}
				failed = failed || !res.OK()
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
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, markdown, csv, json (one array of runs) or jsonl (one run per line)")
	cmd.Flags().StringVar(&traceTo, "trace", "", "write an event trace: FILE.jsonl (JSON lines), FILE.txt (text) or - (text on stdout)")
	cmd.Flags().StringVar(&traceFlow, "trace-flow", "", "trace only this flow")
	cmd.Flags().StringVar(&traceFrom, "trace-from", "", "trace from this simulated time (e.g. 1.5s)")
	cmd.Flags().StringVar(&traceTill, "trace-to", "", "trace up to this simulated time")
	cmd.Flags().StringVar(&pcapTo, "pcap", "", "write a packet capture (pcap, Ethernet) that Wireshark and tshark open")
	cmd.Flags().StringVar(&pcapAt, "pcap-at", "receiver", "where to capture: sender (host a's interface) or receiver (host b's)")
	return cmd
}
