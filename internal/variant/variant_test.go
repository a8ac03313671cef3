package variant

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"tcpsim/internal/run"
	"tcpsim/internal/testenv"
	"tcpsim/internal/trace"
	"tcpsim/scenarios"
	"tcpsim/sim"
)

// seeds is how many students' seeds every generator is run over (the
// issue's 20); slowSeeds with TCPSIM_SLOW=1, and those of a class seed
// (2026·1000 + i) too, as a sheet draws them.
const seeds, slowSeeds = 20, 300

// seedList returns the seeds to try.
func seedList() []uint64 {
	var s []uint64
	for i := uint64(1); i <= seeds; i++ {
		s = append(s, i)
	}
	if testenv.Slow() {
		for i := uint64(1); i <= slowSeeds; i++ {
			s = append(s, seeds+i, 2026000+i)
		}
	}
	return s
}

// wallBudget is the longest one variant's run may take on a loaded
// machine; MaxEvents is the budget that does not depend on the machine.
const wallBudget = 20 * time.Second

// Every shipped exercise has exactly one entry in the table, in file
// order, and a refusal says why.
func TestTableCoversEveryExercise(t *testing.T) {
	exs, err := scenarios.Exercises()
	if err != nil {
		t.Fatal(err)
	}
	var names, entries []string
	for _, e := range exs {
		names = append(names, e.Name()+".yaml")
	}
	for _, g := range table {
		entries = append(entries, g.Exercise+".yaml")
		if (g.Refused == "") == (g.Vary == nil) || (g.Vary != nil) != (g.Answer != nil && g.File != "") {
			t.Errorf("%s: an entry either refuses with a reason or has Vary, File and Answer", g.Exercise)
		}
	}
	slices.Sort(entries)
	if !slices.Equal(names, entries) {
		t.Errorf("the variant table's entries\n%v\ndiffer from the shipped exercises\n%v\n(add a row to internal/variant/table.go for each new exercise)", entries, names)
	}
	if _, err := Lookup("27-two-tcp-flows"); err == nil || !strings.Contains(err.Error(), "no formula predicts") {
		t.Errorf("refusal: %v", err)
	}
}

// invariant checks a variant's run against the exercise's reference (a
// textbook formula, an RFC's rule or a timeline computed by hand from
// the variant's numbers), independently of the answers printed.
type invariant func(t *testing.T, v *Variant, o *Outcome)

