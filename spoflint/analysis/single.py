"""Single failures: for every fault-graph node, the elements whose failure alone takes it down.

`SingleFailures`: for every fault-graph node, the set of elements whose
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

from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any, cast

from .. import graph as fg
from ..model import DEFAULT_SCOPE, Topology
from ..nogc import paused
from . import network
from .network import Children, Parent, Separation, _center, _cut_off, _everything, bfs_tree
from .runs import Runs
from .shared_sets import SHARE_FROM, Shared, materialised

try:  # the sweep's loop in C (_csweep.c), where it was built; the same values without it
    from . import _csweep
except ImportError:  # pragma: no cover - installed without a compiler
    _csweep = None  # type: ignore[assignment]

DOWN = None
Value = frozenset[str] | Shared | None  # a node's set as kept: shared along chains (shared_sets.py)


class SingleFailures:
    """Elements whose single failure downs each fault-graph node."""

    def __init__(self, t: Topology, g: fg.FaultGraph, scope: frozenset = DEFAULT_SCOPE):
        self.t, self.g, self.scope = t, g, scope
        self.can_fail = t.failure_candidates(scope)
        # room for every node's set up front (a sweep sets them all)
        self.values: dict[str, Value] = _csweep.presized(len(g.gates)) if _csweep is not None else {}
        self.events: dict[str, set[str]] = {}  # candidate -> network vertices it takes down
        self.tree_parent: Parent = {}
        self.tree_children: Children = {}  # and its children: the BFS tree of the live network
        self.whole_network: Separation | None = None  # the separation of the whole network, every vertex up
        self._network_done = False
        self._swept = False
        self.walked = 0  # steps the explanations (chains, groups lost together) have walked: their work
        self._shared: dict[tuple[str, tuple[str, ...], int], tuple[Value]] = {}

    def of(self, key: str) -> frozenset[str] | None:
        """The set for one node, as a plain frozenset (a copy when the node shares its
        set along a chain: `contains` and `size` ask without one)."""
        return materialised(self.value(key))

    def contains(self, key: str, element: str) -> bool:
        """Whether `element` is in node `key`'s set (False when the node is DOWN)."""
        value = self.value(key)
        return value is not DOWN and element in value

    def size(self, key: str) -> int:
        """How many elements node `key`'s set holds (0 when it is DOWN)."""
        return len(self.value(key) or ())

    def value(self, key: str) -> Value:
        """The set for one node as kept. The first call computes every node, in the order the
        graph was built (mostly inputs first, so the stack below rarely grows): the
        analyses need nearly all of them, and one sweep is cheaper than many descents."""
        values = self.values
        if key in values:
            return values[key]
        if not self._swept:
            self._swept = True
            with paused():
                self._sweep()
            return values[key]
        return self._resolve(key)

    def _sweep(self) -> None:
        """Every node's set, in build order. Two-input gates over small plain sets (most
        of an estate's gates: an element on its rack and power, a link on its ends, a
        host's way out) are combined here, as `_combine` would, without its call; in C
        (`_csweep.c`) where it was built, handing back to `_resolve` and `_combine` all
        that this loop hands them."""
        values, can_fail = self.values, self.can_fail
        if _csweep is not None:
            _csweep.sweep(
                self.g.gates,
                values,
                can_fail,
                SHARE_FROM,
                _EMPTY,
                fg.REACH,
                fg.ALL,
                fg.ANY,
                self._resolve,
                self._combine,
            )
            return
        combine, reach, all_, any_ = self._combine, fg.REACH, fg.ALL, fg.ANY
        get = values.get
        a: Any  # an input's value, or `values` itself for one not known yet
        b: Any
        for node, gate in self.g.gates.items():
            if node in values:
                continue
            op, ins, _, own = gate
            if op == reach:
                self._resolve(node)
                continue
            if len(ins) == 2:
                a, b = get(ins[0], values), get(ins[1], values)
                if a is values or b is values:  # an input further down the order
                    self._resolve(node)
                    continue
                if a is DOWN or b is DOWN:
                    if op == all_:
                        values[node] = DOWN
                        continue
                elif len(a) < SHARE_FROM and len(b) < SHARE_FROM:  # plain frozensets
                    if own is not None and not can_fail[own]:
                        own = None
                    if op == all_:
                        values[node] = _both(a, b, own)
                        continue
                    if op == any_ and own is None:
                        values[node] = (a & b) or _EMPTY  # nothing in common: the one empty set
                        continue
                values[node] = combine(gate, [a, b])
                continue
            try:
                inputs = [values[i] for i in ins]
            except KeyError:  # an input further down the order
                self._resolve(node)
            else:  # the usual case: every input known
                values[node] = combine(gate, inputs)

    def _resolve(self, key: str) -> Value:
        """The set for one node, resolving what it needs first (inputs first)."""
        values = self.values
        gates, combine = self.g.gates, self._combine
        for node in fg.post_order(gates, (key,), values):
            gate = gates[node]
            if gate.op == fg.REACH:
                self._network()  # every REACH node at once
            else:
                values[node] = combine(gate, [values[i] for i in gate.inputs])
        return values[key]

    def _combine(self, gate: fg.Gate, inputs: list[Value]) -> Value:
        """A node's set from its inputs' sets. Sets are shared rather than copied where a
        node has the same set as an input: a million elements make millions of nodes,
        most of them with a set equal to one of their inputs'; a node that adds a few
        elements to a large input's set extends it in place (`Shared`)."""
        op, _, k, own = gate
        if own is not None and not self.can_fail[own]:
            own = None
        if op == fg.ALL:
            if any(v is not DOWN and len(v) >= SHARE_FROM for v in inputs):
                return DOWN if DOWN in inputs else _extended([v for v in inputs if v], own)
            small = cast(list[frozenset[str] | None], inputs)  # plain sets, each below SHARE_FROM
            if len(small) == 2:  # the most common gate by far
                a, b = small
                if a is None or b is None:  # DOWN
                    return DOWN
                if len(b) < len(a):
                    b, a = a, b
                if not a or a <= b:  # one set holds the other (a chain of services on the same hosts)
                    return b if own is None or own in b else b | {own}
                return a | b if own is None else frozenset((own,)).union(a, b)
            if DOWN in small:
                return DOWN
            return _union([v for v in small if v], own)
        if own is None:  # gates over the same inputs have the same set: one object, not a copy each
            key = (op, gate.inputs, k)
            known = self._shared.get(key)
            if known is None:
                known = self._shared[key] = (self._choice(op, k, own, inputs),)
            return known[0]
        return self._choice(op, k, own, inputs)

    def _choice(self, op: str, k: int, own: str | None, inputs: list[Value]) -> Value:
        """An `any` or `k-of-n` gate's set from its inputs' sets."""
        ups: list = [v for v in inputs if v is not DOWN]
        if len(ups) == 1 and isinstance(ups[0], Shared) and (op == fg.ANY or k == 1):
            return _extended(ups, own)  # one way left: its set, shared
        ups = [materialised(v) for v in ups]
        if op == fg.ANY:
            if not ups:
                return DOWN
            if len(ups) == 1:
                result = ups[0]
            else:
                ups.sort(key=len)
                result = ups[0].intersection(*ups[1:])
            return result if own is None or own in result else result | {own}
        return _kofn(ups, k, own)

    # --- reachability ------------------------------------------------------------
    def _network(self) -> None:
        if self._network_done:
            return
        self._network_done = True
        adjacency = self.g.network
        vertices = self.g.vertices()
        values = self.values
        up = {v: values[v] if v in values else self.value(v) for v in vertices}
        alive: Callable[[str], bool] = lambda w: up.get(w) is not DOWN  # noqa: E731
        if DOWN not in up.values():  # the usual case: every vertex up, none asked
            alive = _everything
        parent, children = bfs_tree(adjacency, alive)
        self.tree_parent, self.tree_children = parent, children
        separation = Separation(adjacency, alive)
        if alive is _everything:  # the usual case: the network's own low points
            self.whole_network = separation
        self.events = events = _events(vertices, parent, up)
        network = self.t.network
        # a reachable node is cut off by every candidate that takes it down (its own set)
        # and by those that cut it off beyond that: only the latter are added one by one
        beyond: dict[str, set[str]] = {}
        for e, removed in events.items():
            cut: Iterable[str]
            if len(removed) == 1:  # most events: a link, alone
                (v,) = removed
                cut = separation.cut(v)
            else:
                center = _center(removed, adjacency, e)
                # one vertex and links of it: the separation knows
                cut = separation.cut(center) if center is not None else _cut_off(removed, adjacency, parent, children)
            for w in cut:
                if w in network:
                    if w in beyond:
                        beyond[w].add(e)
                    else:
                        beyond[w] = {e}
        keys = self.g.reach_keys  # each set under the key its gate has (the graph's own string)
        for v in vertices:
            if v in network:
                values[keys[v]] = _lost(up[v], beyond.get(v)) if v in parent else DOWN

    # --- explanations ------------------------------------------------------------
    def chain(self, element: str, key: str, keep: int | None = None) -> list[str]:
        """Element ids from `element` up to node `key`: how the one leads to the other
        (chains.py); past `keep` elements, its two ends around `... N more ...`."""
        from .chains import chain

        return chain(self, element, key, keep)

    @cached_property
    def runs(self) -> Runs:
        """The graph's one-input steps, for walks down long chains (runs.py)."""
        return Runs(self.g.gates)

    def cut_by(self, element: str, node: str) -> str | None:
        """The network vertex that `element`'s failure removes on the way out of network
        node `node` (`node` itself when the failure takes it down), or None."""
        removed = self.events.get(element, set())
        v: str | None = node
        while v is not None and v not in removed:
            v = self.tree_parent.get(v)
        return v


