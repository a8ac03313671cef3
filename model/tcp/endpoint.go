package tcp

import (
	"tcpsim/model/seqnum"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// Clock tells the endpoint the time; the engine satisfies it.
type Clock interface {
	Now() sim.Time
}

// Output takes the segments an endpoint emits. payload is only valid
// during the call.
type Output interface {
	Output(h *wire.TCP, payload []byte)
}

// Config holds an endpoint's parameters. Zero fields take the defaults
// documented on each.
type Config struct {
	LocalPort, RemotePort uint16
	ISS                   seqnum.Value // initial send sequence number
	MSS                   int          // default 1460
	RecvBuffer            int          // bytes; default 65536
	InitialWindow         int          // segments; default 10 (RFC 6928)
	Congestion            Congestion
	InitialRTO            sim.Time // default 1 s (RFC 6298 §2.1)
	MinRTO                sim.Time // default 1 s (RFC 6298 §2.4)
	MaxRTO                sim.Time // default 60 s (RFC 6298 §2.5)
	Granularity           sim.Time // clock granularity G; default 1 ms
	DelayedAck            sim.Time // 0: ACK every segment; else the delayed-ACK timer
	TimeWait              sim.Time // 2·MSL; default 60 s (as Linux)
	// MaxRetries is how many times one segment is retransmitted after
	// the handshake (data, FIN) before the connection aborts; default 15
	// (Linux net.ipv4.tcp_retries2). It does not cover the SYN.
	MaxRetries int
	// SynRetries is how many times the SYN (in SYN-SENT) or the SYN-ACK
	// (in SYN-RECEIVED) is retransmitted before the connection aborts;
	// default 6 (Linux net.ipv4.tcp_syn_retries).
	SynRetries int
	// SynAckRetries, if set, is how many times the SYN-ACK is
	// retransmitted in SYN-RECEIVED before the connection aborts, as
	// Linux's net.ipv4.tcp_synack_retries (default 5) counts them apart
	// from the SYN's; 0: SynRetries counts them too.
	SynAckRetries int
	// SACK allows selective acknowledgments (RFC 2018): the endpoint
	// offers SACK-permitted on its SYN, or on its SYN-ACK if the peer
	// offered it. When both ends allow it, the receiver reports
	// out-of-order data in SACK blocks and the sender recovers by them
	// (RFC 6675). Default off, as in the textbook's TCP.
	SACK bool
	// Timestamps allows the Timestamps option (RFC 7323): offered on the
	// SYN, or on the SYN-ACK if the peer offered it. When both ends allow
	// it, every segment but a RST carries it, the sender measures the RTT
	// from its echo on every ACK of new data (retransmissions included,
	// RFC 7323 §4), PAWS drops old duplicate segments (§5), and a full
	// segment carries 12 bytes less payload. Default off.
	Timestamps bool
	// ECN offers Explicit Congestion Notification (RFC 3168 §6.1.1): ECE
	// and CWR on the SYN, ECE on the SYN-ACK if the peer offered it.
	// When both ends allow it, new data goes out ECN-capable (the binding sets
	// ECT(0)), the receiver echoes CE marks with ECE, and the sender
	// reacts to ECE as to a loss, without retransmitting, and says CWR.
	// Default off.
	ECN bool
	// InitialSsthresh is ssthresh before the first loss, in bytes; 0 means
	// "arbitrarily high" (RFC 5681 §3.1).
	InitialSsthresh int
	// ByteCounting uses Linux's window arithmetic: growth by segments
	// delivered rather than per ACK (RFC 3465; tcp_slow_start and
	// tcp_cong_avoid_ai, abc.go), and for Reno ssthresh = max(cwnd/2, 2
	// segments) (tcp_reno_ssthresh), kept by a timeout during a loss
	// episode (tcp_enter_loss). Default off: RFC 5681's rules.
	ByteCounting bool
	// TextbookWindow runs the window as Kurose & Ross draw it in their
	// Figure 3.53 (textbook.go): whole segments, one segment per ACK in
	// slow start up to ssthresh and one per window of segments
	// acknowledged in congestion avoidance (one per RTT), ssthresh half of
	// cwnd in whole segments, no Limited Transmit, and Reno's window held
	// at ssthresh + 3 segments through fast recovery and growing linearly
	// from there. Default off: RFC 5681's rules. It applies to tahoe and
	// reno (and newreno); the other algorithms ignore it.
	TextbookWindow bool
	// HyStart picks the slow-start exit (hystart.go, hystartpp.go);
	// HyStartAuto, the zero value, leaves it to the congestion control.
	HyStart HyStart
	// DelAckATO times delayed ACKs as Linux does (delack.go): the timer
	// follows the spacing of arriving data from 40 ms, bounded by the
	// SRTT, instead of DelayedAck, which then only says that ACKs are
	// delayed; and a retransmission the receiver already holds is ACKed
	// at once, as are the 16 segments after it.
	DelAckATO bool
	// NewRenoRecovery makes Reno's fast recovery NewReno's (RFC 6582:
	// stay until the loss's window is acknowledged, resending on each
	// partial ACK), as Linux's tcp_input.c recovers without SACK whatever
	// the congestion module; default off: each algorithm's own recovery.
	NewRenoRecovery bool
	// RecvBufferMax, when above RecvBuffer, lets the receive buffer grow
	// from RecvBuffer up to it as Linux's receive-buffer autotuning does
	// (tcp_rcv_space_adjust, rcvtune.go); 0: the buffer stays RecvBuffer.
	RecvBufferMax int
	// QuickAcks is how many data segments at the start of the connection
	// are acknowledged at once even with delayed ACKs, as Linux's quick-ACK
	// mode does so that the sender's slow start is not held back (Linux
	// TCP_MAX_QUICKACKS = 16); 0: none.
	QuickAcks int
	// Data returns the application's stream bytes [off, off+n); nil
	// means the payload package's pattern.
	Data func(off int64, n int) []byte
	// PRR sets cwnd during a SACK loss recovery by Proportional Rate
	// Reduction (RFC 6937, prr.go) instead of dropping it to ssthresh at
	// once (RFC 6675 §5), as Linux and ns-3 do by default. Without SACK
	// it applies only with NewRenoRecovery: then the recovery is Linux's
	// without SACK (recovery_renoprr.go: each duplicate ACK counts as a
	// delivered segment, PRR sets cwnd); otherwise it has no effect.
	// Default off, as in the textbook's TCP.
	PRR bool
	// RACK makes a SACK sender recover as Linux does by default
	// (net.ipv4.tcp_recovery = 1): RACK's time-based loss detection and
	// Tail Loss Probes (RFC 8985, recovery_rack.go) instead of RFC 6675's
	// DupThresh rule. Without SACK it has no effect. Default off.
	RACK bool
	// DSACK makes the receiver report duplicate segments in D-SACK
	// blocks (RFC 2883) when SACK is in use, as Linux does
	// (net.ipv4.tcp_dsack = 1); a RACK sender uses them to widen its
	// reordering window, to clear a loss probe and to undo a window
	// reduction that a spurious retransmission caused. Default off.
	DSACK bool
	// LinuxRTO computes the RTO as Linux does (tcp_rtt_estimator,
	// rto_kernel.go): SRTT + max(4·mdev, MinRTO), the deviation term
	// following each window's largest, instead of RFC 6298's
	// max(SRTT + 4·RTTVAR, MinRTO). Default off.
	LinuxRTO bool
	// FRTO runs Forward RTO-Recovery after a retransmission timeout
	// (RFC 5682, frto.go), as Linux does by default (net.ipv4.tcp_frto):
	// new data goes out after the first retransmission is acknowledged,
	// and an ACK of data never retransmitted shows the timeout spurious and
	// undoes its window cut. It works with the recovery without SACK and
	// with RACK; with RFC 6675's recovery (sack without rack) it has no
	// effect. Default off.
	FRTO bool
	// Pacing spaces the segments the sender sends at Linux's pacing rate
	// (tcp_update_pacing_rate, pacing.go): cwnd/SRTT × 2 in slow start,
	// × 1.2 after. BBR always paces, at its own rate. Default off.
	Pacing bool
	// Observer, if set, is told of every state change, cwnd and
	// ssthresh decision, change of the advertised window, RTT
	// measurement and loss recovery episode (see Event); the connection
	// binding the endpoint reports its own events to it too.
	Observer Observer
}

func (c *Config) defaults() {
	if c.MSS == 0 {
		c.MSS = 1460
	}
	if c.RecvBuffer == 0 {
		c.RecvBuffer = 65536
	}
	if c.InitialWindow == 0 {
		c.InitialWindow = 10
	}
	if c.InitialRTO == 0 {
		c.InitialRTO = sim.Second
	}
	if c.MinRTO == 0 {
		c.MinRTO = sim.Second
	}
	if c.MaxRTO == 0 {
		c.MaxRTO = 60 * sim.Second
	}
	if c.Granularity == 0 {
		c.Granularity = sim.Millisecond
	}
	if c.TimeWait == 0 {
		c.TimeWait = 60 * sim.Second
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = 15
	}
	if c.SynRetries == 0 {
		c.SynRetries = 6
	}
}

// Stats are an endpoint's counters.
type Stats struct {
	SegsSent, SegsRecv  int64
	DataSegsSent        int64
	BytesSent           int64 // payload bytes, retransmissions included
	TimeoutRetrans      int64 // segments retransmitted after an RTO
	FastRetrans         int64 // segments retransmitted on duplicate ACKs or partial ACKs
	RTOExpirations      int64
	Recoveries          int64 // fast retransmit episodes (loss indications by duplicate ACKs)
	DupAcks             int64 // duplicate ACKs received (RFC 5681 definition)
	OutOfOrder          int64 // segments buffered out of order
	DupSegs             int64 // segments (or parts) already received, discarded
	ZeroWindowSeen      int64 // times the peer's window fell to zero
	ZeroWindowAdvert    int64 // times we advertised a zero window
	WindowProbes        int64
	CwndMax             int
	AcksSent, AcksDelay int64
	RTTSamples          int64
	SACKBlocksSent      int64 // SACK blocks sent on ACKs (RFC 2018)
	SACKBlocksRecv      int64 // SACK blocks received on ACKs
	SACKRetrans         int64 // segments retransmitted in SACK loss recovery (RFC 6675), fast retransmit included
	PAWSDrops           int64 // segments dropped by PAWS as old duplicates (RFC 7323 §5)
	CEReceived          int64 // segments that arrived marked CE (RFC 3168)
	ECEReceived         int64 // ACKs received with ECE (after the handshake)
	ECNReductions       int64 // window reductions in response to ECE (RFC 3168 §6.1.2)
	CWRSent             int64 // segments sent with CWR (after the handshake)
	LossProbes          int64 // Tail Loss Probes sent (RFC 8985 §7; Linux TCPLossProbes)
	LossProbeRecoveries int64 // losses a retransmitted probe repaired (Linux TCPLossProbeRecovery)
	DSACKsRecv          int64 // ACKs with a D-SACK block received (RFC 2883; Linux TCPDSACKRecv)
	Undos               int64 // window reductions undone as spurious (D-SACK, Eifel or F-RTO; Linux TCP*Undo)
	SpuriousRTOs        int64 // timeouts F-RTO found spurious (RFC 5682 step 3.b; Linux TCPSpuriousRTOs)
	ResetsSent          int64 // resets sent in reply to a segment that reached no connection (RFC 9293 §3.10.7.1)
}

// Endpoint is one side of a TCP connection. It is sans-I/O: see the
// package comment. It is the state machine (state.go, input.go) and the
// wiring between its halves, each its own type:
//
//   - snd, the send half: the send sequence variables (RFC 9293 §3.3.1),
//     the application's stream and the congestion window (snd.go);
//   - rcv, the receive half: the receive sequence variables, the
//     reassembly buffer and the window we advertise (rcv.go, rcvbuf.go);
//   - rtt, the RFC 6298 round-trip estimator and retransmission timeout
//     (rtt.go);
//   - cc, the congestion control, which sets the congestion window
//     (cc.go and one file per algorithm);
//   - rec, the loss recovery, which repairs what duplicate ACKs reveal
//     (recovery.go).
type Endpoint struct {
	cfg   Config
	clock Clock
	out   Output
	state State
	st    Stats

	snd sender
	rcv receiver
	rtt rttEstimator
	cc  congestionControl
	rec lossRecovery
	prr prr // Proportional Rate Reduction (RFC 6937), when Config.PRR
	// frto is Forward RTO-Recovery (RFC 5682), when Config.FRTO.
	frto frto
	// rack is rec when it is a rackRecovery (Config.RACK with SACK), for
	// the hooks that feed it every transmission and its two timers.
	rack *rackRecovery
	// probing says the segment being sent is a Tail Loss Probe, which
	// RFC 8985 §7.3 sends whatever cwnd says.
	probing bool
	ts      tsState  // the Timestamps option (RFC 7323), both halves
	ecn     ecnState // Explicit Congestion Notification (RFC 3168), both halves
	// Retransmission bookkeeping (RFC 6298 §5, RFC 9293 §3.8.3).
	retries       int      // retransmissions of the oldest segment since the last new ACK
	synRTOExpired bool     // the SYN was retransmitted: its ACK gives no RTT sample (Karn)
	synAt         sim.Time // when the SYN was first sent
	noSynSample   bool     // opened from a SYN cookie (AcceptCookie): the handshake gives no RTT sample

	// Timers, as deadlines (0 = stopped); the caller arms one engine timer
	// for the earliest.
	rtxAt, persistAt, delackAt, timeWaitAt sim.Time
	persistBackoff                         int
	// RACK's reordering timer and the Tail Loss Probe timer (RFC 8985
	// §6.3, §7.2), with rack only; Linux runs them on the retransmission
	// timer, so Timers reports the earliest of the three as it.
	reoAt, ptoAt sim.Time
	// Pacing (pacing.go): the sender may send data again at pacingNext;
	// pacingWait says output is holding data back until then.
	pacing     bool
	pacingNext sim.Time
	pacingWait bool
	bbr        *bbr // cc when it is BBR, for its rate samples

	hdr             wire.TCP // scratch header for emit
	onReadable      func()   // application waiting in a read, if any
	emittingRetrans bool     // the segment being emitted is a retransmission
	paySum          uint64   // checksum sum of the payload being emitted, if paySumKnown
	paySumKnown     bool
	abortReason     string
	closedAt        sim.Time
}

// NewEndpoint returns a CLOSED endpoint.
func NewEndpoint(cfg Config, clock Clock, out Output) *Endpoint {
	cfg.defaults()
	e := &Endpoint{cfg: cfg, clock: clock, out: out}
	e.snd.init(&e.cfg)
	e.rcv.init(&e.cfg)
	e.rtt.init(&e.cfg)
	e.prr.on = cfg.PRR
	e.frto.on = cfg.FRTO
	alg := cfg.Congestion.algorithm()
	e.cc = alg.newCC(&e.snd)
	if b, ok := e.cc.(*bbr); ok {
		e.bbr = b
		e.snd.rate.on = true
	}
	e.pacing = cfg.Pacing || e.bbr != nil
	// BBR sets cwnd itself on every ACK, in recovery too: Linux's
	// tcp_cong_control runs a cong_control module instead of PRR's
	// tcp_cwnd_reduction.
	e.prr.on = e.prr.on && e.bbr == nil
	e.snd.ssExit = newSlowStartExit(&e.cfg, &e.snd)
	// Loss recovery is the duplicate-ACK recovery the congestion control
	// asks for, unless the handshake negotiates SACK (useSACK).
	variant := alg.recovery
	if cfg.NewRenoRecovery && variant == recoveryReno {
		variant = recoveryNewReno
	}
	if e.prr.on && cfg.NewRenoRecovery && variant == recoveryNewReno {
		// Linux's recovery without SACK: PRR with duplicate ACKs counted
		// as delivered segments (recovery_renoprr.go).
		e.rec = newRenoPRRRecovery(e)
		return e
	}
	rr := newRenoRecovery(e, variant)
	rr.holdAtHigh = cfg.NewRenoRecovery && variant == recoveryNewReno
	e.rec = rr
	return e
}

// useSACK switches the connection to selective acknowledgments once the
// handshake has shown that both ends allow them (RFC 2018 §2): the
// receiver reports out-of-order data in SACK blocks; the sender keeps a
// scoreboard of them from the first byte of the stream and, if its
// congestion control has fast recovery (Reno's, NewReno's or a later
// one's), recovers by RFC 6675 instead of by duplicate ACKs alone. Tahoe
// and none keep their textbook recovery; SACK spares them only resending
// what the receiver holds (go-back-N skips it).
func (e *Endpoint) useSACK() {
	e.snd.sack, e.rcv.sack = true, true
	e.snd.sb.reset(0, e.snd.smss())
	switch e.cfg.Congestion.algorithm().recovery {
	case recoveryReno, recoveryNewReno:
		if e.cfg.RACK {
			e.rack = newRACKRecovery(e)
			e.rec = e.rack
			e.snd.lossFromCwnd = true
			return
		}
		e.rec = newSACKRecovery(e)
		e.frto.on = false // RFC 6675's recovery keeps no timeout state for it
	}
}

// State returns the connection state.
func (e *Endpoint) State() State { return e.state }

// Stats returns the counters.
func (e *Endpoint) Stats() Stats {
	st := e.st
	st.CwndMax = e.snd.cwndMax
	st.RTTSamples = e.rtt.samples
	return st
}

// Aborted returns why the connection was aborted, or "".
func (e *Endpoint) Aborted() string { return e.abortReason }

// SMSS returns the sender's maximum segment size, the largest payload it
// sends: the smaller of the two MSS options, less the 12 bytes of the
// Timestamps option when it is in use (valid once the handshake is done).
func (e *Endpoint) SMSS() int { return e.snd.smss() }

// Cwnd returns the congestion window in bytes.
func (e *Endpoint) Cwnd() int { return e.snd.cwnd }

// Ssthresh returns the slow-start threshold in bytes.
func (e *Endpoint) Ssthresh() int { return e.snd.ssthresh }

// SRTT returns the smoothed round-trip time (0 before the first sample).
func (e *Endpoint) SRTT() sim.Time { return e.rtt.srtt }

// RTTVar returns the round-trip time variation.
func (e *Endpoint) RTTVar() sim.Time { return e.rtt.rttvar }

// RTO returns the current retransmission timeout.
func (e *Endpoint) RTO() sim.Time { return e.rtt.rto }

// SndWnd returns the peer's advertised window in bytes.
func (e *Endpoint) SndWnd() int { return e.snd.wnd }

// InFlight returns SND.NXT - SND.UNA in bytes.
func (e *Endpoint) InFlight() int { return int(e.snd.una.Size(e.snd.nxt)) }

// Readable returns how many in-order bytes wait for the application.
func (e *Endpoint) Readable() int { return e.rcv.buf.readable }

// EOF reports whether the peer's FIN has been received and every byte
// before it read.
func (e *Endpoint) EOF() bool { return e.rcv.finRcvd && e.rcv.buf.readable == 0 }

func (e *Endpoint) setState(s State) {
	if s == e.state {
		return
	}
	from := e.state
	e.state = s
	if s == Closed {
		e.rtxAt, e.persistAt, e.delackAt, e.timeWaitAt = 0, 0, 0, 0
		e.reoAt, e.ptoAt = 0, 0
		e.pacingWait = false
		e.closedAt = e.clock.Now()
	}
	if e.cfg.Observer != nil {
		e.cfg.Observer.TCPEvent(EvState, Note{From: from, To: s})
	}
}

// Listen makes a CLOSED endpoint wait for a SYN (passive open).
func (e *Endpoint) Listen() {
	if e.state == Closed {
		e.setState(Listen)
	}
}

// Connect sends a SYN (active open).
func (e *Endpoint) Connect() {
	if e.state != Closed {
		return
	}
	e.snd.nxt = e.snd.iss
	e.setState(SynSent)
	e.sendSyn()
}

// Write adds n bytes to the stream the application wants sent.
func (e *Endpoint) Write(n int64) {
	if e.snd.closeAsked {
		return
	}
	e.snd.appEnd += n
	e.output()
}

// Close queues a FIN after the data written so far.
func (e *Endpoint) Close() {
	switch e.state {
	case Listen, SynSent:
		e.setState(Closed)
		return
	}
	e.snd.closeAsked = true
	e.output()
}

// Read consumes up to max in-order bytes, returning them (valid until the
// next call on the endpoint) and the stream offset of the first. Reading
// may reopen the window; a window update is sent when that matters
// (receiver-side silly window avoidance, RFC 9293 §3.8.6.2.2).
func (e *Endpoint) Read(max int) ([]byte, int64) {
	b, off := e.rcv.buf.read(max)
	e.afterRead(len(b))
	return b, off
}

// ReadInPlace is Read without the copy, for an application that only
// looks at the bytes: it returns them as at most two slices (the second
// non-empty when they wrap around the end of the receive buffer) and the
// stream offset of the first byte. The slices are valid until the next
// call on the endpoint; called from the SetOnReadable callback they may
// be the arriving segment itself, valid until that callback returns.
func (e *Endpoint) ReadInPlace(max int) (first, second []byte, off int64) {
	first, second, off = e.rcv.buf.readInPlace(max)
	e.afterRead(len(first) + len(second))
	return first, second, off
}

// afterRead sends a window update when reading n bytes reopened the window
// far enough to matter.
func (e *Endpoint) afterRead(n int) {
	if n > 0 {
		e.tuneAfterRead()
	}
	if n > 0 && e.state.synchronized() && !e.rcv.finRcvd {
		w := e.rcv.window(e.state.synchronized())
		thresh := min(e.cfg.RecvBuffer/2, e.cfg.MSS)
		if e.rcv.lastAdv < thresh && w >= thresh {
			e.sendAck()
		}
	}
}

// Retransmitting reports, during Output, whether the segment being sent
// repeats sequence space sent before.
func (e *Endpoint) Retransmitting() bool { return e.emittingRetrans }

// PayloadSum returns, during Output, the RFC 1071 one's-complement sum of
// the payload being sent (unfolded, for wire.BuildTCPSum) when the
// endpoint knows it without reading the bytes (the payload package's
// pattern), and false otherwise.
func (e *Endpoint) PayloadSum() (uint64, bool) { return e.paySum, e.paySumKnown }

// Timers returns the deadlines of the retransmission, persist,
// delayed-ACK and TIME-WAIT timers (0 = stopped).
func (e *Endpoint) Timers() [4]sim.Time {
	return [4]sim.Time{e.rtxTimer(), e.persistAt, e.delackAt, e.timeWaitAt}
}

// rtxTimer is the retransmission timer as Linux runs it: the earliest of
// the retransmission timeout, RACK's reordering timer and the loss probe.
func (e *Endpoint) rtxTimer() sim.Time {
	t := e.rtxAt
	for _, d := range [2]sim.Time{e.reoAt, e.ptoAt} {
		if d != 0 && (t == 0 || d < t) {
			t = d
		}
	}
	return t
}

// WindowShift returns the window scale shift this endpoint applies to the
// windows it advertises (RFC 7323), valid once the handshake is done.
func (e *Endpoint) WindowShift() uint8 { return e.rcv.shift }

// MSS returns the MSS the endpoint was configured with (Config.MSS, its
// default applied): the largest segment payload it receives.
func (e *Endpoint) MSS() int { return e.cfg.MSS }

// TimerNames names the timers in the order Timers returns them.
var TimerNames = [4]string{"retransmission", "persist", "delayed-ack", "time-wait"}

// SetOnReadable registers f to run as soon as new in-order data arrives,
// before the endpoint acknowledges it: an application blocked in a read
// (as the seed tutorial's server in recv()) that takes the data at once,
// so that the ACK already advertises the space it freed. nil removes it.
func (e *Endpoint) SetOnReadable(f func()) { e.onReadable = f }

// Deadline returns when OnTimer must next be called, or 0 for never.
func (e *Endpoint) Deadline() sim.Time {
	d := sim.Time(0)
	for _, t := range [4]sim.Time{e.rtxTimer(), e.persistAt, e.delackAt, e.timeWaitAt} {
		if t != 0 && (d == 0 || t < d) {
			d = t
		}
	}
	if e.pacingWait && (d == 0 || e.pacingNext < d) {
		d = e.pacingNext
	}
	return d
}

// OnTimer runs every timer that is due.
func (e *Endpoint) OnTimer() {
	now := e.clock.Now()
	if e.timeWaitAt != 0 && now >= e.timeWaitAt {
		e.timeWaitAt = 0
		e.setState(Closed)
		return
	}
	if e.delackAt != 0 && now >= e.delackAt {
		e.delackAt = 0
		e.sendAck()
	}
	if e.reoAt != 0 && now >= e.reoAt {
		e.reoAt = 0
		if e.rack != nil {
			e.rack.onReoTimeout()
		}
	}
	if e.ptoAt != 0 && now >= e.ptoAt {
		e.ptoAt = 0
		if e.rack != nil {
			e.rack.tlp.fire(e.rack)
		}
	}
	if e.rtxAt != 0 && now >= e.rtxAt {
		e.rtxAt = 0
		e.onRTO()
	}
	if e.persistAt != 0 && now >= e.persistAt {
		e.persistAt = 0
		e.onPersist()
	}
	if e.pacingWait && now >= e.pacingNext {
		e.pacingWait = false
		e.output()
	}
}

func (e *Endpoint) abort(reason string) {
	e.abortReason = reason
	e.emit(wire.FlagRST|wire.FlagACK, e.snd.nxt, nil)
	e.setState(Closed)
}

// emit builds and sends one segment with the current ACK and window.
func (e *Endpoint) emit(flags uint8, seq seqnum.Value, data []byte) {
	if e.cfg.ECN {
		flags = e.ecnFlags(flags)
	}
	h := &e.hdr     // reused: a local passed to Output would escape per segment
	*h = wire.TCP{} // cleared, then set field by field: cheaper than copying a template
	h.SrcPort, h.DstPort = e.cfg.LocalPort, e.cfg.RemotePort
	h.Seq, h.Flags, h.WScale = uint32(seq), flags, -1
	if flags&wire.FlagACK != 0 {
		h.Ack = uint32(e.rcv.nxt)
		e.rcv.ackedTo = e.rcv.nxt
		e.ts.lastAckSent = e.rcv.nxt // Last.ACK.sent, RFC 7323 §4.3
	}
	w := e.rcv.window(e.state.synchronized())
	if flags&wire.FlagSYN != 0 {
		h.MSS = uint16(e.cfg.MSS)
		h.WScale = int8(e.rcv.shift)
		// RFC 2018 §2: on a SYN if we allow SACK, on a SYN-ACK only if
		// the peer's SYN offered it too.
		h.SACKPermitted = e.cfg.SACK && (flags&wire.FlagACK == 0 || e.rcv.sack)
		// RFC 7323 §3.2: the same rule for the Timestamps option.
		h.Timestamps = e.cfg.Timestamps && (flags&wire.FlagACK == 0 || e.ts.on)
	} else {
		h.Timestamps = e.ts.on && flags&wire.FlagRST == 0 // every non-RST segment
	}
	if h.Timestamps {
		h.TSval = tsClock(e.clock.Now())
		if e.ts.recentSet {
			h.TSecr = e.ts.recent
		}
	}
	if flags&wire.FlagSYN != 0 {
		h.Window = uint16(min(w, 65535)) // RFC 7323 §2.2: never scaled on SYN
	} else {
		h.Window = uint16(min(w>>e.rcv.shift, 65535))
	}
	adv := int(h.Window) << e.rcv.shift
	if flags&wire.FlagSYN != 0 {
		adv = int(h.Window)
	}
	if adv == 0 && e.rcv.lastAdv != 0 && e.state.synchronized() {
		e.st.ZeroWindowAdvert++
	}
	if adv != e.rcv.lastAdv && e.cfg.Observer != nil {
		e.cfg.Observer.TCPEvent(EvRwnd, Note{Window: adv})
	}
	e.rcv.lastAdv = adv
	e.rcv.advRight = e.rcv.nxt.Add(seqnum.Size(adv))
	if flags&wire.FlagACK != 0 {
		e.delackAt = 0
		e.rcv.ackPending = 0
	}
	if flags&(wire.FlagACK|wire.FlagSYN|wire.FlagRST) == wire.FlagACK && e.rcv.sack {
		e.st.SACKBlocksSent += int64(e.rcv.putSACK(h))
	}
	e.rcv.hasTrigger, e.rcv.hasDup = false, false
	e.st.SegsSent++
	e.emittingRetrans = seq.LessThan(e.snd.max) && (len(data) > 0 || flags&(wire.FlagSYN|wire.FlagFIN) != 0)
	e.out.Output(h, data)
	e.emittingRetrans = false
	e.paySumKnown = false
}

func (e *Endpoint) sendAck() {
	e.st.AcksSent++
	e.emit(wire.FlagACK, e.snd.nxt, nil)
}

func (e *Endpoint) sendSyn() {
	flags := wire.FlagSYN
	if e.state == SynReceived {
		flags |= wire.FlagACK
	}
	if !e.synRTOExpired {
		e.synAt = e.clock.Now()
	}
	e.emit(flags, e.snd.iss, nil)
	e.snd.nxt = e.snd.iss + 1
	e.snd.max = seqnum.Max(e.snd.max, e.snd.nxt)
	if e.rtxAt == 0 {
		e.rtxAt = e.clock.Now().Add(e.rtt.rto)
	}
}
