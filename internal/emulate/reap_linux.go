package emulate

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// leftoverName matches the namespaces tcpsim emulate names, tcpsim-PID-K,
// and captures PID.
var leftoverName = regexp.MustCompile(`^tcpsim-([0-9]+)-([0-9]+)$`)

// Reap removes what emulations whose tcpsim process no longer exists
// left behind (after a SIGKILL or a crash): every namespace named
// tcpsim-PID-K whose PID is dead, after killing the processes still in
// it. It touches nothing else: a namespace of a running tcpsim (its PID
// exists), or any other name, is left alone. A TUN device needs no
// reaping: tcpsim's are not persistent, and went with the process that
// held them. It returns one line per namespace removed, and the first
// error (reaping is best effort: the others are still tried).
func Reap() ([]string, error) {
	ents, err := os.ReadDir("/run/netns")
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("emulate: reap: %w", err)
	}
	var done []string
	var first error
	for _, ent := range ents {
		m := leftoverName.FindStringSubmatch(ent.Name())
		if m == nil {
			continue
		}
		pid, err := strconv.Atoi(m[1])
		if err != nil || pid <= 0 || pidExists(pid) {
			continue
		}
		killed := killIn(ent.Name())
		if err := delNamespace(ent.Name()); err != nil {
			if first == nil {
				first = fmt.Errorf("emulate: reap %s: %w", ent.Name(), err)
			}
			continue
		}
		line := fmt.Sprintf("removed %s, left behind by tcpsim process %d (no longer running)", ent.Name(), pid)
		if killed > 0 {
			line += fmt.Sprintf(", and killed the %d processes still in it", killed)
		}
		done = append(done, line)
	}
	return done, first
}

// pidExists reports whether process pid exists (a zombie counts: its
// parent has not reaped it yet, so its namespaces may still be in use).
func pidExists(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}

// killIn SIGKILLs every process in namespace ns (ip netns pids) and
// returns how many it signalled.
func killIn(ns string) int {
	out, err := child("ip", "netns", "pids", ns).Output()
	if err != nil {
		return 0
	}
	n := 0
	for _, f := range strings.Fields(string(out)) {
		pid, err := strconv.Atoi(f)
		if err != nil || pid <= 1 || pid == os.Getpid() {
			continue
		}
		if syscall.Kill(pid, syscall.SIGKILL) == nil {
			n++
		}
	}
	return n
}
