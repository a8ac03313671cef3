// keys.js: large text, the help dialog, the keyboard and the legend.
import { drawSweep } from "./sweep.js";
import { placeErrorLine } from "./editor.js";
import { applyFault, undoFault } from "./faults.js";
import { C } from "./model.js";
import { copyPermalink } from "./permalink.js";
import { pause, play, render, seek, setSpeed, step, zoom } from "./player.js";
import { requestRun } from "./runner.js";
import { $, S } from "./state.js";

export function setLarge(on) {
  S.large = on;
  document.documentElement.classList.toggle("large", on);
  $("large").setAttribute("aria-pressed", String(on));
  requestAnimationFrame(() => {
    placeErrorLine();
    render();
    drawSweep();
  });
}

export function toggleHelp(show) {
  $("help").hidden = !show;
  if (show) $("help-close").focus();
}

export function typing(el) {
  return (
    el && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type !== "range") || el.tagName === "SELECT")
  );
}

export function onKey(ev) {
  if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
    ev.preventDefault();
    requestRun({});
    return;
  }
  if (ev.key === "Escape") {
    toggleHelp(false);
    return;
  }
  if (typing(document.activeElement) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  // A focused button takes Space and Enter itself.
  if (document.activeElement && document.activeElement.tagName === "BUTTON" && (ev.key === " " || ev.key === "Enter"))
    return;
  const n = ev.shiftKey ? 10 : 1;
  switch (ev.key) {
    case " ":
      S.playing ? pause() : play();
      break;
    case "ArrowRight":
      step(n);
      break;
    case "ArrowLeft":
      step(-n);
      break;
    case "Home":
      pause();
      seek(0);
      break;
    case "End":
      pause();
      if (S.run) seek(S.run.model.end);
      break;
    case "+":
    case "=":
      setSpeed(S.speed + 1);
      break;
    case "-":
    case "_":
      setSpeed(S.speed - 1);
      break;
    case "]":
      zoom(0.5);
      break;
    case "[":
      zoom(2);
      break;
    case "r":
    case "R":
      requestRun({ keepCursor: true });
      break;
    case "p":
    case "P":
      copyPermalink();
      break;
    case "l":
    case "L":
      setLarge(!S.large);
      break;
    case "d":
    case "D":
      applyFault("drop");
      break;
    case "u":
    case "U":
      undoFault();
      break;
    case "?":
      toggleHelp($("help").hidden);
      break;
    default:
      return;
  }
  ev.preventDefault();
}

export function legend() {
  const items = [
    [C.data, "TCP data"],
    [C.ack, "ACK (dashed)"],
    [C.retrans, "retransmission, loss ✕, timer fired"],
    [C.ctrl, "SYN/FIN, state"],
    [C.udp, "UDP datagram"],
    [C.sky, "timer running (dashed) / ssthresh"],
    [C.yellow, "corrupted (!)"],
  ];
  const p = $("legend");
  p.textContent = "";
  for (const [c, t] of items) {
    const s = document.createElement("span");
    s.className = "sw";
    s.style.background = c;
    p.append(s, t);
  }
}
