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

// csvRows appends a row per field of list read from src.
func csvRows[T any](rows [][]string, id []string, section, name string, list []field[T], src T) [][]string {
	for i := range list {
		value, text := csvCells(list[i].get(src))
		rows = append(rows, append(id[:len(id):len(id)], section, name, list[i].Key, value, text))
	}
	return rows
}

// CSVRows returns the CSV rows of r (without the header): the run's
// outcome, then each flow's fields that apply to its protocol, then each
// link direction's, with the sections that sections asks for.
func CSVRows(r *run.Result, sections []string) [][]string {
	id := []string{r.Scenario, r.File, strconv.FormatUint(r.Seed, 10)}
	rows := csvRows(nil, id, "run", "", runFields, r)
	if has(sections, "flows") {
		for i := range r.Flows {
			f := &r.Flows[i]
			for j := range flowRows {
				if rw := &flowRows[j]; rw.appliesTo(f.Protocol) {
					rows = csvRows(rows, id, "flow", f.Name, rw.fields, f)
				}
			}
		}
	}
	if has(sections, "link") {
		for _, d := range linkDirs(r) {
			rows = csvRows(rows, id, "link", d.l.Name, linkIDs, d)
			for j := range linkRows {
				rows = csvRows(rows, id, "link", d.l.Name, linkRows[j].fields, d)
			}
		}
		for i := range r.Routers {
			x := &r.Routers[i]
			for j := range routerRows {
				rows = csvRows(rows, id, "router", x.Name, routerRows[j].fields, x)
			}
		}
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
