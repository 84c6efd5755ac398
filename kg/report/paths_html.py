"""A self-contained HTML picture of attack paths: one file, inline SVG and script, no server.

The page embeds the documented JSON shape (`kg.analysis.paths.paths_document`), says per target
how many routes it shows of how many, and draws the selected path as a chain of nodes; each hop
shows its relation and layer, and clicking it shows why it holds, the controls evaluated on it
and the missing ones that could have stopped it.
"""

from __future__ import annotations

import html
import json
from typing import Any

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>__TITLE__</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;display:flex;height:100vh;color:#222}
#list{width:30%;overflow:auto;border-right:1px solid #ccc;padding:8px;box-sizing:border-box}
#list div{padding:6px;border-radius:4px;cursor:pointer;margin-bottom:4px;background:#f4f4f4}
#list div.sel{background:#ffe1d6}
#list p{margin:2px 0 6px;font-size:12px;color:#555}
#main{flex:1;overflow:auto;padding:12px}
.node rect{fill:#e8eef8;stroke:#456}
.node text,.hop text{font-size:11px}
.hop line{stroke:#c33;stroke-width:2}
.hop{cursor:pointer}
#detail{white-space:pre-wrap;font-size:13px;border-top:1px solid #ccc;
  margin-top:8px;padding-top:8px}
</style></head><body>
<div id="list"></div>
<div id="main"><h3>__TITLE__</h3><svg id="svg" width="100%" height="200"></svg>
<div id="detail">Select a hop to see why it holds and the controls on it.</div></div>
<script id="data" type="application/json">__DATA__</script>
<script>
const data = JSON.parse(document.getElementById("data").textContent);
const NS = "http://www.w3.org/2000/svg";
const short = s => s.length > 34 ? "\\u2026" + s.slice(-33) : s;
function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  parent.appendChild(e); return e;
}
function missing(m) {
  return m.control_id + " (" + m.title + ") " + m.status + " in " + m.account_id + " " +
    m.regions.join(", ") + (m.evidence ? ": " + m.evidence : "");
}
function show(index) {
  const path = data.paths[index];
  document.querySelectorAll("#list div").forEach((d, i) => d.className = i === index ? "sel" : "");
  const svg = document.getElementById("svg");
  svg.innerHTML = "";
  const names = [path.source].concat(path.hops.map(h => h.to));
  const w = 190, gap = 70;
  svg.setAttribute("width", names.length * (w + gap));
  names.forEach((name, i) => {
    const g = el("g", {class: "node"}, svg);
    el("rect", {x: i * (w + gap), y: 80, width: w, height: 40, rx: 6}, g);
    const t = el("text", {x: i * (w + gap) + 6, y: 104}, g); t.textContent = short(name);
    el("title", {}, g).textContent = name;
  });
  path.hops.forEach((hop, i) => {
    const g = el("g", {class: "hop"}, svg), x = i * (w + gap) + w;
    el("line", {x1: x, y1: 100, x2: x + gap, y2: 100}, g);
    const a = el("text", {x: x + 2, y: 70}, g); a.textContent = hop.relation;
    const b = el("text", {x: x + 2, y: 140}, g); b.textContent = hop.layer;
    g.onclick = () => {
      document.getElementById("detail").textContent = hop.from + " -> " + hop.to + "\\n" +
        hop.explanation + "\\n\\nControls:\\n" + (hop.controls.join("\\n") || "(none recorded)") +
        "\\n\\nMissing controls that could have stopped it:\\n" +
        (hop.missing_controls.map(missing).join("\\n") || "(none found)");
    };
  });
  document.getElementById("detail").textContent = "Target: " + path.target +
    (path.target_reason ? " (" + path.target_reason + ")" : "") +
    "\\nDefensive layers: " + path.layers.join(", ") + " (score " + path.score + ")";
}
const list = document.getElementById("list");
function note(text) {
  const p = document.createElement("p"); p.textContent = text; list.appendChild(p);
}
if (data.without.length) note("Without: " + data.without.join("; "));
if (data.cut_off.length) note("No longer reachable: " + data.cut_off.join("; "));
data.targets.forEach(t => note(short(t.target) + ": " + t.routes_shown + " of " +
  (t.total_is_exact ? "" : "at least ") + t.routes_total + " routes shown, " +
  t.entry_points + " entry point(s)"));
if (!data.paths.length) note("No attack paths found.");
data.paths.forEach((p, i) => {
  const d = document.createElement("div");
  d.textContent = (i + 1) + ". " + short(p.target) + " via " + short(p.entry) + " \\u2014 " +
    p.hops.length + " hops, " + p.score + " layer(s)";
  d.onclick = () => show(i); list.appendChild(d);
});
if (data.paths.length) show(0);
</script></body></html>
"""


def paths_html(document: dict[str, Any], title: str = "Attack paths") -> str:
    """The page for a `paths_document`; the data is escaped so no value can end the script."""
    data = json.dumps(document, sort_keys=True).replace("<", "\\u003c")
    return _PAGE.replace("__TITLE__", html.escape(title)).replace("__DATA__", data)
