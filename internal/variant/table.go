package variant

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"tcpsim/internal/direction"

	"tcpsim/internal/trace"
	"tcpsim/sim"
)

// table has one entry per shipped exercise, in exercise order: how its
// numbers vary and how its answer is read, or why it has no variant.
// The tests run every generator over many seeds and check each answer
// against the exercise's textbook or RFC reference.
var table = []Generator{
	{
		Exercise: "01-handshake",
		Vary: func(d *Draw) {
			d.Pick("rate", 1, 2, 5, 10, 20, 50, 100) // Mbps
			d.Int("delay", 5, 100)                   // ms, one way
			d.Step("request", 50, 1000, 50)          // bytes: one segment
			d.Int("response", 1, 1000)               // bytes: one segment
		},
		File: `# Exercise 1 (variant): the phone call. The client dials the server (TCP's
# three-way handshake), sends a request of {{.request}} bytes, gets an
# answer of {{.response}} bytes back, and both hang up.
# {{.SeedLine}}
# Question: how many segments does the handshake take, and what are their
# flags? How long did it take compared with the round-trip time
# ({{.rate}} Mbps, {{.delay}} ms each way)?
# Try: tcpsim diagram {{.Name}}-seed{{.Seed}}.yaml
name: ex01-handshake-seed{{.Seed}}
seed: {{.Seed}}
until: 10s
link:
  rate: {{.rate}}Mbps
  delay: {{.delay}}ms
flows:
  - name: hahaha
    protocol: tcp
    app: request-response
    request: {{.request}}B
    response: {{.response}}B
`,
		Answer: func(o *Outcome) ([]Answer, error) {
			as := []Answer{{"handshake segments", "3: SYN, SYN,ACK, ACK"}}
			rows, err := o.Rows("hahaha", "handshake time", "packets sent", "completion time")
			return append(as, rows...), err
		},
	},
	{
		Exercise: "02-timeout",
		Vary: func(d *Draw) {
			d.Pick("rate", 1, 2, 5, 10, 20) // Mbps
			d.Int("delay", 5, 80)           // ms: 3·RTT stays under RFC 6298's 1 s minimum RTO
			n := d.Int("segments", 5, 10)   // of 1000 bytes
			d.Int("lost", 1, n-2)           // the data segment lost (its first transmission); not the last two, which leave with the FIN, resent too
		},
		File: `# Exercise 2 (variant): a lost segment and the retransmission timer. The
# window is so small that a loss cannot produce three duplicate ACKs.
# {{.SeedLine}}
# Question: find the timeout retransmission in the diagram. How long did
# the sender wait before retransmitting, and why that long (RFC 6298)?
# Try: tcpsim diagram {{.Name}}-seed{{.Seed}}.yaml
name: ex02-timeout-seed{{.Seed}}
seed: {{.Seed}}
until: 60s
link:
  rate: {{.rate}}Mbps
  delay: {{.delay}}ms
flows:
  - name: file
    protocol: tcp
    bytes: {{.segments}}000
    mss: 1000
    initial_window: 2
    recv_buffer: 2000
faults:
  - {flow: file, drop: data, segment: {{.lost}}}
`,
		Answer: func(o *Outcome) ([]Answer, error) {
			lost, err := o.firstLost()
			if err != nil {
				return nil, err
			}
			fire, arm, err := o.timeout(0)
			if err != nil {
				return nil, err
			}
			est := o.rtoBefore(arm)
			as := []Answer{
				{"lost segment", fmt.Sprintf("seq=%d len=%d, at %s", o.relSeq(lost.Seq), lost.Len, Secs(lost.T))},
				{"retransmission timer (re)started", Secs(arm)},
				{"timeout retransmission", Secs(fire)},
				{"wait before retransmitting (the RTO)", Secs(fire - arm)},
				{"SRTT + 4·RTTVAR then", Secs(est) + " (under RFC 6298 §2.4's 1 s minimum, so the RTO is 1 s)"},
			}
			rows, err := o.Rows("file", "retransmissions (fast)", "retransmissions (timeout)", "completion time")
			return append(as, rows...), err
		},
	},
	{
		Exercise: "03-corruption",
		Refused:  "its lesson (a corrupted retransmission that only the timer repairs) depends on where seed 3's random bit errors fall; most other draws have none",
	},
	{
		Exercise: "04-udp-loss",
		Vary: func(d *Draw) {
			d.Int("loss", 2, 30)               // percent
			d.Step("count", 1000, 5000, 500)   // datagrams
			d.Step("datagram", 500, 1400, 100) // bytes
			d.Pick("rate", 1, 2, 4, 8)         // Mbps, under the 10 Mbps link: no queue drops
		},
		File: `# Exercise 4 (variant): writing letters. A UDP sender streams {{.count}}
# datagrams of {{.datagram}} bytes over a link that loses {{.loss}}% of packets.
# {{.SeedLine}}
# Question: what fraction did the receiver get? Did anyone retransmit?
# Compare with 1 - p.
name: ex04-udp-loss-seed{{.Seed}}
seed: {{.Seed}}
until: 120s
link:
  rate: 10Mbps
  delay: 20ms
  loss: {{.loss}}%
flows:
  - name: video
    protocol: udp
    count: {{.count}}
    datagram: {{.datagram}}
    rate: {{.rate}}Mbps
`,
		Answer: func(o *Outcome) ([]Answer, error) {
			as, err := o.Rows("video", "packets sent", "packets received", "delivery ratio", "datagrams not delivered")
			return append(as, Answer{"1 - p", fmt.Sprintf("%d%%", 100-o.Int("loss"))}), err
		},
	},
	{
		Exercise: "05-slow-receiver",
		Vary: func(d *Draw) {
			read := d.Pick("read", 64, 96, 128, 192) // kbps, far below the link
			d.Step("bytes", 64, 128, 16)             // KB: seconds of reading
			// The reader must take longer to drain a segment than 1.5
			// round trips, or each window update arrives before the
			// sender runs out of window and the window never closes.
			d.Int("delay", 5, min(30, 1460*8/read/3)) // ms
		},
		File: `# Exercise 5 (variant): flow control. The receiving application reads only
# {{.read}} kbps from a 4-segment (5840-byte) buffer.
# {{.SeedLine}}
# Question: why did the receiver's advertised window fall to zero, and
# what reopened it? What goodput did the transfer get, and why that?
name: ex05-slow-receiver-seed{{.Seed}}
seed: {{.Seed}}
until: 120s
link:
  rate: 10Mbps
  delay: {{.delay}}ms
flows:
  - name: file
    protocol: tcp
    bytes: {{.bytes}}KB
    recv_buffer: 5840          # exactly 4 segments of 1460 bytes
    read_rate: {{.read}}kbps
`,
		Answer: func(o *Outcome) ([]Answer, error) {
			return o.Rows("file", "zero windows advertised", "goodput")
		},
	},
	{
		Exercise: "06-stop-and-wait",
		Vary: func(d *Draw) {
			d.Pick("rate", 1, 2, 5, 10, 20) // Mbps
			d.Int("delay", 5, 50)           // ms
			d.Step("bytes", 50, 200, 10)    // KB
		},
		File: `# Exercise 6 (variant): stop-and-wait. The receive buffer holds one segment,
# so the sender waits for each ACK before sending the next segment.
# {{.SeedLine}}
# Question: what goodput did it get on a {{.rate}} Mbps link with {{.delay}} ms of
# delay each way? Compute the utilisation L/R / (RTT + L/R) and compare.
name: ex06-stop-and-wait-seed{{.Seed}}
seed: {{.Seed}}
until: 600s
link:
  rate: {{.rate}}Mbps
  delay: {{.delay}}ms
flows:
  - name: file
    protocol: tcp
    bytes: {{.bytes}}KB
    recv_buffer: 1460
    initial_window: 1
`,
		Answer: func(o *Outcome) ([]Answer, error) {
			r := float64(o.Int("rate")) * 1e6
			lr := 1500 * 8 / r
			u := lr / (2*float64(o.Int("delay"))/1000 + lr)
			as := []Answer{{"utilisation L/R / (RTT + L/R), L = 1500 bytes", fmt.Sprintf("%.2f%%", 100*u)}}
			rows, err := o.Rows("file", "goodput", "completion time")
			return append(as, rows...), err
		},
	},
	{
		Exercise: "07-sliding-window",
		Refused:  "its answer is a ratio to exercise 06's run on the same link: vary exercise 06, whose question carries the utilisation formula",
	},
	{
		Exercise: "08-bdp",
		Vary: func(d *Draw) {
			rate := d.Pick("rate", 50, 100, 200, 500, 1000) // Mbps
			delay := d.Step("delay", 20, 100, 10)           // ms
			// The window must stay well under the pipe (a quarter of
			// the BDP at most), so that it, not the link, limits.
			bdp := rate * 1e6 / 8 * 2 * delay / 1000
			var fit []int
			for _, k := range []int{16, 32, 64} {
				if 4*k*1024 <= bdp {
					fit = append(fit, k)
				}
			}
			w := d.Pick("buffer", fit...) // KiB
			d.Set("bytes", 100*w*1024)    // a hundred windows
			d.Set("bdp", bdp)
		},
		File: `# Exercise 8 (variant): the bandwidth-delay product. {{.rate}} Mbps, {{.delay}} ms one
# way: the pipe holds {{.bdp}} bytes. The receive buffer is {{.buffer}} KiB.
# {{.SeedLine}}
# Question: what goodput does TCP reach, and why is it about
# {{.buffer}} KiB / RTT whatever the link rate? What buffer would fill the pipe?
name: ex08-bdp-seed{{.Seed}}
seed: {{.Seed}}
until: 600s
link:
  rate: {{.rate}}Mbps
  delay: {{.delay}}ms
  queue: 1000
flows:
  - name: file
    protocol: tcp
    bytes: {{.bytes}}
    recv_buffer: {{.buffer}}KiB
`,
		Answer: func(o *Outcome) ([]Answer, error) {
			w := float64(o.Int("buffer") * 1024)
			rtt := 2 * float64(o.Int("delay")) / 1000
			as := []Answer{
				{"window limit W/RTT", fmt.Sprintf("%.2f Mbps", w*8/rtt/1e6)},
				{"buffer that fills the pipe (the BDP)", fmt.Sprintf("%d bytes", o.Values["bdp"].(int))},
			}
			rows, err := o.Rows("file", "goodput")
			return append(as, rows...), err
		},
	},
	{Exercise: "09-reno", Refused: "its story is the three segments that seed 2's 1% random loss takes, shared with 09-tahoe; another seed takes others, or none"},
	{Exercise: "09-tahoe", Refused: "its story is the three segments that seed 2's 1% random loss takes, shared with 09-reno; another seed takes others, or none"},
	{
		Exercise: "10-rdt-stop-and-wait-utilisation",
		Vary: func(d *Draw) {
			d.Pick("rate", 100, 1000, 10000) // Mbps
			d.Int("delay", 5, 40)            // ms: the 100 ms timer stays above the RTT
			d.Step("packet", 500, 1500, 100) // bytes of data
			d.Step("count", 50, 150, 10)
		},
		File: `# Exercise 10 (variant): stop-and-wait on a long fat link (Kurose & Ross §3.4.2).
# rdt 3.0 sends {{.count}} packets of {{.packet}} bytes over {{.rate}} Mbps with {{.delay}} ms of
# delay each way and waits for each ACK before it sends the next packet.
# {{.SeedLine}}
# Question: before you run it, compute the sender utilisation
# U = (L/R) / (RTT + L/R) with L = {{.packet}} + 38 bytes on the wire (38 of IPv4,
# UDP and rdt headers). Then run it and read "sender utilisation" and
# "goodput". How many packets would have to be in flight to fill the link?
name: ex10-rdt-stop-and-wait-utilisation-seed{{.Seed}}
seed: {{.Seed}}
until: 60s
link:
  rate: {{.rate}}Mbps
  delay: {{.delay}}ms
flows:
  - name: sw
    protocol: stop-and-wait
    count: {{.count}}
    packet: {{.packet}}
    timeout: 100ms
`,
		Answer: func(o *Outcome) ([]Answer, error) {
			lr := float64(o.Int("packet")+38) * 8 / (float64(o.Int("rate")) * 1e6)
			rtt := 2 * float64(o.Int("delay")) / 1000
			as, err := o.Rows("sw", "sender utilisation", "goodput", "retransmissions")
			return append(as, Answer{"packets in flight to fill the link, (RTT + L/R)/(L/R)", strconv.Itoa(int(math.Ceil((rtt + lr) / lr)))}), err
		},
	},
	{Exercise: "11-rdt-go-back-n-loss", Refused: "it is read beside 11-rdt-selective-repeat-loss on the same link and loss draws; a variant of one alone loses the comparison"},
	{Exercise: "11-rdt-selective-repeat-loss", Refused: "it is read beside 11-rdt-go-back-n-loss on the same link and loss draws; a variant of one alone loses the comparison"},
	{Exercise: "12-rdt-sr-dilemma", Refused: "the dilemma needs the first three ACKs lost, which seed 3's draws at 50% give; most other seeds do not"},
	rdt3("13-rdt-a-no-loss", ""),
	rdt3("13-rdt-b-lost-packet", "data"),
	rdt3("13-rdt-c-lost-ack", "ack"),
	{Exercise: "13-rdt-d-premature-timeout", Refused: "the UDP burst is timed to the microsecond to delay ACK 1 past the timer; other numbers need another burst, not a range"},
	{Exercise: "14-rdt20-nak", Refused: "the three rdt 2.x exercises compare protocols on the same random ACK corruption; another seed garbles other ACKs, or none"},
	{Exercise: "14-rdt21-seqnum", Refused: "the three rdt 2.x exercises compare protocols on the same random ACK corruption; another seed garbles other ACKs, or none"},
	{Exercise: "14-rdt22-nak-free", Refused: "the three rdt 2.x exercises compare protocols on the same random ACK corruption; another seed garbles other ACKs, or none"},
	{
		Exercise: "15-closed-port",
		Vary: func(d *Draw) {
			d.Pick("rate", 1, 2, 5, 10, 20, 50, 100) // Mbps
			d.Int("delay", 5, 100)                   // ms, one way
			d.Int("isn", 0, 1000000)                 // the client's ISN
			d.Pick("port", 22, 25, 80, 443, 3306, 8080)
		},
		File: `# Exercise 15 (variant): nobody home. The client dials port {{.port}} of host b,
# where no application listens (listen: false).
# {{.SeedLine}}
# Question: what does host b send back (RFC 9293 §3.10.7.1), with which
# sequence and acknowledgment numbers, given the client's ISN {{.isn}}? When
# does the client give up ({{.rate}} Mbps, {{.delay}} ms each way), and what
# does it report?
# Try: tcpsim run {{.Name}}-seed{{.Seed}}.yaml --trace -
name: ex15-closed-port-seed{{.Seed}}
seed: {{.Seed}}
until: 10s
link:
  rate: {{.rate}}Mbps
  delay: {{.delay}}ms
flows:
  - name: web
    protocol: tcp
    bytes: 10KB
    isn: {{.isn}}
    port: {{.port}}
    listen: false
`,
		Answer: func(o *Outcome) ([]Answer, error) {
			as := []Answer{{"reply", fmt.Sprintf("RST,ACK seq=0 ack=%d", o.Int("isn")+1)}}
			rows, err := o.Rows("web", "status", "packets sent")
			return append(as, rows...), err
		},
	},
	{Exercise: "16-syn-cookies", Refused: "its story is a flood that fills the backlog before the client's SYN, read beside 16-syn-flood; floods of random rates and backlogs, with and without cookies, are tested in internal/run (TestFloodProperty)"},
	{Exercise: "16-syn-flood", Refused: "its story is a flood that fills the backlog before the client's SYN, read beside 16-syn-cookies; floods of random rates and backlogs, with and without cookies, are tested in internal/run (TestFloodProperty)"},
	{
		Exercise: "17-shared-port",
		Vary: func(d *Draw) {
			d.Int("clients", 2, 6)
			d.Pick("port", 22, 80, 443, 8080)
			d.Int("delay", 2, 40)    // ms, one way
			d.Step("kb", 10, 50, 10) // KB each
		},
		File: `# Exercise 17 (variant): one server port, {{.clients}} connections. {{.clients}} clients on
# host a, 2 ms apart, fetch {{.kb}} KB each from port {{.port}} of host b.
# {{.SeedLine}}
# Question: which ports do the connections use, on each side? Which field
# of the 4-tuple tells them apart at host b?
# Try: tcpsim run {{.Name}}-seed{{.Seed}}.yaml --trace - | grep SYN
name: ex17-shared-port-seed{{.Seed}}
seed: {{.Seed}}
until: 20s
link:
  rate: 10Mbps
  delay: {{.delay}}ms
flows:
  - name: web
    protocol: tcp
    bytes: {{.kb}}KB
    port: {{.port}}
    repeat: {count: {{.clients}}, every: 2ms}
`,
		Answer: func(o *Outcome) ([]Answer, error) {
			var ports []string
			for _, e := range o.Kind(trace.Send) {
				if e.Flags == "SYN" {
					ports = append(ports, e.Ports)
				}
			}
			return []Answer{{"client SYNs' ports", strings.Join(ports, ", ")}, {"told apart by", "the source port"}}, nil
		},
	},
	{
		Exercise: "20-rto-estimation",
		Vary: func(d *Draw) {
			d.Pick("rate", 500, 1000, 2000, 5000) // kbps
			d.Int("delay", 10, 60)                // ms
			d.Pick("mss", 500, 1000, 1460)        // bytes
		},
		File: `# Exercise 20 (variant): estimating the RTO (RFC 6298). Every ACK that covers
# a segment timed by the sender gives an RTT sample R; the sender keeps
# SRTT and RTTVAR and sets RTO = SRTT + 4·RTTVAR. The minimum RTO is
# 10 ms here (RFC 6298 wants 1 s), so that the estimate itself shows.
# {{.SeedLine}}
# Question: the link is {{.rate}} kbps with {{.delay}} ms of delay each way and segments
# are {{.mss}} bytes. The SYN's round trip is the client's first sample: predict
# it (a SYN and a SYN,ACK are 48 bytes on the wire), and the SRTT, RTTVAR
# and RTO it sets (RFC 6298 §2.2). Then predict the second sample, from
# the first data segment ({{.mss}} + 40 bytes on the wire, its ACK 40, and the
# handshake's 40-byte ACK leaves just before it), and the SRTT, RTTVAR and
# RTO after it (§2.3, alpha 1/8, beta 1/4). Why does the RTO then keep
# falling, and towards what?
# Try: tcpsim run {{.Name}}-seed{{.Seed}}.yaml --trace - --trace-rtt | grep rtt
name: ex20-rto-estimation-seed{{.Seed}}
seed: {{.Seed}}
until: 120s
link:
  rate: {{.rate}}kbps
  delay: {{.delay}}ms
flows:
  - name: file
    protocol: tcp
    bytes: {{.mss}}0
    mss: {{.mss}}
    initial_window: 1
    min_rto: 10ms
`,
		Answer: func(o *Outcome) ([]Answer, error) {
			var as []Answer
			n := 0
			for _, e := range o.Kind(trace.RTT) {
				if !strings.HasPrefix(e.Detail, "client ") {
					continue
				}
				n++
				_, est, _ := strings.Cut(e.Detail, "client ")
				as = append(as, Answer{fmt.Sprintf("sample %d (at %s)", n, Secs(e.T)), est})
				if n == 2 {
					break
				}
			}
			if n < 2 {
				return nil, fmt.Errorf("%w: %d RTT samples", errLesson, n)
			}
			rows, err := o.Rows("file", "final RTO")
			return append(as, rows...), err
		},
	},
	{
		Exercise: "21-karn",
		Vary: func(d *Draw) {
			d.Pick("rate", 1, 2, 5, 10, 20) // Mbps
			d.Int("delay", 5, 80)           // ms: 3·RTT under the 1 s minimum RTO
			n := d.Int("segments", 6, 12)   // of 1000 bytes
			d.Int("lost", 2, n-2)           // lost twice; not with the FIN
		},
		File: `# Exercise 21 (variant): Karn's rule. A segment that was retransmitted gives
# no RTT sample: its ACK could answer either transmission (RFC 6298 §3).
# Here data segment {{.lost}} is lost on purpose, and then its first
# retransmission too, so the sender needs two timeouts; the window is two
# segments.
# {{.SeedLine}}
# Question: when do the timeouts fire, and which RTO does each use? When
# the ACK of the segment finally arrives, is there an RTT sample? When is
# the next sample taken, and from which segment? What would go wrong if
# the sender timed the retransmission from its first transmission?
# Try: tcpsim run {{.Name}}-seed{{.Seed}}.yaml --trace - --trace-rtt | grep -E 'rtt|timer-fired|lost'
name: ex21-karn-seed{{.Seed}}
seed: {{.Seed}}
until: 60s
link:
  rate: {{.rate}}Mbps
  delay: {{.delay}}ms
flows:
  - name: file
    protocol: tcp
    bytes: {{.segments}}000
    mss: 1000
    initial_window: 2
    recv_buffer: 2000
faults:
  - {flow: file, drop: data, segment: {{.lost}}}
  - {flow: file, drop: data, segment: {{.lost}}, transmission: 2}
`,
		Answer: func(o *Outcome) ([]Answer, error) {
			lost, err := o.firstLost()
			if err != nil {
				return nil, err
			}
			f1, arm, err := o.timeout(0)
			if err != nil {
				return nil, err
			}
			f2, _, err := o.timeout(1)
			if err != nil {
				return nil, err
			}
			ack, sample, err := o.karn(lost.Seq+uint32(lost.Len), f2)
			if err != nil {
				return nil, err
			}
			rtt, _, _, _ := RTTFields(sample)
			return []Answer{
				{"lost segment (twice)", fmt.Sprintf("seq=%d", o.relSeq(lost.Seq))},
				{"first timeout", Secs(f1) + ", RTO " + Secs(f1-arm)},
				{"second timeout", Secs(f2) + ", RTO " + Secs(f2-f1) + " (doubled, RFC 6298 §5.5)"},
				{"ACK of the segment arrives", Secs(ack) + ": no RTT sample (Karn)"},
				{"next RTT sample", Secs(sample.T) + ", R = " + Secs(rtt) + ", from a segment sent once"},
			}, nil
		},
	},
	{
		Exercise: "22-backoff",
		Vary: func(d *Draw) {
			d.Pick("rate", 5, 10, 20) // Mbps
			d.Int("delay", 5, 30)     // ms: the transfer is under way at 0.1 s
			d.Int("end", 5, 40)       // s: the outage's end, under RFC 6298's 60 s cap on the backed-off RTO
		},
		File: `# Exercise 22 (variant): exponential backoff. The link from a to b goes down
# from 0.1 s to {{.end}} s (an outage in faults:), in the middle of a transfer.
# Every retransmission into the outage is lost.
# {{.SeedLine}}
# Question: predict when each retransmission timeout fires while the link
# is down (RTO 1 s before the outage; RFC 6298 §5.5 doubles it each time).
# When is the first retransmission after the link comes back, so how long
# does the transfer stall after the outage ends? Why does TCP back off
# rather than retry every second?
# Try: tcpsim run {{.Name}}-seed{{.Seed}}.yaml --trace - | grep -E 'timer-fired|lost'
name: ex22-backoff-seed{{.Seed}}
seed: {{.Seed}}
until: 200s
link:
  rate: {{.rate}}Mbps
  delay: {{.delay}}ms
flows:
  - name: file
    protocol: tcp
    bytes: 200KB
faults:
  - {from: 0.1s, to: {{.end}}s, outage: forward}
`,
		Answer: func(o *Outcome) ([]Answer, error) {
			end := sim.Time(o.Int("end")) * sim.Second
			var in []string
			var after sim.Time = -1
			for i := 0; ; i++ {
				fire, _, err := o.timeout(i)
				if err != nil {
					break
				}
				if fire < end {
					in = append(in, Secs(fire))
					continue
				}
				after = fire
				break
			}
			if len(in) == 0 || after < 0 {
				return nil, fmt.Errorf("%w: %d timeouts in the outage, first after it at %v", errLesson, len(in), after)
			}
			as := []Answer{
				{"timeouts while the link is down", strings.Join(in, ", ")},
				{"first retransmission after the outage", Secs(after)},
				{"stall after the outage ends", Secs(after - end)},
			}
			rows, err := o.Rows("file", "RTO expirations", "completion time")
			return append(as, rows...), err
		},
	},
	{Exercise: "23-persist", Refused: "the lost window update is the 12th pure ACK, tied to this reader's rate and buffer; other numbers lose another segment, not a window update"},
	{
		Exercise: "24-slow-start",
		Vary: func(d *Draw) {
			iw := d.Pick("iw", 1, 2, 4)   // segments
			k := d.Int("doublings", 2, 4) // round trips of slow start
			d.Set("ssthresh", iw<<k)      // segments: IW·2^k, so slow start lands on it
			d.Step("delay", 20, 100, 10)  // ms
		},
		File: `# Exercise 24 (variant): slow start up to ssthresh. cwnd starts at {{.iw}}
# segment(s) and ssthresh at {{.ssthresh}} segments (initial_ssthresh); nothing is lost
# and the receive window (1 MiB) never limits. A round trip is twice {{.delay}} ms.
# {{.SeedLine}}
# Question: predict cwnd, in segments, after each round trip. In which
# round does cwnd reach ssthresh, at what time, and how does it grow
# after that (RFC 5681 §3.1, equations 2 and 3)?
# Try: tcpsim run {{.Name}}-seed{{.Seed}}.yaml --trace - | grep 'client cwnd'
name: ex24-slow-start-seed{{.Seed}}
seed: {{.Seed}}
until: 60s
link:
  rate: 1Gbps
  delay: {{.delay}}ms
flows:
  - name: file
    protocol: tcp
    bytes: 500KB
    initial_window: {{.iw}}
    initial_ssthresh: {{.ssthresh}}
    recv_buffer: 1MiB
`,
		Answer: func(o *Outcome) ([]Answer, error) {
			rtt := 2 * sim.Time(o.Int("delay")) * sim.Millisecond
			ss := int64(o.Int("ssthresh")) * 1460
			var at sim.Time = -1
			for _, e := range o.clientCwnd() {
				if e.Value >= ss {
					at = e.T
					break
				}
			}
			if at < 0 {
				return nil, fmt.Errorf("%w: cwnd never reached ssthresh", errLesson)
			}
			round := int((at + rtt/2) / rtt)
			next := o.cwndAt(sim.Time(round+1)*rtt + rtt/2)
			return []Answer{
				{"cwnd by round, segments", list(o.rounds(rtt, round))},
				{"round in which cwnd reaches ssthresh", strconv.Itoa(round)},
				{"time it reaches ssthresh", Secs(at)},
				{"cwnd one round later", Segments(next, 1460) + ": about one segment more, not double"},
			}, nil
		},
	},
	{Exercise: "25-aimd", Refused: "its answer is a sketch of the sawtooth read off a plot; its checked numbers are of this one queue and link"},
	{Exercise: "26-kr-reno", Refused: "it compares RFC 5681's fractional window with K&R's figure; vary 26-kr-reno-textbook, whose rounds follow the figure's rule"},
	krTextbook("26-kr-reno-textbook", "reno"),
	{Exercise: "26-kr-tahoe", Refused: "it compares RFC 5681's fractional window with K&R's figure; vary 26-kr-tahoe-textbook, whose rounds follow the figure's rule"},
	krTextbook("26-kr-tahoe-textbook", "tahoe"),
	{Exercise: "27-aimd-convergence", Refused: "convergence to equal shares is read over many losses of two flows; it has no per-student number that a formula predicts"},
	{Exercise: "27-two-tcp-flows", Refused: "the two flows' shares come from many losses; no formula predicts a variant's goodputs"},
	{Exercise: "28-udp-crowds-tcp", Refused: "TCP's share beside an unresponsive flow comes from many losses; no formula predicts a variant's goodputs"},
	{
		Exercise: "29-checksum-miss",
		Vary: func(d *Draw) {
			kb := d.Step("bytes", 40, 80, 5) // KB
			n := (kb*1000 + 1459) / 1460     // segments
			a := d.Int("detected", 3, n/2)
			d.Int("undetected", a+3, n-2)
			d.Pick("rate", 5, 10, 20) // Mbps
			d.Int("delay", 5, 40)     // ms
		},
		File: `# Exercise 29 (variant): the checksum is not perfect. Two data segments of a
# clean transfer are corrupted on purpose (faults:), two bits each. In
# segment {{.detected}} the two flips are an ordinary error; in segment {{.undetected}} they cancel
# in the 16-bit one's-complement sum (RFC 1071).
# {{.SeedLine}}
# Question: which corrupted segment does the receiver drop, and which does
# it accept? What does the application get, and what do the "data
# verified" and "corrupt bytes delivered" rows say? Why can the Internet
# checksum never catch such an error?
# Try: tcpsim diagram {{.Name}}-seed{{.Seed}}.yaml --ascii | grep -E 'corrupt|checksum'
name: ex29-checksum-miss-seed{{.Seed}}
seed: {{.Seed}}
until: 60s
link:
  rate: {{.rate}}Mbps
  delay: {{.delay}}ms
flows:
  - name: file
    protocol: tcp
    bytes: {{.bytes}}KB
faults:
  - {flow: file, corrupt: data, segment: {{.detected}}, bits: 2}
  - {flow: file, corrupt: data, segment: {{.undetected}}, bits: 2, undetectable: true}
`,
		Answer: func(o *Outcome) ([]Answer, error) {
			var dropped, accepted []string
			drops := o.Kind(trace.ChecksumDrop)
			for _, e := range o.Kind(trace.Corrupt) {
				if !e.Scripted {
					continue
				}
				s := fmt.Sprintf("seq=%d", o.relSeq(e.Seq))
				caught := false
				for _, x := range drops {
					if x.Seq == e.Seq {
						caught = true
					}
				}
				if caught {
					dropped = append(dropped, s)
				} else {
					accepted = append(accepted, s)
				}
			}
			if len(dropped) != 1 || len(accepted) != 1 {
				return nil, fmt.Errorf("%w: dropped %v, accepted %v", errLesson, dropped, accepted)
			}
			as := []Answer{{"dropped (bad checksum)", dropped[0]}, {"accepted although corrupted", accepted[0]}}
			rows, err := o.Rows("file", "checksum drops", "data verified", "corrupt bytes delivered")
			return append(as, rows...), err
		},
	},
	{
		Exercise: "30-macroscopic-throughput",
		Vary: func(d *Draw) {
			every := d.Step("every", 200, 800, 50) // one data packet lost in every
			d.Step("delay", 20, 75, 5)             // ms
			// Mathis's window, sqrt(8/(3p)) segments, as the initial
			// ssthresh: a short slow start; the path (100 Mbps) is far
			// wider than the window, so the queue never fills.
			d.Set("ssthresh", int(math.Round(math.Sqrt(8*float64(every)/3))))
			d.Set("bytes", every*18) // KB: about 12 loss cycles
		},
		File: `# Exercise 30 (variant): the macroscopic throughput of TCP, 0.75·W/RTT (Kurose & Ross §3.7).
# One long Reno transfer over a 100 Mbps path with {{.delay}} ms of delay each way
# that never fills its queue; instead the link loses exactly one data
# packet in {{.every}} (loss: {model: periodic, every: {{.every}}}), the periodic loss of
# Mathis, Semke, Mahdavi and Ott's model (1997). Each loss is found by
# three duplicate ACKs and halves the window: the window saws between
# W/2 and W, and the average is 0.75·W.
# {{.SeedLine}}
# Question: from the trace, what is W, the window when a loss is found,
# once the sawtooth is steady? Predict the goodput as 0.75·W·MSS/RTT and
# compare. Then derive W from the loss rate alone (a cycle from W/2 to W
# carries 3W²/8 segments, which must be 1/p = {{.every}}) and the throughput
# 1.22·MSS/(RTT·√p) it gives, and compare with the run.
# Try: tcpsim plot {{.Name}}-seed{{.Seed}}.yaml --out plots/
name: ex30-macroscopic-throughput-seed{{.Seed}}
seed: {{.Seed}}
until: 600s
link:
  rate: 100Mbps
  delay: {{.delay}}ms
  forward:
    loss: {model: periodic, every: {{.every}}}
flows:
  - name: file
    protocol: tcp
    congestion: reno
    bytes: {{.bytes}}KB
    recv_buffer: 4MiB
    initial_ssthresh: {{.ssthresh}}
`,
		Answer: func(o *Outcome) ([]Answer, error) {
			w := o.steadyW()
			if w == 0 {
				return nil, fmt.Errorf("%w: no steady sawtooth", errLesson)
			}
			rtt := 2 * float64(o.Int("delay")) / 1000
			p := 1 / float64(o.Int("every"))
			as := []Answer{
				{"W, the window when a loss is found (median of the second half)", Segments(int64(w), 1460)},
				{"0.75·W·MSS/RTT", fmt.Sprintf("%.2f Mbps", 0.75*w*8/rtt/1e6)},
				{"W from the loss rate, sqrt(8/(3p))", fmt.Sprintf("%.1f segments", math.Sqrt(8/(3*p)))},
				{"Mathis, 1.22·MSS/(RTT·√p)", fmt.Sprintf("%.2f Mbps", 1.22*1460*8/(rtt*math.Sqrt(p))/1e6)},
			}
			rows, err := o.Rows("file", "goodput", "retransmissions (fast)", "RTO expirations")
			return append(as, rows...), err
		},
	},
	{Exercise: "31-cc-bbr", Refused: "it compares three algorithms on one path; the lesson is the comparison, not a number per path"},
	{Exercise: "31-cc-reno", Refused: "it compares three algorithms on one path; the lesson is the comparison, not a number per path"},
	{Exercise: "31-cc-vegas", Refused: "it compares three algorithms on one path; the lesson is the comparison, not a number per path"},
	{Exercise: "32-parallel-connections", Refused: "the applications' shares come from ten flows' many losses; no formula predicts a variant's goodputs"},
	{
		Exercise: "36-cubic",
		Vary: func(d *Draw) {
			// RTT 100-200 ms: long enough that CUBIC's curve, not its
			// Reno-friendly estimate (RFC 9438 §4.3), sets the window
			// up to W_max.
			delay := d.Step("delay", 50, 100, 5)   // ms
			ss := d.Step("ssthresh", 120, 300, 20) // segments
			rounds := d.Int("rounds", 3, 10)       // of congestion avoidance before the loss
			d.Set("lost", ss*(2+rounds))
			// The transfer must outlast the loss (slow start takes about
			// 6 round trips from 10 segments), recovery and K (RFC 9438
			// eq. 2) by 5 s, at about 0.8·ssthresh a round trip.
			rtt := 2 * float64(delay) / 1000
			k := math.Cbrt(0.3 * float64(ss) / 0.4)
			dur := float64(7+rounds)*rtt + k + 5
			d.Set("bytes", int(0.8*float64(ss)*1460/rtt*dur/1e3)) // KB
		},
		File: `# Exercise 36 (variant): TCP CUBIC after a loss (Kurose & Ross §3.7.1, RFC 9438).
# One CUBIC transfer over a 100 Mbps path with {{.delay}} ms of delay each way and
# a queue that never fills. Slow start stops at ssthresh = {{.ssthresh}} segments
# (initial_ssthresh); one data segment (number {{.lost}}) is lost on purpose,
# nothing else.
# {{.SeedLine}}
# Question: what is W_max, the window when the loss is found, and what
# does CUBIC set ssthresh to (β_cubic = 0.7, RFC 9438 §4.6)? After fast
# recovery the window follows W(t) = C·(t − K)³ + W_max with C = 0.4:
# compute K = ∛((W_max − cwnd_epoch)/C) and predict when the window is
# back at W_max. Where is the curve concave, where convex? How long would
# Reno need to grow back to W_max?
# Try: tcpsim plot {{.Name}}-seed{{.Seed}}.yaml --out plots/
name: ex36-cubic-seed{{.Seed}}
seed: {{.Seed}}
until: 120s
link:
  rate: 100Mbps
  delay: {{.delay}}ms
  queue: 2000
flows:
  - name: file
    protocol: tcp
    congestion: cubic
    bytes: {{.bytes}}KB
    recv_buffer: 16MiB
    initial_ssthresh: {{.ssthresh}}
faults:
  - {flow: file, drop: data, segment: {{.lost}}}
`,
		Answer: func(o *Outcome) ([]Answer, error) {
			c, err := o.cubicEpoch()
			if err != nil {
				return nil, err
			}
			back := o.reaches(int64(c.wMax)-1, c.epoch)
			if back < 0 {
				return nil, fmt.Errorf("%w: the window never came back to W_max", errLesson)
			}
			rtt := 2 * float64(o.Int("delay")) / 1000
			return []Answer{
				{"loss found (third duplicate ACK)", Secs(c.detect)},
				{"W_max", Segments(int64(c.wMax), 1460)},
				{"ssthresh after the loss", Segments(c.ssthresh, 1460)},
				{"congestion avoidance restarts", Secs(c.epoch) + " with cwnd " + Segments(int64(c.cwndEpoch), 1460)},
				{"K", fmt.Sprintf("%.2f s", c.k)},
				{"window back at W_max", Secs(back)},
				{"Reno, from W_max/2 at one segment a round trip", fmt.Sprintf("%.1f s", c.wMax/1460/2*rtt)},
			}, nil
		},
	},
	{Exercise: "40-costs-infinite-buffer", Refused: "its answer is a curve, the queue delay against the offered load, swept with --vary flows.conn.rate and checked against the M/D/1 formula in scenarios/answers_test.go; every student can sweep other rates with the same file"},
	{Exercise: "41-costs-finite-buffer", Refused: "it is read beside 41-costs-premature-timeout, the same network with a shorter timer; a variant of one alone loses the comparison"},
	{Exercise: "41-costs-premature-timeout", Refused: "it is read beside 41-costs-finite-buffer, the same network with a longer timer; a variant of one alone loses the comparison"},
	{Exercise: "42-costs-multihop", Refused: "its answer is the shape of goodput against the offered load, which the student sweeps by editing the one rate (&offered); the single run's numbers come from drop-tail's contention, which no formula gives exactly"},
	{Exercise: "43-ecn", Refused: "its answers are the trace's sequence (the first CE mark, the ECE that echoes it, the halving, the CWR) and the count of marks against reductions, which follow CoDel's timing on this one run; the textbook's point (no loss, no retransmission, one halving per window) is the same in every variant, so another draw teaches nothing new"},
	{Exercise: "44-rtt-unfairness", Refused: "its answer is a ratio (the goodputs in the inverse ratio of the round trips, Mathis et al.), which one seed's random losses set only to within ±10%; every student can sweep other round trips and seeds with the Try: line's --vary 'links[1].delay=...' --seeds N"},
	{Exercise: "45-bufferbloat-droptail", Refused: "it is read beside 45-bufferbloat-codel, the same link with CoDel; a variant of one alone loses the comparison (the student varies the buffer with --vary link.queue=... on both)"},
	{Exercise: "45-bufferbloat-codel", Refused: "it is read beside 45-bufferbloat-droptail, the same link with drop-tail; a variant of one alone loses the comparison (the student varies the buffer with --vary link.queue=... on both)"},
	{Exercise: "46-parking-lot", Refused: "its answer is the long flow's share against the cross flows' and against max-min fairness (5 Mbps each), read with Mathis et al.'s 1/(RTT·√p); the shares come from drop-tail contention at three queues, which one seed sets and no formula gives exactly, and the Try: line already has the student change the long flow's congestion control or the cross flows' start"},
}

