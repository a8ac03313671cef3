// sweep.js: the sweep panel.
import { drawSweep } from "./draw.js";
import { fileName } from "./editor.js";
import { call } from "./engine.js";
import { overrides } from "./sliders.js";
import { $, S, setStatus } from "./state.js";

export async function runSweep() {
  if (!S.ready) return;
  const values = $("sweep-values")
    .value.split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  const seeds = Math.max(1, Math.min(100, parseInt($("sweep-seeds").value, 10) || 1));
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
      vary: ["link.loss=" + values.join(",")],
      seeds,
      overrides: overrides().filter((o) => !o.startsWith("link.loss=")),
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
  S.sweepInfo = JSON.parse(r.info);
  drawSweep($("sweep"), S.sweep, S.sweepInfo, S.large);
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
