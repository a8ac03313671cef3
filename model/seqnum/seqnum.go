// Package seqnum implements TCP's 32-bit sequence number arithmetic
// (RFC 9293 §3.4): values wrap around modulo 2^32, so they are compared by
// the sign of their difference, never with < on the raw numbers.
package seqnum

// Value is a TCP sequence number.
type Value uint32

// Size is a length in sequence space.
type Size uint32

// LessThan reports v < w in sequence space.
func (v Value) LessThan(w Value) bool { return int32(v-w) < 0 }

// LessThanEq reports v <= w in sequence space.
func (v Value) LessThanEq(w Value) bool { return int32(v-w) <= 0 }

// InRange reports a <= v < b.
func (v Value) InRange(a, b Value) bool { return v-a < b-a }

// InWindow reports first <= v < first+size.
func (v Value) InWindow(first Value, size Size) bool { return v.InRange(first, first.Add(size)) }

// Add returns v+s, wrapping.
func (v Value) Add(s Size) Value { return v + Value(s) }

// Size returns the distance from v to w (w must not be before v).
func (v Value) Size(w Value) Size { return Size(w - v) }

// Delta returns w - v as a signed distance, negative when w comes before
// v. Like the comparisons it is exact only while the two lie within 2^31
// of each other; it is how a 32-bit sequence number is placed in a 64-bit
// stream: offset(w) = offset(v) + Delta(v, w), for a v whose 64-bit offset
// is known.
func Delta(v, w Value) int64 { return int64(int32(w - v)) }

// Max returns the later of v and w.
func Max(v, w Value) Value {
	if v.LessThan(w) {
		return w
	}
	return v
}
