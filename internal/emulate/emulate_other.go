//go:build !linux

package emulate

import (
	"errors"
	"io"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
)

// NamePrefix starts every namespace tcpsim emulate creates (Linux only).
const NamePrefix = "tcpsim-"

// Check reports what the machine lacks: everything but Linux.
func Check() error {
	return errors.New("tcpsim emulate needs Linux (network namespaces and TUN devices)")
}

// Run is not available off Linux.
func Run(sc *scenario.Scenario, o Options) (*run.Result, error) {
	return nil, &UnavailableError{Msg: Check().Error()}
}

// Peer is not available off Linux.
func Peer(args []string, w io.Writer) error { return Check() }

// Reap has nothing to remove off Linux.
func Reap() ([]string, error) { return nil, nil }

// UserNSEnv is set in the environment of a rootless tcpsim (Linux only).
const UserNSEnv = "TCPSIM_EMULATE_USERNS"

// InUserNS is false off Linux.
func InUserNS() bool { return false }

// NeedsRootless is false off Linux: Check says what is missing.
func NeedsRootless() bool { return false }

// Rootless is not available off Linux.
func Rootless(args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	return 0, &UnavailableError{Msg: Check().Error()}
}

// PrepareUserNS is not available off Linux.
func PrepareUserNS() error { return Check() }
