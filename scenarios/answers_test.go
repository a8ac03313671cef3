package scenarios

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"tcpsim/internal/diagram"
	"tcpsim/internal/report"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
)

var (
	heading = regexp.MustCompile(`^## (\S+\.yaml)((?: and \S+\.yaml)*)`)
	check   = regexp.MustCompile(`^<!-- check: (.+?) \| (.+?) \| (.+?) -->$`)
)

// Every check line of ANSWERS.md holds for the simulator's actual output
// (the trace includes RTT samples, as with --trace-rtt). The key is read
// from the repository: it is not embedded in the binary.
func TestAnswerKey(t *testing.T) {
	src, err := os.ReadFile("exercises/ANSWERS.md")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	n := 0
	covered := map[string]bool{}
	for _, line := range strings.Split(string(src), "\n") {
		if m := heading.FindStringSubmatch(line); m != nil {
			files = []string{m[1]}
			files = append(files, strings.Split(m[2], " and ")[1:]...)
			continue
		}
		m := check.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n++
		subject, row, want := m[1], m[2], m[3]
		ok := false
		var got []string
		for _, f := range files {
			covered[f] = true
			g, pass := evaluate(t, "exercises/"+f, subject, row, want)
			got = append(got, g)
			ok = ok || pass
		}
		if !ok {
			t.Errorf("%v: %s | %s: want %q, got %q", files, subject, row, want, got)
		}
	}
	exs, _ := Exercises()
	if len(exs) < 8 || n < 20 {
		t.Fatalf("%d exercises, %d checks", len(exs), n)
	}
	for _, e := range exs {
		if !covered[strings.TrimPrefix(e.Path, "exercises/")] {
			t.Errorf("%s has no checked answer", e.Path)
		}
		if e.Question == "" {
			t.Errorf("%s has no Question: line", e.Path)
		}
	}
}

func evaluate(t *testing.T, file, subject, row, want string) (string, bool) {
	t.Helper()
	sc, err := scenario.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	c := &trace.Recorder{}
	res, err := run.ScenarioWith(sc, sc.Seed, run.Options{Trace: c, TraceRTT: true})
	if err != nil {
		t.Fatal(err)
	}
	switch subject {
	case "diagram":
		var mine []trace.Event
		for _, e := range c.Events {
			if e.Flow == sc.Flows[0].Name {
				mine = append(mine, e)
			}
		}
		d := diagram.Draw(mine, diagram.Options{ASCII: true, Delay: run.LinkConfig(sc.LinkDirection("forward")).Delay, Width: 1000})
		return "(diagram)", strings.Contains(d, want)
	case "trace":
		var b bytes.Buffer
		for i := range c.Events {
			b.WriteString(trace.Text(&c.Events[i]) + "\n")
		}
		return "(trace)", strings.Contains(b.String(), want)
	}
	if subject == "run" {
		got, ok := report.RunValue(res, row)
		if !ok {
			t.Fatalf("%s: no run field %q", file, row)
		}
		return got, got == want
	}
	got, ok := report.FlowValue(res, subject, row)
	if !ok {
		t.Fatalf("%s: no row %q for flow %q", file, row, subject)
	}
	return got, got == want
}

func TestExercisesListed(t *testing.T) {
	exs, err := Exercises()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range exs {
		if !strings.HasPrefix(e.Title, "Exercise") {
			t.Errorf("%s: title %q", e.Path, e.Title)
		}
	}
}
