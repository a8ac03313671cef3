package tcp

import (
	"math"

	"tcpsim/sim"
)

// noneAlgorithm is no congestion control at all: the sender fills the
// receiver's window, and a loss found by three duplicate ACKs only resends
// the missing segment. It is the textbook's foil, showing why congestion
// control exists (the congestion collapse of 1986, Jacobson 1988 §1).
var noneAlgorithm = algorithm{
	name:     "none",
	doc:      "no congestion control: the receiver's window alone limits the sender",
	newCC:    func(*sender) congestionControl { return noCC{} },
	recovery: recoveryResendOnly,
}

// noCC is a congestionControl that never limits the sender and never
// changes cwnd.
type noCC struct{}

func (noCC) window() int                    { return math.MaxInt }
func (noCC) onAck(ackEvent)                 {}
func (noCC) onCongestionEvent(sim.Time) int { return 0 } // never asked: recoveryResendOnly recovery
func (noCC) onRecoveryExit(sim.Time)        {}
func (noCC) onRTO(sim.Time)                 {}
