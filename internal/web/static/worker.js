// The lab's engine runs here, off the page's thread, so that a long run or
// a sweep never freezes the page. It loads Go's wasm_exec.js, fetches the
// gzip-compressed engine and decompresses it as it arrives (no server
// configuration needed), then answers the page's requests:
//   {id, op: "run", req}   -> {id, result}
//   {id, op: "sweep", req} -> {id, progress: [done, total]}..., then {id, result}
// biome-ignore lint/suspicious/noRedundantUseStrict: a classic worker (new Worker, importScripts), not a module, so the directive is not redundant
"use strict";

importScripts("wasm_exec.js");

// DEFAULT_SCENARIO is the page's (state.js): the worker is a classic
// script and cannot import it.
const DEFAULT_SCENARIO = "exercises/02-timeout.yaml";
let speculated = null; // {key, result}: the first run, made before it was asked for

// The engine's load, timed for the page (performance marks in the
// worker are its own): fetched and compiled, then started.
const load = { t0: performance.now() };

const ready = (async () => {
  const go = new Go();
  const resp = await fetch("tcpsim.wasm.gz");
  if (!resp.ok) throw new Error("tcpsim.wasm.gz: HTTP " + resp.status);
  const wasm = new Response(resp.body.pipeThrough(new DecompressionStream("gzip")), {
    headers: { "Content-Type": "application/wasm" },
  });
  const { instance } = await WebAssembly.instantiateStreaming(wasm, go.importObject);
  load.compiled = performance.now();
  go.run(instance); // returns when main returns: never (it serves calls)
  const lab = globalThis.tcpsimLab;
  if (!lab) throw new Error("the engine did not start");
  const sc = lab.scenarios();
  if (sc.error) throw new Error(sc.error.message);
  load.started = performance.now();
  const list = JSON.parse(sc.list);
  postMessage({
    ready: true,
    version: lab.version,
    scenarios: list,
    timing: { compileMs: load.compiled - load.t0, startMs: load.started - load.compiled },
  });
  // The page's first run is, unless a permalink says otherwise, the
  // default exercise as written: run it now, while the page fills its
  // menus, and keep the answer for the request (the same request, byte
  // for byte) that is on its way. Another first request finds the
  // engine's code compiled by this run, which it would have paid anyway.
  const first = list.find((s) => s.path === DEFAULT_SCENARIO);
  if (first) {
    const req = {
      file: "scenarios/" + first.path,
      source: first.source,
      seed: 0,
      seed_set: false,
      overrides: [],
      rounds_flow: "",
    };
    const t0 = performance.now();
    const result = lab.run(JSON.stringify(req));
    result.ms = performance.now() - t0;
    speculated = { key: JSON.stringify(req), result };
  }
  return lab;
})();

ready.catch((err) => postMessage({ ready: false, fatal: String(err?.message || err) }));

self.onmessage = async (ev) => {
  const { id, op, req } = ev.data;
  let lab;
  try {
    lab = await ready;
  } catch (err) {
    postMessage({ id, result: { error: { message: "the engine did not load: " + err } } });
    return;
  }
  const t0 = performance.now();
  let result;
  const key = JSON.stringify(req);
  if (op === "run" && speculated && speculated.key === key) {
    result = speculated.result;
    result.speculated = true;
  } else if (op === "run") {
    result = lab.run(key);
  } else if (op === "rounds") {
    result = lab.rounds();
  } else if (op === "sweep") {
    result = lab.sweep(JSON.stringify(req), (done, total) => postMessage({ id, progress: [done, total] }));
  } else {
    result = { error: { message: "unknown request " + op, bug: true } };
  }
  if (!result.speculated) result.ms = performance.now() - t0;
  speculated = null;
  result.sentAt = performance.timeOrigin + performance.now(); // for the page's transfer time
  postMessage({ id, result });
};
