"""Minimal cut sets up to an order K: the smallest sets of failure candidates whose joint
failure takes a user-facing service down (topology.md: "two or more simultaneous
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

Reachability (REACH nodes) is the non-local part. A set S of candidates removes the
network vertices one of whose sets lies inside S; a vertex is cut off when the BFS tree
from the entry points loses its way up and no path of remaining vertices leads back
(the local re-check of spoflint.analysis). Candidate sets are not all combinations: a
minimal cut set S is *connected* in an interaction graph over the elements that remove
something. If S split into parts T and U with no set of a vertex spanning both, a vertex
v cut off by S but by neither part lies in the affected subtree of one part, say T,
and T alone lets it rejoin; its way back must run through what U affects. So U's
affected subtrees meet T's rejoin zone (the rejoined vertices and their neighbours; for
K >= 3, where T may be several sets, the affected subtrees and their neighbours). Sets
are grown only along those edges, and a pair whose larger half affects a big subtree is
re-checked against the BFS tree of the network without that half (computed once per
half), so that no pair walks the whole fabric.

The whole computation is bounded: a node keeps at most `MAX_FAMILY` sets (beyond that,
its largest sets are dropped a size at a time and its family is then exact only up to a
lower order), each service reports at most `max_sets` sets, and past `time_budget`
seconds what is left is computed at order 1. Whatever is cut short is reported:
`truncated` and `complete_order` (the order up to which the sets listed are exact).

Ranking: by size, then most probable first (the product of the elements' unavailability:
1 - the availability an element declares, else the default of its section,
DEFAULT_UNAVAILABILITY), then by ids.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass

from .. import graph as fg
from ..model import DEFAULT_SCOPE, Topology
from .network import bfs_tree
from .network import separate as cut_off

DOWN = None
MAX_FAMILY = 20_000  # sets kept per fault-graph node
BIG_SUBTREE = 32  # pairs whose base affects more vertices than this use a residual BFS tree

# Default unavailability (fraction of time down) by section, for ranking sets of one
# size: rough industry figures, documented in README.md ("Cut sets").
DEFAULT_UNAVAILABILITY = {
    "zones": 1e-5,
    "power": 5e-4,
    "cooling": 1e-3,
    "racks": 1e-4,
    "network": 5e-4,
    "links": 2e-4,
    "hosts": 1e-3,
    "storage": 5e-4,
}


@dataclass(frozen=True)
class CutSets:
    """A service's minimal cut sets, ranked."""

    service: str
    sets: tuple[tuple[str, ...], ...]  # each sorted by id
    probabilities: tuple[float, ...]
    truncated: bool  # some sets may be missing (max_sets, MAX_FAMILY or the time budget)
    complete_order: int  # the listed sets are exactly the minimal ones up to this size


def cut_sets(
    t: Topology,
    order: int = 2,
    scope: frozenset = DEFAULT_SCOPE,
    max_sets: int = 1000,
    time_budget: float = 60.0,
    g: fg.FaultGraph | None = None,
) -> list[CutSets]:
    """The minimal cut sets up to `order` of every user-facing service that is up with
    nothing failed, sorted by service id."""
    if order < 1:
        raise ValueError("order must be at least 1")
    analysis = _Propagation(t, g or fg.build(t), order, scope, time_budget)
    out = []
    for svc in sorted(t.services):
        if not t.services[svc].public:
            continue
        family = analysis.family(svc)
        if family is DOWN:
            continue
        limit = analysis.limit.get(svc, order)
        ranked = sorted(_rank_key(s, analysis.unavailability) for s in family)
        truncated = limit < order or len(ranked) > max_sets
        ranked = ranked[:max_sets]
        out.append(CutSets(svc, tuple(r[2] for r in ranked), tuple(-r[1] for r in ranked), truncated, limit))
    return out


def cut_sets_of(facts, order: int) -> list[CutSets]:
    """`cut_sets` for the model a rule reads (spoflint.analysis.Facts), computed once
    per order and shared."""
    cache = facts.__dict__.setdefault("_cut_sets", {})
    if order not in cache:
        cache[order] = cut_sets(facts.topology, order, facts.scope, g=facts.graph)
    return cache[order]


def _rank_key(s: frozenset, unavailability) -> tuple:
    ids = tuple(sorted(s))
    return (len(ids), -math.prod(unavailability(e) for e in ids), ids)


def unavailability_of(t: Topology):
    """An element's unavailability: 1 - its declared availability (the model keeps
    `availability:`, or `mtbf:`/`mttr:`, as a fraction), else its section's default."""
    section_of = t.section_of
    declared = getattr(t, "availability", None) or {}

    def get(eid: str) -> float:
        if eid in declared:
            return 1 - declared[eid]
        return DEFAULT_UNAVAILABILITY.get(section_of[eid], 1e-3)

    return get


