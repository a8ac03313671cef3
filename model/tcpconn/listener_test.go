package tcpconn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"tcpsim/model/host"
	"tcpsim/model/link"
	"tcpsim/model/tcp"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// The listener's rules, walked segment by segment: the test hands host b
// segments from any source it likes and reads what b sends back off its
// link (an instant link, so a reply is seen at the instant of its cause).

var server = wire.Addr{10, 0, 0, 2}

type seen struct {
	ip  wire.IPv4
	tcp wire.TCP
}

type wireTap struct{ got []seen }

func (w *wireTap) Receive(pkt link.Packet) {
	var s seen
	seg, err := wire.ParseIPv4Into(&s.ip, pkt.Buf)
	if err != nil {
		panic(err)
	}
	if _, err := wire.ParseTCPInto(&s.tcp, s.ip, seg, nil); err != nil {
		panic(err)
	}
	w.got = append(w.got, s)
}

func (w *wireTap) take() []seen {
	g := w.got
	w.got = nil
	return g
}

type listenBench struct {
	eng *sim.Engine
	b   *host.Host
	tap *wireTap
	l   *Listener
}

func newListenBench(cfg ListenerConfig) *listenBench {
	eng := sim.New(64)
	pool := link.NewPool()
	b := host.New(server, pool)
	tap := &wireTap{}
	b.Attach(link.NewPipe(eng, sim.NewStreams(1), "b->net", link.Config{}, tap, pool))
	n := uint32(7000)
	cfg.ISN = func() uint32 { n += 1000; return n }
	if cfg.InitialRTO == 0 {
		cfg.InitialRTO = sim.Second
	}
	if cfg.SynAckRetries == 0 {
		cfg.SynAckRetries = 5
	}
	cfg.MSS, cfg.Window, cfg.Port = 1460, 65535, 80
	eng.RunTo(t0) // Until 0 means no limit: the bench never runs at time 0
	return &listenBench{eng: eng, b: b, tap: tap, l: NewListener(eng, b, cfg)}
}

// t0 is when a bench starts.
const t0 = sim.Millisecond

// in delivers a segment from src to b now.
func (lb *listenBench) in(src wire.Addr, h wire.TCP) {
	h.DstPort = 80
	if h.WScale == 0 {
		h.WScale = -1
	}
	lb.b.Receive(link.Packet{Buf: wire.BuildTCP(nil, wire.IPv4{Src: src, Dst: server}, &h, nil)})
	lb.eng.RunTo(lb.eng.Now()) // the instant link delivers
}

func client(i int) wire.Addr { return wire.Addr{198, 18, byte(i >> 8), byte(i)} }

func syn(port uint16, seq uint32) wire.TCP {
	return wire.TCP{SrcPort: port, Seq: seq, Flags: wire.FlagSYN, Window: 1024, MSS: 1460}
}

// expect fails unless got is exactly ws (flags, seq, ack, destination).
func expect(t *testing.T, got []seen, ws ...string) {
	t.Helper()
	for i := range max(len(got), len(ws)) {
		var g string
		if i < len(got) {
			s := got[i]
			g = fmt.Sprintf("%s seq=%d ack=%d to %v:%d", wire.FlagString(s.tcp.Flags), s.tcp.Seq, s.tcp.Ack, s.ip.Dst, s.tcp.DstPort)
		}
		switch {
		case i >= len(ws):
			t.Errorf("segment %d: %s, want nothing more", i, g)
		case i >= len(got):
			t.Errorf("segment %d: nothing, want %s", i, ws[i])
		case g != ws[i]:
			t.Errorf("segment %d: %s, want %s", i, g, ws[i])
		}
	}
}

