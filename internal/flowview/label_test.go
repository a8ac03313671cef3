package flowview

import (
	"testing"

	"tcpsim/internal/direction"
	"tcpsim/internal/trace"
)

// SACK blocks are labelled after the ACK, relative to the same ISN
// (RFC 2018): "ACK ack=1001 SACK 2461-3921".
func TestLabelSACK(t *testing.T) {
	isn := map[direction.Dir]uint32{direction.AB: 1000, direction.BA: 5000}
	ack := trace.Event{Proto: "tcp", Dir: "b->a", Flags: "ACK", Seq: 5001, Ack: 2001, Win: 65535}
	ack.SACK.N = 2
	ack.SACK.Blocks[0] = [2]uint32{3461, 4921}
	ack.SACK.Blocks[1] = [2]uint32{6381, 7841}
	if got, want := label(&ack, isn), "ACK ack=1001 SACK 2461-3921 5381-6841"; got != want {
		t.Errorf("pure ACK: %q, want %q", got, want)
	}
	data := ack
	data.Len, data.Flags = 100, "PSH,ACK"
	if got, want := label(&data, isn), "seq=1 len=100 ack=1001 SACK 2461-3921 5381-6841"; got != want {
		t.Errorf("data with SACK: %q, want %q", got, want)
	}
	// Across the wrap of the sequence space.
	base := uint32(0xfffffc00)
	isn[direction.AB] = base
	ack.Ack, ack.SACK.N, ack.SACK.Blocks[0] = base+1001, 1, [2]uint32{base + 2461, base + 3921}
	if got, want := label(&ack, isn), "ACK ack=1001 SACK 2461-3921"; got != want {
		t.Errorf("across the wrap: %q, want %q", got, want)
	}
}
