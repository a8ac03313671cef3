package web

// Browser tests: a real Chromium (Debian's chromium package, installed by
// .ci/run) drives the lab through chromedp. They skip, saying why, only
// when no Chromium can be found.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tcpsim/internal/testenv"
	labpkg "tcpsim/internal/web/lab"
	"tcpsim/internal/web/webbuild"
)

// chromium returns the path of a Chromium or Chrome binary, or skips.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TCPSIM_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium found (install Debian's chromium: apt-get install chromium, as .ci/run does, or set TCPSIM_CHROMIUM): browser tests skipped")
	return ""
}

// cli is the tcpsim command built from the current source, once.
var cli struct {
	once sync.Once
	path string
	dir  string // the module root: run the command there
	err  error
}

// tcpsim runs the command in the module root and returns its stdout.
func tcpsim(t *testing.T, args ...string) []byte {
	t.Helper()
	cli.once.Do(func() {
		ctx := context.Background()
		cli.dir, cli.err = webbuild.ModuleRoot(ctx, ".")
		if cli.err != nil {
			return
		}
		bin, err := os.MkdirTemp("", "tcpsim-cli-")
		if err != nil {
			cli.err = err
			return
		}
		cli.path = filepath.Join(bin, "tcpsim")
		cmd := exec.Command("go", "build", "-o", cli.path, "./cmd/tcpsim")
		cmd.Dir = cli.dir
		if out, err := cmd.CombinedOutput(); err != nil {
			cli.err = fmt.Errorf("go build ./cmd/tcpsim: %v\n%s", err, out)
		}
	})
	if cli.err != nil {
		t.Fatal(cli.err)
	}
	cmd := exec.Command(cli.path, args...)
	cmd.Dir = cli.dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok || len(out) == 0 {
			t.Fatalf("tcpsim %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
		}
	}
	return out
}

// lab is one browser tab on a lab server, with what the page reported.
type lab struct {
	t      *testing.T
	ctx    context.Context
	url    string
	mu     sync.Mutex
	errors []string // console errors, exceptions, failed requests
}

var labSite struct {
	once sync.Once
	srv  *httptest.Server
}

