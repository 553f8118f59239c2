"""Stage 4, analyses: facts computed once and shared by the rules.

The heart is `SingleFailures`: for every fault-graph node, the set of elements whose
failure alone takes it down, computed bottom-up in one pass (never by removing each
element and re-checking):

- `all` gate: the union of its inputs' sets;
- `any` gate: the intersection;
- `kofn` gate: the elements found in more than n - k of its inputs' sets;
- a node down with nothing failed is DOWN (None), and gates count only inputs that are up.

Reachability is the one non-local part. Each failure candidate removes a set of network
vertices (a switch and its links, or every switch a PDU feeds: one event). With a BFS
tree of the network from the entry points, only the subtrees below removed vertices can
lose their way out; each event re-checks just those, letting a vertex back in as soon as
it touches the part of the network the event left alone.
"""
from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from functools import cached_property

from . import graph as fg
from .model import DEFAULT_SCOPE, Topology

DOWN = None


class SingleFailures:
    """Elements whose single failure downs each fault-graph node."""

    def __init__(self, t: Topology, g: fg.FaultGraph, scope: frozenset = DEFAULT_SCOPE):
        self.t, self.g, self.scope = t, g, scope
        self.can_fail = {eid: t.can_fail(eid, scope) for eid in t.section_of}
        self.values: dict[str, frozenset | None] = {}
        self.events: dict[str, set[str]] = {}  # candidate -> network vertices it takes down
        self.tree_parent: dict[str, str] = {}
        self._network_done = False

    def of(self, key: str) -> frozenset | None:
        """The set for one node, resolving what it needs first (iteratively)."""
        values, gates = self.values, self.g.gates
        if key in values:
            return values[key]
        stack = [key]
        while stack:
            top = stack[-1]
            if top in values:
                stack.pop()
                continue
            gate = gates[top]
            if gate.op == fg.REACH:
                stack.pop()
                self._network()
                continue
            pending = [i for i in gate.inputs if i not in values]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            values[top] = self._combine(gate, [values[i] for i in gate.inputs])
        return values[key]

    def _combine(self, gate: fg.Gate, inputs: list) -> frozenset | None:
        own = gate.own if gate.own and self.can_fail[gate.own] else None
        if gate.op == fg.ALL:
            if any(v is DOWN for v in inputs):
                return DOWN
            result = set().union(*inputs) if inputs else set()
        elif gate.op == fg.ANY:
            ups = sorted((v for v in inputs if v is not DOWN), key=len)
            if not ups:
                return DOWN
            result = set(ups[0]).intersection(*ups[1:])
        else:  # KOFN
            ups = [v for v in inputs if v is not DOWN]
            if len(ups) < gate.k:
                return DOWN
            needed = len(ups) - gate.k + 1  # inputs an element must take down
            if needed <= 1:
                result = set().union(*ups) if ups else set()
            else:
                counts = Counter(e for v in ups for e in v)
                result = {e for e, c in counts.items() if c >= needed}
        if own:
            result.add(own)
        return frozenset(result)

    # --- reachability ------------------------------------------------------------
    def _network(self) -> None:
        if self._network_done:
            return
        self._network_done = True
        adjacency = self.g.network
        vertices = [v for v in adjacency if v != fg.ROOT]
        up = {}
        for v in vertices:
            up[v] = self.of(v)
        parent, children = bfs_tree(adjacency, lambda w: up.get(w) is not DOWN)
        self.tree_parent = parent
        # events: each candidate and the reachable network vertices it takes down
        events: dict[str, set[str]] = {}
        for v in vertices:
            if v in parent:
                for e in up[v]:
                    events.setdefault(e, set()).add(v)
        self.events = events
        lost: dict[str, set[str]] = {v: set() for v in vertices if v in parent}
        for e, removed in events.items():
            for v in _cut_off(removed, adjacency, parent, children):
                lost[v].add(e)
        for v in vertices:
            key = fg.reach(v) if v in self.t.network else None
            if key is None:
                continue
            self.values[key] = frozenset(lost[v]) if v in parent else DOWN

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


def _cut_off(removed: set[str], adjacency, parent, children) -> set[str]:
    """Vertices that lose every path to the root when `removed` goes down."""
    affected: set[str] = set()
    stack = list(removed)
    while stack:
        v = stack.pop()
        if v in affected:
            continue
        affected.add(v)
        stack.extend(children.get(v, ()))
    # vertices of the affected subtrees that still touch the untouched, reachable rest
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
    return affected - rejoined


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
    def _entry_tree(self):
        """The network's BFS tree from the entry points, by topology alone."""
        return bfs_tree(self.graph.network)

    def cut_from_entries(self, element: str) -> set[str]:
        """Network nodes and hosts that lose every path to an entry point when this one
        network node or link is removed (and were reachable before). Hosts do not route."""
        t = self.topology
        if not t.entrypoints:
            return set()
        parent, children = self._entry_tree
        lost = set()
        if element in parent:
            lost = _cut_off({element}, self.graph.network, parent, children) - {element}
        gone = lost | {element}
        cut = {v for v in lost if v in t.network}
        cabled = self._host_cables
        nearby = {h for v in gone for h, _ in cabled.get(v, ())}
        if element in t.links:
            nearby.update(e for e in (t.links[element].a, t.links[element].b) if e in t.hosts)
        for h in nearby:
            reachable = [(lid, end) for lid, end in self._host_ends[h] if end in parent]
            if reachable and all(lid == element or end in gone for lid, end in reachable):
                cut.add(h)
        return cut

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
    def articulation_points(self) -> dict[str, tuple[str, ...]]:
        """Network nodes whose failure splits the network: the node -> what is cut off.
        A split cuts a part off the entry points (hosts included: they never route), or,
        where no entry point is concerned, divides the network graph in two (networkx's
        articulation points; what is cut off is then the smaller side)."""
        import networkx as nx

        t, g = self.topology, self.network_graph
        result: dict[str, set[str]] = {}
        for node in t.network:
            cut = self.cut_from_entries(node)
            if cut:
                result[node] = cut
        entries = set(t.entrypoints)
        for node in nx.articulation_points(g):
            if node in result:
                continue
            rest = g.subgraph(n for n in g if n != node)
            parts = sorted(nx.connected_components(rest), key=lambda c: (bool(c & entries), len(c), sorted(c)))
            cut = [p for p in parts if not p & entries] or parts[:-1]
            result[node] = set().union(*cut)
        for h, links in self._host_ends.items():
            ends = {end for _, end in links}
            if len(ends) == 1:
                (node,) = ends
                if g.degree(node) >= 1 or len(self._host_cables[node]) > 1:
                    result.setdefault(node, set()).add(h)
        return {n: tuple(sorted(v)) for n, v in sorted(result.items()) if t.can_fail(n, self.scope)}

    @cached_property
    def bridges(self) -> dict[str, tuple[str, ...]]:
        """Links whose failure splits the network: link -> its two ends. Like nodes: a
        link that cuts something off the entry points, a bridge of the network graph
        (networkx), or a host's only link."""
        import networkx as nx

        t, g = self.topology, self.network_graph
        result = {}
        for a, b in nx.bridges(g):
            ids = g[a][b]["links"]
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
            counts = Counter(e for v in ups for e in v)
            common = sorted(e for e, c in counts.items() if c >= min(placed, len(ups)))
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
