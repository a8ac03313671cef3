package scenario

import (
	"math/rand/v2"
	"strings"
	"testing"

	"tcpsim/model/link"
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
	}
}

// rdt 2.x take no timer and refuse, with the field's position, a link
// that loses, duplicates or reorders packets (K&R §3.4.1); bit errors
// and scripted drops (which show the deadlock) are accepted.
func TestRDT2Channel(t *testing.T) {
	flow := "flows:\n  - {name: f, protocol: rdt2.1, count: 3}\n"
	for _, tc := range []struct {
		name, doc string
		want      []string // nil: accepted
	}{
		{"bit errors", "link:\n  corrupt: 5%\n" + flow, nil},
		{"loss 0", "link:\n  loss: 0%\n" + flow, nil},
		{"scripted drop", "link:\n  corrupt: 5%\n" + flow + "faults:\n  - {flow: f, drop: data, segment: 2}\n", nil},
		{"loss", "link:\n  loss: 1%\n" + flow, []string{"x.yaml:3:3", "link.loss", "flow f runs rdt2.1", "loses packets", "stop-and-wait"}},
		{"reverse loss", "link:\n  reverse:\n    loss: 1%\n" + flow, []string{"x.yaml:4:5", "link.reverse.loss"}},
		{"gilbert-elliott", "link:\n  loss: {model: gilbert-elliott, p: 1%, r: 10%}\n" + flow, []string{"link.loss", "loses packets"}},
		{"duplicate", "link:\n  forward:\n    duplicate: 1%\n" + flow, []string{"link.forward.duplicate", "duplicates packets"}},
		{"reorder", "link:\n  reorder: 1%\n  reorder_delay: 5ms\n" + flow, []string{"link.reorder", "reorders packets"}},
		{"timeout", "flows:\n  - {name: f, protocol: rdt2.2, count: 3, timeout: 1s}\n", []string{"flows[0].timeout", "rdt2.2 has no timer"}},
		{"window", "flows:\n  - {name: f, protocol: rdt2.0, count: 3, window: 2}\n", []string{"flows[0].window", "rdt2.0 has window 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte("name: x\n"+tc.doc))
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != nil && err == nil:
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

// lossy, the rdt 2.x channel check's "this link loses packets", agrees
// with the link model's long-run loss rate being above zero
// (link.Loss.Mean) for every loss model, zeros included.
func TestLossyIsMeanAboveZero(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	pick := func() Percent { return Percent([]float64{0, 0, 0.01, 0.5, 1}[rng.IntN(5)]) }
	for i := range 2000 {
		l := Loss{Model: []string{"bernoulli", "gilbert-elliott", "periodic"}[i%3], P: pick(), R: pick(), LossGood: pick(), LossBad: pick(), Every: rng.IntN(3)}
		m := link.Loss{Model: map[string]link.LossModel{"bernoulli": link.LossBernoulli, "gilbert-elliott": link.LossGilbertElliott, "periodic": link.LossPeriodic}[l.Model],
			P: float64(l.P), R: float64(l.R), LossGood: float64(l.LossGood), LossBad: float64(l.LossBad), Every: l.Every}
		if got, want := lossy(Direction{Loss: &l}), m.Mean() > 0; got != want {
			t.Fatalf("%+v: lossy %v, but the model's mean loss is %v", l, got, m.Mean())
		}
	}
}
