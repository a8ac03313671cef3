package wire

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"strings"
)

// TCPHeaderLen is the length of a TCP header without options.
const TCPHeaderLen = 20

// TCP control bits (RFC 9293 §3.1).
const (
	FlagFIN uint8 = 1 << iota
	FlagSYN
	FlagRST
	FlagPSH
	FlagACK
	FlagURG
)

// FlagString formats flags as Wireshark does, e.g. "SYN,ACK".
func FlagString(f uint8) string {
	var parts []string
	for _, p := range []struct {
		bit  uint8
		name string
	}{{FlagSYN, "SYN"}, {FlagFIN, "FIN"}, {FlagRST, "RST"}, {FlagPSH, "PSH"}, {FlagACK, "ACK"}, {FlagURG, "URG"}} {
		if f&p.bit != 0 {
			parts = append(parts, p.name)
		}
	}
	return strings.Join(parts, ",")
}

// TCP is a TCP header (RFC 9293 §3.1) with the options tcpsim uses.
type TCP struct {
	SrcPort, DstPort uint16
	Seq, Ack         uint32
	Flags            uint8
	Window           uint16
	Checksum         uint16 // as found on the wire
	Urgent           uint16
	// MSS is the Maximum Segment Size option (RFC 9293 §3.7.1); 0 when
	// absent. Only sent on SYN segments.
	MSS uint16
	// WScale is the Window Scale option's shift count (RFC 7323 §2), or -1
	// when absent. Only sent on SYN segments.
	WScale int8
}

// optLen returns the encoded length of h's options, padded to 4 bytes.
func (h *TCP) optLen() int {
	n := 0
	if h.MSS != 0 {
		n += 4
	}
	if h.WScale >= 0 {
		n += 4 // NOP + 3-byte option
	}
	return n
}

// TCPLen returns the encoded length of header h with a payload of n bytes.
func TCPLen(h *TCP, n int) int { return TCPHeaderLen + h.optLen() + n }

// BuildTCP writes an IPv4 packet carrying the TCP segment h+payload into
// buf (reusing its capacity), with the RFC 1071 checksum over the
// pseudo-header, header and payload, and returns it.
func BuildTCP(buf []byte, ip IPv4, h *TCP, payload []byte) []byte {
	return BuildTCPSum(buf, ip, h, payload, Sum(0, payload))
}

// BuildTCPSum is BuildTCP for a caller that already knows paySum, the
// unfolded one's-complement sum of payload (Sum(0, payload) or any number
// congruent to it modulo 0xffff, such as payload.Sum gives in O(1) for
// pattern bytes): it copies the payload but does not read it again.
func BuildTCPSum(buf []byte, ip IPv4, h *TCP, payload []byte, paySum uint64) []byte {
	hl := TCPHeaderLen + h.optLen()
	tlen := hl + len(payload)
	total := IPv4HeaderLen + tlen
	buf = grow(buf, total)
	ip.Protocol = ProtoTCP
	PutIPv4(buf, ip, total)
	t := buf[IPv4HeaderLen:total]
	_ = t[TCPHeaderLen-1]
	binary.BigEndian.PutUint16(t[0:], h.SrcPort)
	binary.BigEndian.PutUint16(t[2:], h.DstPort)
	binary.BigEndian.PutUint32(t[4:], h.Seq)
	binary.BigEndian.PutUint32(t[8:], h.Ack)
	t[12] = uint8(hl/4) << 4
	t[13] = h.Flags
	binary.BigEndian.PutUint16(t[14:], h.Window)
	t[16], t[17] = 0, 0
	binary.BigEndian.PutUint16(t[18:], h.Urgent)
	if hl > TCPHeaderLen {
		o := t[TCPHeaderLen:hl]
		if h.MSS != 0 {
			o[0], o[1] = 2, 4
			binary.BigEndian.PutUint16(o[2:], h.MSS)
			o = o[4:]
		}
		if h.WScale >= 0 {
			o[0], o[1], o[2], o[3] = 1, 3, 3, uint8(h.WScale)
		}
	}
	copy(t[hl:], payload)
	// The header's sum from its fields, word by word (the same sum as
	// reading them back); the header is an even number of bytes, so the
	// payload's words start on a word boundary and its sum adds on (RFC
	// 1071 §2(C)).
	acc := pseudoSum(ip.Src, ip.Dst, ProtoTCP, tlen) +
		uint64(h.SrcPort) + uint64(h.DstPort) + uint64(h.Seq>>16) + uint64(h.Seq&0xffff) +
		uint64(h.Ack>>16) + uint64(h.Ack&0xffff) + uint64(t[12])<<8 + uint64(h.Flags) +
		uint64(h.Window) + uint64(h.Urgent)
	if hl > TCPHeaderLen {
		acc = Sum(acc, t[TCPHeaderLen:hl])
	}
	acc, c := bits.Add64(acc, paySum, 0)
	c16 := ^Fold(acc + c)
	binary.BigEndian.PutUint16(t[16:], c16)
	h.Checksum = c16
	return buf
}

