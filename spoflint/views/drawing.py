"""What the Graphviz and Mermaid pictures draw, and where: `spoflint.views.dot` and
`spoflint.views.mermaid` write a `Drawing`.

A drawing is built from the analysed model (`spoflint.views.graph.model`) and the
containment (`spoflint.views.containment.nest`): zones hold racks, racks hold their
hosts and network nodes, power and cooling stand in their zone. Containment replaces
edges: a box's rack and zone are the clusters it is drawn in, and power a box inherits
from its rack is one edge to the rack. Every other edge keeps its kind's style (no
labels). Columns run left to right from what is depended on to what depends on it
(`tiers`): power by its depth (feeds before UPSes before PDUs), cooling, the network
outside racks by its distance from the entry points, the zones' and racks' own nodes,
the network inside racks, hosts, storage, and services by the depth of what they depend
on.

Above ALL_UP_TO elements only the single points of failure are drawn by default, with
the elements on their chains, the services and data they take down and the zones and
racks that hold them (`spof_subgraph`); the drawing's note says what was left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..analysis.network import distances
from .containment import NO_ZONE, Nest

Document = dict[str, Any]  # the analysed model, or one of its elements or edges

# Above this many elements (links included) a picture draws the single points of failure
# and what they take down unless asked for everything (`spoflint graph --all`).
ALL_UP_TO = 200

# The style of each kind of edge in the model: what the legends name.
STYLE_OF = {
    "power": "power",
    "cooling": "cooling",
    "link": "network",
    "rack": "placement",
    "zone": "placement",
    "host": "placement",
    "pool": "placement",
    "depends_on": "dependency",
    "storage": "dependency",
    "load_balancer": "dependency",
}


@dataclass(frozen=True)
class Cluster:
    """A zone or a rack: its own node (`header`, drawn as its title), the elements
    standing directly in it, and the racks in a zone."""

    kind: str  # "zone" or "rack"
    header: str
    members: tuple[str, ...]
    clusters: tuple[Cluster, ...]

    def spans(self) -> Iterable[str]:
        """Every element drawn in it, its own node first."""
        yield self.header
        yield from self.members
        for inner in self.clusters:
            yield from inner.spans()


@dataclass(frozen=True)
class Line:
    """An edge as drawn: from what is depended on (drawn to the left; where the
    arrowhead points) to what depends on it; a link from its end nearer the entry points."""

    tail: str
    head: str
    style: str  # power, cooling, network, placement or dependency
    link: str | None = None  # a network link's id


@dataclass(frozen=True)
class Drawing:
    name: str
    elements: dict[str, Document]  # the drawn elements by id, in the element order
    clusters: tuple[Cluster, ...]  # the zones (and racks in no zone), outermost
    loose: tuple[str, ...]  # drawn elements in no cluster
    lines: tuple[Line, ...]
    tiers: tuple[tuple[str, ...], ...]  # the columns, left to right: elements drawn side by side
    spofs: frozenset[str]  # single points of failure (elements and links)
    hit: frozenset[str]  # the services and data holders they take down
    note: str | None  # what was left out, or None when everything is drawn


def risk(document: Document) -> tuple[frozenset[str], frozenset[str]]:
    """Single points of failure, and what they take down (services and data holders)."""
    spofs = frozenset(p["element"] for p in document["single_points"])
    hit = frozenset(s for p in document["single_points"] for s in p["services"] + p["data"])
    return spofs, hit


def _drawable(document: Document) -> dict[str, Document]:
    return {e["id"]: e for e in document["elements"] if e["position"] is not None}


def spof_subgraph(document: Document, points: list[Document] | None = None) -> set[str]:
    """The single points of failure (of `points`, by default all), the elements on their
    chains and the services and data they take down; a link's ends stand for it."""
    elements = {e["id"]: e for e in document["elements"]}
    shown: set[str] = set()
    for p in document["single_points"] if points is None else points:
        for eid in [p["element"], *p["chain"], *p["data_chain"], *p["services"], *p["data"]]:
            element = elements[eid]
            shown.update(element["ends"] if element["section"] == "links" else [eid])
    return shown


