package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"tcpsim/internal/emulate"
	"tcpsim/internal/report"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
	"tcpsim/sim"
)

func newEmulateCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		seed   uint64
		fl     instrumentFlags
		format string
		runs   []string
		clean  bool
		force  bool
	)
	cmd := &cobra.Command{
		Use:   "emulate FILE [--run HOST='COMMAND']...",
		Short: "Run real programs and the real kernel's TCP over the scenario's links, in real time (Linux; root or user namespaces)",
		Long: `Emulate the scenario: one network namespace per host, each with a TUN
device (host i has the address it has in a simulated run: a is 10.0.0.1,
b is 10.0.0.2), joined through the scenario's links, run in real time by
tcpsim's own link model: rate, delay, queue and AQM, loss, corruption (real
bit flips: the receiving kernel's checksum drops the packet), duplication,
reordering and the scripted faults:.

A tcp or udp flow is carried by the real kernel: tcpsim's built-in peers
(a bulk sender and reader, a request-response client and server with the
flow's congestion: set by TCP_CONGESTION, or a UDP sender paced at the
flow's rate and a receiver that counts datagrams), unless a --run names
its sending or receiving host: then the commands carry it. A repeated
flow runs member by member, as in a simulated run (at most 32 flows in
all); an rdt flow, which no kernel speaks, needs a --run command.
A command runs in its host's namespace without a shell, with tcpsim's
environment; its output is printed prefixed "HOST| ". A command on a flow's
sending host starts at that flow's start:, any other at once. The run ends
when every flow's sending side has finished (then, after a second for the
last segments, every other command is ended), at until:, or on SIGINT or
SIGTERM; every namespace, device and process it made is removed.

The tables, --trace and --pcap are those of tcpsim run, decoded from the
real packets and marked emulated; a relay line gives the release error
(how late packets left their link) and stalls. A link direction or UDP
flow that asks for more packets per second than the relay sustains (about
33,000/s: 400 Mbps of full-size packets) is refused with exit 2, unless
--force. Needs Linux, /dev/net/tun and the ip command (iproute2), and
root or unprivileged user namespaces (not root, it starts itself in a user
namespace of its own): without them it exits 2 saying which is missing.
A run first removes the namespaces that killed runs left (--cleanup does
only that).`,
		Args: func(cmd *cobra.Command, args []string) error {
			if clean {
				return cobra.MaximumNArgs(0)(cmd, args)
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if ok, err := rootless(stdout, stderr); ok {
				return err
			}
			if clean {
				return emulateCleanup(stdout)
			}
			if _, err := report.ParseFormat(format, false); err != nil {
				return fmt.Errorf("--format %q: want one of %s", format, strings.Join(report.FormatNames(false), ", "))
			}
			sc, cmds, err := loadForEmulation(args[0], runs, force)
			if err != nil {
				return err
			}
			ins, err := newInstruments(fl, 1, stdout)
			if err != nil {
				return err
			}
			if err := ins.check(sc); err != nil {
				return err
			}
			tables := stdout
			if ins.pcapToStdout() {
				tables = stderr
			}
			// Every signal is caught for the whole run, a second one too:
			// the namespaces must be removed before tcpsim exits.
			intr, which, stop := catchInterrupts()
			defer stop()
			if err := ins.open(); err != nil {
				return err
			}
			s := sc.Seed
			if cmd.Flags().Changed("seed") {
				s = seed
			}
			opt, err := ins.begin(1, sc)
			if err != nil {
				return ins.fail(err)
			}
			res, err := emulate.Run(sc, emulate.Options{Seed: s, Commands: cmds, Trace: opt, Interrupt: intr, Output: tables, Force: force})
			if err != nil {
				return ins.fail(err)
			}
			if err := ins.end(); err != nil {
				return ins.fail(err)
			}
			out, err := report.NewWriter(tables, format)
			if err != nil {
				return ins.fail(err)
			}
			if err := out.Add(res, sc.Report); err != nil {
				out.Close()
				return ins.fail(err)
			}
			if err := out.Close(); err != nil {
				return ins.fail(err)
			}
			if err := ins.close(); err != nil {
				return err
			}
			if res.Reason == sim.Interrupted {
				return interrupted(which(), fmt.Sprintf("stopped the emulation of %s after %s; every namespace, device and process was removed", sc.File, report.Duration(res.End))+ins.kept())
			}
			if !res.OK() {
				return errRunFailed
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&runs, "run", nil, "carry a host's flows by a command: HOST='COMMAND ARGS...' (repeatable; no shell)")
	cmd.Flags().BoolVar(&force, "force", false, "run even a scenario that asks the relay for more packets/s than it sustains (a warning instead of exit 2)")
	cmd.Flags().BoolVar(&clean, "cleanup", false, "remove what killed emulations left behind (namespaces tcpsim-PID-K whose PID is gone) and exit; every run does this first")
	cmd.Flags().Uint64Var(&seed, "seed", 0, "override the scenario's seed (the links' random draws)")
	cmd.Flags().StringVar(&format, "format", "table", "output format: "+report.FormatList(false, true))
	cmd.Flags().StringVar(&fl.Trace, "trace", "", "write an event trace: FILE.jsonl (JSON lines), FILE.txt (text) or - (text on stdout)")
	cmd.Flags().StringVar(&fl.TraceFlow, "trace-flow", "", "trace only this flow")
	cmd.Flags().StringVar(&fl.Pcap, "pcap", "", "write a capture of the real packets (pcap, Ethernet): FILE, or - for stdout")
	cmd.Flags().StringVar(&fl.PcapAt, "pcap-at", "receiver", "where to capture: sender (host a), receiver (host b), or in a topology NODE or NODE:PEER")
	return cmd
}

// rootless runs this whole tcpsim command again inside a user namespace
// of its own when an emulation needs one (tcpsim is not root), and
// returns its exit status as an *exitCodeError (or, when the kernel
// refuses unprivileged user namespaces, the one-line reason, exit 2).
// handled is false when tcpsim can emulate as it is.
func rootless(stdout, stderr io.Writer) (handled bool, err error) {
	if !emulate.NeedsRootless() {
		return false, nil
	}
	code, err := emulate.Rootless(os.Args[1:], os.Stdin, stdout, stderr)
	if err != nil {
		return true, err
	}
	return true, &exitCodeError{Code: code}
}

// emulateCleanup is tcpsim emulate --cleanup: it removes the namespaces
// of tcpsim processes that no longer exist, saying which, and nothing
// else.
func emulateCleanup(stdout io.Writer) error {
	if err := emulate.Check(); err != nil {
		return err
	}
	done, err := emulate.Reap()
	for _, l := range done {
		fmt.Fprintln(stdout, l)
	}
	if err != nil {
		return err
	}
	if len(done) == 0 {
		fmt.Fprintln(stdout, "nothing left behind by earlier emulations")
	}
	return nil
}

// newEmulatePeerCmd is the hidden helper that tcpsim emulate runs inside
// a host's namespace (the built-in sender and reader, sysctls, counters).
func newEmulatePeerCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:                "emulate-peer MODE ARGS...",
		Hidden:             true,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return emulate.Peer(args, stdout)
		},
	}
}

