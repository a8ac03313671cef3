package runparquet

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/parquet-go/parquet-go"

	"tcpsim/internal/report"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
)

// TestReadBack writes two runs (TCP, UDP and rdt flows, a topology with
// a router) and reads the file back: every row of the CSV output, in
// order, each value typed (numbers in value, text in text, nulls where
// the CSV cell is empty).
func TestReadBack(t *testing.T) {
	var results []*run.Result
	for _, src := range []string{`name: two-host
link: {rate: 10Mbps, delay: 5ms, loss: 1%}
flows:
  - {name: file, protocol: tcp, bytes: 200KB}
  - {name: video, protocol: udp, count: 100, rate: 1Mbps}
  - {name: sw, protocol: stop-and-wait, count: 20}
`, `name: routed
nodes: {hosts: [s, d], routers: [r]}
links:
  - {between: [s, r], rate: 10Mbps, delay: 1ms}
  - {between: [r, d], rate: 2Mbps, delay: 1ms, queue: 20, aqm: red}
flows:
  - {name: t, protocol: tcp, from: s, to: d, bytes: 100KB}
`} {
		sc, err := scenario.Parse("t.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		res, err := run.Scenario(sc, 3)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, res)
	}
	sections := []string{"flows", "link"}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	var want [][]string
	for _, r := range results {
		if err := w.Add(r, sections); err != nil {
			t.Fatal(err)
		}
		want = append(want, report.CSVRows(r, sections)...)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	rows, err := parquet.Read[Row](bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows read back, want the CSV's %d", len(rows), len(want))
	}
	for i, r := range rows {
		value, text := "", ""
		if r.Value != nil {
			value = strconv.FormatFloat(*r.Value, 'g', -1, 64)
			// The CSV writes integers as integers: compare the numbers.
			if v, err := strconv.ParseFloat(want[i][6], 64); err == nil && v == *r.Value {
				value = want[i][6]
			}
		}
		if r.Text != nil {
			text = *r.Text
		}
		got := []string{r.Scenario, r.File, strconv.FormatUint(r.Seed, 10), r.Section, r.Name, r.Metric, value, text}
		for k := range got {
			if got[k] != want[i][k] {
				t.Fatalf("row %d: got %q, want the CSV's %q", i, got, want[i])
			}
		}
	}
}
