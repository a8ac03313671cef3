package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Addr is an IPv4 address.
type Addr [4]byte

// String formats a as dotted quad.
func (a Addr) String() string { return netip.AddrFrom4(a).String() }

// IP protocol numbers (IANA).
const (
	ProtoTCP uint8 = 6
	ProtoUDP uint8 = 17
)

// IPv4HeaderLen is the length of an IPv4 header without options.
const IPv4HeaderLen = 20

// Decoding errors. Callers match them with errors.Is; the returned errors
// wrap them with the offending values.
var (
	ErrShort    = errors.New("wire: packet too short")
	ErrVersion  = errors.New("wire: not IPv4")
	ErrLength   = errors.New("wire: bad length field")
	ErrChecksum = errors.New("wire: bad checksum")
	ErrHeader   = errors.New("wire: bad header field")
)

// IPv4 is the part of an IPv4 header (RFC 791 §3.1) tcpsim uses. Options
// are neither written nor accepted.
type IPv4 struct {
	Src, Dst Addr
	Protocol uint8
	TTL      uint8
	// ECN is the ECN field (RFC 3168 §5): the low two bits of the old
	// TOS byte, one of the ECN* codepoints.
	ECN uint8
	ID  uint16
	// TotalLen is the datagram length, header included; set by encoders.
	TotalLen uint16
}

// PutIPv4 writes h into b[:20] with TotalLen = total and a fresh header
// checksum. b must be at least 20 bytes.
func PutIPv4(b []byte, h IPv4, total int) {
	_ = b[19]
	b[0] = 0x45 // version 4, IHL 5 words
	b[1] = h.ECN & 3
	binary.BigEndian.PutUint16(b[2:], uint16(total))
	binary.BigEndian.PutUint16(b[4:], h.ID)
	binary.BigEndian.PutUint16(b[6:], 0x4000) // DF, no fragments
	ttl := h.TTL
	if ttl == 0 {
		ttl = 64
	}
	b[8] = ttl
	b[9] = h.Protocol
	*(*Addr)(b[12:16]) = h.Src
	*(*Addr)(b[16:20]) = h.Dst
	// The header checksum from the fields just written, word by word
	// (the same sum as reading them back, RFC 1071).
	s := 0x4500 + uint64(h.ECN&3) + uint64(uint16(total)) + uint64(h.ID) + 0x4000 + uint64(ttl)<<8 + uint64(h.Protocol) +
		uint64(binary.BigEndian.Uint32(h.Src[:])) + uint64(binary.BigEndian.Uint32(h.Dst[:]))
	binary.BigEndian.PutUint16(b[10:], ^Fold(s))
}

// ParseIPv4 validates the IPv4 header at the start of pkt (version, header
// length, total length, header checksum) and returns it with the transport
// payload.
func ParseIPv4(pkt []byte) (IPv4, []byte, error) {
	var h IPv4
	payload, err := ParseIPv4Into(&h, pkt)
	return h, payload, err
}

// ParseIPv4Into is ParseIPv4 writing the header into *h, which saves
// copying it for a caller that keeps it in place. On error *h is zero.
func ParseIPv4Into(h *IPv4, pkt []byte) ([]byte, error) {
	*h = IPv4{}
	if len(pkt) < IPv4HeaderLen {
		return nil, fmt.Errorf("%w: %d bytes, IPv4 header needs 20", ErrShort, len(pkt))
	}
	if pkt[0] != 0x45 { // version 4, IHL 5 words: the only header accepted
		if pkt[0]>>4 != 4 {
			return nil, fmt.Errorf("%w: version %d", ErrVersion, pkt[0]>>4)
		}
		return nil, fmt.Errorf("%w: IHL %d bytes (options unsupported)", ErrHeader, int(pkt[0]&0x0f)*4)
	}
	total := int(binary.BigEndian.Uint16(pkt[2:]))
	if total < IPv4HeaderLen || total > len(pkt) {
		return nil, fmt.Errorf("%w: IPv4 total length %d, have %d bytes", ErrLength, total, len(pkt))
	}
	if Fold(sumHeader20(pkt[:IPv4HeaderLen])) != 0xffff {
		return nil, fmt.Errorf("%w: IPv4 header", ErrChecksum)
	}
	h.TotalLen = uint16(total)
	h.ID = binary.BigEndian.Uint16(pkt[4:])
	h.TTL = pkt[8]
	h.ECN = pkt[1] & 3
	h.Protocol = pkt[9]
	h.Src = Addr(pkt[12:16])
	h.Dst = Addr(pkt[16:20])
	return pkt[IPv4HeaderLen:total], nil
}

// Summary is what Peek reads from a packet, without verifying checksums.
type Summary struct {
	OK               bool // the headers were readable
	Protocol         uint8
	Src, Dst         Addr
	ECN              uint8 // the IPv4 ECN field (RFC 3168 §5)
	SrcPort, DstPort uint16
	Seq, Ack         uint32 // TCP
	Flags            uint8  // TCP
	Window           uint16 // TCP, unscaled
	Len              int    // transport payload bytes
	// SACKPermitted and the first NSACK of SACK are the TCP header's
	// SACK options (RFC 2018), read as far as the option list is sound.
	SACKPermitted bool
	SACK          [MaxSACKBlocks]SACKBlock
	NSACK         uint8
	// WScale is the Window Scale option's shift count (RFC 7323 §2.2),
	// 0 when absent; only SYN segments carry it.
	WScale int8
}

// Peek reads the headers of pkt for traces and captures, leniently: it
// checks lengths (never reads out of bounds) but not checksums, so that a
// corrupted packet can still be described.
func Peek(pkt []byte) Summary {
	var s Summary
	if len(pkt) < IPv4HeaderLen || pkt[0]>>4 != 4 {
		return s
	}
	ihl := int(pkt[0]&0x0f) * 4
	total := min(int(binary.BigEndian.Uint16(pkt[2:])), len(pkt))
	if ihl < IPv4HeaderLen || total < ihl {
		return s
	}
	s.Protocol = pkt[9]
	s.ECN = pkt[1] & 3
	copy(s.Src[:], pkt[12:16])
	copy(s.Dst[:], pkt[16:20])
	t := pkt[ihl:total]
	switch s.Protocol {
	case ProtoTCP:
		if len(t) < TCPHeaderLen {
			return s
		}
		s.SrcPort = binary.BigEndian.Uint16(t[0:])
		s.DstPort = binary.BigEndian.Uint16(t[2:])
		s.Seq = binary.BigEndian.Uint32(t[4:])
		s.Ack = binary.BigEndian.Uint32(t[8:])
		s.Flags = t[13]
		s.Window = binary.BigEndian.Uint16(t[14:])
		hl := int(t[12]>>4) * 4
		s.Len = max(0, len(t)-hl)
		s.OK = hl >= TCPHeaderLen && hl <= len(t)
		if s.OK {
			var h TCP
			_ = parseOptions(t[TCPHeaderLen:hl], &h) // options before a bad one still count
			s.SACKPermitted, s.SACK, s.NSACK, s.WScale = h.SACKPermitted, h.SACK, h.NSACK, h.WScale
		}
	case ProtoUDP:
		if len(t) < UDPHeaderLen {
			return s
		}
		s.SrcPort = binary.BigEndian.Uint16(t[0:])
		s.DstPort = binary.BigEndian.Uint16(t[2:])
		s.Len = len(t) - UDPHeaderLen
		s.OK = true
	}
	return s
}
