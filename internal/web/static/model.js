// model.js: lays out what the engine read of a run (its `view`, package
// flowview: packets named as the CLI's ladder names them, with their times
// on the wire, timer spans, state changes, per-flow series) for the views
// to draw, beside the run's trace (the JSON lines of `tcpsim run --trace
// FILE.jsonl`) that the event log steps through.

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

// Trace is a run's trace (the JSON lines of `tcpsim run --trace`), read
// lazily: a first pass keeps where each line starts, its time and its
// flow (read off the line's head, `{"t":T,"flow":"F",`, as the trace
// writer always begins it; another line is parsed whole), and a line is
// parsed into its event only when the page shows it. A large network's
// trace has 150,000 lines: parsing them all held the page for seconds.
export class Trace {
  constructor(text) {
    this.text = text;
    let n = 0;
    for (let p = text.indexOf("\n"); p >= 0; p = text.indexOf("\n", p + 1)) n++;
    if (text.length && !text.endsWith("\n")) n++;
    this.start = new Uint32Array(n + 1);
    this.t = new Float64Array(n);
    this.flowOf = new Uint16Array(n);
    this.flows = [""]; // flow names by index; 0: none
    const ids = new Map([["", 0]]);
    let k = 0;
    let s = 0;
    while (s < text.length && k < n) {
      let e = text.indexOf("\n", s);
      if (e < 0) e = text.length;
      if (e > s) {
        this.start[k] = s;
        let t = Number.NaN,
          flow = null;
        if (text.startsWith('{"t":', s)) {
          const c = text.indexOf(",", s + 5);
          t = c > 0 && c < e ? +text.slice(s + 5, c) : Number.NaN;
          if (text.startsWith('"flow":"', c + 1)) {
            const q = text.indexOf('"', c + 9);
            const f = text.slice(c + 9, q);
            if (q < e && !f.includes("\\")) flow = f;
          } else if (c > 0) flow = "";
        }
        if (!Number.isFinite(t) || flow === null) {
          const ev = JSON.parse(text.slice(s, e));
          t = ev.t;
          flow = ev.flow || "";
        }
        let id = ids.get(flow);
        if (id === undefined) {
          id = this.flows.length;
          ids.set(flow, id);
          this.flows.push(flow);
        }
        this.t[k] = t;
        this.flowOf[k] = id;
        k++;
      }
      s = e + 1;
    }
    this.n = k;
    this.start[k] = text.length + 1;
    this.cache = new Map();
    this.pktOf = () => undefined; // set by the Model
  }

  // line returns the text of line i.
  line(i) {
    let e = this.start[i + 1] - 1;
    while (e > this.start[i] && this.text[e - 1] === "\n") e--;
    return this.text.slice(this.start[i], Math.min(e, this.text.length));
  }

  // key returns "dir#id" of the packet line i is about ("" for none),
  // read off the line (the writer puts "id" and then "dir" after
  // "event") or, where it reads otherwise, from the line parsed.
  key(i) {
    const t = this.text;
    const s = this.start[i],
      e = this.start[i + 1] - 1;
    const a = t.indexOf(',"id":', s);
    if (a < 0 || a > e) {
      const ev = this.event(i);
      return ev.dir && ev.id ? ev.dir + "#" + ev.id : "";
    }
    const c = t.indexOf(",", a + 6);
    const id = t.slice(a + 6, c);
    if (c > 0 && c < e && /^[1-9][0-9]*$/.test(id) && t.startsWith('"dir":"', c + 1)) {
      const q = t.indexOf('"', c + 8);
      if (q > 0 && q < e) return t.slice(c + 8, q) + "#" + id;
    }
    const ev = this.event(i);
    return ev.dir && ev.id ? ev.dir + "#" + ev.id : "";
  }

  // event returns line i parsed: the trace's fields, with raw (the line),
  // i and pkt (the packet it is about, from the view).
  event(i) {
    let e = this.cache.get(i);
    if (e) return e;
    const raw = this.line(i);
    e = JSON.parse(raw);
    e.raw = raw;
    e.i = i;
    e.pkt = this.pktOf(i, e);
    if (this.cache.size > 4096) this.cache.clear();
    this.cache.set(i, e);
    return e;
  }

  // indicesOf returns the lines of one flow, in order.
  indicesOf(flow) {
    const id = this.flows.indexOf(flow);
    const out = [];
    if (id > 0) for (let i = 0; i < this.n; i++) if (this.flowOf[i] === id) out.push(i);
    return out;
  }
}

// parseTrace reads a run's trace text (see Trace).
export function parseTrace(text) {
  return new Trace(text);
}

