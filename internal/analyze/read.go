// Package analyze reads packet captures (pcap and pcapng, from tcpdump,
// Wireshark or tcpsim itself) and turns each TCP connection in them into
// the trace tcpsim writes for its own runs, with Wireshark-style analysis
// flags (retransmission, duplicate ACK, zero window, ...) on every TCP
// segment. UDP flows are listed.
//
// Reading is a stream: one packet at a time, each bounded by the capture's
// snap length, so a capture of any size is read in bounded memory unless
// the caller asks to keep a connection's packets.
package analyze

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// ErrFormat is wrapped by every error about a file that is not a capture
// this package reads (wrong magic, an unsupported link type).
var ErrFormat = errors.New("analyze: not a capture this reads")

// MaxPacket is the longest packet record read (bytes). tcpdump's default
// snap length is 262144.
const MaxPacket = 256 << 10

// Frame is one captured packet as read: its number in the file (from 1, as
// Wireshark counts), its timestamp and its bytes from the network layer
// on (the link-layer header removed). Data is only valid until the next
// call to Next.
type Frame struct {
	Num  int
	Time time.Time
	// Length is the packet's length on the wire, CapLen what the
	// capture kept of it (less when the snap length cut it), both
	// counting the link-layer header.
	Length, CapLen int
	// Network is the EtherType of Data (0x0800 IPv4, 0x86dd IPv6), 0
	// when the link layer carried something else.
	Network uint16
	Data    []byte
}

// Reader reads the frames of a pcap or pcapng capture one at a time.
type Reader struct {
	next     func() ([]byte, time.Time, int, error)
	linkType layers.LinkType
	n        int
}

// NewReader reads the file header of a pcap or pcapng capture from r and
// returns a Reader of its frames. Link types Ethernet, raw IP (101, 12,
// 228) and Linux cooked capture (SLL, 113) are read; any other is an
// error wrapping ErrFormat.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, err := br.Peek(4)
	if err != nil {
		return nil, fmt.Errorf("%w: the file is shorter than a capture header (%d bytes)", ErrFormat, len(magic))
	}
	rd := &Reader{}
	switch binary.LittleEndian.Uint32(magic) {
	case 0x0a0d0d0a: // pcapng section header block
		ng, err := pcapgo.NewNgReader(br, pcapgo.NgReaderOptions{SkipUnknownVersion: true})
		if err != nil {
			return nil, fmt.Errorf("%w: pcapng: %v", ErrFormat, err)
		}
		rd.linkType = ng.LinkType()
		rd.next = func() ([]byte, time.Time, int, error) {
			d, ci, err := ng.ZeroCopyReadPacketData()
			return d, ci.Timestamp, ci.Length, err
		}
	case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1: // pcap, µs or ns, either byte order
		p, err := pcapgo.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%w: pcap: %v", ErrFormat, err)
		}
		if p.Snaplen() > MaxPacket {
			p.SetSnaplen(MaxPacket)
		}
		rd.linkType = p.LinkType()
		rd.next = func() ([]byte, time.Time, int, error) {
			d, ci, err := p.ZeroCopyReadPacketData()
			return d, ci.Timestamp, ci.Length, err
		}
	default:
		return nil, fmt.Errorf("%w: magic number %#08x is neither pcap nor pcapng", ErrFormat, binary.BigEndian.Uint32(magic))
	}
	switch rd.linkType {
	case layers.LinkTypeEthernet, layers.LinkTypeRaw, 12, layers.LinkTypeIPv4, layers.LinkTypeLinuxSLL:
	default:
		return nil, fmt.Errorf("%w: link type %d (%s): this reads Ethernet, raw IP and Linux cooked (SLL) captures", ErrFormat, rd.linkType, rd.linkType)
	}
	return rd, nil
}

// LinkType is the capture's link type.
func (r *Reader) LinkType() layers.LinkType { return r.linkType }

// Next returns the next frame, io.EOF after the last. A record the file
// cuts short or that claims more than MaxPacket bytes is an error naming
// the frame; the frames before it stay good.
func (r *Reader) Next(f *Frame) error {
	d, ts, length, err := r.next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return io.EOF
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("analyze: frame %d: the file ends inside the record (a truncated capture): %w", r.n+1, err)
		}
		return fmt.Errorf("analyze: frame %d: %w", r.n+1, err)
	}
	r.n++
	*f = Frame{Num: r.n, Time: ts, Length: length, CapLen: len(d)}
	f.Network, f.Data = link(r.linkType, d)
	return nil
}

// link strips the link-layer header of d and returns the EtherType of what
// follows (0 when it is not an IP packet or the header is cut short).
func link(lt layers.LinkType, d []byte) (uint16, []byte) {
	switch lt {
	case layers.LinkTypeEthernet:
		if len(d) < 14 {
			return 0, nil
		}
		et, d := binary.BigEndian.Uint16(d[12:14]), d[14:]
		for (et == 0x8100 || et == 0x88a8) && len(d) >= 4 { // 802.1Q / 802.1ad tags
			et, d = binary.BigEndian.Uint16(d[2:4]), d[4:]
		}
		return et, d
	case layers.LinkTypeLinuxSLL: // 16-byte header, protocol type last
		if len(d) < 16 {
			return 0, nil
		}
		return binary.BigEndian.Uint16(d[14:16]), d[16:]
	default: // raw IP: the version nibble says which
		if len(d) < 1 {
			return 0, nil
		}
		switch d[0] >> 4 {
		case 4:
			return 0x0800, d
		case 6:
			return 0x86dd, d
		}
		return 0, nil
	}
}
