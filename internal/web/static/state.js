// state.js: the page's state (one object, S), shared by the lab's modules,
// and the status line.
export const $ = (id) => document.getElementById(id);
export const SPEEDS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];
export const DEFAULT_SCENARIO = "exercises/02-timeout.yaml";

// The page's state: one object, owned by this module.
export const S = {
  worker: null,
  nextId: 1,
  calls: new Map(),
  ready: false,
  scenarios: [],
  path: null, // the shipped scenario in the editor, null once edited
  seed: null, // the seed asked for, as a decimal string; null = the file's
  sliders: { loss: null, delay: null, rate: null }, // overrides as written, or null
  link: null, // in a topology, the index in links: of the link the sliders change; null: the two-host link:
  hops: false, // in a topology, the ladder has a lane per node of the flow's path
  busy: false,
  queued: false,
  run: null, // {report, tables, info, model, seed, ms}
  steps: null, // the events the step buttons walk: null, every one; or one flow's line numbers
  nSteps: 0, // how many events the step buttons walk
  idx: 0, // how many of steps have happened
  t: 0, // the cursor's simulated time, seconds
  playing: false,
  speed: 5, // index into SPEEDS
  span: 0.2, // the ladder's window, seconds
  flow: "", // "" = every flow
  selected: "", // the key of the packet picked to drop or corrupt
  faultStack: [], // the faults: lines the lab added, for undo
  hits: [], // where the ladder drew each packet
  asks: [], // who asked for the last runs (for the tests' messages)
  sweep: null, // the last sweep's JSON report
  sweepFig: null, // its figure (package plot's, as JSON)
  sweepDrawn: null, // where drawFigure put it, for the tests
  large: false,
  pendingT: null, // a cursor time from a permalink, applied after the run
  lastFrame: 0,
};

export function setStatus(text, state) {
  $("status").textContent = text;
  if (state) document.body.dataset.state = state;
}
