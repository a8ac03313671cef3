package scenario

import (
	"fmt"
	"math"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"tcpsim/model/link"
	"tcpsim/model/tcp"
)

// The field tables: every key a scenario file may hold, where it may hold
// it, its decoder and its range. Errors read
// `"x" is not a valid <field>: want <form>`.

func invalid(text, name, want string) error {
	return fmt.Errorf("%q is not a valid %s: want %s", text, name, want)
}

// wholeField is an integer field in [lo, hi].
func wholeField[T any](name string, lo, hi uint64, unit, eg string, set func(*T, uint64)) field[T] {
	want := fmt.Sprintf("a whole number from %d to %d%s, e.g. %s", lo, hi, unit, eg)
	return field[T]{name: name, want: want, parse: func(dst *T, s string) error {
		v, ok := whole(s)
		if !ok || v < lo || v > hi {
			return invalid(s, name, want)
		}
		set(dst, v)
		return nil
	}}
}

// sizeField is a size in [lo, hi] bytes.
func sizeField[T any](name string, lo, hi Size, eg string, set func(*T, Size)) field[T] {
	want := fmt.Sprintf("a size from %d to %d bytes, e.g. %s", lo, hi, eg)
	if hi == maxSize {
		want = fmt.Sprintf("a size of at least %d byte%s, e.g. %s", lo, map[bool]string{true: "s"}[lo != 1], eg)
	}
	return field[T]{name: name, want: want, parse: func(dst *T, s string) error {
		v, err := ParseSize(s)
		if err != nil {
			return err
		}
		if v < lo || v > hi {
			return invalid(s, name, want)
		}
		set(dst, v)
		return nil
	}}
}

// durationField is a duration; positive fields refuse 0.
func durationField[T any](name string, positive bool, eg string, set func(*T, Duration)) field[T] {
	want := wantDuration
	if positive {
		want = "a positive number with a unit ns, us, ms, s, m or h, e.g. " + eg
	}
	return field[T]{name: name, want: want, parse: func(dst *T, s string) error {
		v, err := ParseDuration(s)
		if err != nil && !positive {
			return err
		}
		if err != nil || positive && v == 0 {
			return invalid(s, name, want)
		}
		set(dst, v)
		return nil
	}}
}

// rateField is a positive rate, or also 0 when zero is meaningful.
func rateField[T any](name string, zero string, set func(*T, Rate)) field[T] {
	want := wantRate
	if zero != "" {
		want = "0 (" + zero + ") or " + wantRate
	}
	return field[T]{name: name, want: want, parse: func(dst *T, s string) error {
		if zero != "" && (s == "0" || s == "0bps") {
			set(dst, 0)
			return nil
		}
		v, err := ParseRate(s)
		if err != nil {
			if zero != "" {
				return invalid(s, name, want)
			}
			return err
		}
		set(dst, v)
		return nil
	}}
}

func percentField[T any](name string, set func(*T, Percent)) field[T] {
	return field[T]{name: name, want: wantPercent, parse: func(dst *T, s string) error {
		v, err := ParsePercent(s)
		if err != nil {
			return err
		}
		set(dst, v)
		return nil
	}}
}

// enumField is one of a fixed list of words.
func enumField[T any](name string, options []string, set func(*T, string)) field[T] {
	want := strings.Join(options[:len(options)-1], ", ") + " or " + options[len(options)-1]
	return field[T]{name: name, want: want, parse: func(dst *T, s string) error {
		for _, o := range options {
			if s == o {
				set(dst, s)
				return nil
			}
		}
		return invalid(s, name, want)
	}}
}

func boolField[T any](name string, set func(*T, bool)) field[T] {
	const want = "true or false"
	return field[T]{name: name, want: want, parse: func(dst *T, s string) error {
		switch s {
		case "true", "True", "TRUE":
			set(dst, true)
		case "false", "False", "FALSE":
			set(dst, false)
		default:
			return invalid(s, name, want)
		}
		return nil
	}}
}

func textField[T any](name string, nonEmpty bool, want string, set func(*T, string)) field[T] {
	return field[T]{name: name, want: want, parse: func(dst *T, s string) error {
		if nonEmpty && strings.TrimSpace(s) == "" {
			return invalid(s, name, want)
		}
		set(dst, s)
		return nil
	}}
}

