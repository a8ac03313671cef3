// Package emulate runs a scenario's links in real time between real
// network stacks (tcpsim emulate): one Linux network namespace per host,
// each with a TUN device, all joined by one relay that puts the real
// packets on the same link model (model/link) as every simulated run,
// driving its engine in step with the wall clock. The flows are carried
// by real kernel TCP: tcpsim's own bulk sender and reader (Peer), or the
// user's commands.
package emulate

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
)

// MaxRate is the fastest link the relay is known to keep up with: at
// 100 Mbps (8,300 full-size packets/s one way and their ACKs) it carried
// the real kernel's 92.8 Mbps on the shared 2-vCPU machine it was
// measured on, its thread 60% busy (the kernel's own TCP processing of
// the packets it writes included). A faster link gets a warning.
const MaxRate = 100_000_000

// RateWarnings returns a warning for every link direction of sc faster
// than MaxRate, or none.
func RateWarnings(sc *scenario.Scenario) []string {
	var ws []string
	for _, l := range sc.LinkSpecs() {
		for _, d := range []struct {
			name string
			rate int64
		}{{l.ForwardName, l.Forward.Rate}, {l.ReverseName, l.Reverse.Rate}} {
			switch {
			case d.rate == 0:
				ws = append(ws, fmt.Sprintf("warning: %s %s has no rate (infinitely fast): only the relay's own speed limits it; watch the relay line's release error",
					l.Path, d.name))
			case d.rate > MaxRate:
				ws = append(ws, fmt.Sprintf("warning: %s %s runs at %g Mbps: up to %d full-size packets/s, more than the %d/s (100 Mbps) the relay was measured to keep up with; watch the relay line's release error",
					l.Path, d.name, float64(d.rate)/1e6, d.rate/(8*1500), MaxRate/(8*1500)))
			}
		}
	}
	return ws
}

// Options are an emulated run's settings.
type Options struct {
	// Seed seeds the links' random streams (as in a simulated run).
	Seed uint64
	// Commands carry flows instead of the built-in peers: a flow whose
	// sending or receiving host has a command is left to the commands.
	Commands []Command
	// Trace receives the trace (and through it the capture), as in a
	// simulated run.
	Trace run.Options
	// Interrupt, when set from another goroutine (SIGINT, SIGTERM), ends
	// the run early; everything is still removed.
	Interrupt *atomic.Bool
	// Output receives the commands' output, each line prefixed "HOST| ".
	Output io.Writer
	// Exe is tcpsim's own binary, run in the namespaces as the built-in
	// peers ("tcpsim emulate-peer"); empty means os.Executable.
	Exe string
}

// Command is a user's program run in a host's namespace, without a
// shell, with tcpsim's environment.
type Command struct {
	Host string
	Argv []string
}

// UnavailableError says what the machine lacks for an emulation (not
// Linux, not root, no /dev/net/tun, no ip command): one line.
type UnavailableError struct{ Msg string }

func (e *UnavailableError) Error() string { return e.Msg }

// ParseCommand reads a --run value, HOST='COMMAND', splitting COMMAND
// into words as a shell would split plain words and quotes ('...',
// "...", and \ escapes), without running a shell: no variables, globs,
// pipes or redirections.
func ParseCommand(s string) (Command, error) {
	host, line, ok := strings.Cut(s, "=")
	if !ok || host == "" {
		return Command{}, fmt.Errorf("--run %q: want HOST='COMMAND', e.g. a='python3 client.py 10.0.0.2 8866'", s)
	}
	argv, err := SplitWords(line)
	if err != nil {
		return Command{}, fmt.Errorf("--run %s: %w", host, err)
	}
	if len(argv) == 0 {
		return Command{}, fmt.Errorf("--run %s: an empty command", host)
	}
	return Command{Host: host, Argv: argv}, nil
}

// SplitWords splits a command line into words: blanks separate words,
// single quotes keep everything literally, double quotes keep all but \"
// and \\, and a backslash outside quotes escapes the next character.
func SplitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("an unterminated ' quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New(`an unterminated " quote`)
			}
			inWord = true
		case c == '\\':
			if i+1 >= len(s) {
				return nil, errors.New("a backslash at the end")
			}
			i++
			cur.WriteByte(s[i])
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
