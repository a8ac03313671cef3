package scenario

import (
	"fmt"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	proto "tcpsim/internal/protocol"
)

// The decoder walks the YAML syntax tree itself, field table by field
// table, rather than letting a reflection-based decoder fill Go structs:
// that way every field has its own decoder and range, an explicit value
// is never mistaken for an absent one, a field that does not apply to a
// flow's protocol is named as such, and no message mentions Go types.

// A field is one key of a scenario mapping and how to decode its value
// into a *T. Scalar fields have parse; fields holding a mapping or a list
// have node.
type field[T any] struct {
	name  string
	want  string // the expected form, quoted by "missing value" errors
	parse func(dst *T, text string) error
	node  func(d *decoder, dst *T, n ast.Node, path string) error
	// group marks a group of fields (link, flows, link.forward): an
	// override must address one of its fields instead.
	group bool
}

func names[T any](fs []field[T]) string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.name
	}
	return strings.Join(out, ", ")
}

func lookup[T any](fs []field[T], name string) (field[T], bool) {
	for _, f := range fs {
		if f.name == name {
			return f, true
		}
	}
	return field[T]{}, false
}

// lift turns the fields of a U into fields of a T that holds a U.
func lift[T, U any](fs []field[U], get func(*T) *U) []field[T] {
	out := make([]field[T], len(fs))
	for i, f := range fs {
		out[i] = field[T]{name: f.name, want: f.want, group: f.group}
		if p := f.parse; p != nil {
			out[i].parse = func(t *T, s string) error { return p(get(t), s) }
		}
		if nd := f.node; nd != nil {
			out[i].node = func(d *decoder, t *T, n ast.Node, path string) error { return nd(d, get(t), n, path) }
		}
	}
	return out
}

// decoder holds the state of decoding one document.
type decoder struct {
	file    string
	anchors map[string]ast.Node
	pos     map[string]Pos
}

func newDecoder(file string, body ast.Node) *decoder {
	d := &decoder{file: file, anchors: map[string]ast.Node{}, pos: map[string]Pos{}}
	if body != nil {
		ast.Walk(anchorVisitor(d.anchors), body)
	}
	return d
}

// anchorVisitor records every anchor (&name) of a document.
type anchorVisitor map[string]ast.Node

func (v anchorVisitor) Visit(n ast.Node) ast.Visitor {
	if a, ok := n.(*ast.AnchorNode); ok && a.Name != nil {
		v[a.Name.GetToken().Value] = a.Value
	}
	return v
}

func nodePos(n ast.Node) Pos {
	if n == nil {
		return Pos{}
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return Pos{Line: tk.Position.Line, Col: tk.Position.Column}
	}
	return Pos{}
}

// errAt returns an error about the field at path, located at node n.
func (d *decoder) errAt(n ast.Node, path, format string, args ...any) error {
	p := nodePos(n)
	return &Error{File: d.file, Line: p.Line, Col: p.Col, Field: path, Msg: fmt.Sprintf(format, args...)}
}

// resolve looks through tags, anchors and aliases to the node they name.
func (d *decoder) resolve(n ast.Node, path string) (ast.Node, error) {
	for range 64 {
		switch v := n.(type) {
		case *ast.TagNode:
			n = v.Value
		case *ast.AnchorNode:
			n = v.Value
		case *ast.AliasNode:
			name := ""
			if v.Value != nil {
				name = v.Value.GetToken().Value
			}
			target, ok := d.anchors[name]
			if !ok {
				return nil, d.errAt(n, path, "alias *%s names no anchor: want an anchor &%s earlier in the file", name, name)
			}
			n = target
		default:
			if n == nil {
				return &ast.NullNode{BaseNode: &ast.BaseNode{}}, nil
			}
			return n, nil
		}
	}
	return nil, d.errAt(n, path, "aliases refer to each other in a loop")
}

