package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// Streams derives independent random streams from one scenario seed. Each
// component asks for its own stream by a stable name ("link/fwd/loss",
// "flow/file/isn"), so adding a flow or an impairment does not shift the
// random numbers any other component sees.
type Streams struct {
	seed uint64
}

// NewStreams returns the stream factory for seed.
func NewStreams(seed uint64) Streams { return Streams{seed: seed} }

// Seed returns the scenario seed.
func (s Streams) Seed() uint64 { return s.seed }

// Stream returns a new generator for the named component. The same seed and
// name always give the same sequence.
func (s Streams) Stream(name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	k := h.Sum64()
	return rand.New(rand.NewPCG(splitmix(s.seed^k), splitmix(k+0x9e3779b97f4a7c15)))
}

// splitmix is SplitMix64's finaliser: it spreads nearby seeds apart.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
