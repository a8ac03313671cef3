// boot.js: starts the engine's worker (worker.js) as the page begins to
// load, before its modules arrive, so that the engine's download and
// compilation overlap them; engine.js takes the worker over, with what it
// said meanwhile.
// biome-ignore lint/suspicious/noRedundantUseStrict: a classic script, not a module, so the directive is not redundant
"use strict";

globalThis.tcpsimBoot = (() => {
  const worker = new Worker("worker.js");
  const early = [];
  worker.onmessage = (ev) => early.push(ev);
  return { worker, early, startMs: performance.now() };
})();
