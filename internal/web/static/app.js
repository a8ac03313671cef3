// app.js: the lab page. The engine runs in worker.js; this file keeps the
// page's state, asks the worker for runs and sweeps, and drives the views.
import { Model, parseTrace, eventText, C } from "./model.js";
import { drawLadder, drawTimeSeq, drawCwnd, drawSweep } from "./draw.js";

const $ = (id) => document.getElementById(id);
const SPEEDS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];
const DEFAULT_SCENARIO = "exercises/02-timeout.yaml";

// The page's state: one object, owned by this module.
const S = {
  worker: null,
  nextId: 1,
  calls: new Map(),
  ready: false,
  scenarios: [],
  path: null, // the shipped scenario in the editor, null once edited
  seed: null, // the seed asked for, as a decimal string; null = the file's
  sliders: { loss: null, delay: null, rate: null }, // overrides as written, or null
  busy: false,
  queued: false,
  run: null, // {report, tables, info, model, seed, ms}
  steps: [], // the events the step buttons walk (all, or one flow's)
  idx: 0, // how many of steps have happened
  t: 0, // the cursor's simulated time, seconds
  playing: false,
  speed: 5, // index into SPEEDS
  span: 0.2, // the ladder's window, seconds
  flow: "", // "" = every flow
  sweep: null,
  sweepInfo: null,
  large: false,
  pendingT: null, // a cursor time from a permalink, applied after the run
  lastFrame: 0,
};

// ---- the worker -------------------------------------------------------

function call(op, req, onProgress) {
  const id = S.nextId++;
  return new Promise((resolve) => {
    S.calls.set(id, { resolve, onProgress });
    S.worker.postMessage({ id, op, req });
  });
}