// rdt3 is the entry of one of K&R Figure 3.16's ladders (exercises
// 13a-c): fault is "" (no loss), "data" (a lost packet) or "ack" (a lost
// ACK).
func rdt3(name, fault string) Generator {
	g := Generator{Exercise: name}
	g.Vary = func(d *Draw) {
		rate := d.Pick("rate", 1, 2, 5, 10) // Mbps
		delay := d.Int("delay", 5, 20)      // ms
		pkt := d.Step("packet", 500, 1500, 100)
		n := d.Int("count", 3, 6)
		// A cycle: the packet and its ACK (38 bytes of headers each)
		// and two propagation delays; the timer must outlast it, or
		// every timeout is premature (that is exercise 13d).
		cycle := float64(pkt+38+38)*8/float64(rate)/1000 + 2*float64(delay) // ms
		d.Int("timeout", int(math.Ceil(cycle))+5, int(math.Ceil(cycle))+30)
		switch fault {
		case "data":
			d.Int("lost", 1, n) // pkt lost-1, its first transmission
		case "ack":
			d.Int("lost", 1, n-1) // the receiver's lost-th ACK
		}
	}
	head := map[string]string{
		"":     `# Exercise 13a (variant): rdt 3.0 without loss (Kurose & Ross Figure 3.16 (a)).`,
		"data": `# Exercise 13b (variant): rdt 3.0 with a lost packet (Kurose & Ross Figure 3.16 (b)).`,
		"ack":  `# Exercise 13c (variant): rdt 3.0 with a lost ACK (Kurose & Ross Figure 3.16 (c)).`,
	}[fault]
	q := map[string]string{
		"": `# Question: before you run it, compute L/R for {{.packet}} + 38 bytes on the wire
# and the time from sending pkt 0 to receiving ACK 0 (the ACK is 38
# bytes). When does the sender receive the last ACK?`,
		"data": `# Question: the data packet number {{.lost}} (counting from 1) is lost on its first
# transmission. When does the sender's timer for it fire, what does the
# sender do then, and how much later than without the loss does the last
# packet arrive? Does the receiver ever see the lost copy?`,
		"ack": `# Question: the receiver's ACK number {{.lost}} (counting from 1) is lost. The
# sender times out and resends. What does the receiver do with the second
# copy: does the application get its bytes twice? What does it send back,
# and why must it? Read "duplicates discarded" and "data verified".`,
	}[fault]
	faults := map[string]string{
		"":     "",
		"data": "faults:\n  - {flow: sw, drop: data, segment: {{.lost}}}\n",
		"ack":  "faults:\n  - {flow: sw, drop: ack, number: {{.lost}}}\n",
	}[fault]
	g.File = head + `
# {{.count}} packets of {{.packet}} bytes over {{.rate}} Mbps with {{.delay}} ms of propagation
# delay each way and a fixed {{.timeout}} ms timeout.
# {{.SeedLine}}
` + q + `
# Try: tcpsim diagram {{.Name}}-seed{{.Seed}}.yaml --ascii
name: ex{{.Name}}-seed{{.Seed}}
seed: {{.Seed}}
until: 10s
link:
  rate: {{.rate}}Mbps
  delay: {{.delay}}ms
flows:
  - name: sw
    protocol: stop-and-wait
    count: {{.count}}
    packet: {{.packet}}
    timeout: {{.timeout}}ms
` + faults
	g.Answer = func(o *Outcome) ([]Answer, error) {
		var acks []sim.Time
		for _, e := range o.Kind(trace.Deliver) {
			if e.Flags == "ACK" && e.Dir == direction.BA {
				acks = append(acks, e.T)
			}
		}
		if len(acks) == 0 {
			return nil, fmt.Errorf("%w: no ACK arrived", errLesson)
		}
		as := []Answer{{"last ACK received", Secs(acks[len(acks)-1])}}
		if fault != "" {
			fire, _, err := o.timeout(0)
			if err != nil {
				return nil, err
			}
			as = append(as, Answer{"timer fires (the only timeout)", Secs(fire)})
		}
		rows, err := o.Rows("sw", "retransmissions", "timeouts", "duplicates discarded", "data verified", "completion time")
		return append(as, rows...), err
	}
	return g
}

