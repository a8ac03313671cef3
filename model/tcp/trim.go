package tcp

// Trim frees the endpoint's receive ring, its out-of-order list, its read
// scratch and the sender's SACK scoreboard list when they hold nothing
// that is still needed: no unread data, no out-of-order data, and (for the
// scoreboard) a connection that is CLOSED or in TIME-WAIT. What a later
// arrival needs is allocated again, so Trim never changes what the
// endpoint does. Call it when a connection has finished, so that a run
// of many short connections holds memory for the data still buffered,
// not for every connection it ever opened. Cost: O(1).
func (e *Endpoint) Trim() {
	e.rcv.buf.trim()
	if e.state == Closed || e.state == TimeWait {
		e.snd.sb.sacked = nil
	}
}

// trim frees the ring and the lists when they hold no live bytes.
func (b *recvBuffer) trim() {
	if b.readable != 0 || len(b.ooo) != 0 || b.pend != nil {
		return
	}
	b.ring, b.ooo, b.out = nil, nil, nil
}
