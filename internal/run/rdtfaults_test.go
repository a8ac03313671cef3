package run

import (
	"fmt"
	"strings"
	"testing"

	"tcpsim/internal/trace"
)

// rdtFaultBase is an rdt flow of 6 packets with a fixed timeout longer
// than the RTT (about 28.6 ms), so that only scripted faults cause
// retransmissions.
const rdtFaultBase = `name: f
seed: 3
link: {rate: 1Mbps, delay: 10ms}
flows:
  - {name: f, protocol: %s, count: 6, packet: 1000, timeout: %s%s}
faults:
%s`

// rdtSends returns the flow's data packets as the sender handed them to
// the link, in order, each with its absolute packet number (from 1) and
// which transmission of it it was; the wire's number is modulo 2^k.
type rdtSend struct {
	id           uint64 // the link's packet ID (from the enqueue)
	seq          uint32
	packet, tran int
}

func rdtSends(t *testing.T, evs []trace.Event, window int, mod uint32) []rdtSend {
	t.Helper()
	var sends []rdtSend
	var enq []uint64
	first := 0
	sent := map[int]int{}
	for _, e := range evs {
		if e.Dir != "a->b" || e.Flags != "DATA" {
			continue
		}
		switch e.Kind {
		case trace.Send:
			s := rdtSend{seq: e.Seq}
			if !e.Retrans {
				first++
				s.packet = first
			} else {
				// The retransmitted packet is the one in the window
				// [first-window+1, first] with this number.
				for p := max(1, first-window+1); p <= first; p++ {
					if uint32(p-1)%mod == e.Seq {
						s.packet = p
						break
					}
				}
			}
			sent[s.packet]++
			s.tran = sent[s.packet]
			sends = append(sends, s)
		case trace.Enqueue:
			enq = append(enq, e.ID)
		}
	}
	if len(enq) != len(sends) {
		t.Fatalf("%d data sends, %d enqueued", len(sends), len(enq))
	}
	for i := range sends {
		sends[i].id = enq[i]
	}
	return sends
}

func lostEvents(evs []trace.Event) []trace.Event {
	var lost []trace.Event
	for _, e := range evs {
		if e.Kind == trace.Lost || e.Kind == trace.ChecksumDrop {
			lost = append(lost, e)
		}
	}
	return lost
}

// Issue 20, item 1: on rdt flows segment: N counted retransmissions,
// transmission: k was ignored and drop: ack did nothing. Each selector
// now names the packet it names on a TCP flow: data packet N at its first
// transmission (or its k-th), the receiver's N-th ACK.
func TestScriptedFaultsRDT(t *testing.T) {
	type hit struct {
		packet, tran int // a data packet (absolute, from 1) and its transmission; 0: an ACK
		ack          int // the receiver's n-th ACK
	}
	cases := []struct {
		name   string
		faults string
		want   []hit
	}{
		{"drop data 2", "  - {flow: f, drop: data, segment: 2}", []hit{{packet: 2, tran: 1}}},
		// Before the fix the retransmission of packet 2 was "datagram 3",
		// so segment: 4 lost packet 3 instead.
		{"drop data 2 and 4", "  - {flow: f, drop: data, segment: 2}\n  - {flow: f, drop: data, segment: 4}", []hit{{packet: 2, tran: 1}, {packet: 4, tran: 1}}},
		{"drop data 3 twice", "  - {flow: f, drop: data, segment: 3}\n  - {flow: f, drop: data, segment: 3, transmission: 2}", []hit{{packet: 3, tran: 1}, {packet: 3, tran: 2}}},
		{"drop ack 2", "  - {flow: f, drop: ack, number: 2}", []hit{{ack: 2}}},
		{"corrupt data 5", "  - {flow: f, corrupt: data, segment: 5, bits: 2}", []hit{{packet: 5, tran: 1}}},
	}
	for _, proto := range []struct {
		name   string
		window int
		mod    uint32
		extra  string
	}{{"stop-and-wait", 1, 2, ""}, {"go-back-n", 3, 8, ", window: 3, seq_bits: 3"}, {"selective-repeat", 3, 8, ", window: 3, seq_bits: 3"}} {
		for _, c := range cases {
			t.Run(proto.name+"/"+c.name, func(t *testing.T) {
				res, evs := traced(t, parse(t, fmt.Sprintf(rdtFaultBase, proto.name, "100ms", proto.extra, c.faults)))
				if !res.OK() || res.Flows[0].RDT.Verified != "yes" {
					t.Fatalf("%s, verified %s: want the flow to recover", res.Status(), res.Flows[0].RDT.Verified)
				}
				sends := rdtSends(t, evs, proto.window, proto.mod)
				var acks []uint64
				for _, e := range evs {
					if e.Kind == trace.Enqueue && e.Dir == "b->a" && e.Flags == "ACK" {
						acks = append(acks, e.ID)
					}
				}
				lost := lostEvents(evs)
				if len(lost) != len(c.want) {
					t.Fatalf("lost %+v, want %d scripted faults", lost, len(c.want))
				}
				for i, w := range c.want {
					e := lost[i]
					if !e.Scripted && e.Kind == trace.Lost {
						t.Errorf("lost %+v: want scripted", e)
					}
					if w.ack > 0 {
						if e.Dir != "b->a" || len(acks) < w.ack || e.ID != acks[w.ack-1] {
							t.Errorf("lost %+v, want ACK number %d (IDs %v)", e, w.ack, acks)
						}
						continue
					}
					var got *rdtSend
					for j := range sends {
						if sends[j].id == e.ID {
							got = &sends[j]
						}
					}
					if e.Dir != "a->b" || got == nil || got.packet != w.packet || got.tran != w.tran {
						t.Errorf("fault %d hit %+v (%+v), want packet %d transmission %d", i, got, e, w.packet, w.tran)
					}
				}
			})
		}
	}
}

