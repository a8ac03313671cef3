package scenario

import (
	"fmt"
	"strings"
)

// Default is one row of the table of defaults: the value a field takes
// when a scenario file leaves it out, written as the file would write it,
// and where that value comes from. The table in docs/scenarios.md is this one
// (TestDocsDefaults keeps them equal).
type Default struct {
	Scope  string // "scenario", "link", "red", "codel", "flow", "tcp flow", "udp flow", "rdt flow", "gilbert-elliott loss", "bernoulli loss", "fault"
	Field  string // the field's key
	Value  string // as written in a scenario file; "" when absence has a meaning of its own
	Source string // why this value, or what absence means
}

// Defaults returns the one table of defaults. The decoder applies it
// before reading a file's mapping, so an absent field takes the value
// given here, through the same decoder and range check as a written one;
// LinkConfig applies the link rows.
func Defaults() []Default {
	return []Default{
		{"scenario", "seed", "0", "--seed and sweep --seeds override it"},
		{"scenario", "until", "60s", "simulated-time limit: long enough for the shipped exercises"},
		{"scenario", "max_events", "50000000", "event budget, so that no run can hang (about 10 s of work)"},
		{"scenario", "report", "[flows, link]", "print both tables"},
		{"link", "rate", "", "absent: infinitely fast (no serialisation delay)"},
		{"link", "delay", "0s", "no propagation delay"},
		{"link", "queue", "0", "0 = unbounded drop-tail queue"},
		{"link", "queue_bytes", "0", "0 = unbounded"},
		{"link", "loss", "0%", "a perfect link"},
		{"link", "corrupt", "0%", "a perfect link"},
		{"link", "duplicate", "0%", "a perfect link"},
		{"link", "reorder", "0%", "a perfect link"},
		{"link", "reorder_delay", "", "absent: required when reorder is above 0%"},
		{"link", "aqm", "droptail", "the queue drops only when full; red (Floyd & Jacobson 1993) and codel (RFC 8289) drop or mark earlier"},
		{"link", "red", "", "absent: the red rows below; used with aqm: red"},
		{"link", "codel", "", "absent: the codel rows below; used with aqm: codel"},
		{"link", "ecn", "false", "red and codel drop; true = they mark ECN-capable packets CE instead (RFC 3168 §5)"},
		{"red", "min", "5", "min_th in packets: the 1993 paper's simulations, ns-2 thresh_"},
		{"red", "max", "15", "max_th in packets: ns-2 maxthresh_; at least 3·min_th (Floyd, \"RED: Discussions of Setting Parameters\", 1997)"},
		{"red", "max_p", "10%", "ns-2 linterm_ 10, and Floyd 1997"},
		{"red", "weight", "0.002", "w_q: the paper's §9 and ns-2 q_weight_"},
		{"red", "gentle", "false", "the 1993 algorithm: p_b jumps to 1 at max_th; true = a line to 1 at 2·max_th (Floyd 2000)"},
		{"codel", "target", "5ms", "RFC 8289 §4.4 TARGET"},
		{"codel", "interval", "100ms", "RFC 8289 §4.3 INTERVAL: a worst-case RTT"},
		{"gilbert-elliott loss", "p", "0%", "p or r must be above 0%"},
		{"gilbert-elliott loss", "r", "0%", "p or r must be above 0%"},
		{"gilbert-elliott loss", "loss_good", "0%", "Gilbert's model: the good state loses nothing"},
		{"gilbert-elliott loss", "loss_bad", "100%", "Gilbert's model: the bad state loses everything"},
		{"bernoulli loss", "p", "0%", "a perfect link"},
		{"flow", "from", "a", "host a sends"},
		{"flow", "start", "0s", "start at once"},
		{"tcp flow", "app", "bulk", "one transfer of bytes from client to server"},
		{"tcp flow", "exchanges", "1", "request-response: one request, one response"},
		{"tcp flow", "mss", "1460", "Ethernet MTU 1500 - 20 (IPv4) - 20 (TCP), RFC 9293 §3.7.1"},
		{"tcp flow", "congestion", "newreno", "RFC 6582, the textbook's algorithm"},
		{"tcp flow", "recv_buffer", "64KiB", "the largest window without scaling (RFC 7323)"},
		{"tcp flow", "read_rate", "0", "0 = the application reads as soon as data arrives"},
		{"tcp flow", "initial_window", "10", "segments, RFC 6928, as Linux"},
		{"tcp flow", "initial_rto", "1s", "RFC 6298 §2.1"},
		{"tcp flow", "min_rto", "1s", "RFC 6298 §2.4 (Linux uses 200ms)"},
		{"tcp flow", "max_rto", "60s", "RFC 6298 §2.5 allows a maximum of at least 60 s"},
		{"tcp flow", "delayed_ack", "false", "off, so that segment counts match the textbook; true = 200ms (RFC 9293 §3.8.6.3 allows up to 500 ms)"},
		{"tcp flow", "time_wait", "60s", "2·MSL, as Linux (RFC 9293 §3.4.2 suggests MSL = 2 min)"},
		{"tcp flow", "max_retries", "15", "retransmissions of one segment before abort once the handshake is done (data, FIN; not the SYN: syn_retries), Linux net.ipv4.tcp_retries2"},
		{"tcp flow", "syn_retries", "6", "retransmissions of the client's SYN before abort, Linux net.ipv4.tcp_syn_retries (the server's SYN-ACK: synack_retries)"},
		{"tcp flow", "isn", "", "absent: drawn from the seed (RFC 9293 §3.4.1 wants it unpredictable)"},
		{"tcp flow", "initial_ssthresh", "", "absent: arbitrarily high, RFC 5681 §3.1 (a value is in segments of MSS bytes)"},
		{"tcp flow", "sack", "false", "selective acknowledgments (RFC 2018, RFC 6675) off, as in the textbook's TCP; on for both ends, and used when both allow it"},
		{"tcp flow", "timestamps", "false", "the Timestamps option (RFC 7323: RTTM, PAWS) off, as in the textbook's TCP; on, every segment carries 12 bytes of it and 12 bytes less data"},
		{"tcp flow", "profile", "textbook", "the defaults in this table; linux and ns3 replace some of them (rows below)"},
		{"tcp flow", "quick_acks", "0", "no quick-ACK mode: with delayed ACKs, every second segment is ACKed from the start"},
		{"tcp flow", "ecn", "false", "no ECN, as in the textbook's TCP; true = both ends offer ECN (RFC 3168 §6.1.1) and react to CE marks"},
		{"tcp flow", "prr", "false", "RFC 6675's recovery drops cwnd to ssthresh at once, as the textbook's TCP; true = Proportional Rate Reduction (RFC 6937) sets it ACK by ACK; without SACK only with newreno_recovery, as Linux's recovery without SACK (each duplicate ACK a delivered segment)"},
		{"tcp flow", "rack", "false", "with SACK, losses are deemed by RFC 6675's DupThresh rule; true = RACK's time-based detection and Tail Loss Probes (RFC 8985)"},
		{"tcp flow", "dsack", "false", "no D-SACK blocks; true = with SACK the receiver reports duplicates (RFC 2883), which a rack sender uses to widen its reordering window and undo spurious window cuts"},
		{"tcp flow", "frto", "false", "a timeout's window cut stands; true = Forward RTO-Recovery (RFC 5682, as Linux's tcp_process_loss runs it): new data after the first retransmission is ACKed, and an ACK of data never retransmitted undoes a spurious timeout (without SACK, or with rack)"},
		{"tcp flow", "rto_estimator", "rfc6298", "RTO = max(SRTT + 4·RTTVAR, min_rto) (RFC 6298 §2); linux = SRTT + max(4·mdev, min_rto), the deviation term following each window's largest (tcp_rtt_estimator)"},
		{"tcp flow", "byte_counting", "false", "RFC 5681's per-ACK window growth, as the textbook; true = Linux's arithmetic: growth by segments delivered (RFC 3465; tcp_slow_start, tcp_cong_avoid_ai), Reno's ssthresh half of cwnd, kept by a timeout during a loss episode"},
		{"tcp flow", "textbook_window", "false", "RFC 5681's window; true = Kurose & Ross's Figure 3.53 (tahoe, reno, newreno): whole segments, +1 per ACK in slow start and +1 per round in congestion avoidance, ssthresh half of cwnd, no Limited Transmit, Reno's cwnd held at ssthresh + 3 through fast recovery and growing from there"},
		{"tcp flow", "newreno_recovery", "false", "each algorithm's own fast recovery (reno: RFC 5681 §3.2); true = NewReno's (RFC 6582) for reno too"},
		{"tcp flow", "delack_ato", "false", "delayed ACKs wait delayed_ack; true = as Linux: the timeout follows the data's spacing from 40 ms up to the SRTT, and a retransmission already held is ACKed at once with the 16 segments after it"},
		{"tcp flow", "hystart", "auto", "the congestion control's own slow-start exit: Linux's HyStart for cubic-linux, none for the others; off, linux or hystart++ (RFC 9406) choose"},
		{"tcp flow", "pacing", "false", "segments leave as the windows allow; true = paced at Linux's rate, cwnd/SRTT × 2 in slow start and × 1.2 after (tcp_update_pacing_rate); bbr paces at its own rate whatever this says"},
		{"tcp flow", "recv_buffer_max", "0", "no receive-buffer autotuning; above recv_buffer, the buffer grows up to it as Linux's dynamic right-sizing does"},
		{profileScope("linux"), "congestion", "cubic-linux", "Linux's default since 2.6.19 (net.ipv4.tcp_congestion_control), as tcp_cubic.c runs it, HyStart on"},
		{profileScope("linux"), "byte_counting", "true", "Linux counts segments acknowledged (tcp_slow_start, tcp_cong_avoid_ai)"},
		{profileScope("linux"), "newreno_recovery", "true", "without SACK Linux's tcp_input.c recovers as NewReno (partial ACKs, RFC 6582) whatever the congestion module"},
		{profileScope("linux"), "sack", "true", "net.ipv4.tcp_sack = 1"},
		{profileScope("linux"), "timestamps", "true", "net.ipv4.tcp_timestamps = 1"},
		{profileScope("linux"), "initial_window", "10", "TCP_INIT_CWND = 10 (RFC 6928)"},
		{profileScope("linux"), "initial_rto", "1s", "TCP_TIMEOUT_INIT"},
		{profileScope("linux"), "min_rto", "200ms", "TCP_RTO_MIN"},
		{profileScope("linux"), "max_rto", "120s", "TCP_RTO_MAX"},
		{profileScope("linux"), "delayed_ack", "40ms", "TCP_DELACK_MIN; out-of-order data is ACKed at once, as in every profile"},
		{profileScope("linux"), "delack_ato", "true", "Linux's ATO (tcp_event_data_recv, tcp_send_delayed_ack): TCP_ATO_MIN 40 ms up to min(SRTT, 500 ms)"},
		{profileScope("linux"), "quick_acks", "16", "TCP_MAX_QUICKACKS: quick-ACK mode at the start of a connection"},
		{profileScope("linux"), "recv_buffer", "128KiB", "net.ipv4.tcp_rmem[1] = 131072: the buffer a connection starts with (half of it is window)"},
		{profileScope("linux"), "recv_buffer_max", "32MiB", "net.ipv4.tcp_rmem[2] = 33554432 (kernel 6.18), the ceiling of autotuning (tcp_moderate_rcvbuf = 1)"},
		{profileScope("linux"), "prr", "true", "tcp_cwnd_reduction: PRR in every recovery since Linux 3.2"},
		{profileScope("linux"), "rack", "true", "net.ipv4.tcp_recovery = 1 (RACK) and tcp_early_retrans = 3 (TLP); they need SACK, so sack: false turns them off as in Linux"},
		{profileScope("linux"), "dsack", "true", "net.ipv4.tcp_dsack = 1"},
		{profileScope("linux"), "frto", "true", "net.ipv4.tcp_frto = 2 (F-RTO on, the default)"},
		{profileScope("linux"), "rto_estimator", "linux", "tcp_rtt_estimator and tcp_set_rto: rto_min bounds the deviation term, not the RTO"},
		{profileScope("ns3"), "congestion", "newreno", "ns-3.37 TcpL4Protocol SocketType = TcpNewReno"},
		{profileScope("ns3"), "sack", "true", "ns-3.37 TcpSocketBase Sack = true"},
		{profileScope("ns3"), "timestamps", "true", "ns-3.37 TcpSocketBase Timestamp = true"},
		{profileScope("ns3"), "initial_window", "10", "ns-3.37 TcpSocket InitialCwnd = 10"},
		{profileScope("ns3"), "min_rto", "1s", "ns-3.37 TcpSocketBase MinRto = 1s"},
		{profileScope("ns3"), "delayed_ack", "200ms", "ns-3.37 TcpSocket DelAckTimeout = 200ms with DelAckCount = 2 (tcpsim ACKs every second segment)"},
		{profileScope("ns3"), "mss", "536", "ns-3.37 TcpSocket SegmentSize = 536"},
		{profileScope("ns3"), "recv_buffer", "128KiB", "ns-3.37 TcpSocket RcvBufSize = 131072"},
		{profileScope("ns3"), "prr", "true", "ns-3.37 TcpSocketBase RecoveryType = TcpPrrRecovery (PRR-SSRB)"},
		{"tcp flow", "port", "", "absent: 5001 + the flow's index, a port of its own; flows to one host that name one port share its listener, told apart by the 4-tuple"},
		{"tcp flow", "listen", "true", "the server listens; false = nobody does, and the client's SYN is answered with a RST (RFC 9293 §3.10.7.1): connection refused"},
		{"tcp flow", "backlog", "128", "half-open connections the server's port holds, listen(2)'s backlog as most servers pass it (SOMAXCONN until Linux 5.4); Linux bounds its SYN queue by it (inet_csk_reqsk_queue_is_full)"},
		{"tcp flow", "syn_cookies", "false", "a SYN that finds the backlog full is dropped; true = answered with a SYN cookie (RFC 4987 §3.6), as Linux's net.ipv4.tcp_syncookies = 1 does"},
		{"tcp flow", "synack_retries", "5", "retransmissions of the server's SYN-ACK before it gives the half-open connection up, Linux net.ipv4.tcp_synack_retries"},
		{"udp flow", "datagram", "1200", "payload bytes, as QUIC (RFC 9000 §14): fits the IPv6 minimum MTU of 1280 with headers"},
		{"udp flow", "arrivals", "constant", "constant: one datagram every datagram·8/rate seconds; poisson: exponential gaps of that mean, drawn from the flow's stream flows/NAME/send-times (K&R §3.6.1)"},
		{"udp flow", "checksum", "true", "the UDP checksum is optional in IPv4 (RFC 768); on by default"},
		{"rdt flow", "window", "", "absent: 1 for stop-and-wait (the only value it takes); go-back-n and selective-repeat require it"},
		{"rdt flow", "seq_bits", "", "absent: 1 for stop-and-wait; otherwise the fewest bits that are correct for the window (go-back-n: window ≤ 2^k - 1; selective-repeat: window ≤ 2^(k-1), K&R §3.4.4)"},
		{"rdt flow", "timeout", "adaptive", "RFC 6298 estimator (initial 1s, Karn's rule, backoff; minimum 1ms); write a duration for the textbook's fixed timer"},
		{"rdt flow", "packet", "1000", "payload bytes per packet: K&R §3.4.2's L = 8000 bits"},
		{"fault", "transmission", "1", "the first transmission of the segment; 2 is its first retransmission"},
		{"fault", "bits", "1", "corrupt: one flipped bit, which the checksum always catches"},
		{"fault", "undetectable", "false", "corrupt: flips the checksum catches; true = pairs that cancel in it"},
		{"fault", "direction", "both", "drop: in-flight empties both directions of the wire"},
	}
}

// Profiles lists the stack profiles a TCP flow may name with profile:.
func Profiles() []string { return []string{"textbook", "linux", "ns3"} }

const wantProfile = "textbook, linux or ns3"

// profileScope is the Scope of a profile's rows in the table of defaults.
func profileScope(name string) string { return "tcp flow, profile: " + name }

// DefaultsMarkdown renders the table of defaults as the Markdown table
// docs/scenarios.md shows.
func DefaultsMarkdown() string {
	var b strings.Builder
	b.WriteString("| where | field | default | why |\n|---|---|---|---|\n")
	for _, d := range Defaults() {
		v := "`" + d.Value + "`"
		if d.Value == "" {
			v = "(none)"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", d.Scope, d.Field, v, d.Source)
	}
	return b.String()
}
