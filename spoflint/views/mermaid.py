"""A Mermaid flowchart of a `spoflint.views.drawing.Drawing`, within what GitHub renders.

Written right to left (`flowchart RL`, each edge from what depends to what it needs), so
that what is depended on stands on the left as in the Graphviz picture; zones and racks
are subgraphs holding their own node, edges have no labels and take their kind's style
(`linkStyle`). Mermaid refuses a diagram of more than MAX_EDGES edges or MAX_TEXT
characters (its `maxEdges` and `maxTextSize`, whose defaults GitHub keeps), so a picture
that would pass either is cut down, in this order, until it fits: everything (with
`--all`) gives way to the single-point-of-failure subgraph; then edges off the chains of
the single points of failure go; then single points of failure, the last first, with
what only they bring in. A `%%` comment at the top says what was left out.
"""

from __future__ import annotations

import html

from .containment import Nest
from .drawing import Cluster, Document, Drawing, Sketch, chain_steps, choose, holders, spof_subgraph, subgraph_note

MAX_EDGES = 500
MAX_TEXT = 50_000

# Each edge style's arrow and line style (the same colours as the Graphviz picture).
ARROWS = {
    "power": ("-->", "stroke:#e67700"),
    "cooling": ("-.->", "stroke:#1971c2"),
    "network": ("---", "stroke:#868e96"),
    "placement": ("-.->", "stroke:#495057,stroke-dasharray:2 3"),
    "dependency": ("==>", "stroke:#212529"),
}


def _label(text: str) -> str:
    """A Mermaid quoted label (HTML-escaped, its quotes as entities)."""
    return '"' + html.escape(text, quote=False).replace('"', "#quot;") + '"'


def _comment(text: str) -> str:
    """A `%%` comment line (on one line; never the start of a `%%{...}%%` directive)."""
    return "  %% " + " ".join(text.replace("{", "(").replace("}", ")").split())


def _subgraphs(d: Drawing, ids: dict[str, str]) -> list[str]:
    out: list[str] = []
    count = 0

    def write(cluster: Cluster, indent: str) -> None:
        nonlocal count
        out.append(f"{indent}subgraph s{count}[{_label(cluster.kind + ' ' + cluster.header)}]")
        count += 1
        out.extend(f"{indent}  {ids[eid]}[{_label(eid)}]" for eid in (cluster.header, *cluster.members))
        for inner in cluster.clusters:
            write(inner, indent + "  ")
        out.append(f"{indent}end")

    for cluster in d.clusters:
        write(cluster, "  ")
    return out


def flowchart(d: Drawing, comments: list[str]) -> str:
    """The drawing as Mermaid text, `comments` first."""
    ids = {eid: f"n{i}" for i, eid in enumerate(d.elements)}
    out = ["flowchart RL", *(_comment(c) for c in comments)]
    out += _subgraphs(d, ids)
    out += [f"  {ids[eid]}[{_label(eid)}]" for eid in d.loose]
    styles: dict[str, list[int]] = {}
    for index, line in enumerate(d.lines):
        arrow, _ = ARROWS[line.style]
        out.append(f"  {ids[line.head]} {arrow} {ids[line.tail]}")
        spof = line.link is not None and line.link in d.spofs
        styles.setdefault("spof" if spof else line.style, []).append(index)
    out += [
        "  classDef spof fill:#f4a6a6,stroke:#b00020,stroke-width:2px",
        "  classDef hit fill:#ffd8a8,stroke:#d9480f",
    ]
    marked = [ids[e] for e in d.elements if e in d.spofs]
    if marked:
        out.append(f"  class {','.join(marked)} spof")
    taken = [ids[e] for e in d.elements if e in d.hit and e not in d.spofs]
    if taken:
        out.append(f"  class {','.join(taken)} hit")
    for style, indexes in styles.items():
        look = "stroke:#b00020,stroke-width:3px" if style == "spof" else ARROWS[style][1]
        out.append(f"  linkStyle {','.join(map(str, indexes))} {look}")
    return "\n".join(out) + "\n"


def fits(text: str, edges: int) -> bool:
    """Whether Mermaid (with GitHub's settings) draws it: its length is counted as
    JavaScript counts it, in UTF-16 code units."""
    return edges <= MAX_EDGES and len(text.encode("utf-16-le")) // 2 <= MAX_TEXT


def _limits(what: str, edges: int, text: str) -> str:
    return (
        f"{what}: {edges} edges and {len(text.encode('utf-16-le')) // 2} characters, over "
        f"GitHub's Mermaid limits ({MAX_EDGES} edges, {MAX_TEXT} characters)"
    )


def mermaid(document: Document, nest: Nest, everything: bool = False) -> str:
    """The flowchart `spoflint graph --format mermaid` prints: the drawing `choose`
    picks, cut down (in the order the module says) until Mermaid draws it."""
    sketch = Sketch(document, nest)
    shown, note = choose(document, nest, everything)
    d = sketch.draw(shown, note)
    text = flowchart(d, [note] if note else [])
    if fits(text, len(d.lines)):
        return text
    comments = [_limits(("everything" if note is None else "the subgraph"), len(d.lines), text)]
    points = document["single_points"]
    subgraph = holders(document, nest, spof_subgraph(document))
    hint = "`spoflint graph --format dot --all`"
    if note is None:  # everything was asked for (or is small): the subgraph next
        d = sketch.draw(subgraph, None)
        text = flowchart(d, [*comments, subgraph_note(document, subgraph, hint)])
        if fits(text, len(d.lines)):
            return text
        comments.append(_limits("the subgraph", len(d.lines), text))
    comments += [subgraph_note(document, subgraph, hint), "only the edges along their chains are drawn"]
    d = sketch.draw(subgraph, None, chain_steps(points))
    text = flowchart(d, comments)
    if fits(text, len(d.lines)):
        return text
    # the most single points of failure (in the model's order) that fit, by bisection
    low, high, best = 1, len(points), None
    while low <= high:
        middle = (low + high) // 2
        kept = points[:middle]
        d = sketch.draw(holders(document, nest, spof_subgraph(document, kept)), None, chain_steps(kept))
        text = flowchart(d, [*comments, f"and only the first {middle} of the {len(points)} single points of failure"])
        if fits(text, len(d.lines)):
            low, best = middle + 1, text
        else:
            high = middle - 1
    return best or flowchart(sketch.draw(set(), None), [*comments, "not even one single point of failure fits"])
