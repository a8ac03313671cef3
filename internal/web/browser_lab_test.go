package web

// Browser tests of issue 19: a packet clicked away, editing safely
// (refused links and pastes, Stop, the edited question).

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// settle waits until the page has no run going or queued and returns
// how many runs it has finished.
func (l *lab) settle() int {
	l.t.Helper()
	if _, err := chromedp.Run(l.ctx, chromedp.Poll[bool](`!tcpsimPage.busy && !tcpsimPage.queued && document.body.dataset.engineBusy !== "true"`, chromedp.WithPollingTimeout(2*time.Minute))); err != nil {
		l.t.Fatalf("the page did not settle: %v (status %q)", err, l.text("#status"))
	}
	return l.runs()
}

// cells returns the rows of the Markdown tables md holds, cell by cell,
// as the page's HTML tables hold them.
func cells(md string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "|:") || strings.HasPrefix(line, "|-") {
			continue
		}
		var row []string
		for _, c := range strings.Split(strings.Trim(line, "|"), "|") {
			row = append(row, strings.TrimSpace(c))
		}
		rows = append(rows, row)
	}
	return rows
}

// pageCells returns the cells of the page's run tables.
func (l *lab) pageCells() [][]string {
	return eval[[][]string](l, `[...document.querySelectorAll("table.run tr")].map(r => [...r.cells].map(c => c.textContent))`)
}

// within checks a time against the goal of one second. The test
// machine is shared and often loaded far beyond its two cores, so only
// three times the goal fails the test (a hang is far beyond it); between
// the two the time is logged as over the goal.
func within(t *testing.T, what string, d time.Duration) {
	t.Helper()
	switch {
	case d > 3*time.Second:
		t.Errorf("%s took %v, want within 1 s (3 s on a loaded machine)", what, d)
	case d > time.Second:
		t.Logf("%s took %v: over the 1 s goal (the machine is loaded?)", what, d)
	}
}

// deflateLink returns text as a permalink's y= value (raw deflate, base64url).
func deflateLink(t *testing.T, text string) string {
	t.Helper()
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b.Bytes())
}

// fanOut is a short scenario whose merge keys fan out: each level merges
// ten copies of the one before, 10^8 nodes once expanded.
func fanOut() string {
	var b strings.Builder
	b.WriteString("name: fan\nx0: &x0 {k: 1}\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&b, "x%d: &x%d [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*x%d", i-1)
		}
		b.WriteString("]\n")
	}
	b.WriteString("link: {<<: *x8}\n")
	return b.String()
}

