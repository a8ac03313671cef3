package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// doc builds a scenario with one TCP and one UDP flow; extra lines go at
// the end of the scenario (top), the link, the TCP flow or the UDP flow.
func doc(top, link, tcp, udp string) string {
	ind := func(s, pre string) string {
		if s == "" {
			return ""
		}
		return pre + strings.ReplaceAll(s, "\n", "\n"+pre) + "\n"
	}
	return "name: t\n" + ind(top, "") +
		"link:\n  rate: 10Mbps\n" + ind(link, "  ") +
		"flows:\n  - name: file\n    protocol: tcp\n" + ind(tcp, "    ") +
		"  - name: video\n    protocol: udp\n    rate: 1Mbps\n" + ind(udp, "    ")
}

func docTCP(tcp string) string { return doc("", "", "bytes: 1MB\n"+tcp, "count: 10") }
func docUDP(udp string) string { return doc("", "", "bytes: 1MB", udp) }

func mustParse(t *testing.T, src string, ovs ...Override) *Scenario {
	t.Helper()
	s, err := Parse("x.yaml", []byte(src), ovs...)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	return s
}

// An explicit value is used or refused, never replaced by the default.
// Each of these ran with the default before.
func TestExplicitValueNeverDefaulted(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      string // substring of the error, located at the value
	}{
		{"mss 0", docTCP("mss: 0"), `x.yaml:8:10: flows[0].mss: "0" is not a valid mss: want a whole number from 64 to 65495`},
		{"recv_buffer 0", docTCP("recv_buffer: 0"), `flows[0].recv_buffer: "0" is not a valid recv_buffer: want a size from 64 to 1073741824 bytes`},
		{"initial_window 0", docTCP("initial_window: 0"), `flows[0].initial_window: "0" is not a valid initial_window: want a whole number from 1 to 1000 segments`},
		{"max_retries 0", docTCP("max_retries: 0"), `flows[0].max_retries: "0" is not a valid max_retries: want a whole number from 1 to 100`},
		{"min_rto 0", docTCP("min_rto: 0"), `flows[0].min_rto: "0" is not a valid min_rto: want a positive number with a unit`},
		{"max_rto 0", docTCP("max_rto: 0s"), `flows[0].max_rto: "0s" is not a valid max_rto`},
		{"initial_rto 0", docTCP("initial_rto: 0ms"), `flows[0].initial_rto: "0ms" is not a valid initial_rto`},
		{"time_wait 0", docTCP("time_wait: 0"), `flows[0].time_wait: "0" is not a valid time_wait`},
		{"tcp bytes 0", doc("", "", "bytes: 0", "count: 1"), `flows[0].bytes: "0" is not a valid bytes: want a size of at least 1 byte`},
		{"exchanges 0", doc("", "", "app: request-response\nrequest: 1\nresponse: 1\nexchanges: 0", "count: 1"), `flows[0].exchanges: "0" is not a valid exchanges`},
		{"datagram 0", docUDP("count: 5\ndatagram: 0"), `flows[1].datagram: "0" is not a valid datagram: want a size from 8 to 65507 bytes`},
		{"count 0", docUDP("count: 0"), `flows[1].count: "0" is not a valid count`},
		{"udp rate 0", strings.Replace(docUDP("count: 1"), "rate: 1Mbps", "rate: 0bps", 1), `flows[1].rate: "0bps" is not a rate`},
		{"link rate 0", strings.Replace(docUDP("count: 1"), "rate: 10Mbps", "rate: 0", 1), `x.yaml:3:9: link.rate: "0" is not a rate`},
		{"reorder_delay 0", doc("", "reorder_delay: 0", "bytes: 1", "count: 1"), `link.reorder_delay: "0" is not a valid reorder_delay`},
		{"until 0", doc("until: 0", "", "bytes: 1", "count: 1"), `x.yaml:2:8: until: "0" is not a valid until: want a positive`},
		{"max_events 0", doc("max_events: 0", "", "bytes: 1", "count: 1"), `x.yaml:2:13: max_events: "0" is not a valid max_events: want a whole number from 1`},
		{"fractional seed", doc("seed: 1.5", "", "bytes: 1", "count: 1"), `x.yaml:2:7: seed: "1.5" is not a valid seed: want a whole number from 0 to 18446744073709551615`},
		{"underscore loss", doc("", "loss: 1_0%", "bytes: 1", "count: 1"), `link.loss: "1_0%" is not a percentage`},
		{"underscore size", docTCP("recv_buffer: 64_000"), `"64_000" is not a size`},
		{"underscore rate", doc("", "delay: 1ms", "bytes: 1", "count: 1\ndatagram: 1_200"), `"1_200" is not a size`},
		{"underscore whole", docTCP("mss: 1_000"), `"1_000" is not a valid mss`},
		{"underscore duration", docTCP("min_rto: 1_0ms"), `"1_0ms" is not a valid min_rto`},
		{"hex whole", docTCP("isn: 0x10"), `"0x10" is not a valid isn`},
		{"inf rate", strings.Replace(docUDP("count: 1"), "rate: 1Mbps", "rate: Infbps", 1), `"Infbps" is not a rate`},
		{"null loss", doc("", "loss:", "bytes: 1", "count: 1"), `x.yaml:4:3: link.loss: missing value: want a number from 0% to 100%`},
		{"null loss tilde", doc("", "loss: ~", "bytes: 1", "count: 1"), `link.loss: missing value`},
		{"null mss", docTCP("mss: null"), `flows[0].mss: missing value: want a whole number from 64 to 65495`},
		{"null seed", doc("seed:", "", "bytes: 1", "count: 1"), `seed: missing value: want a whole number`},
		{"null description", doc("description:", "", "bytes: 1", "count: 1"), `description: missing value: want free text`},
		{"null reverse", doc("", "reverse:", "bytes: 1", "count: 1"), `link.reverse: missing value: want a mapping`},
		{"null report", doc("report:", "", "bytes: 1", "count: 1"), `report: missing value`},
		{"empty report", doc("report: []", "", "bytes: 1", "count: 1"), `report: an empty list prints nothing`},
		{"null GE field", doc("", "loss: {model: gilbert-elliott, p: 1%, r: }", "bytes: 1", "count: 1"), `link.loss.r: missing value`},
		{"null delayed_ack", docTCP("delayed_ack:"), `flows[0].delayed_ack: missing value: want true, false or a positive duration`},
		{"empty name", strings.Replace(docUDP("count: 1"), "name: t", `name: ""`, 1), `name: "" is not a valid name`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v\nwant an error containing %s\nsource:\n%s", err, c.want, c.src)
			}
		})
	}
}

