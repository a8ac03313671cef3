package analyze

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"
)

// DefaultMaxConns bounds the connections and UDP flows tracked; packets of
// further ones are counted in Result.Untracked.
const DefaultMaxConns = 1 << 16

// Counts are one direction's totals of a connection.
type Counts struct {
	Packets, Bytes int // segments and payload bytes
	// Per analysis flag, by bit number (Flag 1<<i at index i): how many
	// segments carried it.
	Flags [numFlags]int
}

// Count returns how many segments carried flag f (a single flag).
func (c *Counts) Count(f Flag) int {
	for i := range numFlags {
		if f == 1<<i {
			return c.Flags[i]
		}
	}
	return 0
}

// Packet is one kept TCP segment of a connection.
type Packet struct {
	Num      int       // frame number in the capture, from 1
	Time     time.Time // capture timestamp
	Dir      int       // 0 from A to B, 1 from B to A
	Seq, Ack uint32
	Flags    uint8
	Win      int64 // advertised window, scaled when the handshake said so
	Len      int
	SACK     [4][2]uint32
	NSACK    int
	Analysis Flag
}

// Conn is one TCP connection (a 4-tuple) of the capture.
type Conn struct {
	// Index numbers the connections from 0 in order of their first
	// packet, as tshark's tcp.stream does; Name is "tcp<Index>".
	Index int
	Name  string
	// A is the endpoint that sent the SYN (or, without one, the first
	// packet), B the other.
	A, B        netip.AddrPort
	First, Last time.Time
	Dir         [2]Counts
	// IRTT is the initial RTT, from the SYN to the ACK of the SYN/ACK
	// (Wireshark's tcp.analysis.initial_rtt), 0 if not seen.
	IRTT time.Duration
	// NearA says the capture was taken nearer A than B: the SYN/ACK
	// came back later after the SYN than the handshake's ACK followed
	// the SYN/ACK.
	NearA bool
	// MSS is the largest MSS option seen, 0 if none.
	MSS     int
	Packets []Packet // nil unless kept (Options.Keep)
	// Cut says Packets stopped at Options.MaxKeep segments.
	Cut bool

	half                     [2]half
	synTime, synAckTime      time.Time
	synSeen, synAckSeen, hsk bool
	keep                     bool
}

// UDPFlow is one UDP flow (a 4-tuple, both directions) of the capture.
type UDPFlow struct {
	Index       int
	Name        string // "udp<Index>"
	A, B        netip.AddrPort
	First, Last time.Time
	Dir         [2]Counts
}

// Options tunes Analyze.
type Options struct {
	// Keep says whether to keep the segments of a new connection (for
	// its trace); nil keeps none, so memory stays bounded.
	Keep func(c *Conn) bool
	// OnSegment, if set, is called with every TCP segment analysed.
	OnSegment func(c *Conn, p *Packet)
	// MaxConns bounds the connections and UDP flows tracked (0:
	// DefaultMaxConns).
	MaxConns int
	// MaxKeep bounds the segments kept per connection (0:
	// DefaultMaxKeep); later ones are analysed and counted, not kept,
	// and the connection's Cut is set.
	MaxKeep int
}

// DefaultMaxKeep is the most segments kept of one connection by default
// (about 100 MB).
const DefaultMaxKeep = 1 << 20

// Result is what a capture holds.
type Result struct {
	LinkType string
	Frames   int
	Start    time.Time // the first frame's timestamp
	Conns    []*Conn
	UDP      []*UDPFlow
	// Other counts frames that are not IPv4 or IPv6 TCP or UDP (or
	// whose headers the capture cut); Untracked those of connections
	// past MaxConns.
	Other, Untracked int
}

// flowKey is a 4-tuple in a canonical order (lower endpoint first).
type flowKey struct {
	proto uint8
	x, y  netip.AddrPort
}

func keyOf(s *Segment) flowKey {
	if s.Src.Compare(s.Dst) <= 0 {
		return flowKey{s.Proto, s.Src, s.Dst}
	}
	return flowKey{s.Proto, s.Dst, s.Src}
}

