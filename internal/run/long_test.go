package run

import (
	"fmt"
	"testing"
	"time"
)

// A TCP transfer longer than 2^32 bytes crosses the point where a 32-bit
// stream offset, byte count or sequence-to-offset conversion would wrap.
// Every byte must still arrive, verified, and the connection close
// cleanly; with isn just below 2^32 the sequence numbers also wrap at the
// very start (and once more near the 4 GiB mark). Large segments over a
// fast link keep it to about a hundred thousand segments.
func TestTransferBeyond4GiB(t *testing.T) {
	const total = 1<<32 + 5_000_000 // just past 2^32
	for _, c := range []struct {
		name, isn string
	}{
		{"offset crosses 2^32", "isn: 1000"},
		{"isn wraps too", "isn: 4294967000"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if testing.Short() {
				t.Skip("moves 4 GiB through the model (a few seconds)")
			}
			start := time.Now()
			sc := parse(t, fmt.Sprintf(`name: long
until: 60s
max_events: 5000000
link: {rate: 100Gbps, delay: 1ms}
flows:
  - {name: t, protocol: tcp, bytes: %d, mss: 65000, recv_buffer: 64MiB, %s}
`, total, c.isn))
			res := mustRun(t, sc, 1)
			f := res.Flows[0]
			if !f.Complete || f.DeliveredBytes != total || f.TCP.Verified != "yes" {
				t.Fatalf("delivered %d of %d, verified %s, state %s, status %q",
					f.DeliveredBytes, int64(total), f.TCP.Verified, f.TCP.State, res.Status())
			}
			if f.TCP.TimeoutRetrans != 0 || f.TCP.FastRetrans != 0 {
				t.Errorf("retransmissions on a clean link: %d timeout, %d fast", f.TCP.TimeoutRetrans, f.TCP.FastRetrans)
			}
			t.Logf("%d events in %v", res.Events, time.Since(start))
		})
	}
}

// UDP flows past ~1.15 GB used to panic whatever the rate ("event
// scheduled in the past": k·size·8·10^9 overflowed int64). Through the
// scenario file: the size at two rates, and the largest flow the
// parser accepts, run for a moment.
func TestUDPBeyondPacingOverflow(t *testing.T) {
	for _, c := range []struct {
		name, flow, until string
		complete          bool
	}{
		{"1.2 GB at 1 Gbps", "bytes: 1.2GB, datagram: 60000, rate: 1Gbps", "20s", true},
		{"1.2 GB at 40 Gbps", "bytes: 1.2GB, datagram: 65507, rate: 40Gbps", "1s", true},
		{"largest accepted flow", "count: 1000000000, datagram: 65507, rate: 100Gbps, checksum: false", "100ms", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := parse(t, fmt.Sprintf(`name: udp-long
until: %s
link: {delay: 1ms} # no rate: an infinitely fast link
flows:
  - {name: u, protocol: udp, %s}
`, c.until, c.flow))
			res := mustRun(t, sc, 1)
			u := res.Flows[0]
			if u.Complete != c.complete || u.PacketsSent == 0 || u.PacketsRecv != u.PacketsSent && c.complete {
				t.Fatalf("complete %v (want %v), sent %d, received %d, status %q", u.Complete, c.complete, u.PacketsSent, u.PacketsRecv, res.Status())
			}
			if c.complete && u.DeliveredBytes != u.OfferedBytes {
				t.Fatalf("delivered %d of %d bytes", u.DeliveredBytes, u.OfferedBytes)
			}
		})
	}
}