func scenarioFields() []field[Scenario] {
	return []field[Scenario]{
		{name: "name", want: "a non-empty name, e.g. tcp-vs-udp", parse: func(s *Scenario, v string) error {
			if err := checkName(v, "name", "a non-empty name of printable characters, e.g. tcp-vs-udp"); err != nil {
				return err
			}
			s.Name = v
			return nil
		}},
		{name: "description", want: "free text", parse: func(s *Scenario, v string) error {
			if err := checkText(v, true); err != nil {
				return fmt.Errorf("%w: want free text (lines of printable characters)", err)
			}
			s.Description = v
			return nil
		}},
		wholeField("seed", 0, math.MaxUint64, "", "42", func(s *Scenario, v uint64) { s.Seed = v }),
		durationField("until", true, "60s", func(s *Scenario, v Duration) { s.Until = v }),
		wholeField("max_events", 1, math.MaxInt64, "", "50000000", func(s *Scenario, v uint64) { s.MaxEvents = int64(v) }),
		{name: "report", want: "a list of tables to print: [flows, link], [flows] or [link]",
			node: func(d *decoder, s *Scenario, n ast.Node, path string) error { return d.report(s, n, path) }},
		{name: "link", want: "a mapping of link settings (rate, delay, ...)", group: true,
			node: func(d *decoder, s *Scenario, n ast.Node, path string) error { return d.link(&s.Link, n, path) }},
		{name: "nodes", want: "a mapping {hosts: [...], routers: [...]} naming the nodes of a topology", group: true,
			node: func(d *decoder, s *Scenario, n ast.Node, path string) error { return d.nodes(s, n, path) }},
		{name: "links", want: "a list of links, each a mapping {between: [x, y], rate: ..., delay: ...}", group: true,
			node: func(d *decoder, s *Scenario, n ast.Node, path string) error { return d.links(s, n, path) }},
		{name: "flows", want: "a list of flows, each a mapping (- name: ..., protocol: ...)", group: true,
			node: func(d *decoder, s *Scenario, n ast.Node, path string) error { return d.flows(s, n, path) }},
		{name: "faults", want: wantFaults, group: true,
			node: func(d *decoder, s *Scenario, n ast.Node, path string) error { return d.faults(s, n, path) }},
		{name: "sysctl", want: wantSysctl, group: true,
			node: func(d *decoder, s *Scenario, n ast.Node, path string) error { return d.sysctl(s, n, path) }},
	}
}

func directionFields() []field[Direction] {
	return []field[Direction]{
		rateField("rate", "", func(d *Direction, v Rate) { d.Rate = &v }),
		durationField("delay", false, "", func(d *Direction, v Duration) { d.Delay = &v }),
		wholeField("queue", 0, 1_000_000_000, " packets (0 = unbounded)", "100", func(d *Direction, v uint64) { q := int(v); d.Queue = &q }),
		sizeField("queue_bytes", 0, 1<<30, "64KiB (0 = unbounded)", func(d *Direction, v Size) { d.QueueBytes = &v }),
		{name: "loss", want: wantPercent + ", or " + wantLossMapping,
			node: func(dec *decoder, d *Direction, n ast.Node, path string) error {
				var l Loss
				if err := dec.loss(&l, n, path); err != nil {
					return err
				}
				d.Loss = &l
				return nil
			}},
		percentField("corrupt", func(d *Direction, v Percent) { d.Corrupt = &v }),
		percentField("duplicate", func(d *Direction, v Percent) { d.Duplicate = &v }),
		percentField("reorder", func(d *Direction, v Percent) { d.Reorder = &v }),
		durationField("reorder_delay", true, "5ms", func(d *Direction, v Duration) { d.ReorderDelay = &v }),
		enumField("aqm", link.DisciplineNames(), func(d *Direction, v string) { d.AQM = &v }),
		{name: "red", want: wantRED, group: true,
			node: func(dec *decoder, d *Direction, n ast.Node, path string) error {
				r := new(RED)
				if err := decodeGroup(dec, "red", redFields(), r, n, path, wantRED); err != nil {
					return err
				}
				d.RED = r
				return nil
			}},
		{name: "codel", want: wantCoDel, group: true,
			node: func(dec *decoder, d *Direction, n ast.Node, path string) error {
				c := new(CoDel)
				if err := decodeGroup(dec, "codel", codelFields(), c, n, path, wantCoDel); err != nil {
					return err
				}
				d.CoDel = c
				return nil
			}},
		boolField("ecn", func(d *Direction, v bool) { d.ECN = &v }),
	}
}