class _Propagation:
    def __init__(self, t: Topology, g: fg.FaultGraph, order: int, scope: frozenset, time_budget: float):
        self.t, self.g, self.order = t, g, order
        self.can_fail = t.failure_candidates(scope)
        self.values: dict[str, list | None] = {}
        self.limit: dict[str, int] = {}  # nodes whose family is exact only up to a lower order
        self.deadline = time.monotonic() + time_budget
        self.unavailability = unavailability_of(t)
        self._network_done = False

    def _order(self) -> int:
        return self.order if time.monotonic() < self.deadline else 1

    def family(self, key: str):
        values, gates = self.values, self.g.gates
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
            depth = len(stack)
            for i in gate.inputs:
                if i not in values:
                    stack.append(i)
            if len(stack) == depth:
                stack.pop()
                values[top] = self._combine(top, gate)
        return values[key]

    def _combine(self, key: str, gate: fg.Gate):
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
            return self._keep(key, _minimal([s for f in families for s in f], limit), limit)
        ups = [values[i] for i in inputs if values[i] is not DOWN]
        if op == fg.ANY:
            if not ups:
                return DOWN
            return self._keep(key, _minimal(own_set + _product(ups, limit), limit), limit)
        if len(ups) < k:  # KOFN
            return DOWN
        needed = len(ups) - k + 1
        if needed <= 1:
            sets = own_set + [s for v in ups for s in v]
        elif needed == len(ups):
            sets = own_set + _product(ups, limit)
        else:
            sets = own_set + _at_least(ups, needed, limit)
        return self._keep(key, _minimal(sets, limit), limit)

    def _keep(self, key: str, family: list, limit: int) -> list:
        """Record the node's exact order; over MAX_FAMILY sets, drop the largest sizes."""
        while len(family) > MAX_FAMILY and limit > 1:
            limit -= 1
            family = [s for s in family if len(s) <= limit]
        if limit < self.order:
            self.limit[key] = limit
        return family

    # --- reachability ------------------------------------------------------------
    def _network(self) -> None:
        if self._network_done:
            return
        self._network_done = True
        adjacency = self.g.network
        vertices = [v for v in adjacency if v != fg.ROOT]
        fam = {v: self.family(v) for v in vertices}
        parent, children = bfs_tree(adjacency, lambda w: fam.get(w) is not DOWN)
        limit = min([self.order] + [self.limit[v] for v in vertices if v in self.limit and v in parent])
        reach = _Reachability(adjacency, parent, children, fam, limit, self.deadline)
        families, limit = reach.run()
        for v in self.t.network:
            key = fg.reach(v)
            if v not in parent:
                self.values[key] = DOWN
                continue
            self.values[key] = _minimal(families.get(v, ()), limit)
            if limit < self.order:
                self.limit[key] = limit


class _Reachability:
    """Minimal sets of at most `order` candidates that cut each reachable network vertex
    off the entry points (see the module docstring)."""

    def __init__(self, adjacency, parent, children, fam, order: int, deadline: float):
        self.adjacency, self.parent, self.children = adjacency, parent, children
        self.order, self.deadline = order, deadline
        removes: dict[frozenset, set] = {}  # atom -> vertices whose family holds it
        for v in parent:
            if v == fg.ROOT:
                continue
            for m in fam[v]:
                if len(m) <= order:
                    removes.setdefault(m, set()).add(v)
        self.removes = removes

    def removed(self, s: frozenset, skip: frozenset | None = None) -> set:
        """The vertices the candidates `s` remove (leaving out the atom `skip`'s own)."""
        out: set = set()
        removes = self.removes
        items = sorted(s)
        for size in range(1, len(items) + 1):
            for sub in itertools.combinations(items, size):
                key = frozenset(sub)
                if key == skip:
                    continue
                hit = removes.get(key)
                if hit:
                    out |= hit
        return out

    def run(self):
        order = self.order
        found: dict[str, list] = {}
        try:
            self._enumerate(found)
        except _OutOfTime:
            order = 1
            found = {}
            self.order = 1
            self._enumerate(found)
        return found, order

    def _enumerate(self, found: dict) -> None:
        adjacency, parent, children, order = self.adjacency, self.parent, self.children, self.order
        atoms = [m for m in self.removes if len(m) <= order]
        info = {}  # atom -> (cut, affected, rejoined) on the full tree
        for m in atoms:
            info[m] = cut_off(self.removed(m), adjacency, parent, children)

        def record(s, cut):
            for v in cut:
                found.setdefault(v, []).append(s)

        singles = set()
        single_cut: dict[str, set] = {}
        for m in atoms:
            if len(m) == 1:
                (e,) = m
                singles.add(e)
                single_cut[e] = info[m][0]
                record(m, info[m][0])
        # singles that remove nothing still matter when some atom holds them with others
        for m in atoms:
            if len(m) == 1:
                continue
            for e in m:
                if frozenset((e,)) not in info:
                    singles.add(e)
        if order == 1:
            return
        # the interaction graph
        affected_by: dict[str, list[frozenset]] = {}
        for m in atoms:
            for x in info[m][1]:
                affected_by.setdefault(x, []).append(m)
        neighbours: dict[str, set] = {e: set() for e in singles}
        for m in atoms:
            if len(m) > 1:
                for a in m:
                    neighbours[a].update(b for b in m if b != a)
            cut, affected, rejoined = info[m]
            if order == 2:
                if len(m) > 1:
                    continue  # a pair atom is a whole candidate by itself
                zone = set(rejoined)
                for x in rejoined:
                    zone.update(w for w in adjacency[x] if w in parent)
            else:
                zone = set(affected)
                for x in affected:
                    zone.update(w for w in adjacency[x] if w in parent)
            others: set = set()
            for x in zone:
                others.update(affected_by.get(x, ()))
            touched = {b for other in others for b in other}
            for a in m:
                neighbours[a].update(touched)
                neighbours[a].discard(a)
                for b in touched:
                    if b != a:
                        neighbours[b].add(a)
        # connected sets of 2..order elements, grown along the edges
        level = {frozenset((e,)) for e in singles}
        seen = set(level)
        residuals: dict[str, tuple] = {}
        big = {next(iter(m)): len(info[m][1]) for m in atoms if len(m) == 1 and len(info[m][1]) > BIG_SUBTREE}
        for size in range(2, order + 1):
            grown = set()
            for s in level:
                for a in s:
                    for b in neighbours.get(a, ()):
                        if b in s:
                            continue
                        u = s | {b}
                        if u not in seen:
                            seen.add(u)
                            grown.add(u)
            pending = sorted(grown, key=lambda u: sorted(u))
            for count, u in enumerate(pending):
                if count % 256 == 0 and time.monotonic() > self.deadline:
                    raise _OutOfTime
                base = max(u, key=lambda e: (big.get(e, 0), e)) if size == 2 else None
                if base is not None and base in big:
                    cut = self._with_residual(base, self.removed(u, frozenset((base,))), residuals)
                else:
                    removed = self.removed(u)
                    if not removed:
                        continue
                    cut = cut_off(removed, adjacency, parent, children)[0]
                for e in u:  # where one element alone cuts a vertex off, u is not minimal
                    alone = single_cut.get(e)
                    if alone:
                        cut = cut - alone
                record(u, cut)
            level = grown

    def _with_residual(self, base: str, removed: set, residuals: dict) -> set:
        """What `removed` cuts off beyond what `base` cuts off alone, when base fails too:
        what it cuts off the network that remains without base."""
        if base not in residuals:
            gone = self.removed(frozenset((base,)))
            base_cut = cut_off(gone, self.adjacency, self.parent, self.children)[0]
            residuals[base] = bfs_tree(self.adjacency, lambda w: w in self.parent and w not in base_cut)
        parent, children = residuals[base]
        extra = {v for v in removed if v in parent}
        if not extra:
            return set()
        return cut_off(extra, self.adjacency, parent, children)[0]


