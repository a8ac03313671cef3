// Package scenarios holds tcpsim's shipped scenario files, embedded so that
// the command can list, show, extract and run the classroom exercises
// wherever it runs. The exercises' answer key (exercises/ANSWERS.md) stays
// in the repository, checked by the tests, and is deliberately not
// embedded: the binary that students get does not carry the answers.
package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed *.yaml sweeps/*.yaml exercises/*.yaml networks/*.yaml
var files embed.FS

// FS returns the embedded scenario tree (without the answer key).
func FS() fs.FS { return files }

// Exercise is one classroom exercise.
type Exercise struct {
	Path     string // e.g. "exercises/01-handshake.yaml"
	Title    string // the first header comment line
	Question string // the header lines from "Question:" up to "Try:", line breaks kept
	Try      string // the header lines from "Try:" on (commands to run), if any
}

// Name returns the exercise's file name without directory or extension,
// e.g. "01-handshake".
func (e Exercise) Name() string {
	return strings.TrimSuffix(strings.TrimPrefix(e.Path, "exercises/"), ".yaml")
}

// Source returns the exercise file's bytes.
func (e Exercise) Source() ([]byte, error) { return files.ReadFile(e.Path) }

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
		out = append(out, parseHeader(n, string(b)))
	}
	return out, nil
}

// Header reads the header comment of an exercise-like scenario file src
// (its title, question and commands to try), as Exercises does for the
// shipped ones: a variant written for a student has the same form.
func Header(path, src string) Exercise { return parseHeader(path, src) }

// parseHeader reads an exercise's header comment: the title (first
// sentence), the question (every line from "Question:" until "Try:", so
// that none is cut) and the commands to try.
func parseHeader(path, src string) Exercise {
	ex := Exercise{Path: path}
	var q, try []string
	part := 0 // 0 before the question, 1 in it, 2 in Try:
	titleDone := false
	for _, line := range strings.Split(src, "\n") {
		if !strings.HasPrefix(line, "#") {
			break
		}
		raw := strings.TrimPrefix(strings.TrimPrefix(line, "#"), " ")
		text := strings.TrimSpace(raw)
		switch {
		case !titleDone:
			// The title is the first sentence, which may run over
			// several lines: it ends at ". ", at a line ending in "."
			// or at an empty comment line.
			first, _, cut := strings.Cut(text, ". ")
			if ex.Title != "" && first != "" {
				ex.Title += " "
			}
			ex.Title += first
			titleDone = cut || text == "" || strings.HasSuffix(text, ".")
			ex.Title = strings.TrimSuffix(ex.Title, ".")
		case strings.HasPrefix(text, "Question:"):
			part = 1
			q = append(q, strings.TrimSpace(strings.TrimPrefix(text, "Question:")))
		case strings.HasPrefix(text, "Try:"):
			part = 2
			try = append(try, strings.TrimSpace(strings.TrimPrefix(text, "Try:")))
		case part == 1:
			q = append(q, raw)
		case part == 2:
			try = append(try, raw)
		}
	}
	ex.Question = strings.Join(q, "\n")
	ex.Try = strings.Join(try, "\n")
	return ex
}

// Find returns the exercise that id names: its number ("2", "02"), its
// name ("09-reno") or its file name ("09-reno.yaml"). A number that two
// exercises share (09-reno, 09-tahoe) is ambiguous: the error names them.
func Find(id string) (Exercise, error) {
	exs, err := Exercises()
	if err != nil {
		return Exercise{}, err
	}
	id = strings.TrimSuffix(strings.TrimPrefix(id, "exercises/"), ".yaml")
	var match []Exercise
	for _, e := range exs {
		num, _, _ := strings.Cut(e.Name(), "-")
		if e.Name() == id {
			return e, nil
		}
		if n, err := strconv.Atoi(id); err == nil && num == fmt.Sprintf("%02d", n) {
			match = append(match, e)
		}
	}
	switch len(match) {
	case 1:
		return match[0], nil
	case 0:
		var all []string
		for _, e := range exs {
			all = append(all, e.Name())
		}
		return Exercise{}, fmt.Errorf("no exercise %q: want a number or a name, one of %s", id, strings.Join(all, ", "))
	}
	var names []string
	for _, e := range match {
		names = append(names, e.Name())
	}
	return Exercise{}, fmt.Errorf("exercise %q is ambiguous: %s; name one", id, strings.Join(names, " or "))
}
