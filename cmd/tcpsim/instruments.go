package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/term"

	"tcpsim/internal/capture"
	"tcpsim/internal/outdir"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
)

// instrumentFlags are the trace and capture flags of 'tcpsim run' as the
// user typed them.
type instrumentFlags struct {
	Trace, TraceFlow, TraceFrom, TraceTo string
	Pcap, PcapAt                         string
	TraceRTT                             bool
}

// instruments are the optional outputs of 'tcpsim run': an event trace
// and a packet capture, shared by runs 1..runs. Both are written whole
// record by whole record, so an interrupted run leaves files that end on
// a record boundary.
type instruments struct {
	fl     instrumentFlags
	runs   int
	stdout io.Writer
	text   bool
	filter trace.Filter

	traceFile *os.File
	tw        *trace.Writer
	pcapFile  *os.File
	pcap      *capture.Writer
	pcapPaths []string // captures written, one per run with several runs
}

// newInstruments checks the flags for runs runs (usage errors name the
// flag and the expected form) without creating any file.
func newInstruments(fl instrumentFlags, runs int, stdout io.Writer) (*instruments, error) {
	ins := &instruments{fl: fl, runs: runs, stdout: stdout}
	if node, peer, _ := strings.Cut(fl.PcapAt, ":"); node == "" || strings.Contains(peer, ":") || strings.Contains(fl.PcapAt, ":") && peer == "" {
		return nil, fmt.Errorf("--pcap-at %q: want sender, receiver, NODE or NODE:PEER (the interface of NODE's link to PEER)", fl.PcapAt)
	}
	if fl.Trace == "" {
		if fl.TraceFlow != "" || fl.TraceFrom != "" || fl.TraceTo != "" || fl.TraceRTT {
			return nil, errors.New("--trace-flow, --trace-from, --trace-to and --trace-rtt need --trace")
		}
	} else {
		switch strings.ToLower(filepath.Ext(fl.Trace)) {
		case ".txt":
			ins.text = true
		case ".jsonl":
		default:
			if fl.Trace != "-" {
				return nil, fmt.Errorf("--trace %q: want FILE.jsonl (JSON lines), FILE.txt (text) or - (text on stdout)", fl.Trace)
			}
			ins.text = true
		}
		from, to, err := window("--trace-from", fl.TraceFrom, "--trace-to", fl.TraceTo)
		if err != nil {
			return nil, err
		}
		ins.filter = trace.Filter{Flow: fl.TraceFlow, From: from, To: to}
	}
	if fl.Pcap == "-" {
		switch {
		case fl.Trace == "-":
			return nil, errors.New("--pcap - and --trace - both write to stdout: send one of them to a file")
		case runs > 1:
			return nil, fmt.Errorf("--pcap -: %d scenarios would make one capture of several unrelated conversations: give --pcap FILE (one FILE-K per run) or run one scenario", runs)
		}
		if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			return nil, errors.New("--pcap -: stdout is a terminal: redirect it to a file or a pipe (e.g. | tshark -r -), or give --pcap FILE")
		}
	}
	if fl.Pcap != "" && fl.Pcap != "-" && fl.Trace != "" && filepath.Clean(fl.Pcap) == filepath.Clean(fl.Trace) {
		return nil, fmt.Errorf("--trace and --pcap both name %q: give two files", fl.Trace)
	}
	return ins, nil
}

// check reports a usage error if sc lacks the flow that --trace-flow names.
func (ins *instruments) check(sc *scenario.Scenario) error {
	if f := ins.fl.TraceFlow; f != "" && !hasFlow(sc, f) {
		return fmt.Errorf("--trace-flow %q: %s", f, sc.NoSuchFlow(f))
	}
	// The default, receiver, names no host of a topology: it matters only
	// with a capture.
	if ins.fl.Pcap != "" || ins.fl.PcapAt != "receiver" {
		if _, _, err := pcapPoint(ins.fl.PcapAt, sc); err != nil {
			return err
		}
	}
	return nil
}

// pcapPoint resolves --pcap-at for sc: sender and receiver are hosts a
// and b of the two-host form; NODE a node of sc; NODE:PEER the interface
// of NODE's link to PEER.
func pcapPoint(at string, sc *scenario.Scenario) (node, peer string, err error) {
	switch at {
	case "sender", "receiver":
		if sc.Topology() {
			return "", "", fmt.Errorf("--pcap-at %s: %s is a topology: name a node, or NODE:PEER for one interface", at, sc.File)
		}
		if at == "sender" {
			return scenario.HostA, "", nil
		}
		return scenario.HostB, "", nil
	}
	node, peer, _ = strings.Cut(at, ":")
	nodes := append(slices.Clip(sc.HostNames()), sc.RouterNames()...)
	if !slices.Contains(nodes, node) {
		return "", "", fmt.Errorf("--pcap-at %q: want sender or receiver, a node of %s (%s), or NODE:PEER", at, sc.File, strings.Join(nodes, ", "))
	}
	if peer == "" {
		return node, "", nil
	}
	for _, l := range sc.LinkSpecs() {
		if l.A == node && l.B == peer || l.B == node && l.A == peer {
			return node, peer, nil
		}
	}
	return "", "", fmt.Errorf("--pcap-at %q: %s has no link between %s and %s", at, sc.File, node, peer)
}

