package run

import (
	"fmt"
	"math"

	proto "tcpsim/internal/protocol"
)

// Violation is one broken invariant of a run's results: a number that
// cannot be true.
type Violation struct {
	Where string // "flow f", "link a->b", "router r1", "network"
	What  string
}

func (v Violation) String() string { return v.Where + ": " + v.What }

// Check returns every invariant the results of one run break (none for a
// sound run). It is the oracle that tests apply to every shipped,
// generated and fuzzed scenario (issue 21):
//
//   - per flow: 0 ≤ delivered ≤ offered bytes; the delivery ratio and an
//     rdt sender's utilisation lie in [0, 1]; goodput is at most the
//     bottleneck rate of the path the data takes (for request-response,
//     of the faster direction); a complete TCP or rdt flow delivered
//     everything, and a verified one no wrong byte; a UDP flow received
//     no more datagrams than it sent (duplicates are counted apart) and
//     its losses are the difference; on a network that duplicates
//     nothing, no flow's endpoints accept more packets than they sent;
//   - per link direction: offered + duplicated = delivered + lost +
//     queue-dropped + in flight (link.Counters), AQM drops are among the
//     queue drops, a bounded queue never held more than its bound;
//   - per router: the packets its links delivered to it were forwarded or
//     dropped for a reason it counts, and what it forwarded is what its
//     outgoing links were offered;
//   - for the network: every packet the hosts put on a link was sent by a
//     flow's endpoint (flows' packets sent = packets the hosts' links
//     were offered + packets with no route), and every packet the links
//     delivered to a host was taken by an endpoint (received, dropped
//     for a checksum or header error, a UDP duplicate or unplaceable) or
//     found none. With the per-link identity, this is "sent = received +
//     lost + dropped + in flight" for the packets of all flows together
//     (the links count packets, not flows, so it is not split by flow).
//
// Cost: linear in the flows, links and path lengths.
func Check(r *Result) []Violation {
	var out []Violation
	bad := func(where, format string, args ...any) {
		out = append(out, Violation{where, fmt.Sprintf(format, args...)})
	}
	rate := map[[2]string]int64{} // by (from, to): bits per second, 0 unlimited
	dup := false
	for _, l := range r.Links {
		rate[[2]string{l.From, l.To}] = l.Config.Rate
		dup = dup || l.Duplicated > 0
		w := "link " + l.Name
		c := l.Counters
		if in, outs := c.Offered+c.Duplicated, c.Delivered+c.Lost+c.QueueDropped+l.InFlight; in != outs {
			bad(w, "offered %d + duplicated %d = %d, but delivered %d + lost %d + queue-dropped %d + in flight %d = %d",
				c.Offered, c.Duplicated, in, c.Delivered, c.Lost, c.QueueDropped, l.InFlight, outs)
		}
		for name, v := range map[string]int64{"offered": c.Offered, "delivered": c.Delivered, "lost": c.Lost, "queue-dropped": c.QueueDropped,
			"duplicated": c.Duplicated, "corrupted": c.Corrupted, "in flight": l.InFlight, "offered bytes": c.OfferedBytes, "delivered bytes": c.DeliveredBytes} {
			if v < 0 {
				bad(w, "%s is negative: %d", name, v)
			}
		}
		if c.AQMDropped > c.QueueDropped {
			bad(w, "AQM drops %d exceed queue drops %d, which include them", c.AQMDropped, c.QueueDropped)
		}
		if c.Corrupted > c.Offered+c.Duplicated {
			bad(w, "corrupted %d of %d packets", c.Corrupted, c.Offered+c.Duplicated)
		}
		if q := l.Config.QueuePackets; q > 0 && c.MaxQueue > q {
			bad(w, "held %d packets in a queue of %d", c.MaxQueue, q)
		}
	}
	// Routers: what came in went out or was dropped; what went out is
	// what the outgoing links were offered.
	in, offered := map[string]int64{}, map[string]int64{}
	for _, l := range r.Links {
		in[l.To] += l.Delivered
		offered[l.From] += l.Offered
	}
	for _, rt := range r.Routers {
		c := rt.Counters
		if got := c.Forwarded + c.HeaderErrors + c.TTLExpired + c.NoRoute; got != in[rt.Name] {
			bad("router "+rt.Name, "received %d packets, but forwarded %d + header errors %d + TTL expired %d + no route %d = %d",
				in[rt.Name], c.Forwarded, c.HeaderErrors, c.TTLExpired, c.NoRoute, got)
		}
		if c.Forwarded != offered[rt.Name] {
			bad("router "+rt.Name, "forwarded %d packets, but its links were offered %d", c.Forwarded, offered[rt.Name])
		}
	}
	var sent, hostOut, hostIn, taken int64
	for _, h := range r.Hosts {
		hostOut += offered[h.Name] + h.NoRoute
		hostIn += in[h.Name]
		taken += h.NoEndpoint + h.NotForUs
		sent += h.ResetsSent // the host's own: no flow sent them
	}
	for _, l := range r.Listeners {
		sent += l.SynAcksSent + l.ResetsSent // the listeners' own replies
		taken += l.Received
	}
	for i := range r.Flows {
		f := &r.Flows[i]
		sent += f.PacketsSent
		taken += f.PacketsRecv + f.ChecksumDrops + f.Unplaceable
		if proto.IsFamily(f.Protocol, proto.UDP) {
			taken += f.Duplicates // apart from PacketsRecv, unlike TCP's and rdt's
		}
		checkFlow(f, rate, dup, bad)
	}
	if sent != hostOut {
		bad("network", "flows sent %d packets, but the hosts' links were offered %d (with those without a route)", sent, hostOut)
	}
	if taken != hostIn {
		bad("network", "links delivered %d packets to the hosts, but the flows' endpoints took %d (received, checksum drops, duplicates, unplaceable) with those for no endpoint", hostIn, taken)
	}
	return out
}

