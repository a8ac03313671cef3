package flowview

import (
	"fmt"
	"strings"

	"tcpsim/internal/direction"
	proto "tcpsim/internal/protocol"
	"tcpsim/internal/trace"
)

// label writes a packet as textbooks do, with sequence numbers relative to
// each side's ISN (as Wireshark shows them).
func label(e *trace.Event, isn map[direction.Dir]uint32) string {
	switch {
	case e.Is(proto.UDP):
		return fmt.Sprintf("UDP len=%d", e.Len)
	case e.Is(proto.RDT): // stop-and-wait, go-back-n, selective-repeat: K&R's labels
		if e.Flags == "ACK" || e.Flags == "NAK" { // NAK: rdt 2.0, 2.1
			return fmt.Sprintf("%s %d", e.Flags, e.Ack)
		}
		return fmt.Sprintf("pkt %d", e.Seq)
	}
	rel := func(dir direction.Dir, v uint32) uint32 { return v - isn[dir] }
	other := direction.BA
	if e.Dir == direction.BA {
		other = direction.AB
	}
	flags := e.Flags
	if flags == "ACK" || flags == "ACK,PSH" || flags == "PSH,ACK" {
		flags = ""
	}
	flags = strings.ReplaceAll(flags, ",PSH", "")
	if !strings.Contains(flags, "SYN") {
		flags = strings.ReplaceAll(flags, ",ACK", "") // "FIN ... ack=", but "SYN,ACK" as textbooks write it
	}
	var parts []string
	if e.Ports != "" {
		parts = append(parts, e.Ports) // a shared server port: the 4-tuple tells the connections apart
	}
	if flags != "" {
		parts = append(parts, flags)
	}
	if e.Len > 0 || strings.Contains(e.Flags, "SYN") || strings.Contains(e.Flags, "FIN") {
		parts = append(parts, fmt.Sprintf("seq=%d", rel(e.Dir, e.Seq)))
	}
	if e.Len > 0 {
		parts = append(parts, fmt.Sprintf("len=%d", e.Len))
	}
	_, acked := isn[other]
	acked = acked && strings.Contains(e.Flags, "ACK")
	switch {
	case e.Len == 0 && flags == "" && acked && e.SACK.N > 0:
		// A pure ACK with SACK blocks (RFC 2018): "ACK ack=x SACK l-r ...",
		// the blocks relative to the same ISN as the ACK.
		parts = append(parts, fmt.Sprintf("ACK ack=%d", rel(other, e.Ack)), sackLabel(e, rel(other, 0)))
	case e.Len == 0 && flags == "" && acked:
		// A pure ACK: the textbook "ACK ack=x win=w".
		parts = append(parts, fmt.Sprintf("ACK ack=%d win=%d", rel(other, e.Ack), e.Win))
	case acked && e.SACK.N > 0:
		parts = append(parts, fmt.Sprintf("ack=%d", rel(other, e.Ack)))
		if flags != "" {
			parts = append(parts, fmt.Sprintf("win=%d", e.Win))
		}
		parts = append(parts, sackLabel(e, rel(other, 0)))
	case acked:
		parts = append(parts, fmt.Sprintf("ack=%d", rel(other, e.Ack)))
		if flags != "" {
			parts = append(parts, fmt.Sprintf("win=%d", e.Win))
		}
	default:
		parts = append(parts, fmt.Sprintf("win=%d", e.Win))
	}
	return strings.Join(parts, " ")
}

// sackLabel writes a segment's SACK blocks as "SACK l-r l-r", each edge
// less base (zero less the ISN they are relative to, so that adding it
// makes them relative).
func sackLabel(e *trace.Event, base uint32) string {
	var b strings.Builder
	b.WriteString("SACK")
	for _, r := range e.SACK.Blocks[:min(max(e.SACK.N, 0), trace.MaxSACKBlocks)] {
		fmt.Fprintf(&b, " %d-%d", r[0]+base, r[1]+base)
	}
	return b.String()
}
