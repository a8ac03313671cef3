package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"tcpsim/internal/direction"
	"tcpsim/internal/run"
	"tcpsim/sim"
)

// Header is the line that introduces a run (plain text: writeTables
// escapes it for Markdown).
func Header(r *run.Result) string {
	why := map[sim.StopReason]string{
		sim.Drained:     "no events were left",
		sim.TimeLimit:   "it reached its time limit (until)",
		sim.EventBudget: "it spent its event budget (max_events)",
		sim.Stopped:     "every flow had finished",
		sim.Interrupted: "it was interrupted",
	}[r.Reason]
	if r.Emulated != nil {
		return fmt.Sprintf("%s (seed %d, emulated: real packets over the links in real time): %s; ran %s, %d link events; ended because %s",
			r.Scenario, r.Seed, r.Status(), Duration(r.End), r.Events, why)
	}
	return fmt.Sprintf("%s (seed %d): %s; simulated %s, %d events; ended because %s",
		r.Scenario, r.Seed, r.Status(), Duration(r.End), r.Events, why)
}

// RelayLine summarises an emulated run's relay timing in one line, or
// returns "" for a simulated run.
func RelayLine(r *run.Result) string {
	em := r.Emulated
	if em == nil {
		return ""
	}
	us := func(t sim.Time) string { return fmt.Sprintf("%.0f µs", float64(t)/1e3) }
	line := fmt.Sprintf("relay: %d packets read, %d released; release error p50 %s, p99 %s, max %s; %d stalls over %s (longest %s); %d unplaceable packets dropped",
		em.Packets, em.Releases, us(em.ReleaseP50), us(em.ReleaseP99), us(em.ReleaseMax), em.Stalls, us(em.StallOver), us(em.MaxStall), em.Dropped)
	if n := em.Packets + em.Releases; n > 0 && em.Wall > 0 {
		line += fmt.Sprintf("; relay CPU %.1f%% of %s, %.1f µs per packet read or released", 100*em.CPU.Seconds()/em.Wall.Seconds(), Duration(em.Wall), float64(em.CPU)/1e3/float64(n))
	}
	if em.Releases > 0 {
		line += fmt.Sprintf("; %d releases found it awake (their p99 %s), the others waited for a sleep that woke late (sleeps overshot p99 %s)",
			em.AwakeReleases, us(em.AwakeP99), us(em.WakeP99))
	}
	return line
}

