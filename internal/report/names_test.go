package report

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
)

// oddNames are flow names that every output must carry intact: the
// Markdown cell separator, a backslash (alone and before a |), quotes,
// Markdown syntax, non-ASCII letters and wide characters.
var oddNames = []string{`a|b`, `back\slash`, `end\`, `say "hi"`, `*em* _u_ <b> &amp; ~s~ (x)`, `vidéo 日本`}

func oddResult(t *testing.T) *run.Result {
	t.Helper()
	var b strings.Builder
	b.WriteString("name: 'odd | \"names\" \\ é'\nlink: {rate: 10Mbps, delay: 5ms}\nflows:\n")
	for _, n := range oddNames {
		b.WriteString("  - {name: '" + strings.ReplaceAll(n, "'", "''") + "', protocol: udp, count: 5, rate: 1Mbps}\n")
	}
	sc, err := scenario.Parse("odd.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := run.Scenario(sc, 1)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// markdownCells splits a Markdown table line at its unescaped |.
func markdownCells(line string) []string {
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '\\' && i+1 < len(line):
			cur.WriteByte(line[i+1]) // unescape
			i++
		case c == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

// TestOddNamesInEveryFormat: a name with |, backslashes, quotes, Markdown
// syntax and Unicode survives every report format: each Markdown row has
// its table's number of cells and unescapes to the name (before the fix,
// a | in a name added a cell), CSV and JSON give the name back, and the
// text table prints it as it is (issue 21, item 9).
func TestOddNamesInEveryFormat(t *testing.T) {
	res := oddResult(t)
	rs := []*run.Result{res}
	sections := []string{"flows", "link"}

	md := render(t, "markdown", rs, sections)
	lines := strings.Split(md, "\n")
	if got := markdownCells(strings.TrimPrefix(lines[0], "### "))[0]; !strings.HasPrefix(got, res.Scenario+" (seed 1)") {
		t.Errorf("markdown title unescapes to %q, want it to start with %q", got, res.Scenario)
	}
	width := 0
	for _, l := range lines {
		if !strings.HasPrefix(l, "|") {
			width = 0
			continue
		}
		cells := markdownCells(l)
		if width == 0 {
			width = len(cells)
			if cells[1] == "flow" {
				if got := cells[2 : len(cells)-1]; strings.Join(got, "\x00") != strings.Join(oddNames, "\x00") {
					t.Errorf("markdown flow header unescapes to %q, want %q", got, oddNames)
				}
			}
		}
		if len(cells) != width {
			t.Errorf("markdown line %q has %d cells, want %d", l, len(cells), width)
		}
	}

	recs, err := csv.NewReader(strings.NewReader(render(t, "csv", rs, sections))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range recs[1:] {
		if r[0] != res.Scenario {
			t.Fatalf("csv scenario %q, want %q", r[0], res.Scenario)
		}
		seen[r[4]] = true
	}
	var doc []map[string]any
	if err := json.Unmarshal([]byte(render(t, "json", rs, sections)), &doc); err != nil {
		t.Fatal(err)
	}
	flows, _ := doc[0]["flows"].([]any)
	for i, n := range oddNames {
		if !seen[n] {
			t.Errorf("csv has no rows named %q", n)
		}
		if f, _ := flows[i].(map[string]any); f["name"] != n {
			t.Errorf("json flow %d is named %v, want %q", i, f["name"], n)
		}
	}
	table := render(t, "table", rs, sections)
	for _, n := range append([]string{res.Scenario}, oddNames...) {
		if !strings.Contains(table, n) {
			t.Errorf("the text table does not print %q as it is", n)
		}
	}
}
