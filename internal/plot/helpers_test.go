package plot

import (
	"os"
	"testing"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
)

// loadRun runs a scenario file (with overrides) and returns its first TCP
// flow as a Run labelled the way the command labels it.
func loadRun(t testing.TB, file string, label string, ovs ...scenario.Override) Run {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse(file, src, ovs...)
	if err != nil {
		t.Fatal(err)
	}
	return runScenario(t, sc, label)
}

func runScenario(t testing.TB, sc *scenario.Scenario, label string) Run {
	t.Helper()
	var f *scenario.Flow
	for i := range sc.Flows {
		if sc.Flows[i].Protocol == "tcp" {
			f = &sc.Flows[i]
			break
		}
	}
	if f == nil {
		t.Fatal("no TCP flow")
	}
	rec := &trace.Recorder{}
	if _, err := run.ScenarioWith(sc, sc.Seed, run.Options{Trace: &trace.Filter{Flow: f.Name, Next: rec}, TraceRecovery: true}); err != nil {
		t.Fatal(err)
	}
	if label == "" {
		label = sc.Name + ": " + f.TCP.Congestion + " " + f.Name
	}
	mss := f.TCP.MSS
	if mss == 0 {
		mss = 1460
	}
	return Run{Label: label, Events: rec.Events, MSS: mss}
}
