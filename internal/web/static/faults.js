// faults.js: click a packet to drop or corrupt it, as the Kurose & Ross
// applets allow. The page never changes a run by itself: it names the
// packet the way the scenario's `faults:` section does (the flow's N-th
// data segment at its k-th transmission, or the receiver's N-th pure ACK;
// docs/scenarios.md, "Scripted faults"), adds that line to the YAML where
// the student sees it, and reruns with the same seed. Undo removes the
// line again.

import { markEdited, updateGutter } from "./editor.js";
import { requestRun } from "./runner.js";
import { $, S } from "./state.js";

// The kinds of packet (the engine's view's words) that carry data.
const DATA_KINDS = new Set(["data", "window probe", "datagram", "pkt"]);

// faultOf returns the `faults:` entry that names packet p of model m
// ({flow, drop|corrupt, segment, transmission} or {flow, drop, number}),
// or an object with why it cannot be named.
export function faultOf(m, p, action) {
  if (m.info.topology)
    return {
      why: "a network's packets cannot be named in faults: (it scripts the two-host link: only): give a link loss with the sliders instead",
    };
  const fi = m.info.flows.find((x) => x.name === p.flow) || {};
  // How the faults: section counts this flow's data (the engine says:
  // by first byte, by sequence number, or every datagram).
  const bytes = fi.counts === "bytes",
    each = fi.counts === "datagrams";
  const sender = fi.from || "a";
  // The wire's number of an rdt packet (its sequence number).
  const wire = (q) => q.seq ?? q.rseq;
  // Data and pure ACKs are the kinds the engine's view names.
  const isData = (q) => q.flow === p.flow && q.from === sender && DATA_KINDS.has(q.kind) && (q.len > 0 || !bytes);
  const isAck = (q) => q.flow === p.flow && q.from !== sender && q.len === 0 && q.kind === "ACK";
  const inOrder = m.packets.filter((q) => q.flow === p.flow).sort((a, b) => a.first - b.first);
  if (isAck(p)) {
    if (action === "corrupt") return { why: "only data can be corrupted (corrupt: data): drop the ACK instead" };
    const n = inOrder.filter(isAck).indexOf(p) + 1;
    return { entry: { flow: p.flow, drop: "ack", number: n } };
  }
  if (!isData(p)) return { why: "only data segments and pure ACKs can be named in faults:" };
  // Count the sender's data at first transmission, as the engine does.
  const segs = []; // {n, first (byte or wire number), tx}
  let maxEnd = -1;
  for (const q of inOrder) {
    if (!isData(q)) continue;
    // Every segment whose first byte (or wire number) q carries again
    // counts one more transmission; the latest of them is the one q names.
    // (An rdt retransmission names the latest packet of its wire number.)
    let seg = null;
    if (bytes) {
      for (const s of segs) {
        if (s.first >= q.rseq && s.first < q.rseq + q.len) {
          s.tx++;
          seg = s;
        }
      }
    } else if (!each && q.retrans) {
      seg = segs.findLast((s) => s.first === wire(q)) || null;
      if (seg) seg.tx++;
    }
    if (each || (bytes ? q.rseq + q.len > maxEnd : !q.retrans)) {
      seg = { n: segs.length + 1, first: bytes ? q.rseq : wire(q), tx: 1 };
      segs.push(seg);
      if (bytes) maxEnd = Math.max(maxEnd, q.rseq + q.len);
    }
    if (q === p) {
      if (!seg) return { why: "this retransmission carries no segment's first byte" };
      const e = { flow: p.flow };
      if (action === "corrupt") e.corrupt = "data";
      else e.drop = "data";
      e.segment = seg.n;
      if (seg.tx > 1) e.transmission = seg.tx;
      if (action === "corrupt") e.bits = 2;
      return { entry: e };
    }
  }
  return { why: "the packet was not found among the flow's data" };
}

// entryText writes an entry as one flow-style YAML mapping.
export function entryText(e) {
  return (
    "{" +
    Object.entries(e)
      .map(([k, v]) => k + ": " + v)
      .join(", ") +
    "}"
  );
}

// MARK ends every line the lab adds, so that undo finds it again.
const MARK = "# clicked in the lab";