// pcapToStdout reports whether the capture goes to stdout (the tables then
// go to stderr).
func (ins *instruments) pcapToStdout() bool { return ins.fl.Pcap == "-" }

// open creates the trace file.
func (ins *instruments) open() error {
	if ins.fl.Trace == "" {
		return nil
	}
	w := ins.stdout
	if ins.fl.Trace != "-" {
		f, err := os.Create(ins.fl.Trace)
		if err != nil {
			return fmt.Errorf("--trace: %w", err)
		}
		ins.traceFile, w = f, f
	}
	ins.tw = trace.NewWriter(w, ins.text)
	ins.filter.Next = ins.tw
	return nil
}

// pcapPath is the capture file of run k (counted from 1): the --pcap file
// itself for a single run, else FILE-k.ext.
func (ins *instruments) pcapPath(k int) string {
	p := ins.fl.Pcap
	if ins.runs == 1 {
		return p
	}
	ext := filepath.Ext(p)
	return strings.TrimSuffix(p, ext) + "-" + strconv.Itoa(k) + ext
}

// createPcap creates a capture file. One of several runs' captures,
// FILE-k.ext, is made beside FILE through an os.Root on FILE's directory,
// so that it lands there and nowhere else (issue 21, item 2); a single
// capture is the file named, as os.Create makes it.
func createPcap(path string, perRun bool) (*os.File, error) {
	if !perRun {
		return os.Create(path)
	}
	od, err := outdir.Open(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	defer od.Close()
	f, _, err := od.Create(filepath.Base(path))
	return f, err
}

// begin prepares run k (counted from 1) of sc: it opens that run's
// capture and returns the run options that feed the instruments.
func (ins *instruments) begin(k int, sc *scenario.Scenario) (run.Options, error) {
	var sinks trace.Multi
	if ins.tw != nil {
		if ins.runs > 1 {
			ins.tw.SetRun(k)
		}
		sinks = append(sinks, &ins.filter)
	}
	if ins.fl.Pcap != "" {
		var w io.Writer = ins.stdout
		if ins.fl.Pcap != "-" {
			path := ins.pcapPath(k)
			f, err := createPcap(path, ins.runs > 1)
			if err != nil {
				return run.Options{}, fmt.Errorf("--pcap: %w", err)
			}
			ins.pcapFile, w = f, f
			ins.pcapPaths = append(ins.pcapPaths, path)
		}
		pw, err := capture.NewWriter(w)
		if err != nil {
			return run.Options{}, fmt.Errorf("--pcap %s: %w", ins.fl.Pcap, err)
		}
		ins.pcap = pw
		node, peer, err := pcapPoint(ins.fl.PcapAt, sc)
		if err != nil {
			return run.Options{}, err
		}
		sinks = append(sinks, pw.SinkAt(node, peer))
	}
	if len(sinks) == 0 {
		return run.Options{}, nil
	}
	return run.Options{Trace: sinks, TraceRTT: ins.fl.TraceRTT}, nil
}

// end finishes the current run: it writes the trace records still
// buffered and completes and closes the run's capture.
func (ins *instruments) end() error {
	if ins.tw != nil {
		if err := ins.tw.Flush(); err != nil {
			return fmt.Errorf("--trace %s: %w", ins.fl.Trace, err)
		}
	}
	if ins.pcap != nil {
		err := ins.pcap.Flush()
		ins.pcap = nil
		if ins.pcapFile != nil {
			if cerr := ins.pcapFile.Close(); err == nil {
				err = cerr
			}
			ins.pcapFile = nil
		}
		if err != nil {
			return fmt.Errorf("--pcap %s: %w", ins.fl.Pcap, err)
		}
	}
	return nil
}

// close closes the trace file; after the last run's end it reports
// whether the trace reached the disk.
func (ins *instruments) close() error {
	if ins.traceFile == nil {
		return nil
	}
	err := ins.traceFile.Close()
	ins.traceFile = nil
	if err != nil {
		return fmt.Errorf("--trace %s: %w", ins.fl.Trace, err)
	}
	return nil
}

// fail writes what can still be written, closes every file and returns
// err (the first error wins).
func (ins *instruments) fail(err error) error {
	ins.end()
	ins.close()
	return err
}

// kept says, for the interruption message, which files hold the records
// written until the interruption ("" without files).
func (ins *instruments) kept() string {
	var files []string
	if ins.fl.Trace != "" && ins.fl.Trace != "-" {
		files = append(files, "trace "+ins.fl.Trace)
	}
	if len(ins.pcapPaths) > 0 {
		files = append(files, "capture "+strings.Join(ins.pcapPaths, ", "))
	}
	if len(files) == 0 {
		return ""
	}
	return "; " + strings.Join(files, " and ") + " hold every whole record up to then"
}

func hasFlow(sc *scenario.Scenario, name string) bool {
	for _, f := range sc.Expanded(sc.Seed) { // a repeated flow's members by name
		if f.Name == name {
			return true
		}
	}
	return false
}