class _OutOfTime(Exception):
    pass


# --- families ---------------------------------------------------------------------


def _minimal(sets, limit: int) -> list:
    """The sets of at most `limit` elements that hold no other set of the collection."""
    unique = {s for s in sets if len(s) <= limit}
    if len(unique) <= 1:
        return list(unique)
    by_size: dict[int, list] = {}
    for s in unique:
        by_size.setdefault(len(s), []).append(s)
    if len(by_size) == 1:  # sets of one size never hold one another
        return list(unique)
    singles = {e for s in by_size.get(1, ()) for e in s}
    kept = list(by_size.get(1, ()))
    larger: set = set()  # kept sets of 2 or more elements
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


def _product(families: list, limit: int) -> list:
    """One set from each family, unioned; unions over `limit` dropped as they arise."""
    families = sorted(families, key=len)
    if not families or any(not f for f in families):
        return []
    current = families[0]
    for f in families[1:]:
        current = _minimal(_product2(current, f, limit), limit)
        if not current:
            return []
    return list(current)


def _product2(a_sets, b_sets, limit: int) -> set:
    """The unions of one set of each of two minimal families, up to `limit` elements.
    A set in both is its own union and holds every other union with it; a union of two
    sets neither of which holds the other is larger than both, so only sets under the
    limit pair up that way."""
    a_all, b_all = set(a_sets), set(b_sets)
    out = a_all & b_all
    a_rest, b_rest = a_all - out, b_all - out
    for mine, other in ((a_rest, b_all), (b_rest, a_all)):
        for s in mine:
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
    a_small = [s for s in a_rest if len(s) < limit]
    b_small = [s for s in b_rest if len(s) < limit]
    for x in a_small:
        for y in b_small:
            u = x | y
            if len(u) <= limit:
                out.add(u)
    return out


def _at_least(families: list, needed: int, limit: int) -> list:
    """Unions of at most `limit` elements that take down at least `needed` of the inputs
    whose families these are: for every union, the most inputs it is known to down."""
    states: dict[frozenset, int] = {frozenset(): 0}
    remaining = len(families)
    for f in families:
        remaining -= 1
        nxt: dict[frozenset, int] = {}
        for s, c in states.items():
            if c + remaining >= needed and nxt.get(s, -1) < c:
                nxt[s] = c
            for m in f:
                u = s | m
                if len(u) <= limit and c + 1 + remaining >= needed and nxt.get(u, -1) < c + 1:
                    nxt[u] = c + 1
        states = nxt
    return [s for s, c in states.items() if c >= needed]
