//go:build unix

package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
)

// interruptUntil sends SIGINT to this process every 100 ms, from after
// 300 ms, until done yields; it fails the test if that takes over limit.
// A guard keeps the test process alive whatever signal arrives before
// the command catches it.
func interruptUntil[T any](t *testing.T, done <-chan T, limit time.Duration) T {
	t.Helper()
	guard := make(chan os.Signal, 64)
	signal.Notify(guard, os.Interrupt)
	defer signal.Stop(guard)
	time.Sleep(300 * time.Millisecond)
	sent := time.Now()
	for {
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		select {
		case v := <-done:
			t.Logf("stopped %v after the first SIGINT", time.Since(sent))
			return v
		case <-time.After(100 * time.Millisecond):
		}
		if time.Since(sent) > limit {
			t.Fatalf("not stopped %v after SIGINT", limit)
		}
	}
}

// Issue 21, item 6: SIGINT while a large topology was built took 23 s
// (a SIGTERM once 6 minutes). A 1500-host star, whose routes took over a
// minute to compute before issue 21, stops on SIGINT and exits 130. The
// mechanism is tested deterministically in internal/run
// (TestBuildStopsAtEveryCheck); this test shows the command's exit path,
// with a generous bound, as wall time is noisy. (It failed before the
// fix: the build ran on.)
func TestSignalWhileBuildingNetwork(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: star\nseed: 1\nuntil: 100000s\nnodes:\n  hosts: [")
	for i := range 1500 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "h%d", i)
	}
	b.WriteString("]\n  routers: [r]\nlinks:\n")
	for i := range 1500 {
		fmt.Fprintf(&b, "  - {between: [h%d, r], rate: 1Gbps, delay: 1ms}\n", i)
	}
	b.WriteString("flows:\n  - {name: bulk, protocol: tcp, from: h0, to: h1, bytes: 1GB, recv_buffer: 4MiB}\n")
	file := writeFile(t, t.TempDir(), "star.yaml", b.String())

	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- execute([]string{"run", "--format", "json", file}, &out, &errb) }()
	code := interruptUntil(t, done, 20*time.Second)
	if code != exitInterrupted || !strings.Contains(errb.String(), "tcpsim: interrupted by SIGINT: stopped") {
		t.Errorf("exit %d, stderr %q; want %d and the interruption said", code, errb.String(), exitInterrupted)
	}
	// The JSON array is whole, empty when the build was stopped.
	if s := strings.TrimSpace(out.String()); !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") {
		t.Errorf("stdout %q: want one whole JSON array", s)
	}
}

// Issue 21, item 6: serve exited 0 on SIGINT; like every command a
// signal ends, it now exits 130. (This test failed before the fix.)
func TestServeExitsOnSignal(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip("no loopback listener:", err)
	}
	done := make(chan error, 1)
	go func() {
		done <- serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	}()
	err = interruptUntil(t, done, 20*time.Second)
	if !errors.Is(err, errInterrupted) || !strings.Contains(err.Error(), "interrupted by SIGINT: stopped serving 127.0.0.1:") {
		t.Errorf("serve returned %v, want an interruption (exit %d)", err, exitInterrupted)
	}
}
