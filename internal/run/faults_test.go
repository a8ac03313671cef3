package run

import (
	"fmt"
	"strings"
	"testing"

	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
	"tcpsim/model/seqnum"
	"tcpsim/sim"
)

func traced(t *testing.T, sc *scenario.Scenario) (*Result, []trace.Event) {
	t.Helper()
	rec := &trace.Recorder{}
	res, err := ScenarioWith(sc, sc.Seed, Options{Trace: rec})
	if err != nil {
		t.Fatal(err)
	}
	return res, rec.Events
}

const faultBase = `name: f
seed: 3
link: {rate: 10Mbps, delay: 10ms%s}
flows:
  - {name: file, protocol: tcp, bytes: 100KB, mss: 1000, isn: 0}
faults:
%s`

// firstTransmissions returns the data segments' sequence numbers relative
// to the ISN, in the order they were first sent, from the trace.
func firstTransmissions(evs []trace.Event) []uint32 {
	var out []uint32
	var max uint32
	for _, e := range evs {
		if e.Kind == trace.Send && e.Dir == "a->b" && e.Len > 0 && seqnum.Value(max).LessThan(seqnum.Value(e.Seq+uint32(e.Len))) {
			max = e.Seq + uint32(e.Len)
			out = append(out, e.Seq)
		}
	}
	return out
}

// drop: data, segment: N loses exactly the N-th first transmission, marked
// scripted, and TCP recovers it.
func TestScriptedDropSegment(t *testing.T) {
	for _, n := range []int{1, 14, 60} {
		res, evs := traced(t, parse(t, fmt.Sprintf(faultBase, "", fmt.Sprintf("  - {flow: file, drop: data, segment: %d}", n))))
		want := firstTransmissions(evs)[n-1]
		var lost []trace.Event
		for _, e := range evs {
			if e.Kind == trace.Lost {
				lost = append(lost, e)
			}
		}
		if len(lost) != 1 || lost[0].Seq != want || lost[0].Retrans || !lost[0].Scripted ||
			!strings.Contains(lost[0].Detail, fmt.Sprintf("faults[0] drop data segment %d of flow file", n)) {
			t.Fatalf("segment %d: lost %+v, want one scripted loss of seq %d", n, lost, want)
		}
		if !res.OK() || res.Flows[0].TCP.Verified != "yes" {
			t.Fatalf("segment %d: %s, verified %s", n, res.Status(), res.Flows[0].TCP.Verified)
		}
	}
}

// transmission: 2 loses the first retransmission of the segment too: a
// fast retransmission lost, so the sender must wait for its RTO.
func TestScriptedDropRetransmission(t *testing.T) {
	res, evs := traced(t, parse(t, fmt.Sprintf(faultBase, "", `  - {flow: file, drop: data, segment: 20}
  - {flow: file, drop: data, segment: 20, transmission: 2}`)))
	var lost []trace.Event
	for _, e := range evs {
		if e.Kind == trace.Lost {
			lost = append(lost, e)
		}
	}
	if len(lost) != 2 || lost[0].Seq != lost[1].Seq || !strings.Contains(lost[1].Detail, "transmission 2") {
		t.Fatalf("lost %+v, want segment 20 twice", lost)
	}
	tr := res.Flows[0].TCP
	if tr.FastRetrans < 1 || tr.RTOExpirations != 1 || !res.OK() {
		t.Fatalf("fast %d, RTOs %d, %s: want the fast retransmission lost and one RTO", tr.FastRetrans, tr.RTOExpirations, res.Status())
	}
}

// drop: ack, number: N loses the receiver's N-th pure ACK.
func TestScriptedDropAck(t *testing.T) {
	_, evs := traced(t, parse(t, fmt.Sprintf(faultBase, "", "  - {flow: file, drop: ack, number: 3}")))
	var acks []trace.Event
	for _, e := range evs {
		if e.Kind == trace.Enqueue && e.Dir == "b->a" && e.Len == 0 && e.Flags == "ACK" {
			acks = append(acks, e)
		}
	}
	for _, e := range evs {
		if e.Kind == trace.Lost {
			if e.Dir != "b->a" || e.ID != acks[2].ID || !e.Scripted {
				t.Fatalf("lost %+v, want the third pure ACK %+v", e, acks[2])
			}
			return
		}
	}
	t.Fatal("no ACK lost")
}

// drop: in-flight empties the wire at that instant; an outage loses what
// leaves while it lasts; both are traced as scripted.
func TestScriptedInFlightAndOutage(t *testing.T) {
	res, evs := traced(t, parse(t, fmt.Sprintf(faultBase, "", `  - {at: 100ms, drop: in-flight}
  - {from: 200ms, to: 250ms, outage: reverse}`)))
	var inflight, outage int
	for _, e := range evs {
		if e.Kind != trace.Lost {
			continue
		}
		switch {
		case e.T == 100*sim.Millisecond && strings.Contains(e.Detail, "drop in-flight at 0.1s"):
			inflight++
		case e.T >= 200*sim.Millisecond && e.T <= 250*sim.Millisecond && e.Dir == "b->a" && strings.Contains(e.Detail, "outage reverse"):
			outage++
		default:
			t.Errorf("unexpected loss %+v", e)
		}
	}
	if inflight == 0 || outage == 0 || !res.OK() {
		t.Fatalf("in flight %d, outage %d, %s", inflight, outage, res.Status())
	}
	l := res.Links[0]
	if l.Offered+l.Duplicated != l.Delivered+l.Lost+l.QueueDropped+l.InFlight {
		t.Fatalf("forward counters do not add up: %+v", l)
	}
}

