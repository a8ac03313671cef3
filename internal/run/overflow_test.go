package run

import (
	"errors"
	"testing"
	"time"

	"tcpsim/internal/scenario"
	"tcpsim/sim"
)

// Issue 21 item 1: near the end of simulated time's range (about 292
// years), adding a long timeout, start or delay to the clock wrapped
// negative. A stop-and-wait or go-back-n sender then retransmitted forever
// at one instant, repeated flows panicked ("event scheduled in the past",
// exit 3) and TCP made its retransmissions in zero time and aborted. Every
// sum now saturates at sim.Forever, which never fires: each of these runs
// ends promptly, within a handful of events, at its time limit or
// complete, with no burst of retransmissions.
func TestTimeOverflowNearTheLimit(t *testing.T) {
	const head = "until: 2562047h\nmax_events: 1000000\nlink: {rate: 1Mbps, delay: 10ms, loss: 100%}\n"
	const clean = "until: 2562047h\nmax_events: 1000000\nlink: {rate: 1Mbps, delay: 10ms}\n"
	for _, c := range []struct {
		name, src string
		// maxSent bounds the packets every flow may send: a few
		// transmissions, not a storm.
		maxSent int64
		// complete says every flow must finish.
		complete bool
	}{
		{"stop-and-wait long timeout", head + "flows: [{name: f, protocol: stop-and-wait, bytes: 10KB, timeout: 2562040h}]\n", 2, false},
		{"go-back-n long timeout", head + "flows: [{name: f, protocol: go-back-n, bytes: 10KB, window: 4, timeout: 2562040h}]\n", 8, false},
		{"selective-repeat long timeout", head + "flows: [{name: f, protocol: selective-repeat, bytes: 10KB, window: 4, timeout: 2562040h}]\n", 8, false},
		{"stop-and-wait late start", head + "flows: [{name: f, protocol: stop-and-wait, bytes: 10KB, start: 2562046h, timeout: 1h}]\n", 2, false},
		{"tcp long rto", head + "flows: [{name: f, protocol: tcp, bytes: 10KB, initial_rto: 2562040h, max_rto: 2562040h}]\n", 2, false},
		{"tcp late start, rto backs off past the end", head + "flows: [{name: f, protocol: tcp, bytes: 10KB, start: 2562000h, max_rto: 2562040h, max_retries: 100}]\n", 40, false},
		{"tcp huge delay", "until: 2562047h\nmax_events: 1000000\nlink: {rate: 1Mbps, delay: 1281000h}\nflows: [{name: f, protocol: tcp, bytes: 10KB, max_rto: 2562040h}]\n", 40, false}, // the client, closed long before, answers the late SYN-ACKs with RSTs (RFC 9293 §3.10.7.1)
		{"tcp late start, clean", clean + "flows: [{name: f, protocol: tcp, bytes: 10KB, start: 2562046h}]\n", 30, true},
		{"repeated flows past the end", clean + "flows: [{name: f, protocol: tcp, bytes: 10KB, start: 2562040h, repeat: {count: 3, every: 87600h}}]\n", 20, false},
		{"repeated exponential past the end", clean + "flows: [{name: f, protocol: udp, count: 2, rate: 1Mbps, start: 2562040h, repeat: {count: 3, every: exp(87600h)}}]\n", 2, false},
		{"udp late start", clean + "flows: [{name: f, protocol: udp, count: 1000, rate: 1bps, start: 2562046h}]\n", 1000, false},
		{"start beyond the default until, long timeout", "link: {rate: 1Mbps, delay: 10ms, loss: 100%}\nflows: [{name: f, protocol: stop-and-wait, bytes: 10KB, start: 2562046h, timeout: 2562040h}]\n", 2, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc, err := scenario.Parse("overflow.yaml", []byte("name: overflow\n"+c.src))
			if err != nil {
				t.Fatal(err)
			}
			began := time.Now()
			res, err := Scenario(sc, 1)
			var pe *PanicError
			if errors.As(err, &pe) {
				t.Fatalf("%v\n%s", err, pe.Stack)
			}
			if err != nil {
				t.Fatal(err)
			}
			if wall := time.Since(began); wall > 5*time.Second {
				t.Errorf("took %v of wall time, want well under a second", wall)
			}
			if res.Reason == sim.EventBudget || res.Events > 100_000 {
				t.Errorf("ran %d events (%v): a retransmission storm at one instant", res.Events, res.Reason)
			}
			if res.End < 0 {
				t.Errorf("ended at %v, before time zero", res.End)
			}
			for _, f := range res.Flows {
				if f.PacketsSent > c.maxSent*int64(max(1, len(res.Flows))) {
					t.Errorf("flow %s sent %d packets, want at most %d", f.Name, f.PacketsSent, c.maxSent)
				}
				if f.TCP != nil && f.TCP.RTOExpirations > 40 {
					t.Errorf("flow %s: %d RTO expirations", f.Name, f.TCP.RTOExpirations)
				}
				if f.Completion < -1 {
					t.Errorf("flow %s: completion %v", f.Name, f.Completion)
				}
			}
			if c.complete && !res.OK() {
				t.Errorf("status %q, want complete", res.Status())
			}
			if v := Check(res); len(v) > 0 {
				t.Errorf("invariants: %v", v)
			}
		})
	}
}

// Issue 21 item 10: once every flow has finished (here the client
// aborted), the run waits for the links to drain, looking every 10 ms.
// With a propagation delay of years, those looks spent the whole event
// budget and the run said "event budget exhausted" instead of the abort.
// Now the watch jumps to just before the last packet in flight is due.
func TestAbortWithLongDelayReportsTheAbort(t *testing.T) {
	for _, delay := range []string{"1h", "1000h", "1000000h"} {
		t.Run(delay, func(t *testing.T) {
			sc := parse(t, "name: far\nuntil: 2562047h\nlink: {rate: 1Mbps, delay: "+delay+", reverse: {loss: 100%}}\nflows: [{name: f, protocol: tcp, bytes: 10KB, max_rto: 1s}]\n")
			res := mustRun(t, sc, 1)
			if res.Reason == sim.EventBudget || res.Events > 10_000 {
				t.Fatalf("%d events, reason %v: the drain watch spent the budget", res.Events, res.Reason)
			}
			want := "flow f aborted: client: no answer to SYN after 6 retransmissions"
			if got := res.Status(); got != want {
				t.Errorf("status %q, want %q", got, want)
			}
			for _, l := range res.Links {
				if l.InFlight != 0 {
					t.Errorf("link %s: %d packets still in flight at the end", l.Name, l.InFlight)
				}
			}
		})
	}
}
