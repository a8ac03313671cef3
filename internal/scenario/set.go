package scenario

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// Override sets one field, addressed by a dotted path such as
// "link.loss", "link.reverse.delay", "link.loss.r",
// "flows.file.congestion" (flows are addressed by name) or, in a
// topology, "links[2].rate" (links by their place in links:), to a value
// written as in a scenario file. It goes through the same decoder and
// range check as the file's own value.
type Override struct {
	Path, Value string
}

// ParseOverride splits "path=value".
func ParseOverride(s string) (Override, error) {
	p, v, ok := strings.Cut(s, "=")
	p, v = strings.TrimSpace(p), strings.TrimSpace(v)
	if !ok || p == "" || v == "" {
		return Override{}, fmt.Errorf("%q: want path=value, e.g. link.loss=2%%", s)
	}
	return Override{Path: p, Value: v}, nil
}

// String formats o as "path=value".
func (o Override) String() string { return o.Path + "=" + o.Value }

// apply sets the field at o.Path in s.
func (s *Scenario) apply(o Override) error {
	fail := func(format string, args ...any) error {
		return &Error{File: s.File, Field: o.Path, Msg: fmt.Sprintf(format, args...)}
	}
	if strings.TrimSpace(o.Value) == "" {
		return fail("empty value: want a value written as in the scenario file, e.g. %s=2%%", o.Path)
	}
	d := &decoder{file: s.File, anchors: map[string]ast.Node{}, pos: s.pos}
	segs := strings.Split(o.Path, ".")
	set := func(path string, err error) error {
		if err != nil {
			return relocate(err, o)
		}
		s.pos[path] = Pos{Override: o.String()}
		return nil
	}
	switch segs[0] {
	case "seed":
		return fail("the seed is not a parameter: use --seeds to run several seeds")
	case "link":
		if s.Nodes != nil {
			return fail("%s is a topology (nodes: and links:): address its links as links[N], from 0 in file order, e.g. links[0].rate", s.File)
		}
		return s.applyLink(d, o, &s.Link, "link", segs[1:], set, fail)
	case "nodes", "links":
		if segs[0] == "links" {
			return fail("want links[N].FIELD, a link of the topology by its place in links: from 0, e.g. links[0].rate")
		}
		return fail("overrides cannot address nodes: write one file per topology variant")
	}
	if strings.HasPrefix(segs[0], "links[") {
		i, err := s.linkIndex(segs[0])
		if err != nil {
			return fail("%s", err)
		}
		if len(segs) > 1 && segs[1] == "between" {
			return fail("a link's ends cannot be overridden: write another file for another network")
		}
		return s.applyLink(d, o, &s.Links[i].Link, segs[0], segs[1:], set, fail)
	}
	switch segs[0] {
	case "flows":
		// A flow name may hold dots: the flow is the one whose name,
		// followed by a dot, starts the rest of the path, the longest
		// such name if several do.
		rest := strings.TrimPrefix(o.Path, "flows.")
		i := -1
		for j := range s.Flows {
			name := s.Flows[j].Name
			if strings.HasPrefix(rest, name+".") && (i < 0 || len(name) > len(s.Flows[i].Name)) {
				i = j
			}
		}
		if i >= 0 {
			name := s.Flows[i].Name
			segs = append([]string{"flows", name}, strings.Split(rest[len(name)+1:], ".")...)
		}
		if len(segs) < 3 || i >= 0 && segs[2] == "" {
			return fail("want flows.NAME.FIELD, e.g. flows.%s.congestion", s.firstFlowName())
		}
		if i < 0 {
			return fail("no flow named %q (flows: %s)", segs[1], s.flowNames())
		}
		f := &s.Flows[i]
		if len(segs) == 4 && segs[2] == "repeat" {
			if f.Repeat == nil {
				return fail("flow %s has no repeat: mapping to vary: write repeat: {count: N, every: 1ms} in the file", segs[1])
			}
			fs := repeatFields()
			rf, ok := lookup(fs, segs[3])
			if !ok {
				return fail("no field %q in repeat: want one of %s", segs[3], names(fs))
			}
			return set(fmt.Sprintf("flows[%d].repeat.%s", i, segs[3]), decodeText(d, rf, f.Repeat, o.Value, o.Path))
		}
		if len(segs) > 3 {
			return fail("%s has no fields", strings.Join(segs[:3], "."))
		}
		switch segs[2] {
		case "name", "protocol":
			return fail("a flow's %s cannot be overridden: write another flow in the file", segs[2])
		case "profile":
			// A profile sets other fields' defaults as the file is read;
			// changing its name afterwards would change nothing else.
			return fail("a flow's profile cannot be overridden: it sets the defaults of other fields as the file is read; write one file per profile, or vary those fields")
		}
		fs := flowFieldsFor(f.Protocol)
		fl, ok := lookup(fs, segs[2])
		if !ok {
			return fail("%s", notApplicable(f.Protocol)(segs[2]))
		}
		path := fmt.Sprintf("flows[%d].%s", i, segs[2])
		return set(path, decodeText(d, fl, f, o.Value, o.Path))
	}
	fs := scenarioFields()
	f, ok := lookup(fs, segs[0])
	if !ok {
		return fail("no field %q: want one of %s, or a path inside link or flows", segs[0], names(fs))
	}
	if len(segs) > 1 {
		return fail("%s has no fields", segs[0])
	}
	if f.group {
		return fail("is a group of fields, not a value: name one of them")
	}
	return set(segs[0], decodeText(d, f, s, o.Value, o.Path))
}

