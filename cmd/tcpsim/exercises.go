package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"tcpsim/internal/outdir"
	"tcpsim/internal/scenario"
	"tcpsim/scenarios"
)

// exercisePrefix names an embedded exercise on the command line:
// "ex:02", "ex:09-reno".
const exercisePrefix = "ex:"

// readScenario returns the name to report and the bytes of the scenario
// arg names: a file, or an embedded exercise written ex:ID, so that
// "tcpsim run ex:02" works from any directory.
func readScenario(arg string) (string, []byte, error) {
	id, ok := strings.CutPrefix(arg, exercisePrefix)
	if !ok {
		src, err := scenario.ReadFile(arg)
		return arg, src, err
	}
	ex, err := scenarios.Find(id)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", arg, err)
	}
	src, err := ex.Source()
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", arg, err)
	}
	return "scenarios/" + ex.Path, src, nil
}

// loadScenario reads and validates the scenario arg names (a file or
// ex:ID).
func loadScenario(arg string) (*scenario.Scenario, error) {
	name, src, err := readScenario(arg)
	if err != nil {
		return nil, err
	}
	return scenario.Parse(name, src)
}

func newExercisesCmd(stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "exercises",
		Short: "List the classroom exercises and their questions (show ID, extract DIR)",
		Long: `List the classroom exercises, each with its whole question.

Run one from anywhere with its number: tcpsim run ex:02, tcpsim diagram
ex:02 (an ambiguous number such as 09 wants the name: ex:09-reno).
'tcpsim exercises show ID' prints an exercise file; 'tcpsim exercises
extract DIR' writes them all into DIR to edit. The answer key is not in
the binary: it is scenarios/exercises/ANSWERS.md in the source repository.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			exs, err := scenarios.Exercises()
			if err != nil {
				return err
			}
			for _, e := range exs {
				q := strings.ReplaceAll(e.Question, "\n", "\n     ")
				if _, err := fmt.Fprintf(stdout, "ex:%s  (scenarios/%s)\n  %s\n  Q: %s\n\n", e.Name(), e.Path, e.Title, q); err != nil {
					return err
				}
			}
			_, err = fmt.Fprintln(stdout, "Run one with: tcpsim run ex:NN; draw it with: tcpsim diagram ex:NN; read it with: tcpsim exercises show NN\n"+
				"Answers: scenarios/exercises/ANSWERS.md in the source repository (checked against the simulator by go test; not in this binary)")
			return err
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "show ID",
		Short: "Print an exercise file (ID: its number, e.g. 02, or its name, e.g. 09-reno)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, src, err := readScenario(exercisePrefix + args[0])
			if err != nil {
				return err
			}
			_, err = stdout.Write(src)
			return err
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "extract DIR",
		Short: "Write every exercise file into DIR (created if missing; existing files are not overwritten)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			exs, err := scenarios.Exercises()
			if err != nil {
				return err
			}
			od, err := outdir.Open(args[0])
			if err != nil {
				return fmt.Errorf("extract: %w", err)
			}
			defer od.Close()
			for _, e := range exs {
				src, err := e.Source()
				if err != nil {
					return err
				}
				// The exercise's file name, kept inside DIR whatever it
				// holds (issue 21, item 2).
				f, dst, err := od.CreateNew(outdir.Name(path.Base(e.Path)))
				if errors.Is(err, os.ErrExist) {
					return fmt.Errorf("extract: %s exists: not overwritten (extract into an empty directory)", dst)
				}
				if err != nil {
					return fmt.Errorf("extract: %w", err)
				}
				_, werr := f.Write(src)
				if cerr := f.Close(); werr == nil {
					werr = cerr
				}
				if werr != nil {
					return fmt.Errorf("extract: %s: %w", dst, werr)
				}
			}
			_, err = fmt.Fprintf(stdout, "wrote %d exercises to %s\n", len(exs), args[0])
			return err
		},
	})
	return cmd
}
