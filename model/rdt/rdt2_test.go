package rdt

import (
	"fmt"
	"strings"
	"testing"

	"tcpsim/sim"
)

// rdt 2.1 and 2.2 deliver every byte exactly once, in order, over a
// channel that corrupts data and ACKs (and NAKs) in both directions and
// loses nothing; rdt 2.0 does so while its ACKs and NAKs arrive intact.
// The link's corruption flips a bit anywhere in the packet: one in the
// IPv4 or UDP header makes the host drop it, which rdt 2.x take for the
// corrupted packet it is.
func TestRDT2PropertyDeliversEverythingOnce(t *testing.T) {
	for _, p := range []Protocol{RDT20, RDT21, RDT22} {
		for _, corrupt := range []float64{0, 0.05, 0.2, 0.4} {
			for seed := uint64(1); seed <= 20; seed++ {
				cfg := Config{Protocol: p, Window: 1, SeqBits: 1, Packet: 700, Bytes: 30_000 - 77}
				imp := impairments{name: fmt.Sprintf("corrupt %.0f%%", corrupt*100), corrupt: corrupt}
				if p == RDT20 {
					imp.noAckCorrupt = true // rdt 2.0's flaw: see TestRDT20GarbledACKDeadlocks
				}
				n := runNet(t, cfg, imp, seed)
				name := fmt.Sprintf("%v %s seed %d", p, imp.name, seed)
				app := n.f.App()
				if n.fail != "" {
					t.Errorf("%s: %s", name, n.fail)
				}
				if done, _ := n.f.Sender().Done(); !done || app.Delivered != cfg.Bytes || app.Wrong != 0 {
					t.Errorf("%s: sender done %v, delivered %d of %d, %d wrong", name, done, app.Delivered, cfg.Bytes, app.Wrong)
				}
				if got := n.f.Receiver().Stats().Delivered; got != cfg.Count() {
					t.Errorf("%s: %d packets delivered, want %d (exactly once)", name, got, cfg.Count())
				}
				rs, ss := n.f.Receiver().Stats(), n.f.Sender().Stats()
				if p == RDT22 && (rs.NAKsSent != 0 || ss.NAKsReceived != 0) {
					t.Errorf("%s: rdt 2.2 sent %d NAKs", name, rs.NAKsSent)
				}
				if p != RDT22 && corrupt >= 0.2 && rs.NAKsSent == 0 {
					t.Errorf("%s: no NAK at %v corruption", name, corrupt)
				}
				if ss.Timeouts != 0 {
					t.Errorf("%s: %d timeouts: rdt 2.x has no timer", name, ss.Timeouts)
				}
			}
		}
	}
}

// rdt 2.0 has no transition for a garbled ACK or NAK (K&R §3.4.1): over
// a channel that corrupts them the run still ends (no hang), with the
// sender stuck in "wait for ACK or NAK".
func TestRDT20GarbledACKDeadlocks(t *testing.T) {
	stuck := 0
	for seed := uint64(1); seed <= 20; seed++ {
		cfg := Config{Protocol: RDT20, Window: 1, SeqBits: 1, Packet: 700, Bytes: 30_000}
		n := runNet(t, cfg, impairments{name: "corrupt 20%", corrupt: 0.2}, seed)
		s := n.f.Sender()
		if done, _ := s.Done(); done {
			continue
		}
		stuck++
		if !s.Stuck() || s.State() != WaitACKOrNAK {
			t.Errorf("seed %d: unfinished, stuck %v in %q; want stuck in %q", seed, s.Stuck(), s.State(), WaitACKOrNAK)
		}
		if n.f.App().Wrong != 0 {
			t.Errorf("seed %d: %d wrong bytes", seed, n.f.App().Wrong)
		}
	}
	if stuck == 0 {
		t.Error("no rdt 2.0 run of 20 met a garbled ACK or NAK")
	}
}

