package analyze

import (
	"encoding/binary"
	"io"
	"runtime"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// endless is a pcap of n raw-IP frames of one connection's data segments,
// made as it is read: a stand-in for a capture of many gigabytes.
type endless struct {
	head []byte // the file header, then each record
	n, i int
	rec  []byte
	off  int
}

func newEndless(t testing.TB, n int) *endless {
	e := &endless{n: n}
	e.head = pcapOf(t, layers.LinkTypeRaw, 65535)
	return e
}

func (e *endless) Read(p []byte) (int, error) {
	if len(e.head) > 0 {
		k := copy(p, e.head)
		e.head = e.head[k:]
		return k, nil
	}
	if e.off == len(e.rec) {
		if e.i == e.n {
			return 0, io.EOF
		}
		pkt := tcpPacket(uint32(1+1000*e.i), ACK, 1000)
		e.rec = make([]byte, 16, 16+len(pkt))
		binary.LittleEndian.PutUint32(e.rec[0:], uint32(e.i))
		binary.LittleEndian.PutUint32(e.rec[8:], uint32(len(pkt)))
		binary.LittleEndian.PutUint32(e.rec[12:], uint32(len(pkt)))
		e.rec, e.off = append(e.rec, pkt...), 0
		e.i++
	}
	k := copy(p, e.rec[e.off:])
	e.off += k
	return k, nil
}

// TestStreamBoundedMemory reads 200,000 frames (200 MB of payload) without
// keeping segments: the heap stays under 1 MB above where it started.
func TestStreamBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	const n = 200_000
	r, err := NewReader(newEndless(t, n))
	if err != nil {
		t.Fatal(err)
	}
	var before, peak runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	count := 0
	res, err := Analyze(r, Options{OnSegment: func(*Conn, *Packet) {
		if count++; count%50_000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&peak)
			if grown := int64(peak.HeapAlloc) - int64(before.HeapAlloc); grown > 1<<20 {
				t.Fatalf("after %d frames the heap grew by %d bytes", count, grown)
			}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Frames != n || res.Conns[0].Dir[0].Bytes != 1000*n {
		t.Fatalf("got %d frames, %d bytes, want %d and %d", res.Frames, res.Conns[0].Dir[0].Bytes, n, 1000*n)
	}
}
