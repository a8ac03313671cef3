// The lab's engine runs here, off the page's thread, so that a long run or
// a sweep never freezes the page. It loads Go's wasm_exec.js, fetches the
// gzip-compressed engine and decompresses it as it arrives (no server
// configuration needed), then answers the page's requests:
//   {id, op: "run", req}   -> {id, result}
//   {id, op: "sweep", req} -> {id, progress: [done, total]}..., then {id, result}
// biome-ignore lint/suspicious/noRedundantUseStrict: a classic worker (new Worker, importScripts), not a module, so the directive is not redundant
"use strict";

importScripts("wasm_exec.js");

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
  postMessage({
    ready: true,
    version: lab.version,
    scenarios: JSON.parse(sc.list),
    timing: { compileMs: load.compiled - load.t0, startMs: load.started - load.compiled },
  });
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
  if (op === "run") {
    result = lab.run(JSON.stringify(req));
  } else if (op === "sweep") {
    result = lab.sweep(JSON.stringify(req), (done, total) => postMessage({ id, progress: [done, total] }));
  } else {
    result = { error: { message: "unknown request " + op, bug: true } };
  }
  result.ms = performance.now() - t0;
  result.sentAt = performance.timeOrigin + performance.now(); // for the page's transfer time
  postMessage({ id, result });
};
