package web

// Browser tests of issue 19's networks: a topology's ladder named by its
// hosts and drawn hop by hop, its queues, packets and drops in the
// network drawing, the link sliders choosing their link, and state labels
// off the lanes at phone width.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// seekTo moves the page's cursor to simulated time t (through the
// timeline, as a student drags it) and returns the time it stands at.
func (l *lab) seekTo(t float64) float64 {
	l.t.Helper()
	end := eval[float64](l, `tcpsimPage.run.model.end`)
	l.setAndFire("#scrub", fmt.Sprint(math.Round(t/end*10000)), "input")
	return eval[float64](l, `tcpsimPage.t`)
}

// pickFlow picks a flow in the Flow menu.
func (l *lab) pickFlow(name string) {
	l.t.Helper()
	l.setAndFire("#flow", name, "change")
}

// lanes is what the ladder drew of its lanes.
type lanes struct {
	Names []string
	Subs  []string
	Xs    []float64
	Hops  *string
}

// The ladder of a topology's flow names its lanes by the flow's hosts;
// with Hops it has a lane per node of the flow's path, the path `tcpsim
// diagram --hops` draws, and each packet is one arrow across them.
func TestBrowserNetworkLanesAndHops(t *testing.T) {
	l := newLab(t, 1400, 1000)
	l.open("#s=networks/parking-lot.yaml")
	l.settle()
	// Every flow's packets are between its end hosts: a->b or b->a,
	// never a hop's own direction.
	if bad := eval[int](l, `tcpsimPage.run.model.packets.filter(p => p.dir !== "a->b" && p.dir !== "b->a").length`); bad != 0 {
		t.Errorf("%d packets have a hop's direction: a packet per hop, not one followed across the network", bad)
	}
	// Every event about a packet on a hop is tied to its packet, so the
	// event log names it in the ladder's words.
	if bad := eval[int](l, `(() => { const tr = tcpsimPage.run.model.events; let n = 0; for (let i = 0; i < tr.n; i++) { const e = tr.event(i); if (e.dir && e.id && !e.pkt) n++ } return n })()`); bad != 0 {
		t.Errorf("%d events on the wire are tied to no packet", bad)
	}
	if w := eval[string](l, `(() => { const tr = tcpsimPage.run.model.events; for (let i = 0; i < tr.n; i++) { const e = tr.event(i); if (e.event === "transmit" && e.dir === "r2->r3" && e.pkt && e.pkt.len > 0) return e.pkt.words } return "" })()`); !strings.HasPrefix(w, "data seq=") {
		t.Errorf("a data packet's transmission on r2->r3 is logged as %q, want data seq=...", w)
	}
	l.pickFlow("long")
	got := eval[lanes](l, `tcpsimPage.lanes`)
	if strings.Join(got.Names, " ") != "s0 d0" {
		t.Errorf("flow long: lanes %q, want s0 and d0 (its hosts, not a and b)", got.Names)
	}
	l.pickFlow("")
	got = eval[lanes](l, `tcpsimPage.lanes`)
	if strings.Join(got.Names, "|") != "s0 s1 s2 s3|d0 d1 d2 d3" {
		t.Errorf("all flows: lanes %q, want the senders and the receivers", got.Names)
	}
	// The CLI's path, from its diagram's title: "... (s0 → r1 → ... → d0)".
	diag := tcpsim(t, "diagram", "scenarios/networks/parking-lot.yaml", "--flow", "long", "--hops", "--max-packets", "5")
	m := regexp.MustCompile(`\(([^()]*→[^()]*)\)`).FindSubmatch(bytes.SplitN(diag, []byte("\n"), 2)[0])
	if m == nil {
		t.Fatalf("no path in the diagram's title: %s", bytes.SplitN(diag, []byte("\n"), 2)[0])
	}
	path := strings.Split(string(m[1]), " → ")
	l.pickFlow("long")
	l.click("#hops")
	got = eval[lanes](l, `tcpsimPage.lanes`)
	if strings.Join(got.Names, " ") != strings.Join(path, " ") || got.Hops == nil || *got.Hops != "long" {
		t.Fatalf("with Hops: lanes %q (flow %v), want the path %q of tcpsim diagram --hops", got.Names, got.Hops, path)
	}
	// A moment when a data packet of long is on its third hop.
	at := eval[float64](l, `(() => { const p = tcpsimPage.run.model.packets.find(p => p.flow === "long" && p.len > 0 && p.hops.length === 5 && p.hops[2].tx > 0.2); const h = p.hops[2]; return (h.tx + h.del) / 2 })()`)
	l.seekTo(at)
	l.run(chromedp.ScrollIntoView(chromedp.CSS("#ladder-panel")))
	type hit struct {
		Key            string
		Xs, Ys, Xe, Ye float64
	}
	hits := eval[[]hit](l, `tcpsimPage.hits.map(h => ({key: h.p.key, xs: h.xs, ys: h.ys, xe: h.xe, ye: h.ye}))`)
	seen := map[string]bool{}
	across := 0
	gap := got.Xs[1] - got.Xs[0]
	for _, h := range hits {
		if seen[h.Key] {
			t.Errorf("packet %s drawn twice: a packet per hop", h.Key)
		}
		seen[h.Key] = true
		if math.Abs(h.Xe-h.Xs) > 1.5*gap {
			across++
		}
	}
	if across == 0 {
		t.Errorf("with Hops at t=%v: no packet drawn across two lanes or more, of %d drawn", at, len(hits))
	}
	l.screenshot("lab-parking-lot-hops-1400")
	// A network's packet cannot be dropped by a faults: line (the section
	// scripts the two-host link: only): the page says so and leaves the
	// YAML as it was.
	src := eval[string](l, `document.getElementById("yaml").value`)
	l.setAndFire("#packet-pick", hits[0].Key, "change")
	l.click("#drop")
	if note := l.text("#fault-note"); !strings.Contains(note, "cannot be named in faults:") {
		t.Errorf("dropping a packet of parking-lot: the page says %q", note)
	}
	if eval[string](l, `document.getElementById("yaml").value`) != src {
		t.Error("dropping a packet of parking-lot changed the YAML")
	}
	l.noErrors()
}

