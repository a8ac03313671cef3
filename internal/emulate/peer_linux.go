package emulate

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Peer runs one of the helpers that tcpsim emulate starts inside a host's
// network namespace (as the hidden command "tcpsim emulate-peer", through
// "ip netns exec"). It writes its results as lines on w:
//
//	sysctl KEY=VALUE...          set per-namespace sysctls (/proc/sys)
//	snmp                         print /proc/net/snmp and /proc/net/netstat
//	recv ADDR:PORT BYTES         accept one connection, read BYTES, check them;
//	                             prints "ready", then "done BYTES OK FIRST LAST"
//	send LADDR:LPORT ADDR:PORT BYTES CC
//	                             connect (TCP_CONGESTION = CC), write BYTES,
//	                             half-close, wait for EOF; prints "start T",
//	                             "info T CWND SSTHRESH RTT RTO RETRANS MSS" samples
//	                             and "done T"
//	udpsend LADDR:LPORT ADDR:PORT COUNT DATAGRAM BYTES RATE CHECKSUM
//	                             send a UDP flow's datagrams at its rate; prints
//	                             "start T" and "sent T SENT BYTES ERRORS"
//	udprecv ADDR:PORT COUNT DATAGRAM BYTES
//	                             receive them until SIGTERM; prints "ready", then
//	                             "udpdone DELIVERED BYTES DUPS OOO CORRUPT UNPLACEABLE FIRST LAST"
//	rrserve ADDR:PORT REQUEST RESPONSE EXCHANGES
//	                             answer each request with a response; prints
//	                             "ready", then "done BYTES OK FIRST LAST"
//	rrclient LADDR:LPORT ADDR:PORT REQUEST RESPONSE EXCHANGES CC
//	                             run the exchanges; prints "start T", "info ..."
//	                             samples and "rrdone T BYTES OK LAST"
//
// Times are CLOCK_MONOTONIC nanoseconds, which every namespace shares.
func Peer(args []string, w io.Writer) error {
	if len(args) == 0 {
		return errors.New("emulate-peer: want a mode: sysctl, snmp, recv or send")
	}
	switch mode, rest := args[0], args[1:]; mode {
	case "sysctl":
		return peerSysctl(rest)
	case "snmp":
		for _, f := range []string{"/proc/net/snmp", "/proc/net/netstat"} {
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	case "recv":
		if len(rest) != 2 {
			return errors.New("emulate-peer recv ADDR:PORT BYTES")
		}
		n, err := strconv.ParseInt(rest[1], 10, 64)
		if err != nil {
			return err
		}
		return peerRecv(rest[0], n, w)
	case "send":
		if len(rest) != 4 {
			return errors.New("emulate-peer send LADDR:LPORT ADDR:PORT BYTES CC")
		}
		n, err := strconv.ParseInt(rest[2], 10, 64)
		if err != nil {
			return err
		}
		return peerSend(rest[0], rest[1], n, rest[3], w)
	case "udpsend", "udprecv", "rrserve", "rrclient":
		return peerMore(mode, rest, w)
	}
	return fmt.Errorf("emulate-peer: unknown mode %q", args[0])
}

// peerMore runs the modes of the UDP and request-response peers.
func peerMore(mode string, rest []string, w io.Writer) error {
	want := map[string]int{"udpsend": 7, "udprecv": 4, "rrserve": 4, "rrclient": 6}[mode]
	if len(rest) != want {
		return fmt.Errorf("emulate-peer %s: %d arguments, want %d", mode, len(rest), want)
	}
	switch mode {
	case "udpsend":
		n, err := ints(rest[2:6])
		if err != nil {
			return err
		}
		return peerUDPSend(rest[0], rest[1], n[0], n[1], n[2], n[3], rest[6] == "true", w)
	case "udprecv":
		n, err := ints(rest[1:])
		if err != nil {
			return err
		}
		return peerUDPRecv(rest[0], n[0], n[1], n[2], w)
	case "rrserve":
		n, err := ints(rest[1:])
		if err != nil {
			return err
		}
		return peerRRServe(rest[0], n[0], n[1], n[2], w)
	default:
		n, err := ints(rest[2:5])
		if err != nil {
			return err
		}
		return peerRRClient(rest[0], rest[1], n[0], n[1], n[2], rest[5], w)
	}
}

// monoNow is CLOCK_MONOTONIC in nanoseconds.
func monoNow() int64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}

