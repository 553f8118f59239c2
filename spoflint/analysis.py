"""Stage 4, analyses: facts computed once and shared by the rules.

The heart is `SingleFailures`: for every fault-graph node, the set of elements whose
failure alone takes it down, computed bottom-up in one pass (never by removing each
element and re-checking):

- `all` gate: the union of its inputs' sets;
- `any` gate: the intersection;
- `kofn` gate: the elements found in more than n - k of its inputs' sets;
- a node down with nothing failed is DOWN (None), and gates count only inputs that are up.

Reachability is the one non-local part. Each failure candidate removes a set of network
vertices (a switch and its links, or every switch a PDU feeds: one event). Most events
are one vertex and its links: what they cut off is read from Tarjan's low points
(`Separation`), at the cost of the answer. For the others, with a BFS tree of the
network from the entry points, only the subtrees below removed vertices can lose their
way out; each such event re-checks just those, letting a vertex back in as soon as it
touches the part of the network the event left alone.

The network's articulation points and bridges come from the same low points, without
networkx (its import alone costs more than analysing a small file); `network_graph`
still hands networkx's graph to a rule that wants it.
"""
from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass
from functools import cached_property

from . import graph as fg
from .model import DEFAULT_SCOPE, Topology
from .nogc import paused, pausing

DOWN = None


