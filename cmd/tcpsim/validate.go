package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"tcpsim/internal/report"
	"tcpsim/internal/validate"
)

// maxValidateSeeds bounds validate --seeds: each seed is a dozen
// simulations, so more would run for days.
const maxValidateSeeds = 10000

func newValidateCmd(stdout io.Writer) *cobra.Command {
	var seeds int
	var linuxOnly bool
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Compare tcpsim with published throughput models (stop-and-wait, sliding window, Mathis, Padhye, UDP 1-p, rdt utilisation and ARQ) and its linux profile with the real kernel",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if seeds < 1 || seeds > maxValidateSeeds {
				return fmt.Errorf("--seeds %d: want a whole number of seeds from 1 to %d", seeds, maxValidateSeeds)
			}
			run := validate.All
			if linuxOnly {
				run = func(seeds int) ([]validate.Check, error) { return validate.Linux(seeds) }
			}
			checks, err := run(seeds)
			if err != nil {
				return err
			}
			t := report.NewTable(stdout, false)
			t.Header("model", "parameters", "model value", "tcpsim (mean)", "seeds", "error", "tolerance", "verdict")
			failed := false
			for _, c := range checks {
				verdict := "ok"
				if !c.Pass() {
					verdict, failed = "OUTSIDE", true
				}
				errCol, tolCol := fmt.Sprintf("%+.1f%%", 100*c.RelErr()), fmt.Sprintf("±%.1f%%", 100*c.Tolerance)
				if c.Absolute {
					errCol, tolCol = fmt.Sprintf("%+.2f", c.Diff()), fmt.Sprintf("±%g", c.Tolerance)
				}
				t.Append([]string{c.Model, c.Params, value(c.Predicted, c.Unit), value(c.Simulated, c.Unit),
					strconv.Itoa(c.Seeds), errCol, tolCol, verdict})
			}
			if err := t.Render(); err != nil {
				return err
			}
			fmt.Fprintln(stdout, "\nSources and tolerances:")
			seen := map[string]bool{}
			for _, c := range checks {
				if seen[c.Model+c.Why] {
					continue
				}
				seen[c.Model+c.Why] = true
				fmt.Fprintf(stdout, "- %s: %s. Tolerance: %s.\n", c.Model, c.Citation, c.Why)
			}
			if failed {
				return errRunFailed
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&seeds, "seeds", 10, "seeds per TCP check (1 to 10000)")
	cmd.Flags().BoolVar(&linuxOnly, "linux", false, "only the linux profile against the real kernel (three paths)")
	return cmd
}

func value(v float64, unit string) string {
	switch unit {
	case "bps":
		return fmt.Sprintf("%.3f Mbps", v/1e6)
	case "fraction", "per packet":
		return fmt.Sprintf("%.5g", v)
	case "s":
		return fmt.Sprintf("%.2f ms", v*1e3)
	case "segments", "RTOs":
		return fmt.Sprintf("%.1f %s", v, unit)
	}
	return fmt.Sprintf("%.4f", v)
}