// krTextbook is the entry of exercise 26's textbook-window files: K&R
// Figure 3.53 with another ssthresh, loss round and round trip.
func krTextbook(name, congestion string) Generator {
	g := Generator{Exercise: name}
	g.Vary = func(d *Draw) {
		ss := d.Pick("ssthresh", 4, 8, 16) // segments: a power of two, as in the figure
		extra := d.Int("extra", 1, 4)      // rounds of congestion avoidance before the loss round
		d.Step("delay", 20, 100, 10)       // ms
		w := KRWindows(ss, 0, false, 64)   // the rounds' windows with no loss
		ssRounds := 1
		for w[ssRounds-1] < ss {
			ssRounds++
		}
		r := ssRounds + extra // the loss round, 1-based
		seg := 1
		for _, x := range w[:r-1] {
			seg += x
		}
		d.Set("round", r)
		d.Set("lost", seg)
	}
	g.File = `# Exercise 26 (` + congestion + `, textbook window, variant): Kurose & Ross's Figure 3.53 to the segment.
# The window is counted in whole segments as the figure counts it (one
# segment per ACK in slow start, one per round in congestion avoidance,
# ssthresh half of cwnd, no Limited Transmit, Reno's window held at
# ssthresh + 3 through fast recovery). cwnd starts at one segment and
# ssthresh at {{.ssthresh}}; segment {{.lost}}, the first of round {{.round}}, is lost.
# A round is one RTT (twice {{.delay}} ms): the link is so fast that each window
# leaves at once.
# {{.SeedLine}}
# Question: list cwnd, in segments, for rounds 1 to {{.round}} and the four rounds
# after. When is the loss detected, and how? What does ssthresh become,
# and what does ` + congestion + ` set cwnd to?
# Try: tcpsim run {{.Name}}-seed{{.Seed}}.yaml --trace - | grep -E 'client cwnd|lost'
name: ex26-kr-` + congestion + `-textbook-seed{{.Seed}}
seed: {{.Seed}}
until: 60s
link:
  rate: 1Gbps
  delay: {{.delay}}ms
flows:
  - name: file
    protocol: tcp
    bytes: 300KB
    congestion: ` + congestion + `
    initial_window: 1
    initial_ssthresh: {{.ssthresh}}
    textbook_window: true
faults:
  - {flow: file, drop: data, segment: {{.lost}}}
`
	g.Answer = func(o *Outcome) ([]Answer, error) {
		rtt := 2 * sim.Time(o.Int("delay")) * sim.Millisecond
		r := o.Int("round")
		lost, err := o.firstLost()
		if err != nil {
			return nil, err
		}
		var after *trace.Event
		// Nothing is acknowledged between the loss and the duplicate
		// ACKs a round trip later: the first change after is the reaction.
		for _, e := range o.clientCwnd() {
			if e.T > lost.T+rtt/2 {
				after = &e
				break
			}
		}
		if after == nil {
			return nil, fmt.Errorf("%w: no reaction to the loss", errLesson)
		}
		return []Answer{
			{"cwnd by round, segments (rounds 1 to " + strconv.Itoa(r+4) + ")", list(o.rounds(rtt, r+4))},
			{"lost segment", fmt.Sprintf("seq=%d, segment %d, the first of round %d", o.relSeq(lost.Seq), o.Int("lost"), r)},
			{"loss detected (three duplicate ACKs)", Secs(after.T)},
			{"ssthresh after the loss", Segments(after.Value2, 1460)},
			{"cwnd after the loss", Segments(after.Value, 1460)},
		}, nil
	}
	return g
}

