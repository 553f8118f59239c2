"""Graphviz text of a `spoflint.views.drawing.Drawing`.

Left to right (`rankdir=LR`): each edge is written from what is depended on to what
depends on it, with its arrowhead at the former (`dir=back`), so an arrow points at what
an element needs. Zones and racks are clusters (their own node, a folder, as title);
each column of the drawing is one `rank=same` group across clusters, which needs
`newrank=true` (one global ranking: dot's default ranks cluster by cluster and does not
expect a node constrained by a cluster and a rank group at once); a chain of invisible
anchors, one per column, keeps the columns in order even where no edge joins two of
them (a rack's own node and its hosts). No edge has a label: its kind is its style,
named in the legend (the graph's label).
"""

from __future__ import annotations

import html

from .drawing import Cluster, Drawing

SPOF = "#b00020"
SPOF_FILL = "#f4a6a6"
HIT = "#d9480f"
HIT_FILL = "#ffd8a8"

# Each edge style: its attributes, a sample for the legend and what it stands for.
STYLES = {
    "power": ('color="#e67700"', "#e67700", "\u2190\u2500\u2500\u2500", "power: what it draws from"),
    "cooling": ('color="#1971c2", style=dashed', "#1971c2", "\u2190 - - -", "cooling"),
    "network": ('color="#868e96", dir=none', "#868e96", "\u2500\u2500\u2500\u2500", "network link"),
    "placement": (
        'color="#495057", style=dotted',
        "#495057",
        "\u2190\u00b7\u00b7\u00b7\u00b7",
        "placement: host, pool, zone",
    ),
    "dependency": (
        'color="#212529", penwidth=1.5',
        "#212529",
        "\u2190\u2501\u2501\u2501",
        "dependency: service, storage, load balancer",
    ),
}

# Node shapes by section; zones and racks are the titles of their clusters.
SHAPES = {
    "zones": "folder",
    "racks": "tab",
    "power": "box",
    "cooling": "box",
    "network": "hexagon",
    "hosts": "box",
    "storage": "cylinder",
    "services": "ellipse",
}


def quoted(text: str) -> str:
    """A Graphviz quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _node(d: Drawing, eid: str) -> str:
    element = d.elements[eid]
    attributes = [
        f"label={quoted(eid)}",
        f"shape={SHAPES[element['section']]}",
        f"tooltip={quoted(element['kind'] or element['section'])}",
    ]
    if eid in d.spofs:
        attributes.append(f'fillcolor="{SPOF_FILL}", color="{SPOF}", penwidth=2')
    elif eid in d.hit:
        attributes.append(f'fillcolor="{HIT_FILL}", color="{HIT}"')
    return f"{quoted(eid)} [{', '.join(attributes)}];"


def _cluster(d: Drawing, cluster: Cluster, indent: str) -> list[str]:
    style = (
        'style="rounded,filled", fillcolor="#f8f9fa"' if cluster.kind == "zone" else 'style=filled, fillcolor="#eef1f4"'
    )
    border = f'color="{SPOF}", penwidth=2' if cluster.header in d.spofs else 'color="#adb5bd"'
    out = [
        f"{indent}subgraph {quoted('cluster_' + cluster.header)} {{",
        f'{indent}  graph [{style}, {border}, label=""];',
    ]
    out += [f"{indent}  {_node(d, eid)}" for eid in (cluster.header, *cluster.members)]
    for inner in cluster.clusters:
        out += _cluster(d, inner, indent + "  ")
    out.append(f"{indent}}}")
    return out


def _legend(d: Drawing) -> str:
    """The graph's label: its name, what was left out, and the styles."""

    def row(sample: str, colour: str, text: str) -> str:
        return f'<tr><td align="left"><font color="{colour}">{sample}</font>  {html.escape(text)}</td></tr>'

    rows = [f'<tr><td align="left"><b>{html.escape(d.name)}</b></td></tr>']
    if d.note:
        rows += [f'<tr><td align="left">{html.escape(part)}</td></tr>' for part in d.note.split("; ")]
    rows += [row(sample, colour, text) for _, colour, sample, text in STYLES.values()]
    rows.append(row("\u25a0", SPOF, "single point of failure"))
    rows.append(row("\u25a0", HIT, "service or data it takes down"))
    return f'<<table border="0" cellspacing="0" cellpadding="1">{"".join(rows)}</table>>'


def dot(d: Drawing) -> str:
    """Graphviz text of the drawing."""
    out = [
        f"digraph {quoted(d.name)} {{",
        "  rankdir=LR; newrank=true; nodesep=0.15; ranksep=0.6;",
        "  labelloc=t; labeljust=l; fontname=Helvetica; fontsize=11;",
        f"  label={_legend(d)};",
        '  node [style="rounded,filled", fillcolor="#ffffff", fontname=Helvetica, fontsize=10, height=0.3];',
        "  edge [dir=back, arrowsize=0.6];",
    ]
    for cluster in d.clusters:
        out += _cluster(d, cluster, "  ")
    out += [f"  {_node(d, eid)}" for eid in d.loose]
    # the columns: an invisible anchor each ("#" is in no element id), chained in order
    anchors = [quoted(f"#{i}") for i in range(len(d.tiers))]
    out.append("  subgraph anchors {")
    out.append('    node [style=invis, label="", width=0, height=0, fixedsize=true]; edge [style=invis];')
    if anchors:
        out.append(f"    {' -> '.join(anchors)};")
    out.append("  }")
    for anchor, tier in zip(anchors, d.tiers):
        out.append(f"  {{rank=same; {anchor}; {'; '.join(quoted(e) for e in tier)};}}")
    for line in d.lines:
        style, colour, _, _ = STYLES[line.style]
        if line.link is not None:
            if line.link in d.spofs:
                style = style.replace(f'color="{colour}"', f'color="{SPOF}", penwidth=2.5')
            style += f", tooltip={quoted(line.link)}"
        out.append(f"  {quoted(line.tail)} -> {quoted(line.head)} [{style}];")
    out.append("}")
    return "\n".join(out) + "\n"
