package run

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"tcpsim/internal/scenario"
)

// Scenarios the extreme-scenario generator found breaking an invariant,
// kept with the seed that broke it. Each must run to a verdict: no panic
// and every invariant of Check.
//
// persist-override-pipe: a linux-profile sender whose timeout had rewound
// SND.NXT to SND.UNA while the loss recovery's pipe still counted data up
// to SND.MAX; the persist timer's override (RFC 9293 §3.8.6.2.1) sent a
// full segment over cwnd ("pipe 97239 with the new segment > cwnd 65495").
//
// rack-partly-sacked: RACK deemed lost a segment of which the scoreboard
// held SACKed bytes (blocks not on the segment's edges, MSS 64 under
// reordering and duplication) and resent it whole ("retransmitting SACKed
// data in [25376, 25428)").
func TestGeneratorRegressions(t *testing.T) {
	for _, c := range []struct {
		file string
		seed uint64
	}{
		{"persist-override-pipe.yaml", 2037101270570768517},
		{"rack-partly-sacked.yaml", 9757747483681642174},
	} {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join("testdata", "regress", c.file)
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := scenario.Parse(path, src)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Scenario(sc, c.seed)
			var pe *PanicError
			if errors.As(err, &pe) {
				t.Fatalf("%v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range Check(res) {
				t.Errorf("invariant broken: %v", v)
			}
		})
	}
}
