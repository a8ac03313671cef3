// sliders.js: the link sliders, which rerun at once as overrides
// (link.loss=...), as `tcpsim run --set` would.
import { requestRun } from "./runner.js";
import { $, S } from "./state.js";

export const lossOf = (v) => +(v / 10).toFixed(1) + "%";

export const delayOf = (v) => v + "ms";

export const rateOf = (v) => {
  const mbps = 0.1 * 10 ** (v / 15);
  return (mbps >= 10 ? +mbps.toPrecision(2) : +mbps.toPrecision(2)) + "Mbps";
};

export function overrides() {
  const o = [];
  if (S.sliders.loss !== null) o.push("link.loss=" + S.sliders.loss);
  if (S.sliders.delay !== null) o.push("link.delay=" + S.sliders.delay);
  if (S.sliders.rate !== null) o.push("link.rate=" + S.sliders.rate);
  return o;
}

export function setSlidersFrom(info) {
  // A topology's links are not the two-host link: that the overrides
  // address: its sliders are off, and say so.
  const fs = $("loss").closest("fieldset");
  fs.disabled = !!info.topology;
  $("sliders-legend").textContent = info.topology
    ? "Links: set each in the YAML's links: (the sliders address the two-host link: only)"
    : "Link, a→b (reruns at once, same seed)";
  if (info.topology) {
    $("overrides").textContent =
      info.links.length + " links, drawn beside the ladder; their table is under Run tables.";
    return;
  }
  // Sliders follow the scenario as run (with the overrides in force).
  const l = info.link;
  if (S.sliders.loss === null) $("loss").value = String(Math.round(l.loss_mean * 1000));
  if (S.sliders.delay === null) $("delay").value = String(Math.round(l.delay_s * 1000));
  if (S.sliders.rate === null) {
    $("rate").value = l.rate_bps ? String(Math.round(15 * Math.log10(l.rate_bps / 1e5))) : "60";
  }
  $("loss-out").textContent = S.sliders.loss ?? +(l.loss_mean * 100).toFixed(2) + "%";
  $("delay-out").textContent = S.sliders.delay ?? +(l.delay_s * 1000).toFixed(3) + "ms";
  $("rate-out").textContent =
    S.sliders.rate ?? (l.rate_bps ? +(l.rate_bps / 1e6).toPrecision(3) + "Mbps" : "unlimited");
  const o = overrides();
  $("overrides").textContent = o.length ? "Overrides: " + o.join(", ") : "As the file says.";
}

let sliderTimer = 0;

export function onSlider(which) {
  const v = +$(which).value;
  S.sliders[which] = which === "loss" ? lossOf(v) : which === "delay" ? delayOf(v) : rateOf(v);
  $(which + "-out").textContent = S.sliders[which];
  clearTimeout(sliderTimer);
  sliderTimer = setTimeout(() => requestRun({ keepCursor: true }), 60);
}
