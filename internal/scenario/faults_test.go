package scenario

import (
	"fmt"
	"strings"
	"testing"
)

func docFaults(faults string) string {
	return doc("faults:\n"+faults, "", "bytes: 1MB", "count: 10")
}

// Every kind of fault decodes to what it says, with the defaults.
func TestFaultsDecode(t *testing.T) {
	s := mustParse(t, docFaults(`  - {flow: file, drop: data, segment: 14}
  - {flow: file, drop: data, segment: 14, transmission: 2}
  - {flow: file, drop: ack, number: 3}
  - {flow: file, corrupt: data, segment: 20, bits: 2, undetectable: true}
  - {flow: video, drop: data, segment: 5}
  - {at: 1.2s, drop: in-flight}
  - {from: 2s, to: 2.5s, outage: forward}
  - {from: 2.2s, to: 3s, outage: both}`))
	want := []Fault{
		{Flow: "file", Drop: "data", Segment: 14, Transmission: 1, Bits: 1, Direction: "both"},
		{Flow: "file", Drop: "data", Segment: 14, Transmission: 2, Bits: 1, Direction: "both"},
		{Flow: "file", Drop: "ack", Number: 3, Transmission: 1, Bits: 1, Direction: "both"},
		{Flow: "file", Corrupt: "data", Segment: 20, Transmission: 1, Bits: 2, Undetectable: true, Direction: "both"},
		{Flow: "video", Drop: "data", Segment: 5, Transmission: 1, Bits: 1, Direction: "both"},
		{Drop: "in-flight", At: Duration(1.2e9), Transmission: 1, Bits: 1, Direction: "both"},
		{Outage: "forward", From: Duration(2e9), To: Duration(2.5e9), Transmission: 1, Bits: 1, Direction: "both"},
		{Outage: "both", From: Duration(2.2e9), To: Duration(3e9), Transmission: 1, Bits: 1, Direction: "both"},
	}
	if len(s.Faults) != len(want) {
		t.Fatalf("got %d faults, want %d", len(s.Faults), len(want))
	}
	for i := range want {
		if s.Faults[i] != want[i] {
			t.Errorf("faults[%d] = %+v, want %+v", i, s.Faults[i], want[i])
		}
	}
	if s := mustParse(t, docTCP("")); s.Faults != nil {
		t.Errorf("no faults section: got %+v", s.Faults)
	}
}

