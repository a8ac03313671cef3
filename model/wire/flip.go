package wire

import "encoding/binary"

// FlipPayloadBits flips up to n bits of the TCP or UDP payload of the IPv4
// packet pkt, in place, and returns how many it flipped (fewer when the
// payload is too short, 0 when it is empty or pkt is not IPv4 carrying TCP
// or UDP). The choice is deterministic: no random number is drawn. Headers
// are never touched, so the packet still reaches its endpoint, whose
// checksum decides.
//
// The RFC 1071 checksum sums the segment as 16-bit words. The payload
// starts at an even offset from the TCP or UDP header (both header lengths
// are multiples of 4), so its words are words of the sum. Two modes:
//
//   - detectable (undetectable false): flip k (k < n) sets bit k mod 8 (or
//     the next bit of the low byte that can be set) in the first unused
//     payload word where it is 0. Every flip adds to the sum, and n ≤ 16
//     flips add at most 16·128 < 65535, so the sum changes modulo 65535 and
//     the receiver's check fails.
//   - undetectable (undetectable true, n even): pairs of flips that cancel
//     (RFC 1071 §2: the sum is blind to them). Pair j picks bit p = j mod 16 (or
//     the next position that works), sets it in the first unused word where
//     it is 0 (adding 2^p) and clears it in the next unused word where it
//     is 1 (subtracting 2^p). The sum of
//     the words is unchanged, so the checksum still matches and the wrong
//     bytes are delivered. An odd n flips n-1 bits.
//
// n is capped at 16.
func FlipPayloadBits(pkt []byte, n int, undetectable bool) int {
	return FlipPayloadBitsAfter(pkt, 0, n, undetectable)
}

// FlipPayloadBitsAfter is FlipPayloadBits on the transport payload less
// its first skip bytes: the header of a protocol carried inside UDP (an
// rdt header, model/rdt), which the flips then leave alone as they leave
// TCP's and UDP's. An odd skip is rounded up, so that the words flipped
// stay words of the RFC 1071 sum; a skip past the end leaves nothing to
// flip.
func FlipPayloadBitsAfter(pkt []byte, skip, n int, undetectable bool) int {
	p := payloadOf(pkt)
	skip += skip % 2
	if skip >= len(p) {
		return 0
	}
	p = p[max(skip, 0):]
	words := len(p) / 2 // a trailing odd byte is padded in the sum: not used
	n = min(n, 16)
	if undetectable {
		n -= n % 2
	}
	used := make([]bool, words) // scripted faults are rare: an allocation is fine
	// find returns the first unused word, from start, whose bit b is set (or
	// clear); -1 if none.
	find := func(start, b int, set bool) int {
		for w := start; w < words; w++ {
			if used[w] {
				continue
			}
			if (binary.BigEndian.Uint16(p[2*w:])>>b&1 == 1) == set {
				return w
			}
		}
		return -1
	}
	flip := func(w, b int) {
		used[w] = true
		v := binary.BigEndian.Uint16(p[2*w:]) ^ 1<<b
		binary.BigEndian.PutUint16(p[2*w:], v)
	}
	done := 0
	if !undetectable {
		for k := range n {
			// Bit k mod 8, or the next low-byte bit that some unused word
			// has clear.
			w, b := -1, 0
			for i := range 8 {
				b = (k + i) % 8
				if w = find(0, b, false); w >= 0 {
					break
				}
			}
			if w < 0 {
				break
			}
			flip(w, b)
			done++
		}
		return done
	}
	for j := range n / 2 {
		// Bit j mod 16, or the next bit position that some unused word
		// has clear and another has set.
		up, down, b := -1, -1, 0
		for i := range 16 {
			b = (j + i) % 16
			if up = find(0, b, false); up < 0 {
				continue
			}
			if down = find(up+1, b, true); down < 0 {
				down = find(0, b, true)
			}
			if down >= 0 {
				break
			}
		}
		if up < 0 || down < 0 {
			break
		}
		flip(up, b)
		flip(down, b)
		done += 2
	}
	return done
}

// payloadOf returns the TCP or UDP payload of an IPv4 packet, or nil.
func payloadOf(pkt []byte) []byte {
	if len(pkt) < IPv4HeaderLen || pkt[0]>>4 != 4 {
		return nil
	}
	ihl := int(pkt[0]&0x0f) * 4
	total := min(int(binary.BigEndian.Uint16(pkt[2:])), len(pkt))
	if ihl < IPv4HeaderLen || total < ihl {
		return nil
	}
	t := pkt[ihl:total]
	switch pkt[9] {
	case ProtoTCP:
		if len(t) < TCPHeaderLen {
			return nil
		}
		hl := int(t[12]>>4) * 4
		if hl < TCPHeaderLen || hl > len(t) {
			return nil
		}
		return t[hl:]
	case ProtoUDP:
		if len(t) < UDPHeaderLen {
			return nil
		}
		return t[UDPHeaderLen:]
	}
	return nil
}
