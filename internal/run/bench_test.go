package run

import (
	"testing"
	"time"

	"tcpsim/internal/trace"
	"tcpsim/model/payload"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

func benchScenario(b *testing.B, src string) {
	sc := parse(b, src)
	b.ReportAllocs()
	var bytes, segs, events int64
	for b.Loop() {
		res := mustRun(b, sc, 1)
		if !res.OK() {
			b.Fatalf("run failed: %s", res.Status())
		}
		f := res.Flows[0]
		bytes += f.DeliveredBytes
		segs += f.PacketsSent
		events += int64(res.Events)
	}
	report(b, bytes, segs, events)
}

func report(b *testing.B, bytes, segs, events int64) {
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(bytes)/s/1e6, "sim-MB/s")
	b.ReportMetric(float64(events)/s, "events/s")
	b.ReportMetric(float64(segs)/float64(b.N), "pkts/run")
}

const tcp10MB = `name: bench
until: 600s
link: {rate: 10Mbps, delay: 20ms, queue: 100, loss: 1%}
flows:
  - {name: f, protocol: tcp, bytes: 10MB, congestion: newreno, recv_buffer: 64KiB}
`

// BenchmarkTCP10MB is the reference run: 10 MB NewReno over
// 10 Mbps, 20 ms one way, 1% loss, 64 KiB receive buffer. Each iteration
// also runs the floor (untimed), and the benchmark reports x-floor: the
// fastest run over the fastest floor, measured side by side in the same
// process. On a shared machine the minimum of many repetitions is the
// time least disturbed by other work, and a ratio of the two within one
// run is steadier than either time against another day's.
func BenchmarkTCP10MB(b *testing.B) {
	sc := parse(b, tcp10MB)
	b.ReportAllocs()
	fl := newFloor(1460)
	var bytes, segs, events int64
	runMin, floorMin := time.Duration(1<<63-1), time.Duration(1<<63-1)
	for b.Loop() {
		t0 := time.Now()
		res := mustRun(b, sc, 1)
		runMin = min(runMin, time.Since(t0))
		if !res.OK() {
			b.Fatalf("run failed: %s", res.Status())
		}
		f := res.Flows[0]
		bytes += f.DeliveredBytes
		segs += f.PacketsSent
		events += int64(res.Events)
		b.StopTimer()
		t1 := time.Now()
		fl.run(f.DeliveredBytes)
		floorMin = min(floorMin, time.Since(t1))
		b.StartTimer()
	}
	report(b, bytes, segs, events)
	b.ReportMetric(float64(runMin)/float64(floorMin), "x-floor")
}

// BenchmarkTCP10MBFloor is the work that no run delivering BenchmarkTCP10MB's
// 10 MB of real bytes can skip: two RFC 1071 checksums (the sender's and
// the receiver's) and one comparison with what was sent, over the same
// bytes in segment-sized pieces.
func BenchmarkTCP10MBFloor(b *testing.B) {
	sc := parse(b, tcp10MB)
	fl := newFloor(1460)
	total := int64(sc.Flows[0].TCP.Bytes)
	b.SetBytes(total)
	for b.Loop() {
		fl.run(total)
	}
}

// floor sums and compares stream bytes segment by segment. The sender's
// checksum reads the bytes where the sender takes them (the payload
// pattern); the receiver's checksum and comparison read a copy held
// elsewhere, as a packet buffer would be, and as warm in cache.
type floor struct {
	mss  int
	rx   []byte // the stream from offset 0, one window and a period long
	sink uint64
}

func newFloor(mss int) *floor {
	f := &floor{mss: mss, rx: make([]byte, 1<<16+payload.Period)}
	payload.Fill(f.rx, 0)
	return f
}

func (f *floor) run(total int64) {
	for off := int64(0); off < total; off += int64(f.mss) {
		n := int(min(int64(f.mss), total-off))
		p := int(off % payload.Period)
		rcvd := f.rx[p : p+n]
		f.sink += uint64(wire.Checksum(payload.At(off, n)))
		f.sink += uint64(wire.Checksum(rcvd))
		if !payload.Check(rcvd, off) {
			panic("floor: stream bytes differ")
		}
	}
}

