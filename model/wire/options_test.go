package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// options returns the option bytes of the TCP segment in pkt.
func options(t *testing.T, pkt []byte) []byte {
	t.Helper()
	seg := pkt[IPv4HeaderLen:]
	hl := int(seg[12]>>4) * 4
	return seg[TCPHeaderLen:hl]
}

func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// The options are laid out byte for byte as Linux lays them out (RFC 7323
// Appendix A): MSS, then SACK-permitted sharing a word with Timestamps (or
// behind two NOPs without them), then NOP + Window Scale, then two NOPs
// and the SACK blocks; every option on its natural alignment.
func TestTCPOptionLayout(t *testing.T) {
	blocks := [MaxSACKBlocks]SACKBlock{{1001, 2001}, {3001, 4001}, {5001, 6001}, {7001, 8001}}
	for _, c := range []struct {
		name string
		h    TCP
		want []byte
	}{
		{"syn mss wscale (today's SYN)", TCP{Flags: FlagSYN, MSS: 1460, WScale: 7},
			[]byte{2, 4, 0x05, 0xb4, 1, 3, 3, 7}},
		{"syn mss sackok wscale", TCP{Flags: FlagSYN, MSS: 1460, WScale: 7, SACKPermitted: true},
			[]byte{2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7}},
		{"syn mss sackok ts wscale (Linux's SYN)", TCP{Flags: FlagSYN, MSS: 1460, WScale: 7, SACKPermitted: true, Timestamps: true, TSval: 0x01020304},
			cat([]byte{2, 4, 0x05, 0xb4, 4, 2, 8, 10}, be32(0x01020304), be32(0), []byte{1, 3, 3, 7})},
		{"syn mss ts, no sack", TCP{Flags: FlagSYN, MSS: 536, WScale: -1, Timestamps: true, TSval: 9, TSecr: 8},
			cat([]byte{2, 4, 0x02, 0x18, 1, 1, 8, 10}, be32(9), be32(8))},
		{"ack one block", TCP{Flags: FlagACK, WScale: -1, NSACK: 1, SACK: [MaxSACKBlocks]SACKBlock{{2461, 3921}}},
			cat([]byte{1, 1, 5, 10}, be32(2461), be32(3921))},
		{"ack four blocks fill 36 bytes", TCP{Flags: FlagACK, WScale: -1, NSACK: 4, SACK: blocks},
			cat([]byte{1, 1, 5, 34}, be32(1001), be32(2001), be32(3001), be32(4001), be32(5001), be32(6001), be32(7001), be32(8001))},
		{"ack ts and three blocks fill 40 bytes", TCP{Flags: FlagACK, WScale: -1, Timestamps: true, TSval: 5, TSecr: 6, NSACK: 3, SACK: blocks},
			cat([]byte{1, 1, 8, 10}, be32(5), be32(6), []byte{1, 1, 5, 26}, be32(1001), be32(2001), be32(3001), be32(4001), be32(5001), be32(6001))},
		{"ack ts and four blocks: the fourth does not fit", TCP{Flags: FlagACK, WScale: -1, Timestamps: true, TSval: 5, TSecr: 6, NSACK: 4, SACK: blocks},
			cat([]byte{1, 1, 8, 10}, be32(5), be32(6), []byte{1, 1, 5, 26}, be32(1001), be32(2001), be32(3001), be32(4001), be32(5001), be32(6001))},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := c.h
			pkt := BuildTCP(nil, IPv4{Src: srcA, Dst: dstB}, &h, payload(7))
			if got := options(t, pkt); !bytes.Equal(got, c.want) {
				t.Fatalf("options\n got % x\nwant % x", got, c.want)
			}
			if got, want := TCPLen(&h, 7), TCPHeaderLen+len(c.want)+7; got != want {
				t.Errorf("TCPLen = %d, want %d", got, want)
			}
			ip, seg, err := ParseIPv4(pkt)
			if err != nil {
				t.Fatal(err)
			}
			out, data, err := ParseTCP(ip, seg)
			if err != nil {
				t.Fatal(err)
			}
			want := c.h
			want.NSACK = uint8(min(int(want.NSACK), want.SACKRoom()))
			for i := int(want.NSACK); i < MaxSACKBlocks; i++ {
				want.SACK[i] = SACKBlock{}
			}
			want.Checksum = out.Checksum
			if out != want {
				t.Errorf("decoded\n got %+v\nwant %+v", out, want)
			}
			if string(data) != string(payload(7)) {
				t.Error("payload differs")
			}
			s := Peek(pkt)
			if s.SACKPermitted != want.SACKPermitted || s.NSACK != want.NSACK || s.SACK != want.SACK {
				t.Errorf("Peek: sackok %v, %d blocks %v; want %v, %d %v", s.SACKPermitted, s.NSACK, s.SACK, want.SACKPermitted, want.NSACK, want.SACK)
			}
		})
	}
}

// SACKRoom is RFC 2018 §3's count: four blocks alone, three beside the
// Timestamps option (RFC 7323), fewer beside SYN options.
func TestSACKRoom(t *testing.T) {
	for _, c := range []struct {
		name string
		h    TCP
		want int
	}{
		{"bare ACK", TCP{WScale: -1}, 4},
		{"with timestamps", TCP{WScale: -1, Timestamps: true}, 3},
		{"SYN options, no timestamps", TCP{MSS: 1460, WScale: 7, SACKPermitted: true}, 3},
		{"SYN options with timestamps", TCP{MSS: 1460, WScale: 7, SACKPermitted: true, Timestamps: true}, 2},
	} {
		if got := c.h.SACKRoom(); got != c.want {
			t.Errorf("%s: SACKRoom = %d, want %d", c.name, got, c.want)
		}
	}
}