func TestBrowserEditSafely(t *testing.T) {
	l := newLab(t, 1400, 1000)

	// A small link that inflates to 4 MiB is refused before the editor
	// holds it; the default exercise is shown instead.
	bomb := deflateLink(t, strings.Repeat("# a comment line of the scenario\n", 4<<20/33))
	l.open("#y=" + bomb)
	refused := l.text("#refused")
	if !strings.Contains(refused, "refused") || !strings.Contains(refused, "128 KiB") {
		t.Errorf("inflating permalink (%d characters): refusal %q, want one naming the 128 KiB limit", len(bomb), refused)
	}
	if n := eval[int](l, `document.getElementById("yaml").value.length`); n > 128<<10 {
		t.Errorf("the editor holds %d characters of the refused link", n)
	}
	ms := eval[float64](l, `document.body.dataset.refusedMs - document.body.dataset.linkReadMs`)
	t.Logf("inflating permalink (%d characters of link, 4 MiB inflated): refused %.0f ms after the page began to read it, %s ms after navigation start (engine ready at %s ms)",
		len(bomb), ms, eval[string](l, `document.body.dataset.refusedMs`), eval[string](l, `document.body.dataset.engineReadyMs`))
	within(t, "refusing the inflating permalink", time.Duration(ms)*time.Millisecond)

	// The merge-key fan-out is refused by the engine's budget, located.
	n := l.runs()
	link := "#y=" + deflateLink(t, fanOut()) + "&seed=1"
	eval[bool](l, fmt.Sprintf(`(location.hash = %q, true)`, link))
	n = l.waitRuns(n)
	msg := l.text("#error")
	call := eval[float64](l, `+document.body.dataset.lastCallMs`)
	t.Logf("fan-out permalink (%d characters): the engine answered in %.0f ms: %s", len(link), call, msg)
	if !strings.Contains(msg, "merge keys") {
		t.Errorf("fan-out permalink: error %q, want the expanded-size refusal", msg)
	}
	within(t, "refusing the fan-out permalink", time.Duration(call)*time.Millisecond)

	// A paste that would take the scenario over 128 KiB is refused; the
	// editor keeps what it had.
	eval[bool](l, `(location.hash = "#s=exercises/02-timeout.yaml", true)`)
	n = l.waitRuns(n)
	before := eval[string](l, `document.getElementById("yaml").value`)
	eval[bool](l, `(() => { const ta = document.getElementById("yaml"); ta.focus(); ta.setSelectionRange(0, 0);
		const dt = new DataTransfer(); dt.setData("text/plain", "#".repeat(140 * 1024));
		ta.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, cancelable: true, bubbles: true })); return true })()`)
	if got := eval[string](l, `document.getElementById("yaml").value`); got != before {
		t.Errorf("the oversized paste changed the editor (%d characters, was %d)", len(got), len(before))
	}
	if r := l.text("#refused"); !strings.Contains(r, "pasted text was refused") {
		t.Errorf("oversized paste: refusal %q", r)
	}

	// Editing marks the exercise's question as edited.
	if e := eval[string](l, `document.getElementById("question").dataset.edited`); e != "false" {
		t.Errorf("shipped exercise: question edited = %q, want false", e)
	}
	l.setAndFire("#yaml", before+"# my change\n", "input")
	l.waitRuns(n)
	q := l.text("#question")
	if e := eval[string](l, `document.getElementById("question").dataset.edited`); e != "true" || !strings.HasPrefix(q, "Edited:") {
		t.Errorf("after an edit the question reads %q (edited %q), want it marked edited", q, e)
	}

	// Stop ends a long sweep within a second, and the engine runs again.
	n = l.runs()
	l.setAndFire("#sweep-values", "0,0.1%,0.2%,0.5%,1%,2%,3%,5%,8%,10%,15%,20%", "change")
	l.setAndFire("#sweep-seeds", "160", "change") // 1,920 runs: about 2 s on an idle machine
	l.click("#sweep-run")
	// Stop as soon as the sweep is running (a fixed wait can outlast the
	// whole sweep on a fast machine).
	if _, err := chromedp.Run(l.ctx, chromedp.Poll[bool](`document.body.dataset.engineBusy === "true"`, chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(10*time.Millisecond))); err != nil {
		t.Fatalf("the sweep never started (status %q): %v", l.text("#status"), err)
	}
	start := time.Now()
	l.click("#stop")
	if _, err := chromedp.Run(l.ctx, chromedp.Poll[bool](`document.body.dataset.engineBusy === "false"`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatal(err)
	}
	stopped := time.Since(start)
	t.Logf("Stop ended the sweep in %v (status %q)", stopped, l.text("#status"))
	within(t, "Stop", stopped)
	l.click("#run")
	if _, err := chromedp.Run(l.ctx, chromedp.Poll[bool](fmt.Sprintf(`+document.body.dataset.runs > %d && document.body.dataset.state === "done"`, n), chromedp.WithPollingTimeout(time.Minute))); err != nil {
		t.Errorf("after Stop, no run ended (state %q, status %q): %v", eval[string](l, `document.body.dataset.state`), l.text("#status"), err)
	}
	l.noErrors()
}

// TestBrowserClickPacketFault clicks a packet of a TCP, a UDP and an rdt
// exercise (the rdt one from the keyboard): the YAML gains a faults:
// line, the tables become those of `tcpsim run` of the edited file with
// the same seed, and Undo brings back the file and its tables.
func TestBrowserClickPacketFault(t *testing.T) {
	l := newLab(t, 1400, 1000)
	l.open("")
	for _, c := range []struct {
		path     string
		keyboard bool
	}{
		{"exercises/02-timeout.yaml", false},
		{"exercises/28-udp-crowds-tcp.yaml", false},
		{"exercises/13-rdt-a-no-loss.yaml", true},
	} {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			n := l.runs()
			eval[bool](l, fmt.Sprintf(`(location.hash = "#s=%s", true)`, c.path))
			l.waitRuns(n)
			n = l.settle()
			orig := eval[string](l, `document.getElementById("yaml").value`)
			origCells := l.pageCells()
			// Step until a data packet of a flow's sender is on screen,
			// long enough to click.
			const find = `(() => { const S = tcpsimPage, m = S.run.model;
				const at = (h) => [h.xs + 0.6 * (h.xe - h.xs), h.ys + 0.6 * (h.ye - h.ys)];
				const dist = (h, x, y) => { const dx = h.xe - h.xs, dy = h.ye - h.ys, l2 = dx * dx + dy * dy;
					const u = l2 ? Math.max(0, Math.min(1, ((x - h.xs) * dx + (y - h.ys) * dy) / l2)) : 0;
					return Math.hypot(h.xs + u * dx - x, h.ys + u * dy - y); };
				const h = S.hits.find(h => { const p = h.p; const from = (m.info.flows.find(f => f.name === p.flow) || {}).from || "a";
					const data = p.proto === "udp" || (p.proto === "tcp" ? p.len > 0 : p.flags.includes("DATA"));
					if (!(data && p.from === from && p.tLost === null && !p.qdrop && Math.hypot(h.xe - h.xs, h.ye - h.ys) > 40)) return false;
					const [x, y] = at(h);
					return S.hits.every(o => o === h || dist(o, x, y) > 2); });
				if (!h) return null;
				const r = document.getElementById("ladder").getBoundingClientRect();
				const [x, y] = at(h);
				return { key: h.p.key, x: r.left + x, y: r.top + y }; })()`
			type target struct {
				Key  string
				X, Y float64
			}
			var tg *target
			l.click("#clock")
			for range 300 {
				if tg = eval[*target](l, find); tg != nil {
					break
				}
				l.key(kb.ArrowRight)
			}
			if tg == nil {
				t.Fatal("no data packet came into view")
			}
			if c.keyboard {
				l.setAndFire("#packet-pick", tg.Key, "change")
				l.run(chromedp.Focus(chromedp.CSS("#drop")))
				l.key(kb.Enter)
			} else {
				l.run(chromedp.MouseClickXY(tg.X, tg.Y))
			}
			l.waitRuns(n)
			n = l.settle()
			yaml := eval[string](l, `document.getElementById("yaml").value`)
			seed := eval[string](l, `document.getElementById("seed").value`)
			if c := strings.Count(yaml, "# clicked in the lab"); c != 1 {
				t.Errorf("after one click the YAML has %d faults: lines the lab added", c)
			}
			if !strings.Contains(yaml, "faults:") || !strings.Contains(yaml, "# clicked in the lab") {
				t.Fatalf("after the click the YAML has no faults: line (note %q):\n%s", l.text("#fault-note"), yaml)
			}
			t.Logf("%s: %s", c.path, l.text("#fault-note"))
			file := filepath.Join(t.TempDir(), "editor.yaml")
			if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			want := cells(string(tcpsim(t, "run", "--format", "markdown", "--seed", seed, file)))
			got := l.pageCells()
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("page tables after the click differ from tcpsim run --seed %s of the edited file:\npage %q\ncli  %q", seed, got, want)
			}
			if fmt.Sprint(got) == fmt.Sprint(origCells) {
				t.Errorf("dropping the packet changed no table cell")
			}
			// The packet clicked is the one the fault names: it is lost now.
			if lost := eval[bool](l, fmt.Sprintf(`(() => { const p = tcpsimPage.run.model.packets.find(p => p.key === %q); return !!p && (p.tLost !== null || p.qdrop) })()`, tg.Key)); !lost {
				t.Errorf("the packet clicked (%s) is not lost in the rerun", tg.Key)
			}
			l.click("#undo-fault")
			l.waitRuns(n)
			l.settle()
			if got := eval[string](l, `document.getElementById("yaml").value`); got != orig {
				t.Errorf("Undo left the YAML as\n%s\nwant\n%s", got, orig)
			}
			if got := l.pageCells(); fmt.Sprint(got) != fmt.Sprint(origCells) {
				t.Errorf("Undo: tables %q, want the original %q", got, origCells)
			}
		})
	}
	l.screenshot("lab-click-fault")
	l.noErrors()
}

