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
)

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
