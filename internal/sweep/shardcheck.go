package sweep

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	proto "tcpsim/internal/protocol"
)

// Limits on what merge reads of a shard file, so that a file that is not
// a shard (`tcpsim merge /dev/zero`, a log, a disk image) is refused after
// a few bytes instead of being read until memory runs out.
const (
	// MaxHeaderLine bounds a shard's first line, the sweep's description:
	// every point's values (at most MaxPoints of them) and the flows.
	// WriteShard refuses a sweep whose description is longer.
	MaxHeaderLine = 16 << 20
	// MaxShardBytes bounds a whole shard file. A shard is tighter still:
	// its header line, then at most as many record lines as its header
	// names runs, each at most recordLineMax bytes long.
	MaxShardBytes = 8 << 30
)

// recordLineMax is the longest record line a sweep of m can write: JSON
// escapes a byte in at most 6 ("\u0000"), so names count six times; every
// number takes at most 24 bytes; and the status names at most one flow
// beside a short reason.
func recordLineMax(m *Meta) int {
	longest := 0
	for _, f := range m.Flows {
		longest = max(longest, len(f.Name))
	}
	n := 1024 + 6*longest // run, point, seed, ok, failed_because, status
	for _, f := range m.Flows {
		n += 512 + 6*len(f.Name)
	}
	return n
}

// errLineTooLong is what readLine returns for a line longer than its
// bound.
var errLineTooLong = errors.New("line too long")

// readLine returns the next line of br with its '\n' (without one at the
// end of the file), io.EOF when nothing is left, and errLineTooLong as
// soon as the line grows past limit bytes: it never holds more than limit
// bytes of one line.
func readLine(br *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	for {
		frag, err := br.ReadSlice('\n')
		n := len(line) + len(frag)
		if n > limit {
			return nil, errLineTooLong
		}
		if n > cap(line) {
			// Doubling (append grows large slices by a quarter)
			// keeps the bytes allocated for a line within twice
			// its length.
			grown := make([]byte, len(line), min(max(2*cap(line), n), limit))
			copy(grown, line)
			line = grown
		}
		line = append(line, frag...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			if errors.Is(err, io.EOF) && len(line) > 0 {
				return line, nil
			}
			return line, err
		}
	}
}

// decodeStrict decodes one JSON object from line into v: unknown fields
// are errors, and so is a missing one among required (the object's keys
// that the writer always writes) or a second value after the first.
func decodeStrict(line []byte, v any, required []string) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value on the line")
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(line, &keys); err != nil {
		return err
	}
	for _, k := range required {
		if _, ok := keys[k]; !ok {
			return fmt.Errorf("field %q is missing", k)
		}
	}
	return nil
}

var (
	headerKeys = []string{"tcpsim_sweep_shard", "shard", "shard_runs", "sweep"}
	metaKeys   = []string{"file", "scenario", "scenario_sha256", "grid_sha256", "vary", "seeds", "base_seed", "flows", "point_values"}
	recordKeys = []string{"run", "point", "seed", "ok", "failed_because", "status", "flows"}
	flowKeys   = []string{"flow", "complete", "failed_because", "goodput_bps", "delivery_ratio", "retransmissions", "completion_time_s"}
)

// decodeHeader decodes a shard's header line and checks that it agrees
// with itself: its grid hash is that of its axes and seed count, its
// points are exactly the grid of its axes, its flows are named once each
// with a known protocol, and its seeds do not wrap around.
func decodeHeader(line []byte) (shardHeader, error) {
	var h shardHeader
	if err := decodeStrict(line, &h, headerKeys); err != nil {
		return h, err
	}
	var raw struct {
		Meta   json.RawMessage `json:"sweep"`
		Format int             `json:"tcpsim_sweep_shard"`
	}
	if err := json.Unmarshal(line, &raw); err != nil {
		return h, err
	}
	if raw.Format != shardFormat {
		return h, nil // the caller names the version
	}
	if err := decodeStrict(raw.Meta, new(Meta), metaKeys); err != nil {
		return h, fmt.Errorf("sweep: %w", err)
	}
	return h, checkMeta(&h.Meta)
}

