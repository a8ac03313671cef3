package run

import "testing"

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
