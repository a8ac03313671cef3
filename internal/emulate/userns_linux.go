package emulate

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// UserNSEnv is set to 1 in the environment of a tcpsim that Rootless
// started inside a user namespace of its own.
const UserNSEnv = "TCPSIM_EMULATE_USERNS"

// InUserNS reports whether this process is the tcpsim that Rootless
// started: root only inside its own user namespace.
func InUserNS() bool { return os.Getenv(UserNSEnv) == "1" }

// NeedsRootless reports whether an emulation must go through Rootless:
// not root, and not already inside the user namespace it makes.
func NeedsRootless() bool { return os.Geteuid() != 0 && !InUserNS() }

// Rootless runs tcpsim again (this binary with args) in a new user
// namespace where the calling user is root (uid and gid maps of one id
// each: the user's own, as 0) and a new mount namespace, with stdin,
// stdout and stderr passed through and SIGINT and SIGTERM forwarded. The
// namespaces it then makes are owned by that user namespace, so an
// unprivileged user can make them, and they die with it: nothing of a
// rootless run outlives it, even a SIGKILL. It returns the child's exit
// status. When the kernel refuses an unprivileged user namespace, it
// returns an *UnavailableError saying so in one line.
func Rootless(args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, fmt.Errorf("emulate: find tcpsim's own binary: %w", err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	cmd.Env = append(os.Environ(), UserNSEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}},
		Pdeathsig:   syscall.SIGKILL,
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return 0, &UnavailableError{Msg: fmt.Sprintf("tcpsim emulate needs root, or user namespaces, which this kernel refuses to an unprivileged user (%v; see user.max_user_namespaces and kernel.unprivileged_userns_clone): run it as root", unwrapSyscall(err))}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case s := <-sigs:
			_ = cmd.Process.Signal(s)
		case err := <-done:
			var ee *exec.ExitError
			switch {
			case err == nil:
				return 0, nil
			case errors.As(err, &ee):
				if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					return 128 + int(ws.Signal()), nil
				}
				return ee.ExitCode(), nil
			}
			return 0, fmt.Errorf("emulate: rootless tcpsim: %w", err)
		}
	}
}

// unwrapSyscall is the innermost error of err (the errno of a failed
// clone), for a short message.
func unwrapSyscall(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

// PrepareUserNS readies the mount namespace of a tcpsim that Rootless
// started: every mount private (so that nothing done here reaches the
// host's), and an empty tmpfs on /run/netns (or on /run, where there is
// no /run/netns), where the namespaces of this run are named: the
// host's own are neither seen nor touched.
func PrepareUserNS() error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("emulate: rootless: make mounts private: %w", err)
	}
	at := "/run/netns"
	if _, err := os.Stat(at); err != nil {
		at = "/run"
	}
	if err := unix.Mount("tcpsim", at, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "mode=0755"); err != nil {
		return fmt.Errorf("emulate: rootless: mount a tmpfs on %s: %w", at, err)
	}
	return nil
}

// addNamespaceUserNS creates namespace name as ip netns add would, from
// inside Rootless's user namespace, where ip netns add cannot: its thread
// could not return to the host's network namespace (owned by the
// initial user namespace). Here a thread of its own unshares a network
// namespace, bind-mounts it on /run/netns/NAME and is then discarded
// (its goroutine ends locked to it).
func addNamespaceUserNS(name string) error {
	if err := os.MkdirAll("/run/netns", 0o755); err != nil {
		return err
	}
	path := "/run/netns/" + name
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	f.Close()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread leaves the host's namespace
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("unshare a network namespace: %w", err)
			return
		}
		if err := unix.Mount("/proc/thread-self/ns/net", path, "", unix.MS_BIND, ""); err != nil {
			errc <- fmt.Errorf("bind %s: %w", path, err)
			return
		}
		errc <- nil
	}()
	if err := <-errc; err != nil {
		os.Remove(path)
		return err
	}
	return nil
}
