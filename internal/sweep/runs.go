package sweep

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"tcpsim/internal/run"
	"tcpsim/sim"
)

// Failure says why a run, or a flow in it, did not complete.
type Failure uint8

// The reasons a run or a flow fails. None means it completed.
const (
	None Failure = iota
	// Aborted: a flow gave up (no ACK after its retries).
	Aborted
	// TimeLimit: the run reached its scenario's until: with a flow
	// unfinished.
	TimeLimit
	// EventBudget: the run spent its max_events.
	EventBudget
	// Interrupted: the sweep was interrupted (SIGINT, SIGTERM).
	Interrupted
	// Incomplete: the run ended with a flow unfinished for no other
	// reason.
	Incomplete
	numFailures
)

var failureKeys = [numFailures]string{"", "aborted", "time_limit", "event_budget", "interrupted", "incomplete"}

// Key is the failure's name in JSON and CSV ("time_limit"); "" for None.
func (f Failure) Key() string { return failureKeys[f] }

// Words is the failure's name in tables ("time limit").
func (f Failure) Words() string { return strings.ReplaceAll(f.Key(), "_", " ") }

func parseFailure(s string) (Failure, bool) {
	for i, k := range failureKeys {
		if k == s {
			return Failure(i), true
		}
	}
	return None, false
}

// FlowRecord is one flow's measurements in one run, indexed by Metric. A
// metric that does not exist (goodput of an unfinished flow,
// retransmissions of UDP) is NaN in memory and null in JSON.
type FlowRecord struct {
	Complete bool
	Failure  Failure // None when Complete
	Values   [NumMetrics]float64
}

// Record is one run's results.
type Record struct {
	Run     int
	Point   int
	Seed    uint64
	Failure Failure // None when the run completed: every flow, within its limits
	Status  string  // the run's verdict in words
	Flows   []FlowRecord
}

// OK reports whether the run completed.
func (r *Record) OK() bool { return r.Failure == None }

// runFailure classifies a finished run the way run.Result.Status words it.
func runFailure(res *run.Result) Failure {
	switch {
	case res.Reason == sim.EventBudget:
		return EventBudget
	case res.Reason == sim.Interrupted:
		return Interrupted
	case res.OK():
		return None
	}
	for _, f := range res.Flows {
		if f.Aborted != "" {
			return Aborted
		}
	}
	if res.Reason == sim.TimeLimit {
		return TimeLimit
	}
	return Incomplete
}

func flowFailure(res *run.Result, f *run.FlowResult) Failure {
	switch {
	case f.Complete:
		return None
	case f.Aborted != "":
		return Aborted
	case res.Reason == sim.TimeLimit:
		return TimeLimit
	case res.Reason == sim.EventBudget:
		return EventBudget
	case res.Reason == sim.Interrupted:
		return Interrupted
	}
	return Incomplete
}

