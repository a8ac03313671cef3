package scenario

import (
	"fmt"
	"slices"
	"strings"

	"tcpsim/model/link"
	"tcpsim/model/tcp"
	"tcpsim/sim"
)

// Defaults, chosen to match common real stacks where the RFCs leave a
// choice; the README documents each.
const (
	DefaultUntil      = Duration(60 * sim.Second)
	DefaultMaxEvents  = 50_000_000
	DefaultMSS        = 1460 // Ethernet MTU 1500 - 20 IPv4 - 20 TCP
	DefaultRecvBuffer = 64 << 10
	DefaultIW         = 10 // RFC 6928, as Linux
	DefaultMaxRetries = 15 // Linux net.ipv4.tcp_retries2
	DefaultDatagram   = 1200
	maxDatagrams      = 1_000_000_000 // the receiver keeps a bit per datagram
)

// Report sections.
var reportSections = []string{"flows", "link"}

func (s *Scenario) validate() error {
	if s.Name == "" {
		return s.errAt("name", "missing: every scenario needs a name")
	}
	if s.Until == 0 {
		s.Until = DefaultUntil
	}
	if s.MaxEvents == 0 {
		s.MaxEvents = DefaultMaxEvents
	}
	if s.MaxEvents < 0 {
		return s.errAt("max_events", "%d: want a positive event budget", s.MaxEvents)
	}
	if len(s.Report) == 0 {
		s.Report = reportSections
	}
	for i, r := range s.Report {
		if !slices.Contains(reportSections, r) {
			return s.errAt(fmt.Sprintf("report[%d]", i), "%q: want one of flows, link", r)
		}
	}
	for _, d := range []struct {
		path string
		d    *Direction
	}{{"link", &s.Link.Direction}, {"link.forward", s.Link.Forward}, {"link.reverse", s.Link.Reverse}} {
		if d.d == nil {
			continue
		}
		if d.d.Queue != nil && *d.d.Queue < 0 {
			return s.errAt(d.path+".queue", "%d: want a packet count >= 0 (0 = unbounded)", *d.d.Queue)
		}
		if d.d.Loss != nil && d.d.Loss.Model == "gilbert-elliott" && d.d.Loss.P+d.d.Loss.R == 0 {
			return s.errAt(d.path+".loss", "gilbert-elliott needs p or r above 0%%")
		}
		if d.d.Reorder != nil && *d.d.Reorder > 0 && d.d.ReorderDelay == nil && (d.path == "link" || s.Link.ReorderDelay == nil) {
			return s.errAt(d.path+".reorder", "reordering needs reorder_delay (the largest extra delay), e.g. reorder_delay: 5ms")
		}
	}
	if len(s.Flows) == 0 {
		return s.errAt("flows", "missing: want at least one flow (name, protocol, ...)")
	}
	seen := map[string]bool{}
	for i := range s.Flows {
		if err := s.validateFlow(i, seen); err != nil {
			return err
		}
	}
	return nil
}

