// figure.js: draws a figure the engine built with the CLI's own code
// (package plot's Figure, as JSON: axes with their ranges and ticks,
// series, shaded spans), as `tcpsim plot` and `tcpsim sweep --plot` draw
// it with gonum, on a canvas: the cwnd against rounds view and the sweep.
import { prepare } from "./draw.js";

// PALETTE is package plot's palette (Tableau 10): Series.Color indexes it.
export const PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#5a5a5a",
  "#bcbd22",
  "#17becf",
];

export function colourOf(i) {
  const n = PALETTE.length;
  return PALETTE[(((i || 0) % n) + n) % n];
}

function font(k, size, bold) {
  return (bold ? "600 " : "") + Math.round(size * k) + "px system-ui, 'DejaVu Sans', sans-serif";
}

// tickLabel writes a tick value with as many decimals as the ticks' step
// needs (package plot's tickLabel does the same for its files).
function tickLabel(v, ticks) {
  let step = 0;
  for (let i = 1; i < ticks.length; i++) {
    const d = Math.abs(ticks[i] - ticks[i - 1]);
    if (d > 0 && (step === 0 || d < step)) step = d;
  }
  const dec = step > 0 && step < 1 ? Math.min(6, Math.ceil(-Math.log10(step) - 1e-9)) : 0;
  return (+v.toFixed(dec)).toLocaleString("en-US", { maximumFractionDigits: dec });
}

// glyph draws a point of shape at (x, y) with radius r.
function glyph(ctx, shape, x, y, r) {
  ctx.beginPath();
  switch (shape) {
    case "triangle":
      ctx.moveTo(x, y - r);
      ctx.lineTo(x + r, y + r * 0.8);
      ctx.lineTo(x - r, y + r * 0.8);
      ctx.closePath();
      ctx.fill();
      return;
    case "square":
      ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
      ctx.fill();
      return;
    case "diamond":
      ctx.moveTo(x, y - r);
      ctx.lineTo(x + r, y);
      ctx.lineTo(x, y + r);
      ctx.lineTo(x - r, y);
      ctx.closePath();
      ctx.fill();
      return;
    case "cross":
      ctx.moveTo(x - r, y - r);
      ctx.lineTo(x + r, y + r);
      ctx.moveTo(x + r, y - r);
      ctx.lineTo(x - r, y + r);
      ctx.stroke();
      return;
    case "plus":
      ctx.moveTo(x - r, y);
      ctx.lineTo(x + r, y);
      ctx.moveTo(x, y - r);
      ctx.lineTo(x, y + r);
      ctx.stroke();
      return;
    case "ring":
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.stroke();
      return;
    default:
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fill();
  }
}

// legendRows lays the labelled series out in rows under the plot, each
// entry a swatch and its label; it returns the rows' entries and height.
function legendRows(ctx, entries, width, k) {
  ctx.font = font(k, 10);
  const rows = [[]];
  let x = 0;
  for (const e of entries) {
    const w = 22 * k + ctx.measureText(e.label).width + 14 * k;
    if (x > 0 && x + w > width) {
      rows.push([]);
      x = 0;
    }
    rows[rows.length - 1].push({ ...e, x });
    x += w;
  }
  return rows;
}

