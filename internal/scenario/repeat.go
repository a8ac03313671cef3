package scenario

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"

	proto "tcpsim/internal/protocol"
	"tcpsim/sim"
)

// MaxFlows is the most flows a scenario may hold once its repeated flows
// are expanded: flow i's client uses port 49152+i, and the dynamic port
// range (RFC 6335 §6) ends at 65535.
const MaxFlows = 65536 - 49152

// maxRDTIndex bounds the place of an rdt flow in the expanded list: its
// receiver listens on port 61000 plus that place (run.RDTPortBase).
const maxRDTIndex = 65536 - 61000

// Repeat is a flow entry's repeat: mapping, a shorthand for Count similar
// flows that start one after another (e.g. web transfers arriving at a
// server). The flows are named "<name>#1" ... "<name>#<Count>"; flow k
// starts at the entry's start plus the first k-1 inter-arrival times,
// so "<name>#1" starts at start. Every is the fixed inter-arrival time,
// or with Exponential the mean of exponentially distributed ones (a
// Poisson arrival process), drawn from the seeded stream
// "flows/<name>/arrivals", so that no other stream moves.
type Repeat struct {
	Count       int
	Every       Duration
	Exponential bool
}

const (
	wantRepeat = "a mapping {count: N, every: 1ms} or {count: N, every: exp(10ms)}"
	wantEvery  = "a duration between flow starts, e.g. 1ms, or exp(MEAN) for exponential inter-arrival times with that mean, e.g. exp(10ms)"
)

func repeatFields() []field[Repeat] {
	return []field[Repeat]{
		wholeField("count", 1, MaxFlows, " flows", "10000", func(r *Repeat, v uint64) { r.Count = int(v) }),
		{name: "every", want: wantEvery, parse: parseEvery},
	}
}

// parseEvery reads a fixed inter-arrival time ("1ms", "0s") or an
// exponential one's mean ("exp(10ms)", positive).
func parseEvery(r *Repeat, s string) error {
	if inner, ok := strings.CutPrefix(s, "exp("); ok {
		mean, ok := strings.CutSuffix(inner, ")")
		v, err := ParseDuration(strings.TrimSpace(mean))
		if !ok || err != nil || v == 0 {
			return invalid(s, "every", wantEvery+" (the mean must be positive)")
		}
		r.Every, r.Exponential = v, true
		return nil
	}
	v, err := ParseDuration(s)
	if err != nil {
		return invalid(s, "every", wantEvery)
	}
	r.Every, r.Exponential = v, false
	return nil
}

// repeatField is the flow field repeat:.
func repeatField() field[Flow] {
	return field[Flow]{name: "repeat", want: wantRepeat, group: true,
		node: func(d *decoder, f *Flow, n ast.Node, path string) error {
			fs := repeatFields()
			es, err := d.entries(n, path, wantRepeat)
			if err != nil {
				return err
			}
			r := new(Repeat)
			if err := decodeMapping(d, es, fs, r, path, unknownIn(fs)); err != nil {
				return err
			}
			for _, k := range []string{"count", "every"} {
				if _, ok := d.pos[join(path, k)]; !ok {
					p := nodePos(n)
					return &Error{File: d.file, Line: p.Line, Col: p.Col, Field: join(path, k), Msg: "missing: want " + wantRepeat}
				}
			}
			f.Repeat = r
			return nil
		}}
}

// validateRepeats checks the repeated flows: TCP or UDP only, no
// expanded name taken by another flow, and at most MaxFlows flows in all.
func (s *Scenario) validateRepeats() error {
	total := 0
	for i := range s.Flows {
		f := &s.Flows[i]
		p := fmt.Sprintf("flows[%d]", i)
		if f.Repeat == nil {
			if IsRDT(f.Protocol) && total >= maxRDTIndex {
				return s.errAt(p+".protocol", "a %s flow must be among the first %d flows (its receiver's port is 61000 plus its place in the expanded list): move it before the repeated flows", f.Protocol, maxRDTIndex)
			}
			total++
			if total > MaxFlows {
				return s.errAt(p+".name", "flow %s is flow %d once the repeated flows are expanded: at most %d in all, each flow needs its own client port from 49152 to 65535", f.Name, total, MaxFlows)
			}
			if base, k, ok := splitMember(f.Name); ok {
				if g := s.flow(base); g != nil && g.Repeat != nil && k <= g.Repeat.Count {
					return s.errAt(p+".name", "%q is also the name of flow %d of the repeated flow %s: rename it", f.Name, k, base)
				}
			}
			continue
		}
		if pr, _ := proto.Parse(f.Protocol); !pr.Repeatable() {
			return s.errAt(p+".repeat", "repeat applies to %s flows, not %s", repeatable(), f.Protocol)
		}
		if float64(f.Repeat.Every)*float64(f.Repeat.Count) > 1e18 {
			return s.errAt(p+".repeat.every", "%d flows %v apart span more than 30 years of simulated time", f.Repeat.Count, sim.Time(f.Repeat.Every))
		}
		total += f.Repeat.Count
		if total > MaxFlows {
			return s.errAt(p+".repeat.count", "the flows expand to more than %d in all: each flow needs its own client port from 49152 to 65535", MaxFlows)
		}
	}
	return nil
}

// splitMember splits "web#12" into "web" and 12.
func splitMember(name string) (string, int, bool) {
	i := strings.LastIndexByte(name, '#')
	if i < 0 {
		return "", 0, false
	}
	k, err := strconv.Atoi(name[i+1:])
	if err != nil || k < 1 {
		return "", 0, false
	}
	return name[:i], k, true
}

// Repeated reports whether some flow entry has a repeat: mapping.
func (s *Scenario) Repeated() bool {
	for i := range s.Flows {
		if s.Flows[i].Repeat != nil {
			return true
		}
	}
	return false
}

// Expanded returns the scenario's flows with every repeated flow replaced
// by its members (see Repeat), in file order, their start times drawn with
// seed. Without a repeated flow it returns Flows itself.
func (s *Scenario) Expanded(seed uint64) []Flow {
	if !s.Repeated() {
		return s.Flows
	}
	n := 0
	for i := range s.Flows {
		n++
		if r := s.Flows[i].Repeat; r != nil {
			n += r.Count - 1
		}
	}
	streams := sim.NewStreams(seed)
	out := make([]Flow, 0, n)
	for _, f := range s.Flows {
		r := f.Repeat
		if r == nil {
			out = append(out, f)
			continue
		}
		rng := streams.Stream("flows/" + f.Name + "/arrivals")
		at := f.Start
		for k := 1; k <= r.Count; k++ {
			m := f
			m.Name, m.Family, m.Repeat, m.Start = f.Name+"#"+strconv.Itoa(k), f.Name, nil, at
			out = append(out, m)
			gap := r.Every
			if r.Exponential {
				gap = Duration(math.Round(rng.ExpFloat64() * float64(r.Every)))
			}
			at += gap
		}
	}
	return out
}

// repeatable words the protocols whose flows may repeat: "tcp and udp".
func repeatable() string {
	var names []string
	for _, n := range proto.Names() {
		if p, _ := proto.Parse(n); p.Repeatable() {
			names = append(names, n)
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