// Two bits flipped in pairs that cancel pass the checksum: TCP delivers
// them, data verified says no and the corrupt bytes are counted. Flips the
// checksum catches are recovered like a loss.
func TestScriptedCorruption(t *testing.T) {
	res, evs := traced(t, parse(t, fmt.Sprintf(faultBase, "", "  - {flow: file, corrupt: data, segment: 20, bits: 2, undetectable: true}")))
	tr := res.Flows[0].TCP
	if tr.Verified != "NO" || tr.CorruptBytes != 2 || res.Flows[0].ChecksumDrops != 0 || res.OK() ||
		!strings.Contains(res.Status(), "delivered 2 bytes that differ") {
		t.Fatalf("verified %s, corrupt %d, checksum drops %d, %s", tr.Verified, tr.CorruptBytes, res.Flows[0].ChecksumDrops, res.Status())
	}
	found := false
	for _, e := range evs {
		found = found || (e.Kind == trace.Corrupt && e.Scripted && strings.Contains(e.Detail, "2 bits flipped in pairs that cancel"))
	}
	if !found {
		t.Fatal("no scripted corrupt event")
	}
	res = mustRun(t, parse(t, fmt.Sprintf(faultBase, "", "  - {flow: file, corrupt: data, segment: 20, bits: 2}")), 3)
	if tr := res.Flows[0].TCP; tr.Verified != "yes" || res.Flows[0].ChecksumDrops != 1 || !res.OK() {
		t.Fatalf("detectable: verified %s, checksum drops %d, %s", tr.Verified, res.Flows[0].ChecksumDrops, res.Status())
	}
}

// Scripted faults draw no random number: with random loss too, every
// random loss before the scripted one is the same packet as without the
// script (common random numbers).
func TestScriptedKeepsRandomDraws(t *testing.T) {
	base := parse(t, fmt.Sprintf(faultBase, ", loss: 3%", "  - {from: 500s, to: 501s, outage: both}")) // never reached
	scr := parse(t, fmt.Sprintf(faultBase, ", loss: 3%", "  - {flow: file, drop: data, segment: 50}"))
	_, a := traced(t, base)
	_, b := traced(t, scr)
	var la, lb []uint32
	var cut sim.Time
	for _, e := range b {
		if e.Kind == trace.Lost && e.Scripted {
			cut = e.T
		}
	}
	for _, e := range a {
		if e.Kind == trace.Lost && e.T < cut {
			la = append(la, e.Seq)
		}
	}
	for _, e := range b {
		if e.Kind == trace.Lost && !e.Scripted && e.T < cut {
			lb = append(lb, e.Seq)
		}
	}
	if cut == 0 || len(la) == 0 || fmt.Sprint(la) != fmt.Sprint(lb) {
		t.Fatalf("random losses before the scripted one at %v: %v without, %v with the script", cut, la, lb)
	}
}

// initial_ssthresh sets ssthresh at the handshake, in segments.
func TestInitialSsthresh(t *testing.T) {
	_, evs := traced(t, parse(t, `name: s
link: {rate: 10Mbps, delay: 10ms}
flows:
  - {name: file, protocol: tcp, bytes: 100KB, mss: 1000, initial_window: 1, initial_ssthresh: 8}
`))
	for _, e := range evs {
		if e.Kind == trace.Cwnd && strings.HasPrefix(e.Detail, "client") {
			if e.Value2 != 8000 {
				t.Fatalf("first cwnd event %q: ssthresh %d, want 8000", e.Detail, e.Value2)
			}
			return
		}
	}
	t.Fatal("no cwnd event")
}

// With TraceRTT every RTT sample is traced with SRTT, RTTVAR and RTO.
func TestTraceRTT(t *testing.T) {
	sc := parse(t, "name: r\nlink: {rate: 10Mbps, delay: 10ms}\nflows:\n  - {name: file, protocol: tcp, bytes: 20KB}\n")
	rec := &trace.Recorder{}
	if _, err := ScenarioWith(sc, 0, Options{Trace: rec, TraceRTT: true}); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range rec.Events {
		if e.Kind == trace.RTT {
			n++
			if !strings.Contains(e.Detail, "srtt=") || !strings.Contains(e.Detail, "rttvar=") || e.Value <= 0 || e.Value2 < int64(sim.Second) {
				t.Fatalf("rtt event %+v", e)
			}
		}
	}
	if n == 0 {
		t.Fatal("no rtt events")
	}
	rec = &trace.Recorder{}
	if _, err := ScenarioWith(sc, 0, Options{Trace: rec}); err != nil {
		t.Fatal(err)
	}
	for _, e := range rec.Events {
		if e.Kind == trace.RTT {
			t.Fatal("rtt event without TraceRTT")
		}
	}
}
