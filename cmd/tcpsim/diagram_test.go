package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// The command draws the whole flow's numbers into any window, to the
// width asked for, and ends a cut chart on its truncation line.
func TestDiagramCommand(t *testing.T) {
	const karn = "../../scenarios/exercises/21-karn.yaml"
	for _, c := range []struct {
		args  []string
		width int
		want  []string
		last  string
	}{
		// In a window after the handshake, relative numbers and the
		// ACK number are still there, and the idle RTO is a gap marker.
		{[]string{"--ascii", "--from", "0.1s", "--to", "1.2s", karn}, 100,
			[]string{"b->a ACK ack=3001 win=2000", "~~~ 0.959 s later ~~~", "RTO 1 s"}, "... window ends at 1.200000 s"},
		{[]string{"--width", "72", karn}, 72, []string{"a→b SYN seq=0 win=2000"}, ""},
		{[]string{"--max-packets", "5", karn}, 100, nil, "… truncated after 5 packets (use --max-packets to see more)"},
	} {
		out, errs, code := runCmd(append([]string{"diagram"}, c.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, w, out)
			}
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		for i, l := range lines {
			if n := utf8.RuneCountInString(l); n > c.width {
				t.Errorf("%v: line %d is %d columns, want at most %d", c.args, i+1, n, c.width)
			}
		}
		if c.last != "" && lines[len(lines)-1] != c.last {
			t.Errorf("%v: last line %q, want %q", c.args, lines[len(lines)-1], c.last)
		}
	}
}

// The guide's example diagram (docs/guide.md) is what the command prints,
// less the rows it elides with "...".
func TestDiagramDocsExample(t *testing.T) {
	page, err := os.ReadFile("../../docs/guide.md")
	if err != nil {
		t.Fatal(err)
	}
	const cmd = "`tcpsim diagram ex:02 --from 0.04s --to 1.1s`:"
	_, rest, ok := strings.Cut(string(page), cmd)
	if !ok {
		t.Fatalf("docs/guide.md lacks the example %s", cmd)
	}
	_, block, _ := strings.Cut(rest, "```\n")
	block, _, _ = strings.Cut(block, "```")
	out, errs, code := runCmd("diagram", "--from", "0.04s", "--to", "1.1s", "../../scenarios/exercises/02-timeout.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	have := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		have[l] = true
	}
	n := 0
	for _, l := range strings.Split(strings.TrimRight(block, " \n"), "\n") {
		l = strings.TrimPrefix(l, "  ")
		if l == "..." {
			continue
		}
		n++
		if !have[l] {
			t.Errorf("docs/guide.md example line %q is not in the output:\n%s", l, out)
		}
	}
	if n < 10 {
		t.Errorf("docs/guide.md example has %d lines", n)
	}
}

// A topology's flow is drawn between its end hosts, along its path; with
// --hops every router on the path is a lane of its own. --hops asks for
// a topology.
func TestDiagramTopology(t *testing.T) {
	const wl = "../../scenarios/networks/wireless-last-hop.yaml"
	for _, c := range []struct {
		args []string
		head string // the lanes' header, less its spaces
		want []string
	}{
		{[]string{"--max-packets", "0", wl}, "time(s)s1phone",
			[]string{"flow wireless (s1 → r1 → r2 → phone)", "s1→phone SYN seq=0 win=65535", "phone→s1 SYN,ACK", "✗ lost on r2->phone: seq="}},
		{[]string{"--max-packets", "0", "--hops", "--ascii", "--flow", "wired", wl}, "time(s)s2r3r4laptop",
			[]string{"flow wired (s2 -> r3 -> r4 -> laptop)", "X lost on r3->r4: seq=", "#"}},
	} {
		out, errs, code := runCmd(append([]string{"diagram"}, c.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errs)
		}
		lines := strings.Split(out, "\n")
		if got := strings.ReplaceAll(lines[2], " ", ""); got != c.head {
			t.Errorf("%v: header %q, want the lanes %q", c.args, lines[2], c.head)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q", c.args, w)
			}
		}
	}
	_, errs, code := runCmd("diagram", "--hops", "../../scenarios/tcp-clean.yaml")
	if code == 0 || !strings.Contains(errs, "--hops") || !strings.Contains(errs, "no routers") {
		t.Errorf("--hops on the two-host form: exit %d, %q; want an error naming --hops", code, errs)
	}
}

