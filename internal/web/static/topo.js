// topo.js: the network of a topology scenario (nodes: and links:): hosts
// as boxes, routers as circles, every link with its rate and delay, the
// slowest links drawn thickest; and, at the player's cursor, every output
// queue filling (a bar on the link's side by the node that sends into it,
// with its count), every packet moving along its link, and a cross where
// a packet died (by the queue that dropped it, half way along the link
// that lost it). The two-host shorthand is not drawn (the ladder is its
// picture).
import { cross, prepare } from "./draw.js";
import { C } from "./model.js";

const rate = (bps) =>
  bps === null || bps === undefined
    ? "∞"
    : bps >= 1e9
      ? +(bps / 1e9).toPrecision(3) + " Gbps"
      : bps >= 1e6
        ? +(bps / 1e6).toPrecision(3) + " Mbps"
        : +(bps / 1e3).toPrecision(3) + " kbps";

// short writes a rate as "10M", "1.5G", "64k".
const short = (bps) =>
  bps === null || bps === undefined
    ? "∞"
    : bps >= 1e9
      ? +(bps / 1e9).toPrecision(3) + "G"
      : bps >= 1e6
        ? +(bps / 1e6).toPrecision(3) + "M"
        : +(bps / 1e3).toPrecision(3) + "k";

// layout places routers in a row across the middle, in file order, and
// each host above or below the router it is linked to (hosts linked to no
// router in a row of their own). It returns name -> {x, y, router}.
export function layout(info, w, h) {
  const pos = new Map();
  const routers = info.routers || [];
  const neighbour = new Map();
  for (const l of info.links) {
    const [a, b] = l.between;
    if (routers.includes(b) && !neighbour.has(a)) neighbour.set(a, b);
    if (routers.includes(a) && !neighbour.has(b)) neighbour.set(b, a);
  }
  routers.forEach((r, i) => {
    pos.set(r, { x: ((i + 1) * w) / (routers.length + 1), y: h / 2, router: true });
  });
  const around = new Map();
  const loose = [];
  for (const host of info.hosts) {
    const r = neighbour.get(host);
    if (r) {
      if (!around.has(r)) around.set(r, []);
      around.get(r).push(host);
    } else loose.push(host);
  }
  const dx = w / (routers.length + 1) / 2.4;
  for (const [r, hosts] of around) {
    const c = pos.get(r);
    hosts.forEach((host, i) => {
      const up = i % 2 === 0;
      const k = Math.floor(i / 2);
      const n = Math.ceil(hosts.length / 2);
      pos.set(host, { x: c.x + (k - (n - 1) / 2) * dx, y: up ? h * 0.16 : h * 0.84, router: false });
    });
  }
  loose.forEach((host, i) => {
    pos.set(host, { x: ((i + 1) * w) / (loose.length + 1), y: h / 2, router: false });
  });
  return pos;
}

// drawTopology draws info's network on canvas, and with model m the
// queues, packets and drops at time t (chosen: the index of the link the
// sliders change, drawn highlighted). It returns the positions and what
// it drew, for the tests: the queues ({link, packets, x, y, w, h}), the
// drops ({link, t}) and how many packets were moving.
export function drawTopology(canvas, info, large, m, t, chosen) {
  const { ctx, w, h } = prepare(canvas);
  const k = large ? 1.4 : 1;
  const top = 18 * k;
  const pos = layout(info, w, h - top);
  for (const p of pos.values()) p.y += top;
  ctx.fillStyle = C.ink;
  ctx.font = `bold ${12 * k}px system-ui, sans-serif`;
  ctx.textAlign = "left";
  ctx.textBaseline = "top";
  ctx.fillText("network: " + info.name, 4, 2);
  const rates = info.links.map((l) => l.forward.rate_bps || Infinity);
  // Labels are short when the nodes of a row stand closer than a full
  // label is wide.
  const xs = [...pos.values()].map((p) => p.x).sort((x, y) => x - y);
  let closest = Infinity;
  for (let i = 1; i < xs.length; i++) if (xs[i] - xs[i - 1] > 1) closest = Math.min(closest, xs[i] - xs[i - 1]);
  const tight = closest < 110 * k;
  const slowest = Math.min(...rates);
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  info.links.forEach((l, i) => {
    const a = pos.get(l.between[0]);
    const b = pos.get(l.between[1]);
    if (!a || !b) return;
    const bottleneck = (l.forward.rate_bps || Infinity) === slowest;
    if (i === chosen) {
      ctx.strokeStyle = "rgba(240,228,66,0.9)";
      ctx.lineWidth = 11 * k;
      ctx.beginPath();
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
      ctx.stroke();
    }
    ctx.strokeStyle = bottleneck ? C.retrans : "#555";
    ctx.lineWidth = (bottleneck ? 3 : 1.5) * k;
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
    // Where links are close together (a narrow canvas, many hosts) their
    // labels are short: "100M 1ms".
    const delay = +(l.forward.delay_s * 1000).toPrecision(3);
    const text = tight
      ? short(l.forward.rate_bps) + " " + delay + "ms"
      : rate(l.forward.rate_bps) + ", " + delay + " ms";
    ctx.font = `${(tight ? 9 : 10) * k}px system-ui, sans-serif`;
    const tw = ctx.measureText(text).width;
    // Host links are labelled near their host (every other one a little
    // further out, so that neighbours' labels stay apart), router links in
    // the middle and above the line.
    const far = i % 2 === 1 ? 0.2 : 0;
    const f = a.router && b.router ? 0.5 : a.router ? 0.72 - far : 0.28 + far;
    const mx = a.x + f * (b.x - a.x);
    const my = a.y + f * (b.y - a.y) - (a.router && b.router ? 12 * k : 0);
    ctx.fillStyle = "rgba(255,255,255,0.9)";
    ctx.fillRect(mx - tw / 2 - 2, my - 7 * k, tw + 4, 14 * k);
    ctx.fillStyle = C.ink;
    ctx.fillText(text, mx, my);
  });
  const traffic = m ? drawTraffic(ctx, info, pos, m, t, k) : { queues: [], drops: [], moving: 0 };
  ctx.font = `bold ${11 * k}px system-ui, sans-serif`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  for (const [name, p] of pos) {
    const tw = ctx.measureText(name).width;
    ctx.fillStyle = p.router ? "#e8f3fa" : "#fff";
    ctx.strokeStyle = C.ink;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    if (p.router) ctx.arc(p.x, p.y, Math.max(13 * k, tw / 2 + 5), 0, 2 * Math.PI);
    else ctx.rect(p.x - tw / 2 - 5, p.y - 9 * k, tw + 10, 18 * k);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = C.ink;
    ctx.fillText(name, p.x, p.y);
  }
  return { pos, ...traffic };
}

