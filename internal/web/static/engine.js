// engine.js: the page's side of the worker (worker.js), which runs the
// engine: requests out, answers and progress back. stopEngine ends the
// worker at once (a run or sweep that takes too long) and starts a fresh
// one; the calls it was answering resolve with a "stopped" error.
import { fillScenarios } from "./editor.js";
import { restore } from "./permalink.js";
import { S, setStatus } from "./state.js";

// RUN_BUDGET_MS is the longest a run may take before the page stops the
// engine: the engine's own budgets (file size, expanded YAML nodes,
// max_events) end every shipped scenario long before it.
export const RUN_BUDGET_MS = 30000;

// busy enables the Stop button while the engine works.
function busy(on) {
  document.body.dataset.engineBusy = String(on);
  document.getElementById("stop").disabled = !on;
}

export function call(op, req, onProgress) {
  const id = S.nextId++;
  return new Promise((resolve) => {
    S.calls.set(id, { resolve, onProgress, op });
    S.worker.postMessage({ id, op, req });
    busy(true);
  });
}

// stopEngine terminates the worker, answers its pending calls with why,
// and starts a new worker (the page keeps its state and last run).
export function stopEngine(why) {
  if (!S.worker) return;
  S.worker.terminate();
  S.worker = null;
  const calls = [...S.calls.values()];
  S.calls.clear();
  for (const c of calls) c.resolve({ error: { message: why, stopped: true }, ms: 0 });
  busy(false);
  startWorker();
}

export function startWorker() {
  const first = !S.scenarios.length;
  // The first worker was started by boot.js, as the page began to load.
  const boot = globalThis.tcpsimBoot;
  globalThis.tcpsimBoot = null;
  if (boot) document.body.dataset.workerStartMs = boot.startMs.toFixed(0);
  const w = boot ? boot.worker : new Worker("worker.js");
  S.worker = w;
  w.onmessage = (ev) => {
    if (S.worker !== w) return;
    const m = ev.data;
    if (m.ready !== undefined) {
      if (!m.ready) {
        setStatus("The engine did not load: " + m.fatal, "error");
        return;
      }
      S.ready = true;
      S.version = m.version;
      if (!first) return;
      document.body.dataset.engineReadyMs = performance.now().toFixed(0);
      if (m.timing) {
        document.body.dataset.engineCompileMs = m.timing.compileMs.toFixed(0);
        document.body.dataset.engineStartMs = m.timing.startMs.toFixed(0);
      }
      S.scenarios = m.scenarios;
      fillScenarios();
      restore();
      return;
    }
    const c = S.calls.get(m.id);
    if (!c) return;
    if (m.progress) {
      if (c.onProgress) c.onProgress(m.progress[0], m.progress[1]);
      return;
    }
    S.calls.delete(m.id);
    if (!S.calls.size) busy(false);
    c.resolve(m.result);
  };
  w.onerror = (ev) => setStatus("The engine stopped: " + (ev.message || "unknown error"), "error");
  if (boot) for (const ev of boot.early) w.onmessage(ev);
}