// Zeros that mean something (docs/scenarios.md, "Zero and absent values") are
// accepted and used, not replaced.
func TestMeaningfulZeros(t *testing.T) {
	s := mustParse(t, doc("seed: 0", "delay: 0\nqueue: 0\nqueue_bytes: 0\nloss: 0%\ncorrupt: 0", "bytes: 1MB\nread_rate: 0\nisn: 0\nstart: 0s", "count: 3"))
	fwd := s.LinkDirection("forward")
	if s.Seed != 0 || *fwd.Delay != 0 || *fwd.Queue != 0 || *fwd.QueueBytes != 0 || fwd.Loss.P != 0 {
		t.Fatalf("link zeros: delay %v queue %v queue_bytes %v loss %v", *fwd.Delay, *fwd.Queue, *fwd.QueueBytes, fwd.Loss.P)
	}
	f := s.Flows[0]
	if f.Start != 0 || f.TCP.ReadRate != 0 || f.TCP.ISN == nil || *f.TCP.ISN != 0 {
		t.Fatalf("tcp zeros: %+v %+v", f, f.TCP)
	}
	s = mustParse(t, docTCP("read_rate: 0bps"))
	if s.Flows[0].TCP.ReadRate != 0 {
		t.Fatalf("read_rate 0bps = %d", s.Flows[0].TCP.ReadRate)
	}
}

