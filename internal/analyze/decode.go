package analyze

import (
	"encoding/binary"
	"net/netip"
)

// TCP flag bits (RFC 9293 §3.1).
const (
	FIN = 1 << iota
	SYN
	RST
	PSH
	ACK
	URG
	ECE
	CWR
)

// Segment is the part of an IPv4 TCP segment or UDP datagram analysis
// reads. Sizes are what the headers say, not what the capture kept: a
// snap length that cut the payload does not change Len.
type Segment struct {
	Proto     uint8 // 6 TCP, 17 UDP
	Src, Dst  netip.AddrPort
	Seq, Ack  uint32
	Flags     uint8
	Win       uint16 // as on the wire, not scaled
	WScale    int    // the window scale option's shift, -1 if absent
	MSS       int    // the MSS option, 0 if absent
	SACK      [4][2]uint32
	NSACK     int
	Len       int  // TCP payload or UDP payload bytes
	HeaderCut bool // the capture cut the transport header: only addresses and ports known
	IPLen     int
	Fragment  bool
}

// decode reads an IPv4 packet (network 0x0800) or IPv6 one into s. It
// reports false for anything that is not TCP or UDP, or whose IP header or
// ports the capture does not hold.
func decode(network uint16, d []byte, s *Segment) bool {
	*s = Segment{WScale: -1}
	var payload []byte
	var total int
	switch network {
	case 0x0800:
		if len(d) < 20 || d[0]>>4 != 4 {
			return false
		}
		ihl := int(d[0]&0x0f) * 4
		if ihl < 20 || len(d) < ihl {
			return false
		}
		total = int(binary.BigEndian.Uint16(d[2:4]))
		if total < ihl {
			return false
		}
		frag := binary.BigEndian.Uint16(d[6:8])
		if frag&0x1fff != 0 { // not the first fragment: no transport header
			return false
		}
		s.Fragment = frag&0x2000 != 0
		s.Proto = d[9]
		src, _ := netip.AddrFromSlice(d[12:16])
		dst, _ := netip.AddrFromSlice(d[16:20])
		s.Src, s.Dst = netip.AddrPortFrom(src, 0), netip.AddrPortFrom(dst, 0)
		payload = d[ihl:min(len(d), total)]
		total -= ihl
	case 0x86dd:
		if len(d) < 40 || d[0]>>4 != 6 {
			return false
		}
		s.Proto = d[6] // Deviation: IPv6 extension headers are not followed.
		src, _ := netip.AddrFromSlice(d[8:24])
		dst, _ := netip.AddrFromSlice(d[24:40])
		s.Src, s.Dst = netip.AddrPortFrom(src, 0), netip.AddrPortFrom(dst, 0)
		total = int(binary.BigEndian.Uint16(d[4:6]))
		payload = d[40:min(len(d), 40+total)]
	default:
		return false
	}
	s.IPLen = total
	switch s.Proto {
	case 6:
		return decodeTCP(payload, total, s)
	case 17:
		if len(payload) < 4 {
			return false
		}
		s.Src = netip.AddrPortFrom(s.Src.Addr(), binary.BigEndian.Uint16(payload[0:2]))
		s.Dst = netip.AddrPortFrom(s.Dst.Addr(), binary.BigEndian.Uint16(payload[2:4]))
		s.Len = max(total-8, 0)
		s.HeaderCut = len(payload) < 8
		return true
	}
	return false
}

// decodeTCP reads the TCP header in p; total is the segment's length by
// the IP header.
func decodeTCP(p []byte, total int, s *Segment) bool {
	if len(p) < 4 {
		return false
	}
	s.Src = netip.AddrPortFrom(s.Src.Addr(), binary.BigEndian.Uint16(p[0:2]))
	s.Dst = netip.AddrPortFrom(s.Dst.Addr(), binary.BigEndian.Uint16(p[2:4]))
	if len(p) < 20 {
		s.HeaderCut = true
		return true
	}
	s.Seq = binary.BigEndian.Uint32(p[4:8])
	s.Ack = binary.BigEndian.Uint32(p[8:12])
	off := int(p[12]>>4) * 4
	s.Flags = p[13]
	s.Win = binary.BigEndian.Uint16(p[14:16])
	if off < 20 || off > total {
		s.HeaderCut = true // a corrupt data offset: nothing after the ports is trusted
		return true
	}
	s.Len = total - off
	opts := p[20:min(off, len(p))]
	for len(opts) > 0 {
		kind := opts[0]
		if kind == 0 { // end of option list
			break
		}
		if kind == 1 { // no-operation
			opts = opts[1:]
			continue
		}
		if len(opts) < 2 || int(opts[1]) < 2 || int(opts[1]) > len(opts) {
			break
		}
		v := opts[2:opts[1]]
		switch {
		case kind == 2 && len(v) == 2: // MSS, RFC 9293 §3.2
			s.MSS = int(binary.BigEndian.Uint16(v))
		case kind == 3 && len(v) == 1: // window scale, RFC 7323 §2
			s.WScale = min(int(v[0]), 14)
		case kind == 5: // SACK, RFC 2018 §3
			for i := 0; i+8 <= len(v) && s.NSACK < len(s.SACK); i += 8 {
				s.SACK[s.NSACK] = [2]uint32{binary.BigEndian.Uint32(v[i:]), binary.BigEndian.Uint32(v[i+4:])}
				s.NSACK++
			}
		}
		opts = opts[opts[1]:]
	}
	return true
}
