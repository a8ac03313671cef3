// Package scenario reads tcpsim scenario files: YAML documents written by
// teachers and students that describe a link, the flows that share it and
// what to report. Every error names the file, line and field, and says what
// was expected.
package scenario

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
)

// Scenario is a decoded, validated scenario file. Every field the file
// leaves out holds its default (see Defaults); every field it sets holds
// exactly what it says.
type Scenario struct {
	Name        string
	Description string
	Seed        uint64
	Until       Duration
	MaxEvents   int64
	// Link is the two-host shorthand's link: as written (zero in the
	// topology form); Parse copies it into Links.
	Link Link
	// Nodes and Links are the network: as written in the topology form,
	// or hosts a and b and their one link in the shorthand form (see
	// Topology).
	Nodes  *Nodes
	Links  []TopoLink
	Flows  []Flow
	Report []string
	// Faults are the scripted events of the faults: section, in file
	// order (see Fault); nil without one.
	Faults []Fault
	// Sysctl holds per-host sysctl settings for emulated runs (see
	// HostSysctl); nil without a sysctl: section.
	Sysctl []HostSysctl

	// File is the path the scenario was read from (the name given to Parse).
	File string
	// shorthand records that the file used the two-host form (link:),
	// which Parse expanded into Nodes and Links (see Topology).
	shorthand bool
	// pos holds where each field was written, by path ("flows[0].mss");
	// a field absent from the file and from the overrides has no entry.
	pos map[string]Pos
}

// Pos is where a field was written: a line and column of the file, or
// the override that set it.
type Pos struct {
	Line, Col int
	Override  string // "path=value" when an override set the field
}

// Direction holds one direction's link settings; nil fields are unset.
type Direction struct {
	Rate         *Rate
	Delay        *Duration
	Queue        *int
	QueueBytes   *Size
	Loss         *Loss
	Corrupt      *Percent
	Duplicate    *Percent
	Reorder      *Percent
	ReorderDelay *Duration
	// AQM is the queue discipline: "droptail", "red" or "codel".
	AQM *string
	// RED and CoDel are their disciplines' parameters, each a mapping
	// whose absent fields take the defaults (scopes "red" and "codel").
	RED   *RED
	CoDel *CoDel
	// ECN makes RED and CoDel mark ECN-capable packets instead of
	// dropping them (RFC 3168).
	ECN *bool
}

// RED holds the parameters of aqm: red (Floyd and Jacobson 1993); queue
// thresholds in packets.
type RED struct {
	Min, Max int
	MaxP     Percent
	Weight   float64
	Gentle   bool
}

// CoDel holds the parameters of aqm: codel (RFC 8289).
type CoDel struct {
	Target, Interval Duration
}

// Link is the link between host a and host b: settings for both
// directions, with per-direction overrides. Forward is a→b (the data path
// of flows from a), reverse is b→a (their ACK path).
type Link struct {
	Direction
	Forward *Direction
	Reverse *Direction
}

// Loss is a loss setting: a percentage (Bernoulli) or a mapping
// {model: gilbert-elliott, p, r, loss_good, loss_bad} (or {model:
// bernoulli, p}).
type Loss struct {
	Model    string // "bernoulli" or "gilbert-elliott"
	P        Percent
	R        Percent
	LossGood Percent
	LossBad  Percent
	Every    int // periodic: one packet in Every is lost
	// mapping records that the file wrote a mapping, so that an override
	// may address its fields (link.loss.p).
	mapping bool
}

// Flow is one application flow between the hosts. Exactly one of TCP,
// UDP and RDT is set, matching Protocol.
type Flow struct {
	Name     string
	Protocol string // "tcp", "udp", "stop-and-wait", "go-back-n" or "selective-repeat"
	From     string // the sending host: "a" or "b", or a host of Nodes
	To       string // the receiving host (in the shorthand form, the other one if the file left it out)
	Start    Duration
	TCP      *TCPFlow
	UDP      *UDPFlow
	RDT      *RDTFlow // stop-and-wait, go-back-n and selective-repeat
	Flood    *FloodFlow

	// Repeat, if set, makes the entry stand for Repeat.Count flows (see
	// Repeat and Expanded).
	Repeat *Repeat
	// Family is, in a flow that Expanded made from a repeated entry, that
	// entry's name; "" otherwise.
	Family string
}