class SingleFailures:
    """Elements whose single failure downs each fault-graph node."""

    def __init__(self, t: Topology, g: fg.FaultGraph, scope: frozenset = DEFAULT_SCOPE):
        self.t, self.g, self.scope = t, g, scope
        self.can_fail = t.failure_candidates(scope)
        self.values: dict[str, frozenset | None] = {}
        self.events: dict[str, set[str]] = {}  # candidate -> network vertices it takes down
        self.tree_parent: dict[str, str] = {}
        self._network_done = False
        self._swept = False

    def of(self, key: str) -> frozenset | None:
        """The set for one node. The first call computes every node, in the order the
        graph was built (mostly inputs first, so the stack below rarely grows): the
        analyses need nearly all of them, and one sweep is cheaper than many descents."""
        values = self.values
        if key in values:
            return values[key]
        if not self._swept:
            self._swept = True
            combine, reach = self._combine, fg.REACH
            with paused():
                for node, gate in self.g.gates.items():
                    if node in values:
                        continue
                    if gate.op != reach:
                        try:
                            inputs = [values[i] for i in gate.inputs]
                        except KeyError:  # an input further down the order
                            pass
                        else:  # the usual case: every input known
                            values[node] = combine(gate, inputs)
                            continue
                    self._resolve(node)
            return values[key]
        return self._resolve(key)

    def _resolve(self, key: str) -> frozenset | None:
        """The set for one node, resolving what it needs first (iteratively)."""
        values = self.values
        gates, combine = self.g.gates, self._combine
        stack = [key]
        push, pop = stack.append, stack.pop
        while stack:
            top = stack[-1]
            if top in values:
                pop()
                continue
            gate = gates[top]
            if gate.op == fg.REACH:
                pop()
                self._network()
                continue
            depth = len(stack)
            for i in gate.inputs:
                if i not in values:
                    push(i)
            if len(stack) == depth:  # every input known
                pop()
                values[top] = combine(gate, [values[i] for i in gate.inputs])
        return values[key]

    def _combine(self, gate: fg.Gate, inputs: list) -> frozenset | None:
        """A node's set from its inputs' sets. Sets are shared rather than copied where a
        node has the same set as an input: a million elements make millions of nodes,
        most of them with a set equal to one of their inputs'."""
        op, _, k, own = gate
        if own is not None and not self.can_fail[own]:
            own = None
        if op == fg.ALL:
            if DOWN in inputs:
                return DOWN
            if len(inputs) == 2:  # the most common gate by far
                a, b = inputs
                if not b:
                    b, a = a, b
                if not a:  # one set, maybe empty
                    return b if own is None or own in b else b | {own}
                return a | b if own is None else frozenset((own,)).union(a, b)
            return _union([v for v in inputs if v], own)
        ups = [v for v in inputs if v is not DOWN]
        if op == fg.ANY:
            if not ups:
                return DOWN
            if len(ups) == 1:
                result = ups[0]
            else:
                ups.sort(key=len)
                result = ups[0].intersection(*ups[1:])
            return result if own is None or own in result else result | {own}
        # KOFN
        if len(ups) < k:
            return DOWN
        needed = len(ups) - k + 1  # inputs an element must take down
        if needed <= 1:
            return _union([v for v in ups if v], own)
        return _in_at_least(ups, needed, own)

    # --- reachability ------------------------------------------------------------
    def _network(self) -> None:
        if self._network_done:
            return
        self._network_done = True
        adjacency = self.g.network
        vertices = [v for v in adjacency if v != fg.ROOT]
        values = self.values
        up = {v: values[v] if v in values else self.of(v) for v in vertices}
        alive = lambda w: up.get(w) is not DOWN  # noqa: E731
        parent, children = bfs_tree(adjacency, alive)
        self.tree_parent = parent
        separation = Separation(adjacency, alive)
        # events: each candidate and the reachable network vertices it takes down
        events: dict[str, set[str]] = {}
        for v in vertices:
            if v in parent:
                for e in up[v]:
                    events.setdefault(e, set()).add(v)
        self.events = events
        network = self.t.network
        lost: dict[str, set[str]] = {v: set() for v in vertices if v in parent and v in network}
        for e, removed in events.items():
            if len(removed) == 1:  # most events: a link, alone
                for v in removed:
                    if v in lost:
                        lost[v].add(e)
                    for w in separation.cut(v):
                        if w in lost:
                            lost[w].add(e)
                continue
            center = _center(removed, adjacency)
            if center is not None:  # one vertex and links of it: the separation knows
                cut = itertools.chain(removed, separation.cut(center))
            else:
                cut = _cut_off(removed, adjacency, parent, children)
            for v in cut:
                if v in lost:
                    lost[v].add(e)
        for v in vertices:
            if v in network:
                values[fg.reach(v)] = frozenset(lost[v]) if v in parent else DOWN

    # --- explanations ------------------------------------------------------------
    def chain(self, element: str, key: str) -> list[str]:
        """Element ids from `element` up to node `key`: how the one leads to the other."""
        path = []
        while True:
            path.append(key)
            gate = self.g.gates[key]
            if gate.own == element:
                break
            if gate.op == fg.REACH:
                path.extend(reversed(self._reach_chain(element, gate.inputs[0])))
                break
            nxt = next((i for i in gate.inputs if self.values.get(i) and element in self.values[i]), None)
            if nxt is None:
                break
            key = nxt
        ids = []
        for key in reversed(path):
            eid = fg.element_of(key)
            if not ids or ids[-1] != eid:
                ids.append(eid)
        if ids[0] != element:
            ids.insert(0, element)
        return ids

    def _reach_chain(self, element: str, node: str) -> list[str]:
        """From `element` to network node `node` cut off by its event: through the
        removed vertex on `node`'s way out, and how the element removes it."""
        removed = self.events.get(element, set())
        v = node
        while v is not None and v not in removed:
            v = self.tree_parent.get(v)
        if v is None or v == element:
            return [element, node] if node != element else [element]
        inner = self.chain(element, v)
        return inner + ([node] if node != v else [])


def _union(sets: list, own: str | None = None) -> frozenset:
    """The union of non-empty sets, and `own`; one of them itself when it is the union."""
    if own is None:
        if not sets:
            return _EMPTY
        if len(sets) == 1:
            return sets[0]
    elif len(sets) == 1 and own in sets[0]:
        return sets[0]
    elif not sets:
        return frozenset((own,))
    return (frozenset((own,)) if own is not None else _EMPTY).union(*sets)


