// Package flowview is tcpsim's one reading of a flow's trace: which end is
// the client and which sends the data, each side's ISN and so relative
// sequence numbers, what each packet is in the ladder's words (data, ACK,
// SYN, window probe, datagram N, pkt N), why a packet was sent again
// (timeout, fast retransmit), duplicate-ACK runs, timer spans from arming
// to firing, and loss-recovery episodes.
//
// The ladder diagram (internal/diagram), the plots (internal/plot, and so
// `tcpsim analyze` of a real capture, which reads its capture into the
// same events) and the browser lab (through the wasm engine, View) all read
// a trace through it, so that a packet has the same name everywhere.
//
// A Reader is fed one flow's events in trace order, in the two-host form
// (directions "a->b" and "b->a"; the diagram turns a topology's hops into
// that form first). Build reads a whole trace of any number of flows.
package flowview

import (
	"fmt"
	"strings"

	"tcpsim/internal/direction"
	proto "tcpsim/internal/protocol"
	"tcpsim/internal/trace"
	"tcpsim/sim"
)

// Kind is what a packet is, in the ladder's words.
type Kind uint8

// Packet kinds.
const (
	KindACK      Kind = iota // a TCP segment without data, SYN, FIN or RST: a pure ACK
	KindData                 // a TCP segment carrying data
	KindControl              // a TCP SYN, FIN or RST without data
	KindProbe                // a TCP window probe (RFC 9293 §3.8.6.1): data sent when the persist timer fired
	KindDatagram             // a UDP datagram
	KindPkt                  // an rdt data packet
	KindPktACK               // an rdt acknowledgement
	KindPktNAK               // an rdt 2.0/2.1 negative acknowledgement
)

var kindWords = [...]string{KindACK: "ACK", KindData: "data", KindControl: "control", KindProbe: "window probe",
	KindDatagram: "datagram", KindPkt: "pkt", KindPktACK: "ACK", KindPktNAK: "NAK"}

// String is the kind's word: "data", "ACK", "control", "window probe",
// "datagram", "pkt", "NAK".
func (k Kind) String() string {
	if int(k) < len(kindWords) {
		return kindWords[k]
	}
	return "packet"
}

// Resend is why a packet was sent again.
type Resend uint8

// Reasons for a retransmission.
const (
	NotResent Resend = iota
	Resent           // a retransmission, neither of the two below
	Timeout          // sent when the retransmission timer fired (RFC 6298 §5.4)
	Fast             // sent after three duplicate ACKs (RFC 5681 §3.2)
)

// suffix is what the ladder adds to a resent packet's label.
func (r Resend) suffix() string {
	switch r {
	case Resent:
		return "  (retransmission)"
	case Timeout:
		return "  (timeout retransmission)"
	case Fast:
		return "  (fast retransmission)"
	}
	return ""
}

// Packet is one packet leaving its sender (or a copy the wire made), as
// the reader names it.
type Packet struct {
	Dir   direction.Dir // direction.AB or BA
	ID    uint64        // the packet's number within its direction
	Proto string        // the trace's protocol family name ("tcp", "udp", "rdt")
	Kind  Kind
	// Seq and Ack are relative: Seq to the sender's ISN, Ack to the
	// peer's (Wireshark's relative numbers: the SYN is seq=0, the first
	// data byte 1); as they are when that ISN is unknown, and for rdt.
	Seq, Ack uint32
	Len      int
	Win      int
	// N numbers the packets of each direction from 1, in order sent:
	// UDP's datagram numbers.
	N      int
	Resend Resend
	// DupACK marks a pure ACK repeating the last one's number and window
	// (RFC 5681 §2); WindowUpdate one repeating the number with another
	// window.
	DupACK, WindowUpdate bool
	// Copy marks a copy the wire made (event duplicate).
	Copy bool
	// Label is the ladder's label: "seq=1 len=1460 ack=1", "ACK ack=1461
	// win=65535", "SYN seq=0 win=65535", "datagram 3 len=1000", "pkt 2",
	// "ACK 2", with "  (fast retransmission)", "  (duplicate ACK)", ...
	Label string
}

