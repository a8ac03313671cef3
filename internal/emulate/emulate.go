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
	"slices"
	"strings"
	"sync/atomic"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
)

// MaxPacketRate is the most packets per second the relay is known to
// sustain on one link direction, 400 Mbps of full-size packets:
// BenchmarkRelay measured it forwarding a real kernel connection over a
// 400 Mbps link (33,333 full-size packets/s and their ACKs) at 95% of
// the rate, at 1 Gbps only 63% of it (41,400
// packets/s), on a shared 2-vCPU machine at load 28-34 (see
// docs/emulate.md). A scenario that asks for more is refused unless
// forced.
const MaxPacketRate = 33_334

// fullPacket is the IP size of a full-size packet (the TUN's MTU): the
// most packets a link of a given rate can carry are rate/(8·1500).
const fullPacket = 1500

// udpOverhead is the IP and UDP header bytes of a datagram.
const udpOverhead = 28

// CheckRates compares what sc asks of the relay with MaxPacketRate. Each
// link direction may carry up to its rate/(8·1500) packets/s, and each
// UDP flow sends rate/(8·(datagram+28)); the first that asks for more is
// an error located at its field (exit 2 in the command), unless force,
// which turns it into a warning. A link without a rate (infinitely fast)
// asks for nothing in particular and gets a warning: only the relay's
// own speed limits it.
func CheckRates(sc *scenario.Scenario, force bool) (warnings []string, err error) {
	over := func(msg string, paths ...string) {
		e := sc.ErrAt(msg+": more than the relay sustains (MaxPacketRate, measured: docs/emulate.md); lower it, or pass --force to run anyway", paths...)
		if force {
			warnings = append(warnings, "warning (--force): "+e.Error())
		} else if err == nil {
			err = e
		}
	}
	for _, l := range sc.LinkSpecs() {
		for k, d := range []struct {
			name string
			rate int64
		}{{l.ForwardName, run.LinkConfig(l.Forward).Rate}, {l.ReverseName, run.LinkConfig(l.Reverse).Rate}} {
			dir := [2]string{"forward", "reverse"}[k]
			switch pps := d.rate / (8 * fullPacket); {
			case d.rate == 0:
				warnings = append(warnings, fmt.Sprintf("warning: %s %s has no rate (infinitely fast): only the relay's own speed limits it; watch the relay line's release error",
					l.Path, d.name))
			case pps > MaxPacketRate:
				over(fmt.Sprintf("%s (%s) runs at %g Mbps: up to %d full-size packets/s, over %d/s", l.Path, d.name, float64(d.rate)/1e6, pps, MaxPacketRate),
					l.Path+"."+dir+".rate", l.Path+".rate", l.Path+"."+dir, l.Path)
			}
		}
	}
	for i := range sc.Flows {
		f := &sc.Flows[i]
		path := fmt.Sprintf("flows[%d]", i)
		// The built-in peers are real sockets on ports of their own:
		// a forged-source flood, a closed port or a shared one are the
		// simulator's (never forced: the run would not be the scenario).
		switch {
		case f.Flood != nil:
			return warnings, sc.ErrAt(fmt.Sprintf("flow %s is a syn-flood: emulate carries tcp and udp flows between real sockets, and forges no sources; run it with tcpsim run", f.Name), path+".protocol", path)
		case f.TCP != nil && (!f.TCP.Listen || f.TCP.Port != 0):
			return warnings, sc.ErrAt(fmt.Sprintf("flow %s names its server's port or a closed one: emulate's peers listen on ports of their own; run it with tcpsim run", f.Name), path+".listen", path+".port", path)
		}
		if f.UDP == nil || f.UDP.Rate <= 0 {
			continue
		}
		if pps := int64(f.UDP.Rate) / (8 * (int64(f.UDP.Datagram) + udpOverhead)); pps > MaxPacketRate {
			over(fmt.Sprintf("flow %s sends %d datagrams/s (%g Mbps of %d-byte datagrams), over %d/s", f.Name, pps, float64(f.UDP.Rate)/1e6, int64(f.UDP.Datagram), MaxPacketRate),
				path+".rate", path)
		}
	}
	return warnings, err
}

// MaxFlows is the most flows an emulation runs, a repeated flow counted
// by its members: each flow the built-in peers carry is two tcpsim
// processes of its own in the namespaces, beside the relay on the same
// CPUs.
const MaxFlows = 32

// CheckFlows refuses what an emulation cannot carry, before anything is
// made: a command for a host the scenario lacks or an empty one; a flow
// that no command carries and that has no built-in peers (an rdt flow:
// tcpsim's own protocol, which no kernel speaks), located at its
// protocol; and more than MaxFlows flows, located at the flow (or its
// repeat's count) that goes over. Repeated TCP and UDP flows are carried
// member by member, each by built-in peers of its own.
func CheckFlows(sc *scenario.Scenario, cmds []Command) error {
	hosts := sc.HostNames()
	on := map[string]bool{}
	for _, c := range cmds {
		if !slices.Contains(hosts, c.Host) {
			return fmt.Errorf("emulate: --run %s=...: no host %s (hosts: %s)", c.Host, c.Host, strings.Join(hosts, ", "))
		}
		if len(c.Argv) == 0 {
			return fmt.Errorf("emulate: --run %s=: an empty command", c.Host)
		}
		on[c.Host] = true
	}
	total := 0
	for i := range sc.Flows {
		f := &sc.Flows[i]
		path := fmt.Sprintf("flows[%d]", i)
		if f.TCP == nil && f.UDP == nil && !on[f.From] && !on[f.To] {
			return sc.ErrAt(fmt.Sprintf("flow %s is %s: tcpsim emulate carries tcp and udp flows by the real kernel's sockets (built-in peers), and %s is tcpsim's own protocol, which no kernel speaks: "+
				"simulate it (tcpsim run), or carry it with --run %s='COMMAND'", f.Name, f.Protocol, f.Protocol, f.From),
				path+".protocol", path)
		}
		n, at := 1, path+".name"
		if f.Repeat != nil {
			n, at = f.Repeat.Count, path+".repeat.count"
		}
		if total += n; total > MaxFlows {
			return sc.ErrAt(fmt.Sprintf("the flows number %d up to flow %s (a repeated flow counted by its members): tcpsim emulate runs at most %d (each flow is two processes of its own, on the relay's CPUs); "+
				"lower the count, or simulate it (tcpsim run)", total, f.Name, MaxFlows), at, path)
		}
	}
	return nil
}

// expand returns sc with every repeated flow replaced by its members,
// their starts drawn with seed, as a simulated run does (run.BuildWith):
// each member is a flow of its own, with its own built-in peers and
// ports, reported under its family. It returns sc itself when nothing
// repeats.
func expand(sc *scenario.Scenario, seed uint64) *scenario.Scenario {
	if !sc.Repeated() {
		return sc
	}
	cp := *sc
	cp.Flows = sc.Expanded(seed)
	return &cp
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
	// Force runs a scenario that asks the relay for more packets/s than
	// MaxPacketRate (CheckRates), with a warning.
	Force bool
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
