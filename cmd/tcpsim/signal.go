package main

// Minimal version for the i8-sweep branch: the cmd engineer's signal.go
// (same signature) replaces this file at merge.

import (
	"errors"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
)

// errInterrupted marks a command stopped by SIGINT or SIGTERM: it has
// said on stderr what it had done.
var errInterrupted = errors.New("tcpsim: interrupted")

// notifyInterrupt catches SIGINT and SIGTERM until stop is called: flag
// is set when one arrives, and which returns it (nil before).
func notifyInterrupt() (flag *atomic.Bool, which func() os.Signal, stop func()) {
	flag = new(atomic.Bool)
	var (
		mu  sync.Mutex
		got os.Signal
	)
	ch := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-ch:
			mu.Lock()
			got = s
			mu.Unlock()
			flag.Store(true)
		case <-done:
		}
	}()
	which = func() os.Signal {
		mu.Lock()
		defer mu.Unlock()
		return got
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
		})
	}
	return flag, which, stop
}
