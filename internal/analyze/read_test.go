package analyze

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// tcpPacket is a minimal IPv4 TCP segment from 10.0.0.1:1000 to
// 10.0.0.2:2000 with payload bytes of data.
func tcpPacket(seq uint32, flags uint8, payload int) []byte {
	p := make([]byte, 40+payload)
	p[0] = 0x45
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	p[8], p[9] = 64, 6
	copy(p[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
	binary.BigEndian.PutUint16(p[20:], 1000)
	binary.BigEndian.PutUint16(p[22:], 2000)
	binary.BigEndian.PutUint32(p[24:], seq)
	p[32] = 5 << 4
	p[33] = flags
	binary.BigEndian.PutUint16(p[34:], 1000)
	return p
}

// pcapOf writes frames (link-layer headers included) as a pcap.
func pcapOf(t testing.TB, lt layers.LinkType, snap uint32, frames ...[]byte) []byte {
	var b bytes.Buffer
	w := pcapgo.NewWriter(&b)
	if err := w.WriteFileHeader(snap, lt); err != nil {
		t.Fatal(err)
	}
	for i, f := range frames {
		ci := gopacket.CaptureInfo{Timestamp: time.Unix(int64(i), 0), CaptureLength: min(len(f), int(snap)), Length: len(f)}
		if err := w.WritePacket(ci, f[:ci.CaptureLength]); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func analyzeBytes(data []byte) (*Result, error) {
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return Analyze(r, Options{Keep: func(*Conn) bool { return true }})
}

// TestLinkTypes reads the same two segments over raw IP, Linux cooked
// (SLL) and Ethernet with a VLAN tag, as pcap and as pcapng.
func TestLinkTypes(t *testing.T) {
	ip1, ip2 := tcpPacket(1, SYN, 0), tcpPacket(2, ACK, 100)
	sll := func(p []byte) []byte {
		h := make([]byte, 16)
		binary.BigEndian.PutUint16(h[14:], 0x0800)
		return append(h, p...)
	}
	vlan := func(p []byte) []byte {
		h := make([]byte, 18)
		binary.BigEndian.PutUint16(h[12:], 0x8100)
		binary.BigEndian.PutUint16(h[16:], 0x0800)
		return append(h, p...)
	}
	cases := []struct {
		name string
		lt   layers.LinkType
		wrap func([]byte) []byte
	}{
		{"raw", layers.LinkTypeRaw, func(p []byte) []byte { return p }},
		{"sll", layers.LinkTypeLinuxSLL, sll},
		{"ethernet-vlan", layers.LinkTypeEthernet, vlan},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ng bytes.Buffer
			w, err := pcapgo.NewNgWriter(&ng, tc.lt)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range [][]byte{tc.wrap(ip1), tc.wrap(ip2)} {
				if err := w.WritePacket(gopacket.CaptureInfo{Timestamp: time.Unix(int64(i), 0), CaptureLength: len(p), Length: len(p)}, p); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			for name, data := range map[string][]byte{"pcap": pcapOf(t, tc.lt, 65535, tc.wrap(ip1), tc.wrap(ip2)), "pcapng": ng.Bytes()} {
				res, err := analyzeBytes(data)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if len(res.Conns) != 1 || res.Conns[0].Dir[0].Packets != 2 || res.Conns[0].Dir[0].Bytes != 100 {
					t.Fatalf("%s: got %d connections %+v, want one of 2 segments and 100 bytes", name, len(res.Conns), res.Conns)
				}
				if got := res.Conns[0].A.String(); got != "10.0.0.1:1000" {
					t.Errorf("%s: A = %s, want 10.0.0.1:1000", name, got)
				}
			}
		})
	}
}

// TestBadCaptures: wrong magic, an unsupported link type, a file cut
// inside a record, and a snap length that cut the payload.
func TestBadCaptures(t *testing.T) {
	good := pcapOf(t, layers.LinkTypeRaw, 65535, tcpPacket(1, SYN, 0), tcpPacket(2, ACK, 1000))
	if _, err := analyzeBytes([]byte("GIF89a not a capture")); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "magic") {
		t.Errorf("wrong magic: got %v, want ErrFormat naming the magic number", err)
	}
	if _, err := analyzeBytes([]byte{1, 2}); !errors.Is(err, ErrFormat) {
		t.Errorf("2-byte file: got %v, want ErrFormat", err)
	}
	if _, err := analyzeBytes(pcapOf(t, layers.LinkTypeIEEE802_11, 65535)); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "link type") {
		t.Errorf("802.11: got %v, want ErrFormat naming the link type", err)
	}
	res, err := analyzeBytes(good[:len(good)-10])
	if err == nil || !strings.Contains(err.Error(), "frame 2") || res == nil || res.Frames != 1 {
		t.Errorf("cut inside frame 2: got %v (%d frames), want an error naming frame 2 after 1 frame", err, res.Frames)
	}
	// A snap length of 60 keeps the TCP header, not the payload: the
	// segment still counts its 1000 bytes, as tshark's tcp.len does.
	res, err = analyzeBytes(pcapOf(t, layers.LinkTypeRaw, 60, tcpPacket(1, SYN, 0), tcpPacket(2, ACK, 1000)))
	if err != nil || len(res.Conns) != 1 || res.Conns[0].Dir[0].Bytes != 1000 {
		t.Errorf("snap length 60: got %v, %+v, want one connection of 1000 bytes", err, res)
	}
}

// TestTraceOfCapture turns a tcpsim capture into as a trace: the ladder's events come
// out in time order, three per segment.
func TestTraceOfCapture(t *testing.T) {
	data := makeCapture(t, "tcp-loss-20", "a")
	res, err := analyzeBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	c := res.Conns[0]
	evs := c.Trace()
	if len(evs) != 3*len(c.Packets) {
		t.Fatalf("got %d events for %d segments, want 3 each", len(evs), len(c.Packets))
	}
	retrans := 0
	for i := range evs {
		if i > 0 && evs[i].T < evs[i-1].T {
			t.Fatalf("event %d at %v before %v", i, evs[i].T, evs[i-1].T)
		}
		if evs[i].Kind == "send" && evs[i].Retrans {
			retrans++
		}
	}
	if want := c.Dir[0].Count(Retransmission) + c.Dir[1].Count(Retransmission); retrans != want || want == 0 {
		t.Errorf("got %d retransmitted sends, want the %d retransmissions (> 0)", retrans, want)
	}
	if c.Cut {
		t.Error("Cut set, want every segment kept")
	}
	r, _ := NewReader(bytes.NewReader(data))
	res, _ = Analyze(r, Options{Keep: func(*Conn) bool { return true }, MaxKeep: 10})
	if x := res.Conns[0]; len(x.Packets) != 10 || !x.Cut || x.Dir[0].Packets+x.Dir[1].Packets != len(c.Packets) {
		t.Errorf("MaxKeep 10: kept %d, cut %v, counted %d, want 10, true, %d", len(x.Packets), x.Cut, x.Dir[0].Packets+x.Dir[1].Packets, len(c.Packets))
	}
	if c.IRTT != 40076800*time.Nanosecond || !c.NearA {
		t.Errorf("iRTT %v near A %v, want 40.0768ms and true", c.IRTT, c.NearA)
	}
}

// FuzzAnalyze: no capture, however damaged, panics or reads without end.
func FuzzAnalyze(f *testing.F) {
	f.Add(pcapOf(f, layers.LinkTypeRaw, 65535, tcpPacket(1, SYN, 0), tcpPacket(2, ACK, 10)))
	f.Add(pcapOf(f, layers.LinkTypeEthernet, 64, append(make([]byte, 14), tcpPacket(1, SYN|ACK, 30)...)))
	f.Add(pcapOf(f, layers.LinkTypeLinuxSLL, 65535, append(make([]byte, 16), tcpPacket(1, SYN, 0)...)))
	f.Add([]byte{0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		res, err := Analyze(r, Options{Keep: func(*Conn) bool { return true }, MaxConns: 16})
		if err != nil && errors.Is(err, io.EOF) {
			t.Fatalf("io.EOF leaked: %v", err)
		}
		for _, c := range res.Conns {
			_ = c.Trace()
		}
	})
}
