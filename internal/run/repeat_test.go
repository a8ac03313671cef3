package run

import (
	"fmt"
	"reflect"
	"testing"

	"tcpsim/sim"
)

// On a link without a rate limit, loss or queue, flows do not interact:
// each member of a repeated flow does exactly what it does when it runs
// alone, as a plain flow of the same name (hence the same ISN stream)
// started at the same time. The same seed gives the same run twice.
func TestRepeatedMemberEqualsSoloRun(t *testing.T) {
	for _, proto := range []string{"tcp", "udp"} {
		extra := ""
		if proto == "udp" {
			extra = "rate: 5Mbps, "
		}
		sc := parse(t, fmt.Sprintf(`name: rep
link: {delay: 3ms}
flows:
  - {name: web, protocol: %s, bytes: 30KB, %srepeat: {count: 12, every: exp(2ms)}}
`, proto, extra))
		all := mustRun(t, sc, 3)
		if len(all.Flows) != 12 || !all.OK() {
			t.Fatalf("%s: %d flows, %s", proto, len(all.Flows), all.Status())
		}
		if again := mustRun(t, sc, 3); !reflect.DeepEqual(again, all) {
			t.Fatalf("%s: the same seed gave two different runs", proto)
		}
		overlap := false
		for k, m := range sc.Expanded(3) {
			got := all.Flows[k]
			if got.Name != m.Name || got.Start != sim.Time(m.Start) {
				t.Fatalf("%s member %d is %s starting at %v, want %s at %v", proto, k+1, got.Name, got.Start, m.Name, sim.Time(m.Start))
			}
			if k > 0 && got.Start < all.Flows[k-1].Start+all.Flows[k-1].Completion {
				overlap = true
			}
			solo := parse(t, fmt.Sprintf(`name: solo
link: {delay: 3ms}
flows:
  - {name: %q, protocol: %s, bytes: 30KB, %sstart: %dns}
`, m.Name, proto, extra, int64(m.Start)))
			one := mustRun(t, solo, 3).Flows[0]
			one.Family = "web" // the one thing a member has that a plain flow has not
			if !reflect.DeepEqual(one, got) {
				t.Fatalf("%s member %d:\n with others %+v\n alone       %+v", proto, k+1, got, one)
			}
		}
		if !overlap {
			t.Fatalf("%s: no two members overlapped in time: the test proves nothing", proto)
		}
	}
}