// Is reports whether the packet belongs to protocol family f.
func (p *Packet) Is(f proto.Family) bool { return p.Proto == f.String() }

// Words is how a log line names the packet: its Label after the kind's
// word where the label does not start with it ("data seq=1 len=1460
// ack=1", "window probe seq=...", "ACK ack=1461 win=...").
func (p *Packet) Words() string {
	switch p.Kind {
	case KindData, KindProbe:
		return p.Kind.String() + " " + p.Label
	}
	return p.Label
}

// TimerKind is a timer the ladder draws as a bracket.
type TimerKind uint8

// Timer kinds.
const (
	OtherTimer     TimerKind = iota
	Retransmission           // TCP's RTO (RFC 6298), an rdt sender's timer
	Persist                  // TCP's persist timer (RFC 9293 §3.8.6.1)
)

// Timer is a retransmission or persist timer that fired: its span from
// the arming that set the deadline to the firing.
type Timer struct {
	Role trace.Role
	Kind TimerKind
	// Name is the ladder's name: "client's retransmission timer",
	// "sender's timer for pkt 3", "client's persist timer".
	Name string
	// Dir is the direction its owner sends in: the ladder's lane.
	Dir direction.Dir
	// Armed is the index of the event that armed it, -1 if unknown;
	// ArmedAt its time. Fired and FiredAt are the firing's.
	Armed            int
	ArmedAt, FiredAt sim.Time
	Fired            int
}

// Step is what one event means, beyond itself.
type Step struct {
	// Packet is set for a packet leaving its sender (enqueue,
	// queue-drop, early-drop) or copied on the wire (duplicate).
	Packet *Packet
	// Timer is set for a retransmission or persist timer firing.
	Timer *Timer
}

// Reader reads one flow's events in order. The zero Reader is not ready:
// use NewReader.
type Reader struct {
	isn         map[direction.Dir]uint32 // per direction: the ISN, from the SYN
	sent        map[direction.Dir]int    // per direction: packets sent so far
	retransNext map[direction.Dir]bool   // per direction: the last send was a retransmission
	lastAck     map[direction.Dir]uint32 // per direction: the last pure ACK's number
	dupRun      map[direction.Dir]int    // per direction: duplicate ACKs in a row
	lastWin     map[direction.Dir]int    // per direction: the window of that ACK
	armed       map[string]armedAt
	clientDir   direction.Dir // who sent the SYN
	senderDir   direction.Dir // who sends rdt data
	dataDir     direction.Dir // who sent the first TCP data
	rtoAt       sim.Time
	persistAt   sim.Time
	persistDir  direction.Dir
	synSent     sim.Time
	synRTT      sim.Time

	inRecovery map[trace.Role]int // open episodes: index of the entering event
	episodes   []Episode
	pkt        Packet
	timer      Timer
}

// armedAt is a timer's last arming.
type armedAt struct {
	i int
	t sim.Time
}

// Episode is one loss-recovery episode of a TCP sender (fast recovery;
// RFC 5681 §3.2, RFC 6582, RFC 6675): from the recovery event entering it
// to the one leaving it (Leave -1 while it lasts at the end).
type Episode struct {
	Role         trace.Role
	Enter, Leave int
	From, To     sim.Time
}

// NewReader returns a reader at the start of a flow.
func NewReader() *Reader {
	return &Reader{isn: map[direction.Dir]uint32{}, sent: map[direction.Dir]int{}, retransNext: map[direction.Dir]bool{},
		lastAck: map[direction.Dir]uint32{}, dupRun: map[direction.Dir]int{}, lastWin: map[direction.Dir]int{},
		armed: map[string]armedAt{}, inRecovery: map[trace.Role]int{}, rtoAt: -1, persistAt: -1, synSent: -1}
}

// Expect tells the reader, before any event, the direction the flow's
// client (TCP) or sender (rdt) sends in, as the scenario says: until its
// first packet says so, DirOf would otherwise take it to be "a->b".
func (r *Reader) Expect(dir direction.Dir) {
	r.clientDir, r.senderDir = dir, dir
}

// ISN returns the initial sequence number of direction dir's sender, from
// its SYN, and whether a SYN was seen.
func (r *Reader) ISN(dir direction.Dir) (uint32, bool) {
	v, ok := r.isn[dir]
	return v, ok
}