// buildRaw builds a TCP packet whose option bytes are opts, verbatim (a
// valid checksum, so that only the options are on trial).
func buildRaw(opts []byte) []byte {
	h := TCP{SrcPort: 1, DstPort: 2, Seq: 3, Ack: 4, Flags: FlagACK, WScale: -1}
	pkt := BuildTCP(nil, IPv4{Src: srcA, Dst: dstB}, &h, nil)
	padded := append([]byte(nil), opts...)
	for len(padded)%4 != 0 {
		padded = append(padded, 0)
	}
	out := append([]byte(nil), pkt[:IPv4HeaderLen+TCPHeaderLen]...)
	out = append(out, padded...)
	PutIPv4(out, IPv4{Src: srcA, Dst: dstB, Protocol: ProtoTCP}, len(out))
	seg := out[IPv4HeaderLen:]
	seg[12] = uint8((TCPHeaderLen+len(padded))/4) << 4
	seg[16], seg[17] = 0, 0
	c := ^Fold(Sum(pseudoSum(srcA, dstB, ProtoTCP, len(seg)), seg))
	binary.BigEndian.PutUint16(seg[16:], c)
	return out
}

// Options that are well delimited but malformed are ignored, not fatal, as
// real stacks treat them; only an option list that runs past its own end
// makes the segment undecodable.
func TestTCPOptionsLenient(t *testing.T) {
	for _, c := range []struct {
		name    string
		opts    []byte
		wantErr error
		check   func(h TCP) bool
	}{
		{"sack length 9 (not 2+8n) ignored", []byte{5, 9, 0, 0, 0, 1, 0, 0, 0, 1, 1}, nil,
			func(h TCP) bool { return h.NSACK == 0 }},
		{"sack with no block ignored", []byte{5, 2, 1, 1}, nil,
			func(h TCP) bool { return h.NSACK == 0 }},
		{"sack-permitted length 3 ignored", []byte{4, 3, 0, 1}, nil,
			func(h TCP) bool { return !h.SACKPermitted }},
		{"timestamps length 8 ignored", cat([]byte{8, 8}, be32(1), []byte{0, 0}), nil,
			func(h TCP) bool { return !h.Timestamps }},
		{"unknown kinds skipped, sack after them read", cat([]byte{30, 4, 0, 0, 5, 10}, be32(7), be32(9)), nil,
			func(h TCP) bool { return h.NSACK == 1 && h.SACK[0] == SACKBlock{7, 9} }},
		{"a second sack option replaces the first", cat([]byte{5, 18}, be32(1), be32(2), be32(3), be32(4), []byte{5, 10}, be32(5), be32(6)), nil,
			func(h TCP) bool { return h.NSACK == 1 && h.SACK == [MaxSACKBlocks]SACKBlock{{5, 6}} }},
		{"end of list stops the walk", cat([]byte{0, 5, 10}, be32(1), be32(2)), nil,
			func(h TCP) bool { return h.NSACK == 0 }},
		{"sack running past the header", []byte{1, 1, 5, 18, 0, 0, 0, 1}, ErrHeader, nil},
		{"a kind without its length", []byte{1, 1, 1, 8}, ErrHeader, nil},
	} {
		pkt := buildRaw(c.opts)
		ip, seg, err := ParseIPv4(pkt)
		if err != nil {
			t.Fatalf("%s: IPv4: %v", c.name, err)
		}
		h, _, err := ParseTCP(ip, seg)
		if !errors.Is(err, c.wantErr) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.wantErr)
			continue
		}
		if c.check != nil && !c.check(h) {
			t.Errorf("%s: decoded %+v", c.name, h)
		}
		_ = Peek(pkt)
	}
}

// Every single-bit flip of a segment full of options is caught by a
// checksum.
func TestTCPOptionsBitFlipsDetected(t *testing.T) {
	h := TCP{SrcPort: 1, DstPort: 2, Seq: 3, Ack: 4, Flags: FlagACK, WScale: -1, Timestamps: true, TSval: 77, TSecr: 66,
		NSACK: 3, SACK: [MaxSACKBlocks]SACKBlock{{10, 20}, {30, 40}, {50, 60}}}
	pkt := BuildTCP(nil, IPv4{Src: srcA, Dst: dstB}, &h, payload(100))
	for bit := range len(pkt) * 8 {
		pkt[bit/8] ^= 1 << (bit % 8)
		if err := parse(pkt); err == nil {
			t.Fatalf("flip of bit %d passed", bit)
		}
		pkt[bit/8] ^= 1 << (bit % 8)
	}
}

// Encoding a header with SACK blocks allocates nothing: the blocks live in
// the header's own array.
func TestBuildTCPWithSACKDoesNotAllocate(t *testing.T) {
	h := TCP{Flags: FlagACK, WScale: -1, Timestamps: true, NSACK: 3, SACK: [MaxSACKBlocks]SACKBlock{{10, 20}, {30, 40}, {50, 60}}}
	buf := make([]byte, 0, 128)
	ip := IPv4{Src: srcA, Dst: dstB}
	pkt := BuildTCP(buf, ip, &h, nil)
	ipp, seg, _ := ParseIPv4(pkt)
	if n := testing.AllocsPerRun(100, func() {
		pkt = BuildTCP(buf, ip, &h, nil)
		if _, _, err := ParseTCP(ipp, seg); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("%v allocations per build and parse, want 0", n)
	}
}