// trace reads a JSON-lines trace file.
func readTrace(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var evs []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	return evs
}

// The network drawing shows the queues as the trace has them: at moments
// when the trace (of `tcpsim run --trace`) has packets waiting in a link
// direction's queue, the drawing shows that queue with at least as many
// packets (and at most one more, the one in transmission); packets move
// along the links; a packet dropped is crossed out where it died.
func TestBrowserTopologyQueues(t *testing.T) {
	l := newLab(t, 1400, 1000)
	l.open("#s=networks/parking-lot.yaml")
	l.settle()
	file := filepath.Join(t.TempDir(), "pl.jsonl")
	tcpsim(t, "run", "scenarios/networks/parking-lot.yaml", "--trace", file)
	evs := readTrace(t, file)
	// Moments: every 97th enqueue while the queue behind it is long.
	waiting := map[string]int{}
	type moment struct {
		t    float64
		wait map[string]int
	}
	var moments []moment
	var drops []float64
	enq := 0
	for i, e := range evs {
		dir, _ := e["dir"].(string)
		switch e["event"] {
		case "enqueue":
			waiting[dir]++
			enq++
		case "transmit", "dequeue-drop":
			waiting[dir]--
		case "queue-drop":
			drops = append(drops, e["t"].(float64))
		}
		tm, _ := e["t"].(float64)
		if i+1 < len(evs) && evs[i+1]["t"].(float64) == tm {
			continue
		}
		if e["event"] == "enqueue" && waiting[dir] >= 3 && enq%97 == 0 && len(moments) < 12 {
			w := map[string]int{}
			for k, v := range waiting {
				w[k] = v
			}
			moments = append(moments, moment{tm, w})
		}
	}
	if len(moments) < 5 || len(drops) == 0 {
		t.Fatalf("parking-lot's trace: %d moments with queues, %d drops", len(moments), len(drops))
	}
	type queue struct {
		Link    string
		Packets float64
	}
	// waitingAt is what the trace has waiting in every queue at time at.
	waitingAt := func(at float64) map[string]int {
		w := map[string]int{}
		for _, e := range evs {
			if e["t"].(float64) > at {
				break
			}
			dir, _ := e["dir"].(string)
			switch e["event"] {
			case "enqueue":
				w[dir]++
			case "transmit", "dequeue-drop":
				w[dir]--
			}
		}
		return w
	}
	long := 0
	for _, mo := range moments {
		// The timeline moves in steps of a 10,000th of the run: the
		// trace is read up to the page's time.
		at := l.seekTo(mo.t)
		qs := eval[[]queue](l, `tcpsimPage.topoDrawn.queues`)
		drawn := map[string]float64{}
		for _, q := range qs {
			drawn[q.Link] = q.Packets
		}
		for link, n := range waitingAt(at) {
			if q := drawn[link]; q < float64(n) || q > float64(n+1) {
				t.Errorf("t=%v: %s drawn with %v packets, the trace has %d waiting (want those, or one more in transmission)", at, link, q, n)
			}
			if n >= 3 && drawn[link] >= 3 {
				long++
			}
		}
		if eval[int](l, `tcpsimPage.topoDrawn.moving`) == 0 {
			t.Errorf("t=%v: no packet moving along a link", at)
		}
	}
	if long < 3 {
		t.Errorf("only %d queues of 3 packets or more drawn where the trace has them, at %d moments", long, len(moments))
	}
	// Just after a queue drop, it is crossed out on its link.
	at := l.seekTo(drops[len(drops)/2] + 1e-4)
	type drop struct {
		Link string
		T    float64
	}
	if ds := eval[[]drop](l, `tcpsimPage.topoDrawn.drops`); len(ds) == 0 {
		t.Errorf("t=%v, just after a queue drop at %v: no drop drawn", at, drops[len(drops)/2])
	}
	l.viewShot("lab-parking-lot-network-1400", "#topo")
	l.noErrors()
}