// TCPFlow holds the fields of a TCP flow. App "bulk" sends Bytes from
// client to server; "request-response" runs Exchanges rounds of Request
// bytes up and Response bytes down.
type TCPFlow struct {
	App           string // "bulk" or "request-response"
	Bytes         Size
	Request       Size
	Response      Size
	Exchanges     int
	MSS           int
	Congestion    string // one of tcp.CongestionNames()
	RecvBuffer    Size
	ReadRate      Rate // 0: the application reads at once
	InitialWindow int  // segments
	InitialRTO    Duration
	MinRTO        Duration
	MaxRTO        Duration
	DelayedAck    DelAck
	TimeWait      Duration
	MaxRetries    int     // retransmissions of one segment after the handshake
	SynRetries    int     // retransmissions of the SYN or SYN-ACK
	ISN           *uint32 // nil: drawn from the seed
	// InitialSsthresh is the slow-start threshold before the first loss,
	// in segments of MSS bytes; 0 (absent): "arbitrarily high", RFC 5681
	// §3.1.
	InitialSsthresh int
	// SACK lets both ends offer selective acknowledgments (RFC 2018) and
	// the sender recover by them (RFC 6675).
	SACK bool
	// Timestamps lets both ends use the Timestamps option (RFC 7323).
	Timestamps bool
	// Profile names the stack whose defaults the flow takes before its
	// own fields apply: textbook (today's defaults), linux or ns3 (see
	// Profiles).
	Profile string
	// QuickAcks is how many data segments at the start are acknowledged at
	// once even with delayed ACKs (Linux's quick-ACK mode); 0: none.
	QuickAcks int
	// ECN lets both ends negotiate Explicit Congestion Notification (RFC
	// 3168): data segments are sent ECN-capable, and the sender reacts to
	// an echoed CE mark as to a loss, without a retransmission.
	ECN bool
	// PRR sets cwnd in a SACK loss recovery by Proportional Rate
	// Reduction (RFC 6937) instead of cutting it to ssthresh at once.
	PRR bool
	// Pacing spaces the sender's segments at Linux's pacing rate
	// (tcp_update_pacing_rate); congestion: bbr always paces.
	Pacing bool
	// RACK makes a SACK sender detect losses by time (RACK) and probe
	// tail losses (TLP), RFC 8985, as Linux does by default.
	RACK bool
	// DSACK makes the receiver report duplicate segments (RFC 2883); a
	// RACK sender uses them (reordering window, loss probes, undo).
	DSACK bool
	// FRTO runs Forward RTO-Recovery (RFC 5682) after a timeout, as
	// Linux does (net.ipv4.tcp_frto): a spurious timeout is undone.
	FRTO bool
	// RTOEstimator is how the RTO is computed: "rfc6298" (the default,
	// max(SRTT + 4·RTTVAR, min_rto)) or "linux" (tcp_rtt_estimator:
	// SRTT + max(4·mdev, min_rto)); empty means rfc6298.
	RTOEstimator string
	// ByteCounting grows the window by segments acknowledged, as Linux
	// does (RFC 3465), instead of RFC 5681's per-ACK rule.
	ByteCounting bool
	// TextbookWindow runs tahoe's, reno's and newreno's window as
	// Kurose & Ross's Figure 3.53 draws it (tcp.Config.TextbookWindow).
	TextbookWindow bool
	// NewRenoRecovery gives Reno NewReno's fast recovery (RFC 6582), as
	// Linux recovers without SACK.
	NewRenoRecovery bool
	// DelAckATO times delayed ACKs as Linux does (ATO from the arrival
	// spacing, at most the SRTT; quick ACKs after a retransmission).
	DelAckATO bool
	// HyStart is the slow-start exit: one of tcp.HyStartNames() ("auto":
	// the congestion control's own).
	HyStart string
	// RecvBufferMax, above RecvBuffer, lets the receive buffer grow up to
	// it by Linux's autotuning (dynamic right-sizing); 0 or not above
	// RecvBuffer: a fixed buffer.
	RecvBufferMax Size
	// Port is the server's port; 0 (absent): 5001 + the flow's index, a
	// port of its own. Flows to one host that name one port share its
	// listener, and the host tells their connections apart by the
	// 4-tuple.
	Port int
	// Listen says the server listens on the port; false: nobody does,
	// and the client's SYN is answered with a RST (RFC 9293 §3.10.7.1).
	Listen bool
	// Backlog is how many half-open connections the server's port
	// holds (listen(2)'s backlog).
	Backlog int
	// SynCookies answers a SYN that finds the backlog full with a SYN
	// cookie (RFC 4987 §3.6) instead of dropping it.
	SynCookies bool
	// SynAckRetries is how many times the server retransmits a SYN-ACK
	// before it gives the half-open connection up (Linux
	// net.ipv4.tcp_synack_retries).
	SynAckRetries int
}

