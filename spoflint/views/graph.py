"""Pictures of a topology: the dependency graph with its single points of failure.

Pure functions from an analysed topology to text: `to_dot` (Graphviz), `to_mermaid`,
`to_json` (the analysed model, format `spoflint-graph` version 1, documented in the
README) and `to_html` (one self-contained page: inline CSS and JavaScript, no network).

The page draws the layers as columns and answers "if this fails" for every failure
candidate with the answer `spoflint simulate --fail ID` gives: each one is evaluated
here, brute force, by spoflint.analysis.reference, and embedded. That is one evaluation per
candidate, so a large estate gets a smaller page (see LARGE and WHAT_IF_LIMIT).
"""

from __future__ import annotations

import html
import json

from ..analysis import Facts
from ..analysis.reference import evaluate
from ..analysis.simulation import Simulation, chain
from ..model import Topology

VERSION = 1

# The columns, left to right: what is depended on first. Zones share the racks' column.
LAYERS = (
    ("power", ("power",)),
    ("cooling", ("cooling",)),
    ("racks", ("zones", "racks")),
    ("network", ("network",)),
    ("hosts", ("hosts",)),
    ("storage", ("storage",)),
    ("services", ("services",)),
)
LAYER_OF = {section: layer for layer, sections in LAYERS for section in sections}

# Above this many elements the page draws only services and single points of failure.
LARGE = 3000
# "If this fails" costs one evaluation of the whole topology per candidate: answers are
# embedded for at most WHAT_IF_BUDGET // elements candidates (single points first), so
# that a page takes seconds to write, not minutes (every candidate up to ~2,000 elements).
WHAT_IF_BUDGET = 3_000_000
WHAT_IF_MIN = 100


# --- the analysed model --------------------------------------------------------------


def _kind(t: Topology, section: str, eid: str) -> str | None:
    if section in ("power", "network", "storage"):
        return getattr(t, section)[eid].kind
    if section == "services":
        return t.services[eid].kind
    return {"zones": "zone", "cooling": "cooling", "racks": "rack", "hosts": "host", "links": "link"}[section]


def _edges(t: Topology) -> list[dict]:
    """Dependency edges, from what depends to what it depends on, plus the network's
    links (undirected, named by the link's id)."""
    edges: list[dict] = []

    def add(a: str, b: str, kind: str) -> None:
        edges.append({"from": a, "to": b, "kind": kind})

    for p in t.power.values():
        for s in p.sources:
            add(p.id, s, "power")
        if p.zone:
            add(p.id, p.zone, "zone")
    for c in t.cooling.values():
        for p in c.power:
            add(c.id, p, "power")
        if c.zone:
            add(c.id, c.zone, "zone")
    for r in t.racks.values():
        for c in r.cooling:
            add(r.id, c, "cooling")
        if r.zone:
            add(r.id, r.zone, "zone")
    for box in list(t.network.values()) + list(t.hosts.values()):
        if box.rack:
            add(box.id, box.rack, "rack")
        if box.zone:
            add(box.id, box.zone, "zone")
        for p in box.power:
            add(box.id, p, "power")
    for link in t.links.values():
        edges.append({"from": link.a, "to": link.b, "kind": "link", "link": link.id})
    for s in t.storage.values():
        for h in s.hosts:
            add(s.id, h, "host")
        if s.zone:
            add(s.id, s.zone, "zone")
    for svc in t.services.values():
        for h in svc.hosts:
            add(svc.id, h, "host")
        for h in svc.pool:
            add(svc.id, h, "pool")
        for d in svc.depends_on:
            add(svc.id, d, "depends_on")
        for s in svc.storage:
            if s not in svc.depends_on:
                add(svc.id, s, "storage")
        if svc.load_balancer:
            add(svc.id, svc.load_balancer, "load_balancer")
    return edges