// KRWindows returns cwnd, in segments, for rounds 1 to n by Kurose &
// Ross's Figure 3.53 rules: one segment in round 1, doubling each round
// (capped at ssthresh) while below ssthresh, then one more each round.
// If lossRound > 0 the first segment of that round is lost: ssthresh
// becomes half that round's window (at least 2) and the next round's
// window is 1 (Tahoe, reno false) or ssthresh + 3 (Reno).
func KRWindows(ssthresh, lossRound int, reno bool, n int) []int {
	w := make([]int, 0, n)
	cw := 1
	for i := 1; i <= n; i++ {
		w = append(w, cw)
		switch {
		case i == lossRound:
			ssthresh = max(cw/2, 2)
			if reno {
				cw = ssthresh + 3
			} else {
				cw = 1
			}
		case cw < ssthresh:
			cw = min(2*cw, ssthresh)
		default:
			cw++
		}
	}
	return w
}

// firstLost returns the first data segment lost (scripted or not).
func (o *Outcome) firstLost() (trace.Event, error) {
	for _, e := range o.Kind(trace.Lost) {
		if e.Len > 0 || e.Flags != "ACK" {
			return e, nil
		}
	}
	return trace.Event{}, fmt.Errorf("%w: nothing lost", errLesson)
}

// timeout returns the i-th firing of the client's (or rdt sender's)
// retransmission timer and when that timer was last set.
func (o *Outcome) timeout(i int) (fire, arm sim.Time, err error) {
	var set sim.Time = -1
	n := 0
	for _, e := range o.Events {
		if !strings.HasPrefix(e.Detail, "client retransmission") && !strings.HasPrefix(e.Detail, "sender retransmission") {
			continue
		}
		switch e.Kind {
		case trace.TimerSet:
			set = e.T
		case trace.TimerFired:
			if n == i {
				return e.T, set, nil
			}
			n++
			set = e.T
		}
	}
	return 0, 0, fmt.Errorf("%w: %d timeouts, not %d", errLesson, n, i+1)
}

