// Package capture writes tcpsim's packets to a pcap file (gopacket's
// pcapgo, nanosecond timestamps, Ethernet link type) that Wireshark and
// tshark open. Frames are the real bytes that crossed the simulated link,
// behind an Ethernet header; a corrupted packet keeps its bad checksum.
package capture

import (
	"bytes"
	"encoding/binary"
	"fmt"
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

// flushAt is how many buffered bytes make a Writer pass its whole records
// on to the underlying writer.
const flushAt = 64 << 10

// Writer is a pcap file being written. It buffers whole packet records
// and hands the underlying writer only whole records, in one Write each
// time, so a capture cut short (an interrupted or killed run) ends on a
// packet boundary. Call Flush at the end and check its error.
type Writer struct {
	out   io.Writer
	buf   bytes.Buffer
	w     *pcapgo.Writer // writes into buf
	frame []byte
	err   error
}

// NewWriter writes the pcap file header to w.
func NewWriter(w io.Writer) (*Writer, error) {
	c := &Writer{out: w}
	c.w = pcapgo.NewWriterNanos(&c.buf)
	if err := c.w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	// The header goes out at once: even an empty capture is a valid file.
	if err := c.Flush(); err != nil {
		return nil, err
	}
	return c, nil
}

// Err returns the first write error.
func (c *Writer) Err() error { return c.err }

// Flush writes the buffered packets and returns the first write error.
func (c *Writer) Flush() error {
	if c.err == nil && c.buf.Len() > 0 {
		if _, err := c.out.Write(c.buf.Bytes()); err != nil {
			c.err = fmt.Errorf("capture: %w", err)
		}
	}
	c.buf.Reset()
	return c.err
}

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
	out := (e.Kind == trace.Enqueue || e.Kind == trace.QueueDrop || e.Kind == trace.EarlyDrop) && (e.Dir == "a->b") == s.atA
	in := e.Kind == trace.Deliver && (e.Dir == "b->a") == s.atA
	if out || in {
		s.c.write(e)
	}
}

func (c *Writer) write(e *trace.Event) {
	if c.err != nil {
		return
	}
	src, dst := macA, macB
	if e.Dir == "b->a" {
		src, dst = macB, macA
	}
	c.frame = append(c.frame[:0], dst[:]...)
	c.frame = append(c.frame, src[:]...)
	c.frame = binary.BigEndian.AppendUint16(c.frame, 0x0800) // EtherType IPv4
	c.frame = append(c.frame, e.Packet...)
	ci := gopacket.CaptureInfo{
		Timestamp:     Epoch.Add(time.Duration(e.T)),
		CaptureLength: len(c.frame),
		Length:        len(c.frame),
	}
	// Writing into a bytes.Buffer cannot fail part way: the header and
	// the frame are both in the buffer or the error is kept.
	if err := c.w.WritePacket(ci, c.frame); err != nil {
		c.err = fmt.Errorf("capture: %w", err)
		return
	}
	if c.buf.Len() >= flushAt {
		c.Flush()
	}
}
