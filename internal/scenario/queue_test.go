package scenario

import (
	"strings"
	"testing"

	"tcpsim/sim"
)

// The queue fields decode into the link's directions, with the table
// of defaults filling what a red: or codel: mapping leaves out, and
// per-direction overrides winning (internal/run's TestLinkConfig checks
// their translation into the link model's configuration).
func TestQueueFieldsDecode(t *testing.T) {
	s := mustParse(t, doc("", "aqm: red\nred: {max_p: 5%, gentle: true}\necn: true\nreverse: {aqm: codel, codel: {target: 2ms}}", "bytes: 1MB\necn: true", "count: 10"))
	fwd, rev := s.LinkDirection("forward"), s.LinkDirection("reverse")
	wantRED := RED{Min: 5, Max: 15, MaxP: 0.05, Weight: 0.002, Gentle: true}
	if *fwd.AQM != "red" || *fwd.RED != wantRED || !*fwd.ECN {
		t.Errorf("forward: %v %+v ecn %v, want red %+v ecn true", *fwd.AQM, *fwd.RED, *fwd.ECN, wantRED)
	}
	if *rev.AQM != "codel" || *rev.CoDel != (CoDel{Target: Duration(2 * sim.Millisecond), Interval: Duration(100 * sim.Millisecond)}) || !*rev.ECN {
		t.Errorf("reverse: %v %+v ecn %v", *rev.AQM, *rev.CoDel, *rev.ECN)
	}
	if !s.Flows[0].TCP.ECN || !s.QueueManaged() {
		t.Errorf("flow ecn %v, queue managed %v: want both true", s.Flows[0].TCP.ECN, s.QueueManaged())
	}
	// Without the fields: drop-tail, the defaults' parameters, and the
	// text report stays as it was.
	s = mustParse(t, docTCP(""))
	c := s.LinkDirection("forward")
	if *c.AQM != "droptail" || *c.ECN || s.QueueManaged() || s.Flows[0].TCP.ECN {
		t.Errorf("defaults: aqm %v ecn %v, queue managed %v", *c.AQM, *c.ECN, s.QueueManaged())
	}
	// An explicit drop-tail still asks for the queue's rows.
	if s := mustParse(t, doc("", "aqm: droptail", "bytes: 1MB", "count: 10")); !s.QueueManaged() {
		t.Error("aqm: droptail: want the queue rows")
	}
}

// Bad queue settings name the file, line, field and the expected form.
func TestQueueFieldErrors(t *testing.T) {
	for _, c := range []struct{ link, want string }{
		{"aqm: pie", `x.yaml:4:8: link.aqm: "pie" is not a valid aqm: want droptail, red or codel`},
		{"aqm: red\nred: {min: 20, max: 10}", `x.yaml:5:18: link.red.max: red min 20 is not below max 10: want min < max`},
		{"aqm: red\nred: {min: 20}", `x.yaml:5:9: link.red.min: red min 20 is not below max 15`},
		{"aqm: red\nred: {max_p: 0%}", `link.red.max_p: "0%" is not a valid max_p`},
		{"aqm: red\nred: {weight: 2}", `link.red.weight: "2" is not a valid weight: want a number above 0 and at most 1`},
		{"aqm: red\nred: {wq: 0.1}", `link.red.wq: unknown field "wq": want one of min, max, max_p, weight, gentle`},
		{"aqm: red\nred: 5", `x.yaml:5:8: link.red: "5": want a mapping of RED parameters`},
		{"aqm: codel\ncodel: {target: 0ms}", `link.codel.target: "0ms" is not a valid target`},
		{"red: {min: 2}", `x.yaml:4:8: link.red: red parameters, but no direction of the link uses aqm: red`},
		{"aqm: red\ncodel: {target: 1ms}", `link.codel: codel parameters, but no direction of the link uses aqm: codel`},
		{"ecn: true", `x.yaml:4:3: link.ecn: ECN marking needs a queue discipline that signals early`},
		{"ecn: maybe", `link.ecn: "maybe" is not a valid ecn: want true or false`},
		// Settings written for one direction need that direction to use them.
		{"aqm: codel\nforward: {aqm: droptail, ecn: true}", `link.forward.ecn: ECN marking needs a queue discipline that signals early, but this direction does not use aqm: red or aqm: codel`},
		{"reverse: {aqm: codel}\nforward: {codel: {target: 1ms}}", `link.forward.codel: codel parameters, but this direction does not use aqm: codel`},
		{"forward: {aqm: red, red: {min: 1, max: 3}}\nreverse: {red: {min: 2, max: 4}}", `link.reverse.red: red parameters, but this direction does not use aqm: red`},
		// RED needs room below the queue limit to act.
		{"queue: 10\naqm: red\nred: {min: 20, max: 40}", `x.yaml:6:9: link.red.min: red min 20 is not below the queue limit of 10 packets`},
		{"queue: 4\naqm: red", `x.yaml:4:3: link.queue: red min 5 is not below the queue limit of 4 packets`},
	} {
		_, err := Parse("x.yaml", []byte(doc("", c.link, "bytes: 1MB", "count: 10")))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.link, err, c.want)
		}
	}
	_, err := Parse("x.yaml", []byte(docTCP("ecn: on")))
	if err == nil || !strings.Contains(err.Error(), `flows[0].ecn: "on" is not a valid ecn: want true or false`) {
		t.Errorf("flow ecn: %v", err)
	}
}

// Overrides reach the fields of red: and codel:, from the defaults when
// the file has no such mapping.
func TestQueueOverrides(t *testing.T) {
	src := doc("", "aqm: codel", "bytes: 1MB", "count: 10")
	s := mustParse(t, src, Override{"link.codel.target", "10ms"}, Override{"link.reverse.aqm", "red"}, Override{"link.reverse.red.max_p", "2%"})
	if c := s.LinkDirection("forward"); sim.Time(c.CoDel.Target) != 10*sim.Millisecond || sim.Time(c.CoDel.Interval) != 100*sim.Millisecond {
		t.Errorf("forward codel %+v", *c.CoDel)
	}
	if c := s.LinkDirection("reverse"); *c.AQM != "red" || c.RED.MaxP != 0.02 || c.RED.Min != 5 {
		t.Errorf("reverse %v %+v", *c.AQM, *c.RED)
	}
	_, err := Parse("x.yaml", []byte(src), Override{"link.codel.tgt", "1ms"})
	if err == nil || !strings.Contains(err.Error(), `codel has no field "tgt" (fields: target, interval)`) {
		t.Errorf("got %v", err)
	}
}
