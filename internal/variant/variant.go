// Package variant writes each student their own version of a classroom
// exercise: the same lesson with other numbers (link rate, delay, sizes,
// the position of a scripted fault, the seed of random losses), drawn
// from ranges that keep the lesson valid, and computes its answer with
// the engine so that the teacher gets a key.
//
// Every exercise has one entry in the table (table.go): either how its
// numbers vary, the variant file's text and how its answer is read from
// a run, or why it has no variant. Adding an exercise means adding its
// entry there; nothing else switches on exercise names.
package variant

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"strings"
	"tcpsim/internal/direction"
	"text/template"

	"tcpsim/internal/report"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
	"tcpsim/scenarios"
	"tcpsim/sim"
)

// MaxEvents is the budget of one variant's run: a variant whose run
// needs more events than this is a bug in its ranges (the tests run
// every generator over many seeds against it).
const MaxEvents = 2_000_000

// Answer is one quantity that the exercise's question asks for, as the
// teacher's key prints it.
type Answer struct {
	Quantity string // what is asked, e.g. "wait before the retransmission"
	Value    string // with its unit, e.g. "1 s"
}

// Generator is one exercise's entry in the table.
type Generator struct {
	// Exercise is the exercise's name, e.g. "02-timeout".
	Exercise string
	// Refused, if not empty, says why the exercise has no variant; the
	// other fields are then unset.
	Refused string
	// Vary draws the variant's numbers, each from a range that keeps
	// the lesson valid, and may set values derived from them.
	Vary func(d *Draw)
	// File is the variant scenario file, a text/template over the drawn
	// values (by name) and .Seed, .Name and .SeedLine (a comment line
	// naming the seed and the command that rewrites the file).
	File string
	// Answer reads the answers from the variant's run. It returns an
	// error if the run does not show the lesson (a range too wide).
	Answer func(o *Outcome) ([]Answer, error)
}

// Draw picks a variant's numbers, deterministically for a seed and an
// exercise. Its methods record each value under a name, for the file's
// template and for the tests.
type Draw struct {
	rng    *rand.PCG
	Values map[string]any
}

// Int draws an integer from [lo, hi] (in steps of 1) and records it.
func (d *Draw) Int(name string, lo, hi int) int {
	return d.Step(name, lo, hi, 1)
}

// Step draws one of lo, lo+step, ..., up to hi, and records it.
func (d *Draw) Step(name string, lo, hi, step int) int {
	if hi < lo || step <= 0 {
		panic(fmt.Sprintf("variant: bad range %s [%d, %d] step %d", name, lo, hi, step))
	}
	n := uint64((hi-lo)/step + 1)
	v := lo + int(d.rng.Uint64()%n)*step
	d.Values[name] = v
	return v
}

// Pick draws one of the choices and records it.
func (d *Draw) Pick(name string, choices ...int) int {
	v := choices[d.rng.Uint64()%uint64(len(choices))]
	d.Values[name] = v
	return v
}

// Set records a value derived from the drawn ones.
func (d *Draw) Set(name string, v any) { d.Values[name] = v }

// Variant is one student's version of an exercise.
type Variant struct {
	Exercise string         // the exercise's name, e.g. "02-timeout"
	Seed     uint64         // the student's seed
	Values   map[string]any // the numbers drawn (and derived), by name
	File     []byte         // the scenario file
	Question string         // the question of the file's header
}

// Outcome is a variant's run, for its Answer function.
type Outcome struct {
	Scenario *scenario.Scenario
	Result   *run.Result
	Events   []trace.Event // the events answers read (see recorder), RTT samples and recovery included
	Values   map[string]any
}

// Lookup returns the entry of the exercise id names (a number such as
// "02" or a name such as "26-kr-tahoe-textbook"). An exercise without a
// variant is an error that says why.
func Lookup(id string) (Generator, error) {
	ex, err := scenarios.Find(id)
	if err != nil {
		return Generator{}, err
	}
	name := ex.Name()
	for _, g := range table {
		if g.Exercise != name {
			continue
		}
		if g.Refused != "" {
			return Generator{}, fmt.Errorf("exercise %s has no variants: %s", name, g.Refused)
		}
		return g, nil
	}
	return Generator{}, fmt.Errorf("exercise %s has no variants: it has no entry in the variant table (internal/variant/table.go)", name)
}

