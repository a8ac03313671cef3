package plot

import (
	"fmt"
	"math"
	"strings"

	"tcpsim/internal/direction"
	"tcpsim/internal/flowview"
	proto "tcpsim/internal/protocol"
	"tcpsim/internal/trace"
	"tcpsim/sim"
)

// Figure kinds of the figures of several flows and of packet flows.
const (
	KindThroughput = "throughput"
	KindFairness   = "fairness"
	KindPackets    = "time-sequence"
)

// CwndByRound returns a TCP run's window in force at the end of each
// transmission round (see Rounds), in segments of the run's MSS: index
// k is round k+1, a round without a change keeping the value before.
// The cwnd figure with --x rounds draws it; the lab may too.
func CwndByRound(r Run) ([]float64, error) {
	if r.MSS <= 0 {
		return nil, fmt.Errorf("plot: %s: no MSS", r.Label)
	}
	p := &prepared{Run: r, d: analyse(r.Events), unit: float64(r.MSS), single: true}
	for k := range p.d.cwnd {
		p.d.cwnd[k].textbook = r.Textbook
	}
	rs, err := p.d.rounds(len(r.Events))
	if err != nil {
		return nil, err
	}
	p.rounds = rs
	var cw, ss Series
	cwndByRound(p, &cw, &ss)
	return cw.Y, nil
}

// DefaultBin returns the interval a throughput figure averages over when
// none is given: about a fiftieth of the run, at a 1-2-5 step of
// milliseconds or more.
func DefaultBin(end sim.Time) sim.Time {
	ms := niceStep(end.Seconds() * 1000 / 50 * (maxTicks - 1))
	return sim.Time(math.Max(ms, 1) * float64(sim.Millisecond))
}

// runEnd is the time of a run's last event.
func runEnd(r Run) sim.Time {
	var end sim.Time
	for i := range r.Events {
		end = max(end, r.Events[i].T)
	}
	return end
}

// ThroughputFigure draws each run's throughput against time on one set
// of axes (flowview.Throughput: payload delivered per bin, in Mbps, as a
// step over each interval): several flows of one run, or one flow. bin 0
// is DefaultBin of the longest run.
func ThroughputFigure(runs []Run, o Options, bin sim.Time) (*Figure, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("plot: no flow to draw")
	}
	var end sim.Time
	for _, r := range runs {
		end = max(end, runEnd(r))
	}
	if bin <= 0 {
		bin = DefaultBin(end)
	}
	f := &Figure{Name: o.Name + "-" + KindThroughput,
		Title: fmt.Sprintf("%s: throughput (payload delivered per %v)", o.Title, bin),
		X:     Axis{Label: "time (s)"}, Y: Axis{Label: "throughput (Mbps)"}}
	shorts := shortNames(runs)
	for i, r := range runs {
		rate := flowview.Throughput(r.Events, bin, end)
		s := Series{Label: r.Label, Legend: shorts[i], Kind: Step, Color: runColours[i%len(runColours)]}
		for k, v := range rate {
			s.add((sim.Time(k) * bin).Seconds(), v/1e6)
		}
		if n := len(s.X); n > 0 {
			s.add(end.Seconds(), s.Y[n-1])
		}
		f.Series = append(f.Series, s)
	}
	f.fitIn(o, true)
	return f, nil
}

// active returns the first and the last time the network delivered
// payload to a run's hosts.
func active(r Run) (from, to sim.Time, ok bool) {
	for i := range r.Events {
		e := &r.Events[i]
		if e.Kind == trace.Deliver && e.Len > 0 {
			if !ok {
				from = e.T
			}
			to, ok = e.T, true
		}
	}
	return from, to, ok
}

