// editor.js: the scenario menu and the YAML editor, with its line gutter
// and the located error.
import { $, S } from "./state.js";

// MAX_SOURCE is the largest scenario the lab accepts, in bytes: the CLI's
// limit (scenario.MaxFileSize, 128 KiB), checked here before the editor
// draws the text, so that a huge paste or permalink never freezes the tab.
export const MAX_SOURCE = 128 << 10;

// TooLarge is the error of a text over MAX_SOURCE.
export class TooLarge extends Error {}

export const kib = (n) => (n >= 1 << 20 ? (n / (1 << 20)).toFixed(1) + " MiB" : Math.ceil(n / 1024) + " KiB");

// checkSize throws TooLarge if text is over MAX_SOURCE bytes (UTF-8).
export function checkSize(text) {
  // A UTF-16 code unit is at most 3 bytes of UTF-8: count only when it matters.
  if (text.length * 3 <= MAX_SOURCE) return;
  const n = new TextEncoder().encode(text).length;
  if (n > MAX_SOURCE) throw new TooLarge("is " + kib(n));
}

// refuse shows why a scenario was not taken (null clears it).
export function refuse(msg) {
  const el = $("refused");
  if (msg && el.textContent === msg) return;
  el.hidden = !msg;
  el.textContent = msg || "";
  if (msg) document.body.dataset.refusedMs = performance.now().toFixed(0);
}

// refuseOversize shows why text was not run when it is over MAX_SOURCE
// and returns true; it returns false (and shows nothing) otherwise.
export function refuseOversize(text) {
  try {
    checkSize(text);
  } catch (err) {
    if (!(err instanceof TooLarge)) throw err;
    refuse("Not run: the scenario " + err.message + ", over the " + kib(MAX_SOURCE) + " limit that tcpsim run has.");
    return true;
  }
  return false;
}

// markEdited says, beside the question, that the YAML is no longer the
// shipped file the question was written for. With no shipped file (a
// permalink's own YAML) there is no question.
export function markEdited(path) {
  const q = $("question");
  const s = path ? shipped(path) : null;
  q.dataset.edited = "true";
  q.textContent = s
    ? "Edited: the question was written for " + path + " as shipped. " + (s.question ? "Question: " + s.question : "")
    : "Your own scenario: no exercise question.";
}

export function fillScenarios() {
  const sel = $("scenario");
  sel.textContent = "";
  const groups = { scenarios: "Scenarios", exercises: "Exercises", networks: "Networks", sweeps: "Sweeps" };
  for (const [g, label] of Object.entries(groups)) {
    const og = document.createElement("optgroup");
    og.label = label;
    for (const s of S.scenarios.filter((x) => x.group === g)) {
      const o = document.createElement("option");
      o.value = s.path;
      o.textContent = s.path.replace(/^(exercises|sweeps|networks)\//, "").replace(/\.yaml$/, "");
      o.title = s.title;
      og.append(o);
    }
    sel.append(og);
  }
  const ed = document.createElement("option");
  ed.value = "";
  ed.textContent = "(edited)";
  ed.hidden = true;
  sel.append(ed);
}

export function shipped(path) {
  return S.scenarios.find((s) => s.path === path);
}

export function loadScenario(path, keepSeed) {
  const s = shipped(path);
  if (!s) return false;
  S.path = path;
  $("scenario").value = path;
  $("yaml").value = s.source;
  $("question").textContent = s.question ? "Question: " + s.question : s.title;
  $("question").dataset.edited = "false";
  S.faultStack = [];
  $("undo-fault").disabled = true;
  if (!keepSeed) S.seed = null;
  updateGutter();
  return true;
}

export function fileName() {
  return S.path ? "scenarios/" + S.path : "editor.yaml";
}

export function updateGutter() {
  const n = $("yaml").value.split("\n").length;
  const bad = S.errorLine || 0;
  const g = $("gutter");
  g.textContent = "";
  for (let i = 1; i <= n; i++) {
    const span = document.createElement("span");
    span.textContent = String(i);
    if (i === bad) span.className = "bad";
    g.append(span, "\n");
  }
  g.scrollTop = $("yaml").scrollTop;
  placeErrorLine();
}

export function placeErrorLine() {
  const el = $("error-line");
  if (!S.errorLine) {
    el.hidden = true;
    return;
  }
  const ta = $("yaml");
  const lh = parseFloat(getComputedStyle(ta).lineHeight) || 18;
  const pad = parseFloat(getComputedStyle(ta).paddingTop) || 0;
  el.style.top = pad + (S.errorLine - 1) * lh - ta.scrollTop + "px";
  el.style.height = lh + "px";
  el.hidden = false;
}

export function showError(err) {
  const box = $("error");
  if (!err) {
    box.hidden = true;
    box.textContent = "";
    S.errorLine = 0;
    S.errorCol = 0;
    updateGutter();
    return;
  }
  box.hidden = false;
  box.textContent = err.message + (err.bug ? "\n(an internal error: please report it)" : "");
  S.errorLine = err.line || 0;
  S.errorCol = err.col || 0;
  box.dataset.line = String(err.line || "");
  box.dataset.col = String(err.col || "");
  updateGutter();
}

export function jumpToError() {
  if (!S.errorLine) return;
  const ta = $("yaml");
  const lines = ta.value.split("\n");
  let pos = 0;
  for (let i = 0; i < S.errorLine - 1 && i < lines.length; i++) pos += lines[i].length + 1;
  pos += Math.max(0, (S.errorCol || 1) - 1);
  ta.focus();
  ta.setSelectionRange(pos, pos);
  const lh = parseFloat(getComputedStyle(ta).lineHeight) || 18;
  ta.scrollTop = Math.max(0, (S.errorLine - 3) * lh);
}
