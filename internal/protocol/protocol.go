// Package protocol is the one table of the protocols a flow can run: what
// each is called in a scenario file and in reports, which family it
// belongs to, and what it can do. Every other place asks the table
// instead of comparing names: adding a protocol is a row here, its model
// package, and the places that build and report its flows (see each
// Family's users).
package protocol

import (
	"fmt"

	"tcpsim/model/rdt"
)

// Family groups protocols that share a model, scenario fields and
// report fields.
type Family uint8

// The families.
const (
	TCP Family = iota // model/tcp: a connection, a stream, congestion control
	UDP               // model/udp: datagrams at a constant rate, no feedback
	RDT               // model/rdt: Kurose & Ross's reliable data transfer protocols
	// Flood is an attack rather than a transport: model/tcpconn's Flood
	// sends TCP SYNs from spoofed sources (RFC 4987 §2) and nothing else.
	Flood
)

var familyNames = [...]string{TCP: "tcp", UDP: "udp", RDT: "rdt", Flood: "flood"}

// String returns the family's name, which is also the name of the JSON
// object that holds its flows' own fields in reports ("tcp": {...}) and
// the protocol of its packets in traces.
func (f Family) String() string {
	if int(f) < len(familyNames) {
		return familyNames[f]
	}
	return fmt.Sprintf("Family(%d)", int(f))
}

// Protocol is a flow's protocol: an index into the table.
type Protocol uint8

// The protocols, in the table's order.
const (
	ProtoTCP Protocol = iota
	ProtoUDP
	StopAndWait
	GoBackN
	SelectiveRepeat
	RDT20
	RDT21
	RDT22
	SYNFlood
)

// info is one row of the table.
type info struct {
	name   string // as scenario files and reports write it
	family Family
	rdt    rdt.Protocol // the model's protocol, in the rdt family
	// acks: the receiver sends acknowledgements; retransmits: the sender
	// repeats what was lost (retransmission counters, fault
	// transmission: N); repeat: a scenario may repeat its flows;
	// untimed: the sender has no retransmission timer (rdt 2.x), so it
	// needs a channel that loses nothing.
	acks, retransmits, repeat, untimed bool
}

var table = [...]info{
	ProtoTCP:        {name: "tcp", family: TCP, acks: true, retransmits: true, repeat: true},
	ProtoUDP:        {name: "udp", family: UDP, repeat: true},
	StopAndWait:     {name: "stop-and-wait", family: RDT, rdt: rdt.StopAndWait, acks: true, retransmits: true},
	GoBackN:         {name: "go-back-n", family: RDT, rdt: rdt.GoBackN, acks: true, retransmits: true},
	SelectiveRepeat: {name: "selective-repeat", family: RDT, rdt: rdt.SelectiveRepeat, acks: true, retransmits: true},
	// rdt 2.x (K&R §3.4.1): for a channel with bit errors and no loss;
	// no timer (timed: false), so a lossy channel deadlocks them.
	RDT20: {name: "rdt2.0", family: RDT, rdt: rdt.RDT20, acks: true, retransmits: true, untimed: true},
	RDT21: {name: "rdt2.1", family: RDT, rdt: rdt.RDT21, acks: true, retransmits: true, untimed: true},
	RDT22: {name: "rdt2.2", family: RDT, rdt: rdt.RDT22, acks: true, retransmits: true, untimed: true},
	// A SYN flood: spoofed SYNs at a rate to a server's port (RFC 4987).
	SYNFlood: {name: "syn-flood", family: Flood},
}

// Parse maps a name to its Protocol; ok is false for a name not in the
// table.
func Parse(name string) (p Protocol, ok bool) {
	for i, r := range table {
		if r.name == name {
			return Protocol(i), true
		}
	}
	return 0, false
}

// Names lists every protocol's name, in the table's order.
func Names() []string {
	names := make([]string, len(table))
	for i, r := range table {
		names[i] = r.name
	}
	return names
}

// NamesOf lists the names of the protocols of family f, in order.
func NamesOf(f Family) []string {
	var names []string
	for _, r := range table {
		if r.family == f {
			names = append(names, r.name)
		}
	}
	return names
}

// String returns the protocol's name.
func (p Protocol) String() string {
	if int(p) < len(table) {
		return table[p].name
	}
	return fmt.Sprintf("Protocol(%d)", int(p))
}

// Family returns the protocol's family.
func (p Protocol) Family() Family { return table[p].family }

// RDT returns the rdt model's protocol, for the rdt family.
func (p Protocol) RDT() rdt.Protocol { return table[p].rdt }

// Acks reports whether the protocol's receiver acknowledges what it gets.
func (p Protocol) Acks() bool { return table[p].acks }

// Retransmits reports whether the protocol's sender repeats what was
// lost.
func (p Protocol) Retransmits() bool { return table[p].retransmits }

// Untimed reports whether the protocol's sender has no retransmission
// timer (rdt 2.0, 2.1, 2.2): it takes no timeout: field, and over a
// channel that loses, duplicates or reorders packets it deadlocks or
// errs.
func (p Protocol) Untimed() bool { return table[p].untimed }

// Repeatable reports whether a scenario may repeat flows of this
// protocol (repeat:).
func (p Protocol) Repeatable() bool { return table[p].repeat }

// ParseFamily returns the family whose name (Family.String) is name, as a
// trace's packets name their protocol ("tcp", "udp", "rdt").
func ParseFamily(name string) (Family, bool) {
	for f, n := range familyNames {
		if n == name {
			return Family(f), true
		}
	}
	return 0, false
}

// IsFamily reports whether name is a protocol of family f.
func IsFamily(name string, f Family) bool {
	p, ok := Parse(name)
	return ok && p.Family() == f
}
