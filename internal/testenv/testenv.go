// Package testenv decides which tests run by default. `go test ./...`
// runs everything a contributor needs in a few minutes; the slow tests
// (those that build the command or the WebAssembly engine, or drive a
// browser) run only when the environment sets TCPSIM_SLOW=1, as .ci/run
// does. Only tests import this package.
package testenv

import (
	"os"
	"testing"
)

// SlowEnv is the environment variable that turns the slow tests on: set
// it to 1.
const SlowEnv = "TCPSIM_SLOW"

// Slow reports whether the slow tests are on (TCPSIM_SLOW=1).
func Slow() bool { return os.Getenv(SlowEnv) == "1" }

// SkipUnlessSlow skips t unless the slow tests are on; why says what makes
// it slow. The message says how to run it.
func SkipUnlessSlow(t testing.TB, why string) {
	t.Helper()
	if Slow() {
		return
	}
	t.Skipf("slow test (%s): skipped unless %s=1; run it with %s=1 go test -run '^%s$' in its package, or every test with .ci/run",
		why, SlowEnv, SlowEnv, t.Name())
}

// SchedEnv is the environment variable that turns on the scheduler tests
// (a real single-node Slurm cluster and GNU parallel, installed with
// apt-get where missing and allowed): set it to 1, as .ci/run does.
const SchedEnv = "TCPSIM_SCHED"

// SkipUnlessSched skips t unless the scheduler tests are on
// (TCPSIM_SCHED=1). The message says how to run it.
func SkipUnlessSched(t testing.TB) {
	t.Helper()
	if os.Getenv(SchedEnv) == "1" {
		return
	}
	t.Skipf("scheduler test (starts daemons, may install packages): skipped unless %s=1; run it with %s=1 go test -run '^%s$' in its package, or every test with .ci/run",
		SchedEnv, SchedEnv, t.Name())
}