// TestBrowserLabelsNeverOverlap steps through exercises 02, 26 and 28 at
// 1400 and 400 px and checks that no two labels the ladder draws overlap
// and that every one lies inside the canvas.
func TestBrowserLabelsNeverOverlap(t *testing.T) {
	l := newLab(t, 1400, 1000)
	l.open("")
	type box struct {
		X, Y, W, H float64
		Text       string
	}
	for _, w := range []int64{1400, 400} {
		if w < 600 {
			l.run(chromedp.EmulateViewport(w, 900, chromedp.EmulateMobile))
		} else {
			l.run(chromedp.EmulateViewport(w, 1000))
		}
		for _, ex := range []string{"02-timeout", "26-kr-reno", "28-udp-crowds-tcp"} {
			n := l.runs()
			eval[bool](l, fmt.Sprintf(`(location.hash = "#s=exercises/%s.yaml", true)`, ex))
			l.waitRuns(n)
			l.click("#clock")
			most := 0
			for step := range 12 {
				for range 9 {
					l.key(kb.ArrowRight)
				}
				boxes := eval[[]box](l, `tcpsimPage.labelBoxes`)
				size := eval[[]float64](l, `(() => { const c = document.getElementById("ladder").getBoundingClientRect(); return [c.width, c.height] })()`)
				most = max(most, len(boxes))
				for i, a := range boxes {
					if a.X < 0 || a.X+a.W > size[0]+0.5 || a.Y < 0 || a.Y+a.H > size[1]+0.5 {
						t.Errorf("%d px, %s, step %d: label %q at %.0f,%.0f %.0fx%.0f leaves the %.0fx%.0f canvas", w, ex, step, a.Text, a.X, a.Y, a.W, a.H, size[0], size[1])
					}
					for _, b := range boxes[i+1:] {
						if a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H {
							t.Errorf("%d px, %s, step %d: labels %q and %q overlap", w, ex, step, a.Text, b.Text)
						}
					}
				}
			}
			if most == 0 {
				t.Errorf("%d px, %s: no label drawn", w, ex)
			}
			l.viewShot(fmt.Sprintf("lab-labels-%s-%d", ex, w), "#ladder-panel")
		}
	}
	l.noErrors()
}

