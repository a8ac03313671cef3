// Package trace defines tcpsim's event trace records and writes them as
// JSON lines or as readable text, with filters by flow and time window.
package trace

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"tcpsim/internal/direction"
	proto "tcpsim/internal/protocol"
	"tcpsim/sim"
)

// Event kinds.
const (
	Send         = "send"       // an endpoint sent a segment or datagram
	Enqueue      = "enqueue"    // accepted into the link's queue
	QueueDrop    = "queue-drop" // dropped by a full queue
	Transmit     = "transmit"   // started serialisation
	Lost         = "lost"       // lost on the wire
	Corrupt      = "corrupt"    // a bit was flipped on the wire
	Duplicate    = "duplicate"  // the wire made a copy
	Reorder      = "reorder"    // held back, later packets overtake it
	Deliver      = "deliver"    // arrived at the far node
	ChecksumDrop = "checksum-drop"
	TTLExpired   = "ttl-expired" // a router dropped a packet whose TTL ran out
	NoRoute      = "no-route"    // a node had no route for a packet's destination
	TimerSet     = "timer-set"
	TimerFired   = "timer-fired"
	TimerCancel  = "timer-cancel"
	State        = "state"
	Cwnd         = "cwnd"
	Rwnd         = "rwnd"
	RTT          = "rtt" // an RTT sample (RFC 6298 §2): Value the sample, Value2 the new RTO, both in ns
	AppWrite     = "app-write"
	AppRead      = "app-read"
	// Decision is what an end of an rdt flow (stop-and-wait, go-back-n,
	// selective-repeat) did with a packet it did not simply accept in
	// order: discarded as a duplicate or out of order, buffered, ignored.
	Decision = "decision"
	// Recovery is a TCP sender entering (Value 1) or leaving (Value 0) a
	// loss recovery episode (fast recovery; RFC 5681 §3.2, RFC 6582,
	// RFC 6675). Only with run.Options.TraceRecovery.
	Recovery = "recovery"
	// BBR is a BBR sender (congestion: bbr) entering a mode (STARTUP,
	// DRAIN, PROBE_BW, PROBE_RTT) or taking a new minimum RTT: Value its
	// bottleneck-bandwidth estimate in bytes per second, Value2 its
	// minimum RTT in ns.
	BBR = "bbr"
	// Listen is a server's listening port deciding about a SYN or an
	// ACK that belongs to no connection yet (RFC 9293 §3.10.7.2): handed
	// to its connection, kept half-open, dropped with the backlog full,
	// answered with a SYN cookie (RFC 4987), a cookie accepted or
	// refused, a half-open connection given up. Value is the half-open
	// connections held after it, Value2 the backlog.
	Listen = "listen"
)

// Event kinds of a managed queue (RED, CoDel; RFC 3168 marking).
const (
	EarlyDrop   = "early-drop"   // dropped by RED on arrival (instead of enqueue)
	DequeueDrop = "dequeue-drop" // dropped by CoDel at the head of the queue
	ECNMark     = "ecn-mark"     // marked CE by RED or CoDel instead of dropped (RFC 3168)
)