func (s *Scenario) validateFlow(i int, seen map[string]bool) error {
	f := &s.Flows[i]
	at := func(field string) string { return fmt.Sprintf("flows[%d].%s", i, field) }
	if f.Name == "" {
		return s.errAt(fmt.Sprintf("flows[%d]", i), "flow has no name")
	}
	if seen[f.Name] {
		return s.errAt(at("name"), "%q is used by two flows: names must be unique", f.Name)
	}
	seen[f.Name] = true
	switch f.From {
	case "":
		f.From = "a"
	case "a", "b":
	default:
		return s.errAt(at("from"), "%q: want a or b (the sending host)", f.From)
	}
	switch f.Protocol {
	case "udp":
		if f.Datagram == 0 {
			f.Datagram = DefaultDatagram
		}
		if f.Datagram < 8 || f.Datagram > 65507 {
			return s.errAt(at("datagram"), "%d bytes: want 8 to 65507 (8 bytes carry tcpsim's sequence number)", f.Datagram)
		}
		if f.Rate == 0 {
			return s.errAt(at("rate"), "missing: a UDP sender needs a send rate, e.g. rate: 4Mbps")
		}
		if (f.Bytes == 0) == (f.Count == 0) {
			return s.errAt(at("bytes"), "give exactly one of bytes (total payload) or count (datagrams)")
		}
		if f.Count < 0 {
			return s.errAt(at("count"), "%d: want a positive datagram count", f.Count)
		}
		if f.Count == 0 {
			f.Count = (int64(f.Bytes) + int64(f.Datagram) - 1) / int64(f.Datagram)
		}
		if f.Count > maxDatagrams {
			return s.errAt(at("count"), "%d datagrams: at most %d per flow", f.Count, int64(maxDatagrams))
		}
		if f.Checksum == nil {
			t := true
			f.Checksum = &t
		}
	case "tcp":
		if f.MSS == 0 {
			f.MSS = DefaultMSS
		}
		if f.MSS < 64 || f.MSS > 65495 {
			return s.errAt(at("mss"), "%d: want 64 to 65495 bytes", f.MSS)
		}
		if f.Congestion == "" {
			f.Congestion = "newreno"
		}
		if names := tcp.CongestionNames(); !slices.Contains(names, f.Congestion) {
			return s.errAt(at("congestion"), "%q: want one of %s", f.Congestion, strings.Join(names, ", "))
		}
		if f.RecvBuffer == 0 {
			f.RecvBuffer = DefaultRecvBuffer
		}
		if int(f.RecvBuffer) < f.MSS || f.RecvBuffer > 1<<30 {
			return s.errAt(at("recv_buffer"), "%d bytes: want at least one MSS (%d) and at most 1GiB", f.RecvBuffer, f.MSS)
		}
		if f.InitialWindow == 0 {
			f.InitialWindow = DefaultIW
		}
		if f.InitialWindow < 1 || f.InitialWindow > 1000 {
			return s.errAt(at("initial_window"), "%d: want 1 to 1000 segments", f.InitialWindow)
		}
		if f.MaxRetries == 0 {
			f.MaxRetries = DefaultMaxRetries
		}
		if f.MaxRetries < 1 || f.MaxRetries > 100 {
			return s.errAt(at("max_retries"), "%d: want 1 to 100", f.MaxRetries)
		}
		if f.MinRTO != nil && f.MaxRTO != nil && *f.MinRTO > *f.MaxRTO {
			return s.errAt(at("min_rto"), "%v is above max_rto %v", sim.Time(*f.MinRTO), sim.Time(*f.MaxRTO))
		}
		switch f.App {
		case "", "bulk":
			f.App = "bulk"
			if f.Bytes == 0 {
				return s.errAt(at("bytes"), "missing: a bulk TCP flow needs bytes, e.g. bytes: 1MB")
			}
		case "request-response":
			if f.Request == 0 || f.Response == 0 {
				return s.errAt(at("request"), "request-response needs request and response sizes, e.g. request: 100B, response: 6B")
			}
			if f.Exchanges == 0 {
				f.Exchanges = 1
			}
			if f.Exchanges < 0 {
				return s.errAt(at("exchanges"), "%d: want a positive count", f.Exchanges)
			}
		default:
			return s.errAt(at("app"), "%q: want bulk or request-response", f.App)
		}
	case "":
		return s.errAt(at("protocol"), "missing: want tcp or udp")
	default:
		return s.errAt(at("protocol"), "%q: want tcp or udp", f.Protocol)
	}
	return nil
}

// LinkConfig returns the configuration of one direction ("forward" a→b or
// "reverse" b→a): the link's settings with that direction's overrides.
func (s *Scenario) LinkConfig(dir string) link.Config {
	c := link.Config{Loss: link.Loss{Model: link.LossBernoulli}}
	apply := func(d *Direction) {
		if d == nil {
			return
		}
		if d.Rate != nil {
			c.Rate = int64(*d.Rate)
		}
		if d.Delay != nil {
			c.Delay = sim.Time(*d.Delay)
		}
		if d.Queue != nil {
			c.QueuePackets = *d.Queue
		}
		if d.QueueBytes != nil {
			c.QueueBytes = int(*d.QueueBytes)
		}
		if d.Loss != nil {
			l := d.Loss
			if l.Model == "gilbert-elliott" {
				c.Loss = link.Loss{Model: link.LossGilbertElliott, P: float64(l.P), R: float64(l.R), LossGood: float64(l.LossGood), LossBad: float64(l.LossBad)}
			} else {
				c.Loss = link.Loss{Model: link.LossBernoulli, P: float64(l.P)}
			}
		}
		if d.Corrupt != nil {
			c.Corrupt = float64(*d.Corrupt)
		}
		if d.Duplicate != nil {
			c.Duplicate = float64(*d.Duplicate)
		}
		if d.Reorder != nil {
			c.Reorder = float64(*d.Reorder)
		}
		if d.ReorderDelay != nil {
			c.ReorderDelay = sim.Time(*d.ReorderDelay)
		}
	}
	apply(&s.Link.Direction)
	if dir == "forward" {
		apply(s.Link.Forward)
	} else {
		apply(s.Link.Reverse)
	}
	return c
}
