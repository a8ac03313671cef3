package diagram

import (
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// svgCases are the SVG goldens (testdata/NAME.svg): a loss with fast and
// timeout retransmissions and a bracket, numbered datagrams, a window
// probe, and a topology drawn end to end and hop by hop.
var svgCases = []goldenCase{
	{"loss-fast-timeout", "loss-fast-timeout.yaml", nil},
	{"udp-numbered", "udp-numbered.yaml", nil},
	{"persist", "persist.yaml", nil},
	{"hops.ends", "hops.yaml", nil},
	{"hops", "hops.yaml", func(o *Options) { o.Hops = true }},
}

// Golden SVG charts: go test ./internal/diagram -update rewrites them.
func TestSVGGolden(t *testing.T) {
	for _, c := range svgCases {
		evs, opt := flowEvents(t, filepath.Join("testdata", c.file), 0)
		if c.opt != nil {
			c.opt(&opt)
		}
		got := SVG(evs, opt, c.name)
		golden := filepath.Join("testdata", c.name+".svg")
		if *update {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		b, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./internal/diagram -update)", err)
		}
		if got != string(b) {
			t.Errorf("%s differs from the drawing; if the change is intended, run with -update", golden)
		}
	}
}

// svgLabel is one label of a chart read back: its text and the rows (y
// of its first and last line) it takes.
type svgLabel struct {
	text   string
	y0, y1 float64
}

// readSVG checks that doc is well-formed XML with an <svg> root and
// returns its labels.
func readSVG(t *testing.T, doc string) []svgLabel {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	var labels []svgLabel
	var cur *svgLabel
	depth, root := 0, ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				root = x.Name.Local
			}
			depth++
			attr := func(n string) string {
				for _, a := range x.Attr {
					if a.Name.Local == n {
						return a.Value
					}
				}
				return ""
			}
			y, _ := strconv.ParseFloat(attr("y"), 64)
			switch {
			case x.Name.Local == "text" && strings.HasPrefix(attr("class"), "label"):
				labels = append(labels, svgLabel{y0: y, y1: y})
				cur = &labels[len(labels)-1]
			case x.Name.Local == "tspan" && cur != nil:
				cur.y1 = y
			}
		case xml.EndElement:
			depth--
			if x.Name.Local == "text" {
				cur = nil
			}
		case xml.CharData:
			if cur != nil {
				cur.text += string(x)
			}
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q, want svg", root)
	}
	return labels
}

// Every chart is well-formed XML; every packet that leaves in the chart
// has exactly one label; no two labels share a row (they are all in one
// column, so that is "never overlap"), whatever the scenario: the goldens
// and the crowded shipped exercises (a burst at 1 Gbps, UDP crowding
// TCP).
func TestSVGLabelsOnePerPacketNoOverlap(t *testing.T) {
	files := []string{"testdata/loss-fast-timeout.yaml", "testdata/burst.yaml", "testdata/hops.yaml", "testdata/rdt-gbn.yaml",
		"../../scenarios/exercises/02-timeout.yaml", "../../scenarios/exercises/26-kr-reno.yaml", "../../scenarios/exercises/28-udp-crowds-tcp.yaml"}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			evs, opt := flowEvents(t, file, 0)
			opt.MaxPackets = 60
			labels := readSVG(t, SVG(evs, opt, file))
			c, l, g := prepare(evs, &opt)
			departs := 0
			for _, i := range l.order {
				if it := &c.items[i]; it.kind == itemDepart && it.row < l.cutRow {
					departs++
				}
			}
			got := 0
			for _, lb := range labels {
				if strings.HasPrefix(lb.text, g.ab) || strings.HasPrefix(lb.text, g.ba) {
					got++
				}
			}
			if got != departs || departs == 0 {
				t.Errorf("%d packet labels for %d packets leaving in the chart", got, departs)
			}
			slices.SortFunc(labels, func(a, b svgLabel) int { return int(math.Round(a.y0 - b.y0)) })
			for k := 1; k < len(labels); k++ {
				if a, b := labels[k-1], labels[k]; b.y0 < a.y1+svgRow-0.01 {
					t.Errorf("labels overlap: %q (y %g-%g) and %q (y %g)", a.text, a.y0, a.y1, b.text, b.y0)
				}
			}
		})
	}
}

// The HTML page holds the same chart.
func TestHTMLHoldsSVG(t *testing.T) {
	evs, opt := flowEvents(t, "testdata/udp-numbered.yaml", 0)
	page := HTML(evs, opt, "udp <numbered> & co")
	svg := SVG(evs, opt, "udp <numbered> & co")
	_, body, _ := strings.Cut(svg, "\n") // without the XML declaration
	if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, body) {
		t.Fatalf("the page does not hold the SVG chart:\n%.400s", page)
	}
	if !strings.Contains(page, "<title>udp &lt;numbered&gt; &amp; co</title>") {
		t.Error("the title is not escaped")
	}
}
