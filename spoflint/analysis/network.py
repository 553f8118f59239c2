"""Network separation: what removing network vertices cuts off the entry points, from
Tarjan's low points and BFS trees (hosts never route)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Container, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from .. import graph as fg

try:  # the walks over every vertex in C (_cnetwork.c), where it was built; the same results without it
    from . import _cnetwork
except ImportError:  # pragma: no cover - installed without a compiler
    _cnetwork = None  # type: ignore[assignment]

if TYPE_CHECKING:
    import networkx as nx

    from ..model import Topology

Adjacency = Mapping[str, Sequence[str]]  # the fault graph's network: vertex -> neighbours
Parent = dict[str, str | None]  # a BFS tree: vertex -> its parent (ROOT's is None)
Children = dict[str, list[str]]  # and vertex -> its children


def distances(adjacency: Mapping[str, Collection[str]], sources: Collection[str]) -> dict[str, int]:
    """Breadth-first hops of every vertex reached from `sources` (unreached: absent)."""
    dist = dict.fromkeys(sources, 0)
    queue = deque(dist)
    while queue:
        u = queue.popleft()
        for w in adjacency[u]:
            if w not in dist:
                dist[w] = dist[u] + 1
                queue.append(w)
    return dist


def _everything(v: str) -> bool:
    return True


def bfs_tree(adjacency: Adjacency, alive: Callable[[str], bool] = _everything) -> tuple[Parent, Children]:
    """Breadth-first tree from the entry points (ROOT) over live vertices: parents and
    children of every reachable vertex."""
    if alive is _everything and _cnetwork is not None and type(adjacency) is dict:
        return _cnetwork.bfs_tree(adjacency, fg.ROOT)
    parent: Parent = {fg.ROOT: None}
    children: dict[str, list[str]] = {fg.ROOT: []}
    queue = deque([fg.ROOT])
    everything = alive is _everything  # the usual case: no call per vertex
    while queue:
        u = queue.popleft()
        for w in adjacency[u]:
            if w not in parent and (everything or alive(w)):
                parent[w] = u
                children[u].append(w)
                children[w] = []
                queue.append(w)
    return parent, children


class Separation:
    """Which vertices lose every path to the entry points (ROOT) when one vertex goes,
    for every vertex at once: Tarjan's low points on a depth-first tree of the live
    network. Removing v cuts off exactly the subtrees of those children c of v that
    no edge leads out of to above v (low[c] >= pre[v]), so each question costs the size
    of its answer, not of v's subtree (which for a spine is half the fabric)."""

    def __init__(self, adjacency: Adjacency, alive: Callable[[str], bool] = _everything):
        root = fg.ROOT
        if alive is _everything and _cnetwork is not None and type(adjacency) is dict:
            self.order, self.pre, self.low, self.children, self.end = _cnetwork.separation(adjacency, root)
            return
        order = [root]  # vertices in preorder: a subtree is a slice of it
        pre = {root: 0}
        low = {root: 0}
        parent: Parent = {root: None}
        children: dict[str, list[str]] = {root: []}
        end: dict[str, int] = {}  # where each subtree's slice ends
        stack = [(root, iter(adjacency[root]))]
        everything = alive is _everything  # the usual case: no call per vertex
        while stack:
            v, neighbours = stack[-1]
            for w in neighbours:
                seen = pre.get(w)
                if seen is not None:
                    if seen < low[v] and w != parent[v]:
                        low[v] = seen
                elif everything or alive(w):
                    parent[w] = v
                    pre[w] = low[w] = len(order)
                    order.append(w)
                    children[v].append(w)
                    children[w] = []
                    stack.append((w, iter(adjacency[w])))
                    break
            else:
                stack.pop()
                end[v] = len(order)
                up = parent[v]
                if up is not None and low[v] < low[up]:
                    low[up] = low[v]
        self.order, self.pre, self.low, self.children, self.end = order, pre, low, children, end

    def reachable(self, v: str) -> bool:
        return v in self.pre

    def cut(self, v: str) -> list[str]:
        """The vertices, other than v, that lose every path to ROOT without v."""
        at = self.pre.get(v)
        if at is None:
            return []
        children = self.children[v]
        if not children:  # a leaf of the tree (most links and edge switches): nothing hangs on it
            return []
        out: list[str] = []
        low, pre, end, order = self.low, self.pre, self.end, self.order
        for c in children:
            if low[c] >= at:
                out += order[pre[c] : end[c]]
        return out


