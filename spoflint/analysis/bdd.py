"""A service's structure function as a reduced ordered binary decision diagram (BDD).

The availability analysis (spoflint.analysis.availability) turns the fault graph below
a service into a BDD over the elements that can fail, in a chosen order: each gate is
the conjunction, disjunction or at-least-k of its inputs' diagrams, and a node whose
element can fail is conjoined with that element's variable. Reachability is a least
fixed point over the network graph. The diagram then gives the service's probability
of being up, and every element's Birnbaum importance, in one pass each way.

Past `max_nodes` nodes or `max_work` steps of work the diagram gives up (`TooLarge`) and the caller
falls back to factoring.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import graph as fg


class TooLarge(Exception):
    """The decision diagram outgrew its budget."""


class BDD:
    """A reduced ordered binary decision diagram, just what the availability needs.
    Node 0 is false, 1 is true; a node is (level, low, high): low when the element at
    that level is down, high when it is up.

    The work is counted, never timed: every step of `apply` that is not answered at
    once (a terminal case or the cache) is one unit, and past `max_work` units, or
    `max_nodes` nodes, the diagram gives up (`TooLarge`). The cache holds at most one
    entry per unit, so the count bounds memory too."""

    def __init__(self, order: list[str], max_nodes: int, max_work: int):
        self.order = order
        self.nodes: list[tuple[int, int, int]] = [(len(order), 0, 0), (len(order), 1, 1)]
        self.unique: dict[tuple[int, int, int], int] = {}
        self.cache: dict[tuple[str, int, int], int] = {}
        self.max_nodes, self.max_work = max_nodes, max_work
        self.work = 0

    def var(self, level: int) -> int:
        return self.mk(level, 0, 1)

    def mk(self, level: int, low: int, high: int) -> int:
        if low == high:
            return low
        key = (level, low, high)
        node = self.unique.get(key)
        if node is None:
            node = len(self.nodes)
            if node > self.max_nodes:
                raise TooLarge
            self.nodes.append(key)
            self.unique[key] = node
        return node

    def _known(self, op: str, a: int, b: int) -> int | None:
        """The result of `a op b` when a terminal or the cache gives it at once."""
        if op == "and":
            if a == 0 or b == 0:
                return 0
            if a == 1:
                return b
            if b == 1 or a == b:
                return a
        else:
            if a == 1 or b == 1:
                return 1
            if a == 0:
                return b
            if b == 0 or a == b:
                return a
        return self.cache.get((op, a, b) if a < b else (op, b, a))

    def apply(self, op: str, a: int, b: int) -> int:
        """`a and b` or `a or b`, without recursion (a diagram may be thousands of
        levels deep): an explicit stack of pairs still to expand and of results."""
        known = self._known(op, a, b)
        if known is not None:
            return known
        nodes, cache = self.nodes, self.cache
        results: list[int] = []
        todo: list[tuple[int, int, bool]] = [(a, b, False)]
        while todo:
            x, y, expanded = todo.pop()
            lx, lo_x, hi_x = nodes[x]
            ly, lo_y, hi_y = nodes[y]
            level = min(lx, ly)
            if expanded:
                high = results.pop()
                low = results.pop()
                result = self.mk(level, low, high)
                cache[(op, x, y) if x < y else (op, y, x)] = result
                results.append(result)
                continue
            known = self._known(op, x, y)
            if known is not None:
                results.append(known)
                continue
            self.work += 1
            if self.work > self.max_work:
                raise TooLarge
            if lx != level:
                lo_x = hi_x = x
            if ly != level:
                lo_y = hi_y = y
            todo.append((x, y, True))
            todo.append((hi_x, hi_y, False))
            todo.append((lo_x, lo_y, False))
        return results[0]

    def conjoin(self, items: Iterable[int]) -> int:
        result = 1
        for item in items:
            result = self.apply("and", result, item)
        return result

    def disjoin(self, items: Iterable[int]) -> int:
        result = 0
        for item in items:
            result = self.apply("or", result, item)
        return result

    def at_least(self, k: int, items: list[int]) -> int:
        """At least k of the (monotone) items hold."""
        if k <= 0:
            return 1
        if k > len(items):
            return 0
        row = [1] + [0] * k  # row[j]: at least j of the items seen so far (from the end)
        for item in reversed(items):
            row = [1] + [self.apply("or", self.apply("and", item, row[j - 1]), row[j]) for j in range(1, k + 1)]
        return row[k]

    def probability(self, root: int, p: list[float]) -> tuple[float, dict[int, float]]:
        """P(true) with the element at level i up with probability p[i], and the
        Birnbaum importance P(true | up) - P(true | down) of each element at a level
        the diagram below `root` tests (the others have none). The cost is the size of
        the diagram below `root`, not of the manager (one shared by every service)."""
        reachable = sorted(self._below(root), key=lambda u: self.nodes[u][0])
        value = {0: 0.0, 1: 1.0}
        for u in reversed(reachable):
            level, low, high = self.nodes[u]
            value[u] = p[level] * value[high] + (1 - p[level]) * value[low]
        arrive = dict.fromkeys(reachable, 0.0)
        arrive[root] = 1.0
        importance: dict[int, float] = {}
        for u in reachable:
            level, low, high = self.nodes[u]
            importance[level] = importance.get(level, 0.0) + arrive[u] * (value[high] - value[low])
            if high > 1:
                arrive[high] += arrive[u] * p[level]
            if low > 1:
                arrive[low] += arrive[u] * (1 - p[level])
        return value.get(root, float(root == 1)), importance

    def collect(self, roots: Iterable[int]) -> dict[int, int]:
        """Keep only the nodes below `roots` (a manager shared by many services drops
        each one's diagram once it is answered): returns each kept node's new number.
        A node's children are older than it, so renumbering in order keeps that true."""
        live: set[int] = set()
        stack = list(roots)
        while stack:
            u = stack.pop()
            if u > 1 and u not in live:
                live.add(u)
                stack.extend(self.nodes[u][1:])
        remap = {0: 0, 1: 1}
        nodes = self.nodes[:2]
        for u in sorted(live):
            level, low, high = self.nodes[u]
            remap[u] = len(nodes)
            nodes.append((level, remap[low], remap[high]))
        self.nodes = nodes
        self.unique = {key: i for i, key in enumerate(nodes) if i > 1}
        self.cache.clear()
        return remap

    def _below(self, root: int) -> set[int]:
        seen: set[int] = set()
        stack = [root]
        while stack:
            u = stack.pop()
            if u > 1 and u not in seen:
                seen.add(u)
                stack.extend(self.nodes[u][1:])
        return seen


def diagram(g: fg.FaultGraph, key: str, order: list[str], max_nodes: int, max_work: int) -> tuple[BDD, int]:
    """The structure function of node `key` as a BDD over the elements `order` (the
    elements outside it never fail). Reachability is a least fixed point over the
    network graph: a vertex is reached when it is up and a neighbour is reached."""
    bdd = BDD(order, max_nodes, max_work)
    level = {e: i for i, e in enumerate(order)}
    gates = g.gates
    values: dict[str, int] = {}
    reach: dict[str, int] | None = None
    for node in fg.post_order(gates, (key,), values, g.vertices()):
        gate = gates[node]
        if gate.op == fg.REACH:
            if reach is None:  # every network vertex is known by now
                reach = _reachability(bdd, g, values)
            values[node] = reach[gate.inputs[0]]
            continue
        inputs = [values[i] for i in gate.inputs]
        if gate.op == fg.ALL:
            f = bdd.conjoin(inputs)
        elif gate.op == fg.ANY:
            f = bdd.disjoin(inputs)
        else:
            f = bdd.at_least(gate.k, inputs)
        if gate.own in level:
            f = bdd.apply("and", bdd.var(level[gate.own]), f)
        values[node] = f
    return bdd, values[key]


def _reachability(bdd: BDD, g: fg.FaultGraph, alive: dict[str, int]) -> dict[str, int]:
    """Each network vertex's diagram of being reached from the entry points, given the
    diagrams of every vertex being up: iterated to the least fixed point."""
    adjacency = g.network
    reached = {v: 0 for v in adjacency}
    reached[fg.ROOT] = 1
    changed = True
    while changed:
        changed = False
        for v, neighbours in adjacency.items():
            if v == fg.ROOT:
                continue
            f = bdd.apply("and", alive[v], bdd.disjoin(reached[w] for w in neighbours))
            f = bdd.apply("or", f, reached[v])
            if f != reached[v]:
                reached[v] = f
                changed = True
    return reached
