"""Analysis: elements that exist to be depended on and that nothing depends on (MODEL003).

A UPS that feeds nothing, a cooling unit that cools no rack, a rack that holds
nothing, a switch or router that serves no host, a storage backend no service uses:
each is described, so its author meant it to matter, and the analysis finds that it
does not. More often than not a reference elsewhere is wrong (both PDUs fed from one
UPS leave the other UPS feeding nothing). What counts as depending on an element:

- a power element: named in some element's `from` or `power` (a rack's `power` counts:
  what the rack holds takes it by default);
- a cooling unit: named in a rack's `cooling`, or placed in a zone that holds a rack,
  host or network node (FAC001 counts the units of a zone as its racks' cooling, and
  what stands in a zone outside racks is cooled by what cools the zone, which the model
  does not say);
- a rack: named as the `rack` of a host or network node;
- a switch or router: a host is cabled to it, or it lies on some path (without
  repeating a vertex) from an entry point to a network node a host is cabled to. Only
  with entry points: without them, where traffic comes from is not known (MODEL001
  says so). One cabled to nothing at all is MODEL001's ("has no links"). Firewalls and
  load-balancer appliances are left out: a one-armed appliance hangs off a router by
  design, on no path of the model;
- a storage backend: named in a service's `storage` or `depends_on`.

Entry points and external nodes are never reported: they exist to be the start of a
path, not to be depended on. A layer is judged only where something depends on some
element of it (some `power` names a power element, some rack lists cooling, something
is in a rack, a host is cabled to the network, a service names storage): a layer
described on its own (a facility file without hosts, a network without hosts) or not
wired at all (MODEL001 says so) is no one element's mistake.
"""

from __future__ import annotations

from ..graph import ROOT, SEP
from ..model import Topology

ROUTING = ("switch", "router")  # the network kinds reported when they serve nothing
HOSTS = SEP + "hosts"  # the one vertex every network node a host is cabled to is joined to


def unused(t: Topology) -> list[str]:
    """The elements nothing depends on, section by section, in the order written; in a
    layer only where something depends on some element of it (a layer described on its
    own, such as a facility file without hosts, is no one element's mistake)."""
    return _idle_power(t) + _idle_cooling(t) + _empty_racks(t) + _idle_network(t) + _idle_storage(t)


def _idle_power(t: Topology) -> list[str]:
    fed = {p for e in t.power.values() for p in e.sources}
    powered = {p for section in (t.cooling, t.racks, t.network, t.hosts) for e in section.values() for p in e.power}
    return [p for p in t.power if p not in fed and p not in powered] if powered else []


def _idle_cooling(t: Topology) -> list[str]:
    cooled = {c for r in t.racks.values() for c in r.cooling}
    if not cooled:
        return []
    zoned = {e.zone for section in (t.racks, t.network, t.hosts) for e in section.values()}
    zoned.discard(None)
    return [c.id for c in t.cooling.values() if c.id not in cooled and c.zone not in zoned]


def _empty_racks(t: Topology) -> list[str]:
    held = {e.rack for section in (t.hosts, t.network) for e in section.values()}
    held.discard(None)
    return [r for r in t.racks if r not in held] if held else []


def _idle_storage(t: Topology) -> list[str]:
    used = {s for svc in t.services.values() for s in svc.needs if s in t.storage}
    return [s for s in t.storage if s not in used] if used else []


def _idle_network(t: Topology) -> list[str]:
    """Switches and routers with links that no host is cabled to and that lie on no path
    from an entry point to one that a host is cabled to."""
    if not t.entrypoints:
        return []
    cabled: dict[str, None] = {}  # network nodes a host is cabled to (ordered set)
    adjacency: dict[str, set[str]] = {n: set() for n in t.network}
    for link in t.links.values():
        a, b = link.a, link.b
        if a in t.hosts or b in t.hosts:
            cabled[b if a in t.hosts else a] = None
        else:
            adjacency[a].add(b)
            adjacency[b].add(a)
    entries = set(t.entrypoints)
    candidates = [
        n.id
        for n in t.network.values()
        if n.kind in ROUTING and n.id not in entries and n.id not in cabled and adjacency[n.id]
    ]
    if not candidates or not cabled:
        return []
    on_path = _on_some_path(adjacency, list(t.entrypoints), list(cabled))
    return [n for n in candidates if n not in on_path]


def _on_some_path(adjacency: dict[str, set[str]], sources: list[str], targets: list[str]) -> set[str]:
    """The vertices on some simple path from a source to a target. With a vertex S
    joined to the sources, a vertex T joined to the targets and an edge S-T, those are
    the vertices of the biconnected component that holds the edge S-T (a simple S-T path
    through v and the edge S-T make a cycle; in a biconnected component every vertex and
    edge lie on a common cycle). Found by Tarjan's low points over a depth-first tree
    from S whose first edge is S-T: that component is T's subtree, less the subtrees that
    hang below an articulation point (a child d of p with low[d] >= pre[p])."""
    if not targets:
        return set()
    neighbours: dict[str, list[str]] = {v: list(ws) for v, ws in adjacency.items()}
    neighbours[ROOT] = [HOSTS, *sources]
    neighbours[HOSTS] = [ROOT, *targets]
    for v in sources:
        neighbours[v].append(ROOT)
    for v in targets:
        neighbours[v].append(HOSTS)
    pre = {ROOT: 0}
    low = {ROOT: 0}
    children: dict[str, list[str]] = {ROOT: []}
    stack = [(ROOT, "", iter(neighbours[ROOT]))]
    while stack:
        v, parent, ahead = stack[-1]
        for w in ahead:
            seen = pre.get(w)
            if seen is None:
                pre[w] = low[w] = len(pre)
                children[v].append(w)
                children[w] = []
                stack.append((w, v, iter(neighbours[w])))
                break
            if w != parent and seen < low[v]:
                low[v] = seen
        else:
            stack.pop()
            if parent and low[v] < low[parent]:
                low[parent] = low[v]
    found = {HOSTS}
    walk = [HOSTS]
    while walk:
        p = walk.pop()
        for d in children[p]:
            if low[d] < pre[p]:
                found.add(d)
                walk.append(d)
    found.discard(HOSTS)
    return found
