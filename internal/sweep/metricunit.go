package sweep

import (
	"fmt"
	"strings"
)

// InTableUnit converts a value of the metric to the unit its Title names
// (goodput in Mbps, delivery ratio in %), as the tables and the sweep
// plot print it.
func (m Metric) InTableUnit(v float64) float64 { return m.scale(v) }

// Name is the metric's key without its unit: "goodput",
// "delivery_ratio", "completion_time".
func (m Metric) Name() string {
	k := m.Key()
	for _, u := range []string{"_bps", "_s"} {
		k = strings.TrimSuffix(k, u)
	}
	return k
}

// ParseMetric reads a metric by its name or its key ("goodput",
// "goodput_bps", "completion_time", ...).
func ParseMetric(s string) (Metric, error) {
	var names []string
	for m := range NumMetrics {
		if s == m.Name() || s == m.Key() {
			return m, nil
		}
		names = append(names, m.Name())
	}
	return 0, fmt.Errorf("metric %q: want one of %s", s, strings.Join(names, ", "))
}
