package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// The export view (issue 19, item 7: slides and handouts) holds the
// ladder and every plot shown as PNG images the size of their canvases,
// each with a link that saves it under the run's name; printing shows that
// view alone, without the page's controls, and Close brings the page back.
func TestBrowserExportView(t *testing.T) {
	l := newLab(t, 1400, 1000)
	l.open("#s=exercises/02-timeout.yaml")
	canvases := eval[int](l, `["ladder","topo","tseq","cwnd","rounds","thru"].filter((id) => { const c = document.getElementById(id); return c && !c.hidden && c.width > 0 && c.offsetParent !== null; }).length`)
	l.click("#export")
	shown := eval[int](l, `document.querySelectorAll("#export-figures img").length`)
	if shown < 4 || shown != canvases {
		t.Fatalf("export view holds %d images, want one per canvas shown (%d, at least the ladder and 3 plots)", shown, canvases)
	}
	bad := eval[[]string](l, `[...document.querySelectorAll("#export-figures figure")].filter((f) => {
		const img = f.querySelector("img"), a = f.querySelector("a");
		return !(img.naturalWidth > 0 && img.src.startsWith("data:image/png") && a.href === img.src && /^ex02-timeout-seed\d+-[a-z-]+\.png$/.test(a.download));
	}).map((f) => f.querySelector("a").download)`)
	if len(bad) > 0 {
		t.Errorf("export images without a PNG, a matching save link or the run's file name: %v", bad)
	}
	if title := l.text("#export-title"); !strings.HasPrefix(title, "ex02-timeout (seed ") {
		t.Errorf("export title %q, want the run's name and seed", title)
	}
	print := func(media string) {
		l.run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media})
			return err
		}))
	}
	print("print")
	hidden := eval[[]string](l, `["#editor-panel", "header.bar", ".export-tools", "main"].filter((s) => getComputedStyle(document.querySelector(s)).display !== "none")`)
	if len(hidden) > 0 {
		t.Errorf("printed export view still shows %v", hidden)
	}
	if eval[string](l, `getComputedStyle(document.getElementById("export-view")).display`) == "none" {
		t.Error("printed export view hides the figures")
	}
	l.screenshot("lab-export-print")
	print("")
	l.click("#export-close")
	if eval[bool](l, `!document.getElementById("export-view").hidden || getComputedStyle(document.querySelector("main")).display === "none"`) {
		t.Error("Close left the export view up or the page hidden")
	}
	l.noErrors()
}
