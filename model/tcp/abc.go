package tcp

// Window growth as Linux counts it: by segments acknowledged, not by ACKs.
//
// RFC 5681 §3.1 grows cwnd per ACK: by at most SMSS in slow start (eq. 2)
// and by SMSS·SMSS/cwnd in congestion avoidance (eq. 3), so a receiver that
// acknowledges every second segment (delayed ACKs) halves the growth. RFC
// 3465 (Appropriate Byte Counting) counts the bytes each ACK covers
// instead. Linux counts segments ("packets") the same way: its
// tcp_slow_start (net/ipv4/tcp_cong.c) adds every segment an ACK delivers
// to cwnd, up to ssthresh, and hands what is left to congestion avoidance;
// its tcp_cong_avoid_ai keeps a counter, snd_cwnd_cnt, of segments
// acknowledged and adds one segment to cwnd each time the counter reaches
// w (cwnd for Reno, CUBIC's cnt for CUBIC), carrying the remainder.
//
// Deviation: RFC 3465 §2.2 limits slow start to L = 2·SMSS per ACK; Linux
// has no such limit (since 3.x), and neither does this, because the linux
// profile follows the kernel.

// segCounter is the state of Linux-style segment counting for one sender:
// the bytes acknowledged that do not yet make a whole segment, and
// snd_cwnd_cnt. It works in segments of SMSS bytes; cwnd stays in bytes in
// the sender.
type segCounter struct {
	rem int // bytes acknowledged not yet counted as a segment (< SMSS)
	cnt int // snd_cwnd_cnt: segments acknowledged since cwnd last grew in congestion avoidance
}

// segments converts acked bytes into whole segments acknowledged, keeping
// the remainder for the next ACK.
func (c *segCounter) segments(acked, smss int) int {
	c.rem += acked
	n := c.rem / smss
	c.rem -= n * smss
	return n
}

// slowStart is Linux's tcp_slow_start: cwnd grows by one SMSS per segment
// acknowledged, but not beyond ssthresh; it returns the segments left over
// once cwnd reaches ssthresh, for congestion avoidance.
func (c *segCounter) slowStart(s *sender, segs int) int {
	mss := s.smss()
	room := max(0, (s.ssthresh-s.cwnd+mss-1)/mss) // segments until cwnd >= ssthresh
	n := min(segs, room)
	if n > 0 {
		s.setCwnd(s.cwnd+n*mss, s.ssthresh)
	}
	return segs - n
}

// congAvoid is Linux's tcp_cong_avoid_ai(tp, w, acked): snd_cwnd_cnt
// counts segments acknowledged, and each time it reaches w cwnd grows by
// one segment. A counter left at w or more by a smaller w (cwnd fell since)
// first grows cwnd by one and restarts, as Linux does.
func (c *segCounter) congAvoid(s *sender, w, segs int) {
	w = max(w, 1)
	mss := s.smss()
	inc := 0
	if c.cnt >= w {
		c.cnt = 0
		inc++
	}
	c.cnt += segs
	if c.cnt >= w {
		d := c.cnt / w
		c.cnt -= d * w
		inc += d
	}
	if inc > 0 {
		s.setCwnd(s.cwnd+inc*mss, s.ssthresh)
	}
}

// reset forgets partial counts (after a loss or a timeout, when Linux
// sets snd_cwnd_cnt to 0).
func (c *segCounter) reset() { *c = segCounter{} }
