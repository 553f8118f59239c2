"""Pictures of a topology: the dependency graph with its single points of failure.

Pure functions from an analysed topology to text: `to_dot` (Graphviz), `to_mermaid`,
`to_json` (the analysed model, format `spoflint-graph` version 1, documented in
docs/outputs.md) and `to_html` (one self-contained page: inline CSS and JavaScript, no network);
`render` picks one by name. All four start from `model`, the analysed model as plain
data; the Graphviz and Mermaid text is written by `spoflint.views.drawing`.

The page's HTML, style sheet and script are package data, the files in `page/`; `to_html`
puts them together with the model. It draws the layers as columns and answers "if this
fails" for every failure candidate with the answer `spoflint simulate --fail ID` gives:
each one is evaluated here, brute force, by spoflint.analysis.reference, and embedded.
That is one evaluation per candidate, so a large estate gets a smaller page (see LARGE
and WHAT_IF_BUDGET).
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from ..analysis import Facts
from ..analysis.reference import evaluate
from ..analysis.simulation import Simulation
from ..model import SECTIONS, Host, NetworkNode, Topology
from . import drawing, envelope
from .simulation import services_down

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
# "If this fails" costs one evaluation of the whole topology per candidate, in work
# proportional to its elements, cables and instances (`evaluation_cost`): answers are
# embedded for at most WHAT_IF_BUDGET // that candidates (single points first, at
# least WHAT_IF_MIN), so that a page takes seconds to write, not minutes (every
# candidate up to ~1,000 elements).
WHAT_IF_BUDGET = 1_000_000
WHAT_IF_MIN = 100

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


# --- "if this fails" -------------------------------------------------------------------


def evaluation_cost(t: Topology) -> int:
    """The work of one evaluation by the reference: each element, and each cable of a
    host and instance of a service or storage backend it counts."""
    cables = sum(len(h.links) for h in t.hosts.values())
    instances = sum(len(s.hosts) + len(s.pool) for s in t.services.values())
    return max(1, len(t.section_of) + cables + instances + sum(len(s.hosts) for s in t.storage.values()))


def what_if(t: Topology, candidates: list[str]) -> dict[str, Document]:
    """For each element, the answer of `spoflint simulate --fail ID --format json`
    (its services_down and data_lost), by the reference evaluator."""
    before = evaluate(t, set())
    answers = {}
    for eid in candidates:
        after = evaluate(t, {eid})
        sim = Simulation((eid,), before, after)
        answers[eid] = {
            "services_down": services_down(before, after),
            "data_lost": [{"holder": h, "reason": after.lost[h]} for h in sim.lost],
        }
    return answers


# --- Graphviz and Mermaid ----------------------------------------------------------------


def to_dot(t: Topology, facts: Facts | None = None) -> str:
    """Graphviz text of the dependency graph (see `drawing.dot`)."""
    return drawing.dot(model(t, facts), LARGE)


def to_mermaid(t: Topology, facts: Facts | None = None) -> str:
    """A Mermaid flowchart of the dependency graph (see `drawing.mermaid`)."""
    return drawing.mermaid(model(t, facts), LARGE)


# --- the page ---------------------------------------------------------------------------


@cache
def _page() -> str:
    """The page's template, page/page.html, with page/page.css and page/page.js in place
    of their placeholder lines (`__CSS__`, `__JS__`); `__TITLE__` and `__DATA__` are left
    for `to_html`. Read once, from the installed package's data."""
    folder = resources.files("spoflint.views").joinpath("page")

    def read(name: str) -> str:
        return folder.joinpath(name).read_text(encoding="utf-8")

    return read("page.html").replace("__CSS__\n", read("page.css")).replace("__JS__\n", read("page.js"))


def to_html(t: Topology, facts: Facts | None = None) -> str:
    """One self-contained page (no URLs, nothing fetched): the layers drawn as columns,
    and for each failure candidate (up to a budget) what `spoflint simulate --fail ID`
    says goes down, embedded as JSON for the page's script."""
    document = model(t, facts)
    nodes, edges, note = drawing.drawn(document, LARGE)
    shown = {e["id"] for e in nodes}
    drawn_links = {e["link"] for e in edges if e["kind"] == "link"}
    spofs = [p["element"] for p in document["single_points"]]
    others = [
        e["id"]
        for e in document["elements"]
        if e["can_fail"] and e["id"] not in set(spofs) and (e["id"] in shown or e["id"] in drawn_links)
    ]
    limit = max(WHAT_IF_MIN, WHAT_IF_BUDGET // evaluation_cost(t))
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
    return _page().replace("__TITLE__", html.escape(f"spoflint: {t.name}")).replace("__DATA__", data)


def render(fmt: str, t: Topology) -> str:
    """The picture of a topology in one of `spoflint.views.PICTURE_FORMATS` (what `spoflint graph` prints)."""
    writers = {"dot": to_dot, "mermaid": to_mermaid, "json": to_json, "html": to_html}
    return writers[fmt](t)