// scalar returns the text of a scalar value.
func (d *decoder) scalar(n ast.Node, path, want string) (string, error) {
	at := n
	n, err := d.resolve(n, path)
	if err != nil {
		return "", err
	}
	switch v := n.(type) {
	case *ast.NullNode:
		return "", d.errAt(at, path, "missing value: want %s", want)
	case *ast.StringNode:
		return v.Value, nil
	case *ast.LiteralNode:
		return v.Value.Value, nil
	case *ast.MappingNode, *ast.MappingValueNode:
		return "", d.errAt(at, path, "want %s, not a mapping", want)
	case *ast.SequenceNode:
		return "", d.errAt(at, path, "want %s, not a list", want)
	}
	if tk := n.GetToken(); tk != nil {
		return tk.Value, nil
	}
	return "", d.errAt(at, path, "want %s", want)
}

// entry is one key: value pair of a mapping.
type entry struct {
	key   string
	at    ast.Node // the key, for locating errors
	value ast.Node
}

// entries returns the key: value pairs of the mapping at n, with merge
// keys (<<: *anchor) expanded; keys written explicitly win over merged
// ones.
func (d *decoder) entries(n ast.Node, path, want string) ([]entry, error) {
	return d.entriesDepth(n, path, want, 0)
}

func (d *decoder) entriesDepth(n ast.Node, path, want string, depth int) ([]entry, error) {
	at := n
	n, err := d.resolve(n, path)
	if err != nil {
		return nil, err
	}
	var mvs []*ast.MappingValueNode
	switch v := n.(type) {
	case *ast.MappingNode:
		mvs = v.Values
	case *ast.MappingValueNode:
		mvs = []*ast.MappingValueNode{v}
	case *ast.NullNode:
		return nil, d.errAt(at, path, "missing value: want %s", want)
	case *ast.SequenceNode:
		return nil, d.errAt(at, path, "want %s, not a list", want)
	default:
		s, _ := d.scalar(n, path, want)
		return nil, d.errAt(at, path, "%q: want %s", s, want)
	}
	var out, merged []entry
	first := map[string]ast.Node{}
	for _, mv := range mvs {
		if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
			if depth > 8 {
				return nil, d.errAt(mv.Key, path, "merge keys (<<) nested too deep")
			}
			src, err := d.resolve(mv.Value, path)
			if err != nil {
				return nil, err
			}
			list := []ast.Node{src}
			if seq, ok := src.(*ast.SequenceNode); ok {
				list = seq.Values
			}
			for _, m := range list {
				es, err := d.entriesDepth(m, path, "a mapping to merge (<<: *anchor)", depth+1)
				if err != nil {
					return nil, err
				}
				merged = append(merged, es...)
			}
			continue
		}
		key, err := d.scalar(mv.Key, path, "a field name")
		if err != nil {
			return nil, err
		}
		if at, dup := first[key]; dup {
			return nil, d.errAt(mv.Key, join(path, key), "written twice (first at line %d): want each field once", nodePos(at).Line)
		}
		first[key] = mv.Key
		out = append(out, entry{key: key, at: mv.Key, value: mv.Value})
	}
	for _, e := range merged {
		if _, ok := first[e.key]; !ok {
			first[e.key] = e.at
			out = append(out, e)
		}
	}
	return out, nil
}

// decodeField decodes n into dst with f, recording where it was written.
func decodeField[T any](d *decoder, f field[T], dst *T, n ast.Node, path string) error {
	if f.node != nil {
		return f.node(d, dst, n, path)
	}
	text, err := d.scalar(n, path, f.want)
	if err != nil {
		return err
	}
	if err := f.parse(dst, text); err != nil {
		return d.errAt(n, path, "%v", err)
	}
	return nil
}

// decodeMapping decodes the entries es into dst with the fields fs.
// unknown explains a key that is not among fs.
func decodeMapping[T any](d *decoder, es []entry, fs []field[T], dst *T, path string, unknown func(key string) string) error {
	for _, e := range es {
		p := join(path, e.key)
		f, ok := lookup(fs, e.key)
		if !ok {
			return d.errAt(e.at, p, "%s", unknown(e.key))
		}
		d.pos[p] = nodePos(e.at)
		if v, err := d.resolve(e.value, p); err != nil {
			return err
		} else if _, null := v.(*ast.NullNode); null {
			return d.errAt(e.at, p, "missing value: want %s", f.want)
		}
		if err := decodeField(d, f, dst, e.value, p); err != nil {
			return err
		}
	}
	return nil
}