// The link sliders of a topology change the link picked in the Link menu:
// the run is `tcpsim run` of the file with that link's rate edited.
func TestBrowserLinkSliderChoosesLink(t *testing.T) {
	l := newLab(t, 1400, 1000)
	l.open("#s=networks/parking-lot.yaml")
	l.settle()
	if eval[bool](l, `document.getElementById("loss").closest("fieldset").disabled`) {
		t.Fatal("parking-lot: the link sliders are off")
	}
	opts := eval[[]string](l, `[...document.querySelectorAll("#link-pick option")].map(o => o.textContent)`)
	if len(opts) != 11 || opts[1] != "r2–r3 10 Mbps, 5 ms" || opts[3] != "s0–r1 100 Mbps, 1 ms" {
		t.Fatalf("the Link menu: %q, want parking-lot's 11 links by their ends, rate and delay", opts)
	}
	n := l.runs()
	l.setAndFire("#link-pick", "1", "change")
	l.setAndFire("#rate", "33", "input") // 0.1·10^(33/15) Mbps = 16 Mbps
	l.waitRuns(n)
	l.settle()
	over := l.text("#overrides")
	if over != "Overrides: links[1].rate=16Mbps" {
		t.Fatalf("overrides %q, want links[1].rate=16Mbps", over)
	}
	src := eval[string](l, `document.getElementById("yaml").value`)
	line := "  - {between: [r2, r3], rate: 10Mbps, delay: 5ms, queue: 40}"
	if !strings.Contains(src, line) {
		t.Fatalf("parking-lot's links[1] is not %q", line)
	}
	edited := strings.Replace(src, line, strings.Replace(line, "10Mbps", "16Mbps", 1), 1)
	file := filepath.Join(t.TempDir(), "parking-lot.yaml")
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	want := cells(string(tcpsim(t, "run", "--format", "markdown", file)))
	got := l.pageCells()
	// The file's name differs (the page's is the shipped one's).
	norm := func(rows [][]string) string {
		return strings.ReplaceAll(fmt.Sprint(rows), file, "F")
	}
	if norm(got) != strings.ReplaceAll(norm(want), "scenarios/networks/parking-lot.yaml", "F") {
		t.Errorf("page tables with links[1].rate=16Mbps differ from tcpsim run of the edited file:\npage %q\ncli  %q", got, want)
	}
	if len(got) < 10 {
		t.Errorf("only %d table rows", len(got))
	}
	// The permalink keeps the link and its override: a new tab opened on
	// it runs the same.
	hash := eval[string](l, `location.hash`)
	if !strings.Contains(hash, "link=1") || !strings.Contains(hash, "rate=16Mbps") {
		t.Errorf("permalink %q: want link=1 and rate=16Mbps", hash)
	}
	l.run(chromedp.Navigate("about:blank"))
	l.run(chromedp.Navigate(l.url + hash))
	l.waitRuns(0)
	l.settle()
	if over := l.text("#overrides"); over != "Overrides: links[1].rate=16Mbps" {
		t.Errorf("reopened from the permalink: overrides %q, want links[1].rate=16Mbps", over)
	}
	if again := l.pageCells(); fmt.Sprint(again) != fmt.Sprint(got) {
		t.Error("reopened from the permalink: the tables differ")
	}
	// Another link: the sliders now change it, and the first link's
	// override is gone.
	n = l.runs()
	l.setAndFire("#link-pick", "3", "change")
	l.waitRuns(n)
	l.settle()
	if over := l.text("#overrides"); over != "As the file says." {
		t.Errorf("after picking links[3]: overrides %q, want none", over)
	}
	if lg := l.text("#sliders-legend"); !strings.Contains(lg, "s0–r1") || !strings.Contains(lg, "links[3]") {
		t.Errorf("legend %q, want it to name s0–r1, links[3]", lg)
	}
	l.noErrors()
}

