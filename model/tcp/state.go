// Package tcp is tcpsim's TCP model: a sans-I/O endpoint (RFC 9293) with
// RFC 6298 retransmission timing, pluggable congestion control (cc.go: the
// RFC 5681 family and more, one file each) apart from loss recovery
// (recovery.go: RFC 5681 fast recovery, RFC 6582 NewReno, and RFC 6675
// SACK-based recovery with selective acknowledgments, RFC 2018), the
// Timestamps option (RFC 7323: RTTM and PAWS), flow control with
// zero-window probing, and delayed ACKs.
//
// The Endpoint owns no I/O and no clock: segments come in through Input,
// go out through the Output it was given, time comes from a Clock, and the
// caller asks Deadline when the endpoint next needs OnTimer. It imports
// neither hosts nor links: model/tcpconn binds an Endpoint to the
// simulation engine and a host. What happens is reported to one Observer.
package tcp

import "fmt"

// State is a connection state (RFC 9293 §3.3.2).
type State int

// Connection states.
const (
	Closed State = iota
	Listen
	SynSent
	SynReceived
	Established
	FinWait1
	FinWait2
	CloseWait
	Closing
	LastAck
	TimeWait
)

var stateNames = [...]string{"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
	"FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// The state machine, in one place (RFC 9293 Figure 5). Each transition
// happens in exactly one spot of the code, through setState:
//
//	CLOSED      --Connect: send SYN-->                 SYN-SENT
//	CLOSED      --Listen-->                            LISTEN
//	LISTEN      --rcv SYN: send SYN,ACK-->             SYN-RECEIVED
//	SYN-SENT    --rcv SYN,ACK: send ACK-->             ESTABLISHED
//	SYN-SENT    --rcv SYN: send SYN,ACK-->             SYN-RECEIVED   (simultaneous open)
//	SYN-RECEIVED--rcv ACK of SYN-->                    ESTABLISHED
//	LISTEN      --AcceptCookie (cookie.go)-->          SYN-RECEIVED, then ESTABLISHED by the ACK
//	CLOSED      --rcv anything but RST: send RST-->    CLOSED         (§3.10.7.1, reset.go)
//	ESTABLISHED --Close, all data sent: send FIN-->    FIN-WAIT-1
//	ESTABLISHED --rcv FIN: send ACK-->                 CLOSE-WAIT
//	FIN-WAIT-1  --rcv ACK of FIN-->                    FIN-WAIT-2
//	FIN-WAIT-1  --rcv FIN: send ACK-->                 CLOSING        (simultaneous close)
//	FIN-WAIT-1  --rcv FIN+ACK of FIN: send ACK-->      TIME-WAIT
//	FIN-WAIT-2  --rcv FIN: send ACK-->                 TIME-WAIT
//	CLOSE-WAIT  --Close, all data sent: send FIN-->    LAST-ACK
//	CLOSING     --rcv ACK of FIN-->                    TIME-WAIT
//	LAST-ACK    --rcv ACK of FIN-->                    CLOSED
//	TIME-WAIT   --2·MSL timeout-->                     CLOSED
//	any         --rcv RST, or retries exhausted-->     CLOSED (aborted)

// synchronized reports whether the handshake is over in s.
func (s State) synchronized() bool { return s >= Established }
