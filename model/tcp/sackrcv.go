package tcp

import "tcpsim/model/wire"

// sackReport is the data receiver's memory for filling SACK options
// (RFC 2018 §4): the blocks of the option it sent last, first block first,
// as stream offsets.
type sackReport struct {
	last [wire.MaxSACKBlocks]span
	n    int
}

// sackBlocks fills dst with the SACK blocks for the next ACK, as stream
// offsets, and returns how many it filled (at most limit, the blocks the
// option space allows: wire.TCP.SACKRoom). It follows RFC 2018 §4:
//
//   - the first block is the contiguous out-of-order data holding the
//     segment that triggered this ACK (trigger: the stream offsets of the
//     segment's data; hasTrigger is false when the segment advanced
//     RCV.NXT, or carried no data), so that the ACK reflects the most
//     recent change in the receiver's queue;
//   - then the blocks of the previous SACK option, most recent first, as
//     they stand now (grown by merging, gone once cumulatively
//     acknowledged), skipping any already included; so a block that was
//     once first is repeated in at least the next two options too, and
//     the sender learns of it even if two ACKs are lost;
//   - then, while room is left, the other out-of-order ranges, lowest
//     first ("as many distinct SACK blocks as possible").
//
// Every block is a whole out-of-order range: the receiver keeps the data
// it has SACKed (it never reneges), so ranges only grow and merge, and each
// block's edges are exact. It remembers the option in r for the next
// call. It allocates nothing.
func (b *recvBuffer) sackBlocks(r *sackReport, trigger span, hasTrigger bool, limit int, dst *[wire.MaxSACKBlocks]span) int {
	limit = min(limit, len(dst))
	n := 0
	add := func(s span) {
		if n >= limit {
			return
		}
		for _, d := range dst[:n] {
			if d == s {
				return
			}
		}
		dst[n] = s
		n++
	}
	if hasTrigger {
		if s, ok := b.oooHolding(trigger.start); ok {
			add(s)
		}
	}
	for _, old := range r.last[:r.n] {
		if s, ok := b.oooHolding(old.start); ok {
			add(s)
		}
	}
	for _, s := range b.ooo {
		add(s)
	}
	r.last, r.n = *dst, n
	return n
}

// oooAfter returns the index of the first out-of-order range that ends
// after off (len(b.ooo) if none).
func (b *recvBuffer) oooAfter(off int64) int {
	lo, hi := 0, len(b.ooo)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if b.ooo[m].end <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// oooHolding returns the out-of-order range that holds the byte at stream
// offset off, if one does.
func (b *recvBuffer) oooHolding(off int64) (span, bool) { return b.ooo.holding(off) }
