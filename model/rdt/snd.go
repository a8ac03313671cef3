package rdt

import (
	"strconv"

	"tcpsim/model/payload"
	"tcpsim/sim"
)

// SenderStats are a sender's counters.
type SenderStats struct {
	DataSent        int64 // data packets sent, retransmissions included
	Retransmissions int64 // data packets sent again
	Timeouts        int64 // timer expirations (one per expiry, however many packets it resends)
	AcksReceived    int64 // ACKs that passed the checksum
	DupAcks         int64 // ACKs that acknowledged nothing new (ignored, as rdt 3.0 and GBN do; rdt 2.2 resends at once)
	NAKsReceived    int64 // rdt 2.0, 2.1: NAKs that passed the checksum (each resends the packet)
	StaleAcks       int64 // ACKs naming a number outside the window (ignored)
	CorruptAcks     int64 // ACKs that failed the checksum or the header checks (ignored)
	MaxInFlight     int   // most packets sent and not yet acknowledged at once
	RTTSamples      int64 // adaptive timeout only
}

// sndSlot is the sender's state for one packet of its window.
type sndSlot struct {
	sentAt   sim.Time // last transmission
	sends    int32    // transmissions so far: Karn's rule samples only packets sent once
	acked    bool     // Selective Repeat: individually acknowledged
	deadline sim.Time // Selective Repeat: this packet's timer; 0 when stopped
}

// Sender is the sending end of an rdt flow (K&R Figures 3.15, 3.20, 3.23).
// Its fields follow the textbook: base is send_base, next is nextseqnum,
// both absolute packet numbers; the wire carries them modulo 2^k.
type Sender struct {
	cfg   Config
	clock Clock
	out   Output
	obs   Observer
	mask  int64 // 2^k - 1
	count int64
	base  int64 // send_base: the oldest unacknowledged packet
	next  int64 // nextseqnum: the next packet to send
	slots []sndSlot
	// rtx is the one timer of stop-and-wait and Go-Back-N, guarding
	// packet base; 0 when stopped.
	rtx sim.Time
	// timers holds Selective Repeat's per-packet deadlines, earliest
	// first; entries whose packet was acknowledged or resent since are
	// stale and skipped when they reach the top.
	timers deadlineHeap
	rto    rtoEstimator
	st     SenderStats
	done   bool
	doneAt sim.Time
	// hdr is the header handed to Output by pointer; kept here so that
	// it does not escape to the heap once per packet.
	hdr Header
	// sending is the absolute number of the data packet being handed to
	// Output, and sends which transmission of it that is (from 1).
	sending int64
	sends   int
	// state is the rdt 2.x FSM state (NoState for the others); stuck an
	// rdt 2.0 sender that got a corrupted ACK or NAK.
	state State
	stuck bool
}

// NewSender returns a sender for cfg (which must Validate); obs may be nil.
func NewSender(cfg Config, clock Clock, out Output, obs Observer) *Sender {
	s := &Sender{cfg: cfg, clock: clock, out: out, obs: obs, mask: seqMask(cfg), count: cfg.Count()}
	s.slots = make([]sndSlot, cfg.Window)
	s.rto.rto = InitialRTO
	return s
}

// Stats returns the counters so far.
func (s *Sender) Stats() SenderStats { return s.st }

// Done reports whether every packet has been acknowledged, and when.
func (s *Sender) Done() (bool, sim.Time) { return s.done, s.doneAt }

// InFlight returns how many packets are sent and not yet acknowledged
// (next - base).
func (s *Sender) InFlight() int { return int(s.next - s.base) }

// Base returns send_base, the oldest unacknowledged packet (absolute).
func (s *Sender) Base() int64 { return s.base }

// Timeout returns the retransmission timeout in force: the fixed one, or
// the estimator's RTO.
func (s *Sender) Timeout() sim.Time {
	if s.cfg.Timeout > 0 {
		return s.cfg.Timeout
	}
	return s.rto.rto
}

// SRTT returns the smoothed RTT of the adaptive estimator, or -1 without
// a sample (or with a fixed timeout).
func (s *Sender) SRTT() sim.Time {
	if !s.rto.has {
		return -1
	}
	return s.rto.srtt
}

func (s *Sender) seq(a int64) uint16    { return uint16(a & s.mask) }
func (s *Sender) slot(a int64) *sndSlot { return &s.slots[a%int64(len(s.slots))] }

// Sending returns the absolute number (from 0) of the data packet the
// sender last handed to its Output, and which transmission of it that was
// (1 = the first, 2 = the first retransmission). Called from inside
// Output (as a link's fault marker is), it names the packet being sent:
// the wire carries the number only modulo 2^k, which with a Selective
// Repeat window of 2^k cannot tell a retransmission from a new packet.
func (s *Sender) Sending() (packet int64, transmission int) { return s.sending, s.sends }

// seqMask is 2^k - 1: the mask that takes an absolute packet number to
// its sequence number. rdt 2.0 has no sequence numbers: its packets all
// carry 0.
func seqMask(cfg Config) int64 {
	if cfg.Protocol == RDT20 {
		return 0
	}
	return 1<<cfg.SeqBits - 1
}

