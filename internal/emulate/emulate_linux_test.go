package emulate

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
	"tcpsim/sim"
)

// EnvVar turns the emulation tests on: they need root, network
// namespaces and /dev/net/tun, and take seconds of wall time each.
const EnvVar = "TCPSIM_EMULATE"

// TestMain lets the test binary stand in for tcpsim inside the
// namespaces: run as "BINARY emulate-peer ...", it is the built-in peer.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "emulate-peer" {
		if err := Peer(os.Args[2:], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// needEmulation skips unless TCPSIM_EMULATE=1 and the machine can
// emulate (root, TUN, namespaces, ip).
func needEmulation(t *testing.T) {
	t.Helper()
	if os.Getenv(EnvVar) != "1" {
		t.Skipf("set %s=1 to run the emulation tests (root, network namespaces, /dev/net/tun)", EnvVar)
	}
	if err := Check(); err != nil {
		t.Skipf("emulation unavailable here: %v", err)
	}
}

func parse(t *testing.T, src string) *scenario.Scenario { return parseTB(t, src) }

func parseTB(t testing.TB, src string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// emulateRec emulates sc with seed and returns the result and the trace.
func emulateRec(t *testing.T, sc *scenario.Scenario, cmds []Command, out *bytes.Buffer) (*run.Result, []trace.Event) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	rec := &trace.Recorder{}
	o := Options{Seed: sc.Seed, Commands: cmds, Exe: exe, Trace: run.Options{Trace: rec}}
	if out != nil {
		o.Output = out
	}
	res, err := Run(sc, o)
	if err != nil {
		t.Fatal(err)
	}
	assertNothingLeft(t)
	return res, rec.Events
}

// assertNothingLeft checks that no namespace of this process remains.
func assertNothingLeft(t *testing.T) {
	t.Helper()
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		t.Fatalf("ip netns list: %v", err)
	}
	mine := fmt.Sprintf("%s%d-", NamePrefix, os.Getpid())
	if strings.Contains(string(out), mine) {
		t.Errorf("namespaces left behind:\n%s", out)
	}
}

