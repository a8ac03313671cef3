package scenario

import (
	"strings"
	"testing"
)

// TestUDPArrivals: arrivals is constant unless the file says poisson; any
// other word, or arrivals on a flow that is not UDP, is a located error
// naming the field and the words it takes.
func TestUDPArrivals(t *testing.T) {
	const doc = "name: w\nlink: {rate: 1Mbps}\nflows:\n  - {name: u, protocol: udp, count: 10, rate: 1Mbps%s}\n"
	for _, tc := range []struct {
		extra, want string
	}{
		{"", ArrivalsConstant},
		{", arrivals: constant", ArrivalsConstant},
		{", arrivals: poisson", ArrivalsPoisson},
	} {
		sc, err := Parse("w.yaml", []byte(strings.Replace(doc, "%s", tc.extra, 1)))
		if err != nil {
			t.Fatalf("%q: %v", tc.extra, err)
		}
		if got := sc.Flows[0].UDP.Arrivals; got != tc.want {
			t.Errorf("%q: arrivals %q, want %q", tc.extra, got, tc.want)
		}
		if got := sc.Flows[0].UDP.Poisson(); got != (tc.want == ArrivalsPoisson) {
			t.Errorf("%q: Poisson() = %v", tc.extra, got)
		}
	}
	for _, tc := range []struct {
		src, want string
	}{
		{strings.Replace(doc, "%s", ", arrivals: exponential", 1), `w.yaml:4:64: flows[0].arrivals: `},
		{strings.Replace(doc, "%s", ", arrivals: 3", 1), `w.yaml:4:64: flows[0].arrivals: `},
		{"name: w\nlink: {rate: 1Mbps}\nflows: [{name: t, protocol: tcp, bytes: 1MB, arrivals: poisson}]\n", `w.yaml:3:`},
	} {
		_, err := Parse("w.yaml", []byte(tc.src))
		if err == nil {
			t.Fatalf("%q parsed", tc.src)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, tc.want) || !strings.Contains(msg, "arrivals") {
			t.Errorf("error %q, want it to start %q and name arrivals", msg, tc.want)
		}
	}
	if _, err := Parse("w.yaml", []byte(strings.Replace(doc, "%s", ", arrivals: exponential", 1))); err == nil || !strings.Contains(err.Error(), "constant or poisson") {
		t.Errorf("error %v, want it to name constant or poisson", err)
	}
}
