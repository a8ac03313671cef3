package tcp

import (
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// Receive-buffer autotuning as Linux does it: dynamic right-sizing (DRS,
// Fisk and Feng 2001; Linux's tcp_rcv_space_adjust in
// net/ipv4/tcp_input.c, with net.ipv4.tcp_moderate_rcvbuf = 1).
//
// The buffer, sk_rcvbuf, starts at tcp_rmem[1] (131072 bytes on the
// reference kernel, Config.RecvBuffer) and may grow up to tcp_rmem[2]
// (33554432, Config.RecvBufferMax). Once per receiver round trip, as the
// application reads, the receiver compares the bytes read in that round
// trip, copied, with the last round trip's, space (first 10·MSS,
// TCP_INIT_CWND·advmss); when copied is larger the sender is growing, and
// the buffer is set to room for
//
//	rcvwin = 2·copied + 16·MSS, plus 2·rcvwin·(copied − space)/space
//
// (twice what arrived, so that the sender can keep growing for another
// round trip, and more when it is growing fast), in window bytes, if that
// exceeds the buffer it has; space becomes copied. The window offered is
// the buffer's window share: tcp_win_from_space(sk_rcvbuf), here half of
// it (the default scaling_ratio, TCP_DEFAULT_SCALING_RATIO, as
// tcp_adv_win_scale = 1 did), so a 128 KiB buffer offers 64 KiB.
//
// The receiver's round trip (rcv_rtt_est) comes, with timestamps, from
// the echo in every data segment (now − TSecr, smoothed with gain 1/8, as
// tcp_rcv_rtt_measure_ts and tcp_rcv_rtt_update do); without them the
// connection's own RTT estimate (the handshake's sample) stands in.
//
// Deviation: Linux measures scaling_ratio from the packets' len/truesize
// and grows the offered window per segment by rcv_ssthresh
// (tcp_grow_window, 2·advmss per segment) up to window_clamp; tcpsim
// offers the whole window share at once, since rcv_ssthresh outgrows any
// slow start. Out-of-order data takes its length from the window share
// (receiver.linuxWindow): Linux charges its truesize against sk_rcvbuf,
// and at the default scaling ratio a truesize of twice the length costs
// the share the length; the right edge never moves left. While holes are
// repaired one per round trip without SACK, this is what holds the kernel
// back (tcpi_rwnd_limited). Deviation: the truesize is taken as twice the
// length, where Linux measures it per packet (driver-dependent).
type rcvTune struct {
	on      bool
	max     int      // tcp_rmem[2], buffer bytes
	rcvbuf  int      // sk_rcvbuf, buffer bytes
	space   int      // rcvq_space.space: bytes read in the last measured round trip
	seq     int64    // rcvq_space.seq: the read offset when the measurement began
	time    sim.Time // rcvq_space.time
	started bool
	rtt     sim.Time // rcv_rtt_est, smoothed; 0 until measured
	mss     int
}

// linuxInitCwnd is TCP_INIT_CWND, the first rcvq_space in segments.
const linuxInitCwnd = 10

// winFromSpace is tcp_win_from_space at the default scaling ratio: half
// the buffer.
func winFromSpace(space int) int { return space / 2 }

// spaceFromWin is its inverse, tcp_space_from_win.
func spaceFromWin(win int) int { return win * 2 }

// initTune sets up autotuning from cfg: the window share of RecvBuffer is
// the receive buffer's size, and RecvBufferMax its ceiling.
func (r *receiver) initTune(cfg *Config) {
	if cfg.RecvBufferMax <= cfg.RecvBuffer {
		return
	}
	t := &r.tune
	t.on = true
	t.max = cfg.RecvBufferMax
	t.rcvbuf = cfg.RecvBuffer
	t.mss = cfg.MSS
	r.buf.size = winFromSpace(cfg.RecvBuffer)
}

// tuneRTT takes the receiver's round-trip sample from a data segment's
// timestamp echo (tcp_rcv_rtt_measure_ts): now − TSecr, in timestamp
// ticks, smoothed with gain 1/8 (tcp_rcv_rtt_update, win_dep 0).
func (e *Endpoint) tuneRTT(h *wire.TCP) {
	t := &e.rcv.tune
	if !t.on || !e.ts.on || !h.Timestamps || h.TSecr == 0 {
		return
	}
	now := tsClock(e.clock.Now())
	if tsBefore(now, h.TSecr) {
		return
	}
	m := max(sim.Time(now-h.TSecr), 1) * tsTick
	if t.rtt == 0 {
		t.rtt = m
	} else {
		t.rtt += (m - t.rtt) / 8
	}
}

// tuneAfterRead is tcp_rcv_space_adjust, run when the application has
// read: once per receiver round trip it compares the bytes read in it
// with the last round trip's and grows the buffer (see rcvTune).
func (e *Endpoint) tuneAfterRead() {
	t := &e.rcv.tune
	if !t.on {
		return
	}
	now := e.clock.Now()
	if !t.started {
		t.started = true
		t.space = min(winFromSpace(t.rcvbuf), linuxInitCwnd*t.mss)
		t.seq = e.rcv.buf.readOff
		t.time = now
		return
	}
	rtt := t.rtt
	if rtt == 0 {
		rtt = e.rtt.srtt
	}
	if rtt == 0 || now-t.time < rtt {
		return
	}
	copied := int(e.rcv.buf.readOff - t.seq)
	if copied > t.space {
		rcvwin := 2*copied + 16*t.mss
		grow := int(int64(rcvwin) * int64(copied-t.space) / int64(t.space))
		rcvwin += 2 * grow
		rcvbuf := min(spaceFromWin(rcvwin), t.max)
		if rcvbuf > t.rcvbuf {
			t.rcvbuf = rcvbuf
			e.rcv.buf.size = winFromSpace(rcvbuf)
		}
		t.space = copied
	}
	t.seq = e.rcv.buf.readOff
	t.time = now
}
