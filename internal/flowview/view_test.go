package flowview

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"tcpsim/internal/direction"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
)

// words is what a log line says of p.
func (p *ViewPacket) words() string {
	if p.Words != "" {
		return p.Words
	}
	return p.Label
}

// runView runs a shipped scenario and reads its whole trace, every flow.
func runView(t *testing.T, file string) (*View, []trace.Event) {
	t.Helper()
	sc, err := scenario.Load("../../scenarios/" + file)
	if err != nil {
		t.Fatal(err)
	}
	c := &trace.Recorder{}
	if _, err := run.ScenarioWith(sc, sc.Seed, run.Options{Trace: c}); err != nil {
		t.Fatal(err)
	}
	return Build(c.Events, nil), c.Events
}

// Every packet is named by what it is: a data segment is "data", lost or
// not; a pure ACK "ACK"; a SYN "SYN"; relative numbers start at 0 (the
// SYN) and 1 (the first data byte), as the ladder writes them.
func TestWordsTCP(t *testing.T) {
	v, evs := runView(t, "exercises/02-timeout.yaml")
	var data, lost, acks, timeouts int
	for _, p := range v.Packets {
		switch {
		case p.Len > 0:
			data++
			if p.Kind != "data" || !strings.HasPrefix(p.words(), "data seq=") {
				t.Errorf("%s #%d len=%d: kind %q, words %q, want data", p.Dir, p.ID, p.Len, p.Kind, p.words())
			}
			if p.Lost >= 0 {
				lost++
			}
			if strings.Contains(p.Label, "(timeout retransmission)") {
				timeouts++
			}
		case p.Flags == "ACK":
			acks++
			if p.Kind != "ACK" || !strings.HasPrefix(p.words(), "ACK ack=") {
				t.Errorf("%s #%d: kind %q, words %q, want a pure ACK", p.Dir, p.ID, p.Kind, p.words())
			}
		case strings.Contains(p.Flags, "SYN"):
			if !strings.Contains(p.Label, "SYN") || !strings.Contains(p.Label, "seq=0") {
				t.Errorf("%s #%d: SYN labelled %q, want SYN seq=0", p.Dir, p.ID, p.Label)
			}
		}
	}
	if data == 0 || acks == 0 || lost == 0 || timeouts == 0 {
		t.Fatalf("exercise 02: %d data, %d lost, %d timeout retransmissions, %d ACKs; want each > 0", data, lost, timeouts, acks)
	}
	first := v.Packets[slicesIndex(v.Packets, func(p ViewPacket) bool { return p.Len > 0 })]
	if first.Seq != 1 {
		t.Errorf("first data segment seq=%d, want 1 (relative to the ISN)", first.Seq)
	}
	// The send events point at their packets.
	for _, p := range v.Packets {
		if p.Send >= 0 && (evs[p.Send].Kind != trace.Send || evs[p.Send].Dir != p.Dir) {
			t.Errorf("packet %s #%d: send %d is %s %s", p.Dir, p.ID, p.Send, evs[p.Send].Kind, evs[p.Send].Dir)
		}
	}
}

func slicesIndex[T any](s []T, f func(T) bool) int {
	for i, x := range s {
		if f(x) {
			return i
		}
	}
	return -1
}

// UDP datagrams are numbered per direction from 1; rdt packets are K&R's
// "pkt N" and "ACK N".
func TestWordsUDPAndRDT(t *testing.T) {
	v, _ := runView(t, "udp-lossy.yaml")
	n := map[direction.Dir]int{}
	for _, p := range v.Packets {
		if p.Proto != "udp" || p.Copy {
			continue
		}
		n[p.Dir]++
		if want := fmt.Sprintf("datagram %d len=%d", n[p.Dir], p.Len); p.words() != want || p.Kind != "datagram" {
			t.Fatalf("%s #%d: %q (%s), want %q", p.Dir, p.ID, p.words(), p.Kind, want)
		}
	}
	if len(n) == 0 {
		t.Fatal("no datagrams")
	}
	v, _ = runView(t, "exercises/11-rdt-go-back-n-loss.yaml")
	var pkts, acks int
	for _, p := range v.Packets {
		switch {
		case p.Kind == "pkt" && strings.HasPrefix(p.words(), "pkt "):
			pkts++
		case p.Kind == "ACK" && strings.HasPrefix(p.words(), "ACK "):
			acks++
		default:
			t.Errorf("rdt packet %s #%d: kind %q words %q", p.Dir, p.ID, p.Kind, p.words())
		}
	}
	if pkts == 0 || acks == 0 {
		t.Fatalf("%d pkts, %d ACKs", pkts, acks)
	}
}

// A zero-window probe is a "window probe" (RFC 9293 §3.8.6.1), sent when
// the persist timer fires.
func TestWindowProbe(t *testing.T) {
	v, _ := runView(t, "exercises/23-persist.yaml")
	probes := 0
	for _, p := range v.Packets {
		if p.Kind == "window probe" {
			probes++
			if !strings.HasPrefix(p.words(), "window probe seq=") {
				t.Errorf("probe words %q", p.words())
			}
		}
	}
	fired := 0
	for _, tm := range v.Timers {
		if tm.Kind == "persist" && tm.Fired {
			fired++
		}
	}
	if probes == 0 || probes != fired {
		t.Fatalf("%d window probes for %d persist timers fired, want as many and > 0", probes, fired)
	}
}

