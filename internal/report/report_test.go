package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	proto "tcpsim/internal/protocol"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/sim"
)

// shippedRuns holds the shipped scenarios' results, run once per test
// process: several tests read them, none changes them.
var shippedRuns struct {
	once sync.Once
	rs   []*run.Result
	err  error
}

// shipped returns the results of every shipped scenario, exercise and
// network, each run with its own seed. The slice is the caller's; the
// results are shared and must not be modified.
func shipped(t *testing.T) []*run.Result {
	t.Helper()
	shippedRuns.once.Do(func() { shippedRuns.rs, shippedRuns.err = runShipped() })
	if shippedRuns.err != nil {
		t.Fatal(shippedRuns.err)
	}
	return slices.Clone(shippedRuns.rs)
}

func runShipped() ([]*run.Result, error) {
	files, err := filepath.Glob("../../scenarios/*.yaml")
	if err != nil {
		return nil, err
	}
	ex, _ := filepath.Glob("../../scenarios/exercises/*.yaml")
	nets, _ := filepath.Glob("../../scenarios/networks/*.yaml")
	ex = append(ex, nets...)
	files = append(files, ex...)
	if len(files) < 20 {
		return nil, fmt.Errorf("found %d shipped scenarios, want at least 20", len(files))
	}
	var out []*run.Result
	for _, f := range files {
		sc, err := scenario.Load(f)
		if err != nil {
			return nil, err
		}
		res, err := run.Scenario(sc, sc.Seed)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, nil
}

func render(t *testing.T, format string, rs []*run.Result, sections []string) string {
	t.Helper()
	var b bytes.Buffer
	w, err := NewWriter(&b, format)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if err := w.Add(r, sections); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// table is a parsed ASCII table: the header cells and each row's cells
// by row title.
type table struct {
	head []string
	rows map[string][]string
}

// parseTables reads the ASCII tables that writeTables prints.
func parseTables(t *testing.T, s string) map[string]*table {
	t.Helper()
	tabs := map[string]*table{}
	var cur *table
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		parts := strings.Split(strings.Trim(line, "|"), "|")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		if parts[0] == "flow" || parts[0] == "link" || parts[0] == "router" || parts[0] == "repeated flow" {
			// A topology's link directions may fill several tables:
			// they read as one, column after column.
			if prev, ok := tabs[parts[0]]; ok {
				cur = prev
				cur.head = append(cur.head, parts[1:]...)
				continue
			}
			cur = &table{head: parts[1:], rows: map[string][]string{}}
			tabs[parts[0]] = cur
			continue
		}
		if cur == nil {
			t.Fatalf("row before header: %q", line)
		}
		cur.rows[parts[0]] = append(cur.rows[parts[0]], parts[1:]...)
	}
	return tabs
}

// fromJSON converts a value decoded with UseNumber to what a getter of
// kind k returns, so the field's formatter can print it.
func fromJSON(t *testing.T, k Kind, v any) any {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		return v
	}
	switch k {
	case Integer:
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i
		}
		u, err := strconv.ParseUint(string(n), 10, 64)
		if err != nil {
			t.Fatalf("%s is not an exact integer: %v", n, err)
		}
		return u
	case Number:
		f, err := n.Float64()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	t.Fatalf("a number %s for a %v field", n, k)
	return nil
}

// fromCSV converts a CSV value/text pair to what a getter of kind k
// returns.
func fromCSV(t *testing.T, k Kind, value, text string) any {
	t.Helper()
	switch {
	case k == Text:
		return text
	case value == "":
		return nil
	case k == Bool:
		return value == "1"
	}
	return fromJSON(t, k, json.Number(value))
}

func decodeJSON(t *testing.T, s string) []map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v []map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("json: %v\n%s", err, s)
	}
	return v
}

// csvIndex maps scenario/section/name/metric to the value and text cells.
func csvIndex(t *testing.T, s string) map[string][2]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	idx := map[string][2]string{}
	for _, r := range recs[1:] {
		idx[r[0]+"/"+r[3]+"/"+r[4]+"/"+r[5]] = [2]string{r[6], r[7]}
	}
	return idx
}

