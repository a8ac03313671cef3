package diagram

import (
	"encoding/xml"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"tcpsim/internal/direction"
	"tcpsim/internal/flowview"
	"tcpsim/internal/trace"
)

// The SVG form of the ladder: the same chart, rows and labels as Draw
// (the layout is shared), drawn for slides and handouts. Every row has an
// absolute y and every label is one <text> element (a wrapped label one
// element with a <tspan> per line), so the chart does not depend on the
// line height of whatever shows it, and labels never overlap: each has
// rows of its own, as in the text chart. Arrows, lanes and timer brackets
// are vector lines; in a topology they follow the text chart's polylines
// (hop by hop with Options.Hops), a wait in a queue a heavy stretch of
// lane.

// SVG geometry, in SVG user units (px).
const (
	svgCol  = 7.5 // one column of the text chart
	svgRow  = 18  // one row
	svgFont = 12
	svgPad  = 10
)

// SVG renders the events of one flow (as Draw) as a standalone SVG
// document headed by title.
func SVG(evs []trace.Event, opt Options, title string) string {
	c, l, g := prepare(evs, &opt)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	svgChart(&b, c, l, &opt, g, title)
	return b.String()
}

// HTML renders the events of one flow (as Draw) as an HTML page holding
// the SVG chart, for a browser or a handout.
func HTML(evs []trace.Event, opt Options, title string) string {
	c, l, g := prepare(evs, &opt)
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
	b.WriteString(esc(title))
	b.WriteString("</title>\n<style>body{margin:1em;background:#fff}svg{max-width:100%;height:auto}</style>\n</head>\n<body>\n")
	svgChart(&b, c, l, &opt, g, title)
	b.WriteString("</body>\n</html>\n")
	return b.String()
}

// esc escapes s for XML text and attribute values.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // writes to a strings.Builder: no error
	return b.String()
}

// arrowClass is the style class of an arrow: what it carries.
func arrowClass(a *arrow) string {
	if a.resent {
		return "resent"
	}
	switch a.kind {
	case flowview.KindData, flowview.KindProbe, flowview.KindPkt:
		return "data"
	case flowview.KindControl:
		return "ctl"
	case flowview.KindDatagram:
		return "udp"
	}
	return "ack"
}

// svgStyle colours the chart with the Okabe–Ito palette the lab uses.
const svgStyle = `<style>
text{fill:#000;white-space:pre}
.lane{stroke:#000;stroke-width:1.5}
.gap{stroke:#000;stroke-width:1.5;stroke-dasharray:2 3}
.data{stroke:#0072B2;fill:#0072B2}
.ack{stroke:#E69F00;fill:#E69F00;stroke-dasharray:5 3}
.ctl{stroke:#CC79A7;fill:#CC79A7}
.udp{stroke:#009E73;fill:#009E73}
.resent{stroke:#D55E00;fill:#D55E00;stroke-width:2}
.x{stroke:#D55E00;stroke-width:2.2}
.timer{stroke:#56B4E9;fill:none;stroke-width:1.5}
.head{stroke:none;stroke-dasharray:none}
.wait{stroke-width:4;stroke-dasharray:none}
.glyph{fill:#333}
text.label-data{fill:#005a8c}
text.label-ack{fill:#8a5a00}
text.label-ctl{fill:#8f3f72}
text.label-udp{fill:#006e52}
text.label-resent,text.label-x{fill:#a84300}
text.label-timer{fill:#2c6e91}
</style>
`

// svgGeom is where a laid-out chart's rows and columns fall in the SVG.
type svgGeom struct {
	top, left, labelX float64
}

// x is the centre of column col.
func (g svgGeom) x(col float64) float64 { return g.left + (col+0.5)*svgCol }

// y is the centre of row r.
func (g svgGeom) y(r float64) float64 { return g.top + (r+0.5)*svgRow }

