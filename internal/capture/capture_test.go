package capture

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/pcapgo"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
	"tcpsim/sim"
)

const src = `name: cap
seed: 4
link: {rate: 10Mbps, delay: 20ms, queue: 50, loss: 3%, corrupt: 1%}
flows:
  - {name: file, protocol: tcp, bytes: 300KB}
  - {name: video, protocol: udp, count: 100, rate: 1Mbps}
`

// capture runs the scenario capturing at one side and returns the file and
// the result.
func capture(t *testing.T, at string) (string, *run.Result) {
	t.Helper()
	return captureRun(t, src, at)
}

// captureWith runs src with the sink that pick makes of a pcap writer,
// writes the capture to a file called name and returns it with the result.
func captureWith(t *testing.T, src, name string, pick func(*Writer) trace.Sink) (string, *run.Result) {
	t.Helper()
	sc, err := scenario.Parse("cap.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	res, err := run.ScenarioWith(sc, sc.Seed, run.Options{Trace: trace.Multi{pick(w)}})
	if err != nil || w.Flush() != nil {
		t.Fatal(err, w.Err())
	}
	f := filepath.Join(t.TempDir(), name+".pcap")
	if err := os.WriteFile(f, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return f, res
}

// The capture is deterministic and well formed even without tshark: a pcap
// header, then one record per packet of the chosen interface.
func TestCaptureFile(t *testing.T) {
	f1, res := capture(t, "sender")
	f2, _ := capture(t, "sender")
	a, _ := os.ReadFile(f1)
	b, _ := os.ReadFile(f2)
	if !bytes.Equal(a, b) {
		t.Fatal("two captures of the same run differ")
	}
	if len(a) < 24 || !bytes.Equal(a[:4], []byte{0x4d, 0x3c, 0xb2, 0xa1}) {
		t.Fatalf("not a nanosecond pcap file: % x", a[:min(4, len(a))])
	}
	// Host a's interface sees everything a offered and everything
	// delivered to it.
	want := res.Links[0].Offered + res.Links[1].Delivered
	n, off := int64(0), 24
	for off+16 <= len(a) {
		incl := int(uint32(a[off+8]) | uint32(a[off+9])<<8 | uint32(a[off+10])<<16 | uint32(a[off+11])<<24)
		off += 16 + incl
		n++
	}
	if n != want || off != len(a) {
		t.Fatalf("%d records (ending at %d of %d bytes), want %d", n, off, len(a), want)
	}
}

// tshark reads our captures: every frame decodes, none is malformed, it
// counts the same TCP retransmissions as tcpsim (sender side), and it flags
// exactly the corrupted packets' checksums (receiver side).
func TestTsharkAgrees(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark is not installed (.ci/run installs it with apt-get: apt-get install tshark); skipping the check against Wireshark's dissectors")
	}
	count := func(file, filter string) int {
		args := []string{"-r", file, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"}
		if filter != "" {
			args = append(args, "-Y", filter)
		}
		out, err := exec.Command(tshark, args...).Output()
		if err != nil {
			t.Fatalf("tshark %v: %v", args, err)
		}
		s := strings.TrimSpace(string(out))
		if s == "" {
			return 0
		}
		return len(strings.Split(s, "\n"))
	}
	snd, res := capture(t, "sender")
	tr := res.Flows[0].TCP
	if got, want := count(snd, ""), int(res.Links[0].Offered+res.Links[1].Delivered); got != want {
		t.Errorf("tshark decodes %d frames, want %d", got, want)
	}
	if got := count(snd, "_ws.malformed"); got != 0 {
		t.Errorf("tshark finds %d malformed frames", got)
	}
	// At the sender no packet is reordered, so Wireshark's
	// "out-of-order" marks are retransmissions sent soon after the
	// original (its heuristic calls them so).
	retr := count(snd, "tcp.analysis.retransmission || tcp.analysis.fast_retransmission || tcp.analysis.out_of_order")
	if want := int(tr.Sender.TimeoutRetrans + tr.Sender.FastRetrans); retr != want || want == 0 {
		t.Errorf("tshark counts %d retransmissions, tcpsim %d", retr, want)
	}
	rcv, res := capture(t, "receiver")
	bad := count(rcv, "ip.checksum.status==0 || tcp.checksum.status==0 || udp.checksum.status==0")
	if want := int(res.Links[0].Corrupted); bad != want || want == 0 {
		t.Errorf("tshark flags %d bad checksums at the receiver, the link corrupted %d packets", bad, want)
	}
	t.Logf("tshark: %d retransmissions, %d bad checksums (%s)", retr, bad, strconv.Quote(tshark))
}

// chunks records every Write it is given.
type chunks struct{ writes [][]byte }

func (c *chunks) Write(p []byte) (int, error) {
	c.writes = append(c.writes, bytes.Clone(p))
	return len(p), nil
}

// The underlying writer only ever sees the file header and whole packet
// records, so a capture cut short by an interruption or a kill reads back
// without a torn packet: every prefix made of whole writes parses.
func TestWriterHandsOnWholePackets(t *testing.T) {
	var c chunks
	w, err := NewWriter(&c)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.writes) != 1 || len(c.writes[0]) != 24 {
		t.Fatalf("NewWriter wrote %d chunks, want the 24-byte file header at once", len(c.writes))
	}
	s := w.Sink("sender")
	pkt := make([]byte, 1500)
	const n = 5000
	for i := range n {
		s.Event(&trace.Event{T: sim.Time(i) * sim.Millisecond, Kind: trace.Enqueue, Dir: "a->b", Packet: pkt[:40+i%1400]})
	}
	if len(c.writes) < 3 {
		t.Fatalf("%d writes before Flush, want several (the test needs the buffer to fill)", len(c.writes))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var file []byte
	got := 0
	for i, b := range c.writes {
		file = append(file, b...)
		pr, err := pcapgo.NewReader(bytes.NewReader(file))
		if err != nil {
			t.Fatalf("after write %d: %v", i, err)
		}
		got = 0
		off := 24
		for {
			data, _, err := pr.ReadPacketData()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("after write %d of %d, packet %d: %v (a torn record)", i, len(c.writes), got, err)
			}
			got, off = got+1, off+16+len(data)
		}
		// pcapgo reads a record header without its data as a clean
		// end: count the bytes too.
		if off != len(file) {
			t.Fatalf("after write %d of %d: %d whole packets end at byte %d of %d (a torn record)", i, len(c.writes), got, off, len(file))
		}
	}
	if got != n {
		t.Fatalf("read back %d packets, want %d", got, n)
	}
}
