package report

import (
	"bytes"
	"testing"
)

// Every row of the formats table parses back from its name, and the
// words of help and errors list the rows in order.
func TestFormatTable(t *testing.T) {
	for i := range formats {
		f := Format(i)
		got, err := ParseFormat(f.String(), false)
		if err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %v, %v; want %v", f.String(), got, err, f)
		}
		if _, err := ParseFormat(f.String(), true); (err == nil) != f.Sweep() {
			t.Errorf("ParseFormat(%q, sweep) error %v, want an error only when sweeps do not print it", f.String(), err)
		}
		if formats[i].add == nil {
			t.Errorf("format %v has no writer", f)
		}
	}
	for _, tc := range []struct {
		sweep, notes bool
		want         string
	}{
		{false, false, "table, markdown, csv, json or jsonl"},
		{true, false, "table, markdown, csv or json"},
		{false, true, "table, markdown, csv, json (one array of runs) or jsonl (one run per line)"},
	} {
		if got := FormatList(tc.sweep, tc.notes); got != tc.want {
			t.Errorf("FormatList(%v, %v) = %q, want %q", tc.sweep, tc.notes, got, tc.want)
		}
	}
	if _, err := ParseFormat("yaml", false); err == nil {
		t.Error("ParseFormat(yaml): no error")
	}
	if _, err := NewWriter(&bytes.Buffer{}, "xml"); err == nil || err.Error() != `report: unknown format "xml" (want table, markdown, csv, json or jsonl)` {
		t.Errorf("NewWriter(xml) error %v", err)
	}
}