func unknownIn[T any](fs []field[T]) func(string) string {
	return func(key string) string { return fmt.Sprintf("unknown field %q: want one of %s", key, names(fs)) }
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// decodeText decodes a value written as text, as in a scenario file: the
// defaults table and overrides use it.
func decodeText[T any](d *decoder, f field[T], dst *T, text, path string) error {
	n, err := valueNode(d.file, path, text)
	if err != nil {
		return err
	}
	return decodeField(d, f, dst, n, path)
}

// valueNode parses text as the YAML value of a field.
func valueNode(file, path, text string) (ast.Node, error) {
	src := "v: " + text
	if err := checkLimits(file, []byte(src)); err != nil {
		return nil, err
	}
	af, err := parser.ParseBytes([]byte(src), 0)
	if err != nil || len(af.Docs) != 1 {
		return nil, &Error{File: file, Field: path, Msg: fmt.Sprintf("%q is not a YAML value", text)}
	}
	var mvs []*ast.MappingValueNode
	switch b := af.Docs[0].Body.(type) {
	case *ast.MappingNode:
		mvs = b.Values
	case *ast.MappingValueNode:
		mvs = []*ast.MappingValueNode{b}
	}
	if len(mvs) != 1 {
		return nil, &Error{File: file, Field: path, Msg: fmt.Sprintf("%q is not a single YAML value", text)}
	}
	return mvs[0].Value, nil
}

// scenario decodes the document body.
func (d *decoder) scenario(body ast.Node) (*Scenario, error) {
	s := &Scenario{File: d.file, pos: d.pos}
	fs := scenarioFields()
	d.pos[""] = nodePos(body)
	if err := applyDefaults(d, "scenario", fs, s); err != nil {
		return nil, err
	}
	es, err := d.entries(body, "", "a mapping (name:, link:, flows:, ...)")
	if err != nil {
		return nil, err
	}
	if err := decodeMapping(d, es, fs, s, "", unknownIn(fs)); err != nil {
		return nil, err
	}
	return s, nil
}

func (d *decoder) direction(dst *Direction, n ast.Node, path string) error {
	fs := directionFields()
	es, err := d.entries(n, path, "a mapping of link settings, e.g. {loss: 1%}")
	if err != nil {
		return err
	}
	return decodeMapping(d, es, fs, dst, path, unknownIn(fs))
}

func (d *decoder) link(l *Link, n ast.Node, path string) error {
	fs := linkFields()
	d.pos[path] = nodePos(n)
	es, err := d.entries(n, path, "a mapping of link settings (rate, delay, ...)")
	if err != nil {
		return err
	}
	return decodeMapping(d, es, fs, l, path, unknownIn(fs))
}

// decodeGroup decodes a nested mapping of fields fs (red:, codel:) into
// dst, after the defaults of scope.
func decodeGroup[T any](d *decoder, scope string, fs []field[T], dst *T, n ast.Node, path, want string) error {
	d.pos[path] = nodePos(n)
	if err := applyDefaults(d, scope, fs, dst); err != nil {
		return err
	}
	es, err := d.entries(n, path, want)
	if err != nil {
		return err
	}
	return decodeMapping(d, es, fs, dst, path, unknownIn(fs))
}

const wantLossMapping = "a mapping {model: gilbert-elliott, p: 1%, r: 30%, loss_good: 0%, loss_bad: 50%} or {model: periodic, every: 100}"

func (d *decoder) loss(l *Loss, n ast.Node, path string) error {
	v, err := d.resolve(n, path)
	if err != nil {
		return err
	}
	switch v.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
	default:
		text, err := d.scalar(n, path, wantPercent+", or "+wantLossMapping)
		if err != nil {
			return err
		}
		p, err := ParsePercent(text)
		if err != nil {
			return d.errAt(n, path, "%v, or %s", err, wantLossMapping)
		}
		*l = Loss{Model: "bernoulli", P: p}
		return nil
	}
	es, err := d.entries(n, path, wantLossMapping)
	if err != nil {
		return err
	}
	model := ""
	for _, e := range es {
		if e.key == "model" {
			if model, err = d.scalar(e.value, join(path, "model"), "gilbert-elliott, bernoulli or periodic"); err != nil {
				return err
			}
		}
	}
	fs := lossFields(model)
	if fs == nil {
		if model == "" {
			p := nodePos(n)
			return &Error{File: d.file, Line: p.Line, Col: p.Col, Field: join(path, "model"), Msg: "missing: a loss mapping needs model: gilbert-elliott (or bernoulli)"}
		}
		return d.errAt(n, join(path, "model"), "%q is not a valid loss model: want gilbert-elliott, bernoulli or periodic", model)
	}
	*l = Loss{mapping: true}
	if err := applyDefaults(d, model+" loss", fs, l); err != nil {
		return err
	}
	return decodeMapping(d, es, fs, l, path, func(key string) string {
		if model == "bernoulli" {
			if _, ok := lookup(lossFields("gilbert-elliott"), key); ok {
				return fmt.Sprintf("field %s does not apply to bernoulli loss (bernoulli fields: %s)", key, names(fs))
			}
		}
		return fmt.Sprintf("unknown field %q: want one of %s", key, names(fs))
	})
}