def _in_at_least(sets: list, needed: int, own: str | None = None) -> frozenset:
    """The elements found in at least `needed` of the sets (and `own`)."""
    full = [v for v in sets if v]
    if len(full) < needed:
        result = _EMPTY
    elif needed == len(full):
        full.sort(key=len)
        result = full[0].intersection(*full[1:])
    else:
        counts: dict[str, int] = {}
        get = counts.get
        for v in full:
            for e in v:
                counts[e] = get(e, 0) + 1
        result = frozenset([e for e, c in counts.items() if c >= needed])
    return result if own is None or own in result else result | {own}


_EMPTY: frozenset = frozenset()


def bfs_tree(adjacency, alive=lambda v: True):
    """Breadth-first tree from the entry points (ROOT) over live vertices: parents and
    children of every reachable vertex."""
    parent = {fg.ROOT: None}
    children: dict[str, list[str]] = {fg.ROOT: []}
    queue = deque([fg.ROOT])
    while queue:
        u = queue.popleft()
        for w in adjacency[u]:
            if w not in parent and alive(w):
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

    def __init__(self, adjacency, alive=lambda v: True):
        root = fg.ROOT
        order = [root]  # vertices in preorder: a subtree is a slice of it
        pre = {root: 0}
        low = {root: 0}
        parent: dict[str, str | None] = {root: None}
        children: dict[str, list[str]] = {root: []}
        end: dict[str, int] = {}  # where each subtree's slice ends
        stack = [(root, iter(adjacency[root]))]
        while stack:
            v, neighbours = stack[-1]
            for w in neighbours:
                seen = pre.get(w)
                if seen is not None:
                    if seen < low[v] and w != parent[v]:
                        low[v] = seen
                elif alive(w):
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
        out: list[str] = []
        for c in self.children[v]:
            if self.low[c] >= at:
                out += self.order[self.pre[c]:self.end[c]]
        return out


def cut_vertices_and_bridges(adjacency) -> tuple[list[str], list[tuple[str, str]]]:
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
        stack = [(root, None, iter(adjacency[root]))]
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


def _components_without(adjacency, gone: str) -> list[set[str]]:
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


def _center(removed: set[str], adjacency) -> str | None:
    """The vertex c of `removed` that every path through `removed` passes, when the rest
    of it are vertices with at most two neighbours, c one of them (the links of c): a
    path through such a vertex enters by one neighbour and leaves by the other. Then
    what `removed` cuts off is `removed` and what c alone cuts off."""
    if len(removed) == 1:
        return next(iter(removed))
    first = next(iter(removed))
    candidates = [first, *adjacency[first]] if len(adjacency[first]) <= 2 else [first]
    for c in candidates:
        if c in removed and all(v == c or (len(adjacency[v]) <= 2 and c in adjacency[v]) for v in removed):
            return c
    return None


def _cut_off(removed: set[str], adjacency, parent, children) -> set[str]:
    """Vertices that lose every path to the root when `removed` goes down."""
    return separate(removed, adjacency, parent, children)[0]


def separate(removed: set[str], adjacency, parent, children) -> tuple[set[str], set[str], set[str]]:
    """(cut off, affected, rejoined): the vertices that lose every path to the root when
    `removed` goes down; the BFS subtrees below the removed vertices (only they can lose
    their way out); and the vertices of those subtrees that find their way back through
    the untouched, reachable rest."""
    affected: set[str] = set()
    stack = list(removed)
    while stack:
        v = stack.pop()
        if v in affected:
            continue
        affected.add(v)
        stack.extend(children.get(v, ()))
    back = deque()
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


# --- data -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DataHolder:
    """Something that keeps data: a storage backend, or a stateful service on local
    storage. `hosts` hold the copies; `single` means any one of them failing loses data."""

    id: str
    hosts: tuple[str, ...]
    single: bool