// At 400 px the state labels (ESTAB, FIN-WAIT-1, ...) never cover a lane,
// in the two-host form and in a topology's ladder with Hops.
func TestBrowserStateLabelsOffLanes(t *testing.T) {
	l := newLab(t, 400, 900)
	type box struct {
		X, Y, W, H float64
		Text, Kind string
	}
	check := func(what string) int {
		boxes := eval[[]box](l, `tcpsimPage.labelBoxes`)
		ls := eval[lanes](l, `tcpsimPage.lanes`)
		states := 0
		for _, b := range boxes {
			if b.Kind != "state" {
				continue
			}
			states++
			for _, x := range ls.Xs {
				if b.X < x+1.5 && x-1.5 < b.X+b.W {
					t.Errorf("%s: state label %q at x %.0f–%.0f covers the lane at x %.0f", what, b.Text, b.X, b.X+b.W, x)
				}
			}
		}
		return states
	}
	for _, c := range []struct {
		frag string
		hops bool
	}{{"#s=exercises/02-timeout.yaml", false}, {"#s=exercises/01-handshake.yaml", false}, {"#s=networks/parking-lot.yaml&flow=long", true}} {
		n := l.runs()
		l.run(chromedp.Navigate(l.url + c.frag))
		l.waitRuns(n)
		l.settle()
		if shown := eval[bool](l, `getComputedStyle(document.getElementById("hops-field")).display !== "none"`); shown != c.hops {
			t.Errorf("%s: the Hops box shown %v, want it only for a topology", c.frag, shown)
		}
		if c.hops {
			l.click("#hops")
		}
		l.click("#clock")
		states := 0
		for step := range 40 {
			l.key(kb.ArrowRight)
			states += check(fmt.Sprintf("%s step %d", c.frag, step))
		}
		l.key(kb.End)
		states += check(c.frag + " at the end")
		if states == 0 {
			t.Errorf("%s: no state label drawn at 400 px", c.frag)
		}
		l.viewShot("lab-states-400-"+strings.NewReplacer("#s=", "", "/", "-", ".yaml", "", "&", "-", "=", "-").Replace(c.frag), "#ladder-panel")
	}
	l.noErrors()
}

// Screenshots of parking-lot at 1400×1000 and at 400 px, with and
// without Hops, to look at.
func TestBrowserParkingLotScreens(t *testing.T) {
	for _, w := range []int64{1400, 400} {
		l := newLab(t, w, 1000)
		l.open("#s=networks/parking-lot.yaml")
		l.settle()
		l.seekTo(0.35)
		l.screenshot(fmt.Sprintf("lab-parking-lot-%d", w))
		l.pickFlow("long")
		l.click("#hops")
		l.seekTo(0.35)
		l.viewShot(fmt.Sprintf("lab-parking-lot-hops-%d", w), "#ladder-panel")
		// Just after the long flow lost a packet in a router's queue.
		drop := eval[float64](l, `tcpsimPage.run.model.packets.find(p => p.flow === "long" && (p.where || "").startsWith("dropped at r")).tEnd`)
		l.seekTo(drop + 0.002)
		l.viewShot(fmt.Sprintf("lab-parking-lot-hops-drop-%d", w), "#ladder-panel")
		l.noErrors()
	}
}

// Every shipped topology opens, draws its network with queues and its
// ladder with Hops for each flow, and steps without an error.
func TestBrowserEveryTopology(t *testing.T) {
	l := newLab(t, 1400, 1000)
	l.open("")
	for _, path := range []string{"networks/rtt-unfairness.yaml", "networks/wireless-last-hop.yaml"} {
		n := l.runs()
		l.setAndFire("#scenario", path, "change")
		l.waitRuns(n)
		l.settle()
		if eval[bool](l, `document.getElementById("topo").hidden || document.getElementById("hops-field").hidden`) {
			t.Errorf("%s: no network drawn or no Hops box", path)
		}
		flows := eval[[]string](l, `tcpsimPage.run.info.flows.map(f => f.name)`)
		if !eval[bool](l, `document.getElementById("hops").checked`) {
			l.click("#hops")
		}
		for _, f := range flows {
			l.pickFlow(f)
			l.settle() // the page may run again for this flow's rounds
			l.seekTo(0.3 * eval[float64](l, `tcpsimPage.run.model.end`))
			got := eval[lanes](l, `tcpsimPage.lanes`)
			path := eval[[]string](l, fmt.Sprintf(`tcpsimPage.run.model.paths.get(%q).path`, f))
			if strings.Join(got.Names, " ") != strings.Join(path, " ") && len(path) > 2 {
				t.Errorf("flow %s: lanes %q, want its path %q", f, got.Names, path)
			}
			for range 20 {
				l.key(kb.ArrowRight)
			}
		}
		l.viewShot("lab-"+strings.TrimSuffix(filepath.Base(path), ".yaml")+"-hops", "#ladder-panel")
	}
	l.noErrors()
}