// Event is one trace record. Packet fields are zero for other kinds.
type Event struct {
	T    sim.Time `json:"-"`
	Time float64  `json:"t"`
	// Run numbers the run when several share one trace (Writer.SetRun);
	// 0 (omitted) with one run.
	Run  int    `json:"run,omitempty"`
	Flow string `json:"flow,omitempty"`
	Kind string `json:"event"`
	ID   uint64 `json:"id,omitempty"` // packet number within its direction
	// Dir is the direction: direction.AB or BA between the two hosts of
	// the shorthand form; in a topology the link direction ("r1->r2")
	// for link events and the flow's direction ("s1->d") for send events.
	// Its JSON is its text.
	Dir direction.Dir `json:"dir,omitempty"`
	// Node is where the event happened, in a topology only: the sending
	// node (the receiving one for deliver and drops on arrival).
	Node string `json:"node,omitempty"`
	// Proto is the protocol family of the packet (proto.Family.String:
	// "tcp", "udp", "rdt"); ask Is rather than compare the words.
	Proto   string `json:"proto,omitempty"`
	Seq     uint32 `json:"seq,omitempty"`
	Ack     uint32 `json:"ack,omitempty"`
	Flags   string `json:"flags,omitempty"`
	Win     int    `json:"win,omitempty"` // advertised window in bytes (scaling undone)
	Len     int    `json:"len,omitempty"`
	Retrans bool   `json:"retrans,omitempty"`
	// Ports are a TCP segment's source and destination ports
	// ("49152 > 80", as tcpdump writes them), given only for the flows whose server port other
	// flows share, where the 4-tuple is what tells their connections
	// apart (Kurose & Ross §3.2); "" (left out) otherwise.
	Ports string `json:"ports,omitempty"`
	// SACK holds a TCP segment's SACK blocks (RFC 2018), if it carries
	// any.
	SACK SACKList `json:"sack,omitzero"`
	// Scripted marks a lost or corrupt event that a scenario's faults:
	// section caused, not a random impairment; Detail says which fault.
	Scripted bool   `json:"scripted,omitempty"`
	Detail   string `json:"detail,omitempty"`
	Value    int64  `json:"value,omitempty"`
	Value2   int64  `json:"value2,omitempty"`
	// Packet holds the packet's bytes (IPv4 header onwards) for packet
	// events, valid only during the Event call.
	Packet []byte `json:"-"`
}

// Is reports whether e is about a packet of protocol family f.
func (e *Event) Is(f proto.Family) bool { return e.Proto == f.String() }

// MaxSACKBlocks is the most SACK blocks a segment carries (RFC 2018 §3).
const MaxSACKBlocks = 4

// SACKList is the SACK blocks of one segment: the first N of Blocks, each
// the half-open range [Left, Right) of absolute sequence numbers. It is a
// value (no allocation per event); in JSON it is a list of [left, right]
// pairs, and the zero list is left out.
type SACKList struct {
	Blocks [MaxSACKBlocks][2]uint32
	N      int
}

// MarshalJSON writes the blocks as [[left,right],...].
func (l SACKList) MarshalJSON() ([]byte, error) {
	b := []byte{'['}
	for i, r := range l.Blocks[:min(max(l.N, 0), MaxSACKBlocks)] {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, "[%d,%d]", r[0], r[1])
	}
	return append(b, ']'), nil
}

// AppendText appends the blocks as "left-right,left-right".
func (l SACKList) AppendText(b []byte) []byte {
	for i, r := range l.Blocks[:min(max(l.N, 0), MaxSACKBlocks)] {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(r[0]), 10)
		b = append(b, '-')
		b = strconv.AppendUint(b, uint64(r[1]), 10)
	}
	return b
}

// Sink receives events as they happen.
type Sink interface {
	Event(e *Event)
}

// Filter passes events of one flow ("" = all) within [From, To] (To 0 =
// no end).
type Filter struct {
	Flow     string
	From, To sim.Time
	Next     Sink
}

// Event implements Sink.
func (f *Filter) Event(e *Event) {
	if f.Flow != "" && e.Flow != f.Flow {
		return
	}
	if e.T < f.From || (f.To > 0 && e.T > f.To) {
		return
	}
	f.Next.Event(e)
}

// flushAt is how many buffered bytes make a Writer pass its whole records
// on to the underlying writer.
const flushAt = 64 << 10

// Writer writes events as JSON lines or text. It buffers whole records and
// hands the underlying writer only whole records, in one Write each time,
// so a file cut short (an interrupted or killed run) ends on a record
// boundary: no half JSON line. Call Flush at the end and check its error.
type Writer struct {
	out  io.Writer
	buf  bytes.Buffer
	text bool
	run  int
	err  error
}

// NewWriter returns a writer of JSON lines (text false) or of one readable
// line per event (text true).
func NewWriter(w io.Writer, text bool) *Writer {
	// JSON lines are AppendJSON's: encoding/json's without HTML escaping
	// ("a->b", not "a-\u003eb").
	return &Writer{out: w, text: text}
}