const (
	wantRED   = "a mapping of RED parameters, e.g. {min: 5, max: 15, max_p: 10%, weight: 0.002}"
	wantCoDel = "a mapping of CoDel parameters, e.g. {target: 5ms, interval: 100ms}"
)

// numberField is a decimal number in (lo, hi].
func numberField[T any](name string, lo, hi float64, eg string, set func(*T, float64)) field[T] {
	want := fmt.Sprintf("a number above %g and at most %g, e.g. %s", lo, hi, eg)
	return field[T]{name: name, want: want, parse: func(dst *T, s string) error {
		v, ok := decimal(s)
		if !ok || !(v > lo && v <= hi) {
			return invalid(s, name, want)
		}
		set(dst, v)
		return nil
	}}
}

// redFields are the fields of a red: mapping.
func redFields() []field[RED] {
	return []field[RED]{
		wholeField("min", 0, 1_000_000, " packets", "5", func(r *RED, v uint64) { r.Min = int(v) }),
		wholeField("max", 1, 1_000_000, " packets", "15", func(r *RED, v uint64) { r.Max = int(v) }),
		{name: "max_p", want: wantPercent + " above 0%", parse: func(r *RED, s string) error {
			v, err := ParsePercent(s)
			if err != nil {
				return err
			}
			if v == 0 {
				return invalid(s, "max_p", wantPercent+" above 0%")
			}
			r.MaxP = v
			return nil
		}},
		numberField("weight", 0, 1, "0.002", func(r *RED, v float64) { r.Weight = v }),
		boolField("gentle", func(r *RED, v bool) { r.Gentle = v }),
	}
}

// codelFields are the fields of a codel: mapping.
func codelFields() []field[CoDel] {
	return []field[CoDel]{
		durationField("target", true, "5ms", func(c *CoDel, v Duration) { c.Target = v }),
		durationField("interval", true, "100ms", func(c *CoDel, v Duration) { c.Interval = v }),
	}
}

func linkFields() []field[Link] {
	fs := lift(directionFields(), func(l *Link) *Direction { return &l.Direction })
	dir := func(name string, get func(*Link) **Direction) field[Link] {
		return field[Link]{name: name, want: "a mapping of link settings for one direction, e.g. {loss: 1%}", group: true,
			node: func(d *decoder, l *Link, n ast.Node, path string) error {
				dst := new(Direction)
				if err := d.direction(dst, n, path); err != nil {
					return err
				}
				*get(l) = dst
				return nil
			}}
	}
	return append(fs,
		dir("forward", func(l *Link) **Direction { return &l.Forward }),
		dir("reverse", func(l *Link) **Direction { return &l.Reverse }))
}

// lossFields returns the fields of a loss mapping of the given model, or
// nil for an unknown model.
func lossFields(model string) []field[Loss] {
	mf := enumField("model", []string{"gilbert-elliott", "bernoulli", "periodic"}, func(l *Loss, v string) { l.Model = v })
	if model == "periodic" {
		return []field[Loss]{mf,
			wholeField("every", 1, 1_000_000_000, " packets", "100", func(l *Loss, v uint64) { l.Every = int(v) })}
	}
	fs := []field[Loss]{mf,
		percentField("p", func(l *Loss, v Percent) { l.P = v }),
	}
	switch model {
	case "bernoulli":
		return fs
	case "gilbert-elliott":
		return append(fs,
			percentField("r", func(l *Loss, v Percent) { l.R = v }),
			percentField("loss_good", func(l *Loss, v Percent) { l.LossGood = v }),
			percentField("loss_bad", func(l *Loss, v Percent) { l.LossBad = v }))
	}
	return nil
}

