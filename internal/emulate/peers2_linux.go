package emulate

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The built-in peers of UDP flows and of request-response TCP flows (see
// Peer for their modes and lines).

// dialTCP connects from laddr to raddr with the congestion control cc.
func dialTCP(laddr, raddr, cc string) (*net.TCPConn, error) {
	la, err := net.ResolveTCPAddr("tcp4", laddr)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{LocalAddr: la, Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		if err := rc.Control(func(fd uintptr) {
			serr = unix.SetsockoptString(int(fd), unix.IPPROTO_TCP, unix.TCP_CONGESTION, cc)
		}); err != nil {
			return err
		}
		if serr != nil {
			return fmt.Errorf("TCP_CONGESTION %s: %w", cc, serr)
		}
		return nil
	}}
	conn, err := d.DialContext(context.Background(), "tcp4", raddr)
	if err != nil {
		return nil, err
	}
	return conn.(*net.TCPConn), nil
}

// ints parses every argument as a decimal integer.
func ints(args []string) ([]int64, error) {
	out := make([]int64, len(args))
	for i, a := range args {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// udpSize is datagram k's payload size, as the simulator's UDP sends it
// (model/udp): datagram bytes, except a last one that bytes cuts short.
func udpSize(k, count, datagram, bytes int64) int64 {
	if k == count-1 && bytes > 0 {
		if r := bytes - k*datagram; r < datagram {
			return r
		}
	}
	return datagram
}

// fillDatagram writes datagram k: its sequence number (8 bytes, big
// endian) then the pattern of the flow's byte stream at its offset; a
// datagram shorter than 8 bytes carries the pattern only.
func fillDatagram(b []byte, k, datagram int64) {
	off := k * datagram
	if len(b) < 8 {
		fillPattern(b, off)
		return
	}
	binary.BigEndian.PutUint64(b, uint64(k))
	fillPattern(b[8:], off+8)
}

// peerUDPSend sends count datagrams from laddr to raddr, datagram k at
// k·datagram·8/rate seconds after the first (the simulator's pacing), and
// prints "start T" and "sent T SENT BYTES ERRORS" (a send the local
// kernel refused, e.g. its device queue full, counts as an error: that
// datagram never reached the link).
func peerUDPSend(laddr, raddr string, count, datagram, bytes, rate int64, checksum bool, w io.Writer) error {
	la, err := net.ResolveUDPAddr("udp4", laddr)
	if err != nil {
		return err
	}
	ra, err := net.ResolveUDPAddr("udp4", raddr)
	if err != nil {
		return err
	}
	c, err := net.DialUDP("udp4", la, ra)
	if err != nil {
		return err
	}
	defer c.Close()
	if !checksum {
		// SO_NO_CHECK: send without a UDP checksum (optional in IPv4,
		// RFC 768), as the flow's checksum: false does in simulation.
		rc, err := c.SyscallConn()
		if err != nil {
			return err
		}
		var serr error
		if err := rc.Control(func(fd uintptr) { serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_NO_CHECK, 1) }); err != nil {
			return err
		}
		if serr != nil {
			return fmt.Errorf("SO_NO_CHECK: %w", serr)
		}
	}
	t0 := monoNow()
	fmt.Fprintf(w, "start %d\n", t0)
	buf := make([]byte, datagram)
	var sent, sentBytes, errs int64
	for k := range count {
		// Datagram k leaves at t0 + k·datagram·8/rate (ns), computed in
		// floating point: pacing to within a nanosecond is not needed here.
		at := t0 + int64(float64(k)*float64(datagram)*8e9/float64(rate))
		if d := at - monoNow(); d > 0 {
			time.Sleep(time.Duration(d))
		}
		n := udpSize(k, count, datagram, bytes)
		fillDatagram(buf[:n], k, datagram)
		if _, err := c.Write(buf[:n]); err != nil {
			errs++
			continue
		}
		sent++
		sentBytes += n
	}
	fmt.Fprintf(w, "sent %d %d %d %d\n", monoNow(), sent, sentBytes, errs)
	return nil
}

// peerUDPRecv receives the datagrams of a flow of count datagrams on
// addr until SIGTERM, then prints "udpdone DELIVERED BYTES DUPLICATES
// OUTOFORDER CORRUPT UNPLACEABLE FIRST LAST": unique datagrams and their
// bytes, copies, datagrams that came after a higher one, delivered ones
// whose bytes are wrong (possible only without the checksum), and ones
// no sequence number fits; the times of the first and last delivery.
func peerUDPRecv(addr string, count, datagram, bytes int64, w io.Writer) error {
	la, err := net.ResolveUDPAddr("udp4", addr)
	if err != nil {
		return err
	}
	c, err := net.ListenUDP("udp4", la)
	if err != nil {
		return err
	}
	defer c.Close()
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM, syscall.SIGINT)
	fmt.Fprintln(w, "ready")
	seen := make([]bool, count)
	buf := make([]byte, 65536)
	want := make([]byte, 65536)
	var delivered, got, dups, ooo, corrupt, unplaceable, first, last int64
	highest := int64(-1)
	for {
		select {
		case <-term:
			fmt.Fprintf(w, "udpdone %d %d %d %d %d %d %d %d\n", delivered, got, dups, ooo, corrupt, unplaceable, first, last)
			return nil
		default:
		}
		_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		n, err := c.Read(buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		now := monoNow()
		k := int64(-1)
		switch {
		case n >= 8:
			k = int64(binary.BigEndian.Uint64(buf))
		case int64(n) == udpSize(count-1, count, datagram, bytes):
			k = count - 1
		}
		if k < 0 || k >= count || int64(n) != udpSize(k, count, datagram, bytes) {
			unplaceable++
			continue
		}
		if seen[k] {
			dups++
			continue
		}
		seen[k] = true
		fillDatagram(want[:n], k, datagram)
		if string(want[:n]) != string(buf[:n]) {
			corrupt++
		}
		if k < highest {
			ooo++
		}
		highest = max(highest, k)
		delivered++
		got += int64(n)
		if first == 0 {
			first = now
		}
		last = now
	}
}

// peerRRServe accepts one connection on addr and answers exchanges
// requests of request bytes with response bytes each, then waits for the
// client's close; prints "ready", then "done BYTES OK FIRST LAST" (the
// request bytes it read, whether they were all there and intact, and the
// times of the first and last).
func peerRRServe(addr string, request, response, exchanges int64, w io.Writer) error {
	c, err := acceptOne(addr, w)
	if err != nil {
		return err
	}
	defer c.Close()
	req := make([]byte, request)
	resp := make([]byte, response)
	var got, first, last int64
	ok := true
	for x := range exchanges {
		n, err := io.ReadFull(c, req)
		got += int64(n)
		if n > 0 {
			if first == 0 {
				first = monoNow()
			}
			last = monoNow()
		}
		for i := range n {
			ok = ok && req[i] == patternByte(x*request+int64(i))
		}
		if err != nil {
			ok = false
			break
		}
		fillPattern(resp, x*response)
		if _, err := c.Write(resp); err != nil {
			ok = false
			break
		}
	}
	_, _ = io.Copy(io.Discard, c)
	fmt.Fprintf(w, "done %d %t %d %d\n", got, ok && got == request*exchanges, first, last)
	return nil
}

// peerRRClient connects from laddr to raddr (congestion control cc) and
// runs exchanges rounds: request bytes up, response bytes down; then
// half-closes and waits for the server's close. It prints "start T",
// TCP_INFO "info" samples, and "rrdone T BYTES OK LAST": the response
// bytes it read, whether all were there and intact, and when the last
// arrived.
func peerRRClient(laddr, raddr string, request, response, exchanges int64, cc string, w io.Writer) error {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	c, stop, err := dialSampled(laddr, raddr, cc, bw)
	if err != nil {
		return err
	}
	defer c.Close()
	req := make([]byte, request)
	resp := make([]byte, response)
	var got, last int64
	ok := true
	for x := range exchanges {
		fillPattern(req, x*request)
		if _, err := c.Write(req); err != nil {
			ok = false
			break
		}
		n, err := io.ReadFull(c, resp)
		got += int64(n)
		if n > 0 {
			last = monoNow()
		}
		for i := range n {
			ok = ok && resp[i] == patternByte(x*response+int64(i))
		}
		if err != nil {
			ok = false
			break
		}
	}
	_ = c.CloseWrite()
	_, _ = io.Copy(io.Discard, c)
	stop()
	fmt.Fprintf(bw, "rrdone %d %d %t %d\n", monoNow(), got, ok && got == response*exchanges, last)
	return nil
}