// Every absent field takes the value of the table of defaults, and every
// explicit value that differs from it is used as written.
func TestAbsentTakesDefaultExplicitIsUsed(t *testing.T) {
	s := mustParse(t, doc("", "", "bytes: 1MB", "count: 10"))
	tcp, udp := s.Flows[0].TCP, s.Flows[1].UDP
	want := TCPFlow{App: "bulk", Bytes: 1e6, Exchanges: 1, MSS: 1460, Congestion: "newreno", RecvBuffer: 64 << 10,
		InitialWindow: 10, InitialRTO: 1e9, MinRTO: 1e9, MaxRTO: 60e9, TimeWait: 60e9, MaxRetries: 15, SynRetries: 6, Profile: "textbook", HyStart: "auto", RTOEstimator: "rfc6298",
		Listen: true, Backlog: 128, SynAckRetries: 5}
	if !reflect.DeepEqual(want, *tcp) {
		t.Errorf("tcp defaults:\n got %+v\nwant %+v", *tcp, want)
	}
	if (*udp != UDPFlow{Count: 10, Datagram: 1200, Rate: 1e6, Checksum: true, Arrivals: ArrivalsConstant}) {
		t.Errorf("udp defaults: %+v", *udp)
	}
	if s.Until != Duration(60e9) || s.MaxEvents != 50_000_000 || s.Seed != 0 || !slices.Equal(s.Report, []string{"flows", "link"}) || s.Flows[0].From != "a" {
		t.Errorf("scenario defaults: %+v", s)
	}
	s = mustParse(t, docTCP("mss: 64\nrecv_buffer: 64\ninitial_window: 1\nmax_retries: 1\nsyn_retries: 1\nmin_rto: 1ns\nmax_rto: 1ns\ninitial_rto: 1ns\ntime_wait: 1ns\ndelayed_ack: 1ns\ncongestion: none"))
	tcp = s.Flows[0].TCP
	if tcp.MSS != 64 || tcp.RecvBuffer != 64 || tcp.InitialWindow != 1 || tcp.MaxRetries != 1 || tcp.SynRetries != 1 || tcp.MinRTO != 1 || tcp.MaxRTO != 1 ||
		tcp.InitialRTO != 1 || tcp.TimeWait != 1 || tcp.DelayedAck != (DelAck{On: true, Timeout: 1}) || tcp.Congestion != "none" {
		t.Errorf("explicit minimums not used: %+v", tcp)
	}
}