// The text table, JSON and CSV can never disagree: for every shipped
// scenario, every JSON value and every CSV value, printed by its field's
// formatter, is the table's cell; a row that does not apply to a flow's
// protocol is "-" in the table and absent from JSON and CSV.
func TestFormatsAgree(t *testing.T) {
	for _, r := range shipped(t) {
		tabs := parseTables(t, render(t, "table", []*run.Result{r}, nil))
		doc := decodeJSON(t, render(t, "json", []*run.Result{r}, nil))[0]
		rows := csvIndex(t, render(t, "csv", []*run.Result{r}, nil))
		flows := doc["flows"].([]any)
		ft := tabs["flow"]
		if ft == nil { // every flow is a member of a repeated flow
			ft = &table{rows: map[string][]string{}}
		}
		if len(flows) != len(r.Flows) || !slices.Equal(ft.head, flowNames(r)) {
			t.Fatalf("%s: %d JSON flows, table columns %v", r.Scenario, len(flows), ft.head)
		}
		col := -1 // the flow's column in the table
		for i, fa := range flows {
			fj := fa.(map[string]any)
			name, proto := fj["name"].(string), fj["protocol"].(string)
			own, _ := fj[objectName(proto)].(map[string]any)
			if r.Flows[i].Family != "" {
				// A repeated flow's member has no column: JSON and CSV
				// still agree.
				membersAgree(t, r, fj, own, rows)
				continue
			}
			col++
			for _, rw := range flowRows {
				cells, shown := ft.rows[rw.title]
				var want string
				if shown {
					want = cells[col]
				}
				var fromJ, fromC []string
				for _, f := range rw.fields {
					obj := fj
					if f.Protocols != nil {
						obj = own
					}
					v, inJSON := obj[f.Key]
					if _, top := fj[f.Key]; top && f.Protocols != nil {
						t.Errorf("%s/%s: %s at the top level, want it in %q", r.Scenario, name, f.Key, proto)
					}
					c, inCSV := rows[r.Scenario+"/flow/"+name+"/"+f.Key]
					if !rw.appliesTo(proto) {
						if inJSON || inCSV || (shown && want != "-") {
							t.Errorf("%s/%s: %s does not apply to %s: JSON %v, CSV %v, table %q", r.Scenario, name, f.Key, proto, inJSON, inCSV, want)
						}
						continue
					}
					if rw.when != nil && !rw.when(r) {
						if shown || !inJSON || !inCSV {
							t.Errorf("%s/%s: %s: hidden row: in table %v; want it in JSON (%v) and CSV (%v) only", r.Scenario, name, f.Key, shown, inJSON, inCSV)
						}
						continue
					}
					if rw.rare && !shown && inJSON && inCSV {
						if got := f.text(fromJSON(t, f.Kind, v)); got != "0" {
							t.Errorf("%s/%s: %s is %s but its rare row is not in the table", r.Scenario, name, f.Key, got)
						}
						continue
					}
					if !inJSON || !inCSV || !shown {
						t.Fatalf("%s/%s: %s: in JSON %v, in CSV %v, in table %v", r.Scenario, name, f.Key, inJSON, inCSV, shown)
					}
					fromJ = append(fromJ, f.text(fromJSON(t, f.Kind, v)))
					fromC = append(fromC, f.text(fromCSV(t, f.Kind, c[0], c[1])))
				}
				if fromJ == nil {
					continue
				}
				if got := strings.Join(fromJ, rw.sep); got != want {
					t.Errorf("%s/%s %q: JSON prints %q, table %q", r.Scenario, name, rw.title, got, want)
				}
				if got := strings.Join(fromC, rw.sep); got != want {
					t.Errorf("%s/%s %q: CSV prints %q, table %q", r.Scenario, name, rw.title, got, want)
				}
			}
		}
		links := doc["links"].([]any)
		if len(links) != len(r.Links) || len(links) != len(tabs["link"].head) {
			t.Fatalf("%s: %d links in JSON, %d in the result, %d table columns", r.Scenario, len(links), len(r.Links), len(tabs["link"].head))
		}
		for i, la := range links {
			lj := la.(map[string]any)
			name := lj["name"].(string)
			wantHead := name + " " + lj["from"].(string) + "->" + lj["to"].(string)
			if r.Topology {
				wantHead = name // already from->to
			}
			if head := tabs["link"].head[i]; head != wantHead {
				t.Errorf("%s: link %d is %q in the table, %v in JSON", r.Scenario, i, head, lj)
			}
			for _, rw := range linkRows {
				f := rw.fields[0]
				if rw.when != nil && !rw.when(r) {
					_, shown := tabs["link"].rows[rw.title]
					_, inJSON := lj[f.Key]
					_, inCSV := rows[r.Scenario+"/link/"+name+"/"+f.Key]
					if shown || !inJSON || !inCSV {
						t.Errorf("%s/%s: %s: hidden row: in table %v; want it in JSON (%v) and CSV (%v) only", r.Scenario, name, f.Key, shown, inJSON, inCSV)
					}
					continue
				}
				want := tabs["link"].rows[rw.title][i]
				if got := f.text(fromJSON(t, f.Kind, lj[f.Key])); got != want {
					t.Errorf("%s/%s %q: JSON %s prints %q, table %q", r.Scenario, name, rw.title, f.Key, got, want)
				}
				c := rows[r.Scenario+"/link/"+name+"/"+f.Key]
				if got := f.text(fromCSV(t, f.Kind, c[0], c[1])); got != want {
					t.Errorf("%s/%s %q: CSV %s prints %q, table %q", r.Scenario, name, rw.title, f.Key, got, want)
				}
			}
		}
		// Routers: the table's columns are JSON's routers, value for value.
		routers, _ := doc["routers"].([]any)
		if len(routers) != len(r.Routers) || (len(routers) > 0) != (tabs["router"] != nil) {
			t.Fatalf("%s: %d routers in JSON, %d in the result", r.Scenario, len(routers), len(r.Routers))
		}
		for i, ra := range routers {
			rj := ra.(map[string]any)
			if tabs["router"].head[i] != rj["name"] {
				t.Errorf("%s: router %d is %q in the table, %v in JSON", r.Scenario, i, tabs["router"].head[i], rj["name"])
			}
			for _, rw := range routerRows {
				f := rw.fields[0]
				want := tabs["router"].rows[rw.title][i]
				if got := f.text(fromJSON(t, f.Kind, rj[f.Key])); got != want {
					t.Errorf("%s/%v %q: JSON prints %q, table %q", r.Scenario, rj["name"], rw.title, got, want)
				}
				c := rows[r.Scenario+"/router/"+rj["name"].(string)+"/"+f.Key]
				if got := f.text(fromCSV(t, f.Kind, c[0], c[1])); got != want {
					t.Errorf("%s/%v %q: CSV prints %q, table %q", r.Scenario, rj["name"], rw.title, got, want)
				}
			}
		}
		// The header line says what the run fields say.
		sim, _ := strconv.ParseFloat(string(doc["simulated_s"].(json.Number)), 64)
		head := doc["scenario"].(string) + " (seed " + string(doc["seed"].(json.Number)) + "): " +
			doc["status"].(string) + "; simulated " + secondsCell(sim) + ", " + string(doc["events"].(json.Number)) + " events"
		if !strings.HasPrefix(Header(r), head) || doc["ok"] != r.OK() || doc["ended_by"] != r.Reason.String() {
			t.Errorf("%s: JSON header %q, ok %v, ended_by %v; table %q", r.Scenario, head, doc["ok"], doc["ended_by"], Header(r))
		}
	}
}