// svgChart writes the <svg> element of a laid-out chart: its frame and
// header, lanes, arrows, timer brackets and labels, each a group.
func svgChart(b *strings.Builder, c *chart, l *chartLayout, opt *Options, g *glyphs, title string) {
	cv := newCanvas(l, opt, g)
	drawn := make([]bool, len(c.items))
	for _, i := range l.order {
		drawn[i] = true
	}
	left := float64(svgPad) + float64(l.timeW+1)*svgCol
	geo := svgGeom{top: float64(svgPad + 2*svgRow), left: left, labelX: left + float64(cv.cols+2)*svgCol} // title and header rows above
	foot := footer(l, opt, g)
	svgFrame(b, l, cv, geo, title, foot)
	svgLanes(b, l, cv, geo)

	b.WriteString(`<g id="packets">` + "\n")
	if opt.Route != nil {
		svgTopoArrows(b, c, l, opt, g, cv, drawn, geo.x, geo.y)
	} else {
		for k := range c.arrows {
			svgArrow(b, c, l, cv, &c.arrows[k], drawn, geo.x, geo.y)
		}
	}
	b.WriteString("</g>\n")

	svgBrackets(b, c, cv, geo)
	svgLabels(b, l, cv, geo, rowClasses(c, l, cv.n))
	if foot != "" {
		fmt.Fprintf(b, `<text class="footer" x="%d" y="%s" dominant-baseline="central">%s</text>`+"\n", svgPad, num(geo.y(float64(cv.n))), esc(foot))
	}
	b.WriteString("</svg>\n")
}

// rowClasses returns the class of what each of n rows labels (a packet's
// kind, "x" for a loss, "timer"), for the label's colour.
func rowClasses(c *chart, l *chartLayout, n int) []string {
	class := make([]string, n)
	for _, i := range l.order {
		it := &c.items[i]
		if it.row < 0 || it.row >= n {
			continue
		}
		switch it.kind {
		case itemDepart:
			class[it.row] = arrowClass(&c.arrows[it.arrow])
		case itemArrive:
			class[it.row] = "x"
			if c.arrows[it.arrow].end == endDeliver {
				class[it.row] = arrowClass(&c.arrows[it.arrow])
			}
		case itemArm, itemFire:
			class[it.row] = "timer"
		case itemNote:
			class[it.row] = "" // a note may share an arrival's row: the row is the note's
		}
	}
	return class
}

// svgFrame opens the <svg> element, sized to hold every label, the title
// and the footer, and writes the title and the header: the time column
// and the lanes' names.
func svgFrame(b *strings.Builder, l *chartLayout, cv *canvas, geo svgGeom, title, foot string) {
	widest := float64(utf8.RuneCountInString(title))*svgCol - (geo.labelX - svgPad)
	for r := 0; r < cv.n; r++ {
		widest = max(widest, float64(utf8.RuneCountInString(l.rows[r].text))*svgCol)
	}
	w := geo.labelX + max(widest, 0) + svgPad
	w = max(w, float64(svgPad)+float64(utf8.RuneCountInString(foot)+1)*svgCol)
	h := geo.y(float64(cv.n)) + svgPad
	if foot != "" {
		h += svgRow
	}
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="%d">`+"\n",
		num(w), num(h), num(w), num(h), svgFont)
	fmt.Fprintf(b, "<title>%s</title>\n", esc(title))
	b.WriteString(svgStyle)
	fmt.Fprintf(b, `<rect width="%s" height="%s" fill="#fff"/>`+"\n", num(w), num(h))
	fmt.Fprintf(b, `<text x="%d" y="%s" font-weight="bold">%s</text>`+"\n", svgPad, num(svgPad+svgRow*0.7), esc(title))
	fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="end">time (s)</text>`+"\n", num(geo.left-svgCol), num(geo.top-svgRow*0.3))
	names := cv.names
	if names == nil {
		names = []string{"a", "b"}
	}
	for k, col := range cv.laneCols {
		fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="middle" font-weight="bold">%s</text>`+"\n", num(geo.x(float64(col))), num(geo.top-svgRow*0.3), esc(names[k]))
	}
}

// svgLanes draws the lanes: solid, dashed across a gap.
func svgLanes(b *strings.Builder, l *chartLayout, cv *canvas, geo svgGeom) {
	b.WriteString(`<g id="lanes">` + "\n")
	for _, col := range cv.laneCols {
		for r := 0; r < cv.n; {
			gap := l.rows[r].gap
			s := r
			for r < cv.n && l.rows[r].gap == gap {
				r++
			}
			cls := "lane"
			if gap {
				cls = "gap"
			}
			fmt.Fprintf(b, `<line class="%s" x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", cls, num(geo.x(float64(col))), num(geo.y(float64(s)-0.5)), num(geo.x(float64(col))), num(geo.y(float64(r)-0.5)))
		}
	}
	b.WriteString("</g>\n")
}

