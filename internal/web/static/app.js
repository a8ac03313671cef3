// app.js: the lab page's entry point. It wires the controls to the lab's
// modules (state, engine, editor, sliders, runner, player, permalink,
// sweep, keys) and starts the engine in its worker (worker.js).
import {
  checkSize,
  jumpToError,
  kib,
  loadScenario,
  MAX_SOURCE,
  markEdited,
  placeErrorLine,
  refuse,
  refuseOversize,
  TooLarge,
  updateGutter,
} from "./editor.js";
import { startWorker, stopEngine } from "./engine.js";
import { closeExport, openExport } from "./export.js";
import { applyFault, hitAt, undoFault } from "./faults.js";
import { legend, onKey, setLarge, toggleHelp } from "./keys.js";
import { copyPermalink, readLink, restore, updateHash } from "./permalink.js";
import { buildSteps, pause, play, render, seek, setSpeed, step, zoom } from "./player.js";
import { requestRun, roundsFlow } from "./runner.js";
import { onLinkPick, onSlider } from "./sliders.js";
import { $, S, SPEEDS } from "./state.js";
import { drawSweep, runSweep, suggestValues } from "./sweep.js";

function wire() {
  SPEEDS.forEach((s, i) => {
    const o = document.createElement("option");
    o.value = String(i);
    o.textContent = s + "×";
    $("speed").append(o);
  });
  $("speed").value = String(S.speed);
  $("speed").addEventListener("change", () => setSpeed(+$("speed").value));
  $("scenario").addEventListener("change", () => {
    const v = $("scenario").value;
    if (!v) return;
    loadScenario(v);
    refuse(null);
    S.sliders = { loss: null, delay: null, rate: null };
    S.link = null;
    $("seed").value = "";
    requestRun({});
  });
  $("seed").addEventListener("change", () => {
    const v = $("seed").value.trim();
    S.seed = /^\d+$/.test(v) ? v : null;
    requestRun({ keepCursor: true });
  });
  $("run").addEventListener("click", () => requestRun({}));
  $("stop").addEventListener("click", () => stopEngine("Stopped: the engine was ended and restarted."));
  $("permalink").addEventListener("click", copyPermalink);
  $("large").addEventListener("click", () => setLarge(!S.large));
  $("export").addEventListener("click", openExport);
  $("export-close").addEventListener("click", closeExport);
  $("export-print").addEventListener("click", () => window.print());
  $("help-button").addEventListener("click", () => toggleHelp(true));
  $("help-close").addEventListener("click", () => toggleHelp(false));
  let editTimer = 0;
  $("yaml").addEventListener("paste", (ev) => {
    const ta = $("yaml");
    const add = ev.clipboardData ? ev.clipboardData.getData("text") : "";
    const kept = ta.value.length - (ta.selectionEnd - ta.selectionStart);
    try {
      checkSize(ta.value.slice(0, ta.selectionStart) + add + ta.value.slice(ta.selectionEnd));
    } catch (err) {
      if (!(err instanceof TooLarge)) throw err;
      ev.preventDefault();
      refuse(
        "The pasted text was refused: the scenario " +
          err.message +
          " with it (" +
          kept +
          " characters kept), over the " +
          kib(MAX_SOURCE) +
          " limit that tcpsim run has.",
      );
    }
  });
  $("yaml").addEventListener("input", () => {
    if (S.path) {
      markEdited(S.path);
      S.path = null;
      $("scenario").value = "";
    }
    clearTimeout(editTimer);
    if (refuseOversize($("yaml").value)) return;
    refuse(null);
    updateGutter();
    clearTimeout(editTimer);
    editTimer = setTimeout(() => requestRun({ keepCursor: true }), 700);
  });
  $("yaml").addEventListener("scroll", () => {
    $("gutter").scrollTop = $("yaml").scrollTop;
    placeErrorLine();
  });
  $("error").addEventListener("click", jumpToError);
  for (const k of ["loss", "delay", "rate"]) $(k).addEventListener("input", () => onSlider(k));
  $("reset-sliders").addEventListener("click", () => {
    S.sliders = { loss: null, delay: null, rate: null };
    requestRun({ keepCursor: true });
  });
  $("back").addEventListener("click", () => step(-1));
  $("fwd").addEventListener("click", () => step(1));
  $("play").addEventListener("click", () => (S.playing ? pause() : play()));
  $("zoom-in").addEventListener("click", () => zoom(0.5));
  $("zoom-out").addEventListener("click", () => zoom(2));
  $("hops").addEventListener("change", () => {
    S.hops = $("hops").checked;
    render();
  });
  $("link-pick").addEventListener("change", () => onLinkPick(+$("link-pick").value));
  $("flow").addEventListener("change", () => {
    S.flow = $("flow").value;
    buildSteps();
    seek(S.t);
    updateHash();
    // The engine counted another flow's rounds: run again for this one's.
    if (roundsFlow() && S.run.rounds && !S.run.rounds[roundsFlow()]) requestRun({ keepCursor: true });
  });
  $("scrub").addEventListener("input", () => {
    pause();
    if (S.run) seek((+$("scrub").value / 10000) * S.run.model.end);
  });
  const plotSeek = (canvas, key) =>
    canvas.addEventListener("click", (ev) => {
      const ax = S[key];
      if (!ax || !S.run) return;
      const r = canvas.getBoundingClientRect();
      const x = ev.clientX - r.left;
      const t = ((x - ax.box.x) / ax.box.w) * (ax.tmax ?? S.run.model.end);
      pause();
      seek(Math.max(0, Math.min(S.run.model.end, t)));
    });
  plotSeek($("tseq"), "tseqAxes");
  plotSeek($("cwnd"), "cwndAxes");
  plotSeek($("thru"), "thruAxes");
  $("sweep-run").addEventListener("click", runSweep);
  $("sweep-param").addEventListener("change", suggestValues);
  $("ladder").addEventListener("click", (ev) => {
    if (!S.run) return;
    const r = $("ladder").getBoundingClientRect();
    const p = hitAt(S.hits, ev.clientX - r.left, ev.clientY - r.top);
    if (!p) return;
    pause();
    S.selected = p.key;
    render();
    applyFault(ev.shiftKey ? "corrupt" : "drop");
  });
  $("ladder").addEventListener("mousemove", (ev) => {
    if (!S.run || S.playing) return;
    const r = $("ladder").getBoundingClientRect();
    const key = hitAt(S.hits, ev.clientX - r.left, ev.clientY - r.top)?.key || "";
    if (key !== S.hover) {
      S.hover = key;
      render();
    }
  });
  $("packet-pick").addEventListener("change", () => {
    S.selected = $("packet-pick").value;
    render();
  });
  $("drop").addEventListener("click", () => applyFault("drop"));
  $("corrupt").addEventListener("click", () => applyFault("corrupt"));
  $("undo-fault").addEventListener("click", undoFault);
  document.addEventListener("keydown", onKey);
  window.addEventListener("hashchange", () => {
    if (location.hash !== S.ownHash && S.ready) restore();
  });
  new ResizeObserver(() => {
    render();
    drawSweep();
    placeErrorLine();
  }).observe(document.body);
  legend();
  drawSweep();
}

document.body.dataset.scriptStartMs = performance.now().toFixed(0);
wire();
// A permalink's scenario is read (and a bad one refused) while the engine loads.
readLink(location.hash).then((r) => r.refused && refuse(r.refused));
// The page's state, for the browser tests and the curious (read it, do
// not rely on it: it is not an API).
globalThis.tcpsimPage = S;
startWorker();
