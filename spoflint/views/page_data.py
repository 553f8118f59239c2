"""The html page's data: what its script lays out and draws, at any size.

Everything is indexed by the element order (`spoflint.model.SECTIONS`, each section as
written), the order of the compact model's `ids` (`spoflint.views.compact`, which the
page's evaluator reads to answer "if this fails" on demand). Nothing here is per
candidate: the page holds one compact model, the containment (`containment.nest`), the
single points of failure with their chains, the findings of `spoflint check` about each
element with their verified fixes, and the drawn edges while they are few (EDGES); past
that the page draws the edges of a selection only, from the evaluator's causes. The
sections' sizes and the links' ends the page reads from the compact model.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..model import SECTIONS, Topology
from .containment import NO_ZONE, nest

if TYPE_CHECKING:
    from ..analysis import Facts
    from ..findings import Finding

Document = dict[str, Any]

# Edges drawn all at once ("show everything") up to this many; past it the page draws
# the edges of the single points of failure's chains and of a selection's cascade only.
EDGES = 6000
# The page's edge kinds, in the legend's order, and the fault graph's dependency kinds
# each draws (rack and zone are containment: drawn as nesting, not as edges).
EDGE_KINDS = ("power", "cooling", "network", "placement", "dependency")
_EDGE_KIND = {
    "power": 0,
    "cooling": 1,
    "link": 2,
    "host": 3,
    "pool": 3,
    "depends_on": 4,
    "storage": 4,
    "load_balancer": 4,
}
# bits of an element's code (its kind is code // KIND)
CAN_FAIL, SPOF, PUBLIC, HIT = 1, 2, 4, 8
KIND = 16
_SECTION_KIND = {"zones": "zone", "cooling": "cooling", "racks": "rack", "hosts": "host", "links": "link"}


def _kind(t: Topology, section: str, eid: str) -> str:
    """An element's kind as the page shows it: its own where its section has one (an
    unknown service's: "service"), else the section's."""
    if section in ("power", "network", "storage", "services"):
        return getattr(t, section)[eid].kind or "service"
    return _SECTION_KIND[section]


def _codes(t: Topology, facts: Facts, index: dict[str, int]) -> tuple[list[str], list[int]]:
    """The kinds' names, and per element its kind and flags in one integer."""
    candidates = t.failure_candidates(facts.scope)
    points = facts.single_points
    hit = {h for p in points.values() for h in (*p.services, *p.data)}
    kinds: dict[str, int] = {}
    codes = []
    for section in SECTIONS:
        for eid in getattr(t, section):
            kind = kinds.setdefault(_kind(t, section, eid), len(kinds))
            flags = CAN_FAIL * bool(candidates[eid]) + SPOF * (eid in points) + HIT * (eid in hit)
            if section == "services" and t.services[eid].public:
                flags += PUBLIC
            codes.append(kind * KIND + flags)
    assert len(codes) == len(index)
    return list(kinds), codes


def _containment(t: Topology, index: dict[str, int]) -> Document:
    """Zones with their racks, loose boxes and facilities; racks' members; the power a
    rack gives its members (drawn on the rack) and the power a box draws for itself."""
    n = nest(t)

    def ids(found: Iterable[str]) -> list[int]:
        return [index[e] for e in found]

    zones = []
    for zone in dict.fromkeys([*n.zones, *n.loose, *n.facilities]):
        zones.append(
            [
                -1 if zone == NO_ZONE else index[zone],
                ids(n.zones.get(zone, ())),
                ids(n.loose.get(zone, ())),
                ids(n.facilities.get(zone, ())),
            ]
        )
    return {
        "zones": zones,
        "members": [[index[r], ids(m)] for r, m in n.members.items() if m],
        "rack_power": [[index[r], ids(p)] for r, p in n.rack_power.items() if p],
        "own_power": [[index[b], ids(p)] for b, p in n.own_power.items()],
    }


def _drawn_edges(t: Topology, index: dict[str, int]) -> Iterator[tuple[int, int, int]]:
    """Every edge the page draws, as (what depends, what it depends on, kind): the power
    racks give their members, then the dependencies but containment (rack, zone) and the
    power a box inherits from its rack (the page draws a rack's own PDUs on the rack)."""
    from .graph import _box_dependencies, _facility_dependencies, _service_dependencies, _storage_dependencies

    n = nest(t)
    for rack, supplies in n.rack_power.items():  # what a rack's members inherit, drawn once at the rack
        for supply in supplies:
            yield index[rack], index[supply], _EDGE_KIND["power"]
    for found in (_facility_dependencies(t), _box_dependencies(t)):
        for a, b, kind in found:
            if kind in _EDGE_KIND and not (kind == "power" and a in t.section_of and _inherited(t, n, a)):
                yield index[a], index[b], _EDGE_KIND[kind]
    for link in t.links.values():
        yield index[link.a], index[link.b], _EDGE_KIND["link"]
    for found in (_storage_dependencies(t), _service_dependencies(t)):
        for a, b, kind in found:
            if kind in _EDGE_KIND:
                yield index[a], index[b], _EDGE_KIND[kind]


def _inherited(t: Topology, n: Any, box: str) -> bool:
    """Whether `box` is a host or network node whose power is drawn at its rack."""
    return (box in t.hosts or box in t.network) and n.inherits(box)


def _findings(findings: list[Finding], index: dict[str, int]) -> dict[str, list]:
    """Per element (its index, as text: a JSON key), what `spoflint check` says about it:
    rule, severity, message, why it does not count (accepted, baselined) and its verified
    fixes (change, how many findings it removes, whether it needs a new element)."""
    about: dict[str, list] = {}
    for f in findings:
        if f.subject not in index:
            continue
        fixes = [[x.change, len(x.removes), x.new_element] for x in f.fixes]
        about.setdefault(str(index[f.subject]), []).append([f.rule, f.severity, f.message, f.suppressed, fixes])
    return about


def build(t: Topology, facts: Facts, findings: list[Finding], compact: Document, everything: bool) -> Document:
    """The page's data (see the module's docstring); `compact` is the evaluator's model,
    `findings` those of `spoflint check` on `t`."""
    ids = compact["ids"]
    index = {eid: i for i, eid in enumerate(ids)}
    kinds, codes = _codes(t, facts, index)
    notes = []
    edges: list[int] = []
    total = 0
    for a, b, kind in _drawn_edges(t, index):
        total += 1
        if total <= EDGES:
            edges += (a, b, kind)
    if total > EDGES:
        edges = []
        notes.append(
            f"{total} edges: too many to draw at once; the page draws those of the single points "
            "of failure's chains and of the element you select"
        )
    never_up = facts.never_up
    return {
        "name": t.name,
        "everything": everything,
        "section_names": list(SECTIONS),
        "kinds": kinds,
        "codes": codes,
        **_containment(t, index),
        "edges": edges,
        "edge_kinds": list(EDGE_KINDS),
        "single_points": [
            [index[p.element], [index[s] for s in p.services], [index[d] for d in p.data]]
            + [[index[e] for e in p.chain], [index[e] for e in p.data_chain]]
            for p in facts.single_points.values()
        ],
        "never_up": [[index[s], never_up[s]] for s in sorted(never_up)],
        "findings": _findings(findings, index),
        "notes": notes,
        "compact": compact,
    }
