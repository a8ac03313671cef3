package run

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"

	"tcpsim/internal/scenario"
	"tcpsim/sim"
)

var extremeN = flag.Int("extreme", 0, "number of valid-but-extreme random scenarios TestExtremeScenarios runs (default 300, 60 with -short, 10000 with TCPSIM_LONG=1)")

// extremeScenario writes a random scenario that is valid but pushes every
// field to its edges: rates from 1 bps to 100 Gbps, delays from 0 to
// minutes, 0% and 100% impairments, sizes up to what the parser accepts,
// and up to 16 flows. Every run carries an event budget so it ends.
//
// Issue 21 grew it: times at the end of simulated time's range (until,
// starts, delays, timeouts and RTOs up to about 292 years, where a sum
// wraps unless it saturates), the rdt protocols, repeated flows, scripted
// faults and small topologies (stars, chains and meshes of routers), now
// and then a star of up to 3,500 hosts, and flow names with every kind of
// character (extremeName).
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
	// huge is a duration near the end of sim.Time's range, or anywhere
	// in it: 2562047h47m16.854775807s is the largest.
	huge := func() string {
		return pick("1000000h", "1281023h", "2562040h", "2562047h", "2562047h47m16.854775807s",
			fmt.Sprintf("%dh", 1+r.IntN(2562047)), fmt.Sprintf("%dns", r.Int64()))
	}
	// anyDur is mostly an ordinary duration, sometimes a huge one.
	anyDur := func() string {
		if r.IntN(6) == 0 {
			return huge()
		}
		return dur()
	}
	size := func() string {
		return pick("1", "100", "1460", "64KiB", "1MB", "10MB", "1GB", "5GB", "1125899906842624", fmt.Sprintf("%d", 1+r.IntN(1<<20)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "name: extreme-%d\nseed: %d\nmax_events: %d\n", i, r.Uint64(), 1+r.IntN(30000))
	switch r.IntN(4) {
	case 0, 1:
		fmt.Fprintf(&b, "until: %s\n", pick("1ns", "1ms", "1s", "60s", "1h"))
	case 2:
		fmt.Fprintf(&b, "until: %s\n", huge())
	}
	dir := func(indent string) {
		if r.IntN(3) > 0 {
			fmt.Fprintf(&b, "%srate: %s\n", indent, rate())
		}
		fmt.Fprintf(&b, "%sdelay: %s\n", indent, anyDur())
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
	hosts := []string{"a", "b"}
	topology := r.IntN(4) == 0
	if topology {
		hosts = extremeTopology(r, &b, dir)
	} else {
		b.WriteString("link:\n")
		dir("  ")
		if r.IntN(3) == 0 {
			b.WriteString("  reverse:\n")
			dir("    ")
		}
	}
	nflows := 1 + r.IntN(16)
	if !topology && r.IntN(5) == 0 { // faults: name the two-host link's directions
		extremeFaults(r, &b, nflows, huge)
	}
	b.WriteString("flows:\n")
	for f := range nflows {
		from := hosts[r.IntN(len(hosts))]
		to := hosts[r.IntN(len(hosts))]
		for to == from {
			to = hosts[r.IntN(len(hosts))]
		}
		fmt.Fprintf(&b, "  - name: %s\n    from: %s\n", extremeName(r, f), from)
		if topology {
			fmt.Fprintf(&b, "    to: %s\n", to)
		}
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "    start: %s\n", anyDur())
		}
		if r.IntN(5) == 0 {
			fmt.Fprintf(&b, "    protocol: %s\n", pick("stop-and-wait", "go-back-n", "selective-repeat"))
			extremeRDT(r, &b, anyDur)
			continue
		}
		if r.IntN(8) == 0 {
			every := pick("0s", "1ms", "10s", "87600h", "exp(1ms)", "exp(87600h)")
			fmt.Fprintf(&b, "    repeat: {count: %d, every: %s}\n", 1+r.IntN(3), every)
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
			fmt.Fprintf(&b, "    min_rto: %s\n    max_rto: %s\n", pick("1ms", "200ms", "1s"), pick("1s", "60s", "10m", "2562040h", "2562047h"))
		}
		if r.IntN(6) == 0 {
			fmt.Fprintf(&b, "    initial_rto: %s\n", pick("1ns", "1s", "2562040h"))
		}
		if r.IntN(8) == 0 {
			fmt.Fprintf(&b, "    time_wait: %s\n", pick("1ns", "60s", "2562040h"))
		}
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "    max_retries: %d\n", pick3(r, 1, 15, 100))
		}
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "    syn_retries: %d\n", pick3(r, 1, 6, 100))
		}
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "    app: request-response\n    request: %s\n    response: %s\n    exchanges: %d\n", pick("1", "100", "1MB"), pick("1", "6", "1MB"), 1+r.IntN(50))
		} else {
			fmt.Fprintf(&b, "    bytes: %s\n", size())
		}
	}
	return b.String()
}