function startWorker() {
  S.worker = new Worker("worker.js");
  S.worker.onmessage = (ev) => {
    const m = ev.data;
    if (m.ready !== undefined) {
      if (!m.ready) {
        setStatus("The engine did not load: " + m.fatal, "error");
        return;
      }
      S.ready = true;
      document.body.dataset.engineReadyMs = performance.now().toFixed(0);
      S.scenarios = m.scenarios;
      S.version = m.version;
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
    c.resolve(m.result);
  };
  S.worker.onerror = (ev) => setStatus("The engine stopped: " + (ev.message || "unknown error"), "error");
}

function setStatus(text, state) {
  $("status").textContent = text;
  if (state) document.body.dataset.state = state;
}

// ---- scenarios and the editor ----------------------------------------

function fillScenarios() {
  const sel = $("scenario");
  sel.textContent = "";
  const groups = { scenarios: "Scenarios", exercises: "Exercises", sweeps: "Sweeps" };
  for (const [g, label] of Object.entries(groups)) {
    const og = document.createElement("optgroup");
    og.label = label;
    for (const s of S.scenarios.filter((x) => x.group === g)) {
      const o = document.createElement("option");
      o.value = s.path;
      o.textContent = s.path.replace(/^(exercises|sweeps)\//, "").replace(/\.yaml$/, "");
      o.title = s.title;
      og.append(o);
    }
    sel.append(og);
  }
  const ed = document.createElement("option");
  ed.value = "";
  ed.textContent = "(edited)";
  ed.hidden = true;
  sel.append(ed);
}

function shipped(path) {
  return S.scenarios.find((s) => s.path === path);
}

function loadScenario(path, keepSeed) {
  const s = shipped(path);
  if (!s) return false;
  S.path = path;
  $("scenario").value = path;
  $("yaml").value = s.source;
  $("question").textContent = s.question ? "Question: " + s.question : s.title;
  if (!keepSeed) S.seed = null;
  updateGutter();
  return true;
}

function fileName() {
  return S.path ? "scenarios/" + S.path : "editor.yaml";
}

function updateGutter() {
  const n = $("yaml").value.split("\n").length;
  const bad = S.errorLine || 0;
  const g = $("gutter");
  g.textContent = "";
  for (let i = 1; i <= n; i++) {
    const span = document.createElement("span");
    span.textContent = String(i);
    if (i === bad) span.className = "bad";
    g.append(span, "\n");
  }
  g.scrollTop = $("yaml").scrollTop;
  placeErrorLine();
}

function placeErrorLine() {
  const el = $("error-line");
  if (!S.errorLine) {
    el.hidden = true;
    return;
  }
  const ta = $("yaml");
  const lh = parseFloat(getComputedStyle(ta).lineHeight) || 18;
  const pad = parseFloat(getComputedStyle(ta).paddingTop) || 0;
  el.style.top = pad + (S.errorLine - 1) * lh - ta.scrollTop + "px";
  el.style.height = lh + "px";
  el.hidden = false;
}

function showError(err) {
  const box = $("error");
  if (!err) {
    box.hidden = true;
    box.textContent = "";
    S.errorLine = 0;
    S.errorCol = 0;
    updateGutter();
    return;
  }
  box.hidden = false;
  box.textContent = err.message + (err.bug ? "\n(an internal error: please report it)" : "");
  S.errorLine = err.line || 0;
  S.errorCol = err.col || 0;
  box.dataset.line = String(err.line || "");
  box.dataset.col = String(err.col || "");
  updateGutter();
}

function jumpToError() {
  if (!S.errorLine) return;
  const ta = $("yaml");
  const lines = ta.value.split("\n");
  let pos = 0;
  for (let i = 0; i < S.errorLine - 1 && i < lines.length; i++) pos += lines[i].length + 1;
  pos += Math.max(0, (S.errorCol || 1) - 1);
  ta.focus();
  ta.setSelectionRange(pos, pos);
  const lh = parseFloat(getComputedStyle(ta).lineHeight) || 18;
  ta.scrollTop = Math.max(0, (S.errorLine - 3) * lh);
}

// ---- sliders ------------------------------------------------------------

const lossOf = (v) => +(v / 10).toFixed(1) + "%";
const delayOf = (v) => v + "ms";
const rateOf = (v) => {
  const mbps = 0.1 * 10 ** (v / 15);
  return (mbps >= 10 ? +mbps.toPrecision(2) : +mbps.toPrecision(2)) + "Mbps";
};

function overrides() {
  const o = [];
  if (S.sliders.loss !== null) o.push("link.loss=" + S.sliders.loss);
  if (S.sliders.delay !== null) o.push("link.delay=" + S.sliders.delay);
  if (S.sliders.rate !== null) o.push("link.rate=" + S.sliders.rate);
  return o;
}

function setSlidersFrom(info) {
  // Sliders follow the scenario as run (with the overrides in force).
  const l = info.link;
  if (S.sliders.loss === null) $("loss").value = String(Math.round(l.loss_mean * 1000));
  if (S.sliders.delay === null) $("delay").value = String(Math.round(l.delay_s * 1000));
  if (S.sliders.rate === null) {
    $("rate").value = l.rate_bps ? String(Math.round(15 * Math.log10(l.rate_bps / 1e5))) : "60";
  }
  $("loss-out").textContent = S.sliders.loss ?? +(l.loss_mean * 100).toFixed(2) + "%";
  $("delay-out").textContent = S.sliders.delay ?? +(l.delay_s * 1000).toFixed(3) + "ms";
  $("rate-out").textContent =
    S.sliders.rate ?? (l.rate_bps ? +(l.rate_bps / 1e6).toPrecision(3) + "Mbps" : "unlimited");
  const o = overrides();
  $("overrides").textContent = o.length ? "Overrides: " + o.join(", ") : "As the file says.";
}

let sliderTimer = 0;
function onSlider(which) {
  const v = +$(which).value;
  S.sliders[which] = which === "loss" ? lossOf(v) : which === "delay" ? delayOf(v) : rateOf(v);
  $(which + "-out").textContent = S.sliders[which];
  clearTimeout(sliderTimer);
  sliderTimer = setTimeout(() => requestRun({ keepCursor: true }), 60);
}

// ---- running ------------------------------------------------------------

async function requestRun(opts = {}) {
  if (!S.ready) return;
  if (S.busy) {
    S.queued = opts;
    return;
  }
  S.busy = true;
  setStatus("Running…", "running");
  const req = {
    file: fileName(),
    source: $("yaml").value,
    seed: S.seed !== null ? Number(S.seed) : 0,
    seed_set: S.seed !== null,
    overrides: overrides(),
  };
  const r = await call("run", req);
  S.busy = false;
  S.runCount = (S.runCount || 0) + 1;
  if (r.error) {
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
    requestRun(q);
  }
}

function show(r, opts) {
  const info = JSON.parse(r.info);
  const events = parseTrace(r.trace);
  const prevT = S.t;
  document.body.dataset.runMs = r.ms.toFixed(1);
  if (!document.body.dataset.firstRunMs) document.body.dataset.firstRunMs = performance.now().toFixed(0);
  S.run = {
    report: r.report,
    tables: r.tables,
    info,
    model: new Model(events, info, r.view),
    seed: r.seed_text,
    ms: r.ms,
    truncated: r.trace_truncated,
    total: r.trace_events,
  };
  if (S.seed === null) $("seed").value = r.seed_text;
  renderTables(r.tables);
  $("report-json").textContent = r.report;
  setSlidersFrom(info);
  fillFlows(info);
  const rtt = Math.max(info.link.delay_s + info.link.reverse_delay_s, 1e-4);
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
  const run = JSON.parse(r.report)[0];
  const tr = r.trace_truncated
    ? "; trace cut at " + S.run.model.events.length + " of " + r.trace_events + " events"
    : "";
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

function nearestSpeed(want) {
  let best = 0;
  for (let i = 0; i < SPEEDS.length; i++)
    if (Math.abs(Math.log(SPEEDS[i] / want)) < Math.abs(Math.log(SPEEDS[best] / want))) best = i;
  return best;
}

function fillFlows(info) {
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

// ---- tables ---------------------------------------------------------------

// renderTables turns the CLI's Markdown tables into HTML tables: the
// cells are exactly the CLI's.
function renderTables(md) {
  const out = $("tables");
  out.textContent = "";
  const lines = md.split("\n");
  let i = 0;
  const cells = (line) =>
    line
      .trim()
      .replace(/^\||\|$/g, "")
      .split("|")
      .map((c) => c.trim());
  while (i < lines.length) {
    const line = lines[i];
    if (line.startsWith("#")) {
      const p = document.createElement("p");
      p.className = "run-head";
      p.textContent = line.replace(/^#+\s*/, "");
      out.append(p);
      i++;
    } else if (line.startsWith("|")) {
      const table = document.createElement("table");
      table.className = "run";
      const head = cells(line);
      table.dataset.section = head[0];
      const thead = table.createTHead().insertRow();
      for (const h of head) {
        const th = document.createElement("th");
        th.textContent = h;
        th.scope = "col";
        thead.append(th);
      }
      i += 2; // the alignment row
      const body = table.createTBody();
      while (i < lines.length && lines[i].startsWith("|")) {
        const row = body.insertRow();
        cells(lines[i]).forEach((c, j) => {
          const cell = j === 0 ? document.createElement("th") : document.createElement("td");
          if (j === 0) cell.scope = "row";
          cell.textContent = c;
          row.append(cell);
        });
        i++;
      }
      out.append(table);
    } else {
      i++;
    }
  }
}

// ---- the animation ----------------------------------------------------------

function buildSteps() {
  const evs = S.run.model.events;
  S.steps = S.flow ? evs.filter((e) => e.flow === S.flow) : evs;
}

function stepsAt(t) {
  let lo = 0,
    hi = S.steps.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (S.steps[m].t <= t) lo = m + 1;
    else hi = m;
  }
  return lo;
}

// seek moves the cursor to time t: every event at or before t has happened.
function seek(t) {
  S.t = Math.max(0, t);
  // At time zero the cursor stands before the first event, so that the
  // first step shows the trace's first line.
  S.idx = S.t > 0 ? stepsAt(S.t) : 0;
  render();
}

// step moves n events forward (or back), the cursor to the last one's time.
function step(n) {
  if (!S.run) return;
  pause();
  S.idx = Math.max(0, Math.min(S.steps.length, S.idx + n));
  S.t = S.idx > 0 ? S.steps[S.idx - 1].t : 0;
  render();
}

function play() {
  if (!S.run) return;
  if (S.idx >= S.steps.length) seek(0);
  S.playing = true;
  $("play").textContent = "❚❚";
  $("play").setAttribute("aria-label", "Pause");
  S.lastFrame = performance.now();
  requestAnimationFrame(frame);
}

function pause() {
  S.playing = false;
  $("play").textContent = "▶︎";
  $("play").setAttribute("aria-label", "Play");
}

function inFlight(t) {
  const m = S.run.model;
  for (let i = m.firstPacketFrom(t); i < m.packets.length; i++) {
    const p = m.packets[i];
    if (p.tTx > t) break;
    if (p.tEnd > t && (!S.flow || p.flow === S.flow)) return true;
  }
  return false;
}

function frame(now) {
  if (!S.playing) return;
  const dt = Math.min(0.1, (now - S.lastFrame) / 1000);
  S.lastFrame = now;
  const speed = SPEEDS[S.speed];
  let t = S.t + dt * speed;
  // Skip idle stretches (a retransmission timer running, nothing on the
  // wire): jump to a moment before the next event.
  const next = S.steps[S.idx];
  if (next && next.t - t > 1.2 * speed && !inFlight(t)) t = next.t - 0.4 * speed;
  if (t >= S.run.model.end) {
    seek(S.run.model.end);
    pause();
    return;
  }
  seek(t);
  requestAnimationFrame(frame);
}

function tseqFlow() {
  const info = S.run.info;
  const f = info.flows.find((x) => x.name === S.flow);
  if (f && f.protocol === "tcp") return f.name;
  const tcp = info.flows.find((x) => x.protocol === "tcp");
  return tcp ? tcp.name : null;
}

function render() {
  if (!S.run) return;
  const m = S.run.model;
  const view = { t: S.t, span: S.span, flow: S.flow, large: S.large };
  drawLadder($("ladder"), m, view);
  const fl = tseqFlow();
  S.tseqAxes = drawTimeSeq($("tseq"), m, fl, S.t, S.large);
  S.cwndAxes = drawCwnd($("cwnd"), m, fl, S.t, S.large);
  $("scrub").value = String(m.end > 0 ? Math.round((S.t / m.end) * 10000) : 0);
  $("clock").textContent = "t = " + S.t.toFixed(6) + " s";
  const cur = S.idx > 0 ? S.steps[S.idx - 1] : null;
  $("event-index").textContent = "event " + S.idx + " of " + S.steps.length + (S.flow ? " (" + S.flow + ")" : "");
  const ec = $("event-current");
  ec.textContent = cur ? eventText(cur) : "(before the first event)";
  ec.dataset.event = cur ? cur.raw : "";
  const log = $("event-log");
  log.textContent = "";
  for (let i = Math.max(0, S.idx - 6); i < Math.min(S.steps.length, S.idx + 2); i++) {
    const li = document.createElement("li");
    li.textContent = eventText(S.steps[i]);
    if (i === S.idx - 1) li.className = "now";
    log.append(li);
  }
}

// ---- permalinks -------------------------------------------------------------

function b64url(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function unb64url(s) {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function deflate(text) {
  const cs = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(cs).arrayBuffer());
}

async function inflate(bytes) {
  const ds = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return await new Response(ds).text();
}

async function permalink(withTime) {
  const p = new URLSearchParams();
  if (S.path) p.set("s", S.path);
  else p.set("y", b64url(await deflate($("yaml").value)));
  p.set("seed", S.run ? S.run.seed : $("seed").value || "0");
  for (const k of ["loss", "delay", "rate"]) if (S.sliders[k] !== null) p.set(k, S.sliders[k]);
  if (withTime && S.t > 0) p.set("t", S.t.toFixed(9));
  if (S.flow) p.set("flow", S.flow);
  if (S.large) p.set("large", "1");
  return "#" + p.toString();
}

let hashSerial = 0;
async function updateHash() {
  const n = ++hashSerial;
  const h = await permalink(false);
  if (n === hashSerial && location.hash !== h) history.replaceState(null, "", h);
  S.ownHash = h;
}

async function copyPermalink() {
  const h = await permalink(true);
  history.replaceState(null, "", h);
  S.ownHash = h;
  const url = location.href;
  try {
    await navigator.clipboard.writeText(url);
    setStatus("Permalink copied: the scenario, seed, sliders and this moment.");
  } catch {
    setStatus("Permalink in the address bar: copy it from there.");
  }
}

// restore reads the URL fragment (a permalink) or loads the default.
async function restore() {
  const p = new URLSearchParams(location.hash.slice(1));
  let ok = false;
  if (p.has("s")) ok = loadScenario(p.get("s"), true);
  if (!ok && p.has("y")) {
    try {
      $("yaml").value = await inflate(unb64url(p.get("y")));
      S.path = null;
      $("scenario").value = "";
      $("question").textContent = "";
      updateGutter();
      ok = true;
    } catch {
      setStatus("The permalink's scenario could not be read: showing the default.", "error");
    }
  }
  if (!ok) loadScenario(DEFAULT_SCENARIO);
  const seed = p.get("seed");
  S.seed = seed && /^\d+$/.test(seed) ? seed : null;
  $("seed").value = S.seed ?? "";
  for (const k of ["loss", "delay", "rate"]) S.sliders[k] = p.get(k);
  S.flow = p.get("flow") || "";
  setLarge(p.get("large") === "1");
  const t = parseFloat(p.get("t"));
  S.pendingT = Number.isFinite(t) && t > 0 ? t : null;
  await requestRun({});
}

// ---- sweep ------------------------------------------------------------------

async function runSweep() {
  if (!S.ready) return;
  const values = $("sweep-values")
    .value.split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  const seeds = Math.max(1, Math.min(100, parseInt($("sweep-seeds").value, 10) || 1));
  const prog = $("sweep-progress");
  prog.hidden = false;
  prog.value = 0;
  $("sweep-run").disabled = true;
  $("sweep-error").hidden = true;
  setStatus("Sweeping…", "running");
  const t0 = performance.now();
  const r = await call(
    "sweep",
    {
      file: fileName(),
      source: $("yaml").value,
      vary: ["link.loss=" + values.join(",")],
      seeds,
      overrides: overrides().filter((o) => !o.startsWith("link.loss=")),
    },
    (done, total) => {
      prog.max = total;
      prog.value = done;
    },
  );
  $("sweep-run").disabled = false;
  prog.hidden = true;
  S.sweepCount = (S.sweepCount || 0) + 1;
  document.body.dataset.sweeps = String(S.sweepCount);
  if (r.error) {
    $("sweep-error").hidden = false;
    $("sweep-error").textContent = r.error.message;
    setStatus("Sweep error", "error");
    return;
  }
  $("sweep-json").textContent = r.report;
  S.sweep = JSON.parse(r.report);
  S.sweepInfo = JSON.parse(r.info);
  drawSweep($("sweep"), S.sweep, S.sweepInfo, S.large);
  setStatus(
    "Sweep: " +
      S.sweep.runs_total +
      " runs (" +
      S.sweep.runs_failed +
      " failed) in " +
      ((performance.now() - t0) / 1000).toFixed(1) +
      " s",
    "done",
  );
}

// ---- large text, help, keys -------------------------------------------------

function setLarge(on) {
  S.large = on;
  document.documentElement.classList.toggle("large", on);
  $("large").setAttribute("aria-pressed", String(on));
  requestAnimationFrame(() => {
    placeErrorLine();
    render();
    drawSweep($("sweep"), S.sweep, S.sweepInfo || S.run?.info, S.large);
  });
}

function toggleHelp(show) {
  $("help").hidden = !show;
  if (show) $("help-close").focus();
}

function typing(el) {
  return (
    el && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type !== "range") || el.tagName === "SELECT")
  );
}

function onKey(ev) {
  if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
    ev.preventDefault();
    requestRun({});
    return;
  }
  if (ev.key === "Escape") {
    toggleHelp(false);
    return;
  }
  if (typing(document.activeElement) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  // A focused button takes Space and Enter itself.
  if (document.activeElement && document.activeElement.tagName === "BUTTON" && (ev.key === " " || ev.key === "Enter"))
    return;
  const n = ev.shiftKey ? 10 : 1;
  switch (ev.key) {
    case " ":
      S.playing ? pause() : play();
      break;
    case "ArrowRight":
      step(n);
      break;
    case "ArrowLeft":
      step(-n);
      break;
    case "Home":
      pause();
      seek(0);
      break;
    case "End":
      pause();
      if (S.run) seek(S.run.model.end);
      break;
    case "+":
    case "=":
      setSpeed(S.speed + 1);
      break;
    case "-":
    case "_":
      setSpeed(S.speed - 1);
      break;
    case "]":
      zoom(0.5);
      break;
    case "[":
      zoom(2);
      break;
    case "r":
    case "R":
      requestRun({ keepCursor: true });
      break;
    case "p":
    case "P":
      copyPermalink();
      break;
    case "l":
    case "L":
      setLarge(!S.large);
      break;
    case "?":
      toggleHelp($("help").hidden);
      break;
    default:
      return;
  }
  ev.preventDefault();
}

function setSpeed(i) {
  S.speed = Math.max(0, Math.min(SPEEDS.length - 1, i));
  $("speed").value = String(S.speed);
}

function zoom(f) {
  S.span = Math.min(Math.max(S.span * f, 1e-5), 3600);
  render();
}

function legend() {
  const items = [
    [C.data, "TCP data"],
    [C.ack, "ACK (dashed)"],
    [C.retrans, "retransmission, loss ✕, timer fired"],
    [C.ctrl, "SYN/FIN, state"],
    [C.udp, "UDP datagram"],
    [C.sky, "timer running (dashed) / ssthresh"],
    [C.yellow, "corrupted (!)"],
  ];
  const p = $("legend");
  p.textContent = "";
  for (const [c, t] of items) {
    const s = document.createElement("span");
    s.className = "sw";
    s.style.background = c;
    p.append(s, t);
  }
}

// ---- wiring -------------------------------------------------------------------

function wire() {
  SPEEDS.forEach((s, i) => {
    const o = document.createElement("option");
    o.value = String(i);
    o.textContent = s + "×";
    $("speed").append(o);
  });
  $("speed").value = String(S.speed);
  $("speed").addEventListener("change", () => setSpeed(+$("speed").value));
  $("scenario").addEventListener("change", () => {
    const v = $("scenario").value;
    if (!v) return;
    loadScenario(v);
    S.sliders = { loss: null, delay: null, rate: null };
    $("seed").value = "";
    requestRun({});
  });
  $("seed").addEventListener("change", () => {
    const v = $("seed").value.trim();
    S.seed = /^\d+$/.test(v) ? v : null;
    requestRun({ keepCursor: true });
  });
  $("run").addEventListener("click", () => requestRun({}));
  $("permalink").addEventListener("click", copyPermalink);
  $("large").addEventListener("click", () => setLarge(!S.large));
  $("help-button").addEventListener("click", () => toggleHelp(true));
  $("help-close").addEventListener("click", () => toggleHelp(false));
  let editTimer = 0;
  $("yaml").addEventListener("input", () => {
    if (S.path) {
      S.path = null;
      $("scenario").value = "";
    }
    updateGutter();
    clearTimeout(editTimer);
    editTimer = setTimeout(() => requestRun({ keepCursor: true }), 700);
  });
  $("yaml").addEventListener("scroll", () => {
    $("gutter").scrollTop = $("yaml").scrollTop;
    placeErrorLine();
  });
  $("error").addEventListener("click", jumpToError);
  for (const k of ["loss", "delay", "rate"]) $(k).addEventListener("input", () => onSlider(k));
  $("reset-sliders").addEventListener("click", () => {
    S.sliders = { loss: null, delay: null, rate: null };
    requestRun({ keepCursor: true });
  });
  $("back").addEventListener("click", () => step(-1));
  $("fwd").addEventListener("click", () => step(1));
  $("play").addEventListener("click", () => (S.playing ? pause() : play()));
  $("zoom-in").addEventListener("click", () => zoom(0.5));
  $("zoom-out").addEventListener("click", () => zoom(2));
  $("flow").addEventListener("change", () => {
    S.flow = $("flow").value;
    buildSteps();
    seek(S.t);
    updateHash();
  });
  $("scrub").addEventListener("input", () => {
    pause();
    if (S.run) seek((+$("scrub").value / 10000) * S.run.model.end);
  });
  const plotSeek = (canvas, key) =>
    canvas.addEventListener("click", (ev) => {
      const ax = S[key];
      if (!ax || !S.run) return;
      const r = canvas.getBoundingClientRect();
      const x = ev.clientX - r.left;
      const t = ((x - ax.box.x) / ax.box.w) * S.run.model.end;
      pause();
      seek(Math.max(0, Math.min(S.run.model.end, t)));
    });
  plotSeek($("tseq"), "tseqAxes");
  plotSeek($("cwnd"), "cwndAxes");
  $("sweep-run").addEventListener("click", runSweep);
  document.addEventListener("keydown", onKey);
  window.addEventListener("hashchange", () => {
    if (location.hash !== S.ownHash && S.ready) restore();
  });
  new ResizeObserver(() => {
    render();
    drawSweep($("sweep"), S.sweep, S.sweepInfo || S.run?.info, S.large);
    placeErrorLine();
  }).observe(document.body);
  legend();
  drawSweep($("sweep"), null, null, false);
}

wire();
startWorker();
