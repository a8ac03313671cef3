package run

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"tcpsim/internal/scenario"
	"tcpsim/sim"
)

var extremeN = flag.Int("extreme", 0, "number of valid-but-extreme random scenarios TestExtremeScenarios runs (default 300, 60 with -short)")

// extremeScenario writes a random scenario that is valid but pushes every
// field to its edges: rates from 1 bps to 100 Gbps, delays from 0 to
// minutes, 0% and 100% impairments, sizes up to what the parser accepts,
// and up to 16 flows. Every run carries an event budget so it ends.
func extremeScenario(r *rand.Rand, i int) string {
	pick := func(vals ...string) string { return vals[r.IntN(len(vals))] }
	pct := func() string {
		switch r.IntN(4) {
		case 0:
			return "0%"
		case 1:
			return "100%"
		}
		return fmt.Sprintf("%.3g%%", 100*r.Float64()*r.Float64())
	}
	rate := func() string {
		return pick("1bps", "9600bps", "64kbps", "1Mbps", "10Mbps", "1Gbps", "10Gbps", "100Gbps", fmt.Sprintf("%dkbps", 1+r.IntN(100000)))
	}
	dur := func() string {
		return pick("0s", "1ns", "1us", "1ms", "20ms", "500ms", "10s", "3m", fmt.Sprintf("%dus", r.IntN(1000000)))
	}
	size := func() string {
		return pick("1", "100", "1460", "64KiB", "1MB", "10MB", "1GB", "5GB", "1125899906842624", fmt.Sprintf("%d", 1+r.IntN(1<<20)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "name: extreme-%d\nseed: %d\nmax_events: %d\n", i, r.Uint64(), 1+r.IntN(30000))
	if r.IntN(2) == 0 {
		fmt.Fprintf(&b, "until: %s\n", pick("1ns", "1ms", "1s", "60s", "1h"))
	}
	dir := func(indent string) {
		if r.IntN(3) > 0 {
			fmt.Fprintf(&b, "%srate: %s\n", indent, rate())
		}
		fmt.Fprintf(&b, "%sdelay: %s\n", indent, dur())
		switch r.IntN(4) {
		case 0:
			fmt.Fprintf(&b, "%squeue: %d\n", indent, r.IntN(3))
		case 1:
			fmt.Fprintf(&b, "%squeue: %d\n", indent, r.IntN(100000))
		case 2:
			fmt.Fprintf(&b, "%squeue_bytes: %s\n", indent, pick("1", "1500", "64KiB", "1GiB"))
		}
		if r.IntN(4) == 0 {
			fmt.Fprintf(&b, "%sloss: {model: gilbert-elliott, p: %s, r: %s, loss_good: %s, loss_bad: %s}\n", indent, pick("1%", "100%", "50%"), pick("0.001%", "1%", "100%"), pct(), pct())
		} else {
			fmt.Fprintf(&b, "%sloss: %s\n", indent, pct())
		}
		fmt.Fprintf(&b, "%scorrupt: %s\n%sduplicate: %s\n", indent, pct(), indent, pct())
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "%sreorder: %s\n%sreorder_delay: %s\n", indent, pct(), indent, pick("1ns", "1ms", "1s"))
		}
	}
	b.WriteString("link:\n")
	dir("  ")
	if r.IntN(3) == 0 {
		b.WriteString("  reverse:\n")
		dir("    ")
	}
	b.WriteString("flows:\n")
	for f := range 1 + r.IntN(16) {
		fmt.Fprintf(&b, "  - name: f%d\n    from: %s\n", f, pick("a", "b"))
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "    start: %s\n", dur())
		}
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "    protocol: udp\n    rate: %s\n    datagram: %d\n", rate(), pick3(r, 8, 1200, 65507))
			if r.IntN(2) == 0 {
				fmt.Fprintf(&b, "    count: %d\n", pick3(r, 1, 1000, 1_000_000_000))
			} else {
				fmt.Fprintf(&b, "    bytes: %s\n", size())
			}
			if r.IntN(2) == 0 {
				b.WriteString("    checksum: false\n")
			}
			continue
		}
		b.WriteString("    protocol: tcp\n")
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "    profile: %s\n", pick("textbook", "linux", "ns3"))
		}
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, "    sack: %s\n    timestamps: %s\n", pick("true", "false"), pick("true", "false"))
		}
		mss := pick3(r, 64, 1460, 65495)
		fmt.Fprintf(&b, "    mss: %d\n", mss)
		fmt.Fprintf(&b, "    congestion: %s\n", pick("none", "tahoe", "reno", "newreno", "cubic"))
		fmt.Fprintf(&b, "    recv_buffer: %d\n", max(mss, pick3(r, 64, 65536, 4<<20)))
		fmt.Fprintf(&b, "    initial_window: %d\n", pick3(r, 1, 10, 1000))
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, "    isn: %d\n", pick3(r, 0, 1<<31, 1<<32-1))
		}
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "    read_rate: %s\n", rate())
		}
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "    delayed_ack: %s\n", pick("true", "false", "1ns", "500ms"))
		}
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "    min_rto: %s\n    max_rto: %s\n", pick("1ms", "200ms", "1s"), pick("1s", "60s", "10m"))
		}
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "    max_retries: %d\n", pick3(r, 1, 15, 100))
		}
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "    app: request-response\n    request: %s\n    response: %s\n    exchanges: %d\n", pick("1", "100", "1MB"), pick("1", "6", "1MB"), 1+r.IntN(50))
		} else {
			fmt.Fprintf(&b, "    bytes: %s\n", size())
		}
	}
	return b.String()
}

