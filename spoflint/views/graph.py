"""Pictures of a topology: the dependency graph with its single points of failure.

Pure functions from an analysed topology to text: `to_dot` (Graphviz), `to_mermaid`,
`to_json` (the analysed model, format `spoflint-graph` version 1, documented in
docs/outputs.md) and `to_html` (one self-contained page: inline CSS and JavaScript, no network);
`render` picks one by name. All four start from `model`, the analysed model as plain
data; what the Graphviz and Mermaid pictures draw is chosen by `spoflint.views.drawing`
and written by `spoflint.views.dot` and `spoflint.views.mermaid`.

The page's HTML, style sheets and scripts are package data, the files in `page/`;
`to_html` puts them together with the page's data (`spoflint.views.page_data`): the
containment drawn as zones of racks holding their hosts, the single points of failure
first, and "if this fails" answered in the browser, on demand, by the evaluator
(`page/evaluate.js`) from the embedded compact model (`spoflint.views.compact`): the
answer `spoflint simulate --fail ID` gives, with nothing precomputed per candidate.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from ..analysis import Facts
from ..model import SECTIONS, Host, NetworkNode, Topology
from . import drawing, envelope

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

# The page's scripts, in the order they run (the evaluator first: page.js uses it).
SCRIPTS = ("evaluate.js", "page.js")

Document = dict[str, Any]  # the analysed model, or one of its elements, edges, answers
Dependency = tuple[str, str, str]  # (what depends, what it depends on, the kind of edge)


# --- the analysed model --------------------------------------------------------------


def _kind(t: Topology, section: str, eid: str) -> str | None:
    """An element's kind: its own `kind` field where its section has one (a service's
    may be unknown), else the section's one kind."""
    if section in ("power", "network", "storage"):
        return getattr(t, section)[eid].kind
    if section == "services":
        return t.services[eid].kind
    return {"zones": "zone", "cooling": "cooling", "racks": "rack", "hosts": "host", "links": "link"}[section]


def _facility_dependencies(t: Topology) -> Iterator[Dependency]:
    """Power, cooling and racks: what each draws from and the zone it stands in."""
    for p in t.power.values():
        for source in p.sources:
            yield p.id, source, "power"
        if p.zone:
            yield p.id, p.zone, "zone"
    for c in t.cooling.values():
        for supply in c.power:
            yield c.id, supply, "power"
        if c.zone:
            yield c.id, c.zone, "zone"
    for r in t.racks.values():
        for unit in r.cooling:
            yield r.id, unit, "cooling"
        if r.zone:
            yield r.id, r.zone, "zone"


def _box_dependencies(t: Topology) -> Iterator[Dependency]:
    """Network devices and hosts: their rack, zone and (effective) power."""
    boxes: list[NetworkNode | Host] = [*t.network.values(), *t.hosts.values()]
    for box in boxes:
        if box.rack:
            yield box.id, box.rack, "rack"
        if box.zone:
            yield box.id, box.zone, "zone"
        for supply in box.power:
            yield box.id, supply, "power"


def _storage_dependencies(t: Topology) -> Iterator[Dependency]:
    """Storage: the hosts that hold it and its zone."""
    for s in t.storage.values():
        for host in s.hosts:
            yield s.id, host, "host"
        if s.zone:
            yield s.id, s.zone, "zone"


def _service_dependencies(t: Topology) -> Iterator[Dependency]:
    """Services: hosts, pool, the services they depend on, storage (unless already a
    dependency) and load balancer."""
    for svc in t.services.values():
        for host in svc.hosts:
            yield svc.id, host, "host"
        for host in svc.pool:
            yield svc.id, host, "pool"
        for other in svc.depends_on:
            yield svc.id, other, "depends_on"
        for store in svc.storage:
            if store not in svc.depends_on:
                yield svc.id, store, "storage"
        if svc.load_balancer:
            yield svc.id, svc.load_balancer, "load_balancer"


def _edges(t: Topology) -> list[Document]:
    """Dependency edges, from what depends to what it depends on, plus the network's
    links (undirected, named by the link's id), in the order of the sections."""

    def edges(found: Iterator[Dependency]) -> list[Document]:
        return [{"from": a, "to": b, "kind": kind} for a, b, kind in found]

    links = [{"from": link.a, "to": link.b, "kind": "link", "link": link.id} for link in t.links.values()]
    return (
        edges(_facility_dependencies(t))
        + edges(_box_dependencies(t))
        + links
        + edges(_storage_dependencies(t))
        + edges(_service_dependencies(t))
    )