// flowNames names the flow table's columns: every flow but the members of
// repeated flows.
func flowNames(r *run.Result) []string {
	var n []string
	for _, f := range r.Flows {
		if f.Family == "" {
			n = append(n, f.Name)
		}
	}
	return n
}

// membersAgree checks that a repeated flow's member has the same values
// in JSON (fj, with its protocol object own) and in CSV (rows).
func membersAgree(t *testing.T, r *run.Result, fj, own map[string]any, rows map[string][2]string) {
	t.Helper()
	name, proto := fj["name"].(string), fj["protocol"].(string)
	for _, rw := range flowRows {
		if !rw.appliesTo(proto) {
			continue
		}
		for _, f := range rw.fields {
			obj := fj
			if f.Protocols != nil {
				obj = own
			}
			v, inJSON := obj[f.Key]
			c, inCSV := rows[r.Scenario+"/flow/"+name+"/"+f.Key]
			if inJSON != inCSV {
				t.Fatalf("%s/%s: %s: in JSON %v, in CSV %v", r.Scenario, name, f.Key, inJSON, inCSV)
			}
			if inJSON {
				if j, c := f.text(fromJSON(t, f.Kind, v)), f.text(fromCSV(t, f.Kind, c[0], c[1])); j != c {
					t.Errorf("%s/%s %s: JSON prints %q, CSV %q", r.Scenario, name, f.Key, j, c)
				}
			}
		}
	}
}

