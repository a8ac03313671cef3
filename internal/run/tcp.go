package run

import (
	"tcpsim/internal/scenario"
	"tcpsim/model/host"
	"tcpsim/model/seqnum"
	"tcpsim/model/tcp"
	"tcpsim/model/tcpconn"
	"tcpsim/sim"
)

// TCPResult holds the TCP-only measurements of a flow (sender side unless
// noted).
type TCPResult struct {
	Verified       string // "yes", or "NO" if any byte read differs from what was sent
	CorruptBytes   int64  // bytes read that differ from what was sent: errors the checksum missed
	Handshake      sim.Time
	TimeoutRetrans int64
	FastRetrans    int64
	RTOExpirations int64
	DupAcks        int64
	ZeroWindows    int64 // times a receiver advertised a zero window
	WindowProbes   int64 // zero-window probes sent (persist timer)
	SACKBlocksSent int64 // SACK blocks sent on ACKs, both endpoints (RFC 2018)
	SACKBlocksRecv int64 // SACK blocks received, both endpoints
	SACKRetrans    int64 // segments retransmitted in SACK loss recovery (RFC 6675), both endpoints
	SMSS           int64 // the client's SMSS: its largest segment payload (less 12 bytes with timestamps)
	CwndFinal      int64
	CwndMax        int64
	SRTT           sim.Time
	RTO            sim.Time
	State          string // client / server
	// ECN says the flow asked for ECN (ecn: true); ECNNegotiated that
	// the handshake agreed to it (RFC 3168 §6.1.1). CEReceived counts the
	// CE-marked segments both endpoints received, CWRSent the segments
	// both sent with CWR, ECNReductions the window reductions for ECE.
	ECN, ECNNegotiated                 bool
	CEReceived, CWRSent, ECNReductions int64
	// Sender is the client endpoint's raw counters; Receiver the server's.
	Sender, Receiver tcp.Stats
}

type tcpFlow struct {
	spec *scenario.Flow
	app  *tcpconn.App
	iss  seqnum.Value // the client's initial sequence number
}

func newTCPFlow(n *Network, i int, f *scenario.Flow, src, dst *host.Host, cport, sport uint16, streams sim.Streams) (flow, error) {
	t := f.TCP
	cfg, err := tcpConfig(t)
	if err != nil {
		return nil, err
	}
	isn := streams.Stream("flow/" + f.Name + "/isn")
	ccfg, scfg := cfg, cfg
	ccfg.LocalPort, ccfg.RemotePort = cport, sport
	scfg.LocalPort, scfg.RemotePort = sport, cport
	ccfg.ISS = seqnum.Value(isn.Uint32())
	scfg.ISS = seqnum.Value(isn.Uint32())
	if t.ISN != nil {
		ccfg.ISS = seqnum.Value(*t.ISN)
		scfg.ISS = seqnum.Value(*t.ISN + 0x40000000)
	}
	check := n.checker(i)
	cobs := &tcpSide{t: n.tr, flow: f.Name, side: "client", i: int32(i), check: check}
	sobs := &tcpSide{t: n.tr, flow: f.Name, side: "server", i: int32(i), check: check}
	ccfg.Observer, scfg.Observer = cobs, sobs
	client := tcpconn.NewConn(n.eng, src, dst.Addr, int32(i), ccfg)
	server := tcpconn.NewPassiveConn(n.eng, dst, src.Addr, int32(i), scfg)
	if t.Listen {
		n.listener(f, f.To, dst, sport, streams).Expect(server)
	}
	cobs.conn, sobs.conn = client, server
	dst.SetDropSink(int32(i), server)
	src.SetDropSink(int32(i), client)
	ac := tcpconn.AppConfig{Bytes: int64(t.Bytes), ReadRate: int64(t.ReadRate), Start: sim.Time(f.Start)}
	if t.App == "request-response" {
		ac = tcpconn.AppConfig{Request: int64(t.Request), Response: int64(t.Response),
			Exchanges: t.Exchanges, ReadRate: int64(t.ReadRate), Start: sim.Time(f.Start)}
	}
	ac.Closed = !t.Listen
	if n.tr != nil {
		ac.Observer = &tcpSide{t: n.tr, flow: f.Name, i: int32(i)}
	}
	app := tcpconn.NewApp(n.eng, client, server, ac)
	return &tcpFlow{spec: f, app: app, iss: ccfg.ISS}, nil
}