// Model is what the views draw of one run: the engine's reading of its
// trace (package flowview, the `view` of a run), laid out for the page.
// Relative numbers, packet kinds and labels, retransmission reasons, timer
// spans and states all come from that view, the same reading as the CLI's
// ladder; nothing here re-reads the trace's words.
export class Model {
  constructor(events, info, view) {
    this.events = events;
    this.info = info;
    this.end = events.n ? events.t[events.n - 1] : 0;
    this.delay = { "a->b": info.link.delay_s, "b->a": info.link.reverse_delay_s };
    const v =
      typeof view === "string"
        ? JSON.parse(view)
        : view || { packets: [], timers: [], states: [], flows: [], links: [] };
    // Each flow's path: its lanes are named by its nodes (path[0] is its
    // "a" end, the last its "b" end), and a topology's packets cross them.
    this.paths = new Map(
      (v.flows || []).map((f) => [f.name, { path: f.path || ["a", "b"], back: f.back || ["b", "a"] }]),
    );
    this.links = (v.links || []).map((l) => ({ name: l.name, queue: l.queue || [], drops: l.drops || [] }));
    this.linkDelay = new Map();
    for (const l of info.links || []) {
      const [x, y] = l.between;
      this.linkDelay.set(x + "->" + y, l.forward.delay_s);
      this.linkDelay.set(y + "->" + x, l.reverse.delay_s);
    }
    this.buildPackets(v);
    this.buildMarks(v);
  }

