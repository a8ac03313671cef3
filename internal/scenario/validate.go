package scenario

import (
	"cmp"
	"fmt"
	"strings"
	"sync"

	proto "tcpsim/internal/protocol"
	"tcpsim/model/link"
	"tcpsim/sim"
)

// validate checks what no single field's decoder can: required fields,
// fields that depend on each other, and fields that apply only to one
// kind of application. Every default is already in place.
func (s *Scenario) validate() error {
	if !s.has("name") {
		return s.errMissing("", "name", "every scenario needs a name, e.g. name: tcp-vs-udp")
	}
	for _, d := range []struct {
		path string
		d    *Direction
	}{{"link", &s.Link.Direction}, {"link.forward", s.Link.Forward}, {"link.reverse", s.Link.Reverse}} {
		if err := s.validateDirection(d.path, d.d, d.path == "link" || s.Link.ReorderDelay == nil); err != nil {
			return err
		}
	}
	if err := s.validateQueue("link", &s.Link); err != nil {
		return err
	}
	for i := range s.Links {
		if err := s.validateQueue(fmt.Sprintf("links[%d]", i), &s.Links[i].Link); err != nil {
			return err
		}
	}
	if len(s.Flows) == 0 {
		if s.has("flows") {
			return s.errAt("flows", "an empty list: want at least one flow (- name: ..., protocol: ...)")
		}
		return s.errMissing("", "flows", "want at least one flow (- name: ..., protocol: ...)")
	}
	if err := s.validateSysctl(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i := range s.Flows {
		if err := s.validateFlow(i, seen); err != nil {
			return err
		}
	}
	if err := s.validateTopology(); err != nil {
		return err
	}
	if err := s.validateListeners(); err != nil {
		return err
	}
	if err := s.validateRepeats(); err != nil {
		return err
	}
	if err := s.validateRDT2Channel(); err != nil {
		return err
	}
	return s.validateFaults()
}

// validateQueue refuses queue-management settings that the link at path
// would not use. Settings written for the whole link need some direction
// to use them: red: with aqm: red, codel: with aqm: codel, ecn: true with
// RED or CoDel. Settings written for one direction (forward:, reverse:)
// need that direction to use them. And RED needs room to act: its min
// threshold must be below a direction's packet limit.
func (s *Scenario) validateQueue(path string, l *Link) error {
	dirs := []struct {
		path string
		d    *Direction
		aqm  link.Discipline // the direction's, resolved
		r    Direction
	}{{path + ".forward", l.Forward, 0, l.Resolved("forward")}, {path + ".reverse", l.Reverse, 0, l.Resolved("reverse")}}
	for i := range dirs {
		dirs[i].aqm = discipline(dirs[i].r)
	}
	used := map[link.Discipline]bool{dirs[0].aqm: true, dirs[1].aqm: true}
	check := func(p string, d *Direction, uses func(link.Discipline) bool, scope string) error {
		switch {
		case d == nil:
		case d.RED != nil && !uses(link.RED):
			return s.errAt(p+".red", "red parameters, but %s aqm: red: set aqm: red, or remove them", scope)
		case d.CoDel != nil && !uses(link.CoDel):
			return s.errAt(p+".codel", "codel parameters, but %s aqm: codel: set aqm: codel, or remove them", scope)
		case d.ECN != nil && *d.ECN && !uses(link.RED) && !uses(link.CoDel):
			return s.errAt(p+".ecn", "ECN marking needs a queue discipline that signals early, but %s aqm: red or aqm: codel: set one (a drop-tail queue only drops when full)", scope)
		}
		return nil
	}
	if err := check(path, &l.Direction, func(a link.Discipline) bool { return used[a] }, "no direction of the link uses"); err != nil {
		return err
	}
	for _, d := range dirs {
		if err := check(d.path, d.d, func(a link.Discipline) bool { return d.aqm == a }, "this direction does not use"); err != nil {
			return err
		}
		if queue, minTh := *d.r.Queue, d.r.RED.Min; d.aqm == link.RED && queue > 0 && minTh >= queue {
			at := path + ".aqm"
			for _, f := range []string{d.path + ".red.min", d.path + ".queue", path + ".red.min", path + ".queue", d.path + ".aqm"} {
				if s.has(f) {
					at = f
					break
				}
			}
			return s.errAt(at, "red min %v is not below the queue limit of %d packets: RED would never act before the queue is full; want min below queue, e.g. {min: %d, max: %d}",
				minTh, queue, max(1, queue/4), max(2, queue*3/4))
		}
	}
	return nil
}

// validateDirection checks one direction's settings at path; noDelay says
// that no reorder_delay applies to it from an enclosing link.
func (s *Scenario) validateDirection(path string, d *Direction, noDelay bool) error {
	if d == nil {
		return nil
	}
	if d.Loss != nil && d.Loss.Model == "gilbert-elliott" && d.Loss.P+d.Loss.R == 0 {
		return s.errAt(path+".loss", "gilbert-elliott needs p or r above 0%%")
	}
	if d.Loss != nil && d.Loss.Model == "periodic" && d.Loss.Every < 1 {
		return s.errAt(path+".loss.every", "missing: periodic loss needs every: N (one packet in N is lost), e.g. every: 100")
	}
	if d.Reorder != nil && *d.Reorder > 0 && d.ReorderDelay == nil && noDelay {
		return s.errAt(path+".reorder", "reordering needs reorder_delay (the largest extra delay), e.g. reorder_delay: 5ms")
	}
	if r := d.RED; r != nil && r.Min >= r.Max {
		field := path + ".red.max"
		if !s.has(field) {
			field = path + ".red.min"
		}
		return s.errAt(field, "red min %d is not below max %d: want min < max (packets), e.g. {min: 5, max: 15}", r.Min, r.Max)
	}
	return nil
}

// QueueManaged reports whether the scenario writes aqm: or ecn: for some
// link (or an override sets it): its text report then shows the queue's
// rows (queue delay, AQM drops, ECN marks).
func (s *Scenario) QueueManaged() bool {
	for path := range s.pos {
		if strings.HasPrefix(path, "link") && (strings.HasSuffix(path, ".aqm") || strings.HasSuffix(path, ".ecn")) {
			return true
		}
	}
	return false
}

// errMissing reports a required field absent from the mapping at parent,
// located at the mapping.
func (s *Scenario) errMissing(parent, field, format string, args ...any) error {
	p := s.pos[parent]
	return &Error{File: s.File, Line: p.Line, Col: p.Col, Field: join(parent, field), Msg: "missing: " + fmt.Sprintf(format, args...)}
}

func (s *Scenario) validateFlow(i int, seen map[string]bool) error {
	f := &s.Flows[i]
	p := fmt.Sprintf("flows[%d]", i)
	at := func(field string) string { return p + "." + field }
	if !s.has(at("name")) {
		return s.errMissing(p, "name", "every flow needs a unique name, e.g. name: file")
	}
	if seen[f.Name] {
		return s.errAt(at("name"), "%q is used by two flows: names must be unique", f.Name)
	}
	seen[f.Name] = true
	pr, _ := proto.Parse(f.Protocol)
	switch pr.Family() {
	case proto.RDT:
		return s.validateRDT(f, p)
	case proto.Flood:
		return s.validateFlood(f, p)
	case proto.UDP:
		u := f.UDP
		if !s.has(at("rate")) {
			return s.errMissing(p, "rate", "a UDP sender needs a send rate, e.g. rate: 4Mbps")
		}
		switch {
		case s.has(at("bytes")) && s.has(at("count")):
			return s.errAt(at("count"), "give exactly one of bytes (total payload) or count (datagrams), not both")
		case s.has(at("bytes")):
			u.Count = (int64(u.Bytes) + int64(u.Datagram) - 1) / int64(u.Datagram)
		case s.has(at("count")):
			u.Bytes = 0
		default:
			return s.errMissing(p, "bytes", "give bytes (total payload, e.g. bytes: 10MB) or count (datagrams, e.g. count: 1000)")
		}
		if u.Count > maxDatagrams {
			return s.errAt(at("bytes"), "%d bytes in datagrams of %d make %d datagrams: at most %d per flow", u.Bytes, u.Datagram, u.Count, int64(maxDatagrams))
		}
	case proto.TCP:
		t := f.TCP
		if int(t.RecvBuffer) < t.MSS {
			field := "recv_buffer"
			if !s.has(at(field)) {
				field = "mss"
			}
			return s.errAt(at(field), "recv_buffer %d bytes is below one MSS (%d): want at least one MSS", t.RecvBuffer, t.MSS)
		}
		if t.MinRTO > t.MaxRTO {
			field := "min_rto"
			if !s.has(at(field)) {
				field = "max_rto"
			}
			return s.errAt(at(field), "min_rto %v is above max_rto %v", sim.Time(t.MinRTO), sim.Time(t.MaxRTO))
		}
		switch t.App {
		case "bulk":
			for _, k := range []string{"request", "response", "exchanges"} {
				if s.has(at(k)) {
					return s.errAt(at(k), "field %s does not apply to a bulk flow: set app: request-response, or remove it", k)
				}
			}
			if !s.has(at("bytes")) {
				return s.errMissing(p, "bytes", "a bulk TCP flow needs bytes, e.g. bytes: 1MB")
			}
		case "request-response":
			if s.has(at("bytes")) {
				return s.errAt(at("bytes"), "field bytes does not apply to a request-response flow (it sends request and response sizes): remove it, or use app: bulk")
			}
			for _, k := range []string{"request", "response"} {
				if !s.has(at(k)) {
					return s.errMissing(p, k, "request-response needs request and response sizes, e.g. request: 100B, response: 6B")
				}
			}
			for _, k := range []struct {
				name string
				v    Size
			}{{"request", t.Request}, {"response", t.Response}} {
				if int64(k.v) > maxSize/int64(t.Exchanges) {
					return s.errAt(at(k.name), "%d exchanges of %d bytes is more than %d bytes in all", t.Exchanges, k.v, int64(maxSize))
				}
			}
		}
	}
	return nil
}

// LinkDirection returns one direction ("forward" a→b or "reverse" b→a)
// of the shorthand link, resolved (Link.Resolved).
func (s *Scenario) LinkDirection(dir string) Direction { return s.Link.Resolved(dir) }

// linkDefaults is a link direction as the table of defaults fills it,
// with its red: and codel: mappings. It is decoded once per process: the
// table is constant, and a sweep builds thousands of links from it. Its
// pointers are only read.
var linkDefaults = sync.OnceValue(func() Direction {
	def := Direction{RED: new(RED), CoDel: new(CoDel)}
	dec := newDecoder("defaults", nil)
	for _, err := range []error{
		applyDefaults(dec, "link", directionFields(), &def),
		applyDefaults(dec, "red", redFields(), def.RED),
		applyDefaults(dec, "codel", codelFields(), def.CoDel),
	} {
		if err != nil {
			panic(err) // a broken defaults table: TestDefaultsDecode catches it
		}
	}
	return def
})

// Resolved returns the settings of one direction of l ("forward" or
// "reverse"): the table of defaults, l's settings, then that direction's
// overrides, field by field (a loss:, red: or codel: mapping as a
// whole). Every field is set, since the table of defaults sets them all.
// internal/run translates it into the link model's configuration
// (run.LinkConfig); its pointers are shared and only read.
func (l *Link) Resolved(dir string) Direction {
	r := linkDefaults()
	apply := func(d *Direction) {
		if d == nil {
			return
		}
		r.Rate = cmp.Or(d.Rate, r.Rate)
		r.Delay = cmp.Or(d.Delay, r.Delay)
		r.Queue = cmp.Or(d.Queue, r.Queue)
		r.QueueBytes = cmp.Or(d.QueueBytes, r.QueueBytes)
		r.Loss = cmp.Or(d.Loss, r.Loss)
		r.Corrupt = cmp.Or(d.Corrupt, r.Corrupt)
		r.Duplicate = cmp.Or(d.Duplicate, r.Duplicate)
		r.Reorder = cmp.Or(d.Reorder, r.Reorder)
		r.ReorderDelay = cmp.Or(d.ReorderDelay, r.ReorderDelay)
		r.AQM = cmp.Or(d.AQM, r.AQM)
		r.RED = cmp.Or(d.RED, r.RED)
		r.CoDel = cmp.Or(d.CoDel, r.CoDel)
		r.ECN = cmp.Or(d.ECN, r.ECN)
	}
	apply(&l.Direction)
	if dir == "forward" {
		apply(l.Forward)
	} else {
		apply(l.Reverse)
	}
	return r
}

// discipline is a resolved direction's queue discipline.
func discipline(r Direction) link.Discipline {
	a, err := link.ParseDiscipline(*r.AQM)
	if err != nil {
		panic(err) // the field's decoder only accepts known names
	}
	return a
}

// lossy reports whether a resolved direction's loss model loses
// packets at all, as its long-run mean above zero says (link.Loss.Mean):
// a Bernoulli probability above zero; periodic loss; Gilbert–Elliott
// with a losing state that is visited (Good, where the chain starts,
// when it returns there (R > 0) or never moves (P = R = 0); Bad when it
// is entered (P > 0)).
func lossy(r Direction) bool {
	l := r.Loss
	switch l.Model {
	case "periodic":
		return l.Every > 0
	case "gilbert-elliott":
		if l.P+l.R == 0 {
			return l.LossGood > 0
		}
		return l.R > 0 && l.LossGood > 0 || l.P > 0 && l.LossBad > 0
	}
	return l.P > 0
}
