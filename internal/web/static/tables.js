// tables.js: the CLI's run tables as HTML.
import { $ } from "./state.js";

// renderTables turns the CLI's Markdown tables into HTML tables: the
// cells are exactly the CLI's.
export function renderTables(md) {
  const out = $("tables");
  out.textContent = "";
  const lines = md.split("\n");
  let i = 0;
  const cells = (line) =>
    line
      .trim()
      .replace(/^\||\|$/g, "")
      .split("|")
      .map((c) => c.trim());
  while (i < lines.length) {
    const line = lines[i];
    if (line.startsWith("#")) {
      const p = document.createElement("p");
      p.className = "run-head";
      p.textContent = line.replace(/^#+\s*/, "");
      out.append(p);
      i++;
    } else if (line.startsWith("|")) {
      const table = document.createElement("table");
      table.className = "run";
      const head = cells(line);
      table.dataset.section = head[0];
      const thead = table.createTHead().insertRow();
      for (const h of head) {
        const th = document.createElement("th");
        th.textContent = h;
        th.scope = "col";
        thead.append(th);
      }
      i += 2; // the alignment row
      const body = table.createTBody();
      while (i < lines.length && lines[i].startsWith("|")) {
        const row = body.insertRow();
        cells(lines[i]).forEach((c, j) => {
          const cell = j === 0 ? document.createElement("th") : document.createElement("td");
          if (j === 0) cell.scope = "row";
          cell.textContent = c;
          row.append(cell);
        });
        i++;
      }
      out.append(table);
    } else {
      i++;
    }
  }
}
