//go:build js && wasm

// Command wasm is tcpsim's engine for the browser lab: built with
// GOOS=js GOARCH=wasm (go generate ./internal/web), it runs inside the
// page's Web Worker and sets globalThis.tcpsimLab, an object of three
// functions that wrap package lab:
//
//	run(requestJSON)             -> {error, seed, report, tables, trace, trace_events, trace_truncated, info, view}
//	rounds()                     -> {error, rounds}: the last run's rounds figure
//	sweep(requestJSON, progress) -> {error, report, info, figure}; progress(done, total) after every run
//	scenarios()                  -> JSON array of the shipped scenarios
//
// Requests are lab.RunRequest and lab.SweepRequest as JSON. report is the
// CLI's --format json text, tables its --format markdown, trace its
// --trace FILE.jsonl text; view the kept trace read by package flowview
// (flowview.View as JSON: the packets named as the ladder names them,
// timer spans, states, per-flow series), which the page draws without
// reading the trace itself; rounds the TCP flow's cwnd figure against
// transmission rounds, built when asked (after the page has shown the
// run), and figure the sweep's figure (plot.Figure JSON, as
// `tcpsim plot --x rounds --units segments` and `tcpsim sweep --plot`
// build them); error is null or {message, line, col, field, bug}.
package main

import (
	"encoding/json"
	"runtime/debug"
	"syscall/js"

	"tcpsim/internal/web/lab"
)

func main() {
	api := js.Global().Get("Object").New()
	// The last run's rounds figure, built when the page asks for it.
	var rounds func() ([]byte, error)
	api.Set("run", js.FuncOf(func(this js.Value, args []js.Value) any {
		v, r := runFunc(this, args)
		rounds = r
		return v
	}))
	api.Set("rounds", js.FuncOf(func(js.Value, []js.Value) any {
		if rounds == nil {
			return js.ValueOf(map[string]any{"error": js.Null(), "rounds": "{}"})
		}
		b, err := rounds()
		rounds = nil // its events are freed
		if err != nil {
			return js.ValueOf(map[string]any{"error": errValue(&lab.ErrorInfo{Message: err.Error(), Bug: true})})
		}
		return js.ValueOf(map[string]any{"error": js.Null(), "rounds": string(b)})
	}))
	api.Set("sweep", js.FuncOf(sweepFunc))
	api.Set("scenarios", js.FuncOf(scenariosFunc))
	api.Set("version", version())
	js.Global().Set("tcpsimLab", api)
	select {} // serve calls until the worker ends
}

// version is the module version the toolchain stamped, and Go's.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	return v + " (" + bi.GoVersion + ")"
}

// errValue is the JS value of a lab error: null or a plain object.
func errValue(e *lab.ErrorInfo) js.Value {
	if e == nil {
		return js.Null()
	}
	return js.ValueOf(map[string]any{"message": e.Message, "line": e.Line, "col": e.Col, "field": e.Field, "bug": e.Bug})
}

// badRequest is the answer to a request the page got wrong.
func badRequest(err error) any {
	return map[string]any{"error": errValue(&lab.ErrorInfo{Message: "lab: bad request: " + err.Error(), Bug: true})}
}

// runFunc answers run(requestJSON) and returns the run's rounds figure
// builder (nil after an error), which rounds() calls.
func runFunc(_ js.Value, args []js.Value) (any, func() ([]byte, error)) {
	var req lab.RunRequest
	if len(args) < 1 {
		return badRequest(errNoArgs), nil
	}
	if err := json.Unmarshal([]byte(args[0].String()), &req); err != nil {
		return badRequest(err), nil
	}
	r := lab.Run(req)
	return js.ValueOf(map[string]any{
		"error":           errValue(r.Error),
		"seed":            float64(r.Seed), // a JS number: exact up to 2^53
		"seed_text":       uitoa(r.Seed),
		"report":          string(r.Report),
		"tables":          string(r.Tables),
		"trace":           string(r.Trace),
		"trace_events":    r.TraceEvents,
		"trace_truncated": r.TraceTruncated,
		"info":            string(r.Info),
		"view":            string(r.View),
	}), r.Rounds
}

func sweepFunc(_ js.Value, args []js.Value) any {
	var req lab.SweepRequest
	if len(args) < 1 {
		return badRequest(errNoArgs)
	}
	if err := json.Unmarshal([]byte(args[0].String()), &req); err != nil {
		return badRequest(err)
	}
	var progress func(done, total int)
	if len(args) > 1 && args[1].Type() == js.TypeFunction {
		cb := args[1]
		progress = func(done, total int) { cb.Invoke(done, total) }
	}
	r := lab.Sweep(req, progress)
	return js.ValueOf(map[string]any{"error": errValue(r.Error), "report": string(r.Report), "info": string(r.Info), "figure": string(r.Figure)})
}

func scenariosFunc(js.Value, []js.Value) any {
	list, err := lab.Scenarios()
	if err != nil {
		return js.ValueOf(map[string]any{"error": errValue(&lab.ErrorInfo{Message: err.Error(), Bug: true})})
	}
	b, err := json.Marshal(list)
	if err != nil {
		return js.ValueOf(map[string]any{"error": errValue(&lab.ErrorInfo{Message: err.Error(), Bug: true})})
	}
	return js.ValueOf(map[string]any{"error": js.Null(), "list": string(b)})
}