// ParseTCP decodes the TCP segment seg carried in an IPv4 packet with header
// ip: it verifies the checksum, the data offset and the options' lengths,
// and returns the header and the payload (a sub-slice of seg).
func ParseTCP(ip IPv4, seg []byte) (TCP, []byte, error) { return ParseTCPWith(ip, seg, nil) }

// PayloadSum returns the unfolded one's-complement sum of a payload (as
// Sum(0, payload), or a number congruent to it modulo 0xffff) when it can
// find it more cheaply than Sum, and false when it cannot.
type PayloadSum func(payload []byte) (uint64, bool)

// ParseTCPWith is ParseTCP with a faster way, ps, to sum the payload for
// the checksum; the header and the pseudo-header are summed as usual, and
// the payload by Sum when ps is nil or declines. The result is the same.
func ParseTCPWith(ip IPv4, seg []byte, ps PayloadSum) (TCP, []byte, error) {
	h := TCP{WScale: -1}
	if len(seg) < TCPHeaderLen {
		return h, nil, fmt.Errorf("%w: %d bytes, TCP header needs 20", ErrShort, len(seg))
	}
	if Fold(sumSplit(pseudoSum(ip.Src, ip.Dst, ProtoTCP, len(seg)), seg, int(seg[12]>>4)*4, ps)) != 0xffff {
		return h, nil, fmt.Errorf("%w: TCP", ErrChecksum)
	}
	hl := int(seg[12]>>4) * 4
	if hl < TCPHeaderLen || hl > len(seg) {
		return h, nil, fmt.Errorf("%w: TCP data offset %d bytes, segment %d", ErrHeader, hl, len(seg))
	}
	h.SrcPort = binary.BigEndian.Uint16(seg[0:])
	h.DstPort = binary.BigEndian.Uint16(seg[2:])
	h.Seq = binary.BigEndian.Uint32(seg[4:])
	h.Ack = binary.BigEndian.Uint32(seg[8:])
	h.Flags = seg[13] & 0x3f
	h.Window = binary.BigEndian.Uint16(seg[14:])
	h.Checksum = binary.BigEndian.Uint16(seg[16:])
	h.Urgent = binary.BigEndian.Uint16(seg[18:])
	o := seg[TCPHeaderLen:hl]
	for len(o) > 0 {
		switch o[0] {
		case 0: // end of option list
			o = nil
			continue
		case 1: // no-operation
			o = o[1:]
			continue
		}
		if len(o) < 2 || int(o[1]) < 2 || int(o[1]) > len(o) {
			return h, nil, fmt.Errorf("%w: TCP option kind %d truncated", ErrHeader, o[0])
		}
		switch {
		case o[0] == 2 && o[1] == 4:
			h.MSS = binary.BigEndian.Uint16(o[2:])
		case o[0] == 3 && o[1] == 3:
			// RFC 7323 §2.3: a shift above 14 is treated as 14.
			h.WScale = int8(min(o[2], 14))
		}
		o = o[o[1]:]
	}
	return h, seg[hl:], nil
}
