// topo.js: the network of a topology scenario (nodes: and links:): hosts
// as boxes, routers as circles, every link with its rate and delay, the
// slowest links drawn thickest. The two-host shorthand is not drawn (the
// ladder is its picture).
import { prepare } from "./draw.js";
import { C } from "./model.js";

const rate = (bps) =>
  bps === null || bps === undefined
    ? "∞"
    : bps >= 1e9
      ? +(bps / 1e9).toPrecision(3) + " Gbps"
      : bps >= 1e6
        ? +(bps / 1e6).toPrecision(3) + " Mbps"
        : +(bps / 1e3).toPrecision(3) + " kbps";

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

// drawTopology draws info's network on canvas; it returns the positions.
export function drawTopology(canvas, info, large) {
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
  const slowest = Math.min(...rates);
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  for (const l of info.links) {
    const a = pos.get(l.between[0]);
    const b = pos.get(l.between[1]);
    if (!a || !b) continue;
    const bottleneck = (l.forward.rate_bps || Infinity) === slowest;
    ctx.strokeStyle = bottleneck ? C.retrans : "#555";
    ctx.lineWidth = (bottleneck ? 3 : 1.5) * k;
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
    const text = rate(l.forward.rate_bps) + ", " + +(l.forward.delay_s * 1000).toPrecision(3) + " ms";
    ctx.font = `${10 * k}px system-ui, sans-serif`;
    const tw = ctx.measureText(text).width;
    // Host links are labelled near their host, router links in the middle
    // and above the line, so that the labels around a router stay apart.
    const f = a.router && b.router ? 0.5 : a.router ? 0.72 : 0.28;
    const mx = a.x + f * (b.x - a.x);
    const my = a.y + f * (b.y - a.y) - (a.router && b.router ? 12 * k : 0);
    ctx.fillStyle = "rgba(255,255,255,0.9)";
    ctx.fillRect(mx - tw / 2 - 2, my - 7 * k, tw + 4, 14 * k);
    ctx.fillStyle = C.ink;
    ctx.fillText(text, mx, my);
  }
  ctx.font = `bold ${11 * k}px system-ui, sans-serif`;
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
  return pos;
}
