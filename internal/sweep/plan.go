// Package sweep runs a scenario over a grid of parameter values and seeds,
// in parallel and deterministically, and summarises each point with
// statistics and 95% confidence intervals. Runs can be split into shards
// for many machines and merged back.
//
// A point is one combination of the varied values; point i is the i-th
// combination, the first axis varying slowest. Every point runs with the
// same seeds, so run r is seed r mod Seeds at point r / Seeds.
package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
)

// Limits on the size of a sweep, checked before anything is allocated.
const (
	// MaxRuns bounds points x seeds.
	MaxRuns = 10_000_000
	// MaxPoints bounds the grid: every point's scenario is parsed and
	// checked before the first run.
	MaxPoints = 100_000
)

// shardFormat is the version of the shard file format; it is part of the
// grid hash, so shards of different versions never merge.
const shardFormat = 2

// Axis is one varied parameter and its values, as written on the command
// line (--vary path=v1,v2,...).
type Axis struct {
	Path   string   `json:"path"`
	Values []string `json:"values"`
}

// ParseAxis parses "path=v1,v2,..." (a --vary flag). Empty values are
// errors; values are otherwise checked by NewPlan, against the scenario.
func ParseAxis(s string) (Axis, error) {
	p, v, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(p) == "" || strings.TrimSpace(v) == "" {
		return Axis{}, fmt.Errorf("--vary %q: want path=value,value,..., e.g. link.loss=0,1%%,5%%", s)
	}
	a := Axis{Path: strings.TrimSpace(p)}
	for i, x := range strings.Split(v, ",") {
		x = strings.TrimSpace(x)
		if x == "" {
			return Axis{}, fmt.Errorf("--vary %q: value %d is empty (two commas in a row, or a comma at an end?)", s, i+1)
		}
		a.Values = append(a.Values, x)
	}
	return a, nil
}

// checkAxes rejects axes that would make a grid lie about what it varied:
// a path varied twice (or inside another varied path), the seed (which
// --seeds varies), an axis without values or with one value twice.
func checkAxes(axes []Axis) error {
	for i, a := range axes {
		if a.Path == "seed" {
			return fmt.Errorf("--vary seed: the seed is varied by --seeds N (seeds base..base+N-1, the same at every point), not by --vary")
		}
		if len(a.Values) == 0 {
			return fmt.Errorf("--vary %s: no values", a.Path)
		}
		seen := map[string]bool{}
		for k, v := range a.Values {
			if v == "" {
				return fmt.Errorf("--vary %s: value %d is empty", a.Path, k+1)
			}
			if seen[v] {
				return fmt.Errorf("--vary %s: value %q is given twice", a.Path, v)
			}
			seen[v] = true
		}
		for _, b := range axes[:i] {
			switch {
			case a.Path == b.Path:
				return fmt.Errorf("--vary %s is given twice: give all its values in one --vary", a.Path)
			case strings.HasPrefix(a.Path, b.Path+"."), strings.HasPrefix(b.Path, a.Path+"."):
				return fmt.Errorf("--vary %s and --vary %s overlap: one sets a field inside the other", b.Path, a.Path)
			}
		}
	}
	return nil
}

// FlowInfo names a flow of the swept scenario.
type FlowInfo struct {
	Name     string `json:"name"`
	Protocol string `json:"protocol"`
}

// Meta is what output needs to know of a plan; shard files carry it so
// that merge prints exactly what an unsharded sweep prints.
type Meta struct {
	File     string `json:"file"` // as typed; not part of the sweep's identity
	Scenario string `json:"scenario"`
	// ScenarioSHA256 is the hash of the scenario file's bytes, and
	// GridSHA256 that of the axes, the seed count and the shard format:
	// together they identify a sweep, wherever the file lies.
	ScenarioSHA256 string     `json:"scenario_sha256"`
	GridSHA256     string     `json:"grid_sha256"`
	Axes           []Axis     `json:"vary"`
	Seeds          int        `json:"seeds"`
	BaseSeed       uint64     `json:"base_seed"`
	Flows          []FlowInfo `json:"flows"`
	// Labels holds the varied values of every point, e.g. ["1%", "reno"].
	Labels [][]string `json:"point_values"`
}

// Runs returns the total number of runs of the sweep.
func (m Meta) Runs() int { return len(m.Labels) * m.Seeds }

