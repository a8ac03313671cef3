package scenario

import (
	"regexp"
	"strings"
	"testing"
)

// TestEveryErrorLocated walks bad inputs of every section (topology,
// faults, repeat, rdt, queues, loss, numbers, names, YAML itself) and
// asserts that each error names the file, line and column, and the field
// path when the error is about a field (issue 21, item 13).
func TestEveryErrorLocated(t *testing.T) {
	field := regexp.MustCompile(`^w\.yaml:\d+:\d+: [a-z_]+(\[\d+\])?(\.[a-z_<]+(\[\d+\])?)*: `)
	topo := func(old, new string) string { return strings.Replace(topoDoc, old, new, 1) }
	withFields := []string{
		topo("hosts: [s1, s2, d]", "hosts: [s1, s2, d, s1]"),
		topo("hosts: [s1, s2, d]", "hosts: [s1]"),
		topo("hosts: [s1, s2, d]", "hosts: [s1, s2, d, lonely]"),
		topo("routers: [r1, r2]", "routers: [r1, r2, 'r-3']"),
		topo("{between: [s1, r1]", "{between: [s1, s1]"),
		topo("{between: [s1, r1]", "{between: [s1, nowhere]"),
		topo("{between: [s2, r1]", "{between: [r1, s1]"),
		topo("{between: [s1, r1]", "{between: [s1]"),
		topo("{between: [s1, r1], rate: 100Mbps", "{rate: 100Mbps"),
		topo("from: s1, to: d", "from: s1, to: r1"),
		topo("from: s1, to: d", "from: s1, to: s1"),
		topo("from: s1, to: d", "from: s1, to: nobody"),
		topo("from: s1, to: d", "to: d"),
		topo("rate: 50Mbps, delay: 1ms, loss: 2%", "rate: 50Mbps, delay: 1ms, loss: {p: 1%}"),
		topo("rate: 50Mbps, delay: 1ms, loss: 2%", "rate: 50Mbps, delay: -1ms"),
		topo("queue: 100", "queue: 100, aqm: red, red: {min: 20, max: 10}"),
		topo("queue: 100", "queue: 100, aqm: codel, codel: {target: 0s}"),
		topo("queue: 100", "queue: 100, aqm: red, red: {weight: 0x1p-3}"),
		topo("queue: 100", "queue: 100, aqm: red, red: {weight: +0.002}"),
		topo("bytes: 20MB}", "bytes: 20MB, repeat: {count: 0, every: 1ms}}"),
		topo("bytes: 20MB}", "bytes: 20MB, repeat: {count: 3}}"),
		topo("bytes: 20MB}", "bytes: 20MB, repeat: {count: 3, every: exp(0s)}}"),
		topo("name: near", "name: 'near=1'"),
		topo("name: near", "name: \"ne\\0ar\""),
		topo("name: t", "name: \"t\\nx\""),
		topo("name: near", "name: far"),
		"name: w\nflows: [{name: s, protocol: stop-and-wait, count: 0}]\n",
		"name: w\nflows: [{name: s, protocol: go-back-n, count: 3, window: 0}]\n",
		"name: w\nflows: [{name: s, protocol: selective-repeat, count: 3, timeout: 0s}]\n",
		"name: w\nlink: {rate: 1Mbps}\nflows: [{name: s, protocol: tcp, bytes: 1MB, start: 1e999s}]\n",
		"name: w\nlink: {rate: 1Mbps}\nfaults: [{flow: f, drop: data}]\nflows: [{name: f, protocol: tcp, bytes: 1MB}]\n",
		"name: w\nlink: {rate: 1Mbps}\nfaults: [{from: 2s, to: 1s, outage: forward}]\nflows: [{name: f, protocol: tcp, bytes: 1MB}]\n",
		"name: w\nlink: {rate: 1Mbps, loss: {model: gilbert-elliott, p: 1%, bogus: 2}}\nflows: [{name: f, protocol: tcp, bytes: 1MB}]\n",
		"name: w\nlink: &l {<<: *l}\nflows: [{name: f, protocol: tcp, bytes: 1MB}]\n",
		"name: w\nlink: {rate: *nowhere}\nflows: [{name: f, protocol: tcp, bytes: 1MB}]\n",
		"name: w\nlink: {rate: 1Mbps}\nflows: [{name: f, protocol: tcp, bytes: 1MB}]\nflows: []\n",
		"name: w\nlink: {rate: 1Mbps}\nflows: []\n",
		"name: w\nlink: {rate: 1Mbps}\nflows: [{name: f, protocol: tcp}]\n",
		"link: {rate: 1Mbps}\nflows: [{name: f, protocol: tcp, bytes: 1MB}]\n",
		"name: w\nlink: {rate: 1Mbps}\nreport: [flows, flows]\nflows: [{name: f, protocol: tcp, bytes: 1MB}]\n",
		"name: w\nlink: {rate: 1Mbps}\nuntil: 0s\nflows: [{name: f, protocol: tcp, bytes: 1MB}]\n",
		"name: w\nlink: {rate: 1Mbps}\nflows: [{name: f, protocol: udp, bytes: 1KB, rate: 1Mbps, count: 3}]\n",
	}
	for i, src := range withFields {
		_, err := Parse("w.yaml", []byte(src))
		if err == nil {
			t.Errorf("%d: accepted:\n%s", i, src)
			continue
		}
		if !field.MatchString(err.Error()) {
			t.Errorf("%d: %q is not in the form file:line:col: field: ...\n%s", i, err, src)
		}
	}
	// Errors about the file rather than a field: located, no field.
	whole := regexp.MustCompile(`^w\.yaml:\d+:\d+: `)
	for i, src := range []string{
		"name: [\n",
		"%YAML 3.0\n---\nname: x\n",
		"name: x\n---\nname: y\n",
		"",
		"name: a\xffb\n",
		mergeBomb(8),
		"name: x\n" + strings.Repeat("[", 300) + strings.Repeat("]", 300) + "\n",
		"name: x\nflows:\n" + strings.Repeat("  ", 1) + strings.Repeat("- ", 300) + "x\n",
	} {
		_, err := Parse("w.yaml", []byte(src))
		if err == nil || !whole.MatchString(err.Error()) {
			t.Errorf("file %d: err = %v, want w.yaml:line:col: ...", i, err)
		}
	}
}
