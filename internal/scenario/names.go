package scenario

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Names (of the scenario and of flows) and free text are valid UTF-8
// without control characters: they are printed in tables, Markdown, CSV,
// JSON and traces, where a NUL, a newline or an escape sequence would
// break the output or the terminal. Description alone may hold newlines
// and tabs. A flow name is also an address: overrides and --vary write
// flows.NAME.FIELD (a name with dots is found by the longest flow name
// that starts the path) and cut path=value at the first "=", so a flow
// name holds no "=", and no space at either end (overrides trim it).

// flowNameSpecial are the characters a flow name may not hold.
const flowNameSpecial = "="

// checkText refuses text that is not valid UTF-8 or holds a control
// character (other than newline and tab when multiline).
func checkText(text string, multiline bool) error {
	if !utf8.ValidString(text) {
		i := 0
		for i < len(text) {
			r, n := utf8.DecodeRuneInString(text[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return fmt.Errorf("%q is not valid UTF-8 (byte %d)", text, i+1)
	}
	for _, r := range text {
		if multiline && (r == '\n' || r == '\t' || r == '\r') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\ufeff' {
			return fmt.Errorf("%q holds the control character %U: want printable text", text, r)
		}
	}
	return nil
}

// checkName refuses a name that checkText refuses, or one that is empty
// or blank.
func checkName(text, what, want string) error {
	if strings.TrimSpace(text) == "" {
		return invalid(text, what, want)
	}
	if err := checkText(text, false); err != nil {
		return fmt.Errorf("%w: want %s", err, want)
	}
	return nil
}

// checkFlowName refuses a flow name that checkName refuses, or one that
// overrides and --vary could not address.
func checkFlowName(text string) error {
	const want = "a name of printable characters without = (e.g. file, web_1, 'vidéo #2'): --set and --vary address a flow as flows.NAME.FIELD=VALUE"
	if err := checkName(text, "flow name", want); err != nil {
		return err
	}
	if i := strings.IndexAny(text, flowNameSpecial); i >= 0 {
		return fmt.Errorf("%q holds %q: want %s", text, text[i:i+1], want)
	}
	if strings.TrimSpace(text) != text {
		return fmt.Errorf("%q starts or ends with a space: want %s", text, want)
	}
	return nil
}

// firstInvalidUTF8 returns the line and column (in characters) of the
// first byte of src that is not valid UTF-8, or 0, 0.
func firstInvalidUTF8(src []byte) (line, col int) {
	line, col = 1, 1
	for i := 0; i < len(src); {
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && n <= 1 {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += n
	}
	return 0, 0
}
