package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	proto "tcpsim/internal/protocol"
)

// jsNameChecks returns the patterns that find, in the lab's JavaScript, a
// packet's or flow's protocol told by its name ("tcp" === ...) or a TCP
// packet told by its flag words (/SYN|FIN|RST/.test(flags),
// flags.includes("ACK")): the page asks what the engine's view and info
// say (a packet's kind, a flow's counts and model), as Go code asks
// internal/protocol's table (internal/protocol's TestNoNameComparisons).
func jsNameChecks() []*regexp.Regexp {
	names := proto.Names()
	for _, f := range []proto.Family{proto.TCP, proto.UDP, proto.RDT} {
		names = append(names, f.String())
	}
	for i, n := range names {
		names[i] = regexp.QuoteMeta(n)
	}
	alt := "(?:" + strings.Join(names, "|") + ")"
	lit := `(?:"` + alt + `"|'` + alt + `'|` + "`" + alt + "`)"
	return []*regexp.Regexp{
		regexp.MustCompile(`[=!]==?\s*` + lit),
		regexp.MustCompile(lit + `\s*[=!]==?`),
		regexp.MustCompile(`\bcase\s+` + lit + `\s*:`),
		regexp.MustCompile(`\.(?:includes|startsWith|endsWith|indexOf)\(\s*` + lit + `\s*\)`),
		regexp.MustCompile(`/[^/\n]*\b(?:SYN|FIN|RST|ACK|PSH)\b[^/\n]*/[a-z]*\.test\(`),
		regexp.MustCompile(`\bflags\b[^;\n]*\.(?:includes|startsWith|indexOf|match|test)\(`),
	}
}

// jsNameHits returns the lines of src that tell a protocol by its name
// or a packet by its flag words.
func jsNameHits(src string) []string {
	var out []string
	checks := jsNameChecks()
	for i, line := range strings.Split(src, "\n") {
		code := line
		if c := strings.Index(code, "//"); c >= 0 && !strings.Contains(code[:c], `"`) {
			code = code[:c] // a comment may name a protocol
		}
		for _, re := range checks {
			if re.MatchString(code) {
				out = append(out, strings.TrimSpace(line)+" (line "+strconv.Itoa(i+1)+")")
				break
			}
		}
	}
	return out
}

// The lab's JavaScript never tells a protocol by its name nor a packet
// by its flags: issue 22's rule for Go, kept in the page (issue 19).
// The checker finds the forms it is for.
func TestLabJSNoProtocolNames(t *testing.T) {
	for _, bad := range []string{
		`if (p.proto === "udp") return C.udp;`,
		`const tcp = info.flows.find((x) => x.protocol === 'tcp');`,
		`return "go-back-n" !== fi.protocol`,
		`case "rdt2.1":`,
		`p.len === 0 && !/SYN|FIN|RST/.test(p.flags)`,
		`q.flags.includes("DATA")`,
		"if (x == `selective-repeat`) {",
	} {
		if len(jsNameHits(bad)) == 0 {
			t.Errorf("the checker misses %s", bad)
		}
	}
	for _, fine := range []string{
		`if (p.kind === "datagram") return C.udp;`,
		`o.textContent = f.name + " (" + f.protocol + ")";`,
		`.replace("SYN-RECEIVED", "SYN-RECV")`,
		`// the "tcp" flows are drawn in blue`,
	} {
		if hits := jsNameHits(fine); len(hits) > 0 {
			t.Errorf("the checker flags %s", fine)
		}
	}
	files, err := filepath.Glob(filepath.Join("static", "*.js"))
	if err != nil || len(files) < 10 {
		t.Fatalf("static/*.js: %d files, %v", len(files), err)
	}
	for _, f := range files {
		if filepath.Base(f) == "wasm_exec.js" { // Go's own loader
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range jsNameHits(string(b)) {
			t.Errorf("%s: tells a protocol by its name or a packet by its flags: ask the engine's view (a packet's kind) or info (a flow's counts, model): %s", f, h)
		}
	}
}