// list resolves the YAML sequence at path (aliases included), records
// where it is, and refuses anything else with "want" + what.
func (d *decoder) list(n ast.Node, path, what string) (*ast.SequenceNode, error) {
	at := n
	n, err := d.resolve(n, path)
	if err != nil {
		return nil, err
	}
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		return nil, d.errAt(at, path, "want %s", what)
	}
	d.pos[path] = nodePos(at)
	return seq, nil
}

func (d *decoder) flows(s *Scenario, n ast.Node, path string) error {
	seq, err := d.list(n, path, "a list of flows, each a mapping (- name: ..., protocol: ...)")
	if err != nil {
		return err
	}
	s.Flows = make([]Flow, 0, len(seq.Values))
	for i, item := range seq.Values {
		p := fmt.Sprintf("%s[%d]", path, i)
		d.pos[p] = nodePos(item)
		f, err := d.flow(item, p)
		if err != nil {
			return err
		}
		s.Flows = append(s.Flows, f)
	}
	return nil
}

// flowFieldsFor returns the fields of a flow of protocol name: the
// common ones and that protocol's family's own.
func flowFieldsFor(name string) []field[Flow] {
	p, ok := proto.Parse(name)
	if !ok {
		return nil
	}
	return append(append(flowFields(), familyFields(p.Family())...), repeatField())
}

// familyFields are the fields of a family's flows.
func familyFields(f proto.Family) []field[Flow] {
	switch f {
	case proto.TCP:
		return lift(tcpFields(), func(f *Flow) *TCPFlow { return f.TCP })
	case proto.UDP:
		return lift(udpFields(), func(f *Flow) *UDPFlow { return f.UDP })
	case proto.Flood:
		return lift(floodFields(), func(f *Flow) *FloodFlow { return f.Flood })
	default:
		return lift(rdtFields(), func(f *Flow) *RDTFlow { return f.RDT })
	}
}

// notApplicable explains a key that is not a field of a flow of protocol
// name: the key may be another family's.
func notApplicable(name string) func(string) string {
	return func(key string) string {
		own := flowFieldsFor(name)
		p, _ := proto.Parse(name)
		for _, fam := range []proto.Family{proto.TCP, proto.UDP, proto.RDT, proto.Flood} {
			if _, ok := lookup(familyFields(fam), key); ok && fam != p.Family() {
				return fmt.Sprintf("field %s does not apply to a %s flow (%s fields: %s)", key, name, name, names(own))
			}
		}
		return fmt.Sprintf("unknown field %q: want one of %s", key, names(own))
	}
}

// choice reads the entry key of es ahead of the rest of the mapping: one of
// values, or "" when the mapping has no such key.
func (d *decoder) choice(es []entry, path, key string, values []string, want string) (string, error) {
	var v string
	for _, e := range es {
		if e.key != key {
			continue
		}
		p := join(path, key)
		text, err := d.scalar(e.value, p, want)
		if err != nil {
			return "", err
		}
		if !slices.Contains(values, text) {
			return "", d.errAt(e.value, p, "%q is not a valid %s: want %s", text, key, want)
		}
		v = text
	}
	return v, nil
}

