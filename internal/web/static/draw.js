// draw.js: the ladder diagram, the time-sequence and cwnd plots and the
// sweep plot, drawn on canvases to scale.
import { C } from "./model.js";

// prepare sizes a canvas's backing store to its CSS size times the
// device pixel ratio and returns a context scaled to CSS pixels.
export function prepare(canvas) {
  const r = canvas.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(r.width)),
    h = Math.max(1, Math.round(r.height));
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h };
}

// niceStep returns a round step (1, 2 or 5 times a power of ten) that
// cuts span into about n pieces.
export function niceStep(span, n) {
  if (!(span > 0)) return 1;
  const raw = span / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

// fmtTime formats seconds with a unit that suits step.
export function fmtTime(t, step) {
  if (step < 1e-3) return (t * 1e3).toFixed(Math.max(0, -Math.floor(Math.log10(step * 1e3)))) + " ms";
  if (step < 1) return (t * 1e3).toFixed(0) + " ms";
  return t.toFixed(Math.max(0, -Math.floor(Math.log10(step)))) + " s";
}

function font(k, size, bold) {
  return (bold ? "600 " : "") + Math.round(size * k) + "px system-ui, 'DejaVu Sans', sans-serif";
}

export function cross(ctx, x, y, r, colour, width) {
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.lineWidth = width;
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.moveTo(x - r, y - r);
  ctx.lineTo(x + r, y + r);
  ctx.moveTo(x + r, y - r);
  ctx.lineTo(x - r, y + r);
  ctx.stroke();
  ctx.restore();
}

function head(ctx, x0, y0, x1, y1, size, colour) {
  const a = Math.atan2(y1 - y0, x1 - x0);
  ctx.save();
  ctx.fillStyle = colour;
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - size * Math.cos(a - 0.4), y1 - size * Math.sin(a - 0.4));
  ctx.lineTo(x1 - size * Math.cos(a + 0.4), y1 - size * Math.sin(a + 0.4));
  ctx.closePath();
  ctx.fill();
  ctx.restore();
}