def holders(document: Document, nest: Nest, shown: set[str]) -> set[str]:
    """`shown` and the zones and racks that hold its elements."""
    rack_of = {box: rack for rack, boxes in nest.members.items() for box in boxes}
    zone_of = {rack: zone for zone, racks in nest.zones.items() for rack in racks}
    for table in (nest.loose, nest.facilities):
        zone_of.update({eid: zone for zone, eids in table.items() for eid in eids})
    out = set(shown)
    for eid in shown:
        rack = rack_of.get(eid)
        if rack:
            out.add(rack)
        zone = zone_of.get(rack or eid, NO_ZONE)
        if zone != NO_ZONE:
            out.add(zone)
    return out


def subgraph_note(document: Document, shown: set[str], hint: str = "`spoflint graph --all`") -> str:
    """What a drawing of the single-point-of-failure subgraph `shown` leaves out."""
    drawable = len(_drawable(document))
    return (
        f"{len(document['elements'])} elements: drawn are the {len(document['single_points'])} single "
        "points of failure, the elements on their chains, the services and data they take down and "
        f"the zones and racks that hold them ({len(shown)} of {drawable}); {hint} draws everything"
    )


def choose(document: Document, nest: Nest, everything: bool) -> tuple[set[str], str | None]:
    """What a picture draws: every element, or, above ALL_UP_TO elements unless
    `everything`, the single-point-of-failure subgraph; and the note saying so."""
    if everything or len(document["elements"]) <= ALL_UP_TO:
        return set(_drawable(document)), None
    shown = holders(document, nest, spof_subgraph(document))
    return shown, subgraph_note(document, shown)


def _clusters(document: Document, nest: Nest, shown: set[str]) -> tuple[tuple[Cluster, ...], tuple[str, ...]]:
    """The zone and rack clusters holding the shown elements, and the shown elements in none."""

    def rack(rid: str) -> Cluster:
        return Cluster("rack", rid, tuple(m for m in nest.members[rid] if m in shown), ())

    placed: set[str] = set()
    clusters: list[Cluster] = []
    for zone, racks in nest.zones.items():
        inner = tuple(rack(r) for r in racks if r in shown)
        if zone == NO_ZONE or zone not in shown:
            clusters.extend(inner)
            continue
        members = [*nest.facilities.get(zone, ()), *nest.loose.get(zone, ())]
        clusters.append(Cluster("zone", zone, tuple(m for m in members if m in shown), inner))
    for cluster in clusters:
        placed.update(cluster.spans())
    loose = tuple(e["id"] for e in document["elements"] if e["id"] in shown and e["id"] not in placed)
    return tuple(clusters), loose


def _depths(ids: Iterable[str], needs: dict[str, list[str]]) -> dict[str, int]:
    """Each id's depth: 0 when it needs nothing among `ids`, else one more than the
    deepest of what it needs (an edge closing a cycle is left out). Iterative: a chain
    may be thousands long."""
    members = dict.fromkeys(ids)  # in the element order: where a cycle is cut does not vary
    depth: dict[str, int] = {}
    on_path: set[str] = set()
    for start in members:
        if start in depth:
            continue
        stack = [(start, iter(needs.get(start, ())))]
        on_path.add(start)
        while stack:
            eid, rest = stack[-1]
            below = next((n for n in rest if n in members and n not in on_path and n not in depth), None)
            if below is not None:
                on_path.add(below)
                stack.append((below, iter(needs.get(below, ()))))
                continue
            stack.pop()
            on_path.discard(eid)
            known = [depth[n] for n in needs.get(eid, ()) if n in depth]
            depth[eid] = 1 + max(known) if known else 0
    return depth


def _distances(document: Document, network: set[str]) -> dict[str, int]:
    """Hops from the entry points over links between network nodes (unreached: one
    more than the farthest reached)."""
    neighbours: dict[str, list[str]] = {n: [] for n in network}
    for edge in document["edges"]:
        if edge["kind"] == "link" and edge["from"] in network and edge["to"] in network:
            neighbours[edge["from"]].append(edge["to"])
            neighbours[edge["to"]].append(edge["from"])
    distance = distances(neighbours, [e for e in document["entrypoints"] if e in network])
    far = 1 + max(distance.values(), default=-1)
    return {n: distance.get(n, far) for n in network}


