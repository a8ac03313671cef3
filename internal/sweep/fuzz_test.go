package sweep

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadShard feeds merge arbitrary shard files, seeded with a real
// shard and its damaged forms: it must never panic, and whatever it
// accepts must hold only values that could be true (checkValues again,
// on the records as read back).
func FuzzReadShard(f *testing.F) {
	dir := f.TempDir()
	p, err := NewPlan("s.yaml", []byte(src), nil, 3)
	if err != nil {
		f.Fatal(err)
	}
	// Records made up rather than run: the fuzzing workers start fast.
	var recs []Record
	for r := range p.Runs() {
		recs = append(recs, Record{Run: r, Point: r / p.Seeds, Seed: p.seed(r), Status: "complete", Flows: []FlowRecord{
			{Complete: true, Values: [NumMetrics]float64{2e6, 1, 3, 0.8}},
			{Complete: true, Values: [NumMetrics]float64{1e6, 0.97, math.NaN(), 1.6}},
		}})
	}
	good := filepath.Join(dir, "good.jsonl")
	if err := WriteShard(good, p.Meta, Shard{1, 1}, recs); err != nil {
		f.Fatal(err)
	}
	if _, _, err := readShard(good, nil); err != nil {
		f.Fatalf("the seed shard is refused: %v", err)
	}
	b, _ := os.ReadFile(good)
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Add(bytes.Replace(b, []byte(`"delivery_ratio":1`), []byte(`"delivery_ratio":7.5`), 1))
	f.Add([]byte("{}\n"))
	f.Add([]byte{0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "s.jsonl")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		sf, rs, err := readShard(path, nil)
		if err != nil {
			return
		}
		for _, r := range rs {
			j := r.toJSON(sf.meta.Flows)
			if err := checkValues(&j, &sf.meta); err != nil {
				t.Fatalf("accepted a record that fails its checks: %v", err)
			}
		}
	})
}

// Random damage to a good shard (bytes flipped, cut, repeated, digits
// changed), 1,000 times over fixed seeds: merge never panics, and every
// shard it accepts holds only records that pass checkValues. A
// deterministic search that runs with every go test, beside
// FuzzReadShard.
func TestReadShardRandomDamage(t *testing.T) {
	dir := t.TempDir()
	p, err := NewPlan("s.yaml", []byte(src), nil, 3)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := p.Execute(Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.jsonl")
	if err := WriteShard(good, p.Meta, Shard{1, 1}, recs); err != nil {
		t.Fatal(err)
	}
	orig, _ := os.ReadFile(good)
	accepted := 0
	for seed := range uint64(1000) {
		rng := rand.New(rand.NewPCG(seed, 21))
		b := bytes.Clone(orig)
		for range 1 + rng.IntN(4) {
			i := rng.IntN(len(b))
			switch rng.IntN(5) {
			case 0:
				b[i] ^= byte(1 << rng.IntN(8))
			case 1:
				b = b[:i]
			case 2:
				b = append(b[:i:i], append(bytes.Clone(b[i:min(len(b), i+40)]), b[i:]...)...)
			case 3:
				if b[i] >= '0' && b[i] <= '9' {
					b[i] = byte('0' + rng.IntN(10))
				} else {
					b[i] = "-.e9}\",\n"[rng.IntN(8)]
				}
			case 4:
				b = append(b[:i:i], b[min(len(b), i+1+rng.IntN(20)):]...)
			}
			if len(b) == 0 {
				b = []byte{'{'}
			}
		}
		path := filepath.Join(dir, "d.jsonl")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		sf, rs, err := readShard(path, nil)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("seed %d: error %q does not name the file", seed, err)
			}
			continue
		}
		accepted++
		for _, r := range rs {
			j := r.toJSON(sf.meta.Flows)
			if err := checkValues(&j, &sf.meta); err != nil {
				t.Fatalf("seed %d: accepted a record that fails its checks: %v", seed, err)
			}
		}
	}
	t.Logf("%d of 1000 damaged shards accepted (damage that left the values possible)", accepted)
}