// Analyze reads every frame of r. On a read error part way (a truncated
// or corrupt record) it returns what it read so far with the error.
func Analyze(r *Reader, opt Options) (*Result, error) {
	if opt.MaxConns <= 0 {
		opt.MaxConns = DefaultMaxConns
	}
	if opt.MaxKeep <= 0 {
		opt.MaxKeep = DefaultMaxKeep
	}
	res := &Result{LinkType: r.LinkType().String()}
	tcp := map[flowKey]*Conn{}
	udp := map[flowKey]*UDPFlow{}
	var f Frame
	var s Segment
	for {
		err := r.Next(&f)
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			return res, err
		}
		if res.Frames == 0 {
			res.Start = f.Time
		}
		res.Frames++
		if !decode(f.Network, f.Data, &s) || s.HeaderCut && s.Proto == 6 {
			res.Other++
			continue
		}
		k := keyOf(&s)
		switch s.Proto {
		case 6:
			c := tcp[k]
			if c == nil {
				if len(tcp)+len(udp) >= opt.MaxConns {
					res.Untracked++
					continue
				}
				c = &Conn{Index: len(res.Conns), A: s.Src, B: s.Dst, First: f.Time}
				c.Name = fmt.Sprintf("tcp%d", c.Index)
				c.half[0].wscale, c.half[1].wscale = -1, -1
				if s.Flags&(SYN|ACK) == SYN|ACK { // the SYN/ACK first: B sent the SYN
					c.A, c.B = s.Dst, s.Src
				}
				c.keep = opt.Keep != nil && opt.Keep(c)
				tcp[k] = c
				res.Conns = append(res.Conns, c)
			}
			p := c.segment(&s, &f)
			if opt.OnSegment != nil {
				opt.OnSegment(c, &p)
			}
			if c.keep && len(c.Packets) < opt.MaxKeep {
				c.Packets = append(c.Packets, p)
			} else if c.keep {
				c.Cut = true
			}
		case 17:
			u := udp[k]
			if u == nil {
				if len(tcp)+len(udp) >= opt.MaxConns {
					res.Untracked++
					continue
				}
				u = &UDPFlow{Index: len(res.UDP), A: s.Src, B: s.Dst, First: f.Time}
				u.Name = fmt.Sprintf("udp%d", u.Index)
				udp[k] = u
				res.UDP = append(res.UDP, u)
			}
			d := 0
			if s.Src != u.A {
				d = 1
			}
			u.Dir[d].Packets++
			u.Dir[d].Bytes += s.Len
			u.Last = f.Time
		}
	}
}

// segment takes one TCP segment of c.
func (c *Conn) segment(s *Segment, f *Frame) Packet {
	d := 0
	if s.Src != c.A {
		d = 1
	}
	t := f.Time
	c.Last = t
	c.MSS = max(c.MSS, s.MSS)
	// The handshake: window scale (RFC 7323 §2.2, both SYNs must carry
	// it) and the initial RTT.
	ws := s.WScale
	if ws < 0 {
		ws = -2 // the SYN came without the option
	}
	switch {
	case s.Flags&(SYN|ACK) == SYN:
		c.half[d].wscale = ws
		c.synTime, c.synSeen = t, true
	case s.Flags&(SYN|ACK) == SYN|ACK:
		c.half[d].wscale = ws
		if ws == -2 || c.half[1-d].wscale == -2 { // scaling needs both
			c.half[0].wscale, c.half[1].wscale = 0, 0
		}
		c.synAckTime, c.synAckSeen = t, true
	case !c.hsk && c.synSeen && c.synAckSeen && s.Flags&ACK != 0 && d == 0:
		c.hsk = true
		c.IRTT = t.Sub(c.synTime)
		c.NearA = c.synAckTime.Sub(c.synTime) >= t.Sub(c.synAckTime)
	}
	win := int64(s.Win)
	if s.Flags&SYN == 0 && c.half[d].wscale > 0 {
		win <<= c.half[d].wscale // RFC 7323 §2.3: never in a SYN
	}
	fl := c.analyse(s, d, t, win)
	dc := &c.Dir[d]
	dc.Packets++
	dc.Bytes += s.Len
	for i := range numFlags {
		if fl&(1<<i) != 0 {
			dc.Flags[i]++
		}
	}
	return Packet{Num: f.Num, Time: t, Dir: d, Seq: s.Seq, Ack: s.Ack, Flags: s.Flags, Win: win, Len: s.Len,
		SACK: s.SACK, NSACK: s.NSACK, Analysis: fl}
}