  // buildPackets lays out the view's packets: each from its lane to the
  // other's, from the start of its transmission to its end, sorted by
  // that start; and ties each trace event to the packet it is about.
  buildPackets(v) {
    const t = (x) => (x >= 0 ? x : null);
    const sent = new Map(); // send event's index -> the packet it made
    const pkts = v.packets.map((q) => {
      const [from, to] = q.dir.split("->");
      const p = {
        key: q.dir + "#" + q.id,
        dir: q.dir,
        id: q.id,
        flow: q.flow,
        proto: q.proto,
        kind: q.kind,
        flags: q.flags || "",
        rseq: q.seq,
        rack: q.ack,
        len: q.len,
        win: q.win,
        from,
        to,
        first: q.first,
        tStart: q.t,
        tTx: t(q.tx) ?? q.t,
        tLost: t(q.lost),
        tDel: t(q.del),
        corrupt: !!q.corrupt,
        csum: !!q.csum,
        qdrop: q.drop >= 0,
        dup: !!q.dup,
        reorder: !!q.reorder,
        retrans: !!q.retrans,
        label: q.label,
        words: q.words || q.label,
        hops: (q.hops || []).map((h) => ({
          link: this.links[h.l]?.name || "",
          at: h.at,
          t: h.t,
          tx: h.tx,
          del: h.del,
          lost: h.lost,
          drop: h.drop,
        })),
      };
      const d = this.delay[p.dir] || 0;
      if (p.qdrop) p.tEnd = p.tStart;
      // Lost on the wire: the arrow stops half way across, at the time
      // the packet would have been there.
      else if (p.tLost !== null) p.tEnd = p.tLost + d / 2;
      else if (p.tDel !== null) p.tEnd = p.tDel;
      else p.tEnd = Infinity; // still in flight when the run ended
      p.frac = p.tLost !== null ? 0.5 : 1;
      if (p.hops.length) this.alongPath(p);
      p.color = colourOf(p);
      if (q.send >= 0) sent.set(q.send, p);
      return p;
    });
    // Every event on the wire is about the packet that left last with its
    // direction and number (a copy the wire made takes over its number);
    // in a topology, every event on a hop is about the packet that
    // entered that link last with the link's number for it. The packets
    // of each key, in the order they took it, are searched when an event
    // is shown.
    const byKey = new Map();
    const take = (key, at, p) => {
      const l = byKey.get(key);
      if (l) l.push({ at, p });
      else byKey.set(key, [{ at, p }]);
    };
    for (const p of pkts) take(p.key, p.first, p);
    for (const p of pkts)
      for (const h of p.hops) {
        const key = h.at >= 0 && h.at < this.events.n ? this.events.key(h.at) : "";
        if (key) take(key, h.at, p);
      }
    for (const l of byKey.values()) l.sort((a, b) => a.at - b.at);
    this.events.pktOf = (i, e) => {
      if (!(e.dir && e.id)) return sent.get(i);
      const l = byKey.get(e.dir + "#" + e.id);
      if (!l) return undefined;
      let lo = 0,
        hi = l.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (l[mid].at <= i) lo = mid + 1;
        else hi = mid;
      }
      return lo ? l[lo - 1].p : undefined;
    };
    this.byView = pkts; // in the view's order, for the flows' series
    this.packets = pkts.slice().sort((a, b) => a.tTx - b.tTx || a.first - b.first);
    this.maxFlight = 0;
    for (const p of this.packets)
      if (Number.isFinite(p.tEnd)) this.maxFlight = Math.max(this.maxFlight, p.tEnd - p.tTx);
  }

  // alongPath places a topology's packet on its path: a loss or drop on
  // a later hop ends the arrow that far along (lost half way across its
  // hop, dropped at the router whose queue dropped it), said in its label
  // as the CLI's ladder says it ("lost on r1->r2", "dropped at r2").
  alongPath(p) {
    const n = this.pathOf(p).length - 1;
    const k = p.hops.length - 1;
    const h = p.hops[k];
    const from = h.link.split("->")[0];
    if (h.lost >= 0) {
      p.tLost = h.lost;
      p.frac = (k + 0.5) / n;
      p.tEnd = h.lost + (this.linkDelay.get(h.link) || 0) / 2;
      p.where = "lost on " + h.link;
    } else if (h.drop >= 0 && k > 0) {
      p.qdrop = false;
      p.tLost = h.drop;
      p.frac = k / n;
      p.tEnd = h.drop;
      p.where = "dropped at " + from;
    } else if (h.drop >= 0) {
      p.where = "dropped at " + from;
    }
  }

  // pathOf is the nodes packet p crosses, in its direction.
  pathOf(p) {
    const r = this.paths.get(p.flow) || { path: ["a", "b"], back: ["b", "a"] };
    return p.dir === "b->a" ? r.back : r.path;
  }

  // oneWay is the propagation delay along packet p's path.
  oneWay(p) {
    if (!p.hops.length) return this.delay[p.dir] || 0;
    const path = this.pathOf(p);
    let d = 0;
    for (let i = 0; i + 1 < path.length; i++) d += this.linkDelay.get(path[i] + "->" + path[i + 1]) || 0;
    return d;
  }

  // rtt is the longest round trip of any flow's path (propagation only).
  rtt() {
    if (!this.info.topology) return this.info.link.delay_s + this.info.link.reverse_delay_s;
    let most = 0;
    for (const r of this.paths.values()) {
      let d = 0;
      for (const path of [r.path, r.back])
        for (let i = 0; i + 1 < path.length; i++) d += this.linkDelay.get(path[i] + "->" + path[i + 1]) || 0;
      most = Math.max(most, d);
    }
    return most;
  }

  // hostName is the node at end host ("a" or "b") of flow's path.
  hostName(flow, host) {
    const r = this.paths.get(flow);
    if (!r) return host;
    return host === "a" ? r.path[0] : r.path[r.path.length - 1];
  }

  // dirName writes a packet's direction with its flow's host names.
  dirName(p) {
    return this.hostName(p.flow, p.from) + "→" + this.hostName(p.flow, p.to);
  }

  // queueAt returns how many packets link direction l's queue held at t.
  queueAt(l, t) {
    const q = l.queue;
    let lo = 0,
      hi = q.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (q[m][0] <= t) lo = m + 1;
      else hi = m;
    }
    return lo ? q[lo - 1][1] : 0;
  }

  // buildMarks takes the view's timer spans, states and per-flow series.
  buildMarks(v) {
    this.timerIv = v.timers.map((x) => ({
      flow: x.flow,
      role: x.role,
      kind: x.kind,
      host: x.host,
      t0: x.t0,
      end: x.end >= 0 ? x.end : Infinity,
      fired: x.fired,
      slot: TIMER_SLOTS[x.kind] ?? 3,
      short: TIMER_SHORT[x.kind] || x.kind,
    }));
    this.states = v.states;
    this.bin = v.bin || 0; // the width of the throughput intervals, seconds
    this.series = new Map(
      v.flows.map((f) => [
        f.name,
        {
          sends: (f.sends || []).map((n) => this.byView[n]),
          lost: (f.lost || []).map((n) => this.byView[n]),
          acks: f.acks || [],
          cwnd: f.cwnd || [],
          maxSeq: f.max_seq,
          throughput: f.throughput || [],
        },
      ]),
    );
  }

  // flowTag prefixes labels with the flow's name when several flows share
  // the ladder.
  flowTag(flow) {
    return this.info.flows.length > 1 ? flow + ": " : "";
  }

  // indexAt returns how many events happen at or before t.
  indexAt(t) {
    let lo = 0,
      hi = this.events.n;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (this.events.t[m] <= t) lo = m + 1;
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

function colourOf(p) {
  if (p.kind === "datagram") return C.udp;
  if (p.retrans) return C.retrans;
  if (p.kind === "control") return C.ctrl;
  if (p.len > 0) return C.data;
  return C.ack;
}

// eventText formats an event as the log shows it: `tcpsim run --trace -`'s
// line, with the packet named in the ladder's words (relative numbers,
// data or ACK, pkt N, datagram N, window probe) by the engine's view.
export function eventText(e) {
  const pad = (s, n) => (s + " ".repeat(n)).slice(0, Math.max(n, s.length));
  let s = e.t.toFixed(6).padStart(12) + " " + pad(e.flow || "", 8) + " " + pad(e.event, 13);
  if (e.dir) {
    s += " " + e.dir + " " + e.proto;
    s += e.pkt ? " " + e.pkt.words : " len=" + (e.len || 0);
  }
  if (e.detail) s += " " + e.detail;
  return s;
}