// drawFigure draws fig on canvas and returns where: {box, X, Y, points},
// points being every data point drawn, in canvas pixels, with its series
// label (the tests check that they lie inside box). opts: {large, title,
// cursorX (a value of the x axis to mark), empty (the text without data)}.
export function drawFigure(canvas, fig, opts = {}) {
  const { ctx, w, h } = prepare(canvas);
  const k = opts.large ? 1.35 : 1;
  if (!fig) {
    ctx.fillStyle = "#6b6b6b";
    ctx.font = font(k, 12);
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(opts.empty || "nothing to plot", w / 2, h / 2);
    return null;
  }
  const entries = [];
  const seen = new Set();
  for (const sp of fig.Spans || [])
    if (sp.Label && !seen.has(sp.Label)) {
      seen.add(sp.Label);
      entries.push({ label: sp.Label, colour: colourOf(sp.Color), span: true });
    }
  for (const s of fig.Series || [])
    if (s.Label && !seen.has(s.Label)) {
      seen.add(s.Label);
      entries.push({ label: s.Label, colour: colourOf(s.Color), s });
    }
  const left = 50 * k,
    right = 12 * k,
    top = 22 * k;
  const rows = legendRows(ctx, entries, w - left - right, k);
  const lh = 14 * k;
  const bottom = 34 * k + rows.length * lh;
  const box = { x: left, y: top, w: Math.max(10, w - left - right), h: Math.max(10, h - top - bottom) };
  const xr = [fig.X.Min, fig.X.Max],
    yr = [fig.Y.Min, fig.Y.Max];
  const X = (v) => box.x + ((v - xr[0]) / (xr[1] - xr[0] || 1)) * box.w;
  const Y = (v) => box.y + box.h - ((v - yr[0]) / (yr[1] - yr[0] || 1)) * box.h;

  // Grid, ticks and labels.
  ctx.lineWidth = 1;
  ctx.strokeStyle = "#e4e4dc";
  ctx.fillStyle = "#6b6b6b";
  ctx.font = font(k, 10);
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  const xt = fig.X.Ticks || [];
  const every = Math.max(1, Math.ceil((xt.length * 34 * k) / box.w)); // thin the labels that would touch
  xt.forEach((v, i) => {
    const xx = Math.round(X(v)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(xx, box.y);
    ctx.lineTo(xx, box.y + box.h);
    ctx.stroke();
    const cat = fig.X.Categories;
    if (i % every === 0) ctx.fillText(cat ? cat[i] : tickLabel(v, xt), xx, box.y + box.h + 3);
  });
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const yt = fig.Y.Ticks || [];
  for (const v of yt) {
    const yy = Math.round(Y(v)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(box.x, yy);
    ctx.lineTo(box.x + box.w, yy);
    ctx.stroke();
    ctx.fillText(tickLabel(v, yt), box.x - 4, yy);
  }
  ctx.fillStyle = "#000";
  ctx.font = font(k, 11, true);
  ctx.textAlign = "left";
  ctx.textBaseline = "bottom";
  ctx.fillText(opts.title || fig.Y.Label, box.x, box.y - 4);
  ctx.font = font(k, 10);
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.fillText(fig.X.Label, box.x + box.w / 2, box.y + box.h + 15 * k);

  // The data, clipped to the axes.
  const points = [];
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.x, box.y, box.w, box.h);
  ctx.clip();
  for (const sp of fig.Spans || []) {
    ctx.fillStyle = colourOf(sp.Color) + "2e";
    ctx.fillRect(X(sp.From), box.y, X(sp.To) - X(sp.From), box.h);
  }
  for (const s of fig.Series || []) drawSeries(ctx, s, X, Y, k, points);
  ctx.restore();
  ctx.strokeStyle = "#777";
  ctx.strokeRect(box.x + 0.5, box.y + 0.5, box.w, box.h);
  if (opts.cursorX != null && opts.cursorX >= xr[0] && opts.cursorX <= xr[1]) {
    const xc = Math.round(X(opts.cursorX)) + 0.5;
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 1.2;
    ctx.beginPath();
    ctx.moveTo(xc, box.y);
    ctx.lineTo(xc, box.y + box.h);
    ctx.stroke();
  }

  // The legend, under the axes.
  ctx.font = font(k, 10);
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  rows.forEach((row, r) => {
    const ly = box.y + box.h + 34 * k + r * lh + lh / 2 - 4 * k;
    for (const e of row) {
      const lx = box.x + e.x;
      ctx.strokeStyle = e.colour;
      ctx.fillStyle = e.colour;
      if (e.span) {
        ctx.globalAlpha = 0.25;
        ctx.fillRect(lx, ly - 5 * k, 18 * k, 10 * k);
        ctx.globalAlpha = 1;
      } else {
        const s = e.s;
        ctx.lineWidth = 1.6 * k;
        ctx.setLineDash(s.Dashed ? [5 * k, 3 * k] : []);
        if (s.Kind !== "points" && s.Kind !== "error-points") {
          ctx.beginPath();
          ctx.moveTo(lx, ly);
          ctx.lineTo(lx + 18 * k, ly);
          ctx.stroke();
        }
        ctx.setLineDash([]);
        if (s.Kind !== "line" && s.Kind !== "step" && s.Kind !== "bars") glyph(ctx, s.Shape, lx + 9 * k, ly, 3.5 * k);
      }
      ctx.fillStyle = "#222";
      ctx.fillText(e.label, lx + 22 * k, ly);
    }
  });
  return { box, X, Y, points };
}

// drawSeries draws one series as package plot's Kind says.
function drawSeries(ctx, s, X0, Y, k, points) {
  const n = (s.X || []).length;
  if (!n) return;
  // Nudge: series that coincide drawn side by side (package plot's
  // Series.Nudge, in points; about 0.75 of a point here).
  const X = (v) => X0(v) + (s.Nudge || 0) * 0.75 * k;
  const colour = colourOf(s.Color);
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.globalAlpha = s.Faint ? 0.45 : 1;
  ctx.lineWidth = (s.Faint ? 1 : 1.8) * k;
  if (s.Dashed && s.DashSlots > 1) {
    // Coinciding dashed lines (overlaid runs' ssthresh) dash in turn.
    ctx.setLineDash([6 * k, 6 * k * (s.DashSlots - 1)]);
    ctx.lineDashOffset = 6 * k * ((s.DashSlots - (s.DashSlot || 0)) % s.DashSlots);
  } else {
    ctx.setLineDash(s.Dashed ? [6 * k, 4 * k] : []);
  }
  const line = s.Kind === "line" || s.Kind === "line-points" || s.Kind === "error-bars" || s.Kind === "step";
  if (line) {
    ctx.beginPath();
    ctx.moveTo(X(s.X[0]), Y(s.Y[0]));
    for (let i = 1; i < n; i++) {
      if (s.Kind === "step") ctx.lineTo(X(s.X[i]), Y(s.Y[i - 1]));
      ctx.lineTo(X(s.X[i]), Y(s.Y[i]));
    }
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.lineDashOffset = 0;
  if (s.Kind === "bars" || s.Kind === "error-bars" || s.Kind === "error-points") {
    const lo = s.Kind === "bars" ? s.Y : s.Low || s.Y;
    const cap = s.Kind === "bars" ? 0 : 4 * k;
    ctx.lineWidth = 1.3 * k;
    ctx.beginPath();
    for (let i = 0; i < n; i++) {
      const xx = X(s.X[i]);
      ctx.moveTo(xx, Y(lo[i]));
      ctx.lineTo(xx, Y(s.Top[i]));
      if (cap) {
        ctx.moveTo(xx - cap, Y(lo[i]));
        ctx.lineTo(xx + cap, Y(lo[i]));
        ctx.moveTo(xx - cap, Y(s.Top[i]));
        ctx.lineTo(xx + cap, Y(s.Top[i]));
      }
    }
    ctx.stroke();
  }
  const marks = s.Kind === "points" || s.Kind === "line-points" || s.Kind === "error-bars" || s.Kind === "error-points";
  const r = (s.Kind === "points" ? 4.5 : 3.2) * k;
  ctx.lineWidth = 1.6 * k;
  for (let i = 0; i < n; i++) {
    const x = X(s.X[i]),
      y = Y(s.Y[i]);
    if (marks) glyph(ctx, s.Shape, x, y - (s.Lift || 0) * 0.75 * k, r); // Lift: above the point
    points.push({ label: s.Label, x, y });
  }
  ctx.globalAlpha = 1;
}
