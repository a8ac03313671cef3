package tcp

import (
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// Event is what an endpoint, the connection that binds it to a host, or
// the application on it reports to an Observer.
type Event uint8

// Events of an endpoint (reported by the Endpoint itself).
const (
	// EvState: the state changed from Note.From to Note.To (RFC 9293
	// §3.3.2). Every change goes through one function.
	EvState Event = iota
	// EvCwnd: cwnd or ssthresh was set, to Note.Cwnd and Note.Ssthresh
	// bytes (reported even when unchanged: the trace records every
	// decision).
	EvCwnd
	// EvRwnd: the window we advertise changed, to Note.Window bytes.
	EvRwnd
	// EvRTT: an RTT measurement Note.RTT and the Note.SRTT, Note.RTTVar
	// and Note.RTO it yields (RFC 6298 §2).
	EvRTT
	// EvRecovery: a loss recovery episode (fast recovery, RFC 5681 §3.2,
	// RFC 6582, RFC 6675) started (Note.Enter) or ended, by a full ACK
	// or a retransmission timeout (!Note.Enter).
	EvRecovery
)

// Events of the binding and of the application (reported by whoever
// drives the endpoint: tcpsim's model/tcpconn).
const (
	// EvSegment: a segment was sent: Note.Header, Note.Len payload
	// bytes, and Note.Retrans if it repeats sequence space sent before.
	// Note.Header is only valid during the call.
	EvSegment Event = EvRecovery + 1 + iota
	// EvTimer: one of the endpoint's timers (Note.Timer, a TimerNames
	// entry) was set or restarted, cancelled or fired (Note.TimerOp),
	// with deadline Note.At.
	EvTimer
	// EvApp: the application on Note.Side ("client" or "server") wrote
	// or read (Note.AppOp) Note.Bytes bytes.
	EvApp
)

var eventNames = [...]string{"state", "cwnd", "rwnd", "rtt", "recovery", "segment", "timer", "app"}

// String returns the event's name.
func (e Event) String() string {
	if int(e) < len(eventNames) {
		return eventNames[e]
	}
	return "event?"
}

// AppOp is what the application did, for EvApp.
type AppOp uint8

// Application operations.
const (
	AppWrite AppOp = iota // handed bytes to the endpoint to send
	AppRead               // took bytes from the endpoint
)

// String returns "write" or "read".
func (o AppOp) String() string { return [...]string{"write", "read"}[o] }

// Note carries an event's values; each Event's comment says which fields
// it fills. The rest are zero.
type Note struct {
	From, To               State    // EvState
	Cwnd, Ssthresh         int      // EvCwnd, bytes
	Window                 int      // EvRwnd, bytes
	RTT, SRTT, RTTVar, RTO sim.Time // EvRTT
	Enter                  bool     // EvRecovery
	Header                 *wire.TCP
	Len                    int  // EvSegment: payload bytes
	Retrans                bool // EvSegment
	TimerOp                sim.TimerOp
	Timer                  string   // EvTimer: a TimerNames entry
	At                     sim.Time // EvTimer: the deadline
	Side                   string   // EvApp: "client" or "server"
	AppOp                  AppOp
	Bytes                  int64 // EvApp
}

// Observer is told of a connection's events, for traces and for whoever
// waits on its state; nil means no observer (and no cost). It is the one
// hook of the TCP model, shaped like link.Observer: the endpoint, the
// connection binding it to a host and the application on it all report
// through it.
type Observer interface {
	TCPEvent(ev Event, n Note)
}

// ObserverFunc adapts a function to an Observer.
type ObserverFunc func(ev Event, n Note)

// TCPEvent implements Observer by calling f.
func (f ObserverFunc) TCPEvent(ev Event, n Note) { f(ev, n) }
