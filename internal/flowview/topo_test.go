package flowview

import (
	"math"
	"slices"
	"testing"

	"tcpsim/internal/direction"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
)

// topoView runs a shipped topology with every flow routed and every
// link's delay given, as the lab does, and returns its view, trace and
// result.
func topoView(t *testing.T, file string) (*View, []trace.Event, *run.Result) {
	t.Helper()
	sc, err := scenario.Load("../../scenarios/" + file)
	if err != nil {
		t.Fatal(err)
	}
	c := &trace.Recorder{}
	b := NewBuilder(nil)
	n, err := run.BuildWith(sc, sc.Seed, run.Options{Trace: trace.Multi{c, b}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range n.Pipes() {
		b.LinkDelay(direction.Dir(p.Name), p.Config().Delay.Seconds())
	}
	for name, r := range n.FlowRoutes() {
		b.Route(name, r[0], r[1])
	}
	res := n.Run()
	return b.View(), c.Events, res
}

// A routed flow of a topology is read as one packet per packet its ends
// sent (each followed across the routers, its hops in path order), not a
// packet per hop; its lanes are its path's nodes; its drops are where the
// trace says, on whichever hop.
func TestTopologyPacketsFollowed(t *testing.T) {
	v, evs, res := topoView(t, "networks/parking-lot.yaml")
	sends := map[string]int{}
	drops := map[string]int{}
	for _, e := range evs {
		switch e.Kind {
		case trace.Send:
			sends[e.Flow]++
		case trace.QueueDrop, trace.EarlyDrop, trace.DequeueDrop, trace.Lost:
			drops[e.Flow]++
		}
	}
	paths := map[string][]string{}
	for _, f := range res.Flows {
		paths[f.Name] = f.Path
	}
	got := map[string]int{}
	dropped := map[string]int{}
	for _, p := range v.Packets {
		if p.Dir != direction.AB && p.Dir != direction.BA {
			t.Fatalf("flow %s: packet direction %q, want a->b or b->a between its end hosts", p.Flow, p.Dir)
		}
		if p.Copy {
			continue
		}
		got[p.Flow]++
		if p.Drop >= 0 || p.Lost >= 0 {
			dropped[p.Flow]++
		}
		path := paths[p.Flow]
		if p.Dir == direction.BA {
			path = slices.Clone(path)
			slices.Reverse(path)
		}
		for k, h := range p.Hops {
			if want := direction.Of(path[k], path[k+1]); v.Links[h.Link].Name != want {
				t.Fatalf("flow %s %s #%d: hop %d on %s, want %s (path %v)", p.Flow, p.Dir, p.ID, k, v.Links[h.Link].Name, want, path)
			}
			start := h.T
			if start < 0 { // a copy the wire made: it starts on the wire
				start = h.Tx
			}
			if e := evs[h.At]; e.Dir != v.Links[h.Link].Name || e.Flow != p.Flow || secs(&e) != start {
				t.Fatalf("flow %s %s #%d: hop %d starts at event %d, %s %s of %s at %v", p.Flow, p.Dir, p.ID, k, h.At, e.Kind, e.Dir, e.Flow, e.T)
			}
		}
		if p.Del >= 0 && len(p.Hops) != len(path)-1 {
			t.Fatalf("flow %s %s #%d arrived after %d hops, want %d", p.Flow, p.Dir, p.ID, len(p.Hops), len(path)-1)
		}
	}
	for name, n := range sends {
		if got[name] != n {
			t.Errorf("flow %s: %d packets in the view, %d sent", name, got[name], n)
		}
		if dropped[name] != drops[name] {
			t.Errorf("flow %s: %d packets dropped or lost in the view, %d in the trace", name, dropped[name], drops[name])
		}
	}
	if drops["long"] == 0 {
		t.Error("parking-lot: the long flow lost nothing; the test wants drops on the way")
	}
	for _, f := range v.Flows {
		if !slices.Equal(f.Path, paths[f.Name]) {
			t.Errorf("flow %s: path %v, want %v", f.Name, f.Path, paths[f.Name])
		}
		if len(f.Sends) == 0 || len(f.ACKs) == 0 {
			t.Errorf("flow %s: %d sends, %d ACKs: the time-sequence has nothing", f.Name, len(f.Sends), len(f.ACKs))
		}
		// Its throughput adds up to the payload its receiver got.
		var bits float64
		for _, r := range f.Throughput {
			bits += r * v.Bin
		}
		for _, fr := range res.Flows {
			if fr.Name == f.Name && math.Abs(bits/8-float64(fr.DeliveredBytes)) > 0.01*float64(fr.DeliveredBytes) {
				t.Errorf("flow %s: throughput adds up to %.0f bytes, the run delivered %d", f.Name, bits/8, fr.DeliveredBytes)
			}
		}
	}
}

// The queue of every link direction: never negative, at its largest the
// link's own count (run.LinkResult MaxQueue, the backlog as the queue's
// limit counts it) or one less (the link counts a packet that arrives in
// the instant the head leaves before the head goes; the view has the
// length once the instant is over), and after every instant between the
// packets waiting (enqueued, not yet transmitting: read from the trace)
// and one more (the one in transmission).
func TestTopologyQueues(t *testing.T) {
	for _, file := range []string{"networks/parking-lot.yaml", "tcp-loss-5.yaml", "networks/bufferbloat-codel.yaml"} {
		v, evs, res := topoView(t, file)
		byName := map[direction.Dir]*ViewLink{}
		for i := range v.Links {
			byName[v.Links[i].Name] = &v.Links[i]
		}
		for _, lr := range res.Links {
			name := direction.Dir(lr.Name)
			if !res.Topology {
				name = direction.AB
				if lr.Name == "reverse" {
					name = direction.BA
				}
			}
			vl := byName[name]
			most := 0.0
			if vl != nil {
				for _, q := range vl.Queue {
					if q[1] < 0 {
						t.Fatalf("%s %s: queue %v at %v", file, name, q[1], q[0])
					}
					most = max(most, q[1])
				}
			}
			if m := int(most); m != lr.Counters.MaxQueue && m != lr.Counters.MaxQueue-1 {
				t.Errorf("%s %s: the view's queue peaks at %v, the link's own count at %d", file, name, most, lr.Counters.MaxQueue)
			}
		}
		waiting := map[direction.Dir]int{}
		at := func(vl *ViewLink, t float64) float64 {
			k, _ := slices.BinarySearchFunc(vl.Queue, t, func(q [2]float64, t float64) int {
				switch {
				case q[0] < t:
					return -1
				case q[0] > t:
					return 1
				}
				return 0
			})
			if k < len(vl.Queue) && vl.Queue[k][0] == t {
				return vl.Queue[k][1]
			}
			if k == 0 {
				return 0
			}
			return vl.Queue[k-1][1]
		}
		for i, e := range evs {
			switch e.Kind {
			case trace.Enqueue:
				waiting[e.Dir]++
			case trace.Transmit, trace.DequeueDrop:
				waiting[e.Dir]--
			default:
				continue
			}
			if i+1 < len(evs) && evs[i+1].T == e.T {
				continue // the instant is not over
			}
			if q := at(byName[e.Dir], e.T.Seconds()); q < float64(waiting[e.Dir]) || q > float64(waiting[e.Dir]+1) {
				t.Fatalf("%s %s at %v: queue %v, want %d waiting or one more", file, e.Dir, e.T, q, waiting[e.Dir])
			}
		}
	}
}
