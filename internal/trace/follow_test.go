package trace_test

import (
	"slices"
	"testing"

	"tcpsim/internal/direction"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
)

// Followed across every hop of a topology, each packet's journey visits
// the nodes of its path in order and ends once: delivered to the far end
// host or dropped somewhere on the way; every link event of the flow
// belongs to a journey.
func TestFollower(t *testing.T) {
	for _, file := range []string{"../../scenarios/networks/parking-lot.yaml", "../../scenarios/networks/wireless-last-hop.yaml"} {
		sc, err := scenario.Load(file)
		if err != nil {
			t.Fatal(err)
		}
		for seed := uint64(1); seed <= 3; seed++ {
			rec := &trace.Recorder{}
			res, err := run.ScenarioWith(sc, seed, run.Options{Trace: &trace.Filter{Flow: sc.Flows[0].Name, Next: rec}})
			if err != nil {
				t.Fatal(err)
			}
			path := res.Flows[0].Path
			back := res.PathOf(path[len(path)-1], path[0])
			f := trace.NewFollower(path, back)
			visits := map[int][]string{} // journey → nodes it reached
			ended := map[int]string{}
			dirs := map[int]direction.Dir{}
			for i := range rec.Events {
				e := &rec.Events[i]
				h := f.Step(e)
				if e.Dir == "" || e.Kind == trace.Send {
					if h.Journey >= 0 {
						t.Fatalf("%s: event %d (%s) of no packet has journey %d", file, i, e.Kind, h.Journey)
					}
					continue
				}
				if h.Journey < 0 {
					if e.Kind == trace.ECNMark {
						continue // marked before its enqueue numbers it
					}
					t.Fatalf("%s seed %d: event %d %s %s @%s belongs to no journey", file, seed, i, e.Kind, e.Dir, e.Node)
				}
				j := h.Journey
				if d, ok := dirs[j]; ok && d != h.Dir {
					t.Fatalf("%s: journey %d changed direction", file, j)
				}
				dirs[j] = h.Dir
				if why, ok := ended[j]; ok && e.Kind != trace.ChecksumDrop {
					t.Fatalf("%s seed %d: event %d %s of journey %d after it ended (%s)", file, seed, i, e.Kind, j, why)
				}
				switch e.Kind {
				case trace.Deliver:
					visits[j] = append(visits[j], e.Node)
					if h.End {
						ended[j] = "delivered"
					}
				case trace.Lost, trace.QueueDrop, trace.EarlyDrop, trace.DequeueDrop, trace.TTLExpired, trace.NoRoute:
					ended[j] = e.Kind
				}
			}
			delivered := 0
			for j, why := range ended {
				if why != "delivered" {
					continue
				}
				delivered++
				want := path[1:]
				if dirs[j] == "b->a" {
					want = back[1:]
				}
				if !slices.Equal(visits[j], want) {
					t.Errorf("%s: journey %d (%s) reached %v, want %v", file, j, dirs[j], visits[j], want)
				}
			}
			if delivered == 0 {
				t.Errorf("%s seed %d: no journey delivered", file, seed)
			}
		}
	}
}

// EndToEnd leaves a topology's flow as its end hosts see it: every packet
// event named by the flow's direction between the hosts, each delivery
// to an end host once, each loss or drop on any hop once.
func TestEndToEnd(t *testing.T) {
	sc, err := scenario.Load("../../scenarios/networks/parking-lot.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rec := &trace.Recorder{}
	res, err := run.ScenarioWith(sc, 1, run.Options{Trace: &trace.Filter{Flow: "long", Next: rec}})
	if err != nil {
		t.Fatal(err)
	}
	path := res.Flows[0].Path
	a, b := path[0], path[len(path)-1]
	count := func(evs []trace.Event, keep func(e *trace.Event) bool) int {
		n := 0
		for i := range evs {
			if keep(&evs[i]) {
				n++
			}
		}
		return n
	}
	drop := func(e *trace.Event) bool {
		return e.Kind == trace.Lost || e.Kind == trace.QueueDrop || e.Kind == trace.EarlyDrop || e.Kind == trace.DequeueDrop
	}
	e2e := trace.EndToEnd(rec.Events, path, res.PathOf(b, a))
	for i := range e2e {
		if e := &e2e[i]; e.Dir != "" && e.Dir != direction.Of(a, b) && e.Dir != direction.Of(b, a) {
			t.Fatalf("event %d %s names %q, not the flow's direction", i, e.Kind, e.Dir)
		}
	}
	for _, c := range []struct {
		what      string
		raw, want func(e *trace.Event) bool
	}{
		{"deliveries to " + b, func(e *trace.Event) bool { return e.Kind == trace.Deliver && e.Node == b },
			func(e *trace.Event) bool { return e.Kind == trace.Deliver && e.Dir == direction.Of(a, b) }},
		{"deliveries to " + a, func(e *trace.Event) bool { return e.Kind == trace.Deliver && e.Node == a },
			func(e *trace.Event) bool { return e.Kind == trace.Deliver && e.Dir == direction.Of(b, a) }},
		{"drops", drop, drop},
		{"sends", func(e *trace.Event) bool { return e.Kind == trace.Send }, func(e *trace.Event) bool { return e.Kind == trace.Send }},
	} {
		raw, got := count(rec.Events, c.raw), count(e2e, c.want)
		if raw != got || raw == 0 {
			t.Errorf("%s: %d end to end, %d in the trace (want equal, not zero)", c.what, got, raw)
		}
	}
}
