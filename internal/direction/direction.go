// Package direction names a direction of travel between two nodes of a
// network: one direction of a link ("r1->r2"), a flow's data or ACKs
// ("s1->d"), or, in a two-host exchange, AB (from its first host to its
// second) and BA (back). Its text, "from->to", is the one the trace, the
// reports and the diagrams print: Dir is a string type, so JSON and text
// output keep that text byte for byte, while code builds, splits and
// turns directions through this package rather than writing "->".
package direction

import "strings"

// Dir is a direction from one node to another, written "from->to". The
// zero Dir ("") is no direction (an event of no packet).
type Dir string

// Sep separates the two nodes in a direction's text. Node names never
// hold it (the scenario's node names are letters, digits, _ and .).
const Sep = "->"

// The two directions of a two-host exchange: AB from its first host to
// its second (a to b in the two-host form, and the direction in which a
// flow's client or sender sends its data), BA back.
const (
	AB Dir = "a->b"
	BA Dir = "b->a"
)

// Of returns the direction from node from to node to. It allocates the
// text; callers on a hot path build their directions once.
func Of(from, to string) Dir { return Dir(from + Sep + to) }

// Ends returns d's two nodes; ok is false if d is not "from->to".
func (d Dir) Ends() (from, to string, ok bool) { return strings.Cut(string(d), Sep) }

// From returns the node d starts at ("" if d is not "from->to").
func (d Dir) From() string {
	from, _, _ := d.Ends()
	return from
}

// To returns the node d ends at ("" if d is not "from->to").
func (d Dir) To() string {
	_, to, _ := d.Ends()
	return to
}

// Reverse returns the way back: "to->from" for "from->to". It returns d
// itself if d is not "from->to"; AB and BA reverse without allocating.
func (d Dir) Reverse() Dir {
	switch d {
	case AB:
		return BA
	case BA:
		return AB
	}
	from, to, ok := d.Ends()
	if !ok {
		return d
	}
	return Of(to, from)
}

// String returns d's text, "from->to".
func (d Dir) String() string { return string(d) }
