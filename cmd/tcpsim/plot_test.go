package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// written returns the files a plot or sweep command says it wrote.
func written(out string) []string {
	var files []string
	for _, l := range strings.Split(out, "\n") {
		if f, ok := strings.CutPrefix(l, "wrote "); ok {
			files = append(files, f)
		}
	}
	return files
}

// Figures are named after the scenario files and the figure, so that two
// scenarios plotted into one directory never overwrite each other, and an
// overlay names every file it draws.
func TestPlotFileNames(t *testing.T) {
	dir := t.TempDir()
	var all []string
	for _, c := range []struct {
		args []string
		want []string // base names, each as .png and .svg
	}{
		{[]string{"../../scenarios/tcp-loss-1.yaml"}, []string{"tcp-loss-1-file-time-sequence", "tcp-loss-1-file-cwnd", "tcp-loss-1-file-rwnd", "tcp-loss-1-file-throughput"}},
		{[]string{"../../scenarios/tcp-loss-5.yaml"}, []string{"tcp-loss-5-file-time-sequence", "tcp-loss-5-file-cwnd", "tcp-loss-5-file-rwnd", "tcp-loss-5-file-throughput"}},
		{[]string{"--x", "rounds", "--units", "segments", "ex:26-kr-tahoe", "ex:26-kr-reno"},
			[]string{"26-kr-tahoe+26-kr-reno-file-time-sequence", "26-kr-tahoe+26-kr-reno-file-cwnd", "26-kr-tahoe+26-kr-reno-file-rwnd", "26-kr-tahoe+26-kr-reno-file-throughput"}},
		{[]string{"--vary", "flows.file.congestion=tahoe,reno,newreno", "ex:26-kr-reno"},
			[]string{"26-kr-reno-flows.file.congestion-file-time-sequence", "26-kr-reno-flows.file.congestion-file-cwnd", "26-kr-reno-flows.file.congestion-file-rwnd", "26-kr-reno-flows.file.congestion-file-throughput"}},
		// A flow of a topology, seen from its end hosts.
		{[]string{"--flow", "long", "../../scenarios/networks/parking-lot.yaml"},
			[]string{"parking-lot-long-time-sequence", "parking-lot-long-cwnd", "parking-lot-long-rwnd", "parking-lot-long-throughput"}},
		// Two flows of one run: overlaid, their throughput, their fairness.
		{[]string{"--flow", "all", "ex:27-aimd-convergence"},
			[]string{"27-aimd-convergence-flows-time-sequence", "27-aimd-convergence-flows-cwnd", "27-aimd-convergence-flows-rwnd", "27-aimd-convergence-flows-throughput", "27-aimd-convergence-flows-fairness"}},
		// rdt and UDP flows: a time-sequence graph in packets.
		{[]string{"--to", "1s", "ex:11-rdt-go-back-n-loss"}, []string{"11-rdt-go-back-n-loss-gbn-time-sequence", "11-rdt-go-back-n-loss-gbn-throughput"}},
		{[]string{"--flow", "video", "../../scenarios/tcp-vs-udp.yaml"}, []string{"tcp-vs-udp-video-time-sequence", "tcp-vs-udp-video-throughput"}},
	} {
		out, errs, code := runCmd(append([]string{"plot", "--out", dir}, c.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", c.args, code, out, errs)
		}
		var want []string
		for _, w := range c.want {
			want = append(want, filepath.Join(dir, w+".png"), filepath.Join(dir, w+".svg"))
		}
		got := written(out)
		if !slices.Equal(got, want) {
			t.Errorf("%v wrote %q, want %q", c.args, got, want)
		}
		for _, f := range got {
			if st, err := os.Stat(f); err != nil || st.Size() < 2000 {
				t.Errorf("%s: %v", f, err)
			}
			if slices.Contains(all, f) {
				t.Errorf("%s written twice", f)
			}
		}
		all = append(all, got...)
	}
	// The overlay's legend names each run by scenario and algorithm.
	svg, err := os.ReadFile(filepath.Join(dir, "26-kr-reno-flows.file.congestion-file-cwnd.svg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tahoe file: cwnd", "newreno file: cwnd"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("the cwnd overlay's legend lacks %q", want)
		}
	}
}

func TestPlotErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--units", "kB", "../../scenarios/tcp-loss-1.yaml"}, `--units "kB": want bytes or segments`},
		{[]string{"--x", "seq", "../../scenarios/tcp-loss-1.yaml"}, `--x "seq": want time or rounds`},
		{[]string{"--vary", "flows.file.congestion=reno", "../../scenarios/tcp-loss-1.yaml", "../../scenarios/tcp-loss-5.yaml"}, "one FILE"},
		{[]string{"--vary", "flows.file.congestion=bbr9", "../../scenarios/tcp-loss-1.yaml"}, "--vary"},
		{[]string{"--from", "2s", "--to", "1s", "../../scenarios/tcp-loss-1.yaml"}, "--from 2s is after --to 1s"},
		{[]string{"--from", "1s", "--x", "rounds", "../../scenarios/tcp-loss-1.yaml"}, "--x time, not rounds"},
		{[]string{"--from", "soon", "../../scenarios/tcp-loss-1.yaml"}, "--from"},
		{[]string{"--bin", "0s", "../../scenarios/tcp-loss-1.yaml"}, "--bin 0s: want an interval above 0"},
		{[]string{"--flow", "all", "../../scenarios/tcp-vs-udp.yaml", "../../scenarios/tcp-vs-udp.yaml"}, "several flows are drawn from one run of one FILE"},
		{[]string{"--flow", "nope", "../../scenarios/tcp-vs-udp.yaml"}, "has no flow named \"nope\" (flows: file, video)"},
	} {
		out, errs, code := runCmd(append([]string{"plot", "--out", dir}, c.args...)...)
		if code == 0 || !strings.Contains(out+errs, c.want) {
			t.Errorf("%v: exit %d, output lacks %q:\n%s%s", c.args, code, c.want, out, errs)
		}
	}
}

