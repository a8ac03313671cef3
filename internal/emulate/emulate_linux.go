package emulate

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	proto "tcpsim/internal/protocol"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
	"tcpsim/model/link"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

// Run emulates sc: a network namespace per host, each with a TUN device,
// joined through sc's links run in real time by one relay (the same
// link.Pipe as every simulated run), with real kernel TCP: tcpsim's own
// bulk sender and reader, or the commands of o.Commands. It returns the
// run's result, marked emulated. Every namespace, TUN device and process
// it made is gone when it returns, whatever happened.
func Run(sc *scenario.Scenario, o Options) (res *run.Result, err error) {
	if err := Check(); err != nil {
		return nil, &UnavailableError{Msg: err.Error()}
	}
	hosts := sc.HostNames()
	if err := CheckFlows(sc, o.Commands); err != nil {
		return nil, err
	}
	warnings, err := CheckRates(sc, o.Force)
	if err != nil {
		return nil, err
	}
	sc = expand(sc, o.Seed)
	exe := o.Exe
	if exe == "" {
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("emulate: find tcpsim's own binary for the peers: %w", err)
		}
	}
	out := o.Output
	if out == nil {
		out = io.Discard
	}
	e := &emulation{sc: sc, o: o, exe: exe, out: &lockedWriter{w: out}, tag: fmt.Sprintf("%s%d", NamePrefix, os.Getpid())}
	for _, w := range warnings {
		e.out.line("tcpsim", w)
	}
	// What killed runs left behind goes first (only theirs: namespaces
	// whose tcpsim process is gone).
	reaped, rerr := Reap()
	for _, l := range reaped {
		e.out.line("tcpsim", l)
	}
	if rerr != nil {
		e.out.line("tcpsim", "warning: "+rerr.Error())
	}
	defer func() {
		if cerr := e.cleanup(); err == nil && cerr != nil {
			res, err = nil, cerr
		}
	}()
	if err := e.setUp(hosts); err != nil {
		return nil, err
	}
	return e.run()
}

// emulation is one run: what it made (to remove) and what it measured.
type emulation struct {
	sc    *scenario.Scenario
	o     Options
	exe   string
	out   *lockedWriter
	tag   string
	ns    []string // namespaces made, by host index
	fds   []int    // TUN descriptors, by host index
	addrs []wire.Addr

	mu    sync.Mutex
	procs []*exec.Cmd
	wg    sync.WaitGroup // output readers
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) line(prefix, s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%s| %s\n", prefix, s)
}

// setUp makes the namespaces and TUN devices, with addresses (host i has
// run.HostAddr(i), as in every simulated run), routes, IPv6 off and the
// scenario's sysctls.
func (e *emulation) setUp(hosts []string) error {
	for i := range hosts {
		ns := fmt.Sprintf("%s-%d", e.tag, i)
		if err := addNamespace(ns); err != nil {
			return fmt.Errorf("emulate: host %s: %w", hosts[i], err)
		}
		e.ns = append(e.ns, ns)
		kvs := []string{"net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"}
		for _, h := range e.sc.Sysctl {
			if h.Host == hosts[i] {
				for _, s := range h.Settings {
					kvs = append(kvs, s.Key+"="+s.Value)
				}
			}
		}
		if err := e.peerOnce(ns, append([]string{"sysctl"}, kvs...)); err != nil {
			return fmt.Errorf("emulate: host %s: %w", hosts[i], err)
		}
		fd, err := openTUN(ns)
		if err != nil {
			return fmt.Errorf("emulate: host %s: %w", hosts[i], err)
		}
		e.fds = append(e.fds, fd)
		a := run.HostAddr(i)
		e.addrs = append(e.addrs, a)
		addr := fmt.Sprintf("%d.%d.%d.%d", a[0], a[1], a[2], a[3])
		for _, args := range [][]string{
			{"-n", ns, "link", "set", "lo", "up"},
			{"-n", ns, "addr", "add", addr + "/32", "dev", tunName},
			{"-n", ns, "link", "set", tunName, "mtu", "1500", "up"},
			{"-n", ns, "route", "add", "10.0.0.0/8", "dev", tunName, "src", addr},
		} {
			if err := ip(args...); err != nil {
				return fmt.Errorf("emulate: host %s: %w", hosts[i], err)
			}
		}
	}
	return nil
}

