package emulate

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// tunName is every host's TUN device, inside its own namespace.
const tunName = "tun0"

// NamePrefix starts every namespace tcpsim emulate creates:
// tcpsim-PID-K for the K-th host of run PID, so that parallel runs and
// other tests never collide, and a leftover is easy to attribute.
const NamePrefix = "tcpsim-"

// Check reports, as one line, what the machine lacks for an emulation:
// Linux, root (CAP_NET_ADMIN and CAP_SYS_ADMIN for namespaces), a usable
// /dev/net/tun, and the ip command (iproute2). Nil when all is there.
func Check() error {
	if os.Geteuid() != 0 {
		return errors.New("tcpsim emulate needs root, or user namespaces (it starts itself in one when not root)")
	}
	f, err := os.OpenFile("/dev/net/tun", os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("tcpsim emulate needs /dev/net/tun (the tun module): %v", err)
	}
	f.Close()
	if _, err := exec.LookPath("ip"); err != nil {
		return errors.New("tcpsim emulate needs the ip command (iproute2, e.g. apt-get install iproute2)")
	}
	if _, err := os.Stat("/proc/self/ns/net"); err != nil {
		return errors.New("tcpsim emulate needs network namespaces (CONFIG_NET_NS)")
	}
	return nil
}

// ip runs the ip command with args and returns its error with its output.
func ip(args ...string) error {
	out, err := child("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// addNamespace creates the named network namespace.
func addNamespace(name string) error {
	if InUserNS() {
		return addNamespaceUserNS(name)
	}
	return ip("netns", "add", name)
}

// delNamespace deletes the named namespace; a missing one is no error.
func delNamespace(name string) error {
	if _, err := os.Stat("/run/netns/" + name); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return ip("netns", "del", name)
}

// openTUN creates the TUN device tun0 inside namespace ns, as a device
// that lives only while the returned descriptor is open (not persistent):
// closing it, or the process ending in any way, removes the device. The
// descriptor is non-blocking, IFF_TUN|IFF_NO_PI (bare IPv4 packets, and
// without IFF_VNET_HDR the kernel segments in software, so no packet is
// longer than the MTU).
func openTUN(ns string) (fd int, err error) {
	// The device belongs to the namespace of the thread that creates it:
	// a thread of its own enters ns and creates it, and is then discarded
	// (its goroutine ends locked to it), so that no thread of tcpsim is
	// ever left in a host's namespace, and so that it need not return to
	// the host's (which a rootless tcpsim may not enter again).
	type result struct {
		fd  int
		err error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // never unlocked
		target, err := unix.Open("/run/netns/"+ns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			done <- result{-1, fmt.Errorf("open namespace %s: %w", ns, err)}
			return
		}
		defer unix.Close(target)
		if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
			done <- result{-1, fmt.Errorf("enter namespace %s: %w", ns, err)}
			return
		}
		fd, err := createTUN()
		done <- result{fd, err}
	}()
	r := <-done
	return r.fd, r.err
}

func createTUN() (int, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return -1, fmt.Errorf("open /dev/net/tun: %w", err)
	}
	ifr, err := unix.NewIfreq(tunName)
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("TUNSETIFF %s: %w", tunName, err)
	}
	return fd, nil
}