// drawLadder draws the ladder between hosts a and b for the window of
// span seconds around the cursor time t: packets sent by then as arrows
// (moving while in flight), lost ones ending in a cross, corrupted ones
// marked where they arrive, timers as brackets from arm to fire (dashed
// while running), state changes beside the hosts.
export function drawLadder(canvas, m, v) {
  const { ctx, w, h } = prepare(canvas);
  const k = v.large ? 1.4 : 1;
  const top = 46 * k,
    bottom = 8;
  const narrow = w < 460;
  const L = ladderLanes(m, v, w, narrow);
  const xa = L.xs[0],
    xb = L.xs[L.xs.length - 1];
  const lane = (host) => (host === "a" ? xa : xb);
  const span = v.span;
  // The cursor sits 70% down the window, but the window never starts
  // before the run does.
  const t0 = Math.max(v.t - 0.7 * span, -0.04 * span),
    t1 = t0 + span;
  const y = (t) => top + ((t - t0) / span) * (h - top - bottom);
  ctx.lineCap = "round";

  // Time axis.
  const step = niceStep(span, 8);
  ctx.font = font(k, 10);
  ctx.fillStyle = C.muted;
  ctx.strokeStyle = C.grid;
  ctx.lineWidth = 1;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  for (let s = Math.ceil(Math.max(0, t0) / step) * step; s <= t1; s += step) {
    const yy = Math.round(y(s)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(0, yy);
    ctx.lineTo(w, yy);
    ctx.stroke();
    ctx.fillText(fmtTime(s, step), 2, yy - 6 * k);
  }

  // The lanes, named by their nodes.
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, w, top - 6);
  ctx.textAlign = "center";
  ctx.textBaseline = "alphabetic";
  const crowded = L.xs.length > 2 ? (xb - xa) / (L.xs.length - 1) : w;
  L.names.forEach((name, i) => {
    ctx.fillStyle = C.ink;
    ctx.font = font(k, L.xs.length > 2 && crowded < 90 ? 11 : 13, true);
    ctx.fillText(name, L.xs[i], 18 * k);
    ctx.font = font(k, 10);
    ctx.fillStyle = C.muted;
    if (crowded >= 50) ctx.fillText(L.subs[i], L.xs[i], 32 * k);
  });
  L.names.forEach((_, i) => {
    const router = L.subs[i] === "router";
    ctx.strokeStyle = router ? "#888" : "#333";
    ctx.lineWidth = router ? 1.5 : 3;
    ctx.beginPath();
    ctx.moveTo(L.xs[i], top - 4);
    ctx.lineTo(L.xs[i], h);
    ctx.stroke();
  });
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, top - 4, w, h - top + 4);
  ctx.clip();

  const show = (flow) => (L.hops ? flow === L.hops : !v.flow || v.flow === flow);

  // Labels are placed last, most important first, and a label that
  // would overlap one already placed is left out (zoom in to see it, or
  // point at its packet): see placeLabels.
  const labels = [];

  // Timers: fired ones as solid brackets, running ones dashed to the cursor.
  const tk = 8 * k;
  for (const iv of m.timerIv) {
    if (iv.t0 > v.t || iv.t0 > t1 || !show(iv.flow)) continue;
    const running = iv.end > v.t;
    const tEnd = running ? v.t : iv.end;
    if (tEnd < t0) continue;
    if (!running && !iv.fired) continue; // reset or cancelled: not drawn once over
    const side = iv.host === "a" ? -1 : 1;
    const x = lane(iv.host) + side * (10 + 7 * iv.slot) * k;
    ctx.strokeStyle = iv.fired && !running ? C.retrans : C.sky;
    ctx.lineWidth = (iv.fired && !running ? 2.2 : 1.6) * k;
    ctx.setLineDash(running ? [4, 3] : []);
    ctx.beginPath();
    ctx.moveTo(x - side * 4, y(iv.t0));
    ctx.lineTo(x, y(iv.t0));
    ctx.lineTo(x, y(tEnd));
    if (!running) ctx.lineTo(x - side * 4, y(tEnd));
    ctx.stroke();
    ctx.setLineDash([]);
    if (!running && y(tEnd) > top && y(tEnd) < h) {
      labels.push({
        prio: 1,
        text: iv.short + " fired",
        x: x + side * 4,
        y: y(tEnd),
        side,
        colour: C.retrans,
        bold: true,
        back: true,
      });
    }
  }
  void tk;

  // Packets. hits records where each drawn packet is, for clicks.
  const hits = [];
  const fs = 10 * k;
  const lastY = {};
  const gap = 3 * k;
  // Runs of dense UDP datagrams (closer than a line of text), per
  // direction: three or more become one band with one label ("datagrams
  // #14–#40"); zoom in and it opens into labelled datagrams.
  const bands = {};
  const closeBand = (dir) => {
    const b = bands[dir];
    bands[dir] = null;
    if (!b || b.members.length < 3) return;
    for (const l of b.members) if (l.prio > 0) l.skip = true;
    const f = b.first,
      e = b.last;
    ctx.fillStyle = "rgba(0,158,115,0.22)"; // the UDP colour, translucent
    ctx.beginPath();
    ctx.moveTo(f.xs, f.ys);
    ctx.lineTo(f.xe, f.ye);
    ctx.lineTo(e.xe, e.ye);
    ctx.lineTo(e.xs, e.ys);
    ctx.closePath();
    ctx.fill();
    const side = f.xe >= f.xs ? 1 : -1;
    labels.push({
      prio: 2,
      text: (v.flow ? "" : m.flowTag(b.flow)) + "datagrams #" + f.id + "–#" + e.id + " (" + b.members.length + ")",
      x: f.xs + side * 6 * k,
      y: Math.max(f.ys - fs * 0.6, top + fs * 0.6),
      side,
      colour: "#00704f",
      bold: true,
    });
  };
  for (let i = m.firstPacketFrom(t0); i < m.packets.length; i++) {
    const p = m.packets[i];
    if (p.tTx > v.t || p.tTx > t1) break;
    if (!show(p.flow)) continue;
    const x0 = lane(p.from),
      x1 = lane(p.to);
    if (L.hops && p.hops.length) {
      const drawn = drawHops(ctx, m, p, L, y, v, k);
      if (!drawn) continue;
      hits.push({ p, ...drawn });
      const side = x1 > x0 ? 1 : -1;
      labels.push({
        prio: p.key === v.selected || p.key === v.hover ? 0 : p.tLost !== null ? 2 : 3,
        text: packetLabel(m, p, v, narrow),
        x: drawn.xs + side * 6 * k,
        y: Math.max(drawn.ys - fs * 0.6, top + fs * 0.6),
        side,
        colour: labelColour(p),
        bold: p.retrans,
        key: p.key,
        back: true,
      });
      continue;
    }
    let tEnd = p.tEnd;
    if (!Number.isFinite(tEnd)) tEnd = p.tTx + m.oneWay(p) + 1e-3;
    if (tEnd < t0) continue;
    const full = (x1 - x0) * p.frac;
    const dur = Math.max(tEnd - p.tTx, 1e-12);
    const now = Math.min(v.t, tEnd);
    const frac = p.qdrop ? 0 : (now - p.tTx) / dur;
    // Packets that leave together (a window over a fast link leaves in
    // microseconds) are drawn at least gap apart, in order, so that each
    // is an arrow of its own: zoom in to see their real spacing.
    const y0 = y(p.tTx);
    const shift = p.kind === "datagram" ? 0 : Math.max(0, (lastY[p.dir] ?? -Infinity) + gap - y0);
    const shifted = shift > 0 && shift < 24 * gap;
    const xs = x0,
      ys = y0 + (shifted ? shift : 0);
    lastY[p.dir] = ys;
    const xe = x0 + full * frac,
      ye = y(p.tTx + dur * frac) + (shifted ? shift : 0);
    hits.push({ p, xs, ys, xe, ye });
    if (v.selected === p.key) {
      ctx.strokeStyle = "rgba(240,228,66,0.9)";
      ctx.lineWidth = 9 * k;
      ctx.beginPath();
      ctx.moveTo(xs, ys);
      ctx.lineTo(xe, ye);
      ctx.stroke();
    }
    ctx.strokeStyle = p.color;
    ctx.lineWidth = (p.retrans ? 2.6 : p.len > 0 || p.kind === "datagram" ? 1.7 : 1.2) * k;
    ctx.setLineDash(dashOf(p, k));
    ctx.beginPath();
    ctx.moveTo(xs, ys);
    ctx.lineTo(xe, ye);
    ctx.stroke();
    ctx.setLineDash([]);
    const arrived = now >= tEnd;
    if (p.qdrop) {
      cross(ctx, x0 + (x1 > x0 ? 8 : -8), ys, 5 * k, C.retrans, 2.4 * k);
    } else if (!arrived || p.frac === 1) {
      head(ctx, xs, ys, xe, ye, 8 * k, p.color);
    }
    if (arrived && p.tLost !== null) cross(ctx, xe, ye, 6 * k, C.retrans, 2.6 * k);
    if (arrived && p.corrupt && p.tDel !== null) {
      ctx.fillStyle = C.yellow;
      ctx.strokeStyle = C.ink;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.arc(xe + (x1 > x0 ? -11 : 11) * k, ye, 6 * k, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
      ctx.fillStyle = C.ink;
      ctx.font = font(k, 9, true);
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText("!", xe + (x1 > x0 ? -11 : 11) * k, ye + 0.5);
      if (p.csum) {
        ctx.textAlign = x1 > x0 ? "left" : "right";
        ctx.font = font(k, 10, true);
        ctx.fillText("checksum drop", xe + (x1 > x0 ? 6 : -6) * k, ye + 12 * k);
      }
    }
    // Its label, by the arrow's start; the selected or pointed-at
    // packet's first, then those of packets lost or dropped.
    const side = x1 > x0 ? 1 : -1;
    const pl = {
      prio: p.key === v.selected || p.key === v.hover ? 0 : p.tLost !== null ? 2 : 3,
      text: packetLabel(m, p, v, narrow),
      x: x0 + side * 6 * k,
      y: Math.max(ys - fs * 0.6, top + fs * 0.6),
      side,
      colour: labelColour(p),
      bold: p.retrans,
      key: p.key,
      back: true,
    };
    labels.push(pl);
    // Dense UDP: datagrams closer than a line of text make a band.
    if (p.kind === "datagram") {
      const b = bands[p.dir];
      if (b && b.flow === p.flow && y0 - b.y1 < 1.3 * fs) {
        b.members.push(pl);
        b.last = { xs, ys, xe, ye, id: p.id };
        b.y1 = y0;
      } else {
        closeBand(p.dir);
        bands[p.dir] = { flow: p.flow, members: [pl], first: { xs, ys, xe, ye, id: p.id }, last: null, y1: y0 };
      }
    }
  }
  closeBand("a->b");
  closeBand("b->a");

  // State changes beside the hosts: on the far side of the lane from the
  // packets (at 400 px, where there is no room, across it with a backing).
  for (const s of m.states) {
    if (s.t > v.t || s.t < t0 || s.t > t1 || !show(s.flow)) continue;
    const side = s.host === "a" ? -1 : 1;
    labels.push({
      prio: 2,
      // At phone width the long names are shortened as ss(8) prints them,
      // so that the label fits beside its lane instead of over it.
      text: narrow
        ? s.text
            .replace(/^.*=> /, "")
            .replace("ESTABLISHED", "ESTAB")
            .replace("SYN-RECEIVED", "SYN-RECV")
        : s.text.replace(/^.*=> /, "→ "),
      x: lane(s.host) + side * (narrow ? 4 : 30) * k,
      y: y(s.t),
      side,
      colour: "#8f3f72", // the state colour (reddish purple), darkened for text
      bold: true,
      back: true,
      kind: "state",
      // A state label never covers a lane: where its side has no room
      // (phone width, the end lanes of --hops) it goes to the other side.
      avoid: L.xs,
      flip: lane(s.host) - side * (narrow ? 4 : 30) * k,
    });
  }
  const placed = placeLabels(ctx, labels, k, w, top, h);
  ctx.restore();

  // The cursor.
  const yc = Math.round(y(v.t)) + 0.5;
  ctx.strokeStyle = C.ink;
  ctx.lineWidth = 1;
  ctx.setLineDash([2, 3]);
  ctx.beginPath();
  ctx.moveTo(0, yc);
  ctx.lineTo(w, yc);
  ctx.stroke();
  ctx.setLineDash([]);
  return { hits, labels: placed, lanes: L };
}

