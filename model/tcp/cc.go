package tcp

import (
	"fmt"

	"tcpsim/sim"
)

// congestionControl is a congestion-control algorithm: it decides the
// congestion window, cwnd, and the slow-start threshold, ssthresh, that
// the sender keeps (sender.cwnd, sender.ssthresh; it changes them only
// through sender.setCwnd, which reports every change to Config.Observer).
// It never sends: which segments go out is the sender's business, and how
// losses are repaired is the lossRecovery's (recovery.go), which asks the
// congestion control for the new ssthresh when it detects a loss.
//
// Each algorithm is one file (none.go, reno.go, cubic.go, ...) and one row
// of the algorithms table below. The shape follows gVisor netstack's
// congestionControl (HandleLossDetected, HandleRTOExpired, Update,
// PostRecovery) and smoltcp's Controller.
//
// The methods run on the hot path: they must not allocate.
type congestionControl interface {
	// window returns the congestion window in bytes: how much may be in
	// flight as far as congestion control is concerned (the sender also
	// honours the peer's window). An algorithm that does not limit the
	// sender returns math.MaxInt.
	window() int

	// onAck is told of every ACK of new data outside loss recovery
	// (RFC 5681 §3.1), after SND.UNA has moved: window growth.
	onAck(a ackEvent)

	// onCongestionEvent is told that the loss recovery has detected a
	// loss (three duplicate ACKs, RFC 5681 §3.2 step 2; or, with SACK, RFC
	// 6675 §5 step 4) and is entering recovery. It returns the new
	// ssthresh (RFC 5681 eq. 4 for Reno, RFC 9438 §4.6 for CUBIC) and
	// records what it needs (CUBIC's W_max); the loss recovery then sets
	// cwnd from it and sends the retransmission.
	onCongestionEvent(now sim.Time) (ssthresh int)

	// onRecoveryExit is told that loss recovery has ended (a full ACK,
	// RFC 6582 §3.2 step 3), after the loss recovery has set cwnd.
	onRecoveryExit(now sim.Time)

	// onRTO is told that the retransmission timer expired with data
	// outstanding (RFC 5681 §3.1, RFC 6298 §5.5): it sets cwnd and
	// ssthresh itself (the loss window, eq. 4).
	onRTO(now sim.Time)
}

// ackEvent is what a congestionControl learns from an ACK of new data.
type ackEvent struct {
	acked int // bytes newly acknowledged
	// delivered is what the ACK delivered as Linux counts it
	// (acked_sacked): bytes newly SACKed plus those newly acknowledged
	// that were not SACKed before; acked without SACK. Linux's window
	// growth counts it (abc.go, cubic_linux.go).
	delivered int
	// cwndLimited reports whether cwnd was what limited the sender before
	// this ACK (RFC 7661's cwnd validation, simplified): cwnd only grows
	// then, or a receiver- or application-limited flow would inflate it
	// without bound.
	cwndLimited bool
	now         sim.Time
	srtt        sim.Time // smoothed RTT (RFC 6298), 0 before the first sample
	// rtt is the round-trip sample this ACK gave (from its timestamp echo
	// or the timed segment), 0 when it gave none: HyStart's delay input.
	rtt sim.Time
	// ssDivisor divides slow start's growth: HyStart++'s conservative
	// slow start sets it to CSS_GROWTH_DIVISOR (RFC 9406 §4.2); 0 or 1
	// is plain slow start.
	ssDivisor int
}

// ssDiv is the slow-start growth divisor, at least 1.
func (ev ackEvent) ssDiv() int { return max(1, ev.ssDivisor) }

// Congestion names a congestion-control algorithm: an index into the one
// table of algorithms (CongestionNames lists it in order).
type Congestion int

// The congestion controls. Adding one is a file with its constructor and
// a row in the algorithms table; the constant is a convenience for Go
// callers.
const (
	// CCNone sends as much as the receiver's window allows: no slow
	// start, no reduction on loss. It shows why congestion control exists.
	CCNone Congestion = iota
	// CCTahoe: slow start, congestion avoidance, fast retransmit, and
	// after any loss a restart from one segment (Jacobson 1988).
	CCTahoe
	// CCReno adds fast recovery (RFC 5681 §3.2).
	CCReno
	// CCNewReno handles partial ACKs in fast recovery (RFC 6582).
	CCNewReno
	// CCCubic grows the window as a cubic function of the time since the
	// last loss (RFC 9438), with NewReno's fast recovery.
	CCCubic
	// CCCubicLinux is CUBIC as Linux's tcp_cubic.c runs it, with HyStart
	// (cubic_linux.go, hystart.go).
	CCCubicLinux
	// CCBBR is BBR v1 as Linux's tcp_bbr.c runs it (bbr.go), paced.
	CCBBR
	// CCVegas is TCP Vegas (Brakmo and Peterson 1995) as Linux's
	// tcp_vegas.c runs it (vegas.go): delay-based.
	CCVegas
)

// algorithm is one row of the table of congestion controls.
type algorithm struct {
	name string // as in scenarios: congestion: <name>
	doc  string // one line: what it is and where it is specified
	// newCC returns the algorithm's state for one connection's sender.
	newCC func(s *sender) congestionControl
	// recovery is the duplicate-ACK loss recovery the algorithm uses when
	// SACK is not in use.
	recovery recoveryVariant
	// hystart is the slow-start exit the algorithm runs when the flow
	// leaves the choice to it (HyStartAuto): HyStartLinux for
	// cubic-linux; the zero value, none, for the others.
	hystart HyStart
}

// algorithms is the one list of congestion-control algorithms, indexed by
// Congestion: ParseCongestion, String, CongestionNames and the scenario
// validator all read it. It is never modified.
var algorithms = [...]algorithm{
	CCNone:       noneAlgorithm,
	CCTahoe:      tahoeAlgorithm,
	CCReno:       renoAlgorithm,
	CCNewReno:    newRenoAlgorithm,
	CCCubic:      cubicAlgorithm,
	CCCubicLinux: cubicLinuxAlgorithm,
	CCBBR:        bbrAlgorithm,
	CCVegas:      vegasAlgorithm,
}

// CongestionNames returns the names of the congestion controls, in the
// order of the Congestion constants. The slice is the caller's.
func CongestionNames() []string {
	names := make([]string, len(algorithms))
	for i, a := range algorithms {
		names[i] = a.name
	}
	return names
}

// ParseCongestion maps a scenario name to a Congestion.
func ParseCongestion(s string) (Congestion, error) {
	for i, a := range algorithms {
		if a.name == s {
			return Congestion(i), nil
		}
	}
	return 0, fmt.Errorf("tcp: unknown congestion control %q", s)
}

// String returns the algorithm's scenario name.
func (c Congestion) String() string {
	if c >= 0 && int(c) < len(algorithms) {
		return algorithms[c].name
	}
	return fmt.Sprintf("Congestion(%d)", int(c))
}

// Doc returns a one-line description of the algorithm and its source.
func (c Congestion) Doc() string {
	if c >= 0 && int(c) < len(algorithms) {
		return algorithms[c].doc
	}
	return ""
}

// algorithm returns c's row of the table. An unknown value is a broken
// invariant (ParseCongestion only returns known ones).
func (c Congestion) algorithm() *algorithm {
	if c < 0 || int(c) >= len(algorithms) {
		panic(fmt.Sprintf("tcp: unknown congestion control %d", int(c)))
	}
	return &algorithms[c]
}