// newLab starts (once) a server of the lab built from the current source
// and opens a tab of width by height CSS pixels.
func newLab(t *testing.T, width, height int64) *lab {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	testenv.SkipUnlessSlow(t, "builds the WebAssembly engine and drives Chromium")
	bin := chromium(t)
	site := freshSite(t)
	labSite.once.Do(func() { labSite.srv = httptest.NewServer(Handler(site)) })
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(int(width), int(height)),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	l := &lab{t: t, ctx: ctx, url: labSite.srv.URL + "/"}
	err := chromedp.Listen(ctx, func(ev any) {
		l.mu.Lock()
		defer l.mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				l.errors = append(l.errors, "console "+string(e.Type)+": "+strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			l.errors = append(l.errors, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError || e.Entry.Level == cdplog.EntryLevelWarning {
				l.errors = append(l.errors, "log "+string(e.Entry.Level)+": "+e.Entry.Text+" "+e.Entry.URL)
			}
		case *network.EventLoadingFailed:
			l.errors = append(l.errors, "request failed: "+e.ErrorText)
		case *network.EventResponseReceived:
			if e.Response.Status >= 400 {
				l.errors = append(l.errors, fmt.Sprintf("HTTP %d: %s", e.Response.Status, e.Response.URL))
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	l.run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, cdplog.Enable, cdp.Empty{})
		return err
	}))
	if width < 600 {
		l.run(chromedp.EmulateViewport(width, height, chromedp.EmulateMobile))
	} else {
		l.run(chromedp.EmulateViewport(width, height))
	}
	return l
}

func (l *lab) run(steps ...chromedp.Action[chromedp.Void]) {
	l.t.Helper()
	if err := chromedp.Do(l.ctx, steps...); err != nil {
		l.t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the page and returns its
// value.
func eval[T any](l *lab, js string) T {
	l.t.Helper()
	v, err := chromedp.Run(l.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		l.t.Fatalf("%s: %v", js, err)
	}
	return v
}

func (l *lab) runs() int {
	return eval[int](l, `+(document.body.dataset.runs || 0)`)
}

// waitRuns waits until the page has finished more than n runs (or run
// errors) and returns the new count.
func (l *lab) waitRuns(n int) int {
	l.t.Helper()
	if _, err := chromedp.Run(l.ctx, chromedp.Poll[bool](fmt.Sprintf(`+(document.body.dataset.runs || 0) > %d`, n), chromedp.WithPollingTimeout(2*time.Minute))); err != nil {
		l.t.Fatalf("waiting for run %d: %v (status %q)", n+1, err, l.text("#status"))
	}
	return l.runs()
}

// open loads the page at fragment and waits for its first run.
func (l *lab) open(fragment string) time.Duration {
	l.t.Helper()
	start := time.Now()
	l.run(chromedp.Navigate(l.url + fragment))
	l.waitRuns(0)
	return time.Since(start)
}

// text returns the text content of the element sel selects.
func (l *lab) text(sel string) string {
	l.t.Helper()
	b, _ := json.Marshal(sel)
	return eval[string](l, fmt.Sprintf(`document.querySelector(%s).textContent`, b))
}

// noErrors fails the test if the page logged an error or a request failed.
func (l *lab) noErrors() {
	l.t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.errors {
		l.t.Error(e)
	}
}

// screensDir is where screenshots go: $TCPSIM_SCREENSHOTS, or a fixed
// directory under the system's temporary directory (overwritten by every
// run), named in the test log.
func screensDir(t *testing.T) string {
	dir := os.Getenv("TCPSIM_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "tcpsim-lab-screens")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func (l *lab) screenshot(name string) {
	l.t.Helper()
	buf, err := chromedp.Run(l.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		l.t.Fatal(err)
	}
	path := filepath.Join(screensDir(l.t), name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		l.t.Fatal(err)
	}
	l.t.Logf("screenshot: %s", path)
}

// viewShot saves what the viewport shows with the element sel scrolled
// into view.
func (l *lab) viewShot(name, sel string) {
	l.t.Helper()
	l.run(chromedp.ScrollIntoView(chromedp.CSS(sel)))
	buf, err := chromedp.Run(l.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		l.t.Fatal(err)
	}
	path := filepath.Join(screensDir(l.t), name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		l.t.Fatal(err)
	}
	l.t.Logf("screenshot: %s", path)
}

// setAndFire sets an input's value and fires the event the page listens to.
func (l *lab) setAndFire(sel, value, event string) {
	l.t.Helper()
	v, _ := json.Marshal(value)
	s, _ := json.Marshal(sel)
	eval[bool](l, fmt.Sprintf(`(() => { const e = document.querySelector(%s); e.value = %s; e.dispatchEvent(new Event(%q)); return true })()`, s, v, event))
}

func (l *lab) key(k string, opts ...chromedp.KeyOption) {
	l.t.Helper()
	l.run(chromedp.KeyEvent(k, opts...))
}

func (l *lab) click(sel string) {
	l.t.Helper()
	l.run(chromedp.Click(chromedp.CSS(sel)))
}

func TestBrowserPageLoadsClean(t *testing.T) {
	l := newLab(t, 1400, 1000)
	d := l.open("")
	t.Logf("page load to first run shown: %v (engine ready at %s ms, first run shown at %s ms after navigation start)",
		d, eval[string](l, `document.body.dataset.engineReadyMs`), eval[string](l, `document.body.dataset.firstRunMs`))
	state := eval[string](l, `document.body.dataset.state`)
	if state != "done" {
		t.Errorf("page state after load: %q (status %q), want done", state, l.text("#status"))
	}
	rows := eval[int](l, `document.querySelectorAll("table.run tbody tr").length`)
	if rows < 10 {
		t.Errorf("run tables have %d rows, want the flow and link tables", rows)
	}
	// Watch the default exercise: play until the timeout retransmission.
	l.key(" ")
	time.Sleep(1500 * time.Millisecond)
	l.key(" ")
	l.screenshot("lab-1400-playing")
	l.noErrors()
}

func TestBrowserTablesEqualCLI(t *testing.T) {
	l := newLab(t, 1400, 1000)
	l.open("")
	n := l.runs()
	l.setAndFire("#scenario", "tcp-vs-udp.yaml", "change")
	n = l.waitRuns(n)
	l.setAndFire("#seed", "7", "change")
	l.waitRuns(n)
	got := l.text("#report-json")
	want := tcpsim(t, "run", "--format", "json", "--seed", "7", "scenarios/tcp-vs-udp.yaml")
	// The page's JSON is the CLI's, byte for byte (one run in an array).
	if strings.TrimSpace(got) != strings.TrimSpace(string(want)) {
		t.Errorf("page JSON differs from tcpsim run --format json --seed 7:\npage:\n%s\ncli:\n%s", got, want)
	}
	var runs []map[string]any
	if err := json.Unmarshal(want, &runs); err != nil || len(runs) != 1 || runs[0]["seed"].(float64) != 7 {
		t.Fatalf("CLI JSON: %v %v", err, runs)
	}
	// And the HTML tables hold the CLI's table cells.
	cells := eval[[][]string](l, `[...document.querySelectorAll("table.run tr")].map(r => [...r.cells].map(c => c.textContent))`)
	md := tcpsim(t, "run", "--format", "markdown", "--seed", "7", "scenarios/tcp-vs-udp.yaml")
	var wantCells [][]string
	for _, line := range strings.Split(string(md), "\n") {
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "|:") || strings.HasPrefix(line, "|-") {
			continue
		}
		var row []string
		for _, c := range strings.Split(strings.Trim(line, "|"), "|") {
			row = append(row, strings.TrimSpace(c))
		}
		wantCells = append(wantCells, row)
	}
	if fmt.Sprint(cells) != fmt.Sprint(wantCells) {
		t.Errorf("page tables differ from tcpsim run --format markdown:\npage %q\ncli  %q", cells, wantCells)
	}
	if len(cells) < 20 {
		t.Errorf("only %d table rows in the page", len(cells))
	}
	l.screenshot("lab-tables-tcp-vs-udp-seed7")
	l.noErrors()
}

func TestBrowserInvalidScenarioShowsLocatedError(t *testing.T) {
	l := newLab(t, 1400, 1000)
	l.open("#s=tcp-vs-udp.yaml&seed=42")
	src, err := os.ReadFile("../../scenarios/tcp-vs-udp.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(src), "loss: 5%", "loss: 150%", 1)
	n := l.runs()
	l.setAndFire("#yaml", bad, "input")
	l.waitRuns(n)
	// The CLI's message for the same text in a file of the same name.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "editor.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cliPath(t), "run", "editor.yaml")
	cmd.Dir = dir
	out, _ := cmd.CombinedOutput()
	want := strings.TrimSpace(strings.TrimPrefix(string(out), "tcpsim: "))
	got := l.text("#error")
	if !strings.HasPrefix(want, "editor.yaml:12:9: link.loss: ") {
		t.Fatalf("CLI error %q: want it located at 12:9", want)
	}
	if got != want {
		t.Errorf("page error %q, want the CLI's %q", got, want)
	}
	marked := eval[string](l, `[...document.querySelectorAll("#gutter .bad")].map(e => e.textContent).join(",")`)
	if marked != "12" {
		t.Errorf("gutter marks line %q, want 12", marked)
	}
	state := eval[string](l, `document.body.dataset.state`)
	if state != "error" {
		t.Errorf("page state %q, want error", state)
	}
	l.screenshot("lab-error")
	// Clicking the message puts the caret at line 12, column 9.
	l.click("#error")
	caret := eval[[2]int](l, `(() => { const ta = document.getElementById("yaml"); const before = ta.value.slice(0, ta.selectionStart).split("\n"); return [before.length, before[before.length-1].length + 1] })()`)
	if caret != [2]int{12, 9} {
		t.Errorf("caret at line %d col %d, want 12:9", caret[0], caret[1])
	}
	l.noErrors()
}

// cliPath returns the built command's path.
func cliPath(t *testing.T) string {
	tcpsim(t, "--version")
	return cli.path
}

func TestBrowserStepsFollowTheTrace(t *testing.T) {
	l := newLab(t, 1400, 1000)
	l.open("#s=tcp-vs-udp.yaml&seed=42")
	trace := filepath.Join(t.TempDir(), "t.jsonl")
	tcpsim(t, "run", "--seed", "42", "--trace", trace, "scenarios/tcp-vs-udp.yaml")
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	const n = 80
	l.click("#clock")
	for i := 1; i <= n; i++ {
		l.key(kb.ArrowRight)
		got := eval[string](l, `document.getElementById("event-current").dataset.event`)
		if got != lines[i-1] {
			t.Fatalf("after %d steps the page shows\n%s\nwant trace line %d\n%s", i, got, i, lines[i-1])
		}
	}
	// Shift+Left goes back ten events.
	l.key(kb.ArrowLeft, chromedp.KeyModifiers(chromedp.ModifierShift))
	got := eval[string](l, `document.getElementById("event-current").dataset.event`)
	if got != lines[n-11] {
		t.Errorf("after stepping back ten: %s\nwant trace line %d: %s", got, n-10, lines[n-11])
	}
	idx := eval[string](l, `document.getElementById("event-index").textContent`)
	if want := fmt.Sprintf("event %d of %d", n-10, len(lines)); idx != want {
		t.Errorf("event index %q, want %q", idx, want)
	}
	l.screenshot("lab-stepped")
	l.noErrors()
}

func TestBrowserPermalinkRestores(t *testing.T) {
	l := newLab(t, 1400, 1000)
	l.open("")
	src, err := os.ReadFile("../../scenarios/exercises/03-corruption.yaml")
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), "name: ", "# edited in the page\nname: ", 1)
	n := l.runs()
	l.setAndFire("#yaml", edited, "input")
	n = l.waitRuns(n)
	l.setAndFire("#seed", "11", "change")
	n = l.waitRuns(n)
	l.setAndFire("#loss", "25", "input") // 2.5%
	l.waitRuns(n)
	report := l.text("#report-json")
	l.click("#clock")
	for range 40 {
		l.key(kb.ArrowRight)
	}
	clock := l.text("#clock")
	l.click("#permalink")
	if _, err := chromedp.Run(l.ctx, chromedp.Poll[bool](`location.hash.includes("seed=11") && location.hash.includes("t=")`)); err != nil {
		t.Fatal(err)
	}
	href := eval[string](l, `location.href`)
	if !strings.Contains(href, "y=") || !strings.Contains(href, "loss=2.5%25") {
		t.Errorf("permalink %s: want the edited scenario (y=) and the loss slider", href)
	}
	// A fresh tab on the permalink shows the same scenario, seed and run.
	m := newLab(t, 1400, 1000)
	m.open(href[strings.Index(href, "#"):])
	yaml := eval[string](m, `document.getElementById("yaml").value`)
	seed := eval[string](m, `document.getElementById("seed").value`)
	if yaml != edited {
		t.Errorf("permalink restored the scenario as\n%s\nwant\n%s", yaml, edited)
	}
	if got := m.text("#clock"); got != clock {
		t.Errorf("permalink restored the cursor at %q, want %q", got, clock)
	}
	if seed != "11" {
		t.Errorf("permalink restored seed %q, want 11", seed)
	}
	if got := m.text("#report-json"); got != report {
		t.Errorf("permalink run differs:\n%s\nwant\n%s", got, report)
	}
	want := tcpsim(t, "run", "--format", "json", "--seed", "11", "scenarios/exercises/03-corruption.yaml")
	if !strings.Contains(report, `"seed": 11`) || report == strings.TrimSpace(string(want)) {
		t.Errorf("the 2.5%% loss slider should change the run from the file's (%d bytes)", len(want))
	}
	l.noErrors()
	m.noErrors()
}

func TestBrowserWidths(t *testing.T) {
	for _, w := range []int64{320, 1920} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			l := newLab(t, w, 1100)
			l.open("#s=tcp-vs-udp.yaml&seed=42")
			overflow := eval[[]int](l, `[document.documentElement.scrollWidth, window.innerWidth]`)
			if overflow[0] > overflow[1] {
				t.Errorf("at %d px the page is %d px wide: it scrolls sideways", w, overflow[0])
			}
			sizes := eval[[][]float64](l, `["ladder", "tseq", "cwnd", "sweep"].map(id => { const r = document.getElementById(id).getBoundingClientRect(); return [r.width, r.height, r.right] })`)
			for i, s := range sizes {
				if s[0] < 100 || s[1] < 100 || s[2] > float64(w)+0.5 {
					t.Errorf("at %d px canvas %d is %.0fx%.0f ending at %.0f", w, i, s[0], s[1], s[2])
				}
			}
			// The controls still work: step and play.
			l.click("#fwd")
			l.click("#fwd")
			idx := eval[string](l, `document.getElementById("event-index").textContent`)
			if !strings.HasPrefix(idx, "event 2 of ") {
				t.Errorf("at %d px after two steps: %q", w, idx)
			}
			l.click("#play")
			time.Sleep(1200 * time.Millisecond)
			l.click("#play")
			l.screenshot(fmt.Sprintf("lab-%d", w))
			l.viewShot(fmt.Sprintf("lab-%d-ladder", w), "#ladder-panel")
			l.noErrors()
		})
	}
}

