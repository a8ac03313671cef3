package protocol

import (
	"slices"
	"testing"

	"tcpsim/model/rdt"
)

// Every row parses back from its name; the rdt family's rows name the
// model's protocols by the model's own names; the families partition the
// table.
func TestTable(t *testing.T) {
	names := Names()
	if len(names) != len(table) {
		t.Fatalf("Names() = %q, want %d names", names, len(table))
	}
	var all []string
	for _, f := range []Family{TCP, UDP, RDT, Flood} {
		all = append(all, NamesOf(f)...)
	}
	slices.Sort(all)
	sorted := slices.Sorted(slices.Values(names))
	if !slices.Equal(all, sorted) {
		t.Errorf("the families hold %q, want every protocol once: %q", all, sorted)
	}
	for i, name := range names {
		p, ok := Parse(name)
		if !ok || p != Protocol(i) || p.String() != name {
			t.Errorf("Parse(%q) = %v, %v; want %v", name, p, ok, Protocol(i))
		}
		if p.Family() == RDT && p.RDT().String() != name {
			t.Errorf("%s: rdt model protocol %v, want the same name", name, p.RDT())
		}
		if !IsFamily(name, p.Family()) {
			t.Errorf("IsFamily(%q, %v) = false", name, p.Family())
		}
	}
	if _, ok := Parse("sctp"); ok {
		t.Error(`Parse("sctp"): found`)
	}
	if got := len(NamesOf(RDT)); got != len(rdt.Names) {
		t.Errorf("%d rdt protocols in the table, the model has %d", got, len(rdt.Names))
	}
	if !RDT21.Untimed() || StopAndWait.Untimed() || RDT22.RDT() != rdt.RDT22 {
		t.Error("rdt 2.x have no timer, stop-and-wait has one")
	}
	if ProtoUDP.Acks() || ProtoUDP.Retransmits() || !ProtoTCP.Retransmits() || GoBackN.Repeatable() {
		t.Error("capabilities: want UDP without ACKs or retransmissions, TCP retransmitting, rdt not repeatable")
	}
}
