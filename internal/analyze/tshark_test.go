package analyze

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"tcpsim/internal/capture"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
)

// makeCapture runs the shipped scenario name (scenarios/NAME.yaml) and
// returns its pcap taken at node ("a" the sender's interface, "b" the
// receiver's), as tcpsim run --pcap writes it.
func makeCapture(t testing.TB, name, node string) []byte {
	t.Helper()
	sc, err := scenario.Load(filepath.Join("..", "..", "scenarios", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := capture.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.ScenarioWith(sc, sc.Seed, run.Options{Trace: w.SinkAt(node, "")}); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// comparedFlags are the flags compared with tshark, the eight of issue
// 18 and the five others the dissector sets with them. Not ACKedUnseen:
// after the second zero window probe of tcp-slow-receiver tshark 4.0
// moves its "max sequence to be ACKed" by a rule this does not reproduce
// (3 of its 356 frames differ; see docs/analyze.md).
var comparedFlags = []Flag{Retransmission, FastRetransmission, SpuriousRetransmission, DuplicateACK,
	ZeroWindow, WindowFull, OutOfOrder, LostSegment, KeepAlive, ZeroWindowProbe, WindowUpdate, KeepAliveACK,
	ZeroWindowProbeACK}

// TestFlagsMatchTshark compares the analysis flags of every TCP segment
// with tshark's tcp.analysis.* fields, packet by packet, on captures of
// shipped loss scenarios taken at the sender and at the receiver.
func TestFlagsMatchTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark is not installed (apt-get install -y tshark): the packet-by-packet comparison with Wireshark's analysis is skipped")
	}
	if testing.Short() {
		t.Skip("-short: the tshark comparison runs tcpsim scenarios and tshark")
	}
	for _, name := range []string{"tcp-loss-5", "tcp-loss-20", "tcp-burst-loss", "tcp-slow-receiver", "tcp-request-response"} {
		for _, node := range []string{"a", "b"} {
			t.Run(name+"@"+node, func(t *testing.T) {
				data := makeCapture(t, name, node)
				file := filepath.Join(t.TempDir(), name+".pcap")
				if err := os.WriteFile(file, data, 0o644); err != nil {
					t.Fatal(err)
				}
				want := tsharkFlags(t, tshark, file)
				got := map[int]Flag{}
				r, err := NewReader(bytes.NewReader(data))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := Analyze(r, Options{OnSegment: func(_ *Conn, p *Packet) { got[p.Num] = p.Analysis }}); err != nil {
					t.Fatal(err)
				}
				var mask Flag
				for _, f := range comparedFlags {
					mask |= f
				}
				bad := 0
				for num := 1; num <= max(len(got), len(want)); num++ {
					if g, w := got[num]&mask, want[num]&mask; g != w {
						if bad < 15 {
							t.Errorf("%s frame %d: got %q, tshark %q", file, num, g, w)
						}
						bad++
					}
				}
				if bad > 0 {
					t.Errorf("%d of %d frames differ", bad, len(want))
				}
				var counts [numFlags]int
				for _, f := range want {
					for i := range numFlags {
						if f&(1<<i) != 0 {
							counts[i]++
						}
					}
				}
				t.Logf("%d frames; tshark flags: %v", len(want), countString(counts))
			})
		}
	}
}

func countString(c [numFlags]int) string {
	var b []string
	for i, n := range c {
		if n > 0 {
			b = append(b, fmt.Sprintf("%s=%d", flagNames[i], n))
		}
	}
	return strings.Join(b, " ")
}

// tsharkFlags runs tshark on file and returns each frame's analysis flags.
func tsharkFlags(t *testing.T, tshark, file string) map[int]Flag {
	args := []string{"-n", "-r", file, "-T", "fields", "-E", "separator=/t", "-e", "frame.number"}
	for _, f := range FieldNames() {
		args = append(args, "-e", f)
	}
	out, err := exec.Command(tshark, args...).Output()
	if err != nil {
		t.Fatalf("tshark %s: %v", strings.Join(args, " "), err)
	}
	m := map[int]Flag{}
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		cols := strings.Split(line, "\t")
		var num int
		if _, err := fmt.Sscan(cols[0], &num); err != nil {
			t.Fatalf("tshark line %q: %v", line, err)
		}
		var f Flag
		for i, c := range cols[1:] {
			if c != "" && i < int(numFlags) {
				f |= 1 << i
			}
		}
		m[num] = f
	}
	return m
}

// seg is a raw-IP TCP segment between 10.0.0.1:1000 (dir 0) and
// 10.0.0.2:2000 (dir 1).
func seg(dir int, seq, ack uint32, flags uint8, win uint16, payload int) []byte {
	p := tcpPacket(seq, flags, payload)
	if dir == 1 {
		copy(p[12:], []byte{10, 0, 0, 2, 10, 0, 0, 1})
		binary.BigEndian.PutUint16(p[20:], 2000)
		binary.BigEndian.PutUint16(p[22:], 1000)
	}
	binary.BigEndian.PutUint32(p[28:], ack)
	binary.BigEndian.PutUint16(p[34:], win)
	return p
}

