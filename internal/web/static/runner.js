// runner.js: asks the engine for a run and shows its outcome.
import { fileName, refuseOversize, showError } from "./editor.js";
import { call, RUN_BUDGET_MS, stopEngine } from "./engine.js";
import { Model, parseTrace } from "./model.js";
import { updateHash } from "./permalink.js";
import { buildSteps, render, seek } from "./player.js";
import { overrides, setSlidersFrom } from "./sliders.js";
import { $, S, SPEEDS, setStatus } from "./state.js";
import { fillParams } from "./sweep.js";
import { renderTables } from "./tables.js";

export async function requestRun(opts = {}) {
  // Who asked, for the browser tests' messages (the last 20 asks).
  S.asks.push((S.busy ? "queued " : "") + ((new Error().stack || "").split("\n")[2] || "").trim());
  if (S.asks.length > 20) S.asks.shift();
  if (!S.ready) return;
  if (S.busy) {
    S.queued = opts;
    return;
  }
  if (refuseOversize($("yaml").value)) return;
  const req = {
    file: fileName(),
    source: $("yaml").value,
    seed: S.seed !== null ? Number(S.seed) : 0,
    seed_set: S.seed !== null,
    overrides: overrides(),
    rounds_flow: roundsFlow(),
  };
  // A run asked for while another ran is dropped when it would run the
  // same request again (two events for one change).
  const key = JSON.stringify(req);
  if (opts.fromQueue && key === S.lastKey) return;
  S.lastKey = key;
  S.busy = true;
  setStatus("Running…", "running");

  // The engine's budgets end a run long before this; the watchdog is for
  // what they miss, so that the page never stays on "Running…".
  const watchdog = setTimeout(
    () => stopEngine("The run took longer than " + RUN_BUDGET_MS / 1000 + " s: the engine was stopped."),
    RUN_BUDGET_MS,
  );
  performance.mark("tcpsim:run-asked");
  const r = await call("run", req);
  clearTimeout(watchdog);
  if (r.sentAt)
    document.body.dataset.lastTransferMs = (performance.timeOrigin + performance.now() - r.sentAt).toFixed(1);
  S.busy = false;
  S.runCount = (S.runCount || 0) + 1;
  document.body.dataset.lastCallMs = (r.ms || 0).toFixed(1);
  document.body.dataset.speculated = String(!!r.speculated);
  if (r.error?.stopped) {
    setStatus(r.error.message, "stopped");
  } else if (r.error) {
    showError(r.error);
    setStatus("Error: " + r.error.message.split("\n")[0], "error");
  } else {
    showError(null);
    show(r, opts);
  }
  document.body.dataset.runs = String(S.runCount);
  if (S.queued) {
    const q = S.queued;
    S.queued = false;
    requestRun({ ...q, fromQueue: true });
  }
}

export function show(r, opts) {
  const t0 = performance.now();
  const info = JSON.parse(r.info);
  const events = parseTrace(r.trace);
  const prevT = S.t;
  document.body.dataset.runMs = r.ms.toFixed(1);
  S.run = {
    report: r.report,
    tables: r.tables,
    info,
    model: new Model(events, info, r.view),
    seed: r.seed_text,
    ms: r.ms,
    truncated: r.trace_truncated,
    total: r.trace_events,
    rounds: null, // asked for once the run is shown (askRounds)
    seq: S.runCount, // tells one run's drawings from the next's
  };
  fillParams(info);
  const t1 = performance.now();
  if (S.seed === null) $("seed").value = r.seed_text;
  renderTables(r.tables);
  $("report-json").textContent = r.report;
  setSlidersFrom(info);
  fillFlows(info);
  const rtt = Math.max(S.run.model.rtt(), 1e-4);
  if (!opts.keepCursor) {
    S.span = Math.max(3.5 * rtt, 0.004);
    S.speed = nearestSpeed(rtt / 1.5);
    $("speed").value = String(S.speed);
  }
  buildSteps();
  let t = opts.keepCursor ? prevT : 0;
  if (S.pendingT !== null) {
    t = S.pendingT;
    S.pendingT = null;
  }
  seek(Math.min(t, S.run.model.end));
  const t2 = performance.now();
  // Where the time of a run shown goes (logged by the browser tests):
  // the engine's call, the page's reading of its answer, the drawing.
  document.body.dataset.lastParseMs = (t1 - t0).toFixed(1);
  document.body.dataset.lastDrawMs = (t2 - t1).toFixed(1);
  if (!document.body.dataset.firstRunMs) document.body.dataset.firstRunMs = t2.toFixed(0);
  performance.measure("tcpsim:read", { start: t0, end: t1 });
  performance.measure("tcpsim:draw", { start: t1, end: t2 });
  askRounds(S.run);
  const run = JSON.parse(r.report)[0];
  const tr = r.trace_truncated ? "; trace cut at " + S.run.model.events.n + " of " + r.trace_events + " events" : "";
  setStatus(
    run.scenario +
      " (seed " +
      r.seed_text +
      "): " +
      run.status +
      "; " +
      run.events +
      " events in " +
      Math.round(r.ms) +
      " ms" +
      tr,
    "done",
  );
  updateHash();
}

// roundsFlow is the TCP flow whose rounds the engine should count: the
// flow picked, when it has a congestion window (the engine's view of the
// last run says; "" lets the engine take the first).
export function roundsFlow() {
  return S.run?.model.series.get(S.flow)?.cwnd.length > 0 ? S.flow : "";
}

// askRounds asks the engine for the run's cwnd-by-round figure, which it
// builds only now, so that the run is shown without waiting for it; the
// rounds view is drawn when it comes (unless another run came first).
async function askRounds(run) {
  const a = await call("rounds", {});
  if (S.run !== run) return;
  run.rounds = a.error ? {} : JSON.parse(a.rounds || "{}");
  document.body.dataset.roundsShown = String(run.seq);
  render();
  // Another flow was picked meanwhile: run again for its rounds.
  if (roundsFlow() && !run.rounds[roundsFlow()]) requestRun({ keepCursor: true });
}

export function nearestSpeed(want) {
  let best = 0;
  for (let i = 0; i < SPEEDS.length; i++)
    if (Math.abs(Math.log(SPEEDS[i] / want)) < Math.abs(Math.log(SPEEDS[best] / want))) best = i;
  return best;
}

export function fillFlows(info) {
  const sel = $("flow");
  const keep = S.flow;
  sel.textContent = "";
  const all = document.createElement("option");
  all.value = "";
  all.textContent = "all flows";
  sel.append(all);
  for (const f of info.flows) {
    const o = document.createElement("option");
    o.value = f.name;
    o.textContent = f.name + " (" + f.protocol + ")";
    sel.append(o);
  }
  S.flow = info.flows.some((f) => f.name === keep) ? keep : "";
  sel.value = S.flow;
}
