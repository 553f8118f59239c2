"""Availability at estate scale: network reachability sandwiched between two acyclic
structures, built once in one shared decision diagram for every service.

Reachability from the entry points is what makes a service's structure function hard
(network reliability is #P-hard), and it is the same function for every service behind
one fabric. Because the structure is coherent, it lies between two monotone structures
without cycles, defined vertex by vertex in order of breadth-first distance `d` from
the entry points (ROOT):

- below, `lo(v)`: v is up and a neighbour one step nearer is `lo` (only the shortest-
  path DAG's paths count: fewer paths, so lo <= reach). Where v's nearer neighbours
  are all uplinks (link i to a vertex u_i nearer still: a leaf's links to the spines),
  `lo` reads the far ends only through how many of them are `lo`, by pigeonhole: with
  m uplinks, at least m - j of them up and at least j + 1 of their ends `lo` leave one
  link with both (`_pigeonhole`). The diagram then carries a count of spines across
  the racks, not which spines; it misses only with m failures among links and ends;
- above, `hi(v)`: v is up and a nearer neighbour is `hi`, or, when a neighbour no
  nearer can reach the entry points without v (Tarjan's low points, once for the
  network: `_escapes`), v is up and some vertex at distance d - 1 is `hi`. Proof that
  reach <= hi, by induction on d: a reached v has a live path from ROOT; the vertex
  before v on the shortest such path is reached without v; if it is nearer, it is
  `hi` by induction; if not, it escapes v, and the path to it crossed distance d - 1.

In a network without alternative paths (a tree) the two are one function: no vertex
has two uplinks, none escapes. A service's availability lies between P(lo) and
P(lo) + the sum, over the vertices whose reachability it reads, of P(hi(v)) - P(lo(v))
(if the service is `hi` but not `lo`, one of them is): exact where every term is 0, a
bound otherwise, about 1e-12 wide on bench/generate.py's leaf-spine estates.

All the diagrams live in one BDD (spoflint.analysis.bdd) over every element that can
fail, in one global order (spoflint.analysis.shared_order). Each network vertex's `lo`
and `hi`, each element's function, each gate's, is built once and reused by every
service that needs it (one unique table; conjunctions of gates remembered across
services, so services with the same needs share them). The work is counted, never
timed: apply steps and nodes, per service and for the topology. Memory is bounded by
the same counts: the apply cache is emptied after each service; given the services it
will answer, the diagram counts which of them reach each node, answers them group by
group (`schedule`: those behind one load balancer together) and drops a node's
diagram, and a leaf's reachability, when the last of them is answered (the fabric's
core stays); the nodes no diagram kept needs go with them whenever the manager has
doubled since the last collection (`COLLECT_AT`). Probabilities are summed in an order
the functions fix, not the manager's numbering, so what was dropped or collected
never changes a bit of an answer.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from .. import graph as fg
from ..model import DEFAULT_SCOPE, Topology
from .bdd import BDD
from .network import Separation
from .shared_order import INF, distances, failing, global_order

COLLECT_AT = 1_500_000  # nodes in the shared manager before the first collection (about 200 bytes a node)
Pair = tuple[int, int]  # a node's diagram under (lo, hi)


class Sandwich:
    """The shared diagram of one topology: every node's diagram under `lo`, and every
    network vertex's (lo, hi), built on demand and kept for the next service."""

    def __init__(
        self,
        t: Topology,
        g: fg.FaultGraph,
        max_nodes: int,
        max_work: int,
        scope: frozenset = DEFAULT_SCOPE,
        services: Iterable[str] = (),
    ):
        self.g = g
        self.q = failing(t, g, scope)
        self.dist = distances(g.network)
        order, fabric = global_order(t, g, self.q, self.dist)
        self.core = set(fabric)
        self.bdd = BDD(order, max_nodes, max_work)
        self.max_work = max_work
        self._network_elements: set[str] | None = None
        self._inputs: set[str] | None = None
        self._collect_at = COLLECT_AT
        self.joins: dict[tuple[str, int, int], int] = {}
        self.level = {e: i for i, e in enumerate(order)}
        self.p = [1 - self.q[e] for e in order]
        self.values: dict[str, int] = {}
        self.reach: dict[str, Pair] = {fg.ROOT: (1, 1)}
        self._separation: Separation | None = None
        self.gaps: dict[str, float] = {}
        self.levels: dict[int, int] = {}  # distance -> some vertex at it is hi
        self.counts: dict[tuple[int, tuple[str, ...]], int] = {}  # at least k of these vertices are lo
        self._needs: dict[str, list[str]] = {}  # a service still to answer -> the nodes its gates reach
        self._users: dict[str, int] = {}  # a node -> how many services still to answer reach it
        for key in services:
            self._need(key)
        self._hubs = sorted(set(t.services) | set(t.storage))  # what groups services (`schedule`)
        self._counting = bool(self._needs)  # drop what no service still to answer needs

    def schedule(self) -> list[str]:
        """The services named at construction in the order to answer them: those that
        reach a common service or storage (the services behind one load balancer)
        together, groups by their first member's id, each group by id. What a group
        shares then goes when the group is done, so the diagrams kept at once are one
        group's, not every group's (an estate's cells are answered one after another)."""
        names = sorted(self._needs)
        head = {key: key for key in names}
        head.update((key, key) for key in self._hubs if key not in head)

        def find(key: str) -> str:
            while head[key] != key:
                head[key] = head[head[key]]
                key = head[key]
            return key

        for key in names:
            for node in self._needs[key]:
                if node in head and node != key:
                    a, b = find(key), find(node)
                    if a != b:
                        head[max(a, b)] = min(a, b)  # the smaller id heads the group
        return sorted(names, key=lambda key: (find(key), key))

    def _closure(self, key: str) -> list[str]:
        """The nodes the gates of `key` reach (not through reachability), inputs first."""
        mine: list[str] = []
        seen: set[str] = set()
        for node in fg.post_order(self.g.gates, (key,), seen):
            seen.add(node)
            mine.append(node)
        return mine

    def _need(self, key: str) -> None:
        """Count service `key` among the users of every node its gates reach (not through
        reachability: the fabric's core diagrams are kept for every service)."""
        if key in self._needs:
            return
        mine = self._needs[key] = self._closure(key)
        users = self._users
        for node in mine:
            users[node] = users.get(node, 0) + 1

    def service(self, key: str) -> tuple[int, float]:
        """Node `key`'s diagram under `lo`, and how much more `hi` can be: at most the
        probability that some vertex whose reachability it reads is `hi` but not `lo`
        (0: none can be, and the diagram under `lo` is the exact structure function)."""
        root = self.value(key)
        gates = self.g.gates
        gap = 0.0
        for node in self._needs.get(key) or self._closure(key):
            gate = gates[node]
            if gate.op == fg.REACH:
                gap += self._gap(gate.inputs[0])
        return root, gap

    def _gap(self, v: str) -> float:
        """P(hi(v) and not lo(v)), once per vertex."""
        found = self.gaps.get(v)
        if found is None:
            lo, hi = self._reach(v)
            found = 0.0 if lo == hi else max(0.0, self.probability(hi)[0] - self.probability(lo)[0])  # lo <= hi
            self.gaps[v] = found
        return found

    def value(self, key: str) -> int:
        """Node `key`'s diagram under `lo`."""
        gates, values, bdd = self.g.gates, self.values, self.bdd
        for node in fg.post_order(gates, (key,), values):
            gate = gates[node]
            if gate.op == fg.REACH:
                values[node] = self._reach(gate.inputs[0])[0]
                continue
            f = self._combine(gate, [values[i] for i in gate.inputs])
            if gate.own in self.level:
                f = self._join("and", bdd.var(self.level[gate.own]), f)
            values[node] = f
        return values[key]

    def _combine(self, gate: fg.Gate, inputs: list[int]) -> int:
        if gate.op == fg.KOFN:
            return self.bdd.at_least(gate.k, inputs)
        op = "and" if gate.op == fg.ALL else "or"
        result = 1 if op == "and" else 0
        for item in inputs:
            result = self._join(op, result, item)
        return result

    def _join(self, op: str, a: int, b: int) -> int:
        """`a op b`, remembered across services (the apply cache is emptied after each):
        services with the same needs share their conjunction."""
        key = (op, a, b) if a < b else (op, b, a)
        found = self.joins.get(key)
        if found is None:
            found = self.joins[key] = self.bdd.apply(op, a, b)
        return found

    def _alive(self, v: str) -> int:
        """Network vertex v is up (its own gate: no reachability below it)."""
        return self.value(v)

    def _reach(self, target: str) -> Pair:
        """The vertex's (lo, hi) reachability, nearest vertices first (no recursion: a
        chain of switches may be thousands deep)."""
        dist, network, reach = self.dist, self.g.network, self.reach
        if target not in dist:
            return (0, 0)
        need, stack = [], [target]
        seen = {target}
        while stack:
            v = stack.pop()
            if v in reach:
                continue
            need.append(v)
            for w in network[v]:
                if w not in seen and dist.get(w, INF) < dist[v]:
                    seen.add(w)
                    stack.append(w)
        bdd = self.bdd
        for v in sorted(need, key=lambda v: dist[v]):
            nearer = [reach[w] for w in network[v] if dist.get(w, INF) < dist[v]]
            alive = self._alive(v)
            uplinks = None if v in self.core else self._uplinks(v)
            if uplinks is None:
                lo = bdd.apply("and", alive, bdd.disjoin(p[0] for p in nearer))
            else:
                lo = bdd.apply("and", alive, self._pigeonhole(*uplinks))
            if self._escapes(v):  # reached, for all hi knows, the other way: through the level before
                hi = bdd.apply("and", alive, self._level(dist[v] - 1))
            elif uplinks is None and all(a == b for a, b in nearer):
                hi = lo  # the plain disjunction of exact neighbours is exact (not the pigeonhole)
            else:
                hi = bdd.apply("and", alive, bdd.disjoin(p[1] for p in nearer))
            reach[v] = (lo, hi)
        found = reach[target]
        if self._counting:  # memory: what no service still needs is recomputed if asked again
            for v in need:
                if v not in self.core:
                    self._release(self._closure(v))
                    if v != target:  # what only led to target (a leaf's uplinks)
                        del reach[v]
        return found

    def _uplinks(self, v: str) -> tuple[list[int], list[str]] | None:
        """When every nearer neighbour of v is a link to one vertex u nearer still
        (a leaf's uplinks to the spines): each link's own variable and its u. Then
        lo(v) = alive(v) and (some link i is itself up and lo(u_i)), exactly."""
        network, dist, gates, level = self.g.network, self.dist, self.g.gates, self.level
        owns, ends = [], []
        for w in network[v]:
            if dist.get(w, INF) >= dist[v]:
                continue
            gate = gates.get(w)
            if gate is None or gate.op != fg.ALL or len(set(gate.inputs)) != 2 or v not in gate.inputs:
                return None  # not a link from v (before walking w's neighbours: a spine has thousands)
            up = [u for u in network[w] if dist.get(u, INF) < dist[w]]
            if len(up) != 1 or set(gate.inputs) != {v, up[0]}:
                return None
            owns.append(self.bdd.var(level[gate.own]) if gate.own in level else 1)
            ends.append(up[0])
        return (owns, ends) if len(ends) > 1 else None

    def _pigeonhole(self, owns: list[int], ends: list[str]) -> int:
        """A lower bound of `some link i up and lo(u_i)` that reads the far ends only
        through how many of them are lo (the diagram then carries a count across the
        racks, not which spines): with m links, at least m - j up and at least j + 1
        ends lo leave some i with both. It misses only when j + 1 ends are lo and the
        links up avoid them, m failures or more among links and ends."""
        bdd, m = self.bdd, len(owns)
        key = tuple(sorted(ends))
        terms = []
        for j in range(m):
            count = self.counts.get((j + 1, key))
            if count is None:
                count = self.counts[(j + 1, key)] = bdd.at_least(j + 1, [self.reach[u][0] for u in key])
            terms.append(bdd.apply("and", bdd.at_least(m - j, owns), count))
        return bdd.disjoin(terms)

    def _level(self, d: int) -> int:
        """Some vertex at distance d is hi: every path from the entry points to a vertex
        farther away passes through one."""
        found = self.levels.get(d)
        if found is None:
            at = [v for v in self.g.network if self.dist.get(v) == d]
            for v in at:
                self._reach(v)
            found = self.levels[d] = self.bdd.disjoin(self.reach[v][1] for v in at)
        return found

    def _escapes(self, v: str) -> bool:
        """Whether a neighbour of v no nearer the entry points can reach them without v."""
        if self._separation is None:
            self._separation = Separation(self.g.network)
        sep, dist = self._separation, self.dist
        pre, low, end = sep.pre, sep.low, sep.end
        at = pre[v]
        kids = sep.children[v]
        starts = [pre[c] for c in kids]
        for w in self.g.network[v]:
            if w == fg.ROOT or w not in pre or dist[w] < dist[v]:
                continue
            if pre[w] < at:  # an ancestor in the depth-first tree
                return True
            c = kids[bisect_right(starts, pre[w]) - 1]  # the child whose subtree holds w
            assert pre[c] <= pre[w] < end[c]
            if low[c] < at:
                return True
        return False

    def probability(self, root: int) -> tuple[float, dict[int, float]]:
        return self.bdd.probability(root, self.p)

    def answer(self, key: str, max_work: int) -> tuple[float, float, dict[str, float], int, int]:
        """Node `key`'s availability between (lower, upper), the Birnbaum importance of
        each element under `lo`, the diagram's size, and the work it took: at most
        `max_work` more steps (past them, TooLarge; what was built is kept, and so
        valid, for the next service)."""
        bdd = self.bdd
        start = bdd.work
        bdd.max_work = min(self.max_work, start + max_work)
        try:
            root, gap = self.service(key)
            lower, importance, size = bdd.measure(root, self.p)
        finally:
            bdd.clear_cache()  # memory: the unique table stays, bounded by its nodes
            self._forget(key)
        ranked = {bdd.order[level]: b for level, b in importance.items()}
        return lower, min(1.0, lower + gap), ranked, size, bdd.work - start

    def _release(self, nodes: list[str]) -> None:
        """Drop the diagrams of `nodes` that no service still to answer reaches (and the
        reachability of a vertex outside the core whose REACH node goes)."""
        users, values, gates, reach, core = self._users, self.values, self.g.gates, self.reach, self.core
        for node in nodes:
            if not users.get(node) and values.pop(node, None) is not None:
                gate = gates[node]
                if gate.op == fg.REACH and gate.inputs[0] not in core:
                    reach.pop(gate.inputs[0], None)

    def _forget(self, key: str) -> None:
        """Drop a service's own diagrams once it is answered, and its nodes with them when
        the manager has doubled since the last collection: memory stays bounded by what
        is shared, not by the services done. For the services named at construction a
        node's diagram goes when the last of them that reaches it is answered (a host's
        with its service, a load balancer's with the last service behind it); another
        service's own nodes (its key and helpers) go unless a gate reads them."""
        needs = self._needs.pop(key, None)
        if needs is not None:
            users = self._users
            for node in needs:
                users[node] -= 1
            self._release(needs)
        else:
            if self._inputs is None:
                self._inputs = {i for gate in self.g.gates.values() for i in gate.inputs}
            if key not in self._inputs:
                mine = key + fg.SEP
                for node in [n for n in self.values if n == key or n.startswith(mine)]:
                    del self.values[node]
        bdd = self.bdd
        if len(bdd.nodes) <= self._collect_at:
            return
        tables: list[dict] = [self.values, self.counts, self.levels]
        roots = [u for table in tables for u in table.values()] + [u for pair in self.reach.values() for u in pair]
        remap = bdd.collect(roots)
        for table in tables:
            for k, u in table.items():
                table[k] = remap[u]
        self.reach = {v: (remap[lo], remap[hi]) for v, (lo, hi) in self.reach.items()}
        self.joins = {
            (op, remap[a], remap[b]): remap[r]
            for (op, a, b), r in self.joins.items()
            if remap[a] >= 0 and remap[b] >= 0 and remap[r] >= 0
        }
        self._collect_at = max(COLLECT_AT, 2 * len(bdd.nodes))

    def elements(self, key: str) -> int:
        """How many elements that can fail node `key` depends on: those below its gates,
        and, if it reads reachability, those below the whole network (counted once)."""
        gates, q = self.g.gates, self.q
        own: set[str] = set()
        reads = False
        for node in self._closure(key):
            gate = gates[node]
            reads = reads or gate.op == fg.REACH
            if gate.own is not None and gate.own in q:
                own.add(gate.own)
        if not reads:
            return len(own)
        if self._network_elements is None:
            below: set[str] = set()
            done: set[str] = set()
            for node in fg.post_order(gates, self.g.vertices(), done):
                done.add(node)
                mine = gates[node].own
                if mine is not None and mine in q:
                    below.add(mine)
            self._network_elements = below
        return len(own | self._network_elements)