// The part of a link's length, from each end, kept clear of the nodes.
const END = 0.16;

// drawTraffic draws, at time t, every link direction's queue, the packets
// on the wires and the recent drops; it returns what it drew.
function drawTraffic(ctx, info, pos, m, t, k) {
  const limit = new Map();
  for (const l of info.links) limit.set(l.between[0] + "->" + l.between[1], l.queue_packets);
  // ends returns the ends of link direction name and the unit normal on
  // its side (each direction of a link keeps to its own side).
  const ends = (name) => {
    const [x, y] = name.split("->");
    const a = pos.get(x),
      b = pos.get(y);
    if (!a || !b) return null;
    const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    const ux = (b.x - a.x) / len,
      uy = (b.y - a.y) / len;
    return { a, b, len, ux, uy, nx: -uy, ny: ux };
  };
  const queues = [];
  for (const l of m.links) {
    const n = m.queueAt(l, t);
    if (!(n > 0)) continue;
    const e = ends(l.name);
    if (!e) continue;
    // A bar from the sending node along its side of the link, as long as
    // the queue is full: the queue's limit (or the most it held) is a
    // fifth of the link.
    let most = limit.get(l.name) || 0;
    if (!most) for (const q of l.queue) most = Math.max(most, q[1]);
    const full = Math.min(1, n / Math.max(most, 1));
    const x0 = e.a.x + e.ux * e.len * END + e.nx * 7 * k,
      y0 = e.a.y + e.uy * e.len * END + e.ny * 7 * k;
    const span = e.len * 0.28;
    ctx.save();
    ctx.translate(x0, y0);
    ctx.rotate(Math.atan2(e.uy, e.ux));
    ctx.strokeStyle = C.ink;
    ctx.lineWidth = 1;
    ctx.fillStyle = full >= 0.999 ? C.retrans : C.sky;
    ctx.fillRect(0, -4 * k, span * full, 8 * k);
    ctx.strokeRect(0, -4 * k, span, 8 * k);
    ctx.restore();
    const lx = x0 + e.ux * span * 0.5 + e.nx * 12 * k,
      ly = y0 + e.uy * span * 0.5 + e.ny * 12 * k;
    ctx.font = `bold ${10 * k}px system-ui, sans-serif`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillStyle = C.ink;
    ctx.fillText(String(n), lx, ly);
    queues.push({ link: l.name, packets: n, x: x0, y: y0, w: span, h: 8 * k });
  }
  // Packets on the wires, and those that died lately (within a tenth of
  // the ladder's usual window, the last round trip).
  const recent = Math.max(m.rtt(), 1e-3);
  const drops = [];
  let moving = 0;
  for (let i = m.firstPacketFrom(t - recent); i < m.packets.length; i++) {
    const p = m.packets[i];
    if (p.tTx > t) break;
    for (const h of p.hops) {
      const e = ends(h.link);
      if (!e) continue;
      const start = h.tx >= 0 ? h.tx : h.t;
      const dead = h.lost >= 0 ? h.lost : h.drop;
      if (dead >= 0 && dead <= t && t - dead < recent) {
        const f = h.lost >= 0 ? 0.5 : END;
        cross(
          ctx,
          e.a.x + e.ux * e.len * f + e.nx * 7 * k,
          e.a.y + e.uy * e.len * f + e.ny * 7 * k,
          5 * k,
          C.retrans,
          2.4,
        );
        drops.push({ link: h.link, t: dead });
        continue;
      }
      if (start < 0 || start > t || h.del < 0 || h.del <= t) continue;
      const f = END + (1 - 2 * END) * Math.min(1, (t - start) / Math.max(h.del - start, 1e-9));
      moving++;
      ctx.fillStyle = p.color;
      ctx.beginPath();
      ctx.arc(e.a.x + e.ux * e.len * f - e.nx * 4 * k, e.a.y + e.uy * e.len * f - e.ny * 4 * k, 3 * k, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
  return { queues, drops, moving };
}
