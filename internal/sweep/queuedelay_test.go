package sweep

import "testing"

// The queue-delay metrics (issue 20, item 5): read by name or key for
// --plot-metric, in seconds in JSON and CSV and in ms in tables, over
// all runs.
func TestQueueDelayMetrics(t *testing.T) {
	for _, tc := range []struct {
		name, key string
		m         Metric
	}{
		{"queue_delay_mean", "queue_delay_mean_s", QueueDelayMean},
		{"queue_delay_p99", "queue_delay_p99_s", QueueDelayP99},
	} {
		for _, s := range []string{tc.name, tc.key} {
			if m, err := ParseMetric(s); err != nil || m != tc.m {
				t.Errorf("ParseMetric(%q) = %v, %v; want %v", s, m, err, tc.m)
			}
		}
		if tc.m.Key() != tc.key || tc.m.Name() != tc.name || tc.m.CompletedOnly() {
			t.Errorf("%v: key %q, name %q, completed only %v", tc.m, tc.m.Key(), tc.m.Name(), tc.m.CompletedOnly())
		}
		if got := tc.m.InTableUnit(0.036); got != 36 {
			t.Errorf("%v: 0.036 s in the table's unit is %v, want 36 (ms)", tc.m, got)
		}
		if !tc.m.AppliesTo("udp") || !tc.m.AppliesTo("tcp") {
			t.Errorf("%v: want it for every protocol", tc.m)
		}
	}
}
