package tcp

import (
	"crypto/sha256"
	"encoding/binary"

	"tcpsim/model/seqnum"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// SYN cookies (RFC 4987 §3.6; D. J. Bernstein, 1996): when a listener's
// backlog of half-open connections is full it keeps no state for a SYN,
// but encodes what it must remember in the initial sequence number of its
// SYN-ACK. The ACK that completes the handshake carries that number back
// (SEG.ACK − 1), and the listener rebuilds the connection from it.
//
// The layout is RFC 4987's, most significant bits first:
//
//	t (5 bits)  a counter that advances every CookiePeriod, modulo 32
//	m (3 bits)  the index of the MSS in CookieMSS
//	s (24 bits) a keyed hash of the 4-tuple and t
//
// Only the MSS survives: without a TCP Timestamps option to hide them in
// (Linux's cookie_init_timestamp), window scaling, SACK, timestamps and
// ECN are not offered on a cookie's SYN-ACK, and the connection runs
// without them, as Linux's does when the client sent no timestamps.
// Deviation: Linux encodes wscale, SACK and ECN in TSval when the client
// offers timestamps; tcpsim's cookie SYN-ACK never does.

// CookiePeriod is how often the cookie counter t advances: 64 seconds
// (RFC 4987 §3.6, "typically increments every 64 seconds").
const CookiePeriod = 64 * sim.Second

// CookieMSS is the table of MSS values a cookie can encode: Linux's
// msstab for IPv4 (net/ipv4/syncookies.c). A SYN's MSS is rounded down to
// the largest entry not above it (the smallest entry when it is below all
// of them, as Linux does).
var CookieMSS = [...]int{536, 1300, 1440, 1460}

// CookieJar makes and checks SYN cookies with one secret.
type CookieJar struct {
	secret [16]byte
}

// NewCookieJar returns a jar keyed by secret (drawn from the run's seed:
// the same seed, the same cookies).
func NewCookieJar(secret [16]byte) *CookieJar { return &CookieJar{secret: secret} }

// Tuple names a connection from the listener's side: the client's address
// and port and the listener's.
type Tuple struct {
	Remote     wire.Addr
	RemotePort uint16
	Local      wire.Addr
	LocalPort  uint16
}

func (j *CookieJar) hash(tu Tuple, t uint32) uint32 {
	var b [16 + 4 + 2 + 4 + 2 + 4]byte
	copy(b[:16], j.secret[:])
	copy(b[16:20], tu.Remote[:])
	binary.BigEndian.PutUint16(b[20:22], tu.RemotePort)
	copy(b[22:26], tu.Local[:])
	binary.BigEndian.PutUint16(b[26:28], tu.LocalPort)
	binary.BigEndian.PutUint32(b[28:32], t)
	sum := sha256.Sum256(b[:])
	return binary.BigEndian.Uint32(sum[:4]) & (1<<24 - 1)
}

func cookieCounter(now sim.Time) uint32 { return uint32(now / CookiePeriod) }

// ISN returns the cookie for a SYN of tu that offered MSS mss (0: no
// option, taken as RFC 9293 §3.7.1's 536), at time now, and the MSS the
// cookie encodes.
func (j *CookieJar) ISN(tu Tuple, mss int, now sim.Time) (isn uint32, encoded int) {
	if mss == 0 {
		mss = 536
	}
	m := 0
	for i := len(CookieMSS) - 1; i > 0; i-- {
		if mss >= CookieMSS[i] {
			m = i
			break
		}
	}
	t := cookieCounter(now)
	return (t%32)<<27 | uint32(m)<<24 | j.hash(tu, t), CookieMSS[m]
}

// Check decodes the cookie cookie (SEG.ACK − 1 of an ACK from tu) at time
// now. It is valid if its counter is the current one or the one before
// (a cookie lives between one and two periods, RFC 4987 §3.6's "not too
// old"), its MSS index is in the table, and its hash matches; it returns
// the MSS it encodes.
func (j *CookieJar) Check(tu Tuple, cookie uint32, now sim.Time) (mss int, ok bool) {
	m := int(cookie >> 24 & 7)
	if m >= len(CookieMSS) {
		return 0, false
	}
	cur := cookieCounter(now)
	for _, t := range [2]uint32{cur, cur - 1} {
		if t > cur || t%32 != cookie>>27 {
			continue
		}
		if j.hash(tu, t) == cookie&(1<<24-1) {
			return CookieMSS[m], true
		}
	}
	return 0, false
}

// AcceptCookie opens a LISTEN endpoint from the ACK h (with n payload
// bytes data) whose cookie a listener has checked: the connection is
// rebuilt as if the endpoint had received the client's SYN (SEG.SEQ − 1,
// MSS mss, no other option) and sent its SYN-ACK with ISS SEG.ACK − 1,
// then h is processed as the ACK that ends the handshake. As Linux's
// cookie_v4_check creates its child in SYN-RECEIVED, the state goes
// LISTEN → SYN-RECEIVED → ESTABLISHED at once. The handshake gives no RTT
// sample: its SYN-ACK's sending time was kept nowhere. It reports
// whether the endpoint was listening.
func (e *Endpoint) AcceptCookie(h *wire.TCP, data []byte, mss int) bool {
	if e.state != Listen {
		return false
	}
	syn := wire.TCP{SrcPort: h.SrcPort, DstPort: h.DstPort, Seq: h.Seq - 1, Flags: wire.FlagSYN, Window: h.Window, MSS: uint16(mss), WScale: -1}
	e.acceptSyn(&syn)
	iss := h.Ack - 1
	e.snd.iss = seqnum.Value(iss)
	e.snd.una, e.snd.nxt, e.snd.max = e.snd.iss, e.snd.iss+1, e.snd.iss+1
	e.noSynSample = true
	e.setState(SynReceived)
	e.Input(h, data)
	return true
}
