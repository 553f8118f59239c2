"""Minimal cut sets up to an order K: the smallest sets of failure candidates whose joint
failure takes a user-facing service down (docs/format.md: "two or more simultaneous
independent failures are best effort").

Truncated bottom-up propagation over the fault graph (spoflint.graph). Every node gets
its *family*: the minimal sets of at most K candidates that take it down (DOWN, None,
when it is down with nothing failed), minimised by subsumption at every node:

- `all` gate (up iff every input is up): the union of its inputs' families;
- `any` gate (up iff some input is up): the cross product of its up inputs' families
  (one set from each, unioned), dropping unions larger than K;
- `kofn` gate (up iff >= k of its n up inputs are up): the unions of one set from each
  of any n - k + 1 inputs, found by a small dynamic programme over the inputs that keeps,
  for every union of at most K elements, how many inputs it is known to take down;
- and `{own}` when the node's element can fail.

Reachability (REACH nodes) is the non-local part: the sets that cut each network vertex
off the entry points are enumerated over the network graph by
spoflint.analysis.cutsets_network.

The whole computation is bounded by counted work, never by time, and the count bounds
memory too: a node keeps at most `MAX_FAMILY` sets, and while one is being combined
(the unions of a product, the states of a k-of-n) at most `MAX_PENDING`; beyond either,
its largest sets are dropped a size at a time and its family is then exact only up to a
lower order. Each union formed, set scanned, state kept or set checked is one step of
`max_work`; once they are spent, what is left is computed at order 1 (which costs no
more than the single-failure analysis). Orders above 2 deepen a pass at a time (2, 3,
..., K, each with its own budget) and every service keeps its most exact pass, so a
pass cut short never answers less than a lower order. Each service reports at most
`max_sets` sets. Whatever is cut short is reported: `truncated` and `complete_order`
(the order up to which the sets listed are exact; none listed is larger).

Ranking: by size, then most probable first (the product of the elements'
unavailabilities, 1 - their availability from spoflint.analysis.figures: the figure an
element declares, else its kind's default), then by ids.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .. import graph as fg
from ..model import DEFAULT_SCOPE, Topology
from .cutsets_network import Reachability, Work
from .figures import element_unavailability
from .network import bfs_tree

DOWN = None
MAX_FAMILY = 20_000  # sets kept per fault-graph node
MAX_PENDING = 100_000  # sets held while one node's family is combined
MAX_WORK = 10_000_000  # steps of work (unions formed, states kept, sets checked) per pass, at least
WORK_PER_NODE = 500  # and per fault-graph node: the budget grows with the estate, so order 2 stays whole

Family = list[frozenset[str]]  # the minimal sets of candidates that take a node down


@dataclass(frozen=True)
class CutSets:
    """A service's minimal cut sets, ranked."""

    service: str
    sets: tuple[tuple[str, ...], ...]  # each sorted by id
    probabilities: tuple[float, ...]
    truncated: bool  # some sets may be missing (max_sets, MAX_FAMILY, MAX_PENDING or the work budget)
    complete_order: int  # the listed sets are exactly the minimal ones up to this size


def cut_sets(
    t: Topology,
    order: int = 2,
    scope: frozenset = DEFAULT_SCOPE,
    max_sets: int = 1000,
    max_work: int | None = None,
    g: fg.FaultGraph | None = None,
) -> list[CutSets]:
    """The minimal cut sets up to `order` of every user-facing service that is up with
    nothing failed, sorted by service id.

    Orders above 2 deepen one at a time (2, 3, ..., `order`), each pass with its own
    budget of `max_work` steps (by default MAX_WORK, or WORK_PER_NODE per fault-graph
    node where that is more): a service keeps the pass that is exact to the highest
    order, so a pass cut short never answers less than a lower order does. Deepening
    stops at the first pass that is exact at its order for no service."""
    if order < 1:
        raise ValueError("order must be at least 1")
    g = g or fg.build(t)
    budget = max(MAX_WORK, WORK_PER_NODE * len(g.gates)) if max_work is None else max_work
    best: dict[str, CutSets] = {}
    for k in range(min(order, 2), order + 1):
        analysis = _Propagation(t, g, k, scope, budget)
        deeper = False
        for svc in sorted(t.services):
            if not t.services[svc].public:
                continue
            family = analysis.family(svc)
            if family is DOWN:
                continue
            limit = analysis.limit.get(svc, k)
            deeper = deeper or limit == k
            if svc not in best or limit > best[svc].complete_order:
                ranked = sorted(_rank_key(s, analysis.unavailability) for s in family)
                truncated = limit < order or len(ranked) > max_sets
                ranked = ranked[:max_sets]
                sets, probabilities = tuple(r[2] for r in ranked), tuple(-r[1] for r in ranked)
                best[svc] = CutSets(svc, sets, probabilities, truncated, limit)
        del analysis  # one pass's families held at a time
        if not deeper:
            break
    return [best[svc] for svc in sorted(best)]


