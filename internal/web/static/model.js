// model.js: turns a run's trace (the JSON lines of `tcpsim run --trace
// FILE.jsonl`) into what the views draw: packets with their times on the
// wire, timers, state changes, and per-flow series for the plots.

// Okabe–Ito colours, and what each stands for.
export const C = {
  data: "#0072B2", // blue: TCP data
  ack: "#E69F00", // orange: pure ACKs
  retrans: "#D55E00", // vermillion: retransmissions, losses
  ctrl: "#CC79A7", // reddish purple: SYN, FIN, RST
  udp: "#009E73", // bluish green: UDP datagrams
  sky: "#56B4E9", // sky blue: ssthresh, timers
  yellow: "#F0E442", // yellow: corruption
  ink: "#000000",
  grid: "#e4e4dc",
  muted: "#6b6b6b",
};

// parseTrace splits JSON lines into events, keeping each raw line.
export function parseTrace(text) {
  const out = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (!line) continue;
    const e = JSON.parse(line);
    e.raw = line;
    e.i = out.length;
    out.push(e);
  }
  return out;
}

const u32 = (x) => x >>> 0;

// Model is everything derived from one run's events.
export class Model {
  constructor(events, info) {
    this.events = events;
    this.info = info;
    this.end = events.length ? events[events.length - 1].t : 0;
    this.flowFrom = new Map(info.flows.map((f) => [f.name, f.from || "a"]));
    this.flowProto = new Map(info.flows.map((f) => [f.name, f.protocol]));
    this.delay = { "a->b": info.link.delay_s, "b->a": info.link.reverse_delay_s };
    this.buildPackets();
    this.buildMarks();
  }

  // hostOf says which host ("a" or "b") plays role ("client" or
  // "server") in flow.
  hostOf(flow, role) {
    const from = this.flowFrom.get(flow) || "a";
    if (role === "server") return from === "a" ? "b" : "a";
    return from;
  }

  buildPackets() {
    const byKey = new Map();
    const pkts = [];
    const lastSend = new Map();
    const isn = new Map(); // flow|dir -> ISN
    for (const e of this.events) {
      if (!e.dir) continue;
      if (e.proto === "tcp" && e.flags && e.flags.includes("SYN")) {
        const k = e.flow + "|" + e.dir;
        if (!isn.has(k)) isn.set(k, e.seq || 0);
      }
      if (e.event === "send") {
        lastSend.set(e.dir, e);
        continue;
      }
      const key = e.dir + "#" + e.id;
      let p = byKey.get(key);
      if (!p) {
        p = {
          key,
          dir: e.dir,
          id: e.id,
          flow: e.flow,
          proto: e.proto,
          flags: e.flags || "",
          seq: e.seq || 0,
          ack: e.ack || 0,
          len: e.len || 0,
          win: e.win || 0,
          from: e.dir.split("->")[0],
          to: e.dir.split("->")[1],
          first: e.i,
          tStart: e.t,
          tTx: null,
          tLost: null,
          tDel: null,
          corrupt: false,
          csum: false,
          qdrop: false,
          dup: false,
          reorder: false,
          retrans: false,
        };
        const s = lastSend.get(e.dir);
        if (s && s.t === e.t && s.seq === e.seq && s.flow === e.flow) p.retrans = !!s.retrans;
        byKey.set(key, p);
        pkts.push(p);
      }
      switch (e.event) {
        case "transmit":
          p.tTx = e.t;
          break;
        case "lost":
          p.tLost = e.t;
          break;
        case "deliver":
          if (p.tDel === null) p.tDel = e.t;
          break;
        case "corrupt":
          p.corrupt = true;
          break;
        case "checksum-drop":
          p.csum = true;
          break;
        case "queue-drop":
        case "early-drop":
        case "dequeue-drop":
          p.qdrop = true;
          p.tEnd = e.t;
          break;
        case "duplicate":
          p.dup = true;
          if (p.tTx === null) p.tTx = e.t;
          break;
        case "reorder":
          p.reorder = true;
          break;
      }
    }
    for (const p of pkts) {
      const k = (f, d) => isn.get(f + "|" + d);
      const own = k(p.flow, p.dir),
        peer = k(p.flow, p.to + "->" + p.from);
      p.rseq = own === undefined ? p.seq : u32(p.seq - own);
      p.rack = peer === undefined ? p.ack : u32(p.ack - peer);
      const d = this.delay[p.dir] || 0;
      if (p.tTx === null) p.tTx = p.tStart;
      if (p.qdrop) {
        p.tEnd = p.tStart;
      } else if (p.tLost !== null) {
        // Lost on the wire: the arrow stops half way across, at the time
        // the packet would have been there.
        p.tEnd = p.tLost + d / 2;
      } else if (p.tDel !== null) {
        p.tEnd = p.tDel;
      } else {
        p.tEnd = Infinity; // still in flight when the run ended
      }
      p.frac = p.tLost !== null ? 0.5 : 1;
      p.color = colourOf(p);
      p.label = labelOf(p);
    }
    pkts.sort((a, b) => a.tTx - b.tTx || a.first - b.first);
    this.packets = pkts;
    this.maxFlight = 0;
    for (const p of pkts) if (Number.isFinite(p.tEnd)) this.maxFlight = Math.max(this.maxFlight, p.tEnd - p.tTx);
  }