// extremeTopology writes a nodes: and links: section (a star, a chain or
// a mesh of up to six routers, with two to five hosts) and returns the
// hosts' names.
func extremeTopology(r *rand.Rand, b *strings.Builder, dir func(indent string)) []string {
	if r.IntN(40) == 0 {
		return extremeBigStar(r, b)
	}
	nh, nr := 2+r.IntN(4), 1+r.IntN(6)
	var hosts, routers []string
	for i := range nh {
		hosts = append(hosts, fmt.Sprintf("h%d", i))
	}
	for i := range nr {
		routers = append(routers, fmt.Sprintf("r%d", i))
	}
	fmt.Fprintf(b, "nodes: {hosts: [%s], routers: [%s]}\nlinks:\n", strings.Join(hosts, ", "), strings.Join(routers, ", "))
	link := func(x, y string) {
		fmt.Fprintf(b, "  - between: [%s, %s]\n", x, y)
		dir("    ")
	}
	switch r.IntN(3) {
	case 0: // star: every host on router r0, the other routers hang off it
		for _, h := range hosts {
			link(h, routers[0])
		}
		for _, x := range routers[1:] {
			link(routers[0], x)
		}
	case 1: // chain of routers, hosts spread along it
		for i := 1; i < nr; i++ {
			link(routers[i-1], routers[i])
		}
		for i, h := range hosts {
			link(h, routers[i*nr/nh])
		}
	default: // mesh: every pair of routers, hosts on random routers
		for i := range nr {
			for j := i + 1; j < nr; j++ {
				link(routers[i], routers[j])
			}
		}
		for _, h := range hosts {
			link(h, routers[r.IntN(nr)])
		}
	}
	return hosts
}

// extremeBigStar writes a star of hundreds or thousands of hosts on one
// router, up to what the file-size limit lets a file name (about 3,800
// hosts fit in 128 KiB; the 70-second build was 1,000), with the
// links at their defaults, and returns the hosts' names.
func extremeBigStar(r *rand.Rand, b *strings.Builder) []string {
	nh := []int{200, 1000, 3500}[r.IntN(3)]
	hosts := make([]string, nh)
	for i := range hosts {
		hosts[i] = fmt.Sprintf("h%d", i)
	}
	fmt.Fprintf(b, "nodes: {hosts: [%s], routers: [r0]}\nlinks:\n", strings.Join(hosts, ", "))
	for _, h := range hosts {
		fmt.Fprintf(b, "  - between: [%s, r0]\n", h)
	}
	return hosts
}

// extremeName is flow f's name: mostly plain, otherwise a YAML
// double-quoted string holding the characters outputs must escape
// (Markdown's, CSV's, paths', --vary's), other scripts, and now and then a
// control character or an invalid escape, which the parser must refuse
// with a location. The f%d prefix keeps names unique.
func extremeName(r *rand.Rand, f int) string {
	if r.IntN(3) > 0 {
		return fmt.Sprintf("f%d", f)
	}
	odd := []string{"|", `\\`, `\"`, "'", "é", "流量", "🙂", ".", "a.b", "[1]", "/../../x", " mid", "#", ":", "*_`", "<b>&amp;", ",", "%", "{x}"}
	bad := []string{"=", `\t`, `\n`, `\0`, `\u2028`, `\x7f`, `\r`, `\q`}
	var b strings.Builder
	fmt.Fprintf(&b, "\"f%d", f)
	for range 1 + r.IntN(3) {
		b.WriteString(odd[r.IntN(len(odd))])
	}
	if r.IntN(40) == 0 {
		b.WriteString(bad[r.IntN(len(bad))])
	}
	b.WriteString("\"")
	return b.String()
}