// TestBrowserNetworkAndTimings opens the shipped networks from the menu:
// parking-lot's topology is drawn, its sliders choose a link, and
// its flow's time-sequence has data. It logs (does not assert) the times
// issue 19 asks for: the first run shown after load, exercise 28 and
// parking-lot.
func TestBrowserNetworkAndTimings(t *testing.T) {
	l := newLab(t, 1400, 1000)
	load := l.open("")
	t.Logf("timing: first run shown %s ms after navigation start (engine ready at %s ms; %v in the test, Chromium start included)",
		eval[string](l, `document.body.dataset.firstRunMs`), eval[string](l, `document.body.dataset.engineReadyMs`), load)
	nets := eval[[]string](l, `[...document.querySelectorAll('#scenario optgroup[label="Networks"] option')].map(o => o.value)`)
	if len(nets) < 5 {
		t.Errorf("the scenario menu lists networks %q, want the shipped ones", nets)
	}
	for _, c := range []struct{ path string }{{"exercises/28-udp-crowds-tcp.yaml"}, {"networks/parking-lot.yaml"}} {
		n := l.runs()
		start := time.Now()
		l.setAndFire("#scenario", c.path, "change")
		l.waitRuns(n)
		t.Logf("timing: %s shown %v after it was picked (the engine's run %s ms)", c.path, time.Since(start), eval[string](l, `document.body.dataset.runMs`))
	}
	if s := eval[string](l, `document.body.dataset.state`); s != "done" {
		t.Logf("runs asked for: %s", eval[string](l, `tcpsimPage.asks.join(" | ")`))
		l.settle()
	}
	if eval[bool](l, `document.getElementById("topo").hidden`) {
		t.Error("parking-lot: the network is not drawn")
	}
	if eval[bool](l, `document.getElementById("loss").closest("fieldset").disabled || document.getElementById("link-field").hidden`) {
		t.Error("parking-lot: the link sliders are off or have no Link menu (they change links[N])")
	}
	if eval[bool](l, `tcpsimPage.tseqAxes === null`) {
		t.Error("parking-lot: the time-sequence pane has no data")
	}
	l.run(chromedp.ScrollIntoView(chromedp.CSS("#ladder-panel")))
	l.screenshot("lab-parking-lot")
	l.noErrors()
}

