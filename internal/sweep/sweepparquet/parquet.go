// Package sweepparquet writes a sweep's runs as an Apache Parquet file
// (tcpsim sweep --format parquet): one row per run and flow, typed
// columns named as in the JSON and CSV outputs, units in the names. It is
// apart from package sweep so that the browser lab's WebAssembly engine,
// which runs sweeps, does not carry a Parquet library.
package sweepparquet

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/snappy"

	"tcpsim/internal/sweep"
)

// Format is the --format name of Parquet output.
const Format = "parquet"

// rowsPerGroup bounds a row group: the writer holds one in memory.
const rowsPerGroup = 64 << 10

// The fixed columns, by name; the varied parameters get a string column
// each, named by their path (link.loss), as in the CSV.
const (
	colRun           = "run"
	colPoint         = "point"
	colSeed          = "seed"
	colRunOK         = "run_ok"
	colRunFailed     = "run_failed_because"
	colStatus        = "status"
	colFlow          = "flow"
	colProtocol      = "protocol"
	colComplete      = "complete"
	colFailed        = "failed_because"
	colGoodput       = "goodput_bps"
	colDelivery      = "delivery_ratio"
	colRetrans       = "retransmissions"
	colCompletion    = "completion_time_s"
	colQueueMean     = "queue_delay_mean_s"
	colQueueP99      = "queue_delay_p99_s"
	maxVaryPathBytes = 256
)

// Schema returns the Parquet schema of a sweep of m. Columns are in name
// order (Parquet groups are); a varied path that is also a fixed
// column's name, or too long, is an error.
func Schema(m sweep.Meta) (*parquet.Schema, error) {
	g := parquet.Group{
		colRun:        parquet.Int(64),
		colPoint:      parquet.Int(64),
		colSeed:       parquet.Uint(64),
		colRunOK:      parquet.Leaf(parquet.BooleanType),
		colRunFailed:  parquet.Optional(parquet.String()),
		colStatus:     parquet.String(),
		colFlow:       parquet.String(),
		colProtocol:   parquet.String(),
		colComplete:   parquet.Leaf(parquet.BooleanType),
		colFailed:     parquet.Optional(parquet.String()),
		colGoodput:    parquet.Optional(parquet.Leaf(parquet.DoubleType)),
		colDelivery:   parquet.Optional(parquet.Leaf(parquet.DoubleType)),
		colRetrans:    parquet.Optional(parquet.Int(64)),
		colCompletion: parquet.Optional(parquet.Leaf(parquet.DoubleType)),
		colQueueMean:  parquet.Optional(parquet.Leaf(parquet.DoubleType)),
		colQueueP99:   parquet.Optional(parquet.Leaf(parquet.DoubleType)),
	}
	for _, a := range m.Axes {
		if _, clash := g[a.Path]; clash || len(a.Path) > maxVaryPathBytes {
			return nil, fmt.Errorf("parquet: --vary %s cannot be a column name", a.Path)
		}
		g[a.Path] = parquet.String()
	}
	return parquet.NewSchema("tcpsim_sweep_runs", g), nil
}

// Writer writes a sweep's records, in run order, to a temporary file, and
// Close copies the file to its output: nothing is written before Close, so
// a sweep stopped half-way prints nothing (as the other formats).
type Writer struct {
	out     io.Writer
	m       sweep.Meta
	tmp     *os.File
	pw      *parquet.GenericWriter[any]
	cols    map[string]parquet.LeafColumn
	row     parquet.Row
	counts  sweep.Counts
	lastRun int
}