def networkx_graph(t: Topology) -> nx.Graph[str]:
    """The network as networkx sees it (`Facts.network_graph`): network nodes, links
    between two of them as edges, each with the list of parallel cables (`links`)."""
    import networkx as nx

    g: nx.Graph[str] = nx.Graph()
    g.add_nodes_from(t.network)
    for link in t.links.values():
        if link.a in t.network and link.b in t.network:
            if g.has_edge(link.a, link.b):
                g[link.a][link.b]["links"].append(link.id)
            else:
                g.add_edge(link.a, link.b, links=[link.id])
    return g


def host_ends(t: Topology) -> dict[str, list[tuple[str, str]]]:
    """Each host's links, with the element at the other end (a network node)."""
    links = t.links
    out: dict[str, list[tuple[str, str]]] = {}
    for h in t.hosts.values():
        hid, ends = h.id, []
        for lid in h.links:
            link = links[lid]
            ends.append((lid, link.b if link.a == hid else link.a))
        out[hid] = ends
    return out


def only_end(ends: Sequence[tuple[str, str]]) -> str | None:
    """The one element at the other end of every (link, end) of a host, or None (no link,
    or several ends): asked without a set per host (an estate of 1M elements has 240,000)."""
    only = ends[0][1] if ends else None
    for _, end in ends:
        if end != only:
            return None
    return only


def hosts_cut_alone(
    ends_of: Mapping[str, Sequence[tuple[str, str]]], reached: Container[str] | None = None
) -> dict[str, list[str]]:
    """Element -> the hosts that lose their way out when it fails and cuts off no network
    vertex: those whose every reachable way out (`ends_of`: host -> (link, node at the
    other end); given `reached`, only its ends in it count) ends at that one node, or
    goes over that one link. `reached` saves a filtered copy of every host's list: most
    hosts' ends are all reachable."""
    alone: dict[str, list[str]] = {}
    for h, ends in ends_of.items():
        if reached is not None:
            for _, end in ends:
                if end not in reached:
                    ends = [e for e in ends if e[1] in reached]
                    break
        if not ends:
            continue
        link, node = ends[0]
        if len(ends) > 1:  # a dual-homed host: most often two switches, and two links
            one_node = one_link = True
            for lid, end in ends:
                one_node = one_node and end == node
                one_link = one_link and lid == link
            if not one_node and not one_link:
                continue
        else:
            one_node = one_link = True
        if one_node:
            alone.setdefault(node, []).append(h)
        if one_link:
            alone.setdefault(link, []).append(h)
    return alone


def cut_vertices_and_bridges(adjacency: Mapping[str, Collection[str]]) -> tuple[list[str], list[tuple[str, str]]]:
    """Articulation points and bridges of a simple undirected graph (adjacency: vertex
    -> its neighbours), by Tarjan's low points over a depth-first forest, iteratively."""
    pre: dict[str, int] = {}
    low: dict[str, int] = {}
    points: dict[str, None] = {}
    bridges: list[tuple[str, str]] = []
    for root in adjacency:
        if root in pre:
            continue
        pre[root] = low[root] = len(pre)
        root_children = 0
        stack: list[tuple[str, str | None, Iterator[str]]] = [(root, None, iter(adjacency[root]))]
        while stack:
            v, parent, neighbours = stack[-1]
            for w in neighbours:
                if w == parent:  # the tree edge back (a simple graph has one)
                    continue
                seen = pre.get(w)
                if seen is None:
                    pre[w] = low[w] = len(pre)
                    stack.append((w, v, iter(adjacency[w])))
                    break
                if seen < low[v]:
                    low[v] = seen
            else:
                stack.pop()
                if parent is None:
                    continue
                if low[v] < low[parent]:
                    low[parent] = low[v]
                if low[v] > pre[parent]:
                    bridges.append((parent, v))
                if parent == root:
                    root_children += 1
                elif low[v] >= pre[parent]:
                    points[parent] = None
        if root_children > 1:
            points[root] = None
    return list(points), bridges


def _components_without(adjacency: Mapping[str, Collection[str]], gone: str) -> list[set[str]]:
    """The connected components of the graph without one vertex."""
    seen, parts = {gone}, []
    for start in adjacency:
        if start in seen:
            continue
        seen.add(start)
        part, queue = {start}, [start]
        while queue:
            for w in adjacency[queue.pop()]:
                if w not in seen:
                    seen.add(w)
                    part.add(w)
                    queue.append(w)
        parts.append(part)
    return parts


