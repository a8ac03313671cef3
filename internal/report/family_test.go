package report

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/sim"
)

// A repeated flow gets one summary column in the text table, none per
// member, while JSON lists every member; the summary's numbers are those
// of the members.
func TestRepeatedFlowSummary(t *testing.T) {
	sc, err := scenario.Parse("fam.yaml", []byte(`name: fam
link: {rate: 100Mbps, delay: 2ms}
flows:
  - {name: bulk, protocol: tcp, bytes: 200KB}
  - {name: web, protocol: tcp, bytes: 20KB, repeat: {count: 40, every: exp(1ms)}}
`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := run.Scenario(sc, 1)
	if err != nil {
		t.Fatal(err)
	}
	text := render(t, "table", []*run.Result{r}, nil)
	if strings.Contains(text, "web#") {
		t.Fatalf("the table names members:\n%s", text)
	}
	tabs := parseTables(t, text)
	fam := tabs["repeated flow"]
	if fam == nil || !slices.Equal(fam.head, []string{"web"}) {
		t.Fatalf("no family table with one column web:\n%s", text)
	}
	if fl := tabs["flow"]; fl == nil || !slices.Equal(fl.head, []string{"bulk"}) {
		t.Fatalf("the flow table should hold bulk alone:\n%s", text)
	}
	var bytes int64
	var comps []float64
	for _, f := range r.Flows[1:] {
		bytes += f.DeliveredBytes
		comps = append(comps, float64(f.Completion))
	}
	slices.Sort(comps)
	want := map[string]string{
		"flows":           "40",
		"complete":        "40 (100.00%)",
		"bytes delivered": fmt.Sprint(bytes),
	}
	for row, w := range want {
		if got := fam.rows[row]; len(got) != 1 || got[0] != w {
			t.Errorf("%s: got %v, want %s", row, got, w)
		}
	}
	// The p99 of 40 completion times is the 40th (nearest rank).
	d := strings.Split(fam.rows["completion mean / p50 / p99"][0], " / ")
	p50, p99 := Duration(sim.Time(comps[19])), Duration(sim.Time(comps[39]))
	if len(d) != 3 || d[1] != p50 || d[2] != p99 {
		t.Errorf("completion cells %v, want p50 %s and p99 %s", d, p50, p99)
	}
	var docs []struct {
		Flows []struct{ Name string } `json:"flows"`
	}
	if err := json.Unmarshal([]byte(render(t, "json", []*run.Result{r}, nil)), &docs); err != nil || len(docs) != 1 {
		t.Fatal(err, len(docs))
	}
	doc := docs[0]
	if len(doc.Flows) != 41 || doc.Flows[40].Name != "web#40" {
		t.Fatalf("JSON flows: %d, last %+v", len(doc.Flows), doc.Flows[len(doc.Flows)-1])
	}
}

func TestQuantileNearestRank(t *testing.T) {
	xs := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, c := range []struct{ q, want float64 }{{0.5, 5}, {0.99, 10}, {0.1, 1}, {0.11, 2}, {1, 10}, {0, 1}} {
		if got := quantile(xs, c.q); got != c.want {
			t.Errorf("quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	if m := mean(xs); math.Abs(m-5.5) > 1e-12 {
		t.Errorf("mean %v", m)
	}
}
