// sweep.js: the sweep panel: any parameter `tcpsim sweep --vary` takes,
// drawn as `tcpsim sweep --plot` draws it (the engine builds the CLI's
// figure, with the textbook models, and figure.js draws it).
import { fileName } from "./editor.js";
import { call } from "./engine.js";
import { drawFigure } from "./figure.js";
import { overrides } from "./sliders.js";
import { $, S, setStatus } from "./state.js";

// SUGGEST gives values to start from for the parameters the menu offers
// (PATH with the flow's name left out: FLOW stands for it).
const SUGGEST = {
  "link.loss": "0,0.5%,1%,2%,5%,10%,20%",
  "link.delay": "5ms,10ms,20ms,50ms,100ms",
  "link.rate": "1Mbps,2Mbps,5Mbps,10Mbps,50Mbps",
  "link.queue": "5,10,20,50,100",
  "flows.FLOW.congestion": "tahoe,reno,newreno,cubic",
  "flows.FLOW.recv_buffer": "8KiB,16KiB,32KiB,64KiB,128KiB",
  "flows.FLOW.mss": "536,1000,1460",
  "flows.FLOW.sack": "false,true",
  "flows.FLOW.rate": "1Mbps,2Mbps,5Mbps,10Mbps",
};

// fillParams offers the parameters of the scenario in the editor: the
// link's (or each link's, links[N], in a network) and each flow's fields
// worth varying, as the engine's info lists them (by name, as --vary
// writes them).
export function fillParams(info) {
  const list = $("sweep-params");
  list.textContent = "";
  const add = (path) => {
    const o = document.createElement("option");
    o.value = path;
    list.append(o);
  };
  const fields = ["loss", "delay", "rate", "queue"];
  if (!info.topology) for (const p of fields) add("link." + p);
  else for (let i = 0; i < info.links.length; i++) for (const p of fields) add("links[" + i + "]." + p);
  // The fields worth varying of each flow, as the engine lists them.
  for (const f of info.flows) for (const k of f.vary || []) add("flows." + f.name + "." + k);
}

// suggestValues fills the values for a parameter the page knows.
export function suggestValues() {
  const p = $("sweep-param").value.trim();
  const key = p.replace(/^flows\.[^.]+\./, "flows.FLOW.").replace(/^links\[\d+\]\./, "link.");
  if (SUGGEST[key]) $("sweep-values").value = SUGGEST[key];
}

// varies returns the sweep's --vary arguments: the parameter and its
// values, then one per line of the extra box.
export function varies() {
  const path = $("sweep-param").value.trim() || "link.loss";
  const values = $("sweep-values")
    .value.split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  const out = [path + "=" + values.join(",")];
  for (const line of $("sweep-extra").value.split("\n")) if (line.trim()) out.push(line.trim());
  return out;
}

export async function runSweep() {
  if (!S.ready) return;
  const seeds = Math.max(1, Math.min(100, parseInt($("sweep-seeds").value, 10) || 1));
  const vary = varies();
  const paths = vary.map((v) => v.split("=")[0] + "=");
  const prog = $("sweep-progress");
  prog.hidden = false;
  prog.value = 0;
  $("sweep-run").disabled = true;
  $("sweep-error").hidden = true;
  setStatus("Sweeping…", "running");
  const t0 = performance.now();
  const r = await call(
    "sweep",
    {
      file: fileName(),
      source: $("yaml").value,
      vary,
      seeds,
      overrides: overrides().filter((o) => !paths.some((p) => o.startsWith(p))),
    },
    (done, total) => {
      prog.max = total;
      prog.value = done;
    },
  );
  $("sweep-run").disabled = false;
  prog.hidden = true;
  S.sweepCount = (S.sweepCount || 0) + 1;
  document.body.dataset.sweeps = String(S.sweepCount);
  if (r.error?.stopped) {
    setStatus("Sweep stopped: the engine was ended and restarted.", "stopped");
    return;
  }
  if (r.error) {
    $("sweep-error").hidden = false;
    $("sweep-error").textContent = r.error.message;
    setStatus("Sweep error", "error");
    return;
  }
  $("sweep-json").textContent = r.report;
  S.sweep = JSON.parse(r.report);
  S.sweepFig = JSON.parse(r.figure);
  drawSweep();
  setStatus(
    "Sweep: " +
      S.sweep.runs_total +
      " runs (" +
      S.sweep.runs_failed +
      " failed) in " +
      ((performance.now() - t0) / 1000).toFixed(1) +
      " s",
    "done",
  );
}

// drawSweep draws the last sweep's figure (or says how to get one).
export function drawSweep() {
  S.sweepDrawn = drawFigure($("sweep"), S.sweepFig, {
    large: S.large,
    empty: "Run a sweep to see goodput against the parameter",
  });
}