def _center(removed: set[str], adjacency: Adjacency, likely: str | None = None) -> str | None:
    """The vertex c of `removed` that every path through `removed` passes, when the rest
    of it are vertices with at most two neighbours, c one of them (the links of c): a
    path through such a vertex enters by one neighbour and leaves by the other. Then
    what `removed` cuts off is `removed` and what c alone cuts off (with two such
    centres, either: the same set). `likely`, tried first: the element whose failure
    removed them (a switch and its links, most events of an estate)."""
    if len(removed) == 1:
        return next(iter(removed))
    if likely in removed and all(v == likely or (len(adjacency[v]) <= 2 and likely in adjacency[v]) for v in removed):
        return likely
    wide = 0  # vertices with more than two neighbours: a centre is the only one there may be
    for v in removed:
        if len(adjacency[v]) > 2:
            wide += 1
            if wide > 1:  # two switches (a rack's pair): no centre, said without trying each
                return None
    first = next(iter(removed))
    candidates = [first, *adjacency[first]] if len(adjacency[first]) <= 2 else [first]
    for c in candidates:
        if c in removed and all(v == c or (len(adjacency[v]) <= 2 and c in adjacency[v]) for v in removed):
            return c
    return None


def _cut_off(removed: set[str], adjacency: Adjacency, parent: Parent, children: Children) -> set[str]:
    """Vertices that lose every path to the root when `removed` goes down: `separate`'s
    first answer, or, when most of the network hangs below `removed` (a rack of the
    core), one search from the root around it, which costs the network once where
    `separate` would walk the part below twice (the same set: a vertex below keeps its
    way out exactly when a path from the root avoids `removed`). Most are the two
    switches of a rack and their links, every one a leaf of the tree or the parent of
    others of them: then no other vertex's way up the tree passes them, and they alone
    are cut off (all but one of the 1M estate's 13.7k), said without a search."""
    if all(c in removed for v in removed for c in children.get(v, ())):
        return set(removed)
    affected = _below(removed, children)
    if 2 * (len(affected) - len(removed)) <= len(parent) - len(removed):
        return separate(removed, adjacency, parent, children, affected)[0]
    seen = reached_around(removed, adjacency, parent)
    return {v for v in affected if v not in seen}


def reached_around(removed: Container[str], adjacency: Adjacency, parent: Container[str]) -> set[str]:
    """The vertices a search from the root reaches through vertices of the tree
    (`parent`) that are not `removed` (ROOT among them); in C where it was built."""
    if _cnetwork is not None and type(adjacency) is dict:
        return _cnetwork.reached_around(adjacency, fg.ROOT, parent, removed)
    seen = {fg.ROOT}
    queue = deque(seen)
    while queue:
        for w in adjacency[queue.popleft()]:
            if w not in seen and w in parent and w not in removed:
                seen.add(w)
                queue.append(w)
    return seen


def _below(removed: set[str], children: Children) -> set[str]:
    """The BFS subtrees below the removed vertices, themselves included."""
    affected: set[str] = set()
    stack = list(removed)
    while stack:
        v = stack.pop()
        if v in affected:
            continue
        affected.add(v)
        stack.extend(children.get(v, ()))
    return affected


def separate(
    removed: set[str], adjacency: Adjacency, parent: Parent, children: Children, affected: set[str] | None = None
) -> tuple[set[str], set[str], set[str]]:
    """(cut off, affected, rejoined): the vertices that lose every path to the root when
    `removed` goes down; the BFS subtrees below the removed vertices (only they can lose
    their way out; `affected`, when the caller has them already); and the vertices of
    those subtrees that find their way back through the untouched, reachable rest."""
    if affected is None:
        affected = _below(removed, children)
    back: deque[str] = deque()
    rejoined: set[str] = set()
    for v in affected:
        if v in removed:
            continue
        for w in adjacency[v]:
            if w in parent and w not in affected:
                rejoined.add(v)
                back.append(v)
                break
    while back:
        v = back.popleft()
        for w in adjacency[v]:
            if w in affected and w not in removed and w not in rejoined:
                rejoined.add(w)
                back.append(w)
    return affected - rejoined, affected, rejoined
