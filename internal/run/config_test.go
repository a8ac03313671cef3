package run

import (
	"testing"

	"tcpsim/model/aqm"
	"tcpsim/model/link"
	"tcpsim/sim"
)

// Every rdt flow the scenario accepts translates into a configuration
// the rdt model accepts (the window and sequence bits it filled in
// included): the check that scenario's TestRDTFlowAccepted made before
// the translation moved here.
func TestRDTConfigOfAcceptedFlows(t *testing.T) {
	for _, flow := range []string{
		"{name: f, protocol: selective-repeat, window: 3, seq_bits: 2, count: 10}",
		"{name: f, protocol: selective-repeat, window: 4, count: 10}",
		"{name: f, protocol: go-back-n, window: 4, count: 10}",
		"{name: f, protocol: go-back-n, window: 7, count: 10}",
		"{name: f, protocol: stop-and-wait, window: 1, count: 10}",
	} {
		sc := parse(t, "name: x\nflows:\n  - "+flow+"\n")
		if _, err := rdtConfig(&sc.Flows[0]); err != nil {
			t.Errorf("%s: %v", flow, err)
		}
	}
}

// A link direction's settings, resolved by the scenario (defaults, the
// link's fields, the direction's overrides), translate into the link
// model's configuration field by field, and every one the scenario
// accepts is one the model accepts: the checks scenario's
// TestQueueFieldsDecode made before the translation moved here.
func TestLinkConfig(t *testing.T) {
	const flows = "flows:\n  - {name: f, protocol: tcp, bytes: 1MB, ecn: true}\n"
	for _, c := range []struct {
		name, link string
		fwd, rev   link.Config
	}{
		{"defaults", "{}", link.Config{Loss: link.Loss{Model: link.LossBernoulli}, RED: aqm.DefaultRED(), CoDel: aqm.DefaultCoDel()},
			link.Config{Loss: link.Loss{Model: link.LossBernoulli}, RED: aqm.DefaultRED(), CoDel: aqm.DefaultCoDel()}},
		{"queue disciplines", "{aqm: red, red: {max_p: 5%, gentle: true}, ecn: true, reverse: {aqm: codel, codel: {target: 2ms}}}",
			link.Config{Loss: link.Loss{Model: link.LossBernoulli}, AQM: link.RED, ECN: true,
				RED: aqm.REDParams{MinTh: 5, MaxTh: 15, MaxP: 0.05, Weight: 0.002, Gentle: true}, CoDel: aqm.DefaultCoDel()},
			link.Config{Loss: link.Loss{Model: link.LossBernoulli}, AQM: link.CoDel, ECN: true,
				RED: aqm.REDParams{MinTh: 5, MaxTh: 15, MaxP: 0.05, Weight: 0.002, Gentle: true}, CoDel: aqm.CoDelParams{Target: 2 * sim.Millisecond, Interval: 100 * sim.Millisecond}}},
		{"every impairment, one direction's overrides", "{rate: 10Mbps, delay: 20ms, queue: 50, queue_bytes: 64KB, loss: 2%, corrupt: 1%, duplicate: 3%, reorder: 4%, reorder_delay: 5ms, reverse: {delay: 7ms, loss: 0%}}",
			link.Config{Rate: 10e6, Delay: 20 * sim.Millisecond, QueuePackets: 50, QueueBytes: 64000, Loss: link.Loss{Model: link.LossBernoulli, P: 0.02},
				Corrupt: 0.01, Duplicate: 0.03, Reorder: 0.04, ReorderDelay: 5 * sim.Millisecond, RED: aqm.DefaultRED(), CoDel: aqm.DefaultCoDel()},
			link.Config{Rate: 10e6, Delay: 7 * sim.Millisecond, QueuePackets: 50, QueueBytes: 64000, Loss: link.Loss{Model: link.LossBernoulli},
				Corrupt: 0.01, Duplicate: 0.03, Reorder: 0.04, ReorderDelay: 5 * sim.Millisecond, RED: aqm.DefaultRED(), CoDel: aqm.DefaultCoDel()}},
		{"gilbert-elliott and periodic", "{loss: {model: gilbert-elliott, p: 1%, r: 10%, loss_bad: 50%}, forward: {loss: {model: periodic, every: 20}}}",
			link.Config{Loss: link.Loss{Model: link.LossPeriodic, Every: 20}, RED: aqm.DefaultRED(), CoDel: aqm.DefaultCoDel()},
			link.Config{Loss: link.Loss{Model: link.LossGilbertElliott, P: 0.01, R: 0.1, LossBad: 0.5}, RED: aqm.DefaultRED(), CoDel: aqm.DefaultCoDel()}},
	} {
		sc := parse(t, "name: x\nlink: "+c.link+"\n"+flows)
		for _, d := range []struct {
			dir  string
			want link.Config
		}{{"forward", c.fwd}, {"reverse", c.rev}} {
			got := LinkConfig(sc.LinkDirection(d.dir))
			if got != d.want {
				t.Errorf("%s, %s:\n got %+v\nwant %+v", c.name, d.dir, got, d.want)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("%s, %s: the model refuses it: %v", c.name, d.dir, err)
			}
		}
		// The topology's list of links says the same.
		if ls := sc.LinkSpecs(); LinkConfig(ls[0].Forward) != c.fwd || LinkConfig(ls[0].Reverse) != c.rev {
			t.Errorf("%s: LinkSpecs and LinkDirection translate differently", c.name)
		}
	}
}