// Start sends the first window (and reports an rdt 2.x sender's initial
// state).
func (s *Sender) Start() {
	if s.cfg.Protocol.rdt2() {
		s.setState("")
	}
	s.fill()
}

// fill sends new packets while the window has room (K&R rdt_send with
// nextseqnum < base+N).
func (s *Sender) fill() {
	for s.next < s.count && s.next < s.base+int64(s.cfg.Window) {
		a := s.next
		s.next++
		*s.slot(a) = sndSlot{}
		if s.cfg.Protocol.rdt2() {
			s.setState(s.sendWhy(a)) // no timer: rdt 2.x assume no loss
		} else if s.cfg.Protocol != SelectiveRepeat && s.base == a {
			s.startTimer() // "if (base == nextseqnum) start_timer"
		}
		s.transmit(a, false)
	}
	s.st.MaxInFlight = max(s.st.MaxInFlight, s.InFlight())
}

// transmit sends packet a and, for Selective Repeat, starts its timer.
func (s *Sender) transmit(a int64, retrans bool) {
	now := s.clock.Now()
	sl := s.slot(a)
	sl.sentAt = now
	sl.sends++
	s.st.DataSent++
	if retrans {
		s.st.Retransmissions++
	}
	if s.cfg.Protocol == SelectiveRepeat {
		sl.deadline = now.Add(s.Timeout())
		s.timers.push(deadline{at: sl.deadline, a: a})
		if s.obs != nil {
			s.obs.RDTEvent(EvTimer, Note{TimerOp: sim.TimerSet, Seq: s.seq(a), At: sl.deadline})
		}
	}
	s.sending, s.sends = a, int(sl.sends)
	off, n := a*int64(s.cfg.Packet), s.cfg.size(a)
	s.hdr = Header{Type: Data, SeqBits: uint8(s.cfg.SeqBits), Seq: s.seq(a)}
	s.out.Output(&s.hdr, payload.At(off, n), payload.Sum(off, n), retrans)
}

// startTimer (re)starts the one timer of stop-and-wait and Go-Back-N for
// packet base.
func (s *Sender) startTimer() {
	s.rtx = s.clock.Now().Add(s.Timeout())
	if s.obs != nil {
		s.obs.RDTEvent(EvTimer, Note{TimerOp: sim.TimerSet, Seq: s.seq(s.base), At: s.rtx})
	}
}

// stopTimer stops the one timer, which guarded packet a.
func (s *Sender) stopTimer(a int64) {
	if s.rtx != 0 && s.obs != nil {
		s.obs.RDTEvent(EvTimer, Note{TimerOp: sim.TimerCancel, Seq: s.seq(a), At: s.rtx})
	}
	s.rtx = 0
}

// Corrupt counts an ACK that failed the checksum: rdt 3.0, GBN and SR
// senders all ignore it and wait for the timer; rdt 2.1 and 2.2 resend
// at once; rdt 2.0 has no transition for it.
func (s *Sender) Corrupt() {
	s.st.CorruptAcks++
	if s.cfg.Protocol.rdt2() && !s.done {
		s.corrupt2()
	}
}

// Input processes an ACK (or an rdt 2.0 or 2.1 NAK) that passed the
// checksum.
func (s *Sender) Input(h *Header) {
	nakOK := h.Type == NAK && (s.cfg.Protocol == RDT20 || s.cfg.Protocol == RDT21)
	if h.Type != ACK && !nakOK || int(h.SeqBits) != s.cfg.SeqBits {
		s.Corrupt()
		return
	}
	if h.Type == ACK {
		s.st.AcksReceived++
	}
	if s.done {
		s.st.DupAcks++
		return
	}
	if s.cfg.Protocol.rdt2() {
		s.input2(h)
	} else if s.cfg.Protocol == SelectiveRepeat {
		s.inputSR(h.Ack)
	} else {
		s.inputGBN(h.Ack)
	}
	if s.base == s.count && !s.done {
		s.done, s.doneAt = true, s.clock.Now()
	}
}

// inputGBN handles a cumulative ACK n: "ACK n" acknowledges every packet
// up to and including n (K&R Figure 3.20). The ACK is mapped to the
// absolute packet a in [base−1, next−1] with a ≡ n (mod 2^k), unique
// because N ≤ 2^k − 1.
func (s *Sender) inputGBN(n uint16) {
	a := s.base - 1 + (int64(n)-(s.base-1))&s.mask
	switch {
	case a >= s.next:
		s.st.StaleAcks++
		s.decide("ACK " + strconv.Itoa(int(n)) + " outside the window: ignored")
		return
	case a < s.base:
		s.st.DupAcks++ // rdt 3.0 and GBN do nothing on a duplicate ACK
		if s.cfg.Protocol == StopAndWait {
			// K&R Figure 3.16 (d): "rcv ACK1, do nothing". Go-Back-N's
			// many duplicate ACKs are left out of the trace.
			s.decide("duplicate ACK " + strconv.Itoa(int(n)) + ": do nothing, still waiting for ACK " + strconv.Itoa(int(s.seq(s.base))))
		}
		return
	}
	if s.cfg.Timeout == 0 && s.slot(a).sends == 1 {
		s.sampleRTT(s.clock.Now() - s.slot(a).sentAt) // Karn: never from a retransmitted packet
	}
	old := s.base
	s.base = a + 1
	if s.base == s.next {
		s.stopTimer(old) // "if (base == nextseqnum) stop_timer"
	} else {
		s.startTimer() // "else start_timer"
	}
	s.fill()
}