// handMade is a result with values that a lossy format would spoil.
func handMade() *run.Result {
	return &run.Result{
		Scenario: "a->b & <c>", File: "x.yaml", Seed: math.MaxUint64, Reason: sim.Stopped,
		End: 4978630400, Events: 5307,
		Flows: []run.FlowResult{
			{Name: "f", Protocol: "tcp", From: "a", To: "b", Complete: true,
				OfferedBytes: 1<<62 + 1, DeliveredBytes: 1<<62 + 1, DeliveryRatio: 1,
				Goodput: 1619924.2912183257, Completion: 4938502400,
				TCP: &run.TCPResult{Verified: "yes", Handshake: -1, SRTT: 41313887, RTO: sim.Second, State: "TIME-WAIT / CLOSED"}},
			{Name: "u", Protocol: "udp", From: "b", To: "a", Complete: true, DeliveryRatio: 0.9424, Completion: -1},
		},
		Links: []run.LinkResult{{Name: "forward", From: "a", To: "b"}, {Name: "reverse", From: "b", To: "a"}},
	}
}

// Numbers are numbers at full precision, integers exact, null where a
// time was never reached; protocol-only fields sit in the protocol's
// object; nothing is HTML-escaped.
func TestJSONValues(t *testing.T) {
	out := render(t, "json", []*run.Result{handMade()}, nil)
	if strings.Contains(out, `\u00`) || !strings.Contains(out, `"a->b & <c>"`) {
		t.Errorf("HTML-escaped or mangled scenario name:\n%s", out)
	}
	var v []struct {
		Seed      uint64  `json:"seed"`
		Simulated float64 `json:"simulated_s"`
		Flows     []map[string]json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || len(v) != 1 {
		t.Fatalf("json.Unmarshal: %v (%d runs)\n%s", err, len(v), out)
	}
	if v[0].Seed != math.MaxUint64 || v[0].Simulated != 4.9786304 {
		t.Errorf("seed %d, simulated_s %v; want %d, 4.9786304", v[0].Seed, v[0].Simulated, uint64(math.MaxUint64))
	}
	f, u := v[0].Flows[0], v[0].Flows[1]
	for key, want := range map[string]string{
		"bytes_offered":     "4611686018427387905",
		"goodput_bps":       "1619924.2912183257",
		"delivery_ratio":    "1",
		"completion_time_s": "4.9385024",
	} {
		if got := string(f[key]); got != want {
			t.Errorf("tcp %s = %s, want %s", key, got, want)
		}
	}
	var tcp map[string]json.RawMessage
	if err := json.Unmarshal(f["tcp"], &tcp); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"handshake_time_s": "null", "srtt_s": "0.041313887", "rto_final_s": "1",
		"data_verified": `"yes"`, "final_state_client": `"TIME-WAIT"`, "final_state_server": `"CLOSED"`,
	} {
		if got := string(tcp[key]); got != want {
			t.Errorf("tcp.%s = %s, want %s", key, got, want)
		}
	}
	if _, ok := f["udp"]; ok {
		t.Error("a TCP flow has a udp object")
	}
	if string(u["completion_time_s"]) != "null" || string(u["delivery_ratio"]) != "0.9424" || u["tcp"] != nil || u["udp"] == nil {
		t.Errorf("udp flow: %s", out)
	}
}