def _rank_key(s: frozenset[str], unavailability: Callable[[str], float]) -> tuple[int, float, tuple[str, ...]]:
    """Sort key: size, then the most probable first, then ids."""
    ids = tuple(sorted(s))
    return (len(ids), -math.prod(unavailability(e) for e in ids), ids)


class _Propagation:
    """Every fault-graph node's family, computed on demand, inputs first."""

    def __init__(self, t: Topology, g: fg.FaultGraph, order: int, scope: frozenset, max_work: int):
        self.t, self.g, self.order, self.scope = t, g, order, scope
        self.can_fail = t.failure_candidates(scope)
        self.values: dict[str, Family | None] = {}
        self.limit: dict[str, int] = {}  # nodes whose family is exact only up to a lower order
        self.work = Work(max_work)
        self._unavailability: dict[str, float] = {}
        self._network_done = False

    def unavailability(self, eid: str) -> float:
        """An element's unavailability (spoflint.analysis.figures), looked up once."""
        known = self._unavailability.get(eid)
        if known is None:
            known = self._unavailability[eid] = element_unavailability(self.t, eid, self.scope)
        return known

    def _order(self) -> int:
        return 1 if self.work.spent else self.order

    def family(self, key: str) -> Family | None:
        """The node's family (DOWN when it is down with nothing failed)."""
        values, gates = self.values, self.g.gates
        for node in fg.post_order(gates, (key,), values):
            gate = gates[node]
            if gate.op == fg.REACH:
                self._network()  # every REACH node at once
            else:
                values[node] = self._combine(node, gate)
        return values[key]

    def _combine(self, key: str, gate: fg.Gate) -> Family | None:
        """A node's family from its inputs' (all known)."""
        op, inputs, k, own = gate
        values, limits = self.values, self.limit
        own_set = [frozenset((own,))] if own is not None and self.can_fail[own] else []
        limit = min([self._order()] + [limits[i] for i in inputs if i in limits])
        if op == fg.ALL:
            families = [own_set] if own_set else []
            for i in inputs:
                v = values[i]
                if v is DOWN:
                    return DOWN
                if v:
                    families.append(v)
            if len(families) == 1 and limit == self.order:  # shared, not copied
                return self._keep(key, families[0], limit)
            return self._union(key, families, limit)
        ups = [v for v in (values[i] for i in inputs) if v is not DOWN]
        if op == fg.ANY:
            if not ups:
                return DOWN
            sets, limit = _product(ups, limit, self.work)
            return self._keep(key, _minimal(own_set + sets, limit, self.work), limit)
        if len(ups) < k:  # KOFN
            return DOWN
        needed = len(ups) - k + 1
        if needed <= 1:
            return self._union(key, [own_set, *ups], limit)
        if needed == len(ups):
            sets, limit = _product(ups, limit, self.work)
        else:
            sets, limit = _at_least(ups, needed, limit, self.work)
        return self._keep(key, _minimal(own_set + sets, limit, self.work), limit)

    def _union(self, key: str, families: list[Family], limit: int) -> Family:
        """The minimal sets of the families together, at most MAX_PENDING held: the
        largest sizes go first."""
        while limit > 1 and sum(1 for f in families for s in f if len(s) <= limit) > MAX_PENDING:
            limit -= 1
        self.work.spend(sum(map(len, families)))
        return self._keep(key, _minimal([s for f in families for s in f if len(s) <= limit], limit, self.work), limit)

    def _keep(self, key: str, family: Family, limit: int) -> Family:
        """Record the node's exact order; over MAX_FAMILY sets, drop the largest sizes."""
        while len(family) > MAX_FAMILY and limit > 1:
            limit -= 1
            family = [s for s in family if len(s) <= limit]
        if limit < self.order:
            self.limit[key] = limit
        return family

    def _network(self) -> None:
        """The families of every REACH node (spoflint.analysis.cutsets_network)."""
        if self._network_done:
            return
        self._network_done = True
        adjacency = self.g.network
        vertices = self.g.vertices()
        fam = {v: self.family(v) for v in vertices}
        parent, children = bfs_tree(adjacency, lambda w: fam.get(w) is not DOWN)
        limit = min([self.order] + [self.limit[v] for v in vertices if v in self.limit and v in parent])
        reach = Reachability(adjacency, parent, children, fam, limit, self.work)
        families, limit = reach.run()
        for v in self.t.network:
            key = fg.reach(v)
            if v not in parent:
                self.values[key] = DOWN
                continue
            self.values[key] = _minimal(families.get(v, ()), limit, self.work)
            if limit < self.order:
                self.limit[key] = limit


# --- families ---------------------------------------------------------------------


