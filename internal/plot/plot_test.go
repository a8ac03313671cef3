package plot

import (
	"bytes"
	"image/png"
	"os"
	"strings"
	"testing"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/sweep"
	"tcpsim/internal/trace"
)

// checkFiles: every PNG decodes at 8x5 inches (96 dpi: 768x480) and every
// SVG is non-trivial and names the scenario in its title.
func checkFiles(t *testing.T, files []string, title string) {
	t.Helper()
	if len(files) == 0 {
		t.Fatal("no files written")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, ".png") {
			cfg, err := png.DecodeConfig(bytes.NewReader(b))
			if err != nil || cfg.Width != 768 || cfg.Height != 480 {
				t.Errorf("%s: %v, %dx%d, want a 768x480 PNG", f, err, cfg.Width, cfg.Height)
			}
			if len(b) < 5000 {
				t.Errorf("%s: only %d bytes", f, len(b))
			}
		} else if len(b) < 2000 || !strings.Contains(string(b), title) {
			t.Errorf("%s: %d bytes, title %q present: %v", f, len(b), title, strings.Contains(string(b), title))
		}
	}
}

func TestFlowPlots(t *testing.T) {
	sc, err := scenario.Parse("p.yaml", []byte(`name: plotme
link: {rate: 10Mbps, delay: 20ms, queue: 50, loss: 2%}
flows:
  - {name: file, protocol: tcp, bytes: 400KB, recv_buffer: 32KiB, read_rate: 4Mbps}
`))
	if err != nil {
		t.Fatal(err)
	}
	c := &trace.Recorder{}
	if _, err := run.ScenarioWith(sc, 1, run.Options{Trace: c}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := Flow(c.Events, dir, sc.Name, 1, "file")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 6 {
		t.Fatalf("wrote %v, want 3 figures x PNG and SVG", files)
	}
	checkFiles(t, files, "plotme (seed 1)")
	// Byte-stable: the same run draws the same files.
	again, _ := Flow(c.Events, t.TempDir(), sc.Name, 1, "file")
	for i := range files {
		a, _ := os.ReadFile(files[i])
		b, _ := os.ReadFile(again[i])
		if !bytes.Equal(a, b) {
			t.Errorf("%s is not byte-stable", files[i])
		}
	}
}

// With SACK the time-sequence graph also draws the SACKed ranges, and
// stays byte-stable.
func TestFlowPlotSACK(t *testing.T) {
	sc, err := scenario.Parse("p.yaml", []byte(`name: plotsack
link: {rate: 10Mbps, delay: 20ms, queue: 50, loss: 5%}
flows:
  - {name: file, protocol: tcp, bytes: 300KB, sack: true}
`))
	if err != nil {
		t.Fatal(err)
	}
	c := &trace.Recorder{}
	if _, err := run.ScenarioWith(sc, 1, run.Options{Trace: c}); err != nil {
		t.Fatal(err)
	}
	blocks := 0
	for _, e := range c.Events {
		blocks += e.SACK.N
	}
	if blocks == 0 {
		t.Fatal("the run carried no SACK blocks")
	}
	files, err := Flow(c.Events, t.TempDir(), sc.Name, 1, "file")
	if err != nil {
		t.Fatal(err)
	}
	checkFiles(t, files, "plotsack (seed 1)")
	svg, _ := os.ReadFile(files[1])
	if !strings.Contains(string(svg), "SACKed") {
		t.Errorf("%s has no SACKed legend", files[1])
	}
	again, _ := Flow(c.Events, t.TempDir(), sc.Name, 1, "file")
	for i := range files {
		a, _ := os.ReadFile(files[i])
		b, _ := os.ReadFile(again[i])
		if !bytes.Equal(a, b) {
			t.Errorf("%s is not byte-stable", files[i])
		}
	}
}

func TestSweepPlot(t *testing.T) {
	a, _ := sweep.ParseAxis("link.loss=0,2%,10%")
	p, err := sweep.NewPlan("s.yaml", []byte(`name: sw
link: {rate: 10Mbps, delay: 10ms, queue: 100}
flows:
  - {name: file, protocol: tcp, bytes: 200KB}
  - {name: video, protocol: udp, bytes: 200KB, rate: 2Mbps}
`), []sweep.Axis{a}, 3)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := p.Execute(sweep.Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	files, err := Sweep(p.Meta, recs, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	checkFiles(t, files, "sw: goodput vs link.loss")
}

// With two varied parameters every combination of the second with each
// flow is a series, none dropped: even one where no run completed.
func TestSweepPlotSeries(t *testing.T) {
	const src = `name: sw
until: 60s
link: {rate: 10Mbps, delay: 10ms, queue: 100}
flows:
  - {name: file, protocol: tcp, bytes: 200KB}
  - {name: video, protocol: udp, bytes: 200KB, rate: 2Mbps}
`
	for _, c := range []struct {
		name  string
		vary  []string
		names []string
		pts   []int
	}{
		{"one axis", []string{"link.loss=0,2%,10%"}, []string{"file", "video"}, []int{3, 3}},
		{"two axes", []string{"link.loss=0,2%,10%", "flows.file.congestion=tahoe,reno,newreno"},
			[]string{
				"file, flows.file.congestion=tahoe", "video, flows.file.congestion=tahoe",
				"file, flows.file.congestion=reno", "video, flows.file.congestion=reno",
				"file, flows.file.congestion=newreno", "video, flows.file.congestion=newreno",
			}, []int{3, 3, 3, 3, 3, 3}},
		{"a series with no completed run", []string{"link.loss=0,2%", "max_events=100000000,100"},
			[]string{"file, max_events=100000000", "video, max_events=100000000",
				"file, max_events=100 (no completed run)", "video, max_events=100 (no completed run)"},
			[]int{2, 2, 0, 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var axes []sweep.Axis
			for _, v := range c.vary {
				a, _ := sweep.ParseAxis(v)
				axes = append(axes, a)
			}
			p, err := sweep.NewPlan("s.yaml", []byte(src), axes, 2)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := p.Execute(sweep.Options{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			xs := []float64{1, 2, 3}
			ss := sweepSeries(p.Meta, sweep.Summaries(p.Meta, recs), xs)
			if len(ss) != len(c.names) {
				t.Fatalf("%d series, want %d", len(ss), len(c.names))
			}
			for i, s := range ss {
				if s.name != c.names[i] || len(s.pts) != c.pts[i] {
					t.Errorf("series %d: %q with %d points, want %q with %d", i, s.name, len(s.pts), c.names[i], c.pts[i])
				}
			}
			files, err := Sweep(p.Meta, recs, t.TempDir())
			if err != nil || len(files) != 2 {
				t.Fatalf("wrote %v: %v", files, err)
			}
		})
	}
}