def model(t: Topology, facts: Facts | None = None) -> dict:
    """The analysed model as plain data: what `to_json` prints and the page draws."""
    facts = facts or Facts(t)
    points = facts.single_points
    candidates = t.failure_candidates(facts.scope)
    elements = []
    rows: dict[str, int] = {}
    for section in ("zones", "power", "cooling", "racks", "network", "links", "hosts", "storage", "services"):
        for eid in getattr(t, section):
            layer = LAYER_OF.get(section)
            element = {
                "id": eid,
                "section": section,
                "kind": _kind(t, section, eid),
                "layer": layer,
                "position": None,
                "can_fail": candidates[eid],
                "single_point": eid in points,
            }
            if layer is not None:
                column = [name for name, _ in LAYERS].index(layer)
                element["position"] = {"column": column, "row": rows.get(layer, 0)}
                rows[layer] = rows.get(layer, 0) + 1
            if section == "links":
                link = t.links[eid]
                element["ends"] = [link.a, link.b]
            if section == "services":
                element["public"] = t.services[eid].public
            where = t.where.get(eid)
            if where is not None:
                element["location"] = {"path": where.path, "line": where.line, "column": where.column}
            elements.append(element)
    never_up = facts.never_up
    return {
        "format": "spoflint-graph",
        "version": VERSION,
        "name": t.name,
        "layers": [name for name, _ in LAYERS],
        "entrypoints": list(t.entrypoints),
        "elements": elements,
        "edges": _edges(t),
        "single_points": [
            {
                "element": p.element,
                "services": list(p.services),
                "data": list(p.data),
                "chain": list(p.chain),
                "data_chain": list(p.data_chain),
            }
            for p in points.values()
        ],
        "articulation_points": [{"element": e, "cut_off": list(cut)} for e, cut in facts.articulation_points.items()],
        "bridges": [{"link": link, "ends": list(ends)} for link, ends in facts.bridges.items()],
        "never_up": [{"service": s, "reason": never_up[s]} for s in sorted(never_up)],
    }


def to_json(t: Topology, facts: Facts | None = None) -> str:
    return json.dumps(model(t, facts), indent=2) + "\n"


# --- "if this fails" -------------------------------------------------------------------


def what_if(t: Topology, candidates: list[str]) -> dict[str, dict]:
    """For each element, the answer of `spoflint simulate --fail ID --format json`
    (its services_down and data_lost), by the reference evaluator."""
    before = evaluate(t, set())
    answers = {}
    for eid in candidates:
        after = evaluate(t, {eid})
        sim = Simulation((eid,), before, after)
        answers[eid] = {
            "services_down": [
                {
                    "service": s,
                    "public": t.services[s].public,
                    "reason": after.why(s),
                    "chain": chain(after, s),
                    "down_before": not before.is_up(s),
                }
                for s in after.services_down
            ],
            "data_lost": [{"holder": h, "reason": after.lost[h]} for h in sim.lost],
        }
    return answers


# --- Graphviz and Mermaid ----------------------------------------------------------------


def _drawn(t: Topology, document: dict) -> tuple[list[dict], list[dict], str | None]:
    """The elements and edges a picture shows; on a large estate only services and
    single points of failure (and a note saying so)."""
    nodes = [e for e in document["elements"] if e["position"] is not None]
    edges = document["edges"]
    if len(document["elements"]) <= LARGE:
        return nodes, edges, None
    nodes = [e for e in nodes if e["section"] == "services" or e["single_point"]]
    shown = {e["id"] for e in nodes}
    edges = [e for e in edges if e["from"] in shown and e["to"] in shown]
    note = f"{len(document['elements'])} elements: only services and single points of failure are drawn (above {LARGE})"
    return nodes, edges, note


def _risk(document: dict) -> tuple[set[str], set[str]]:
    """Single points of failure, and what they take down (services and data holders)."""
    spofs = {p["element"] for p in document["single_points"]}
    hit = {s for p in document["single_points"] for s in p["services"] + p["data"]}
    return spofs, hit


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def to_dot(t: Topology, facts: Facts | None = None) -> str:
    document = model(t, facts)
    nodes, edges, note = _drawn(t, document)
    spofs, hit = _risk(document)
    out = [
        f"digraph {_dot_id(t.name)} {{",
        "  rankdir=RL;",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica"];',
    ]
    if note:
        out.append(f"  label={_dot_id(note)};")
    for layer, _ in LAYERS:
        members = [e for e in nodes if e["layer"] == layer]
        if not members:
            continue
        out.append(f"  subgraph {_dot_id('cluster_' + layer)} {{")
        out.append(f"    label={_dot_id(layer)};")
        for e in members:
            attributes = [f"label={_dot_id(e['id'])}"]
            if e["id"] in spofs:
                attributes.append('fillcolor="#f4a6a6", color="#b00020", penwidth=2')
            elif e["id"] in hit:
                attributes.append('fillcolor="#ffd8a8", color="#d9480f"')
            out.append(f"    {_dot_id(e['id'])} [{', '.join(attributes)}];")
        out.append("  }")
    layer_of = {e["id"]: e["layer"] for e in nodes}
    for edge in edges:
        if edge["kind"] == "link":
            style = f"dir=none, constraint=false, label={_dot_id(edge['link'])}, fontsize=8"
            if edge["link"] in spofs:
                style += ', color="#b00020", penwidth=2'
        else:
            style = f"label={_dot_id(edge['kind'])}, fontsize=8"
            if layer_of[edge["from"]] == layer_of[edge["to"]]:
                style += ", constraint=false"  # ranks follow the layers (graphviz 2.43 needs it)
        out.append(f"  {_dot_id(edge['from'])} -> {_dot_id(edge['to'])} [{style}];")
    out.append("}")
    return "\n".join(out) + "\n"


