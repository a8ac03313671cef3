package wire

import "encoding/binary"

// ECN codepoints of the IPv4 ECN field (RFC 3168 §5).
const (
	ECNNotECT uint8 = 0 // not ECN-capable transport
	ECNECT1   uint8 = 1 // ECN-capable transport, ECT(1)
	ECNECT0   uint8 = 2 // ECN-capable transport, ECT(0)
	ECNCE     uint8 = 3 // congestion experienced
)

// UpdateChecksum returns the checksum field hc after one 16-bit word of the
// covered data changed from old to new, without summing the rest again:
// HC' = ~(~HC + ~m + m'), RFC 1624 §3 equation 3. Unlike equation 2 of RFC
// 1141 it never yields 0x0000 for a header whose sum is not zero (RFC 1624
// §4), so the result equals a full recomputation.
func UpdateChecksum(hc, old, new uint16) uint16 {
	s := uint64(^hc) + uint64(^old) + uint64(new)
	return ^Fold(s)
}

// DecrementTTL lowers the TTL of the IPv4 header at the start of pkt by one
// and updates its header checksum incrementally (RFC 1624), as a router
// does when it forwards (RFC 791 §3.2, RFC 1812 §5.3.1). It returns the new
// TTL; ok is false, and pkt is left unchanged, if the TTL was already 0 or
// pkt is shorter than an IPv4 header.
func DecrementTTL(pkt []byte) (ttl uint8, ok bool) {
	if len(pkt) < IPv4HeaderLen || pkt[8] == 0 {
		return 0, false
	}
	old := binary.BigEndian.Uint16(pkt[8:]) // TTL and protocol share a word
	pkt[8]--
	hc := binary.BigEndian.Uint16(pkt[10:])
	binary.BigEndian.PutUint16(pkt[10:], UpdateChecksum(hc, old, binary.BigEndian.Uint16(pkt[8:])))
	return pkt[8], true
}

// SetECN sets the ECN field of the IPv4 header at the start of pkt to
// codepoint (e.g. ECNCE when a queue marks instead of dropping, RFC 3168
// §5) and updates the header checksum incrementally (RFC 1624). It reports
// false, and leaves pkt unchanged, if pkt is shorter than an IPv4 header.
func SetECN(pkt []byte, codepoint uint8) bool {
	if len(pkt) < IPv4HeaderLen {
		return false
	}
	old := binary.BigEndian.Uint16(pkt[0:])
	pkt[1] = pkt[1]&^3 | codepoint&3
	hc := binary.BigEndian.Uint16(pkt[10:])
	binary.BigEndian.PutUint16(pkt[10:], UpdateChecksum(hc, old, binary.BigEndian.Uint16(pkt[0:])))
	return true
}
