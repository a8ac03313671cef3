package scenario

import (
	"strings"
	"testing"
)

// Each rdt protocol's fields are checked with a located error.
func TestRDTFlowErrors(t *testing.T) {
	for _, tc := range []struct {
		name, flow string
		want       []string
	}{
		{"stop-and-wait window", "{name: f, protocol: stop-and-wait, window: 2, bytes: 1KB}", []string{"x.yaml:3:40", "flows[0].window", "stop-and-wait (rdt 3.0) has window 1"}},
		{"stop-and-wait seq_bits", "{name: f, protocol: stop-and-wait, seq_bits: 3, bytes: 1KB}", []string{"flows[0].seq_bits", "has seq_bits 1"}},
		{"gbn window too big", "{name: f, protocol: go-back-n, window: 8, seq_bits: 3, bytes: 1KB}", []string{"flows[0].seq_bits", "window ≤ 2^seq_bits - 1", "2^3 - 1 = 7"}},
		{"gbn window missing", "{name: f, protocol: go-back-n, bytes: 1KB}", []string{"x.yaml:3", "flows[0].window", "missing"}},
		{"sr window above 2^k", "{name: f, protocol: selective-repeat, window: 5, seq_bits: 2, bytes: 1KB}", []string{"flows[0].seq_bits", "window ≤ 2^seq_bits"}},
		{"bytes and count", "{name: f, protocol: go-back-n, window: 2, bytes: 1KB, count: 3}", []string{"flows[0].count", "exactly one"}},
		{"neither", "{name: f, protocol: go-back-n, window: 2}", []string{"flows[0].bytes", "missing"}},
		{"bad timeout", "{name: f, protocol: go-back-n, window: 2, count: 3, timeout: 0s}", []string{"flows[0].timeout", "adaptive, or a positive duration"}},
		{"packet too big", "{name: f, protocol: go-back-n, window: 2, count: 3, packet: 70000}", []string{"flows[0].packet"}},
		{"tcp field", "{name: f, protocol: selective-repeat, window: 2, count: 3, mss: 536}", []string{"field mss does not apply to a selective-repeat flow"}},
		{"rdt field on udp", "{name: f, protocol: udp, count: 3, rate: 1Mbps, seq_bits: 3}", []string{"field seq_bits does not apply to a udp flow"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte("name: x\nflows:\n  - "+tc.flow+"\n"))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// SR with window > 2^(k−1) is allowed on purpose (the dilemma); absent
// seq_bits takes the fewest correct bits.
func TestRDTFlowAccepted(t *testing.T) {
	for _, tc := range []struct {
		flow            string
		window, seqBits int
	}{
		{"{name: f, protocol: selective-repeat, window: 3, seq_bits: 2, count: 10}", 3, 2},
		{"{name: f, protocol: selective-repeat, window: 4, count: 10}", 4, 3},
		{"{name: f, protocol: go-back-n, window: 4, count: 10}", 4, 3},
		{"{name: f, protocol: go-back-n, window: 7, count: 10}", 7, 3},
		{"{name: f, protocol: stop-and-wait, window: 1, count: 10}", 1, 1},
	} {
		s, err := Parse("x.yaml", []byte("name: x\nflows:\n  - "+tc.flow+"\n"))
		if err != nil {
			t.Errorf("%s: %v", tc.flow, err)
			continue
		}
		r := s.Flows[0].RDT
		if r.Window != tc.window || r.SeqBits != tc.seqBits {
			t.Errorf("%s: window %d seq_bits %d, want %d and %d", tc.flow, r.Window, r.SeqBits, tc.window, tc.seqBits)
		}
		if _, err := s.Flows[0].RDTConfig(); err != nil {
			t.Errorf("%s: %v", tc.flow, err)
		}
	}
}