// invariants has one check per exercise that has variants; each names
// its reference.
var invariants = map[string]invariant{
	// RFC 9293 §3.10.7.1: a SYN to a port nobody listens on is answered
	// <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>, one delay and the SYN's 48
	// bytes of serialisation after it leaves; the client aborts when it
	// arrives, a round trip after its SYN, refused, having sent one
	// segment.
	"15-closed-port": func(t *testing.T, v *Variant, o *Outcome) {
		f := flow(t, o, "web")
		if f.Aborted != "client: connection refused" || f.PacketsSent != 1 {
			t.Errorf("aborted %q after %d packets, want client: connection refused after 1", f.Aborted, f.PacketsSent)
		}
		var rst *trace.Event
		for _, e := range o.Kind(trace.Enqueue) {
			if e.Flags == "RST,ACK" {
				rst = &e
				break
			}
		}
		if rst == nil || rst.Seq != 0 || rst.Ack != uint32(v.Values["isn"].(int))+1 {
			t.Fatalf("reset %+v, want RST,ACK seq=0 ack=%d", rst, v.Values["isn"].(int)+1)
		}
		near(t, "reset sent", rst.T, ms(v, "delay")+ser(48, mbps(v, "rate")), sim.Microsecond)
		near(t, "refused at", o.Result.End, 2*ms(v, "delay")+ser(48+40, mbps(v, "rate")), sim.Microsecond)
	},
	// Kurose & Ross §3.2: connections to one server port differ by their
	// source port (one client host); each is its own connection.
	"17-shared-port": func(t *testing.T, v *Variant, o *Outcome) {
		n, port := v.Values["clients"].(int), v.Values["port"].(int)
		seen := map[string]bool{}
		for _, e := range o.Kind(trace.Send) {
			if e.Flags != "SYN" {
				continue
			}
			if !strings.HasSuffix(e.Ports, fmt.Sprintf(" > %d", port)) || seen[e.Ports] {
				t.Errorf("SYN ports %q: want a new source port to %d", e.Ports, port)
			}
			seen[e.Ports] = true
		}
		if len(seen) != n {
			t.Errorf("%d distinct SYNs, want %d", len(seen), n)
		}
		for _, f := range o.Result.Flows {
			if !f.Complete || f.DeliveredBytes != int64(v.Values["kb"].(int))*1000 {
				t.Errorf("%s: complete %v, delivered %d", f.Name, f.Complete, f.DeliveredBytes)
			}
		}
	},
	// RFC 9293 §3.5: the handshake is one round trip; both SYNs are 48
	// bytes on the wire (20 of IPv4, 20 of TCP, 8 of MSS and window-scale
	// options), so it takes 2·delay + 2·48·8/R.
	"01-handshake": func(t *testing.T, v *Variant, o *Outcome) {
		f := flow(t, o, "hahaha")
		want := 2*ms(v, "delay") + ser(2*48, mbps(v, "rate"))
		near(t, "handshake time", f.TCP.Handshake, want, sim.Microsecond)
		if f.PacketsSent != 9 {
			t.Errorf("packets sent %d, want 9 (3 handshake, request, answer, ACK, 2 FINs... as the shipped exercise)", f.PacketsSent)
		}
	},
	// RFC 5681 §3.2 needs three duplicate ACKs: a 2-segment window gives
	// at most one, so the loss waits for the timer, which fires RTO after
	// it was last started (RFC 6298 §5.1, §5.3), RTO = max(1 s, SRTT +
	// 4·RTTVAR) (§2.4), recomputed here from the client's samples.
	"02-timeout": func(t *testing.T, v *Variant, o *Outcome) {
		f := flow(t, o, "file")
		if f.TCP.FastRetrans != 0 || f.TCP.TimeoutRetrans != 1 || f.TCP.RTOExpirations != 1 {
			t.Errorf("fast %d, timeout %d retransmissions, %d expirations: want 0, 1, 1", f.TCP.FastRetrans, f.TCP.TimeoutRetrans, f.TCP.RTOExpirations)
		}
		fire, arm, err := o.timeout(0)
		if err != nil {
			t.Fatal(err)
		}
		rto := max(sim.Second, rfc6298(t, o, arm))
		near(t, "wait before the retransmission", fire-arm, rto, 0)
	},
	// Binomial loss: the delivered count is within 4 standard deviations
	// of (1-p)·n (K&R §3.3: UDP does not retransmit), and UDP sent each
	// datagram once.
	"04-udp-loss": func(t *testing.T, v *Variant, o *Outcome) {
		f := flow(t, o, "video")
		n, p := float64(v.Values["count"].(int)), float64(v.Values["loss"].(int))/100
		if f.PacketsSent != int64(n) {
			t.Errorf("sent %d, want %v", f.PacketsSent, n)
		}
		if d := math.Abs(float64(f.PacketsRecv) - (1-p)*n); d > 4*math.Sqrt(n*p*(1-p)) {
			t.Errorf("received %d of %v at p=%v: %v from the mean", f.PacketsRecv, n, p, d)
		}
	},
	// Flow control (RFC 9293 §3.8.6): the reader's rate sets the
	// goodput, within 5%.
	"05-slow-receiver": func(t *testing.T, v *Variant, o *Outcome) {
		f := flow(t, o, "file")
		within(t, "goodput", f.Goodput, float64(v.Values["read"].(int))*1e3, 0.05)
		if f.TCP.ZeroWindows == 0 {
			t.Error("no zero window")
		}
	},
	// K&R §3.4.2: stop-and-wait sends one segment per cycle L/R + RTT
	// (+ the ACK's 40 bytes), C = 1500·8/R + 2·delay + 40·8/R; the
	// transfer of n segments takes the handshake (2·delay and two
	// 48-byte SYNs, then its 40-byte ACK ahead of the data), n-1 cycles
	// and the last segment's L/R + delay. Goodput within 0.5%.
	"06-stop-and-wait": func(t *testing.T, v *Variant, o *Outcome) {
		r, d := mbps(v, "rate"), ms(v, "delay")
		bytes := v.Values["bytes"].(int) * 1000
		n := (bytes + 1459) / 1460
		last := bytes - (n-1)*1460
		cycle := ser(1500+40, r) + 2*d
		total := 2*d + ser(2*48+40, r) + sim.Time(n-1)*cycle + ser(last+40, r) + d
		within(t, "goodput", flow(t, o, "file").Goodput, float64(bytes*8)/total.Seconds(), 0.005)
	},
	// K&R §3.5.5, §3.7: a window W sends at most W per round trip:
	// 0.8·W/RTT ≤ goodput ≤ W/RTT (slow start and the handshake take
	// the rest).
	"08-bdp": func(t *testing.T, v *Variant, o *Outcome) {
		w := float64(v.Values["buffer"].(int) * 1024 * 8)
		limit := w / (2 * ms(v, "delay")).Seconds()
		g := flow(t, o, "file").Goodput
		if g > limit || g < 0.8*limit {
			t.Errorf("goodput %.0f, want between 0.8 and 1 times W/RTT = %.0f", g, limit)
		}
	},
	// K&R §3.4.2: U = (L/R) / (RTT + L/R) with L the packet and its 38
	// bytes of headers, RTT = 2·delay (+ the ACK's 38 bytes), within 1%.
	"10-rdt-stop-and-wait-utilisation": func(t *testing.T, v *Variant, o *Outcome) {
		f := flow(t, o, "sw")
		r := mbps(v, "rate")
		lr := ser(v.Values["packet"].(int)+38, r)
		within(t, "utilisation", f.RDT.Utilisation, lr.Seconds()/(lr+2*ms(v, "delay")+ser(38, r)).Seconds(), 0.01)
		if f.RDT.Sender.Retransmissions != 0 {
			t.Errorf("%d retransmissions", f.RDT.Sender.Retransmissions)
		}
	},
	"13-rdt-a-no-loss":     rdt3Timeline,
	"13-rdt-b-lost-packet": rdt3Timeline,
	"13-rdt-c-lost-ack":    rdt3Timeline,
	// RFC 6298 §2.2-2.3, samples computed by hand: R1 = 2·delay + the two
	// 48-byte SYNs; R2 = 2·delay + the handshake's 40-byte ACK queued
	// ahead + MSS + 40 + the 40-byte ACK back; then SRTT, RTTVAR, RTO.
	"20-rto-estimation": func(t *testing.T, v *Variant, o *Outcome) {
		r := float64(v.Values["rate"].(int)) * 1e3
		d := 2 * ms(v, "delay")
		mss := v.Values["mss"].(int)
		want := []sim.Time{d + ser(2*48, r), d + ser(40+mss+40+40, r)}
		var got []trace.Event
		for _, e := range o.Kind(trace.RTT) {
			if strings.HasPrefix(e.Detail, "client ") {
				got = append(got, e)
			}
		}
		if len(got) < 2 {
			t.Fatalf("%d samples", len(got))
		}
		srtt, rttvar := want[0], want[0]/2
		for i, w := range want {
			if i > 0 {
				rttvar = (3*rttvar + abs(srtt-w)) / 4
				srtt = (7*srtt + w) / 8
			}
			rtt, s, rv, rto := RTTFields(&got[i])
			near(t, fmt.Sprintf("sample %d", i+1), rtt, w, sim.Microsecond)
			near(t, fmt.Sprintf("SRTT %d", i+1), s, srtt, sim.Microsecond)
			near(t, fmt.Sprintf("RTTVAR %d", i+1), rv, rttvar, sim.Microsecond)
			near(t, fmt.Sprintf("RTO %d", i+1), rto, max(srtt+4*rttvar, 10*sim.Millisecond), 2*sim.Microsecond)
		}
	},
	// RFC 6298 §5.5: each expiry doubles the RTO, from the RTO in force
	// when the outage began (at least 1 s, §2.4); the first retransmission
	// after the outage is the first expiry at or after its end.
	"22-backoff": func(t *testing.T, v *Variant, o *Outcome) {
		end := sim.Time(v.Values["end"].(int)) * sim.Second
		fire0, arm, err := o.timeout(0)
		if err != nil {
			t.Fatal(err)
		}
		rto := max(sim.Second, rfc6298(t, o, arm))
		near(t, "first expiry", fire0-arm, rto, 0)
		at := fire0
		for i := 1; at < end; i++ {
			rto *= 2
			fire, _, err := o.timeout(i)
			if err != nil {
				t.Fatal(err)
			}
			near(t, fmt.Sprintf("expiry %d", i+1), fire, at+rto, 0)
			at = fire
		}
		if n := flow(t, o, "file").TCP.RTOExpirations; int(n) < 2 {
			t.Errorf("%d expirations", n)
		}
	},
	// RFC 5681 §3.1: slow start doubles cwnd every round trip, so from IW
	// it reaches IW·2^k after k data round trips, the (k+1)th round trip
	// counting the handshake's; then equation 3 adds at most one segment
	// per round trip (K&R §3.7.1: "linear").
	"24-slow-start": func(t *testing.T, v *Variant, o *Outcome) {
		k := v.Values["doublings"].(int)
		rtt := 2 * ms(v, "delay")
		ss := int64(v.Values["ssthresh"].(int)) * 1460
		var at sim.Time = -1
		for _, e := range o.clientCwnd() {
			if e.Value >= ss {
				at = e.T
				if e.Value != ss {
					t.Errorf("slow start overshot: cwnd %d, ssthresh %d", e.Value, ss)
				}
				break
			}
		}
		near(t, "time cwnd reaches ssthresh", at, sim.Time(k+1)*rtt, sim.Millisecond)
		next := o.cwndAt(sim.Time(k+2)*rtt + rtt/2)
		if next <= ss+1460*85/100 || next > ss+1460 {
			t.Errorf("one round after ssthresh cwnd is %d, want within (%d+0.85 MSS, %d+1 MSS]", next, ss, ss)
		}
	},
	// RFC 6298 §3 (Karn): no sample from the ACK of a retransmitted
	// segment, and the next one measures a segment sent once (about
	// 2·delay, not the seconds since the first transmission); §5.5: the
	// second timeout waits twice the first RTO, max(1 s, SRTT + 4·RTTVAR).
	"21-karn": func(t *testing.T, v *Variant, o *Outcome) {
		f1, arm, err := o.timeout(0)
		if err != nil {
			t.Fatal(err)
		}
		f2, _, err := o.timeout(1)
		if err != nil {
			t.Fatal(err)
		}
		rto := max(sim.Second, rfc6298(t, o, arm))
		near(t, "first RTO", f1-arm, rto, 0)
		near(t, "second RTO", f2-f1, 2*rto, 0)
		lost, _ := o.firstLost()
		ack, sample, err := o.karn(lost.Seq+uint32(lost.Len), f2)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range o.Kind(trace.RTT) {
			if strings.HasPrefix(e.Detail, "client ") && e.T >= f1 && e.T <= ack {
				t.Errorf("an RTT sample at %v, between the first timeout and the ACK of the retransmission (%v)", e.T, ack)
			}
		}
		d := 2 * ms(v, "delay")
		if r := sim.Time(sample.Value); r < d || r > d+20*sim.Millisecond {
			t.Errorf("next sample %v, want about 2·delay = %v", r, d)
		}
	},
	// Mathis, Semke, Mahdavi and Ott (1997), K&R §3.7: under periodic
	// loss p the steady window peaks at W = sqrt(8/(3p)) segments and the
	// goodput is 0.75·W·MSS/RTT = 1.22·MSS/(RTT·√p). The measured W is
	// within 5% of sqrt(8/(3p)); the goodput between 0.85 and 1 times
	// both (the model leaves out the handshake, slow start and each
	// recovery's round trip, which cost 5-12% over these ranges); no
	// timeouts.
	"30-macroscopic-throughput": func(t *testing.T, v *Variant, o *Outcome) {
		p := 1 / float64(v.Values["every"].(int))
		rtt := (2 * ms(v, "delay")).Seconds()
		w := o.steadyW() / 1460
		within(t, "W", w, math.Sqrt(8/(3*p)), 0.05)
		f := flow(t, o, "file")
		for _, ref := range []struct {
			name string
			bps  float64
		}{{"0.75·W/RTT", 0.75 * w * 1460 * 8 / rtt}, {"Mathis", 1.22 * 1460 * 8 / (rtt * math.Sqrt(p))}} {
			if r := f.Goodput / ref.bps; r < 0.85 || r > 1 {
				t.Errorf("goodput %.0f is %.3f times %s (%.0f), want 0.85 to 1", f.Goodput, r, ref.name, ref.bps)
			}
		}
		if f.TCP.RTOExpirations != 0 {
			t.Errorf("%d timeouts", f.TCP.RTOExpirations)
		}
	},
	// RFC 9438 eq. 1-2: from the epoch, cwnd follows W(t) = C·(t − K)³ +
	// W_max with C = 0.4 and K = ∛((W_max − cwnd_epoch)/C); ssthresh is
	// 0.7 of the flight (§4.6). Checked: ssthresh within a segment of
	// 0.7·W_max; cwnd between W(t - RTT) and W(t + RTT) at K/2, K and K + 2 s.
	"36-cubic": func(t *testing.T, v *Variant, o *Outcome) {
		c, err := o.cubicEpoch()
		if err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(float64(c.ssthresh) - 0.7*c.wMax); d > 1460 {
			t.Errorf("ssthresh %d, 0.7·W_max = %.0f", c.ssthresh, 0.7*c.wMax)
		}
		w := func(x float64) float64 { return 0.4*math.Pow(x-c.k, 3) + c.wMax/1460 }
		rtt := (2 * ms(v, "delay")).Seconds()
		end := o.Result.Flows[0].Start + o.Result.Flows[0].Completion
		for _, x := range []float64{c.k / 2, c.k, c.k + 2} {
			at := c.epoch + sim.Time(x*float64(sim.Second))
			if at+sim.Time(rtt*float64(sim.Second)) > end {
				t.Fatalf("the transfer ended at %v, before epoch + %.2f s + RTT", end, x)
			}
			got := float64(o.cwndAt(at)) / 1460
			// §4.2 aims at W(t + RTT); t stands still while the sender
			// is not cwnd-limited (§5.8), up to a round trip after
			// recovery: cwnd lies between W(t - RTT) and W(t + RTT),
			// give or take a segment and a half.
			if got < w(x-rtt)-1.5 || got > w(x+rtt)+1.5 {
				t.Errorf("cwnd %.1f segments at epoch + %.2f s, W(t - RTT) = %.1f, W(t + RTT) = %.1f (K %.2f s, W_max %.1f)", got, x, w(x-rtt), w(x+rtt), c.k, c.wMax/1460)
			}
		}
	},
	"26-kr-reno-textbook":  krFigure(true),
	"26-kr-tahoe-textbook": krFigure(false),
	// RFC 1071: two flips in one 16-bit word's bit position, one set
	// and one cleared in different words, leave the one's-complement sum
	// as it was; an ordinary two-bit error does not.
	"29-checksum-miss": func(t *testing.T, v *Variant, o *Outcome) {
		f := flow(t, o, "file")
		if f.ChecksumDrops != 1 || f.TCP.CorruptBytes != 2 || f.TCP.Verified != "NO" {
			t.Errorf("checksum drops %d, corrupt bytes %d, verified %q: want 1, 2, NO", f.ChecksumDrops, f.TCP.CorruptBytes, f.TCP.Verified)
		}
	},
}

