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

// overrides are the sliders' values as overrides of the link they change:
// link.FIELD in the two-host form, links[N].FIELD in a topology.
export function overrides() {
  const at = S.link !== null ? "links[" + S.link + "]" : "link";
  const o = [];
  if (S.sliders.loss !== null) o.push(at + ".loss=" + S.sliders.loss);
  if (S.sliders.delay !== null) o.push(at + ".delay=" + S.sliders.delay);
  if (S.sliders.rate !== null) o.push(at + ".rate=" + S.sliders.rate);
  return o;
}

const mbps = (bps) => (bps ? +(bps / 1e6).toPrecision(3) + " Mbps" : "unlimited");

// linkName names link i of a topology for the link menu: its ends, rate
// and delay ("r1–r2 10 Mbps, 5 ms").
export function linkName(l) {
  return (
    l.between.join("–") + " " + mbps(l.forward.rate_bps) + ", " + +(l.forward.delay_s * 1000).toPrecision(3) + " ms"
  );
}

export function setSlidersFrom(info) {
  // A topology's sliders change the link picked in the Link menu
  // (links[N] overrides); the two-host form's change its one link:.
  const fs = $("loss").closest("fieldset");
  fs.disabled = false;
  $("link-field").hidden = !info.topology;
  let l = info.link;
  if (info.topology) {
    if (S.link === null || S.link >= info.links.length) S.link = 0;
    const sel = $("link-pick");
    const names = info.links.map(linkName);
    if ([...sel.options].map((o) => o.textContent).join("\n") !== names.join("\n")) {
      sel.textContent = "";
      names.forEach((n, i) => {
        const o = document.createElement("option");
        o.value = String(i);
        o.textContent = n;
        sel.append(o);
      });
    }
    sel.value = String(S.link);
    const tl = info.links[S.link];
    l = { ...tl.forward };
    $("sliders-legend").textContent =
      "Link " + tl.between.join("–") + ", links[" + S.link + "] (reruns at once, same seed)";
  } else {
    S.link = null;
    $("sliders-legend").textContent = "Link, a→b (reruns at once, same seed)";
  }
  // Sliders follow the scenario as run (with the overrides in force).
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

// onLinkPick makes the sliders change link i of the topology: the
// overrides of the link they changed before are dropped (rerun if any).
export function onLinkPick(i) {
  const had = overrides().length > 0;
  S.link = i;
  S.sliders = { loss: null, delay: null, rate: null };
  if (had) requestRun({ keepCursor: true });
  else if (S.run) setSlidersFrom(S.run.info);
}

let sliderTimer = 0;

export function onSlider(which) {
  const v = +$(which).value;
  S.sliders[which] = which === "loss" ? lossOf(v) : which === "delay" ? delayOf(v) : rateOf(v);
  $(which + "-out").textContent = S.sliders[which];
  clearTimeout(sliderTimer);
  sliderTimer = setTimeout(() => requestRun({ keepCursor: true }), 60);
}
