package rdt

import (
	"encoding/binary"
	"errors"
	"fmt"

	"tcpsim/model/payload"
	"tcpsim/model/wire"
)

// HeaderLen is the length of an rdt header in bytes.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+---------------+---------------+-------------------------------+
//	|     Type      |   Seq bits k  |        Sequence number        |
//	+---------------+---------------+-------------------------------+
//	|          ACK number           |        Payload length         |
//	+-------------------------------+-------------------------------+
//	|           Checksum            |  payload (data packets only)...
//	+-------------------------------+
//
// Type is 1 (data), 2 (ACK) or 3 (NAK, rdt 2.0 and 2.1 only). k is the sender's seq_bits: sequence and
// ACK numbers lie in [0, 2^k), so a reader of a capture knows where they
// wrap. A data packet carries its sequence number and an ACK number of 0;
// an ACK carries the number it acknowledges and a sequence number of 0.
// The checksum is the Internet checksum (RFC 1071) over a pseudo-header of
// the UDP source and destination ports (as RFC 768 covers the addresses,
// so that a packet whose port was damaged cannot be taken by another
// flow), the header with the checksum field zero, and the payload.
const HeaderLen = 10

// MaxPayload is the largest payload an rdt packet carries: a UDP datagram
// of 65507 bytes (RFC 768 over IPv4) less the rdt header.
const MaxPayload = 65507 - HeaderLen

// MaxSeqBits is the largest sequence-number width: the header carries
// 16-bit numbers.
const MaxSeqBits = 16

// Type is an rdt packet's type.
type Type uint8

// Packet types.
const (
	Data Type = 1 // carries application bytes
	ACK  Type = 2 // acknowledges a sequence number
	// NAK asks for the packet again (rdt 2.0 and 2.1, K&R §3.4.1).
	// Deviation: K&R's NAK (and rdt 2.1's ACK) carries no number; here
	// it carries in its ACK number field the sequence number the
	// receiver waits for (rdt 2.0: always 0), which the sender ignores,
	// so that a diagram can say which packet it answers.
	NAK Type = 3
)