// Timer armings end where the timer's next event is; each ends at most
// once, after it began; the view is valid JSON.
func TestTimersAndJSON(t *testing.T) {
	v, _ := runView(t, "tcp-loss-5.yaml")
	fired := 0
	for _, tm := range v.Timers {
		if tm.End >= 0 && tm.End < tm.T {
			t.Errorf("timer %+v ends before it starts", tm)
		}
		if tm.Fired {
			fired++
		}
		if tm.Host != "a" && tm.Host != "b" {
			t.Errorf("timer %+v: host %q", tm, tm.Host)
		}
	}
	if fired == 0 {
		t.Error("no timer fired in tcp-loss-5")
	}
	f := v.Flows[0]
	if len(f.Sends) == 0 || len(f.ACKs) == 0 || len(f.Cwnd) == 0 || len(f.Lost) == 0 {
		t.Errorf("flow series: %d sends, %d ACKs, %d cwnd, %d lost; want each > 0", len(f.Sends), len(f.ACKs), len(f.Cwnd), len(f.Lost))
	}
	if _, err := json.Marshal(v); err != nil {
		t.Fatal(err)
	}
}

// The typed readings of the trace's words.
func TestEventFields(t *testing.T) {
	e := trace.Event{Kind: trace.TimerFired, Detail: "sender retransmission timer for pkt 3 at 1.5s"}
	if got := e.Role(); got != trace.RoleSender {
		t.Errorf("role %v, want sender", got)
	}
	if got, want := e.TimerName(), "retransmission timer for pkt 3"; got != want {
		t.Errorf("timer %q, want %q", got, want)
	}
	s := trace.Event{Kind: trace.Send, Dir: "a->b", Flags: "SYN,ACK"}
	if !s.Has(trace.FlagSYN|trace.FlagACK) || s.Has(trace.FlagFIN) {
		t.Errorf("flags of %q read as %b", s.Flags, trace.ParseFlags(s.Flags))
	}
}

// The throughput series adds up to the payload each receiver got: for a
// clean TCP transfer and for UDP (every datagram counted once) the bytes
// the run's results say were delivered; bins are View.Bin wide and the
// trace's span is cut into ThroughputBins of them.
func TestThroughputAddsUpToDelivered(t *testing.T) {
	for _, file := range []string{"tcp-clean.yaml", "udp-clean.yaml", "exercises/27-two-tcp-flows.yaml"} {
		sc, err := scenario.Load("../../scenarios/" + file)
		if err != nil {
			t.Fatal(err)
		}
		c := &trace.Recorder{}
		res, err := run.ScenarioWith(sc, sc.Seed, run.Options{Trace: c})
		if err != nil {
			t.Fatal(err)
		}
		clients := map[string]direction.Dir{}
		for _, f := range sc.Flows {
			clients[f.Name] = direction.Of(f.From, f.To)
		}
		v := Build(c.Events, clients)
		end := c.Events[len(c.Events)-1].T.Seconds()
		if math.Abs(v.Bin*ThroughputBins-end) > 1e-9 {
			t.Errorf("%s: bin %g s × %d, want the trace's span %g s", file, v.Bin, ThroughputBins, end)
		}
		for _, fr := range res.Flows {
			var vf *ViewFlow
			for i := range v.Flows {
				if v.Flows[i].Name == fr.Name {
					vf = &v.Flows[i]
				}
			}
			if vf == nil || len(vf.Throughput) != ThroughputBins {
				t.Fatalf("%s: flow %s: no throughput series of %d bins", file, fr.Name, ThroughputBins)
			}
			sum := 0.0
			for _, bps := range vf.Throughput {
				if bps < 0 {
					t.Errorf("%s: flow %s: negative throughput %g", file, fr.Name, bps)
				}
				sum += bps * v.Bin / 8
			}
			retrans := fr.TCP != nil && fr.TCP.TimeoutRetrans+fr.TCP.FastRetrans+fr.TCP.SACKRetrans > 0
			switch {
			case !retrans && fr.Duplicates == 0 && math.Abs(sum-float64(fr.DeliveredBytes)) > 0.5:
				t.Errorf("%s: flow %s: throughput adds up to %.1f bytes, the run delivered %d", file, fr.Name, sum, fr.DeliveredBytes)
			case sum+0.5 < float64(fr.DeliveredBytes):
				t.Errorf("%s: flow %s: throughput adds up to %.1f bytes, less than the %d delivered", file, fr.Name, sum, fr.DeliveredBytes)
			}
		}
	}
}

// Throughput bins by arrival time, the last bin taking what arrives at
// the end, and is nil without a positive bin width.
func TestThroughputBins(t *testing.T) {
	got := rate([][2]float64{{0, 100}, {0.05, 50}, {0.1, 25}, {0.25, 10}, {0.4, 1}}, 0.1, 3)
	want := []float64{150 * 8 / 0.1, 25 * 8 / 0.1, 11 * 8 / 0.1}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-9 {
			t.Errorf("bin %d: %g bps, want %g", i, got[i], want[i])
		}
	}
	if rate(nil, 0, 3) != nil || rate(nil, 0.1, 0) != nil {
		t.Error("rate without a positive bin or count: want nil")
	}
}
