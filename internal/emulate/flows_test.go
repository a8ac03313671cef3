package emulate

import (
	"fmt"
	"strings"
	"testing"

	"tcpsim/internal/scenario"
	"tcpsim/model/wire"
	"tcpsim/sim"
)

var (
	addrA = wire.Addr{10, 0, 0, 1}
	addrB = wire.Addr{10, 0, 0, 2}
)

// seg builds a real TCP/IPv4 segment from src to dst.
func seg(src, dst wire.Addr, sport, dport uint16, seq, ack uint32, flags uint8, win uint16, n int) []byte {
	h := &wire.TCP{SrcPort: sport, DstPort: dport, Seq: seq, Ack: ack, Flags: flags, Window: win, WScale: -1}
	return wire.BuildTCP(nil, wire.IPv4{Src: src, Dst: dst, Protocol: wire.ProtoTCP, TTL: 64}, h, make([]byte, n))
}

// A connection between the flow's hosts, on ports nobody fixed, is
// tagged with the command-carried flow; the wire's retransmissions and
// RFC 5681 duplicate ACKs are counted, and the delivered bytes are what
// the receiver acknowledged (the FIN's sequence number not counted).
func TestClassifierMeasuresTheWire(t *testing.T) {
	c := newClassifier([]wire.Addr{addrA, addrB}, []wireFlow{{from: 0, to: 1, command: true}})
	const iss, irs = 1000, 5000
	const ack, fin, syn, psh = wire.FlagACK, wire.FlagFIN, wire.FlagSYN, wire.FlagPSH
	type pkt struct {
		host int
		b    []byte
	}
	a := func(seq, ackn uint32, fl uint8, n int) pkt {
		return pkt{0, seg(addrA, addrB, 40000, 8866, seq, ackn, fl, 500, n)}
	}
	b := func(seq, ackn uint32, fl uint8) pkt {
		return pkt{1, seg(addrB, addrA, 8866, 40000, seq, ackn, fl, 600, 0)}
	}
	for i, p := range []pkt{
		a(iss, 0, syn, 0),
		b(irs, iss+1, syn|ack),
		a(iss+1, irs+1, ack, 0),
		a(iss+1, irs+1, ack, 100),       // 1..100
		a(iss+101, irs+1, ack, 100),     // 101..200
		a(iss+201, irs+1, psh|ack, 100), // 201..300
		b(irs+1, iss+101, ack),          // acks the first
		b(irs+1, iss+101, ack),          // duplicate
		b(irs+1, iss+101, ack),          // duplicate
		a(iss+101, irs+1, ack, 100),     // retransmission
		b(irs+1, iss+301, ack),          // everything
		a(iss+301, irs+1, fin|ack, 0),   // FIN
		b(irs+1, iss+302, ack),          // acks the FIN
	} {
		f, ok := c.sent(p.host, p.b, sim.Time(i)*sim.Millisecond)
		if !ok || f != 0 {
			t.Fatalf("packet %d: flow %d, %v; want flow 0", i, f, ok)
		}
	}
	w := &c.flows[0]
	if w.retrans != 0 {
		t.Errorf("classifier counted %d retransmissions itself; the fabric counts them", w.retrans)
	}
	if w.dupAcks != 2 {
		t.Errorf("dup ACKs %d, want 2", w.dupAcks)
	}
	if got := w.deliveredBytes(); got != 300 {
		t.Errorf("delivered %d, want 300", got)
	}
	if !w.est || w.estAt-w.synAt != 2*sim.Millisecond {
		t.Errorf("handshake %v (established %v), want 2ms", w.estAt-w.synAt, w.est)
	}
	if w.segments != 7 {
		t.Errorf("sender segments %d, want 7", w.segments)
	}
	// A packet not from the host's own address cannot be placed.
	if _, ok := c.sent(0, seg(addrB, addrA, 1, 2, 0, 0, ack, 1, 0), 0); ok {
		t.Error("a packet from another host's address was placed")
	}
}