def _mermaid_label(text: str) -> str:
    return '"' + html.escape(text, quote=False).replace('"', "#quot;") + '"'


def to_mermaid(t: Topology, facts: Facts | None = None) -> str:
    document = model(t, facts)
    nodes, edges, note = _drawn(t, document)
    spofs, hit = _risk(document)
    # Mermaid ids are restricted; elements get n0, n1, ... and their id as the label
    ids = {e["id"]: f"n{i}" for i, e in enumerate(nodes)}
    out = ["flowchart RL"]
    if note:
        out.append(f"  %% {note}")
    for layer, _ in LAYERS:
        members = [e for e in nodes if e["layer"] == layer]
        if not members:
            continue
        out.append(f"  subgraph layer_{layer}[{_mermaid_label(layer)}]")
        for e in members:
            out.append(f"    {ids[e['id']]}[{_mermaid_label(e['id'])}]")
        out.append("  end")
    link_styles = []
    for index, edge in enumerate(e for e in edges if e["from"] in ids and e["to"] in ids):
        a, b = ids[edge["from"]], ids[edge["to"]]
        if edge["kind"] == "link":
            out.append(f"  {a} ---|{_mermaid_label(edge['link'])}| {b}")
            if edge["link"] in spofs:
                link_styles.append(index)
        else:
            out.append(f"  {a} --> {b}")
    out.append("  classDef spof fill:#f4a6a6,stroke:#b00020,stroke-width:2px")
    out.append("  classDef hit fill:#ffd8a8,stroke:#d9480f")
    marked = [ids[e] for e in sorted(spofs) if e in ids]
    if marked:
        out.append(f"  class {','.join(marked)} spof")
    taken = [ids[e] for e in sorted(hit - spofs) if e in ids]
    if taken:
        out.append(f"  class {','.join(taken)} hit")
    if link_styles:
        out.append(f"  linkStyle {','.join(map(str, link_styles))} stroke:#b00020,stroke-width:2px")
    return "\n".join(out) + "\n"


# --- the page ---------------------------------------------------------------------------


