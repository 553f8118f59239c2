"""Runs: the fault graph's steps to a gate's first input as a forest, so that a walk
down a long chain crosses it in a few steps.

A walk that explains a failure (a finding's chain, the groups lost together) goes from
a node down to the failed element, at an `all` gate to the first input whose
single-failure set holds the element. Along the steps to first inputs of `all` gates
and of one-input gates (a PDU fed by one PDU, a service's first dependency, a host's
`h#ok` to the host), each node's set holds the next one's: so the nodes whose set holds
the element are the first ones of the path, and the last of them, where the walk turns
off it (or the element's own node), is found by bisection. Seen from the ends of those
paths, the steps form a forest (a node hangs below its first input); one depth-first
tour numbers the nodes, the ancestors at powers of two make bisection a few jumps.

`SingleFailures.chain` and `reasons.lost_together` use this once a walk has taken more
than `LONG` such steps in a row (an estate without long chains never builds it): a
20,000-PDU chain, or 8,000 services each needing the next, then costs each finding a few
steps, where walking it costs each one the whole chain (n² in all). The shown chain needs
only its two ends: `keys_down` walks from the top, `keys_up` from the bottom (the child
on the path is found by bisecting the children's tour intervals).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping

from .. import graph as fg

LONG = 16  # steps to first inputs in a row a walk takes on its own before it asks for the runs


def nested(gate: fg.Gate) -> bool:
    """Whether the gate's set holds its first input's: an `all` gate (the union of its
    inputs'), and a one-input `any` or one-of-one gate (their input's, and their own)."""
    if not gate.inputs or gate.op == fg.REACH:
        return False
    return gate.op == fg.ALL or (len(gate.inputs) == 1 and (gate.op == fg.ANY or (gate.op == fg.KOFN and gate.k == 1)))


class Runs:
    """The forest of steps to first inputs, toured once."""

    def __init__(self, gates: Mapping[str, fg.Gate]):
        below = {key: gate.inputs[0] for key, gate in gates.items() if nested(gate)}
        children: dict[str, list[str]] = {}
        for key, nxt in below.items():
            children.setdefault(nxt, []).append(key)
        self.below, self.children = below, children
        self.start: dict[str, int] = {}  # when the tour enters a node: a subtree's nodes follow it
        self.changes: dict[str, int] = {}  # steps from the node to its end between two elements (e#ok -> e is none)
        self._starts: dict[str, list[int]] = {}
        self._jumps: list[dict[str, str]] = []  # [k][node]: the node 2**k steps below it
        clock = 0
        for root in children:
            if root in below:
                continue
            self.start[root], self.changes[root] = clock, 0
            clock += 1
            stack = [(root, iter(children[root]))]
            while stack:
                node, rest = stack[-1]
                child = next(rest, None)
                if child is None:
                    stack.pop()
                    continue
                self.start[child] = clock
                clock += 1
                self.changes[child] = self.changes[node] + (fg.element_of(child) != fg.element_of(node))
                stack.append((child, iter(children.get(child, ()))))

    def last(self, top: str, holds: Callable[[str], bool]) -> str:
        """The last node of `top`'s path (from `top` down to its end) that `holds`, for a
        `holds` true of `top` and, below, of a first part of the path only: the sets
        along it are nested."""
        jumps = self._jumps or self._build_jumps()
        key = top
        for level in reversed(jumps):
            below = level.get(key)
            if below is not None and holds(below):
                key = below
        return key

    def _build_jumps(self) -> list[dict[str, str]]:
        level = self.below
        jumps = self._jumps
        while level:
            jumps.append(level)
            level = {key: level[mid] for key, mid in level.items() if mid in level}
        return jumps

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
