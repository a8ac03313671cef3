package sweep

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
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
	w, err := createShard(path, m, shard, len(recs))
	if err != nil {
		return err
	}
	for i := range recs {
		if err := w.Add(&recs[i]); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Close()
}

// ShardWriter writes a shard file as its records come, in run order: a
// header line, then a JSON line per run, into a side file that Close
// renames into place, so that the shard's path holds either the whole
// shard or nothing new. OpenShard's side file (PATH.partial) keeps the
// runs written when a sweep is stopped, to be resumed.
type ShardWriter struct {
	path, tmp string
	f         *os.File
	bw        *bufio.Writer
	m         Meta
	runs      int // the runs the header names
	written   int
	last      int // the last run written; -1: none
	counts    Counts
	keep      bool // Abort keeps the side file (PATH.partial)
	complete  bool // the shard was whole at path already: nothing to write
}

// createShard starts a shard of runs records at path, in a temporary
// file beside it (removed by Abort).
func createShard(path string, m Meta, shard Shard, runs int) (*ShardWriter, error) {
	if shard.N < 1 {
		shard = Shard{1, 1}
	}
	hdr, err := shardHeaderLine(path, m, shard, runs)
	if err != nil {
		return nil, err
	}
	tmp, err := createTemp(path)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	w := &ShardWriter{path: path, tmp: tmp.Name(), f: tmp, bw: bufio.NewWriterSize(tmp, 256<<10), m: m, runs: runs, last: -1}
	if _, err := w.bw.Write(hdr); err != nil {
		w.Abort()
		return nil, fmt.Errorf("sweep: writing %s: %w", path, err)
	}
	return w, nil
}

// shardHeaderLine is a shard's first line.
func shardHeaderLine(path string, m Meta, shard Shard, runs int) ([]byte, error) {
	var b bytes.Buffer
	h := shardHeader{Format: shardFormat, Shard: shard.String(), Runs: runs, Meta: m}
	if err := encodeJSON(&b, h, ""); err != nil {
		return nil, fmt.Errorf("sweep: writing %s: %w", path, err)
	}
	if b.Len() > MaxHeaderLine {
		return nil, fmt.Errorf("sweep: writing %s: the sweep's description (%d bytes: every point's values) is longer than a shard's header may be (%d bytes): use fewer or shorter --vary values", path, b.Len(), MaxHeaderLine)
	}
	return b.Bytes(), nil
}

// Add writes the next record, in run order.
func (w *ShardWriter) Add(r *Record) error {
	if w.complete {
		return fmt.Errorf("sweep: writing %s: run %d: the shard is whole already", w.path, r.Run)
	}
	if r.Run <= w.last {
		return fmt.Errorf("sweep: writing %s: run %d after run %d: records must come in run order", w.path, r.Run, w.last)
	}
	if w.written == w.runs {
		return fmt.Errorf("sweep: writing %s: run %d is one more than the %d runs of the shard", w.path, r.Run, w.runs)
	}
	if err := encodeJSON(w.bw, r.toJSON(w.m.Flows), ""); err != nil {
		return fmt.Errorf("sweep: writing %s: %w", w.tmp, err)
	}
	w.last = r.Run
	w.written++
	w.counts.add(r.Failure)
	return nil
}

// Counts tallies the runs of the shard: those written now and, when it
// was resumed, those written before.
func (w *ShardWriter) Counts() Counts { return w.counts }

