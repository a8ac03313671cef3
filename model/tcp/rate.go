package tcp

import "tcpsim/sim"

// This file is delivery-rate sampling as draft-cheng-iccrg-delivery-rate-
// estimation-02 specifies it and Linux's net/ipv4/tcp_rate.c runs it: at
// each transmission the sender records with the segment how much had been
// delivered so far (C.delivered) and when (C.delivered_time), and when
// the current "send phase" began (C.first_sent_time); when an ACK
// delivers the segment (cumulatively or by SACK), the bytes delivered
// since it was sent over the longer of its send and ACK intervals is a
// sample of the delivery rate. BBR (bbr.go) is its consumer.
//
// Deviations: counts are in bytes, not packets, and the minimum RTT that
// invalidates too-short intervals is the minimum over the whole
// connection, not Linux's 5-minute window (tcp_min_rtt).

// rateSeg is one transmitted segment's rate state: its stream offsets and
// the connection's delivery state when it was (last) sent.
type rateSeg struct {
	start, end    int64
	delivered     int64    // C.delivered at transmission
	deliveredTime sim.Time // C.delivered_time at transmission
	firstTx       sim.Time // C.first_sent_time at transmission
	xmit          sim.Time // when it was last sent
	appLimited    bool     // C.app_limited was set at transmission
	retrans       bool     // the last transmission was a retransmission
	done          bool     // delivered (SACKed) already
	// skip, when not 0, is how many segments from this one on are all
	// delivered (done): sacked jumps over them rather than walking again
	// the segments of a SACK block that earlier ACKs carried too.
	skip int32
}

// rateSample is what one ACK tells the congestion control (Linux's struct
// rate_sample), with the sender's in-flight counts around it.
type rateSample struct {
	// delivered is the bytes delivered over interval: a delivery-rate
	// sample; both are -1 when the ACK gave no valid sample.
	delivered int64
	interval  sim.Time
	// priorDelivered is C.delivered when the newest segment this ACK
	// delivered was sent (rs.prior_delivered), and priorTime when that
	// delivered count was reached (rs.prior_mstamp).
	priorDelivered int64
	priorTime      sim.Time
	has            bool // a segment was delivered: the prior state is set
	lastXmit       sim.Time
	lastEnd        int64
	sendElapsed    sim.Time
	appLimited     bool     // the sample may underestimate: the sender was app-limited
	rtt            sim.Time // RTT of the newest segment delivered, not a retransmission; -1 none
	ackedSacked    int      // bytes this ACK delivered (rs.acked_sacked)
	priorInFlight  int      // bytes in flight (pipe) before the ACK
	inFlight       int      // bytes in flight (pipe) after the ACK
	inRecovery     bool     // a loss recovery episode is under way
}

// rateSampler is the connection's delivery-rate state (the C.* variables
// of the draft) and the table of segments in flight, kept in sequence
// order: segs[head:] live, compacted in place so that the steady state
// allocates nothing.
type rateSampler struct {
	on            bool
	segs          []rateSeg
	head          int
	delivered     int64    // C.delivered, bytes
	deliveredTime sim.Time // C.delivered_time
	firstTx       sim.Time // C.first_sent_time
	// appLimited is C.app_limited: 0, or the C.delivered beyond which
	// samples are no longer app-limited.
	appLimited int64
	minRTT     sim.Time // smallest RTT sample so far, 0 none
	renoSacked int64    // without SACK: bytes counted delivered by duplicate ACKs
	// ackSent is the bytes sent since the ACK being processed arrived
	// (its retransmissions): left out of the sample's inFlight, as Linux
	// runs the congestion control (tcp_cong_control) before it sends
	// (tcp_xmit_recovery, tcp_data_snd_check).
	ackSent int
	rs      rateSample
}

// sent records the transmission of [off, off+size) at now; flight is
// the bytes sent and not cumulatively acknowledged before it (Linux's
// packets_out), zero at the start of a send phase (the draft's
// "if (SND.NXT == SND.UNA)").
func (r *rateSampler) sent(off int64, size int, now sim.Time, flight int, retrans bool) {
	r.ackSent += size
	if flight == 0 {
		r.firstTx, r.deliveredTime = now, now
	}
	g := rateSeg{start: off, end: off + int64(size), delivered: r.delivered, deliveredTime: r.deliveredTime,
		firstTx: r.firstTx, xmit: now, appLimited: r.appLimited != 0, retrans: retrans}
	live := r.segs[r.head:]
	if n := len(live); n == 0 || live[n-1].end <= off {
		if r.head > 0 && r.head >= len(r.segs)/2 {
			r.segs = r.segs[:copy(r.segs, live)]
			r.head = 0
		}
		r.segs = append(r.segs, g)
		return
	}
	// A retransmission: refresh every recorded segment it overlaps.
	for i := r.find(off); i < len(r.segs) && r.segs[i].start < g.end; i++ {
		p := &r.segs[i]
		p.delivered, p.deliveredTime, p.firstTx, p.xmit = g.delivered, g.deliveredTime, g.firstTx, now
		p.appLimited, p.retrans = g.appLimited, retrans
	}
}