  buildMarks() {
    // Timers as brackets from arm to fire; state changes; per-flow series.
    this.timers = [];
    this.states = [];
    const armed = new Map();
    this.series = new Map();
    const ser = (flow) => {
      let s = this.series.get(flow);
      if (!s) {
        s = { sends: [], lost: [], acks: [], cwnd: [], maxSeq: 0 };
        this.series.set(flow, s);
      }
      return s;
    };
    for (const e of this.events) {
      const d = e.detail || "";
      const role = d.startsWith("client") ? "client" : d.startsWith("server") ? "server" : "";
      switch (e.event) {
        case "timer-set": {
          const kind = timerKind(d);
          armed.set(e.flow + "|" + role + "|" + kind, {
            flow: e.flow,
            role,
            kind,
            t0: e.t,
            deadline: e.value / 1e9,
            host: this.hostOf(e.flow, role),
            setAt: e.i,
          });
          break;
        }
        case "timer-cancel": {
          armed.delete(e.flow + "|" + role + "|" + timerKind(d));
          break;
        }
        case "timer-fired": {
          const key = e.flow + "|" + role + "|" + timerKind(d);
          const a = armed.get(key);
          this.timers.push({
            flow: e.flow,
            role,
            kind: timerKind(d),
            host: this.hostOf(e.flow, role),
            t0: a ? a.t0 : e.t,
            t1: e.t,
            at: e.i,
          });
          armed.delete(key);
          break;
        }
        case "state":
          this.states.push({
            t: e.t,
            flow: e.flow,
            host: this.hostOf(e.flow, role),
            text: d.replace(/^(client|server) /, ""),
            at: e.i,
          });
          break;
        case "cwnd":
          if (role === "client") ser(e.flow).cwnd.push([e.t, e.value, e.value2]);
          break;
      }
    }
    // The timers still armed at the end, to draw while they run.
    this.pending = [...armed.values()];
    this.buildTimerIntervals();
    for (const p of this.packets) {
      if (p.proto !== "tcp") continue;
      const s = ser(p.flow);
      const client = this.flowFrom.get(p.flow) || "a";
      if (p.from === client && p.len > 0) {
        s.sends.push(p);
        s.maxSeq = Math.max(s.maxSeq, p.rseq + p.len);
        if (p.tLost !== null || p.qdrop || p.csum) s.lost.push(p);
      } else if (p.to === client && p.tDel !== null && p.flags.includes("ACK") && !p.flags.includes("SYN")) {
        s.acks.push([p.tDel, p.rack]);
      }
    }
    for (const s of this.series.values()) s.acks.sort((a, b) => a[0] - b[0]);
  }