// loadForEmulation is what tcpsim emulate and compare do before
// anything is made: the --run commands parsed, the machine checked
// (emulate.Check), the scenario loaded, and refused, located at its
// field, when it asks for flows an emulation cannot carry
// (emulate.CheckFlows) or more packets/s than the relay sustains
// (emulate.CheckRates; force makes that a warning, printed by the run).
func loadForEmulation(file string, runs []string, force bool) (*scenario.Scenario, []emulate.Command, error) {
	cmds, err := parseRuns(runs)
	if err != nil {
		return nil, nil, err
	}
	if err := emulate.Check(); err != nil {
		return nil, nil, err
	}
	sc, err := loadScenario(file)
	if err != nil {
		return nil, nil, err
	}
	if err := emulate.CheckFlows(sc, cmds); err != nil {
		return nil, nil, err
	}
	if _, err := emulate.CheckRates(sc, force); err != nil {
		return nil, nil, err
	}
	return sc, cmds, nil
}

// parseRuns reads the --run values, HOST='COMMAND' each.
func parseRuns(runs []string) ([]emulate.Command, error) {
	var cmds []emulate.Command
	for _, r := range runs {
		c, err := emulate.ParseCommand(r)
		if err != nil {
			return nil, err
		}
		cmds = append(cmds, c)
	}
	return cmds, nil
}

// emulateTrace emulates sc and returns its result and the events of
// flow; the commands' output goes to cmdOut. SIGINT and SIGTERM end the
// emulation (and remove what it made).
func emulateTrace(sc *scenario.Scenario, seed uint64, flow string, runs []string, cmdOut io.Writer) (*run.Result, []trace.Event, error) {
	cmds, err := parseRuns(runs)
	if err != nil {
		return nil, nil, err
	}
	if ok, err := rootless(os.Stdout, os.Stderr); ok {
		return nil, nil, err
	}
	intr, _, stop := catchInterrupts()
	defer stop()
	rec := &trace.Recorder{}
	res, err := emulate.Run(sc, emulate.Options{Seed: seed, Commands: cmds, Interrupt: intr, Output: cmdOut,
		Trace: run.Options{Trace: &trace.Filter{Flow: flow, Next: rec}}})
	if err != nil {
		return nil, nil, err
	}
	if res.Reason == sim.Interrupted {
		return nil, nil, interrupted(os.Interrupt, "stopped the emulation of "+sc.File)
	}
	return res, rec.Events, nil
}