// ladderLanes names the ladder's lanes and places them: "host a" and
// "host b" in the two-host form; in a topology the flow's end hosts (the
// senders and the receivers when several flows are shown) or, with
// v.hops, every node of one flow's path, as `tcpsim diagram --hops` draws
// them. It returns {names, subs, xs, hops: the flow drawn hop by hop or
// null}.
export function ladderLanes(m, v, w, narrow) {
  const xa = Math.round(w * (narrow ? 0.24 : 0.27)),
    xb = Math.round(w * (narrow ? 0.8 : 0.73));
  if (!m.info.topology)
    return { names: ["host a", "host b"], subs: ["10.0.0.1", "10.0.0.2"], xs: [xa, xb], hops: null };
  const flows = v.flow ? [v.flow] : m.info.flows.map((f) => f.name);
  const routers = m.info.routers || [];
  if (v.hops && flows.length) {
    const flow = flows[0];
    const path = m.paths.get(flow)?.path;
    if (path && path.length > 2) {
      const x0 = Math.round(w * (narrow ? 0.09 : 0.1)),
        x1 = Math.round(w * (narrow ? 0.93 : 0.9));
      const xs = path.map((_, i) => Math.round(x0 + ((x1 - x0) * i) / (path.length - 1)));
      return { names: path, subs: path.map((n) => (routers.includes(n) ? "router" : "host")), xs, hops: flow };
    }
  }
  const ends = (h) => [...new Set(flows.map((f) => m.hostName(f, h)))];
  const a = ends("a"),
    b = ends("b");
  const sub = (list, one) => (list.length > 1 ? one + "s" : one);
  return {
    names: [a.join(" "), b.join(" ")],
    subs: flows.length === 1 ? ["flow " + flows[0], "flow " + flows[0]] : [sub(a, "sender"), sub(b, "receiver")],
    xs: [xa, xb],
    hops: null,
  };
}

