// player.js: the animation's cursor: stepping, playing, seeking, zoom,
// and drawing every view at the cursor.
import { drawCwnd, drawLadder, drawTimeSeq } from "./draw.js";
import { eventText } from "./model.js";
import { fillPicker } from "./faults.js";
import { drawTopology } from "./topo.js";
import { drawCwndFlows, drawRounds, drawThroughput, tcpFlows } from "./views.js";
import { $, S, SPEEDS } from "./state.js";

// buildSteps picks the events the step buttons walk: every line of the
// trace (S.steps null), or one flow's (their line numbers).
export function buildSteps() {
  const tr = S.run.model.events;
  S.steps = S.flow ? tr.indicesOf(S.flow) : null;
  S.nSteps = S.steps ? S.steps.length : tr.n;
}

// stepT is the time of step k; stepEvent its event, parsed.
export function stepT(k) {
  return S.run.model.events.t[S.steps ? S.steps[k] : k];
}
export function stepEvent(k) {
  return S.run.model.events.event(S.steps ? S.steps[k] : k);
}

export function stepsAt(t) {
  let lo = 0,
    hi = S.nSteps;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (stepT(m) <= t) lo = m + 1;
    else hi = m;
  }
  return lo;
}

// seek moves the cursor to time t: every event at or before t has happened.
export function seek(t) {
  S.t = Math.max(0, t);
  // At time zero the cursor stands before the first event, so that the
  // first step shows the trace's first line.
  S.idx = S.t > 0 ? stepsAt(S.t) : 0;
  render();
}

// step moves n events forward (or back), the cursor to the last one's time.
export function step(n) {
  if (!S.run) return;
  pause();
  S.idx = Math.max(0, Math.min(S.nSteps, S.idx + n));
  S.t = S.idx > 0 ? stepT(S.idx - 1) : 0;
  render();
}

export function play() {
  if (!S.run) return;
  if (S.idx >= S.nSteps) seek(0);
  S.playing = true;
  $("play").textContent = "❚❚";
  $("play").setAttribute("aria-label", "Pause");
  S.lastFrame = performance.now();
  requestAnimationFrame(frame);
}

export function pause() {
  S.playing = false;
  $("play").textContent = "▶︎";
  $("play").setAttribute("aria-label", "Play");
}

export function inFlight(t) {
  const m = S.run.model;
  for (let i = m.firstPacketFrom(t); i < m.packets.length; i++) {
    const p = m.packets[i];
    if (p.tTx > t) break;
    if (p.tEnd > t && (!S.flow || p.flow === S.flow)) return true;
  }
  return false;
}

export function frame(now) {
  if (!S.playing) return;
  const dt = Math.min(0.1, (now - S.lastFrame) / 1000);
  S.lastFrame = now;
  const speed = SPEEDS[S.speed];
  let t = S.t + dt * speed;
  // Skip idle stretches (a retransmission timer running, nothing on the
  // wire): jump to a moment before the next event.
  const next = S.idx < S.nSteps ? stepT(S.idx) : null;
  if (next !== null && next - t > 1.2 * speed && !inFlight(t)) t = next - 0.4 * speed;
  if (t >= S.run.model.end) {
    seek(S.run.model.end);
    pause();
    return;
  }
  seek(t);
  requestAnimationFrame(frame);
}

// tseqFlow is the flow the plots show: the one picked if it has data
// segments to plot (the engine's view says so), else the first that has.
export function tseqFlow() {
  const m = S.run.model;
  const plotted = (name) => m.series.get(name)?.sends.length > 0;
  if (S.flow && plotted(S.flow)) return S.flow;
  return S.run.info.flows.map((f) => f.name).find(plotted) ?? null;
}

export function render() {
  if (!S.run) return;
  const m = S.run.model;
  const view = {
    t: S.t,
    span: S.span,
    flow: S.flow,
    large: S.large,
    selected: S.selected,
    hover: S.hover,
    hops: S.hops && S.run.info.topology,
  };
  const drawn = drawLadder($("ladder"), m, view);
  S.hits = drawn.hits;
  S.labelBoxes = drawn.labels;
  S.lanes = drawn.lanes;
  if (!S.playing) fillPicker(S.hits);
  const topo = $("topo");
  topo.hidden = !S.run.info.topology;
  $("hops-field").hidden = !S.run.info.topology;
  if (S.run.info.topology) S.topoDrawn = drawTopology(topo, S.run.info, S.large, m, S.t, S.link);
  const fl = tseqFlow();
  S.tseqAxes = drawTimeSeq($("tseq"), m, fl, S.t, S.large);
  // Several TCP flows and all flows shown: their windows on one plot.
  S.cwndAxes =
    !S.flow && tcpFlows(m) > 1
      ? drawCwndFlows($("cwnd"), S.run, S.t, S.large)
      : drawCwnd($("cwnd"), m, fl, S.t, S.large);
  // The rounds view does not move with the cursor: drawn once per run,
  // flow and size.
  const rk = [S.run.seq, !!S.run.rounds, fl, S.large, $("rounds").clientWidth, $("rounds").clientHeight].join();
  if (S.roundsKey !== rk) {
    S.roundsKey = rk;
    S.roundsDrawn = drawRounds($("rounds"), S.run, fl, S.large);
  }
  S.thruAxes = drawThroughput($("thru"), S.run, S.flow, S.t, S.large);
  $("scrub").value = String(m.end > 0 ? Math.round((S.t / m.end) * 10000) : 0);
  $("clock").textContent = "t = " + S.t.toFixed(6) + " s";
  const cur = S.idx > 0 ? stepEvent(S.idx - 1) : null;
  $("event-index").textContent = "event " + S.idx + " of " + S.nSteps + (S.flow ? " (" + S.flow + ")" : "");
  const ec = $("event-current");
  ec.textContent = cur ? eventText(cur) : "(before the first event)";
  ec.dataset.event = cur ? cur.raw : "";
  const log = $("event-log");
  log.textContent = "";
  for (let i = Math.max(0, S.idx - 6); i < Math.min(S.nSteps, S.idx + 2); i++) {
    const li = document.createElement("li");
    li.textContent = eventText(stepEvent(i));
    if (i === S.idx - 1) li.className = "now";
    log.append(li);
  }
}

export function setSpeed(i) {
  S.speed = Math.max(0, Math.min(SPEEDS.length - 1, i));
  $("speed").value = String(S.speed);
}

export function zoom(f) {
  S.span = Math.min(Math.max(S.span * f, 1e-5), 3600);
  render();
}