// markdownEscaper escapes, with backslashes (CommonMark §2.4), the
// characters that Markdown would read as syntax inside a table cell or a
// heading: the cell separator |, the backslash itself (so that a name
// ending in one cannot escape the separator after it), emphasis, code,
// links, HTML and entities. Names are free text (flow "a|b" is a name,
// not two cells), and every other character stands for itself.
var markdownEscaper = strings.NewReplacer(`\`, `\\`, `|`, `\|`, "`", "\\`", `*`, `\*`, `_`, `\_`,
	`[`, `\[`, `]`, `\]`, `<`, `\<`, `&`, `\&`, `~`, `\~`)

// MarkdownEscape returns s escaped for a Markdown table cell or heading.
func MarkdownEscape(s string) string { return markdownEscaper.Replace(s) }

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
		escape := tw.CellFilter{Global: func(cells []string) []string {
			out := make([]string, len(cells))
			for i, c := range cells {
				out[i] = MarkdownEscape(c)
			}
			return out
		}}
		opts = append(opts, tablewriter.WithRenderer(renderer.NewMarkdown()),
			tablewriter.WithHeaderFilter(escape), tablewriter.WithRowFilter(escape))
	} else {
		opts = append(opts, tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})))
	}
	return tablewriter.NewTable(w, opts...)
}

// writeTables prints the header line, the flow table (a column per flow,
// "-" where a row does not apply to the flow's protocol, rows that apply
// to no flow left out) and the link table (a column per direction).
func writeTables(w io.Writer, r *run.Result, sections []string, md bool) error {
	title := Header(r)
	if md {
		title = "### " + MarkdownEscape(title)
	}
	if _, err := fmt.Fprintf(w, "%s\n\n", title); err != nil {
		return err
	}
	if has(sections, "flows") {
		// Members of a repeated flow are summarised by family below, not
		// given a column each.
		var flows []*run.FlowResult
		for i := range r.Flows {
			if r.Flows[i].Family == "" {
				flows = append(flows, &r.Flows[i])
			}
		}
		if len(flows) > 0 {
			if err := writeFlowTable(w, r, flows, md); err != nil {
				return err
			}
		}
		if err := writeFamilies(w, r, md, len(flows) > 0); err != nil {
			return err
		}
		if err := writeFairness(w, r); err != nil {
			return err
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	if has(sections, "link") {
		dirs := linkDirs(r)
		for _, part := range linkParts(dirs, r.Topology) {
			if err := writeLinkTable(w, r, part, md); err != nil {
				return err
			}
		}
		if len(r.Routers) > 0 {
			if err := writeRouterTable(w, r, md); err != nil {
				return err
			}
		}
	}
	if line := RelayLine(r); line != "" {
		if _, err := fmt.Fprintf(w, "%s\n\n", line); err != nil {
			return err
		}
	}
	return nil
}

// maxLinkColumns is how many link directions one link table shows in the
// topology form: a wider network gets one table per group of links (a
// link's two directions stay side by side), so that every table fits a
// terminal and rows keep their titles.
const maxLinkColumns = 8

// linkParts splits dirs into the link tables to print: all of them in one
// in the shorthand form.
func linkParts(dirs []linkDir, topo bool) [][]linkDir {
	if !topo {
		return [][]linkDir{dirs}
	}
	var parts [][]linkDir
	for len(dirs) > maxLinkColumns {
		parts = append(parts, dirs[:maxLinkColumns])
		dirs = dirs[maxLinkColumns:]
	}
	return append(parts, dirs)
}

// writeLinkTable prints one link table, a column per direction: named
// "forward a->b" in the shorthand form, "r1->r2" in a topology.
func writeLinkTable(w io.Writer, r *run.Result, dirs []linkDir, md bool) error {
	topo := r.Topology
	t := NewTable(w, md)
	head := []any{"link"}
	for _, d := range dirs {
		if topo {
			head = append(head, d.l.Name)
		} else {
			head = append(head, d.l.Name+" "+direction.Of(d.from, d.to).String())
		}
	}
	t.Header(head...)
	for i := range linkRows {
		rw := &linkRows[i]
		if rw.when != nil && !rw.when(r) {
			continue
		}
		cells := []string{rw.title}
		for _, d := range dirs {
			cells = append(cells, rw.cell(d))
		}
		if err := t.Append(cells); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}

// writeRouterTable prints each router's forwarding decisions.
func writeRouterTable(w io.Writer, r *run.Result, md bool) error {
	t := NewTable(w, md)
	head := []any{"router"}
	for _, x := range r.Routers {
		head = append(head, x.Name)
	}
	t.Header(head...)
	for i := range routerRows {
		rw := &routerRows[i]
		cells := []string{rw.title}
		for j := range r.Routers {
			cells = append(cells, rw.cell(&r.Routers[j]))
		}
		if err := t.Append(cells); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}

// writeFlowTable prints the flow table: a column per flow, "-" where a
// row does not apply to the flow's protocol, rows that apply to no flow
// left out.
func writeFlowTable(w io.Writer, r *run.Result, flows []*run.FlowResult, md bool) error {
	t := NewTable(w, md)
	head := []any{"flow"}
	for _, f := range flows {
		head = append(head, f.Name)
	}
	t.Header(head...)
	for i := range flowRows {
		rw := &flowRows[i]
		cells := []string{rw.title}
		used := false
		for _, f := range flows {
			if rw.appliesTo(f.Protocol) {
				cells = append(cells, rw.cell(f))
				used = true
			} else {
				cells = append(cells, "-")
			}
		}
		if used && rw.rare && !slices.ContainsFunc(cells[1:], func(c string) bool { return c != "0" && c != "-" }) {
			used = false
		}
		if rw.when != nil && !rw.when(r) {
			used = false
		}
		if used {
			if err := t.Append(cells); err != nil {
				return err
			}
		}
	}
	return t.Render()
}

// writeFairness prints, under the flow table, Jain's fairness index of the
// goodputs of each protocol that has at least two flows.
func writeFairness(w io.Writer, r *run.Result) error {
	for _, f := range runFields {
		if !strings.HasPrefix(f.Key, "jain_fairness_") {
			continue
		}
		v := f.get(r)
		if v == nil {
			continue
		}
		p := strings.ToUpper(strings.TrimPrefix(f.Key, "jain_fairness_"))
		if _, err := fmt.Fprintf(w, "Jain's fairness index of the %s goodputs: %s (1 = equal shares)\n", p, f.text(v)); err != nil {
			return err
		}
	}
	return nil
}