// checkMeta checks that a shard header's description of its sweep
// agrees with itself.
func checkMeta(m *Meta) error {
	if len(m.ScenarioSHA256) != 64 || !isHex(m.ScenarioSHA256) {
		return fmt.Errorf("scenario_sha256 %q is not a SHA-256 in hex", m.ScenarioSHA256)
	}
	if err := checkAxes(m.Axes); err != nil {
		return fmt.Errorf("vary: %w", err)
	}
	if m.Seeds < 1 {
		return fmt.Errorf("seeds %d: want at least 1", m.Seeds)
	}
	n, err := gridSize(m.Axes, m.Seeds)
	if err != nil {
		return err
	}
	if m.GridSHA256 != gridHash(m.Axes, m.Seeds) {
		return fmt.Errorf("grid_sha256 is not the hash of its vary and seeds: the header was edited")
	}
	if len(m.Labels) != n {
		return fmt.Errorf("%d point_values for a grid of %d points", len(m.Labels), n)
	}
	for i, l := range m.Labels {
		if want := labelOf(m.Axes, i); !slices.Equal(l, want) {
			return fmt.Errorf("point %d has values %q, want %q", i, l, want)
		}
	}
	if uint64(m.Seeds-1) > math.MaxUint64-m.BaseSeed {
		return fmt.Errorf("base_seed %d and %d seeds go past the largest seed", m.BaseSeed, m.Seeds)
	}
	if len(m.Flows) == 0 {
		return fmt.Errorf("no flows")
	}
	seen := map[string]bool{}
	for i, f := range m.Flows {
		switch {
		case f.Name == "":
			return fmt.Errorf("flow %d has no name", i)
		case seen[f.Name]:
			return fmt.Errorf("flow %q is named twice", f.Name)
		case !known(f.Protocol):
			return fmt.Errorf("flow %q has protocol %q", f.Name, f.Protocol)
		}
		seen[f.Name] = true
	}
	return nil
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

// decodeRecord decodes one record line of a shard.
func decodeRecord(line []byte) (recordJSON, error) {
	var j recordJSON
	if err := decodeStrict(line, &j, recordKeys); err != nil {
		return j, err
	}
	var raw struct {
		Flows []json.RawMessage `json:"flows"`
	}
	if err := json.Unmarshal(line, &raw); err != nil {
		return j, err
	}
	for i, f := range raw.Flows {
		if err := decodeStrict(f, new(flowRecordJSON), flowKeys); err != nil {
			return j, fmt.Errorf("flow %d: %w", i, err)
		}
	}
	return j, nil
}

// checkValues checks that a record's numbers could be true of a run of
// the sweep: a run is ok exactly when its status says "complete", and
// then every flow completed; a flow is complete exactly when it has no
// failed_because; goodput, delivery ratio, retransmissions and completion
// time are finite and not negative, a ratio at most 1 and a count whole;
// an unfinished flow has no goodput and no completion time; a UDP flow
// has no retransmissions and every other flow has.
func checkValues(j *recordJSON, m *Meta) error {
	if j.OK != (j.Status == "complete") {
		return fmt.Errorf("run %d: ok is %v but status is %q", j.Run, j.OK, j.Status)
	}
	for i, f := range j.Flows {
		name := m.Flows[i].Name
		bad := func(format string, a ...any) error {
			return fmt.Errorf("run %d: flow %s: "+format, append([]any{j.Run, name}, a...)...)
		}
		if f.Complete != (f.FailedBecause == nil) {
			return bad("complete is %v but failed_because is %s", f.Complete, jsonText(f.FailedBecause))
		}
		if j.OK && !f.Complete {
			return bad("not complete in a run that is ok")
		}
		for _, v := range []struct {
			key      string
			p        *float64
			whole    bool
			atMost1  bool
			required bool
			absent   bool
		}{
			{"goodput_bps", f.Goodput, false, false, false, !f.Complete},
			{"delivery_ratio", f.DeliveryRatio, false, true, true, false},
			{"retransmissions", f.Retransmissions, true, false, !proto.IsFamily(m.Flows[i].Protocol, proto.UDP), proto.IsFamily(m.Flows[i].Protocol, proto.UDP)},
			{"completion_time_s", f.CompletionTime, false, false, false, !f.Complete},
			{"queue_delay_mean_s", f.QueueDelayMean, false, false, false, false},
			{"queue_delay_p99_s", f.QueueDelayP99, false, false, false, false},
		} {
			switch {
			case v.p == nil && v.required:
				return bad("%s is null", v.key)
			case v.p == nil:
			case v.absent:
				return bad("%s is %v, want null", v.key, *v.p)
			case math.IsNaN(*v.p) || math.IsInf(*v.p, 0) || *v.p < 0:
				return bad("%s is %v, want a number at least 0", v.key, *v.p)
			case v.atMost1 && *v.p > 1:
				return bad("%s is %v, want at most 1", v.key, *v.p)
			case v.whole && (*v.p != math.Trunc(*v.p) || *v.p > 1<<53):
				return bad("%s is %v, want a whole number", v.key, *v.p)
			}
		}
	}
	return nil
}

// jsonText shows a nullable string as JSON does.
func jsonText(s *string) string {
	if s == nil {
		return "null"
	}
	return fmt.Sprintf("%q", *s)
}

// known reports whether name is a protocol of the table.
func known(name string) bool {
	_, ok := proto.Parse(name)
	return ok
}