// FairnessFigure is Kurose & Ross's phase plot of two flows sharing a
// link (§3.7.1, Figure 3.55): the throughput of a against that of b in
// each bin while both deliver, joined in time order from the first bin
// (ringed) to the last (squared), with the equal-share line x = y and,
// when capacity (bits per second of the shared link) is above 0, the
// full-utilisation line x + y = R. AIMD drives the point toward where
// they cross. bin 0 is DefaultBin.
func FairnessFigure(a, b Run, o Options, bin sim.Time, capacity float64) (*Figure, error) {
	end := max(runEnd(a), runEnd(b))
	if bin <= 0 {
		bin = DefaultBin(end)
	}
	a0, a1, okA := active(a)
	b0, b1, okB := active(b)
	if !okA || !okB {
		return nil, fmt.Errorf("plot: fairness: %s or %s delivered nothing", a.Label, b.Label)
	}
	from, to := max(a0, b0), min(a1, b1)
	if o.From > 0 {
		from = max(from, o.From)
	}
	if o.To > 0 {
		to = min(to, o.To)
	}
	ra, rb := flowview.Throughput(a.Events, bin, end), flowview.Throughput(b.Events, bin, end)
	names := shortNames([]Run{a, b})
	f := &Figure{Name: o.Name + "-" + KindFairness,
		Title: fmt.Sprintf("%s: fairness, %s against %s (a point per %v)", o.Title, names[1], names[0], bin),
		X:     Axis{Label: names[0] + " throughput (Mbps)"}, Y: Axis{Label: names[1] + " throughput (Mbps)"}, Square: true}
	path := Series{Label: "throughputs, bin by bin", Kind: LinePoints, Shape: Circle, Color: cBlue}
	// Whole bins inside [from, to]: a bin a flow only starts or ends in
	// would read as a share it never had.
	for k := range ra {
		t0, t1 := sim.Time(k)*bin, sim.Time(k+1)*bin
		if t0 < from || t1 > to {
			continue
		}
		path.add(ra[k]/1e6, rb[k]/1e6)
	}
	if len(path.X) == 0 {
		return nil, fmt.Errorf("plot: fairness: %s and %s never deliver through one whole %v together", a.Label, b.Label, bin)
	}
	n := len(path.X)
	first := Series{Label: "first interval", Kind: Points, Shape: Ring, Color: cGreen}
	first.add(path.X[0], path.Y[0])
	last := Series{Label: "last interval", Kind: Points, Shape: Square, Color: cRed}
	last.add(path.X[n-1], path.Y[n-1])
	top := math.Max(capacity/1e6, math.Max(maxOf(path.X), maxOf(path.Y)))
	equal := Series{Label: "equal share: x = y", Kind: Line, Color: cGrey, Dashed: true}
	equal.add(0, 0)
	equal.add(top, top)
	f.Series = append(f.Series, path, first, last, equal)
	if capacity > 0 {
		r := capacity / 1e6
		full := Series{Label: fmt.Sprintf("full utilisation: x + y = R (%.4g Mbps)", r), Kind: Line, Color: cOrange, Dashed: true}
		full.add(0, r)
		full.add(r, 0)
		f.Series = append(f.Series, full)
	}
	f.fit(true, true)
	// One scale on both axes: the equal-share line at 45°.
	if f.X.Max > f.Y.Max {
		f.Y = Axis{Label: f.Y.Label, Min: f.X.Min, Max: f.X.Max, Ticks: f.X.Ticks}
	} else {
		f.X = Axis{Label: f.X.Label, Min: f.Y.Min, Max: f.Y.Max, Ticks: f.Y.Ticks}
	}
	return f, nil
}

func maxOf(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}

// IsPacketFlow reports whether a run is of an rdt or UDP flow, which
// Packets draws (Flows is for TCP).
func IsPacketFlow(r Run) bool {
	for i := range r.Events {
		if e := &r.Events[i]; e.Proto != "" {
			return !e.Is(proto.TCP)
		}
	}
	return false
}

// Packets is the time-sequence graph of an rdt or UDP flow, in packets:
// each packet sent a point at the time it left and its number (rdt
// packets numbered past the wrap of their sequence numbers, UDP
// datagrams from 1), retransmissions in red, losses crossed, the
// packets acknowledged (rdt) where the ACK reached the sender, and the
// timeouts. Go-Back-N's go-back is the run of red points stepping down
// to the oldest unacknowledged packet after a timeout.
func Packets(r Run, o Options) (*Figure, error) {
	f := &Figure{Name: o.Name + "-" + KindPackets, Title: o.Title + ": time-sequence graph (packets)",
		X: Axis{Label: "time (s)"}, Y: Axis{Label: "packet number (from 0, past the sequence numbers' wrap)"}}
	pr := newPacketReader()
	for i := range r.Events {
		if r.Events[i].Is(proto.TCP) {
			return nil, fmt.Errorf("plot: %s is a TCP flow: Flows draws it", r.Label)
		}
		pr.step(&r.Events[i])
	}
	if pr.udp {
		f.Y.Label = "datagram number (from 1, in order sent)"
		pr.sent.Label = "datagram sent"
		pr.lost.Label = "lost, dropped or corrupted"
	}
	for _, s := range []Series{pr.sent, pr.resent, pr.acked, pr.nak, pr.lost, pr.timeout} {
		s.Radius = 3.5 // hundreds of packets: small glyphs
		if len(s.X) > 0 {
			f.Series = append(f.Series, s)
		}
	}
	if len(f.Series) == 0 {
		return nil, fmt.Errorf("plot: %s sent no packet", r.Label)
	}
	f.fitIn(o, !o.windowed()) // packet numbers in a window: the ones it holds
	return f, nil
}

