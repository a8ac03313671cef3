package run

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"tcpsim/internal/scenario"
)

// queueScenario writes a random scenario of TCP flows through a managed
// queue: drop-tail, RED or CoDel, with or without ECN marking, flows with
// or without ECN, random loss and congestion controls.
func queueScenario(r *rand.Rand, i int) string {
	pick := func(vals ...string) string { return vals[r.IntN(len(vals))] }
	aqm := pick("droptail", "red", "codel")
	var b strings.Builder
	fmt.Fprintf(&b, "name: queue-%d\nuntil: 600s\nlink:\n  rate: %dMbps\n  delay: %dms\n  queue: %d\n  aqm: %s\n",
		i, 2+r.IntN(20), 1+r.IntN(30), 20+r.IntN(300), aqm)
	if aqm != "droptail" {
		fmt.Fprintf(&b, "  ecn: %v\n", r.IntN(3) > 0)
	}
	if aqm == "red" && r.IntN(2) == 0 {
		fmt.Fprintf(&b, "  red: {min: %d, max: %d, max_p: %s, gentle: %v}\n", 2+r.IntN(5), 10+r.IntN(30), pick("2%", "10%", "50%"), r.IntN(2) == 0)
	}
	if r.IntN(2) == 0 {
		fmt.Fprintf(&b, "  loss: %s\n", pick("0.1%", "1%", "3%"))
	}
	b.WriteString("flows:\n")
	for f := range 1 + r.IntN(3) {
		fmt.Fprintf(&b, "  - {name: f%d, protocol: tcp, bytes: %dKB, recv_buffer: %s, congestion: %s, sack: %v, ecn: %v, min_rto: 200ms, max_retries: 100}\n",
			f, 100+r.IntN(900), pick("64KiB", "256KiB", "1MiB"), pick("newreno", "reno", "cubic", "tahoe"), r.IntN(2) == 0, r.IntN(3) > 0)
	}
	return b.String()
}

// Property: whatever the queue discipline and whoever uses ECN, TCP
// delivers every byte once and verified, the link's counters add up, and
// CE marks reach only flows that negotiated ECN (and are echoed back).
func TestQueueManagementProperties(t *testing.T) {
	n := 40
	if testing.Short() {
		n = 12
	}
	marked := 0
	for i := range n {
		r := rand.New(rand.NewPCG(uint64(i), 12))
		src := queueScenario(r, i)
		sc, err := scenario.Parse("queue.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%v\n%s", err, src)
		}
		res, err := Scenario(sc, uint64(i))
		if err != nil {
			t.Fatalf("%v\n%s", err, src)
		}
		var ce int64
		for _, f := range res.Flows {
			if !f.Complete || f.TCP.Verified != "yes" || f.DeliveredBytes != f.OfferedBytes {
				t.Fatalf("flow %s: %s, verified %s, %d of %d bytes\n%s", f.Name, res.Status(), f.TCP.Verified, f.DeliveredBytes, f.OfferedBytes, src)
			}
			if f.TCP.ECNNegotiated != f.TCP.ECN {
				t.Fatalf("flow %s: ecn %v but negotiated %v\n%s", f.Name, f.TCP.ECN, f.TCP.ECNNegotiated, src)
			}
			if !f.TCP.ECN && (f.TCP.CEReceived != 0 || f.TCP.CWRSent != 0) {
				t.Fatalf("flow %s without ECN: %d CE, %d CWR\n%s", f.Name, f.TCP.CEReceived, f.TCP.CWRSent, src)
			}
			if f.TCP.CWRSent > f.TCP.Sender.ECEReceived+f.TCP.Receiver.ECEReceived {
				t.Fatalf("flow %s: %d CWR for %d ECE", f.Name, f.TCP.CWRSent, f.TCP.Sender.ECEReceived)
			}
			ce += f.TCP.CEReceived
		}
		var marks int64
		for _, l := range res.Links {
			if l.Offered+l.Duplicated != l.Delivered+l.Lost+l.QueueDropped+l.InFlight || l.AQMDropped > l.QueueDropped {
				t.Fatalf("link %s: counters %+v in flight %d\n%s", l.Name, l.Counters, l.InFlight, src)
			}
			if !l.Config.ECN && l.ECNMarked != 0 || l.Config.AQM == 0 && l.AQMDropped != 0 {
				t.Fatalf("link %s (%v, ecn %v): %d marks, %d AQM drops\n%s", l.Name, l.Config.AQM, l.Config.ECN, l.ECNMarked, l.AQMDropped, src)
			}
			marks += l.ECNMarked
		}
		if ce > marks {
			t.Fatalf("%d CE received, %d marked\n%s", ce, marks, src)
		}
		if marks > 0 {
			marked++
		}
	}
	if marked == 0 {
		t.Fatal("no run marked a packet: the property says nothing about ECN")
	}
}
