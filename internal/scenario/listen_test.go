package scenario

import (
	"strings"
	"testing"
)

// The connection-management fields (port, listen, backlog, syn_cookies,
// synack_retries) and the syn-flood flow: every bad value is refused with
// the file, line, column and field, and what is wanted.
func TestListenFieldsLocated(t *testing.T) {
	const head = "name: x\nlink: {rate: 1Mbps, delay: 1ms}\nflows:\n"
	for _, c := range []struct{ name, flows, want string }{
		{"port zero", "  - {name: w, protocol: tcp, bytes: 1KB, port: 0}\n", "x.yaml:4:48: flows[0].port: \"0\" is not a valid port: want a whole number from 1 to 65535, e.g. 80"},
		{"port too big", "  - {name: w, protocol: tcp, bytes: 1KB, port: 70000}\n", "flows[0].port: \"70000\" is not a valid port: want a whole number from 1 to 65535"},
		{"port in the default range", "  - {name: w, protocol: tcp, bytes: 1KB}\n  - {name: v, protocol: tcp, bytes: 1KB, port: 5001}\n",
			"x.yaml:5:42: flows[1].port: port 5001 is the server port of the flow number 1 that names none (5001 + its index): want a port outside 5001 to 5002, e.g. 80"},
		{"backlog zero", "  - {name: w, protocol: tcp, bytes: 1KB, backlog: 0}\n", "flows[0].backlog: \"0\" is not a valid backlog: want a whole number from 1 to 65535 half-open connections, e.g. 128"},
		{"syn_cookies not a bool", "  - {name: w, protocol: tcp, bytes: 1KB, syn_cookies: sometimes}\n", "flows[0].syn_cookies:"},
		{"synack_retries zero", "  - {name: w, protocol: tcp, bytes: 1KB, synack_retries: 0}\n", "flows[0].synack_retries: \"0\" is not a valid synack_retries: want a whole number from 1 to 100"},
		{"listen on udp", "  - {name: u, protocol: udp, count: 1, rate: 1Mbps, listen: false}\n", "flows[0].listen: field listen does not apply to a udp flow"},
		{"shared port disagrees", "  - {name: w, protocol: tcp, bytes: 1KB, port: 80}\n  - {name: v, protocol: tcp, bytes: 1KB, port: 80, backlog: 5}\n",
			"x.yaml:5:52: flows[1].backlog: flows w and v share port 80 of host b, one listener, but say backlog: 128 and 5: write the same value in both"},
		{"shared port, listen disagrees", "  - {name: w, protocol: tcp, bytes: 1KB, port: 80, listen: false}\n  - {name: v, protocol: tcp, bytes: 1KB, port: 80}\n",
			"flows[0].listen: flows w and v share port 80 of host b, one listener, but say listen: false and true"},
		{"flood without rate", "  - {name: f, protocol: syn-flood, count: 10, port: 80}\n", "x.yaml:4:5: flows[0].rate: missing: a SYN flood needs rate, count and port, e.g. rate: 200/s"},
		{"flood without port", "  - {name: f, protocol: syn-flood, count: 10, rate: 10/s}\n", "flows[0].port: missing: a SYN flood needs rate, count and port"},
		{"flood rate without /s", "  - {name: f, protocol: syn-flood, rate: 200, count: 10, port: 80}\n", "flows[0].rate: \"200\" is not a valid rate: want SYNs a second written N/s, from 1/s to 1000000/s, e.g. 200/s"},
		{"flood rate in bits", "  - {name: f, protocol: syn-flood, rate: 1Mbps, count: 10, port: 80}\n", "want SYNs a second written N/s"},
		{"flood rate zero", "  - {name: f, protocol: syn-flood, rate: 0/s, count: 10, port: 80}\n", "want SYNs a second written N/s"},
		{"flood count zero", "  - {name: f, protocol: syn-flood, rate: 5/s, count: 0, port: 80}\n", "flows[0].count: \"0\" is not a valid count: want a whole number from 1 to 1000000000 SYNs"},
		{"flood with bytes", "  - {name: f, protocol: syn-flood, rate: 5/s, count: 1, port: 80, bytes: 1KB}\n", "flows[0].bytes: field bytes does not apply to a syn-flood flow (syn-flood fields: name, protocol, from, to, start, rate, count, port"},
		{"flood repeated", "  - {name: f, protocol: syn-flood, rate: 5/s, count: 1, port: 80, repeat: {count: 2, every: 1s}}\n", "flows[0].repeat"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(head+c.flows))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v\nwant an error containing %s", err, c.want)
			}
		})
	}
}

// Flows that name one port of one host and agree share it; a flood may
// aim at any port; listen: false needs no other field.
func TestListenFieldsAccepted(t *testing.T) {
	s, err := Parse("x.yaml", []byte(`name: x
link: {rate: 1Mbps, delay: 1ms}
flows:
  - {name: f, protocol: syn-flood, rate: 200/s, count: 10, port: 80}
  - {name: w, protocol: tcp, bytes: 1KB, port: 80, backlog: 16, syn_cookies: true}
  - {name: v, protocol: tcp, bytes: 1KB, port: 80, backlog: 16, syn_cookies: true}
  - {name: c, protocol: tcp, bytes: 1KB, port: 443, listen: false}
  - {name: d, protocol: tcp, bytes: 1KB}
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := []int{s.ServerPort(0), s.ServerPort(1), s.ServerPort(2), s.ServerPort(3), s.ServerPort(4)}; got[0] != 80 || got[1] != 80 || got[2] != 80 || got[3] != 443 || got[4] != 5005 {
		t.Errorf("server ports %v, want [80 80 80 443 5005]", got)
	}
	if f := s.Flows[0].Flood; f == nil || f.Rate != 200 || f.Count != 10 || f.Port != 80 {
		t.Errorf("flood %+v", f)
	}
	if w := s.Flows[1].TCP; !w.Listen || w.Backlog != 16 || !w.SynCookies || w.SynAckRetries != 5 {
		t.Errorf("w %+v", w)
	}
	if s.Flows[3].TCP.Listen {
		t.Error("c: listen true, want false")
	}
}
