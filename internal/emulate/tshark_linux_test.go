package emulate

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"tcpsim/internal/analyze"
	"tcpsim/internal/capture"
	"tcpsim/internal/run"
	"tcpsim/internal/trace"
)

// tsharkScenario is a real kernel connection with something for the
// analysis to find: random loss both ways (retransmissions, fast
// retransmissions, duplicate ACKs, holes at the receiver) and a queue
// that fills.
const tsharkScenario = `name: tshark
seed: 4
until: 40s
link: {rate: 10Mbps, delay: 10ms, queue: 60, loss: 2%}
flows:
  - {name: file, protocol: tcp, bytes: 400KB, congestion: cubic}
`

// tsharkFrame is what tshark says of one frame.
type tsharkFrame struct {
	flags     analyze.Flag
	malformed bool
	ipCsum    string // ip.checksum.status: 1 good, 0 bad, 2 unverified
	tcpCsum   string
	expert    string // every expert message, for the failure message
}

// tsharkRead runs tshark on file with checksum validation on and returns
// each frame's analysis flags, malformed marker and checksum verdicts.
func tsharkRead(t *testing.T, tshark, file string) map[int]tsharkFrame {
	t.Helper()
	args := []string{"-n", "-r", file, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
		"-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=;",
		"-e", "frame.number", "-e", "_ws.malformed", "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "_ws.expert.message"}
	fields := analyze.FieldNames()
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	out, err := exec.Command(tshark, args...).Output()
	if err != nil {
		t.Fatalf("tshark %s: %v", strings.Join(args, " "), err)
	}
	m := map[int]tsharkFrame{}
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		cols := strings.Split(line, "\t")
		if len(cols) != 5+len(fields) {
			t.Fatalf("tshark line %q: %d columns, want %d", line, len(cols), 5+len(fields))
		}
		num, err := strconv.Atoi(cols[0])
		if err != nil {
			t.Fatalf("tshark line %q: %v", line, err)
		}
		fr := tsharkFrame{malformed: cols[1] != "", ipCsum: cols[2], tcpCsum: cols[3], expert: cols[4]}
		for i, c := range cols[5:] {
			if c != "" {
				fr.flags |= 1 << i
			}
		}
		m[num] = fr
	}
	return m
}

// An emulation's capture of a real kernel connection (--pcap at the
// sender and at the receiver): tshark dissects every frame without a
// malformed packet and with good IP and TCP checksums, and tcpsim
// analyze's flags agree with tshark's tcp.analysis.* packet by packet.
func TestEmulatedCaptureMatchesTshark(t *testing.T) {
	needEmulation(t)
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark is not installed (apt-get install -y tshark; .ci/run installs it)")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	sc := parse(t, tsharkScenario)
	var capA, capB bytes.Buffer
	wa, err := capture.NewWriter(&capA)
	if err != nil {
		t.Fatal(err)
	}
	wb, err := capture.NewWriter(&capB)
	if err != nil {
		t.Fatal(err)
	}
	tee := trace.Multi{wa.SinkAt("a", ""), wb.SinkAt("b", "")}
	res, err := Run(sc, Options{Seed: sc.Seed, Exe: exe, Trace: run.Options{Trace: tee}})
	if err != nil {
		t.Fatal(err)
	}
	assertNothingLeft(t)
	if !res.OK() {
		t.Fatalf("status %q, want complete", res.Status())
	}
	if err := wa.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := wb.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		node string
		data []byte
	}{{"a", capA.Bytes()}, {"b", capB.Bytes()}} {
		t.Run("at-"+c.node, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "emulated-"+c.node+".pcap")
			if err := os.WriteFile(file, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			want := tsharkRead(t, tshark, file)
			got := map[int]analyze.Flag{}
			r, err := analyze.NewReader(bytes.NewReader(c.data))
			if err != nil {
				t.Fatal(err)
			}
			ar, err := analyze.Analyze(r, analyze.Options{OnSegment: func(_ *analyze.Conn, p *analyze.Packet) { got[p.Num] = p.Analysis }})
			if err != nil {
				t.Fatal(err)
			}
			if ar.Frames != len(want) || len(want) < 100 {
				t.Fatalf("tcpsim analyze read %d frames, tshark %d; want the same, at least 100", ar.Frames, len(want))
			}
			bad, counts := 0, map[string]int{}
			for num := 1; num <= len(want); num++ {
				w := want[num]
				if w.malformed || w.ipCsum != "1" || w.tcpCsum != "1" {
					t.Errorf("%s frame %d: malformed=%t ip checksum %q tcp checksum %q (want 1, good): %s", file, num, w.malformed, w.ipCsum, w.tcpCsum, w.expert)
				}
				if got[num] != w.flags {
					if bad < 15 {
						t.Errorf("%s frame %d: tcpsim analyze %q, tshark %q", file, num, got[num], w.flags)
					}
					bad++
				}
				for _, name := range strings.Fields(strings.ReplaceAll(w.flags.String(), ",", " ")) {
					counts[name]++
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d frames differ", bad, len(want))
			}
			t.Logf("%d frames, all checksums good; tshark's flags, all matched: %v", len(want), fmt.Sprint(counts))
		})
	}
}

// Bits the link flips on purpose are the only complaints tshark has
// about an emulation's capture at the receiver: exactly the corrupted
// frames have a bad TCP checksum (their IP header is intact), nothing
// is malformed, and the analysis flags still agree frame by frame.
func TestEmulatedBitFlipsAreTsharksOnlyChecksumErrors(t *testing.T) {
	needEmulation(t)
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark is not installed (apt-get install -y tshark; .ci/run installs it)")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	sc := parse(t, bulkScenario+"faults:\n  - {flow: file, corrupt: data, segment: 5, bits: 1}\n  - {flow: file, corrupt: data, segment: 20, bits: 3}\n")
	var buf bytes.Buffer
	w, err := capture.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(sc, Options{Seed: sc.Seed, Exe: exe, Trace: run.Options{Trace: w.SinkAt("b", "")}})
	if err != nil {
		t.Fatal(err)
	}
	assertNothingLeft(t)
	if !res.OK() {
		t.Fatalf("status %q, want complete", res.Status())
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "bitflip-b.pcap")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	want := tsharkRead(t, tshark, file)
	got := map[int]analyze.Flag{}
	r, err := analyze.NewReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := analyze.Analyze(r, analyze.Options{OnSegment: func(_ *analyze.Conn, p *analyze.Packet) { got[p.Num] = p.Analysis }}); err != nil {
		t.Fatal(err)
	}
	var badCsum []int
	for num := 1; num <= len(want); num++ {
		fr := want[num]
		if fr.malformed || fr.ipCsum != "1" {
			t.Errorf("frame %d: malformed=%t ip checksum %q: %s", num, fr.malformed, fr.ipCsum, fr.expert)
		}
		if fr.tcpCsum == "0" {
			badCsum = append(badCsum, num)
		}
		if got[num] != fr.flags {
			t.Errorf("frame %d: tcpsim analyze %q, tshark %q", num, got[num], fr.flags)
		}
	}
	if len(badCsum) != 2 {
		t.Errorf("frames with a bad TCP checksum: %v; want exactly the 2 the link corrupted", badCsum)
	}
	t.Logf("%d frames; bad TCP checksum exactly at frames %v", len(want), badCsum)
}
