package sweep

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// shardHeader is the first line of a shard file. Shard names which slice
// of the runs the file holds and Runs how many, so that a missing or
// truncated shard is named at merge.
type shardHeader struct {
	Format int    `json:"tcpsim_sweep_shard"`
	Shard  string `json:"shard"`
	Runs   int    `json:"shard_runs"`
	Meta   Meta   `json:"sweep"`
}

// WriteShard writes a shard's records as JSON lines after a header line.
// It writes a temporary file beside path and renames it into place, so
// that path holds either the whole shard or nothing new.
func WriteShard(path string, m Meta, shard Shard, recs []Record) error {
	if shard.N < 1 {
		shard = Shard{1, 1}
	}
	var b bytes.Buffer
	h := shardHeader{Format: shardFormat, Shard: shard.String(), Runs: len(recs), Meta: m}
	if err := encodeJSON(&b, h, ""); err != nil {
		return fmt.Errorf("sweep: writing %s: %w", path, err)
	}
	if b.Len() > MaxHeaderLine {
		return fmt.Errorf("sweep: writing %s: the sweep's description (%d bytes: every point's values) is longer than a shard's header may be (%d bytes): use fewer or shorter --vary values", path, b.Len(), MaxHeaderLine)
	}
	for i := range recs {
		if err := encodeJSON(&b, recs[i].toJSON(m.Flows), ""); err != nil {
			return fmt.Errorf("sweep: writing %s: %w", path, err)
		}
	}
	tmp, err := createTemp(path)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	if _, err := tmp.Write(b.Bytes()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("sweep: writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("sweep: writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}

// createTemp creates a new, empty temporary file beside path, named
// .BASE.RANDOM, with permissions 0666 less the umask, as os.Create would
// give path itself. (os.CreateTemp makes it 0600, and the rename kept
// that: a shard was unreadable to the group that merges it.)
func createTemp(path string) (*os.File, error) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	for range 100 {
		name := filepath.Join(dir, fmt.Sprintf(".%s.%016x", base, rand.Uint64()))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("no unused temporary name beside %s", path)
}

// fromJSON checks one shard line against the sweep and converts it.
func fromJSON(j *recordJSON, m *Meta, sh Shard) (Record, error) {
	if j.Run < 0 || j.Run >= m.Runs() {
		return Record{}, fmt.Errorf("run %d is not in the sweep (runs 0..%d)", j.Run, m.Runs()-1)
	}
	if !sh.has(j.Run) {
		return Record{}, fmt.Errorf("run %d does not belong to shard %s", j.Run, sh)
	}
	if j.Point != j.Run/m.Seeds || j.Seed != m.BaseSeed+uint64(j.Run%m.Seeds) {
		return Record{}, fmt.Errorf("run %d has point %d and seed %d, want point %d and seed %d",
			j.Run, j.Point, j.Seed, j.Run/m.Seeds, m.BaseSeed+uint64(j.Run%m.Seeds))
	}
	if len(j.Flows) != len(m.Flows) {
		return Record{}, fmt.Errorf("run %d has %d flows, want %d", j.Run, len(j.Flows), len(m.Flows))
	}
	r := Record{Run: j.Run, Point: j.Point, Seed: j.Seed, Status: j.Status, Flows: make([]FlowRecord, len(j.Flows))}
	failure := func(s *string) (Failure, error) {
		if s == nil {
			return None, nil
		}
		if f, ok := parseFailure(*s); ok && f != None {
			return f, nil
		}
		return None, fmt.Errorf("run %d: unknown failed_because %q", j.Run, *s)
	}
	var err error
	if r.Failure, err = failure(j.FailedBecause); err != nil {
		return Record{}, err
	}
	if j.OK != (r.Failure == None) {
		return Record{}, fmt.Errorf("run %d: ok is %v but failed_because is %v", j.Run, j.OK, r.Failure.Key())
	}
	val := func(p *float64) float64 {
		if p == nil {
			return math.NaN()
		}
		return *p
	}
	for i, f := range j.Flows {
		fr := &r.Flows[i]
		if f.Flow != m.Flows[i].Name {
			return Record{}, fmt.Errorf("run %d: flow %d is %q, want %q", j.Run, i, f.Flow, m.Flows[i].Name)
		}
		if fr.Failure, err = failure(f.FailedBecause); err != nil {
			return Record{}, err
		}
		fr.Complete = f.Complete
		fr.Values = [NumMetrics]float64{val(f.Goodput), val(f.DeliveryRatio), val(f.Retransmissions), val(f.CompletionTime)}
	}
	return r, nil
}

// shardFile is what Merge learnt of one file.
type shardFile struct {
	path  string
	shard Shard
	meta  Meta
}

// Merge reads shard files and returns their common description and all
// records, checking that they belong to one sweep (the same scenario
// content and grid, wherever the file was reached from) and cover every
// run exactly once. Errors name the file, and the missing shards.
func Merge(paths []string) (Meta, []Record, error) {
	if len(paths) == 0 {
		return Meta{}, nil, fmt.Errorf("merge: no shard files given")
	}
	var (
		first *shardFile
		recs  []Record
		seen  = map[int]string{}
		files []shardFile
	)
	for _, p := range paths {
		sf, rs, err := readShard(p, first)
		if err != nil {
			return Meta{}, nil, err
		}
		if first == nil {
			first = &sf
		}
		for _, r := range rs {
			if prev, dup := seen[r.Run]; dup {
				return Meta{}, nil, fmt.Errorf("merge: run %d is in both %s and %s (the same shard given twice?)", r.Run, prev, p)
			}
			seen[r.Run] = p
		}
		recs = append(recs, rs...)
		files = append(files, sf)
	}
	meta := first.meta
	if n := meta.Runs(); len(recs) != n {
		return meta, nil, fmt.Errorf("merge: have %d of %d runs: %s", len(recs), n, missing(files, seen, n))
	}
	return meta, recs, nil
}

// missing words which shards (or runs) are missing.
func missing(files []shardFile, seen map[int]string, runs int) string {
	n := files[0].shard.N
	have := map[int]bool{}
	for _, f := range files {
		if f.shard.N != n {
			n = 0
			break
		}
		have[f.shard.K] = true
	}
	if n > 0 {
		var ks []string
		for k := 1; k <= n; k++ {
			if !have[k] {
				ks = append(ks, fmt.Sprintf("%d/%d", k, n))
			}
		}
		if len(ks) > 0 {
			return plural(len(ks), "shard ", "shards ") + strings.Join(ks, ", ") + " missing"
		}
	}
	var rs []string
	for r := 0; r < runs && len(rs) < 10; r++ {
		if _, ok := seen[r]; !ok {
			rs = append(rs, fmt.Sprint(r))
		}
	}
	return "runs " + strings.Join(rs, ", ") + "... missing"
}

// readShard reads one shard file and checks it against the first one read
// (nil for the first). It reads at most MaxShardBytes, a header line of at
// most MaxHeaderLine bytes and then no more lines than the header names
// runs, each at most recordLineMax bytes; every line is checked against
// the shard format and the header, and an error names the file and the
// line of the first bad one.
func readShard(path string, first *shardFile) (shardFile, []Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return shardFile{}, nil, fmt.Errorf("merge: %w", err)
	}
	defer f.Close()
	notShard := fmt.Errorf("merge: %s: not a tcpsim sweep shard (write one with tcpsim sweep --shard K/N --out FILE)", path)
	br := bufio.NewReaderSize(io.LimitReader(f, MaxShardBytes+1), 64<<10)
	// A shard starts with its JSON header: anything else is refused at
	// its first byte, whatever its size (merge /dev/zero).
	if b, err := br.Peek(1); err != nil || b[0] != '{' {
		return shardFile{}, nil, notShard
	}
	line, err := readLine(br, MaxHeaderLine)
	if errors.Is(err, errLineTooLong) {
		return shardFile{}, nil, fmt.Errorf("merge: %s: line 1 is longer than a shard's header can be (%d bytes): not a tcpsim sweep shard", path, MaxHeaderLine)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return shardFile{}, nil, fmt.Errorf("merge: %s: %w", path, err)
	}
	var version struct {
		Format int `json:"tcpsim_sweep_shard"`
	}
	if json.Unmarshal(line, &version) != nil || version.Format == 0 {
		return shardFile{}, nil, notShard
	}
	if version.Format != shardFormat {
		return shardFile{}, nil, fmt.Errorf("merge: %s: shard format %d, this tcpsim reads format %d: make the shards again with this version", path, version.Format, shardFormat)
	}
	if err != nil || !bytes.HasSuffix(line, []byte("\n")) {
		return shardFile{}, nil, fmt.Errorf("merge: %s is truncated: it ends inside its header line", path)
	}
	h, err := decodeHeader(line)
	if err != nil {
		return shardFile{}, nil, fmt.Errorf("merge: %s: line 1: corrupt header line: %v", path, err)
	}
	sh, err := ParseShard(h.Shard)
	if err != nil || h.Runs != sh.size(h.Meta.Runs()) {
		return shardFile{}, nil, fmt.Errorf("merge: %s: line 1: corrupt header line (shard %q, %d runs)", path, h.Shard, h.Runs)
	}
	sf := shardFile{path: path, shard: sh, meta: h.Meta}
	if first != nil {
		a, b := first.meta, h.Meta
		switch {
		case a.ScenarioSHA256 != b.ScenarioSHA256:
			return sf, nil, fmt.Errorf("merge: %s and %s were made from different scenario files (%s: content sha256 %.12s..., %s: %.12s...): was %s edited between the shards?",
				first.path, path, a.File, a.ScenarioSHA256, b.File, b.ScenarioSHA256, b.File)
		case a.GridSHA256 != b.GridSHA256:
			return sf, nil, fmt.Errorf("merge: %s and %s belong to different sweeps of the same file (different --vary or --seeds)", first.path, path)
		}
		// The same content and grid: everything else must agree too
		// (only the file's name may differ).
		b.File = a.File
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			return sf, nil, fmt.Errorf("merge: %s: line 1: corrupt header line: it disagrees with %s's", path, first.path)
		}
	}
	limit := recordLineMax(&h.Meta)
	var recs []Record
	lineOf := map[int]int{} // run -> its line
	for n := 2; ; n++ {
		line, err := readLine(br, limit)
		if errors.Is(err, errLineTooLong) {
			return sf, nil, fmt.Errorf("merge: %s: line %d is corrupt: longer than any record of this sweep can be (%d bytes)", path, n, limit)
		}
		if len(line) == 0 && errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return sf, nil, fmt.Errorf("merge: %s: %w", path, err)
		}
		if len(recs) == h.Runs {
			return sf, nil, fmt.Errorf("merge: %s: line %d is corrupt: the header names %d runs, and they have all been read", path, n, h.Runs)
		}
		if !bytes.HasSuffix(line, []byte("\n")) {
			return sf, nil, fmt.Errorf("merge: %s is truncated: line %d is cut short (%d of %d runs whole)", path, n, len(recs), h.Runs)
		}
		j, err := decodeRecord(line)
		if err != nil {
			return sf, nil, fmt.Errorf("merge: %s: line %d is corrupt: %v", path, n, err)
		}
		r, err := fromJSON(&j, &h.Meta, sh)
		if err == nil {
			err = checkValues(&j, &h.Meta)
		}
		if err != nil {
			return sf, nil, fmt.Errorf("merge: %s: line %d is corrupt: %v", path, n, err)
		}
		if prev, dup := lineOf[r.Run]; dup {
			return sf, nil, fmt.Errorf("merge: %s: line %d is corrupt: run %d is on line %d already", path, n, r.Run, prev)
		}
		lineOf[r.Run] = n
		recs = append(recs, r)
	}
	if len(recs) != h.Runs {
		return sf, nil, fmt.Errorf("merge: %s is truncated: it has %d of its shard's %d runs", path, len(recs), h.Runs)
	}
	slices.SortFunc(recs, func(a, b Record) int { return a.Run - b.Run })
	return sf, recs, nil
}
