// Package scenario reads tcpsim scenario files: YAML documents written by
// teachers and students that describe a link, the flows that share it and
// what to report. Every error names the file, line and field, and says what
// was expected.
package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Scenario is a decoded, validated scenario file.
type Scenario struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Seed        uint64   `yaml:"seed"`
	Until       Duration `yaml:"until"`
	MaxEvents   int64    `yaml:"max_events"`
	Link        Link     `yaml:"link"`
	Flows       []Flow   `yaml:"flows"`
	Report      []string `yaml:"report"`

	// File is the path the scenario was read from ("" for Parse).
	File string `yaml:"-"`
	pos  map[string]int
}

// Direction holds one direction's link settings; nil fields are unset.
type Direction struct {
	Rate         *Rate     `yaml:"rate"`
	Delay        *Duration `yaml:"delay"`
	Queue        *int      `yaml:"queue"`
	QueueBytes   *Size     `yaml:"queue_bytes"`
	Loss         *Loss     `yaml:"loss"`
	Corrupt      *Percent  `yaml:"corrupt"`
	Duplicate    *Percent  `yaml:"duplicate"`
	Reorder      *Percent  `yaml:"reorder"`
	ReorderDelay *Duration `yaml:"reorder_delay"`
}

// Link is the link between host a and host b: settings for both
// directions, with per-direction overrides. Forward is a→b (the data path
// of flows from a), reverse is b→a (their ACK path).
type Link struct {
	Direction `yaml:",inline"`
	Forward   *Direction `yaml:"forward"`
	Reverse   *Direction `yaml:"reverse"`
}

// Loss is a loss setting: a percentage (Bernoulli) or a Gilbert–Elliott
// mapping {model: gilbert-elliott, p, r, loss_good, loss_bad}.
type Loss struct {
	Model    string  `yaml:"model"`
	P        Percent `yaml:"p"`
	R        Percent `yaml:"r"`
	LossGood Percent `yaml:"loss_good"`
	LossBad  Percent `yaml:"loss_bad"`
}

// UnmarshalYAML implements yaml.NodeUnmarshaler.
func (l *Loss) UnmarshalYAML(n ast.Node) error {
	if s, ok := scalar(n); ok {
		p, err := ParsePercent(s)
		if err != nil {
			return nodeErr(n, "%v, or a mapping {model: gilbert-elliott, p: 1%%, r: 30%%, loss_good: 0%%, loss_bad: 50%%}", err)
		}
		*l = Loss{Model: "bernoulli", P: p}
		return nil
	}
	type plain Loss
	var v plain
	v.LossBad = 1
	if err := yaml.NodeToValue(n, &v, yaml.Strict()); err != nil {
		return err
	}
	if v.Model != "gilbert-elliott" && v.Model != "bernoulli" {
		return nodeErr(n, "loss model %q: want bernoulli or gilbert-elliott", v.Model)
	}
	*l = Loss(v)
	return nil
}

// Flow is one application flow between the hosts.
type Flow struct {
	Name     string   `yaml:"name"`
	Protocol string   `yaml:"protocol"`
	From     string   `yaml:"from"`
	Start    Duration `yaml:"start"`
	Bytes    Size     `yaml:"bytes"`

	// UDP
	Count    int64 `yaml:"count"`
	Datagram Size  `yaml:"datagram"`
	Rate     Rate  `yaml:"rate"`
	Checksum *bool `yaml:"checksum"`

	// TCP
	App           string    `yaml:"app"`
	Request       Size      `yaml:"request"`
	Response      Size      `yaml:"response"`
	Exchanges     int       `yaml:"exchanges"`
	MSS           int       `yaml:"mss"`
	Congestion    string    `yaml:"congestion"`
	RecvBuffer    Size      `yaml:"recv_buffer"`
	ReadRate      Rate      `yaml:"read_rate"`
	InitialWindow int       `yaml:"initial_window"`
	MinRTO        *Duration `yaml:"min_rto"`
	MaxRTO        *Duration `yaml:"max_rto"`
	InitialRTO    *Duration `yaml:"initial_rto"`
	DelayedAck    *DelAck   `yaml:"delayed_ack"`
	TimeWait      *Duration `yaml:"time_wait"`
	MaxRetries    int       `yaml:"max_retries"`
	ISN           *uint32   `yaml:"isn"`
}

// DelAck is the delayed-ACK setting: false (off), true (on, 200 ms) or a
// duration (on, with that timer).
type DelAck struct {
	On      bool
	Timeout Duration
}

// UnmarshalYAML implements yaml.NodeUnmarshaler.
func (d *DelAck) UnmarshalYAML(n ast.Node) error {
	if b, ok := n.(*ast.BoolNode); ok {
		*d = DelAck{On: b.Value, Timeout: Duration(200e6)}
		return nil
	}
	s, _ := scalar(n)
	v, err := ParseDuration(s)
	if err != nil || v == 0 {
		return nodeErr(n, "%q: want true, false or a positive duration such as 40ms", s)
	}
	*d = DelAck{On: true, Timeout: v}
	return nil
}

// Error is a scenario error located in a file.
type Error struct {
	File      string
	Line, Col int
	Field     string
	Msg       string
	// Source is an excerpt of the file around the error, when known.
	Source string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Load reads and validates the scenario file at path.
func Load(path string, overrides ...Override) (*Scenario, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return Parse(path, src, overrides...)
}

func asField(err error, fe **fieldError) bool { return errors.As(err, fe) }

// Parse decodes and validates a scenario; file names it in errors.
// Overrides (e.g. from a sweep) are applied before validation.
func Parse(file string, src []byte, overrides ...Override) (*Scenario, error) {
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		return nil, yamlError(file, err)
	}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		return nil, &Error{File: file, Msg: "want exactly one YAML document holding a mapping (name:, link:, flows:, ...)"}
	}
	s := &Scenario{File: file, pos: map[string]int{}}
	dec := yaml.NewDecoder(bytes.NewReader(src), yaml.Strict())
	if err := dec.Decode(s); err != nil {
		return nil, yamlError(file, err)
	}
	ast.Walk(posVisitor(s.pos), f.Docs[0].Body)
	for _, o := range overrides {
		if err := s.apply(o); err != nil {
			return nil, &Error{File: file, Field: o.Path, Msg: err.Error()}
		}
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// posVisitor records the line of every mapping key by its field path.
type posVisitor map[string]int

func (v posVisitor) Visit(n ast.Node) ast.Visitor {
	if mv, ok := n.(*ast.MappingValueNode); ok {
		if tk := mv.Key.GetToken(); tk != nil && tk.Position != nil {
			v[strings.TrimPrefix(mv.Value.GetPath(), "$.")] = tk.Position.Line
		}
	}
	return v
}

func yamlError(file string, err error) error {
	var fe *fieldError
	if errors.As(err, &fe) {
		return &Error{File: file, Line: fe.line, Col: fe.col, Field: fe.path, Msg: fe.msg}
	}
	var ye yaml.Error
	if errors.As(err, &ye) {
		e := &Error{File: file, Msg: ye.GetMessage(), Source: ye.FormatError(false, true)}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Col = tk.Position.Line, tk.Position.Column
		}
		e.Msg = strings.Replace(e.Msg, "Go struct field ", "field ", 1)
		return e
	}
	return &Error{File: file, Msg: err.Error()}
}

// errAt returns a validation error for the field at path.
func (s *Scenario) errAt(path, format string, args ...any) error {
	return &Error{File: s.File, Line: s.pos[path], Field: path, Msg: fmt.Sprintf(format, args...)}
}
