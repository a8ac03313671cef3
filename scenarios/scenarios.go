// Package scenarios holds tcpsim's shipped scenario files, embedded so that
// the command can list the classroom exercises wherever it runs.
package scenarios

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.yaml sweeps/*.yaml exercises/*.yaml exercises/ANSWERS.md
var files embed.FS

// FS returns the embedded scenario tree.
func FS() fs.FS { return files }

// Exercise is one classroom exercise.
type Exercise struct {
	Path     string // e.g. "exercises/01-handshake.yaml"
	Title    string // the first header comment line
	Question string // the header lines after "Question:"
}

// Exercises lists the exercises in file order, with their headers.
func Exercises() ([]Exercise, error) {
	names, err := fs.Glob(files, "exercises/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Exercise
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ex := Exercise{Path: n}
		inQ := false
		for _, line := range strings.Split(string(b), "\n") {
			if !strings.HasPrefix(line, "#") {
				break
			}
			text := strings.TrimSpace(strings.TrimPrefix(line, "#"))
			switch {
			case ex.Title == "":
				ex.Title, _, _ = strings.Cut(text, ". ")
				ex.Title = strings.TrimSuffix(ex.Title, ".")
			case strings.HasPrefix(text, "Question:"):
				inQ = true
				ex.Question = strings.TrimSpace(strings.TrimPrefix(text, "Question:"))
			case inQ && !strings.HasPrefix(text, "Try:") && !strings.HasPrefix(text, "tcpsim") && !strings.HasPrefix(text, "--"):
				ex.Question += " " + text
			default:
				inQ = false
			}
		}
		out = append(out, ex)
	}
	return out, nil
}
