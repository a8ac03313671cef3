package capture

import (
	"encoding/binary"
	"os"
	"testing"
)

const ecnSrc = `name: ecn
seed: 3
link: {rate: 10Mbps, delay: 10ms, queue: 1000, aqm: codel, ecn: true}
flows:
  - {name: file, protocol: tcp, bytes: 1MB, recv_buffer: 1MiB, ecn: true}
`

// flag reads a tshark boolean field, printed as 1/0 or True/False
// depending on the version.
func flag(s string) bool { return s == "1" || s == "True" }

// An ECN run as Wireshark reads it at the receiver's interface (RFC 3168):
// the SYN carries ECE and CWR, the SYN-ACK ECE alone; data arrives ECT(0)
// or, as CoDel marked it, CE, exactly as many as the receiver counted;
// pure ACKs are not ECN-capable; the receiver's ECE ACKs and the
// sender's CWR segments are as many as the endpoints counted; no frame is
// malformed.
func TestTsharkDecodesECN(t *testing.T) {
	f, res := captureRun(t, ecnSrc, "receiver")
	rows := tsharkFields(t, f, "tcp.srcport", "tcp.flags.syn", "tcp.flags.ece", "tcp.flags.cwr", "ip.dsfield.ecn", "tcp.len", "_ws.malformed")
	tr := res.Flows[0].TCP
	if !tr.ECNNegotiated || tr.CEReceived == 0 || tr.CWRSent == 0 {
		t.Fatalf("the run did not exercise ECN: negotiated %v, %d CE, %d CWR", tr.ECNNegotiated, tr.CEReceived, tr.CWRSent)
	}
	var ce, ece, cwr int64
	for i, r := range rows {
		if len(r) != 7 || r[6] != "" {
			t.Fatalf("frame %d: %q", i+1, r)
		}
		fromClient := r[0] == "49152"
		syn, e, c, n := flag(r[1]), flag(r[2]), flag(r[3]), r[5] != "0"
		switch {
		case syn && fromClient:
			if !e || !c {
				t.Errorf("frame %d: SYN without ECE and CWR: %q", i+1, r)
			}
			continue
		case syn:
			if !e || c {
				t.Errorf("frame %d: SYN-ACK with ECE %v, CWR %v; want ECE alone", i+1, e, c)
			}
			continue
		}
		switch {
		case n && r[4] == "3":
			ce++
		case n && r[4] != "2":
			t.Errorf("frame %d: data with ECN field %s, want ECT(0) (2) or CE (3)", i+1, r[4])
		case !n && r[4] != "0":
			t.Errorf("frame %d: a segment without data has ECN field %s, want 0", i+1, r[4])
		}
		if e {
			ece++
		}
		if c {
			cwr++
			if !fromClient || !n {
				t.Errorf("frame %d: CWR on %q, want the client's new data", i+1, r)
			}
		}
	}
	if ce != tr.CEReceived || ece != tr.Sender.ECEReceived || cwr != tr.CWRSent {
		t.Errorf("tshark sees %d CE, %d ECE, %d CWR; the endpoints counted %d, %d, %d", ce, ece, cwr, tr.CEReceived, tr.Sender.ECEReceived, tr.CWRSent)
	}
	t.Logf("tshark: %d frames, %d CE, %d ECE, %d CWR", len(rows), ce, ece, cwr)
}

// Host a's interface sees every packet a offered, those RED dropped on
// arrival at the queue (never enqueued) and those CoDel dropped at its
// head included.
func TestCaptureSeesAQMDrops(t *testing.T) {
	for _, aqm := range []string{"red, red: {min: 2, max: 6}", "codel, codel: {target: 1ms, interval: 20ms}"} {
		src := "name: aqm\nseed: 2\nlink: {rate: 5Mbps, delay: 20ms, queue: 200, aqm: " + aqm + "}\n" +
			"flows:\n  - {name: file, protocol: tcp, bytes: 400KB, recv_buffer: 1MiB}\n  - {name: video, protocol: udp, count: 300, rate: 3Mbps}\n"
		f, res := captureRun(t, src, "sender")
		a, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n, off := int64(0), 24
		for off+16 <= len(a) {
			off += 16 + int(binary.LittleEndian.Uint32(a[off+8:]))
			n++
		}
		l := res.Links[0]
		if want := l.Offered + res.Links[1].Delivered; n != want || l.AQMDropped == 0 {
			t.Fatalf("%s: %d records, want %d (%d AQM drops)", aqm, n, want, l.AQMDropped)
		}
	}
}