// SetRun makes every following record carry run k (the JSON field "run",
// "run k" at the start of a text line), to keep several runs apart in one
// trace; 0, the default, omits it.
func (w *Writer) SetRun(k int) { w.run = k }

// Event implements Sink. It sets e.Time and e.Run.
func (w *Writer) Event(e *Event) {
	if w.err != nil {
		return
	}
	e.Time = e.T.Seconds()
	e.Run = w.run
	if w.text {
		b := w.buf.AvailableBuffer()
		if w.run != 0 {
			b = append(b, "run "...)
			b = strconv.AppendInt(b, int64(w.run), 10)
			b = append(b, ' ')
		}
		b = AppendText(b, e)
		w.buf.Write(append(b, '\n'))
	} else {
		b, ok := AppendJSON(w.buf.AvailableBuffer(), e)
		if !ok {
			// Nothing is written: the buffer holds whole records.
			w.err = fmt.Errorf("trace: json: unsupported value: %v", e.Time)
			return
		}
		w.buf.Write(append(b, '\n'))
	}
	if w.buf.Len() >= flushAt {
		w.write()
	}
}

// write hands the buffered records to the underlying writer in one Write.
func (w *Writer) write() {
	if w.err == nil && w.buf.Len() > 0 {
		_, w.err = w.out.Write(w.buf.Bytes())
	}
	w.buf.Reset()
}

// Flush writes buffered events and returns the first error.
func (w *Writer) Flush() error {
	w.write()
	return w.err
}

// Text formats e as one readable line.
func Text(e *Event) string {
	return string(AppendText(nil, e))
}

// AppendText appends Text(e) to b and returns the extended buffer.
func AppendText(b []byte, e *Event) []byte {
	b = fmt.Appendf(b, "%12.6f %-8s %-13s", e.T.Seconds(), TextName(e.Flow), e.Kind)
	if e.Dir != "" {
		b = append(b, ' ')
		b = append(b, e.Dir...)
		if e.Node != "" {
			b = append(b, " @"...)
			b = append(b, e.Node...)
		}
		b = append(b, ' ')
		b = append(b, e.Proto...)
		switch {
		case e.Is(proto.TCP):
			if e.Ports != "" {
				b = append(append(b, ' '), e.Ports...)
			}
			b = fmt.Appendf(b, " %s seq=%d ack=%d win=%d", e.Flags, e.Seq, e.Ack, e.Win)
			if e.SACK.N > 0 {
				b = e.SACK.AppendText(append(b, " sack="...))
			}
		case e.Is(proto.RDT):
			if e.Flags == "ACK" || e.Flags == "NAK" { // NAK: rdt 2.0, 2.1
				b = fmt.Appendf(b, " %s %d", e.Flags, e.Ack)
			} else {
				b = fmt.Appendf(b, " pkt %d", e.Seq)
			}
		}
		b = fmt.Appendf(b, " len=%d", e.Len)
		if e.Retrans {
			b = append(b, " retransmission"...)
		}
	}
	if e.Detail != "" {
		b = append(b, ' ')
		b = append(b, e.Detail...)
	}
	return b
}

// TextName returns a flow name as the text trace writes it: as it is
// when it is one word of printable characters, else quoted as a Go string
// literal ("my flow", "say \"hi\""), so that a line's fields stay
// separated by spaces whatever the flow is called.
func TextName(name string) string {
	if strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == '"' || r == '\\' || !unicode.IsPrint(r) }) < 0 {
		return name
	}
	return strconv.Quote(name)
}

// Multi sends every event to each of its sinks in turn.
type Multi []Sink

// Event implements Sink.
func (m Multi) Event(e *Event) {
	for _, s := range m {
		s.Event(e)
	}
}

// Recorder keeps every event it is given, without the packet bytes.
type Recorder struct {
	Events []Event
}

// Event implements Sink.
func (r *Recorder) Event(e *Event) {
	x := *e
	x.Packet = nil
	r.Events = append(r.Events, x)
}
