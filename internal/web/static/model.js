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

// Model is what the views draw of one run: the engine's reading of its
// trace (package flowview, the `view` of a run), laid out for the page.
// Relative numbers, packet kinds and labels, retransmission reasons, timer
// spans and states all come from that view, the same reading as the CLI's
// ladder; nothing here re-reads the trace's words.
export class Model {
  constructor(events, info, view) {
    this.events = events;
    this.info = info;
    this.end = events.length ? events[events.length - 1].t : 0;
    this.delay = { "a->b": info.link.delay_s, "b->a": info.link.reverse_delay_s };
    const v = typeof view === "string" ? JSON.parse(view) : view || { packets: [], timers: [], states: [], flows: [] };
    this.buildPackets(v);
    this.buildMarks(v);
  }

  // buildPackets lays out the view's packets: each from its lane to the
  // other's, from the start of its transmission to its end, sorted by
  // that start; and ties each trace event to the packet it is about.
  buildPackets(v) {
    const t = (x) => (x >= 0 ? x : null);
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
      };
      const d = this.delay[p.dir] || 0;
      if (p.qdrop) p.tEnd = p.tStart;
      // Lost on the wire: the arrow stops half way across, at the time
      // the packet would have been there.
      else if (p.tLost !== null) p.tEnd = p.tLost + d / 2;
      else if (p.tDel !== null) p.tEnd = p.tDel;
      else p.tEnd = Infinity; // still in flight when the run ended
      p.frac = p.tLost !== null ? 0.5 : 1;
      p.color = colourOf(p);
      if (q.send >= 0 && this.events[q.send]) this.events[q.send].pkt = p;
      return p;
    });
    // Every event on the wire is about the packet that left last with its
    // direction and number (a copy the wire made takes over its number).
    const onWire = new Map();
    let j = 0;
    for (const e of this.events) {
      while (j < pkts.length && pkts[j].first <= e.i) {
        onWire.set(pkts[j].key, pkts[j]);
        j++;
      }
      if (e.dir && e.id) e.pkt = onWire.get(e.dir + "#" + e.id);
    }
    this.byView = pkts; // in the view's order, for the flows' series
    this.packets = pkts.slice().sort((a, b) => a.tTx - b.tTx || a.first - b.first);
    this.maxFlight = 0;
    for (const p of this.packets)
      if (Number.isFinite(p.tEnd)) this.maxFlight = Math.max(this.maxFlight, p.tEnd - p.tTx);
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

function colourOf(p) {
  if (p.proto === "udp") return C.udp;
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