// DataDir is the direction of the flow's first TCP data segment, "" before
// any.
func (r *Reader) DataDir() direction.Dir { return r.dataDir }

// SYNRTT is the time from the client's SYN to the SYN-ACK's arrival, 0
// until then.
func (r *Reader) SYNRTT() sim.Time { return r.synRTT }

// InRecovery reports whether role's sender is in a loss-recovery episode.
func (r *Reader) InRecovery(role trace.Role) bool {
	_, ok := r.inRecovery[role]
	return ok
}

// Episodes returns the recovery episodes that ended so far, and those
// still open (Leave -1).
func (r *Reader) Episodes() []Episode {
	out := append([]Episode(nil), r.episodes...)
	for role := trace.RoleNone; role <= trace.RoleReceiver; role++ {
		if i, ok := r.inRecovery[role]; ok {
			out = append(out, Episode{Role: role, Enter: i, Leave: -1})
		}
	}
	return out
}

// DirOf is the direction that role sends in: the client is whoever sent
// the SYN, an rdt sender whoever sends data; "a->b" when the trace has
// not said.
func (r *Reader) DirOf(role trace.Role) direction.Dir {
	switch role {
	case trace.RoleClient:
		if r.clientDir != "" {
			return r.clientDir
		}
	case trace.RoleServer:
		if r.clientDir != "" {
			return r.clientDir.Reverse()
		}
		return direction.BA
	case trace.RoleSender:
		if r.senderDir != "" {
			return r.senderDir
		}
	case trace.RoleReceiver:
		if r.senderDir != "" {
			return r.senderDir.Reverse()
		}
		return direction.BA
	}
	return direction.AB
}

// Step reads event i, e. The packet and timer it returns are valid until
// the next call.
func (r *Reader) Step(i int, e *trace.Event) Step {
	switch e.Kind {
	case trace.Send:
		r.retransNext[e.Dir] = e.Retrans
		if e.Is(proto.TCP) && e.Has(trace.FlagSYN) {
			if _, ok := r.isn[e.Dir]; !ok {
				r.isn[e.Dir] = e.Seq
				if !e.Has(trace.FlagACK) {
					r.synSent = e.T
				}
			}
		}
		if e.Is(proto.TCP) && e.Len > 0 && r.dataDir == "" {
			r.dataDir = e.Dir
		}
	case trace.Deliver:
		if e.Is(proto.TCP) && e.Has(trace.FlagSYN|trace.FlagACK) && r.synSent >= 0 && r.synRTT == 0 {
			r.synRTT = e.T - r.synSent
		}
	case trace.Enqueue, trace.QueueDrop, trace.EarlyDrop:
		r.depart(e)
		return Step{Packet: &r.pkt}
	case trace.Duplicate:
		// A copy of a UDP datagram is labelled "UDP len=N", without
		// a number: its sender did not send it.
		r.pkt = r.name(e)
		r.pkt.Copy = true
		r.pkt.Label = label(e, r.isn) + " (duplicate)"
		return Step{Packet: &r.pkt}
	case trace.TimerSet:
		if strings.Contains(e.Detail, "retransmission") || strings.Contains(e.Detail, "persist") {
			r.armed[e.Detail] = armedAt{i, e.T}
		}
	case trace.TimerFired:
		if r.fired(i, e) {
			return Step{Timer: &r.timer}
		}
	case trace.Recovery:
		role := e.Role()
		n, in := r.inRecovery[role]
		if e.Value == 1 && !in {
			r.inRecovery[role] = i
		} else if e.Value == 0 && in {
			delete(r.inRecovery, role)
			r.episodes = append(r.episodes, Episode{Role: role, Enter: n, Leave: i})
		}
	}
	return Step{}
}