func flowFields() []field[Flow] {
	return []field[Flow]{
		{name: "name", want: "a non-empty name, e.g. file", parse: func(f *Flow, v string) error {
			if err := checkFlowName(v); err != nil {
				return err
			}
			f.Name = v
			return nil
		}},
		enumField("protocol", protocols, func(f *Flow, v string) { f.Protocol = v }),
		textField("from", true, "the sending host: a or b, or a host of nodes:", func(f *Flow, v string) { f.From = v }),
		textField("to", true, "the receiving host: a or b, or a host of nodes:", func(f *Flow, v string) { f.To = v }),
		durationField("start", false, "", func(f *Flow, v Duration) { f.Start = v }),
	}
}

// Limits of flow fields.
const (
	maxDatagrams = 1_000_000_000 // the UDP receiver keeps a bit per datagram
	maxExchanges = 1_000_000_000
	maxRecvBuf   = 1 << 30 // RFC 7323 §2.3: window scale 14 allows 1 GiB
)

func tcpFields() []field[TCPFlow] {
	return []field[TCPFlow]{
		enumField("app", []string{"bulk", "request-response"}, func(f *TCPFlow, v string) { f.App = v }),
		sizeField("bytes", 1, maxSize, "1MB", func(f *TCPFlow, v Size) { f.Bytes = v }),
		sizeField("request", 1, maxSize, "100B", func(f *TCPFlow, v Size) { f.Request = v }),
		sizeField("response", 1, maxSize, "6B", func(f *TCPFlow, v Size) { f.Response = v }),
		wholeField("exchanges", 1, maxExchanges, "", "3", func(f *TCPFlow, v uint64) { f.Exchanges = int(v) }),
		wholeField("mss", 64, 65495, " bytes", "1460", func(f *TCPFlow, v uint64) { f.MSS = int(v) }),
		enumField("congestion", tcp.CongestionNames(), func(f *TCPFlow, v string) { f.Congestion = v }),
		sizeField("recv_buffer", 64, maxRecvBuf, "64KiB", func(f *TCPFlow, v Size) { f.RecvBuffer = v }),
		rateField("read_rate", "read at once", func(f *TCPFlow, v Rate) { f.ReadRate = v }),
		wholeField("initial_window", 1, 1000, " segments", "10", func(f *TCPFlow, v uint64) { f.InitialWindow = int(v) }),
		durationField("initial_rto", true, "1s", func(f *TCPFlow, v Duration) { f.InitialRTO = v }),
		durationField("min_rto", true, "200ms", func(f *TCPFlow, v Duration) { f.MinRTO = v }),
		durationField("max_rto", true, "60s", func(f *TCPFlow, v Duration) { f.MaxRTO = v }),
		{name: "delayed_ack", want: "true, false or a positive duration such as 40ms", parse: parseDelAck},
		durationField("time_wait", true, "60s", func(f *TCPFlow, v Duration) { f.TimeWait = v }),
		wholeField("max_retries", 1, 100, "", "15", func(f *TCPFlow, v uint64) { f.MaxRetries = int(v) }),
		wholeField("syn_retries", 1, 100, "", "6", func(f *TCPFlow, v uint64) { f.SynRetries = int(v) }),
		wholeField("isn", 0, math.MaxUint32, "", "4294967000", func(f *TCPFlow, v uint64) { isn := uint32(v); f.ISN = &isn }),
		wholeField("initial_ssthresh", 2, 1_000_000, " segments", "8", func(f *TCPFlow, v uint64) { f.InitialSsthresh = int(v) }),
		boolField("sack", func(f *TCPFlow, v bool) { f.SACK = v }),
		boolField("timestamps", func(f *TCPFlow, v bool) { f.Timestamps = v }),
		enumField("profile", Profiles(), func(f *TCPFlow, v string) { f.Profile = v }),
		wholeField("quick_acks", 0, 1000, " segments", "16", func(f *TCPFlow, v uint64) { f.QuickAcks = int(v) }),
		boolField("ecn", func(f *TCPFlow, v bool) { f.ECN = v }),
		boolField("prr", func(f *TCPFlow, v bool) { f.PRR = v }),
		boolField("pacing", func(f *TCPFlow, v bool) { f.Pacing = v }),
		boolField("rack", func(f *TCPFlow, v bool) { f.RACK = v }),
		boolField("dsack", func(f *TCPFlow, v bool) { f.DSACK = v }),
		boolField("frto", func(f *TCPFlow, v bool) { f.FRTO = v }),
		enumField("rto_estimator", []string{"rfc6298", "linux"}, func(f *TCPFlow, v string) { f.RTOEstimator = v }),
		boolField("byte_counting", func(f *TCPFlow, v bool) { f.ByteCounting = v }),
		boolField("textbook_window", func(f *TCPFlow, v bool) { f.TextbookWindow = v }),
		boolField("newreno_recovery", func(f *TCPFlow, v bool) { f.NewRenoRecovery = v }),
		boolField("delack_ato", func(f *TCPFlow, v bool) { f.DelAckATO = v }),
		enumField("hystart", tcp.HyStartNames(), func(f *TCPFlow, v string) { f.HyStart = v }),
		sizeField("recv_buffer_max", 0, maxRecvBuf, "32MiB", func(f *TCPFlow, v Size) { f.RecvBufferMax = v }),
		wholeField("port", 1, 65535, "", "80", func(f *TCPFlow, v uint64) { f.Port = int(v) }),
		boolField("listen", func(f *TCPFlow, v bool) { f.Listen = v }),
		wholeField("backlog", 1, 65535, " half-open connections", "128", func(f *TCPFlow, v uint64) { f.Backlog = int(v) }),
		boolField("syn_cookies", func(f *TCPFlow, v bool) { f.SynCookies = v }),
		wholeField("synack_retries", 1, 100, "", "5", func(f *TCPFlow, v uint64) { f.SynAckRetries = int(v) }),
	}
}

