// Package capture writes tcpsim's packets to a pcap file (gopacket's
// pcapgo, nanosecond timestamps, Ethernet link type) that Wireshark and
// tshark open. Frames are the real bytes that crossed the simulated link,
// behind an Ethernet header; a corrupted packet keeps its bad checksum.
package capture

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/fnv"
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

// Sink returns a trace sink that captures at one host's interface in the
// two-host form: "sender" is host a (it sees what a sends, as it enters
// the link, and what arrives from b), "receiver" is host b.
func (c *Writer) Sink(at string) trace.Sink {
	if at == "sender" {
		return c.SinkAt("a", "")
	}
	return c.SinkAt("b", "")
}

// SinkAt returns a trace sink that captures at node's interfaces: every
// packet the node sends, as it enters a link direction's queue (those the
// full queue drops included, as a host's own capture would show them),
// and every packet a link delivers to it. With peer set, only the
// interface of the link to peer. Routers' forwarded packets therefore
// appear twice, on arrival and (TTL one lower) on leaving.
func (c *Writer) SinkAt(node, peer string) trace.Sink { return &sink{c: c, node: node, peer: peer} }

type sink struct {
	c          *Writer
	node, peer string
}

func (s *sink) Event(e *trace.Event) {
	if e.Packet == nil {
		return
	}
	from, to, ok := e.Dir.Ends()
	if !ok {
		return
	}
	out := (e.Kind == trace.Enqueue || e.Kind == trace.QueueDrop || e.Kind == trace.EarlyDrop) && from == s.node && (s.peer == "" || to == s.peer)
	in := e.Kind == trace.Deliver && to == s.node && (s.peer == "" || from == s.peer)
	if out || in {
		s.c.write(e, from, to)
	}
}

// mac is a node's Ethernet address: the fixed ones of hosts a and b, and
// for any other name a locally administered address from its FNV-1a hash.
func mac(node string) [6]byte {
	switch node {
	case "a":
		return macA
	case "b":
		return macB
	}
	h := fnv.New32a()
	h.Write([]byte(node))
	v := h.Sum32()
	return [6]byte{0x02, 0x01, byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
}

func (c *Writer) write(e *trace.Event, from, to string) {
	if c.err != nil {
		return
	}
	src, dst := mac(from), mac(to)
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
