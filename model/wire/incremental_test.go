package wire

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestUpdateChecksumMatchesRecompute: for random headers and random word
// changes, the incremental update of RFC 1624 equals summing the header
// again, including the cases where the sum crosses 0xffff.
func TestUpdateChecksumMatchesRecompute(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1624))
	for i := 0; i < 200000; i++ {
		var b [20]byte
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		if i%7 == 0 { // all-ones and all-zero words, where RFC 1141 went wrong
			binary.BigEndian.PutUint16(b[r.IntN(10)*2:], 0xffff)
		}
		binary.BigEndian.PutUint16(b[10:], 0)
		binary.BigEndian.PutUint16(b[10:], Checksum(b[:]))
		w := r.IntN(10)
		if w == 5 {
			continue // the checksum word itself
		}
		old := binary.BigEndian.Uint16(b[w*2:])
		nw := uint16(r.Uint32())
		if i%5 == 0 {
			nw = 0xffff - old
		}
		binary.BigEndian.PutUint16(b[w*2:], nw)
		got := UpdateChecksum(binary.BigEndian.Uint16(b[10:]), old, nw)
		binary.BigEndian.PutUint16(b[10:], 0)
		want := Checksum(b[:])
		if got != want {
			// Both are valid only if they are the two zeros of one's
			// complement arithmetic; a full recompute never gives 0xffff
			// for a nonzero sum and neither must the update.
			t.Fatalf("header % x word %d: %#04x -> %#04x: incremental %#04x, recomputed %#04x", b, w, old, nw, got, want)
		}
	}
}

// TestDecrementTTLAndSetECNKeepHeaderValid: after forwarding steps and ECN
// marks the header still parses (its checksum verifies) and carries the
// new values.
func TestDecrementTTLAndSetECNKeepHeaderValid(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 3168))
	for i := 0; i < 20000; i++ {
		h := IPv4{Src: Addr{10, 0, byte(r.IntN(256)), byte(r.IntN(256))}, Dst: Addr{10, 1, byte(r.IntN(256)), 1},
			Protocol: ProtoTCP, TTL: uint8(1 + r.IntN(255)), ID: uint16(r.Uint32()), ECN: uint8(r.IntN(4))}
		b := make([]byte, 40)
		PutIPv4(b, h, len(b))
		ttl := h.TTL
		for k := 0; k < 3 && ttl > 0; k++ {
			got, ok := DecrementTTL(b)
			if !ok || got != ttl-1 {
				t.Fatalf("DecrementTTL from %d: got %d, %v", ttl, got, ok)
			}
			ttl = got
			cp := uint8(r.IntN(4))
			SetECN(b, cp)
			p, _, err := ParseIPv4(b)
			if err != nil {
				t.Fatalf("after TTL %d ECN %d: %v", ttl, cp, err)
			}
			if p.TTL != ttl || p.ECN != cp || p.Src != h.Src || p.Dst != h.Dst {
				t.Fatalf("parsed %+v, want TTL %d ECN %d", p, ttl, cp)
			}
		}
	}
	var b [20]byte
	PutIPv4(b[:], IPv4{TTL: 1}, 20)
	if _, ok := DecrementTTL(b[:]); !ok {
		t.Fatal("TTL 1 must decrement to 0")
	}
	if _, ok := DecrementTTL(b[:]); ok {
		t.Fatal("TTL 0 must not decrement")
	}
	if _, ok := DecrementTTL(b[:10]); ok || SetECN(b[:10], ECNCE) {
		t.Fatal("short packets must be refused")
	}
}
