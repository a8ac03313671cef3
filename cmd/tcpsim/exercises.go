package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"tcpsim/internal/outdir"
	"tcpsim/internal/scenario"
	"tcpsim/internal/variant"
	"tcpsim/scenarios"
)

// exercisePrefix names an embedded exercise on the command line:
// "ex:02", "ex:09-reno".
const exercisePrefix = "ex:"

// readScenario returns the name to report and the bytes of the scenario
// arg names: a file, or an embedded exercise written ex:ID, so that
// "tcpsim run ex:02" works from any directory.
func readScenario(arg string) (string, []byte, error) {
	id, ok := strings.CutPrefix(arg, exercisePrefix)
	if !ok {
		src, err := scenario.ReadFile(arg)
		return arg, src, err
	}
	ex, err := scenarios.Find(id)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", arg, err)
	}
	src, err := ex.Source()
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", arg, err)
	}
	return "scenarios/" + ex.Path, src, nil
}

// loadScenario reads and validates the scenario arg names (a file or
// ex:ID).
func loadScenario(arg string) (*scenario.Scenario, error) {
	name, src, err := readScenario(arg)
	if err != nil {
		return nil, err
	}
	return scenario.Parse(name, src)
}

func newExercisesCmd(stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "exercises",
		Short: "List the classroom exercises and their questions (show ID, extract DIR)",
		Long: `List the classroom exercises, each with its whole question.

Run one from anywhere with its number: tcpsim run ex:02, tcpsim diagram
ex:02 (an ambiguous number such as 09 wants the name: ex:09-reno).
'tcpsim exercises show ID' prints an exercise file; 'tcpsim exercises
extract DIR' writes them all into DIR to edit. The answer key is not in
the binary: it is scenarios/exercises/ANSWERS.md in the source repository.

For a class, 'tcpsim exercises new ID --seed S' writes a student's own
version of an exercise (other numbers, the same lesson) and --key prints
its answers; 'tcpsim exercises sheet --students N --out DIR' writes one
sheet per student and one key for the teacher (docs/classroom.md).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			exs, err := scenarios.Exercises()
			if err != nil {
				return err
			}
			for _, e := range exs {
				q := strings.ReplaceAll(e.Question, "\n", "\n     ")
				if _, err := fmt.Fprintf(stdout, "ex:%s  (scenarios/%s)\n  %s\n  Q: %s\n\n", e.Name(), e.Path, e.Title, q); err != nil {
					return err
				}
			}
			_, err = fmt.Fprintln(stdout, "Run one with: tcpsim run ex:NN; draw it with: tcpsim diagram ex:NN; read it with: tcpsim exercises show NN\n"+
				"Answers: scenarios/exercises/ANSWERS.md in the source repository (checked against the simulator by go test; not in this binary)")
			return err
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "show ID",
		Short: "Print an exercise file (ID: its number, e.g. 02, or its name, e.g. 09-reno)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, src, err := readScenario(exercisePrefix + args[0])
			if err != nil {
				return err
			}
			_, err = stdout.Write(src)
			return err
		},
	})
	cmd.AddCommand(newExercisesNewCmd(stdout), newExercisesSheetCmd(stdout))
	cmd.AddCommand(&cobra.Command{
		Use:   "extract DIR",
		Short: "Write every exercise file into DIR (created if missing; existing files are not overwritten)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			exs, err := scenarios.Exercises()
			if err != nil {
				return err
			}
			od, err := outdir.Open(args[0])
			if err != nil {
				return fmt.Errorf("extract: %w", err)
			}
			defer od.Close()
			for _, e := range exs {
				src, err := e.Source()
				if err != nil {
					return err
				}
				// The exercise's file name, kept inside DIR whatever it
				// holds (issue 21, item 2).
				f, dst, err := od.CreateNew(outdir.Name(path.Base(e.Path)))
				if errors.Is(err, os.ErrExist) {
					return fmt.Errorf("extract: %s exists: not overwritten (extract into an empty directory)", dst)
				}
				if err != nil {
					return fmt.Errorf("extract: %w", err)
				}
				_, werr := f.Write(src)
				if cerr := f.Close(); werr == nil {
					werr = cerr
				}
				if werr != nil {
					return fmt.Errorf("extract: %s: %w", dst, werr)
				}
			}
			_, err = fmt.Fprintf(stdout, "wrote %d exercises to %s\n", len(exs), args[0])
			return err
		},
	})
	return cmd
}

func newExercisesNewCmd(stdout io.Writer) *cobra.Command {
	var seed uint64
	var out string
	var key bool
	cmd := &cobra.Command{
		Use:   "new ID --seed S",
		Short: "Write a student's variant of an exercise: its own numbers, the same lesson (--key: its answers)",
		Long: `Write a variant of exercise ID for the student whose seed is S: the
exercise's scenario with its own numbers (link rate, delay, sizes, the
position of a scripted loss...), drawn from ranges that keep the lesson
valid, and a header that names the seed. The same seed always writes the
same file. The variant is run to compute its answers; --key prints them
(for the teacher) instead of the file, unless --out names the file.