// Several runs are one JSON array, or one JSON object per line, or one
// CSV table with one header.
func TestWriterSeveralRuns(t *testing.T) {
	rs := []*run.Result{handMade(), handMade(), handMade()}
	var arr []map[string]any
	if err := json.Unmarshal([]byte(render(t, "json", rs, nil)), &arr); err != nil || len(arr) != 3 {
		t.Fatalf("json: %v, %d runs; want 3", err, len(arr))
	}
	lines := strings.Split(strings.TrimSuffix(render(t, "jsonl", rs, nil), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("jsonl: %d lines, want 3", len(lines))
	}
	for i, l := range lines {
		var obj map[string]any
		if err := json.Unmarshal([]byte(l), &obj); err != nil || obj["scenario"] != "a->b & <c>" {
			t.Errorf("jsonl line %d: %v %v", i+1, err, obj)
		}
	}
	recs, err := csv.NewReader(strings.NewReader(render(t, "csv", rs, nil))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	headers := 0
	for _, r := range recs {
		if slices.Equal(r, CSVHeader()) {
			headers++
		}
	}
	if headers != 1 || !slices.Equal(recs[0], CSVHeader()) {
		t.Errorf("csv: %d headers, first row %v; want one header first", headers, recs[0])
	}
	if got := render(t, "json", nil, nil); got != "[]\n" {
		t.Errorf("no runs: json %q, want []", got)
	}
	if got := render(t, "csv", nil, nil); got != strings.Join(CSVHeader(), ",")+"\n" {
		t.Errorf("no runs: csv %q, want the header", got)
	}
	if _, err := NewWriter(&bytes.Buffer{}, "xml"); err == nil {
		t.Error("NewWriter accepted format xml")
	}
}

// CSV values are numbers without units: every row has a number in value
// or a string in text, never both; text fields only in text.
func TestCSVNumeric(t *testing.T) {
	out := render(t, "csv", shipped(t), nil)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]Kind{}
	for _, f := range allFields() {
		kinds[f.Key] = f.Kind
	}
	for _, r := range recs[1:] {
		k, ok := kinds[r[5]]
		if !ok {
			t.Fatalf("unknown metric %q in %v", r[5], r)
		}
		value, text := r[6], r[7]
		switch {
		case k == Text && value != "":
			t.Errorf("text field with a value: %v", r)
		case k != Text && text != "":
			t.Errorf("numeric field with text: %v", r)
		case k != Text && value != "":
			if _, err := strconv.ParseFloat(value, 64); err != nil {
				t.Errorf("value is not a number: %v", r)
			}
		}
	}
}

// report: flows or report: link leaves the other section out of every
// format.
func TestReportSections(t *testing.T) {
	r := handMade()
	for _, c := range []struct {
		sections   []string
		flows, lnk bool
	}{{nil, true, true}, {[]string{"flows"}, true, false}, {[]string{"link"}, false, true}} {
		tab := render(t, "table", []*run.Result{r}, c.sections)
		js := render(t, "json", []*run.Result{r}, c.sections)
		jl := render(t, "jsonl", []*run.Result{r}, c.sections)
		cs := render(t, "csv", []*run.Result{r}, c.sections)
		for _, x := range []struct {
			what string
			got  bool
			want bool
		}{
			{"table flows", strings.Contains(tab, "| flow "), c.flows},
			{"table link", strings.Contains(tab, "| link "), c.lnk},
			{"json flows", strings.Contains(js, `"flows"`), c.flows},
			{"json links", strings.Contains(js, `"links"`), c.lnk},
			{"jsonl flows", strings.Contains(jl, `"flows"`), c.flows},
			{"jsonl links", strings.Contains(jl, `"links"`), c.lnk},
			{"csv flows", strings.Contains(cs, ",flow,"), c.flows},
			{"csv links", strings.Contains(cs, ",link,"), c.lnk},
		} {
			if x.got != x.want {
				t.Errorf("report %v: %s present %v, want %v", c.sections, x.what, x.got, x.want)
			}
		}
	}
}

// allFields lists every field of every section.
func allFields() []Field {
	var out []Field
	for _, f := range runIDs {
		out = append(out, f.Field)
	}
	for _, f := range runFields {
		out = append(out, f.Field)
	}
	for _, r := range flowRows {
		for _, f := range r.fields {
			out = append(out, f.Field)
		}
	}
	for _, f := range linkIDs {
		out = append(out, f.Field)
	}
	for _, r := range linkRows {
		for _, f := range r.fields {
			out = append(out, f.Field)
		}
	}
	for _, r := range routerRows {
		out = append(out, r.fields[0].Field)
	}
	return out
}

// The lists are well formed: snake_case keys, one key per meaning within
// a section, and the fields of one table row share their protocols.
func TestFieldLists(t *testing.T) {
	for _, f := range allFields() {
		for _, c := range f.Key {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
				t.Errorf("key %q is not snake_case", f.Key)
				break
			}
		}
		if f.Doc == "" {
			t.Errorf("%s has no doc", f.Key)
		}
		if (f.Kind == Text || f.Kind == Bool) && f.Unit != "" {
			t.Errorf("%s: a %v with unit %q", f.Key, f.Kind, f.Unit)
		}
		if f.Unit == "s" && !strings.HasSuffix(f.Key, "_s") || f.Unit == "bit/s" && !strings.HasSuffix(f.Key, "_bps") {
			t.Errorf("%s: unit %q not in the name", f.Key, f.Unit)
		}
	}
	seen := map[string]bool{"name": true}
	for _, r := range flowRows {
		for _, f := range r.fields {
			if seen[f.Key] {
				t.Errorf("flow key %s twice", f.Key)
			}
			seen[f.Key] = true
			if !slices.Equal(f.Protocols, r.fields[0].Protocols) {
				t.Errorf("row %q mixes protocols", r.title)
			}
		}
	}
}