// packetLabel is a packet's label on the ladder: its flow (when several
// are shown), the ladder's words, and where it died.
function packetLabel(m, p, v, narrow) {
  const died = p.where ? " (" + p.where + ")" : p.tLost !== null ? " (lost)" : "";
  const label = (v.flow || v.hops ? "" : m.flowTag(p.flow)) + p.label + died;
  // At phone width a label keeps its numbers, not its window or SACK blocks.
  return narrow ? label.replace(/ win=\d+/, "").replace(/ SACK[\d\- ]*\d/, " SACK…") : label;
}

function labelColour(p) {
  return p.color === C.ack ? "#8a5a00" : p.color === C.yellow ? C.ink : p.color;
}

// dashOf is a packet's dash: pure ACKs dashed, copies the wire made dotted.
function dashOf(p, k) {
  return p.kind === "ACK" ? [5 * k, 3 * k] : p.dup ? [2, 3] : [];
}

// drawHops draws packet p of a topology hop by hop across the lanes of
// its path (L from ladderLanes with hops), up to the cursor: a heavy
// stretch of a node's lane while it waits in that node's output queue, a
// slope across each link from the start of its transmission to its
// arrival, a cross where it was lost (half way across the link) or
// dropped (at the router whose queue dropped it). It returns the first
// and last points drawn (for clicks), or null when nothing is in view.
function drawHops(ctx, m, p, L, y, v, k) {
  const at = (node) => L.xs[L.names.indexOf(node)];
  let first = null,
    last = null,
    from = null;
  const seg = (xa, ta, xb, tb) => {
    if (ta > v.t) return false;
    const f = tb > ta ? Math.min(1, (v.t - ta) / (tb - ta)) : 1;
    const pa = { x: xa, y: y(ta) },
      pb = { x: xa + (xb - xa) * f, y: y(ta + (tb - ta) * f) };
    ctx.beginPath();
    ctx.moveTo(pa.x, pa.y);
    ctx.lineTo(pb.x, pb.y);
    ctx.stroke();
    if (!first) first = pa;
    if (xb !== xa) from = pa;
    last = pb;
    return f >= 1;
  };
  ctx.strokeStyle = p.color;
  ctx.setLineDash(dashOf(p, k));
  let done = true,
    waiting = false;
  for (const h of p.hops) {
    const [nf, nt] = h.link.split("->");
    const xf = at(nf),
      xt = at(nt);
    if (xf === undefined || xt === undefined) return null;
    // It leaves the queue when its transmission starts, or when CoDel
    // drops it at the head.
    const start = h.tx >= 0 ? h.tx : h.drop >= 0 ? h.drop : h.t;
    if (h.t > v.t) {
      done = false;
      break;
    }
    if (h.t >= 0 && start > h.t) {
      // Waiting in the queue of node nf.
      ctx.save();
      ctx.setLineDash([]);
      ctx.lineWidth = 5 * k;
      ctx.globalAlpha = 0.45;
      seg(xf, h.t, xf, start);
      ctx.restore();
    }
    if (start > v.t) {
      done = false;
      waiting = true; // in a queue: no arrowhead
      break;
    }
    ctx.lineWidth = (p.retrans ? 2.6 : p.len > 0 ? 1.7 : 1.2) * k;
    const side = xt > xf ? 1 : -1;
    if (h.drop >= 0 && h.tx < 0) {
      if (h.drop <= v.t) cross(ctx, xf + side * 8, y(h.drop), 5 * k, C.retrans, 2.4 * k);
      done = h.drop <= v.t;
      break;
    }
    if (h.lost >= 0) {
      const d = m.linkDelay.get(h.link) || 0;
      const reached = seg(xf, start, (xf + xt) / 2, h.lost + d / 2);
      if (reached) cross(ctx, (xf + xt) / 2, y(h.lost + d / 2), 6 * k, C.retrans, 2.6 * k);
      done = reached;
      break;
    }
    const end = h.del >= 0 ? h.del : start + (m.linkDelay.get(h.link) || 0) + 1e-3;
    if (!seg(xf, start, xt, end)) {
      done = false;
      break;
    }
  }
  ctx.setLineDash([]);
  if (!first) return null;
  const died = p.hops.some((h) => h.lost >= 0 || h.drop >= 0);
  if (from && !waiting && !(died && done)) head(ctx, from.x, from.y, last.x, last.y, 8 * k, p.color);
  return { xs: first.x, ys: first.y, xe: last.x, ye: last.y };
}