// svgBrackets draws the timer brackets in the lanes' margins.
func svgBrackets(b *strings.Builder, c *chart, cv *canvas, geo svgGeom) {
	b.WriteString(`<g id="timers">` + "\n")
	for _, br := range c.brackets {
		if br.col < 0 {
			continue
		}
		col, tick := cv.laneA-2-2*br.col, 0.6
		if br.lane == 1 {
			col, tick = cv.laneB+2+2*br.col, -0.6
		}
		r0, r1 := -0.5, float64(cv.n)-0.5
		var pts []string
		xc := geo.x(float64(col))
		if br.arm >= 0 {
			r0 = float64(c.items[br.arm].row)
			pts = append(pts, num(xc+tick*svgCol)+","+num(geo.y(r0)))
		}
		pts = append(pts, num(xc)+","+num(geo.y(r0)))
		if br.fire >= 0 {
			r1 = float64(c.items[br.fire].row)
		}
		pts = append(pts, num(xc)+","+num(geo.y(r1)))
		if br.fire >= 0 {
			pts = append(pts, num(xc+tick*svgCol)+","+num(geo.y(r1)))
		}
		fmt.Fprintf(b, `<polyline class="timer" points="%s"/>`+"\n", strings.Join(pts, " "))
	}
	b.WriteString("</g>\n")
}

// svgLabels writes the times and labels: one <text> per label, its
// wrapped lines as tspans, coloured by class.
func svgLabels(b *strings.Builder, l *chartLayout, cv *canvas, geo svgGeom, class []string) {
	b.WriteString(`<g id="labels">` + "\n")
	for r := 0; r < cv.n; r++ {
		row := &l.rows[r]
		if row.timed {
			fmt.Fprintf(b, `<text class="time" x="%s" y="%s" text-anchor="end" dominant-baseline="central">%.6f</text>`+"\n", num(geo.left-svgCol), num(geo.y(float64(r))), row.t.Seconds())
		}
		if row.text == "" || strings.HasPrefix(row.text, "  ") && r > 0 && l.rows[r-1].text != "" {
			continue // empty, or a continuation written with its first line
		}
		cls := "label"
		if class[r] != "" {
			cls += " label-" + class[r]
		}
		if row.gap {
			cls = "label gap-label"
		}
		fmt.Fprintf(b, `<text class="%s" x="%s" y="%s" dominant-baseline="central">`, cls, num(geo.labelX), num(geo.y(float64(r))))
		b.WriteString(esc(row.text))
		for n := r + 1; n < cv.n && strings.HasPrefix(l.rows[n].text, "  "); n++ {
			fmt.Fprintf(b, `<tspan x="%s" y="%s">%s</tspan>`, num(geo.labelX), num(geo.y(float64(n))), esc(l.rows[n].text))
		}
		b.WriteString("</text>\n")
	}
	b.WriteString("</g>\n")
}