// schemaDoc renders docs/output.md's tables of keys from the field lists.
func schemaDoc() string {
	var b strings.Builder
	section := func(title string, fs []Field) {
		b.WriteString("**" + title + "**\n\n| key | type | unit | meaning |\n|---|---|---|---|\n")
		for _, f := range fs {
			typ := f.Kind.String()
			if f.Nullable {
				typ += " or null"
			}
			unit := f.Unit
			if unit == "" {
				unit = "-"
			}
			b.WriteString("| `" + f.Key + "` | " + typ + " | " + unit + " | " + f.Doc + " |\n")
		}
		b.WriteString("\n")
	}
	var run, flow, tcp, udp, rdt, flood, link []Field
	for _, f := range runIDs {
		run = append(run, f.Field)
	}
	for _, f := range runFields {
		run = append(run, f.Field)
	}
	flow = append(flow, Field{Key: "name", Kind: Text, Doc: "the flow's name in the scenario"})
	for _, r := range flowRows {
		for _, f := range r.fields {
			switch {
			case f.Protocols == nil:
				flow = append(flow, f.Field)
			case f.AppliesTo(tcpProto):
				tcp = append(tcp, f.Field)
			case f.AppliesTo(udpProto):
				udp = append(udp, f.Field)
			case f.AppliesTo(proto.SYNFlood.String()):
				flood = append(flood, f.Field)
			}
			if f.Protocols != nil && slices.ContainsFunc(f.Protocols, func(p string) bool { return proto.IsFamily(p, proto.RDT) }) {
				rdt = append(rdt, f.Field)
			}
		}
	}
	link = append(link, Field{Key: "name", Kind: Text, Doc: "forward (a to b) or reverse (b to a) in the two-host form; from->to (e.g. r1->r2) in a topology"})
	for _, f := range linkIDs {
		link = append(link, f.Field)
	}
	for _, r := range linkRows {
		link = append(link, r.fields[0].Field)
	}
	section("Run (top level of each run object)", run)
	section("Flow, every protocol (`flows[]`)", flow)
	section("TCP only (`flows[].tcp`)", tcp)
	section("UDP only (`flows[].udp`)", udp)
	section("The rdt family only: stop-and-wait, go-back-n, selective-repeat, rdt2.0, rdt2.1, rdt2.2 (`flows[].rdt`)", rdt)
	section("SYN flood only: syn-flood (`flows[].flood`)", flood)
	section("Link direction (`links[]`)", link)
	router := []Field{{Key: "name", Kind: Text, Doc: "the router's name (topology form only: `routers[]` is absent without routers)"}}
	for _, r := range routerRows {
		router = append(router, r.fields[0].Field)
	}
	section("Router (`routers[]`, a topology's routers)", router)
	return b.String()
}

// docs/output.md documents every key, with its type, unit, meaning and
// protocols, exactly as the field lists say (go test -run
// TestDocsSchema -v prints the text to paste).
func TestDocsSchema(t *testing.T) {
	page, err := os.ReadFile("../../docs/output.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := schemaDoc()
	if !strings.Contains(string(page), doc) {
		t.Errorf("docs/output.md lacks the current key tables; paste:\n\n%s", doc)
	}
}