def _levels(document: Document, nest: Nest) -> dict[str, tuple[int, int]]:
    """Every drawable element's column as (stage, level): sorted, they run left to right."""
    drawable = _drawable(document)
    section = {eid: e["section"] for eid, e in drawable.items()}
    needs: dict[str, list[str]] = {}
    for edge in document["edges"]:
        if edge["kind"] != "link" and section.get(edge["from"]) == section.get(edge["to"]):
            needs.setdefault(edge["from"], []).append(edge["to"])
    power = _depths((e for e, s in section.items() if s == "power"), needs)
    services = _depths((e for e, s in section.items() if s == "services"), needs)
    network = _distances(document, {e for e, s in section.items() if s == "network"})
    racked = {box for boxes in nest.members.values() for box in boxes}
    stage = {"zones": 0, "power": 0, "cooling": 1, "racks": 3, "hosts": 5, "storage": 6, "services": 7}
    levels = {}
    for eid, s in section.items():
        if s == "network":
            levels[eid] = (4 if eid in racked else 2, network[eid])
        else:
            levels[eid] = (stage[s], power.get(eid, services.get(eid, 0)))
    return levels


def _lines(document: Document, nest: Nest, shown: set[str], order: dict[str, tuple[int, int]]) -> list[Line]:
    """The edges drawn between shown elements: rack and zone placement only where the
    clusters do not show it, a box's power only where it is its own, a rack's power once."""
    held: dict[str, set[str]] = {}
    for zone, racks in nest.zones.items():
        for rack in racks:
            held.setdefault(rack, set()).add(zone)
            for box in nest.members[rack]:
                held.setdefault(box, set()).update({rack, zone})
    for table in (nest.loose, nest.facilities):
        for zone, eids in table.items():
            for eid in eids:
                held.setdefault(eid, set()).add(zone)
    section = {e["id"]: e["section"] for e in document["elements"]}
    lines = []
    for edge in document["edges"]:
        a, b, kind = edge["from"], edge["to"], edge["kind"]
        if a not in shown or b not in shown or b in held.get(a, ()):
            continue
        if kind == "power" and section[a] in ("hosts", "network") and b not in nest.own_power.get(a, ()):
            continue  # inherited: drawn at the rack
        if kind == "link":
            near, far = sorted((a, b), key=lambda e: order[e])
            lines.append(Line(near, far, "network", edge["link"]))
        else:
            lines.append(Line(b, a, STYLE_OF[kind]))
    for rack, supplies in nest.rack_power.items():
        lines.extend(Line(s, rack, "power") for s in supplies if rack in shown and s in shown)
    return list(dict.fromkeys(lines))  # once each: a service's load balancer may be a need too


class Sketch:
    """The parts of a drawing that do not depend on what is shown (the columns, what
    holds what), computed once for the drawings of one model."""

    def __init__(self, document: Document, nest: Nest) -> None:
        self.document = document
        self.nest = nest
        self.levels = _levels(document, nest)
        self.drawable = _drawable(document)

    def draw(self, shown: set[str], note: str | None, keep: set[frozenset[str]] | None = None) -> Drawing:
        """The drawing of the `shown` elements (ids of elements with a position); with
        `keep`, only the lines whose two ends (or whose link, with the link's id) are in it."""
        elements = {eid: e for eid, e in self.drawable.items() if eid in shown}
        clusters, loose = _clusters(self.document, self.nest, shown)
        columns: dict[tuple[int, int], list[str]] = {}
        for eid in elements:
            columns.setdefault(self.levels[eid], []).append(eid)
        lines = _lines(self.document, self.nest, shown, self.levels)
        if keep is not None:
            lines = [x for x in lines if frozenset((x.tail, x.head)) in keep or frozenset([x.link]) in keep]
        spofs, hit = risk(self.document)
        return Drawing(
            name=self.document["name"],
            elements=elements,
            clusters=clusters,
            loose=loose,
            lines=tuple(lines),
            tiers=tuple(tuple(columns[k]) for k in sorted(columns)),
            spofs=spofs,
            hit=hit,
            note=note,
        )


def chain_steps(points: list[Document]) -> set[frozenset[str]]:
    """The steps of the points' chains: each pair of consecutive elements, and each link."""
    steps: set[frozenset[str]] = set()
    for p in points:
        for chain in (p["chain"], p["data_chain"]):
            steps.update(frozenset(pair) for pair in zip(chain, chain[1:]))
            steps.update(frozenset([eid]) for eid in chain)
    return steps


def drawing(document: Document, nest: Nest, everything: bool = False) -> Drawing:
    """The picture `spoflint graph` draws (see `choose`)."""
    shown, note = choose(document, nest, everything)
    return Sketch(document, nest).draw(shown, note)