// linkIndex reads "links[N]": the index of a link of the topology.
func (s *Scenario) linkIndex(seg string) (int, error) {
	num, ok := strings.CutSuffix(strings.TrimPrefix(seg, "links["), "]")
	i, err := strconv.Atoi(num)
	if !ok || err != nil || i < 0 || num != strconv.Itoa(i) {
		return 0, fmt.Errorf("want links[N] with N a link's place in links: from 0, e.g. links[0].rate")
	}
	if s.Nodes == nil {
		return 0, fmt.Errorf("%s has no links: (the two-host form, link:): address its one link as link, e.g. link.rate", s.File)
	}
	if i >= len(s.Links) {
		return 0, fmt.Errorf("no link %d: %s has %d links, links[0] to links[%d]", i, s.File, len(s.Links), len(s.Links)-1)
	}
	return i, nil
}

// applyLink applies an override below a link (the shorthand's link: or a
// topology's links[N], named base): segs follow base.
func (s *Scenario) applyLink(d *decoder, o Override, lk *Link, base string, segs []string, set func(string, error) error, fail func(string, ...any) error) error {
	if len(segs) == 0 {
		return fail("is a group of fields, not a value: name one of them, e.g. %s.loss", base)
	}
	dir, path := &lk.Direction, base
	switch segs[0] {
	case "forward", "reverse":
		p := &lk.Forward
		if segs[0] == "reverse" {
			p = &lk.Reverse
		}
		if *p == nil {
			*p = new(Direction)
		}
		dir, path, segs = *p, base+"."+segs[0], segs[1:]
		if len(segs) == 0 {
			return fail("is a group of fields, not a value: name one of them, e.g. %s.loss", path)
		}
	}
	fs := directionFields()
	f, ok := lookup(fs, segs[0])
	if !ok {
		more := ""
		if path == base {
			more = ", forward, reverse"
		}
		return fail("no field %q in %s: want one of %s%s", segs[0], path, names(fs), more)
	}
	path += "." + segs[0]
	if len(segs) == 1 {
		return set(path, decodeText(d, f, dir, o.Value, o.Path))
	}
	if (segs[0] == "red" || segs[0] == "codel") && len(segs) == 2 {
		return s.applyQueueParam(d, o, dir, path, segs[0], segs[1], set, fail)
	}
	if segs[0] != "loss" || len(segs) > 2 {
		return fail("%s has no fields", strings.Join(append([]string{path}, segs[1:len(segs)-1]...), "."))
	}
	// A field of a loss model: the file must have written that model.
	l := dir.Loss
	if l == nil || !l.mapping {
		return fail("%s is a plain percentage (or absent) in the file, so it has no field %s: write the loss model in the file, e.g. loss: {model: gilbert-elliott, p: 1%%, r: 30%%, loss_good: 0%%, loss_bad: 50%%}", path, segs[1])
	}
	lfs := lossFields(l.Model)
	lf, ok := lookup(lfs, segs[1])
	if !ok {
		return fail("%s loss has no field %q (fields: %s)", l.Model, segs[1], names(lfs))
	}
	if segs[1] == "model" {
		return fail("the loss model cannot be overridden: write it in the file")
	}
	return set(path+"."+segs[1], decodeText(d, lf, l, o.Value, o.Path))
}

// applyQueueParam sets one field of a red: or codel: mapping (group) at
// path; a mapping the file left out starts from the table of defaults.
func (s *Scenario) applyQueueParam(d *decoder, o Override, dir *Direction, path, group, name string, set func(string, error) error, fail func(string, ...any) error) error {
	if group == "red" {
		if dir.RED == nil {
			dir.RED = new(RED)
			if err := applyDefaults(d, "red", redFields(), dir.RED); err != nil {
				return err
			}
		}
		f, ok := lookup(redFields(), name)
		if !ok {
			return fail("red has no field %q (fields: %s)", name, names(redFields()))
		}
		return set(path+"."+name, decodeText(d, f, dir.RED, o.Value, o.Path))
	}
	if dir.CoDel == nil {
		dir.CoDel = new(CoDel)
		if err := applyDefaults(d, "codel", codelFields(), dir.CoDel); err != nil {
			return err
		}
	}
	f, ok := lookup(codelFields(), name)
	if !ok {
		return fail("codel has no field %q (fields: %s)", name, names(codelFields()))
	}
	return set(path+"."+name, decodeText(d, f, dir.CoDel, o.Value, o.Path))
}

// relocate turns a decoding error of an override's value into an error
// about the override.
func relocate(err error, o Override) error {
	if e, ok := err.(*Error); ok {
		return &Error{File: e.File, Field: o.Path, Msg: e.Msg}
	}
	return err
}

// flowNames lists the flows by name, a repeated one as its members'
// range (web#1 to web#100).
func (s *Scenario) flowNames() string {
	out := make([]string, len(s.Flows))
	for i, f := range s.Flows {
		out[i] = f.Name
		if f.Repeat != nil {
			out[i] = fmt.Sprintf("%s (repeated: %s#1 to %s#%d)", f.Name, f.Name, f.Name, f.Repeat.Count)
		}
	}
	return strings.Join(out, ", ")
}

// NoSuchFlow says that the scenario has no flow named name, as the
// commands that take --flow report it: a repeated flow's members are
// named, not the flow itself, and the message lists what there is.
func (s *Scenario) NoSuchFlow(name string) string {
	if f := s.flow(name); f != nil && f.Repeat != nil {
		return fmt.Sprintf("flow %s is repeated: name one of its members, %s#1 to %s#%d", name, name, name, f.Repeat.Count)
	}
	return fmt.Sprintf("%s has no flow named %q (flows: %s)", s.File, name, s.flowNames())
}

func (s *Scenario) firstFlowName() string {
	if len(s.Flows) == 0 {
		return "NAME"
	}
	return s.Flows[0].Name
}
