// permalink.js: the URL fragment that holds the scenario (by name or as
// deflated YAML), the seed, the sliders and the moment.
import { checkSize, kib, loadScenario, MAX_SOURCE, markEdited, refuse, TooLarge, updateGutter } from "./editor.js";
import { setLarge } from "./keys.js";
import { requestRun } from "./runner.js";
import { $, DEFAULT_SCENARIO, S, setStatus } from "./state.js";

export function b64url(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function unb64url(s) {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export async function deflate(text) {
  const cs = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(cs).arrayBuffer());
}

// inflate decompresses bytes, reading at most limit bytes of output: a
// small link that inflates beyond it (a deflate "bomb") is refused after
// limit bytes, never held whole.
export async function inflate(bytes, limit) {
  const ds = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  const reader = ds.getReader();
  const parts = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > limit) {
      await reader.cancel();
      throw new TooLarge("inflates to more than " + kib(limit));
    }
    parts.push(value);
  }
  return new TextDecoder().decode(await new Blob(parts).arrayBuffer());
}

export async function permalink(withTime) {
  const p = new URLSearchParams();
  if (S.path) p.set("s", S.path);
  else p.set("y", b64url(await deflate($("yaml").value)));
  p.set("seed", S.run ? S.run.seed : $("seed").value || "0");
  for (const k of ["loss", "delay", "rate"]) if (S.sliders[k] !== null) p.set(k, S.sliders[k]);
  if (S.link !== null) p.set("link", String(S.link));
  if (withTime && S.t > 0) p.set("t", S.t.toFixed(9));
  if (S.flow) p.set("flow", S.flow);
  if (S.large) p.set("large", "1");
  return "#" + p.toString();
}

let hashSerial = 0;

export async function updateHash() {
  const n = ++hashSerial;
  const h = await permalink(false);
  if (n === hashSerial && location.hash !== h) history.replaceState(null, "", h);
  S.ownHash = h;
}

export async function copyPermalink() {
  const h = await permalink(true);
  history.replaceState(null, "", h);
  S.ownHash = h;
  const url = location.href;
  try {
    await navigator.clipboard.writeText(url);
    setStatus("Permalink copied: the scenario, seed, sliders and this moment.");
  } catch {
    setStatus("Permalink in the address bar: copy it from there.");
  }
}

// readLink reads the scenario text of a permalink (y=, deflated), at
// most MAX_SOURCE bytes of it: {text} or {refused: why}. The page starts
// it as soon as its script runs, before the engine is ready, so that a
// refused link is reported at once; restore reuses that reading.
export function readLink(hash) {
  if (S.linkRead && S.linkRead.hash === hash) return S.linkRead.promise;
  document.body.dataset.linkReadMs = performance.now().toFixed(0);
  const promise = (async () => {
    const y = new URLSearchParams(hash.slice(1)).get("y");
    if (y === null) return {};
    try {
      // Base64 holds 3 bytes in 4 characters, and no scenario under the
      // limit deflates to more than itself.
      if (y.length > (MAX_SOURCE * 4) / 3) throw new TooLarge("is " + kib((y.length * 3) / 4) + " even compressed");
      const text = await inflate(unb64url(y), MAX_SOURCE);
      checkSize(text);
      return { text };
    } catch (err) {
      return {
        refused:
          err instanceof TooLarge
            ? "The permalink's scenario was refused: it " +
              err.message +
              ", over the " +
              kib(MAX_SOURCE) +
              " limit that tcpsim run has. Showing the default exercise."
            : "The permalink's scenario could not be read: showing the default exercise.",
      };
    }
  })();
  S.linkRead = { hash, promise };
  return promise;
}

// restore reads the URL fragment (a permalink) or loads the default.
export async function restore() {
  const p = new URLSearchParams(location.hash.slice(1));
  let ok = false;
  if (p.has("s")) ok = loadScenario(p.get("s"), true);
  if (!ok && p.has("y")) {
    const r = await readLink(location.hash);
    if (r.text !== undefined) {
      $("yaml").value = r.text;
      S.path = null;
      $("scenario").value = "";
      markEdited(null);
      updateGutter();
      ok = true;
    } else {
      refuse(r.refused);
    }
  }
  if (!ok) loadScenario(DEFAULT_SCENARIO);
  const seed = p.get("seed");
  S.seed = seed && /^\d+$/.test(seed) ? seed : null;
  $("seed").value = S.seed ?? "";
  for (const k of ["loss", "delay", "rate"]) S.sliders[k] = p.get(k);
  const link = p.get("link");
  S.link = link && /^\d+$/.test(link) ? +link : null;
  S.flow = p.get("flow") || "";
  setLarge(p.get("large") === "1");
  const t = parseFloat(p.get("t"));
  S.pendingT = Number.isFinite(t) && t > 0 ? t : null;
  await requestRun({});
}