def to_html(t: Topology, facts: Facts | None = None) -> str:
    document = model(t, facts)
    nodes, edges, note = _drawn(t, document)
    shown = {e["id"] for e in nodes}
    drawn_links = {e["link"] for e in edges if e["kind"] == "link"}
    spofs = [p["element"] for p in document["single_points"]]
    others = [
        e["id"]
        for e in document["elements"]
        if e["can_fail"] and e["id"] not in set(spofs) and (e["id"] in shown or e["id"] in drawn_links)
    ]
    limit = max(WHAT_IF_MIN, WHAT_IF_BUDGET // max(len(document["elements"]), 1))
    candidates = (spofs + others)[:limit]
    notes = [note] if note else []
    if len(spofs) + len(others) > limit:
        notes.append(
            f'"if this fails" is precomputed for {limit} of {len(spofs) + len(others)} '
            "failure candidates (single points of failure first); for the others run "
            "`spoflint simulate --fail ID`"
        )
    page = {
        "name": t.name,
        "layers": document["layers"],
        "elements": [e for e in document["elements"] if e["id"] in shown or e["section"] == "links"],
        "edges": edges,
        "single_points": document["single_points"],
        "never_up": document["never_up"],
        "what_if": what_if(t, candidates),
        "notes": notes,
    }
    # JSON inside <script>: no "<" at all, so nothing in the data can close the element
    data = json.dumps(page, separators=(",", ":"), sort_keys=True).replace("<", "\\u003c")
    return _PAGE.replace("__TITLE__", html.escape(f"spoflint: {t.name}")).replace("__DATA__", data)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
  body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #222; background: #fafafa;
         display: flex; height: 100vh; }
  #picture { flex: 1; overflow: auto; }
  #panel { width: 340px; border-left: 1px solid #ccc; padding: 12px 16px; overflow: auto; background: #fff; }
  h1 { font-size: 16px; margin: 8px 12px; }
  h2 { font-size: 15px; margin: 4px 0 8px; }
  h3 { font-size: 13px; margin: 12px 0 4px; }
  .note { margin: 4px 12px; color: #8a4b00; }
  .legend span { display: inline-block; padding: 1px 6px; margin-right: 6px; border: 1px solid #999; border-radius: 4px; }
  svg text { font-size: 11px; pointer-events: none; }
  svg .layer-title { font-weight: bold; font-size: 13px; }
  .node rect { fill: #ffffff; stroke: #777; stroke-width: 1; cursor: pointer; rx: 5; }
  .node.can-fail rect { stroke: #444; }
  .node.hit rect { fill: #ffd8a8; stroke: #d9480f; }
  .node.spof rect { fill: #f4a6a6; stroke: #b00020; stroke-width: 2; }
  .node.selected rect { stroke: #1c7ed6; stroke-width: 3; }
  .node.down rect { fill: #c92a2a; stroke: #7a0010; }
  .node.down text { fill: #fff; }
  .edge { fill: none; stroke: #bbb; stroke-width: 1; }
  .edge.link { stroke: #5c7cfa; }
  .edge.link.spof { stroke: #b00020; stroke-width: 2.5; }
  .hitbox { fill: none; stroke: transparent; stroke-width: 9; cursor: pointer; }
  .edge.active { stroke: #1c7ed6; stroke-width: 2; }
  #down li, #lost li { margin-bottom: 6px; }
  .reason { color: #555; }
  .chain { color: #777; font-size: 12px; }
</style>
</head>
<body>
<div id="picture">
  <h1 id="title"></h1>
  <div class="note legend"><span style="background:#f4a6a6">single point of failure</span><span
    style="background:#ffd8a8">taken down by one</span><span style="background:#c92a2a;color:#fff">down if the
    selected element fails</span></div>
  <div id="notes"></div>
  <div id="drawing"></div>
</div>
<aside id="panel">
  <h2 id="selected">Click an element</h2>
  <div id="about">Click an element or a link to see what goes down if it fails: the answer
  <code>spoflint simulate --fail ID</code> gives.</div>
  <div id="answer" hidden>
    <h3>Services down</h3>
    <ul id="down"></ul>
    <p id="none-down" hidden>Every service stays up.</p>
    <h3>Data lost</h3>
    <ul id="lost"></ul>
    <p id="none-lost" hidden>No data is lost.</p>
  </div>
</aside>
<script type="application/json" id="model">__DATA__</script>
<script>
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("model").textContent);
  var W = 160, H = 24, GAP = 8, COL = 230, TOP = 40, LEFT = 16;
  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  var spofs = {}, hit = {}, byId = {};
  data.single_points.forEach(function (p) {
    spofs[p.element] = p;
    p.services.concat(p.data).forEach(function (s) { hit[s] = true; });
  });
  document.getElementById("title").textContent = data.name;
  document.getElementById("notes").innerHTML = data.notes.map(function (n) {
    return '<div class="note">' + esc(n) + "</div>";
  }).join("");
  var place = {}, used = [];
  var rows = 0;
  data.elements.forEach(function (e) {
    if (e.position && used.indexOf(e.position.column) < 0) used.push(e.position.column);
  });
  used.sort(function (a, b) { return a - b; });  // empty layers take no room
  var next = {};  // rows among the elements drawn (a large estate draws only some)
  data.elements.forEach(function (e) {
    byId[e.id] = e;
    if (!e.position) return;
    var row = next[e.position.column] || 0;
    next[e.position.column] = row + 1;
    var x = LEFT + used.indexOf(e.position.column) * COL, y = TOP + row * (H + GAP);
    place[e.id] = {x: x, y: y};
    rows = Math.max(rows, row + 1);
  });
  var width = LEFT * 2 + used.length * COL, height = TOP + rows * (H + GAP) + 20;
  var parts = ['<svg id="graph" width="' + width + '" height="' + height + '" viewBox="0 0 ' + width + " " + height + '">'];
  used.forEach(function (column, i) {
    parts.push('<text class="layer-title" x="' + (LEFT + i * COL) + '" y="22">' + esc(data.layers[column]) + "</text>");
  });
  data.edges.forEach(function (edge, i) {
    var a = place[edge.from], b = place[edge.to];
    if (!a || !b) return;
    var x1, x2, d;
    var y1 = a.y + H / 2, y2 = b.y + H / 2;
    if (a.x === b.x) {  // same column (two network nodes): a curve out to the right
      x1 = a.x + W; x2 = b.x + W;
      d = "M" + x1 + "," + y1 + " C" + (x1 + 50) + "," + y1 + " " + (x2 + 50) + "," + y2 + " " + x2 + "," + y2;
    } else {
      var left = a.x < b.x ? a : b, right = a.x < b.x ? b : a;
      x1 = left.x + W; x2 = right.x;
      var ly = left.y + H / 2, ry = right.y + H / 2, mid = (x1 + x2) / 2;
      d = "M" + x1 + "," + ly + " C" + mid + "," + ly + " " + mid + "," + ry + " " + x2 + "," + ry;
    }
    var cls = "edge " + esc(edge.kind);
    if (edge.kind === "link") {
      if (spofs[edge.link]) cls += " spof";
      parts.push('<path class="' + cls + '" data-edge="' + i + '" d="' + d + '"/>');
      parts.push('<path class="hitbox" data-id="' + esc(edge.link) + '" d="' + d + '"><title>' + esc(edge.link) + "</title></path>");
    } else {
      parts.push('<path class="' + cls + '" data-edge="' + i + '" d="' + d + '"/>');
    }
  });
  data.elements.forEach(function (e) {
    var p = place[e.id];
    if (!p) return;
    var cls = "node";
    if (e.can_fail) cls += " can-fail";
    if (spofs[e.id]) cls += " spof"; else if (hit[e.id]) cls += " hit";
    var label = e.id.length > 26 ? e.id.slice(0, 25) + "\\u2026" : e.id;
    parts.push('<g class="' + cls + '" data-id="' + esc(e.id) + '" transform="translate(' + p.x + "," + p.y + ')">' +
      '<rect width="' + W + '" height="' + H + '"></rect>' +
      '<text x="6" y="16">' + esc(label) + "</text><title>" + esc(e.id + " (" + (e.kind || e.section) + ")") + "</title></g>");
  });
  parts.push("</svg>");
  document.getElementById("drawing").innerHTML = parts.join("");

  function list(id, items, render) {
    var ul = document.getElementById(id);
    ul.innerHTML = items.map(render).join("");
    document.getElementById("none-" + id).hidden = items.length > 0;
  }
  function select(id) {
    var e = byId[id];
    document.querySelectorAll(".node.selected, .node.down").forEach(function (n) {
      n.classList.remove("selected"); n.classList.remove("down");
    });
    var node = document.querySelector('.node[data-id="' + CSS.escape(id) + '"]');
    if (node) node.classList.add("selected");
    var title = id + (e ? " (" + (e.kind || e.section) + ")" : "");
    document.getElementById("selected").textContent = title;
    var about = document.getElementById("about"), answer = document.getElementById("answer");
    var result = data.what_if[id];
    var point = spofs[id];
    var text = "";
    if (point) {
      text = "Single point of failure" + (point.services.length ? ": takes down " + point.services.join(", ") : "") +
        (point.data.length ? (point.services.length ? "; " : ": ") + "loses the data of " + point.data.join(", ") : "") + ".";
    }
    if (!result) {
      answer.hidden = true;
      if (e && !e.can_fail) {
        text += (text ? " " : "") + (e.section === "services" || e.section === "storage"
          ? "It fails through the hosts it runs on; click one of them."
          : "It does not fail by itself (an entry point, an external node, or outside the failure scope).");
        var by = data.single_points.filter(function (p) {
          return p.services.indexOf(id) >= 0 || p.data.indexOf(id) >= 0;
        }).map(function (p) { return p.element; });
        if (by.length) text += " Single points of failure that take it down: " + by.join(", ") + ".";
      } else {
        text += (text ? " " : "") + "Not precomputed here: run spoflint simulate --fail " + id + ".";
      }
      about.textContent = text;
      return;
    }
    about.textContent = text || "Not a single point of failure on its own.";
    answer.hidden = false;
    list("down", result.services_down, function (s) {
      return '<li data-service="' + esc(s.service) + '"><b>' + esc(s.service) + "</b>" +
        (s.public ? " (user-facing)" : "") + (s.down_before ? " (already down with nothing failed)" : "") +
        ': <span class="reason">' + esc(s.reason) + '</span><div class="chain">' + esc(s.chain.join(" \\u2192 ")) + "</div></li>";
    });
    list("lost", result.data_lost, function (h) {
      return '<li data-holder="' + esc(h.holder) + '"><b>' + esc(h.holder) + '</b>: <span class="reason">' + esc(h.reason) + "</span></li>";
    });
    result.services_down.concat(result.data_lost.map(function (h) { return {service: h.holder}; })).forEach(function (s) {
      var n = document.querySelector('.node[data-id="' + CSS.escape(s.service) + '"]');
      if (n) n.classList.add("down");
    });
  }
  document.getElementById("drawing").addEventListener("click", function (event) {
    var target = event.target.closest("[data-id]");
    if (target) select(target.getAttribute("data-id"));
  });
})();
</script>
</body>
</html>
"""
