package trace

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"tcpsim/sim"
)

func TestWriterFormats(t *testing.T) {
	e := Event{T: 1500000000, Flow: "file", Kind: Send, Dir: "a->b", Proto: "tcp", Seq: 1, Ack: 2, Flags: "ACK", Win: 65535, Len: 1460, Retrans: true, Packet: []byte{1}}
	var j, x bytes.Buffer
	jw, tw := NewWriter(&j, false), NewWriter(&x, true)
	f := &Filter{Flow: "file", From: 1e9, To: 2e9, Next: Multi{jw, tw}}
	f.Event(&e)
	other := e
	other.Flow = "video"
	f.Event(&other) // filtered out by flow
	late := e
	late.T = 3e9
	f.Event(&late) // filtered out by time
	if err := jw.Flush(); err != nil {
		t.Fatal(err)
	}
	tw.Flush()
	var got map[string]any
	if err := json.Unmarshal(j.Bytes(), &got); err != nil || got["t"] != 1.5 || got["event"] != "send" || got["retrans"] != true {
		t.Fatalf("json %s: %v", j.String(), err)
	}
	if strings.Count(j.String(), "\n") != 1 || strings.Contains(j.String(), "Packet") {
		t.Fatalf("json lines: %q", j.String())
	}
	if want := "    1.500000 file     send          a->b tcp ACK seq=1 ack=2 win=65535 len=1460 retransmission\n"; x.String() != want {
		t.Fatalf("text %q, want %q", x.String(), want)
	}
	r := &Recorder{}
	r.Event(&e)
	if len(r.Events) != 1 || r.Events[0].Packet != nil {
		t.Fatal("recorder must keep the event without its packet bytes")
	}
}

// chunks records every Write it is given.
type chunks struct{ writes [][]byte }

func (c *chunks) Write(p []byte) (int, error) {
	c.writes = append(c.writes, bytes.Clone(p))
	return len(p), nil
}

// Whatever the buffer size, the underlying writer only ever sees whole
// records, so a trace cut short by an interruption or a kill ends on a
// record boundary, and the records flushed so far all parse.
func TestWriterHandsOnWholeRecords(t *testing.T) {
	for _, text := range []bool{false, true} {
		var c chunks
		w := NewWriter(&c, text)
		for i := range 20000 {
			e := Event{T: sim.Time(1000 * i), Flow: "file", Kind: Send, Dir: "a->b", Proto: "tcp", Seq: uint32(i), Len: 1460, Detail: strings.Repeat("x", i%97)}
			w.Event(&e)
		}
		if len(c.writes) < 2 {
			t.Fatalf("text=%v: %d writes before Flush, want several (the test needs the buffer to fill)", text, len(c.writes))
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		n := 0
		for i, b := range c.writes {
			if len(b) == 0 || b[len(b)-1] != '\n' {
				t.Fatalf("text=%v: write %d of %d ends mid-record: ...%q", text, i, len(c.writes), b[max(0, len(b)-40):])
			}
			for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
				if !text {
					var v map[string]any
					if err := json.Unmarshal([]byte(line), &v); err != nil {
						t.Fatalf("write %d: line %q: %v", i, line, err)
					}
				}
				n++
			}
		}
		if n != 20000 {
			t.Fatalf("text=%v: %d records written, want 20000", text, n)
		}
	}
}

// JSON records are not HTML-escaped ("a->b" as typed), and with SetRun
// every record names its run: JSON "run": k, text "run k " first.
func TestWriterRunAndEscaping(t *testing.T) {
	e := Event{T: 2e9, Flow: "f", Kind: Deliver, Dir: "a->b", Proto: "udp", Len: 10}
	for _, c := range []struct {
		name string
		text bool
		run  int
		want string
	}{
		{"json one run", false, 0, `{"t":2,"flow":"f","event":"deliver","dir":"a->b","proto":"udp","len":10}` + "\n"},
		{"json run 2", false, 2, `{"t":2,"run":2,"flow":"f","event":"deliver","dir":"a->b","proto":"udp","len":10}` + "\n"},
		{"text one run", true, 0, "    2.000000 f        deliver       a->b udp len=10\n"},
		{"text run 3", true, 3, "run 3     2.000000 f        deliver       a->b udp len=10\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			w := NewWriter(&b, c.text)
			w.SetRun(c.run)
			ev := e
			w.Event(&ev)
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if b.String() != c.want {
				t.Fatalf("got %q, want %q", b.String(), c.want)
			}
		})
	}
}

// A segment's SACK blocks appear in the text line and the JSON record only
// when it carries some, so traces without SACK read as before.
func TestSACKBlocksInRecords(t *testing.T) {
	e := Event{Kind: Deliver, Dir: "b->a", Proto: "tcp", Flags: "ACK", Seq: 1, Ack: 1001, Win: 65535}
	plain := Text(&e)
	var js bytes.Buffer
	w := NewWriter(&js, false)
	w.Event(&e)
	e.SACK.N = 2
	e.SACK.Blocks[0] = [2]uint32{2461, 3921}
	e.SACK.Blocks[1] = [2]uint32{5381, 6841}
	if got, want := Text(&e), strings.Replace(plain, " win=65535 len=0", " win=65535 sack=2461-3921,5381-6841 len=0", 1); got != want || got == plain {
		t.Errorf("text %q, want %q", got, want)
	}
	w.Event(&e)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(js.String()), "\n")
	if len(lines) != 2 || strings.Contains(lines[0], "sack") || !strings.Contains(lines[1], `"sack":[[2461,3921],[5381,6841]]`) {
		t.Errorf("JSON records:\n%s", js.String())
	}
}

// TestTextNames: the text trace keeps a line's fields separated by spaces
// whatever the flow is called: a one-word name is written as it is, any
// other is quoted (issue 21, item 9; before the fix "my flow" made two
// fields and a newline split the line).
func TestTextNames(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"file", "file"},
		{"a|b", "a|b"},
		{"vidéo#2", "vidéo#2"},
		{"日本", "日本"},
		{"my flow", `"my flow"`},
		{`say "hi"`, `"say \"hi\""`},
		{`back\slash`, `"back\\slash"`},
		{"a\nb", `"a\nb"`},
		{"nul\x00", `"nul\x00"`},
		{"\u00a0nbsp", `"\u00a0nbsp"`},
	} {
		if got := TextName(c.name); got != c.want {
			t.Errorf("TextName(%q) = %s, want %s", c.name, got, c.want)
		}
		// A reader takes the second field as a Go string literal when it
		// starts with a quote, else up to the next space.
		line := Text(&Event{T: 1, Flow: c.name, Kind: Send})
		rest := strings.TrimLeft(line, " ")
		rest = rest[strings.IndexByte(rest, ' ')+1:]
		field := rest[:strings.IndexByte(rest, ' ')]
		name := field
		if strings.HasPrefix(rest, `"`) {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				t.Fatalf("Text with flow %q = %q: %v", c.name, line, err)
			}
			field = q
			name, _ = strconv.Unquote(q)
		}
		if field != c.want || name != c.name || strings.ContainsAny(line, "\n\x00") || strings.Fields(line[len(line)-len(rest)+len(field):])[0] != Send {
			t.Errorf("Text with flow %q = %q: want the second field %s, then %s", c.name, line, c.want, Send)
		}
	}
}