// placeLabels draws labels ({prio, text, x, y, side, colour, bold, back,
// kind, avoid, flip}) in order of priority (0 first), each vertically
// centred on y, on side (+1: to the right of x, -1: to the left), kept
// inside the canvas; a label that would overlap one already drawn is left
// out, and so is one that would cover a line at an x in avoid, on its
// side and on the other (from flip). It returns the boxes drawn, {x, y,
// w, h, text, kind}, for the tests.
function placeLabels(ctx, labels, k, w, top, h) {
  labels.sort((a, b) => a.prio - b.prio || a.y - b.y);
  const boxes = [];
  const lh = 12 * k;
  ctx.textBaseline = "middle";
  ctx.textAlign = "left";
  for (const l of labels) {
    if (l.skip) continue;
    ctx.font = font(k, 10, l.bold);
    const tw = ctx.measureText(l.text).width;
    const at = (lx, side) => Math.max(2, Math.min(side > 0 ? lx : lx - tw, w - tw - 2));
    const covers = (x) => l.avoid?.some((a) => x - 1 < a + 2 && a - 2 < x + tw + 1);
    let x = at(l.x, l.side);
    if (covers(x) && l.flip !== undefined) x = at(l.flip, -l.side);
    if (covers(x)) continue; // no room beside its lane: zoom or widen to see it
    const b = { x: x - 1, y: l.y - lh / 2, w: tw + 2, h: lh, text: l.text, kind: l.kind || "packet" };
    if (b.y < top - 4 || b.y + b.h > h) continue;
    if (l.prio > 0 && boxes.some((o) => b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h))
      continue;
    boxes.push(b);
    if (l.back) {
      ctx.fillStyle = "rgba(255,255,255,0.85)";
      ctx.fillRect(b.x, b.y, b.w, b.h);
    }
    ctx.fillStyle = l.colour;
    ctx.fillText(l.text, x, l.y);
  }
  return boxes;
}