func checkFlow(f *FlowResult, rate map[[2]string]int64, dup bool, bad func(where, format string, args ...any)) {
	w := "flow " + f.Name
	if f.DeliveredBytes < 0 || f.OfferedBytes < 0 || f.DeliveredBytes > f.OfferedBytes {
		bad(w, "delivered %d bytes of %d offered", f.DeliveredBytes, f.OfferedBytes)
	}
	if !(f.DeliveryRatio >= 0 && f.DeliveryRatio <= 1) {
		bad(w, "delivery ratio %v outside [0, 1]", f.DeliveryRatio)
	}
	if f.RDT != nil && !(f.RDT.Utilisation >= 0 && f.RDT.Utilisation <= 1) {
		bad(w, "sender utilisation %v outside [0, 1]", f.RDT.Utilisation)
	}
	if !(f.Goodput >= 0) || math.IsInf(f.Goodput, 0) {
		bad(w, "goodput %v", f.Goodput)
	}
	if f.Completion < -1 || f.PacketsSent < 0 || f.PacketsRecv < 0 || f.Lost < 0 || f.ChecksumDrops < 0 || f.Duplicates < 0 {
		bad(w, "a negative count or time: completion %v, sent %d, received %d, lost %d, checksum drops %d, duplicates %d",
			f.Completion, f.PacketsSent, f.PacketsRecv, f.Lost, f.ChecksumDrops, f.Duplicates)
	}
	if b := bottleneck(f, rate); b > 0 && f.Goodput > float64(b)*(1+1e-9) {
		bad(w, "goodput %.0f bps above the bottleneck rate %d bps", f.Goodput, b)
	}
	switch {
	case proto.IsFamily(f.Protocol, proto.UDP):
		if f.PacketsRecv > f.PacketsSent || f.Lost != f.PacketsSent-f.PacketsRecv {
			bad(w, "sent %d datagrams, received %d, lost %d", f.PacketsSent, f.PacketsRecv, f.Lost)
		}
		if f.Corrupt < 0 || f.Corrupt > f.PacketsRecv {
			bad(w, "%d datagrams delivered with wrong bytes, of %d delivered", f.Corrupt, f.PacketsRecv)
		}
	case f.Complete && f.DeliveredBytes != f.OfferedBytes:
		bad(w, "complete, with %d of %d bytes delivered", f.DeliveredBytes, f.OfferedBytes)
	}
	if f.TCP != nil && (f.TCP.CorruptBytes < 0 || f.TCP.CorruptBytes > f.DeliveredBytes+f.OfferedBytes || f.TCP.Verified == "yes" && f.TCP.CorruptBytes != 0) {
		bad(w, "verified %q with %d wrong bytes", f.TCP.Verified, f.TCP.CorruptBytes)
	}
	if f.RDT != nil && f.RDT.Verified == "yes" && f.RDT.WrongBytes != 0 {
		bad(w, "verified with %d wrong bytes", f.RDT.WrongBytes)
	}
	if !dup && f.PacketsRecv > f.PacketsSent {
		bad(w, "its endpoints accepted %d packets of the %d they sent, on links that duplicate nothing", f.PacketsRecv, f.PacketsSent)
	}
}

// bottleneck returns the lowest rate along the path the flow's data takes
// (when data went both ways, as in request-response, the higher of the
// two directions' lowest; the path back is taken as the path out
// reversed), or 0
// when a link on it is unlimited or the path is unknown.
func bottleneck(f *FlowResult, rate map[[2]string]int64) int64 {
	if len(f.Path) < 2 {
		return 0
	}
	path := func(rev bool) int64 {
		low := int64(math.MaxInt64)
		for i := 0; i+1 < len(f.Path); i++ {
			a, b := f.Path[i], f.Path[i+1]
			if rev {
				a, b = b, a
			}
			r := rate[[2]string{a, b}]
			if r <= 0 {
				return 0
			}
			low = min(low, r)
		}
		return low
	}
	b := path(false)
	if f.TCP != nil && f.TCP.Receiver.BytesSent > 0 { // data went both ways: request-response
		if rb := path(true); rb == 0 || b == 0 {
			return 0
		} else {
			b = max(b, rb)
		}
	}
	return b
}