// peerOnce runs "tcpsim emulate-peer ARGS" in namespace ns and waits.
func (e *emulation) peerOnce(ns string, args []string) error {
	cmd := child("ip", append([]string{"netns", "exec", ns, e.exe, "emulate-peer"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// snmp reads the TCP counters of namespace ns: /proc/net/snmp's Tcp:
// and /proc/net/netstat's TcpExt: lines, by name.
func (e *emulation) snmp(ns string) map[string]int64 {
	cmd := child("ip", "netns", "exec", ns, e.exe, "emulate-peer", "snmp")
	b, err := cmd.Output()
	if err != nil {
		return nil
	}
	m := map[string]int64{}
	lines := strings.Split(string(b), "\n")
	for j := 0; j+1 < len(lines); j++ {
		h, v := strings.Fields(lines[j]), strings.Fields(lines[j+1])
		if len(h) == 0 || len(h) != len(v) || h[0] != v[0] || (h[0] != "Tcp:" && h[0] != "TcpExt:" && h[0] != "Ip:" && h[0] != "Udp:") {
			continue
		}
		for k := 1; k < len(h); k++ {
			n, _ := strconv.ParseInt(v[k], 10, 64)
			m[h[0]+h[k]] = n
		}
		j++
	}
	return m
}

// start starts argv in namespace ns, in a process group of its own, its
// output sent line by line to lines (or, with lines nil, to the run's
// output prefixed with who).
func (e *emulation) start(ns, who string, argv []string, lines chan<- string) (*exec.Cmd, error) {
	cmd := child("ip", append([]string{"netns", "exec", ns}, argv...)...)
	cmd.SysProcAttr.Setpgid = true
	cmd.Env = os.Environ()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("emulate: start %s on %s: %w", strings.Join(argv, " "), who, err)
	}
	e.procs = append(e.procs, cmd)
	read := func(r io.Reader, ch chan<- string) {
		defer e.wg.Done()
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if ch != nil {
				ch <- sc.Text()
			} else {
				e.out.line(who, sc.Text())
			}
		}
		if ch != nil {
			close(ch)
		}
	}
	e.wg.Add(2)
	go read(stdout, lines)
	go read(stderr, nil)
	return cmd, nil
}

// cleanup ends every process (SIGTERM to its group, SIGKILL after a
// grace period), closes the TUN devices (which removes them) and deletes
// the namespaces. It returns the first thing it could not remove.
func (e *emulation) cleanup() error {
	e.mu.Lock()
	procs := e.procs
	e.procs = nil
	e.mu.Unlock()
	for _, p := range procs {
		if p.ProcessState == nil {
			_ = syscall.Kill(-p.Process.Pid, syscall.SIGTERM)
		}
	}
	deadline := time.Now().Add(500 * time.Millisecond)
	for _, p := range procs {
		for p.ProcessState == nil && time.Now().Before(deadline) {
			if alive(p.Process.Pid) {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			break
		}
		_ = syscall.Kill(-p.Process.Pid, syscall.SIGKILL)
	}
	e.waitAll(procs)
	var first error
	for _, fd := range e.fds {
		if err := unix.Close(fd); err != nil && first == nil {
			first = fmt.Errorf("emulate: close TUN: %w", err)
		}
	}
	e.fds = nil
	for _, ns := range e.ns {
		if err := delNamespace(ns); err != nil && first == nil {
			first = fmt.Errorf("emulate: %w", err)
		}
	}
	e.ns = nil
	return first
}

// child is exec.Command with a parent-death signal: if tcpsim dies in
// any way (SIGKILL included), the kernel sends the child SIGKILL
// (PR_SET_PDEATHSIG, kept across the exec of "ip netns exec").
func child(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}

// waitAll reaps procs (Wait is safe to call once: the conductor may have
// done it already).
func (e *emulation) waitAll(procs []*exec.Cmd) {
	for _, p := range procs {
		if p.ProcessState == nil {
			_ = p.Wait()
		}
	}
	e.wg.Wait()
}

// flowPlan is how one flow is carried.
type flowPlan struct {
	idx      int
	spec     *scenario.Flow
	from, to int
	builtin  bool
	kind     peerKind // of the built-in peers
	cport    uint16
	sport    uint16
	// results of the built-in peers
	recvDone                            bool
	recvBytes                           int64
	recvOK                              bool
	recvFirst, recvLast, sendStart      int64 // CLOCK_MONOTONIC ns
	cwndMax, cwndFinal, srtt, rto, retx int64
	mss                                 int64
	senderExit                          error
	finished                            bool
	recvCmd                             *exec.Cmd
	// request-response: the client's view (the response bytes)
	respBytes, respLast int64
	respOK, respDone    bool
	// UDP: the sender's and the receiver's counts
	udpSent, udpSentBytes, udpSendErrs                                  int64
	udpDelivered, udpBytes, udpDups, udpOOO, udpCorrupt, udpUnplaceable int64
}

// peerKind is which built-in peers carry a flow.
type peerKind uint8

const (
	bulkPeers peerKind = iota // tcp, app: bulk: send and recv
	rrPeers                   // tcp, app: request-response: rrclient and rrserve
	udpPeers                  // udp: udpsend and udprecv
)

// kindOf is the built-in peers that carry flow f.
func kindOf(f *scenario.Flow) peerKind {
	switch {
	case f.UDP != nil:
		return udpPeers
	case f.TCP != nil && f.TCP.App == "request-response":
		return rrPeers
	}
	return bulkPeers
}

// addrPort is host address a with port p, as the peers take it.
func addrPort(a wire.Addr, p uint16) string {
	return fmt.Sprintf("%d.%d.%d.%d:%d", a[0], a[1], a[2], a[3], p)
}

// readerArgv is the command line of flow p's built-in receiving peer.
func (e *emulation) readerArgv(p *flowPlan) []string {
	at := addrPort(e.addrs[p.to], p.sport)
	d := func(n int64) string { return strconv.FormatInt(n, 10) }
	switch p.kind {
	case udpPeers:
		u := p.spec.UDP
		return []string{e.exe, "emulate-peer", "udprecv", at, d(u.Count), d(int64(u.Datagram)), d(int64(u.Bytes))}
	case rrPeers:
		t := p.spec.TCP
		return []string{e.exe, "emulate-peer", "rrserve", at, d(int64(t.Request)), d(int64(t.Response)), d(int64(exchanges(t)))}
	}
	return []string{e.exe, "emulate-peer", "recv", at, d(int64(p.spec.TCP.Bytes))}
}

// senderArgv is the command line of flow p's built-in sending peer.
func (e *emulation) senderArgv(p *flowPlan) []string {
	from, to := addrPort(e.addrs[p.from], p.cport), addrPort(e.addrs[p.to], p.sport)
	d := func(n int64) string { return strconv.FormatInt(n, 10) }
	switch p.kind {
	case udpPeers:
		u := p.spec.UDP
		return []string{e.exe, "emulate-peer", "udpsend", from, to, d(u.Count), d(int64(u.Datagram)), d(int64(u.Bytes)), d(int64(u.Rate)), strconv.FormatBool(u.Checksum)}
	case rrPeers:
		t := p.spec.TCP
		return []string{e.exe, "emulate-peer", "rrclient", from, to, d(int64(t.Request)), d(int64(t.Response)), d(int64(exchanges(t))), kernelCongestion(t.Congestion)}
	}
	return []string{e.exe, "emulate-peer", "send", from, to, d(int64(p.spec.TCP.Bytes)), kernelCongestion(p.spec.TCP.Congestion)}
}

// exchanges is a request-response flow's rounds (0 in the file means 1,
// as in model/tcpconn).
func exchanges(t *scenario.TCPFlow) int {
	return max(t.Exchanges, 1)
}

// run builds the fabric, starts the relay and the flows, waits for them
// (or the budget, or a signal), and collects the result.
func (e *emulation) run() (*run.Result, error) {
	sc := e.sc
	hosts := sc.HostNames()
	hostIndex := map[string]int{}
	for i, h := range hosts {
		hostIndex[h] = i
	}
	r := &relay{fds: e.fds, intr: e.o.Interrupt, until: sim.Time(sc.Until), notes: make(chan note, 4096)}
	rx := make([]link.Receiver, len(hosts))
	for i := range rx {
		rx[i] = hostRx{r: r, i: i}
	}
	fab, err := run.BuildFabric(sc, e.o.Seed, e.o.Trace, rx)
	if err != nil {
		return nil, err
	}
	r.fab, r.eng, r.pool = fab, fab.Engine(), fab.Pool()
	r.traced = e.o.Trace.Trace != nil
	for _, l := range sc.LinkSpecs() {
		r.corrupting = r.corrupting || run.LinkConfig(l.Forward).Corrupt > 0 || run.LinkConfig(l.Reverse).Corrupt > 0
	}

	plans := make([]*flowPlan, len(sc.Flows))
	wflows := make([]wireFlow, len(sc.Flows))
	byHost := map[string]bool{}
	for _, c := range e.o.Commands {
		byHost[c.Host] = true
	}
	for i := range sc.Flows {
		f := &sc.Flows[i]
		from, to := f.From, f.To
		p := &flowPlan{idx: i, spec: f, from: hostIndex[from], to: hostIndex[to], kind: kindOf(f),
			builtin: !byHost[from] && !byHost[to], cport: uint16(49152 + i), sport: uint16(5001 + i)}
		plans[i] = p
		wflows[i] = wireFlow{from: p.from, to: p.to, builtin: p.builtin, command: !p.builtin}
	}
	r.cls = newClassifier(e.addrs, wflows)
	for _, p := range plans {
		if p.builtin {
			proto := wire.ProtoTCP
			if p.kind == udpPeers {
				proto = wire.ProtoUDP
			}
			r.cls.fix(int32(p.idx), proto, e.addrs[p.from], p.cport, e.addrs[p.to], p.sport)
		}
	}
	before := make([]map[string]int64, len(hosts))
	for i := range hosts {
		before[i] = e.snmp(e.ns[i])
	}

	recvs, err := e.startReaders(plans, hosts)
	if err != nil {
		return nil, err
	}
	// The relay's clock starts now; the peers stamp with CLOCK_MONOTONIC.
	r.start = time.Now()
	mono0 := monoNow()
	relayDone := make(chan struct{})
	go func() {
		defer close(relayDone)
		r.loop()
	}()
	stopRelay := func() {
		r.stop.Store(true)
		<-relayDone
	}
	simAt := func(mono int64) sim.Time { return sim.Time(mono - mono0) }
	wall := func(t sim.Time) time.Time { return r.start.Add(time.Duration(t)) }

	cerr := e.conduct(sc, plans, recvs, r, relayDone, wall, hosts)
	if cerr != nil {
		stopRelay()
		return nil, cerr
	}
	select {
	case <-relayDone:
	default:
		stopRelay()
	}
	after := make([]map[string]int64, len(hosts))
	for i := range hosts {
		after[i] = e.snmp(e.ns[i])
	}
	flows := make([]run.FlowResult, len(plans))
	for i, p := range plans {
		flows[i] = e.flowResult(p, &r.cls.flows[i], simAt, snmpDelta{before[p.from], after[p.from]}, snmpDelta{before[p.to], after[p.to]})
	}
	em := r.figures()
	return fab.Result(r.reason, flows, em), nil
}

// conduct starts the flows' processes at their times and waits until
// every flow's sending side has finished, the relay has stopped (budget
// or signal), then lingers so that the connections close on the wire.
func (e *emulation) conduct(sc *scenario.Scenario, plans []*flowPlan, recvs []recvOut, r *relay, relayDone <-chan struct{},
	wall func(sim.Time) time.Time, hosts []string) error {
	type exit struct {
		plan int // -1: a command on no flow's sending host
		err  error
	}
	exits := make(chan exit, len(plans)+len(e.o.Commands))
	pending := 0
	// Only the flows' sending sides are waited for: a server runs until
	// the end.
	waitFor := func(cmd *exec.Cmd, plan int) {
		if plan >= 0 {
			pending++
		}
		go func() { exits <- exit{plan, cmd.Wait()} }()
	}
	sleepUntil := func(t sim.Time) bool {
		d := time.Until(wall(t))
		if d <= 0 {
			return true
		}
		select {
		case <-time.After(d):
			return true
		case <-relayDone:
			return false
		}
	}
	var recvWG sync.WaitGroup
	for _, ro := range recvs {
		recvWG.Add(1)
		go func(ro recvOut) {
			defer recvWG.Done()
			for l := range ro.lines {
				f := strings.Fields(l)
				switch {
				case len(f) == 5 && f[0] == "done":
					ro.p.recvBytes, _ = strconv.ParseInt(f[1], 10, 64)
					ro.p.recvOK = f[2] == "true"
					ro.p.recvFirst, _ = strconv.ParseInt(f[3], 10, 64)
					ro.p.recvLast, _ = strconv.ParseInt(f[4], 10, 64)
					ro.p.recvDone = true
				case len(f) == 9 && f[0] == "udpdone":
					var v [8]int64
					for k := range v {
						v[k], _ = strconv.ParseInt(f[k+1], 10, 64)
					}
					p := ro.p
					p.udpDelivered, p.udpBytes, p.udpDups, p.udpOOO, p.udpCorrupt, p.udpUnplaceable = v[0], v[1], v[2], v[3], v[4], v[5]
					p.recvFirst, p.recvLast, p.recvBytes = v[6], v[7], v[1]
					p.recvOK, p.recvDone = true, true
				}
			}
		}(ro)
	}
	// Then everything else in time order: commands at their host's first
	// flow start (0 for a host that sends no flow), built-in senders at
	// their flow's start.
	type launch struct {
		at   sim.Time
		plan *flowPlan // a built-in sender
		cmd  *Command
	}
	var ls []launch
	for k := range e.o.Commands {
		c := &e.o.Commands[k]
		at := sim.Time(-1)
		for _, p := range plans {
			if hosts[p.from] == c.Host && (at < 0 || sim.Time(p.spec.Start) < at) {
				at = sim.Time(p.spec.Start)
			}
		}
		ls = append(ls, launch{at: max(at, 0), cmd: c})
	}
	for _, p := range plans {
		if p.builtin {
			ls = append(ls, launch{at: sim.Time(p.spec.Start), plan: p})
		}
	}
	// A stable sort by time: commands keep the order they were given.
	for i := 1; i < len(ls); i++ {
		for j := i; j > 0 && ls[j].at < ls[j-1].at; j-- {
			ls[j], ls[j-1] = ls[j-1], ls[j]
		}
	}
	var infoWG sync.WaitGroup
	for _, l := range ls {
		if !sleepUntil(l.at) {
			break
		}
		if l.cmd != nil {
			hi := -1
			for i, h := range hosts {
				if h == l.cmd.Host {
					hi = i
				}
			}
			cmd, err := e.start(e.ns[hi], l.cmd.Host, l.cmd.Argv, nil)
			if err != nil {
				return err
			}
			plan := -1
			for _, p := range plans {
				if !p.builtin && p.from == hi {
					plan = p.idx
					break
				}
			}
			waitFor(cmd, plan)
			continue
		}
		p := l.plan
		lines := make(chan string, 64)
		cmd, err := e.start(e.ns[p.from], hosts[p.from]+"/"+p.spec.Name, e.senderArgv(p), lines)
		if err != nil {
			return err
		}
		waitFor(cmd, p.idx)
		infoWG.Add(1)
		go func(p *flowPlan) {
			defer infoWG.Done()
			for l := range lines {
				f := strings.Fields(l)
				switch {
				case len(f) == 2 && f[0] == "start":
					p.sendStart, _ = strconv.ParseInt(f[1], 10, 64)
				case len(f) == 5 && f[0] == "sent":
					p.udpSent, _ = strconv.ParseInt(f[2], 10, 64)
					p.udpSentBytes, _ = strconv.ParseInt(f[3], 10, 64)
					p.udpSendErrs, _ = strconv.ParseInt(f[4], 10, 64)
				case len(f) == 5 && f[0] == "rrdone":
					p.respBytes, _ = strconv.ParseInt(f[2], 10, 64)
					p.respOK = f[3] == "true"
					p.respLast, _ = strconv.ParseInt(f[4], 10, 64)
					p.respDone = true
				case len(f) == 8 && f[0] == "info":
					var v [7]int64
					for k := range v {
						v[k], _ = strconv.ParseInt(f[k+1], 10, 64)
					}
					cwnd, ss := v[1], v[2]
					if ss >= math.MaxInt32 {
						ss = math.MaxInt32 // "infinite" (TCP_INFINITE_SSTHRESH)
					}
					p.cwndFinal, p.cwndMax = cwnd, max(p.cwndMax, cwnd)
					p.srtt, p.rto, p.retx, p.mss = v[3]*1000, v[4]*1000, v[5], v[6]
					select {
					case r.notes <- note{flow: p.spec.Name, kind: trace.Cwnd, v: cwnd, v2: ss,
						detail: fmt.Sprintf("client (kernel TCP_INFO) cwnd=%d ssthresh=%d rtt=%dus rto=%dus retrans=%d", cwnd, ss, v[3], v[4], v[5])}:
					default:
					}
				}
			}
		}(p)
	}
	// Wait for every flow's sending side, the relay's end, or a signal.
	for pending > 0 {
		select {
		case x := <-exits:
			pending--
			if x.plan >= 0 {
				plans[x.plan].senderExit = x.err
				plans[x.plan].finished = true
			}
		case <-relayDone:
			pending = 0
		}
	}
	select {
	case <-relayDone:
	default:
		// Linger: let the last FIN and ACK cross, then stop.
		select {
		case <-time.After(linger):
		case <-relayDone:
		}
	}
	r.stop.Store(true)
	<-relayDone
	// A UDP receiver cannot tell the end: it prints its counts on SIGTERM.
	for _, p := range plans {
		if p.builtin && p.kind == udpPeers && p.recvCmd != nil {
			_ = syscall.Kill(-p.recvCmd.Process.Pid, syscall.SIGTERM)
		}
	}
	// The readers print their result when their connection ends; give
	// them a moment, then end everything.
	deadline := time.After(500 * time.Millisecond)
	for _, p := range plans {
		if !p.builtin {
			continue
		}
		for !p.recvDone {
			select {
			case <-deadline:
				goto done
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
done:
	e.cleanupProcs()
	recvWG.Wait()
	infoWG.Wait()
	return nil
}

// kernelCongestion is the Linux congestion control module for a
// scenario's congestion: name: tcpsim's Linux-style variants
// (cubic-linux) are the kernel's own module, and newreno and tahoe are
// reno (Linux's reno recovers NewReno-style, RFC 6582; it has no Tahoe).
func kernelCongestion(name string) string {
	name = strings.TrimSuffix(name, "-linux")
	if name == "newreno" || name == "tahoe" {
		return "reno"
	}
	return name
}

// linger is how long the relay runs on after every flow's sending side
// has finished, so that the connections' last segments cross.
const linger = time.Second

// recvOut is a built-in reader and its output.
type recvOut struct {
	p     *flowPlan
	lines chan string
}

// startReaders starts the built-in readers and waits until each listens:
// they must, before their senders connect.
func (e *emulation) startReaders(plans []*flowPlan, hosts []string) ([]recvOut, error) {
	// Readers first: they must be listening before their senders connect.
	var recvs []recvOut
	for _, p := range plans {
		if !p.builtin {
			continue
		}
		lines := make(chan string, 16)
		cmd, err := e.start(e.ns[p.to], hosts[p.to]+"/"+p.spec.Name, e.readerArgv(p), lines)
		if err != nil {
			return nil, err
		}
		p.recvCmd = cmd
		select {
		case l := <-lines:
			if l != "ready" {
				return nil, fmt.Errorf("emulate: flow %s: the reader said %q, want ready", p.spec.Name, l)
			}
		case <-time.After(10 * time.Second):
			return nil, fmt.Errorf("emulate: flow %s: the reader did not start within 10s", p.spec.Name)
		}
		recvs = append(recvs, recvOut{p, lines})
	}
	return recvs, nil
}

// cleanupProcs ends the processes now (the namespaces stay until
// cleanup), so that their output has been read when results are made.
func (e *emulation) cleanupProcs() {
	e.mu.Lock()
	procs := e.procs
	e.mu.Unlock()
	for _, p := range procs {
		_ = syscall.Kill(-p.Process.Pid, syscall.SIGKILL)
	}
	e.wg.Wait()
}

// snmpDelta is a host's kernel counters (its namespace's
// /proc/net/snmp and netstat) before and after a run.
type snmpDelta struct{ before, after map[string]int64 }

// of is how much counter k grew during the run (0 if it went down).
func (d snmpDelta) of(k string) int64 { return max(d.after[k]-d.before[k], 0) }

// flowResult is flow p's outcome, measured on the wire (w) and, for the
// built-in peers, by the peers themselves; from and to are the kernel
// counters of its sending and receiving hosts.
func (e *emulation) flowResult(p *flowPlan, w *wireFlow, simAt func(int64) sim.Time, from, to snmpDelta) run.FlowResult {
	f := run.FlowResult{Name: p.spec.Name, Protocol: p.spec.Protocol, Start: sim.Time(p.spec.Start), Completion: -1, Family: p.spec.Family}
	tr := &run.TCPResult{Verified: "n/a (a command)", State: "real kernel / real kernel", Handshake: -1}
	f.PacketsSent, f.PacketsRecv = w.segments, w.received
	f.DeliveredBytes = w.deliveredBytes()
	if w.est {
		tr.Handshake = w.estAt - w.synAt
	}
	switch {
	case p.builtin && p.kind == udpPeers:
		f = e.udpResult(p, f, simAt)
		// The receiving kernel's UDP checksum drops (Udp InCsumErrors).
		f.ChecksumDrops = to.of("Udp:InCsumErrors")
		return f
	case p.builtin && p.kind == rrPeers:
		rrResult(p, &f, tr, simAt)
	case p.builtin:
		bulkResult(p, &f, tr, simAt)
	default:
		commandResult(p, w, &f)
	}
	if f.Completion > 0 {
		f.Goodput = float64(f.DeliveredBytes) * 8 / f.Completion.Seconds()
	}
	if f.OfferedBytes > 0 {
		f.DeliveryRatio = float64(f.DeliveredBytes) / float64(f.OfferedBytes)
	}
	// Retransmissions as the wire saw them, split by the sender's kernel
	// counters (TcpExt TCPFastRetrans of its namespace) into fast and
	// the rest; RTO expirations are its TCPTimeouts.
	fast := min(w.retrans, from.of("TcpExt:TCPFastRetrans"))
	tr.FastRetrans, tr.TimeoutRetrans = fast, w.retrans-fast
	tr.RTOExpirations = from.of("TcpExt:TCPTimeouts")
	tr.DupAcks = w.dupAcks
	// The kernels' own checksum drops (Tcp InCsumErrors), both ends.
	f.ChecksumDrops = from.of("Tcp:InCsumErrors") + to.of("Tcp:InCsumErrors")
	if proto.IsFamily(p.spec.Protocol, proto.TCP) {
		f.TCP = tr
	}
	return f
}

// rrResult fills in a request-response flow carried by the built-in
// client and server: bytes delivered both ways (the requests at the
// server, the responses at the client, as the simulator counts them),
// checked by both, from just before the client's connect() to its last
// response byte.
func rrResult(p *flowPlan, f *run.FlowResult, tr *run.TCPResult, simAt func(int64) sim.Time) {
	t := p.spec.TCP
	f.OfferedBytes = (int64(t.Request) + int64(t.Response)) * int64(exchanges(t))
	if p.recvDone && p.respDone {
		f.DeliveredBytes = p.recvBytes + p.respBytes
		tr.Verified = "yes"
		if !p.recvOK || !p.respOK {
			tr.Verified = "NO"
		}
		f.Complete = p.recvOK && p.respOK && p.senderExit == nil && p.finished
		if p.respLast > 0 && p.sendStart > 0 {
			f.Start = simAt(p.sendStart)
			f.Completion = simAt(p.respLast) - f.Start
		}
	}
	kernelSamples(p, tr)
}

// bulkResult fills in a bulk flow carried by the built-in sender and
// reader: the bytes the reader checked, from just before the sender's
// connect() (the handshake counts, as in a simulated run; the exec of the
// sender, milliseconds after start:, does not) to the last byte read.
func bulkResult(p *flowPlan, f *run.FlowResult, tr *run.TCPResult, simAt func(int64) sim.Time) {
	f.OfferedBytes = int64(p.spec.TCP.Bytes)
	if p.recvDone {
		f.DeliveredBytes = p.recvBytes
		tr.Verified = "yes"
		if !p.recvOK {
			tr.Verified = "NO"
		}
		f.Complete = p.recvOK && p.senderExit == nil && p.finished
		if p.recvLast > 0 && p.sendStart > 0 {
			f.Start = simAt(p.sendStart)
			f.Completion = simAt(p.recvLast) - f.Start
		}
	}
	kernelSamples(p, tr)
}

// kernelSamples copies the sending kernel's TCP_INFO, as the built-in
// peer last sampled it, into the table's TCP rows.
func kernelSamples(p *flowPlan, tr *run.TCPResult) {
	tr.CwndFinal, tr.CwndMax, tr.SRTT, tr.RTO, tr.SMSS = p.cwndFinal, p.cwndMax, sim.Time(p.srtt), sim.Time(p.rto), p.mss
}

// commandResult fills in a flow carried by commands, as the wire saw it:
// what the receiver acknowledged, from the command's first SYN (its
// start-up is not the network's doing) to the highest ACK.
func commandResult(p *flowPlan, w *wireFlow, f *run.FlowResult) {
	f.OfferedBytes = f.DeliveredBytes
	f.Complete = p.finished && p.senderExit == nil
	if w.synSeen {
		f.Start = w.synAt
	}
	if w.ackSeen && f.DeliveredBytes > 0 {
		f.Completion = w.highAckAt - f.Start
	}
}

// udpResult is the outcome of a UDP flow carried by the built-in peers,
// in the simulator's terms (run.udpFlow): sent by the sender, delivered
// (unique datagrams), lost (sent and never delivered), duplicates, out of
// order; complete when every datagram was sent.
func (e *emulation) udpResult(p *flowPlan, f run.FlowResult, simAt func(int64) sim.Time) run.FlowResult {
	u := p.spec.UDP
	f.OfferedBytes = int64(u.Bytes)
	if f.OfferedBytes == 0 {
		f.OfferedBytes = u.Count * int64(u.Datagram)
	}
	f.PacketsSent, f.PacketsRecv = p.udpSent, p.udpDelivered
	f.DeliveredBytes = p.udpBytes
	f.Lost = max(p.udpSent-p.udpDelivered, 0)
	f.Duplicates, f.OutOfOrder, f.Corrupt, f.Unplaceable = p.udpDups, p.udpOOO, p.udpCorrupt, p.udpUnplaceable
	f.Complete = p.finished && p.senderExit == nil && p.udpSent+p.udpSendErrs == u.Count
	if p.sendStart > 0 {
		f.Start = simAt(p.sendStart)
	}
	if p.udpDelivered > 0 && p.recvLast > 0 {
		f.Completion = simAt(p.recvLast) - f.Start
		if f.Completion > 0 {
			f.Goodput = float64(f.DeliveredBytes) * 8 / f.Completion.Seconds()
		}
	}
	if f.OfferedBytes > 0 {
		f.DeliveryRatio = float64(f.DeliveredBytes) / float64(f.OfferedBytes)
	}
	return f
}