// Over a channel that loses packets, rdt 2.x (no timer) stop with the run
// drained (runNet fails on a hang), the sender waiting for an answer and
// the receiver for a packet; no byte is delivered twice or wrong.
func TestRDT2LossDeadlocks(t *testing.T) {
	for _, p := range []Protocol{RDT20, RDT21, RDT22} {
		deadlocked := 0
		for seed := uint64(1); seed <= 10; seed++ {
			cfg := Config{Protocol: p, Window: 1, SeqBits: 1, Packet: 500, Bytes: 50_000}
			n := runNet(t, cfg, impairments{name: "loss 5%", loss: 0.05, ackLoss: 0.05}, seed)
			if done, _ := n.f.Sender().Done(); done {
				continue
			}
			deadlocked++
			if st := n.f.Sender().State().String(); !strings.HasPrefix(st, "wait for ACK") {
				t.Errorf("%v seed %d: sender deadlocked in %q, want a wait for ACK state", p, seed, st)
			}
			if n.f.App().Wrong != 0 || n.f.Receiver().Stats().Delivered*500 != n.f.App().Delivered {
				t.Errorf("%v seed %d: delivered %d bytes, %d wrong", p, seed, n.f.App().Delivered, n.f.App().Wrong)
			}
		}
		if deadlocked != 10 {
			t.Errorf("%v: %d of 10 runs at 5%% loss deadlocked, want all (100 packets)", p, deadlocked)
		}
	}
}

// Validate: rdt 2.x have window 1, 1-bit numbers and no timeout.
func TestRDT2Validate(t *testing.T) {
	for _, c := range []Config{
		{Protocol: RDT21, Window: 2, SeqBits: 1, Packet: 1, Bytes: 1},
		{Protocol: RDT22, Window: 1, SeqBits: 2, Packet: 1, Bytes: 1},
		{Protocol: RDT20, Window: 1, SeqBits: 1, Timeout: sim.Second, Packet: 1, Bytes: 1},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: accepted", c)
		}
	}
}

// fsmRecorder records what a sans-I/O end emits.
type fsmRecorder struct {
	sent   []string // packet labels, in order
	states []string // "side: from => to"
	notes  []string
	now    sim.Time
}

func (r *fsmRecorder) Output(h *Header, _ []byte, _ uint64, retrans bool) {
	l := h.Label()
	if retrans {
		l += " (again)"
	}
	r.sent = append(r.sent, l)
}
func (r *fsmRecorder) Now() sim.Time { return r.now }
func (r *fsmRecorder) RDTEvent(ev Event, n Note) {
	switch ev {
	case EvState:
		r.states = append(r.states, n.Side.String()+": "+n.From.String()+" => "+n.To.String())
	case EvDecision:
		r.notes = append(r.notes, n.Text)
	}
}
func (r *fsmRecorder) Deliver([]byte) {}

func (r *fsmRecorder) take() (sent, states []string) {
	sent, states = r.sent, r.states
	r.sent, r.states = nil, nil
	return sent, states
}