// inputSR handles an individual ACK n (K&R Figure 3.23): the packet in
// [base, next−1] numbered n is marked; if it is base, the window slides
// to the oldest unacknowledged packet and new packets go out.
func (s *Sender) inputSR(n uint16) {
	a := s.base + (int64(n)-s.base)&s.mask
	if a >= s.next {
		s.st.StaleAcks++
		s.decide("ACK " + strconv.Itoa(int(n)) + " outside the window: ignored")
		return
	}
	sl := s.slot(a)
	if sl.acked {
		s.st.DupAcks++
		return
	}
	sl.acked = true
	if s.obs != nil {
		s.obs.RDTEvent(EvTimer, Note{TimerOp: sim.TimerCancel, Seq: s.seq(a), At: sl.deadline})
	}
	sl.deadline = 0
	if s.cfg.Timeout == 0 && sl.sends == 1 {
		s.sampleRTT(s.clock.Now() - sl.sentAt)
	}
	if a == s.base {
		for s.base < s.next && s.slot(s.base).acked {
			s.base++
		}
		s.fill()
	}
}

func (s *Sender) sampleRTT(r sim.Time) {
	s.st.RTTSamples++
	s.rto.sample(r)
}

func (s *Sender) decide(text string) {
	if s.obs != nil {
		s.obs.RDTEvent(EvDecision, Note{Side: SenderSide, Text: text})
	}
}

// Deadline returns when OnTimer must next be called, or 0 for never.
func (s *Sender) Deadline() sim.Time {
	if s.cfg.Protocol != SelectiveRepeat {
		return s.rtx
	}
	for s.timers.len() > 0 {
		d := s.timers.top()
		if sl := s.slot(d.a); d.a >= s.base && d.a < s.next && !sl.acked && sl.deadline == d.at {
			return d.at
		}
		s.timers.pop() // acknowledged or resent since: stale
	}
	return 0
}

// OnTimer handles every timer that is due. Go-Back-N (and stop-and-wait)
// resend every packet sent and not acknowledged, and restart the timer;
// Selective Repeat resends only the packet whose timer expired. With an
// adaptive timeout each expiry doubles the RTO (RFC 6298 §5.5).
func (s *Sender) OnTimer() {
	now := s.clock.Now()
	if s.cfg.Protocol != SelectiveRepeat {
		if s.rtx == 0 || now < s.rtx {
			return
		}
		if s.obs != nil {
			s.obs.RDTEvent(EvTimer, Note{TimerOp: sim.TimerFired, Seq: s.seq(s.base), At: s.rtx})
		}
		s.st.Timeouts++
		s.backoff()
		s.startTimer()
		for a := s.base; a < s.next; a++ {
			s.transmit(a, true)
		}
		return
	}
	for {
		d := s.Deadline()
		if d == 0 || d > now {
			return
		}
		a := s.timers.pop().a
		if s.obs != nil {
			s.obs.RDTEvent(EvTimer, Note{TimerOp: sim.TimerFired, Seq: s.seq(a), At: d})
		}
		s.st.Timeouts++
		s.backoff()
		s.transmit(a, true)
	}
}

func (s *Sender) backoff() {
	if s.cfg.Timeout == 0 {
		s.rto.backoff()
	}
}

// deadline is one Selective Repeat timer: packet a is due at at.
type deadline struct {
	at sim.Time
	a  int64
}

// deadlineHeap is a binary min-heap of deadlines by time, then packet
// number, typed so that pushes and pops do not allocate once grown.
type deadlineHeap struct{ h []deadline }

func (q *deadlineHeap) len() int      { return len(q.h) }
func (q *deadlineHeap) top() deadline { return q.h[0] }
func (q *deadlineHeap) less(i, j int) bool {
	a, b := q.h[i], q.h[j]
	return a.at < b.at || a.at == b.at && a.a < b.a
}

func (q *deadlineHeap) push(d deadline) {
	q.h = append(q.h, d)
	for i := len(q.h) - 1; i > 0; {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q.h[i], q.h[p] = q.h[p], q.h[i]
		i = p
	}
}

func (q *deadlineHeap) pop() deadline {
	top := q.h[0]
	n := len(q.h) - 1
	q.h[0] = q.h[n]
	q.h = q.h[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && q.less(l, m) {
			m = l
		}
		if l+1 < n && q.less(l+1, m) {
			m = l + 1
		}
		if m == i {
			break
		}
		q.h[i], q.h[m] = q.h[m], q.h[i]
		i = m
	}
	return top
}