// Close writes what is buffered and renames the side file into place; it
// is an error if fewer runs were written than the header names.
func (w *ShardWriter) Close() error {
	if w.complete {
		return nil
	}
	if w.written != w.runs {
		w.Abort()
		return fmt.Errorf("sweep: writing %s: %d of its %d runs written", w.path, w.written, w.runs)
	}
	if err := w.bw.Flush(); err != nil {
		w.keep = false
		w.Abort()
		return fmt.Errorf("sweep: writing %s: %w", w.tmp, err)
	}
	if err := w.f.Close(); err != nil {
		os.Remove(w.tmp)
		return fmt.Errorf("sweep: writing %s: %w", w.tmp, err)
	}
	if err := os.Rename(w.tmp, w.path); err != nil {
		os.Remove(w.tmp)
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}

// Abort stops writing: the side file is removed, or, for a shard opened
// by OpenShard, kept with every whole run written so far, for the next
// OpenShard to resume. It returns the side file's name when kept.
func (w *ShardWriter) Abort() string {
	if w.complete {
		return ""
	}
	flushed := w.bw.Flush() == nil
	w.f.Close()
	if w.keep && flushed {
		return w.tmp
	}
	os.Remove(w.tmp)
	return ""
}

// PartialSuffix names the side file OpenShard writes a shard into, beside
// it, until every run is in: PATH.partial.
const PartialSuffix = ".partial"

// OpenShard starts the shard file path of a sweep of m (the runs of
// shard), resuming an earlier attempt: if path already holds that whole
// shard, every run is done; if PATH.partial holds some of its runs (a
// sweep stopped by a signal, a crash, a killed job), those are kept (a
// line cut short at the end is dropped) and only the others need making.
// Anything else at either path is replaced. done reports whether a run is
// in the file already; their failures are in the writer's Counts. The
// runs come in run order, so those done are the runs up to the last one
// read.
func OpenShard(path string, m Meta, shard Shard) (w *ShardWriter, done func(run int) bool, resumed int, err error) {
	if shard.N < 1 {
		shard = Shard{1, 1}
	}
	runs := shard.size(m.Runs())
	tmp := path + PartialSuffix
	w = &ShardWriter{path: path, tmp: tmp, m: m, runs: runs, last: -1, keep: true}
	none := func(int) bool { return false }
	// A whole shard of this sweep already at path: nothing to do.
	if last, counts, n, _, ok := readResumable(path, m, shard); ok && n == runs {
		w.written, w.last, w.counts, w.complete = n, last, counts, true
		return w, func(int) bool { return true }, n, nil
	}
	last, counts, n, end, ok := readResumable(tmp, m, shard)
	if ok {
		f, err := os.OpenFile(tmp, os.O_WRONLY, 0)
		if err == nil {
			err = f.Truncate(end)
		}
		if err == nil {
			_, err = f.Seek(end, io.SeekStart)
		}
		if err != nil {
			if f != nil {
				f.Close()
			}
			return nil, nil, 0, fmt.Errorf("sweep: resuming %s: %w", tmp, err)
		}
		w.f, w.bw = f, bufio.NewWriterSize(f, 256<<10)
		w.written, w.last, w.counts = n, last, counts
		return w, func(r int) bool { return r <= last }, n, nil
	}
	hdr, err := shardHeaderLine(path, m, shard, runs)
	if err != nil {
		return nil, nil, 0, err
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("sweep: %w", err)
	}
	w.f, w.bw = f, bufio.NewWriterSize(f, 256<<10)
	if _, err := w.bw.Write(hdr); err != nil {
		w.keep = false
		w.Abort()
		return nil, nil, 0, fmt.Errorf("sweep: writing %s: %w", tmp, err)
	}
	return w, none, 0, nil
}

// readResumable reads the shard file path, if it is one of the sweep of m
// and of shard, and returns its last run, the counts of its runs, how
// many there are and the offset past the last whole, valid one.
func readResumable(path string, m Meta, shard Shard) (last int, counts Counts, n int, end int64, ok bool) {
	rd, err := openShard(path, nil)
	if err != nil {
		return 0, Counts{}, 0, 0, false
	}
	defer rd.close()
	want, _ := json.Marshal(m)
	have := rd.sf.meta
	have.File = m.File
	got, _ := json.Marshal(have)
	if rd.sf.shard != shard || !bytes.Equal(want, got) {
		return 0, Counts{}, 0, 0, false
	}
	last, end = -1, rd.offset
	for {
		r, more, err := rd.next()
		if err != nil || !more {
			break
		}
		last, end = r.Run, rd.offset
		counts.add(r.Failure)
		n++
	}
	return last, counts, n, end, true
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
		fr.Values = [NumMetrics]float64{val(f.Goodput), val(f.DeliveryRatio), val(f.Retransmissions), val(f.CompletionTime),
			val(f.QueueDelayMean), val(f.QueueDelayP99)}
	}
	return r, nil
}