// BenchmarkTCP10MBCubic is BenchmarkTCP10MB with CUBIC (RFC 9438): the
// issue asks that it cost at most 1.3x the NewReno run.
func BenchmarkTCP10MBCubic(b *testing.B) {
	benchScenario(b, `name: bench
until: 600s
link: {rate: 10Mbps, delay: 20ms, queue: 100, loss: 1%}
flows:
  - {name: f, protocol: tcp, bytes: 10MB, congestion: cubic, recv_buffer: 64KiB}
`)
}

// BenchmarkTCP10MBSACK is BenchmarkTCP10MB with SACK (RFC 2018, RFC
// 6675): the issue asks that it cost at most 1.3x the NewReno run.
func BenchmarkTCP10MBSACK(b *testing.B) {
	benchScenario(b, `name: bench
until: 600s
link: {rate: 10Mbps, delay: 20ms, queue: 100, loss: 1%}
flows:
  - {name: f, protocol: tcp, bytes: 10MB, congestion: newreno, recv_buffer: 64KiB, sack: true}
`)
}

// BenchmarkTCP10MBCubicSACK is BenchmarkTCP10MB with CUBIC and SACK, as
// current stacks run.
func BenchmarkTCP10MBCubicSACK(b *testing.B) {
	benchScenario(b, `name: bench
until: 600s
link: {rate: 10Mbps, delay: 20ms, queue: 100, loss: 1%}
flows:
  - {name: f, protocol: tcp, bytes: 10MB, congestion: cubic, recv_buffer: 64KiB, sack: true}
`)
}

// BenchmarkTCP10MBLinux is BenchmarkTCP10MB with the whole linux profile
// (cubic-linux with HyStart, byte counting, SACK with RACK-TLP and PRR,
// D-SACK, timestamps, delayed ACKs with Linux's ATO, receive-buffer
// autotuning): the issue asks that it cost at most 1.3x the NewReno run;
// compare ns/op and allocs/op with BenchmarkTCP10MB.
func BenchmarkTCP10MBLinux(b *testing.B) {
	benchScenario(b, `name: bench
until: 600s
link: {rate: 10Mbps, delay: 20ms, queue: 100, loss: 1%}
flows:
  - {name: f, protocol: tcp, bytes: 10MB, profile: linux}
`)
}

// BenchmarkTCP10MBBBR is BenchmarkTCP10MBLinux with BBR (congestion: bbr,
// which always paces at its own rate): the issue asks that it cost at most
// 1.5x the NewReno run.
func BenchmarkTCP10MBBBR(b *testing.B) {
	benchScenario(b, `name: bench
until: 600s
link: {rate: 10Mbps, delay: 20ms, queue: 100, loss: 1%}
flows:
  - {name: f, protocol: tcp, bytes: 10MB, profile: linux, congestion: bbr}
`)
}

// BenchmarkTCP100MBGigabit: 100 MB over a clean 1 Gbps link.
func BenchmarkTCP100MBGigabit(b *testing.B) {
	benchScenario(b, `name: bench
until: 600s
link: {rate: 1Gbps, delay: 1ms, queue: 1000}
flows:
  - {name: f, protocol: tcp, bytes: 100MB, recv_buffer: 4MiB}
`)
}

// BenchmarkUDPBulk: 10 MB of UDP at 8 Mbps over a lossy link.
func BenchmarkUDPBulk(b *testing.B) {
	benchScenario(b, `name: bench
link: {rate: 10Mbps, delay: 20ms, queue: 100, loss: 1%}
flows:
  - {name: u, protocol: udp, bytes: 10MB, datagram: 1200, rate: 8Mbps}
`)
}

