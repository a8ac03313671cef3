package udp

import (
	"testing"

	"tcpsim/model/host"
	"tcpsim/model/link"
	"tcpsim/sim"
)

// A UDP flow paces its datagrams exactly (k·size·8/rate from the start),
// sends each once, and its receiver counts what the link did.
func TestPacingAndCounting(t *testing.T) {
	eng := sim.New(0)
	pool := link.NewPool(2048)
	a, b := host.New([4]byte{10, 0, 0, 1}, pool), host.New([4]byte{10, 0, 0, 2}, pool)
	fwd := link.NewPipe(eng, sim.NewStreams(1), "forward", link.Config{Delay: sim.Millisecond, Loss: link.Loss{P: 0.2}, Duplicate: 0.1}, b, pool)
	a.Attach(fwd)
	var sends []sim.Time
	f := New(eng, Config{Flow: 0, Src: a, Dst: b, SrcPort: 1, DstPort: 2, Count: 1000, Datagram: 100, Rate: 800_000,
		Checksum: true, Start: 5 * sim.Millisecond, OnDone: func() { sends = append(sends, eng.Now()) }})
	f.Start()
	eng.Run(sim.Limits{})
	st := f.Stats()
	if st.Sent != 1000 || !f.Done() {
		t.Fatalf("sent %d", st.Sent)
	}
	// 100 bytes at 800 kbps: one datagram per millisecond.
	if st.FirstSent != 5*sim.Millisecond || st.LastSent != 5*sim.Millisecond+999*sim.Millisecond || sends[0] != st.LastSent {
		t.Fatalf("first %v last %v", st.FirstSent, st.LastSent)
	}
	c := fwd.Counters()
	if st.Delivered != 1000-c.Lost || st.Duplicates != c.Duplicated {
		t.Fatalf("delivered %d (link lost %d), duplicates %d (link duplicated %d)", st.Delivered, c.Lost, st.Duplicates, c.Duplicated)
	}
}