func record(r int, point int, seed uint64, res *run.Result) Record {
	rec := Record{Run: r, Point: point, Seed: seed, Failure: runFailure(res), Status: res.Status(),
		Flows: make([]FlowRecord, len(res.Flows))}
	for i := range res.Flows {
		f := &res.Flows[i]
		fr := &rec.Flows[i]
		fr.Complete, fr.Failure = f.Complete, flowFailure(res, f)
		nan := math.NaN()
		fr.Values = [NumMetrics]float64{nan, f.DeliveryRatio, nan, nan, nan, nan}
		if q := f.QueueDelay; q.Count > 0 {
			fr.Values[QueueDelayMean], fr.Values[QueueDelayP99] = q.Mean.Seconds(), q.P99.Seconds()
		}
		if f.TCP != nil {
			fr.Values[Retransmissions] = float64(f.TCP.TimeoutRetrans + f.TCP.FastRetrans)
		}
		if f.RDT != nil {
			fr.Values[Retransmissions] = float64(f.RDT.Sender.Retransmissions)
		}
		if f.Complete {
			fr.Values[Goodput] = f.Goodput
			if f.Completion >= 0 {
				fr.Values[CompletionTime] = f.Completion.Seconds()
			}
		}
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

// Size returns the number of the runs 0..runs-1 in the shard.
func (s Shard) Size(runs int) int { return s.size(runs) }

// size returns the number of the runs 0..runs-1 in the shard.
func (s Shard) size(runs int) int {
	if s.N <= 1 {
		return runs
	}
	if runs < s.K {
		return 0
	}
	return (runs-s.K)/s.N + 1
}

// String formats s as "K/N".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.K, s.N) }

// MaxWorkers bounds Options.Workers: runs are CPU-bound, so more
// goroutines than this only cost memory.
const MaxWorkers = 1024

// Options control Execute.
type Options struct {
	Shard Shard // the runs to make; the zero Shard makes every run
	// Workers is the number of runs made at once: 0 means GOMAXPROCS.
	Workers int
	// Interrupt, if not nil, may be set from another goroutine: runs in
	// progress end at once (sim.Interrupted) and no new run starts.
	Interrupt *atomic.Bool
	// Progress, if not nil, is called after each run, never concurrently.
	Progress func()
	// Skip, if not nil, says which runs (by run number) not to make:
	// those an earlier, interrupted sweep wrote already.
	Skip func(run int) bool
}

// ErrInterrupted is returned (wrapped, with counts) by Execute when
// Options.Interrupt was set before every run was made.
var ErrInterrupted = errors.New("sweep: interrupted")

// Execute makes the shard's runs on a pool of workers and returns their
// records in run order: Stream, collected. When Interrupt is set it
// returns the records of the runs that finished before the first
// unfinished one, and an error wrapping ErrInterrupted.
func (p *Plan) Execute(opt Options) ([]Record, error) {
	var out []Record
	err := p.Stream(opt, func(r *Record) error {
		out = append(out, *r)
		return nil
	})
	if err != nil && !errors.Is(err, ErrInterrupted) {
		return nil, err
	}
	return out, err
}

// streamWindow bounds, per worker, the runs started but not yet handed
// to the sink: the records waiting for an earlier, slower run.
const streamWindow = 64

// Stream makes the shard's runs on a pool of workers and hands each
// record to sink, never concurrently, in run order: records that finish
// early wait for the earlier runs, at most streamWindow per worker, so
// memory does not grow with the number of runs. Every run is a pure
// function of (point, seed), so the records are identical whatever the
// worker count.
//
// A run that fails (a flow aborted, a limit reached) is a Record with its
// Failure, not an error. An error (a *run.PanicError: a bug), or one from
// sink, stops the sweep; a run's error names the point and seed. When
// Interrupt is set, runs in progress end, no new one starts, the records
// before the first unfinished run have been handed to sink, and Stream
// returns an error wrapping ErrInterrupted that counts the runs finished.
// Skip, if not nil, names runs not to make (already made: --out resumes);
// their records are not handed to sink.
func (p *Plan) Stream(opt Options, sink func(*Record) error) error {
	workers := opt.Workers
	if workers < 0 || workers > MaxWorkers {
		return fmt.Errorf("--workers %d: want 1 to %d", workers, MaxWorkers)
	}
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	shard := opt.Shard
	total := shard.size(p.Runs())
	workers = max(1, min(workers, total))
	type result struct {
		j    int
		rec  Record
		err  error
		done bool // finished, not interrupted
	}
	var stop atomic.Bool // set on the first error
	interrupted := func() bool { return opt.Interrupt != nil && opt.Interrupt.Load() }
	window := workers * streamWindow
	credits := make(chan struct{}, window)
	for range window {
		credits <- struct{}{}
	}
	quit := make(chan struct{}) // closed when the sink side stops early
	jobs := make(chan int)
	results := make(chan result, workers)
	go func() { // the feeder: at most window runs ahead of the sink
		defer close(jobs)
		for j := range total {
			if opt.Skip != nil && opt.Skip(p.runOf(shard, j)) {
				continue
			}
			select {
			case <-credits:
			case <-quit:
				return
			}
			if stop.Load() || interrupted() {
				return
			}
			select {
			case jobs <- j:
			case <-quit:
				return
			}
		}
	}()
	var wg sync.WaitGroup
	var mu sync.Mutex // Progress is never called concurrently
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				res := result{j: j}
				if !stop.Load() && !interrupted() {
					r := p.runOf(shard, j)
					pt, seed := r/p.Seeds, p.seed(r)
					out, err := p.run(p.points[pt], seed, run.Options{Interrupt: opt.Interrupt, QueueDelay: true})
					switch {
					case errors.Is(err, run.ErrInterrupted):
						// Stopped while building its network: not
						// finished, and no error of the sweep's.
					case err != nil:
						res.err = fmt.Errorf("sweep: point %d (%s), seed %d: %w", pt, p.pointWords(pt), seed, err)
						stop.Store(true)
					default:
						res.rec = record(r, pt, seed, out)
						res.done = res.rec.Failure != Interrupted
					}
					if opt.Progress != nil {
						mu.Lock()
						opt.Progress()
						mu.Unlock()
					}
				}
				results <- res
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()
	pending := map[int]result{}
	next := 0 // the next job to hand to sink
	finished := 0
	var firstErr error
	quitOnce := sync.OnceFunc(func() { close(quit) })
	for res := range results {
		if res.err != nil && firstErr == nil {
			firstErr = res.err
			quitOnce()
		}
		if res.done {
			finished++
		}
		pending[res.j] = res
		for firstErr == nil {
			for next < total && opt.Skip != nil && opt.Skip(p.runOf(shard, next)) {
				next++
			}
			r, ok := pending[next]
			if !ok || !r.done {
				break
			}
			delete(pending, next)
			next++
			if err := sink(&r.rec); err != nil {
				firstErr = err
				stop.Store(true)
				quitOnce()
				break
			}
			credits <- struct{}{}
		}
	}
	quitOnce()
	if firstErr != nil {
		return firstErr
	}
	if interrupted() {
		return fmt.Errorf("%w: %d of %d runs had finished", ErrInterrupted, finished, total)
	}
	return nil
}

// runOf returns the run number of a shard's j-th run.
func (p *Plan) runOf(shard Shard, j int) int {
	if shard.N > 1 {
		return j*shard.N + shard.K - 1
	}
	return j
}

// pointWords names point i's values, e.g. "link.loss=2%, flows.file.congestion=reno".
func (p *Plan) pointWords(i int) string {
	var b strings.Builder
	for k, a := range p.Axes {
		if k > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.Path + "=" + p.Labels[i][k])
	}
	if b.Len() == 0 {
		return "the scenario as written"
	}
	return b.String()
}
