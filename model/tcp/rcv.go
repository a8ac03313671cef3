package tcp

import (
	"tcpsim/model/seqnum"
	"tcpsim/model/wire"
)

// receiver is the receive half of a connection: the receive sequence
// variables (RFC 9293 §3.3.1), the receive buffer with its reassembly
// queue, and the window we advertise. The Endpoint's input functions
// (input.go) store data and move RCV.NXT; emit records each advertisement.
type receiver struct {
	irs     seqnum.Value // IRS
	nxt     seqnum.Value // RCV.NXT
	buf     recvBuffer   // in-order bytes not yet read, and out-of-order ones
	finRcvd bool         // the peer's FIN has been taken (RCV.NXT is past it)
	shift   uint8        // our window scale shift (RFC 7323), for what we advertise
	mss     int          // our MSS (Config.MSS), for silly window avoidance

	lastAdv    int          // window last advertised, bytes
	advRight   seqnum.Value // right edge last advertised
	ackPending int          // full segments received since the last ACK (delayed ACKs)
	quickAcks  int          // data segments still to be ACKed at once (Config.QuickAcks)
	ackedTo    seqnum.Value // the ACK number last sent

	// SACK (RFC 2018): sack says both ends allowed it (set from the
	// peer's SYN or SYN-ACK); report remembers the blocks last sent; the
	// trigger is the data of the segment being acknowledged, when it was
	// stored out of order (hasTrigger), for the first block.
	sack       bool
	report     sackReport
	trigger    span
	hasTrigger bool
	// D-SACK (RFC 2883): dsack says the receiver reports duplicates
	// (Config.DSACK, with SACK); dup is the duplicate data of the segment
	// being acknowledged, reported once as the first block of its ACK
	// (hasDup).
	dsack  bool
	dup    span
	hasDup bool

	// ato is Linux's delayed-ACK timing (delack.go), with
	// Config.DelAckATO.
	ato ackTimer
	// tune is receive-buffer autotuning (rcvtune.go), when
	// Config.RecvBufferMax allows it.
	tune rcvTune
}

// noteDup records that the segment being processed carried [start, end)
// of stream data the receiver already had, for the D-SACK block of the
// ACK it triggers (RFC 2883 §4: the first block, reported once). Only the
// first duplicate range of a segment is reported.
func (r *receiver) noteDup(start, end int64) {
	if r.dsack && r.sack && end > start && !r.hasDup {
		r.dup, r.hasDup = span{start, end}, true
	}
}

// seqAt is the sequence number of the received stream's byte at offset
// off (not before RCV.NXT's: out-of-order data lies after it).
func (r *receiver) seqAt(off int64) seqnum.Value {
	return r.nxt.Add(seqnum.Size(off - r.buf.inOrderEnd()))
}

// putSACK fills h's SACK blocks from the out-of-order data held (RFC 2018
// §4, recvBuffer.sackBlocks), as many as fit beside h's other options,
// and returns how many.
//
// A D-SACK block (RFC 2883 §4) comes first when the segment that
// triggered the ACK was a duplicate: the duplicate range, below the
// cumulative ACK or within the out-of-order data, whose range is then the
// second block (the trigger's); the regular blocks follow as RFC 2018
// orders them, one fewer. It is reported once and is not remembered
// among the blocks to repeat.
func (r *receiver) putSACK(h *wire.TCP) int {
	dsack := r.hasDup
	r.hasDup = false
	if len(r.buf.ooo) == 0 && !dsack {
		return 0
	}
	room := h.SACKRoom()
	n := 0
	if dsack && room > 0 {
		h.SACK[0] = wire.SACKBlock{Left: uint32(r.seqAt(r.dup.start)), Right: uint32(r.seqAt(r.dup.end))}
		n, room = 1, room-1
	}
	if len(r.buf.ooo) > 0 && room > 0 {
		var blocks [wire.MaxSACKBlocks]span
		trigger, has := r.trigger, r.hasTrigger
		if dsack && r.dup.start >= r.buf.inOrderEnd() {
			trigger, has = r.dup, true // the out-of-order range holding the duplicate comes second
		}
		m := r.buf.sackBlocks(&r.report, trigger, has, room, &blocks)
		for _, b := range blocks[:m] {
			h.SACK[n] = wire.SACKBlock{Left: uint32(r.seqAt(b.start)), Right: uint32(r.seqAt(b.end))}
			n++
		}
	}
	h.NSACK = uint8(n)
	return n
}

func (r *receiver) init(cfg *Config) {
	r.buf.init(cfg.RecvBuffer)
	r.mss = cfg.MSS
	r.quickAcks = cfg.QuickAcks
	r.dsack = cfg.DSACK
	// The window scale covers the largest buffer the connection may grow
	// to (Linux: max(tcp_rmem[2], rmem_max), tcp_select_initial_window).
	for r.shift < 14 && max(cfg.RecvBuffer, cfg.RecvBufferMax)>>r.shift > 65535 {
		r.shift++
	}
	r.initTune(cfg)
}

// window is the window we can advertise now, in bytes. Receiver-side
// silly window avoidance (RFC 9293 §3.8.6.2.2): the right edge only moves
// on when at least min(buffer/2, MSS) is free; until then we offer no more
// than the edge already advertised, so a full buffer shows a zero window
// instead of a trickle of tiny ones. Before the handshake is over
// (synchronized false) the whole free space is offered.
func (r *receiver) window(synchronized bool) int {
	free := r.buf.free()
	if r.tune.on && synchronized {
		return r.linuxWindow(free)
	}
	if free >= min(r.buf.size/2, r.mss) || !synchronized {
		return free
	}
	edge := 0
	if r.nxt.LessThan(r.advRight) {
		edge = int(r.nxt.Size(r.advRight))
	}
	return min(free, edge)
}

// linuxWindow is the window of an autotuning receiver (rcvtune.go), as
// Linux's tcp_select_window computes it: the window share of the buffer
// less what the out-of-order data takes of it (Linux charges its truesize
// against sk_rcvbuf, tcp_space; at the default scaling ratio of one half,
// the share loses the segment's length for a truesize of twice it), and
// never less than the window already offered (the right edge does not move
// left). free is the share less the unread in-order data.
func (r *receiver) linuxWindow(free int) int {
	for _, sp := range r.buf.ooo {
		free -= int(sp.end - sp.start)
	}
	if free < min(r.buf.size/2, r.mss) {
		free = 0 // silly window avoidance, as above
	}
	if r.nxt.LessThan(r.advRight) {
		free = max(free, int(r.nxt.Size(r.advRight)))
	}
	return free
}
