package emulate

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// BenchmarkRelay measures what the relay sustains: a real kernel cubic
// connection saturates a link of each rate (1 ms each way, a queue of
// 1,000), so the relay forwards as many packets as it and the kernels on
// the same CPUs can. Reported per run: the packets it forwarded per
// second of wall time (read from a TUN, released to one: data and ACKs),
// its own thread's CPU time per packet, and the release error (p99) and
// goodput, which say whether it kept up, and the p99 of the releases
// whose time found the relay awake (its own part of the error; the rest
// is the machine's scheduling). Rates over MaxPacketRate are run with
// Force. Needs TCPSIM_EMULATE=1 (root); run it with -benchtime 1x.
func BenchmarkRelay(b *testing.B) {
	if os.Getenv(EnvVar) != "1" {
		b.Skipf("set %s=1 to run the relay benchmark (root, network namespaces, /dev/net/tun)", EnvVar)
	}
	if err := Check(); err != nil {
		b.Skipf("emulation unavailable here: %v", err)
	}
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	for _, rate := range []string{"10Mbps", "100Mbps", "200Mbps", "400Mbps", "1Gbps"} {
		b.Run(rate, func(b *testing.B) {
			bytes := map[string]string{"10Mbps": "4MB", "100Mbps": "40MB", "200Mbps": "80MB", "400Mbps": "150MB", "1Gbps": "300MB"}[rate]
			sc := parseTB(b, fmt.Sprintf("name: relay\nuntil: 60s\nlink: {rate: %s, delay: 1ms, queue: 1000}\nflows:\n  - {name: file, protocol: tcp, bytes: %s, congestion: cubic}\n", rate, bytes))
			var pkts, cpu, wall, p99, awake time.Duration
			var goodput float64
			for range b.N {
				res, err := Run(sc, Options{Seed: 1, Exe: exe, Force: true})
				if err != nil {
					b.Fatal(err)
				}
				em := res.Emulated
				pkts += time.Duration(em.Packets)
				cpu += time.Duration(em.CPU)
				wall += time.Duration(em.Wall)
				p99 = max(p99, time.Duration(em.ReleaseP99))
				awake = max(awake, time.Duration(em.AwakeP99))
				goodput += res.Flows[0].Goodput
			}
			b.ReportMetric(float64(pkts)/wall.Seconds(), "pkts/s")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(pkts)/1e3, "cpu-µs/pkt")
			b.ReportMetric(float64(p99.Microseconds()), "p99-µs")
			b.ReportMetric(float64(awake.Microseconds()), "awake-p99-µs")
			b.ReportMetric(goodput/float64(b.N)/1e6, "Mbps")
		})
	}
}