// addFault returns src with the entry's line added to its faults:
// section (made at the end if there is none), and the line added.
export function addFault(src, e) {
  const lines = src.split("\n");
  const at = lines.findIndex((l) => /^faults:\s*(#.*)?$/.test(l));
  if (at < 0) {
    const line = "  - " + entryText(e) + " " + MARK;
    const body = src.endsWith("\n") || src === "" ? src : src + "\n";
    return { src: body + "faults:\n" + line + "\n", line, header: true };
  }
  // After the section's last item (or comment) line.
  let end = at + 1;
  let indent = "  ";
  for (let i = at + 1; i < lines.length; i++) {
    const l = lines[i];
    if (/^\s+-/.test(l) || /^-/.test(l)) {
      indent = /^(\s*)-/.exec(l)[1];
      end = i + 1;
    } else if (/^\s+\S/.test(l) || /^\s*#/.test(l) || l.trim() === "") {
      if (l.trim() !== "") end = i + 1;
    } else break;
  }
  const line = indent + "- " + entryText(e) + " " + MARK;
  lines.splice(end, 0, line);
  return { src: lines.join("\n"), line, header: false };
}

// removeFault undoes addFault: it removes the line (and the faults:
// header it made, when no other entry is left under it).
export function removeFault(src, added) {
  const lines = src.split("\n");
  const i = lines.lastIndexOf(added.line);
  if (i < 0) return null;
  lines.splice(i, 1);
  if (added.header) {
    const h = i - 1;
    if (h >= 0 && /^faults:\s*$/.test(lines[h]) && (h + 1 >= lines.length || !/^\s+-|^-/.test(lines[h + 1] || ""))) {
      lines.splice(h, 1);
    }
  }
  return lines.join("\n");
}

// ---- the page: the Packet menu, Drop it, Corrupt it, Undo ----

// fillPicker lists the packets the ladder shows (hits, from drawLadder)
// in the Packet menu, keeping the selection; it does nothing while the
// list is unchanged.
export function fillPicker(hits) {
  const keys = hits.map((h) => h.p.key).join(" ");
  if (keys === S.pickerKeys && S.pickerRun === S.run) return;
  S.pickerKeys = keys;
  S.pickerRun = S.run;
  S.pickerPackets = new Map(hits.map((h) => [h.p.key, h.p]));
  const sel = $("packet-pick");
  sel.textContent = "";
  const none = document.createElement("option");
  none.value = "";
  none.textContent = hits.length ? "(click one in the ladder, or pick)" : "(no packet in view)";
  sel.append(none);
  for (const h of hits) {
    const o = document.createElement("option");
    o.value = h.p.key;
    o.textContent =
      h.p.tTx.toFixed(6) + " s " + S.run.model.dirName(h.p) + " " + S.run.model.flowTag(h.p.flow) + h.p.label;
    sel.append(o);
  }
  sel.value = S.pickerPackets.has(S.selected) ? S.selected : "";
}

// hitAt returns the packet drawn nearest to (x, y), within 8 px, or null.
export function hitAt(hits, x, y) {
  let best = null;
  let bestD = 8 * 8;
  for (const h of hits) {
    const dx = h.xe - h.xs;
    const dy = h.ye - h.ys;
    const l2 = dx * dx + dy * dy;
    const u = l2 ? Math.max(0, Math.min(1, ((x - h.xs) * dx + (y - h.ys) * dy) / l2)) : 0;
    const ex = h.xs + u * dx - x;
    const ey = h.ys + u * dy - y;
    const d = ex * ex + ey * ey;
    if (d <= bestD) {
      bestD = d;
      best = h.p;
    }
  }
  return best;
}

// applyFault adds the fault that drops or corrupts the selected packet
// and reruns with the same seed.
export function applyFault(action) {
  const p = S.pickerPackets?.get(S.selected);
  if (!S.run || !p) {
    $("fault-note").textContent = "Pick a packet first: click it in the ladder or choose it in the Packet menu.";
    return;
  }
  // One fault per run shown: a double click (or a key that clicks twice)
  // adds one line, not two.
  if (S.faultBase === S.run) return;
  const r = faultOf(S.run.model, p, action);
  if (!r.entry) {
    $("fault-note").textContent = "Cannot " + action + " this packet: " + r.why + ".";
    return;
  }
  S.faultBase = S.run;
  const ta = $("yaml");
  const added = addFault(ta.value, r.entry);
  ta.value = added.src;
  S.faultStack.push(added);
  afterEdit();
  $("fault-note").textContent = "Added to faults: " + entryText(r.entry) + " (same seed, run again).";
  requestRun({ keepCursor: true });
}

// undoFault removes the last line applyFault added.
export function undoFault() {
  const added = S.faultStack.pop();
  if (!added) return;
  const src = removeFault($("yaml").value, added);
  if (src !== null) {
    $("yaml").value = src;
    afterEdit();
    $("fault-note").textContent = "Removed: " + added.line.trim();
    requestRun({ keepCursor: true });
  } else {
    $("fault-note").textContent = "The line the lab added was edited away: nothing to undo.";
  }
  $("undo-fault").disabled = !S.faultStack.length;
}

// afterEdit keeps the run's seed (so the rerun differs by the fault only)
// and marks the question as edited.
function afterEdit() {
  if (S.seed === null && S.run) {
    S.seed = S.run.seed;
    $("seed").value = S.seed;
  }
  if (S.path) {
    markEdited(S.path);
    S.path = null;
    $("scenario").value = "";
  }
  updateGutter();
  $("undo-fault").disabled = !S.faultStack.length;
}