// Fields that do not apply to a flow's protocol or application are
// errors located at the field, naming the fields that do apply.
func TestInapplicableFields(t *testing.T) {
	for _, c := range []struct {
		name, src, want string
	}{
		{"udp congestion", docUDP("count: 1\ncongestion: reno"), "x.yaml:12:5: flows[1].congestion: field congestion does not apply to a udp flow (udp fields: name, protocol, from, to, start, bytes, count, datagram, rate, checksum, arrivals, repeat)"},
		{"udp mss", docUDP("count: 1\nmss: 1000"), "flows[1].mss: field mss does not apply to a udp flow"},
		{"udp recv_buffer", docUDP("count: 1\nrecv_buffer: 1MB"), "flows[1].recv_buffer: field recv_buffer does not apply to a udp flow"},
		{"udp read_rate", docUDP("count: 1\nread_rate: 1Mbps"), "flows[1].read_rate: field read_rate does not apply to a udp flow"},
		{"udp isn", docUDP("count: 1\nisn: 5"), "field isn does not apply to a udp flow"},
		{"udp request", docUDP("count: 1\nrequest: 5"), "field request does not apply to a udp flow"},
		{"tcp rate", docTCP("rate: 1Mbps"), "x.yaml:8:5: flows[0].rate: field rate does not apply to a tcp flow (tcp fields: name, protocol, from, to, start, app, bytes,"},
		{"tcp datagram", docTCP("datagram: 1200"), "flows[0].datagram: field datagram does not apply to a tcp flow"},
		{"tcp count", docTCP("count: 5"), "flows[0].count: field count does not apply to a tcp flow"},
		{"tcp checksum", docTCP("checksum: false"), "flows[0].checksum: field checksum does not apply to a tcp flow"},
		{"bulk request", docTCP("request: 100B"), "x.yaml:8:5: flows[0].request: field request does not apply to a bulk flow"},
		{"bulk response", docTCP("app: bulk\nresponse: 100B"), "flows[0].response: field response does not apply to a bulk flow"},
		{"bulk exchanges", docTCP("exchanges: 3"), "flows[0].exchanges: field exchanges does not apply to a bulk flow"},
		{"request-response bytes", docTCP("app: request-response\nrequest: 1\nresponse: 1"), "flows[0].bytes: field bytes does not apply to a request-response flow"},
		{"bernoulli r", doc("", "loss: {model: bernoulli, p: 1%, r: 5%}", "bytes: 1", "count: 1"), "link.loss.r: field r does not apply to bernoulli loss (bernoulli fields: model, p)"},
		{"udp both bytes and count", docUDP("count: 1\nbytes: 5"), "flows[1].count: give exactly one of bytes (total payload) or count (datagrams), not both"},
		{"unknown everywhere", docTCP("colour: red"), `flows[0].colour: unknown field "colour": want one of name, protocol, from, to, start, app,`},
		{"forward inside forward", doc("", "forward: {forward: {loss: 1%}}", "bytes: 1", "count: 1"), `link.forward.forward: unknown field "forward"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v\nwant an error containing %s\nsource:\n%s", err, c.want, c.src)
			}
		})
	}
}

// No message shows Go internals: every one is file:line:col: field: ...
// in the house words, a missing field's located at the mapping that lacks
// it (issue 21, item 13: before, a missing field had no column).
func TestNoGoInternalsInMessages(t *testing.T) {
	located := regexp.MustCompile(`^x\.yaml:\d+:\d+: [a-z_\[\]0-9.]+: `)
	forbidden := []string{"Go ", "struct", "unmarshal", "strconv", "uint", "int64", "float64", "reflect", "%!"}
	bad := []string{
		doc("seed: abc", "", "bytes: 1", "count: 1"),
		doc("seed: -1", "", "bytes: 1", "count: 1"),
		doc("seed: 1.5", "", "bytes: 1", "count: 1"),
		doc("seed: 99999999999999999999999", "", "bytes: 1", "count: 1"),
		doc("seed: true", "", "bytes: 1", "count: 1"),
		doc("seed: [1]", "", "bytes: 1", "count: 1"),
		doc("seed: {a: 1}", "", "bytes: 1", "count: 1"),
		doc("max_events: -5", "", "bytes: 1", "count: 1"),
		doc("max_events: 0x10", "", "bytes: 1", "count: 1"),
		doc("max_events: 9223372036854775808", "", "bytes: 1", "count: 1"),
		doc("until: 5", "", "bytes: 1", "count: 1"),
		doc("until: [5s]", "", "bytes: 1", "count: 1"),
		strings.Replace(docUDP("count: 1"), "name: t", "name: [a]", 1),
		strings.Replace(docUDP("count: 1"), "name: t", "name: t\nseed: 1\nseed: 2", 1),
		doc("report: flows", "", "bytes: 1", "count: 1"),
		doc("report: [tables]", "", "bytes: 1", "count: 1"),
		doc("report: [flows, flows]", "", "bytes: 1", "count: 1"),
		doc("report: [[flows]]", "", "bytes: 1", "count: 1"),
		doc("", "queue: many", "bytes: 1", "count: 1"),
		doc("", "queue: -1", "bytes: 1", "count: 1"),
		doc("", "queue: 2.5", "bytes: 1", "count: 1"),
		doc("", "queue: 99999999999999999999", "bytes: 1", "count: 1"),
		doc("", "queue_bytes: 2GiB", "bytes: 1", "count: 1"),
		doc("", "delay: fast", "bytes: 1", "count: 1"),
		doc("", "loss: 2", "bytes: 1", "count: 1"),
		doc("", "loss: [2%]", "bytes: 1", "count: 1"),
		doc("", "loss: {model: markov}", "bytes: 1", "count: 1"),
		doc("", "loss: {p: 1%}", "bytes: 1", "count: 1"),
		doc("", "loss: {model: gilbert-elliott, p: 1%, r: 1%, loss_bad: much}", "bytes: 1", "count: 1"),
		doc("", "forward: 5", "bytes: 1", "count: 1"),
		doc("", "corrupt: true", "bytes: 1", "count: 1"),
		docTCP("isn: 4294967296"),
		docTCP("isn: -1"),
		docTCP("isn: abc"),
		docTCP("isn: 1.5"),
		docTCP("mss: 64.5"),
		docTCP("mss: 65496"),
		docTCP("mss: {a: 1}"),
		docTCP("initial_window: 1001"),
		docTCP("exchanges: x"),
		docTCP("congestion: westwood"),
		docTCP("congestion: 5"),
		docTCP("app: stream"),
		docTCP("delayed_ack: maybe"),
		docTCP("read_rate: fast"),
		docTCP("max_retries: 101"),
		docTCP("from: c"),
		docTCP("start: -1s"),
		docUDP("count: 1\nchecksum: yes"),
		docUDP("count: 1\nchecksum: 1"),
		docUDP("count: 1.5"),
		docUDP("count: 1000000001"),
		docUDP("count: 1\ndatagram: 70000"),
		strings.Replace(docUDP("count: 1"), "protocol: udp", "protocol: sctp", 1),
		strings.Replace(docUDP("count: 1"), "protocol: udp", "protocol: [udp]", 1),
		strings.Replace(docUDP("count: 1"), "    protocol: udp\n", "", 1),
		strings.Replace(docUDP("count: 1"), "  - name: video\n    protocol: udp", "  - protocol: udp", 1),
		strings.Replace(docUDP("count: 1"), "    rate: 1Mbps\n", "", 1),
		docUDP(""),
		strings.Replace(docTCP(""), "    bytes: 1MB\n", "", 1),
		"flows:\n  - name: f\n    protocol: tcp\n    bytes: 1\n",
		"name: t\nflows: 5\n",
		"name: t\nflows: {name: f}\n",
		"name: t\nflows: [5]\n",
	}
	if len(bad) < 40 {
		t.Fatalf("only %d inputs", len(bad))
	}
	for i, src := range bad {
		_, err := Parse("x.yaml", []byte(src))
		if err == nil {
			t.Errorf("%d: accepted:\n%s", i, src)
			continue
		}
		msg := err.Error()
		t.Logf("%d: %s", i, msg)
		if !located.MatchString(msg) {
			t.Errorf("%d: %q is not in the form file:line:col: field: ...\n%s", i, msg, src)
		}
		for _, f := range forbidden {
			if strings.Contains(msg, f) {
				t.Errorf("%d: %q mentions %q", i, msg, f)
			}
		}
		if !strings.Contains(msg, "want") && !strings.Contains(msg, "does not apply") && !strings.Contains(msg, "twice") && !strings.Contains(msg, ": missing: ") {
			t.Errorf("%d: %q does not say what was expected", i, msg)
		}
	}
}

// Overrides go through the same decoders and checks as the file, and a
// path that does not exist for the flow's protocol is refused.
func TestOverridesChecked(t *testing.T) {
	ge := doc("", "loss: {model: gilbert-elliott, p: 1%, r: 30%}", "bytes: 1MB", "count: 10")
	plain := doc("", "loss: 2%", "bytes: 1MB", "count: 10")
	for _, c := range []struct {
		name, src string
		o         Override
		want      string
	}{
		{"udp mss", plain, Override{"flows.video.mss", "1000"}, "flows.video.mss: field mss does not apply to a udp flow (udp fields: name, protocol, from, to, start, bytes, count, datagram, rate, checksum, arrivals, repeat)"},
		{"tcp rate", plain, Override{"flows.file.rate", "1Mbps"}, "field rate does not apply to a tcp flow"},
		{"seed", plain, Override{"seed", "9"}, "seed: the seed is not a parameter: use --seeds"},
		{"loss r on a plain loss", plain, Override{"link.loss.r", "5%"}, "link.loss.r: link.loss is a plain percentage (or absent) in the file, so it has no field r: write the loss model in the file"},
		{"loss p on no loss", doc("", "", "bytes: 1", "count: 1"), Override{"link.loss.p", "5%"}, "plain percentage (or absent)"},
		{"reverse loss r", ge, Override{"link.reverse.loss.r", "5%"}, "link.reverse.loss is a plain percentage (or absent)"},
		{"empty value", plain, Override{"link.loss", ""}, "link.loss: empty value"},
		{"null value", plain, Override{"link.loss", "~"}, "link.loss: missing value"},
		{"mss 0", plain, Override{"flows.file.mss", "0"}, `flows.file.mss: "0" is not a valid mss: want a whole number from 64 to 65495`},
		{"until 0", plain, Override{"until", "0"}, `until: "0" is not a valid until`},
		{"underscore", plain, Override{"link.loss", "1_0%"}, `"1_0%" is not a percentage`},
		{"ge unknown", ge, Override{"link.loss.q", "5%"}, `gilbert-elliott loss has no field "q"`},
		{"ge model", ge, Override{"link.loss.model", "bernoulli"}, "cannot be overridden"},
		{"group", plain, Override{"link.forward", "{loss: 1%}"}, "group of fields"},
		{"flow protocol", plain, Override{"flows.file.protocol", "udp"}, "cannot be overridden"},
		{"flow profile", plain, Override{"flows.file.profile", "linux"}, "profile cannot be overridden"},
		{"no flow", plain, Override{"flows.nosuch.mss", "5"}, `no flow named "nosuch" (flows: file, video)`},
		{"short flow path", plain, Override{"flows.file", "5"}, "want flows.NAME.FIELD"},
		{"deep path", plain, Override{"link.delay.x", "5"}, "link.delay has no fields"},
		{"request on bulk", plain, Override{"flows.file.request", "5"}, "field request does not apply to a bulk flow"},
		{"recv_buffer below mss", plain, Override{"flows.file.recv_buffer", "100"}, "flows[0].recv_buffer: recv_buffer 100 bytes is below one MSS (1460): want at least one MSS (set by override flows.file.recv_buffer=100)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("o.yaml", []byte(c.src), c.o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%v: got %v\nwant an error containing %s", c.o, err, c.want)
			}
			var se *Error
			if !errors.As(err, &se) || se.File != "o.yaml" {
				t.Fatalf("%T is not a *scenario.Error naming the file", err)
			}
		})
	}
	s := mustParse(t, ge, Override{"link.loss.r", "5%"}, Override{"link.loss.p", "2%"}, Override{"link.loss.loss_bad", "40%"},
		Override{"flows.video.datagram", "100"}, Override{"flows.file.isn", "7"}, Override{"report", "[link]"})
	l := s.LinkDirection("forward").Loss
	if l.R != 0.05 || l.P != 0.02 || l.LossBad != 0.4 || s.Flows[1].UDP.Datagram != 100 || *s.Flows[0].TCP.ISN != 7 || !slices.Equal(s.Report, []string{"link"}) {
		t.Fatalf("overrides not applied: %+v %+v", l, s)
	}
	if _, err := ParseOverride("link.loss="); err == nil {
		t.Error("ParseOverride accepted an empty value")
	}
}

// The limits refuse a huge or deeply nested document quickly, naming the
// file and the limit.
func TestInputLimits(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("name: x\ndescription: \""+strings.Repeat("a", MaxFileSize)+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		buf := make([]byte, 64<<10)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
	}()
	deepFlow := "name: x\nflows: " + strings.Repeat("[", 40000) + strings.Repeat("]", 40000) + "\n"
	var deepBlock strings.Builder
	deepBlock.WriteString("name: x\n")
	for i := range 300 {
		fmt.Fprintf(&deepBlock, "%sk%d:\n", strings.Repeat(" ", i), i)
	}
	for _, c := range []struct {
		name, file string
		src        string // Parse this if set, else Load file
		want       string
	}{
		{"regular file too large", big, "", "big.yaml: file is larger than 128 KiB"},
		{"device", "/dev/zero", "", "/dev/zero: file is larger than 128 KiB"},
		{"fifo", fifo, "", "fifo.yaml: file is larger than 128 KiB"},
		{"parse too large", "p.yaml", strings.Repeat("#", MaxFileSize+1), "p.yaml: file is larger than 128 KiB"},
		{"flow nesting", "d.yaml", deepFlow, "d.yaml:2:263: nested more than 256 levels deep"},
		{"block nesting", "b.yaml", deepBlock.String(), "b.yaml:258:257: nested more than 256 levels deep"},
		{"sequence nesting", "s.yaml", "name: x\nflows:\n" + strings.Repeat("- ", 1000) + "x\n", "s.yaml:3:511: nested more than 256 levels deep"},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			var err error
			if c.src != "" {
				_, err = Parse(c.file, []byte(c.src))
			} else {
				_, err = Load(c.file)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	// Just inside the limits still parses (to a schema error, not a limit).
	ok := "name: x\nflows: " + strings.Repeat("[", 200) + strings.Repeat("]", 200) + "\n"
	if _, err := Parse("ok.yaml", []byte(ok)); err == nil || strings.Contains(err.Error(), "nested") {
		t.Fatalf("200 deep: %v", err)
	}
}

// Anchors, aliases and merge keys work as YAML says, with the same checks.
func TestAnchorsAndMergeKeys(t *testing.T) {
	src := "name: t\nlink: {rate: 10Mbps}\nflows:\n  - &base {name: a, protocol: tcp, bytes: 1MB, mss: 1000}\n  - {<<: *base, name: b, mss: 500}\n"
	s := mustParse(t, src)
	if s.Flows[0].TCP.MSS != 1000 || s.Flows[1].TCP.MSS != 500 || s.Flows[1].TCP.Bytes != 1e6 || s.Flows[1].Name != "b" {
		t.Fatalf("merge: %+v %+v", s.Flows[1], s.Flows[1].TCP)
	}
	_, err := Parse("x.yaml", []byte(strings.Replace(src, "mss: 500", "mss: 0", 1)))
	if err == nil || !strings.Contains(err.Error(), `flows[1].mss: "0" is not a valid mss`) {
		t.Fatalf("merged flow: %v", err)
	}
}

// The table of defaults decodes through the fields' own decoders, names
// only real fields, and is the one docs/scenarios.md shows.
func TestDefaultsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range Defaults() {
		key := d.Scope + "/" + d.Field
		if seen[key] {
			t.Errorf("%s listed twice", key)
		}
		seen[key] = true
		if d.Source == "" {
			t.Errorf("%s has no source", key)
		}
	}
	dec := newDecoder("defaults", nil)
	for _, err := range []error{
		applyDefaults(dec, "scenario", scenarioFields(), &Scenario{pos: map[string]Pos{}}),
		applyDefaults(dec, "link", directionFields(), &Direction{}),
		applyDefaults(dec, "flow", flowFields(), &Flow{}),
		applyDefaults(dec, "tcp flow", tcpFields(), &TCPFlow{}),
		applyDefaults(dec, "udp flow", udpFields(), &UDPFlow{}),
		applyDefaults(dec, "rdt flow", rdtFields(), &RDTFlow{}),
		applyDefaults(dec, "gilbert-elliott loss", lossFields("gilbert-elliott"), &Loss{}),
		applyDefaults(dec, "bernoulli loss", lossFields("bernoulli"), &Loss{}),
		applyDefaults(dec, "fault", faultFields(), &Fault{}),
		applyDefaults(dec, "red", redFields(), &RED{}),
		applyDefaults(dec, "codel", codelFields(), &CoDel{}),
	} {
		if err != nil {
			t.Error(err)
		}
	}
	for _, d := range Defaults() {
		var fs []string
		switch d.Scope {
		case "scenario":
			fs = strings.Split(names(scenarioFields()), ", ")
		case "link":
			fs = strings.Split(names(directionFields()), ", ")
		case "flow":
			fs = strings.Split(names(flowFields()), ", ")
		case "tcp flow", profileScope("linux"), profileScope("ns3"):
			fs = strings.Split(names(tcpFields()), ", ")
		case "udp flow":
			fs = strings.Split(names(udpFields()), ", ")
		case "rdt flow":
			fs = strings.Split(names(rdtFields()), ", ")
		case "gilbert-elliott loss", "bernoulli loss":
			fs = strings.Split(names(lossFields(strings.TrimSuffix(d.Scope, " loss"))), ", ")
		case "fault":
			fs = strings.Split(names(faultFields()), ", ")
		case "red":
			fs = strings.Split(names(redFields()), ", ")
		case "codel":
			fs = strings.Split(names(codelFields()), ", ")
		default:
			t.Errorf("unknown scope %q", d.Scope)
		}
		if !strings.Contains(","+strings.Join(fs, ",")+",", ","+d.Field+",") {
			t.Errorf("%s %s is not a field", d.Scope, d.Field)
		}
	}
}

// TestDocsDefaults: docs/scenarios.md's table of defaults is
// DefaultsMarkdown.
func TestDocsDefaults(t *testing.T) {
	page, err := os.ReadFile("../../docs/scenarios.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), DefaultsMarkdown()) {
		t.Errorf("docs/scenarios.md lacks the table of defaults; paste this under \"Defaults\":\n%s", DefaultsMarkdown())
	}
}

// A profile sets a flow's defaults in one line, each from its documented
// source, and any field the file writes still wins.
func TestProfiles(t *testing.T) {
	for _, c := range []struct {
		name, fields string
		check        func(f *TCPFlow) bool
	}{
		{"textbook is the plain defaults", "profile: textbook", func(f *TCPFlow) bool {
			return f.Congestion == "newreno" && !f.SACK && !f.Timestamps && f.MinRTO == 1e9 && !f.DelayedAck.On && f.MSS == 1460
		}},
		{"linux", "profile: linux", func(f *TCPFlow) bool {
			return f.Congestion == "cubic-linux" && f.SACK && f.Timestamps && f.InitialWindow == 10 && f.MinRTO == 200e6 &&
				f.MaxRTO == 120e9 && f.DelayedAck == DelAck{On: true, Timeout: 40e6} && f.QuickAcks == 16 && f.RecvBuffer == 128<<10 &&
				f.RecvBufferMax == 32<<20 && f.ByteCounting && f.NewRenoRecovery && f.DelAckATO && f.HyStart == "auto"
		}},
		{"ns3", "profile: ns3", func(f *TCPFlow) bool {
			return f.Congestion == "newreno" && f.SACK && f.Timestamps && f.InitialWindow == 10 && f.MinRTO == 1e9 &&
				f.DelayedAck == DelAck{On: true, Timeout: 200e6} && f.MSS == 536 && f.RecvBuffer == 128<<10
		}},
		{"an explicit field wins, before or after the profile", "congestion: reno\nprofile: linux\nsack: false", func(f *TCPFlow) bool {
			return f.Congestion == "reno" && !f.SACK && f.Timestamps && f.MinRTO == 200e6
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := mustParse(t, doc("", "", "bytes: 1MB\n"+c.fields, "count: 10"))
			if f := s.Flows[0].TCP; !c.check(f) {
				t.Fatalf("got %+v", *f)
			}
		})
	}
	_, err := Parse("x.yaml", []byte(doc("", "", "bytes: 1MB\nprofile: windows", "count: 10")))
	if err == nil || !strings.Contains(err.Error(), `"windows" is not a valid profile: want textbook, linux or ns3`) {
		t.Fatalf("got %v", err)
	}
}