// FloodFlow holds the fields of a SYN flood: Count SYNs at Rate a second
// to port Port of the flow's to host, each from a spoofed source.
type FloodFlow struct {
	Rate  int64 // SYNs a second
	Count int64
	Port  int
}

// UDPFlow holds the fields of a UDP flow: Count datagrams of Datagram
// payload bytes (the last one shorter when Bytes is not a multiple), sent
// at Rate.
type UDPFlow struct {
	Bytes    Size // total payload; 0 when the file gave count
	Count    int64
	Datagram Size
	Rate     Rate
	Checksum bool
	// Arrivals is how sends are spaced: ArrivalsConstant (every
	// Datagram·8/Rate seconds) or ArrivalsPoisson (exponential gaps of
	// that mean: a Poisson process of rate Rate/(Datagram·8) datagrams
	// per second, as K&R §3.6.1's senders and an M/D/1 queue's arrivals).
	Arrivals string
}

// The UDP arrival processes (UDPFlow.Arrivals).
const (
	ArrivalsConstant = "constant"
	ArrivalsPoisson  = "poisson"
)

// Poisson reports whether the flow's sends form a Poisson process.
func (u *UDPFlow) Poisson() bool { return u.Arrivals == ArrivalsPoisson }

// DelAck is the delayed-ACK setting: false (off), true (on, 200 ms) or a
// duration (on, with that timer).
type DelAck struct {
	On      bool
	Timeout Duration
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

// Load reads and validates the scenario file at path. It refuses a file
// larger than MaxFileSize before reading it all, so a device or a pipe
// (/dev/zero, a FIFO) stops too.
func Load(path string, overrides ...Override) (*Scenario, error) {
	src, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, src, overrides...)
}

// Parse decodes and validates a scenario; file names it in errors.
// Overrides (e.g. from a sweep) are applied before validation, with the
// same decoders and checks as the file's own values.
func Parse(file string, src []byte, overrides ...Override) (*Scenario, error) {
	if err := checkLimits(file, src); err != nil {
		return nil, err
	}
	src, err := prologue(file, src)
	if err != nil {
		return nil, err
	}
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		return nil, yamlError(file, err)
	}
	body, err := oneDocument(file, f)
	if err != nil {
		return nil, err
	}
	d := newDecoder(file, body)
	if err := d.checkExpansion(body); err != nil {
		return nil, err
	}
	s, err := d.scenario(body)
	if err != nil {
		return nil, err
	}
	for _, o := range overrides {
		if err := s.apply(o); err != nil {
			return nil, err
		}
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	s.expandShorthand()
	return s, nil
}

// duplicateKey matches the YAML parser's message for a repeated key.
var duplicateKey = regexp.MustCompile(`^mapping key "(.*)" already defined at \[(\d+):\d+\]$`)

func yamlError(file string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		e := &Error{File: file, Msg: ye.GetMessage(), Source: ye.FormatError(false, true)}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Col = tk.Position.Line, tk.Position.Column
		}
		// The parser refuses a repeated key itself (and fast); say it in
		// the house words.
		if m := duplicateKey.FindStringSubmatch(e.Msg); m != nil {
			e.Field, e.Msg = m[1], fmt.Sprintf("written twice (first at line %s): want each field once", m[2])
		}
		return e
	}
	return &Error{File: file, Msg: err.Error()}
}

// errAt returns a validation error for the field at path, located where
// the field was written.
func (s *Scenario) errAt(path, format string, args ...any) error {
	p := s.pos[path]
	msg := fmt.Sprintf(format, args...)
	if p.Override != "" {
		msg += " (set by override " + p.Override + ")"
	}
	return &Error{File: s.File, Line: p.Line, Col: p.Col, Field: path, Msg: msg}
}

// has reports whether the file or an override set the field at path.
func (s *Scenario) has(path string) bool {
	_, ok := s.pos[path]
	return ok
}

// ErrAt returns an error located at the first of paths ("link.rate",
// "flows[0].rate") that the file or an override wrote, with msg; at the
// last path, without a line, if the file wrote none of them (a default).
// It lets a command refuse a valid scenario for a reason of its own (an
// emulation's limits) with the same file:line:col as a validation error.
func (s *Scenario) ErrAt(msg string, paths ...string) error {
	if len(paths) == 0 {
		return &Error{File: s.File, Msg: msg}
	}
	for _, p := range paths {
		if s.has(p) {
			return s.errAt(p, "%s", msg)
		}
	}
	return &Error{File: s.File, Field: paths[len(paths)-1], Msg: msg}
}