// rtoBefore returns SRTT + 4·RTTVAR of the client's last RTT sample
// before t (RFC 6298 §2.3, before the minimum is applied).
func (o *Outcome) rtoBefore(t sim.Time) sim.Time {
	var est sim.Time
	for _, e := range o.Kind(trace.RTT) {
		if e.T > t || !strings.HasPrefix(e.Detail, "client ") {
			continue
		}
		srtt, rttvar := rttField(e.Detail, "srtt="), rttField(e.Detail, "rttvar=")
		est = srtt + 4*rttvar
	}
	return est
}

// rttField reads one duration of an rtt event's detail.
func rttField(detail, key string) sim.Time {
	_, v, ok := strings.Cut(detail, " "+key)
	if !ok {
		return 0
	}
	v, _, _ = strings.Cut(v, " ")
	v = strings.TrimSuffix(v, "s")
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0
	}
	return sim.Time(math.Round(f * float64(sim.Second)))
}

// RTTFields returns an rtt event's sample, SRTT, RTTVAR and RTO.
func RTTFields(e *trace.Event) (rtt, srtt, rttvar, rto sim.Time) {
	return sim.Time(e.Value), rttField(e.Detail, "srtt="), rttField(e.Detail, "rttvar="), sim.Time(e.Value2)
}

