package report

import (
	"fmt"
	"strings"

	"tcpsim/internal/run"
)

// Format is an output format: an index into the one table of formats,
// which the parser, the flags' help, the run Writer and the sweep report
// all read.
type Format int

// The output formats. Adding one is its writer functions and a row in the
// formats table (and, if sweeps print it, a row in internal/sweep's).
const (
	FormatTable    Format = iota // text tables (tablewriter)
	FormatMarkdown               // Markdown tables
	FormatCSV                    // one CSV table, one header
	FormatJSON                   // one JSON document
	FormatJSONL                  // JSON lines: one run per line
)

// formatInfo is one row of the formats table.
type formatInfo struct {
	name string
	// runNote says, in the run command's help, what a run report in
	// this format is ("one array of runs"); "" says nothing.
	runNote string
	// sweep says that sweep and merge reports are printed in it too.
	sweep bool
	// tables says that it prints tables, which text may precede (the
	// run command's --routes).
	tables bool
	// add prints one run; end, if not nil, ends the document.
	add func(w *Writer, r *run.Result, sections []string) error
	end func(w *Writer) error
}

var formats = [...]formatInfo{
	FormatTable: {name: "table", sweep: true, tables: true,
		add: func(w *Writer, r *run.Result, s []string) error { return writeTables(w.w, r, s, false) }},
	FormatMarkdown: {name: "markdown", sweep: true, tables: true,
		add: func(w *Writer, r *run.Result, s []string) error { return writeTables(w.w, r, s, true) }},
	FormatCSV: {name: "csv", sweep: true,
		add: func(w *Writer, r *run.Result, s []string) error { return w.csv.add(r, s) },
		end: func(w *Writer) error { return w.csv.close() }},
	FormatJSON: {name: "json", sweep: true, runNote: "one array of runs",
		add: func(w *Writer, r *run.Result, s []string) error { return writeJSONElement(w.w, r, s, w.n == 0) },
		end: func(w *Writer) error { return closeJSONArray(w.w, w.n) }},
	FormatJSONL: {name: "jsonl", runNote: "one run per line",
		add: func(w *Writer, r *run.Result, s []string) error { return writeJSONLine(w.w, r, s) }},
}

// String returns the format's name, as --format spells it.
func (f Format) String() string {
	if f >= 0 && int(f) < len(formats) {
		return formats[f].name
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Sweep reports whether sweep and merge reports can be printed in f.
func (f Format) Sweep() bool { return formats[f].sweep }

// Tables reports whether f prints tables (text may go before them).
func (f Format) Tables() bool { return formats[f].tables }

// ParseFormat maps a name to a Format. sweep restricts the choice to the
// formats of sweep reports.
func ParseFormat(name string, sweep bool) (Format, error) {
	for i, f := range formats {
		if f.name == name && (f.sweep || !sweep) {
			return Format(i), nil
		}
	}
	return 0, fmt.Errorf("report: unknown format %q (want %s)", name, FormatList(sweep, false))
}

// FormatNames lists the formats' names in order: every format, or (with
// sweep) those of sweep reports.
func FormatNames(sweep bool) []string {
	var names []string
	for _, f := range formats {
		if f.sweep || !sweep {
			names = append(names, f.name)
		}
	}
	return names
}

// FormatList words the formats for help and errors: "table, markdown,
// csv or json"; with notes, each followed by what a run report in it is
// ("json (one array of runs)").
func FormatList(sweep, notes bool) string {
	var words []string
	for _, f := range formats {
		if !f.sweep && sweep {
			continue
		}
		w := f.name
		if notes && f.runNote != "" {
			w += " (" + f.runNote + ")"
		}
		words = append(words, w)
	}
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
