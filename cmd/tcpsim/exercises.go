package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"tcpsim/scenarios"
)

func newExercisesCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "exercises",
		Short: "List the classroom exercises and their questions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			exs, err := scenarios.Exercises()
			if err != nil {
				return err
			}
			for _, e := range exs {
				fmt.Fprintf(stdout, "scenarios/%s\n  %s\n  Q: %s\n\n", e.Path, e.Title, e.Question)
			}
			fmt.Fprintln(stdout, "Run one with: tcpsim run scenarios/exercises/<file>; draw it with: tcpsim diagram scenarios/exercises/<file>")
			fmt.Fprintln(stdout, "Answers: scenarios/exercises/ANSWERS.md (checked against the simulator by go test)")
			return nil
		},
	}
}
