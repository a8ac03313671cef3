package sweep

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// editLine rewrites line i (from 0) of a shard file's bytes through a
// JSON object: edit gets the line decoded (numbers kept as written) and
// changes it in place.
func editLine(t *testing.T, b []byte, i int, edit func(m map[string]any)) []byte {
	t.Helper()
	lines := bytes.SplitAfter(b, []byte("\n"))
	dec := json.NewDecoder(bytes.NewReader(lines[i]))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	lines[i] = append(out, '\n')
	return bytes.Join(lines, nil)
}

// flowOf returns flow k of a decoded record line.
func flowOf(m map[string]any, k int) map[string]any {
	return m["flows"].([]any)[k].(map[string]any)
}

// meta returns the sweep description of a decoded header line.
func meta(m map[string]any) map[string]any { return m["sweep"].(map[string]any) }

// Issue 21, item 7: merge accepted impossible values, headers that
// contradict themselves, and read `merge /dev/zero` until memory ran out.
// Every class of bad shard is refused, naming the file and the line of
// the first bad record. (Every case but "good" and "old header check"
// failed before the fix, /dev/zero by never returning.)
func TestMergeRefusesBadShards(t *testing.T) {
	dir := t.TempDir()
	// Flow 0 (file) is TCP, flow 1 (video) UDP; 24 runs in 2 shards.
	good := shards(t, plan(t), dir, 2)
	orig, err := os.ReadFile(good[0])
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rec := func(name string, edit func(m map[string]any)) string {
		return write(name, editLine(t, orig, 2, edit)) // line 3 of the file
	}
	hdr := func(name string, edit func(m map[string]any)) string {
		return write(name, editLine(t, orig, 0, edit))
	}
	extra := bytes.SplitAfter(orig, []byte("\n"))[1]
	for _, c := range []struct {
		name string
		file string
		want string // "" for a good merge
	}{
		{"good", good[0], ""},
		// Impossible values.
		{"delivery ratio 7.5", rec("ratio.jsonl", func(m map[string]any) { flowOf(m, 1)["delivery_ratio"] = 7.5 }),
			"ratio.jsonl: line 3 is corrupt: run 2: flow video: delivery_ratio is 7.5, want at most 1"},
		{"negative goodput", rec("goodput.jsonl", func(m map[string]any) { flowOf(m, 0)["goodput_bps"] = -1000 }),
			"goodput.jsonl: line 3 is corrupt: run 2: flow file: goodput_bps is -1000, want a number at least 0"},
		{"negative time", rec("time.jsonl", func(m map[string]any) { flowOf(m, 0)["completion_time_s"] = -2 }),
			"time.jsonl: line 3 is corrupt: run 2: flow file: completion_time_s is -2"},
		{"fractional retransmissions", rec("retx.jsonl", func(m map[string]any) { flowOf(m, 0)["retransmissions"] = 2.5 }),
			"retx.jsonl: line 3 is corrupt: run 2: flow file: retransmissions is 2.5, want a whole number"},
		{"UDP retransmissions", rec("udpretx.jsonl", func(m map[string]any) { flowOf(m, 1)["retransmissions"] = 3 }),
			"udpretx.jsonl: line 3 is corrupt: run 2: flow video: retransmissions is 3, want null"},
		{"TCP without retransmissions", rec("tcpretx.jsonl", func(m map[string]any) { flowOf(m, 0)["retransmissions"] = nil }),
			"tcpretx.jsonl: line 3 is corrupt: run 2: flow file: retransmissions is null"},
		{"huge number", write("huge.jsonl", bytes.Replace(orig, []byte(`"delivery_ratio":1,`), []byte(`"delivery_ratio":1e999,`), 1)),
			"huge.jsonl: line 2 is corrupt"},
		// Records that contradict themselves.
		{"ok but failed", rec("okfail.jsonl", func(m map[string]any) { m["status"] = "flow file aborted: too many retransmissions" }),
			`okfail.jsonl: line 3 is corrupt: run 2: ok is true but status is "flow file aborted`},
		{"incomplete flow in an ok run", rec("incomplete.jsonl", func(m map[string]any) {
			f := flowOf(m, 0)
			f["complete"], f["failed_because"], f["goodput_bps"], f["completion_time_s"] = false, "time_limit", nil, nil
		}), "incomplete.jsonl: line 3 is corrupt: run 2: flow file: not complete in a run that is ok"},
		{"complete with a failure", rec("compfail.jsonl", func(m map[string]any) { flowOf(m, 0)["failed_because"] = "aborted" }),
			`compfail.jsonl: line 3 is corrupt: run 2: flow file: complete is true but failed_because is "aborted"`},
		{"missing field", rec("missing.jsonl", func(m map[string]any) { delete(m, "status") }),
			`missing.jsonl: line 3 is corrupt: field "status" is missing`},
		{"missing flow field", rec("missingflow.jsonl", func(m map[string]any) { delete(flowOf(m, 1), "delivery_ratio") }),
			`missingflow.jsonl: line 3 is corrupt: flow 1: field "delivery_ratio" is missing`},
		{"two values on a line", write("twovals.jsonl", bytes.Replace(orig, extra, append(bytes.TrimSuffix(extra, []byte("\n")), " {}\n"...), 1)),
			"twovals.jsonl: line 2 is corrupt: more than one JSON value"},
		{"run twice in a shard", write("dup.jsonl", bytes.Replace(editLine(t, orig, 0, func(m map[string]any) {}), extra, append(extra, extra...), 1)),
			"dup.jsonl: line 3 is corrupt"},
		{"more runs than the header", write("more.jsonl", append(bytes.Clone(orig), extra...)),
			"more.jsonl: line 14 is corrupt: the header names 12 runs"},
		// Headers that contradict themselves.
		{"grid hash", hdr("grid.jsonl", func(m map[string]any) {
			meta(m)["vary"].([]any)[0].(map[string]any)["values"] = []any{"0", "3%", "10%"}
		}), "grid.jsonl: line 1: corrupt header line: grid_sha256 is not the hash of its vary and seeds"},
		{"points", hdr("points.jsonl", func(m map[string]any) { meta(m)["point_values"].([]any)[1].([]any)[1] = "tahoe" }),
			`points.jsonl: line 1: corrupt header line: point 1 has values ["0" "tahoe"], want ["0" "newreno"]`},
		{"too few points", hdr("fewpoints.jsonl", func(m map[string]any) { meta(m)["point_values"] = meta(m)["point_values"].([]any)[:5] }),
			"fewpoints.jsonl: line 1: corrupt header line: 5 point_values for a grid of 6 points"},
		{"flow twice", hdr("flows.jsonl", func(m map[string]any) {
			meta(m)["flows"].([]any)[1].(map[string]any)["name"] = "file"
		}), `flows.jsonl: line 1: corrupt header line: flow "file" is named twice`},
		{"protocol", hdr("proto.jsonl", func(m map[string]any) { meta(m)["flows"].([]any)[1].(map[string]any)["protocol"] = "sctp" }),
			`proto.jsonl: line 1: corrupt header line: flow "video" has protocol "sctp"`},
		{"scenario hash", hdr("sha.jsonl", func(m map[string]any) { meta(m)["scenario_sha256"] = "zz" }),
			`sha.jsonl: line 1: corrupt header line: scenario_sha256 "zz" is not a SHA-256 in hex`},
		{"seed wraps", hdr("wrap.jsonl", func(m map[string]any) { meta(m)["base_seed"] = json.Number("18446744073709551614") }),
			"wrap.jsonl: line 1: corrupt header line: base_seed 18446744073709551614 and 4 seeds go past the largest seed"},
		{"header field missing", hdr("nometa.jsonl", func(m map[string]any) { delete(meta(m), "base_seed") }),
			`nometa.jsonl: line 1: corrupt header line: sweep: field "base_seed" is missing`},
		{"old header check", hdr("runs.jsonl", func(m map[string]any) { m["shard_runs"] = 5 }),
			"runs.jsonl: line 1: corrupt header line (shard \"1/2\", 5 runs)"},
		// Files that are no shard at all, of any size.
		{"not JSON", write("text.txt", []byte("hello\n")), "text.txt: not a tcpsim sweep shard"},
		{"/dev/zero", "/dev/zero", "/dev/zero: not a tcpsim sweep shard"},
		{"a record line without end", write("long.jsonl", append(bytes.Clone(orig[:bytes.IndexByte(orig, '\n')+1]), bytes.Repeat([]byte("x"), 10<<20)...)),
			"long.jsonl: line 2 is corrupt: longer than any record of this sweep can be"},
	} {
		t.Run(c.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { _, _, err := readShard(c.file, nil); done <- err }()
			var err error
			select {
			case err = <-done:
			case <-time.After(time.Minute):
				t.Fatalf("readShard(%s) has not returned after a minute", c.file)
			}
			if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("got %v\nwant %q", err, c.want)
			}
		})
	}
}

// A header line that never ends is read up to MaxHeaderLine bytes and no
// further, whatever the source holds: here a pipe that would give bytes
// for ever.
func TestMergeBoundsTheHeaderLine(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no named pipes")
	}
	fifo := filepath.Join(t.TempDir(), "endless")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		chunk := append([]byte(`{"tcpsim_sweep_shard":2,"pad":"`), bytes.Repeat([]byte("x"), 1<<20)...)
		for {
			if _, err := f.Write(chunk); err != nil {
				return // the reader gave up: EPIPE
			}
			chunk = chunk[31:]
		}
	}()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := readShard(fifo, nil)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "line 1 is longer than a shard's header can be") {
		t.Fatalf("got %v, want a refusal of line 1 as too long", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 4*MaxHeaderLine {
		t.Errorf("allocated %d MB reading one header line, want at most %d MB", got>>20, 4*MaxHeaderLine>>20)
	}
}