func (t Type) String() string {
	switch t {
	case Data:
		return "DATA"
	case ACK:
		return "ACK"
	case NAK:
		return "NAK"
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// Header is an rdt packet header. Length is set by the encoder from the
// payload; Checksum is what the wire holds (set by the encoder).
type Header struct {
	Type     Type
	SeqBits  uint8  // k: numbers are taken modulo 2^k
	Seq      uint16 // data: the packet's sequence number
	Ack      uint16 // ACK: the sequence number acknowledged
	Length   uint16 // payload bytes
	Checksum uint16
}

// Label names the packet as the textbook does: "pkt 3", "ACK 2" or
// "NAK 0".
func (h *Header) Label() string {
	if h.Type != Data {
		return fmt.Sprintf("%v %d", h.Type, h.Ack)
	}
	return fmt.Sprintf("pkt %d", h.Seq)
}

// Decoding errors. A packet that fails to decode is dropped and counted,
// never panicked on.
var (
	ErrShort     = errors.New("rdt: packet shorter than its header")
	ErrChecksum  = errors.New("rdt: bad checksum")
	ErrMalformed = errors.New("rdt: malformed header")
)

// pseudoSum is the unfolded sum of the ports pseudo-header.
func pseudoSum(srcPort, dstPort uint16) uint64 { return uint64(srcPort) + uint64(dstPort) }

// Put writes h and its checksum into b[:HeaderLen], for a packet whose
// payload is data (already in place after the header, or anywhere: only
// its sum is used). paySum is the unfolded one's-complement sum of data
// (wire.Sum or payload.Sum). It sets h.Length and h.Checksum.
func Put(b []byte, h *Header, srcPort, dstPort uint16, n int, paySum uint64) {
	h.Length = uint16(n)
	b[0], b[1] = byte(h.Type), h.SeqBits
	binary.BigEndian.PutUint16(b[2:], h.Seq)
	binary.BigEndian.PutUint16(b[4:], h.Ack)
	binary.BigEndian.PutUint16(b[6:], h.Length)
	b[8], b[9] = 0, 0
	// paySum is folded first so that the addition stays inside 64 bits
	// whatever the caller passed.
	acc := wire.Sum(pseudoSum(srcPort, dstPort), b[:HeaderLen]) + uint64(wire.Fold(paySum))
	h.Checksum = ^wire.Fold(acc)
	binary.BigEndian.PutUint16(b[8:], h.Checksum)
}

// Append appends the encoded packet (header and payload) to b and
// returns the extended slice. It is the reference encoder; the engine
// binding writes in place with Put.
func Append(b []byte, h *Header, srcPort, dstPort uint16, data []byte) []byte {
	off := len(b)
	b = append(b, make([]byte, HeaderLen)...)
	b = append(b, data...)
	Put(b[off:], h, srcPort, dstPort, len(data), wire.Sum(0, data))
	return b
}

// Decode parses and verifies the rdt packet seg (a UDP payload) that
// arrived from srcPort to dstPort. It returns the header and the payload,
// a sub-slice of seg. It checks the checksum first (a damaged packet is
// ErrChecksum whatever else is wrong with it), then the fields: a type
// of data or ACK, k from 1 to MaxSeqBits, numbers below 2^k, a length
// equal to the bytes present, a payload on data packets only.
func Decode(seg []byte, srcPort, dstPort uint16) (Header, []byte, error) {
	var h Header
	if len(seg) < HeaderLen {
		return h, nil, fmt.Errorf("%w: %d bytes, want at least %d", ErrShort, len(seg), HeaderLen)
	}
	acc := wire.Sum(pseudoSum(srcPort, dstPort), seg[:HeaderLen])
	rest := seg[HeaderLen:]
	if s, ok := payload.SumIfStream(rest); ok {
		acc += uint64(wire.Fold(s)) // folded: the addition cannot overflow
	} else {
		acc = wire.Sum(acc, rest)
	}
	if wire.Fold(acc) != 0xffff {
		return h, nil, ErrChecksum
	}
	h.Type, h.SeqBits = Type(seg[0]), seg[1]
	h.Seq = binary.BigEndian.Uint16(seg[2:])
	h.Ack = binary.BigEndian.Uint16(seg[4:])
	h.Length = binary.BigEndian.Uint16(seg[6:])
	h.Checksum = binary.BigEndian.Uint16(seg[8:])
	switch {
	case h.Type != Data && h.Type != ACK && h.Type != NAK:
		return h, nil, fmt.Errorf("%w: type %d", ErrMalformed, h.Type)
	case h.SeqBits < 1 || h.SeqBits > MaxSeqBits:
		return h, nil, fmt.Errorf("%w: %d sequence bits", ErrMalformed, h.SeqBits)
	case uint32(h.Seq)>>h.SeqBits != 0 || uint32(h.Ack)>>h.SeqBits != 0:
		return h, nil, fmt.Errorf("%w: number beyond 2^%d", ErrMalformed, h.SeqBits)
	case int(h.Length) != len(rest):
		return h, nil, fmt.Errorf("%w: length %d, %d payload bytes present", ErrMalformed, h.Length, len(rest))
	case h.Type == Data && h.Length == 0, h.Type != Data && h.Length != 0:
		return h, nil, fmt.Errorf("%w: %v with %d payload bytes", ErrMalformed, h.Type, h.Length)
	}
	return h, rest, nil
}

// Peek reads the rdt header at the start of seg (a UDP payload) for
// traces, leniently: it checks the length it reads but not the checksum,
// so that a damaged packet can still be described.
func Peek(seg []byte) (Header, bool) {
	if len(seg) < HeaderLen {
		return Header{}, false
	}
	return Header{
		Type: Type(seg[0]), SeqBits: seg[1],
		Seq: binary.BigEndian.Uint16(seg[2:]), Ack: binary.BigEndian.Uint16(seg[4:]),
		Length: binary.BigEndian.Uint16(seg[6:]), Checksum: binary.BigEndian.Uint16(seg[8:]),
	}, true
}
