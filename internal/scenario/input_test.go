package scenario

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// mergeBomb returns a scenario whose link: merges a mapping that merges
// eight copies of the one before it, levels deep: a few hundred bytes
// that expand to 8^levels mappings (issue 21, item 3).
func mergeBomb(levels int) string {
	s := "&a0 {rate: 1Mbps}"
	for i := 1; i <= levels; i++ {
		s = fmt.Sprintf("&a%d {<<: [%s%s]}", i, s, strings.Repeat(fmt.Sprintf(", *a%d", i-1), 7))
	}
	return "name: x\nlink: " + s + "\nflows: [{name: a, protocol: udp, count: 1, rate: 1bps}]\n"
}

// laughs returns the "billion laughs": lists of ten aliases to the list
// before, levels deep.
func laughs(levels int) string {
	var b strings.Builder
	b.WriteString("name: x\nnodes:\n  hosts: &l0 [a, b]\n  routers: [r]\nlinks:\n  - between: [a, r]\n    x: &l1 [*l0")
	b.WriteString(strings.Repeat(", *l0", 9) + "]\n")
	for i := 2; i <= levels; i++ {
		fmt.Fprintf(&b, "  - between: [r, b]\n    x: &l%d [*l%d%s]\n", i, i-1, strings.Repeat(fmt.Sprintf(", *l%d", i-1), 9))
	}
	b.WriteString("flows: [{name: a, protocol: udp, from: a, to: b, count: 1, rate: 1bps}]\n")
	return b.String()
}

// TestAliasBombsRefused: documents whose aliases or merge keys expand
// exponentially are refused, located, naming the limit, before they are
// expanded. Before the fix the merge bomb never finished decoding.
func TestAliasBombsRefused(t *testing.T) {
	for _, c := range []struct {
		name, src, at string
	}{
		{"nested merges", mergeBomb(8), "x.yaml:2:"},
		{"billion laughs", laughs(9), "x.yaml:"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if len(c.src) > 2000 {
				t.Fatalf("the bomb is %d bytes: want a small file", len(c.src))
			}
			_, err := Parse("x.yaml", []byte(c.src))
			var se *Error
			if !errors.As(err, &se) || se.Line == 0 || se.Col == 0 || !strings.HasPrefix(err.Error(), c.at) ||
				!strings.Contains(err.Error(), fmt.Sprintf("more than %d YAML nodes", MaxNodes)) {
				t.Fatalf("err = %v, want a located error at %s naming the %d-node limit", err, c.at, MaxNodes)
			}
		})
	}
}

// TestAliasesWithinLimits: aliases and merges that stay under MaxNodes
// still work, and count as often as they are used.
func TestAliasesWithinLimits(t *testing.T) {
	if _, err := Parse("x.yaml", []byte(mergeBomb(2))); err != nil {
		t.Fatalf("a small merge: %v", err)
	}
	src := "name: x\nlink: &l {rate: 1Mbps}\nflows: [{name: a, protocol: udp, count: 1, rate: 1bps}]\n"
	if _, err := Parse("x.yaml", []byte(src)); err != nil {
		t.Fatalf("an anchor: %v", err)
	}
	loop := "name: x\nlink: &l {<<: *l}\nflows: [{name: a, protocol: udp, count: 1, rate: 1bps}]\n"
	if _, err := Parse("x.yaml", []byte(loop)); err == nil {
		t.Fatalf("a merge of itself was accepted")
	}
}

const udpFlow = "flows: [{name: a, protocol: udp, count: 1, rate: 1bps}]\n"

// TestDocumentPrologue: a byte-order mark, %YAML and %TAG directives and
// comments before "---" are accepted; a second document is refused at
// its line and column (issue 21, item 12). Before the fix the BOM became
// part of the first key, and the directives and the second document were
// refused without a location.
func TestDocumentPrologue(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      string // "" accepted, else the error's start
	}{
		{"bom", "\ufeffname: x\n" + udpFlow, ""},
		{"bom and crlf", "\ufeffname: x\r\n" + udpFlow, ""},
		{"yaml directive", "%YAML 1.2\n---\nname: x\n" + udpFlow, ""},
		{"yaml 1.1", "# a comment\n%YAML 1.1\n---\nname: x\n" + udpFlow, ""},
		{"tag directive", "%YAML 1.2\n%TAG !e! tag:example.com,2026:\n--- # here\nname: x\n" + udpFlow, ""},
		{"bom and directive", "\ufeff%YAML 1.2\n---\nname: x\n" + udpFlow, ""},
		{"comments then start", "# scenario\n\n# more\n---\nname: x\n" + udpFlow, ""},
		{"empty document after", "name: x\n" + udpFlow + "---\n", ""},
		{"end marker", "name: x\n" + udpFlow + "...\n", ""},
		{"second document", "name: x\n" + udpFlow + "---\nname: y\n", "d.yaml:3:1: a second YAML document"},
		{"second after directive", "%YAML 1.2\n---\nname: x\n" + udpFlow + "--- \nname: y\n", "d.yaml:5:1: a second YAML document"},
		{"yaml 2", "%YAML 2.0\n---\nname: x\n" + udpFlow, "d.yaml:1:1: "},
		{"two yaml directives", "%YAML 1.2\n%YAML 1.2\n---\nname: x\n" + udpFlow, "d.yaml:2:1: a second %YAML"},
		{"unknown directive", "%FOO bar\n---\nname: x\n" + udpFlow, "d.yaml:1:1: unknown YAML directive"},
		{"directive without start", "%YAML 1.2\nname: x\n" + udpFlow, "d.yaml:2:1: "},
		{"bom in a key", "name: x\n\ufeffseed: 1\n" + udpFlow, "d.yaml:2:"},
		{"empty", "", "d.yaml:1:1: the file holds no YAML document"},
		{"only comments", "# nothing\n", "d.yaml:1:1: the file holds no YAML document"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse("d.yaml", []byte(c.src))
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want == "" && s.Name != "x":
				t.Fatalf("name %q, want x", s.Name)
			case c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want)):
				t.Fatalf("err = %v, want %q...", err, c.want)
			}
		})
	}
}