func TestBrowserLargeTextAndSweep(t *testing.T) {
	l := newLab(t, 1400, 1000)
	l.open("#s=tcp-vs-udp.yaml&seed=42")
	l.click("#clock")
	l.key("l")
	large := eval[bool](l, `document.documentElement.classList.contains("large")`)
	if !large {
		t.Error("L did not turn on large text")
	}
	for range 120 {
		l.key(kb.ArrowRight)
	}
	l.screenshot("lab-large-text")
	l.key("l")
	l.setAndFire("#sweep-values", "0,2%,10%", "change")
	l.setAndFire("#sweep-seeds", "2", "change")
	l.click("#sweep-run")
	if _, err := chromedp.Run(l.ctx, chromedp.Poll[bool](`+(document.body.dataset.sweeps || 0) > 0`, chromedp.WithPollingTimeout(3*time.Minute))); err != nil {
		t.Fatal(err)
	}
	got := l.text("#sweep-json")
	want := tcpsim(t, "sweep", "scenarios/tcp-vs-udp.yaml", "--vary", "link.loss=0,2%,10%", "--seeds", "2", "--format", "json")
	if strings.TrimSpace(got) != strings.TrimSpace(string(want)) {
		t.Errorf("page sweep JSON differs from tcpsim sweep --format json:\npage:\n%.2000s\ncli:\n%.2000s", got, want)
	}
	l.run(chromedp.ScrollIntoView(chromedp.CSS("#sweep")))
	l.screenshot("lab-sweep")
	l.noErrors()
}