// Built-in flows are found by their fixed ports, in both directions,
// even with another flow between the same hosts.
func TestClassifierFixedPorts(t *testing.T) {
	c := newClassifier([]wire.Addr{addrA, addrB}, []wireFlow{{from: 0, to: 1, builtin: true}, {from: 0, to: 1, builtin: true}})
	c.fix(1, wire.ProtoTCP, addrA, 49153, addrB, 5002)
	if f, _ := c.sent(1, seg(addrB, addrA, 5002, 49153, 1, 1, wire.FlagACK, 1, 0), 0); f != 1 {
		t.Errorf("reverse packet of flow 1 tagged %d", f)
	}
	if f, _ := c.sent(0, seg(addrA, addrB, 40000, 22, 1, 1, wire.FlagACK, 1, 0), 0); f != -1 {
		t.Errorf("a connection of no flow tagged %d, want -1 (untagged)", f)
	}
}

// CheckRates refuses, at the field, a link direction or a UDP flow that
// asks for more packets/s than the relay sustains; --force makes it a
// warning; a link without a rate is a warning.
func TestCheckRates(t *testing.T) {
	for _, c := range []struct {
		name, link, flow string
		warnings         int
		err              string // "" = accepted
	}{
		{"10Mbps", "{rate: 10Mbps, delay: 1ms}", "", 0, ""},
		{"400Mbps", "{rate: 400Mbps, delay: 1ms}", "", 0, ""},
		{"1Gbps", "{rate: 1Gbps, delay: 1ms}", "", 0, "w.yaml:3:8: link.rate: link (forward) runs at 1000 Mbps: up to 83333 full-size packets/s, over 33334/s: more than the relay sustains"},
		{"forward only", "{delay: 1ms, forward: {rate: 1Gbps}, reverse: {rate: 10Mbps}}", "", 0, "w.yaml:3:30: link.forward.rate: link (forward) runs at 1000 Mbps"},
		{"no rate", "{delay: 1ms}", "", 2, ""},
		{"small datagrams", "{rate: 100Mbps, delay: 1ms}", "{name: u, protocol: udp, count: 10, datagram: 20, rate: 20Mbps}", 0,
			"w.yaml:6:55: flows[1].rate: flow u sends 52083 datagrams/s (20 Mbps of 20-byte datagrams), over 33334/s"},
		{"udp fine", "{rate: 100Mbps, delay: 1ms}", "{name: u, protocol: udp, count: 10, rate: 20Mbps}", 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := "name: w\nuntil: 1s\nlink: " + c.link + "\nflows:\n  - {name: f, protocol: tcp, bytes: 1KB}\n"
			if c.flow != "" {
				src += "  - " + c.flow + "\n"
			}
			sc, err := scenario.Parse("w.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			ws, err := CheckRates(sc, false)
			switch {
			case c.err == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), c.err)):
				t.Errorf("error %v, want one starting %q", err, c.err)
			case len(ws) != c.warnings:
				t.Errorf("warnings %q, want %d", ws, c.warnings)
			}
			if c.err == "" {
				return
			}
			ws, err = CheckRates(sc, true)
			if err != nil || len(ws) <= c.warnings || !strings.HasPrefix(ws[c.warnings], "warning (--force): "+c.err) {
				t.Errorf("forced: %v, warnings %q; want no error and the reason as a warning", err, ws)
			}
		})
	}
}

