package sweep

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"tcpsim/internal/report"
)

// Write prints the sweep's results in format (one of
// report.FormatNames(true); "" is table). recs are sorted into run order.
// It is NewReport, Add of every record, and Close.
func Write(w io.Writer, m Meta, recs []Record, format string) error {
	rep, err := NewReport(w, m, format)
	if err != nil {
		return err
	}
	slices.SortFunc(recs, func(a, b Record) int { return a.Run - b.Run })
	for i := range recs {
		if err := rep.Add(&recs[i]); err != nil {
			rep.Abort()
			return err
		}
	}
	_, err = rep.Close()
	return err
}

// Report writes a sweep's report from its records as they come, in run
// order, without holding them: the statistics are accumulated
// (Accumulator), and the per-run rows of csv and json, which the
// document needs before or after the statistics, are written to a
// temporary file (in os.TempDir) and copied out by Close. Nothing is
// written to w before Close, so a sweep stopped half-way prints nothing.
type Report struct {
	w      io.Writer
	m      Meta
	format report.Format
	acc    *Accumulator
	spill  spill         // csv and json: the run rows, in their final form
	buf    *bufio.Writer // over spill
	csv    *csv.Writer   // over buf
	runs   int
}

// NewReport starts a report of a sweep of m in format (see Write).
func NewReport(w io.Writer, m Meta, format string) (*Report, error) {
	name := format
	if name == "" {
		name = report.FormatTable.String()
	}
	f, err := report.ParseFormat(name, true)
	if err != nil || !f.Sweep() {
		return nil, fmt.Errorf("sweep: unknown format %q (want %s)", format, report.FormatList(true, false))
	}
	r := &Report{w: w, m: m, format: f, acc: NewAccumulator(m)}
	if f == report.FormatCSV || f == report.FormatJSON {
		if r.spill, err = newSpill(); err != nil {
			return nil, err
		}
		r.buf = bufio.NewWriterSize(r.spill, 256<<10)
		r.csv = csv.NewWriter(r.buf)
	}
	return r, nil
}

// Add adds the next record, in run order.
func (r *Report) Add(rec *Record) error {
	if err := r.acc.Add(rec); err != nil {
		return err
	}
	var err error
	switch r.format {
	case report.FormatCSV:
		err = writeCSVRuns(r.csv, r.m, rec)
	case report.FormatJSON:
		err = writeJSONRun(r.buf, r.m, rec, r.runs == 0)
	}
	r.runs++
	if err != nil {
		return fmt.Errorf("sweep: writing run %d to %s: %w", rec.Run, r.spill.Name(), err)
	}
	return nil
}

// Close writes the report to w and returns its statistics.
func (r *Report) Close() (Stats, error) {
	defer r.Abort()
	st := r.acc.Stats()
	var runs io.Reader = strings.NewReader("")
	if r.spill != nil {
		r.csv.Flush()
		if err := r.csv.Error(); err != nil {
			return st, fmt.Errorf("sweep: %w", err)
		}
		if err := r.buf.Flush(); err != nil {
			return st, fmt.Errorf("sweep: writing %s: %w", r.spill.Name(), err)
		}
		if _, err := r.spill.Seek(0, io.SeekStart); err != nil {
			return st, fmt.Errorf("sweep: %w", err)
		}
		runs = r.spill
	}
	bw := bufio.NewWriterSize(r.w, 256<<10)
	var err error
	switch r.format {
	case report.FormatTable:
		err = writeTables(bw, r.m, st, false)
	case report.FormatMarkdown:
		err = writeTables(bw, r.m, st, true)
	case report.FormatCSV:
		err = writeCSV(bw, r.m, runs, st)
	case report.FormatJSON:
		err = writeJSON(bw, r.m, runs, r.runs, st)
	}
	if err == nil {
		err = bw.Flush()
	}
	return st, err
}

// Abort forgets the report and removes its temporary file; Close calls it.
func (r *Report) Abort() {
	if r.spill != nil {
		r.spill.remove()
		r.spill = nil
	}
}

// Warning returns the one-line warning a sweep prints on stderr when runs
// failed, or "" when every run completed.
func Warning(st Stats) string {
	if st.Runs.Failed == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d runs failed (%s): goodput and completion time are over completed runs only; delivery ratio and retransmissions over all runs",
		st.Runs.Failed, st.Runs.Total, because(st.Runs))
}

