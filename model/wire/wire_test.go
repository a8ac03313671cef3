package wire

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"
)

// naiveSum is RFC 1071's reference loop: 16-bit words, fold at the end.
func naiveSum(b []byte) uint16 {
	var s uint32
	for len(b) >= 2 {
		s += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	for s>>16 != 0 {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}

// TestRFC1071Example checks the worked example of RFC 1071 §3: the bytes
// 00 01 f2 03 f4 f5 f6 f7 sum to ddf2, so the checksum is ~ddf2 = 220d.
func TestRFC1071Example(t *testing.T) {
	b := []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}
	if got := Fold(Sum(0, b)); got != 0xddf2 {
		t.Fatalf("sum = %#04x, want 0xddf2", got)
	}
	if got := Checksum(b); got != 0x220d {
		t.Fatalf("checksum = %#04x, want 0x220d", got)
	}
}

func TestSumMatchesReferenceLoop(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for i := range 2000 {
		b := make([]byte, r.IntN(200))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		if i%7 == 0 {
			for j := range b {
				b[j] = 0xff // many carries
			}
		}
		if got, want := Fold(Sum(0, b)), naiveSum(b); got != want {
			t.Fatalf("len %d: Sum = %#04x, reference = %#04x", len(b), got, want)
		}
	}
}

var (
	srcA = Addr{10, 0, 0, 1}
	dstB = Addr{10, 0, 0, 2}
)

func payload(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*7 + 3)
	}
	return p
}

func TestTCPRoundTrip(t *testing.T) {
	in := TCP{SrcPort: 49152, DstPort: 8866, Seq: 0xfffffff0, Ack: 12345, Flags: FlagSYN | FlagACK, Window: 65535, MSS: 1460, WScale: 7}
	pkt := BuildTCP(nil, IPv4{Src: srcA, Dst: dstB, ID: 9}, &in, payload(33))
	ip, seg, err := ParseIPv4(pkt)
	if err != nil {
		t.Fatal(err)
	}
	if ip.Protocol != ProtoTCP || ip.Src != srcA || ip.Dst != dstB || int(ip.TotalLen) != len(pkt) {
		t.Fatalf("ip = %+v", ip)
	}
	out, data, err := ParseTCP(ip, seg)
	if err != nil {
		t.Fatal(err)
	}
	if out != in {
		t.Fatalf("got %+v, want %+v", out, in)
	}
	if string(data) != string(payload(33)) {
		t.Fatal("payload differs")
	}
	if FlagString(out.Flags) != "SYN,ACK" {
		t.Fatalf("flags %q", FlagString(out.Flags))
	}
}

func TestUDPRoundTrip(t *testing.T) {
	for _, sum := range []bool{true, false} {
		pkt := BuildUDP(nil, IPv4{Src: srcA, Dst: dstB}, UDP{SrcPort: 5000, DstPort: 6000}, payload(101), sum)
		ip, seg, err := ParseIPv4(pkt)
		if err != nil {
			t.Fatal(err)
		}
		h, data, err := ParseUDP(ip, seg)
		if err != nil {
			t.Fatal(err)
		}
		if h.SrcPort != 5000 || h.DstPort != 6000 || int(h.Length) != 8+101 || (h.Checksum != 0) != sum {
			t.Fatalf("header %+v (sum %v)", h, sum)
		}
		if string(data) != string(payload(101)) {
			t.Fatal("payload differs")
		}
	}
}

// parse runs the receive path: IPv4 header check, then the transport check.
func parse(pkt []byte) error {
	ip, seg, err := ParseIPv4(pkt)
	if err != nil {
		return err
	}
	switch ip.Protocol {
	case ProtoTCP:
		_, _, err = ParseTCP(ip, seg)
	case ProtoUDP:
		_, _, err = ParseUDP(ip, seg)
	default:
		err = ErrHeader
	}
	return err
}

// Every single-bit flip anywhere in a TCP packet is caught by the IPv4
// header checksum or the TCP checksum.
func TestTCPEverySingleBitFlipDetected(t *testing.T) {
	h := TCP{SrcPort: 1, DstPort: 2, Seq: 3, Ack: 4, Flags: FlagACK | FlagPSH, Window: 5, MSS: 1460, WScale: -1}
	pkt := BuildTCP(nil, IPv4{Src: srcA, Dst: dstB}, &h, payload(1460))
	for bit := range len(pkt) * 8 {
		pkt[bit/8] ^= 1 << (bit % 8)
		if err := parse(pkt); err == nil {
			t.Fatalf("flip of bit %d passed", bit)
		}
		pkt[bit/8] ^= 1 << (bit % 8)
	}
	if err := parse(pkt); err != nil {
		t.Fatalf("unflipped packet rejected: %v", err)
	}
}