// rdt3Timeline checks exercise 13's ladders against the rdt 3.0 timeline
// of K&R Figure 3.16 computed by hand: a cycle C = (L + A)·8/R + 2·delay
// (L, A the packet and ACK with 38 bytes of headers each), packet i sent
// at i·C; a lost packet or ACK costs exactly the timeout T, the timer
// firing T after the lost cycle began; the last packet is delivered at
// (n-1)·C + L·8/R + delay (+ T).
func rdt3Timeline(t *testing.T, v *Variant, o *Outcome) {
	r := mbps(v, "rate")
	l := ser(v.Values["packet"].(int)+38, r)
	c := l + ser(38, r) + 2*ms(v, "delay")
	n := sim.Time(v.Values["count"].(int))
	tmo := ms(v, "timeout")
	want := (n-1)*c + l + ms(v, "delay")
	f := flow(t, o, "sw")
	lost, ok := v.Values["lost"].(int)
	if ok {
		want += tmo
		fire, _, err := o.timeout(0)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "timer fires", fire, sim.Time(lost-1)*c+tmo, sim.Microsecond)
		if f.RDT.Sender.Retransmissions != 1 {
			t.Errorf("%d retransmissions", f.RDT.Sender.Retransmissions)
		}
	} else if f.RDT.Sender.Retransmissions != 0 {
		t.Errorf("%d retransmissions", f.RDT.Sender.Retransmissions)
	}
	near(t, "completion", f.Completion, want, sim.Microsecond)
	if f.RDT.Verified != "yes" {
		t.Errorf("verified %q", f.RDT.Verified)
	}
}