// gridHash hashes what, beside the scenario's content, decides which runs
// a sweep makes and how they are numbered.
func gridHash(axes []Axis, seeds int) string {
	b, _ := json.Marshal(struct {
		Format int    `json:"format"`
		Axes   []Axis `json:"vary"`
		Seeds  int    `json:"seeds"`
	}{shardFormat, axes, seeds})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Plan is a sweep: the scenario, the axes, and the seeds per point.
type Plan struct {
	Meta   // what reports need to know of the sweep
	points []*scenario.Scenario
	// run makes one run: run.ScenarioWith, replaced in tests.
	run func(*scenario.Scenario, uint64, run.Options) (*run.Result, error)
}

// gridSize returns the number of points of axes, or an error when it
// exceeds MaxPoints or, times seeds, MaxRuns. It allocates nothing.
func gridSize(axes []Axis, seeds int) (int, error) {
	n := 1
	for _, a := range axes {
		n *= len(a.Values) // at most MaxPoints x len: no overflow
		if n > MaxPoints {
			return 0, fmt.Errorf("--vary: the grid has more than %d points; split the sweep", MaxPoints)
		}
	}
	if seeds > MaxRuns/n {
		return 0, fmt.Errorf("--seeds %d x %d points is more than %d runs; use fewer seeds or points, or split the sweep", seeds, n, MaxRuns)
	}
	return n, nil
}

// NewPlan loads file and checks every point of the grid, so that a bad
// value is reported before any run starts. The sweep's size is checked
// before anything is allocated for it.
func NewPlan(file string, src []byte, axes []Axis, seeds int) (*Plan, error) {
	if seeds < 1 {
		return nil, fmt.Errorf("--seeds %d: want at least 1", seeds)
	}
	if err := checkAxes(axes); err != nil {
		return nil, err
	}
	n, err := gridSize(axes, seeds)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(src)
	p := &Plan{Meta: Meta{File: file, ScenarioSHA256: hex.EncodeToString(sum[:]),
		GridSHA256: gridHash(axes, seeds), Axes: axes, Seeds: seeds}, run: run.ScenarioWith}
	p.points = make([]*scenario.Scenario, 0, n)
	p.Labels = make([][]string, 0, n)
	ovs := make([]scenario.Override, len(axes))
	for i := range n {
		label := p.label(i)
		for k, a := range axes {
			ovs[k] = scenario.Override{Path: a.Path, Value: label[k]}
		}
		sc, err := scenario.Parse(file, src, ovs...)
		if err != nil {
			return nil, fmt.Errorf("--vary: %w", err)
		}
		p.points = append(p.points, sc)
		p.Labels = append(p.Labels, label)
	}
	first := p.points[0]
	p.Scenario, p.BaseSeed = first.Name, first.Seed
	if last := uint64(seeds - 1); last > math.MaxUint64-first.Seed {
		// Seed base+k would wrap around to a small seed, silently
		// repeating another sweep's runs (issue 21, item 13).
		return nil, fmt.Errorf("--seeds %d: %s has seed %d, and seeds %d+0 to %d+%d go past the largest seed, %d: use --seeds %d or fewer, or a smaller seed in the file",
			seeds, file, first.Seed, first.Seed, first.Seed, seeds-1, uint64(math.MaxUint64), math.MaxUint64-first.Seed+1)
	}
	for _, f := range first.Expanded(first.Seed) { // a repeated flow's members by name
		p.Flows = append(p.Flows, FlowInfo{Name: f.Name, Protocol: f.Protocol})
	}
	return p, nil
}

// label returns the axis values of point i, the first axis varying
// slowest.
func (p *Plan) label(i int) []string { return labelOf(p.Axes, i) }

// labelOf returns the values of point i of the grid of axes, the first
// axis varying slowest.
func labelOf(axes []Axis, i int) []string {
	out := make([]string, len(axes))
	for k := len(axes) - 1; k >= 0; k-- {
		vs := axes[k].Values
		out[k] = vs[i%len(vs)]
		i /= len(vs)
	}
	return out
}

// Points returns the number of grid points.
func (p *Plan) Points() int { return len(p.points) }

// PointLabel returns the axis values of point i, e.g. ["1%", "reno"].
func (p *Plan) PointLabel(i int) []string { return p.Labels[i] }

// seed of run r: seed k = base + k is the same at every point, so points
// are compared under common random numbers.
func (p *Plan) seed(r int) uint64 { return p.BaseSeed + uint64(r%p.Seeds) }
