// Package report prints run results as text tables (tablewriter), Markdown,
// CSV, JSON or JSON lines. One list of fields per section (run, flow, link)
// drives every format, so they never disagree: each field knows its key,
// kind, unit, the protocols it applies to, and how a table prints it.
package report

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"tcpsim/internal/run"
	"tcpsim/sim"
)

// Rate formats bits per second with an SI prefix and three significant
// digits, e.g. "9.52 Mbps", never in exponent notation. The value is
// rounded to three significant digits before the prefix is chosen, so
// that a rate just under a power of 1000 (999,999 bps) reads "1 Mbps",
// not "1e+03 kbps"; beyond 999 Gbps every digit before the point is
// printed ("1234 Gbps"), and below 0.0001 bps every zero after it.
func Rate(bps float64) string {
	if math.IsNaN(bps) || math.IsInf(bps, 0) {
		return fmt.Sprintf("%v bps", bps)
	}
	// 'e' with two decimals rounds to three significant digits exactly
	// as %.3g does.
	r, _ := strconv.ParseFloat(strconv.FormatFloat(bps, 'e', 2, 64), 64)
	v, unit := r, "bps"
	for _, u := range [...]struct {
		scale float64
		unit  string
	}{{1e9, "Gbps"}, {1e6, "Mbps"}, {1e3, "kbps"}} {
		if r >= u.scale {
			v, unit = r/u.scale, u.unit
			break
		}
	}
	s := strconv.FormatFloat(v, 'g', 3, 64)
	switch {
	case !strings.Contains(s, "e"):
	case math.Abs(v) >= 1000:
		s = strconv.FormatFloat(v, 'f', 0, 64)
	default: // tiny: r holds three significant digits exactly
		s = strconv.FormatFloat(v, 'f', -1, 64)
	}
	return s + " " + unit
}

// Duration formats t in seconds, or "-" for a negative (unknown) time.
func Duration(t sim.Time) string {
	return secondsCell(seconds(t))
}

func pct(x float64) string { return fmt.Sprintf("%.2f%%", 100*x) }

// Options choose what Write prints.
type Options struct {
	Format string   // a format's name (FormatNames); "" is table
	Report []string // sections: "flows", "link"; none means both
}

// has reports whether sections (a scenario's report: list) asks for
// section; an empty list asks for every section.
func has(sections []string, section string) bool {
	return len(sections) == 0 || slices.Contains(sections, section)
}

// Write prints one result r in the chosen format. To print several runs as
// one document (one JSON array, one CSV header) use a Writer.
func Write(w io.Writer, r *run.Result, o Options) error {
	rw, err := NewWriter(w, o.Format)
	if err != nil {
		return err
	}
	if err := rw.Add(r, o.Report); err != nil {
		return err
	}
	return rw.Close()
}

// Writer prints a sequence of runs as one document: tables one after
// another, one JSON array, JSON lines, or one CSV table with one header.
// Call Add per run and Close at the end; the first error is kept and
// returned by every later call.
type Writer struct {
	w      io.Writer
	format Format
	n      int // runs added
	csv    *csvWriter
	err    error
	closed bool
}

// NewWriter returns a Writer of format (one of FormatNames; "" is table).
func NewWriter(w io.Writer, format string) (*Writer, error) {
	if format == "" {
		format = FormatTable.String()
	}
	f, err := ParseFormat(format, false)
	if err != nil {
		return nil, err
	}
	rw := &Writer{w: w, format: f}
	if f == FormatCSV {
		rw.csv = newCSVWriter(w)
	}
	return rw, nil
}

// Add prints r, with the sections that a scenario's report: list asks for
// (none means every section).
func (w *Writer) Add(r *run.Result, sections []string) error {
	if w.err != nil {
		return w.err
	}
	w.err = formats[w.format].add(w, r, sections)
	if w.err != nil {
		w.err = fmt.Errorf("report: %s: %w", r.Scenario, w.err)
	}
	w.n++
	return w.err
}

// Close ends the document: it closes the JSON array (an empty one if no
// run was added) and flushes CSV (a lone header if no run was added).
func (w *Writer) Close() error {
	if w.err != nil || w.closed {
		return w.err
	}
	w.closed = true
	if end := formats[w.format].end; end != nil {
		w.err = end(w)
	}
	if w.err != nil {
		w.err = fmt.Errorf("report: %w", w.err)
	}
	return w.err
}

// FlowValue returns the table cell of the row titled metric (such as
// "goodput") for the named flow, as a table prints it; false if there is
// no such flow or the row does not apply to its protocol.
func FlowValue(r *run.Result, flow, metric string) (string, bool) {
	for i := range r.Flows {
		f := &r.Flows[i]
		if f.Name != flow {
			continue
		}
		for j := range flowRows {
			if rw := &flowRows[j]; rw.title == metric && rw.appliesTo(f.Protocol) {
				return rw.cell(f), true
			}
		}
	}
	return "", false
}

// LinkValue returns the text-table cell of row title (e.g. "queue delay
// mean") for the link direction named dir ("forward", "r1->r2"), as the
// tables print it, whether or not the run's tables print the row.
func LinkValue(r *run.Result, dir, title string) (string, bool) {
	for _, d := range linkDirs(r) {
		if d.l.Name != dir {
			continue
		}
		for j := range linkRows {
			if rw := &linkRows[j]; rw.title == title {
				return rw.cell(d), true
			}
		}
	}
	return "", false
}

// RunValue returns the text-table cell of the run-level field key (e.g.
// "jain_fairness_tcp") of r, as the tables print it.
func RunValue(r *run.Result, key string) (string, bool) {
	for _, f := range runFields {
		if f.Key == key {
			return f.text(f.get(r)), true
		}
	}
	return "", false
}
