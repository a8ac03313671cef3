// Package report prints run results as tables (tablewriter), Markdown, CSV
// or JSON. One list of metrics drives every format, so they never disagree.
package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"tcpsim/internal/run"
	"tcpsim/sim"
)

// Formats accepted by Write.
var Formats = []string{"table", "markdown", "csv", "json"}

// metric is one row of a flow table.
type metric struct {
	name string
	tcp  bool // applies to TCP flows
	udp  bool // applies to UDP flows
	val  func(f *run.FlowResult) string
}

func i64(v int64) string { return strconv.FormatInt(v, 10) }

// Rate formats bits per second with an SI prefix, e.g. "9.52 Mbps".
func Rate(bps float64) string {
	switch {
	case bps >= 1e9:
		return fmt.Sprintf("%.3g Gbps", bps/1e9)
	case bps >= 1e6:
		return fmt.Sprintf("%.3g Mbps", bps/1e6)
	case bps >= 1e3:
		return fmt.Sprintf("%.3g kbps", bps/1e3)
	}
	return fmt.Sprintf("%.3g bps", bps)
}

// Duration formats t in seconds, or "-" for a negative (unknown) time.
func Duration(t sim.Time) string {
	if t < 0 {
		return "-"
	}
	return fmt.Sprintf("%.6fs", t.Seconds())
}

func pct(x float64) string { return fmt.Sprintf("%.2f%%", 100*x) }

func tcp(f func(t *run.TCPResult) string) func(*run.FlowResult) string {
	return func(fr *run.FlowResult) string { return f(fr.TCP) }
}

var flowMetrics = []metric{
	{"protocol", true, true, func(f *run.FlowResult) string { return f.Protocol }},
	{"direction", true, true, func(f *run.FlowResult) string { return f.From + "->" + f.To }},
	{"status", true, true, func(f *run.FlowResult) string {
		switch {
		case f.Aborted != "":
			return "aborted"
		case f.Complete:
			return "complete"
		}
		return "unfinished"
	}},
	{"bytes offered", true, true, func(f *run.FlowResult) string { return i64(f.OfferedBytes) }},
	{"bytes delivered", true, true, func(f *run.FlowResult) string { return i64(f.DeliveredBytes) }},
	{"delivery ratio", true, true, func(f *run.FlowResult) string { return pct(f.DeliveryRatio) }},
	{"data verified", true, false, tcp(func(t *run.TCPResult) string { return t.Verified })},
	{"goodput", true, true, func(f *run.FlowResult) string { return Rate(f.Goodput) }},
	{"handshake time", true, false, tcp(func(t *run.TCPResult) string { return Duration(t.Handshake) })},
	{"completion time", true, true, func(f *run.FlowResult) string { return Duration(f.Completion) }},
	{"packets sent", true, true, func(f *run.FlowResult) string { return i64(f.PacketsSent) }},
	{"packets received", true, true, func(f *run.FlowResult) string { return i64(f.PacketsRecv) }},
	{"datagrams not delivered", false, true, func(f *run.FlowResult) string { return i64(f.Lost) }},
	{"retransmissions (timeout)", true, false, tcp(func(t *run.TCPResult) string { return i64(t.TimeoutRetrans) })},
	{"retransmissions (fast)", true, false, tcp(func(t *run.TCPResult) string { return i64(t.FastRetrans) })},
	{"RTO expirations", true, false, tcp(func(t *run.TCPResult) string { return i64(t.RTOExpirations) })},
	{"duplicate ACKs", true, false, tcp(func(t *run.TCPResult) string { return i64(t.DupAcks) })},
	{"checksum drops", true, true, func(f *run.FlowResult) string { return i64(f.ChecksumDrops) }},
	{"corrupt delivered", false, true, func(f *run.FlowResult) string { return i64(f.Corrupt) }},
	{"out of order", true, true, func(f *run.FlowResult) string { return i64(f.OutOfOrder) }},
	{"duplicates discarded", true, true, func(f *run.FlowResult) string { return i64(f.Duplicates) }},
	{"zero windows advertised", true, false, tcp(func(t *run.TCPResult) string { return i64(t.ZeroWindows) })},
	{"window probes", true, false, tcp(func(t *run.TCPResult) string { return i64(t.WindowProbes) })},
	{"cwnd final / max", true, false, tcp(func(t *run.TCPResult) string { return i64(t.CwndFinal) + " / " + i64(t.CwndMax) })},
	{"smoothed RTT", true, false, tcp(func(t *run.TCPResult) string { return Duration(t.SRTT) })},
	{"final RTO", true, false, tcp(func(t *run.TCPResult) string { return Duration(t.RTO) })},
	{"final state", true, false, tcp(func(t *run.TCPResult) string { return t.State })},
}