// TestNames: names are valid UTF-8 without control characters, and flow
// names are addressable by --set and --vary, else refused at their line
// and column (issue 21, items 9 and 13). Before the fix every one of the
// refused names was accepted.
func TestNames(t *testing.T) {
	doc := func(name, flow string) string {
		return "name: " + name + "\nflows: [{name: " + flow + ", protocol: udp, count: 1, rate: 1bps}]\n"
	}
	for _, c := range []struct {
		name, src string
		want      string // "" accepted, else the error's start
	}{
		{"pipes and quotes", doc(`'a|b\c "q"'`, `'x|y\z "q" é 日本'`), ""},
		{"hash", doc("x", "'w#4'"), ""},
		{"inner space", doc("x", "my flow"), ""},
		{"description lines", "name: x\ndescription: |\n  two\n  lines\n" + udpFlow, ""},
		{"nul in flow", doc("x", `"a\0b"`), `n.yaml:2:16: flows[0].name: "a\x00b" holds the control character U+0000`},
		{"newline in flow", doc("x", `"a\nb"`), `n.yaml:2:16: flows[0].name: "a\nb" holds the control character U+000A`},
		{"escape in flow", doc("x", `"a\eb"`), `n.yaml:2:16: flows[0].name: `},
		{"nul in name", doc(`"a\0b"`, "f"), `n.yaml:1:7: name: "a\x00b" holds the control character U+0000`},
		{"tab in name", doc(`"a\tb"`, "f"), `n.yaml:1:7: name: `},
		{"bell in description", "name: x\ndescription: \"a\\ab\"\n" + udpFlow, `n.yaml:2:14: description: `},
		{"line separator", doc("x", `"a\Lb"`), `n.yaml:2:16: flows[0].name: `},
		{"invalid utf-8", doc("x", "a\xffb"), `n.yaml:2:17: not valid UTF-8`},
		{"invalid utf-8 in a comment", "# \xc3\n" + doc("x", "f"), `n.yaml:1:3: not valid UTF-8`},
		{"blank", doc("x", `" "`), `n.yaml:2:16: flows[0].name: `},
		{"dot", doc("x", "a.b"), ""},
		{"bracket", doc("x", "'a[0]'"), ""},
		{"traversal", doc("x", "/../../x"), ""},
		{"equals", doc("x", "a=b"), `n.yaml:2:16: flows[0].name: "a=b" holds "="`},
		{"leading space", doc("x", `" a"`), `n.yaml:2:16: flows[0].name: " a" starts or ends with a space`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("n.yaml", []byte(c.src))
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want)):
				t.Fatalf("err = %v, want %q...", err, c.want)
			}
		})
	}
}

// TestEveryFlowNameAddressable: every flow name the file accepts can be
// addressed by an override (--set, --vary: flows.NAME.FIELD), dots
// included (issue 21, item 13: before, a flow named a.b was accepted and
// no override could reach it).
func TestEveryFlowNameAddressable(t *testing.T) {
	for _, name := range []string{"file", "vidéo #2", "a|b", "my flow", `back\slash`, `say "hi"`, "日本", "w#4", "a-b_c", "x:y", "a,b",
		"a.b", "v1.2.3", "a[0]", "/../../x", "..", "a.repeat"} {
		src := "name: x\nflows: [{name: '" + strings.ReplaceAll(name, "'", "''") + "', protocol: udp, count: 1, rate: 1bps}]\n"
		o, err := ParseOverride("flows." + name + ".start=1s")
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		s, err := Parse("v.yaml", []byte(src), o)
		if err != nil {
			t.Errorf("flow %q: %v", name, err)
			continue
		}
		if s.Flows[0].Start != Duration(1e9) {
			t.Errorf("flow %q: start %v after the override, want 1s", name, s.Flows[0].Start)
		}
	}
	// Flows a and a.b: the longest name that starts the path wins.
	src := "name: x\nflows: [{name: a, protocol: udp, count: 1, rate: 1bps}, {name: a.b, protocol: udp, count: 1, rate: 1bps}]\n"
	s, err := Parse("v.yaml", []byte(src), Override{"flows.a.b.start", "2s"}, Override{"flows.a.start", "1s"})
	if err != nil || s.Flows[0].Start != Duration(1e9) || s.Flows[1].Start != Duration(2e9) {
		t.Fatalf("flows a and a.b: %v, starts %v", err, s)
	}
	for _, o := range []Override{{"flows.a.b", "1"}, {"flows.a.", "1"}, {"flows.nope.start", "1s"}} {
		if _, err := Parse("v.yaml", []byte(src), o); err == nil {
			t.Errorf("override %s accepted", o)
		}
	}
}
