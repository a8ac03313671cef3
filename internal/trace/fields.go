package trace

import "strings"

// The typed readings of an Event's text fields. The JSON and text forms
// keep the words ("SYN,ACK", "client retransmission at 1s") byte for
// byte; readers ask these methods instead of searching the words, so
// that the words are parsed in one place.

// Flag is a set of TCP header flags (RFC 9293 §3.1, RFC 3168 §6.1 for
// ECE and CWR), as Event.Flags names them.
type Flag uint8

// TCP flags. An rdt packet's Flags is "ACK" for an acknowledgement.
const (
	FlagFIN Flag = 1 << iota
	FlagSYN
	FlagRST
	FlagPSH
	FlagACK
	FlagURG
	FlagECE
	FlagCWR
)

// flagNames is the word of each flag, as the trace writes it.
var flagNames = [...]struct {
	f    Flag
	name string
}{{FlagSYN, "SYN"}, {FlagFIN, "FIN"}, {FlagRST, "RST"}, {FlagPSH, "PSH"}, {FlagACK, "ACK"}, {FlagURG, "URG"}, {FlagECE, "ECE"}, {FlagCWR, "CWR"}}

// ParseFlags reads a flag list as Event.Flags writes it ("SYN,ACK");
// unknown words are ignored.
func ParseFlags(s string) Flag {
	var f Flag
	for s != "" {
		var w string
		w, s, _ = strings.Cut(s, ",")
		for _, n := range flagNames {
			if n.name == w {
				f |= n.f
				break
			}
		}
	}
	return f
}

// Has reports whether the packet carries every flag in f.
func (e *Event) Has(f Flag) bool { return ParseFlags(e.Flags)&f == f }

// Role is which end of a flow an event is about: TCP's client (the side
// that sends the SYN and, in a bulk flow, the data) and server, rdt's
// sender and receiver.
type Role uint8

// Roles.
const (
	RoleNone Role = iota
	RoleClient
	RoleServer
	RoleSender
	RoleReceiver
)

var roleNames = [...]string{RoleNone: "", RoleClient: "client", RoleServer: "server", RoleSender: "sender", RoleReceiver: "receiver"}

// String is the role's word in the trace: "client", "server", "sender",
// "receiver"; "" for RoleNone.
func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return ""
}

// Peer is the other end's role: server for client, receiver for sender.
func (r Role) Peer() Role {
	switch r {
	case RoleClient:
		return RoleServer
	case RoleServer:
		return RoleClient
	case RoleSender:
		return RoleReceiver
	case RoleReceiver:
		return RoleSender
	}
	return RoleNone
}

// Role is the end an event without a packet is about (state, timer,
// window, recovery, application events): the first word of its Detail.
// RoleNone for packet events and details that name no end.
func (e *Event) Role() Role {
	if e.Dir != "" {
		return RoleNone
	}
	w, _, _ := strings.Cut(e.Detail, " ")
	for r, n := range roleNames {
		if r > 0 && n == w {
			return Role(r)
		}
	}
	return RoleNone
}

// TimerName is the timer a timer event (TimerSet, TimerFired,
// TimerCancel) is about, as its Detail names it between the role and
// " at ": "retransmission", "persist", "time-wait", or an rdt sender's
// "retransmission timer for pkt 3". "" for other events.
func (e *Event) TimerName() string {
	switch e.Kind {
	case TimerSet, TimerFired, TimerCancel:
	default:
		return ""
	}
	d := e.Detail
	if e.Role() != RoleNone {
		_, d, _ = strings.Cut(d, " ")
	}
	if i := strings.LastIndex(d, " at "); i >= 0 {
		d = d[:i]
	}
	return d
}