// relSeq turns an absolute sequence number of the client into one
// relative to its initial sequence number, as diagrams print them.
func (o *Outcome) relSeq(seq uint32) uint32 {
	for _, e := range o.Kind(trace.Send) {
		if e.Dir == direction.AB && strings.Contains(e.Flags, "SYN") {
			return seq - e.Seq
		}
	}
	return seq
}

// clientCwnd returns the client's cwnd events.
func (o *Outcome) clientCwnd() []trace.Event {
	var out []trace.Event
	for _, e := range o.Kind(trace.Cwnd) {
		if strings.HasPrefix(e.Detail, "client ") {
			out = append(out, e)
		}
	}
	return out
}

// cwndAt returns the client's cwnd, in bytes, in effect at t.
func (o *Outcome) cwndAt(t sim.Time) int64 {
	var c int64
	for _, e := range o.clientCwnd() {
		if e.T > t {
			break
		}
		c = e.Value
	}
	return c
}

// rounds returns cwnd, in whole segments of 1460 bytes (rounded down),
// in the middle of each of rounds 1 to n, round i starting i round trips
// after the SYN (round 0 is the handshake).
func (o *Outcome) rounds(rtt sim.Time, n int) []int {
	w := make([]int, n)
	for i := range w {
		w[i] = int(o.cwndAt(sim.Time(i+1)*rtt+rtt/2) / 1460)
	}
	return w
}

