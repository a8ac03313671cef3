// Package runparquet writes runs' tables as an Apache Parquet file
// (tcpsim run --format parquet): the tidy layout of the CSV output, one
// row per run, flow, link direction or router, and field, with a typed
// value. It is apart from package report so that the browser lab's
// WebAssembly engine does not carry a Parquet library (as sweepparquet).
package runparquet

import (
	"fmt"
	"io"
	"math"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/snappy"

	"tcpsim/internal/report"
	"tcpsim/internal/run"
)

// Format is the --format name of Parquet output.
const Format = "parquet"

// Row is one row of the file: the columns of the CSV output
// (report.CSVHeader), typed. Value holds numbers (booleans as 1 or 0,
// integers exact up to 2^53), null for text fields and fields without a
// value; Text holds text fields' values, null otherwise.
type Row struct {
	Scenario string   `parquet:"scenario"`
	File     string   `parquet:"file"`
	Seed     uint64   `parquet:"seed"`
	Section  string   `parquet:"section"`
	Name     string   `parquet:"name"`
	Metric   string   `parquet:"metric"`
	Value    *float64 `parquet:"value,optional"`
	Text     *string  `parquet:"text,optional"`
}

// Writer writes runs as one Parquet file. Rows are written as each run is
// added; Close writes the footer, without which the file is not readable.
type Writer struct {
	pw     *parquet.GenericWriter[Row]
	rows   []Row
	closed bool
}

// NewWriter starts a Parquet file on out.
func NewWriter(out io.Writer) *Writer {
	return &Writer{pw: parquet.NewGenericWriter[Row](out, parquet.Compression(&snappy.Codec{}))}
}

// Add writes r's rows, of the sections asked for (as report.Cells).
func (w *Writer) Add(r *run.Result, sections []string) error {
	w.rows = w.rows[:0]
	for _, c := range report.Cells(r, sections) {
		row := Row{Scenario: r.Scenario, File: r.File, Seed: r.Seed, Section: c.Section, Name: c.Name, Metric: c.Metric}
		switch v := c.Value.(type) {
		case string:
			row.Text = &v
		case bool:
			b := 0.0
			if v {
				b = 1
			}
			row.Value = &b
		case int64:
			row.Value = number(float64(v))
		case uint64:
			row.Value = number(float64(v))
		case float64:
			if !math.IsNaN(v) {
				row.Value = number(v)
			}
		}
		w.rows = append(w.rows, row)
	}
	if _, err := w.pw.Write(w.rows); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}

func number(v float64) *float64 { return &v }

// Close ends the file; closing it again does nothing.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if err := w.pw.Close(); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}
