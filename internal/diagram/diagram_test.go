package diagram

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func draw(t *testing.T, file string, ascii bool) string {
	t.Helper()
	sc, err := scenario.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	c := &trace.Recorder{}
	if _, err := run.ScenarioWith(sc, sc.Seed, run.Options{Trace: &trace.Filter{Flow: sc.Flows[0].Name, Next: c}}); err != nil {
		t.Fatal(err)
	}
	return Draw(c.Events, Options{ASCII: ascii, Delay: sc.LinkConfig("forward").Delay})
}

// Golden diagrams: go test ./internal/diagram -update rewrites them.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yaml")
	if len(files) < 3 {
		t.Fatal("missing testdata scenarios")
	}
	for _, f := range files {
		for _, ascii := range []bool{false, true} {
			golden := strings.TrimSuffix(f, ".yaml") + map[bool]string{false: ".golden", true: ".ascii.golden"}[ascii]
			got := draw(t, f, ascii)
			if *update {
				os.WriteFile(golden, []byte(got), 0o644)
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/diagram -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the drawing; if the change is intended, run with -update\n%s", golden, got)
			}
		}
	}
}

// What each drawing must show, independent of layout details.
func TestDiagramShows(t *testing.T) {
	hs := draw(t, "testdata/handshake-teardown.yaml", true)
	for _, want := range []string{"a->b SYN seq=0 win=65535", "b->a SYN,ACK seq=0 ack=1 win=65535", "a->b ACK ack=1 win=65536",
		"client SYN-SENT => ESTABLISHED", "FIN seq=101", "client FIN-WAIT-2 => TIME-WAIT", "server LAST-ACK => CLOSED"} {
		if !strings.Contains(hs, want) {
			t.Errorf("handshake diagram lacks %q", want)
		}
	}
	loss := draw(t, "testdata/loss-fast-timeout.yaml", true)
	for _, want := range []string{"X lost:", "(duplicate ACK)", "(fast retransmission)", "(timeout retransmission)", "TIMEOUT: client's retransmission timer fired"} {
		if !strings.Contains(loss, want) {
			t.Errorf("loss diagram lacks %q", want)
		}
	}
	cor := draw(t, "testdata/corruption.yaml", true)
	if !strings.Contains(cor, "bad checksum, dropped") {
		t.Errorf("corruption diagram lacks the checksum drop:\n%s", cor)
	}
	sack := draw(t, "testdata/sack.yaml", true)
	for _, want := range []string{"b->a ACK ack=20001 SACK 21001-22001", "SACK 23001-24001 21001-22001", "(fast retransmission)"} {
		if !strings.Contains(sack, want) {
			t.Errorf("SACK diagram lacks %q", want)
		}
	}
	// Unicode and ASCII differ only in glyphs.
	u := draw(t, "testdata/handshake-teardown.yaml", false)
	if !strings.Contains(u, "╲") || strings.Contains(hs, "╲") {
		t.Error("glyph sets mixed up")
	}
}

// SACK blocks are labelled after the ACK, relative to the same ISN
// (RFC 2018): "ACK ack=1001 SACK 2461-3921".
func TestLabelSACK(t *testing.T) {
	isn := map[string]uint32{"a->b": 1000, "b->a": 5000}
	ack := trace.Event{Proto: "tcp", Dir: "b->a", Flags: "ACK", Seq: 5001, Ack: 2001, Win: 65535}
	ack.SACK.N = 2
	ack.SACK.Blocks[0] = [2]uint32{3461, 4921}
	ack.SACK.Blocks[1] = [2]uint32{6381, 7841}
	if got, want := label(&ack, isn), "ACK ack=1001 SACK 2461-3921 5381-6841"; got != want {
		t.Errorf("pure ACK: %q, want %q", got, want)
	}
	data := ack
	data.Len, data.Flags = 100, "PSH,ACK"
	if got, want := label(&data, isn), "seq=1 len=100 ack=1001 SACK 2461-3921 5381-6841"; got != want {
		t.Errorf("data with SACK: %q, want %q", got, want)
	}
	// Across the wrap of the sequence space.
	base := uint32(0xfffffc00)
	isn["a->b"] = base
	ack.Ack, ack.SACK.N, ack.SACK.Blocks[0] = base+1001, 1, [2]uint32{base + 2461, base + 3921}
	if got, want := label(&ack, isn), "ACK ack=1001 SACK 2461-3921"; got != want {
		t.Errorf("across the wrap: %q, want %q", got, want)
	}
}