// pick3 returns the low edge, a middle value or the high edge, or a random
// value between them.
func pick3(r *rand.Rand, lo, mid, hi int) int {
	switch r.IntN(4) {
	case 0:
		return lo
	case 1:
		return mid
	case 2:
		return hi
	}
	return lo + r.IntN(hi-lo+1)
}

// Valid-but-extreme scenarios never panic and always end within their
// budget: each either runs to a verdict or is refused by the parser with a
// located error. -extreme N sets how many (the closing note of issue 8
// reports a 10,000-scenario run).
func TestExtremeScenarios(t *testing.T) {
	n := *extremeN
	if n == 0 {
		n = 300
		if testing.Short() {
			n = 60
		}
	}
	r := rand.New(rand.NewPCG(8, 8))
	counts := map[string]int{}
	for i := range n {
		src := extremeScenario(r, i)
		sc, err := scenario.Parse("extreme.yaml", []byte(src))
		if err != nil {
			var se *scenario.Error
			if !errors.As(err, &se) || se.Line == 0 && se.Field == "" {
				t.Fatalf("scenario %d refused without a location: %v\n%s", i, err, src)
			}
			field := regexp.MustCompile(`\[\d+\]`).ReplaceAllString(se.Field, "[]")
			counts["refused by the parser ("+field+")"]++
			continue
		}
		res, err := Scenario(sc, sc.Seed)
		var pe *PanicError
		if errors.As(err, &pe) {
			t.Fatalf("scenario %d: %v\n%s\n%s", i, err, pe.Stack, src)
		}
		if err != nil {
			counts["refused when built"]++
			continue
		}
		if res.Events > uint64(sc.MaxEvents) {
			t.Fatalf("scenario %d ran %d events past its budget of %d\n%s", i, res.Events, sc.MaxEvents, src)
		}
		switch {
		case res.OK():
			counts["complete"]++
		case res.Reason == sim.EventBudget:
			counts["event budget exhausted"]++
		case strings.Contains(res.Status(), "aborted"):
			counts["a flow aborted"]++
		default:
			counts[res.Status()]++
		}
	}
	t.Logf("%d extreme scenarios: %v", n, counts)
}
