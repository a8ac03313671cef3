package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
)

// notifyInterrupt catches SIGINT and SIGTERM until stop is called. On the
// first of them it sets flag (give it to run.Options.Interrupt, or poll it
// between runs) and which then returns that signal; which returns nil while
// no signal has arrived. After the first signal tcpsim stops catching them,
// so a second one kills the process at once with the operating system's
// default action.
//
// stop releases the signals (a later one again kills the process) and may
// be called any number of times; defer it right after the call. The flag
// and which stay valid after stop.
func notifyInterrupt() (flag *atomic.Bool, which func() os.Signal, stop func()) {
	flag = new(atomic.Bool)
	var got atomic.Value // os.Signal
	ch := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-ch:
			got.Store(s)
			flag.Store(true)
			// A second signal must not wait for a slow flush:
			// releasing the signals restores their default action,
			// which ends the process.
			signal.Stop(ch)
		case <-done:
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
		})
	}
	which = func() os.Signal {
		s, _ := got.Load().(os.Signal)
		return s
	}
	return flag, which, stop
}

// catchInterrupts is notifyInterrupt for the commands that own resources
// outside the process (emulate's namespaces, devices and children): it
// catches SIGINT and SIGTERM, a second one too, until stop is called, so
// that the command removes what it made before it exits. flag is set on
// the first signal and which returns it (nil while none has arrived).
func catchInterrupts() (flag *atomic.Bool, which func() os.Signal, stop func()) {
	flag = new(atomic.Bool)
	var got atomic.Value // os.Signal
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		for s := range ch {
			got.CompareAndSwap(nil, s)
			flag.Store(true)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { signal.Stop(ch) }) }
	which = func() os.Signal {
		s, _ := got.Load().(os.Signal)
		return s
	}
	return flag, which, stop
}

// errInterrupted is what every interruptedError matches with errors.Is;
// execute turns it into exit code 130.
var errInterrupted = errors.New("tcpsim: interrupted")

// interruptedError says that a signal ended the command early and what had
// been done by then (e.g. "stopped scenario x at simulated time 2.1s").
type interruptedError struct {
	Signal os.Signal // nil if unknown
	What   string
}

// interrupted returns the error a command returns when sig (from which()
// of notifyInterrupt) ended it early; what says how far it got.
func interrupted(sig os.Signal, what string) error {
	return &interruptedError{Signal: sig, What: what}
}

func (e *interruptedError) Error() string {
	return fmt.Sprintf("interrupted by %s: %s", signalName(e.Signal), e.What)
}

// Is makes errors.Is(err, errInterrupted) true.
func (e *interruptedError) Is(target error) bool { return target == errInterrupted }

// signalName is the conventional name of the signals tcpsim catches
// ("SIGINT", "SIGTERM"), or the signal's own description for others.
func signalName(s os.Signal) string {
	switch s {
	case nil:
		return "a signal"
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}
