package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"tcpsim/internal/plot"
)

func newPlotCmd(stdout io.Writer) *cobra.Command {
	var (
		flow, out string
		seed      uint64
	)
	cmd := &cobra.Command{
		Use:   "plot FILE --out DIR",
		Short: "Write PNG and SVG plots of a TCP flow: time-sequence graph, cwnd/ssthresh, receive window",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("--out DIR is required")
			}
			fr, err := loadFlowRun(cmd, args[0], flow, seed)
			if err != nil {
				return err
			}
			sc, s, name := fr.sc, fr.seed, fr.flow
			for _, f := range sc.Expanded(s) {
				if f.Name == name && f.Protocol != "tcp" {
					return fmt.Errorf("--flow %q is %s: plots are for TCP flows", name, f.Protocol)
				}
			}
			_, evs, err := traceRun(sc, s, name, 0, 0)
			if err != nil {
				return err
			}
			files, err := plot.Flow(evs, out, sc.Name, s, name)
			for _, f := range files {
				fmt.Fprintln(stdout, "wrote", f)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&flow, "flow", "", "TCP flow to plot (default: the first)")
	cmd.Flags().StringVar(&out, "out", "", "directory for the PNG and SVG files")
	cmd.Flags().Uint64Var(&seed, "seed", 0, "override the scenario's seed")
	return cmd
}
