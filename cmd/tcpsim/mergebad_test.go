package main

import (
	"strings"
	"testing"
)

// Issue 21, item 7: `tcpsim merge /dev/zero` read until memory ran out.
// It is bad usage, refused at the first byte. (This test hung before the
// fix.)
func TestMergeDevZero(t *testing.T) {
	_, errs, code := runCmd("merge", "/dev/zero")
	if code != exitUsage || !strings.Contains(errs, "/dev/zero: not a tcpsim sweep shard") {
		t.Errorf("merge /dev/zero: exit %d, stderr %q; want exit %d naming /dev/zero as no shard", code, errs, exitUsage)
	}
}