// Walk K&R's sender and receiver FSMs (Figures 3.10 to 3.14) transition
// by transition: each step feeds one event and wants exactly these
// packets and these state changes, then nothing.
func TestRDT2FSMWalk(t *testing.T) {
	type step struct {
		name   string
		do     func(s *Sender, r *Receiver)
		sent   []string
		states []string
	}
	ack := func(n uint16) func(s *Sender, r *Receiver) {
		return func(s *Sender, _ *Receiver) { s.Input(&Header{Type: ACK, SeqBits: 1, Ack: n}) }
	}
	nak := func(s *Sender, _ *Receiver) { s.Input(&Header{Type: NAK, SeqBits: 1}) }
	garbled := func(s *Sender, _ *Receiver) { s.Corrupt() }
	pkt := func(n uint16) func(s *Sender, r *Receiver) {
		return func(_ *Sender, r *Receiver) { r.Input(&Header{Type: Data, SeqBits: 1, Seq: n}, []byte{1}) }
	}
	bad := func(_ *Sender, r *Receiver) { r.Corrupt() }
	start := func(s *Sender, r *Receiver) { r.Start(); s.Start() }
	for _, tc := range []struct {
		proto Protocol
		steps []step
	}{
		{RDT20, []step{
			{"start", start, []string{"pkt 0"}, []string{"receiver: none => wait for call from below", "sender: none => wait for call from above", "sender: wait for call from above => wait for ACK or NAK"}},
			{"NAK: resend", nak, []string{"pkt 0 (again)"}, nil},
			{"ACK: next packet", ack(0), []string{"pkt 0"}, []string{"sender: wait for ACK or NAK => wait for call from above", "sender: wait for call from above => wait for ACK or NAK"}},
			{"garbled: no transition", garbled, nil, nil},
			{"receiver: corrupt => NAK", bad, []string{"NAK 0"}, nil},
			{"receiver: good => ACK", pkt(0), []string{"ACK 0"}, nil},
		}},
		{RDT21, []step{
			{"start", start, []string{"pkt 0"}, []string{"receiver: none => wait for 0 from below", "sender: none => wait for call 0 from above", "sender: wait for call 0 from above => wait for ACK or NAK 0"}},
			{"garbled: resend", garbled, []string{"pkt 0 (again)"}, nil},
			{"NAK: resend", nak, []string{"pkt 0 (again)"}, nil},
			{"ACK: pkt 1", ack(0), []string{"pkt 1"}, []string{"sender: wait for ACK or NAK 0 => wait for call 1 from above", "sender: wait for call 1 from above => wait for ACK or NAK 1"}},
			{"receiver: corrupt => NAK", bad, []string{"NAK 0"}, nil},
			{"receiver: pkt 1 is a duplicate", pkt(1), []string{"ACK 1"}, nil},
			{"receiver: pkt 0 delivered", pkt(0), []string{"ACK 0"}, []string{"receiver: wait for 0 from below => wait for 1 from below"}},
			{"receiver: pkt 0 again", pkt(0), []string{"ACK 0"}, nil},
			{"receiver: pkt 1 delivered", pkt(1), []string{"ACK 1"}, []string{"receiver: wait for 1 from below => wait for 0 from below"}},
		}},
		{RDT22, []step{
			{"start", start, []string{"pkt 0"}, []string{"receiver: none => wait for 0 from below", "sender: none => wait for call 0 from above", "sender: wait for call 0 from above => wait for ACK 0"}},
			{"duplicate ACK 1: resend at once", ack(1), []string{"pkt 0 (again)"}, nil},
			{"garbled: resend", garbled, []string{"pkt 0 (again)"}, nil},
			{"NAK: not rdt 2.2's, taken as corrupt", nak, []string{"pkt 0 (again)"}, nil},
			{"ACK 0: pkt 1", ack(0), []string{"pkt 1"}, []string{"sender: wait for ACK 0 => wait for call 1 from above", "sender: wait for call 1 from above => wait for ACK 1"}},
			{"receiver: corrupt => ACK 1 (the last, before any: oncethru)", bad, []string{"ACK 1"}, nil},
			{"receiver: pkt 0 delivered", pkt(0), []string{"ACK 0"}, []string{"receiver: wait for 0 from below => wait for 1 from below"}},
			{"receiver: corrupt => ACK 0 again", bad, []string{"ACK 0"}, nil},
			{"receiver: pkt 0 duplicate => ACK 0", pkt(0), []string{"ACK 0"}, nil},
		}},
	} {
		rec := &fsmRecorder{}
		cfg := Config{Protocol: tc.proto, Window: 1, SeqBits: 1, Packet: 1, Bytes: 10}
		s := NewSender(cfg, rec, rec, rec)
		r := NewReceiver(cfg, rec, rec, rec)
		for _, st := range tc.steps {
			st.do(s, r)
			sent, states := rec.take()
			if fmt.Sprint(sent) != fmt.Sprint(st.sent) || fmt.Sprint(states) != fmt.Sprint(st.states) {
				t.Errorf("%v %s: sent %q, states %q; want %q, %q", tc.proto, st.name, sent, states, st.sent, st.states)
			}
		}
	}
}
