package tcpconn

import (
	"tcpsim/model/payload"
	"tcpsim/model/tcp"
	"tcpsim/sim"
)

// AppConfig describes the application on a connection: bulk transfer of
// Bytes from client to server (like the seed tutorial's client sending to a
// server), or Exchanges request/response rounds (the client sends Request
// bytes, the server answers Response bytes, like its echo of "hahaha").
type AppConfig struct {
	Bytes             int64 // bulk: bytes client→server; 0 for request/response
	Request, Response int64
	Exchanges         int
	// ReadRate limits how fast the receiving application reads, in bits per
	// second (0: it reads everything at once). A slow reader fills the
	// receive buffer and closes the advertised window.
	ReadRate int64
	Start    sim.Time
	// Closed says the server does not listen: the client's SYN finds a
	// closed port.
	Closed bool
	// Observer, if set, is told of application writes and reads
	// (tcp.EvApp).
	Observer tcp.Observer
}

// App drives a client and a server Conn and measures the transfer.
type App struct {
	cfg            AppConfig
	eng            *sim.Engine
	Client, Server *Conn
	readers        [2]reader // 0: client side, 1: server side

	exchange    int   // request/response round in progress
	served      int   // requests answered by the server
	Delivered   int64 // application bytes read, both directions
	Corrupt     int64 // bytes read that differ from what was sent (an error the checksum missed)
	Handshake   sim.Time
	DoneAt      sim.Time // last application byte read; -1 until then
	established bool
}

// reader is one side's application read loop.
type reader struct {
	app   *App
	c     *Conn
	want  int64 // bytes this side must read in all
	got   int64
	timer *sim.Timer
	busy  bool // a rate-limited read is scheduled
}

// NewApp wires the application onto client and server. Call Start.
func NewApp(eng *sim.Engine, client, server *Conn, cfg AppConfig) *App {
	a := &App{cfg: cfg, eng: eng, Client: client, Server: server, DoneAt: -1}
	if cfg.Exchanges == 0 {
		a.cfg.Exchanges = 1
	}
	a.readers[0] = reader{app: a, c: client}
	a.readers[1] = reader{app: a, c: server}
	if cfg.Bytes > 0 {
		a.readers[1].want = cfg.Bytes
	} else {
		a.readers[0].want = cfg.Response * int64(a.cfg.Exchanges)
		a.readers[1].want = cfg.Request * int64(a.cfg.Exchanges)
	}
	for i := range a.readers {
		r := &a.readers[i]
		r.timer = sim.NewTimer(eng, r.onTick)
	}
	client.onInput = func() { a.poll(0) }
	server.onInput = func() { a.poll(1) }
	if cfg.ReadRate == 0 {
		// The applications wait in a read and take data as it arrives.
		client.ep.SetOnReadable(a.readers[0].pump)
		server.ep.SetOnReadable(a.readers[1].pump)
	}
	return a
}

// Start listens on the server and connects the client at the start time.
func (a *App) Start() {
	if !a.cfg.Closed {
		a.Server.Listen()
	}
	a.eng.At(a.cfg.Start, func(uint64) { a.Client.Connect() }, 0)
}

// Want returns the application bytes the transfer must deliver.
func (a *App) Want() int64 { return a.readers[0].want + a.readers[1].want }

// Established reports whether the client finished its handshake.
func (a *App) Established() bool { return a.established }

// Done reports whether every application byte has been read.
func (a *App) Done() bool { return a.DoneAt >= 0 }

func (a *App) poll(side int) {
	c := a.readers[side].c
	if side == 0 && !a.established && c.State() >= tcp.Established {
		a.established = true
		a.Handshake = a.eng.Now() - a.cfg.Start
		if a.cfg.Bytes > 0 {
			a.write(0, a.cfg.Bytes)
			c.Close()
		} else {
			a.write(0, a.cfg.Request)
		}
	}
	a.readers[side].pump()
}

// pump reads what is readable: all of it, or one rate-limited chunk.
func (r *reader) pump() {
	if r.busy {
		return
	}
	c := r.c
	for c.Readable() > 0 {
		n := c.Readable()
		if r.app.cfg.ReadRate > 0 {
			n = min(n, c.MSS())
		}
		b1, b2, off := c.ReadInPlace(n) // the application only verifies: no copy
		k := int64(len(b1) + len(b2))
		// The host's checksum compared bytes still in the arriving packet
		// with the pattern: its memo spares a second comparison.
		if m := r.c.h.Stream(); !m.Check(b1, off) || !m.Check(b2, off+int64(len(b1))) {
			r.app.Corrupt += int64(payload.Diff(b1, off) + payload.Diff(b2, off+int64(len(b1))))
		}
		r.got += k
		r.app.Delivered += k
		if o := r.app.cfg.Observer; o != nil {
			o.TCPEvent(tcp.EvApp, tcp.Note{Side: sideName(r == &r.app.readers[0]), AppOp: tcp.AppRead, Bytes: k})
		}
		r.app.progress(r)
		if r.app.cfg.ReadRate > 0 {
			r.busy = true
			r.timer.Reset(r.app.eng.Now().Add(sim.Time(k * 8 * int64(sim.Second) / r.app.cfg.ReadRate)))
			return
		}
	}
	if c.EOF() && (c.State() == tcp.CloseWait) {
		c.Close()
	}
}

// onTick ends a rate-limited read's pause and reads on, as one call into
// the endpoint (the timer is re-armed once, at the end).
func (r *reader) onTick() {
	r.busy = false
	r.c.depth++
	r.pump()
	r.c.done()
}

// progress advances request/response rounds and records completion.
func (a *App) progress(r *reader) {
	if a.cfg.Bytes == 0 {
		if r == &a.readers[1] {
			// Server: answer each complete request.
			for a.served < a.cfg.Exchanges && r.got >= int64(a.served+1)*a.cfg.Request {
				a.served++
				a.write(1, a.cfg.Response)
			}
		} else {
			for a.exchange < a.cfg.Exchanges && r.got >= int64(a.exchange+1)*a.cfg.Response {
				a.exchange++
				if a.exchange < a.cfg.Exchanges {
					a.write(0, a.cfg.Request)
				} else {
					a.Client.Close()
				}
			}
		}
	}
	if a.DoneAt < 0 && a.readers[0].got >= a.readers[0].want && a.readers[1].got >= a.readers[1].want {
		a.DoneAt = a.eng.Now()
	}
}

func sideName(client bool) string {
	if client {
		return "client"
	}
	return "server"
}

func (a *App) write(side int, n int64) {
	if o := a.cfg.Observer; o != nil {
		o.TCPEvent(tcp.EvApp, tcp.Note{Side: sideName(side == 0), AppOp: tcp.AppWrite, Bytes: n})
	}
	a.readers[side].c.Write(n)
}
