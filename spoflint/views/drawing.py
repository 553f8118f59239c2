"""Graphviz and Mermaid text from the analysed model (`spoflint.views.graph.model`).

Pure functions of that model's plain data: `drawn` picks what a picture shows (on a
large estate only services and single points of failure), `dot` and `mermaid` write it,
one cluster per layer, single points of failure in red and what they take down in
orange. `spoflint.views.graph` calls them with its size threshold, LARGE.
"""

from __future__ import annotations

import html
from typing import Any

Document = dict[str, Any]  # the analysed model, or one of its elements or edges


def drawn(document: Document, large: int) -> tuple[list[Document], list[Document], str | None]:
    """The elements (those placed in a layer) and edges a picture shows: all of them, or,
    on an estate of more than `large` elements, only services and single points of
    failure (and a note saying so)."""
    nodes = [e for e in document["elements"] if e["position"] is not None]
    edges = document["edges"]
    if len(document["elements"]) <= large:
        return nodes, edges, None
    nodes = [e for e in nodes if e["section"] == "services" or e["single_point"]]
    shown = {e["id"] for e in nodes}
    edges = [e for e in edges if e["from"] in shown and e["to"] in shown]
    note = f"{len(document['elements'])} elements: only services and single points of failure are drawn (above {large})"
    return nodes, edges, note


def _risk(document: Document) -> tuple[set[str], set[str]]:
    """Single points of failure, and what they take down (services and data holders)."""
    spofs = {p["element"] for p in document["single_points"]}
    hit = {s for p in document["single_points"] for s in p["services"] + p["data"]}
    return spofs, hit


def _dot_id(text: str) -> str:
    """A Graphviz quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def dot(document: Document, large: int) -> str:
    """Graphviz: one cluster per layer, single points of failure in red and what they
    take down in orange, dependency edges labelled by kind, links undirected."""
    nodes, edges, note = drawn(document, large)
    spofs, hit = _risk(document)
    out = [
        f"digraph {_dot_id(document['name'])} {{",
        "  rankdir=RL;",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica"];',
    ]
    if note:
        out.append(f"  label={_dot_id(note)};")
    for layer in document["layers"]:
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
    """A Mermaid quoted label (HTML-escaped, its quotes as entities)."""
    return '"' + html.escape(text, quote=False).replace('"', "#quot;") + '"'


def mermaid(document: Document, large: int) -> str:
    """A Mermaid flowchart, coloured as `dot` is: one subgraph per layer."""
    nodes, edges, note = drawn(document, large)
    spofs, hit = _risk(document)
    # Mermaid ids are restricted; elements get n0, n1, ... and their id as the label
    ids = {e["id"]: f"n{i}" for i, e in enumerate(nodes)}
    out = ["flowchart RL"]
    if note:
        out.append(f"  %% {note}")
    for layer in document["layers"]:
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
    out += _mermaid_styles(ids, spofs, hit, link_styles)
    return "\n".join(out) + "\n"


def _mermaid_styles(ids: dict[str, str], spofs: set[str], hit: set[str], link_styles: list[int]) -> list[str]:
    """The colours: single points of failure (elements, and links by their index among
    the drawn edges) and what they take down."""
    out = [
        "  classDef spof fill:#f4a6a6,stroke:#b00020,stroke-width:2px",
        "  classDef hit fill:#ffd8a8,stroke:#d9480f",
    ]
    marked = [ids[e] for e in sorted(spofs) if e in ids]
    if marked:
        out.append(f"  class {','.join(marked)} spof")
    taken = [ids[e] for e in sorted(hit - spofs) if e in ids]
    if taken:
        out.append(f"  class {','.join(taken)} hit")
    if link_styles:
        out.append(f"  linkStyle {','.join(map(str, link_styles))} stroke:#b00020,stroke-width:2px")
    return out