def _lost(own: Value, beyond: set[str] | None) -> frozenset[str]:
    """A reachable node's REACH set: the candidates that take it down (`own`, a live
    node's set) and those that cut it off (`beyond`); its own set itself when that is all."""
    if beyond is None:
        return own if type(own) is frozenset else frozenset(own or ())
    return frozenset(beyond).union(own or ())


def _events(vertices: list[str], parent: Parent, up: dict[str, Value]) -> dict[str, set[str]]:
    """Each candidate and the reachable network vertices it takes down."""
    if network._cnetwork is not None:  # in C, where it was built (network.py)
        return network._cnetwork.events(vertices, parent, up)
    events: dict[str, set[str]] = {}
    for v in vertices:
        if v in parent:
            for e in up[v] or ():  # a reachable vertex is up: never DOWN
                events.setdefault(e, set()).add(v)
    return events


def _both(a: frozenset[str], b: frozenset[str], own: str | None) -> frozenset[str]:
    """A two-input `all` gate's set over two small plain sets, as `_combine` makes it."""
    if len(b) < len(a):
        a, b = b, a
    if not a or a <= b:  # one set holds the other (a chain of services on the same hosts)
        return b if own is None or own in b else b | {own}
    return a | b if own is None else frozenset((own,)).union(a, b)


def _extended(sets: list, own: str | None) -> Shared | frozenset[str]:
    """The union of non-empty sets (and `own`), one of them large: the largest
    extended with what the others add, never copied."""
    big = max(sets, key=len)
    shared = Shared.of(big)
    extra: dict[str, None] = {}
    for v in sets:
        if v is big or shared.covers(v):
            continue
        for e in v:
            if e not in shared:
                extra[e] = None
    if own is not None and own not in shared:
        extra[own] = None
    return shared.extend(extra) if extra else big


def _kofn(ups: list[frozenset[str]], k: int, own: str | None) -> frozenset[str] | None:
    """A k-of-n gate's set from the sets of its inputs that are up."""
    if len(ups) < k:
        return DOWN
    needed = len(ups) - k + 1  # inputs an element must take down
    if needed <= 1:
        return _union([v for v in ups if v], own)
    return _in_at_least(ups, needed, own)


def _union(sets: list[frozenset[str]], own: str | None = None) -> frozenset[str]:
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


def _in_at_least(sets: list[frozenset[str]], needed: int, own: str | None = None) -> frozenset[str]:
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


_EMPTY: frozenset[str] = frozenset()