func peerSysctl(kvs []string) error {
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !sysctlKeyOK(k) {
			return fmt.Errorf("emulate-peer sysctl: %q: want net.ipv4.KEY=VALUE or net.ipv6.KEY=VALUE", kv)
		}
		path := "/proc/sys/" + strings.ReplaceAll(k, ".", "/")
		if err := os.WriteFile(path, []byte(v+"\n"), 0); err != nil {
			return fmt.Errorf("sysctl %s=%s: %w", k, v, err)
		}
	}
	return nil
}

// sysctlKeyOK admits what scenario.HostSysctl admits: net.ipv4.* and
// net.ipv6.*, no path tricks.
func sysctlKeyOK(k string) bool {
	return (strings.HasPrefix(k, "net.ipv4.") || strings.HasPrefix(k, "net.ipv6.")) &&
		!strings.Contains(k, "..") && !strings.ContainsAny(k, "/ ")
}

// patternByte is the i-th byte of the built-in sender's stream: a
// sequence that a shifted or repeated segment cannot match.
func patternByte(i int64) byte { return byte(i*7 + i>>8) }

func fillPattern(b []byte, off int64) {
	for i := range b {
		b[i] = patternByte(off + int64(i))
	}
}

// acceptOne listens on addr, prints "ready" to w, and returns the first
// connection; the listener is closed before it returns.
func acceptOne(addr string, w io.Writer) (net.Conn, error) {
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	fmt.Fprintln(w, "ready")
	return ln.Accept()
}

func peerRecv(addr string, want int64, w io.Writer) error {
	c, err := acceptOne(addr, w)
	if err != nil {
		return err
	}
	defer c.Close()
	buf := make([]byte, 64<<10)
	var got int64
	var first, last int64
	ok := true
	for {
		n, err := c.Read(buf)
		if n > 0 {
			now := monoNow()
			if first == 0 {
				first = now
			}
			for i := range n {
				if patternByte(got+int64(i)) != buf[i] {
					ok = false
				}
			}
			got += int64(n)
			if got <= want {
				last = now
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "done %d %t %d %d\n", got, ok && got == want, first, last)
	return nil
}

func peerSend(laddr, raddr string, n int64, cc string, w io.Writer) error {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	c, stopSampling, err := dialSampled(laddr, raddr, cc, bw)
	if err != nil {
		return err
	}
	defer c.Close()
	buf := make([]byte, 64<<10)
	var off int64
	for off < n {
		k := min(int64(len(buf)), n-off)
		fillPattern(buf[:k], off)
		m, err := c.Write(buf[:k])
		off += int64(m)
		if err != nil {
			stopSampling()
			return err
		}
	}
	if err := c.CloseWrite(); err != nil {
		stopSampling()
		return err
	}
	_, err = io.Copy(io.Discard, c)
	stopSampling()
	fmt.Fprintf(bw, "done %d\n", monoNow())
	return err
}

// dialSampled writes the "start" line to bw, connects from laddr to raddr
// with congestion control cc, and samples the connection's TCP_INFO into
// bw until stop is called.
func dialSampled(laddr, raddr, cc string, bw *bufio.Writer) (c *net.TCPConn, stop func(), err error) {
	fmt.Fprintf(bw, "start %d\n", monoNow())
	bw.Flush()
	c, err = dialTCP(laddr, raddr, cc)
	if err != nil {
		return nil, nil, err
	}
	rc, err := c.SyscallConn()
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	return c, sampleTCPInfo(rc, bw), nil
}

// sampleTCPInfo writes an "info" line to bw every 5 ms in which the
// kernel's TCP_INFO of the connection rc changed, until the returned
// stop is called (stop waits for the sampler to finish).
func sampleTCPInfo(rc syscall.RawConn, bw *bufio.Writer) (stop func()) {
	quit := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var last unix.TCPInfo
		for {
			var ti *unix.TCPInfo
			_ = rc.Control(func(fd uintptr) { ti, _ = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO) })
			if ti != nil && (ti.Snd_cwnd != last.Snd_cwnd || ti.Snd_ssthresh != last.Snd_ssthresh || ti.Total_retrans != last.Total_retrans || ti.Rto != last.Rto) {
				last = *ti
				fmt.Fprintf(bw, "info %d %d %d %d %d %d %d\n", monoNow(), int64(ti.Snd_cwnd)*int64(ti.Snd_mss),
					int64(ti.Snd_ssthresh)*int64(ti.Snd_mss), ti.Rtt, ti.Rto, ti.Total_retrans, ti.Snd_mss)
				bw.Flush()
			}
			select {
			case <-quit:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(quit)
		<-sampled
	}
}
