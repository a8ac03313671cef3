package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const good = `name: t
seed: 3
link:
  rate: 10Mbps
  delay: 20ms
  queue: 50
  loss: 2%
  reverse: {loss: 0%}
flows:
  - name: file
    protocol: tcp
    bytes: 1.5MB
    recv_buffer: 64KiB
  - name: video
    protocol: udp
    bytes: 10MB
    datagram: 1200
    rate: 4Mbps
`

func TestParseGood(t *testing.T) {
	s, err := Parse("good.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	fwd, rev := s.LinkDirection("forward"), s.LinkDirection("reverse")
	if *fwd.Rate != 10e6 || *fwd.Delay != 20e6 || *fwd.Queue != 50 || fwd.Loss.P != 0.02 || rev.Loss.P != 0 || *rev.Rate != 10e6 {
		t.Fatalf("link: fwd rate %v delay %v queue %v loss %v; rev loss %v rate %v", *fwd.Rate, *fwd.Delay, *fwd.Queue, fwd.Loss.P, rev.Loss.P, *rev.Rate)
	}
	if f := s.Flows[0].TCP; f.Bytes != 1500000 || f.RecvBuffer != 65536 || f.MSS != 1460 || f.Congestion != "newreno" {
		t.Fatalf("tcp flow %+v", f)
	}
	if f := s.Flows[1].UDP; f.Count != 8334 || !f.Checksum {
		t.Fatalf("udp flow %+v", f)
	}
}

// Every malformed scenario is rejected with the file, the line, the field
// and the expected form.
func TestMalformed(t *testing.T) {
	for _, c := range []struct {
		name, from, to string
		want           []string // substrings of the error
	}{
		{"loss over 100%", "loss: 2%", "loss: 150%", []string{"bad.yaml:7:", "link.loss", "0% to 100%"}},
		{"bad rate unit", "rate: 4Mbps", "rate: 4Mbs", []string{"bad.yaml:18:", "flows[1].rate", "e.g. 10Mbps"}},
		{"bad duration", "delay: 20ms", "delay: 20", []string{"bad.yaml:5:", "link.delay", "duration"}},
		{"negative duration", "delay: 20ms", "delay: -5ms", []string{"bad.yaml:5:", "link.delay"}},
		{"bad size", "bytes: 1.5MB", "bytes: lots", []string{"bad.yaml:12:", "flows[0].bytes", "size"}},
		{"fractional bytes", "bytes: 1.5MB", "bytes: 1.5", []string{"bad.yaml:12:", "whole number"}},
		{"unknown field", "queue: 50", "queeu: 50", []string{"bad.yaml:6:", `unknown field "queeu"`}},
		{"queue not a number", "queue: 50", "queue: many", []string{"bad.yaml:6:10: link.queue: ", `"many" is not`, "whole number"}},
		{"negative queue", "queue: 50", "queue: -1", []string{"bad.yaml:6:10: link.queue: ", "from 0 to"}},
		{"bad protocol", "protocol: tcp", "protocol: sctp", []string{"bad.yaml:11", "flows[0].protocol", "tcp, udp, stop-and-wait, go-back-n, selective-repeat, rdt2.0, rdt2.1, rdt2.2 or syn-flood"}},
		{"bad congestion", "bytes: 1.5MB", "bytes: 1.5MB\n    congestion: westwood", []string{"bad.yaml:13", "flows[0].congestion", "newreno"}},
		{"duplicate names", "name: video", "name: file", []string{"bad.yaml:14", "flows[1].name", "unique"}},
		{"udp without rate", "    rate: 4Mbps\n", "", []string{"bad.yaml", "flows[1].rate", "send rate"}},
		{"missing name", "name: t\n", "", []string{"bad.yaml", "name", "missing"}},
		{"bad GE model", "loss: 2%", "loss: {model: markov, p: 1%}", []string{"bad.yaml:7", "link.loss", "gilbert-elliott"}},
		{"GE unknown key", "loss: 2%", "loss: {model: gilbert-elliott, q: 1%}", []string{"bad.yaml:7", `unknown field "q"`}},
		{"recv buffer below mss", "recv_buffer: 64KiB", "recv_buffer: 100", []string{"bad.yaml:13", "flows[0].recv_buffer", "MSS"}},
		{"syntax", "flows:", "flows: [", []string{"bad.yaml:"}},
		{"reorder without delay", "queue: 50", "queue: 50\n  reorder: 1%", []string{"bad.yaml:7", "reorder_delay"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(good, c.from, c.to, 1)
			if src == good {
				t.Fatalf("case does not change the document")
			}
			_, err := Parse("bad.yaml", []byte(src))
			if err == nil {
				t.Fatal("accepted")
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v is not a *scenario.Error", err, err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestUnits(t *testing.T) {
	if r, _ := ParseRate("1.5Gbps"); r != 1.5e9 {
		t.Errorf("1.5Gbps = %d", r)
	}
	if z, _ := ParseSize("64KiB"); z != 65536 {
		t.Errorf("64KiB = %d", z)
	}
	if d, _ := ParseDuration("250us"); d != 250000 {
		t.Errorf("250us = %d", d)
	}
	if p, _ := ParsePercent("0.5%"); p != 0.005 {
		t.Errorf("0.5%% = %v", p)
	}
	for _, bad := range []string{"", "2", "-1%", "101%", "x%"} {
		if _, err := ParsePercent(bad); err == nil {
			t.Errorf("ParsePercent(%q) accepted", bad)
		}
	}
}

// Every shipped scenario parses.
func TestShippedScenariosParse(t *testing.T) {
	files, _ := filepath.Glob("../../scenarios/*.yaml")
	more, _ := filepath.Glob("../../scenarios/*/*.yaml")
	files = append(files, more...)
	if len(files) < 3 {
		t.Fatalf("found %d scenarios", len(files))
	}
	for _, f := range files {
		if _, err := Load(f); err != nil {
			t.Error(err)
		}
	}
	if _, err := Load("no/such/file.yaml"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestOverrides(t *testing.T) {
	s, err := Parse("o.yaml", []byte(good),
		Override{"link.loss", "5%"}, Override{"link.reverse.delay", "7ms"},
		Override{"flows.file.congestion", "reno"}, Override{"flows.video.bytes", "1200"})
	if err != nil {
		t.Fatal(err)
	}
	if s.LinkDirection("forward").Loss.P != 0.05 || *s.LinkDirection("reverse").Delay != 7e6 || s.Flows[0].TCP.Congestion != "reno" || s.Flows[1].UDP.Count != 1 {
		t.Fatalf("overrides not applied: %+v", s)
	}
	for _, c := range []struct {
		o    Override
		want string
	}{
		{Override{"link.los", "5%"}, `no field "los"`},
		{Override{"flows.nosuch.mss", "5"}, `no flow named "nosuch"`},
		{Override{"link.loss", "150%"}, "0% to 100%"},
		{Override{"flows.file.congestion", "westwood"}, "newreno"},
		{Override{"link", "5"}, "group of fields"},
	} {
		_, err := Parse("o.yaml", []byte(good), c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err %v, want %q", c.o, err, c.want)
		}
	}
}

// FuzzParse: any document is either a valid scenario or an *Error naming
// the file; the parser never panics, and an accepted scenario's names are
// printable UTF-8. The corpus (testdata/fuzz/FuzzParse) holds alias and
// merge bombs, byte-order marks, directives, second documents, odd names
// and numbers (issue 21).
func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("name: x\nlink: {loss: {model: gilbert-elliott, p: 1%}}\nflows: [{name: a, protocol: udp, count: 1, rate: 1bps}]\n"))
	f.Add([]byte("name: [\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("flows:\n  - delayed_ack: 40ms\n    isn: 99999999999\n"))
	f.Add([]byte("name: r\nflows: [{name: w, protocol: tcp, bytes: 1KB, repeat: {count: 3, every: exp(1ms)}}, {name: 'w#4', protocol: udp, count: 1, rate: 1bps}]\n"))
	f.Add([]byte("name: r\nflows: [{name: w, protocol: udp, count: 2, rate: 1bps, repeat: {count: 16384, every: 0s}}]\n"))
	f.Add([]byte("name: q\nlink: {aqm: red, red: {min: 3, max: 9, max_p: 5%, weight: 0.01, gentle: true}, ecn: true, reverse: {aqm: codel, codel: {target: 1ms}}}\nflows: [{name: a, protocol: tcp, bytes: 1MB, ecn: true}]\n"))
	f.Add([]byte(topoDoc))
	f.Add([]byte("name: t\nnodes: {hosts: [a, b], routers: [r]}\nlinks: [{between: [a, r]}, {between: [r, b], forward: {loss: 1%}}]\nflows: [{name: f, protocol: udp, from: a, to: b, count: 1, rate: 1bps}]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := Parse("fuzz.yaml", src)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.File != "fuzz.yaml" {
				t.Fatalf("error %T %v is not a located *scenario.Error", err, err)
			}
			return
		}
		if s.Name == "" || len(s.Flows) == 0 || s.Until <= 0 || s.MaxEvents <= 0 {
			t.Fatalf("accepted an incomplete scenario: %+v", s)
		}
		if fs := s.Expanded(1); len(fs) > MaxFlows || len(fs) < len(s.Flows) {
			t.Fatalf("%d flow entries expand to %d flows", len(s.Flows), len(fs))
		}
		if err := checkText(s.Name, false); err != nil {
			t.Fatalf("accepted the scenario name %q: %v", s.Name, err)
		}
		for _, f := range s.Flows {
			if err := checkFlowName(f.Name); err != nil {
				t.Fatalf("accepted the flow name %q: %v", f.Name, err)
			}
			if r := f.Repeat; r != nil && (r.Count < 1 || r.Every < 0 || f.Protocol != "tcp" && f.Protocol != "udp") {
				t.Fatalf("flow %q: repeat out of range: %+v", f.Name, r)
			}
			if (f.Protocol == "tcp") != (f.TCP != nil) || (f.Protocol == "udp") != (f.UDP != nil) {
				t.Fatalf("flow %q: protocol %q with TCP %v UDP %v", f.Name, f.Protocol, f.TCP, f.UDP)
			}
			if f.TCP != nil && (f.TCP.MSS < 64 || int(f.TCP.RecvBuffer) < f.TCP.MSS || f.TCP.MinRTO <= 0 || f.TCP.MaxRetries < 1) {
				t.Fatalf("flow %q: TCP fields out of range: %+v", f.Name, f.TCP)
			}
			if f.UDP != nil && (f.UDP.Count < 1 || f.UDP.Datagram < 8 || f.UDP.Rate <= 0) {
				t.Fatalf("flow %q: UDP fields out of range: %+v", f.Name, f.UDP)
			}
			if from, to := f.From, f.To; from == to || !slices.Contains(s.HostNames(), from) || !slices.Contains(s.HostNames(), to) {
				t.Fatalf("flow %q: from %q to %q, hosts %v", f.Name, from, to, s.HostNames())
			}
		}
	})
}

// FuzzOverride: any override of a valid scenario is applied with the
// file's checks or refused with an *Error naming the file; never a panic.
func FuzzOverride(f *testing.F) {
	for _, o := range []Override{{"link.loss", "2%"}, {"flows.video.mss", "1000"}, {"seed", "1"}, {"link.loss.r", "5%"},
		{"flows.file.mss", "0"}, {"link.forward.delay", "1ms"}, {"report", "[link]"}, {"flows.file", "x"}, {"link", "{}"}, {"flows.file.delayed_ack", "~"},
		{"link.aqm", "codel"}, {"links[0].rate", "1Mbps"}, {"link.red.max_p", "5%"}, {"link.reverse.codel.interval", "50ms"}, {"link.ecn", "true"}, {"flows.file.ecn", "true"}} {
		f.Add(o.Path, o.Value)
	}
	f.Fuzz(func(t *testing.T, path, value string) {
		s, err := Parse("o.yaml", []byte(good), Override{path, value})
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.File != "o.yaml" {
				t.Fatalf("error %T %v is not a *scenario.Error naming the file", err, err)
			}
			return
		}
		if len(s.Flows) != 2 || s.Flows[0].TCP == nil || s.Flows[1].UDP == nil {
			t.Fatalf("override %s=%s broke the flows: %+v", path, value, s.Flows)
		}
	})
}

func TestHugeUDPCountRejected(t *testing.T) {
	_, err := Parse("h.yaml", []byte("name: h\nlink: {rate: 1Mbps}\nflows: [{name: u, protocol: udp, count: 9223372036854775807, rate: 1Mbps}]\n"))
	if err == nil || !strings.Contains(err.Error(), "from 1 to 1000000000") {
		t.Fatalf("err = %v", err)
	}
}
