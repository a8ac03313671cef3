package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"tcpsim/internal/direction"
	proto "tcpsim/internal/protocol"
	"tcpsim/internal/run"
	"tcpsim/model/link"
	"tcpsim/sim"
)

// Kind is how a field's value is written in JSON and CSV.
type Kind int

// The kinds of field value.
const (
	// Text is a JSON string; in CSV it goes in the text column.
	Text Kind = iota
	// Integer is an exact JSON integer (int64 or uint64).
	Integer
	// Number is a JSON number: a float64 at full precision, written as Go
	// writes it (the shortest decimal that reads back to the same float).
	Number
	// Bool is a JSON boolean; in CSV it is 1 or 0.
	Bool
)

// String names the kind as docs/output.md's schema table does.
func (k Kind) String() string {
	switch k {
	case Text:
		return "string"
	case Integer:
		return "integer"
	case Number:
		return "number"
	case Bool:
		return "boolean"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Field describes one value of the machine-readable output: its key in
// JSON and in CSV's metric column, its kind and unit, which protocols it
// applies to (flows only) and what it means. docs/output.md's schema table is
// generated from the same lists, so the three cannot drift apart.
type Field struct {
	// Key is snake_case with the unit in the name: goodput_bps,
	// completion_time_s, bytes_delivered, delivery_ratio (a fraction).
	Key  string
	Kind Kind
	// Unit is the unit of the value ("s", "bit/s", "bytes", "packets",
	// "fraction", ...), or "" for text and booleans.
	Unit string
	// Protocols lists the flow protocols the field applies to; nil means
	// every protocol. A field that applies to only some protocols is
	// written inside the flow's protocol object ("tcp": {...}).
	Protocols []string
	// Nullable reports that the value may be JSON null (empty in CSV):
	// a time that was never reached, an unlimited rate.
	Nullable bool
	// Doc says what the value means.
	Doc string
}

// AppliesTo reports whether the field applies to flows of protocol p.
func (f *Field) AppliesTo(p string) bool {
	return f.Protocols == nil || slices.Contains(f.Protocols, p)
}

// field is a Field bound to the result it is read from (T) and to the
// formatter that prints its value in a text table.
type field[T any] struct {
	Field
	get  func(T) any        // nil, string, int64, uint64, float64 or bool
	text func(v any) string // the table cell; v as get returns it or as JSON reads it back
}

// row is one row of a text table: one field, or several printed in one
// cell joined by sep ("cwnd final / max").
type row[T any] struct {
	title  string
	sep    string
	fields []field[T]
	rare   bool // printed in text tables only when some value is not zero
	// when, if set, decides whether text tables print the row for a run
	// (JSON and CSV always have it): queue rows only for scenarios that
	// manage a queue, ECN rows only when a flow uses ECN.
	when func(r *run.Result) bool
}

// appliesTo reports whether the row's fields apply to protocol p (a row's
// fields share their protocols).
func (r *row[T]) appliesTo(p string) bool { return r.fields[0].AppliesTo(p) }

// cell formats the row's values for a text table.
func (r *row[T]) cell(src T) string {
	parts := make([]string, len(r.fields))
	for i := range r.fields {
		parts[i] = r.fields[i].text(r.fields[i].get(src))
	}
	return strings.Join(parts, r.sep)
}

// Protocol names as FlowResult.Protocol spells them, from the protocol
// table.
var (
	tcpProto = proto.ProtoTCP.String()
	udpProto = proto.ProtoUDP.String()
	swProto  = proto.StopAndWait.String()
	gbnProto = proto.GoBackN.String()
	srProto  = proto.SelectiveRepeat.String()
)

// The fields' protocols, by family: the rdt family (Kurose & Ross ch. 3)
// shares one JSON object of its own fields, "rdt".
var (
	onlyTCP = proto.NamesOf(proto.TCP)
	onlyUDP = proto.NamesOf(proto.UDP)
	onlyRDT = proto.NamesOf(proto.RDT)
	// rdt2: the rdt protocols without a timer (rdt 2.0, 2.1, 2.2), and
	// rdtNAK those of them whose receiver sends NAKs (2.0, 2.1).
	rdt2   = []string{proto.RDT20.String(), proto.RDT21.String(), proto.RDT22.String()}
	rdtNAK = rdt2[:2]
	// onlyFlood: the syn-flood protocol's fields (its target listener's).
	onlyFlood = proto.NamesOf(proto.Flood)
	// tcpRDT: fields that TCP and the rdt family both have.
	tcpRDT = append(proto.NamesOf(proto.TCP), proto.NamesOf(proto.RDT)...)
)

// objectName is the JSON object that holds a flow's protocol-only
// fields: its protocol's family ("tcp", "udp", "rdt").
func objectName(protocol string) string {
	if p, ok := proto.Parse(protocol); ok {
		return p.Family().String()
	}
	return protocol
}

func rdtOf(f *run.FlowResult) *run.RDTResult {
	if f.RDT == nil {
		return &run.RDTResult{}
	}
	return f.RDT
}

// rdtCount is an integer field of the rdt protocols in protos.
func rdtCount(key, unit string, protos []string, doc string, get func(*run.RDTResult) int64) field[*run.FlowResult] {
	return flowCount(key, unit, protos, doc, func(f *run.FlowResult) int64 { return get(rdtOf(f)) })
}

// verified is data_verified: TCP's or the rdt family's.
func verified(f *run.FlowResult) any {
	if f.RDT != nil {
		return strings.ToLower(f.RDT.Verified)
	}
	return strings.ToLower(tcpOf(f).Verified)
}

// Formatters: each takes a value as a getter returns it or as JSON reads
// it back (integers as int64 or uint64, numbers as float64, null as nil).

func textCell(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

func intCell(v any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case nil:
		return "-"
	}
	return fmt.Sprint(v)
}

func pctCell(v any) string {
	if x, ok := v.(float64); ok {
		return pct(x)
	}
	return "-"
}

// utilCell prints a utilisation with three significant digits, so that
// stop-and-wait's 0.0277% on a long fat link does not print as 0.03%.
func utilCell(v any) string {
	if x, ok := v.(float64); ok {
		return strconv.FormatFloat(100*x, 'g', 3, 64) + "%"
	}
	return "-"
}

func rateCell(v any) string {
	switch x := v.(type) {
	case float64:
		return Rate(x)
	case int64:
		return Rate(float64(x))
	}
	return "-"
}

// secondsCell prints seconds as Duration does, "-" for null.
func secondsCell(v any) string {
	if x, ok := v.(float64); ok {
		return fmt.Sprintf("%.6fs", x)
	}
	return "-"
}

// linkRateCell prints a link's rate; null is an unlimited link.
func linkRateCell(v any) string {
	if v == nil {
		return "unlimited"
	}
	return rateCell(v)
}

// verifiedCell prints data_verified as the table always has: "NO" stands
// out in a column of "yes".
// partialCell marks a partial goodput in the goodput cell.
func partialCell(v any) string {
	if b, _ := v.(bool); b {
		return " (partial)"
	}
	return ""
}

func verifiedCell(v any) string {
	if s, _ := v.(string); s == "no" {
		return "NO"
	}
	return textCell(v)
}

// Value constructors.

// seconds is t in seconds, or nil for a negative (never reached) time.
func seconds(t sim.Time) any {
	if t < 0 {
		return nil
	}
	return t.Seconds()
}

// number is x, or nil if x is not finite (JSON has no NaN or Inf).
func number(x float64) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return x
}

func tcpOf(f *run.FlowResult) *run.TCPResult {
	if f.TCP == nil {
		return &run.TCPResult{Handshake: -1, SRTT: -1, RTO: -1}
	}
	return f.TCP
}

// flowStatus is a flow's one-word outcome.
func flowStatus(f *run.FlowResult) string {
	switch {
	case f.Aborted != "":
		return "aborted"
	case f.Complete:
		return "complete"
	case f.TCP != nil && f.TCP.CorruptBytes > 0, f.RDT != nil && f.RDT.WrongBytes > 0:
		return "corrupt" // bytes delivered that differ from those sent
	case f.RDT != nil && f.RDT.Deadlock:
		return "deadlocked"
	}
	return "unfinished"
}

// finalState splits TCPResult.State ("client / server") into its halves.
func finalState(f *run.FlowResult, i int) any {
	parts := strings.SplitN(tcpOf(f).State, " / ", 2)
	if i >= len(parts) {
		return ""
	}
	return parts[i]
}

func flowField(key string, k Kind, unit string, protos []string, doc string, get func(*run.FlowResult) any, text func(any) string) field[*run.FlowResult] {
	return field[*run.FlowResult]{Field: Field{Key: key, Kind: k, Unit: unit, Protocols: protos, Doc: doc}, get: get, text: text}
}

func nullable[T any](f field[T]) field[T] {
	f.Nullable = true
	return f
}

func one[T any](title string, f field[T]) row[T] {
	return row[T]{title: title, fields: []field[T]{f}}
}

// rare marks a row that text tables print only when some flow's value is
// not zero (JSON and CSV always have it): an event that a run almost never
// has, such as corrupt bytes delivered, need not add a row of zeros to
// every table.
func rare[T any](r row[T]) row[T] {
	r.rare = true
	return r
}

// only marks a row that text tables print only when when(r) holds.
func only[T any](when func(r *run.Result) bool, r row[T]) row[T] {
	r.when = when
	return r
}

// queueManaged: the scenario writes aqm: or ecn: on a link.
func queueManaged(r *run.Result) bool { return r.QueueManaged }

// someECN: some TCP flow asks for ECN.
func someECN(r *run.Result) bool {
	for i := range r.Flows {
		if t := r.Flows[i].TCP; t != nil && t.ECN {
			return true
		}
	}
	return false
}

// topoOnly marks a row that text tables print only for a scenario in the
// topology form (JSON and CSV always have it): the two-host tables stay
// as they were.
func topoOnly[T any](r row[T]) row[T] { return only(isTopology, r) }

// isTopology: the scenario is in the topology form (nodes:, links:).
func isTopology(r *run.Result) bool { return r.Topology }

// flowCount is a common integer field of a flow.
func flowCount(key, unit string, protos []string, doc string, get func(*run.FlowResult) int64) field[*run.FlowResult] {
	return flowField(key, Integer, unit, protos, doc, func(f *run.FlowResult) any { return get(f) }, intCell)
}

// tcpCount is a TCP-only integer field.
func tcpCount(key, unit, doc string, get func(*run.TCPResult) int64) field[*run.FlowResult] {
	return flowCount(key, unit, onlyTCP, doc, func(f *run.FlowResult) int64 { return get(tcpOf(f)) })
}

// listenerOf is the listener a syn-flood flow aims at, or an empty one.
func listenerOf(f *run.FlowResult) *run.ListenerResult {
	if f.Flood == nil || f.Flood.Listener == nil {
		return &run.ListenerResult{}
	}
	return f.Flood.Listener
}

// floodCount is an integer field of a syn-flood flow's target listener.
func floodCount(key, unit, doc string, get func(*run.ListenerResult) int64) field[*run.FlowResult] {
	return flowCount(key, unit, onlyFlood, doc, func(f *run.FlowResult) int64 { return get(listenerOf(f)) })
}

// flowRows is the one list of flow metrics, in table order, that every
// format prints.
var flowRows = []row[*run.FlowResult]{
	one("protocol", flowField("protocol", Text, "", nil, "transport protocol: tcp, udp, stop-and-wait, go-back-n, selective-repeat, rdt2.0, rdt2.1, rdt2.2 or syn-flood; names the flow's protocol object (rdt for the rdt family, flood for syn-flood)",
		func(f *run.FlowResult) any { return f.Protocol }, textCell)),
	{title: "direction", sep: direction.Sep, fields: []field[*run.FlowResult]{
		flowField("from", Text, "", nil, "sending host (a or b in the two-host form)", func(f *run.FlowResult) any { return f.From }, textCell),
		flowField("to", Text, "", nil, "receiving host (a or b in the two-host form)", func(f *run.FlowResult) any { return f.To }, textCell),
	}},
	topoOnly(one("path", flowField("path", Text, "", nil, "the nodes the flow's data crosses, sender to receiver, space-separated (e.g. \"s1 r1 r2 d\")",
		func(f *run.FlowResult) any { return strings.Join(f.Path, " ") }, textCell))),
	topoOnly(one("base RTT", nullable(flowField("base_rtt_s", Number, "s", nil, "propagation delay out along the path and back along the receiver's route: the RTT without serialisation or queueing",
		func(f *run.FlowResult) any { return seconds(f.BaseRTT) }, secondsCell)))),
	one("status", flowField("status", Text, "", nil, "complete, aborted, corrupt (the flow delivered bytes that differ from those sent: TCP past the checksum, or an rdt receiver that took an old packet for a new one), deadlocked (an rdt 2.x flow, which has no timer, whose run ran out of events: both ends wait for ever) or unfinished",
		func(f *run.FlowResult) any { return flowStatus(f) }, textCell)),
	one("bytes offered", flowCount("bytes_offered", "bytes", nil, "application bytes to send",
		func(f *run.FlowResult) int64 { return f.OfferedBytes })),
	one("bytes delivered", flowCount("bytes_delivered", "bytes", nil, "application bytes delivered in order, exactly once",
		func(f *run.FlowResult) int64 { return f.DeliveredBytes })),
	one("delivery ratio", flowField("delivery_ratio", Number, "fraction", nil, "bytes_delivered / bytes_offered, 0 to 1",
		func(f *run.FlowResult) any { return number(f.DeliveryRatio) }, pctCell)),
	one("data verified", flowField("data_verified", Text, "", tcpRDT, "yes (every byte read matched the byte sent), no (some did not) or partial (transfer unfinished)",
		verified, verifiedCell)),
	one("wrong bytes delivered", rdtCount("wrong_bytes_delivered", "bytes", onlyRDT, "bytes the receiving application read that differ from the bytes sent at that offset (an old packet taken for a new one), or lie beyond the end",
		func(r *run.RDTResult) int64 { return r.WrongBytes })),
	{title: "goodput", fields: []field[*run.FlowResult]{
		flowField("goodput_bps", Number, "bit/s", nil, "delivered application bits per second of completion time; for an unfinished TCP or rdt transfer (goodput_partial), the bits it delivered per second from its start to the end of the run",
			func(f *run.FlowResult) any {
				if f.Partial {
					return number(f.PartialGoodput)
				}
				return number(f.Goodput)
			}, rateCell),
		flowField("goodput_partial", Bool, "", nil, "true when the transfer did not finish, so goodput_bps is of the bytes delivered by the end of the run",
			func(f *run.FlowResult) any { return f.Partial }, partialCell),
	}},
	one("handshake time", nullable(flowField("handshake_time_s", Number, "s", onlyTCP, "SYN sent to SYN-ACK received by the client; null if never established",
		func(f *run.FlowResult) any { return seconds(tcpOf(f).Handshake) }, secondsCell))),
	one("completion time", nullable(flowField("completion_time_s", Number, "s", nil, "flow start to the last application byte delivered; null if nothing was",
		func(f *run.FlowResult) any { return seconds(f.Completion) }, secondsCell))),
	one("packets sent", flowCount("packets_sent", "packets", nil, "segments or datagrams sent, both directions for TCP, retransmissions included",
		func(f *run.FlowResult) int64 { return f.PacketsSent })),
	one("packets received", flowCount("packets_received", "packets", nil, "segments or datagrams accepted by the receiving endpoints",
		func(f *run.FlowResult) int64 { return f.PacketsRecv })),
	one("datagrams not delivered", flowCount("datagrams_not_delivered", "packets", onlyUDP, "datagrams sent but never delivered (lost or dropped for a bad checksum)",
		func(f *run.FlowResult) int64 { return f.Lost })),
	{title: "window / sequence numbers", sep: " / ", fields: []field[*run.FlowResult]{
		rdtCount("window_packets", "packets", onlyRDT, "the sender's window N (1 for stop-and-wait)",
			func(r *run.RDTResult) int64 { return int64(r.Window) }),
		rdtCount("sequence_numbers", "", onlyRDT, "the size of the sequence-number space, 2^seq_bits",
			func(r *run.RDTResult) int64 { return 1 << r.SeqBits }),
	}},
	one("sender utilisation", flowField("sender_utilisation", Number, "fraction", onlyRDT,
		"fraction of the time from the flow's start to the last ACK the sender needed (or the end of the run) during which the sender's link transmitter was sending this flow's data packets, first transmissions and retransmissions (K&R §3.4.2: (L/R) / (RTT + L/R) for stop-and-wait on a clean link); 0 on a link of unlimited rate",
		func(f *run.FlowResult) any { return number(rdtOf(f).Utilisation) }, utilCell)),
	one("retransmissions", rdtCount("retransmissions", "packets", onlyRDT, "data packets sent again after a timeout",
		func(r *run.RDTResult) int64 { return r.Sender.Retransmissions })),
	one("timeouts", rdtCount("timeouts", "", onlyRDT, "retransmission timer expirations (go-back-n resends the whole window on each, selective-repeat one packet)",
		func(r *run.RDTResult) int64 { return r.Sender.Timeouts })),
	one("out of order discarded", rdtCount("out_of_order_discarded", "packets", []string{swProto, gbnProto}, "stop-and-wait and go-back-n: packets that arrived ahead of the one expected, discarded (the receiver's window is 1)",
		func(r *run.RDTResult) int64 { return r.Receiver.OutOfOrderDiscarded })),
	one("out of order buffered", rdtCount("out_of_order_buffered", "packets", []string{srProto}, "selective-repeat: packets inside the receiver's window but not its base, buffered until the gap fills",
		func(r *run.RDTResult) int64 { return r.Receiver.OutOfOrderBuffered })),
	one("NAKs sent", rdtCount("naks_sent", "packets", rdtNAK, "rdt2.0 and rdt2.1: NAKs the receiver sent for corrupted data packets (K&R §3.4.1)",
		func(r *run.RDTResult) int64 { return r.Receiver.NAKsSent })),
	{title: "FSM state at end (sender / receiver)", sep: " / ", fields: []field[*run.FlowResult]{
		flowField("sender_state", Text, "", rdt2, "rdt 2.x: the state of the sender's FSM when the run ended, as K&R name it (\"wait for call 0 from above\")",
			func(f *run.FlowResult) any { return rdtOf(f).SenderState }, textCell),
		flowField("receiver_state", Text, "", rdt2, "rdt 2.x: the state of the receiver's FSM when the run ended (\"wait for 1 from below\")",
			func(f *run.FlowResult) any { return rdtOf(f).ReceiverState }, textCell),
	}},
	one("retransmissions (timeout)", tcpCount("retransmissions_timeout", "packets", "segments resent after a retransmission timeout",
		func(t *run.TCPResult) int64 { return t.TimeoutRetrans })),
	one("retransmissions (fast)", tcpCount("retransmissions_fast", "packets", "segments resent by fast retransmit or a NewReno partial ACK",
		func(t *run.TCPResult) int64 { return t.FastRetrans })),
	one("retransmissions (SACK)", tcpCount("retransmissions_sack", "packets", "segments resent in SACK-based loss recovery (RFC 6675), its fast retransmit included; also in retransmissions_fast; 0 without SACK",
		func(t *run.TCPResult) int64 { return t.SACKRetrans })),
	one("RTO expirations", tcpCount("rto_expirations", "", "retransmission timer expirations (RFC 6298)",
		func(t *run.TCPResult) int64 { return t.RTOExpirations })),
	one("duplicate ACKs", tcpCount("duplicate_acks", "packets", "duplicate ACKs received (RFC 5681)",
		func(t *run.TCPResult) int64 { return t.DupAcks })),
	only(someECN, row[*run.FlowResult]{title: "ECN marks received / CWR sent", sep: " / ", fields: []field[*run.FlowResult]{
		tcpCount("ecn_ce_received", "packets", "segments both endpoints received marked CE by a queue (RFC 3168); 0 unless the flow sets ecn: true and a link marks",
			func(t *run.TCPResult) int64 { return t.CEReceived }),
		tcpCount("ecn_cwr_sent", "packets", "segments both endpoints sent with CWR: one per window reduction for an echoed CE mark (RFC 3168 §6.1.2)",
			func(t *run.TCPResult) int64 { return t.CWRSent }),
	}}),
	{title: "SACK blocks sent / rcvd", sep: " / ", fields: []field[*run.FlowResult]{
		tcpCount("sack_blocks_sent", "blocks", "SACK blocks sent on ACKs by both endpoints (RFC 2018); 0 unless both allow SACK",
			func(t *run.TCPResult) int64 { return t.SACKBlocksSent }),
		tcpCount("sack_blocks_received", "blocks", "SACK blocks received by both endpoints",
			func(t *run.TCPResult) int64 { return t.SACKBlocksRecv }),
	}},
	one("checksum drops", flowCount("checksum_drops", "packets", nil, "packets dropped for a bad IPv4 header or TCP/UDP checksum",
		func(f *run.FlowResult) int64 { return f.ChecksumDrops })),
	one("corrupt delivered", flowCount("corrupt_delivered", "packets", onlyUDP, "datagrams delivered with wrong bytes (checksum off)",
		func(f *run.FlowResult) int64 { return f.Corrupt })),
	rare(one("corrupt bytes delivered", tcpCount("corrupt_delivered_bytes", "bytes", "bytes the application read that differ from those sent: errors the checksum missed (the table prints the row only when some flow has them)",
		func(t *run.TCPResult) int64 { return t.CorruptBytes }))),
	one("out of order", flowCount("out_of_order", "packets", nil, "segments or datagrams that arrived out of order",
		func(f *run.FlowResult) int64 { return f.OutOfOrder })),
	one("duplicates discarded", flowCount("duplicates_discarded", "packets", nil, "segments or datagrams that carried only data already received",
		func(f *run.FlowResult) int64 { return f.Duplicates })),
	one("zero windows advertised", tcpCount("zero_windows_advertised", "", "times a receiver advertised a zero window",
		func(t *run.TCPResult) int64 { return t.ZeroWindows })),
	one("window probes", tcpCount("window_probes", "packets", "zero-window probes sent (persist timer)",
		func(t *run.TCPResult) int64 { return t.WindowProbes })),
	one("segment payload (SMSS)", tcpCount("smss_bytes", "bytes", "the client's SMSS: the most payload a segment carries, the smaller MSS less 12 bytes with timestamps (RFC 7323)",
		func(t *run.TCPResult) int64 { return t.SMSS })),
	{title: "cwnd final / max", sep: " / ", fields: []field[*run.FlowResult]{
		tcpCount("cwnd_final_bytes", "bytes", "the client's congestion window at the end",
			func(t *run.TCPResult) int64 { return t.CwndFinal }),
		tcpCount("cwnd_max_bytes", "bytes", "the client's largest congestion window",
			func(t *run.TCPResult) int64 { return t.CwndMax }),
	}},
	one("smoothed RTT", nullable(flowField("srtt_s", Number, "s", onlyTCP, "the client's smoothed RTT (SRTT, RFC 6298) at the end",
		func(f *run.FlowResult) any { return seconds(tcpOf(f).SRTT) }, secondsCell))),
	one("final RTO", nullable(flowField("rto_final_s", Number, "s", onlyTCP, "the client's retransmission timeout (RTO, RFC 6298) at the end",
		func(f *run.FlowResult) any { return seconds(tcpOf(f).RTO) }, secondsCell))),
	{title: "server half-open max / backlog", sep: " / ", fields: []field[*run.FlowResult]{
		floodCount("server_half_open_max", "connections", "syn-flood: the most half-open connections (SYN-RECEIVED) its target port held at once, every client's",
			func(l *run.ListenerResult) int64 { return int64(l.MaxHalfOpen) }),
		floodCount("server_backlog", "connections", "syn-flood: its target port's backlog (0 when nobody listens there)",
			func(l *run.ListenerResult) int64 { return int64(l.Backlog) }),
	}},
	one("server SYNs dropped (backlog full)", floodCount("server_syns_dropped", "packets", "syn-flood: SYNs its target port dropped because the backlog was full, every client's (Linux ListenDrops)",
		func(l *run.ListenerResult) int64 { return l.Dropped })),
	one("server half-open given up", floodCount("server_half_open_expired", "connections", "syn-flood: half-open connections its target port gave up after synack_retries unanswered SYN-ACKs",
		func(l *run.ListenerResult) int64 { return l.Expired })),
	{title: "server SYN cookies sent / ok / bad", sep: " / ", fields: []field[*run.FlowResult]{
		floodCount("server_cookies_sent", "packets", "syn-flood: SYN cookies its target port sent (syn_cookies: true, backlog full; RFC 4987)",
			func(l *run.ListenerResult) int64 { return l.CookiesSent }),
		floodCount("server_cookies_accepted", "packets", "syn-flood: ACKs whose cookie checked: connections rebuilt from them",
			func(l *run.ListenerResult) int64 { return l.CookiesAccepted }),
		floodCount("server_cookies_rejected", "packets", "syn-flood: ACKs whose cookie failed, answered with a RST",
			func(l *run.ListenerResult) int64 { return l.CookiesRejected }),
	}},
	{title: "final state", sep: " / ", fields: []field[*run.FlowResult]{
		flowField("final_state_client", Text, "", onlyTCP, "the client's RFC 9293 state at the end (e.g. TIME-WAIT)",
			func(f *run.FlowResult) any { return finalState(f, 0) }, textCell),
		flowField("final_state_server", Text, "", onlyTCP, "the server's RFC 9293 state at the end (e.g. CLOSED)",
			func(f *run.FlowResult) any { return finalState(f, 1) }, textCell),
	}},
}

// linkDir is one link direction.
type linkDir struct {
	l        *run.LinkResult
	from, to string
}

// linkDirs returns every link direction of r: forward (a->b) and reverse
// (b->a) in the shorthand form.
func linkDirs(r *run.Result) []linkDir {
	out := make([]linkDir, len(r.Links))
	for i := range r.Links {
		out[i] = linkDir{l: &r.Links[i], from: r.Links[i].From, to: r.Links[i].To}
	}
	return out
}

func linkCount(key, unit, doc string, get func(d linkDir) int64) field[linkDir] {
	return field[linkDir]{Field: Field{Key: key, Kind: Integer, Unit: unit, Doc: doc},
		get: func(d linkDir) any { return get(d) }, text: intCell}
}

// linkRows is the one list of link metrics, in table order.
var linkRows = []row[linkDir]{
	one("rate", field[linkDir]{Field: Field{Key: "rate_bps", Kind: Integer, Unit: "bit/s", Nullable: true, Doc: "configured rate; null if unlimited"},
		get: func(d linkDir) any {
			if d.l.Config.Rate == 0 {
				return nil
			}
			return d.l.Config.Rate
		}, text: linkRateCell}),
	one("delay", field[linkDir]{Field: Field{Key: "delay_s", Kind: Number, Unit: "s", Doc: "configured one-way propagation delay"},
		get: func(d linkDir) any { return d.l.Config.Delay.Seconds() }, text: secondsCell}),
	one("loss (configured mean)", field[linkDir]{Field: Field{Key: "loss_configured_mean", Kind: Number, Unit: "fraction", Doc: "configured mean loss probability, 0 to 1"},
		get: func(d linkDir) any { return number(d.l.Config.Loss.Mean()) }, text: pctCell}),
	one("packets offered", linkCount("packets_offered", "packets", "packets handed to the link", func(d linkDir) int64 { return d.l.Offered })),
	one("bytes offered", linkCount("bytes_offered", "bytes", "bytes handed to the link (IPv4 packets)", func(d linkDir) int64 { return d.l.OfferedBytes })),
	one("queue drops", linkCount("packets_queue_dropped", "packets", "packets dropped by the queue: full, or by RED or CoDel (those also in packets_aqm_dropped)", func(d linkDir) int64 { return d.l.QueueDropped })),
	one("lost", linkCount("packets_lost", "packets", "packets lost by the loss model", func(d linkDir) int64 { return d.l.Lost })),
	one("corrupted", linkCount("packets_corrupted", "packets", "packets delivered with a flipped bit (included in packets_delivered)", func(d linkDir) int64 { return d.l.Corrupted })),
	one("duplicated", linkCount("packets_duplicated", "packets", "extra copies created", func(d linkDir) int64 { return d.l.Duplicated })),
	one("reordered", linkCount("packets_reordered", "packets", "packets held back by an extra delay", func(d linkDir) int64 { return d.l.Reordered })),
	one("delivered", linkCount("packets_delivered", "packets", "packets delivered to the receiving host", func(d linkDir) int64 { return d.l.Delivered })),
	one("in flight at end", linkCount("packets_in_flight_at_end", "packets", "packets queued or on the wire when the run ended", func(d linkDir) int64 { return d.l.InFlight })),
	one("max queue (packets)", linkCount("max_queue_packets", "packets", "largest queue backlog seen", func(d linkDir) int64 { return int64(d.l.MaxQueue) })),
	only(queueManaged, one("queue discipline", field[linkDir]{Field: Field{Key: "queue_discipline", Kind: Text, Doc: "droptail, red or codel"},
		get: func(d linkDir) any { return d.l.Config.AQM.String() }, text: textCell})),
	only(queueManaged, one("ECN marking", field[linkDir]{Field: Field{Key: "ecn_marking", Kind: Bool, Doc: "red or codel marks ECN-capable packets CE instead of dropping them (RFC 3168)"},
		get: func(d linkDir) any { return d.l.Config.ECN }, text: func(v any) string { return fmt.Sprint(v) }})),
	only(queueManaged, one("queue delay mean", queueDelay("queue_delay_mean_s", "mean", func(q link.QueueDelay) sim.Time { return q.Mean }))),
	only(queueManaged, one("queue delay p50", queueDelay("queue_delay_p50_s", "median (nearest rank, within 0.8%)", func(q link.QueueDelay) sim.Time { return q.P50 }))),
	only(queueManaged, one("queue delay p99", queueDelay("queue_delay_p99_s", "99th percentile (nearest rank, within 0.8%)", func(q link.QueueDelay) sim.Time { return q.P99 }))),
	only(queueManaged, one("queue delay max", queueDelay("queue_delay_max_s", "largest", func(q link.QueueDelay) sim.Time { return q.Max }))),
	only(queueManaged, one("AQM drops", linkCount("packets_aqm_dropped", "packets", "packets dropped by RED or CoDel before the queue was full (included in packets_queue_dropped)", func(d linkDir) int64 { return d.l.AQMDropped }))),
	only(queueManaged, one("ECN marks", linkCount("packets_ecn_marked", "packets", "packets marked CE by RED or CoDel instead of dropped", func(d linkDir) int64 { return d.l.ECNMarked }))),
	one("IPv4 header drops at receiver", linkCount("ipv4_header_drops", "packets", "packets the receiving host dropped for a bad IPv4 header", func(d linkDir) int64 { return d.l.RecvHeaderErrors })),
}

// routerCount is an integer field of a router.
func routerCount(key, doc string, get func(r *run.RouterResult) int64) field[*run.RouterResult] {
	return field[*run.RouterResult]{Field: Field{Key: key, Kind: Integer, Unit: "packets", Doc: doc},
		get: func(r *run.RouterResult) any { return get(r) }, text: intCell}
}

// routerRows is the one list of router metrics, in table order: every
// packet a router receives is counted in exactly one of them. Only a
// topology has routers; the two-host form's output has none of this.
var routerRows = []row[*run.RouterResult]{
	one("packets forwarded", routerCount("packets_forwarded", "packets sent on towards their destination, TTL one lower",
		func(r *run.RouterResult) int64 { return r.Forwarded })),
	one("IPv4 header drops", routerCount("ipv4_header_drops", "packets dropped for a bad IPv4 header (checksum, version, length)",
		func(r *run.RouterResult) int64 { return r.HeaderErrors })),
	one("TTL expired drops", routerCount("ttl_expired_drops", "packets that arrived with TTL 1 or 0 (no ICMP is sent)",
		func(r *run.RouterResult) int64 { return r.TTLExpired })),
	one("no-route drops", routerCount("no_route_drops", "packets for a destination the forwarding table lacks",
		func(r *run.RouterResult) int64 { return r.NoRoute })),
}

// queueDelay is a queue-delay statistic of a direction, in seconds; null
// when no packet was transmitted.
func queueDelay(key, what string, get func(q link.QueueDelay) sim.Time) field[linkDir] {
	return nullable(field[linkDir]{Field: Field{Key: key, Kind: Number, Unit: "s",
		Doc: "queue delay (sojourn time, from entering the queue to starting transmission) of the packets transmitted: " + what + "; null if none was"},
		get: func(d linkDir) any {
			if d.l.QueueDelay.Count == 0 {
				return nil
			}
			return get(d.l.QueueDelay).Seconds()
		}, text: msCell})
}

// msCell prints seconds as milliseconds, "-" for null.
func msCell(v any) string {
	if x, ok := v.(float64); ok {
		return strconv.FormatFloat(1000*x, 'f', 3, 64) + "ms"
	}
	return "-"
}

// linkIDs are the link fields that name a direction rather than measure
// it: JSON writes them first, CSV in its name column and as text rows.
var linkIDs = []field[linkDir]{
	{Field: Field{Key: "from", Kind: Text, Doc: "sending node (host a or b in the two-host form)"}, get: func(d linkDir) any { return d.from }, text: textCell},
	{Field: Field{Key: "to", Kind: Text, Doc: "receiving node (host a or b in the two-host form)"}, get: func(d linkDir) any { return d.to }, text: textCell},
}

func runField(key string, k Kind, unit, doc string, get func(*run.Result) any, text func(any) string) field[*run.Result] {
	return field[*run.Result]{Field: Field{Key: key, Kind: k, Unit: unit, Doc: doc}, get: get, text: text}
}

// runIDs name a run: JSON writes them first, CSV in its own columns.
var runIDs = []field[*run.Result]{
	runField("scenario", Text, "", "the scenario's name", func(r *run.Result) any { return r.Scenario }, textCell),
	runField("file", Text, "", "the scenario file as given", func(r *run.Result) any { return r.File }, textCell),
	runField("seed", Integer, "", "the seed the run used (uint64)", func(r *run.Result) any { return r.Seed }, intCell),
}

// runFields are the run's outcome, as the header line above the tables
// says it.
var runFields = []field[*run.Result]{
	runField("status", Text, "", "one-line verdict: complete, or why not", func(r *run.Result) any { return r.Status() }, textCell),
	runField("ok", Bool, "", "every flow completed and the run was not cut short (exit status 0)", func(r *run.Result) any { return r.OK() },
		func(v any) string { return fmt.Sprint(v) }),
	runField("ended_by", Text, "", "why the simulation stopped: drained, time-limit, event-budget, stopped (every flow finished) or interrupted",
		func(r *run.Result) any { return r.Reason.String() }, textCell),
	runField("simulated_s", Number, "s", "simulated time at the end", func(r *run.Result) any { return r.End.Seconds() }, secondsCell),
	runField("events", Integer, "", "events the engine ran", func(r *run.Result) any { return r.Events }, intCell),
	nullable(runField("jain_fairness_tcp", Number, "fraction", "Jain's fairness index of the completed TCP flows' goodputs, (Σx)²/(n·Σx²), 1/n to 1 (1: equal shares); null with fewer than two completed TCP flows or when every goodput is 0",
		func(r *run.Result) any { return jain(r, tcpProto) }, fairnessCell)),
	nullable(runField("jain_fairness_udp", Number, "fraction", "Jain's fairness index of the completed UDP flows' goodputs, as for TCP; null with fewer than two completed UDP flows or when every goodput is 0",
		func(r *run.Result) any { return jain(r, udpProto) }, fairnessCell)),
}

// jain is Jain's fairness index (Jain, Chiu and Hawe 1984) of the goodputs
// of the completed flows of protocol p, (Σx)²/(n·Σx²). An unfinished flow
// (one cut off by the time limit, or one that never started) has no
// goodput, so it is left out rather than counted as 0. It is nil with
// fewer than two completed flows, and when every goodput is 0 (0/0: no
// share to compare, which is not "equal shares").
func jain(r *run.Result, p string) any {
	var xs []float64
	for i := range r.Flows {
		if f := &r.Flows[i]; f.Protocol == p && f.Complete {
			xs = append(xs, f.Goodput)
		}
	}
	return jainIndex(xs)
}

// jainIndex is (Σx)²/(n·Σx²) of xs, or nil with fewer than two values or
// when all are 0.
func jainIndex(xs []float64) any {
	var sum, sq float64
	for _, x := range xs {
		sum += x
		sq += x * x
	}
	if len(xs) < 2 || sq == 0 {
		return nil
	}
	return number(sum * sum / (float64(len(xs)) * sq))
}

func fairnessCell(v any) string {
	if x, ok := v.(float64); ok {
		return strconv.FormatFloat(x, 'f', 4, 64)
	}
	return "-"
}
