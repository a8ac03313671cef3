// Command tcpsim runs protocol-behaviour scenarios: TCP and UDP over a
// lossy simulated link, reported as tables.
//
// Exit codes:
//
//	0    success: every run completed
//	1    a run failed: a flow aborted or did not finish, or the event
//	     budget ran out (its table is still printed)
//	2    bad usage: a bad flag, argument or scenario file
//	3    internal error: a bug in tcpsim; stderr names the scenario file
//	     and seed that reproduce it (TCPSIM_DEBUG=1 adds the stack)
//	130  interrupted by SIGINT or SIGTERM; traces and captures hold every
//	     whole record written until then
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"tcpsim/internal/emulate"

	"github.com/spf13/cobra"

	"tcpsim/internal/run"
)

// Exit codes, documented in the package comment, --help and docs/guide.md.
const (
	exitOK          = 0
	exitRunFail     = 1
	exitUsage       = 2
	exitBug         = 3
	exitInterrupted = 130
)

// exitCodesHelp ends the root command's --help.
const exitCodesHelp = `Exit codes:
  0    success: every run completed
  1    a run failed: a flow aborted or did not finish, or the event budget
       ran out (its table is still printed)
  2    bad usage: a bad flag, argument or scenario file
  3    internal error: a bug in tcpsim; the message names the scenario file
       and seed that reproduce it (set TCPSIM_DEBUG=1 for the stack)
  130  interrupted by SIGINT or SIGTERM; traces and captures hold every
       whole record written until then`

// debugEnv, set to 1, makes an internal error print its stack trace.
const debugEnv = "TCPSIM_DEBUG"

// errRunFailed marks a run that completed with a failed verdict: its
// report has been printed already.
var errRunFailed = errors.New("tcpsim: a run did not complete")

func main() {
	if emulate.InUserNS() {
		// This is the tcpsim that a rootless emulation started in a user
		// namespace of its own (emulate.Rootless): ready its mounts first.
		if err := emulate.PrepareUserNS(); err != nil {
			fmt.Fprintln(os.Stderr, "tcpsim:", err)
			os.Exit(exitUsage)
		}
	}
	os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr))
}

// exitCodeError ends tcpsim with Code and no message of its own: the
// rootless tcpsim it ran (emulate.Rootless) has said everything.
type exitCodeError struct{ Code int }

func (e *exitCodeError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// execute runs the command line args and returns the exit code.
func execute(args []string, stdout, stderr io.Writer) int {
	return executeRoot(func() *cobra.Command { return newRoot(stdout, stderr) }, args, stderr, os.Getenv(debugEnv) == "1")
}

// executeRoot builds the command tree with build, runs args and maps the
// outcome to an exit code, writing any error to stderr as one line. A
// panic anywhere in the command, or a *run.PanicError from a run, is an
// internal error (exit 3), never bad usage; with debug its stack follows
// the line.
func executeRoot(build func() *cobra.Command, args []string, stderr io.Writer, debugOn bool) (code int) {
	defer func() {
		if v := recover(); v != nil {
			code = reportBug(stderr, fmt.Sprint(v), "", 0, debug.Stack(), debugOn)
		}
	}()
	root := build()
	root.SetArgs(args)
	err := root.Execute()
	var pe *run.PanicError
	var ec *exitCodeError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ec):
		return ec.Code
	case errors.As(err, &pe):
		return reportBug(stderr, fmt.Sprint(pe.Value), pe.File, pe.Seed, pe.Stack, debugOn)
	case errors.Is(err, errInterrupted):
		fmt.Fprintln(stderr, "tcpsim:", oneLine(err.Error()))
		return exitInterrupted
	case errors.Is(err, errRunFailed):
		return exitRunFail
	}
	// Every other error is bad usage: flags, arguments, scenario files.
	fmt.Fprintln(stderr, "tcpsim:", err)
	return exitUsage
}

// reportBug writes the one line that says an internal error is a bug in
// tcpsim, with the scenario file and seed that reproduce it when known
// (file != ""), then the stack if debugOn. It returns exitBug.
func reportBug(stderr io.Writer, what, file string, seed uint64, stack []byte, debugOn bool) int {
	msg := "tcpsim: internal error, a bug in tcpsim (please report it): " + oneLine(what)
	if file != "" {
		msg += fmt.Sprintf("; reproduce with: tcpsim run %s --seed %d", shellWord(file), seed)
	}
	if !debugOn {
		msg += "; set " + debugEnv + "=1 for the stack trace"
	}
	fmt.Fprintln(stderr, msg)
	if debugOn {
		stderr.Write(stack)
	}
	return exitBug
}

// oneLine folds s onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// shellWord quotes s if a shell would split or expand it.
func shellWord(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`*?[]{}()<>|&;#~!") {
		return s
	}
	return strconv.Quote(s)
}

// version is tcpsim's version as the Go toolchain stamped it (module
// version or VCS pseudo-version; else "devel", with the commit when the
// build recorded it) and the Go version it was built with.
func version() string {
	v, gov := "devel", runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		} else if rev, dirty := vcsRevision(bi.Settings); rev != "" {
			v += " " + rev + dirty
		}
		if bi.GoVersion != "" {
			gov = bi.GoVersion
		}
	}
	return v + " (" + gov + ")"
}

// vcsRevision returns the commit the binary was built from (12 hex digits)
// and "+dirty" if the work tree had changes, from the build settings; ""
// when they do not say.
func vcsRevision(settings []debug.BuildSetting) (rev, dirty string) {
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value[:min(12, len(s.Value))]
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev == "" {
		return "", ""
	}
	return rev, dirty
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "tcpsim",
		Short:         "Simulate how TCP turns a lossy link into a reliable byte stream, and how UDP does not",
		Long:          "Simulate how TCP turns a lossy link into a reliable byte stream, and how UDP does not.\n\n" + exitCodesHelp,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("tcpsim {{.Version}}\n")
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newRunCmd(stdout, stderr), newSweepCmd(stdout, stderr), newMergeCmd(stdout), newValidateCmd(stdout), newDiagramCmd(stdout), newPlotCmd(stdout), newAnalyzeCmd(stdout), newExercisesCmd(stdout), newServeCmd(stdout, stderr), newEmulateCmd(stdout, stderr), newCompareCmd(stdout, stderr), newEmulatePeerCmd(stdout), newManCmd(stdout))
	addExamples(root)
	return root
}
