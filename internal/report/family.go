package report

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"tcpsim/internal/run"
	"tcpsim/sim"
)

// A repeated flow (repeat: in the scenario) may stand for thousands of
// flows: the text table summarises each such family in one column instead
// of printing a column per member. JSON and CSV keep every member, by its
// name (<family>#<k>).

// family is one repeated flow's members, in run order.
type family struct {
	name    string
	members []*run.FlowResult
}

// families returns the run's repeated flows in order of first appearance.
func families(r *run.Result) []family {
	var out []family
	at := map[string]int{}
	for i := range r.Flows {
		f := &r.Flows[i]
		if f.Family == "" {
			continue
		}
		k, ok := at[f.Family]
		if !ok {
			k = len(out)
			at[f.Family] = k
			out = append(out, family{name: f.Family})
		}
		out[k].members = append(out[k].members, f)
	}
	return out
}

// familyRow is one row of the family table.
type familyRow struct {
	title string
	cell  func(*family) string
}

var familyRows = []familyRow{
	{"flows", func(fm *family) string { return strconv.Itoa(len(fm.members)) }},
	{"complete", func(fm *family) string {
		n := 0
		for _, f := range fm.members {
			if f.Complete {
				n++
			}
		}
		return fmt.Sprintf("%d (%s)", n, pct(float64(n)/float64(len(fm.members))))
	}},
	{"bytes delivered", func(fm *family) string {
		var b int64
		for _, f := range fm.members {
			b += f.DeliveredBytes
		}
		return strconv.FormatInt(b, 10)
	}},
	{"aggregate goodput", func(fm *family) string {
		// The application's view of its parallel connections: every
		// byte they delivered over the span from the first start to the
		// last completion; "-" until every member has completed.
		var b int64
		first, last := sim.Time(math.MaxInt64), sim.Time(0)
		for _, f := range fm.members {
			if f.Completion < 0 {
				return "-"
			}
			b += f.DeliveredBytes
			first, last = min(first, f.Start), max(last, f.Start+f.Completion)
		}
		if last <= first {
			return "-"
		}
		return Rate(float64(b) * 8 / (last - first).Seconds())
	}},
	{"goodput mean / p50 / p99", func(fm *family) string {
		xs := fm.done(func(f *run.FlowResult) float64 { return f.Goodput })
		if len(xs) == 0 {
			return "-"
		}
		return Rate(mean(xs)) + " / " + Rate(quantile(xs, 0.5)) + " / " + Rate(quantile(xs, 0.99))
	}},
	{"completion mean / p50 / p99", func(fm *family) string {
		xs := fm.done(func(f *run.FlowResult) float64 { return float64(f.Completion) })
		if len(xs) == 0 {
			return "-"
		}
		d := func(x float64) string { return Duration(sim.Time(math.Round(x))) }
		return d(mean(xs)) + " / " + d(quantile(xs, 0.5)) + " / " + d(quantile(xs, 0.99))
	}},
	{"Jain's fairness index", func(fm *family) string {
		var xs []float64
		for _, f := range fm.members {
			if f.Complete {
				xs = append(xs, f.Goodput)
			}
		}
		return fairnessCell(jainIndex(xs))
	}},
}

// done returns get of the members that delivered all their data
// (Completion known), sorted.
func (fm *family) done(get func(*run.FlowResult) float64) []float64 {
	var xs []float64
	for _, f := range fm.members {
		if f.Completion >= 0 {
			xs = append(xs, get(f))
		}
	}
	slices.Sort(xs)
	return xs
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// quantile is the nearest-rank q-quantile of the sorted xs.
func quantile(xs []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(xs)))) - 1
	return xs[max(0, min(i, len(xs)-1))]
}

// writeFamilies prints the family table, one column per repeated flow,
// or nothing without one; gap puts a blank line before it (after the
// flow table).
func writeFamilies(w io.Writer, r *run.Result, md, gap bool) error {
	fams := families(r)
	if len(fams) == 0 {
		return nil
	}
	if gap {
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	t := NewTable(w, md)
	head := []any{"repeated flow"}
	for _, fm := range fams {
		head = append(head, fm.name)
	}
	t.Header(head...)
	for _, rw := range familyRows {
		cells := []string{rw.title}
		for i := range fams {
			cells = append(cells, rw.cell(&fams[i]))
		}
		if err := t.Append(cells); err != nil {
			return err
		}
	}
	return t.Render()
}