// sweep --plot names its figure after the scenario file and the varied
// parameter, and draws the model beside the data.
func TestSweepPlotFile(t *testing.T) {
	dir := t.TempDir()
	out, errs, code := runCmd("sweep", "--vary", "link.loss=1%,5%", "--seeds", "2", "--plot", dir, "../../scenarios/tcp-vs-udp.yaml")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	want := []string{filepath.Join(dir, "tcp-vs-udp-goodput-vs-link.loss.png"), filepath.Join(dir, "tcp-vs-udp-goodput-vs-link.loss.svg")}
	if got := written(errs); !slices.Equal(got, want) {
		t.Fatalf("wrote %q, want %q", got, want)
	}
	svg, _ := os.ReadFile(want[1])
	if !strings.Contains(string(svg), "model, Mathis et al. 1997") {
		t.Error("no Mathis model in the sweep plot's legend")
	}
	// --log-x: for the plot, and only over values above 0.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--log-x", "--vary", "link.loss=1%,5%"}, "--log-x is for the plot"},
		{[]string{"--log-x", "--plot", dir, "--vary", "link.loss=0,5%"}, `link.loss value "0" is not a number above 0`},
		{[]string{"--plot-metric", "delay", "--plot", dir, "--vary", "link.loss=1%"}, `--plot-metric: metric "delay": want one of goodput`},
	} {
		out, errs, code := runCmd(append(append([]string{"sweep", "--seeds", "1"}, c.args...), "../../scenarios/tcp-vs-udp.yaml")...)
		if code == 0 || !strings.Contains(out+errs, c.want) {
			t.Errorf("%v: exit %d, output lacks %q:\n%s%s", c.args, code, c.want, out, errs)
		}
	}
}