func (d *decoder) flow(n ast.Node, path string) (Flow, error) {
	es, err := d.entries(n, path, "a flow mapping (name: ..., protocol: tcp, ...)")
	if err != nil {
		return Flow{}, err
	}
	var f Flow
	// The protocol picks the flow's fields and defaults, so it is read
	// before the rest of the mapping.
	if f.Protocol, err = d.choice(es, path, "protocol", protocols, wantProtocol); err != nil {
		return Flow{}, err
	}
	if f.Protocol == "" {
		pos := nodePos(n)
		return Flow{}, &Error{File: d.file, Line: pos.Line, Col: pos.Col, Field: join(path, "protocol"), Msg: "missing: want " + wantProtocol}
	}
	pr, _ := proto.Parse(f.Protocol)
	switch pr.Family() {
	case proto.TCP:
		f.TCP = &TCPFlow{}
		if err := applyDefaults(d, "tcp flow", tcpFields(), f.TCP); err != nil {
			return Flow{}, err
		}
		// A profile's defaults replace the plain ones; the file's own
		// fields, decoded below, still win over both.
		profile, err := d.choice(es, path, "profile", Profiles(), wantProfile)
		if err != nil {
			return Flow{}, err
		}
		if profile != "" {
			if err := applyDefaults(d, profileScope(profile), tcpFields(), f.TCP); err != nil {
				return Flow{}, err
			}
		}
	case proto.UDP:
		f.UDP = &UDPFlow{}
		if err := applyDefaults(d, "udp flow", udpFields(), f.UDP); err != nil {
			return Flow{}, err
		}
	case proto.RDT:
		f.RDT = &RDTFlow{}
		if err := applyDefaults(d, "rdt flow", rdtFields(), f.RDT); err != nil {
			return Flow{}, err
		}
	case proto.Flood:
		f.Flood = &FloodFlow{}
	}
	if err := applyDefaults(d, "flow", flowFields(), &f); err != nil {
		return Flow{}, err
	}
	if err := decodeMapping(d, es, flowFieldsFor(f.Protocol), &f, path, notApplicable(f.Protocol)); err != nil {
		return Flow{}, err
	}
	return f, nil
}

func (d *decoder) report(s *Scenario, n ast.Node, path string) error {
	const want = "a list of tables to print: [flows, link], [flows] or [link]"
	at := n
	n, err := d.resolve(n, path)
	if err != nil {
		return err
	}
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		if _, null := n.(*ast.NullNode); null {
			return d.errAt(at, path, "missing value: want %s", want)
		}
		return d.errAt(at, path, "want %s", want)
	}
	if len(seq.Values) == 0 {
		return d.errAt(at, path, "an empty list prints nothing: want %s", want)
	}
	s.Report = nil
	for i, item := range seq.Values {
		p := fmt.Sprintf("%s[%d]", path, i)
		text, err := d.scalar(item, p, "flows or link")
		if err != nil {
			return err
		}
		if text != "flows" && text != "link" {
			return d.errAt(item, p, "%q is not a valid table: want flows or link", text)
		}
		if slices.Contains(s.Report, text) {
			return d.errAt(item, p, "%q is listed twice", text)
		}
		s.Report = append(s.Report, text)
	}
	return nil
}

// applyDefaults sets every field of dst that the defaults table gives for
// scope, decoding each default as if the file had written it.
func applyDefaults[T any](d *decoder, scope string, fs []field[T], dst *T) error {
	for _, def := range Defaults() {
		if def.Scope != scope || def.Value == "" {
			continue
		}
		f, ok := lookup(fs, def.Field)
		if !ok {
			return fmt.Errorf("scenario: the defaults table names %s field %q, which does not exist", scope, def.Field)
		}
		var err error
		if f.node == nil {
			err = f.parse(dst, def.Value)
		} else {
			err = decodeText(d, f, dst, def.Value, def.Field)
		}
		if err != nil {
			return fmt.Errorf("scenario: the defaults table's %s %s: %w", scope, def.Field, err)
		}
	}
	return nil
}
