package analyze

import (
	"path/filepath"
	"testing"

	"tcpsim/internal/direction"
	"tcpsim/internal/flowview"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
)

// wireView is what both readings must agree on for one packet.
type wireView struct {
	kind          string
	seq, ack, len uint32
}

// A capture read by `tcpsim analyze` gives the flow view of the run it
// was taken from: the client's segments (captured as they leave) and the
// server's segments that reached it have the same kinds, relative numbers
// and order, so the ladder and plots of a capture name packets as those
// of a run do.
func TestCaptureGivesTheRunsView(t *testing.T) {
	const name = "tcp-loss-20"
	data := makeCapture(t, name, "a")
	res, err := analyzeBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	captured := flowview.Build(res.Conns[0].Trace(), nil)

	sc, err := scenario.Load(filepath.Join("..", "..", "scenarios", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rec := &trace.Recorder{}
	if _, err := run.ScenarioWith(sc, sc.Seed, run.Options{Trace: rec}); err != nil {
		t.Fatal(err)
	}
	simulated := flowview.Build(rec.Events, nil)

	pick := func(v *flowview.View, dir direction.Dir, delivered bool) []wireView {
		var out []wireView
		for _, p := range v.Packets {
			if p.Dir == dir && !p.Copy && (!delivered || p.Del >= 0) {
				out = append(out, wireView{p.Kind, p.Seq, p.Ack, uint32(p.Len)})
			}
		}
		return out
	}
	for _, c := range []struct {
		dir          direction.Dir
		simDelivered bool
		what         string
	}{{direction.AB, false, "sent by the client"}, {direction.BA, true, "received by the client"}} {
		got, want := pick(captured, c.dir, false), pick(simulated, c.dir, c.simDelivered)
		if len(got) != len(want) || len(want) == 0 {
			t.Fatalf("%s: %d packets in the capture's view, %d in the run's", c.what, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s, packet %d: capture %+v, run %+v", c.what, i+1, got[i], want[i])
			}
		}
	}
}