// extremeRDT writes the fields of a stop-and-wait, go-back-n or
// selective-repeat flow (after its protocol line). The window fits the
// sequence numbers, or (once in a while) exceeds them so that the parser
// refuses it.
func extremeRDT(r *rand.Rand, b *strings.Builder, anyDur func() string) {
	proto := b.String()[strings.LastIndex(b.String(), "protocol: ")+len("protocol: "):]
	if !strings.HasPrefix(proto, "stop-and-wait") {
		bits := 1 + r.IntN(8)
		fmt.Fprintf(b, "    seq_bits: %d\n    window: %d\n", bits, 1+r.IntN(1<<(bits-1)+r.IntN(2)))
	}
	switch r.IntN(3) {
	case 0:
		b.WriteString("    timeout: adaptive\n")
	case 1:
		if d := anyDur(); d != "0s" { // a timeout must be positive
			fmt.Fprintf(b, "    timeout: %s\n", d)
		}
	}
	if r.IntN(2) == 0 {
		fmt.Fprintf(b, "    packet: %d\n", pick3(r, 1, 1000, 1400))
	}
	if r.IntN(2) == 0 {
		fmt.Fprintf(b, "    count: %d\n", pick3(r, 1, 100, 100000))
	} else {
		fmt.Fprintf(b, "    bytes: %d\n", pick3(r, 1, 10000, 10_000_000))
	}
}

// extremeFaults writes a faults: section: outages and in-flight drops at
// any time (huge ones too), and scripted drops and corruptions of flow f0.
func extremeFaults(r *rand.Rand, b *strings.Builder, nflows int, huge func() string) {
	b.WriteString("faults:\n")
	for range 1 + r.IntN(3) {
		switch r.IntN(4) {
		case 0:
			fmt.Fprintf(b, "  - {from: %dms, to: %s, outage: %s}\n", r.IntN(2000), []string{"1s", "10s", huge()}[r.IntN(3)], []string{"forward", "reverse", "both"}[r.IntN(3)])
		case 1:
			fmt.Fprintf(b, "  - {at: %dms, drop: in-flight}\n", r.IntN(2000))
		case 2:
			fmt.Fprintf(b, "  - {flow: f%d, drop: data, segment: %d}\n", r.IntN(nflows), 1+r.IntN(20))
		default:
			fmt.Fprintf(b, "  - {flow: f%d, corrupt: data, segment: %d, bits: 2, undetectable: %v}\n", r.IntN(nflows), 1+r.IntN(20), r.IntN(2) == 0)
		}
	}
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
		if os.Getenv("TCPSIM_LONG") != "" {
			n = 10_000
		}
	}
	r := rand.New(rand.NewPCG(8, 8))
	counts := map[string]int{}
	violations := 0
	// TCPSIM_EXTREME_SHARD=k/m runs only the scenarios i with i%m == k
	// (each shard still draws every scenario, so the m shards together
	// run exactly the n scenarios of one run), for m processes at once.
	shard, shards := 0, 1
	if v := os.Getenv("TCPSIM_EXTREME_SHARD"); v != "" {
		if _, err := fmt.Sscanf(v, "%d/%d", &shard, &shards); err != nil || shards < 1 || shard < 0 || shard >= shards {
			t.Fatalf("TCPSIM_EXTREME_SHARD=%q: want k/m with 0 ≤ k < m", v)
		}
	}
	for i := range n {
		if i > 0 && i%1000 == 0 {
			t.Logf("%d scenarios so far: %v", i, counts)
		}
		src := extremeScenario(r, i)
		if i%shards != shard {
			continue
		}
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
		if v := Check(res); len(v) > 0 {
			counts["invariant violated"]++
			if violations++; violations <= 5 {
				t.Errorf("scenario %d breaks %d invariants, first %v\n%s", i, len(v), v[0], src)
			}
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
	t.Logf("%d extreme scenarios (shard %d/%d): %v", n, shard, shards, counts)
}
