package sweep

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"

	"tcpsim/internal/report"
)

// Meta is what output needs to know of a plan; shard files carry it so
// that merge prints exactly what an unsharded sweep prints.
type Meta struct {
	File     string     `json:"file"`
	Scenario string     `json:"scenario"`
	Axes     []Axis     `json:"vary"`
	Seeds    int        `json:"seeds"`
	BaseSeed uint64     `json:"base_seed"`
	Flows    []string   `json:"flows"`
	Labels   [][]string `json:"points"`
}

// Runs returns the total number of runs of the sweep.
func (m Meta) Runs() int { return len(m.Labels) * m.Seeds }

// PointStats is the summary of one metric for one flow at one point.
type PointStats struct {
	Point  int
	Flow   string
	Metric string
	Summary
}

// Summaries computes every (point, flow, metric) summary in a fixed order.
func Summaries(m Meta, recs []Record) []PointStats {
	// Group the runs by point once: linear in the number of runs.
	byPoint := make([][]int, len(m.Labels))
	for i, r := range recs {
		byPoint[r.Point] = append(byPoint[r.Point], i)
	}
	var out []PointStats
	xs := make([]float64, 0, m.Seeds)
	for mi, metric := range Metrics {
		for pt := range m.Labels {
			for fi, flow := range m.Flows {
				xs = xs[:0]
				for _, i := range byPoint[pt] {
					xs = append(xs, recs[i].Flows[fi].Values[mi])
				}
				out = append(out, PointStats{Point: pt, Flow: flow, Metric: metric, Summary: Summarise(xs)})
			}
		}
	}
	return out
}

var metricTitle = map[string]string{
	"goodput_bps":     "goodput (Mbps)",
	"delivery_ratio":  "delivery ratio (%)",
	"retransmissions": "retransmissions (segments)",
	"completion_s":    "completion time (s)",
}

func scale(metric string, v float64) float64 {
	switch metric {
	case "goodput_bps":
		return v / 1e6
	case "delivery_ratio":
		return v * 100
	}
	return v
}

