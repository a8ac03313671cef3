package main

import (
	"bytes"
	"strings"
	"testing"
)

// An rdt 2.x flow that deadlocks (exercise 14a: rdt 2.0 meets a garbled
// ACK; a scripted drop on rdt 2.2) is reported in the verdict and the
// table, and the command exits 1 (a run failed): it never hangs.
func TestRDT2DeadlockExitCode(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"ex:14-rdt20-nak", `rdt 2.0's sender got a corrupted ACK or NAK`},
		{"testdata/rdt22-drop.yaml", `a packet or its ACK was lost and rdt2.2 has no timer`},
	} {
		var out, errb bytes.Buffer
		code := execute([]string{"run", c.file}, &out, &errb)
		if code != exitRunFail {
			t.Errorf("%s: exit %d, want %d (stderr %q)", c.file, code, exitRunFail, errb.String())
		}
		for _, w := range []string{c.want, "deadlocked", "FSM state at end"} {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: output lacks %q:\n%s", c.file, w, out.String())
			}
		}
	}
}