// find returns the index of the first live segment that ends after off.
func (r *rateSampler) find(off int64) int {
	lo, hi := r.head, len(r.segs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if r.segs[m].end <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// begin starts the sample of one ACK.
func (r *rateSampler) begin(priorInFlight int) {
	r.rs = rateSample{delivered: -1, interval: -1, rtt: -1, priorInFlight: priorInFlight}
	r.ackSent = 0
}

// deliver takes segment g as delivered at now (tcp_rate_skb_delivered):
// the most recently sent segment the ACK delivered (tcp_skb_sent_after)
// gives the sample's prior state.
func (r *rateSampler) deliver(g *rateSeg, now sim.Time) {
	if g.done {
		return
	}
	g.done = true
	if !r.rs.has || g.xmit > r.rs.lastXmit || g.xmit == r.rs.lastXmit && g.end > r.rs.lastEnd {
		r.rs.has, r.rs.lastXmit, r.rs.lastEnd = true, g.xmit, g.end
		r.rs.priorDelivered = g.delivered
		r.rs.priorTime = g.deliveredTime
		r.rs.appLimited = g.appLimited
		r.rs.sendElapsed = g.xmit - g.firstTx
		r.firstTx = g.xmit
		if !g.retrans {
			r.rs.rtt = now - g.xmit
		}
	}
}

// ackedTo delivers every segment below the cumulative ACK at offset ack.
func (r *rateSampler) ackedTo(ack int64, now sim.Time) {
	for r.head < len(r.segs) && r.segs[r.head].end <= ack {
		r.deliver(&r.segs[r.head], now)
		r.head++
	}
	if r.head == len(r.segs) {
		r.segs, r.head = r.segs[:0], 0
	}
}

// sacked delivers every segment wholly inside one of the ACK's SACK blocks.
// Delivering a segment twice does nothing, so the walk jumps over runs of
// delivered segments (rateSeg.skip), and records the runs it walks: each
// ACK repeats its older blocks, and walking them whole made the cost of an
// ACK grow with the data SACKed since the hole.
func (r *rateSampler) sacked(blocks []span, now sim.Time) {
	for _, b := range blocks {
		run := -1 // the first of the delivered segments just walked, -1 none
		i := r.find(b.start)
		for i < len(r.segs) && r.segs[i].end <= b.end {
			g := &r.segs[i]
			if !g.done && g.start >= b.start {
				r.deliver(g, now)
			}
			if !g.done {
				r.markRun(run, i)
				run = -1
				i++
				continue
			}
			if run < 0 {
				run = i
			}
			i += max(int(g.skip), 1)
		}
		r.markRun(run, i)
	}
}

// markRun records that the segments from run up to end are all delivered
// (nothing when run is -1).
func (r *rateSampler) markRun(run, end int) {
	if run >= 0 {
		r.segs[run].skip = int32(end - run)
	}
}

// finish completes the ACK's sample (tcp_rate_gen): delivered bytes were
// delivered by it, inFlight remain in flight.
func (r *rateSampler) finish(delivered int, now sim.Time, inFlight int, inRecovery bool) *rateSample {
	rs := &r.rs
	rs.ackedSacked, rs.inFlight, rs.inRecovery = delivered, max(inFlight-r.ackSent, 0), inRecovery
	r.delivered += int64(delivered)
	if r.appLimited != 0 && r.delivered > r.appLimited {
		r.appLimited = 0
	}
	if delivered > 0 {
		r.deliveredTime = now
	}
	if rs.rtt >= 0 && (r.minRTT == 0 || rs.rtt < r.minRTT) {
		r.minRTT = rs.rtt
	}
	if !rs.has {
		return rs
	}
	snd := rs.sendElapsed
	ack := now - rs.priorTime
	// The longer of the send and ACK intervals: a sample never exceeds
	// the rate at which the data left nor the one at which it arrived.
	rs.interval = max(snd, ack)
	rs.delivered = r.delivered - rs.priorDelivered
	if rs.interval < r.minRTT || rs.interval <= 0 {
		// Shorter than the minimum RTT: ACK compression, no sample.
		rs.interval, rs.delivered = -1, -1
	}
	return rs
}

// markAppLimited records that the application has nothing more to send
// while the window has room (tcp_rate_check_app_limited): samples taken
// until what is in flight now is delivered may underestimate the path.
func (r *rateSampler) markAppLimited(inFlight int) {
	r.appLimited = max(r.delivered+int64(inFlight), 1)
}
