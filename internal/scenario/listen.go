package scenario

import (
	"fmt"

	proto "tcpsim/internal/protocol"
)

// Servers' ports (connection management, Kurose & Ross §3.5.6): a TCP
// flow's server listens on port 5001 + the flow's index unless the flow
// names its port:; flows to one host that name one port share its
// listener (the host tells their connections apart by the 4-tuple), so
// they must agree on how it listens.

// DefaultServerPort is the server port of flow i (once repeated flows are
// expanded) that names none: a port of its own.
func DefaultServerPort(i int) int { return 5001 + i }

// ServerPort returns the port flow i's server listens on (for a TCP flow)
// or its flood aims at (syn-flood).
func (s *Scenario) ServerPort(i int) int {
	f := &s.Flows[i]
	switch {
	case f.TCP != nil && f.TCP.Port != 0:
		return f.TCP.Port
	case f.Flood != nil:
		return f.Flood.Port
	}
	return DefaultServerPort(i)
}

// receiver is the host a flow sends to, in either form of the file
// (before the shorthand is expanded a flow may leave it out).
func (s *Scenario) receiver(f *Flow) string {
	if f.To != "" || s.Nodes != nil {
		return f.To
	}
	if f.From == HostB {
		return HostA
	}
	return HostB
}

// validateListeners refuses a written port in the default ports' range
// (it would share a listener with another flow by accident), and flows
// that share a listener but disagree on how it listens.
func (s *Scenario) validateListeners() error {
	n := 0
	for i := range s.Flows {
		if r := s.Flows[i].Repeat; r != nil {
			n += r.Count
		} else {
			n++
		}
	}
	type listener struct {
		flow int
		t    *TCPFlow
	}
	shared := map[[2]string]listener{}
	for i := range s.Flows {
		f := &s.Flows[i]
		at := fmt.Sprintf("flows[%d].port", i)
		var port int
		switch {
		case f.TCP != nil && s.has(at):
			port = f.TCP.Port
		case f.Flood != nil:
			port = f.Flood.Port
		default:
			continue
		}
		if port >= DefaultServerPort(0) && port < DefaultServerPort(n) {
			return s.errAt(at, "port %d is the server port of the flow number %d that names none (5001 + its index): want a port outside 5001 to %d, e.g. 80", port, port-DefaultServerPort(0)+1, DefaultServerPort(n)-1)
		}
		if f.TCP == nil {
			continue
		}
		k := [2]string{s.receiver(f), fmt.Sprint(port)}
		first, ok := shared[k]
		if !ok {
			shared[k] = listener{i, f.TCP}
			continue
		}
		for _, c := range []struct {
			field string
			same  bool
			a, b  any
		}{
			{"listen", first.t.Listen == f.TCP.Listen, first.t.Listen, f.TCP.Listen},
			{"backlog", first.t.Backlog == f.TCP.Backlog, first.t.Backlog, f.TCP.Backlog},
			{"syn_cookies", first.t.SynCookies == f.TCP.SynCookies, first.t.SynCookies, f.TCP.SynCookies},
			{"synack_retries", first.t.SynAckRetries == f.TCP.SynAckRetries, first.t.SynAckRetries, f.TCP.SynAckRetries},
		} {
			if c.same {
				continue
			}
			field := fmt.Sprintf("flows[%d].%s", i, c.field)
			if !s.has(field) {
				field = fmt.Sprintf("flows[%d].%s", first.flow, c.field)
			}
			if !s.has(field) {
				field = at
			}
			return s.errAt(field, "flows %s and %s share port %d of host %s, one listener, but say %s: %v and %v: write the same value in both",
				s.Flows[first.flow].Name, f.Name, port, k[0], c.field, c.a, c.b)
		}
	}
	return nil
}

// validateFlood checks a syn-flood flow's fields.
func (s *Scenario) validateFlood(f *Flow, p string) error {
	for _, k := range []struct{ field, eg string }{{"rate", "rate: 200/s"}, {"count", "count: 2000"}, {"port", "port: 80 (a port of the to host)"}} {
		if !s.has(p + "." + k.field) {
			return s.errMissing(p, k.field, "a SYN flood needs rate, count and port, e.g. %s", k.eg)
		}
	}
	return nil
}

// IsFlood reports whether the flow is a SYN flood.
func IsFlood(f *Flow) bool { return proto.IsFamily(f.Protocol, proto.Flood) }