// CheckFlows refuses, located at the field, what an emulation cannot
// carry (an rdt flow without a command, too many flows), and accepts
// repeated TCP and UDP flows, which expand to their members as in a
// simulated run.
func TestCheckFlows(t *testing.T) {
	const head = "name: w\nuntil: 10s\nlink: {rate: 10Mbps, delay: 1ms}\nflows:\n"
	many := head
	for i := range MaxFlows + 1 {
		many += fmt.Sprintf("  - {name: f%d, protocol: tcp, bytes: 1KB}\n", i)
	}
	for _, c := range []struct {
		name, src string
		cmds      []Command
		err       string // "" = accepted
	}{
		{"rdt", head + "  - {name: f, protocol: tcp, bytes: 1KB}\n  - {name: sw, protocol: stop-and-wait, count: 3}\n", nil,
			"w.yaml:6:16: flows[1].protocol: flow sw is stop-and-wait: tcpsim emulate carries tcp and udp flows by the real kernel's sockets (built-in peers), and stop-and-wait is tcpsim's own protocol, which no kernel speaks: simulate it (tcpsim run), or carry it with --run a='COMMAND'"},
		{"syn-flood", head + "  - {name: fl, protocol: syn-flood, rate: 200/s, count: 10, port: 80}\n", nil,
			"w.yaml:5:16: flows[0].protocol: flow fl is a syn-flood: emulate carries tcp and udp flows between real sockets, and forges no sources; run it with tcpsim run"},
		{"a server's port", head + "  - {name: f, protocol: tcp, bytes: 1KB, port: 80}\n", nil,
			"w.yaml:5:42: flows[0].port: flow f names its server's port or a closed one: emulate's peers listen on ports of their own"},
		{"rdt carried by a command", head + "  - {name: sw, protocol: go-back-n, count: 3, window: 4}\n", []Command{{Host: "b", Argv: []string{"server"}}}, ""},
		{"repeated tcp", head + "  - {name: web, protocol: tcp, bytes: 1KB, repeat: {count: 32, every: 10ms}}\n", nil, ""},
		{"repeated udp", head + "  - {name: u, protocol: udp, count: 5, rate: 1Mbps, repeat: {count: 3, every: exp(5ms)}}\n", nil, ""},
		{"too many members", head + "  - {name: f, protocol: tcp, bytes: 1KB}\n  - {name: web, protocol: tcp, bytes: 1KB, repeat: {count: 32, every: 10ms}}\n", nil,
			"w.yaml:6:53: flows[1].repeat.count: the flows number 33 up to flow web (a repeated flow counted by its members): tcpsim emulate runs at most 32"},
		{"too many flows", many, nil, fmt.Sprintf("w.yaml:%d:6: flows[%d].name: the flows number 33 up to flow f32", 5+MaxFlows, MaxFlows)},
		{"no such host", head + "  - {name: f, protocol: tcp, bytes: 1KB}\n", []Command{{Host: "c", Argv: []string{"x"}}}, "emulate: --run c=...: no host c (hosts: a, b)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc, err := scenario.Parse("w.yaml", []byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			err = CheckFlows(sc, c.cmds)
			switch {
			case c.err == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), c.err)):
				t.Fatalf("error %v,\nwant one starting %q", err, c.err)
			}
		})
	}
}

// A repeated flow is emulated member by member, as a simulated run has
// them: the same names, families and start times for the same seed.
func TestExpandLikeASimulatedRun(t *testing.T) {
	sc, err := scenario.Parse("w.yaml", []byte("name: w\nuntil: 10s\nlink: {rate: 10Mbps, delay: 1ms}\nflows:\n  - {name: one, protocol: tcp, bytes: 1KB}\n  - {name: web, protocol: tcp, bytes: 1KB, start: 1s, repeat: {count: 4, every: exp(50ms)}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := expand(sc, 7).Flows
	want := []string{"one", "web#1", "web#2", "web#3", "web#4"}
	if len(got) != len(want) {
		t.Fatalf("%d flows, want %d", len(got), len(want))
	}
	for i, f := range got {
		if f.Name != want[i] || f.Repeat != nil || (i > 0) != (f.Family == "web") {
			t.Errorf("flow %d: %s (family %q, repeat %v), want %s", i, f.Name, f.Family, f.Repeat, want[i])
		}
	}
	if sim.Time(got[1].Start) != sim.Second {
		t.Errorf("web#1 starts at %v, want 1s", got[1].Start)
	}
	for i := 2; i < len(got); i++ {
		if got[i].Start <= got[i-1].Start {
			t.Errorf("web#%d starts at %v, not after web#%d (%v)", i, got[i].Start, i-1, got[i-1].Start)
		}
	}
	if again := expand(sc, 7).Flows; again[4].Start != got[4].Start {
		t.Errorf("not reproducible: web#4 at %v, then %v", got[4].Start, again[4].Start)
	}
	if expand(sc, 8).Flows[4].Start == got[4].Start {
		t.Errorf("seed 8 draws the same starts as seed 7")
	}
	if plain := expand(scenarioOf(t, "name: p\nuntil: 1s\nlink: {delay: 1ms}\nflows:\n  - {name: f, protocol: tcp, bytes: 1KB}\n"), 1); len(plain.Flows) != 1 {
		t.Errorf("a scenario without repeat: %d flows", len(plain.Flows))
	}
}

func scenarioOf(t *testing.T, src string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse("w.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