// synthetic is a conversation with what tcpsim's runs never send:
// keep-alives and their ACKs, a retransmission after an RTO, and an
// out-of-order segment, 50 ms apart unless said.
func synthetic(t testing.TB) []byte {
	frames := [][]byte{
		seg(0, 100, 0, SYN, 8000, 0),
		seg(1, 500, 101, SYN|ACK, 8000, 0),
		seg(0, 101, 501, ACK, 8000, 0),
		seg(0, 101, 501, ACK, 8000, 100),
		seg(1, 501, 201, ACK, 8000, 0),
		seg(0, 200, 501, ACK, 8000, 0), // keep-alive
		seg(1, 501, 201, ACK, 8000, 0), // its ACK
		seg(0, 200, 501, ACK, 8000, 1), // keep-alive with one byte
		seg(0, 201, 501, ACK, 8000, 100),
		seg(0, 401, 501, ACK, 8000, 100), // previous segment not captured
		seg(1, 501, 301, ACK, 8000, 0),
		seg(0, 301, 501, ACK, 8000, 100), // retransmission after an RTO
		seg(1, 501, 501, ACK, 8000, 0),
		seg(1, 501, 501, ACK, 9000, 0), // window update
		seg(0, 501, 501, ACK|FIN, 8000, 0),
		seg(1, 501, 502, ACK|FIN, 8000, 0),
		seg(0, 502, 502, ACK, 8000, 0),
	}
	var b bytes.Buffer
	w := pcapgo.NewWriter(&b)
	if err := w.WriteFileHeader(65535, layers.LinkTypeRaw); err != nil {
		t.Fatal(err)
	}
	for i, f := range frames {
		ci := gopacket.CaptureInfo{Timestamp: time.Unix(1000, 0).Add(time.Duration(i) * 50 * time.Millisecond), CaptureLength: len(f), Length: len(f)}
		if err := w.WritePacket(ci, f); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// TestSyntheticMatchesTshark compares the flags of the synthetic capture
// with tshark's, and checks that the keep-alives are found.
func TestSyntheticMatchesTshark(t *testing.T) {
	data := synthetic(t)
	got := map[int]Flag{}
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Analyze(r, Options{OnSegment: func(_ *Conn, p *Packet) { got[p.Num] = p.Analysis }}); err != nil {
		t.Fatal(err)
	}
	for num, want := range map[int]Flag{6: KeepAlive, 7: KeepAliveACK, 8: KeepAlive, 10: LostSegment, 12: Retransmission, 14: WindowUpdate} {
		if got[num] != want {
			t.Errorf("frame %d: got %q, want %q", num, got[num], want)
		}
	}
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark is not installed (apt-get install -y tshark): the comparison with Wireshark's analysis is skipped")
	}
	file := filepath.Join(t.TempDir(), "synthetic.pcap")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	want := tsharkFlags(t, tshark, file)
	for num := 1; num <= len(want); num++ {
		if g, w := got[num], want[num]; g != w {
			t.Errorf("frame %d: got %q, tshark %q", num, g, w)
		}
	}
}

// TestRealCapture reads a capture of a real Linux kernel connection
// (testdata/linux-loopback-sll-snap96.pcapng: tshark -i any -s 96, so
// pcapng, Linux cooked link layer and every payload cut by the snap
// length; 300,000 bytes to a reader that drains 4 KiB every 2 ms through
// a small receive buffer, window scaling, SACK and timestamps on). Its
// counts are pinned, and with tshark installed every flag of every frame,
// ACKed unseen segments included, must agree with tshark's.
func TestRealCapture(t *testing.T) {
	file := filepath.Join("testdata", "linux-loopback-sll-snap96.pcapng")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int]Flag{}
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Analyze(r, Options{OnSegment: func(_ *Conn, p *Packet) { got[p.Num] = p.Analysis }})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Conns[0]
	if len(res.Conns) != 1 || res.Frames != 113 || c.Dir[0].Bytes != 357263 || c.Dir[0].Count(Retransmission) != 6 ||
		c.Dir[0].Count(WindowFull) != 31 || c.Dir[1].Count(ZeroWindow) != 34 || c.Dir[1].Bytes != 6 {
		t.Errorf("got %d connections, %d frames, %+v, want 1, 113, 357263 bytes with 6 retransmissions and 31 window full one way, 6 bytes and 34 zero windows back",
			len(res.Conns), res.Frames, c.Dir)
	}
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark is not installed (apt-get install -y tshark): the comparison with Wireshark's analysis is skipped")
	}
	want := tsharkFlags(t, tshark, file)
	for num := 1; num <= len(want); num++ {
		if got[num] != want[num] {
			t.Errorf("frame %d: got %q, tshark %q", num, got[num], want[num])
		}
	}
}
