package validate

import (
	"fmt"
	"math"

	proto "tcpsim/internal/protocol"
	"tcpsim/internal/run"
	"tcpsim/model/rdt"
)

// rdtOverhead is the bytes an rdt packet adds to its payload on the wire:
// IPv4 (20), UDP (8) and the rdt header (10). The transmitter is busy for
// the whole packet, so L below is payload + rdtOverhead.
const rdtOverhead = 20 + 8 + rdt.HeaderLen

// RDTOverhead is the bytes an rdt packet adds to its payload on the wire
// (IPv4, UDP and the rdt header).
const RDTOverhead = rdtOverhead

// PipelinedUtilisation is the sender utilisation of a window of n packets
// (n = 1: stop-and-wait) on a clean link, Kurose & Ross §3.4.2–3.4.3:
// U = min(1, n·(L/R) / (RTT + L/R)), with l = L/R, the transmission time
// of one packet, and rtt in seconds.
func PipelinedUtilisation(n int, l, rtt float64) float64 {
	return math.Min(1, float64(n)*l/(rtt+l))
}

// RDTUtilisation checks the sender utilisation of stop-and-wait and the
// pipelined protocols on a clean link against Kurose & Ross §3.4.2–3.4.3:
//
//	U = min(1, N·(L/R) / (RTT + L/R))
//
// with N = 1 for stop-and-wait. L is the data packet on the wire
// (payload + 38 bytes of headers), R the link rate, and RTT the time from
// the end of a packet's transmission to its ACK's arrival: two
// propagation delays plus the ACK's own transmission (38 bytes), which
// the textbook neglects. The simulated value is the report's sender
// utilisation over the whole transfer.
func RDTUtilisation(protocol string, window, payload int, rateBps float64, delay float64, timeout string) (Check, error) {
	l := txTime(payload+rdtOverhead, rateBps)
	rtt := 2*delay + txTime(rdtOverhead, rateBps)
	pred := PipelinedUtilisation(window, l, rtt)
	// Enough packets that the first and last windows, which the formula
	// does not describe, weigh less than 0.5%: at least 200 cycles of
	// RTT + L/R, and 200 windows.
	cycles := 200.0
	count := int(math.Ceil(cycles * math.Max(float64(window), (rtt+l)/l)))
	seqBits := 1
	for 1<<seqBits <= 2*window {
		seqBits++
	}
	fields := fmt.Sprintf("window: %d, seq_bits: %d, ", window, seqBits)
	if pr, _ := proto.Parse(protocol); pr.RDT() == rdt.StopAndWait {
		fields = ""
	}
	src := fmt.Sprintf(`name: rdt-utilisation
until: 36000s
link: {rate: %gbps, delay: %gs}
flows:
  - {name: f, protocol: %s, %scount: %d, packet: %d, timeout: %s}
`, rateBps, delay, protocol, fields, count, payload, timeout)
	simU, err := mean(src, 1, 0, func(f *run.FlowResult) float64 { return f.RDT.Utilisation })
	tol, why := 0.001, "exact on a clean link: every cycle is L/R + RTT; only the rounding of transmission times to the nanosecond differs"
	if window > 1 {
		tol, why = 0.01, "the formula is the steady state; the first window and the last one (at most one cycle in 200) are not in it"
	}
	return Check{
		Model: "rdt utilisation", Citation: "Kurose & Ross, Computer Networking, §3.4.2–3.4.3: U = min(1, N·(L/R) / (RTT + L/R))",
		Params: fmt.Sprintf("%s N=%d, L=%d B, %s, RTT %s ms", protocol, window, payload+rdtOverhead, rateName(rateBps), fmt.Sprintf("%.3f", rtt*1000)), Unit: "fraction",
		Predicted: pred, Simulated: simU, Seeds: 1, Tolerance: tol, Why: why,
	}, err
}

