package capture

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"tcpsim/internal/direction"
	"tcpsim/internal/run"
	"tcpsim/internal/trace"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// tsharkFields runs tshark over file and returns, per frame, the values of
// the given fields (tshark -T fields, one line per frame).
func tsharkFields(t *testing.T, file string, fields ...string) [][]string {
	t.Helper()
	return tsharkFieldsWith(t, file, nil, fields...)
}

// tsharkFieldsWith is tsharkFields with extra tshark arguments (e.g. -o
// ip.check_checksum:TRUE).
func tsharkFieldsWith(t *testing.T, file string, extra []string, fields ...string) [][]string {
	t.Helper()
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark is not installed (.ci/run installs it with apt-get: apt-get install tshark); skipping the check against Wireshark's dissectors")
	}
	args := []string{"-r", file, "-o", "tcp.relative_sequence_numbers:FALSE", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"}
	args = append(args, extra...)
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	out, err := exec.Command(tshark, args...).Output()
	if err != nil {
		t.Fatalf("tshark %v: %v", args, err)
	}
	var rows [][]string
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		rows = append(rows, strings.Split(line, "\t"))
	}
	return rows
}

// Wireshark's dissectors read the SACK-permitted, SACK and Timestamps
// options as tcpsim lays them out (RFC 2018, RFC 7323): a SYN as Linux
// sends it, an ACK with three SACK blocks and timestamps (the 40-byte
// maximum), and one with four blocks alone; none is malformed.
func TestTsharkDecodesTCPOptions(t *testing.T) {
	a, b := wire.Addr{10, 0, 0, 1}, wire.Addr{10, 0, 0, 2}
	segs := []struct {
		dir direction.Dir
		h   wire.TCP
	}{
		{"a->b", wire.TCP{SrcPort: 49152, DstPort: 8866, Seq: 1000, Flags: wire.FlagSYN, Window: 65535, MSS: 1460, WScale: 7, SACKPermitted: true, Timestamps: true, TSval: 111}},
		{"b->a", wire.TCP{SrcPort: 8866, DstPort: 49152, Seq: 5000, Ack: 1001, Flags: wire.FlagSYN | wire.FlagACK, Window: 65535, MSS: 1460, WScale: 7, SACKPermitted: true}},
		{"b->a", wire.TCP{SrcPort: 8866, DstPort: 49152, Seq: 5001, Ack: 2461, Flags: wire.FlagACK, Window: 512, WScale: -1, Timestamps: true, TSval: 222, TSecr: 111,
			NSACK: 3, SACK: [wire.MaxSACKBlocks]wire.SACKBlock{{Left: 3921, Right: 5381}, {Left: 6841, Right: 8301}, {Left: 9761, Right: 11221}}}},
		{"b->a", wire.TCP{SrcPort: 8866, DstPort: 49152, Seq: 5001, Ack: 2461, Flags: wire.FlagACK, Window: 512, WScale: -1,
			NSACK: 4, SACK: [wire.MaxSACKBlocks]wire.SACKBlock{{Left: 3921, Right: 5381}, {Left: 6841, Right: 8301}, {Left: 9761, Right: 11221}, {Left: 0xfffffff0, Right: 0x10}}}},
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	s := w.Sink("sender")
	for i, sg := range segs {
		src, dst, kind := a, b, trace.Enqueue
		if sg.dir == "b->a" {
			src, dst, kind = b, a, trace.Deliver
		}
		pkt := wire.BuildTCP(nil, wire.IPv4{Src: src, Dst: dst, ID: uint16(i)}, &sg.h, nil)
		s.Event(&trace.Event{T: sim.Time(i) * sim.Millisecond, Kind: kind, Dir: sg.dir, Packet: pkt})
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "options.pcap")
	if err := os.WriteFile(f, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rows := tsharkFields(t, f, "tcp.options.sack_perm", "tcp.options.sack_le", "tcp.options.sack_re", "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr", "tcp.options.mss_val", "tcp.options.wscale.shift", "_ws.malformed")
	want := [][]string{
		{"0402", "", "", "111", "0", "1460", "7", ""}, // the option's bytes: kind 4, length 2
		{"0402", "", "", "", "", "1460", "7", ""},
		{"", "3921,6841,9761", "5381,8301,11221", "222", "111", "", "", ""},
		{"", "3921,6841,9761,4294967280", "5381,8301,11221,16", "", "", "", "", ""},
	}
	if len(rows) != len(want) {
		t.Fatalf("tshark shows %d frames, want %d: %q", len(rows), len(want), rows)
	}
	for i := range want {
		got := strings.Join(rows[i], " | ")
		if exp := strings.Join(want[i], " | "); got != exp {
			t.Errorf("frame %d: tshark reads\n  %s\nwant\n  %s", i+1, got, exp)
		}
	}
}

const sackSrc = `name: cap-sack
seed: 7
link: {rate: 10Mbps, delay: 20ms, queue: 50, forward: {loss: 3%}, reverse: {loss: 1%}}
flows:
  - {name: file, protocol: tcp, bytes: 300KB, sack: true}
`

// captureRun runs src capturing at one side and returns the file and the
// result.
func captureRun(t *testing.T, src, at string) (string, *run.Result) {
	t.Helper()
	return captureWith(t, src, at, func(w *Writer) trace.Sink { return w.Sink(at) })
}

// A run with SACK, as Wireshark reads it: SACK-permitted on the SYN and
// the SYN-ACK only, and at the receiver's interface exactly as many SACK
// blocks, each with its left edge below its right edge, as the receiver
// says it sent; no frame is malformed.
func TestTsharkDecodesSACKRun(t *testing.T) {
	f, res := captureRun(t, sackSrc, "receiver")
	rows := tsharkFields(t, f, "tcp.flags.syn", "tcp.options.sack_perm", "tcp.options.sack_le", "tcp.options.sack_re", "_ws.malformed")
	perm, blocks := 0, 0
	for i, r := range rows {
		if len(r) != 5 {
			t.Fatalf("frame %d: %q", i+1, r)
		}
		if r[4] != "" {
			t.Errorf("frame %d is malformed", i+1)
		}
		if r[1] != "" {
			perm++
			if r[0] != "1" && r[0] != "True" {
				t.Errorf("frame %d: SACK-permitted without SYN", i+1)
			}
		}
		if r[2] == "" {
			continue
		}
		le, re := strings.Split(r[2], ","), strings.Split(r[3], ",")
		if len(le) != len(re) {
			t.Fatalf("frame %d: %d left edges, %d right edges", i+1, len(le), len(re))
		}
		for k := range le {
			l, _ := strconv.ParseUint(le[k], 10, 32)
			h, _ := strconv.ParseUint(re[k], 10, 32)
			if int32(uint32(h)-uint32(l)) <= 0 {
				t.Errorf("frame %d: SACK block %s-%s is empty or reversed", i+1, le[k], re[k])
			}
		}
		blocks += len(le)
	}
	tr := res.Flows[0].TCP
	if perm != 2 {
		t.Errorf("tshark sees SACK-permitted on %d frames, want 2 (the SYN and the SYN-ACK)", perm)
	}
	if want := int(tr.Receiver.SACKBlocksSent); blocks != want || want == 0 {
		t.Errorf("tshark decodes %d SACK blocks at the receiver, tcpsim sent %d", blocks, want)
	}
	if !res.OK() || tr.SACKRetrans == 0 {
		t.Errorf("run %s, %d SACK retransmissions: want a complete run that recovered by SACK", res.Status(), tr.SACKRetrans)
	}
	t.Logf("tshark: %d SACK blocks in %d frames", blocks, len(rows))
}

// A run with timestamps and SACK, as Wireshark reads it: every segment
// carries TSval and TSecr (RFC 7323 §3.2), each TSecr echoes a TSval the
// other side sent, no ACK carries more than three SACK blocks beside them,
// and no data segment more than 1448 bytes.
func TestTsharkDecodesTimestampsRun(t *testing.T) {
	src := strings.Replace(sackSrc, "sack: true}", "sack: true, timestamps: true}", 1)
	f, res := captureRun(t, src, "sender")
	rows := tsharkFields(t, f, "tcp.srcport", "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr", "tcp.options.sack_le", "tcp.len", "tcp.flags.reset", "_ws.malformed")
	sentTS := map[string]map[string]bool{}
	for i, r := range rows {
		if len(r) != 7 || r[6] != "" {
			t.Fatalf("frame %d: %q", i+1, r)
		}
		if r[1] == "" && r[5] != "1" && r[5] != "True" {
			t.Errorf("frame %d has no timestamps", i+1)
			continue
		}
		if sentTS[r[0]] == nil {
			sentTS[r[0]] = map[string]bool{}
		}
		sentTS[r[0]][r[1]] = true
		if r[3] != "" && len(strings.Split(r[3], ",")) > 3 {
			t.Errorf("frame %d: %d SACK blocks beside timestamps", i+1, len(strings.Split(r[3], ",")))
		}
		if n, _ := strconv.Atoi(r[4]); n > 1448 {
			t.Errorf("frame %d: %d bytes of data, above 1460 - 12", i+1, n)
		}
	}
	echoed := 0
	for i, r := range rows {
		if r[2] == "" || r[2] == "0" {
			continue // the SYN echoes nothing yet
		}
		found := false
		for port, ts := range sentTS {
			found = found || port != r[0] && ts[r[2]]
		}
		if !found {
			t.Errorf("frame %d echoes TSecr %s, which the other side never sent", i+1, r[2])
		}
		echoed++
	}
	if echoed == 0 || res.Flows[0].TCP.SMSS != 1448 {
		t.Errorf("%d echoes of the peer's TSval, SMSS %d; want some and 1448", echoed, res.Flows[0].TCP.SMSS)
	}
}