type linkMetric struct {
	name string
	val  func(l *run.LinkResult) string
}

var linkMetrics = []linkMetric{
	{"rate", func(l *run.LinkResult) string {
		if l.Config.Rate == 0 {
			return "unlimited"
		}
		return Rate(float64(l.Config.Rate))
	}},
	{"delay", func(l *run.LinkResult) string { return Duration(l.Config.Delay) }},
	{"loss (configured mean)", func(l *run.LinkResult) string { return pct(l.Config.Loss.Mean()) }},
	{"packets offered", func(l *run.LinkResult) string { return i64(l.Offered) }},
	{"bytes offered", func(l *run.LinkResult) string { return i64(l.OfferedBytes) }},
	{"queue drops", func(l *run.LinkResult) string { return i64(l.QueueDropped) }},
	{"lost", func(l *run.LinkResult) string { return i64(l.Lost) }},
	{"corrupted", func(l *run.LinkResult) string { return i64(l.Corrupted) }},
	{"duplicated", func(l *run.LinkResult) string { return i64(l.Duplicated) }},
	{"reordered", func(l *run.LinkResult) string { return i64(l.Reordered) }},
	{"delivered", func(l *run.LinkResult) string { return i64(l.Delivered) }},
	{"in flight at end", func(l *run.LinkResult) string { return i64(l.InFlight) }},
	{"max queue (packets)", func(l *run.LinkResult) string { return strconv.Itoa(l.MaxQueue) }},
}

// Options choose what Write prints.
type Options struct {
	Format string   // one of Formats
	Report []string // sections: "flows", "link"
}

func (o Options) has(section string) bool {
	if len(o.Report) == 0 {
		return true
	}
	for _, s := range o.Report {
		if s == section {
			return true
		}
	}
	return false
}

// Write prints r in the chosen format.
func Write(w io.Writer, r *run.Result, o Options) error {
	switch o.Format {
	case "", "table", "markdown":
		return writeTables(w, r, o)
	case "csv":
		return writeCSV(w, r)
	case "json":
		return writeJSON(w, r)
	}
	return fmt.Errorf("report: unknown format %q (want table, markdown, csv or json)", o.Format)
}

// Header is the line that introduces a run.
func Header(r *run.Result) string {
	why := map[sim.StopReason]string{
		sim.Drained:     "no events were left",
		sim.TimeLimit:   "it reached its time limit (until)",
		sim.EventBudget: "it spent its event budget (max_events)",
		sim.Stopped:     "every flow had finished",
		sim.Interrupted: "it was interrupted",
	}[r.Reason]
	return fmt.Sprintf("%s (seed %d): %s; simulated %s, %d events; ended because %s",
		r.Scenario, r.Seed, r.Status(), Duration(r.End), r.Events, why)
}

// NewTable returns a tablewriter v1 table in tcpsim's house style: ASCII
// borders (byte-stable for golden files) or Markdown, headers as written,
// first column left-aligned and the others right-aligned.
func NewTable(w io.Writer, markdown bool) *tablewriter.Table {
	opts := []tablewriter.Option{
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{Global: tw.AlignRight, PerColumn: []tw.Align{tw.AlignLeft}}),
	}
	if markdown {
		opts = append(opts, tablewriter.WithRenderer(renderer.NewMarkdown()))
	} else {
		opts = append(opts, tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})))
	}
	return tablewriter.NewTable(w, opts...)
}

