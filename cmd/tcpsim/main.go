// Command tcpsim runs protocol-behaviour scenarios: TCP and UDP over a
// lossy simulated link, reported as tables.
//
// Exit codes: 0 success, 1 a run failed (a flow aborted or did not finish,
// or the event budget ran out), 2 bad usage or a bad scenario file.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK      = 0
	exitRunFail = 1
	exitUsage   = 2
)

// errRunFailed marks a run that completed with a failed verdict: its
// report has been printed already.
var errRunFailed = errors.New("tcpsim: a run did not complete")

func main() {
	os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr))
}

// execute runs the command line args and returns the exit code.
func execute(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errRunFailed):
		return exitRunFail
	}
	// Every other error is bad usage: flags, arguments, scenario files.
	fmt.Fprintln(stderr, "tcpsim:", err)
	return exitUsage
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "tcpsim",
		Short:         "Simulate how TCP turns a lossy link into a reliable byte stream, and how UDP does not",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newRunCmd(stdout), newSweepCmd(stdout, stderr), newMergeCmd(stdout), newValidateCmd(stdout), newDiagramCmd(stdout), newPlotCmd(stdout), newExercisesCmd(stdout))
	return root
}