// krFigure checks exercise 26's textbook window round by round against
// K&R Figure 3.53's rules (KRWindows, from the figure and §3.7.1's text).
func krFigure(reno bool) invariant {
	return func(t *testing.T, v *Variant, o *Outcome) {
		r := v.Values["round"].(int)
		want := KRWindows(v.Values["ssthresh"].(int), r, reno, r+4)
		got := o.rounds(2*ms(v, "delay"), r+4)
		if !slices.Equal(got, want) {
			t.Errorf("cwnd by round %v, K&R's rules give %v", got, want)
		}
	}
}

// The textbook rules reproduce K&R Figure 3.53 itself: ssthresh 8, loss
// in round 8.
func TestKRWindowsFigure(t *testing.T) {
	if got, want := KRWindows(8, 8, false, 12), []int{1, 2, 4, 8, 9, 10, 11, 12, 1, 2, 4, 6}; !slices.Equal(got, want) {
		t.Errorf("Tahoe %v, figure %v", got, want)
	}
	if got, want := KRWindows(8, 8, true, 12), []int{1, 2, 4, 8, 9, 10, 11, 12, 9, 10, 11, 12}; !slices.Equal(got, want) {
		t.Errorf("Reno %v, figure %v", got, want)
	}
}

// Every generator over 20 seeds: the file parses and validates, the run
// finishes within budget, the answers are there, the exercise's reference
// holds, and the same seed writes the same bytes.
func TestVariants(t *testing.T) {
	for _, g := range table {
		if g.Refused != "" {
			continue
		}
		check := invariants[g.Exercise]
		if check == nil {
			t.Errorf("%s has variants but no reference check in invariants", g.Exercise)
			continue
		}
		t.Run(g.Exercise, func(t *testing.T) {
			t.Parallel()
			for _, s := range seedList() {
				v, err := g.Generate(s)
				if err != nil {
					t.Fatal(err)
				}
				again, _ := g.Generate(s)
				if !bytes.Equal(v.File, again.File) {
					t.Errorf("seed %d: two different files", s)
				}
				if !strings.Contains(string(v.File), fmt.Sprintf("seed %d", s)) || v.Question == "" {
					t.Errorf("seed %d: no seed in the header or no question:\n%s", s, v.File)
				}
				start := time.Now()
				as, o, err := g.Answers(v)
				if err != nil {
					t.Fatalf("%v\n%s", err, v.File)
				}
				if d := time.Since(start); d > wallBudget {
					t.Errorf("seed %d: %v", s, d)
				}
				if !o.Result.Flows[0].Complete && g.Exercise != "29-checksum-miss" && g.Exercise != "15-closed-port" {
					t.Errorf("seed %d: unfinished", s)
				}
				if len(as) == 0 {
					t.Errorf("seed %d: no answer", s)
				}
				if testing.Verbose() && os.Getenv("VARIANT_SHOW") != "" {
					t.Logf("seed %d %v: %v", s, v.Values, as)
				}
				t.Run(fmt.Sprint("seed", s), func(t *testing.T) { check(t, v, o) })
				if t.Failed() {
					t.Logf("seed %d file:\n%s", s, v.File)
					return
				}
			}
		})
	}
}

