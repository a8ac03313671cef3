// Package capture writes tcpsim's packets to a pcap file (gopacket's
// pcapgo, nanosecond timestamps, Ethernet link type) that Wireshark and
// tshark open. Frames are the real bytes that crossed the simulated link,
// behind an Ethernet header; a corrupted packet keeps its bad checksum.
package capture

import (
	"encoding/binary"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"tcpsim/internal/trace"
)

// Host MAC addresses (locally administered).
var (
	macA = [6]byte{0x02, 0, 0, 0, 0, 0x0a}
	macB = [6]byte{0x02, 0, 0, 0, 0, 0x0b}
)

// Epoch is the wall-clock time that simulated time zero maps to in the
// capture (fixed, so captures are byte-identical between runs).
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Writer is a pcap file being written.
type Writer struct {
	w     *pcapgo.Writer
	frame []byte
	err   error
}

// NewWriter writes the pcap file header to w.
func NewWriter(w io.Writer) (*Writer, error) {
	pw := pcapgo.NewWriterNanos(w)
	if err := pw.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return nil, err
	}
	return &Writer{w: pw}, nil
}

// Err returns the first write error.
func (c *Writer) Err() error { return c.err }

// Sink returns a trace sink that captures at one host's interface: "sender"
// is host a (it sees what a sends, as it enters the link, and what arrives
// from b), "receiver" is host b.
func (c *Writer) Sink(at string) trace.Sink { return &sink{c: c, atA: at == "sender"} }

type sink struct {
	c   *Writer
	atA bool
}

func (s *sink) Event(e *trace.Event) {
	if e.Packet == nil {
		return
	}
	out := (e.Kind == trace.Enqueue || e.Kind == trace.QueueDrop) && (e.Dir == "a->b") == s.atA
	in := e.Kind == trace.Deliver && (e.Dir == "b->a") == s.atA
	if out || in {
		s.c.write(e)
	}
}

func (c *Writer) write(e *trace.Event) {
	if c.err != nil {
		return
	}
	c.frame = append(c.frame[:0], make([]byte, 14)...)
	src, dst := macA, macB
	if e.Dir == "b->a" {
		src, dst = macB, macA
	}
	copy(c.frame[0:6], dst[:])
	copy(c.frame[6:12], src[:])
	binary.BigEndian.PutUint16(c.frame[12:], 0x0800) // IPv4
	c.frame = append(c.frame, e.Packet...)
	ci := gopacket.CaptureInfo{
		Timestamp:     Epoch.Add(time.Duration(e.T)),
		CaptureLength: len(c.frame),
		Length:        len(c.frame),
	}
	c.err = c.w.WritePacket(ci, c.frame)
}