// Every single-bit flip of a checksummed UDP datagram is caught, except the
// one hole RFC 768 leaves: a flip that turns the checksum field into zero
// means "no checksum" and the datagram is accepted.
func TestUDPEverySingleBitFlipDetected(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for range 20 {
		pkt := BuildUDP(nil, IPv4{Src: srcA, Dst: dstB, ID: uint16(r.Uint32())}, UDP{SrcPort: 7, DstPort: 9}, payload(r.IntN(1400)+1), true)
		for bit := range len(pkt) * 8 {
			pkt[bit/8] ^= 1 << (bit % 8)
			err := parse(pkt)
			zeroed := binary.BigEndian.Uint16(pkt[IPv4HeaderLen+6:]) == 0
			if err == nil && !zeroed {
				t.Fatalf("flip of bit %d passed", bit)
			}
			pkt[bit/8] ^= 1 << (bit % 8)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	good := BuildUDP(nil, IPv4{Src: srcA, Dst: dstB}, UDP{SrcPort: 1, DstPort: 2}, payload(10), true)
	mut := func(f func(b []byte) []byte) []byte {
		b := append([]byte(nil), good...)
		return f(b)
	}
	for _, c := range []struct {
		name string
		pkt  []byte
		want error
	}{
		{"empty", nil, ErrShort},
		{"ipv6", mut(func(b []byte) []byte { b[0] = 0x65; return b }), ErrVersion},
		{"options", mut(func(b []byte) []byte { b[0] = 0x46; return b }), ErrHeader},
		{"total too long", mut(func(b []byte) []byte { return b[:len(b)-1] }), ErrLength},
		{"header checksum", mut(func(b []byte) []byte { b[8]--; return b }), ErrChecksum},
	} {
		if err := parse(c.pkt); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

// FuzzParse feeds arbitrary bytes to the decoders: they must never panic,
// and whatever they accept must re-encode to a packet they accept again
// with the same fields.
func FuzzParse(f *testing.F) {
	h := TCP{SrcPort: 1, DstPort: 2, Seq: 3, Flags: FlagSYN, Window: 5, MSS: 1460, WScale: 2}
	f.Add(BuildTCP(nil, IPv4{Src: srcA, Dst: dstB}, &h, nil))
	f.Add(BuildUDP(nil, IPv4{Src: srcA, Dst: dstB}, UDP{SrcPort: 1, DstPort: 2}, []byte("hahaha"), true))
	f.Add([]byte{0x45})
	// SACK-permitted and Timestamps on a SYN, SACK blocks beside
	// Timestamps on an ACK, and SACK blocks alone (RFC 2018, RFC 7323).
	syn := TCP{SrcPort: 1, DstPort: 2, Seq: 3, Flags: FlagSYN, Window: 5, MSS: 1460, WScale: 7, SACKPermitted: true, Timestamps: true, TSval: 1000}
	f.Add(BuildTCP(nil, IPv4{Src: srcA, Dst: dstB}, &syn, nil))
	ack := TCP{SrcPort: 2, DstPort: 1, Seq: 4, Ack: 1001, Flags: FlagACK, Window: 5, WScale: -1, Timestamps: true, TSval: 9, TSecr: 1000,
		NSACK: 3, SACK: [MaxSACKBlocks]SACKBlock{{2461, 3921}, {5001, 6001}, {7001, 8001}}}
	f.Add(BuildTCP(nil, IPv4{Src: dstB, Dst: srcA}, &ack, nil))
	ack.Timestamps, ack.NSACK, ack.SACK[3] = false, 4, SACKBlock{0xfffffff0, 0x10}
	f.Add(BuildTCP(nil, IPv4{Src: dstB, Dst: srcA}, &ack, payload(3)))
	f.Fuzz(func(t *testing.T, pkt []byte) {
		Peek(pkt)
		ip, seg, err := ParseIPv4(pkt)
		dirty := IPv4{Src: Addr{1, 2, 3, 4}, Dst: Addr{5, 6, 7, 8}, Protocol: 99, TTL: 7, ECN: 3, ID: 5, TotalLen: 9}
		segInto, errInto := ParseIPv4Into(&dirty, pkt)
		if (err == nil) != (errInto == nil) || dirty != ip || len(segInto) != len(seg) {
			t.Fatalf("ParseIPv4Into: %v, %+v; ParseIPv4: %v, %+v", errInto, dirty, err, ip)
		}
		if err != nil {
			return
		}
		_ = Peek(pkt) // must not panic either
		switch ip.Protocol {
		case ProtoTCP:
			th, data, err := ParseTCP(ip, seg)
			// Parsing into a header that held every option gives the same.
			dirty := TCP{MSS: 9, WScale: 3, SACKPermitted: true, Timestamps: true, TSval: 1, TSecr: 2,
				NSACK: 2, SACK: [MaxSACKBlocks]SACKBlock{{1, 2}, {3, 4}, {5, 6}, {7, 8}}}
			dataInto, errInto := ParseTCPInto(&dirty, ip, seg, nil)
			if (err == nil) != (errInto == nil) || err == nil && (dirty != th || len(dataInto) != len(data) || len(data) > 0 && &dataInto[0] != &data[0]) {
				t.Fatalf("ParseTCPInto: %v, %+v; ParseTCP: %v, %+v", errInto, dirty, err, th)
			}
			if err != nil {
				return
			}
			re := BuildTCP(nil, ip, &th, data)
			ip2, seg2, err := ParseIPv4(re)
			if err != nil {
				t.Fatalf("re-encoded IPv4 rejected: %v", err)
			}
			th2, data2, err := ParseTCP(ip2, seg2)
			// Every field survives, but SACK blocks that the other
			// options leave no room for when laid out as we lay them out.
			want := th
			want.NSACK = uint8(min(int(th.NSACK), th.SACKRoom()))
			for i := int(want.NSACK); i < MaxSACKBlocks; i++ {
				want.SACK[i] = SACKBlock{}
			}
			want.Checksum = th2.Checksum
			if err != nil || th2 != want || string(data2) != string(data) {
				t.Fatalf("TCP round trip: %v\n got %+v\nwant %+v", err, th2, want)
			}
		case ProtoUDP:
			_, _, _ = ParseUDP(ip, seg)
		}
	})
}

// A payload sum given by the caller (any number congruent to Sum modulo
// 0xffff) builds the same bytes and passes or fails the same checks as
// the byte loop, for every single-bit flip.
func TestKnownPayloadSumIsTheSame(t *testing.T) {
	congruent := func(b []byte) (uint64, bool) { return Sum(0, b)%0xffff + 3*0xffff, true }
	decline := func([]byte) (uint64, bool) { return 0, false }
	r := rand.New(rand.NewPCG(7, 7))
	for i := range 40 {
		n := r.IntN(1461)
		p := payload(n)
		ps, _ := congruent(p)
		h := TCP{SrcPort: 1, DstPort: 2, Seq: r.Uint32(), Ack: r.Uint32(), Flags: FlagACK, Window: uint16(r.Uint32()), WScale: -1}
		if i%5 == 0 {
			h.MSS, h.WScale = 1460, 7
		}
		h2 := h
		ip := IPv4{Src: srcA, Dst: dstB, ID: uint16(i)}
		want := BuildTCP(nil, ip, &h, p)
		got := BuildTCPSum(nil, ip, &h2, p, ps)
		if string(got) != string(want) || h2.Checksum != h.Checksum {
			t.Fatalf("len %d: BuildTCPSum differs from BuildTCP", n)
		}
		u := BuildUDP(nil, ip, UDP{SrcPort: 3, DstPort: 4}, p, true)
		if got := BuildUDPSum(nil, ip, UDP{SrcPort: 3, DstPort: 4}, p, true, ps); string(got) != string(u) {
			t.Fatalf("len %d: BuildUDPSum differs from BuildUDP", n)
		}
		for _, pkt := range [][]byte{want, u} {
			for bit := range len(pkt) * 8 {
				if bit%5 != 0 && bit/8 >= 40 {
					continue // a sample of the payload keeps the test quick
				}
				pkt[bit/8] ^= 1 << (bit % 8)
				for _, s := range []PayloadSum{congruent, decline} {
					ip, seg, err := ParseIPv4(pkt)
					var errWith error
					if err == nil && ip.Protocol == ProtoTCP {
						_, _, err = ParseTCP(ip, seg)
						_, _, errWith = ParseTCPWith(ip, seg, s)
					} else if err == nil {
						_, _, err = ParseUDP(ip, seg)
						_, _, errWith = ParseUDPWith(ip, seg, s)
					} else {
						errWith = err
					}
					if (err == nil) != (errWith == nil) || err == nil {
						t.Fatalf("len %d, bit %d flipped: plain parse %v, with payload sum %v", n, bit, err, errWith)
					}
				}
				pkt[bit/8] ^= 1 << (bit % 8)
			}
			ip, seg, _ := ParseIPv4(pkt)
			var err error
			if ip.Protocol == ProtoTCP {
				_, _, err = ParseTCPWith(ip, seg, congruent)
			} else {
				_, _, err = ParseUDPWith(ip, seg, congruent)
			}
			if err != nil {
				t.Fatalf("len %d: intact packet rejected with a payload sum: %v", n, err)
			}
		}
	}
}

// Checksums computed from header fields equal RFC 1071's loop over the
// bytes written (with the checksum field zero).
func TestHeaderChecksumsFromFields(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for range 500 {
		ip := IPv4{ID: uint16(r.Uint32()), TTL: uint8(r.Uint32())}
		binary.BigEndian.PutUint32(ip.Src[:], r.Uint32())
		binary.BigEndian.PutUint32(ip.Dst[:], r.Uint32())
		h := TCP{SrcPort: uint16(r.Uint32()), DstPort: uint16(r.Uint32()), Seq: r.Uint32(), Ack: r.Uint32(),
			Flags: uint8(r.Uint32()), Window: uint16(r.Uint32()), Urgent: uint16(r.Uint32()), WScale: -1}
		if r.IntN(3) == 0 {
			h.MSS, h.WScale = uint16(r.Uint32()|1), int8(r.IntN(15))
		}
		pkt := BuildTCP(nil, ip, &h, payload(r.IntN(100)))
		hdr := append([]byte(nil), pkt[:IPv4HeaderLen]...)
		hdr[10], hdr[11] = 0, 0
		if got, want := binary.BigEndian.Uint16(pkt[10:]), ^naiveSum(hdr); got != want {
			t.Fatalf("IPv4 header checksum %#04x, want %#04x", got, want)
		}
		seg := append([]byte(nil), pkt[IPv4HeaderLen:]...)
		seg[16], seg[17] = 0, 0
		pseudo := append(append(append([]byte(nil), ip.Src[:]...), ip.Dst[:]...), 0, ProtoTCP, byte(len(seg)>>8), byte(len(seg)))
		if got, want := binary.BigEndian.Uint16(pkt[IPv4HeaderLen+16:]), ^naiveSum(append(pseudo, seg...)); got != want {
			t.Fatalf("TCP checksum %#04x, want %#04x", got, want)
		}
	}
}

// A payload written in place in a UDPBuffer gives the same packet as one
// copied in.
func TestUDPPayloadInPlace(t *testing.T) {
	ip := IPv4{Src: srcA, Dst: dstB, ID: 3}
	h := UDP{SrcPort: 5000, DstPort: 6000}
	for _, n := range []int{0, 1, 101, 1472, 3000} {
		want := BuildUDP(nil, ip, h, payload(n), true)
		buf, p := UDPBuffer(make([]byte, 0, 2048), n)
		copy(p, payload(n))
		if got := BuildUDPSum(buf, ip, h, p, true, Sum(0, p)); string(got) != string(want) {
			t.Fatalf("%d bytes: in-place datagram differs", n)
		}
	}
}

// Every one of the eight control bits, ECE and CWR (RFC 3168 §6.1) among
// them, survives a build and a parse, and Peek reads them and the IPv4 ECN
// field as they were written.
func TestECNFlagsRoundTrip(t *testing.T) {
	for f := range 256 {
		for _, ecn := range []uint8{ECNNotECT, ECNECT1, ECNECT0, ECNCE} {
			ip := IPv4{Src: srcA, Dst: dstB, ID: 7, ECN: ecn}
			h := TCP{SrcPort: 1, DstPort: 2, Seq: 3, Ack: 4, Flags: uint8(f), Window: 5, WScale: -1}
			pkt := BuildTCP(nil, ip, &h, payload(10))
			gotIP, seg, err := ParseIPv4(pkt)
			if err != nil {
				t.Fatalf("flags %#02x ecn %d: %v", f, ecn, err)
			}
			got, _, err := ParseTCP(gotIP, seg)
			if err != nil {
				t.Fatalf("flags %#02x ecn %d: %v", f, ecn, err)
			}
			if got.Flags != uint8(f) || gotIP.ECN != ecn {
				t.Fatalf("flags %#02x ecn %d: parsed flags %#02x ecn %d", f, ecn, got.Flags, gotIP.ECN)
			}
			if s := Peek(pkt); s.Flags != uint8(f) || s.ECN != ecn {
				t.Fatalf("flags %#02x ecn %d: Peek reads flags %#02x ecn %d", f, ecn, s.Flags, s.ECN)
			}
		}
	}
	if got, want := FlagString(FlagSYN|FlagECE|FlagCWR), "SYN,ECE,CWR"; got != want {
		t.Errorf("FlagString = %q, want %q", got, want)
	}
	if got, want := FlagString(FlagACK|FlagECE), "ACK,ECE"; got != want {
		t.Errorf("FlagString = %q, want %q", got, want)
	}
}
