package tcpconn

import (
	"slices"
	"testing"

	"tcpsim/model/host"
	"tcpsim/model/link"
	"tcpsim/model/tcp"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// net is two hosts joined by a 10 Mb/s link of 5 ms each way.
type net struct {
	eng  *sim.Engine
	a, b *host.Host
}

func newNet() *net {
	eng := sim.New(64)
	pool := link.NewPool()
	streams := sim.NewStreams(1)
	a, b := host.New(wire.Addr{10, 0, 0, 1}, pool), host.New(wire.Addr{10, 0, 0, 2}, pool)
	cfg := link.Config{Rate: 10_000_000, Delay: 5 * sim.Millisecond}
	a.Attach(link.NewPipe(eng, streams, "fwd", cfg, b, pool))
	b.Attach(link.NewPipe(eng, streams, "rev", cfg, a, pool))
	return &net{eng: eng, a: a, b: b}
}

// log records a side's events as text.
type log struct {
	side string
	got  *[]string
}

func (l log) TCPEvent(ev tcp.Event, n tcp.Note) {
	switch ev {
	case tcp.EvState:
		*l.got = append(*l.got, l.side+" "+n.From.String()+"=>"+n.To.String())
	case tcp.EvTimer:
		*l.got = append(*l.got, l.side+" "+n.TimerOp.String()+" "+n.Timer)
	case tcp.EvApp:
		*l.got = append(*l.got, n.Side+" "+n.AppOp.String())
	}
}

// The application's calls go through Conn's methods: a call from outside
// any endpoint callback (here a Write and a Close scheduled on the engine)
// arms the retransmission timer at once, and the observer hears it.
func TestMethodsRearm(t *testing.T) {
	n := newNet()
	var got []string
	client := NewConn(n.eng, n.a, n.b.Addr, 0, tcp.Config{LocalPort: 1000, RemotePort: 80, ISS: 1, Observer: log{"client", &got}})
	server := NewConn(n.eng, n.b, n.a.Addr, 0, tcp.Config{LocalPort: 80, RemotePort: 1000, ISS: 9, Observer: log{"server", &got}})
	server.Listen()
	client.Connect()
	n.eng.Run(sim.Limits{Until: sim.Second})
	if client.State() != tcp.Established || server.State() != tcp.Established {
		t.Fatalf("after the handshake: client %v server %v, want ESTABLISHED both", client.State(), server.State())
	}
	got = nil
	n.eng.At(2*sim.Second, func(uint64) {
		client.Write(1000)
		if !slices.Contains(got, "client set retransmission") {
			t.Errorf("Write at %v: events %q, want the retransmission timer set at once", n.eng.Now(), got)
		}
		client.Close()
	}, 0)
	n.eng.Run(sim.Limits{Until: 3 * sim.Second})
	if server.Readable() != 1000 {
		t.Errorf("server readable %d, want 1000", server.Readable())
	}
	if s := client.State(); s != tcp.FinWait2 {
		t.Errorf("client %v after its FIN was acknowledged, want FIN-WAIT-2", s)
	}
}

// A bulk transfer and a request/response exchange complete, verified,
// and both ends close.
func TestApp(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  AppConfig
		want int64
	}{
		{"bulk", AppConfig{Bytes: 200_000}, 200_000},
		{"request-response", AppConfig{Request: 100, Response: 5000, Exchanges: 3}, 3 * 5100},
		{"slow reader", AppConfig{Bytes: 50_000, ReadRate: 1_000_000}, 50_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newNet()
			var got []string
			client := NewConn(n.eng, n.a, n.b.Addr, 0, tcp.Config{LocalPort: 1000, RemotePort: 80, ISS: 1})
			server := NewConn(n.eng, n.b, n.a.Addr, 0, tcp.Config{LocalPort: 80, RemotePort: 1000, ISS: 9})
			tc.cfg.Observer = log{"app", &got}
			a := NewApp(n.eng, client, server, tc.cfg)
			a.Start()
			n.eng.Run(sim.Limits{Until: 200 * sim.Second})
			if !a.Done() || a.Delivered != tc.want || a.Want() != tc.want || a.Corrupt != 0 {
				t.Fatalf("done %v delivered %d corrupt %d, want done, %d, 0", a.Done(), a.Delivered, a.Corrupt, tc.want)
			}
			if cs, ss := client.State(), server.State(); cs != tcp.Closed && cs != tcp.TimeWait || ss != tcp.Closed {
				t.Errorf("client %v server %v, want TIME-WAIT or CLOSED, and CLOSED", cs, ss)
			}
			if len(got) == 0 || got[0] != "client write" {
				t.Errorf("app events %q, want the client's write first", got)
			}
		})
	}
}