// axes draws a plot frame in box with ticks and labels, and returns the
// x and y maps.
function axes(ctx, box, xr, yr, xl, yl, k, fmtX, fmtY) {
  const { x: bx, y: by, w: bw, h: bh } = box;
  const X = (v) => bx + ((v - xr[0]) / (xr[1] - xr[0] || 1)) * bw;
  const Y = (v) => by + bh - ((v - yr[0]) / (yr[1] - yr[0] || 1)) * bh;
  ctx.font = font(k, 10);
  ctx.fillStyle = C.muted;
  ctx.strokeStyle = C.grid;
  ctx.lineWidth = 1;
  const sx = niceStep(xr[1] - xr[0], bw > 300 ? 6 : 3);
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (let v = Math.ceil(xr[0] / sx) * sx; v <= xr[1] + 1e-12; v += sx) {
    const xx = Math.round(X(v)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(xx, by);
    ctx.lineTo(xx, by + bh);
    ctx.stroke();
    ctx.fillText(fmtX(v, sx), xx, by + bh + 3);
  }
  const sy = niceStep(yr[1] - yr[0], bh > 200 ? 5 : 3);
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (let v = Math.ceil(yr[0] / sy) * sy; v <= yr[1] + 1e-12; v += sy) {
    const yy = Math.round(Y(v)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(bx, yy);
    ctx.lineTo(bx + bw, yy);
    ctx.stroke();
    ctx.fillText(fmtY(v, sy), bx - 4, yy);
  }
  ctx.strokeStyle = "#777";
  ctx.strokeRect(bx + 0.5, by + 0.5, bw, bh);
  ctx.fillStyle = C.ink;
  ctx.font = font(k, 11, true);
  ctx.textAlign = "left";
  ctx.textBaseline = "bottom";
  ctx.fillText(yl, bx, by - 4);
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.font = font(k, 10);
  ctx.fillText(xl, bx + bw / 2, by + bh + 16 * k);
  return { X, Y };
}

// fmtBytes formats a byte count with a binary-free SI unit.
export function fmtBytes(v) {
  if (v >= 1e6) return +(v / 1e6).toFixed(2) + " MB";
  if (v >= 1e3) return +(v / 1e3).toFixed(1) + " kB";
  return Math.round(v) + " B";
}

function noData(ctx, w, h, k, text) {
  ctx.fillStyle = C.muted;
  ctx.font = font(k, 12);
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText(text, w / 2, h / 2);
}

// plotBox is the drawing area of a plot of w by h pixels.
function plotBox(w, h, k) {
  const left = 58 * k,
    right = 14,
    top = 22 * k,
    bottom = 32 * k;
  return { x: left, y: top, w: Math.max(10, w - left - right), h: Math.max(10, h - top - bottom) };
}

// withCursor draws paint twice: faint for the whole run, then solid for
// the part before the cursor time t; then the cursor line.
function withCursor(ctx, box, X, t, paint) {
  ctx.save();
  ctx.globalAlpha = 0.22;
  paint();
  ctx.restore();
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.x, box.y - 2, Math.max(0, Math.min(X(t), box.x + box.w) - box.x), box.h + 4);
  ctx.clip();
  paint();
  ctx.restore();
  const xc = Math.round(X(t)) + 0.5;
  ctx.strokeStyle = C.ink;
  ctx.lineWidth = 1.2;
  ctx.beginPath();
  ctx.moveTo(xc, box.y);
  ctx.lineTo(xc, box.y + box.h);
  ctx.stroke();
}

// drawTimeSeq draws the time-sequence graph of a TCP flow: data segments
// sent (retransmissions in vermillion), losses as crosses, the ACKs the
// sender received as a step line.
export function drawTimeSeq(canvas, m, flow, t, large) {
  const { ctx, w, h } = prepare(canvas);
  const k = large ? 1.35 : 1;
  const s = flow && m.series.get(flow);
  if (!s?.sends.length) {
    noData(ctx, w, h, k, "time-sequence: no TCP data to plot");
    return null;
  }
  const box = plotBox(w, h, k);
  const xr = [0, Math.max(m.end, 1e-6)],
    yr = [0, s.maxSeq * 1.04];
  const { X, Y } = axes(ctx, box, xr, yr, "time", "sequence (relative, bytes): " + flow, k, fmtTime, (v) =>
    fmtBytes(v),
  );
  withCursor(ctx, box, X, t, () => {
    ctx.strokeStyle = C.ack;
    ctx.lineWidth = 1.6 * k;
    ctx.beginPath();
    let last = 0;
    ctx.moveTo(X(0), Y(0));
    for (const [ta, a] of s.acks) {
      ctx.lineTo(X(ta), Y(last));
      ctx.lineTo(X(ta), Y(a));
      last = a;
    }
    ctx.lineTo(X(xr[1]), Y(last));
    ctx.stroke();
    for (const p of s.sends) {
      ctx.strokeStyle = p.retrans ? C.retrans : C.data;
      ctx.lineWidth = (p.retrans ? 3 : 1.6) * k;
      const xx = X(p.tTx);
      ctx.beginPath();
      ctx.moveTo(xx, Y(p.rseq));
      ctx.lineTo(xx, Y(p.rseq + p.len));
      ctx.stroke();
    }
    for (const p of s.lost) cross(ctx, X(p.tLost ?? p.tTx), Y(p.rseq + p.len / 2), 3.5 * k, C.retrans, 1.6 * k);
  });
  return { box, X };
}

// drawCwnd draws the sender's congestion window and slow-start threshold.
export function drawCwnd(canvas, m, flow, t, large) {
  const { ctx, w, h } = prepare(canvas);
  const k = large ? 1.35 : 1;
  const s = flow && m.series.get(flow);
  if (!s?.cwnd.length) {
    noData(ctx, w, h, k, "cwnd: no TCP sender to plot");
    return null;
  }
  const box = plotBox(w, h, k);
  let max = 0;
  for (const [, c] of s.cwnd) max = Math.max(max, c);
  const big = 1 << 30;
  for (const [, , st] of s.cwnd) if (st < big && st < 4 * max) max = Math.max(max, st);
  const xr = [0, Math.max(m.end, 1e-6)],
    yr = [0, max * 1.08];
  const { X, Y } = axes(ctx, box, xr, yr, "time", "cwnd, ssthresh (dashed): " + flow, k, fmtTime, (v) => fmtBytes(v));
  const step = (idx, colour, dash) => {
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2 * k;
    ctx.setLineDash(dash);
    ctx.beginPath();
    let prev = null;
    for (const row of s.cwnd) {
      const v = row[idx];
      if (v >= big || v > yr[1]) {
        prev = null;
        continue;
      }
      if (prev === null) ctx.moveTo(X(row[0]), Y(v));
      else {
        ctx.lineTo(X(row[0]), Y(prev));
        ctx.lineTo(X(row[0]), Y(v));
      }
      prev = v;
    }
    if (prev !== null) ctx.lineTo(X(xr[1]), Y(prev));
    ctx.stroke();
    ctx.setLineDash([]);
  };
  withCursor(ctx, box, X, t, () => {
    step(2, C.sky, [6, 4]);
    step(1, C.data, []);
  });
  return { box, X };
}