// Allocations do not grow with the transfer: after set-up, the hot path
// (events, packets, segments) reuses its buffers.
func TestAllocsDoNotGrowWithTransfer(t *testing.T) {
	allocs := func(size string) float64 {
		sc := parse(t, `name: a
link: {rate: 10Mbps, delay: 10ms, queue: 100, loss: 1%}
flows:
  - {name: f, protocol: tcp, bytes: `+size+`}
  - {name: u, protocol: udp, bytes: `+size+`, rate: 2Mbps}
  - {name: l, protocol: tcp, bytes: `+size+`, profile: linux}
`)
		return testing.AllocsPerRun(3, func() { mustRun(t, sc, 1) })
	}
	small, big := allocs("500KB"), allocs("4MB")
	// 8x the data is ~2,800 more segments: allow well under one
	// allocation per 50 of them (buffer growth as windows widen).
	if big-small > 60 {
		t.Fatalf("allocations: %v for 500KB, %v for 4MB: they grow with the transfer", small, big)
	}
}

type discard struct{ n int }

func (d *discard) Event(e *trace.Event) { d.n++ }

// BenchmarkTCP10MBTraced is BenchmarkTCP10MB with every event traced to a
// sink that only counts: compare the two to see what tracing costs, and
// that it costs nothing when off.
func BenchmarkTCP10MBTraced(b *testing.B) {
	sc := parse(b, tcp10MB)
	b.ReportAllocs()
	d := &discard{}
	for b.Loop() {
		if _, err := ScenarioWith(sc, 1, Options{Trace: d}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.n)/float64(b.N), "trace-events/run")
}

// A TCP transfer in steady state allocates nothing per segment: events,
// timers, packet buffers, headers, the receive buffer and the application's
// verification all reuse what the warm-up allocated.
func TestSteadyStateTCPAllocatesNothing(t *testing.T) {
	for _, opts := range []string{"congestion: newreno", "congestion: newreno, sack: true", "congestion: cubic, sack: true, timestamps: true",
		"profile: linux", "profile: linux, congestion: bbr", "profile: linux, congestion: reno, sack: false"} {
		steadyStateAllocs(t, opts)
	}
}

// steadyStateAllocs checks that a TCP flow with the given extra fields
// allocates nothing once past slow start and its first losses (with SACK:
// the scoreboard's and the reassembly queue's slices have grown).
func steadyStateAllocs(t *testing.T, opts string) {
	t.Helper()
	sc := parse(t, `name: steady
link: {rate: 10Mbps, delay: 10ms, queue: 100, loss: 1%}
flows:
  - {name: f, protocol: tcp, bytes: 50MB, recv_buffer: 64KiB, `+opts+`}
`)
	n, err := Build(sc, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range n.flows {
		f.start()
	}
	eng := n.Engine()
	eng.Run(sim.Limits{MaxEvents: 20000}) // handshake, slow start, first losses
	before := n.pipes[0].Counters().Offered
	allocs := testing.AllocsPerRun(100, func() { eng.Run(sim.Limits{MaxEvents: 200}) })
	segs := n.pipes[0].Counters().Offered - before
	if allocs != 0 || segs < 4000 {
		t.Fatalf("flow with %q: %v allocations per 200 events over %d data segments: want 0", opts, allocs, segs)
	}
}

// BenchmarkTCP10MBRouters is BenchmarkTCP10MB's transfer across two
// routers: the same bottleneck (10 Mbps, 1% loss, queue 100) between
// them, fast access links, and the same 20 ms one way in all. Compare its
// events/s with BenchmarkTCP10MB's: forwarding adds events (one link
// direction per hop) but should not make each event dearer.
func BenchmarkTCP10MBRouters(b *testing.B) {
	benchScenario(b, `name: bench-routers
until: 600s
nodes: {hosts: [s, d], routers: [r1, r2]}
links:
  - {between: [s, r1], rate: 1Gbps, delay: 1ms}
  - {between: [r1, r2], rate: 10Mbps, delay: 18ms, queue: 100, loss: 1%}
  - {between: [r2, d], rate: 1Gbps, delay: 1ms}
flows:
  - {name: f, protocol: tcp, from: s, to: d, bytes: 10MB, congestion: newreno, recv_buffer: 64KiB}
`)
}
