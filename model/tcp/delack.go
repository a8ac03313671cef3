package tcp

import "tcpsim/sim"

// Linux's delayed-ACK timing (net/ipv4/tcp_input.c tcp_event_data_recv,
// net/ipv4/tcp_output.c tcp_send_delayed_ack), used when
// Config.DelAckATO is set.
//
// The timeout is not fixed: Linux keeps an ACK timeout estimate, ato,
// from the spacing of arriving data. It starts at TCP_ATO_MIN (40 ms) with
// the first data segment; then each segment that arrives m after the
// previous one moves it: m ≤ 20 ms: ato = ato/2 + 20 ms (back toward
// 40 ms); 20 ms < m < ato: ato = ato/2 + m, at most the RTO; m above the
// RTO (the peer was idle) re-enters quick-ACK mode. When an ACK is
// delayed the timer is ato, but at least TCP_DELACK_MIN (40 ms) and at
// most min(500 ms, SRTT) (200 ms, TCP_DELACK_MAX, for interactive
// flows: tcpsim does not model Linux's ping-pong mode, Deviation). A
// segment that is all old data (a retransmission the receiver already
// has) re-enters quick-ACK mode for TCP_MAX_QUICKACKS segments
// (tcp_data_queue's "A retransmit ... Force an immediate ack").
//
// The first data segment's quick-ACK mode is Config.QuickAcks, as before.
const (
	tcpATOMin      = 40 * sim.Millisecond  // TCP_ATO_MIN (HZ/25)
	tcpDelAckMin   = 40 * sim.Millisecond  // TCP_DELACK_MIN
	tcpDelAckCap   = 500 * sim.Millisecond // max_ato for a bulk receiver (HZ/2)
	tcpMaxQuickAck = 16                    // TCP_MAX_QUICKACKS
)

// ackTimer is the receiver's ATO state.
type ackTimer struct {
	ato   sim.Time // icsk_ack.ato; 0 before the first data
	lrcv  sim.Time // icsk_ack.lrcvtime: the last data arrival
	quick int      // quick ACKs granted by the ATO logic (beyond Config.QuickAcks)
}

// onData is tcp_event_data_recv's ATO update at a data arrival at now,
// given the RTO.
func (a *ackTimer) onData(now, rto sim.Time) {
	if a.ato == 0 {
		a.ato = tcpATOMin
		a.lrcv = now
		return
	}
	m := now - a.lrcv
	switch {
	case m <= tcpATOMin/2:
		a.ato = a.ato/2 + tcpATOMin/2
	case m < a.ato:
		a.ato = min(a.ato/2+m, rto)
	case m > rto:
		a.quick = max(a.quick, tcpMaxQuickAck)
	}
	a.lrcv = now
}

// timeout is tcp_send_delayed_ack's timer: ato within [TCP_DELACK_MIN,
// min(500 ms, SRTT)].
func (a *ackTimer) timeout(srtt sim.Time) sim.Time {
	ato := max(a.ato, tcpATOMin)
	if ato > tcpDelAckMin {
		maxATO := tcpDelAckCap
		if srtt > 0 {
			maxATO = min(maxATO, max(srtt, tcpDelAckMin))
		}
		ato = min(ato, maxATO)
	}
	return ato
}