// Generate writes the variant of g for seed.
func (g Generator) Generate(seed uint64) (*Variant, error) {
	if g.Refused != "" || g.Vary == nil {
		return nil, fmt.Errorf("exercise %s has no variants: %s", g.Exercise, g.Refused)
	}
	h := fnv.New64a()
	h.Write([]byte(g.Exercise))
	d := &Draw{rng: rand.NewPCG(seed, h.Sum64()), Values: map[string]any{}}
	g.Vary(d)
	data := map[string]any{}
	for k, v := range d.Values {
		data[k] = v
	}
	data["Seed"] = seed
	data["Name"] = g.Exercise
	data["SeedLine"] = fmt.Sprintf("Your variant: seed %d (tcpsim exercises new %s --seed %d writes this file).", seed, g.Exercise, seed)
	t, err := template.New(g.Exercise).Option("missingkey=error").Parse(g.File)
	if err != nil {
		return nil, fmt.Errorf("variant %s: template: %w", g.Exercise, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("variant %s: template: %w", g.Exercise, err)
	}
	path := "exercises/" + g.Exercise + ".yaml"
	return &Variant{
		Exercise: g.Exercise,
		Seed:     seed,
		Values:   d.Values,
		File:     b.Bytes(),
		Question: scenarios.Header(path, b.String()).Question,
	}, nil
}

// FileName is the variant's file name: the exercise's, with the seed.
func (v *Variant) FileName() string {
	return fmt.Sprintf("%s-seed%d.yaml", v.Exercise, v.Seed)
}

// Answers runs the variant and returns the answers of its question.
func (g Generator) Answers(v *Variant) ([]Answer, *Outcome, error) {
	sc, err := scenario.Parse(v.FileName(), v.File)
	if err != nil {
		return nil, nil, fmt.Errorf("variant %s seed %d: %w", v.Exercise, v.Seed, err)
	}
	rec := &recorder{}
	res, err := run.ScenarioWith(sc, sc.Seed, run.Options{Trace: rec, TraceRTT: true, TraceRecovery: true})
	if err != nil {
		return nil, nil, fmt.Errorf("variant %s seed %d: %w", v.Exercise, v.Seed, err)
	}
	if res.Events > MaxEvents {
		return nil, nil, fmt.Errorf("variant %s seed %d: %d events, over the budget of %d", v.Exercise, v.Seed, res.Events, MaxEvents)
	}
	o := &Outcome{Scenario: sc, Result: res, Events: rec.events, Values: v.Values}
	as, err := g.Answer(o)
	if err != nil {
		return nil, o, fmt.Errorf("variant %s seed %d does not show the lesson: %w", v.Exercise, v.Seed, err)
	}
	return as, o, nil
}

// recorder keeps the events that answers read (RTT samples, cwnd,
// timers, losses, corruption, recovery, the SYNs, resets and what
// arrives at the sender) and leaves out the rest, most of a long transfer's events, so
// that a sheet's runs stay small in memory.
type recorder struct{ events []trace.Event }

// Event implements trace.Sink.
func (r *recorder) Event(e *trace.Event) {
	switch e.Kind {
	case trace.Transmit, trace.AppRead, trace.AppWrite, trace.Rwnd, trace.TimerCancel, trace.State:
		return
	case trace.Enqueue:
		if !strings.Contains(e.Flags, "RST") {
			return // a reset's numbers are read where it is queued
		}
	case trace.Send:
		if !strings.Contains(e.Flags, "SYN") {
			return
		}
	case trace.Deliver:
		if e.Dir != direction.BA {
			return
		}
	}
	x := *e
	x.Packet = nil
	r.events = append(r.events, x)
}

// errLesson says that a run lacks what the exercise is about.
var errLesson = errors.New("lesson missing")

// Row returns the run table's cell of a flow's row, as tcpsim prints it.
func (o *Outcome) Row(flow, row string) (string, error) {
	v, ok := report.FlowValue(o.Result, flow, row)
	if !ok {
		return "", fmt.Errorf("no row %q for flow %q", row, flow)
	}
	return v, nil
}

// Rows returns answers for the given rows of one flow, each quantity
// named as the row.
func (o *Outcome) Rows(flow string, rows ...string) ([]Answer, error) {
	var as []Answer
	for _, r := range rows {
		v, err := o.Row(flow, r)
		if err != nil {
			return nil, err
		}
		as = append(as, Answer{r, v})
	}
	return as, nil
}

// Kind returns the events of one kind, in time order.
func (o *Outcome) Kind(kind string) []trace.Event {
	var out []trace.Event
	for _, e := range o.Events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// Flow returns the run's result of the named flow.
func (o *Outcome) Flow(name string) (*run.FlowResult, error) {
	for i := range o.Result.Flows {
		if o.Result.Flows[i].Name == name {
			return &o.Result.Flows[i], nil
		}
	}
	return nil, fmt.Errorf("no flow %q", name)
}

// Int returns a drawn integer value.
func (o *Outcome) Int(name string) int { return o.Values[name].(int) }

// Secs formats a time as tcpsim's tables do: seconds with six decimals.
func Secs(t sim.Time) string { return report.Duration(t) }

// Ms formats a duration in milliseconds, to the microsecond.
func Ms(t sim.Time) string {
	return strconv.FormatFloat(float64(t)/float64(sim.Millisecond), 'f', 3, 64) + " ms"
}

// Segments formats a byte count as a number of segments of mss bytes.
func Segments(bytes, mss int64) string {
	s := strconv.FormatFloat(float64(bytes)/float64(mss), 'f', 2, 64)
	s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	unit := " segments ("
	if s == "1" {
		unit = " segment ("
	}
	return s + unit + strconv.FormatInt(bytes, 10) + " bytes)"
}

// list joins numbers for an answer: "1, 2, 4, 8".
func list(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}