def _minimal(sets: Iterable[frozenset[str]], limit: int, work: Work | None = None) -> Family:
    """The sets of at most `limit` elements that hold no other set of the collection
    (each set checked is a step of `work`)."""
    unique = {s for s in sets if len(s) <= limit}
    if work is not None:
        work.spend(len(unique))
    if len(unique) <= 1:
        return list(unique)
    by_size: dict[int, Family] = {}
    for s in unique:
        by_size.setdefault(len(s), []).append(s)
    if len(by_size) == 1:  # sets of one size never hold one another
        return list(unique)
    singles = {e for s in by_size.get(1, ()) for e in s}
    kept = list(by_size.get(1, ()))
    larger: set[frozenset[str]] = set()  # kept sets of 2 or more elements
    for n in sorted(by_size):
        if n == 1:
            continue
        for s in by_size[n]:
            if not singles.isdisjoint(s):
                continue
            if (
                n > 2
                and larger
                and any(frozenset(sub) in larger for size in range(2, n) for sub in itertools.combinations(s, size))
            ):
                continue
            larger.add(s)
            kept.append(s)
    return kept


def _smaller(sets: set[frozenset[str]], limit: int, work: Work) -> int:
    """The limit a combination in progress drops to: 1 once the work is spent, else
    one less while it holds more than MAX_PENDING sets (those over it are removed)."""
    new = 1 if work.spent else limit
    while new > 1 and len(sets) > MAX_PENDING:
        new -= 1
        sets.difference_update([s for s in sets if len(s) > new])
    if new < limit:
        sets.difference_update([s for s in sets if len(s) > new])
    return new


def _product(families: list[Family], limit: int, work: Work) -> tuple[Family, int]:
    """One set from each family, unioned; unions over `limit` dropped as they arise.
    Returns the sets and the limit they are exact up to (lower when MAX_PENDING or the
    work budget cut it)."""
    families = sorted(families, key=len)
    if not families or any(not f for f in families):
        return [], limit
    current = families[0]
    for f in families[1:]:
        pairs, limit = _product2(current, f, limit, work)
        current = _minimal(pairs, limit, work)
        if not current:
            return [], limit
    return list(current), limit


def _product2(a_sets: Family, b_sets: Family, limit: int, work: Work) -> tuple[set[frozenset[str]], int]:
    """The unions of one set of each of two minimal families, up to `limit` elements
    (lowered as `_smaller` says while they are formed, each a step of `work`).
    A set in both is its own union and holds every other union with it; a union of two
    sets neither of which holds the other is larger than both, so only sets under the
    limit pair up that way; at limit 1 no pair is needed."""
    a_all, b_all = set(a_sets), set(b_sets)
    out = a_all & b_all
    a_rest, b_rest = a_all - out, b_all - out
    for mine, other in ((a_rest, b_all), (b_rest, a_all)):
        for s in mine:
            if len(s) > limit:
                continue
            if len(s) == 1:
                if s in other:
                    out.add(s)
                continue
            items = tuple(s)
            if any(
                frozenset(sub) in other
                for size in range(1, len(items) + 1)
                for sub in itertools.combinations(items, size)
            ):
                out.add(s)  # it holds a set of the other family: the union is itself
    work.spend(len(a_rest) + len(b_rest))
    limit = _smaller(out, limit, work)
    b_small = [s for s in b_rest if len(s) < limit]
    for x in a_rest:
        if len(x) >= limit:
            continue
        for y in b_small:
            u = x | y
            if len(u) <= limit:
                out.add(u)
        work.spend(len(b_small))
        if work.spent or len(out) > MAX_PENDING:
            limit = _smaller(out, limit, work)
            b_small = [s for s in b_small if len(s) < limit]
    return out, limit


def _at_least(families: list[Family], needed: int, limit: int, work: Work) -> tuple[Family, int]:
    """Unions of at most `limit` elements that take down at least `needed` of the inputs
    whose families these are: for every union, the most inputs it is known to down.
    Returns them and the limit they are exact up to (lowered as `_smaller` says)."""
    states: dict[frozenset[str], int] = {frozenset(): 0}
    remaining = len(families)
    for f in families:
        remaining -= 1
        nxt: dict[frozenset[str], int] = {}
        for s, c in states.items():
            if len(s) > limit:
                continue
            if c + remaining >= needed and nxt.get(s, -1) < c:
                nxt[s] = c
            for m in f:
                u = s | m
                if len(u) <= limit and c + 1 + remaining >= needed and nxt.get(u, -1) < c + 1:
                    nxt[u] = c + 1
            work.spend(len(f) + 1)
            if work.spent or len(nxt) > MAX_PENDING:
                keys = set(nxt)
                limit = _smaller(keys, limit, work)
                nxt = {u: n for u, n in nxt.items() if u in keys}
        states = nxt
    return [s for s, c in states.items() if c >= needed], limit