// RDTTransmissions checks the mean number of transmissions per packet
// under independent loss p of data packets (a clean ACK path, a fixed
// timeout well above the RTT, a window that fills the pipe):
//
//	selective repeat: 1/(1−p)          (each packet is resent until it gets through: geometric)
//	go-back-n:        1 + N·p/(1−p)    (each failed attempt costs the packet and the N−1 sent after it)
//
// Both are the classic ARQ analyses (Bertsekas & Gallager, Data Networks,
// 2nd ed., §2.4; the go-back-n one with β = N). Goodput is then at most
// the payload share of R divided by this number: an upper bound, since
// timeouts also idle the link.
func RDTTransmissions(protocol string, window int, p float64, seeds int) (Check, error) {
	const payload, rate, delay, n = 1000, 10e6, 0.005, 5000
	l := txTime(payload+rdtOverhead, rate)
	cycle := 2*delay + l + txTime(rdtOverhead, rate)
	timeout := fmt.Sprintf("%gms", math.Ceil(4*(cycle+float64(window)*l)*1000))
	seqBits := 1
	for 1<<seqBits <= 2*window {
		seqBits++
	}
	src := fmt.Sprintf(`name: rdt-loss
until: 36000s
link: {rate: 10Mbps, delay: 5ms, loss: %g%%, reverse: {loss: 0%%}}
flows:
  - {name: f, protocol: %s, window: %d, seq_bits: %d, count: %d, packet: %d, timeout: %s}
`, p*100, protocol, window, seqBits, n, payload, timeout)
	simT, err := mean(src, seeds, 0, func(f *run.FlowResult) float64 {
		return float64(f.RDT.Sender.DataSent) / n
	})
	pred, sd := 1/(1-p), math.Sqrt(p)/(1-p) // per packet: mean and standard deviation
	model := "SR transmissions 1/(1-p)"
	if pr, _ := proto.Parse(protocol); pr.RDT() == rdt.GoBackN {
		pred, sd = 1+float64(window)*p/(1-p), float64(window)*math.Sqrt(p)/(1-p)
		model = "GBN transmissions 1+Np/(1-p)"
	}
	se := sd / math.Sqrt(float64(n*seeds))
	return Check{
		Model: model, Citation: "Bertsekas & Gallager, Data Networks, §2.4 (ARQ efficiency; go-back-n with β = N)",
		Params: fmt.Sprintf("%s N=%d, p=%g%%, %d packets", protocol, window, p*100, n), Unit: "per packet",
		Predicted: pred, Simulated: simT, Seeds: seeds, Tolerance: 4 * se / pred,
		Why: "4 standard errors of the mean over the packets sent (failures per packet are geometric)",
	}, err
}

func rateName(bps float64) string {
	switch {
	case bps >= 1e9:
		return fmt.Sprintf("%g Gbps", bps/1e9)
	case bps >= 1e6:
		return fmt.Sprintf("%g Mbps", bps/1e6)
	}
	return fmt.Sprintf("%g kbps", bps/1e3)
}

// RDT runs the rdt family's checks.
func RDT(seeds int) ([]Check, error) {
	var out []Check
	for _, c := range []struct {
		proto          string
		window, packet int
		rate, delay    float64
	}{
		{"stop-and-wait", 1, 1000, 1e9, 0.015},  // K&R's example: 1 Gbps, RTT 30 ms
		{"stop-and-wait", 1, 1000, 10e6, 0.010}, // a classroom link
		{"stop-and-wait", 1, 200, 1e6, 0.001},
		{"go-back-n", 3, 1000, 1e9, 0.015}, // K&R: three packets in flight triple U
		{"go-back-n", 8, 1000, 10e6, 0.005},
		{"selective-repeat", 8, 500, 100e6, 0.001},
		{"selective-repeat", 16, 1000, 10e6, 0.005}, // N·L/R > RTT + L/R: U = 1
	} {
		ch, err := RDTUtilisation(c.proto, c.window, c.packet, c.rate, c.delay, "10s")
		if err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	for _, c := range []struct {
		proto  string
		window int
		p      float64
	}{{"selective-repeat", 8, 0.05}, {"selective-repeat", 8, 0.2}, {"go-back-n", 8, 0.02}, {"go-back-n", 8, 0.1}} {
		ch, err := RDTTransmissions(c.proto, c.window, c.p, seeds)
		if err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, nil
}