// TestBrowserTimings measures, for every shipped scenario, the engine's
// time in the browser (the worker's call, WebAssembly) against the same
// call natively (lab.Run, what the CLI does plus the trace and tables)
// and the whole `tcpsim run --format json --trace` process. It only
// reports: set TCPSIM_LAB_TIMINGS=1 to run it.
func TestBrowserTimings(t *testing.T) {
	if os.Getenv("TCPSIM_LAB_TIMINGS") == "" {
		t.Skip("set TCPSIM_LAB_TIMINGS=1 to measure the browser against the CLI")
	}
	l := newLab(t, 1400, 1000)
	t.Logf("page load to first run shown: %v", l.open(""))
	list, err := labpkg.Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	var sumWasm, sumNative, sumCLI float64
	t.Logf("%-40s %10s %10s %10s %12s %9s", "scenario", "wasm ms", "native ms", "cli ms", "wasm/native", "wasm/cli")
	for _, s := range list {
		n := l.runs()
		eval[bool](l, fmt.Sprintf(`(location.hash = "#s=%s", true)`, s.Path))
		n = l.waitRuns(n)
		wasm := eval[float64](l, `+document.body.dataset.runMs`)
		for range 2 { // the best of three, as natively
			l.click("#run")
			n = l.waitRuns(n)
			wasm = min(wasm, eval[float64](l, `+document.body.dataset.runMs`))
		}
		best := time.Duration(1 << 62)
		for range 3 {
			start := time.Now()
			r := labpkg.Run(labpkg.RunRequest{File: "scenarios/" + s.Path, Source: s.Source})
			if r.Error != nil {
				t.Fatal(r.Error.Message)
			}
			best = min(best, time.Since(start))
		}
		native := float64(best.Microseconds()) / 1000
		cliMs := 1e9
		for range 3 {
			start := time.Now()
			tcpsim(t, "run", "--format", "json", "--trace", filepath.Join(t.TempDir(), "t.jsonl"), "scenarios/"+s.Path)
			cliMs = min(cliMs, float64(time.Since(start).Microseconds())/1000)
		}
		sumWasm, sumNative, sumCLI = sumWasm+wasm, sumNative+native, sumCLI+cliMs
		t.Logf("%-40s %10.1f %10.1f %10.1f %12.2f %9.2f", s.Path, wasm, native, cliMs, wasm/native, wasm/cliMs)
	}
	t.Logf("%-40s %10.1f %10.1f %10.1f %12.2f %9.2f", "all", sumWasm, sumNative, sumCLI, sumWasm/sumNative, sumWasm/sumCLI)
	l.noErrors()
}

