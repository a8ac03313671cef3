package scenario

import (
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// Input limits. A real scenario is a few kilobytes and six levels deep;
// the limits are far above that and below what makes the YAML parser
// slow: an 80 KB file nested 40,000 deep takes seconds and gigabytes, and
// the parser's time grows with the square of the number of keys in one
// mapping (measured: 0.8 s for 128 KiB of keys, 3 s for 256 KiB, 44 s for
// 1 MiB).
const (
	// MaxFileSize is the largest scenario file Load and Parse accept:
	// thirty times the largest shipped scenario, hundreds of flows.
	MaxFileSize = 128 << 10
	// MaxDepth is the deepest nesting of mappings and lists accepted.
	MaxDepth = 256
	// MaxHosts, MaxRouters and MaxLinks bound a topology. Routing costs
	// one shortest-path tree per router and per host with more than one
	// link, each O(links · log nodes), and every router keeps a route to
	// every host: at these limits a network is built in seconds
	// (a star of 10,000 hosts in about 0.6 s, BenchmarkBuildStar).
	MaxHosts   = 10_000
	MaxRouters = 1_000
	MaxLinks   = 20_000
)

// ReadFile reads the scenario file at path, refusing one larger than
// MaxFileSize: a regular file by its size before reading, anything else
// (a device, a FIFO) as soon as it yields more than that.
func ReadFile(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	defer fh.Close()
	if st, err := fh.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > MaxFileSize {
		return nil, tooLarge(path)
	}
	src, err := io.ReadAll(io.LimitReader(fh, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if len(src) > MaxFileSize {
		return nil, tooLarge(path)
	}
	return src, nil
}

func tooLarge(file string) error {
	return &Error{File: file, Msg: fmt.Sprintf("file is larger than %d KiB: a scenario is a few kilobytes of YAML", MaxFileSize>>10)}
}

// checkLimits refuses a document that is too large or nested too deep
// before the YAML parser sees it.
func checkLimits(file string, src []byte) error {
	if len(src) > MaxFileSize {
		return tooLarge(file)
	}
	if line, col, depth := nesting(src, MaxDepth); depth > MaxDepth {
		return &Error{File: file, Line: line, Col: col, Msg: fmt.Sprintf("nested more than %d levels deep: a scenario needs about six", MaxDepth)}
	}
	return nil
}

// nesting estimates the nesting depth of a YAML document with a lexical
// scan, stopping where it first exceeds limit (line and column there). Flow-style
// brackets ([ and { outside quotes and comments) count one level each;
// block structure counts one level per distinct indentation column still
// open, and one per sequence dash ("- - - x" is three lists deep). The
// estimate may overcount (a bracket inside a plain scalar), never
// undercount a real nesting, and costs one pass over the bytes.
func nesting(src []byte, limit int) (line, col, depth int) {
	var indents []int // open block indentation columns
	flow := 0         // open flow brackets
	line = 1
	for i := 0; i < len(src); {
		start := i
		// Start of a line: measure indentation and sequence dashes.
		ind := 0
		for i < len(src) && src[i] == ' ' {
			i++
			ind++
		}
		if flow == 0 && i < len(src) && src[i] != '\n' && src[i] != '#' && src[i] != '\r' {
			for len(indents) > 0 && indents[len(indents)-1] >= ind {
				indents = indents[:len(indents)-1]
			}
			indents = append(indents, ind)
			for i+1 < len(src) && src[i] == '-' && (src[i+1] == ' ' || src[i+1] == '\t') {
				if len(indents)+flow+1 > limit {
					return line, utf8.RuneCount(src[start:i]) + 1, len(indents) + flow + 1
				}
				i += 2
				ind += 2
				for i < len(src) && src[i] == ' ' {
					i++
					ind++
				}
				indents = append(indents, ind)
			}
		}
		if len(indents)+flow > limit {
			return line, utf8.RuneCount(src[start:i]) + 1, len(indents) + flow
		}
		// The rest of the line: brackets outside quotes and comments.
		var quote byte
		prev := byte(' ')
		for ; i < len(src) && src[i] != '\n'; i++ {
			c := src[i]
			switch {
			case quote == '"':
				if c == '\\' {
					i++
				} else if c == '"' {
					quote = 0
				}
			case quote == '\'':
				if c == '\'' {
					quote = 0
				}
			case c == '#' && (prev == ' ' || prev == '\t'):
				for i < len(src) && src[i] != '\n' {
					i++
				}
				i--
			case c == '"' || c == '\'':
				if prev == ' ' || prev == '\t' || prev == '[' || prev == '{' || prev == ',' || prev == ':' {
					quote = c
				}
			case c == '[' || c == '{':
				flow++
				if len(indents)+flow > limit {
					return line, utf8.RuneCount(src[start:i]) + 1, len(indents) + flow
				}
			case c == ']' || c == '}':
				if flow > 0 {
					flow--
				}
			}
			if i < len(src) {
				prev = src[i]
			}
		}
		if i < len(src) {
			i++
			line++
		}
	}
	return line, 0, len(indents) + flow
}
