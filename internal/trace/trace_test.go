package trace

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
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