// A SYN nobody expects gets a SYN-ACK and a half-open connection, which
// the SYN-ACK timer resends after 1, 2, 4, 8 and 16 s and gives up 32 s
// later: 63 s in all, as Linux's reqsk_timer_handler with
// tcp_synack_retries 5 and TCP_TIMEOUT_INIT 1 s.
func TestListenerHalfOpenSynAckTimer(t *testing.T) {
	lb := newListenBench(ListenerConfig{Backlog: 4})
	lb.in(client(1), syn(4000, 100))
	want := "SYN,ACK seq=8000 ack=101 to 198.18.0.1:4000"
	expect(t, lb.tap.take(), want)
	if got := lb.l.HalfOpen(); got != 1 {
		t.Fatalf("half-open %d, want 1", got)
	}
	var at []sim.Time
	for k := sim.Time(1); k <= 70; k++ { // every resend falls on a whole second
		lb.eng.RunTo(t0 + k*sim.Second)
		if g := lb.tap.take(); len(g) > 0 {
			expect(t, g, want)
			at = append(at, k*sim.Second)
		}
		if lb.l.Stats().Expired > 0 && lb.l.HalfOpen() == 0 && len(at) == 5 && k == 63 {
			break
		}
	}
	wantAt := []sim.Time{1 * sim.Second, 3 * sim.Second, 7 * sim.Second, 15 * sim.Second, 31 * sim.Second}
	if fmt.Sprint(at) != fmt.Sprint(wantAt) {
		t.Errorf("SYN-ACKs resent at %v, want %v", at, wantAt)
	}
	if st := lb.l.Stats(); st.Expired != 1 || lb.l.HalfOpen() != 0 || lb.eng.Now() > t0+63*sim.Second || st.SynAcksSent != 6 {
		t.Errorf("at %v: expired %d, half-open %d, SYN-ACKs %d; want 1, 0, 6 at 63s", lb.eng.Now(), st.Expired, lb.l.HalfOpen(), st.SynAcksSent)
	}
}

// A full backlog drops a SYN and sends nothing (no cookies); a RST from a
// half-open connection's client frees its slot (RFC 9293 §3.10.7.4), and
// the next SYN is answered again.
func TestListenerBacklogFullDrops(t *testing.T) {
	lb := newListenBench(ListenerConfig{Backlog: 2})
	lb.in(client(1), syn(4000, 100))
	lb.in(client(2), syn(4000, 200))
	lb.tap.take()
	lb.in(client(3), syn(4000, 300))
	expect(t, lb.tap.take())
	if st := lb.l.Stats(); st.Dropped != 1 || st.Syns != 3 || lb.l.HalfOpen() != 2 {
		t.Fatalf("dropped %d of %d SYNs, half-open %d; want 1 of 3, 2", st.Dropped, st.Syns, lb.l.HalfOpen())
	}
	lb.in(client(1), wire.TCP{SrcPort: 4000, Seq: 101, Flags: wire.FlagRST})
	if got := lb.l.HalfOpen(); got != 1 {
		t.Fatalf("after the RST: half-open %d, want 1", got)
	}
	lb.in(client(3), syn(4000, 300))
	expect(t, lb.tap.take(), "SYN,ACK seq=10000 ack=301 to 198.18.0.3:4000")
}

