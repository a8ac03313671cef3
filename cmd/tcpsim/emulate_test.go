//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// needEmulation skips unless TCPSIM_EMULATE=1 (the emulation tests need
// root, network namespaces and /dev/net/tun, and take wall time).
func needEmulation(t *testing.T) {
	t.Helper()
	if os.Getenv("TCPSIM_EMULATE") != "1" {
		t.Skip("set TCPSIM_EMULATE=1 to run the emulation tests (root, network namespaces, /dev/net/tun)")
	}
	if os.Geteuid() != 0 {
		t.Skip("the emulation tests need root")
	}
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		t.Skip("no /dev/net/tun here")
	}
}

func namespacesOf(t *testing.T, pid int) []string {
	t.Helper()
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		t.Fatalf("ip netns list: %v", err)
	}
	var mine []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, fmt.Sprintf("tcpsim-%d-", pid)) {
			mine = append(mine, l)
		}
	}
	return mine
}

// SIGINT in the middle of an emulation stops it, removes every
// namespace (with its TUN device) and every process it started, prints
// the table and exits 130.
func TestEmulateSIGINTLeavesNothing(t *testing.T) {
	needEmulation(t)
	bin := buildTcpsim(t)
	dir := t.TempDir()
	sc := filepath.Join(dir, "long.yaml")
	if err := os.WriteFile(sc, []byte(`name: long
until: 120s
link: {rate: 1Mbps, delay: 20ms, queue: 50}
flows:
  - {name: file, protocol: tcp, bytes: 100MB}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "emulate", sc) // the built-in sender and reader
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	deadline := time.Now().Add(20 * time.Second)
	for len(namespacesOf(t, pid)) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // mid-run: the peers are up, packets flow
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("tcpsim emulate did not stop within 20s of SIGINT")
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("exit: %v; want status 130\nstderr: %s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "emulated") {
		t.Errorf("no emulated table on stdout:\n%s", stdout.String())
	}
	if ns := namespacesOf(t, pid); len(ns) > 0 {
		t.Errorf("namespaces left behind: %v", ns)
	}
	if out, _ := exec.Command("pgrep", "-f", bin+" emulate-peer").Output(); len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("built-in peers left behind: %s", out)
	}
}

// unprivilegedCopy copies the binary where the unprivileged user can run
// it, with a scenario beside it, and returns the directory.
func unprivilegedCopy(t *testing.T, bin string) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "tcpsim-emulate-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tcpsim"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	sc := "name: short\nuntil: 20s\nlink: {rate: 10Mbps, delay: 5ms, queue: 50, loss: 2%}\nflows:\n  - {name: file, protocol: tcp, bytes: 200KB}\n"
	if err := os.WriteFile(filepath.Join(dir, "short.yaml"), []byte(sc), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// As an unprivileged user (nobody), tcpsim emulate runs in a user
// namespace of its own: the real kernel connection completes, and
// nothing of its own is left: no process of its tree, no network
// namespace its processes were in, and no name of its in the host's
// /run/netns. The test watches only its own child's process tree, so
// that emulations run by concurrent tests (their namespaces come and go
// in the host's list meanwhile) do not disturb it.
func TestEmulateRootless(t *testing.T) {
	needEmulation(t)
	dir := unprivilegedCopy(t, buildTcpsim(t))
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(filepath.Join(dir, "tcpsim"), "emulate", "short.yaml")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := watchTree(cmd.Process.Pid)
	err := cmd.Wait()
	seen := w.stop()
	if err != nil {
		t.Fatalf("rootless tcpsim emulate: %v\nstderr: %s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"emulated: real packets", "complete", "data verified             |                       yes"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The watch must have seen the run: the hosts' namespaces (a and b,
	// where the built-in peers run), or it proves nothing.
	if len(seen.netns) < 2 {
		t.Fatalf("saw %d network namespaces other than the host's in the run's process tree (%d processes); want a and b's", len(seen.netns), len(seen.procs))
	}
	if left := seen.leftovers(); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	if p := peersOf(t, filepath.Join(dir, "tcpsim")); len(p) > 0 {
		t.Errorf("processes left behind: %v", p)
	}
}

// treeSeen is what a process tree did while it was watched: its
// processes (pid and start time, which tells a pid reused since) and the
// network namespaces they were in, other than the watcher's own.
type treeSeen struct {
	procs map[int]string    // pid: start time (field 22 of /proc/PID/stat)
	netns map[string]string // "net:[INODE]": a pid seen in it
}

type treeWatch struct {
	done chan struct{}
	out  chan treeSeen
}

// watchTree samples, every 10 ms until stop, the processes descended from
// root (root included) and their threads' network namespaces.
func watchTree(root int) *treeWatch {
	w := &treeWatch{done: make(chan struct{}), out: make(chan treeSeen, 1)}
	host, _ := os.Readlink("/proc/self/ns/net")
	go func() {
		seen := treeSeen{procs: map[int]string{}, netns: map[string]string{}}
		for {
			for pid, start := range descendants(root) {
				seen.procs[pid] = start
				tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/ns/net", pid))
				for _, p := range tasks {
					if ns, err := os.Readlink(p); err == nil && ns != host {
						seen.netns[ns] = fmt.Sprint(pid)
					}
				}
			}
			select {
			case <-w.done:
				w.out <- seen
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return w
}

// stop ends the watch (after the root has exited and been waited for)
// and returns what it saw.
func (w *treeWatch) stop() treeSeen {
	close(w.done)
	return <-w.out
}

// procStat returns a process's parent and start time, from
// /proc/PID/stat (after the command's name, which may hold spaces and
// parentheses).
func procStat(pid int) (ppid int, start string, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, "", false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 20 {
		return 0, "", false
	}
	ppid, err = strconv.Atoi(f[1]) // field 4
	return ppid, f[19], err == nil // field 22: start time
}

// descendants returns root and every process below it, with their start
// times.
func descendants(root int) map[int]string {
	children := map[int][]int{}
	starts := map[int]string{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, start, ok := procStat(pid); ok {
			children[ppid] = append(children[ppid], pid)
			starts[pid] = start
		}
	}
	out := map[int]string{}
	queue := []int{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if start, ok := starts[p]; ok {
			out[p] = start
		}
		queue = append(queue, children[p]...)
	}
	return out
}

// leftovers lists what of the watched tree is still there: a process of
// it still alive (same pid and start time), and a name in the host's
// /run/netns or a mount in the host's mount table made after one of its
// pids (tcpsim-PID-K). A network namespace lives only while a process
// is in it, a descriptor or a bind mount holds it: with every process
// of the run gone, so are their descriptors and (with the last of them)
// the rootless run's private mount namespace and its bind mounts, and
// with the namespaces their TUN devices. (Scanning every process for
// the run's namespace inodes instead would see concurrent tests'
// namespaces, which reuse freed inode numbers.)
func (s treeSeen) leftovers() []string {
	var left []string
	for pid, start := range s.procs {
		if _, now, ok := procStat(pid); ok && now == start {
			left = append(left, fmt.Sprintf("process %d", pid))
		}
	}
	var names []string
	if ents, err := os.ReadDir("/run/netns"); err == nil {
		for _, e := range ents {
			names = append(names, e.Name())
		}
	}
	if b, err := os.ReadFile("/proc/self/mountinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) > 4 && strings.HasPrefix(f[4], "/run/netns/") {
				names = append(names, "mount "+strings.TrimPrefix(f[4], "/run/netns/"))
			}
		}
	}
	for _, n := range names {
		for pid := range s.procs {
			if strings.HasPrefix(strings.TrimPrefix(n, "mount "), fmt.Sprintf("tcpsim-%d-", pid)) {
				left = append(left, "/run/netns/"+n)
			}
		}
	}
	return left
}

// Where the kernel refuses an unprivileged user namespace (here: inside
// a user namespace whose user.max_user_namespaces is 0, which limits only
// that namespace, not the host), tcpsim emulate exits 2 with one line
// saying so.
func TestEmulateRootlessRefusedExits2(t *testing.T) {
	needEmulation(t)
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("no setpriv (util-linux) to drop privileges with")
	}
	dir := unprivilegedCopy(t, buildTcpsim(t))
	var stderr bytes.Buffer
	cmd := exec.Command("/bin/sh", "-c", `echo 0 > /proc/sys/user/max_user_namespaces && exec "$0" --reuid=65534 --regid=65534 --clear-groups ./tcpsim emulate short.yaml`, setpriv)
	cmd.Dir = dir
	cmd.Stderr = &stderr
	ids := []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 65536}}
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: ids, GidMappings: ids, GidMappingsEnableSetgroups: true}
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v; want status 2 (stderr %q)", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "needs root, or user namespaces, which this kernel refuses") {
		t.Errorf("stderr %q: want one line saying user namespaces are refused", stderr.String())
	}
}

// tcpsim compare prints the simulated and the emulated column for the
// seed's client and server.
func TestCompareGivesBothColumns(t *testing.T) {
	needEmulation(t)
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	bin := buildTcpsim(t)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "compare", "../../scenarios/emulate/hahaha.yaml",
		"--run", "b="+py+" ../../scenarios/emulate/server.py",
		"--run", "a="+py+" ../../scenarios/emulate/client.py 10.0.0.2 8866")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("tcpsim compare: %v\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"simulated", "emulated", "difference", "packets lost on the data path", "relay:"} {
		if !strings.Contains(out, want) {
			t.Errorf("compare output lacks %q:\n%s", want, out)
		}
	}
	// Both columns hold a number on the loss row (the same seeded draw
	// loses the request in both, unless the client had to try again
	// because its server was slow to start).
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "packets lost on the data path") {
			f := strings.Fields(strings.ReplaceAll(l, "|", " "))
			if n := len(f); n < 4 || f[n-3] != "1" || f[n-2] == "-" {
				t.Errorf("loss row %q: want 1 simulated and a number emulated", l)
			}
		}
	}
}

// After a SIGKILL of tcpsim emulate, its children die with it (their
// parent-death signal) and its namespaces are left; the next start (here
// --cleanup, then a run) removes them, and nothing remains.
func TestEmulateSIGKILLThenNextRunCleans(t *testing.T) {
	needEmulation(t)
	bin := buildTcpsim(t)
	dir := t.TempDir()
	long := filepath.Join(dir, "long.yaml")
	short := filepath.Join(dir, "short.yaml")
	for f, src := range map[string]string{
		long:  "name: long\nuntil: 120s\nlink: {rate: 1Mbps, delay: 20ms, queue: 50}\nflows:\n  - {name: file, protocol: tcp, bytes: 100MB}\n",
		short: "name: short\nuntil: 20s\nlink: {rate: 10Mbps, delay: 5ms, queue: 50}\nflows:\n  - {name: file, protocol: tcp, bytes: 20KB}\n",
	} {
		if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// killed starts a long emulation, SIGKILLs it mid-run and checks
	// that its peers died with it and its namespaces remain.
	killed := func() int {
		cmd := exec.Command(bin, "emulate", long)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		pid := cmd.Process.Pid
		deadline := time.Now().Add(20 * time.Second)
		for len(namespacesOf(t, pid)) < 2 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		// Wait until both built-in peers run (the set-up takes seconds
		// on a loaded machine), then let packets flow.
		for len(peersOf(t, bin)) < 2 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(time.Second)
		peers := peersOf(t, bin)
		if len(peers) < 2 {
			t.Errorf("%d built-in peers running before the kill, want 2", len(peers))
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		deadline = time.Now().Add(5 * time.Second)
		for len(peersOf(t, bin)) > 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if p := peersOf(t, bin); len(p) > 0 {
			t.Errorf("built-in peers outlived tcpsim's SIGKILL: %v", p)
		}
		if ns := namespacesOf(t, pid); len(ns) != 2 {
			t.Errorf("after SIGKILL: namespaces %v, want the 2 that only a next start can remove", ns)
		}
		return pid
	}

	pid := killed()
	out, err := exec.Command(bin, "emulate", "--cleanup").CombinedOutput()
	if err != nil {
		t.Fatalf("tcpsim emulate --cleanup: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), fmt.Sprintf("removed tcpsim-%d-0", pid)) {
		t.Errorf("--cleanup said %q, want it to name tcpsim-%d-0", out, pid)
	}
	if ns := namespacesOf(t, pid); len(ns) > 0 {
		t.Errorf("after --cleanup: namespaces %v left", ns)
	}

	pid = killed()
	out, err = exec.Command(bin, "emulate", short).CombinedOutput()
	if err != nil {
		t.Fatalf("tcpsim emulate: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), fmt.Sprintf("tcpsim| removed tcpsim-%d-1", pid)) {
		t.Errorf("the next run did not say it removed tcpsim-%d-1:\n%s", pid, out)
	}
	if ns := namespacesOf(t, pid); len(ns) > 0 {
		t.Errorf("after the next run: namespaces %v left", ns)
	}
}

// peersOf lists the running built-in peers of binary bin.
func peersOf(t *testing.T, bin string) []string {
	t.Helper()
	out, _ := exec.Command("pgrep", "-f", bin+" emulate-peer").Output()
	return strings.Fields(string(out))
}

// A link faster than the relay sustains is refused with exit 2 and one
// line located at its rate; --force runs it with the reason as a warning
// (here only the refusal is run: the forced run is TestCheckRates's).
func TestEmulateRefusesTooManyPacketsPerSecond(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("emulate checks for root before it reads the file")
	}
	file := filepath.Join(t.TempDir(), "fast.yaml")
	if err := os.WriteFile(file, []byte("name: fast\nuntil: 5s\nlink:\n  rate: 1Gbps\n  delay: 1ms\nflows:\n  - {name: f, protocol: tcp, bytes: 1MB}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"emulate", "compare"} {
		var stdout, stderr bytes.Buffer
		code := execute([]string{sub, file}, &stdout, &stderr)
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if code != 2 || len(lines) != 1 || !strings.Contains(lines[0], file+":4:3: link.rate: link (forward) runs at 1000 Mbps") ||
			!strings.Contains(lines[0], "--force") {
			t.Errorf("tcpsim %s: exit %d, stderr %q; want 2 and one line located at link.rate that names --force", sub, code, stderr.String())
		}
	}
}

// A flow an emulation cannot carry (rdt, which no kernel speaks) and more
// flows than it runs (a repeated flow counted by its members) are
// refused by emulate and compare alike, before anything is made: exit 2
// and one line located at the field, saying what is supported.
func TestEmulateRefusesWhatItCannotCarry(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("emulate checks for root before it reads the file")
	}
	dir := t.TempDir()
	for _, c := range []struct{ name, src, want string }{
		{"rdt.yaml", "name: r\nuntil: 5s\nlink: {rate: 1Mbps, delay: 10ms}\nflows:\n  - {name: sw, protocol: stop-and-wait, count: 3}\n",
			":5:16: flows[0].protocol: flow sw is stop-and-wait: tcpsim emulate carries tcp and udp flows"},
		{"many.yaml", "name: m\nuntil: 5s\nlink: {rate: 10Mbps, delay: 1ms}\nflows:\n  - name: web\n    protocol: tcp\n    bytes: 1KB\n    repeat: {count: 100, every: 1ms}\n",
			":8:14: flows[0].repeat.count: the flows number 100 up to flow web (a repeated flow counted by its members): tcpsim emulate runs at most 32"},
	} {
		file := filepath.Join(dir, c.name)
		if err := os.WriteFile(file, []byte(c.src), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, sub := range []string{"emulate", "compare"} {
			var stdout, stderr bytes.Buffer
			code := execute([]string{sub, file}, &stdout, &stderr)
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if code != 2 || len(lines) != 1 || !strings.Contains(lines[0], file+c.want) {
				t.Errorf("tcpsim %s %s: exit %d, stderr %q; want 2 and one line containing %q", sub, c.name, code, stderr.String(), file+c.want)
			}
		}
	}
}