// karn returns when the client first hears an ACK at or past end after
// t, and the client's first RTT sample after that ACK.
func (o *Outcome) karn(end uint32, t sim.Time) (sim.Time, *trace.Event, error) {
	var ack sim.Time = -1
	for i := range o.Events {
		e := &o.Events[i]
		if e.T < t {
			continue
		}
		if ack < 0 && e.Kind == trace.Deliver && e.Dir == direction.BA && strings.Contains(e.Flags, "ACK") && int32(e.Ack-end) >= 0 {
			ack = e.T
		}
		if ack >= 0 && e.Kind == trace.RTT && e.T > ack && strings.HasPrefix(e.Detail, "client ") {
			return ack, e, nil
		}
	}
	return 0, nil, fmt.Errorf("%w: no ACK and sample after the retransmission", errLesson)
}

// steadyW returns W, the client's cwnd (bytes) just before each fast
// recovery began, as the median of the second half of the recoveries:
// the steady sawtooth; 0 if there are fewer than 6.
func (o *Outcome) steadyW() float64 {
	var ws []int64
	for _, e := range o.Kind(trace.Recovery) {
		if e.Value == 1 && strings.HasPrefix(e.Detail, "client") {
			ws = append(ws, o.cwndAt(e.T-1))
		}
	}
	if len(ws) < 6 {
		return 0
	}
	ws = ws[len(ws)/2:]
	slices.Sort(ws)
	return float64(ws[len(ws)/2])
}