// maxFloodSYNs bounds a flood's count: its SYN k leaves at start +
// k·1s/rate, computed in 64 bits.
const maxFloodSYNs = 1_000_000_000

func floodFields() []field[FloodFlow] {
	const wantRate = "SYNs a second written N/s, from 1/s to 1000000/s, e.g. 200/s"
	return []field[FloodFlow]{
		{name: "rate", want: wantRate, parse: func(f *FloodFlow, s string) error {
			n, ok := strings.CutSuffix(s, "/s")
			v, isWhole := whole(n)
			if !ok || !isWhole || v < 1 || v > 1_000_000 {
				return invalid(s, "rate", wantRate)
			}
			f.Rate = int64(v)
			return nil
		}},
		wholeField("count", 1, maxFloodSYNs, " SYNs", "2000", func(f *FloodFlow, v uint64) { f.Count = int64(v) }),
		wholeField("port", 1, 65535, "", "80", func(f *FloodFlow, v uint64) { f.Port = int(v) }),
	}
}

func parseDelAck(f *TCPFlow, s string) error {
	switch s {
	case "true", "True", "TRUE":
		f.DelayedAck = DelAck{On: true, Timeout: Duration(200e6)}
		return nil
	case "false", "False", "FALSE":
		f.DelayedAck = DelAck{}
		return nil
	}
	v, err := ParseDuration(s)
	if err != nil || v == 0 {
		return invalid(s, "delayed_ack", "true, false or a positive duration such as 40ms")
	}
	f.DelayedAck = DelAck{On: true, Timeout: v}
	return nil
}

func udpFields() []field[UDPFlow] {
	return []field[UDPFlow]{
		sizeField("bytes", 1, maxSize, "10MB", func(f *UDPFlow, v Size) { f.Bytes = v }),
		wholeField("count", 1, maxDatagrams, " datagrams", "1000", func(f *UDPFlow, v uint64) { f.Count = int64(v) }),
		sizeField("datagram", 8, 65507, "1200", func(f *UDPFlow, v Size) { f.Datagram = v }),
		rateField("rate", "", func(f *UDPFlow, v Rate) { f.Rate = v }),
		boolField("checksum", func(f *UDPFlow, v bool) { f.Checksum = v }),
		enumField("arrivals", []string{ArrivalsConstant, ArrivalsPoisson}, func(f *UDPFlow, v string) { f.Arrivals = v }),
	}
}
