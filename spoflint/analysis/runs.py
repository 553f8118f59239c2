"""Runs: the fault graph's one-input gates as a forest, so that a walk down a long
chain crosses it in one step.

A gate with a single input (a PDU fed by one PDU, a switch on one PDU, a service's
instances gate over one host) leads every walk that goes through it to that input,
whatever failed. Following those steps from any node gives a path that ends at a node
with several inputs, or none: its *end*. Seen from the ends, the steps form a forest
(a node with one input hangs below that input), and one depth-first tour of it gives
each node an interval that holds the intervals of everything hanging below it. So
"does the walk from `u` meet element X's own node on the way?" is two comparisons, and
the walk goes straight to X or to `u`'s end.

`SingleFailures.chain` and `reasons.lost_together` use this once a walk has gone through
more than `LONG` one-input gates in a row (an estate without long chains never builds
it): a 20,000-PDU chain then costs each of its 20,000 findings a few steps, where
walking it costs each one the whole chain (n² in all). The shown chain
needs only its two ends: `keys_down` walks from the top, `keys_up` from the bottom
(the child on the path is found by bisecting the children's intervals).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping

from .. import graph as fg

LONG = 16  # one-input gates in a row a walk takes on its own before it asks for the runs


def one_way(gate: fg.Gate) -> bool:
    """Whether every walk through the gate goes on to its only input: down exactly
    when that input is (or when its own element fails)."""
    if len(gate.inputs) != 1 or gate.op == fg.REACH:
        return False
    return gate.op in (fg.ALL, fg.ANY) or (gate.op == fg.KOFN and gate.k == 1)


class Runs:
    """The forest of one-input steps, toured once."""

    def __init__(self, gates: Mapping[str, fg.Gate]):
        below = {key: gate.inputs[0] for key, gate in gates.items() if one_way(gate)}
        children: dict[str, list[str]] = {}
        for key, nxt in below.items():
            children.setdefault(nxt, []).append(key)
        self.below, self.children = below, children
        self.start: dict[str, int] = {}  # when the tour enters a node
        self.stop: dict[str, int] = {}  # when it leaves: the node's interval is [start, stop)
        self.depth: dict[str, int] = {}  # steps from the node to its end
        self.changes: dict[str, int] = {}  # of those, steps between two elements (e#ok -> e is none)
        self.end: dict[str, str] = {}
        self._starts: dict[str, list[int]] = {}
        clock = 0
        for root in children:
            if root in below:
                continue
            self.start[root], self.depth[root], self.changes[root], self.end[root] = clock, 0, 0, root
            clock += 1
            stack = [(root, iter(children[root]))]
            while stack:
                node, rest = stack[-1]
                child = next(rest, None)
                if child is None:
                    self.stop[node] = clock
                    stack.pop()
                    continue
                self.start[child], self.end[child] = clock, root
                clock += 1
                self.depth[child] = self.depth[node] + 1
                self.changes[child] = self.changes[node] + (fg.element_of(child) != fg.element_of(node))
                stack.append((child, iter(children.get(child, ()))))

    def on_way(self, top: str, key: str) -> bool:
        """Whether `key` is `top` or a node the walk from `top` goes through."""
        start = self.start
        return key in start and top in start and start[key] <= start[top] < self.stop[key]

    def bottom(self, top: str, key: str) -> str:
        """Where the walk from `top` (a one-input node) looking for `key` stops: `key` on
        its way, else `top`'s end."""
        return key if self.on_way(top, key) else self.end[top]

    def steps(self, top: str, bottom: str) -> int:
        return self.depth[top] - self.depth[bottom]

    def element_steps(self, top: str, bottom: str) -> int:
        return self.changes[top] - self.changes[bottom]

    def keys_down(self, top: str, bottom: str) -> Iterator[str]:
        """The keys from `top` down to `bottom` (on its way), both included."""
        key = top
        while key != bottom:
            yield key
            key = self.below[key]
        yield bottom

    def keys_up(self, bottom: str, top: str) -> Iterator[str]:
        """The same keys from `bottom` up to `top`."""
        key, at = bottom, self.start[top]
        while True:
            yield key
            if key == top:
                return
            starts = self._starts.get(key)
            if starts is None:
                starts = self._starts[key] = [self.start[c] for c in self.children[key]]
            key = self.children[key][bisect_right(starts, at) - 1]
