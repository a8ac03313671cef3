package report

import (
	"encoding/csv"
	"io"
	"strconv"

	"tcpsim/internal/run"
)

// CSVHeader is the header of the tidy CSV output: one row per run, flow
// or link direction, and field. value holds numbers (integers exact,
// floats at full precision, booleans as 1 or 0, empty for null); text
// holds the value of text fields.
func CSVHeader() []string {
	return []string{"scenario", "file", "seed", "section", "name", "metric", "value", "text"}
}

// csvWriter writes runs as one CSV table with one header.
type csvWriter struct {
	cw     *csv.Writer
	header bool // written
}

func newCSVWriter(w io.Writer) *csvWriter { return &csvWriter{cw: csv.NewWriter(w)} }

// csvCells returns the value and text cells of v.
func csvCells(v any) (value, text string) {
	switch x := v.(type) {
	case nil:
		return "", ""
	case string:
		return "", x
	case bool:
		if x {
			return "1", ""
		}
		return "0", ""
	case int64:
		return strconv.FormatInt(x, 10), ""
	case uint64:
		return strconv.FormatUint(x, 10), ""
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), ""
	}
	return "", ""
}

// Cell is one value of the tidy outputs (CSV, and Parquet in package
// runparquet): a field (Metric, its key with its unit, e.g. goodput_bps)
// of the run (Section "run"), of a flow, link direction or router
// (Section "flow", "link", "router", Name the flow's or direction's or
// router's name). Value is nil (null), a string, bool, int64, uint64 or
// float64.
type Cell struct {
	Section, Name, Metric string
	Value                 any
}

// cells appends a cell per field of list read from src.
func cells[T any](out []Cell, section, name string, list []field[T], src T) []Cell {
	for i := range list {
		out = append(out, Cell{Section: section, Name: name, Metric: list[i].Key, Value: list[i].get(src)})
	}
	return out
}

// Cells returns the tidy cells of r: the run's outcome, then each flow's
// fields that apply to its protocol, then each link direction's and
// router's, with the sections that sections asks for; the same list,
// in the same order, as the CSV's rows.
func Cells(r *run.Result, sections []string) []Cell {
	out := cells(nil, "run", "", runFields, r)
	if has(sections, "flows") {
		for i := range r.Flows {
			f := &r.Flows[i]
			for j := range flowRows {
				if rw := &flowRows[j]; rw.appliesTo(f.Protocol) {
					out = cells(out, "flow", f.Name, rw.fields, f)
				}
			}
		}
	}
	if has(sections, "link") {
		for _, d := range linkDirs(r) {
			out = cells(out, "link", d.l.Name, linkIDs, d)
			for j := range linkRows {
				out = cells(out, "link", d.l.Name, linkRows[j].fields, d)
			}
		}
		for i := range r.Routers {
			x := &r.Routers[i]
			for j := range routerRows {
				out = cells(out, "router", x.Name, routerRows[j].fields, x)
			}
		}
	}
	return out
}

// CSVRows returns the CSV rows of r (without the header): a row per cell
// of Cells.
func CSVRows(r *run.Result, sections []string) [][]string {
	id := []string{r.Scenario, r.File, strconv.FormatUint(r.Seed, 10)}
	var rows [][]string
	for _, c := range Cells(r, sections) {
		value, text := csvCells(c.Value)
		rows = append(rows, append(id[:len(id):len(id)], c.Section, c.Name, c.Metric, value, text))
	}
	return rows
}

func (c *csvWriter) writeHeader() error {
	if c.header {
		return nil
	}
	c.header = true
	return c.cw.Write(CSVHeader())
}

func (c *csvWriter) add(r *run.Result, sections []string) error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	for _, row := range CSVRows(r, sections) {
		if err := c.cw.Write(row); err != nil {
			return err
		}
	}
	c.cw.Flush()
	return c.cw.Error()
}

func (c *csvWriter) close() error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	c.cw.Flush()
	return c.cw.Error()
}
