package run

import (
	"strings"
	"testing"

	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
)

// Periodic loss drops exactly the every-th, 2·every-th, ... packet of a
// flow, whatever the seed, and draws nothing.
func TestPeriodicLoss(t *testing.T) {
	src := `
name: periodic
seed: 1
until: 60s
link: {rate: 10Mbps, delay: 10ms, loss: {model: periodic, every: 10}}
flows:
  - {name: v, protocol: udp, count: 1000, datagram: 500, rate: 1Mbps}
`
	for _, seed := range []uint64{1, 2, 3} {
		sc := parse(t, src)
		c := &trace.Recorder{}
		res, err := ScenarioWith(sc, seed, Options{Trace: c})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Flows[0].Lost; got != 100 {
			t.Errorf("seed %d: %d datagrams lost, want 100 (one in 10 of 1000)", seed, got)
		}
		sent := 0
		for i := range c.Events {
			e := &c.Events[i]
			switch e.Kind {
			case trace.Send:
				sent++
			case trace.Lost:
				if sent%10 != 0 {
					t.Fatalf("seed %d: datagram %d lost, want only multiples of 10", seed, sent)
				}
			}
		}
	}
}

// A periodic loss without every, or with every: 0, is refused where it
// is written.
func TestPeriodicLossErrors(t *testing.T) {
	for _, c := range []struct{ loss, want string }{
		{"{model: periodic}", "link.loss.every: missing"},
		{"{model: periodic, every: 0}", "every"},
		{"{model: periodic, p: 1%}", "unknown field"},
	} {
		src := "name: x\nlink: {rate: 1Mbps, loss: " + c.loss + "}\nflows:\n  - {name: v, protocol: udp, count: 10, datagram: 100, rate: 1Mbps}\n"
		_, err := scenario.Parse("x.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("loss: %s: error %v, want one containing %q", c.loss, err, c.want)
		}
	}
}
