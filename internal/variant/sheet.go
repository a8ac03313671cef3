package variant

import (
	"bytes"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
)

// MaxStudents is the most students one sheet run makes sheets for: a
// class, not a load test (a larger class is several runs with other
// class seeds).
const MaxStudents = 1000

// StudentSeed returns the seed of student i (1 to MaxStudents) of the
// class seed class: class·1000 + i, so that a teacher reads both off it
// and "tcpsim exercises new NN --seed" rewrites any student's file.
func StudentSeed(class uint64, i int) (uint64, error) {
	if i < 1 || i > MaxStudents {
		return 0, fmt.Errorf("student %d: want 1 to %d", i, MaxStudents)
	}
	if class > (math.MaxUint64-MaxStudents)/MaxStudents {
		return 0, fmt.Errorf("class seed %d is too large: want at most %d", class, uint64((math.MaxUint64-MaxStudents)/MaxStudents))
	}
	return class*MaxStudents + uint64(i), nil
}

// Sheet is one student's exercises and their answers.
type Sheet struct {
	Student  int    // 1 to n
	ID       string // "student-001"
	Seed     uint64
	Variants []*Variant
	Answers  [][]Answer // by variant
}

// Generators returns the entries of the exercises ids names (numbers or
// names, see Lookup), or, with no ids, every exercise that has variants.
func Generators(ids []string) ([]Generator, error) {
	if len(ids) == 0 {
		var gs []Generator
		for _, g := range table {
			if g.Refused == "" {
				gs = append(gs, g)
			}
		}
		return gs, nil
	}
	var gs []Generator
	for _, id := range ids {
		g, err := Lookup(id)
		if err != nil {
			return nil, err
		}
		gs = append(gs, g)
	}
	return gs, nil
}

// Class makes the sheets of n students for the class seed: each student
// a variant of every generator in gs, with its answers. The sheets depend
// only on n, class and gs; runs go on up to workers at once (0: one per
// CPU).
func Class(n int, class uint64, gs []Generator, workers int) ([]Sheet, error) {
	if n < 1 || n > MaxStudents {
		return nil, fmt.Errorf("--students %d: want 1 to %d (make a larger class in batches, each with its own --seed)", n, MaxStudents)
	}
	if len(gs) == 0 {
		return nil, fmt.Errorf("no exercise with variants")
	}
	sheets := make([]Sheet, n)
	type job struct{ s, g int }
	errs := make([]error, n*len(gs))
	for i := range sheets {
		seed, err := StudentSeed(class, i+1)
		if err != nil {
			return nil, err
		}
		sheets[i] = Sheet{Student: i + 1, ID: fmt.Sprintf("student-%03d", i+1), Seed: seed,
			Variants: make([]*Variant, len(gs)), Answers: make([][]Answer, len(gs))}
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				sh := &sheets[j.s]
				v, err := gs[j.g].Generate(sh.Seed)
				if err == nil {
					sh.Variants[j.g] = v
					sh.Answers[j.g], _, err = gs[j.g].Answers(v)
				}
				errs[j.s*len(gs)+j.g] = err
			}
		})
	}
	for s := range sheets {
		for g := range gs {
			jobs <- job{s, g}
		}
	}
	close(jobs)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return sheets, nil
}

// Dir is the directory, inside the output directory, of a student's
// exercise files.
func (s *Sheet) Dir() string { return s.ID }

// Markdown is the student's sheet: for each exercise its question, the
// file to run and the file itself.
func (s *Sheet) Markdown() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Exercises for %s (seed %d)\n\n", s.ID, s.Seed)
	fmt.Fprintf(&b, "Your own version of each exercise is in %s/: the same lesson as the\n", s.Dir())
	b.WriteString("shipped exercise, with your numbers. Predict, then run and check.\n")
	for _, v := range s.Variants {
		file := s.Dir() + "/" + v.FileName()
		fmt.Fprintf(&b, "\n## %s\n\nQuestion: %s\n\nRun: `tcpsim run %s` (and `tcpsim diagram`, `tcpsim plot` on it).\n\n```yaml\n%s```\n",
			v.Exercise, strings.TrimSpace(v.Question), file, v.File)
	}
	return b.Bytes()
}

// KeyTSV is the teacher's key of all the sheets: one line per answer,
// tab-separated (student, seed, exercise, quantity, answer), with a
// header line, for a spreadsheet or grep.
func KeyTSV(sheets []Sheet) []byte {
	var b bytes.Buffer
	b.WriteString("student\tseed\texercise\tquantity\tanswer\n")
	for _, s := range sheets {
		for i, v := range s.Variants {
			for _, a := range s.Answers[i] {
				fmt.Fprintf(&b, "%s\t%d\t%s\t%s\t%s\n", s.ID, s.Seed, v.Exercise, tsvField(a.Quantity), tsvField(a.Value))
			}
		}
	}
	return b.Bytes()
}

// tsvField keeps a value on its line and in its column.
func tsvField(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ").Replace(s)
}

// KeyText is the answers of one variant, as `exercises new --key`
// prints them.
func KeyText(v *Variant, as []Answer) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s, seed %d:\n", v.Exercise, v.Seed)
	for _, a := range as {
		fmt.Fprintf(&b, "  %s: %s\n", a.Quantity, a.Value)
	}
	return b.String()
}