// TestBrowserAccessibility runs axe-core (installed from npm with Biome:
// npm ci --prefix tools/js, as .ci/run does) over the lab after a run, a
// network and with the help open, and fails on a serious or critical
// violation. It also checks that every control is reachable with Tab.
func TestBrowserAccessibility(t *testing.T) {
	axe, err := os.ReadFile("../../tools/js/node_modules/axe-core/axe.min.js")
	if err != nil {
		t.Skipf("axe-core is not installed (npm ci --prefix tools/js, as .ci/run does): %v", err)
	}
	l := newLab(t, 1400, 1000)
	l.open("")
	type violation struct {
		ID, Impact, Help string
		Nodes            []struct{ Target []string }
	}
	check := func(what string) {
		// DevTools' evaluation is not the page's: the CSP that forbids
		// inline script does not stop it.
		if _, err := chromedp.Run(l.ctx, chromedp.Evaluate[bool](string(axe)+";true")); err != nil {
			t.Fatalf("loading axe-core: %v", err)
		}
		vs, err := chromedp.Run(l.ctx, chromedp.Evaluate[[]violation](`axe.run(document, { resultTypes: ["violations"] }).then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => ({ target: n.target.map(String) })) })))`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("axe.run: %v", err)
		}
		for _, v := range vs {
			msg := fmt.Sprintf("%s: axe %s (%s): %s at %v", what, v.ID, v.Impact, v.Help, v.Nodes)
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Error(msg)
			} else {
				t.Log(msg)
			}
		}
	}
	check("exercise 02 after its run")
	n := l.runs()
	l.setAndFire("#scenario", "networks/parking-lot.yaml", "change")
	l.waitRuns(n)
	l.settle()
	check("parking-lot")
	// Every enabled button, select and input is reachable with Tab.
	want := eval[[]string](l, `[...document.querySelectorAll("button, select, input, textarea")].filter(e => !e.matches(":disabled") && e.offsetParent !== null && !e.closest("details:not([open])") && e.id).map(e => e.id)`)
	l.click("#clock")
	seen := map[string]bool{}
	// Enough presses to pass every control (the page grows: a fixed
	// count fell short of the last ones). A control in a closed
	// <details> is reached once its summary opens it.
	for range len(want) + 20 {
		l.key(kb.Tab)
		seen[eval[string](l, `document.activeElement ? document.activeElement.id : ""`)] = true
	}
	var missed []string
	for _, id := range want {
		if !seen[id] {
			missed = append(missed, id)
		}
	}
	if len(missed) > 0 {
		t.Errorf("controls not reached with Tab: %v", missed)
	}
	l.click("#help-button")
	check("the help dialog")
	l.noErrors()
}