func num(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

// Write prints the sweep's results in format (table, markdown, csv, json).
func Write(w io.Writer, m Meta, recs []Record, format string) error {
	sort.Slice(recs, func(i, j int) bool { return recs[i].Run < recs[j].Run })
	sums := Summaries(m, recs)
	switch format {
	case "", "table", "markdown":
		return writeTables(w, m, sums, format == "markdown")
	case "csv":
		return writeCSV(w, m, recs, sums)
	case "json":
		return writeJSON(w, m, recs, sums)
	}
	return fmt.Errorf("sweep: unknown format %q (want table, markdown, csv or json)", format)
}

func writeTables(w io.Writer, m Meta, sums []PointStats, md bool) error {
	title := fmt.Sprintf("sweep of %s (%s): %d points x %d seeds = %d runs; seeds %d..%d, the same at every point (common random numbers)",
		m.Scenario, m.File, len(m.Labels), m.Seeds, m.Runs(), m.BaseSeed, m.BaseSeed+uint64(m.Seeds)-1)
	if md {
		title = "### " + title
	}
	fmt.Fprintf(w, "%s\n\n", title)
	for _, metric := range Metrics {
		if md {
			fmt.Fprintf(w, "#### %s\n\n", metricTitle[metric])
		} else {
			fmt.Fprintf(w, "%s: mean, sample standard deviation, 95%% confidence interval (Student's t), range\n", metricTitle[metric])
		}
		t := report.NewTable(w, md)
		var head []any
		for _, a := range m.Axes {
			head = append(head, a.Path)
		}
		head = append(head, "flow", "n", "mean", "sd", "95% CI", "min", "max")
		t.Header(head...)
		for _, s := range sums {
			if s.Metric != metric {
				continue
			}
			row := append([]string(nil), m.Labels[s.Point]...)
			ci := "-"
			if !math.IsNaN(s.CILow) {
				ci = "[" + num(scale(metric, s.CILow)) + ", " + num(scale(metric, s.CIHigh)) + "]"
			}
			row = append(row, s.Flow, strconv.Itoa(s.N), num(scale(metric, s.Mean)), num(scale(metric, s.SD)), ci,
				num(scale(metric, s.Min)), num(scale(metric, s.Max)))
			if err := t.Append(row); err != nil {
				return err
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

// writeCSV writes one tidy CSV: a row per run value (kind=run) and a row
// per summary (kind=summary), in SI units (bps, ratio, s).
func writeCSV(w io.Writer, m Meta, recs []Record, sums []PointStats) error {
	cw := csv.NewWriter(w)
	head := []string{"kind"}
	for _, a := range m.Axes {
		head = append(head, a.Path)
	}
	head = append(head, "flow", "metric", "seed", "value", "n", "mean", "sd", "ci95_low", "ci95_high", "min", "max")
	cw.Write(head)
	for _, r := range recs {
		for fi, f := range r.Flows {
			for mi, metric := range Metrics {
				row := append([]string{"run"}, m.Labels[r.Point]...)
				row = append(row, m.Flows[fi], metric, strconv.FormatUint(r.Seed, 10), csvFloat(f.Values[mi]), "", "", "", "", "", "", "")
				cw.Write(row)
			}
		}
	}
	for _, s := range sums {
		row := append([]string{"summary"}, m.Labels[s.Point]...)
		row = append(row, s.Flow, s.Metric, "", "", strconv.Itoa(s.N), csvFloat(s.Mean), csvFloat(s.SD),
			csvFloat(s.CILow), csvFloat(s.CIHigh), csvFloat(s.Min), csvFloat(s.Max))
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

func jf(v float64) *float64 {
	if math.IsNaN(v) {
		return nil
	}
	return &v
}

func writeJSON(w io.Writer, m Meta, recs []Record, sums []PointStats) error {
	type sj struct {
		Point  []string `json:"point"`
		Flow   string   `json:"flow"`
		Metric string   `json:"metric"`
		N      int      `json:"n"`
		Mean   *float64 `json:"mean"`
		SD     *float64 `json:"sd"`
		CILow  *float64 `json:"ci95_low"`
		CIHigh *float64 `json:"ci95_high"`
		Min    *float64 `json:"min"`
		Max    *float64 `json:"max"`
	}
	out := struct {
		Meta    Meta     `json:"sweep"`
		Metrics []string `json:"metrics"`
		Summary []sj     `json:"summary"`
		Runs    []Record `json:"runs"`
	}{Meta: m, Metrics: Metrics, Runs: recs}
	for _, s := range sums {
		out.Summary = append(out.Summary, sj{m.Labels[s.Point], s.Flow, s.Metric, s.N, jf(s.Mean), jf(s.SD), jf(s.CILow), jf(s.CIHigh), jf(s.Min), jf(s.Max)})
	}
	for i := range out.Runs {
		prepJSON(&out.Runs[i])
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func prepJSON(r *Record) {
	for i := range r.Flows {
		f := &r.Flows[i]
		f.JSONVals = f.JSONVals[:0]
		for _, v := range f.Values {
			f.JSONVals = append(f.JSONVals, jf(v))
		}
	}
}

func fromJSON(r *Record) {
	for i := range r.Flows {
		f := &r.Flows[i]
		f.Values = f.Values[:0]
		for _, v := range f.JSONVals {
			if v == nil {
				f.Values = append(f.Values, math.NaN())
			} else {
				f.Values = append(f.Values, *v)
			}
		}
	}
}

type shardHeader struct {
	Format int    `json:"tcpsim_sweep_shard"`
	Shard  string `json:"shard"`
	Meta   Meta   `json:"sweep"`
}

// WriteShard writes a shard's raw records as JSON lines after a header.
func WriteShard(path string, m Meta, shard Shard, recs []Record) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	bw := bufio.NewWriter(f)
	enc := json.NewEncoder(bw)
	enc.Encode(shardHeader{Format: 1, Shard: fmt.Sprintf("%d/%d", shard.K, shard.N), Meta: m})
	for i := range recs {
		prepJSON(&recs[i])
		if err := enc.Encode(recs[i]); err != nil {
			f.Close()
			return fmt.Errorf("sweep: writing %s: %w", path, err)
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("sweep: writing %s: %w", path, err)
	}
	return f.Close()
}

// Merge reads shard files and returns their common description and all
// records, checking that they belong to one sweep and cover every run
// exactly once.
func Merge(paths []string) (Meta, []Record, error) {
	var meta Meta
	var metaJSON []byte
	var recs []Record
	seen := map[int]string{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return meta, nil, fmt.Errorf("merge: %w", err)
		}
		dec := json.NewDecoder(bufio.NewReader(f))
		var h shardHeader
		if err := dec.Decode(&h); err != nil || h.Format != 1 {
			f.Close()
			return meta, nil, fmt.Errorf("merge: %s: not a tcpsim sweep shard (write one with tcpsim sweep --shard K/N --out FILE)", p)
		}
		mj, _ := json.Marshal(h.Meta)
		if metaJSON == nil {
			meta, metaJSON = h.Meta, mj
		} else if string(mj) != string(metaJSON) {
			f.Close()
			return meta, nil, fmt.Errorf("merge: %s belongs to another sweep (different scenario, --vary or --seeds)", p)
		}
		for {
			var r Record
			if err := dec.Decode(&r); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				f.Close()
				return meta, nil, fmt.Errorf("merge: %s: %w", p, err)
			}
			if prev, dup := seen[r.Run]; dup {
				f.Close()
				return meta, nil, fmt.Errorf("merge: run %d is in both %s and %s", r.Run, prev, p)
			}
			seen[r.Run] = p
			fromJSON(&r)
			recs = append(recs, r)
		}
		f.Close()
	}
	if len(paths) == 0 {
		return meta, nil, fmt.Errorf("merge: no shard files given")
	}
	if n := meta.Runs(); len(recs) != n {
		return meta, nil, fmt.Errorf("merge: have %d of %d runs: a shard is missing", len(recs), n)
	}
	return meta, recs, nil
}