// NewWriter starts a Parquet file of a sweep of m's runs, for out.
func NewWriter(out io.Writer, m sweep.Meta) (*Writer, error) {
	schema, err := Schema(m)
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp("", "tcpsim-sweep-*.parquet")
	if err != nil {
		return nil, fmt.Errorf("parquet: a temporary file: %w", err)
	}
	w := &Writer{out: out, m: m, tmp: tmp, cols: map[string]parquet.LeafColumn{}, lastRun: -1,
		pw: parquet.NewGenericWriter[any](tmp, schema, parquet.Compression(&snappy.Codec{}), parquet.MaxRowsPerRowGroup(rowsPerGroup),
			parquet.KeyValueMetadata("tcpsim.scenario", m.Scenario), parquet.KeyValueMetadata("tcpsim.scenario_sha256", m.ScenarioSHA256),
			parquet.KeyValueMetadata("tcpsim.grid_sha256", m.GridSHA256))}
	for _, path := range schema.Columns() {
		name := strings.Join(path, ".")
		leaf, ok := schema.Lookup(path...)
		if !ok {
			w.Abort()
			return nil, fmt.Errorf("parquet: column %s not in its own schema", name)
		}
		w.cols[name] = leaf
	}
	w.row = make(parquet.Row, len(w.cols))
	return w, nil
}

// set puts v (nil: null) in column name of the row being built.
func (w *Writer) set(name string, v any) {
	c := w.cols[name]
	if v == nil {
		w.row[c.ColumnIndex] = parquet.NullValue().Level(0, 0, c.ColumnIndex)
		return
	}
	w.row[c.ColumnIndex] = parquet.ValueOf(v).Level(0, c.MaxDefinitionLevel, c.ColumnIndex)
}

// optional returns nil for a value that does not exist (NaN).
func optional(v float64) any {
	if math.IsNaN(v) {
		return nil
	}
	return v
}

func failure(f sweep.Failure) any {
	if f == sweep.None {
		return nil
	}
	return f.Key()
}

// Add writes a run's rows, one per flow; runs come in run order.
func (w *Writer) Add(r *sweep.Record) error {
	if r.Run <= w.lastRun {
		return fmt.Errorf("parquet: run %d after run %d: records must come in run order", r.Run, w.lastRun)
	}
	if len(r.Flows) != len(w.m.Flows) {
		return fmt.Errorf("parquet: run %d has %d flows, want %d", r.Run, len(r.Flows), len(w.m.Flows))
	}
	w.lastRun = r.Run
	w.counts.Add(r.Failure)
	rows := make([]parquet.Row, 0, len(r.Flows))
	for fi, f := range r.Flows {
		w.set(colRun, int64(r.Run))
		w.set(colPoint, int64(r.Point))
		w.set(colSeed, r.Seed)
		for k, a := range w.m.Axes {
			w.set(a.Path, w.m.Labels[r.Point][k])
		}
		w.set(colRunOK, r.OK())
		w.set(colRunFailed, failure(r.Failure))
		w.set(colStatus, r.Status)
		w.set(colFlow, w.m.Flows[fi].Name)
		w.set(colProtocol, w.m.Flows[fi].Protocol)
		w.set(colComplete, f.Complete)
		w.set(colFailed, failure(f.Failure))
		w.set(colGoodput, optional(f.Values[sweep.Goodput]))
		w.set(colDelivery, optional(f.Values[sweep.DeliveryRatio]))
		if v := f.Values[sweep.Retransmissions]; math.IsNaN(v) {
			w.set(colRetrans, nil)
		} else {
			w.set(colRetrans, int64(v))
		}
		w.set(colCompletion, optional(f.Values[sweep.CompletionTime]))
		w.set(colQueueMean, optional(f.Values[sweep.QueueDelayMean]))
		w.set(colQueueP99, optional(f.Values[sweep.QueueDelayP99]))
		rows = append(rows, w.row.Clone())
	}
	if _, err := w.pw.WriteRows(rows); err != nil {
		return fmt.Errorf("parquet: run %d: %w", r.Run, err)
	}
	return nil
}

// Counts tallies the runs written, by failure.
func (w *Writer) Counts() sweep.Counts { return w.counts }

// Close ends the Parquet file and copies it to the output.
func (w *Writer) Close() error {
	defer w.Abort()
	if err := w.pw.Close(); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	if _, err := w.tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	if _, err := io.Copy(w.out, w.tmp); err != nil {
		return fmt.Errorf("parquet: writing the file: %w", err)
	}
	return nil
}

// Abort forgets the file; Close calls it.
func (w *Writer) Abort() {
	if w.tmp != nil {
		w.tmp.Close()
		os.Remove(w.tmp.Name())
		w.tmp = nil
	}
}