// shardFile is what Merge learnt of one file.
type shardFile struct {
	path  string
	shard Shard
	meta  Meta
	runs  int // the runs its header names
}

// Merge reads shard files and returns their common description and all
// records, in run order: MergeTo, collected.
func Merge(paths []string) (Meta, []Record, error) {
	var recs []Record
	m, err := MergeTo(paths, func(r *Record) error {
		recs = append(recs, *r)
		return nil
	}, nil)
	if err != nil {
		return m, nil, err
	}
	return m, recs, nil
}

// MergeTo reads shard files and hands their records to sink in run order,
// reading the files side by side (each is in run order) without holding
// them: memory grows with the number of files, not of runs. It checks
// that they belong to one sweep (the same scenario content and grid,
// wherever the file was reached from) and cover every run exactly once.
// Errors name the file and line, and what is missing: the shards, or the
// runs; sink may have had records before an error. start, if not nil, is
// called with the sweep's description once every header has been checked,
// before the first record.
func MergeTo(paths []string, sink func(*Record) error, start func(Meta) error) (Meta, error) {
	if len(paths) == 0 {
		return Meta{}, fmt.Errorf("merge: no shard files given")
	}
	var (
		first   *shardFile
		readers []*shardReader
	)
	defer func() {
		for _, rd := range readers {
			rd.close()
		}
	}()
	headerRuns := 0
	for _, p := range paths {
		rd, err := openShard(p, first)
		if err != nil {
			return Meta{}, err
		}
		readers = append(readers, rd)
		if first == nil {
			first = &rd.sf
		}
		headerRuns += rd.sf.runs
	}
	meta := first.meta
	total := meta.Runs()
	files := make([]shardFile, len(readers))
	for i, rd := range readers {
		files[i] = rd.sf
	}
	if headerRuns < total {
		if ks := missingShards(files); ks != "" {
			return meta, fmt.Errorf("merge: have %d of %d runs: %s", headerRuns, total, ks)
		}
	}
	if start != nil {
		if err := start(meta); err != nil {
			return meta, err
		}
	}
	// A heap of the readers by their next run.
	h := make(readerHeap, 0, len(readers))
	for _, rd := range readers {
		r, more, err := rd.next()
		if err != nil {
			return meta, err
		}
		if more {
			h = append(h, readerAt{rd, r})
		}
	}
	heap.Init(&h)
	var (
		n, prev  = 0, -1
		prevPath string
		gaps     []string
		gapCount int
	)
	for h.Len() > 0 {
		top := &h[0]
		r := top.rec
		if r.Run == prev {
			return meta, fmt.Errorf("merge: run %d is in both %s and %s (the same shard given twice?)", r.Run, prevPath, top.rd.sf.path)
		}
		for g := prev + 1; g < r.Run; g++ {
			gapCount++
			if len(gaps) < 10 {
				gaps = append(gaps, strconv.Itoa(g))
			}
		}
		prev, prevPath = r.Run, top.rd.sf.path
		if err := sink(&r); err != nil {
			return meta, err
		}
		n++
		next, more, err := top.rd.next()
		if err != nil {
			return meta, err
		}
		if more {
			top.rec = next
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	for g := prev + 1; g < total; g++ {
		gapCount++
		if len(gaps) < 10 {
			gaps = append(gaps, strconv.Itoa(g))
		}
	}
	if n != total || gapCount > 0 {
		what := missingShards(files)
		if what == "" {
			what = plural(gapCount, "run ", "runs ") + strings.Join(gaps, ", ")
			if gapCount > len(gaps) {
				what += fmt.Sprintf(" and %d more", gapCount-len(gaps))
			}
			what += " missing"
		}
		return meta, fmt.Errorf("merge: have %d of %d runs: %s", n, total, what)
	}
	return meta, nil
}

// readerAt is a shard reader and its next record.
type readerAt struct {
	rd  *shardReader
	rec Record
}

// readerHeap orders shard readers by their next run (container/heap: one
// entry per file, not per record).
type readerHeap []readerAt

func (h readerHeap) Len() int           { return len(h) }
func (h readerHeap) Less(i, j int) bool { return h[i].rec.Run < h[j].rec.Run }
func (h readerHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *readerHeap) Push(x any)        { *h = append(*h, x.(readerAt)) }
func (h *readerHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// missingShards words which shards are missing when every file is a
// shard K/N of the same N ("shard 2/3 missing"); "" otherwise, or when
// none is.
func missingShards(files []shardFile) string {
	n := files[0].shard.N
	have := map[int]bool{}
	for _, f := range files {
		if f.shard.N != n {
			return ""
		}
		have[f.shard.K] = true
	}
	var ks []string
	for k := 1; k <= n; k++ {
		if !have[k] {
			ks = append(ks, fmt.Sprintf("%d/%d", k, n))
		}
	}
	if len(ks) == 0 {
		return ""
	}
	return plural(len(ks), "shard ", "shards ") + strings.Join(ks, ", ") + " missing"
}

// shardReader reads a shard file's records one by one, checking each.
type shardReader struct {
	f      *os.File
	br     *bufio.Reader
	sf     shardFile
	h      shardHeader
	limit  int   // the longest record line
	line   int   // the last line read
	read   int   // records read
	last   int   // the last run read; -1: none
	offset int64 // bytes of the file read: past the last whole line
	done   bool
}

// readShard reads a whole shard file and checks it against the first one
// read (nil for the first); see openShard.
func readShard(path string, first *shardFile) (shardFile, []Record, error) {
	rd, err := openShard(path, first)
	if err != nil {
		return shardFile{}, nil, err
	}
	defer rd.close()
	var recs []Record
	for {
		r, more, err := rd.next()
		if err != nil {
			return rd.sf, nil, err
		}
		if !more {
			return rd.sf, recs, nil
		}
		recs = append(recs, r)
	}
}

// openShard opens one shard file, reads its header and checks it against
// the first one read (nil for the first). It reads at most MaxShardBytes,
// a header line of at most MaxHeaderLine bytes and then, through next, no
// more lines than the header names runs, each at most recordLineMax
// bytes; every line is checked against the shard format and the header,
// and an error names the file and the line of the first bad one.
func openShard(path string, first *shardFile) (*shardReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	rd, err := startShard(f, path, first)
	if err != nil {
		f.Close()
		return nil, err
	}
	return rd, nil
}

func startShard(f *os.File, path string, first *shardFile) (*shardReader, error) {
	notShard := fmt.Errorf("merge: %s: not a tcpsim sweep shard (write one with tcpsim sweep --shard K/N --out FILE)", path)
	br := bufio.NewReaderSize(io.LimitReader(f, MaxShardBytes+1), 64<<10)
	// A shard starts with its JSON header: anything else is refused at
	// its first byte, whatever its size (merge /dev/zero).
	if b, err := br.Peek(1); err != nil || b[0] != '{' {
		return nil, notShard
	}
	line, err := readLine(br, MaxHeaderLine)
	if errors.Is(err, errLineTooLong) {
		return nil, fmt.Errorf("merge: %s: line 1 is longer than a shard's header can be (%d bytes): not a tcpsim sweep shard", path, MaxHeaderLine)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("merge: %s: %w", path, err)
	}
	var version struct {
		Format int `json:"tcpsim_sweep_shard"`
	}
	if json.Unmarshal(line, &version) != nil || version.Format == 0 {
		return nil, notShard
	}
	if version.Format != shardFormat {
		return nil, fmt.Errorf("merge: %s: shard format %d, this tcpsim reads format %d: make the shards again with this version", path, version.Format, shardFormat)
	}
	if err != nil || !bytes.HasSuffix(line, []byte("\n")) {
		return nil, fmt.Errorf("merge: %s is truncated: it ends inside its header line", path)
	}
	h, err := decodeHeader(line)
	if err != nil {
		return nil, fmt.Errorf("merge: %s: line 1: corrupt header line: %v", path, err)
	}
	sh, err := ParseShard(h.Shard)
	if err != nil || h.Runs != sh.size(h.Meta.Runs()) {
		return nil, fmt.Errorf("merge: %s: line 1: corrupt header line (shard %q, %d runs)", path, h.Shard, h.Runs)
	}
	sf := shardFile{path: path, shard: sh, meta: h.Meta, runs: h.Runs}
	if first != nil {
		a, b := first.meta, h.Meta
		switch {
		case a.ScenarioSHA256 != b.ScenarioSHA256:
			return nil, fmt.Errorf("merge: %s and %s were made from different scenario files (%s: content sha256 %.12s..., %s: %.12s...): was %s edited between the shards?",
				first.path, path, a.File, a.ScenarioSHA256, b.File, b.ScenarioSHA256, b.File)
		case a.GridSHA256 != b.GridSHA256:
			return nil, fmt.Errorf("merge: %s and %s belong to different sweeps of the same file (different --vary or --seeds)", first.path, path)
		}
		// The same content and grid: everything else must agree too
		// (only the file's name may differ).
		b.File = a.File
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			return nil, fmt.Errorf("merge: %s: line 1: corrupt header line: it disagrees with %s's", path, first.path)
		}
	}
	return &shardReader{f: f, br: br, sf: sf, h: h, limit: recordLineMax(&h.Meta), line: 1, last: -1, offset: int64(len(line))}, nil
}

// next returns the next record, or more = false after the last one; an
// error names the file and line.
func (rd *shardReader) next() (r Record, more bool, err error) {
	if rd.done {
		return Record{}, false, nil
	}
	path := rd.sf.path
	n := rd.line + 1
	line, err := readLine(rd.br, rd.limit)
	if errors.Is(err, errLineTooLong) {
		return Record{}, false, fmt.Errorf("merge: %s: line %d is corrupt: longer than any record of this sweep can be (%d bytes)", path, n, rd.limit)
	}
	if len(line) == 0 && errors.Is(err, io.EOF) {
		rd.done = true
		if rd.read != rd.h.Runs {
			return Record{}, false, fmt.Errorf("merge: %s is truncated: it has %d of its shard's %d runs%s", path, rd.read, rd.h.Runs, resumeHint(path))
		}
		return Record{}, false, nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return Record{}, false, fmt.Errorf("merge: %s: %w", path, err)
	}
	if rd.read == rd.h.Runs {
		return Record{}, false, fmt.Errorf("merge: %s: line %d is corrupt: the header names %d runs, and they have all been read", path, n, rd.h.Runs)
	}
	if !bytes.HasSuffix(line, []byte("\n")) {
		return Record{}, false, fmt.Errorf("merge: %s is truncated: line %d is cut short (%d of %d runs whole)%s", path, n, rd.read, rd.h.Runs, resumeHint(path))
	}
	j, err := decodeRecord(line)
	if err != nil {
		return Record{}, false, fmt.Errorf("merge: %s: line %d is corrupt: %v", path, n, err)
	}
	r, err = fromJSON(&j, &rd.h.Meta, rd.sf.shard)
	if err == nil {
		err = checkValues(&j, &rd.h.Meta)
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("merge: %s: line %d is corrupt: %v", path, n, err)
	}
	if r.Run <= rd.last {
		if r.Run == rd.last {
			return Record{}, false, fmt.Errorf("merge: %s: line %d is corrupt: run %d is on line %d already", path, n, r.Run, n-1)
		}
		return Record{}, false, fmt.Errorf("merge: %s: line %d is corrupt: run %d comes after run %d (a shard holds its runs in run order)", path, n, r.Run, rd.last)
	}
	rd.line, rd.read, rd.last = n, rd.read+1, r.Run
	rd.offset += int64(len(line))
	return r, true, nil
}

func (rd *shardReader) close() { rd.f.Close() }

// resumeHint says how to finish a shard file that OpenShard left.
func resumeHint(path string) string {
	if strings.HasSuffix(path, PartialSuffix) {
		return fmt.Sprintf(": a sweep stopped before its end; rerun it with --out %s to make only the missing runs", strings.TrimSuffix(path, PartialSuffix))
	}
	return ""
}
