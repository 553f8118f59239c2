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
from itertools import compress, islice

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
        self.caches: tuple[dict[int, int], dict[int, int]] = ({}, {})  # and, or: (a << 32 | b) -> a op b
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

    def clear_cache(self) -> None:
        """Forget the apply cache (memory: the unique table stays, bounded by its nodes)."""
        for cache in self.caches:
            cache.clear()

    def apply(self, op: str, a: int, b: int) -> int:
        """`a and b` or `a or b`, without recursion (a diagram may be thousands of
        levels deep): an explicit stack of pairs still to expand and of results."""
        zero, one, cache = (0, 1, self.caches[0]) if op == "and" else (1, 0, self.caches[1])
        if a == zero or b == zero:
            return zero
        if a == one or a == b:
            return b
        if b == one:
            return a
        if a > b:
            a, b = b, a
        found = cache.get(a << 32 | b)
        return self._apply(a, b, zero, one, cache) if found is None else found

    def _apply(self, a: int, b: int, zero: int, one: int, cache: dict[int, int]) -> int:
        """The apply loop for one operator, from a pair (a < b) neither a terminal nor
        the cache answers: `zero` absorbs (0 for and, 1 for or), `one` is neutral. A
        pair is answered at once by a terminal or the cache (keyed by the ordered pair
        as one int: cheaper to hash than a tuple); every other pair is one step of work.
        Children are answered inline when they can be, so only pairs that need work go
        on the stack; the steps, their order and so the nodes made are those of the
        plain recursion."""
        nodes, unique, max_nodes = self.nodes, self.unique, self.max_nodes
        results: list[int] = []
        push_result = results.append
        # (x, y): a pair to expand; (x, y, level): its children's results are on `results`
        todo: list[tuple[int, ...]] = [(a, b)]
        push, pop = todo.append, todo.pop
        work, max_work = self.work, self.max_work
        try:
            while todo:
                item = pop()
                if len(item) == 3:
                    x, y, level = item
                    high = results.pop()
                    low = results.pop()
                    if low == high:
                        result = low
                    else:
                        key = (level, low, high)
                        result = unique.get(key)  # type: ignore[assignment]
                        if result is None:
                            result = len(nodes)
                            if result > max_nodes:
                                raise TooLarge
                            nodes.append(key)
                            unique[key] = result
                    cache[x << 32 | y] = result
                    push_result(result)
                    continue
                if len(item) == 1:  # a child answered at once, waiting for its sibling
                    push_result(item[0])
                    continue
                x, y = item
                found = cache.get(x << 32 | y)
                if found is not None:
                    push_result(found)
                    continue
                work += 1
                if work > max_work:
                    raise TooLarge
                lx, lo_x, hi_x = nodes[x]
                ly, lo_y, hi_y = nodes[y]
                level = lx if lx < ly else ly
                if lx != level:
                    lo_x = hi_x = x
                if ly != level:
                    lo_y = hi_y = y
                push((x, y, level))
                # the high pair: answered at once, or to expand (after the low pair)
                u, v = hi_x, hi_y
                if u == zero or v == zero:
                    push((zero,))
                elif u == one or u == v:
                    push((v,))
                elif v == one:
                    push((u,))
                else:
                    u, v = min(u, v), max(u, v)
                    found = cache.get(u << 32 | v)
                    push((u, v) if found is None else (found,))
                # the low pair: answered at once onto the results (it comes first), or expanded next
                u, v = lo_x, lo_y
                if u == zero or v == zero:
                    push_result(zero)
                elif u == one or u == v:
                    push_result(v)
                elif v == one:
                    push_result(u)
                else:
                    if u > v:
                        u, v = v, u
                    found = cache.get(u << 32 | v)
                    if found is None:
                        push((u, v))
                    else:
                        push_result(found)
        finally:
            self.work = work
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
        value, importance, _ = self.measure(root, p)
        return value, importance

    def measure(self, root: int, p: list[float]) -> tuple[float, dict[int, float], int]:
        """`probability`, and the size of the diagram below `root`. The nodes are summed
        level by level in the order a walk from `root` meets them, which depends on the
        functions only, not on how the manager numbered their nodes: the same bits
        whatever was collected or built before."""
        nodes = self.nodes
        reachable = sorted(self._below(root), key=lambda u: nodes[u][0])
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
        return value.get(root, float(root == 1)), importance, len(reachable)

    def collect(self, roots: Iterable[int]) -> list[int]:
        """Keep only the nodes below `roots` (a manager shared by many services drops
        each one's diagram once it is answered): returns each node's new number (-1:
        dropped), indexed by the old one. A node's children are older than it, so
        renumbering in order keeps that true. Marks in a byte per node and a list for
        the numbers, rather than a set and a dict: a collection at estate scale keeps
        millions of nodes."""
        old = self.nodes
        live = bytearray(len(old))
        stack = [u for u in roots if u > 1]
        while stack:
            u = stack.pop()
            if not live[u]:
                live[u] = 1
                _, low, high = old[u]
                if low > 1 and not live[low]:
                    stack.append(low)
                if high > 1 and not live[high]:
                    stack.append(high)
        remap = [-1] * len(old)
        remap[0], remap[1] = 0, 1
        nodes = old[:2]
        append = nodes.append
        for u in compress(range(len(old)), live):
            level, low, high = old[u]
            remap[u] = len(nodes)
            append((level, remap[low], remap[high]))
        self.nodes = nodes
        self.unique = dict(zip(islice(nodes, 2, None), range(2, len(nodes))))
        self.clear_cache()
        return remap

    def _below(self, root: int) -> list[int]:
        """The nodes below `root` (terminals aside), in the order a depth-first walk meets them."""
        nodes = self.nodes
        seen: set[int] = set()
        found: list[int] = []
        stack = [root]
        while stack:
            u = stack.pop()
            if u > 1 and u not in seen:
                seen.add(u)
                found.append(u)
                stack.extend(nodes[u][1:])
        return found


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