// asymRing is a ring whose r4->r1 delay makes each flow come back by
// other routers than it went: h0 r1 r4 r3 h1 out, h1 r3 r2 r1 h0 back.
const asymRing = `name: ring
nodes:
  hosts: [h0, h1]
  routers: [r1, r2, r3, r4]
links:
  - {between: [h0, r1], rate: 100Mbps, delay: 1ms}
  - {between: [r1, r2], rate: 100Mbps, delay: 5ms}
  - {between: [r2, r3], rate: 100Mbps, delay: 5ms}
  - {between: [r3, r4], rate: 100Mbps, delay: 3ms}
  - {between: [r4, r1], rate: 100Mbps, delay: 3ms, forward: {delay: 20ms}}
  - {between: [r3, h1], rate: 100Mbps, delay: 1ms}
flows:
  - {name: f, protocol: tcp, from: h0, to: h1, bytes: 20KB}
  - {name: g, protocol: tcp, from: h1, to: h0, bytes: 20KB}
`

// --hops draws lanes for the routers of the data's path only: on an
// asymmetric route it is refused, naming both paths, for either flow;
// the end-to-end ladder still draws.
func TestDiagramHopsAsymmetric(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ring.yaml")
	if err := os.WriteFile(file, []byte(asymRing), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ flow, out, back string }{
		{"f", "h0 r1 r4 r3 h1", "h1 r3 r2 r1 h0"},
		{"g", "h1 r3 r2 r1 h0", "h0 r1 r4 r3 h1"},
	} {
		out, errs, code := runCmd("diagram", "--hops", "--flow", c.flow, file)
		if code != 2 || out != "" {
			t.Errorf("flow %s --hops: exit %d, %d bytes out; want exit 2 and nothing drawn", c.flow, code, len(out))
		}
		want := "--hops: the ACKs of flow " + c.flow + " return by " + c.back + ", not the data's path " + c.out
		if !strings.Contains(errs, want) || !strings.Contains(errs, "drop --hops") {
			t.Errorf("flow %s --hops: error %q, want it to hold %q and say to drop --hops", c.flow, errs, want)
		}
		out, errs, code = runCmd("diagram", "--flow", c.flow, "--max-packets", "0", file)
		if code != 0 || !strings.Contains(out, "FIN") {
			t.Errorf("flow %s without --hops: exit %d (%s), want the whole ladder", c.flow, code, errs)
		}
	}
}

// --format svg and html write the chart as a document (well-formed XML
// for svg); an unknown format is refused before anything runs.
func TestDiagramFormats(t *testing.T) {
	const ex = "../../scenarios/exercises/02-timeout.yaml"
	out, errs, code := runCmd("diagram", "--format", "svg", ex)
	if code != 0 {
		t.Fatalf("svg: exit %d: %s", code, errs)
	}
	if !strings.HasPrefix(out, "<?xml") || !strings.Contains(out, "<svg ") || !strings.Contains(out, "(timeout retransmission)") {
		t.Errorf("svg output is not the chart:\n%.300s", out)
	}
	if err := xml.Unmarshal([]byte(out), new(struct{})); err != nil {
		t.Errorf("svg output is not well-formed: %v", err)
	}
	out, errs, code = runCmd("diagram", "--format", "html", ex)
	if code != 0 || !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.Contains(out, "<svg ") {
		t.Errorf("html: exit %d: %s\n%.300s", code, errs, out)
	}
	if _, errs, code = runCmd("diagram", "--format", "png", ex); code == 0 || !strings.Contains(errs, `--format "png"`) {
		t.Errorf("--format png: exit %d, %q; want a refusal", code, errs)
	}
}