def _elements(t: Topology, facts: Facts) -> list[Document]:
    """Every element, section by section: its kind, layer and place in its layer's
    column (links have none), whether it can fail and is a single point of failure,
    and where it is written."""
    points = facts.single_points
    candidates = t.failure_candidates(facts.scope)
    columns = [name for name, _ in LAYERS]
    elements = []
    rows: dict[str, int] = {}
    for section in SECTIONS:
        for eid in getattr(t, section):
            layer = LAYER_OF.get(section)
            element: Document = {
                "id": eid,
                "section": section,
                "kind": _kind(t, section, eid),
                "layer": layer,
                "position": None,
                "can_fail": candidates[eid],
                "single_point": eid in points,
            }
            if layer is not None:
                element["position"] = {"column": columns.index(layer), "row": rows.get(layer, 0)}
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
    return elements


def model(t: Topology, facts: Facts | None = None) -> Document:
    """The analysed model as plain data: what `to_json` prints and the pictures draw."""
    facts = facts or Facts(t)
    never_up = facts.never_up
    return {
        **envelope("spoflint-graph", VERSION),
        "name": t.name,
        "layers": [name for name, _ in LAYERS],
        "entrypoints": list(t.entrypoints),
        "elements": _elements(t, facts),
        "edges": _edges(t),
        "single_points": [
            {
                "element": p.element,
                "services": list(p.services),
                "data": list(p.data),
                "chain": list(p.chain),
                "data_chain": list(p.data_chain),
            }
            for p in facts.single_points.values()
        ],
        "articulation_points": [{"element": e, "cut_off": list(cut)} for e, cut in facts.articulation_points.items()],
        "bridges": [{"link": link, "ends": list(ends)} for link, ends in facts.bridges.items()],
        "never_up": [{"service": s, "reason": never_up[s]} for s in sorted(never_up)],
    }


def to_json(t: Topology, facts: Facts | None = None) -> str:
    """The analysed model, indented (format `spoflint-graph`)."""
    return json.dumps(model(t, facts), indent=2) + "\n"


# --- Graphviz and Mermaid ----------------------------------------------------------------


def to_dot(t: Topology, facts: Facts | None = None, everything: bool = False) -> str:
    """Graphviz text of the dependency graph, zones and racks as clusters; above
    `drawing.ALL_UP_TO` elements only the single points of failure and what they take
    down unless `everything` (see `spoflint.views.dot`)."""
    from . import dot
    from .containment import nest

    return dot.dot(drawing.drawing(model(t, facts), nest(t), everything))


def to_mermaid(t: Topology, facts: Facts | None = None, everything: bool = False) -> str:
    """A Mermaid flowchart of the dependency graph, as `to_dot` draws it, cut down to
    what GitHub renders (see `spoflint.views.mermaid`)."""
    from . import mermaid
    from .containment import nest

    return mermaid.mermaid(model(t, facts), nest(t), everything)


# --- the page ---------------------------------------------------------------------------


@cache
def _page() -> str:
    """The page's template, page/page.html, with page/page.css and the SCRIPTS in place
    of their placeholder lines (`__CSS__`, `__JS__`); `__TITLE__` and `__DATA__` are left
    for `to_html`. Read once, from the installed package's data."""
    folder = resources.files("spoflint.views").joinpath("page")

    def read(name: str) -> str:
        return folder.joinpath(name).read_text(encoding="utf-8")

    scripts = "".join(read(name) for name in SCRIPTS)
    return read("page.html").replace("__CSS__\n", read("page.css")).replace("__JS__\n", scripts)


def to_html(t: Topology, facts: Facts | None = None, everything: bool = False) -> str:
    """One self-contained page (no URLs, nothing fetched): the estate drawn as zones of
    racks holding their hosts and network nodes, fed by their power and cooling, with the
    services beneath; it opens on the single points of failure (`everything`: on the
    whole estate). Selecting an element lights up what goes down with it, as `spoflint
    simulate --fail ID` says, computed in the browser from the embedded compact model,
    and shows the verified fixes `spoflint check` finds for it."""
    from ..engine import Config, check
    from . import page_data
    from .compact import encode

    facts = facts or Facts(t)
    findings = check(t, Config(scope=facts.scope))
    page = page_data.build(t, facts, findings, encode(t), everything)
    # JSON inside <script>: no "<" at all, so nothing in the data can close the element;
    # keys in the order built (the compact model's `ids` first, as the evaluator has it)
    data = json.dumps(page, separators=(",", ":")).replace("<", "\\u003c")
    return _page().replace("__TITLE__", html.escape(f"spoflint: {t.name}")).replace("__DATA__", data)


def render(fmt: str, t: Topology, everything: bool = False) -> str:
    """The picture of a topology in one of `spoflint.views.PICTURE_FORMATS` (what
    `spoflint graph` prints); `everything` (`--all`): the whole estate, not the single
    points of failure (json is always everything)."""
    if fmt == "json":
        return to_json(t)
    writers = {"dot": to_dot, "mermaid": to_mermaid, "html": to_html}
    return writers[fmt](t, everything=everything)
