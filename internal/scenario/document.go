package scenario

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// bom is the UTF-8 encoding of U+FEFF, which some editors write at the
// start of a file to mark it as UTF-8 (YAML 1.2.2 §5.2 allows it there).
var bom = []byte("\xef\xbb\xbf")

// prologue prepares src for the YAML parser: it drops a byte-order mark at
// the start of the file, and checks the directives (%YAML, %TAG) before
// the first document, turning each into a comment of the same length so
// that every line and column the parser reports stays the file's own.
// The YAML parser itself refuses %TAG and, with %YAML, makes an empty
// document of the directives.
//
// A %YAML directive must name version 1.x (YAML 1.2.2 §6.8.1: a
// processor refuses a later major version); a directive must be followed
// by a "---" line, as the specification requires.
func prologue(file string, src []byte) ([]byte, error) {
	src = bytes.TrimPrefix(src, bom)
	if line, col := firstInvalidUTF8(src); line > 0 {
		return nil, &Error{File: file, Line: line, Col: col, Msg: "not valid UTF-8: a scenario file is UTF-8 text (YAML 1.2.2 §5.2)"}
	}
	var directives []int // offsets of the directive lines
	seenYAML := 0
	line := 0
	for off := 0; off < len(src); {
		line++
		end := bytes.IndexByte(src[off:], '\n')
		if end < 0 {
			end = len(src) - off
		}
		text := strings.TrimRight(string(src[off:off+end]), "\r")
		trimmed := strings.TrimLeft(text, " \t")
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		case strings.HasPrefix(text, "%"):
			if err := directive(file, line, text, &seenYAML); err != nil {
				return nil, err
			}
			directives = append(directives, off)
		default:
			if len(directives) > 0 && !documentStart(text) {
				return nil, &Error{File: file, Line: line, Col: 1, Msg: "YAML directives (%YAML, %TAG) must be followed by a line \"---\" that starts the document"}
			}
			off = len(src) // the document proper: stop
			continue
		}
		off += end + 1
	}
	if len(directives) == 0 {
		return src, nil
	}
	out := bytes.Clone(src)
	for _, off := range directives {
		out[off] = '#'
	}
	return out, nil
}

// documentStart reports whether a line is a document start marker "---".
func documentStart(text string) bool {
	return text == "---" || strings.HasPrefix(text, "--- ") || strings.HasPrefix(text, "---\t")
}

// directive checks one directive line (YAML 1.2.2 §6.8).
func directive(file string, line int, text string, seenYAML *int) error {
	f := strings.Fields(text)
	switch f[0] {
	case "%YAML":
		if *seenYAML > 0 {
			return &Error{File: file, Line: line, Col: 1, Msg: fmt.Sprintf("a second %%YAML directive (the first is on line %d): want one", *seenYAML)}
		}
		*seenYAML = line
		if len(f) < 2 || !strings.HasPrefix(f[1], "1.") || len(f) > 2 && !strings.HasPrefix(f[2], "#") {
			return &Error{File: file, Line: line, Col: 1, Msg: fmt.Sprintf("%q: want %%YAML 1.2 (or another 1.x version)", text)}
		}
	case "%TAG":
		if len(f) < 3 {
			return &Error{File: file, Line: line, Col: 1, Msg: fmt.Sprintf("%q: want %%TAG !handle! prefix", text)}
		}
	default:
		return &Error{File: file, Line: line, Col: 1, Msg: fmt.Sprintf("unknown YAML directive %q: want %%YAML 1.2 or %%TAG", f[0])}
	}
	return nil
}

// oneDocument returns the body of the one YAML document of f that holds
// something; documents holding nothing (a "---" at the end of the file,
// only comments) are ignored, and a second document that holds something
// is refused where it starts.
func oneDocument(file string, f *ast.File) (ast.Node, error) {
	var body ast.Node
	for _, doc := range f.Docs {
		switch doc.Body.(type) {
		case nil, *ast.DirectiveNode, *ast.CommentGroupNode, *ast.CommentNode:
			continue
		}
		if body != nil {
			p := nodePos(doc.Body)
			if doc.Start != nil && doc.Start.Position != nil {
				p = Pos{Line: doc.Start.Position.Line, Col: doc.Start.Position.Column}
			}
			return nil, &Error{File: file, Line: p.Line, Col: p.Col, Msg: fmt.Sprintf("a second YAML document (the first starts on line %d): a scenario file holds one document; remove this \"---\" and what follows it, or move it to a file of its own", nodePos(body).Line)}
		}
		body = doc.Body
	}
	if body == nil {
		return nil, &Error{File: file, Line: 1, Col: 1, Msg: "the file holds no YAML document: want a mapping (name:, link:, flows:, ...)"}
	}
	return body, nil
}
