// Package trace defines tcpsim's event trace records and writes them as
// JSON lines or as readable text, with filters by flow and time window.
package trace

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

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
	Deliver      = "deliver"    // arrived at the far host
	ChecksumDrop = "checksum-drop"
	TimerSet     = "timer-set"
	TimerFired   = "timer-fired"
	TimerCancel  = "timer-cancel"
	State        = "state"
	Cwnd         = "cwnd"
	Rwnd         = "rwnd"
	AppWrite     = "app-write"
	AppRead      = "app-read"
)

// Event is one trace record. Packet fields are zero for other kinds.
type Event struct {
	T       sim.Time `json:"-"`
	Time    float64  `json:"t"`
	Flow    string   `json:"flow,omitempty"`
	Kind    string   `json:"event"`
	ID      uint64   `json:"id,omitempty"`  // packet number within its direction
	Dir     string   `json:"dir,omitempty"` // "a->b" or "b->a"
	Proto   string   `json:"proto,omitempty"`
	Seq     uint32   `json:"seq,omitempty"`
	Ack     uint32   `json:"ack,omitempty"`
	Flags   string   `json:"flags,omitempty"`
	Win     int      `json:"win,omitempty"` // advertised window in bytes (scaling undone)
	Len     int      `json:"len,omitempty"`
	Retrans bool     `json:"retrans,omitempty"`
	Detail  string   `json:"detail,omitempty"`
	Value   int64    `json:"value,omitempty"`
	Value2  int64    `json:"value2,omitempty"`
	// Packet holds the packet's bytes (IPv4 header onwards) for packet
	// events, valid only during the Event call.
	Packet []byte `json:"-"`
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

// Writer writes events as JSON lines or text. Call Flush at the end and
// check its error.
type Writer struct {
	w    *bufio.Writer
	text bool
	err  error
}

// NewWriter returns a writer of JSON lines (text false) or of one readable
// line per event (text true).
func NewWriter(w io.Writer, text bool) *Writer {
	return &Writer{w: bufio.NewWriter(w), text: text}
}

// Event implements Sink.
func (w *Writer) Event(e *Event) {
	if w.err != nil {
		return
	}
	e.Time = e.T.Seconds()
	if !w.text {
		b, err := json.Marshal(e)
		if err == nil {
			b = append(b, '\n')
			_, err = w.w.Write(b)
		}
		w.err = err
		return
	}
	_, w.err = io.WriteString(w.w, Text(e)+"\n")
}

// Flush writes buffered events and returns the first error.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	return w.w.Flush()
}

// Text formats e as one readable line.
func Text(e *Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%12.6f %-8s %-13s", e.T.Seconds(), e.Flow, e.Kind)
	if e.Dir != "" {
		fmt.Fprintf(&b, " %s %s", e.Dir, e.Proto)
		if e.Proto == "tcp" {
			fmt.Fprintf(&b, " %s seq=%d ack=%d win=%d", e.Flags, e.Seq, e.Ack, e.Win)
		}
		fmt.Fprintf(&b, " len=%d", e.Len)
		if e.Retrans {
			b.WriteString(" retransmission")
		}
	}
	if e.Detail != "" {
		b.WriteString(" " + e.Detail)
	}
	return b.String()
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