// With SYN cookies a full backlog answers with a cookie and keeps nothing;
// the client's ACK of cookie + 1 rebuilds the connection at the endpoint
// that expects it, which is ESTABLISHED at once; a wrong cookie, or a
// right one from another port, is answered with <SEQ=SEG.ACK><CTL=RST>
// (RFC 9293 §3.10.7.2) and nothing is opened.
func TestListenerCookies(t *testing.T) {
	lb := newListenBench(ListenerConfig{Backlog: 1, SynCookies: true})
	lb.in(client(1), syn(4000, 100)) // fills the backlog
	lb.tap.take()
	legit := wire.Addr{10, 0, 0, 1}
	conn := NewPassiveConn(lb.eng, lb.b, legit, 0, tcp.Config{LocalPort: 80, RemotePort: 5555, ISS: 1})
	lb.l.Expect(conn)
	conn.Listen()
	lb.in(legit, syn(5555, 9000))
	got := lb.tap.take()
	if len(got) != 1 || got[0].tcp.Flags != wire.FlagSYN|wire.FlagACK || got[0].tcp.Ack != 9001 || got[0].tcp.MSS != 1460 ||
		got[0].tcp.WScale != -1 || got[0].tcp.SACKPermitted || got[0].tcp.Timestamps {
		t.Fatalf("got %+v, want one SYN,ACK ack=9001 with the MSS option only", got)
	}
	cookie := got[0].tcp.Seq
	if lb.l.HalfOpen() != 1 || conn.State() != tcp.Listen {
		t.Fatalf("after the cookie: half-open %d, connection %v; want 1 (nothing kept), LISTEN", lb.l.HalfOpen(), conn.State())
	}
	// A forged ACK: wrong cookie.
	lb.in(legit, wire.TCP{SrcPort: 5555, Seq: 9001, Ack: cookie + 2, Flags: wire.FlagACK, Window: 1000})
	expect(t, lb.tap.take(), fmt.Sprintf("RST seq=%d ack=0 to 10.0.0.1:5555", cookie+2))
	// The right cookie from another port of the same host.
	lb.in(legit, wire.TCP{SrcPort: 5556, Seq: 9001, Ack: cookie + 1, Flags: wire.FlagACK, Window: 1000})
	expect(t, lb.tap.take(), fmt.Sprintf("RST seq=%d ack=0 to 10.0.0.1:5556", cookie+1))
	if st := lb.l.Stats(); st.CookiesRejected != 2 || st.CookiesAccepted != 0 || conn.State() != tcp.Listen {
		t.Fatalf("rejected %d accepted %d, connection %v; want 2, 0, LISTEN", st.CookiesRejected, st.CookiesAccepted, conn.State())
	}
	// The client's ACK.
	lb.in(legit, wire.TCP{SrcPort: 5555, Seq: 9001, Ack: cookie + 1, Flags: wire.FlagACK, Window: 1000})
	expect(t, lb.tap.take())
	if st := lb.l.Stats(); st.CookiesAccepted != 1 || conn.State() != tcp.Established || conn.SMSS() != 1460 {
		t.Fatalf("accepted %d, connection %v SMSS %d; want 1, ESTABLISHED, 1460", st.CookiesAccepted, conn.State(), conn.SMSS())
	}
	// Bound by its 4-tuple now: its data reaches it, not the listener.
	rx := lb.l.Stats().Received
	lb.in(legit, wire.TCP{SrcPort: 5555, Seq: 9001, Ack: cookie + 1, Flags: wire.FlagACK | wire.FlagFIN, Window: 1000})
	if lb.l.Stats().Received != rx || conn.State() != tcp.CloseWait {
		t.Errorf("the FIN went to the listener (%d segments) or the connection is %v; want the connection, CLOSE-WAIT", lb.l.Stats().Received-rx, conn.State())
	}
}

// Cookies round-trip for every MSS class and tuple, fail for any other
// tuple, and live between one and two periods.
func TestCookieJar(t *testing.T) {
	j := tcp.NewCookieJar([16]byte{1, 2, 3})
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		tu := tcp.Tuple{Remote: wire.Addr{10, 0, byte(r.IntN(256)), byte(r.IntN(256))}, RemotePort: uint16(r.IntN(65536)), Local: server, LocalPort: 80}
		mss := 64 + r.IntN(9000)
		now := sim.Time(r.Int64N(int64(1000 * sim.Second)))
		c, enc := j.ISN(tu, mss, now)
		if enc > mss && enc != tcp.CookieMSS[0] {
			t.Fatalf("MSS %d encoded as %d", mss, enc)
		}
		if got, ok := j.Check(tu, c, now+tcp.CookiePeriod-1); !ok || got != enc {
			t.Fatalf("cookie %#x for MSS %d: check within a period = %d, %v; want %d, true", c, mss, got, ok, enc)
		}
		if _, ok := j.Check(tu, c, now+2*tcp.CookiePeriod); ok {
			t.Fatalf("cookie %#x still valid two periods later", c)
		}
		other := tu
		other.RemotePort++
		if _, ok := j.Check(other, c, now); ok {
			// 24 bits of hash: a false match has odds 2^-24 per try.
			t.Fatalf("cookie %#x valid for another port", c)
		}
		if _, ok := j.Check(tu, c^1, now); ok {
			t.Fatalf("cookie %#x valid with a flipped bit", c)
		}
	}
}