// corrupt: data on an rdt flow flips its payload, never its rdt header:
// detectable flips fail the rdt checksum (tested above); undetectable
// ones reach the application as wrong bytes, and the report says why.
func TestScriptedUndetectableRDT(t *testing.T) {
	for _, p := range []string{"stop-and-wait", "go-back-n", "selective-repeat"} {
		extra := ""
		if p != "stop-and-wait" {
			extra = ", window: 3"
		}
		res, _ := traced(t, parse(t, fmt.Sprintf(rdtFaultBase, p, "100ms", extra, "  - {flow: f, corrupt: data, segment: 2, bits: 4, undetectable: true}")))
		r := res.Flows[0].RDT
		if r.WrongBytes == 0 || r.Receiver.Corrupt != 0 || !strings.Contains(r.Failure, "checksum cannot see") {
			t.Errorf("%s: %d wrong bytes, %d checksum drops, %q: want wrong bytes delivered, none caught", p, r.WrongBytes, r.Receiver.Corrupt, r.Failure)
		}
	}
}

// A fault on an rdt flow is described as on a TCP flow in the trace.
func TestScriptedFaultsRDTDetail(t *testing.T) {
	_, evs := traced(t, parse(t, fmt.Sprintf(rdtFaultBase, "stop-and-wait", "100ms", "", "  - {flow: f, drop: ack, number: 1}")))
	lost := lostEvents(evs)
	if len(lost) == 0 {
		t.Fatal("no ACK lost")
	}
	if e := lost[0]; !strings.Contains(e.Detail, "faults[0] drop ack 1 of flow f") {
		t.Errorf("detail %q", e.Detail)
	}
}

// The timed faults act on the wire, whatever the protocol: on a
// stop-and-wait flow, drop: in-flight at 40 ms loses pkt 1 (propagating
// from 36.9 to 46.9 ms) and a reverse outage from 40 to 60 ms loses
// ACK 1 (sent at 46.9 ms); the timer recovers both.
func TestScriptedTimedFaultsRDT(t *testing.T) {
	for _, c := range []struct{ fault, dir, flags string }{
		{"  - {drop: in-flight, at: 40ms}", "a->b", "DATA"},
		{"  - {from: 40ms, to: 60ms, outage: reverse}", "b->a", "ACK"},
	} {
		res, evs := traced(t, parse(t, fmt.Sprintf(rdtFaultBase, "stop-and-wait", "100ms", "", c.fault)))
		lost := lostEvents(evs)
		if len(lost) != 1 || !lost[0].Scripted || lost[0].Dir.String() != c.dir || lost[0].Flags != c.flags || lost[0].Seq+lost[0].Ack != 1 {
			t.Errorf("%s: lost %+v, want %s %s 1", c.fault, lost, c.dir, c.flags)
		}
		if !res.OK() || res.Flows[0].RDT.Sender.Timeouts != 1 {
			t.Errorf("%s: %s, %d timeouts: want one timeout to recover", c.fault, res.Status(), res.Flows[0].RDT.Sender.Timeouts)
		}
	}
}