// because words a count's failures: "time limit 7, aborted 1".
func because(c Counts) string {
	var parts []string
	for _, f := range c.Reasons() {
		parts = append(parts, f.Words()+" "+strconv.Itoa(c.Because[f]))
	}
	return strings.Join(parts, ", ")
}

func num(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func writeTables(w io.Writer, m Meta, st Stats, md bool) error {
	np := len(m.Labels)
	title := fmt.Sprintf("sweep of %s (%s): %d %s x %d %s = %d runs; seeds %d..%d, the same at every point (common random numbers)",
		m.Scenario, m.File, np, plural(np, "point", "points"), m.Seeds, plural(m.Seeds, "seed", "seeds"), m.Runs(),
		m.BaseSeed, m.BaseSeed+uint64(m.Seeds)-1)
	if md {
		title = "### " + report.MarkdownEscape(title)
	}
	fmt.Fprintf(w, "%s\n\n", title)
	if st.Runs.Failed > 0 {
		fmt.Fprintf(w, "WARNING: %d of %d runs failed (%s). Goodput and completion time are over completed runs only (n of runs); delivery ratio and retransmissions over all runs.\n\n",
			st.Runs.Failed, st.Runs.Total, because(st.Runs))
	}
	axisHead := func(more ...any) []any {
		var head []any
		for _, a := range m.Axes {
			head = append(head, a.Path)
		}
		return append(head, more...)
	}
	// Runs: how many completed, and why the others failed.
	if md {
		fmt.Fprintf(w, "#### runs\n\n")
	} else {
		fmt.Fprintf(w, "runs: completed or failed, and why (\"all flows\": the whole run)\n")
	}
	t := report.NewTable(w, md)
	t.Header(axisHead("flow", "runs", "completed", "failed", "why failed")...)
	countRow := func(pt int, flow string, c Counts) error {
		why := because(c)
		if why == "" {
			why = "-"
		}
		row := append(append([]string(nil), m.Labels[pt]...), flow, strconv.Itoa(c.Total),
			strconv.Itoa(c.Completed), strconv.Itoa(c.Failed), why)
		return t.Append(row)
	}
	for _, ps := range st.Points {
		if err := countRow(ps.Point, "all flows", ps.Runs); err != nil {
			return err
		}
		for _, fs := range ps.Flows {
			if err := countRow(ps.Point, fs.Flow.Name, fs.Runs); err != nil {
				return err
			}
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for metric := range NumMetrics {
		over := "over all runs"
		if metric.CompletedOnly() {
			over = "over completed runs only"
		}
		if md {
			fmt.Fprintf(w, "#### %s, %s\n\n", metric.Title(), over)
		} else {
			fmt.Fprintf(w, "%s, %s: mean, sample standard deviation, 95%% confidence interval (Student's t), range\n", metric.Title(), over)
		}
		t := report.NewTable(w, md)
		t.Header(axisHead("flow", "n", "mean", "sd", "95% CI", "min", "max")...)
		for _, ps := range st.Points {
			for _, fs := range ps.Flows {
				row := append([]string(nil), m.Labels[ps.Point]...)
				s := fs.Summary[metric]
				if !fs.Applies[metric] {
					row = append(row, fs.Flow.Name, "n/a ("+fs.Flow.Protocol+")", "-", "-", "-", "-", "-")
				} else {
					n := strconv.Itoa(s.N)
					if s.N < fs.Runs.Total {
						n += " of " + strconv.Itoa(fs.Runs.Total)
					}
					ci := "-"
					if !math.IsNaN(s.CILow) {
						ci = "[" + num(metric.scale(s.CILow)) + ", " + num(metric.scale(s.CIHigh)) + "]"
					}
					row = append(row, fs.Flow.Name, n, num(metric.scale(s.Mean)), num(metric.scale(s.SD)), ci,
						num(metric.scale(s.Min)), num(metric.scale(s.Max)))
				}
				if err := t.Append(row); err != nil {
					return err
				}
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	return nil
}

func csvFloat(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// writeCSV writes one tidy CSV in SI units (bps, ratio, s): a row per run,
// flow and metric (kind=run, with seed, value and why the flow failed;
// runs holds them, as writeCSVRuns wrote them) and a row per point, flow
// and metric (kind=summary, with the run counts and the statistics over
// the runs named in the over column). Cells that do not apply are empty.
func writeCSV(w io.Writer, m Meta, runs io.Reader, st Stats) error {
	cw := csv.NewWriter(w)
	head := []string{"kind", "point"}
	for _, a := range m.Axes {
		head = append(head, a.Path)
	}
	head = append(head, "flow", "metric", "over", "seed", "value", "failed_because",
		"n", "runs_total", "runs_completed", "runs_failed")
	for f := Failure(1); f < numFailures; f++ {
		head = append(head, "failed_"+f.Key())
	}
	head = append(head, "mean", "sd", "ci95_low", "ci95_high", "min", "max")
	if err := cw.Write(head); err != nil {
		return err
	}
	cw.Flush()
	if _, err := io.Copy(w, runs); err != nil {
		return err
	}
	for _, ps := range st.Points {
		for _, fs := range ps.Flows {
			for metric := range NumMetrics {
				s := fs.Summary[metric]
				row := append([]string{"summary", strconv.Itoa(ps.Point)}, m.Labels[ps.Point]...)
				row = append(row, fs.Flow.Name, metric.Key(), metric.Over(), "", "", "")
				n := strconv.Itoa(s.N)
				if !fs.Applies[metric] {
					n = ""
				}
				row = append(row, n, strconv.Itoa(fs.Runs.Total), strconv.Itoa(fs.Runs.Completed), strconv.Itoa(fs.Runs.Failed))
				for f := Failure(1); f < numFailures; f++ {
					row = append(row, strconv.Itoa(fs.Runs.Because[f]))
				}
				row = append(row, csvFloat(s.Mean), csvFloat(s.SD), csvFloat(s.CILow), csvFloat(s.CIHigh), csvFloat(s.Min), csvFloat(s.Max))
				if err := cw.Write(row); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeCSVRuns writes a run's kind=run rows: one per flow and metric.
func writeCSVRuns(cw *csv.Writer, m Meta, r *Record) error {
	blank := make([]string, 4+int(numFailures)-1+6)
	for fi, f := range r.Flows {
		for metric := range NumMetrics {
			row := append([]string{"run", strconv.Itoa(r.Point)}, m.Labels[r.Point]...)
			row = append(row, m.Flows[fi].Name, metric.Key(), metric.Over(), strconv.FormatUint(r.Seed, 10),
				csvFloat(f.Values[metric]), f.Failure.Key())
			row = append(row, blank...)
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	return nil
}

// jf is a float in JSON: null when it does not exist (NaN).
func jf(v float64) *float64 {
	if math.IsNaN(v) {
		return nil
	}
	return &v
}

// countsJSON is Counts in JSON; failed_because has every reason, zeros
// included, so that the keys are the same in every document.
type countsJSON struct {
	Total         int            `json:"runs_total"`
	Completed     int            `json:"runs_completed"`
	Failed        int            `json:"runs_failed"`
	FailedBecause map[string]int `json:"failed_because"`
}

func toCountsJSON(c Counts) countsJSON {
	out := countsJSON{Total: c.Total, Completed: c.Completed, Failed: c.Failed, FailedBecause: map[string]int{}}
	for f := Failure(1); f < numFailures; f++ {
		out.FailedBecause[f.Key()] = c.Because[f]
	}
	return out
}

type summaryJSON struct {
	Over   string   `json:"over"`
	N      int      `json:"n"`
	Mean   *float64 `json:"mean"`
	SD     *float64 `json:"sd"`
	CILow  *float64 `json:"ci95_low"`
	CIHigh *float64 `json:"ci95_high"`
	Min    *float64 `json:"min"`
	Max    *float64 `json:"max"`
}

type metricsJSON struct {
	Goodput         *summaryJSON `json:"goodput_bps"`
	DeliveryRatio   *summaryJSON `json:"delivery_ratio"`
	Retransmissions *summaryJSON `json:"retransmissions"`
	CompletionTime  *summaryJSON `json:"completion_time_s"`
	QueueDelayMean  *summaryJSON `json:"queue_delay_mean_s"`
	QueueDelayP99   *summaryJSON `json:"queue_delay_p99_s"`
}

func (mj *metricsJSON) at(m Metric) **summaryJSON {
	return [...]**summaryJSON{&mj.Goodput, &mj.DeliveryRatio, &mj.Retransmissions, &mj.CompletionTime, &mj.QueueDelayMean, &mj.QueueDelayP99}[m]
}

type flowStatsJSON struct {
	Flow string `json:"flow"`
	countsJSON
	Metrics metricsJSON `json:"metrics"`
}

type pointJSON struct {
	Point  int      `json:"point"`
	Values []string `json:"values"`
	countsJSON
	Flows []flowStatsJSON `json:"flows"`
}

type metricInfoJSON struct {
	Metric string `json:"metric"`
	Over   string `json:"over"`
}

// jsonRunsIndent is the indentation of the runs in the JSON document:
// its elements are two levels deep.
const jsonRunsIndent = "    "

// writeJSONRun writes a run of the JSON document's "runs" array, indented
// as encoding/json indents it there, preceded by the separator.
func writeJSONRun(w io.Writer, m Meta, r *Record, first bool) error {
	sep := ",\n" + jsonRunsIndent
	if first {
		sep = jsonRunsIndent
	}
	if _, err := io.WriteString(w, sep); err != nil {
		return err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent(jsonRunsIndent, "  ")
	if err := enc.Encode(r.toJSON(m.Flows)); err != nil {
		return err
	}
	_, err := w.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	return err
}

// writeJSON writes one JSON document: the sweep's description, the run
// counts, a summary per point and flow, and every run's raw values (n
// runs, as writeJSONRun wrote them), exactly as encoding/json would
// indent the whole document.
func writeJSON(w io.Writer, m Meta, runs io.Reader, n int, st Stats) error {
	out := struct {
		Scenario       string           `json:"scenario"`
		File           string           `json:"file"`
		ScenarioSHA256 string           `json:"scenario_sha256"`
		GridSHA256     string           `json:"grid_sha256"`
		Vary           []Axis           `json:"vary"`
		Seeds          int              `json:"seeds"`
		BaseSeed       uint64           `json:"base_seed"`
		Flows          []FlowInfo       `json:"flows"`
		Metrics        []metricInfoJSON `json:"metrics"`
		countsJSON
		Points []pointJSON  `json:"points"`
		Runs   []recordJSON `json:"runs"`
	}{Scenario: m.Scenario, File: m.File, ScenarioSHA256: m.ScenarioSHA256, GridSHA256: m.GridSHA256,
		Vary: m.Axes, Seeds: m.Seeds, BaseSeed: m.BaseSeed, Flows: m.Flows, countsJSON: toCountsJSON(st.Runs),
		Points: []pointJSON{}, Runs: []recordJSON{}}
	if out.Vary == nil {
		out.Vary = []Axis{}
	}
	for metric := range NumMetrics {
		out.Metrics = append(out.Metrics, metricInfoJSON{metric.Key(), metric.Over()})
	}
	for _, ps := range st.Points {
		pj := pointJSON{Point: ps.Point, Values: m.Labels[ps.Point], countsJSON: toCountsJSON(ps.Runs)}
		if pj.Values == nil {
			pj.Values = []string{}
		}
		for _, fs := range ps.Flows {
			fj := flowStatsJSON{Flow: fs.Flow.Name, countsJSON: toCountsJSON(fs.Runs)}
			for metric := range NumMetrics {
				if !fs.Applies[metric] {
					continue
				}
				s := fs.Summary[metric]
				*fj.Metrics.at(metric) = &summaryJSON{Over: metric.Over(), N: s.N, Mean: jf(s.Mean), SD: jf(s.SD),
					CILow: jf(s.CILow), CIHigh: jf(s.CIHigh), Min: jf(s.Min), Max: jf(s.Max)}
			}
			pj.Flows = append(pj.Flows, fj)
		}
		out.Points = append(out.Points, pj)
	}
	var b bytes.Buffer
	if err := encodeJSON(&b, out, "  "); err != nil {
		return err
	}
	// The document ends with the runs, encoded empty: put them in.
	const tail = "\"runs\": []\n}\n"
	doc := b.Bytes()
	if !bytes.HasSuffix(doc, []byte(tail)) {
		return fmt.Errorf("sweep: the JSON document does not end with %q", tail)
	}
	if n == 0 {
		_, err := w.Write(doc)
		return err
	}
	if _, err := w.Write(doc[:len(doc)-len(tail)]); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\"runs\": [\n"); err != nil {
		return err
	}
	if _, err := io.Copy(w, runs); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n  ]\n}\n")
	return err
}

// encodeJSON writes v as JSON without HTML escaping ("->" stays "->").
func encodeJSON(w io.Writer, v any, indent string) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	return enc.Encode(v)
}

// recordJSON is a Record in JSON (sweep output and shard lines).
type recordJSON struct {
	Run           int              `json:"run"`
	Point         int              `json:"point"`
	Seed          uint64           `json:"seed"`
	OK            bool             `json:"ok"`
	FailedBecause *string          `json:"failed_because"`
	Status        string           `json:"status"`
	Flows         []flowRecordJSON `json:"flows"`
}

type flowRecordJSON struct {
	Flow            string   `json:"flow"`
	Complete        bool     `json:"complete"`
	FailedBecause   *string  `json:"failed_because"`
	Goodput         *float64 `json:"goodput_bps"`
	DeliveryRatio   *float64 `json:"delivery_ratio"`
	Retransmissions *float64 `json:"retransmissions"`
	CompletionTime  *float64 `json:"completion_time_s"`
	QueueDelayMean  *float64 `json:"queue_delay_mean_s"`
	QueueDelayP99   *float64 `json:"queue_delay_p99_s"`
}

func failureJSON(f Failure) *string {
	if f == None {
		return nil
	}
	k := f.Key()
	return &k
}

func (r *Record) toJSON(flows []FlowInfo) recordJSON {
	out := recordJSON{Run: r.Run, Point: r.Point, Seed: r.Seed, OK: r.OK(), FailedBecause: failureJSON(r.Failure),
		Status: r.Status, Flows: make([]flowRecordJSON, len(r.Flows))}
	for i, f := range r.Flows {
		name := ""
		if i < len(flows) {
			name = flows[i].Name
		}
		out.Flows[i] = flowRecordJSON{Flow: name, Complete: f.Complete, FailedBecause: failureJSON(f.Failure),
			Goodput: jf(f.Values[Goodput]), DeliveryRatio: jf(f.Values[DeliveryRatio]),
			Retransmissions: jf(f.Values[Retransmissions]), CompletionTime: jf(f.Values[CompletionTime]),
			QueueDelayMean: jf(f.Values[QueueDelayMean]), QueueDelayP99: jf(f.Values[QueueDelayP99])}
	}
	return out
}

// spill holds a report's run rows until the summary is written before
// them: a temporary file, or memory where there is no file system (the
// browser lab's wasm engine, whose sweeps are bounded by MaxSweepRuns).
type spill interface {
	io.ReadWriteSeeker
	Name() string
	remove()
}

// fileSpill is a spill in a temporary file.
type fileSpill struct{ *os.File }

func (f fileSpill) remove() {
	f.Close()
	os.Remove(f.Name())
}

// memSpill is a spill in memory.
type memSpill struct {
	bytes.Reader
	buf []byte
}

// newSpill returns a temporary file, or memory on js/wasm.
func newSpill() (spill, error) {
	if runtime.GOOS == "js" {
		return &memSpill{}, nil
	}
	f, err := os.CreateTemp("", "tcpsim-sweep-runs-*")
	if err != nil {
		return nil, fmt.Errorf("sweep: a temporary file for the runs: %w", err)
	}
	return fileSpill{f}, nil
}

func (m *memSpill) Write(p []byte) (int, error) {
	m.buf = append(m.buf, p...)
	return len(p), nil
}

func (m *memSpill) Seek(off int64, whence int) (int64, error) {
	m.Reader.Reset(m.buf)
	return m.Reader.Seek(off, whence)
}

func (m *memSpill) Name() string { return "memory" }
func (m *memSpill) remove()      { m.buf = nil }
