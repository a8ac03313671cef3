package wire

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// Flips chosen to be detectable fail the checksum; pairs chosen to cancel
// pass it with different bytes: the Internet checksum is not perfect
// (RFC 1071 §2, and Stone & Partridge 2000 for how often it misses).
func TestFlipPayloadBits(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for _, tc := range []struct {
		name         string
		udp          bool
		bits         int
		undetectable bool
		want         int
	}{
		{"tcp one bit", false, 1, false, 1},
		{"tcp two bits detected", false, 2, false, 2},
		{"tcp sixteen bits detected", false, 16, false, 16},
		{"tcp two bits undetected", false, 2, true, 2},
		{"tcp six bits undetected", false, 6, true, 6},
		{"tcp odd count undetected flips one fewer", false, 3, true, 2},
		{"udp two bits undetected", true, 2, true, 2},
		{"udp three bits detected", true, 3, false, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 50 {
				var pkt []byte
				if tc.udp {
					pkt = BuildUDP(nil, IPv4{Src: srcA, Dst: dstB}, UDP{SrcPort: 7, DstPort: 9}, payload(r.IntN(1400)+64), true)
				} else {
					h := TCP{SrcPort: 1, DstPort: 2, Seq: r.Uint32(), Ack: 4, Flags: FlagACK, Window: 5, WScale: -1}
					pkt = BuildTCP(nil, IPv4{Src: srcA, Dst: dstB}, &h, payload(r.IntN(1400)+64))
				}
				orig := bytes.Clone(pkt)
				got := FlipPayloadBits(pkt, tc.bits, tc.undetectable)
				if got != tc.want {
					t.Fatalf("flipped %d bits, want %d", got, tc.want)
				}
				if d := bitDiff(orig, pkt); d != got {
					t.Fatalf("%d bits differ, want %d", d, got)
				}
				if !bytes.Equal(orig[:IPv4HeaderLen+8], pkt[:IPv4HeaderLen+8]) {
					t.Fatal("a header byte changed")
				}
				err := parse(pkt)
				if tc.undetectable && err != nil {
					t.Fatalf("cancelling flips were detected: %v", err)
				}
				if !tc.undetectable && err == nil {
					t.Fatal("detectable flips passed the checksum")
				}
			}
		})
	}
}

// A packet without payload, or one too short for the flips, gets what fits.
func TestFlipPayloadBitsShort(t *testing.T) {
	h := TCP{SrcPort: 1, DstPort: 2, Flags: FlagACK, WScale: -1}
	ack := BuildTCP(nil, IPv4{Src: srcA, Dst: dstB}, &h, nil)
	if n := FlipPayloadBits(ack, 2, true); n != 0 {
		t.Errorf("pure ACK: flipped %d bits, want 0", n)
	}
	if n := FlipPayloadBits([]byte{1, 2, 3}, 1, false); n != 0 {
		t.Errorf("garbage: flipped %d bits, want 0", n)
	}
	one := BuildTCP(nil, IPv4{Src: srcA, Dst: dstB}, &h, []byte{0})
	if n := FlipPayloadBits(one, 1, false); n != 0 {
		t.Errorf("1-byte payload (no whole word): flipped %d bits, want 0", n)
	}
}

func bitDiff(a, b []byte) int {
	n := 0
	for i := range a {
		for x := a[i] ^ b[i]; x != 0; x &= x - 1 {
			n++
		}
	}
	return n
}

// FlipPayloadBitsAfter leaves the first skip bytes of the UDP payload
// (the header of a protocol carried in UDP) as they were, and flips as
// many bits after them as FlipPayloadBits would.
func TestFlipPayloadBitsAfter(t *testing.T) {
	for _, undetectable := range []bool{false, true} {
		for _, skip := range []int{0, 9, 10, 64} {
			pkt := BuildUDP(nil, IPv4{Src: srcA, Dst: dstB}, UDP{SrcPort: 7, DstPort: 9}, payload(200), true)
			orig := bytes.Clone(pkt)
			if n := FlipPayloadBitsAfter(pkt, skip, 4, undetectable); n != 4 {
				t.Fatalf("skip %d, undetectable %v: flipped %d bits, want 4", skip, undetectable, n)
			}
			start := IPv4HeaderLen + UDPHeaderLen + skip + skip%2
			if !bytes.Equal(pkt[:start], orig[:start]) || bytes.Equal(pkt[start:], orig[start:]) {
				t.Errorf("skip %d, undetectable %v: want the first %d bytes kept and the rest changed", skip, undetectable, start)
			}
		}
	}
	pkt := BuildUDP(nil, IPv4{Src: srcA, Dst: dstB}, UDP{SrcPort: 7, DstPort: 9}, make([]byte, 10), true)
	if n := FlipPayloadBitsAfter(pkt, 10, 2, false); n != 0 {
		t.Errorf("nothing after the skipped header: flipped %d bits, want 0", n)
	}
}