func (t *tcpFlow) start() { t.app.Start() }

func (t *tcpFlow) finished() bool {
	a := t.app
	if a.Client.Aborted() != "" || a.Server.Aborted() != "" {
		return true
	}
	return a.Done() && closedOK(a.Client.State()) && closedOK(a.Server.State())
}

// release trims both endpoints' empty buffers (tcpconn.Conn.Trim).
func (t *tcpFlow) release() {
	t.app.Client.Trim()
	t.app.Server.Trim()
}

func closedOK(s tcp.State) bool { return s == tcp.Closed || s == tcp.TimeWait }

func (t *tcpFlow) result(now sim.Time) FlowResult {
	a := t.app
	cs, ss := a.Client.Stats(), a.Server.Stats()
	r := FlowResult{
		Name: t.spec.Name, Protocol: t.spec.Protocol,
		OfferedBytes: a.Want(), DeliveredBytes: a.Delivered,
		PacketsSent:   cs.SegsSent + ss.SegsSent,
		PacketsRecv:   cs.SegsRecv + ss.SegsRecv,
		ChecksumDrops: a.Client.ChecksumDrops() + a.Server.ChecksumDrops(),
		Duplicates:    cs.DupSegs + ss.DupSegs,
		OutOfOrder:    cs.OutOfOrder + ss.OutOfOrder,
		Start:         sim.Time(t.spec.Start), Completion: -1, Family: t.spec.Family,
	}
	if ab := a.Client.Aborted(); ab != "" {
		r.Aborted = "client: " + ab
	} else if ab := a.Server.Aborted(); ab != "" {
		r.Aborted = "server: " + ab
	}
	if a.Done() {
		r.Completion = a.DoneAt - r.Start
		r.Goodput = goodput(a.Delivered, r.Completion)
	} else {
		r.partialGoodput(now)
	}
	if r.OfferedBytes > 0 {
		r.DeliveryRatio = float64(r.DeliveredBytes) / float64(r.OfferedBytes)
	}
	r.Complete = a.Done() && a.Corrupt == 0 && r.Aborted == "" &&
		closedOK(a.Client.State()) && closedOK(a.Server.State())
	verified := "yes"
	switch {
	case a.Corrupt > 0:
		verified = "NO"
	case !a.Done():
		verified = "partial"
	}
	r.TCP = &TCPResult{
		Verified: verified, CorruptBytes: a.Corrupt, Handshake: a.Handshake,
		TimeoutRetrans: cs.TimeoutRetrans + ss.TimeoutRetrans,
		FastRetrans:    cs.FastRetrans + ss.FastRetrans,
		RTOExpirations: cs.RTOExpirations + ss.RTOExpirations,
		DupAcks:        cs.DupAcks + ss.DupAcks,
		ZeroWindows:    cs.ZeroWindowAdvert + ss.ZeroWindowAdvert,
		WindowProbes:   cs.WindowProbes + ss.WindowProbes,
		SACKBlocksSent: cs.SACKBlocksSent + ss.SACKBlocksSent,
		SACKBlocksRecv: cs.SACKBlocksRecv + ss.SACKBlocksRecv,
		SACKRetrans:    cs.SACKRetrans + ss.SACKRetrans,
		SMSS:           int64(a.Client.SMSS()),
		CwndFinal:      int64(a.Client.Cwnd()), CwndMax: int64(cs.CwndMax),
		SRTT: a.Client.SRTT(), RTO: a.Client.RTO(),
		State:  a.Client.State().String() + " / " + a.Server.State().String(),
		Sender: cs, Receiver: ss,
		ECN:           t.spec.TCP.ECN,
		ECNNegotiated: a.Client.ECN() && a.Server.ECN(),
		CEReceived:    cs.CEReceived + ss.CEReceived,
		CWRSent:       cs.CWRSent + ss.CWRSent,
		ECNReductions: cs.ECNReductions + ss.ECNReductions,
	}
	if !a.Established() {
		r.TCP.Handshake = -1
	}
	return r
}