// Different seeds give different variants (the numbers are drawn).
func TestVariantsDiffer(t *testing.T) {
	for _, g := range table {
		if g.Refused != "" {
			continue
		}
		seen := map[string]bool{}
		for s := uint64(1); s <= seeds; s++ {
			v, _ := g.Generate(s)
			seen[fmt.Sprint(v.Values)] = true
		}
		if len(seen) < seeds/2 {
			t.Errorf("%s: %d different variants of %d seeds", g.Exercise, len(seen), seeds)
		}
	}
}

func flow(t *testing.T, o *Outcome, name string) *run.FlowResult {
	t.Helper()
	f, err := o.Flow(name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// rfc6298 computes SRTT + 4·RTTVAR from the client's RTT samples up to
// t, by RFC 6298 §2.2-2.3 (alpha 1/8, beta 1/4), from the samples alone.
func rfc6298(t *testing.T, o *Outcome, at sim.Time) sim.Time {
	t.Helper()
	var srtt, rttvar float64
	n := 0
	for _, e := range o.Kind(trace.RTT) {
		if e.T > at || !strings.HasPrefix(e.Detail, "client ") {
			continue
		}
		r := float64(e.Value)
		if n == 0 {
			srtt, rttvar = r, r/2
		} else {
			rttvar = 0.75*rttvar + 0.25*math.Abs(srtt-r)
			srtt = 0.875*srtt + 0.125*r
		}
		n++
	}
	if n == 0 {
		t.Fatal("no RTT sample")
	}
	return sim.Time(srtt + 4*rttvar)
}

func ms(v *Variant, name string) sim.Time {
	return sim.Time(v.Values[name].(int)) * sim.Millisecond
}

func mbps(v *Variant, name string) float64 { return float64(v.Values[name].(int)) * 1e6 }

// ser is the serialisation time of n bytes at r bits per second.
func ser(n int, r float64) sim.Time {
	return sim.Time(math.Round(float64(n) * 8 / r * float64(sim.Second)))
}

func abs(d sim.Time) sim.Time { return max(d, -d) }

func near(t *testing.T, what string, got, want, tol sim.Time) {
	t.Helper()
	if abs(got-want) > tol {
		t.Errorf("%s: %v, want %v (±%v)", what, got, want, tol)
	}
}

func within(t *testing.T, what string, got, want, rel float64) {
	t.Helper()
	if math.Abs(got-want) > rel*want {
		t.Errorf("%s: %.6g, want %.6g ±%.0f%%", what, got, want, rel*100)
	}
}