// TestBrowserScreenshots saves the views a teacher shows first: the
// timeout of exercise 2 (a lost segment, the RTO bracket, the
// retransmission) and the checksum drop of exercise 3, each restored from
// a permalink with a cursor time.
func TestBrowserScreenshots(t *testing.T) {
	l := newLab(t, 1400, 1000)
	l.open("")
	for _, c := range []struct{ name, fragment, clock string }{
		{"lab-ex02-timeout", "#s=exercises/02-timeout.yaml&seed=4&t=1.14", "t = 1.140000 s"},
		{"lab-ex03-corruption", "#s=exercises/03-corruption.yaml&t=0.0705", "t = 0.070500 s"},
		{"lab-ex12-sr-dilemma", "#s=exercises/12-rdt-sr-dilemma.yaml&t=0.2", "t = 0.200000 s"},
		{"lab-ex26-kr-reno", "#s=exercises/26-kr-reno.yaml&t=0.35", "t = 0.350000 s"},
		{"lab-ex26-kr-reno-textbook", "#s=exercises/26-kr-reno-textbook.yaml&t=0.85", "t = 0.850000 s"},
		{"lab-ex28-udp-crowds-tcp", "#s=exercises/28-udp-crowds-tcp.yaml&t=0.05", "t = 0.050000 s"},
	} {
		n := l.runs()
		eval[bool](l, fmt.Sprintf(`(location.hash = %q, true)`, c.fragment))
		l.waitRuns(n)
		if got := l.text("#clock"); got != c.clock {
			t.Errorf("%s: clock %q, want %q", c.fragment, got, c.clock)
		}
		l.screenshot(c.name)
	}
	l.noErrors()
}
