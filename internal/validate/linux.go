package validate

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"

	"tcpsim/internal/run"
)

// linuxReferenceCSV holds the real kernel's measurements: Linux 6.18
// sending 10 MB (3 MB on the slow path) between two network namespaces
// through a userspace relay that emulates tcpsim's link model (rate,
// one-way delay, drop-tail queue in packets, Bernoulli loss on the data
// direction only), goodput = bytes·8 / (last byte − connect start). One
// row per path, stack variant and loss rate: the mean over the runs and
// the 95% confidence interval of that mean (Student's t), RetransSegs and
// TCPTimeouts per run. testdata/linux/README.md says how, when and with
// which sysctls they were measured.
//
//go:embed testdata/linux/reference.csv
var linuxReferenceCSV string

// LinuxCell is one measured cell of the real kernel.
type LinuxCell struct {
	Path      string // "reference" (10 Mbps, 20 ms), "fast", "slow"
	RateBps   float64
	Delay     string // one way, as a scenario writes it
	Queue     int    // packets, each direction
	Bytes     int
	Variant   string // cubic_sack, reno_sack, reno_nosack
	P         float64
	Runs      int
	Goodput   float64 // Mbps, mean over Runs
	Low, High float64 // 95% CI of the mean, Mbps
	Retrans   float64 // RetransSegs per run
	Timeouts  float64 // TCPTimeouts per run
	Kernel    string
	Measured  string // date
}

// LinuxReference returns the kernel's measurements, in file order.
func LinuxReference() ([]LinuxCell, error) {
	recs, err := csv.NewReader(strings.NewReader(linuxReferenceCSV)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("validate: linux reference: %w", err)
	}
	var out []LinuxCell
	for i, r := range recs[1:] {
		if len(r) != 15 {
			return nil, fmt.Errorf("validate: linux reference line %d: %d fields, want 15", i+2, len(r))
		}
		var f [8]float64
		for k, col := range []int{1, 3, 4, 6, 7, 8, 9, 10} {
			if f[k], err = strconv.ParseFloat(r[col], 64); err != nil {
				return nil, fmt.Errorf("validate: linux reference line %d field %d: %w", i+2, col+1, err)
			}
		}
		retx, err1 := strconv.ParseFloat(r[11], 64)
		rto, err2 := strconv.ParseFloat(r[12], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("validate: linux reference line %d: bad counters %q, %q", i+2, r[11], r[12])
		}
		out = append(out, LinuxCell{
			Path: r[0], RateBps: f[0], Delay: r[2], Queue: int(f[1]), Bytes: int(f[2]), Variant: r[5], P: f[3],
			Runs: int(f[4]), Goodput: f[5], Low: f[6], High: f[7], Retrans: retx, Timeouts: rto, Kernel: r[13], Measured: r[14],
		})
	}
	return out, nil
}

// linuxVariantFields are the flow fields of each kernel variant beside
// profile: linux (the sysctls of the measurement: tcp_sack, tcp_recovery,
// the socket's TCP_CONGESTION).
var linuxVariantFields = map[string]string{
	"cubic_sack":  "",
	"reno_sack":   ", congestion: reno",
	"reno_nosack": ", congestion: reno, sack: false",
}

// LinuxScenario is the tcpsim scenario of a measured cell: the same path
// and transfer, profile: linux with the variant's fields.
func LinuxScenario(c LinuxCell) (string, error) {
	fields, ok := linuxVariantFields[c.Variant]
	if !ok {
		return "", fmt.Errorf("validate: linux reference: unknown variant %q", c.Variant)
	}
	return fmt.Sprintf(`name: linux-%s-%s
until: 3000s
link: {rate: %gbps, delay: %s, queue: %d, forward: {loss: %g%%}}
flows:
  - {name: file, protocol: tcp, bytes: %d, profile: linux%s}
`, c.Path, c.Variant, c.RateBps, c.Delay, c.Queue, c.P*100, c.Bytes, fields), nil
}

// linuxTolerance is the target for the linux profile's goodput:
// within ±10% of the kernel's mean.
const linuxTolerance = 0.10

// linuxRetransTolerance and linuxRTOTolerance are the targets for
// what the kernel counts: retransmitted segments (RetransSegs) within ±15%
// of the kernel's mean, RTO expirations (TCPTimeouts) within ±1 per run.
const (
	linuxRetransTolerance = 0.15
	linuxRTOTolerance     = 1.0
)