// cubicLoss is what a CUBIC sender did about its one loss.
type cubicLoss struct {
	detect, epoch   sim.Time
	wMax, cwndEpoch float64 // bytes
	ssthresh        int64
	k               float64 // s, RFC 9438 eq. 2
}

// cubicEpoch finds the loss (ssthresh changes), W_max (cwnd just before)
// and the start of the congestion avoidance epoch: the end of fast
// recovery, where the inflated window falls back to ssthresh.
func (o *Outcome) cubicEpoch() (cubicLoss, error) {
	cw := o.clientCwnd()
	var c cubicLoss
	for i := 1; i < len(cw); i++ {
		if c.detect == 0 && cw[i].Value2 != cw[i-1].Value2 {
			c.detect, c.wMax, c.ssthresh = cw[i].T, float64(cw[i-1].Value), cw[i].Value2
			continue
		}
		if c.detect != 0 && cw[i].Value < cw[i-1].Value-10*1460 {
			c.epoch, c.cwndEpoch = cw[i].T, float64(cw[i].Value)
			c.k = math.Cbrt((c.wMax - c.cwndEpoch) / 1460 / 0.4)
			return c, nil
		}
	}
	return c, fmt.Errorf("%w: no loss and recovery", errLesson)
}

// reaches returns when the client's cwnd first reaches w bytes after t,
// or -1.
func (o *Outcome) reaches(w int64, t sim.Time) sim.Time {
	for _, e := range o.clientCwnd() {
		if e.T > t && e.Value >= w {
			return e.T
		}
	}
	return -1
}
