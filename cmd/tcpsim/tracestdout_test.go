package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// Issue 21, item 13: --format json --trace - printed the text trace and
// the JSON document on the same stdout, so neither parsed. A machine
// format with --trace - is refused; table and markdown keep their trace
// before the tables. (The json, jsonl and csv cases failed before the
// fix.)
func TestTraceToStdoutNeedsATextFormat(t *testing.T) {
	const file = "../../scenarios/tcp-clean.yaml"
	for _, format := range []string{"json", "jsonl", "csv"} {
		out, errs, code := runCmd("run", "--format", format, "--trace", "-", file)
		if code != exitUsage || !strings.Contains(errs, "--trace - writes the trace to stdout, where --format "+format) {
			t.Errorf("--format %s --trace -: exit %d, stderr %q; want exit %d and a refusal", format, code, errs, exitUsage)
		}
		if out != "" {
			t.Errorf("--format %s --trace -: stdout %.200q, want nothing", format, out)
		}
	}
	for _, format := range []string{"table", "markdown"} {
		out, errs, code := runCmd("run", "--format", format, "--trace", "-", file)
		if code != 0 || !strings.Contains(out, "SYN") {
			t.Errorf("--format %s --trace -: exit %d, %s; want the trace and the tables", format, code, errs)
		}
	}
	// A trace in a file leaves stdout to the document.
	out, errs, code := runCmd("run", "--format", "json", "--trace", t.TempDir()+"/t.jsonl", file)
	if code != 0 || !json.Valid([]byte(out)) {
		t.Errorf("--format json --trace FILE: exit %d, %s; stdout is not one JSON document", code, errs)
	}
}
