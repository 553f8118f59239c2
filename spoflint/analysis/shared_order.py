"""The variable order of the shared availability diagram (spoflint.analysis.sandwich):
one global order over every element that can fail, the most shared first.

The width of a decision diagram is what its order makes it. The shared one holds every
service of an estate, so the order follows the estate's shape rather than one service:
the fabric's core nearest the entry points first (borders, spines: what every rack's
reachability reads), then a block per rack (the rack, its switches and their uplinks,
its hosts and theirs), each block after what it stands on that no block owns (feeds,
UPSes, cooling, PDUs, zones: placed where they are first needed). A service then
crosses the racks it uses one after another, carrying only its counts (how many
instances are up so far) and the state of the core, not of every rack at once.
"""

from __future__ import annotations

from .. import graph as fg
from ..model import Topology
from .figures import element_availability
from .network import distances as network_distances

INF = 1 << 30  # the distance of what no entry point reaches


def distances(network: dict[str, list[str]]) -> dict[str, int]:
    """Breadth-first distance of every network vertex from ROOT (unreachable: absent)."""
    return network_distances(network, [fg.ROOT])


def failing(t: Topology, g: fg.FaultGraph, scope: frozenset) -> dict[str, float]:
    """1 - availability of every element of the fault graph that can fail."""
    q: dict[str, float] = {}
    for gate in g.gates.values():
        own = gate.own
        if own is not None and own not in q:
            a = element_availability(t, own, scope)
            if a < 1:
                q[own] = 1 - a
    return q


def _anchors(t: Topology, dist: dict[str, int]) -> tuple[dict[str, str], dict[str, int]]:
    """Each element's block (its rack, or itself; a link its far end's, a host's uplink
    its switch's) and its distance from the entry points (hosts one past the nearest
    node they are cabled to)."""
    anchor: dict[str, str] = {}
    near: dict[str, int] = {}
    for rid in t.racks:
        anchor[rid] = rid
    for nid, node in t.network.items():
        anchor[nid] = node.rack or nid
        near[nid] = dist.get(nid, INF)
    for hid, host in t.hosts.items():
        anchor[hid] = host.rack or hid
    for lid, link in t.links.items():
        ends = [e for e in (link.a, link.b) if e in t.network]
        hosts = [e for e in (link.a, link.b) if e in t.hosts]
        if hosts:  # with the node it is cabled to: a host's uplinks sit beside their switches
            far = ends[0] if ends else hosts[0]
            near[lid] = min((dist.get(e, INF) for e in ends), default=INF - 1) + 1
            near[hosts[0]] = min(near.get(hosts[0], INF), near[lid] + 1)
        else:
            far = max(ends, key=lambda e: dist.get(e, INF)) if ends else link.a
            near[lid] = dist.get(lid, INF)
        anchor[lid] = anchor.get(far, far)
    return anchor, near


def core(network: dict[str, list[str]], dist: dict[str, int], anchor: dict[str, str]) -> list[str]:
    """The fabric's core: the network vertices whose shortest-path successors lie in
    another block or in the core (borders, spines and what joins them), nearest first."""
    found: set[str] = set()
    for v in sorted((v for v in dist if v != fg.ROOT), key=lambda v: -dist[v]):
        block = anchor.get(v, v)
        if any(w in found or anchor.get(w, w) != block for w in network[v] if dist.get(w) == dist[v] + 1):
            found.add(v)
    return sorted((v for v in network if v in found), key=lambda v: dist[v])  # ties: the network's order, not a set's


def global_order(
    t: Topology, g: fg.FaultGraph, q: dict[str, float], dist: dict[str, int]
) -> tuple[list[str], list[str]]:
    """Every element of `q`, the most shared first: the fabric's core (`core`) nearest
    the entry points first, then blocks (a rack and what it holds, or an element with no
    rack) by their distance from the entry points; each element after what it stands on
    that no other block owns (feeds, UPSes, cooling, PDUs, zones: placed where they are
    first needed)."""
    anchor, near = _anchors(t, dist)
    first = {eid: i for i, eid in enumerate(t.section_of)}
    blocks: dict[str, list[str]] = {}
    for e in q:
        if e in anchor:
            blocks.setdefault(anchor[e], []).append(e)
    key = {
        b: (min((near.get(m, INF) for m in members), default=INF), first.get(b, INF)) for b, members in blocks.items()
    }
    gates, visited = g.gates, set[str]()
    placed: dict[str, None] = {}

    def walk(root: str, block: str | None) -> None:
        for node in fg.post_order(gates, (root,), visited):
            visited.add(node)
            own = gates[node].own
            if own in q and own not in placed and (block is None or anchor.get(own, block) == block):
                placed[own] = None

    fabric = core(g.network, dist, anchor)
    for v in fabric:
        walk(v, None)
    for b in sorted(blocks, key=lambda b: key[b]):
        for m in sorted(blocks[b], key=lambda m: (near.get(m, INF), first.get(m, INF))):
            walk(m, b)
            placed.setdefault(m, None)
    for node in gates:  # what hangs below no block: storage boxes, zones only services need
        walk(node, None)
    for e in q:
        placed.setdefault(e, None)
    return list(placed), fabric