// Bad faults get located errors that say what is wanted.
func TestFaultsErrors(t *testing.T) {
	for _, c := range []struct{ name, faults, want string }{
		{"not a list", "  {drop: data}", `faults: want a list of scripted faults`},
		{"unknown field", "  - {flow: file, drop: data, segment: 1, seg: 2}", `x.yaml:3:42: faults[0].seg: unknown field "seg": want one of flow, drop`},
		{"unknown flow", "  - {flow: nope, drop: data, segment: 1}", `x.yaml:3:6: faults[0].flow: no flow named "nope" (flows: file, video)`},
		{"negative segment", "  - {flow: file, drop: data, segment: -1}", `faults[0].segment: "-1" is not a valid segment: want a whole number from 1`},
		{"segment 0", "  - {flow: file, drop: data, segment: 0}", `faults[0].segment: "0" is not a valid segment`},
		{"no action", "  - {flow: file, segment: 3}", `x.yaml:3:5: faults[0].drop: missing: a fault needs drop: data|ack|in-flight, corrupt: data, or outage`},
		{"two actions", "  - {flow: file, drop: data, corrupt: data, segment: 3}", `faults[0].corrupt: a fault does one thing: drop or corrupt, not both`},
		{"no segment", "  - {flow: file, drop: data}", `faults[0].segment: missing: drop: data needs which data segment`},
		{"no flow", "  - {drop: data, segment: 3}", `faults[0].flow: missing: drop: data needs the flow it applies to, e.g. flow: file`},
		{"ack with segment", "  - {flow: file, drop: ack, segment: 3}", `faults[0].segment: field segment does not apply to a fault with drop: ack (its fields: flow, drop, number)`},
		{"ack of udp", "  - {flow: video, drop: ack, number: 3}", `faults[0].drop: flow video is UDP: it sends no ACKs`},
		{"udp retransmission", "  - {flow: video, drop: data, segment: 3, transmission: 2}", `faults[0].transmission: flow video is UDP: it never retransmits`},
		{"corrupt ack", "  - {flow: file, corrupt: ack, number: 3}", `faults[0].corrupt: "ack" is not a valid corrupt: want data`},
		{"bits on a drop", "  - {flow: file, drop: data, segment: 3, bits: 2}", `faults[0].bits: field bits does not apply to a fault with drop: data`},
		{"bits 17", "  - {flow: file, corrupt: data, segment: 3, bits: 17}", `faults[0].bits: "17" is not a valid bits: want a whole number from 1 to 16 bits`},
		{"undetectable odd", "  - {flow: file, corrupt: data, segment: 3, bits: 3, undetectable: true}", `faults[0].bits: undetectable corruption flips bits in pairs`},
		{"undetectable one bit", "  - {flow: file, corrupt: data, segment: 3, undetectable: true}", `faults[0].undetectable: undetectable corruption flips bits in pairs`},
		{"in-flight without at", "  - {drop: in-flight}", `faults[0].at: missing: drop: in-flight needs the time`},
		{"in-flight with flow", "  - {flow: file, drop: in-flight, at: 1s}", `faults[0].flow: field flow does not apply to a fault with drop: in-flight (its fields: drop, at, direction)`},
		{"outage backwards", "  - {from: 2s, to: 1s, outage: forward}", `x.yaml:3:16: faults[0].to: to 1s is not after from 2s: want an outage that lasts`},
		{"outage empty", "  - {from: 2s, to: 2s, outage: forward}", `faults[0].to: to 2s is not after from 2s`},
		{"outage without to", "  - {from: 2s, outage: reverse}", `faults[0].to: missing: an outage needs from and to`},
		{"outage bad direction", "  - {from: 1s, to: 2s, outage: up}", `faults[0].outage: "up" is not a valid outage: want forward, reverse or both`},
		{"empty value", "  - {flow: file, drop: data, segment: }", `faults[0].segment: missing value`},
		{"negative time", "  - {drop: in-flight, at: -1s}", `faults[0].at: "-1s"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(docFaults(c.faults)))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant %s", err, c.want)
			}
		})
	}
}

// Faults on rdt flows: every selector applies (TestScriptedFaultsRDT in
// internal/run runs them); a packet the flow never sends is a located
// error.
func TestFaultsRDT(t *testing.T) {
	const rdtDoc = `name: r
link: {rate: 1Mbps, delay: 10ms}
flows:
  - {name: sw, protocol: stop-and-wait, count: 3}
faults:
%s`
	for _, ok := range []string{
		"  - {flow: sw, drop: data, segment: 3}",
		"  - {flow: sw, drop: data, segment: 2, transmission: 3}",
		"  - {flow: sw, drop: ack, number: 7}",
		"  - {flow: sw, corrupt: data, segment: 1, bits: 2, undetectable: true}",
	} {
		if _, err := Parse("x.yaml", []byte(fmt.Sprintf(rdtDoc, ok))); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, c := range []struct{ name, faults, want string }{
		{"segment past the end", "  - {flow: sw, drop: data, segment: 4}", `x.yaml:6:28: faults[0].segment: flow sw sends 3 packets: segment 4 is never sent`},
		{"corrupt ack", "  - {flow: sw, corrupt: ack, number: 1}", `x.yaml:6:25: faults[0].corrupt: "ack" is not a valid corrupt: want data`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(fmt.Sprintf(rdtDoc, c.faults)))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant %s", err, c.want)
			}
		})
	}
}

func TestInitialSsthresh(t *testing.T) {
	if s := mustParse(t, docTCP("initial_ssthresh: 8")); s.Flows[0].TCP.InitialSsthresh != 8 {
		t.Errorf("initial_ssthresh: got %d, want 8", s.Flows[0].TCP.InitialSsthresh)
	}
	if s := mustParse(t, docTCP("")); s.Flows[0].TCP.InitialSsthresh != 0 {
		t.Errorf("absent: got %d, want 0 (arbitrarily high)", s.Flows[0].TCP.InitialSsthresh)
	}
	for _, v := range []string{"1", "0", "8KB", "-3"} {
		if _, err := Parse("x.yaml", []byte(docTCP("initial_ssthresh: "+v))); err == nil || !strings.Contains(err.Error(), "want a whole number from 2 to 1000000 segments") {
			t.Errorf("initial_ssthresh: %s: got %v", v, err)
		}
	}
	if _, err := Parse("x.yaml", []byte(docUDP("count: 1\ninitial_ssthresh: 8"))); err == nil || !strings.Contains(err.Error(), "does not apply to a udp flow") {
		t.Errorf("udp initial_ssthresh: got %v", err)
	}
}
