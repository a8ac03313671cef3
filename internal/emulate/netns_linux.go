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
		return errors.New("tcpsim emulate needs root (to create network namespaces and TUN devices); run it as root")
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
func addNamespace(name string) error { return ip("netns", "add", name) }

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
	// this thread enters ns, creates it and returns to its own namespace.
	// If it cannot return, it stays locked and dies with the goroutine.
	runtime.LockOSThread()
	home, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		return -1, fmt.Errorf("open own namespace: %w", err)
	}
	defer unix.Close(home)
	target, err := unix.Open("/run/netns/"+ns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		return -1, fmt.Errorf("open namespace %s: %w", ns, err)
	}
	defer unix.Close(target)
	if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return -1, fmt.Errorf("enter namespace %s: %w", ns, err)
	}
	fd, err = createTUN()
	if serr := unix.Setns(home, unix.CLONE_NEWNET); serr != nil {
		if fd >= 0 {
			unix.Close(fd)
		}
		return -1, fmt.Errorf("return from namespace %s: %w", ns, serr) // the thread stays locked and is discarded
	}
	runtime.UnlockOSThread()
	return fd, err
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