// linuxWhy explains the tolerance and the interval.
const linuxWhy = "the linux profile's target (issue 17): mean goodput within ±10% of the kernel's; a mean inside " +
	"the kernel's own 95% interval also passes (3 runs per cell on the fast and slow paths, so their intervals are wide); " +
	"docs/linux-profile.md names the mechanisms behind the cells still outside"

// linuxCountsWhy explains the tolerances of the retransmission and RTO rows.
const linuxCountsWhy = "the linux profile's target (issue 17): retransmitted segments (RetransSegs against tcpsim's " +
	"timeout + fast retransmissions) within ±15% of the kernel's mean, RTO expirations (TCPTimeouts) within ±1 per run; " +
	"no interval (the testdata keeps only the kernel's means of these)"

// Linux compares tcpsim's linux profile with the kernel on the given
// paths (all when none), seeds runs per cell: goodput (Unit "bps") for
// every cell, then for the same cells retransmitted segments (Unit
// "segments") and RTO expirations (Unit "RTOs", Absolute), each over the
// same runs.
func Linux(seeds int, paths ...string) ([]Check, error) {
	cells, err := LinuxReference()
	if err != nil {
		return nil, err
	}
	var good, counts []Check
	for _, c := range cells {
		if len(paths) > 0 && !contains(paths, c.Path) {
			continue
		}
		src, err := LinuxScenario(c)
		if err != nil {
			return nil, err
		}
		m, err := means(src, seeds, 0, goodput, retransmissions, rtos)
		if err != nil {
			return nil, err
		}
		model := "Linux " + strings.SplitN(c.Kernel, "-", 2)[0] + " " + c.Variant
		citation := "the real kernel over a userspace relay emulating tcpsim's link; internal/validate/testdata/linux/README.md " +
			"(reference path measured 2026-12-05, 10 runs per cell; fast and slow paths 2026-12-06, 3 runs per cell, 10 for the three cells without SACK that were outside)"
		path := fmt.Sprintf("%s path %g Mbps/%s/%d pkts, p=%g%%", c.Path, c.RateBps/1e6, c.Delay, c.Queue, c.P*100)
		good = append(good, Check{
			Model: model, Citation: citation,
			Params: fmt.Sprintf("%s, kernel %d runs [%.3f, %.3f]", path, c.Runs, c.Low, c.High),
			Unit:   "bps", Predicted: c.Goodput * 1e6, Simulated: m[0], Seeds: seeds,
			Tolerance: linuxTolerance, Why: linuxWhy, Low: c.Low * 1e6, High: c.High * 1e6,
		})
		counts = append(counts, Check{
			Model: model + " retransmissions", Citation: citation,
			Params: fmt.Sprintf("%s, kernel %d runs, RetransSegs", path, c.Runs),
			Unit:   "segments", Predicted: c.Retrans, Simulated: m[1], Seeds: seeds,
			Tolerance: linuxRetransTolerance, Why: linuxCountsWhy,
		}, Check{
			Model: model + " RTOs", Citation: citation,
			Params: fmt.Sprintf("%s, kernel %d runs, TCPTimeouts", path, c.Runs),
			Unit:   "RTOs", Predicted: c.Timeouts, Simulated: m[2], Seeds: seeds,
			Tolerance: linuxRTOTolerance, Absolute: true, Why: linuxCountsWhy,
		})
	}
	return append(good, counts...), nil
}

// retransmissions is the sender's retransmitted segments, as the kernel's
// RetransSegs counts them (timeout and fast retransmissions, loss probes
// that resend included).
func retransmissions(f *run.FlowResult) float64 {
	if f.TCP == nil {
		return 0
	}
	return float64(f.TCP.TimeoutRetrans + f.TCP.FastRetrans)
}

// rtos is the connection's RTO expirations (the kernel's TCPTimeouts).
func rtos(f *run.FlowResult) float64 {
	if f.TCP == nil {
		return 0
	}
	return float64(f.TCP.RTOExpirations)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// withinInterval reports whether v lies in [lo, hi] when an interval is
// given.
func withinInterval(v, lo, hi float64) bool { return hi > 0 && v >= lo && v <= hi && !math.IsNaN(v) }