def data_holders(t: Topology) -> list[DataHolder]:
    holders = []
    for s in t.storage.values():
        if s.hosts:
            holders.append(DataHolder(s.id, s.hosts, s.replicas <= 1))
    for svc in t.services.values():
        if svc.state != "stateful" or svc.storage:
            continue
        hosts = svc.hosts or svc.pool
        if svc.ha != "active-active":
            holders.append(DataHolder(svc.id, hosts, True))
        elif svc.hosts:
            holders.append(DataHolder(svc.id, hosts, len(hosts) == 1))
        else:
            placed = min(svc.replicas, len(fg.pool_groups(t, svc))) if svc.spread else 1
            holders.append(DataHolder(svc.id, hosts, placed <= 1))
    return holders


# --- the facts rules read -----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SinglePoint:
    """An element whose failure alone takes services down or loses data."""

    element: str
    services: tuple[str, ...]  # user-facing services it takes down
    data: tuple[str, ...]  # data holders that lose their only copy
    chain: tuple[str, ...]  # how it takes the first service down
    data_chain: tuple[str, ...]


class Facts:
    """What rules read: the model and the analyses over it, each computed on first use."""

    def __init__(self, topology: Topology, scope: frozenset = DEFAULT_SCOPE):
        self.topology = topology
        self.scope = scope
        self.unused_acceptances: list[tuple[str, str, str]] = []  # set by the engine (MODEL002)

    @cached_property
    def graph(self) -> fg.FaultGraph:
        return fg.build(self.topology)

    @cached_property
    def single_failures(self) -> SingleFailures:
        return SingleFailures(self.topology, self.graph, self.scope)

    @cached_property
    def never_up(self) -> dict[str, str]:
        """Services down with nothing failed, and why (a description error)."""
        from .evaluate import evaluate

        sf = self.single_failures
        down = [s for s in self.topology.services if sf.of(s) is DOWN]
        if not down:
            return {}
        result = evaluate(self.topology, set())
        return {s: result.why(s) for s in down}

    @cached_property
    def single_points(self) -> dict[str, SinglePoint]:
        t, sf = self.topology, self.single_failures
        downs: dict[str, list[str]] = {}
        for svc in sorted(t.services):
            if not t.services[svc].public:
                continue
            value = sf.of(svc)
            if value is DOWN:
                continue
            for e in value:
                downs.setdefault(e, []).append(svc)
        data: dict[str, list[str]] = {}
        for holder in data_holders(t):
            # a host outside the failure scope is assumed not to fail, so loses nothing
            hosts = [h for h in holder.hosts if sf.can_fail[h]] if holder.single else ()
            for h in hosts:
                data.setdefault(h, []).append(holder.id)
        result = {}
        for e in sorted(set(downs) | set(data)):
            services = tuple(downs.get(e, ()))
            held = tuple(sorted(data.get(e, ())))
            result[e] = SinglePoint(
                e, services, held,
                tuple(sf.chain(e, services[0])) if services else (),
                (e, held[0]) if held else ())
        return result

    @cached_property
    @pausing
    def network_graph(self):
        """The network as networkx sees it: network nodes and hosts, links as edges
        (a count of parallel cables on each), hosts only at the edge."""
        import networkx as nx

        t = self.topology
        g = nx.Graph()
        g.add_nodes_from(t.network)
        for link in t.links.values():
            if link.a in t.network and link.b in t.network:
                if g.has_edge(link.a, link.b):
                    g[link.a][link.b]["links"].append(link.id)
                else:
                    g.add_edge(link.a, link.b, links=[link.id])
        return g

    @cached_property
    @pausing
    def _node_graph(self) -> dict[str, dict[str, list[str]]]:
        """The network graph as `network_graph` has it, without networkx (whose import
        alone costs more than analysing a small file): node -> neighbour -> the links
        between them (one list shared by both directions), in the order written."""
        t = self.topology
        nodes: dict[str, dict[str, list[str]]] = {n: {} for n in t.network}
        for link in t.links.values():
            a, b = link.a, link.b
            if a in nodes and b in nodes:
                ids = nodes[a].get(b)
                if ids is None:
                    nodes[a][b] = nodes[b][a] = ids = []
                ids.append(link.id)
        return nodes

    @cached_property
    @pausing
    def _splits(self) -> tuple[list[str], list[tuple[str, str]]]:
        """The network graph's articulation points, and its bridges as (a, b) with a
        written before b."""
        nodes = self._node_graph
        points, bridges = cut_vertices_and_bridges(nodes)
        index = {n: i for i, n in enumerate(nodes)}
        return points, [(u, v) if index[u] < index[v] else (v, u) for u, v in bridges]

    @cached_property
    @pausing
    def _separation(self) -> "Separation":
        """What each network vertex cuts off the entry points, by topology alone."""
        return Separation(self.graph.network)

    def cut_from_entries(self, element: str) -> set[str]:
        """Network nodes and hosts that lose every path to an entry point when this one
        network node or link is removed (and were reachable before). Hosts do not route."""
        t = self.topology
        if not t.entrypoints:
            return set()
        lost = self._separation.cut(element)
        cut = {v for v in lost if v in t.network}
        cabled = self._host_cables
        if lost:
            gone = set(lost)
            gone.add(element)
            nearby = {h for v in gone for h, _ in cabled.get(v, ())}
        else:  # the usual case: the element alone
            gone = {element}
            nearby = {h for h, _ in cabled.get(element, ())}
        link = t.links.get(element)
        if link is not None:
            nearby.update(e for e in (link.a, link.b) if e in t.hosts)
        reachable = self._host_reachable_ends
        for h in nearby:
            ends = reachable[h]
            if ends and all(lid == element or end in gone for lid, end in ends):
                cut.add(h)
        return cut

    @cached_property
    def _host_reachable_ends(self) -> dict[str, list[tuple[str, str]]]:
        """Each host's links whose other end is reachable from the entry points."""
        reachable = self._separation.reachable
        return {h: [(lid, end) for lid, end in ends if reachable(end)] for h, ends in self._host_ends.items()}

    @cached_property
    def _host_ends(self) -> dict[str, list[tuple[str, str]]]:
        """Each host's links, with the network node at the other end."""
        t = self.topology
        return {h.id: [(lid, t.links[lid].b if t.links[lid].a == h.id else t.links[lid].a) for lid in h.links]
                for h in t.hosts.values()}

    @cached_property
    def _host_cables(self) -> dict[str, list[tuple[str, str]]]:
        """Network node -> the hosts cabled to it, with the link."""
        cables: dict[str, list[tuple[str, str]]] = {}
        for h, ends in self._host_ends.items():
            for lid, end in ends:
                cables.setdefault(end, []).append((h, lid))
        return cables

    @cached_property
    @pausing
    def articulation_points(self) -> dict[str, tuple[str, ...]]:
        """Network nodes whose failure splits the network: the node -> what is cut off.
        A split cuts a part off the entry points (hosts included: they never route), or,
        where no entry point is concerned, divides the network graph in two (its
        articulation points; what is cut off is then the smaller side)."""
        t, nodes = self.topology, self._node_graph
        result: dict[str, set[str]] = {}
        for node in t.network:
            cut = self.cut_from_entries(node)
            if cut:
                result[node] = cut
        entries = set(t.entrypoints)
        points, _ = self._splits
        for node in points:
            if node in result:
                continue
            parts = sorted(_components_without(nodes, node), key=lambda c: (bool(c & entries), len(c), sorted(c)))
            cut = [p for p in parts if not p & entries] or parts[:-1]
            result[node] = set().union(*cut)
        for h, links in self._host_ends.items():
            ends = {end for _, end in links}
            if len(ends) == 1:
                (node,) = ends
                if len(nodes[node]) >= 1 or len(self._host_cables[node]) > 1:
                    result.setdefault(node, set()).add(h)
        return {n: tuple(sorted(v)) for n, v in sorted(result.items()) if t.can_fail(n, self.scope)}

    @cached_property
    @pausing
    def bridges(self) -> dict[str, tuple[str, ...]]:
        """Links whose failure splits the network: link -> its two ends. Like nodes: a
        link that cuts something off the entry points, a bridge of the network graph
        (ends in the order the nodes were written), or a host's only link."""
        t, nodes = self.topology, self._node_graph
        result = {}
        _, bridges = self._splits
        for a, b in bridges:
            ids = nodes[a][b]
            if len(ids) == 1:
                result[ids[0]] = (a, b)
        for link in t.links.values():
            if link.id not in result and self.cut_from_entries(link.id):
                result[link.id] = (link.a, link.b)
        for h in t.hosts.values():
            if len(h.links) == 1:
                link = t.links[h.links[0]]
                result[link.id] = (link.a, link.b)
        return {l: ends for l, ends in sorted(result.items()) if t.can_fail(l, self.scope)}

    @cached_property
    @pausing
    def shared_fate(self) -> dict[str, tuple[str, ...]]:
        """Per service with several instances: the elements whose failure alone takes
        every instance down (what the instances depend on is left out: that is the
        dependency's own redundancy)."""
        t, sf = self.topology, self.single_failures
        result = {}
        for svc in t.services.values():
            if svc.replicas < 2:
                continue
            if svc.hosts:
                keys, placed = [fg.usable(h) for h in svc.hosts], len(svc.hosts)
            elif svc.spread:  # worst case: the replicas sit in the groups an element hits
                keys = list(self.graph.gates[fg.helper(svc.id, "instances")].inputs)
                placed = min(svc.replicas, len(keys))
            else:
                continue  # without spread every pool host is shared: SVC002 says so itself
            ups = [v for v in (sf.of(k) for k in keys) if v is not DOWN]
            if not ups:
                continue
            common = sorted(_in_at_least(ups, min(placed, len(ups))))
            if common:
                result[svc.id] = tuple(common)
        return result

    def power_convergence(self, eid: str) -> tuple[str, ...]:
        """Power elements whose failure alone cuts every power input of a host or network
        node: its one input, or where its several inputs converge upstream."""
        t, sf = self.topology, self.single_failures
        box = t.hosts.get(eid) or t.network[eid]
        values = [sf.of(p) for p in box.power]
        ups = [v for v in values if v is not DOWN]
        if not ups:
            return ()
        common = set(ups[0]).intersection(*ups[1:])
        return tuple(sorted(e for e in common if e in t.power))

    def pool_groups(self, service: str) -> dict[str, list[str]]:
        return fg.pool_groups(self.topology, self.topology.services[service])

    def is_quorum_cluster(self, service: str) -> bool:
        """A replicated service that needs a majority of its members: a clustered kind,
        or a quorum declared for an active/active service."""
        from .kinds import lookup

        svc = self.topology.services[service]
        if svc.ha != "active-active":
            return False
        known = lookup(svc.kind)
        return bool(known and known.quorum) or "quorum" in self.topology.declared.get(service, ()) and svc.quorum > 1

    @cached_property
    def depended_on_by_public(self) -> set[str]:
        """Services that a user-facing service needs, directly or through others
        (load balancers included)."""
        t = self.topology
        seen: set[str] = set()
        stack = [s.id for s in t.services.values() if s.public]
        while stack:
            s = stack.pop()
            if s in seen or s not in t.services:
                continue
            seen.add(s)
            svc = t.services[s]
            stack.extend(svc.depends_on)
            if svc.load_balancer:
                stack.append(svc.load_balancer)
        return seen
