package run

import (
	"fmt"
	"testing"

	"tcpsim/internal/scenario"
)

// BBR v1 on the reference path (10 Mbit/s, 20 ms each way, a queue of 100
// packets; the linux profile with congestion: bbr): near the link rate on
// a clean link, and, unlike a loss-based algorithm, still near it at 1%
// random loss (Cardwell et al., ACM Queue 2016, fig. 8: BBR v1 keeps its
// throughput up to loss rates of several percent). CUBIC at 1% loss is
// the contrast. Goodput at most 9.53 Mbit/s here: 1448 payload bytes of a
// 1500-byte packet.
func TestBBRReferencePath(t *testing.T) {
	cases := []struct {
		cc       string
		loss     string
		min, max float64 // Mbit/s
		pacing   bool
	}{
		{"bbr", "0%", 9.3, 9.6, false},
		{"bbr", "1%", 8.8, 9.6, false},
		{"bbr", "5%", 8.0, 9.6, false},
		{"cubic-linux", "1%", 0, 5, false},
		{"cubic-linux", "0%", 9.3, 9.6, true}, // paced at Linux's rate
	}
	for _, c := range cases {
		src := fmt.Sprintf(`name: bbr-ref
seed: 1
until: 600s
link:
  rate: 10Mbps
  delay: 20ms
  queue: 100
  loss: %s
flows:
  - name: file
    protocol: tcp
    bytes: 10MB
    profile: linux
    congestion: %s
    pacing: %v
`, c.loss, c.cc, c.pacing)
		sc, err := scenario.Parse("bbr.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Scenario(sc, 1)
		if err != nil {
			t.Fatal(err)
		}
		f := res.Flows[0]
		if !f.Complete || f.TCP.Verified != "yes" || f.DeliveredBytes != f.OfferedBytes {
			t.Fatalf("%s at %s: %s, verified %s, %d of %d bytes", c.cc, c.loss, res.Status(), f.TCP.Verified, f.DeliveredBytes, f.OfferedBytes)
		}
		mbps := f.Goodput / 1e6
		t.Logf("%s p=%s pacing=%v: goodput %.2f Mbit/s", c.cc, c.loss, c.pacing, mbps)
		// BBR paces at the path's rate and, in recovery, conserves
		// packets: the bottleneck queue (100 packets) never overflows;
		// its retransmissions repair the link's random losses only.
		if q := res.Links[0].QueueDropped; c.cc == "bbr" && q != 0 {
			t.Errorf("%s p=%s: %d queue drops, want none", c.cc, c.loss, q)
		}
		if mbps < c.min || mbps > c.max {
			t.Errorf("%s p=%s pacing=%v: goodput %.2f Mbit/s, want %.1f..%.1f", c.cc, c.loss, c.pacing, mbps, c.min, c.max)
		}
	}
}