// The seed's client and server over 10% loss: the reply is printed, and
// the real kernel's retransmission is in the trace.
func TestSeedClientServerOverLoss(t *testing.T) {
	needEmulation(t)
	py := "/usr/bin/python3" // starts in milliseconds, where a version manager's shim may take seconds
	if _, err := os.Stat(py); err != nil {
		if py, err = exec.LookPath("python3"); err != nil {
			t.Skip("no python3")
		}
	}
	dir := filepath.Join("..", "..", "scenarios", "emulate")
	// The client starts at 2 s, when the server surely listens: a client
	// that had to try again would shift the links' draws by its refused
	// SYNs, and seed 15 would lose other packets.
	sc, err := scenario.Load(filepath.Join(dir, "hahaha.yaml"), scenario.Override{Path: "flows.hahaha.start", Value: "2s"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res, evs := emulateRec(t, sc, []Command{
		{Host: "b", Argv: []string{py, filepath.Join(dir, "server.py")}},
		{Host: "a", Argv: []string{py, filepath.Join(dir, "client.py"), "10.0.0.2", "8866"}},
	}, &out)
	if !strings.Contains(out.String(), "a| reply: hahaha") {
		t.Errorf("the client's reply is not in the output:\n%s", out.String())
	}
	if !res.OK() || res.Emulated == nil {
		t.Errorf("status %q, emulated %v; want complete and emulated", res.Status(), res.Emulated != nil)
	}
	retrans, lost := 0, 0
	for _, e := range evs {
		if e.Kind == trace.Send && e.Retrans {
			retrans++
		}
		if e.Kind == trace.Lost {
			lost++
		}
	}
	if lost == 0 || retrans == 0 {
		t.Errorf("%d losses and %d retransmissions in the trace; want both (seed 15 loses the request)", lost, retrans)
	}
}

const bulkScenario = `name: bulk
seed: 1
until: 30s
link: {rate: 10Mbps, delay: 10ms, queue: 200}
flows:
  - {name: file, protocol: tcp, bytes: 300KB, congestion: cubic}
`

// A scripted drop of data segment 14 of the real kernel's connection is
// exactly one loss on the wire, and the kernel sends that segment again.
func TestScriptedDropOfSegment14(t *testing.T) {
	needEmulation(t)
	sc := parse(t, bulkScenario+"faults:\n  - {flow: file, drop: data, segment: 14}\n")
	res, evs := emulateRec(t, sc, nil, nil)
	if !res.OK() {
		t.Fatalf("status %q, want complete", res.Status())
	}
	var lost []trace.Event
	for _, e := range evs {
		if e.Kind == trace.Lost {
			lost = append(lost, e)
		}
	}
	if len(lost) != 1 || !lost[0].Scripted || lost[0].Dir != "a->b" || lost[0].Len == 0 {
		t.Fatalf("losses %+v; want exactly one, scripted, a data segment on a->b", lost)
	}
	// The 14th data segment: the 14th first transmission from a.
	n, seq14 := 0, uint32(0)
	for _, e := range evs {
		if e.Kind == trace.Send && e.Dir == "a->b" && e.Len > 0 && !e.Retrans {
			if n++; n == 14 {
				seq14 = e.Seq
				break
			}
		}
	}
	if lost[0].Seq != seq14 {
		t.Errorf("lost seq %d, want the 14th data segment's %d", lost[0].Seq, seq14)
	}
	again := false
	for _, e := range evs {
		if e.Kind == trace.Deliver && e.Dir == "a->b" && e.Seq == seq14 && e.T > lost[0].T {
			again = true
		}
	}
	if !again {
		t.Errorf("segment seq %d was never delivered after its loss: the kernel did not retransmit it", seq14)
	}
	if fr := res.Flows[0]; fr.DeliveredBytes != 300_000 || fr.TCP.Verified != "yes" {
		t.Errorf("delivered %d bytes, verified %q; want 300000, yes", fr.DeliveredBytes, fr.TCP.Verified)
	}
	if l := res.Links[0]; l.Lost != 1 {
		t.Errorf("forward link lost %d, want 1", l.Lost)
	}
}

// Bits flipped in the payload on the wire are dropped by the receiving
// kernel: its TCP checksum-error counter (/proc/net/snmp InCsumErrors in
// its namespace) rises, and it still gets every byte, intact.
func TestBitFlipsDroppedByKernelChecksum(t *testing.T) {
	needEmulation(t)
	sc := parse(t, bulkScenario+"faults:\n  - {flow: file, corrupt: data, segment: 5, bits: 1}\n  - {flow: file, corrupt: data, segment: 20, bits: 3}\n")
	res, evs := emulateRec(t, sc, nil, nil)
	if !res.OK() {
		t.Fatalf("status %q, want complete", res.Status())
	}
	corrupt, dropped := 0, 0
	for _, e := range evs {
		switch {
		case e.Kind == trace.Corrupt:
			corrupt++
		case e.Kind == trace.ChecksumDrop && e.Dir == "a->b":
			dropped++
		}
	}
	fr := res.Flows[0]
	if corrupt != 2 || fr.ChecksumDrops != 2 || dropped != 2 {
		t.Errorf("%d corrupted on the wire, %d checksum drops in the kernels' counters, %d in the trace; want 2, 2 and 2", corrupt, fr.ChecksumDrops, dropped)
	}
	if fr.TCP.Verified != "yes" || fr.DeliveredBytes != 300_000 {
		t.Errorf("verified %q, delivered %d; want yes, 300000", fr.TCP.Verified, fr.DeliveredBytes)
	}
}

// An interrupt mid-run ends it at once and leaves no namespace, TUN
// device or process behind.
func TestInterruptLeavesNothing(t *testing.T) {
	needEmulation(t)
	sc := parse(t, `name: long
until: 60s
link: {rate: 1Mbps, delay: 20ms, queue: 50}
flows:
  - {name: file, protocol: tcp, bytes: 50MB}
`)
	exe, _ := os.Executable()
	var intr atomic.Bool
	go func() {
		time.Sleep(2 * time.Second)
		intr.Store(true)
	}()
	start := time.Now()
	res, err := Run(sc, Options{Exe: exe, Interrupt: &intr, Commands: []Command{{Host: "a", Argv: []string{"sleep", "600"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Reason != sim.Interrupted {
		t.Errorf("ended by %v, want interrupted", res.Reason)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("took %v to stop", d)
	}
	assertNothingLeft(t)
	out, _ := exec.Command("pgrep", "-f", "sleep 600").Output()
	if len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("processes left behind: %s", out)
	}
}

func TestSplitWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"python3 client.py 10.0.0.2 8866", []string{"python3", "client.py", "10.0.0.2", "8866"}},
		{`echo 'a b' "c \"d\"" e\ f`, []string{"echo", "a b", `c "d"`, "e f"}},
		{"  ", nil},
	} {
		got, err := SplitWords(c.in)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("SplitWords(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{`'open`, `"open`, `end\`} {
		if _, err := SplitWords(bad); err == nil {
			t.Errorf("SplitWords(%q): no error", bad)
		}
	}
}

// Reap removes only namespaces named tcpsim-PID-K whose PID is gone:
// not one of a live process, not one of another name.
func TestReapOnlyDeadOwners(t *testing.T) {
	needEmulation(t)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	deadPid := dead.Process.Pid
	names := map[string]bool{ // name: to be reaped
		fmt.Sprintf("tcpsim-%d-0", deadPid):     true,
		fmt.Sprintf("tcpsim-%d-7", os.Getpid()): false, // alive: this test
		fmt.Sprintf("tcpsimx-%d-0", deadPid):    false, // not tcpsim's name
		fmt.Sprintf("tcpsim-%d-0-x", deadPid):   false,
	}
	for n := range names {
		if err := addNamespace(n); err != nil {
			t.Fatal(err)
		}
		defer delNamespace(n)
	}
	done, err := Reap()
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 1 || !strings.Contains(done[0], fmt.Sprintf("tcpsim-%d-0,", deadPid)) {
		t.Errorf("Reap said %q, want one line for tcpsim-%d-0", done, deadPid)
	}
	for n, gone := range names {
		_, err := os.Stat("/run/netns/" + n)
		if exists := err == nil; exists == gone {
			t.Errorf("%s exists=%t after Reap, want %t", n, exists, !gone)
		}
	}
}

// A UDP flow is carried by the built-in peers (real kernel UDP sockets):
// the sender paces the flow's datagrams at its rate, the receiver counts
// them, and the table's sent, delivered and lost agree with the link's
// own accounting, as in a simulated run.
func TestUDPFlowBuiltinPeers(t *testing.T) {
	needEmulation(t)
	sc := parse(t, `name: udp
seed: 3
until: 30s
link: {rate: 10Mbps, delay: 10ms, queue: 100, loss: 5%}
flows:
  - {name: voice, protocol: udp, count: 400, datagram: 200, rate: 1Mbps}
`)
	res, _ := emulateRec(t, sc, nil, nil)
	fr := res.Flows[0]
	l := res.Links[0]
	if !fr.Complete || fr.PacketsSent != 400 {
		t.Fatalf("complete %t, sent %d; want true, 400", fr.Complete, fr.PacketsSent)
	}
	if fr.PacketsRecv+fr.Lost != 400 || fr.Lost != l.Lost || fr.Lost == 0 {
		t.Errorf("delivered %d, lost %d, link lost %d; want delivered+lost = 400 and the link's losses (some at 5%%)", fr.PacketsRecv, fr.Lost, l.Lost)
	}
	if fr.DeliveredBytes != fr.PacketsRecv*200 || fr.Duplicates != 0 || fr.Corrupt != 0 || fr.Unplaceable != 0 {
		t.Errorf("%+v: want 200 bytes per delivered datagram, no duplicate, corrupt or unplaceable one", fr)
	}
	// 400 datagrams of 200 bytes at 1 Mbps: 0.64 s from first to last.
	if fr.Completion < 600*sim.Millisecond || fr.Completion > 900*sim.Millisecond {
		t.Errorf("completion %s, want about 0.64 s + 10 ms (the flow's pacing)", fr.Completion)
	}
	// The same seeded draws per packet index: the simulated run loses
	// the same datagrams.
	sim1, err := run.ScenarioWith(sc, sc.Seed, run.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := sim1.Flows[0]; s.Lost != fr.Lost || s.PacketsRecv != fr.PacketsRecv || s.DeliveredBytes != fr.DeliveredBytes {
		t.Errorf("simulated: lost %d, delivered %d (%d bytes); emulated %d, %d (%d); want the same", s.Lost, s.PacketsRecv, s.DeliveredBytes, fr.Lost, fr.PacketsRecv, fr.DeliveredBytes)
	}
	t.Logf("sent %d, delivered %d, lost %d (link: %d, simulated: %d), completion %s", fr.PacketsSent, fr.PacketsRecv, fr.Lost, l.Lost, sim1.Flows[0].Lost, fr.Completion)
}

// A request-response TCP flow is carried by the built-in client and
// server: every exchange completes, both ways' bytes are checked.
func TestRequestResponseBuiltinPeers(t *testing.T) {
	needEmulation(t)
	sc := parse(t, `name: rr
seed: 1
until: 30s
link: {rate: 10Mbps, delay: 20ms, queue: 100}
flows:
  - {name: hahaha, protocol: tcp, app: request-response, request: 100B, response: 6B, exchanges: 3}
  - {name: bulk, protocol: tcp, bytes: 200KB}
`)
	res, _ := emulateRec(t, sc, nil, nil)
	for _, fr := range res.Flows {
		if !fr.Complete || fr.TCP.Verified != "yes" || fr.DeliveredBytes != fr.OfferedBytes {
			t.Errorf("flow %s: complete %t, verified %q, delivered %d of %d; want complete, yes, all", fr.Name, fr.Complete, fr.TCP.Verified, fr.DeliveredBytes, fr.OfferedBytes)
		}
	}
	if rr := res.Flows[0]; rr.OfferedBytes != 318 || rr.Completion < 4*40*sim.Millisecond {
		t.Errorf("request-response: offered %d, completion %s; want 318 bytes, at least 4 round trips (handshake and 3 exchanges)", rr.OfferedBytes, rr.Completion)
	}
}

// A repeated TCP flow is carried member by member by built-in peers of
// their own: every member completes with its bytes verified, each starts
// no earlier than its drawn start (the same draws as a simulated run's),
// and the report groups them under their family.
func TestRepeatedFlowMembers(t *testing.T) {
	needEmulation(t)
	sc := parse(t, `name: rep
seed: 2
until: 30s
link: {rate: 10Mbps, delay: 5ms, queue: 100}
flows:
  - {name: web, protocol: tcp, bytes: 100KB, repeat: {count: 3, every: 300ms}}
`)
	res, _ := emulateRec(t, sc, nil, nil)
	want := sc.Expanded(sc.Seed)
	if len(res.Flows) != 3 {
		t.Fatalf("%d flows in the result, want the 3 members", len(res.Flows))
	}
	for i, fr := range res.Flows {
		if fr.Name != want[i].Name || fr.Family != "web" {
			t.Errorf("flow %d: %s of family %q, want %s of web", i, fr.Name, fr.Family, want[i].Name)
		}
		if !fr.Complete || fr.TCP == nil || fr.TCP.Verified != "yes" || fr.DeliveredBytes != 100_000 {
			t.Errorf("%s: complete %t, delivered %d; want complete, verified, 100000 bytes", fr.Name, fr.Complete, fr.DeliveredBytes)
		}
		if fr.Start < sim.Time(want[i].Start) {
			t.Errorf("%s started at %s, before its start %s", fr.Name, fr.Start, sim.Time(want[i].Start))
		}
	}
	sim1, err := run.ScenarioWith(sc, sc.Seed, run.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sim1.Flows) != len(res.Flows) {
		t.Errorf("simulated %d flows, emulated %d", len(sim1.Flows), len(res.Flows))
	}
}
