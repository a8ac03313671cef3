package tcp

// span is a half-open range of stream offsets [start, end).
type span struct{ start, end int64 }

// spans is a sorted list of disjoint ranges that never touch (touching
// ranges merge): the receiver's out-of-order data (recvBuffer.ooo) and
// the sender's SACK scoreboard (scoreboard.sacked) are both one. It is a
// slice, so callers index and trim it as one; insert keeps the order.
type spans []span

// find returns the index of the first range that ends after off (len(l)
// if none): the range holding off, or the next above it. O(log n).
func (l spans) find(off int64) int {
	lo, hi := 0, len(l)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if l[m].end <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// holding returns the range that holds the octet at off, if one does.
func (l spans) holding(off int64) (span, bool) {
	if i := l.find(off); i < len(l) && l[i].start <= off {
		return l[i], true
	}
	return span{}, false
}

// insert adds s, merging it with the ranges it overlaps or touches, and
// returns how many of its octets were in the list already. It allocates
// only when the list grows beyond its capacity.
func (l *spans) insert(s span) (overlap int64) {
	r := *l
	i := r.find(s.start - 1) // the first range that ends at or after s starts
	j := i
	for j < len(r) && r[j].start <= s.end {
		o := r[j]
		overlap += max(0, min(o.end, s.end)-max(o.start, s.start))
		s.start, s.end = min(s.start, o.start), max(s.end, o.end)
		j++
	}
	if i == j {
		r = append(r, span{})
		copy(r[i+1:], r[i:])
		r[i] = s
	} else {
		r[i] = s
		r = append(r[:i+1], r[j:]...)
	}
	*l = r
	return overlap
}
