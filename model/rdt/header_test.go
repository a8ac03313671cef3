package rdt

import (
	"bytes"
	"errors"
	"testing"

	"tcpsim/model/payload"
)

func TestHeaderRoundTrip(t *testing.T) {
	data := make([]byte, 1000)
	payload.Fill(data, 12345)
	for _, tc := range []struct {
		name string
		h    Header
		data []byte
	}{
		{"data k=1", Header{Type: Data, SeqBits: 1, Seq: 1}, data},
		{"data k=16", Header{Type: Data, SeqBits: 16, Seq: 65535}, data[:1]},
		{"odd payload", Header{Type: Data, SeqBits: 3, Seq: 5}, data[:999]},
		{"ACK", Header{Type: ACK, SeqBits: 2, Ack: 3}, nil},
		{"ACK k=16", Header{Type: ACK, SeqBits: 16, Ack: 40000}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.h
			b := Append(nil, &h, 49152, 61000, tc.data)
			if len(b) != HeaderLen+len(tc.data) {
				t.Fatalf("got %d bytes, want %d", len(b), HeaderLen+len(tc.data))
			}
			got, p, err := Decode(b, 49152, 61000)
			if err != nil {
				t.Fatal(err)
			}
			if got != h {
				t.Errorf("got %+v, want %+v", got, h)
			}
			if !bytes.Equal(p, tc.data) {
				t.Errorf("payload differs")
			}
			// The O(1) sum of the pattern gives the same checksum.
			var h2 Header = tc.h
			b2 := make([]byte, len(b))
			copy(b2[HeaderLen:], tc.data)
			if len(tc.data) > 0 {
				Put(b2, &h2, 49152, 61000, len(tc.data), payload.Sum(12345, len(tc.data)))
			} else {
				Put(b2, &h2, 49152, 61000, 0, 0)
			}
			if !bytes.Equal(b, b2) {
				t.Errorf("Put with payload.Sum: % x, Append: % x", b2[:HeaderLen], b[:HeaderLen])
			}
			// The ports are covered: another flow's port fails.
			if _, _, err := Decode(b, 49152, 61001); !errors.Is(err, ErrChecksum) {
				t.Errorf("decoded with the wrong port: err %v, want ErrChecksum", err)
			}
		})
	}
}

// A single flipped bit anywhere in the packet never passes the RFC 1071
// checksum: it changes one 16-bit word by ±2^j, which is never 0 modulo
// 0xffff.
func TestFlippedBitNeverPasses(t *testing.T) {
	data := make([]byte, 37)
	payload.Fill(data, 7)
	for _, h := range []Header{{Type: Data, SeqBits: 3, Seq: 6}, {Type: ACK, SeqBits: 1, Ack: 1}} {
		d := data
		if h.Type == ACK {
			d = nil
		}
		b := Append(nil, &h, 1, 2, d)
		for bit := range len(b) * 8 {
			c := bytes.Clone(b)
			c[bit/8] ^= 1 << (bit % 8)
			if _, _, err := Decode(c, 1, 2); err == nil {
				t.Errorf("%v: bit %d flipped, decoded without error", h.Type, bit)
			}
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	good := func(h Header, d []byte) []byte { return Append(nil, &h, 1, 2, d) }
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrShort},
		{"short", []byte{1, 1, 0, 0}, ErrShort},
		{"bad type", good(Header{Type: 4, SeqBits: 1}, nil), ErrMalformed},
		{"k=0", good(Header{Type: ACK, SeqBits: 0}, nil), ErrMalformed},
		{"k=17", good(Header{Type: ACK, SeqBits: 17}, nil), ErrMalformed},
		{"seq beyond 2^k", good(Header{Type: Data, SeqBits: 2, Seq: 4}, []byte{1, 2}), ErrMalformed},
		{"ack beyond 2^k", good(Header{Type: ACK, SeqBits: 1, Ack: 2}, nil), ErrMalformed},
		{"empty data", good(Header{Type: Data, SeqBits: 1}, nil), ErrMalformed},
		{"ACK with payload", good(Header{Type: ACK, SeqBits: 1}, []byte{9, 9}), ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := Decode(tc.b, 1, 2); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	// A length field that disagrees with the bytes present.
	b := good(Header{Type: Data, SeqBits: 4, Seq: 3}, []byte{1, 2, 3, 4})
	if _, _, err := Decode(b[:len(b)-2], 1, 2); err == nil {
		t.Errorf("truncated packet decoded")
	}
}

// FuzzDecode: whatever the bytes, Decode never panics, and what it
// accepts re-encodes to the same bytes.
func FuzzDecode(f *testing.F) {
	d := make([]byte, 100)
	payload.Fill(d, 0)
	f.Add(Append(nil, &Header{Type: Data, SeqBits: 1, Seq: 1}, 1, 2, d), uint16(1), uint16(2))
	f.Add(Append(nil, &Header{Type: ACK, SeqBits: 16, Ack: 9}, 1, 2, nil), uint16(1), uint16(2))
	f.Add([]byte{}, uint16(0), uint16(0))
	f.Add([]byte{1, 1, 0, 0, 0, 0, 0, 0, 0xfe, 0xfe}, uint16(0), uint16(0))
	f.Fuzz(func(t *testing.T, b []byte, sp, dp uint16) {
		h, p, err := Decode(b, sp, dp)
		if err != nil {
			return
		}
		h2 := h
		again := Append(nil, &h2, sp, dp, p)
		if h2.Checksum != h.Checksum && !(h.Checksum == 0 || h.Checksum == 0xffff) {
			t.Fatalf("checksum %04x re-encodes as %04x", h.Checksum, h2.Checksum)
		}
		if h2.Checksum == h.Checksum && !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs:\n% x\n% x", again, b)
		}
	})
}
