package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"tcpsim/internal/capture"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
	"tcpsim/sim"
)

// instruments are the optional outputs of 'tcpsim run': trace and capture.
type instruments struct {
	files  []*os.File
	tw     *trace.Writer
	filter *trace.Filter
	pcap   *capture.Writer
	at     string
}

func newInstruments(stdout io.Writer, traceTo, flow, from, till, pcapTo, pcapAt string) (*instruments, error) {
	ins := &instruments{at: pcapAt}
	if pcapAt != "sender" && pcapAt != "receiver" {
		return nil, fmt.Errorf("--pcap-at %q: want sender or receiver", pcapAt)
	}
	if traceTo != "" {
		var w io.Writer = stdout
		text := traceTo == "-" || strings.HasSuffix(traceTo, ".txt")
		if traceTo != "-" {
			f, err := os.Create(traceTo)
			if err != nil {
				return nil, err
			}
			ins.files = append(ins.files, f)
			w = f
		}
		ins.tw = trace.NewWriter(w, text)
		ins.filter = &trace.Filter{Flow: flow, Next: ins.tw}
		for _, t := range []struct {
			s    string
			dst  *sim.Time
			name string
		}{{from, &ins.filter.From, "--trace-from"}, {till, &ins.filter.To, "--trace-to"}} {
			if t.s == "" {
				continue
			}
			d, err := scenario.ParseDuration(t.s)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", t.name, err)
			}
			*t.dst = sim.Time(d)
		}
	} else if flow != "" || from != "" || till != "" {
		return nil, fmt.Errorf("--trace-flow, --trace-from and --trace-to need --trace")
	}
	if pcapTo != "" {
		f, err := os.Create(pcapTo)
		if err != nil {
			return nil, err
		}
		ins.files = append(ins.files, f)
		if ins.pcap, err = capture.NewWriter(f); err != nil {
			return nil, err
		}
	}
	return ins, nil
}

// options returns the run options for sc.
func (ins *instruments) options(sc *scenario.Scenario) (run.Options, error) {
	var sinks trace.Multi
	if ins.filter != nil {
		if ins.filter.Flow != "" && !hasFlow(sc, ins.filter.Flow) {
			return run.Options{}, fmt.Errorf("--trace-flow %q: %s has no such flow", ins.filter.Flow, sc.File)
		}
		sinks = append(sinks, ins.filter)
	}
	if ins.pcap != nil {
		sinks = append(sinks, ins.pcap.Sink(ins.at))
	}
	if len(sinks) == 0 {
		return run.Options{}, nil
	}
	return run.Options{Trace: sinks}, nil
}

func hasFlow(sc *scenario.Scenario, name string) bool {
	for _, f := range sc.Flows {
		if f.Name == name {
			return true
		}
	}
	return false
}

func (ins *instruments) flush() error {
	if ins.tw != nil {
		if err := ins.tw.Flush(); err != nil {
			return err
		}
	}
	if ins.pcap != nil {
		return ins.pcap.Err()
	}
	return nil
}

func (ins *instruments) close() {
	for _, f := range ins.files {
		f.Close()
	}
}