// depart names a packet its sender's queue took (or dropped at once):
// what it is and why it was sent. It keeps the duplicate-ACK runs.
func (r *Reader) depart(e *trace.Event) {
	if e.Has(trace.FlagSYN) {
		if _, ok := r.isn[e.Dir]; !ok {
			r.isn[e.Dir] = e.Seq
		}
		if r.clientDir == "" && !e.Has(trace.FlagACK) {
			r.clientDir = e.Dir
		}
	}
	if e.Is(proto.RDT) && e.Flags == "DATA" && r.senderDir == "" {
		r.senderDir = e.Dir
	}
	r.sent[e.Dir]++
	p := r.name(e)
	if p.Kind == KindData && r.persistAt == e.T && r.persistDir == e.Dir {
		p.Kind = KindProbe
	}
	if r.retransNext[e.Dir] {
		switch {
		case e.T == r.rtoAt:
			p.Resend = Timeout
		case r.dupRun[e.Dir.Reverse()] >= 3:
			p.Resend = Fast
		default:
			p.Resend = Resent
		}
		p.Label += p.Resend.suffix()
	}
	r.retransNext[e.Dir] = false
	if e.Is(proto.TCP) && e.Len == 0 && e.Flags == "ACK" {
		prev, ok := r.lastAck[e.Dir]
		switch {
		case ok && prev == e.Ack && r.lastWin[e.Dir] == e.Win:
			p.DupACK = true
			p.Label += "  (duplicate ACK)"
			r.dupRun[e.Dir]++
		case ok && prev == e.Ack:
			p.WindowUpdate = true
			p.Label += "  (window update)"
			r.dupRun[e.Dir] = 0
		default:
			r.dupRun[e.Dir] = 0
		}
		r.lastAck[e.Dir], r.lastWin[e.Dir] = e.Ack, e.Win
	}
	r.pkt = p
}

// name is a packet's kind, relative numbers and label, without the
// reasons it was sent.
func (r *Reader) name(e *trace.Event) Packet {
	p := Packet{Dir: e.Dir, ID: e.ID, Proto: e.Proto, Seq: e.Seq, Ack: e.Ack, Len: e.Len, Win: e.Win, N: r.sent[e.Dir]}
	switch {
	case e.Is(proto.UDP):
		p.Kind = KindDatagram
		p.Label = fmt.Sprintf("datagram %d len=%d", p.N, e.Len)
		return p
	case e.Is(proto.RDT): // stop-and-wait, go-back-n, selective-repeat: K&R's labels
		switch e.Flags {
		case "ACK":
			p.Kind = KindPktACK
		case "NAK":
			p.Kind = KindPktNAK
		default:
			p.Kind = KindPkt
		}
		p.Label = label(e, r.isn)
		return p
	}
	f := e.Has
	switch {
	case e.Len > 0:
		p.Kind = KindData
	case f(trace.FlagSYN) || f(trace.FlagFIN) || f(trace.FlagRST):
		p.Kind = KindControl
	}
	if v, ok := r.isn[e.Dir]; ok {
		p.Seq -= v
	}
	if v, ok := r.isn[e.Dir.Reverse()]; ok && f(trace.FlagACK) {
		p.Ack -= v
	}
	p.Label = label(e, r.isn)
	return p
}

// fired reads a retransmission or persist timer's firing into r.timer;
// false for other timers.
func (r *Reader) fired(i int, e *trace.Event) bool {
	side, rest, _ := strings.Cut(e.Detail, " ")
	t := Timer{Role: e.Role(), Armed: -1, Fired: i, FiredAt: e.T}
	switch {
	case strings.Contains(e.Detail, "retransmission"):
		r.rtoAt = e.T
		t.Kind = Retransmission
		t.Name = side + "'s retransmission timer"
		if _, pkt, ok := strings.Cut(rest, "timer for "); ok { // rdt flows name the packet guarded
			pkt, _, _ = strings.Cut(pkt, " at ")
			t.Name = side + "'s timer for " + pkt
		}
	case strings.Contains(e.Detail, "persist"):
		t.Kind = Persist
		t.Name = side + "'s persist timer"
	default:
		return false
	}
	t.Dir = r.DirOf(t.Role)
	if t.Kind == Persist {
		r.persistAt, r.persistDir = e.T, t.Dir
	}
	if a, ok := r.armed[e.Detail]; ok {
		t.Armed, t.ArmedAt = a.i, a.t
	}
	r.timer = t
	return true
}