// svgTopoArrows draws a topology's arrows as the text chart lays them out
// (topoRender): each slope a line, each wait in a queue a heavy stretch of
// lane, each end a head or an X.
func svgTopoArrows(b *strings.Builder, c *chart, l *chartLayout, opt *Options, g *glyphs, cv *canvas, drawn []bool, x, y func(float64) float64) {
	t := topoRender{c: c, l: l, opt: opt, g: g, drawn: drawn, names: cv.names, laneCols: cv.laneCols}
	noop := func(int, int, rune) {}
	bottom := float64(cv.n) - 0.5
	for k := range c.arrows {
		a := &c.arrows[k]
		s0, w0, e0 := len(t.segs), len(t.waits), len(t.ends)
		t.arrow(a, noop)
		cls := arrowClass(a)
		for _, sg := range t.segs[s0:] {
			r0, r1, from, to := float64(sg[0]), float64(sg[1]), float64(sg[2]), float64(sg[3])
			at := func(r float64) float64 {
				if r1 == r0 {
					return to
				}
				return from + (to-from)*(r-r0)/(r1-r0)
			}
			s, e := max(r0, -0.5), min(r1, bottom)
			if e < s {
				continue
			}
			xs := at(s)
			if r1 == r0 {
				xs = from
			}
			fmt.Fprintf(b, `<line class="%s" x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", cls, num(x(xs)), num(y(s)), num(x(at(e))), num(y(e)))
		}
		for _, w := range t.waits[w0:] {
			if w.r < 0 || w.r >= cv.n {
				continue
			}
			fmt.Fprintf(b, `<line class="%s wait" x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", cls, num(x(float64(w.col))), num(y(float64(w.r)-0.5)), num(x(float64(w.col))), num(y(float64(w.r)+0.5)))
		}
		for _, m := range t.ends[e0:] {
			if m.r < 0 || m.r >= cv.n {
				continue
			}
			cx, cy := x(float64(m.col)), y(float64(m.r))
			switch m.ch {
			case g.lost:
				svgX(b, cx, cy)
			case g.right, g.left:
				d := 1.0
				if m.ch == g.left {
					d = -1
				}
				fmt.Fprintf(b, `<polygon class="%s head" points="%s,%s %s,%s %s,%s"/>`+"\n", cls,
					num(cx+d*svgCol/2), num(cy), num(cx-d*svgCol/2), num(cy-3.5), num(cx-d*svgCol/2), num(cy+3.5))
			}
		}
	}
}

// svgArrow draws one arrow of the two-host chart as a line from lane to
// lane (clipped at the top and the cut), with its head, or its X where it
// died.
func svgArrow(b *strings.Builder, c *chart, l *chartLayout, cv *canvas, a *arrow, drawn []bool, x, y func(float64) float64) {
	from, to := float64(cv.laneA), float64(cv.laneB)
	if a.dir == direction.BA {
		from, to = to, from
	}
	var r0, r1 float64
	switch {
	case a.depart >= 0 && drawn[a.depart] && a.arrive >= 0:
		r0, r1 = float64(c.items[a.depart].row), float64(c.items[a.arrive].row)
	case a.depart >= 0 && drawn[a.depart]:
		r0, r1 = float64(c.items[a.depart].row), float64(l.cutRow+RowsPerDelay)
	case a.depart < 0 && a.arrive >= 0 && drawn[a.arrive]:
		end := c.items[a.arrive]
		r1 = float64(end.row)
		r0 = float64(min(end.row-int((end.t-a.t0+l.q/2)/l.q), -1))
	default:
		return
	}
	cls := arrowClass(a)
	if a.end == endQueueDrop {
		svgX(b, x(from)+(to-from)*0.15*svgCol, y(r0))
		return
	}
	stop := to
	if a.end == endLost {
		stop = (from + to) / 2
	}
	at := func(r float64) float64 {
		if r1 == r0 {
			return stop
		}
		return from + (stop-from)*(r-r0)/(r1-r0)
	}
	s, e := max(r0, -0.5), min(r1, float64(cv.n)-0.5)
	if e < s {
		return
	}
	fmt.Fprintf(b, `<line class="%s" x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", cls, num(x(at(s))), num(y(s)), num(x(at(e))), num(y(e)))
	if e < r1 {
		return // runs off the bottom
	}
	switch a.end {
	case endLost, endChecksum:
		svgX(b, x(stop), y(r1))
	case endDeliver:
		// The head: a triangle pointing along the arrow.
		dx, dy := x(stop)-x(at(s)), y(r1)-y(s)
		n := max(1e-9, math.Hypot(dx, dy))
		ux, uy := dx/n, dy/n
		hx, hy := x(stop), y(r1)
		p1x, p1y := hx-8*ux+3.5*uy, hy-8*uy-3.5*ux
		p2x, p2y := hx-8*ux-3.5*uy, hy-8*uy+3.5*ux
		fmt.Fprintf(b, `<polygon class="%s head" points="%s,%s %s,%s %s,%s"/>`+"\n", cls, num(hx), num(hy), num(p1x), num(p1y), num(p2x), num(p2y))
	}
}

// svgX draws an X centred at (cx, cy).
func svgX(b *strings.Builder, cx, cy float64) {
	const d = 5
	fmt.Fprintf(b, `<path class="x" d="M%s %sL%s %sM%s %sL%s %s"/>`+"\n",
		num(cx-d), num(cy-d), num(cx+d), num(cy+d), num(cx-d), num(cy+d), num(cx+d), num(cy-d))
}

// num writes a coordinate with at most two decimals, without trailing
// zeros: the same bytes on every platform.
func num(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// footer is the line that says why the chart stops, if it stops early (as
// the text chart's last line).
func footer(l *chartLayout, opt *Options, g *glyphs) string {
	switch {
	case l.truncated:
		return fmt.Sprintf("%s truncated after %d packets (use --max-packets to see more)", g.ellipsis, opt.MaxPackets)
	case l.windowEnd && opt.To > 0:
		return fmt.Sprintf("%s window ends at %.6f s", g.ellipsis, opt.To.Seconds())
	}
	return ""
}
