package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnalyzeCommand runs a shipped loss scenario with --pcap and reads the
// capture back with every view of tcpsim analyze.
func TestAnalyzeCommand(t *testing.T) {
	dir := t.TempDir()
	pcap := filepath.Join(dir, "loss.pcap")
	if _, stderr, code := runCmd("run", "../../scenarios/tcp-loss-20.yaml", "--pcap", pcap, "--pcap-at", "sender"); code != 0 {
		t.Fatalf("run --pcap: exit %d: %s", code, stderr)
	}
	out, stderr, code := runCmd("analyze", pcap)
	if code != 0 {
		t.Fatalf("analyze: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"1 TCP connections", "tcp0  10.0.0.1:49152 → 10.0.0.2:5001", "dup ACKs", "40.076"} {
		if !strings.Contains(out, want) {
			t.Errorf("table: no %q in\n%s", want, out)
		}
	}
	out, stderr, code = runCmd("analyze", pcap, "packets", "--flow", "tcp0")
	if code != 0 || !strings.Contains(out, "     1     0.000000 tcp0 a->b SYN") || !strings.Contains(out, "[retransmission") || !strings.Contains(out, "[duplicate_ack]") {
		t.Errorf("packets: exit %d %s, want the SYN first, retransmissions and duplicate ACKs:\n%.2000s", code, stderr, out)
	}
	out, stderr, code = runCmd("analyze", pcap, "diagram", "--max-packets", "0")
	if code != 0 || !strings.Contains(out, "a→b SYN seq=0") || !strings.Contains(out, "retransmission)") {
		t.Errorf("diagram: exit %d %s, want the handshake and retransmissions:\n%.3000s", code, stderr, out)
	}
	out, stderr, code = runCmd("analyze", pcap, "plot", "--out", dir)
	if code != 0 || !strings.Contains(out, "time-sequence") {
		t.Errorf("plot: exit %d %s: %s", code, stderr, out)
	}
	// Bad input: a clear error and a non-zero exit, never a panic.
	bad := filepath.Join(dir, "bad.pcap")
	os.WriteFile(bad, []byte("this is not a capture"), 0o644)
	data, _ := os.ReadFile(pcap)
	cut := filepath.Join(dir, "cut.pcap")
	os.WriteFile(cut, data[:len(data)/2+7], 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"analyze", bad}, "neither pcap nor pcapng"},
		{[]string{"analyze", cut}, "truncated capture"},
		{[]string{"analyze", pcap, "--flow", "tcp9", "diagram"}, `--flow "tcp9": no such TCP connection`},
		{[]string{"analyze", pcap, "pie"}, "want table, packets, diagram or plot"},
		{[]string{"analyze", pcap, "plot"}, "--out DIR is required"},
	} {
		_, stderr, code := runCmd(tc.args...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want non-zero and %q", tc.args, code, stderr, tc.want)
		}
	}
}
