package link

import (
	"fmt"

	"tcpsim/model/aqm"
	"tcpsim/sim"
)

// LossModel selects how packets are lost on the wire.
type LossModel int

// Loss models.
const (
	// LossBernoulli loses each packet independently with probability P.
	LossBernoulli LossModel = iota
	// LossGilbertElliott is the two-state burst-loss model (Gilbert 1960,
	// Elliott 1963): a Good and a Bad state with per-packet transition
	// probabilities P (Good→Bad) and R (Bad→Good), and a loss probability
	// in each state (LossGood, LossBad).
	LossGilbertElliott
	// LossPeriodic loses every Every-th packet of each flow (the
	// Every-th, the 2·Every-th, ...), drawing nothing: the deterministic
	// periodic loss of the macroscopic model of TCP throughput (Mathis,
	// Semke, Mahdavi and Ott 1997, §2), where each cycle of the sawtooth
	// carries exactly 1/p packets.
	LossPeriodic
)

// Loss configures packet loss on one direction.
type Loss struct {
	Model    LossModel
	P        float64 // Bernoulli: loss probability; GE: P(Good→Bad)
	R        float64 // GE: P(Bad→Good)
	LossGood float64 // GE: loss probability in the Good state
	LossBad  float64 // GE: loss probability in the Bad state
	Every    int     // periodic: one packet in Every is lost (≥ 1)
}

// Mean returns the long-run loss probability of the model: P for
// Bernoulli; for Gilbert–Elliott the stationary mix
// (R·LossGood + P·LossBad)/(P+R).
func (l Loss) Mean() float64 {
	if l.Model == LossBernoulli {
		return l.P
	}
	if l.Model == LossPeriodic {
		if l.Every <= 0 {
			return 0
		}
		return 1 / float64(l.Every)
	}
	if l.P+l.R == 0 {
		return l.LossGood
	}
	return (l.R*l.LossGood + l.P*l.LossBad) / (l.P + l.R)
}

// Config describes one direction of a link.
type Config struct {
	// Rate is the transmitter's rate in bits per second; 0 means
	// infinitely fast (no serialisation delay).
	Rate int64
	// Delay is the one-way propagation delay.
	Delay sim.Time
	// QueuePackets and QueueBytes bound the drop-tail queue (the packet
	// being transmitted included); 0 means unbounded.
	QueuePackets int
	QueueBytes   int
	Loss         Loss
	// Corrupt is the probability that a packet has one random bit flipped.
	Corrupt float64
	// Duplicate is the probability that a packet is delivered twice.
	Duplicate float64
	// Reorder is the probability that a packet is held back by an extra
	// delay drawn uniformly from (0, ReorderDelay], letting later packets
	// overtake it.
	Reorder      float64
	ReorderDelay sim.Time
	// AQM is the queue discipline (DropTail, the zero value, by default),
	// with RED's or CoDel's parameters.
	AQM   Discipline
	RED   aqm.REDParams   // used with AQM == RED; IdleSlot 0 means the default (TxTime of 500 bytes)
	CoDel aqm.CoDelParams // used with AQM == CoDel
	// ECN makes RED and CoDel mark ECN-capable packets CE (RFC 3168 §5)
	// instead of dropping them; packets that are not ECN-capable are
	// dropped as before. A full queue always drops.
	ECN bool
}

// Validate checks that every field is in range.
func (c Config) Validate() error {
	prob := func(name string, p float64) error {
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("link: %s = %v, want a probability in [0, 1]", name, p)
		}
		return nil
	}
	for _, f := range []struct {
		n string
		p float64
	}{{"loss", c.Loss.P}, {"loss r", c.Loss.R}, {"loss_good", c.Loss.LossGood}, {"loss_bad", c.Loss.LossBad},
		{"corrupt", c.Corrupt}, {"duplicate", c.Duplicate}, {"reorder", c.Reorder}} {
		if err := prob(f.n, f.p); err != nil {
			return err
		}
	}
	if c.Loss.Model == LossPeriodic && c.Loss.Every < 1 {
		return fmt.Errorf("link: periodic loss every %d packets, want at least 1", c.Loss.Every)
	}
	if c.Rate < 0 || c.Delay < 0 || c.QueuePackets < 0 || c.QueueBytes < 0 || c.ReorderDelay < 0 {
		return fmt.Errorf("link: negative rate, delay or queue limit")
	}
	if c.Reorder > 0 && c.ReorderDelay == 0 {
		return fmt.Errorf("link: reorder needs a reorder delay > 0")
	}
	switch c.AQM {
	case DropTail:
	case RED:
		return c.RED.Validate()
	case CoDel:
		return c.CoDel.Validate()
	default:
		return fmt.Errorf("link: unknown queue discipline %d", int(c.AQM))
	}
	return nil
}

// TxTime returns the serialisation delay of n bytes at the configured rate,
// rounded up to the nanosecond.
func (c Config) TxTime(n int) sim.Time {
	if c.Rate <= 0 {
		return 0
	}
	bits := int64(n) * 8 * int64(sim.Second)
	return sim.Time((bits + c.Rate - 1) / c.Rate)
}
