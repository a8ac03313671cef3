package run

import (
	"fmt"
	"strings"
	"testing"

	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
)

// With Options.TraceRecovery each TCP sender's recovery events alternate
// enter, leave (the last may stay open), and it enters once per recovery
// episode its counters report (none for Tahoe); without it the trace is
// the same, less those events.
func TestTraceRecovery(t *testing.T) {
	for _, cc := range []string{"reno", "newreno", "cubic", "tahoe"} {
		for _, sack := range []bool{false, true} {
			for seed := uint64(1); seed <= 4; seed++ {
				src := fmt.Sprintf(`name: rec
until: 600s
link: {rate: 10Mbps, delay: 10ms, queue: 30, loss: 3%%}
flows:
  - {name: f, protocol: tcp, bytes: 300KB, congestion: %s, sack: %v, recv_buffer: 128KiB}
`, cc, sack)
				sc, err := scenario.Parse("rec.yaml", []byte(src))
				if err != nil {
					t.Fatal(err)
				}
				with, without := &trace.Recorder{}, &trace.Recorder{}
				res, err := ScenarioWith(sc, seed, Options{Trace: with, TraceRecovery: true})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := ScenarioWith(sc, seed, Options{Trace: without}); err != nil {
					t.Fatal(err)
				}
				var rest []trace.Event
				enters := map[string]int64{}
				open := map[string]bool{}
				for _, e := range with.Events {
					if e.Kind != trace.Recovery {
						rest = append(rest, e)
						continue
					}
					side, _, _ := strings.Cut(e.Detail, " ")
					if (e.Value == 1) == open[side] {
						t.Fatalf("%s sack=%v seed %d: %s at %v while open=%v", cc, sack, seed, e.Detail, e.T, open[side])
					}
					open[side] = e.Value == 1
					if e.Value == 1 {
						enters[side]++
					}
				}
				if len(rest) != len(without.Events) {
					t.Fatalf("%s sack=%v seed %d: %d other events with recovery tracing, %d without", cc, sack, seed, len(rest), len(without.Events))
				}
				for i := range rest {
					a, b := rest[i], without.Events[i]
					a.Packet, b.Packet = nil, nil
					if fmt.Sprint(a) != fmt.Sprint(b) {
						t.Fatalf("event %d differs: %+v vs %+v", i, a, b)
					}
				}
				// Tahoe counts its fast retransmits as episodes but has no
				// fast recovery: it slow-starts from one segment.
				want := res.Flows[0].TCP.Sender.Recoveries
				if cc == "tahoe" {
					want = 0
				}
				if got := enters["client"]; got != want {
					t.Errorf("%s sack=%v seed %d: client entered recovery %d times, want %d", cc, sack, seed, got, want)
				}
			}
		}
	}
}
