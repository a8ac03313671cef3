// export.js: the print and export view of the current run. It copies the
// ladder and every plot shown into images (PNG, each with a link to save
// it) above the run tables, for slides and handouts; Print prints that
// view alone (lab.css's print rules hide the controls).
import { $, S } from "./state.js";

// VIEWS are the canvases the view copies, in page order, with the file
// name each image is saved under.
const VIEWS = [
  ["ladder", "ladder"],
  ["topo", "network"],
  ["tseq", "time-sequence"],
  ["cwnd", "cwnd"],
  ["rounds", "cwnd-rounds"],
  ["thru", "throughput"],
];

// openExport fills the export view from what the page shows now and
// shows it; it returns how many images it holds.
export function openExport() {
  const box = $("export-figures");
  box.replaceChildren();
  const name = S.run?.info?.name || "tcpsim";
  const seed = S.run?.seed != null ? "-seed" + S.run.seed : "";
  let n = 0;
  for (const [id, file] of VIEWS) {
    const c = $(id);
    if (!c || c.hidden || c.width === 0 || c.height === 0 || c.offsetParent === null) continue;
    const url = c.toDataURL("image/png");
    const fig = document.createElement("figure");
    const img = document.createElement("img");
    img.src = url;
    img.alt = c.getAttribute("aria-label") || file;
    img.width = c.width;
    img.height = c.height;
    const cap = document.createElement("figcaption");
    const a = document.createElement("a");
    a.href = url;
    a.download = name + seed + "-" + file + ".png";
    a.textContent = "Save " + a.download;
    cap.append(a);
    fig.append(img, cap);
    box.append(fig);
    n++;
  }
  $("export-title").textContent = name + (seed ? " (seed " + S.run.seed + ")" : "");
  $("export-view").hidden = false;
  document.body.classList.add("exporting");
  $("export-close").focus();
  return n;
}

// closeExport hides the export view.
export function closeExport() {
  $("export-view").hidden = true;
  document.body.classList.remove("exporting");
  $("export").focus();
}
