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

// usageError marks bad flags, arguments or scenario files.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

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
	fmt.Fprintln(stderr, "tcpsim:", err)
	var ue usageError
	if errors.As(err, &ue) || isFlagError(err) {
		return exitUsage
	}
	return exitRunFail
}

func isFlagError(err error) bool {
	// cobra returns plain errors for unknown commands and flags; every
	// error that is not from a run is a usage error.
	return !errors.Is(err, errRunFailed)
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
	root.AddCommand(newRunCmd(stdout))
	return root
}