Exercises whose lesson depends on one particular draw, or that compare
several files, have no variant: the error says why.`,
		Example: `  tcpsim exercises new 02 --seed 17 --out timeout-17.yaml
  tcpsim exercises new 26-kr-reno-textbook --seed 17 --key`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("seed") {
				return fmt.Errorf("new %s: --seed is required: the student's seed (any whole number), which picks the variant's numbers", args[0])
			}
			g, err := variant.Lookup(args[0])
			if err != nil {
				return err
			}
			v, err := g.Generate(seed)
			if err != nil {
				return err
			}
			answers, _, err := g.Answers(v)
			if err != nil {
				return err
			}
			if out != "" {
				if err := os.WriteFile(out, v.File, 0o666); err != nil {
					return fmt.Errorf("new: %w", err)
				}
			}
			switch {
			case key:
				_, err = io.WriteString(stdout, variant.KeyText(v, answers))
			case out == "":
				_, err = stdout.Write(v.File)
			default:
				_, err = fmt.Fprintf(stdout, "wrote %s (exercise %s, seed %d)\n", out, v.Exercise, seed)
			}
			return err
		},
	}
	cmd.Flags().Uint64Var(&seed, "seed", 0, "the student's seed: picks the variant's numbers (required)")
	cmd.Flags().StringVar(&out, "out", "", "write the variant to `FILE` instead of standard output")
	cmd.Flags().BoolVar(&key, "key", false, "print the variant's answers (for the teacher)")
	return cmd
}

func newExercisesSheetCmd(stdout io.Writer) *cobra.Command {
	var students, workers int
	var seed uint64
	var out string
	var ids []string
	cmd := &cobra.Command{
		Use:   "sheet --students N --out DIR",
		Short: "Write one exercise sheet per student (own variants) and one answer key",
		Long: fmt.Sprintf(`Write a class's exercise sheets into DIR: for each of N students
(student-001, ...) a sheet student-NNN.md with every question and a
directory student-NNN/ with the student's variant files; and key.tsv,
the teacher's key, one answer a line (student, seed, exercise, quantity,
answer). Student i's seed is S*1000 + i, so 'tcpsim exercises new ID
--seed' rewrites any one file. The files depend only on N, S and the
exercises: the same command writes the same bytes. DIR must not hold
files of the same names (nothing is overwritten). At most %d students
per run; a larger class is several runs with other seeds.`, variant.MaxStudents),
		Example: `  tcpsim exercises sheet --students 200 --seed 2026 --out class
  tcpsim exercises sheet --students 30 --exercises 02,20,26-kr-reno-textbook --out lab3`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return errors.New("sheet: --out DIR is required: the directory for the sheets and the key")
			}
			if !cmd.Flags().Changed("students") {
				return errors.New("sheet: --students N is required: how many students (sheets)")
			}
			// Refuse a used directory before the runs, not after.
			if _, err := os.Stat(filepath.Join(out, "key.tsv")); err == nil {
				return fmt.Errorf("sheet: %s exists: not overwritten (write into an empty directory)", filepath.Join(out, "key.tsv"))
			}
			gs, err := variant.Generators(ids)
			if err != nil {
				return fmt.Errorf("sheet: %w", err)
			}
			sheets, err := variant.Class(students, seed, gs, workers)
			if err != nil {
				return fmt.Errorf("sheet: %w", err)
			}
			od, err := outdir.Open(out)
			if err != nil {
				return fmt.Errorf("sheet: %w", err)
			}
			defer od.Close()
			for i := range sheets {
				s := &sheets[i]
				if err := writeNew(od, s.ID+".md", s.Markdown()); err != nil {
					return err
				}
				for _, v := range s.Variants {
					if err := writeNew(od, s.Dir()+"/"+outdir.Name(v.FileName()), v.File); err != nil {
						return err
					}
				}
			}
			if err := writeNew(od, "key.tsv", variant.KeyTSV(sheets)); err != nil {
				return err
			}
			_, err = fmt.Fprintf(stdout, "wrote %d sheets of %d exercises and key.tsv to %s\n", len(sheets), len(gs), out)
			return err
		},
	}
	cmd.Flags().IntVar(&students, "students", 0, fmt.Sprintf("how many students, 1 to %d (required)", variant.MaxStudents))
	cmd.Flags().Uint64Var(&seed, "seed", 1, "the class seed: student i gets seed S*1000 + i")
	cmd.Flags().StringVar(&out, "out", "", "write the sheets and the key into `DIR` (required)")
	cmd.Flags().StringSliceVar(&ids, "exercises", nil, "the exercises, by number or name (default: every exercise that has variants)")
	cmd.Flags().IntVar(&workers, "workers", 0, "runs at once (0: one per CPU); the files do not depend on it")
	return cmd
}

// writeNew writes data to the new file name inside od; an existing file
// is an error, left as it was.
func writeNew(od *outdir.Dir, name string, data []byte) error {
	f, dst, err := od.CreateNew(name)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s exists: not overwritten (write into an empty directory)", dst)
	}
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("%s: %w", dst, werr)
	}
	return nil
}
