package run

import (
	"strings"
	"testing"

	"tcpsim/internal/trace"
)

func kinds(c *trace.Recorder, flow, kind string) []trace.Event {
	var out []trace.Event
	for _, e := range c.Events {
		if (flow == "" || e.Flow == flow) && e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func TestTraceRecordsEverything(t *testing.T) {
	sc := parse(t, `name: t
link: {rate: 10Mbps, delay: 10ms, queue: 20, loss: 3%, corrupt: 1%, duplicate: 1%, reorder: 2%, reorder_delay: 3ms}
flows:
  - {name: file, protocol: tcp, bytes: 300KB, recv_buffer: 16KiB, read_rate: 2Mbps}
  - {name: video, protocol: udp, count: 300, rate: 2Mbps}
`)
	c := &trace.Recorder{}
	res, err := ScenarioWith(sc, 3, Options{Trace: c})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{trace.Send, trace.Enqueue, trace.Transmit, trace.Lost, trace.Corrupt, trace.Duplicate,
		trace.Reorder, trace.Deliver, trace.ChecksumDrop, trace.TimerSet, trace.TimerCancel, trace.TimerFired,
		trace.State, trace.Cwnd, trace.Rwnd, trace.AppWrite, trace.AppRead} {
		if len(kinds(c, "", k)) == 0 {
			t.Errorf("no %q event in the trace", k)
		}
	}
	// The trace agrees with the counters.
	if got, want := len(kinds(c, "", trace.Lost)), int(res.Links[0].Lost+res.Links[1].Lost); got != want {
		t.Errorf("%d lost events, counters say %d", got, want)
	}
	retr := 0
	for _, e := range kinds(c, "file", trace.Send) {
		if e.Retrans {
			retr++
		}
	}
	if want := int(res.Flows[0].TCP.TimeoutRetrans + res.Flows[0].TCP.FastRetrans); retr != want {
		t.Errorf("%d retransmissions traced, counters say %d", retr, want)
	}
	// The handshake in order.
	var states []string
	for _, e := range kinds(c, "file", trace.State) {
		states = append(states, e.Detail)
	}
	joined := strings.Join(states, "; ")
	if !strings.HasPrefix(joined, "server CLOSED => LISTEN; client CLOSED => SYN-SENT; server LISTEN => SYN-RECEIVED") {
		t.Errorf("states: %s", joined)
	}
	// Events are in time order.
	for i := 1; i < len(c.Events); i++ {
		if c.Events[i].T < c.Events[i-1].T {
			t.Fatalf("event %d goes back in time", i)
		}
	}
	// Tracing does not change the run.
	plain := mustRun(t, sc, 3)
	if plain.Events != res.Events || plain.Flows[0].Completion != res.Flows[0].Completion {
		t.Fatal("tracing changed the run")
	}
}

func TestTraceFilter(t *testing.T) {
	sc := parse(t, `name: t
link: {rate: 10Mbps, delay: 10ms}
flows:
  - {name: a, protocol: tcp, bytes: 50KB}
  - {name: b, protocol: udp, count: 50, rate: 1Mbps}
`)
	c := &trace.Recorder{}
	f := &trace.Filter{Flow: "b", From: 100e6, To: 200e6, Next: c}
	if _, err := ScenarioWith(sc, 1, Options{Trace: f}); err != nil {
		t.Fatal(err)
	}
	if len(c.Events) == 0 {
		t.Fatal("filter passed nothing")
	}
	for _, e := range c.Events {
		if e.Flow != "b" || e.T < 100e6 || e.T > 200e6 {
			t.Fatalf("filter passed %+v", e)
		}
	}
}
