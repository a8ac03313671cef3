// Package wire encodes and decodes the bytes tcpsim puts on its links:
// IPv4 headers (RFC 791), UDP headers (RFC 768) and TCP headers (RFC 9293
// §3.1), all in network byte order, with the Internet checksum of RFC 1071.
//
// The package is pure: no engine, no state. Decoders validate and return
// errors, and never panic, whatever the input.
package wire

import (
	"encoding/binary"
	"math/bits"
)

// Sum adds b to the running one's-complement sum acc, as in RFC 1071 §4.1,
// treating b as a sequence of 16-bit big-endian words (an odd final byte is
// padded with zero). The result is unfolded: pass it to Fold. Because
// one's-complement addition is commutative and associative, the sum is
// accumulated eight bytes at a time with end-around carry (RFC 1071 §2(C)),
// which gives the same result as the 16-bit loop, several times faster.
//
// Sum must be called with even-length chunks except for the last one.
func Sum(acc uint64, b []byte) uint64 {
	var c uint64
	for len(b) >= 32 {
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b), c)
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[8:]), c)
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[16:]), c)
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[24:]), c)
		b = b[32:]
	}
	for len(b) >= 8 {
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b), c)
		b = b[8:]
	}
	acc, c = bits.Add64(acc, 0, c)
	acc += c
	for len(b) >= 2 {
		acc, c = bits.Add64(acc, uint64(binary.BigEndian.Uint16(b)), 0)
		acc += c
		b = b[2:]
	}
	if len(b) == 1 {
		acc, c = bits.Add64(acc, uint64(b[0])<<8, 0)
		acc += c
	}
	return acc
}

// Fold reduces a running sum to 16 bits with end-around carries.
func Fold(acc uint64) uint16 {
	acc = (acc >> 32) + (acc & 0xffffffff)
	acc = (acc >> 32) + (acc & 0xffffffff)
	acc = (acc >> 16) + (acc & 0xffff)
	acc = (acc >> 16) + (acc & 0xffff)
	acc = (acc >> 16) + (acc & 0xffff)
	return uint16(acc)
}

// Checksum returns the Internet checksum of b: the one's complement of the
// one's-complement sum of its 16-bit words (RFC 1071).
func Checksum(b []byte) uint16 { return ^Fold(Sum(0, b)) }

// pseudoSum is the sum of the IPv4 pseudo-header (RFC 768, RFC 9293
// §3.1): source, destination, zero, protocol, transport length.
func pseudoSum(src, dst Addr, proto uint8, length int) uint64 {
	return uint64(binary.BigEndian.Uint32(src[:])) +
		uint64(binary.BigEndian.Uint32(dst[:])) +
		uint64(proto) + uint64(length)
}

// sumSplit adds b to acc, the first hl bytes by Sum and the rest by ps when
// ps knows their sum. hl must be even for the split to hold; an odd or out
// of range hl (a damaged header) sums b whole.
func sumSplit(acc uint64, b []byte, hl int, ps PayloadSum) uint64 {
	if ps == nil || hl%2 != 0 || hl > len(b) {
		return Sum(acc, b)
	}
	s, ok := ps(b[hl:])
	if !ok {
		return Sum(acc, b)
	}
	acc, c := bits.Add64(sumHeader(acc, b[:hl]), s, 0)
	return acc + c
}

// sumHeader is Sum for a header of even length, with the common 20-byte
// case (IPv4 and TCP without options) unrolled.
func sumHeader(acc uint64, b []byte) uint64 {
	if len(b) != 20 {
		return Sum(acc, b)
	}
	var c uint64
	acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b), 0)
	acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[8:]), c)
	acc, c = bits.Add64(acc, uint64(binary.BigEndian.Uint32(b[16:])), c)
	return acc + c
}

// sumHeader20 is the sum of a 20-byte header (b must be that long), small
// enough to be inlined: three loads, no carry can be lost (the 32-bit
// halves of 64-bit words are summed separately).
func sumHeader20(b []byte) uint64 {
	_ = b[19]
	w0, w1 := binary.BigEndian.Uint64(b), binary.BigEndian.Uint64(b[8:])
	return w0>>32 + w0&0xffffffff + w1>>32 + w1&0xffffffff + uint64(binary.BigEndian.Uint32(b[16:]))
}