func writeTables(w io.Writer, r *run.Result, o Options) error {
	md := o.Format == "markdown"
	title := Header(r)
	if md {
		title = "### " + title
	}
	if _, err := fmt.Fprintf(w, "%s\n\n", title); err != nil {
		return err
	}
	if o.has("flows") {
		t := NewTable(w, md)
		head := []any{"flow"}
		for _, f := range r.Flows {
			head = append(head, f.Name)
		}
		t.Header(head...)
		for _, m := range flowMetrics {
			row := []string{m.name}
			used := false
			for i := range r.Flows {
				f := &r.Flows[i]
				if (f.Protocol == "tcp" && m.tcp && f.TCP != nil) || (f.Protocol == "udp" && m.udp) {
					row = append(row, m.val(f))
					used = true
				} else {
					row = append(row, "-")
				}
			}
			if used {
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
	if o.has("link") {
		t := NewTable(w, md)
		t.Header("link", "forward a->b", "reverse b->a")
		for _, m := range linkMetrics {
			if err := t.Append([]string{m.name, m.val(&r.Links[0]), m.val(&r.Links[1])}); err != nil {
				return err
			}
		}
		if err := t.Append([]string{"IPv4 header drops at receiver", i64(r.HostDrop[1].IPHeaderErrors), i64(r.HostDrop[0].IPHeaderErrors)}); err != nil {
			return err
		}
		if err := t.Render(); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	return nil
}

// CSVHeader is the header of the per-flow CSV rows.
func CSVHeader() []string {
	h := []string{"scenario", "seed", "run status", "flow"}
	for _, m := range flowMetrics {
		h = append(h, m.name)
	}
	return h
}

// CSVRows returns one row per flow of r.
func CSVRows(r *run.Result) [][]string {
	var rows [][]string
	for i := range r.Flows {
		f := &r.Flows[i]
		row := []string{r.Scenario, strconv.FormatUint(r.Seed, 10), r.Status(), f.Name}
		for _, m := range flowMetrics {
			if (f.Protocol == "tcp" && m.tcp && f.TCP != nil) || (f.Protocol == "udp" && m.udp) {
				row = append(row, m.val(f))
			} else {
				row = append(row, "")
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func writeCSV(w io.Writer, r *run.Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader()); err != nil {
		return err
	}
	if err := cw.WriteAll(CSVRows(r)); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func writeJSON(w io.Writer, r *run.Result) error {
	type flowJSON struct {
		Name    string            `json:"name"`
		Metrics map[string]string `json:"metrics"`
	}
	type linkJSON struct {
		Name    string            `json:"name"`
		Metrics map[string]string `json:"metrics"`
	}
	out := struct {
		Scenario string     `json:"scenario"`
		File     string     `json:"file"`
		Seed     uint64     `json:"seed"`
		Status   string     `json:"status"`
		OK       bool       `json:"ok"`
		EndedBy  string     `json:"ended_by"`
		End      float64    `json:"end_s"`
		Events   uint64     `json:"events"`
		Flows    []flowJSON `json:"flows"`
		Links    []linkJSON `json:"links"`
	}{Scenario: r.Scenario, File: r.File, Seed: r.Seed, Status: r.Status(), OK: r.OK(), EndedBy: r.Reason.String(), End: r.End.Seconds(), Events: r.Events}
	for i := range r.Flows {
		f := &r.Flows[i]
		m := map[string]string{}
		for _, mt := range flowMetrics {
			if (f.Protocol == "tcp" && mt.tcp && f.TCP != nil) || (f.Protocol == "udp" && mt.udp) {
				m[mt.name] = mt.val(f)
			}
		}
		out.Flows = append(out.Flows, flowJSON{Name: f.Name, Metrics: m})
	}
	for i := range r.Links {
		l := &r.Links[i]
		m := map[string]string{}
		for _, lm := range linkMetrics {
			m[lm.name] = lm.val(l)
		}
		out.Links = append(out.Links, linkJSON{Name: l.Name, Metrics: m})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// FlowValue returns the table cell of metric (a row name such as
// "goodput") for the named flow, as printed.
func FlowValue(r *run.Result, flow, metric string) (string, bool) {
	for i := range r.Flows {
		f := &r.Flows[i]
		if f.Name != flow {
			continue
		}
		for _, m := range flowMetrics {
			if m.name == metric && ((f.Protocol == "tcp" && m.tcp && f.TCP != nil) || (f.Protocol == "udp" && m.udp)) {
				return m.val(f), true
			}
		}
	}
	return "", false
}
