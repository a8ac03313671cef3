// views.js: the textbook's views beside the ladder: cwnd against
// transmission rounds (Kurose & Ross, Figure 3.53; the engine builds the
// CLI's figure), throughput against time per flow and cwnd against time
// for several flows on one plot (built here from the engine's view), all
// drawn by figure.js with one colour per flow and a legend.
import { niceStep } from "./draw.js";
import { drawFigure } from "./figure.js";

// axis is a figure axis from lo to hi with round ticks.
export function axis(label, lo, hi) {
  const span = hi > lo ? hi - lo : 1;
  const step = niceStep(span, 5);
  const max = Math.ceil(hi / step - 1e-9) * step || step;
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= max + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
  return { Label: label, Min: lo, Max: max, Ticks: ticks };
}

// timeAxis is the x axis of a run, 0 to its end, in s or ms.
function timeAxis(end) {
  const ms = end < 2;
  const a = axis(ms ? "time (ms)" : "time (s)", 0, ms ? end * 1e3 : end);
  return { a, f: ms ? 1e3 : 1 };
}

// drawRounds draws a TCP flow's cwnd in segments against transmission
// rounds: the figure `tcpsim plot --x rounds --units segments` draws,
// built by the engine (the rounds' times are not kept, so the cursor is
// not marked on it).
export function drawRounds(canvas, run, flow, large) {
  const fig = flow && run.rounds ? run.rounds[flow] : null;
  return drawFigure(canvas, fig, {
    large,
    title: fig ? "cwnd in segments by round: " + flow : "",
    empty: run.rounds ? "cwnd by round: no TCP data sender to plot" : "counting the rounds…",
  });
}

// flowColour gives each flow of a run its colour (package plot's palette
// index): the flows in the order the scenario lists them.
function flowColour(info, name) {
  return Math.max(
    0,
    info.flows.findIndex((f) => f.name === name),
  );
}

// drawThroughput draws the throughput at each flow's receiver (or at the
// one flow shown) against time, one colour per flow.
export function drawThroughput(canvas, run, flow, t, large) {
  const m = run.model;
  const { a: xa, f } = timeAxis(Math.max(m.end, 1e-6));
  const series = [];
  let ymax = 0;
  for (const [name, s] of m.series) {
    if ((flow && name !== flow) || !s.throughput.length || !s.throughput.some((v) => v > 0)) continue;
    const fi = run.info.flows.find((x) => x.name === name);
    const X = [],
      Y = [];
    s.throughput.forEach((bps, k) => {
      X.push(k * m.bin * f);
      Y.push(bps / 1e6);
      ymax = Math.max(ymax, bps / 1e6);
    });
    X.push(s.throughput.length * m.bin * f);
    Y.push(Y[Y.length - 1]);
    series.push({
      Label: name + (fi ? " (" + fi.protocol + ")" : ""),
      Kind: "step",
      Color: flowColour(run.info, name),
      X,
      Y,
    });
  }
  if (!series.length) return drawFigure(canvas, null, { large, empty: "throughput: no data delivered" });
  const fig = { X: xa, Y: axis("Mbps", 0, ymax * 1.05 || 1), Series: series };
  return seekable(
    drawFigure(canvas, fig, {
      large,
      title: "throughput at the receiver (Mbps, per " + fmtBin(m.bin) + ")",
      cursorX: t * f,
    }),
    xa.Max / f,
  );
}

// seekable adds to a drawn time plot the time at its right edge, so that
// a click on it can move the cursor (app.js).
function seekable(drawn, tmax) {
  if (drawn) drawn.tmax = tmax;
  return drawn;
}

function fmtBin(s) {
  return s < 1 ? +(s * 1e3).toPrecision(3) + " ms" : +s.toPrecision(3) + " s";
}

// drawCwndFlows draws the congestion window of every TCP flow against
// time on one plot, one colour per flow, in kB.
export function drawCwndFlows(canvas, run, t, large) {
  const m = run.model;
  const { a: xa, f } = timeAxis(Math.max(m.end, 1e-6));
  const series = [];
  let ymax = 0;
  for (const [name, s] of m.series) {
    if (!s.cwnd.length) continue;
    const X = [],
      Y = [];
    for (const [tt, c] of s.cwnd) {
      X.push(tt * f);
      Y.push(c / 1e3);
      ymax = Math.max(ymax, c / 1e3);
    }
    X.push(m.end * f);
    Y.push(Y[Y.length - 1]);
    series.push({ Label: name, Kind: "step", Color: flowColour(run.info, name), X, Y });
  }
  const fig = { X: xa, Y: axis("kB", 0, ymax * 1.05 || 1), Series: series };
  return seekable(drawFigure(canvas, fig, { large, title: "cwnd of every TCP flow (kB)", cursorX: t * f }), xa.Max / f);
}

// tcpFlows counts the flows with a congestion window to draw.
export function tcpFlows(m) {
  let n = 0;
  for (const s of m.series.values()) if (s.cwnd.length) n++;
  return n;
}