  // buildTimerIntervals makes one interval per arming of a timer: from
  // timer-set to the next event of the same timer (re-armed, cancelled
  // or fired), so that the ladder can draw what runs at any time.
  buildTimerIntervals() {
    const open = new Map();
    this.timerIv = [];
    for (const e of this.events) {
      if (!e.event.startsWith("timer-")) continue;
      const d = e.detail || "";
      const role = d.startsWith("server") ? "server" : "client";
      const kind = timerKind(d);
      const key = e.flow + "|" + role + "|" + kind;
      const prev = open.get(key);
      if (prev) {
        prev.end = e.t;
        prev.fired = e.event === "timer-fired";
        open.delete(key);
      }
      if (e.event === "timer-set") {
        const iv = {
          flow: e.flow,
          role,
          kind,
          host: this.hostOf(e.flow, role),
          t0: e.t,
          end: Infinity,
          fired: false,
          slot: TIMER_SLOTS[kind] ?? 3,
          short: TIMER_SHORT[kind] || kind,
        };
        open.set(key, iv);
        this.timerIv.push(iv);
      }
    }
  }

  // flowTag prefixes labels with the flow's name when several flows share
  // the ladder.
  flowTag(flow) {
    return this.info.flows.length > 1 ? flow + ": " : "";
  }

  // indexAt returns how many events happen at or before t.
  indexAt(t) {
    let lo = 0,
      hi = this.events.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (this.events[m].t <= t) lo = m + 1;
      else hi = m;
    }
    return lo;
  }

  // firstPacketFrom returns the index of the first packet that may still
  // be on screen at time t.
  firstPacketFrom(t) {
    const from = t - this.maxFlight;
    let lo = 0,
      hi = this.packets.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (this.packets[m].tTx < from) lo = m + 1;
      else hi = m;
    }
    return lo;
  }
}

const TIMER_SLOTS = { retransmission: 0, persist: 1, "time-wait": 2 };
const TIMER_SHORT = { retransmission: "RTO", persist: "persist", "time-wait": "TIME-WAIT" };

function timerKind(detail) {
  const m = /^(?:client|server) (.*?) at /.exec(detail);
  return m ? m[1] : detail;
}

function colourOf(p) {
  if (p.proto === "udp") return C.udp;
  if (p.retrans) return C.retrans;
  if (/SYN|FIN|RST/.test(p.flags)) return C.ctrl;
  if (p.len > 0) return C.data;
  return C.ack;
}

function labelOf(p) {
  if (p.proto === "udp") return "#" + p.id + " " + p.len + "B";
  const f = p.flags.replace("ACK", "").replace(/^,|,$/g, "").replace(",,", ",");
  let s = "";
  if (p.retrans) s += "R ";
  if (f) s += f + " ";
  if (p.len > 0 || f) s += "seq=" + p.rseq + " ";
  if (p.len > 0) s += "len=" + p.len + " ";
  if (p.flags.includes("ACK")) s += "ack=" + p.rack + " ";
  s += "win=" + p.win;
  return s;
}

// eventText formats an event as `tcpsim run --trace -` prints it.
export function eventText(e) {
  const pad = (s, n) => (s + " ".repeat(n)).slice(0, Math.max(n, s.length));
  let s = e.t.toFixed(6).padStart(12) + " " + pad(e.flow || "", 8) + " " + pad(e.event, 13);
  if (e.dir) {
    s += " " + e.dir + " " + e.proto;
    if (e.proto === "tcp")
      s += " " + (e.flags || "") + " seq=" + (e.seq || 0) + " ack=" + (e.ack || 0) + " win=" + (e.win || 0);
    s += " len=" + (e.len || 0);
    if (e.retrans) s += " retransmission";
  }
  if (e.detail) s += " " + e.detail;
  return s;
}
