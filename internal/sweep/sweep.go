// Package sweep runs a scenario over a grid of parameter values and seeds,
// in parallel and deterministically, and summarises each point with
// statistics and 95% confidence intervals. Runs can be split into shards
// for many machines and merged back.
package sweep

import (
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
)

// Axis is one varied parameter and its values.
type Axis struct {
	Path   string
	Values []string
}

// ParseAxis parses "path=v1,v2,..." (a --vary flag).
func ParseAxis(s string) (Axis, error) {
	p, v, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(p) == "" || strings.TrimSpace(v) == "" {
		return Axis{}, fmt.Errorf("--vary %q: want path=value,value,..., e.g. link.loss=0,1%%,5%%", s)
	}
	a := Axis{Path: strings.TrimSpace(p)}
	for _, x := range strings.Split(v, ",") {
		a.Values = append(a.Values, strings.TrimSpace(x))
	}
	return a, nil
}

// Plan is a sweep: the scenario, the axes, and the seeds per point.
type Plan struct {
	Meta   // what reports need to know of the sweep
	src    []byte
	points []*scenario.Scenario
}

// NewPlan loads file and checks every point of the grid, so that a bad
// value is reported before any run starts.
func NewPlan(file string, src []byte, axes []Axis, seeds int) (*Plan, error) {
	if seeds < 1 {
		return nil, fmt.Errorf("--seeds %d: want at least 1", seeds)
	}
	p := &Plan{Meta: Meta{File: file, Axes: axes, Seeds: seeds}, src: src}
	for _, ovs := range p.grid() {
		sc, err := scenario.Parse(file, src, ovs...)
		if err != nil {
			return nil, err
		}
		p.points = append(p.points, sc)
	}
	first := p.points[0]
	p.Scenario, p.BaseSeed = first.Name, first.Seed
	for _, f := range first.Flows {
		p.Flows = append(p.Flows, f.Name)
	}
	for i := range p.Points() {
		p.Labels = append(p.Labels, p.PointLabel(i))
	}
	return p, nil
}

// grid returns the overrides of every point, the first axis varying
// slowest.
func (p *Plan) grid() [][]scenario.Override {
	out := [][]scenario.Override{nil}
	for _, a := range p.Axes {
		var next [][]scenario.Override
		for _, prefix := range out {
			for _, v := range a.Values {
				o := append(append([]scenario.Override(nil), prefix...), scenario.Override{Path: a.Path, Value: v})
				next = append(next, o)
			}
		}
		out = next
	}
	return out
}

// Points returns the number of grid points.
func (p *Plan) Points() int { return len(p.points) }

// PointLabel returns the axis values of point i, e.g. ["1%", "reno"].
func (p *Plan) PointLabel(i int) []string {
	var out []string
	for _, o := range p.grid()[i] {
		out = append(out, o.Value)
	}
	return out
}

// seed of run r: seed k = base + k is the same at every point, so points
// are compared under common random numbers.
func (p *Plan) seed(r int) uint64 { return p.BaseSeed + uint64(r%p.Seeds) }

// Metrics summarised for every flow, in table order.
var Metrics = []string{"goodput_bps", "delivery_ratio", "retransmissions", "completion_s"}

// FlowRecord is one flow's measurements in one run. A metric that does not
// exist (completion time of an unfinished flow) is NaN in memory and null
// in JSON.
type FlowRecord struct {
	Name     string     `json:"name"`
	Complete bool       `json:"complete"`
	Values   []float64  `json:"-"`
	JSONVals []*float64 `json:"values"`
}

// Record is one run's results.
type Record struct {
	Run    int          `json:"run"`
	Point  int          `json:"point"`
	Seed   uint64       `json:"seed"`
	Status string       `json:"status"`
	Flows  []FlowRecord `json:"flows"`
}

func record(r int, point int, seed uint64, res *run.Result) Record {
	rec := Record{Run: r, Point: point, Seed: seed, Status: res.Status()}
	for _, f := range res.Flows {
		retr := 0.0
		if f.TCP != nil {
			retr = float64(f.TCP.TimeoutRetrans + f.TCP.FastRetrans)
		}
		comp := math.NaN()
		if f.Completion >= 0 && f.Complete {
			comp = f.Completion.Seconds()
		}
		gp := f.Goodput
		if !f.Complete {
			gp = math.NaN()
		}
		rec.Flows = append(rec.Flows, FlowRecord{Name: f.Name, Complete: f.Complete,
			Values: []float64{gp, f.DeliveryRatio, retr, comp}})
	}
	return rec
}

// Shard selects runs r with r mod N = K-1 (K counts from 1): round robin,
// so that every shard gets a similar mix of cheap and costly points.
type Shard struct{ K, N int }

// ParseShard parses "K/N".
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(s, "/")
	ki, err1 := strconv.Atoi(k)
	ni, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || ni < 1 || ki < 1 || ki > ni {
		return Shard{}, fmt.Errorf("--shard %q: want K/N with 1 <= K <= N, e.g. 3/8", s)
	}
	return Shard{ki, ni}, nil
}

func (s Shard) has(r int) bool { return s.N <= 1 || r%s.N == s.K-1 }

// Execute runs the plan's runs that fall in shard on workers goroutines
// (0 = GOMAXPROCS), calling progress (if not nil) after each. Results come
// back in run order whatever the worker count, so output is identical.
func (p *Plan) Execute(shard Shard, workers int, progress func()) ([]Record, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var todo []int
	for r := range p.Runs() {
		if shard.has(r) {
			todo = append(todo, r)
		}
	}
	out := make([]Record, len(todo))
	errs := make([]error, len(todo))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r := todo[j]
				pt := r / p.Seeds
				res, err := run.Scenario(p.points[pt], p.seed(r))
				if err != nil {
					errs[j] = err
				} else {
					out[j] = record(r, pt, p.seed(r), res)
				}
				if progress != nil {
					mu.Lock()
					progress()
					mu.Unlock()
				}
			}
		}()
	}
	for j := range todo {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
