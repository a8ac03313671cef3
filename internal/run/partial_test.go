package run

import (
	"math"
	"testing"
)

// A transfer cut short by until reports the goodput of what it delivered,
// marked partial (a student's 10 MB at 1% loss that hit until used to print
// 0 bps with 97% delivered); Goodput, which sweeps and the fairness index
// read, stays that of completed transfers. A transfer that delivered
// nothing is not marked.
func TestPartialGoodput(t *testing.T) {
	for _, c := range []struct {
		name, src   string
		wantPartial bool
	}{
		{"tcp cut by until", `
name: cut
seed: 1
until: 1s
link: {rate: 10Mbps, delay: 10ms}
flows:
  - {name: f, protocol: tcp, bytes: 10MB}
`, true},
		{"go-back-n cut by until", `
name: cut
seed: 1
until: 1s
link: {rate: 10Mbps, delay: 10ms}
flows:
  - {name: f, protocol: go-back-n, count: 100000, window: 4}
`, true},
		{"tcp finished", `
name: done
seed: 1
until: 10s
link: {rate: 10Mbps, delay: 10ms}
flows:
  - {name: f, protocol: tcp, bytes: 100KB}
`, false},
		{"tcp that delivered nothing", `
name: none
seed: 1
until: 1s
link: {rate: 10Mbps, delay: 10ms, loss: 100%}
flows:
  - {name: f, protocol: tcp, bytes: 100KB}
`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := mustRun(t, parse(t, c.src), 1)
			f := res.Flows[0]
			if f.Partial != c.wantPartial {
				t.Fatalf("partial %v, want %v (delivered %d bytes)", f.Partial, c.wantPartial, f.DeliveredBytes)
			}
			if !c.wantPartial {
				if f.PartialGoodput != 0 {
					t.Errorf("partial goodput %v on a flow that is not partial", f.PartialGoodput)
				}
				return
			}
			want := float64(f.DeliveredBytes) * 8 / 1.0 // bits over the second it ran
			if f.Goodput != 0 || math.Abs(f.PartialGoodput-want) > 1e-6*want || want == 0 {
				t.Errorf("goodput %v, partial %v; want 0 and %v", f.Goodput, f.PartialGoodput, want)
			}
		})
	}
}
