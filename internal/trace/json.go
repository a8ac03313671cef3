package trace

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends e as one JSON object, exactly as encoding/json
// marshals an Event without HTML escaping (the Writer's JSON lines):
// fields in declaration order, omitempty fields left out when zero, the
// time as encoding/json writes a float64, strings escaped as it escapes
// them. It writes by hand what reflection did for every event: a large
// network's run writes 150,000 of them, and the browser lab's engine
// (WebAssembly, where reflection is slow) spent a quarter of its run on
// encoding them. ok is false for a time that JSON cannot hold (NaN or
// infinite), which encoding/json refuses too. TestAppendJSONIsEncodingJSONs
// checks it against encoding/json.
func AppendJSON(b []byte, e *Event) (out []byte, ok bool) {
	if math.IsNaN(e.Time) || math.IsInf(e.Time, 0) {
		return b, false
	}
	b = append(b, `{"t":`...)
	b = appendFloat(b, e.Time)
	if e.Run != 0 {
		b = strconv.AppendInt(append(b, `,"run":`...), int64(e.Run), 10)
	}
	if e.Flow != "" {
		b = appendString(append(b, `,"flow":`...), e.Flow)
	}
	b = appendString(append(b, `,"event":`...), e.Kind)
	if e.ID != 0 {
		b = strconv.AppendUint(append(b, `,"id":`...), e.ID, 10)
	}
	if e.Dir != "" {
		b = appendString(append(b, `,"dir":`...), string(e.Dir))
	}
	if e.Node != "" {
		b = appendString(append(b, `,"node":`...), e.Node)
	}
	if e.Proto != "" {
		b = appendString(append(b, `,"proto":`...), e.Proto)
	}
	if e.Seq != 0 {
		b = strconv.AppendUint(append(b, `,"seq":`...), uint64(e.Seq), 10)
	}
	if e.Ack != 0 {
		b = strconv.AppendUint(append(b, `,"ack":`...), uint64(e.Ack), 10)
	}
	if e.Flags != "" {
		b = appendString(append(b, `,"flags":`...), e.Flags)
	}
	if e.Win != 0 {
		b = strconv.AppendInt(append(b, `,"win":`...), int64(e.Win), 10)
	}
	if e.Len != 0 {
		b = strconv.AppendInt(append(b, `,"len":`...), int64(e.Len), 10)
	}
	if e.Retrans {
		b = append(b, `,"retrans":true`...)
	}
	if e.SACK != (SACKList{}) { // omitzero: the zero list, not an empty one
		b = append(b, `,"sack":[`...)
		for i, r := range e.SACK.Blocks[:min(max(e.SACK.N, 0), MaxSACKBlocks)] {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = strconv.AppendUint(b, uint64(r[0]), 10)
			b = append(b, ',')
			b = strconv.AppendUint(b, uint64(r[1]), 10)
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	if e.Scripted {
		b = append(b, `,"scripted":true`...)
	}
	if e.Detail != "" {
		b = appendString(append(b, `,"detail":`...), e.Detail)
	}
	if e.Value != 0 {
		b = strconv.AppendInt(append(b, `,"value":`...), e.Value, 10)
	}
	if e.Value2 != 0 {
		b = strconv.AppendInt(append(b, `,"value2":`...), e.Value2, 10)
	}
	return append(b, '}'), true
}

// appendFloat writes f as encoding/json writes a float64: the shortest
// decimal that reads back as f, in exponent form below 1e-6 or from 1e21
// on, with a one-digit negative exponent not padded ("1e-7").
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string as encoding/json does without
// HTML escaping: quotes, backslashes and control characters escaped (\b,
// \f, \n, \r, \t by name), invalid UTF-8 as \ufffd, and U+2028 and
// U+2029 as \u2028 and \u2029 (JavaScript reads them as line ends).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