// packetReader reads an rdt or UDP flow's events into the series of
// Packets, numbering rdt packets past the wrap of their sequence numbers:
// a packet sent for the first time is the next number; a retransmission,
// a loss, an ACK or a timer firing is about the last packet sent with
// that sequence number (the window is smaller than the sequence space,
// so that packet is the only one it can be).
type packetReader struct {
	sent, resent, acked, nak, lost, timeout Series
	dataDir                                 direction.Dir
	last                                    map[uint32]int64 // a wire sequence number's packet, unwrapped
	hi                                      int64            // the highest packet number sent
	udp                                     bool
}

func newPacketReader() *packetReader {
	return &packetReader{
		sent:    Series{Label: "packet sent", Kind: Points, Shape: Circle, Color: cBlue},
		resent:  Series{Label: "retransmission", Kind: Points, Shape: Triangle, Color: cRed},
		acked:   Series{Label: "ACK received (the packet it acknowledges)", Kind: Points, Shape: Plus, Color: cGreen},
		nak:     Series{Label: "NAK received", Kind: Points, Shape: Diamond, Color: cOrange},
		lost:    Series{Label: "lost or corrupted", Kind: Points, Shape: Cross, Color: cRed},
		timeout: Series{Label: "timeout (the packet its timer guarded)", Kind: Points, Shape: Square, Color: cBrown},
		last:    map[uint32]int64{},
		hi:      -1,
	}
}

// step reads one event.
func (pr *packetReader) step(e *trace.Event) {
	pr.udp = pr.udp || e.Is(proto.UDP)
	x := e.T.Seconds()
	switch {
	case e.Is(proto.UDP) && (e.Kind == trace.Enqueue || e.Kind == trace.QueueDrop):
		pr.sent.add(x, float64(e.ID))
		if e.Kind == trace.QueueDrop {
			pr.lost.add(x, float64(e.ID))
		}
	case e.Is(proto.UDP) && (e.Kind == trace.Lost || e.Kind == trace.ChecksumDrop || e.Kind == trace.Corrupt):
		pr.lost.add(x, float64(e.ID))
	case e.Is(proto.RDT) && e.Kind == trace.Send && e.Flags == "DATA":
		if pr.dataDir == "" {
			pr.dataDir = e.Dir
		}
		if n, ok := pr.last[e.Seq]; e.Retrans && ok {
			pr.resent.add(x, float64(n))
			return
		}
		pr.hi++
		pr.last[e.Seq] = pr.hi
		pr.sent.add(x, float64(pr.hi))
	case e.Is(proto.RDT) && e.Dir == pr.dataDir && (e.Kind == trace.Lost || e.Kind == trace.QueueDrop || e.Kind == trace.Corrupt):
		if n, ok := pr.last[e.Seq]; ok {
			pr.lost.add(x, float64(n))
		}
	case e.Is(proto.RDT) && e.Dir != pr.dataDir && pr.dataDir != "" && e.Kind == trace.Deliver:
		n, ok := pr.last[e.Ack]
		switch {
		case !ok: // an ACK of a packet before the first (GBN's "nothing yet")
		case e.Flags == "NAK":
			pr.nak.add(x, float64(n))
		default:
			pr.acked.add(x, float64(n))
		}
	case e.Kind == trace.TimerFired && strings.Contains(e.Detail, "timer for pkt "):
		var w uint32
		_, rest, _ := strings.Cut(e.Detail, "timer for pkt ")
		if _, err := fmt.Sscanf(rest, "%d", &w); err == nil {
			if n, ok := pr.last[w]; ok {
				pr.timeout.add(x, float64(n))
			}
		}
	}
}
