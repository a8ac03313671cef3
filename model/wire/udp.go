package wire

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// UDPHeaderLen is the length of a UDP header (RFC 768).
const UDPHeaderLen = 8

// UDP is a UDP header (RFC 768).
type UDP struct {
	SrcPort, DstPort uint16
	// Length is header plus data; set by encoders.
	Length uint16
	// Checksum as found on the wire; 0 means the sender did not compute
	// one (allowed in IPv4).
	Checksum uint16
}

// BuildUDP writes an IPv4 packet carrying a UDP datagram with the given
// payload into buf (reusing its capacity) and returns it. With sum false the
// UDP checksum field is 0 (no checksum, RFC 768).
func BuildUDP(buf []byte, ip IPv4, h UDP, payload []byte, sum bool) []byte {
	var ps uint64
	if sum {
		ps = Sum(0, payload)
	}
	return BuildUDPSum(buf, ip, h, payload, sum, ps)
}

// UDPBuffer returns buf resized (reusing its capacity) to hold an IPv4
// packet carrying a UDP datagram of n payload bytes, and the payload's
// place in it: a sender may write the payload there and pass that slice
// to BuildUDPSum with the same buffer, which then copies nothing.
func UDPBuffer(buf []byte, n int) (pkt, payload []byte) {
	buf = grow(buf, IPv4HeaderLen+UDPHeaderLen+n)
	return buf, buf[IPv4HeaderLen+UDPHeaderLen:]
}

// BuildUDPSum is BuildUDP for a caller that already knows paySum, the
// unfolded one's-complement sum of payload (see BuildTCPSum); it is unused
// when sum is false. The payload may already be in place (see UDPBuffer).
func BuildUDPSum(buf []byte, ip IPv4, h UDP, payload []byte, sum bool, paySum uint64) []byte {
	ulen := UDPHeaderLen + len(payload)
	total := IPv4HeaderLen + ulen
	buf = grow(buf, total)
	ip.Protocol = ProtoUDP
	PutIPv4(buf, ip, total)
	u := buf[IPv4HeaderLen:total]
	binary.BigEndian.PutUint16(u[0:], h.SrcPort)
	binary.BigEndian.PutUint16(u[2:], h.DstPort)
	binary.BigEndian.PutUint16(u[4:], uint16(ulen))
	u[6], u[7] = 0, 0
	if len(payload) > 0 && &u[UDPHeaderLen] != &payload[0] {
		copy(u[UDPHeaderLen:], payload)
	}
	if sum {
		acc, c := bits.Add64(Sum(pseudoSum(ip.Src, ip.Dst, ProtoUDP, ulen), u[:UDPHeaderLen]), paySum, 0)
		c16 := ^Fold(acc + c)
		if c16 == 0 {
			c16 = 0xffff // RFC 768: a computed zero is sent as all ones
		}
		binary.BigEndian.PutUint16(u[6:], c16)
	}
	return buf
}

// ParseUDP decodes the UDP datagram seg carried in an IPv4 packet with
// header ip, verifying the checksum when one is present. It returns the
// header and the payload (a sub-slice of seg).
func ParseUDP(ip IPv4, seg []byte) (UDP, []byte, error) { return ParseUDPWith(ip, seg, nil) }

// ParseUDPWith is ParseUDP with a faster way, ps, to sum the payload for
// the checksum (see ParseTCPWith). The result is the same.
func ParseUDPWith(ip IPv4, seg []byte, ps PayloadSum) (UDP, []byte, error) {
	var h UDP
	if len(seg) < UDPHeaderLen {
		return h, nil, fmt.Errorf("%w: %d bytes, UDP header needs 8", ErrShort, len(seg))
	}
	h.SrcPort = binary.BigEndian.Uint16(seg[0:])
	h.DstPort = binary.BigEndian.Uint16(seg[2:])
	h.Length = binary.BigEndian.Uint16(seg[4:])
	h.Checksum = binary.BigEndian.Uint16(seg[6:])
	if int(h.Length) < UDPHeaderLen || int(h.Length) > len(seg) {
		return h, nil, fmt.Errorf("%w: UDP length %d, have %d bytes", ErrLength, h.Length, len(seg))
	}
	seg = seg[:h.Length]
	if h.Checksum != 0 && Fold(sumSplit(pseudoSum(ip.Src, ip.Dst, ProtoUDP, len(seg)), seg, UDPHeaderLen, ps)) != 0xffff {
		return h, nil, fmt.Errorf("%w: UDP", ErrChecksum)
	}
	return h, seg[UDPHeaderLen:], nil
}

// grow returns buf resized to n bytes, reallocating only when its capacity
// is too small.
func grow(buf []byte, n int) []byte {
	if cap(buf) < n {
		return make([]byte, n, max(n, 2048))
	}
	return buf[:n]
}
