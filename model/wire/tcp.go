package wire

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"strings"
)

// TCPHeaderLen is the length of a TCP header without options.
const TCPHeaderLen = 20

// TCP control bits (RFC 9293 §3.1; ECE and CWR from RFC 3168 §6.1).
const (
	FlagFIN uint8 = 1 << iota
	FlagSYN
	FlagRST
	FlagPSH
	FlagACK
	FlagURG
	// FlagECE is ECN-Echo: on a SYN it offers ECN, on a SYN-ACK it
	// accepts it, and afterwards it echoes a CE mark back to the sender
	// (RFC 3168 §6.1.1, §6.1.3).
	FlagECE
	// FlagCWR is Congestion Window Reduced: the sender has reacted to an
	// ECE (RFC 3168 §6.1.2); on a SYN, with ECE, it offers ECN.
	FlagCWR
)

// FlagString formats flags as Wireshark does, e.g. "SYN,ACK" or
// "SYN,ECE,CWR".
func FlagString(f uint8) string {
	var parts []string
	for _, p := range []struct {
		bit  uint8
		name string
	}{{FlagSYN, "SYN"}, {FlagFIN, "FIN"}, {FlagRST, "RST"}, {FlagPSH, "PSH"}, {FlagACK, "ACK"}, {FlagURG, "URG"},
		{FlagECE, "ECE"}, {FlagCWR, "CWR"}} {
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
	// SACKPermitted is the SACK-permitted option (RFC 2018 §2). Only sent
	// on SYN segments.
	SACKPermitted bool
	// Timestamps says the Timestamps option (RFC 7323 §3) is present,
	// with TSval and TSecr.
	Timestamps   bool
	TSval, TSecr uint32
	// SACK holds the SACK option's blocks (RFC 2018 §3); the first NSACK
	// are valid, the rest are zero. A fixed array, so that a header
	// carrying SACK blocks costs no allocation.
	SACK  [MaxSACKBlocks]SACKBlock
	NSACK uint8
}

// SACKBlock is one block of the SACK option (RFC 2018 §3): the peer holds
// the sequence space [Left, Right) ("Left Edge of Block" and "Right Edge of
// Block", the first sequence number of the block and the one just past it).
type SACKBlock struct{ Left, Right uint32 }

// Sizes of the TCP options (RFC 9293 §3.1, RFC 2018, RFC 7323).
const (
	// MaxOptionLen is the most option bytes a TCP header holds: the data
	// offset counts 15 words, 5 of which are the fixed header.
	MaxOptionLen = 40
	// MaxSACKBlocks is the most SACK blocks that fit in the option space
	// (2 + 4·8 = 34 bytes; RFC 2018 §3).
	MaxSACKBlocks = 4
	// TimestampsLen is the space the Timestamps option takes with the two
	// NOPs that align it (RFC 7323 Appendix A): 12 bytes, which is also
	// the payload a full segment gives up to carry it.
	TimestampsLen = 12
)

// optLenNoSACK returns the encoded length of h's options other than SACK
// blocks, each padded to 4 bytes with NOPs as real stacks lay them out
// (RFC 7323 Appendix A; Linux's order: MSS, SACK-permitted with
// Timestamps, Window Scale).
func (h *TCP) optLenNoSACK() int {
	n := 0
	if h.MSS != 0 {
		n += 4
	}
	if h.Timestamps {
		n += TimestampsLen // SACK-permitted or two NOPs, then 10 bytes
	} else if h.SACKPermitted {
		n += 4 // two NOPs and the 2-byte option
	}
	if h.WScale >= 0 {
		n += 4 // NOP + 3-byte option
	}
	return n
}

// SACKRoom returns how many SACK blocks fit in h's option space beside
// its other options: 4 alone, 3 with Timestamps (RFC 2018 §3, RFC 7323
// Appendix A).
func (h *TCP) SACKRoom() int {
	return max(0, min(MaxSACKBlocks, (MaxOptionLen-h.optLenNoSACK()-4)/8))
}

// nSACK returns how many of h's SACK blocks are encoded: NSACK, cut to
// what fits.
func (h *TCP) nSACK() int { return min(int(h.NSACK), h.SACKRoom()) }

// noOptions reports whether h carries no option at all: the common case
// of a segment after a handshake without SACK or timestamps, whose header
// is the fixed 20 bytes.
func (h *TCP) noOptions() bool {
	return h.MSS == 0 && h.WScale < 0 && !h.Timestamps && !h.SACKPermitted && h.NSACK == 0
}

// optLen returns the encoded length of h's options, padded to 4 bytes.
func (h *TCP) optLen() int {
	n := h.optLenNoSACK()
	if k := h.nSACK(); k > 0 {
		n += 4 + 8*k // two NOPs, kind, length, blocks
	}
	return n
}

// TCPLen returns the encoded length of header h with a payload of n bytes.
func TCPLen(h *TCP, n int) int {
	if h.noOptions() {
		return TCPHeaderLen + n
	}
	return TCPHeaderLen + h.optLen() + n
}

// BuildTCP writes an IPv4 packet carrying the TCP segment h+payload into
// buf (reusing its capacity), with the RFC 1071 checksum over the
// pseudo-header, header and payload, and returns it. SACK blocks beyond
// what fits in the option space (SACKRoom) are left out.
func BuildTCP(buf []byte, ip IPv4, h *TCP, payload []byte) []byte {
	return BuildTCPSum(buf, ip, h, payload, Sum(0, payload))
}

// BuildTCPSum is BuildTCP for a caller that already knows paySum, the
// unfolded one's-complement sum of payload (Sum(0, payload) or any number
// congruent to it modulo 0xffff, such as payload.Sum gives in O(1) for
// pattern bytes): it copies the payload but does not read it again.
func BuildTCPSum(buf []byte, ip IPv4, h *TCP, payload []byte, paySum uint64) []byte {
	hl := TCPHeaderLen
	if !h.noOptions() {
		hl += h.optLen()
	}
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
		putOptions(t[TCPHeaderLen:hl], h)
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
	var h TCP
	data, err := ParseTCPInto(&h, ip, seg, ps)
	return h, data, err
}

// ParseTCPInto is ParseTCPWith writing the header into *h (every field:
// what the segment does not carry is reset), which saves copying the
// header for a caller that keeps it in place.
func ParseTCPInto(h *TCP, ip IPv4, seg []byte, ps PayloadSum) ([]byte, error) {
	*h = TCP{WScale: -1}
	if len(seg) < TCPHeaderLen {
		return nil, fmt.Errorf("%w: %d bytes, TCP header needs 20", ErrShort, len(seg))
	}
	hl := int(seg[12]>>4) * 4
	if Fold(sumSplit(pseudoSum(ip.Src, ip.Dst, ProtoTCP, len(seg)), seg, hl, ps)) != 0xffff {
		return nil, fmt.Errorf("%w: TCP", ErrChecksum)
	}
	if hl < TCPHeaderLen || hl > len(seg) {
		return nil, fmt.Errorf("%w: TCP data offset %d bytes, segment %d", ErrHeader, hl, len(seg))
	}
	h.SrcPort = binary.BigEndian.Uint16(seg[0:])
	h.DstPort = binary.BigEndian.Uint16(seg[2:])
	h.Seq = binary.BigEndian.Uint32(seg[4:])
	h.Ack = binary.BigEndian.Uint32(seg[8:])
	h.Flags = seg[13]
	h.Window = binary.BigEndian.Uint16(seg[14:])
	h.Checksum = binary.BigEndian.Uint16(seg[16:])
	h.Urgent = binary.BigEndian.Uint16(seg[18:])
	if hl > TCPHeaderLen {
		if err := parseOptions(seg[TCPHeaderLen:hl], h); err != nil {
			return nil, err
		}
	}
	return seg[hl:], nil
}

// putOptions writes h's options into o, which is h.optLen() bytes long,
// in the layout of RFC 7323 Appendix A that Linux uses: every option
// starts on its natural alignment, NOPs (kind 1) filling the gaps.
func putOptions(o []byte, h *TCP) {
	if h.MSS != 0 {
		o[0], o[1] = 2, 4
		binary.BigEndian.PutUint16(o[2:], h.MSS)
		o = o[4:]
	}
	switch {
	case h.Timestamps:
		// SACK-permitted, if sent, takes the two bytes that would
		// otherwise be NOPs in front of the Timestamps option.
		o[0], o[1] = 1, 1
		if h.SACKPermitted {
			o[0], o[1] = 4, 2
		}
		o[2], o[3] = 8, 10
		binary.BigEndian.PutUint32(o[4:], h.TSval)
		binary.BigEndian.PutUint32(o[8:], h.TSecr)
		o = o[TimestampsLen:]
	case h.SACKPermitted:
		o[0], o[1], o[2], o[3] = 1, 1, 4, 2
		o = o[4:]
	}
	if h.WScale >= 0 {
		o[0], o[1], o[2], o[3] = 1, 3, 3, uint8(h.WScale)
		o = o[4:]
	}
	if k := h.nSACK(); k > 0 {
		o[0], o[1], o[2], o[3] = 1, 1, 5, uint8(2+8*k)
		o = o[4:]
		for _, b := range h.SACK[:k] {
			binary.BigEndian.PutUint32(o[0:], b.Left)
			binary.BigEndian.PutUint32(o[4:], b.Right)
			o = o[8:]
		}
	}
}

// parseOptions decodes the option list o into h. An option list that runs
// past its end is an error; an option of a known kind with the wrong
// length, or a SACK option whose length is not 2 + 8·n for 1 ≤ n ≤ 4, is
// ignored (as real stacks do), and unknown kinds are skipped. A repeated
// option overrides the earlier one. It never reads outside o.
func parseOptions(o []byte, h *TCP) error {
	for len(o) > 0 {
		switch o[0] {
		case 0: // end of option list
			return nil
		case 1: // no-operation
			o = o[1:]
			continue
		}
		if len(o) < 2 || int(o[1]) < 2 || int(o[1]) > len(o) {
			return fmt.Errorf("%w: TCP option kind %d truncated", ErrHeader, o[0])
		}
		n := int(o[1])
		switch {
		case o[0] == 2 && n == 4:
			h.MSS = binary.BigEndian.Uint16(o[2:])
		case o[0] == 3 && n == 3:
			// RFC 7323 §2.3: a shift above 14 is treated as 14.
			h.WScale = int8(min(o[2], 14))
		case o[0] == 4 && n == 2:
			h.SACKPermitted = true
		case o[0] == 5 && n >= 10 && (n-2)%8 == 0 && (n-2)/8 <= MaxSACKBlocks:
			k := (n - 2) / 8
			h.SACK = [MaxSACKBlocks]SACKBlock{}
			for i := range k {
				b := o[2+8*i:]
				h.SACK[i] = SACKBlock{Left: binary.BigEndian.Uint32(b), Right: binary.BigEndian.Uint32(b[4:])}
			}
			h.NSACK = uint8(k)
		case o[0] == 8 && n == 10:
			h.Timestamps = true
			h.TSval = binary.BigEndian.Uint32(o[2:])
			h.TSecr = binary.BigEndian.Uint32(o[6:])
		}
		o = o[n:]
	}
	return nil
}
