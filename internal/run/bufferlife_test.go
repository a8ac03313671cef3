package run

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestBufferLifePoisoned is the packet pool's property test (issue 23):
// over random mixes of loss, corruption, duplication, reordering, short
// queues, RED, routers and several transports at once, with the pool in
// poison mode (a buffer returned twice or written after its return
// panics; one read after its return holds poison), every reliable flow
// delivers every byte once, in order, verified; no checksum drop happens
// that the wire's corruption does not explain (a read of a returned
// buffer would be one); and at the end every buffer is back in the pool
// but those of the packets still queued or on the wire.
func TestBufferLifePoisoned(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 4))
	n := 40
	if testing.Short() {
		n = 10
	}
	for i := range n {
		src := bufferLifeScenario(r, i)
		sc := parse(t, src)
		seed := r.Uint64()
		net, err := BuildWith(sc, seed, Options{PoisonBuffers: true})
		if err != nil {
			t.Fatalf("case %d: %v\n%s", i, err, src)
		}
		res := net.Run()
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("case %d (seed %d): %s\n%s", i, seed, fmt.Sprintf(format, args...), src)
		}
		var corrupted, dups, inFlight int64
		for _, l := range res.Links {
			corrupted += l.Corrupted
			dups += l.Duplicated
			inFlight += l.InFlight
		}
		var checksumDrops int64
		for _, f := range res.Flows {
			checksumDrops += f.ChecksumDrops
			if f.TCP == nil && f.RDT == nil { // UDP: unreliable
				if f.Corrupt != 0 {
					fail("UDP flow %s delivered %d corrupt datagrams with its checksum on", f.Name, f.Corrupt)
				}
				continue
			}
			if !f.Complete || f.DeliveredBytes != f.OfferedBytes {
				fail("flow %s delivered %d of %d bytes (complete %v): %s", f.Name, f.DeliveredBytes, f.OfferedBytes, f.Complete, res.Status())
			}
			if f.TCP != nil && (f.TCP.Verified != "yes" || f.TCP.CorruptBytes != 0) {
				fail("flow %s: verified %q, %d corrupt bytes", f.Name, f.TCP.Verified, f.TCP.CorruptBytes)
			}
		}
		// A corrupted packet is dropped at most once per copy (its
		// duplicate carries the same damage); without corruption there
		// is nothing for a checksum to catch.
		if corrupted == 0 && checksumDrops != 0 || checksumDrops > corrupted+dups {
			fail("%d checksum drops for %d corrupted packets (%d duplicates): a returned buffer was read", checksumDrops, corrupted, dups)
		}
		if got := int64(net.pool.Outstanding()); got != inFlight {
			fail("%d buffers not returned to the pool, %d packets still in flight", got, inFlight)
		}
	}
}

// bufferLifeScenario writes a random scenario for TestBufferLifePoisoned:
// a two-host link or a chain of routers, impairments on each direction,
// and a mix of TCP (with and without SACK), UDP and rdt flows.
func bufferLifeScenario(r *rand.Rand, i int) string {
	pick := func(vals ...string) string { return vals[r.IntN(len(vals))] }
	impair := func() string {
		var parts []string
		parts = append(parts, "loss: "+pick("0%", "1%", "5%", "{model: gilbert-elliott, p: 2%, r: 25%, loss_good: 0.5%, loss_bad: 50%}"))
		parts = append(parts, "corrupt: "+pick("0%", "0%", "1%", "3%"))
		parts = append(parts, "duplicate: "+pick("0%", "2%", "10%"))
		parts = append(parts, "reorder: "+pick("0%", "5%", "20%"), "reorder_delay: 3ms")
		switch r.IntN(4) {
		case 0:
			parts = append(parts, fmt.Sprintf("queue: %d", 3+r.IntN(30)))
		case 1:
			parts = append(parts, fmt.Sprintf("queue: %d", 20+r.IntN(60)), "aqm: red")
		case 2:
			parts = append(parts, "queue: 200")
		}
		return strings.Join(parts, ", ")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "name: buffers-%d\nuntil: 3000s\n", i)
	from, to := "", ""
	if r.IntN(2) == 0 {
		fmt.Fprintf(&b, "link: {rate: %dMbps, delay: %dms, %s, reverse: {%s}}\n", 1+r.IntN(20), 1+r.IntN(20), impair(), impair())
	} else {
		hops := 1 + r.IntN(3)
		var routers []string
		for k := range hops {
			routers = append(routers, fmt.Sprintf("r%d", k))
		}
		fmt.Fprintf(&b, "nodes: {hosts: [s, d], routers: [%s]}\nlinks:\n", strings.Join(routers, ", "))
		nodes := append(append([]string{"s"}, routers...), "d")
		for k := 0; k+1 < len(nodes); k++ {
			fmt.Fprintf(&b, "  - {between: [%s, %s], rate: %dMbps, delay: %dms, %s}\n", nodes[k], nodes[k+1], 2+r.IntN(20), 1+r.IntN(10), impair())
		}
		from, to = ", from: s", ", to: d"
	}
	b.WriteString("flows:\n")
	for k := range 1 + r.IntN(4) {
		switch r.IntN(5) {
		case 0:
			fmt.Fprintf(&b, "  - {name: u%d, protocol: udp%s%s, count: %d, datagram: %d, rate: 1Mbps}\n", k, from, to, 50+r.IntN(300), 100+r.IntN(1300))
		case 1:
			fmt.Fprintf(&b, "  - {name: g%d, protocol: %s%s%s, count: %d, packet: %d, timeout: 200ms, window: 8, seq_bits: 5}\n",
				k, pick("go-back-n", "selective-repeat"), from, to, 50+r.IntN(200), 100+r.IntN(1300))
		default:
			fmt.Fprintf(&b, "  - {name: t%d, protocol: tcp%s%s, bytes: %d, sack: %v, congestion: %s, min_rto: 200ms, max_retries: 30, start: %dms}\n",
				k, from, to, 1000+r.IntN(200000), r.IntN(2) == 0, pick("reno", "newreno", "cubic"), r.IntN(50))
		}
	}
	return b.String()
}
