package sweep

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
)

// Issue 21, item 6: a run interrupted while its network is built returns
// run.ErrInterrupted, not a result. The sweep counts it as not finished
// and ends with ErrInterrupted (exit 130), not as a failed point (exit 2).
// (This test failed before the fix.)
func TestInterruptWhileBuilding(t *testing.T) {
	p := plan(t)
	var flag atomic.Bool
	made := 0
	p.run = func(sc *scenario.Scenario, seed uint64, opt run.Options) (*run.Result, error) {
		if made++; made == 3 {
			opt.Interrupt.Store(true)
			return nil, fmt.Errorf("%s: %w", sc.File, run.ErrInterrupted)
		}
		return run.ScenarioWith(sc, seed, opt)
	}
	recs, err := p.Execute(Options{Workers: 1, Interrupt: &flag})
	if !errors.Is(err, ErrInterrupted) || len(recs) != 2 {
		t.Errorf("got %d records, %v; want the 2 finished runs and ErrInterrupted", len(recs), err)
	}
}
