"""Whether one element's failure matters only through another's.

For a failure candidate X, `Downstream` is the part of the fault graph that X's failure
takes down: every node whose single-failure set holds X, found by walking from X to
the gates that list it as an input (and, since reachability is not a gate of its
neighbours, from a network vertex X takes down to every `n#reach` X cuts off).
`spared(Y, services)` evaluates that part once more, X failed and Y held up (its nodes,
and a host's own cables); when none of the services is then down, X's failure matters only through Y:
had Y survived it, nothing would have gone down. The engine names such a Y as the root
cause of X's finding (engine/causes.py).

A path argument would not do: r1 holding ctl-1 and the switch ctl-3 hangs on matters
through ctl-1 alone when a cluster needs both controllers, although one of its paths
to the services avoids ctl-1. So the test evaluates the gates (all, any, k-of-n,
reachability over the network graph), over the nodes X takes down only: a node X does
not take down is up (or down with nothing failed), whatever Y does.

`Dependants` is the fault graph read the other way (node -> the gates that use it),
built once per check; a walk stops at `BUDGET` nodes (the element is then left
without a root cause).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Container, Iterable, Iterator

from .. import graph as fg
from .network import _cut_off
from .shared_sets import Shared, Spine
from .single import DOWN, SingleFailures, Value

BUDGET = 20_000  # fault-graph nodes one element's downstream part may hold
# what holding an element up does not hold: whether it is reachable (a host's usability,
# its links' ways out), which the network around it decides
_REACHING = (fg.OK, fg.NICS, fg.VIA)


class Dependants:
    """The fault graph read the other way, and the network vertices and REACH nodes."""

    def __init__(self, sf: SingleFailures, elements: Iterable[str]):
        """Only the gates that one of `elements` takes down are kept: the walks of those
        elements never leave them, and most gates of a redundant estate are none."""
        self.sf = sf
        wanted = frozenset(elements)
        meets = _Meets(wanted)
        gates, values, reach = sf.g.gates, sf.values, fg.REACH
        if gates:
            sf.value(next(iter(gates)))  # the sweep: every node's set
        if len(values) < len(gates):  # not swept whole (never after a sweep): each node asked
            for key in gates:
                if key not in values:
                    sf.value(key)
        # the nodes that one of `elements` takes down, asked of the sets alone (most of
        # an estate's are plain and meet none), then taken in build order: the users'
        # lists keep the order the gates were made in
        hit = {
            key
            for key, known in values.items()
            if known and (not known.isdisjoint(wanted) if type(known) is frozenset else meets(known))
        }
        users: dict[str, list[str]] = {}
        for key in [k for k in gates if k in hit] if hit else ():
            gate = gates[key]
            if gate.op == reach:
                continue  # a REACH node hangs on the whole network: added per walk
            for i in gate.inputs:
                if i in users:
                    users[i].append(key)
                else:
                    users[i] = [key]
        self.users = users
        self.vertices = frozenset(sf.g.vertices())
        self.reach_nodes = [fg.reach(n) for n in sf.t.network]

    def downstream(self, element: str, budget: int = BUDGET) -> Downstream | None:
        """The part of the graph `element`'s failure takes down, or None past the budget."""
        part = Downstream(self, element, budget)
        return None if part.truncated else part


class _Meets:
    """Whether a node's set holds one of `wanted`: a shared set asks each spine once
    (the first position of a wanted element on it), not each node its members."""

    def __init__(self, wanted: frozenset[str]):
        self.wanted = wanted
        self.first: dict[int, tuple[float, bool, int]] = {}  # id(spine) -> (first wanted position, base meets)
        self.spines: list[Spine] = []  # kept alive while their ids are keys

    def __call__(self, value: Value) -> bool:
        if not value:
            return False
        if not isinstance(value, Shared):
            return not value.isdisjoint(self.wanted)
        for s, n in value.spine.levels(value.n):
            first, base = self._spine(s)
            if base or first < n:
                return True
        return False

    def _spine(self, s: Spine) -> tuple[float, bool]:
        known = self.first.get(id(s))
        if known is None or len(s.order) != known[2]:
            wanted = self.wanted
            first = next((i for i, e in enumerate(s.order) if e in wanted), float("inf"))
            known = (first, not s.base.isdisjoint(wanted), len(s.order))
            self.first[id(s)] = known
            self.spines.append(s)
        return known[0], known[1]


class Downstream:
    """The nodes one element's failure takes down, nearest first."""

    def __init__(self, dependants: Dependants, element: str, budget: int):
        self.dependants, self.element = dependants, element
        sf = dependants.sf
        self.order: list[str] = [element]  # breadth-first from the element
        self.truncated = False
        seen = {element}
        queue = deque([element])
        cut_off: list[str] | None = None  # the REACH nodes the failure cuts off, found once
        while queue:
            node = queue.popleft()
            nxt: Iterable[str] = dependants.users.get(node, ())
            if node in dependants.vertices:
                if cut_off is None:
                    cut_off = [r for r in dependants.reach_nodes if sf.contains(r, element)]
                nxt = [*nxt, *cut_off]
            for user in nxt:
                if user in seen or not sf.contains(user, element):
                    continue
                seen.add(user)
                self.order.append(user)
                queue.append(user)
                if len(self.order) > budget:
                    self.truncated = True
                    return
        self.nodes = seen
        # what one evaluation costs: the part, and the network walked when it reaches past it
        self.cost = len(self.order) + (len(sf.g.network) if cut_off else 0)

    def elements(self) -> Iterator[str]:
        """The other elements whose nodes the failure takes down, nearest first."""
        found = {self.element}
        for node in self.order:
            eid = fg.element_of(node)
            if eid not in found:
                found.add(eid)
                yield eid

    def spared(self, other: str, services: Iterable[str]) -> bool:
        """Whether, with `other` held up, none of `services` is down. Held up: every node
        of it and, for a host, of its own cables (a host's only cable matters through the
        host), but not their reachability: the network beyond may still cut them off."""
        t = self.dependants.sf.t
        host = t.hosts.get(other)
        held = {other, *host.links} if host is not None else {other}
        down = _Evaluation(self, held).down
        return not any(down.get(s, False) for s in services)


class _Evaluation:
    """The downstream part evaluated once, the element failed and `spared` held up."""

    def __init__(self, part: Downstream, held: set[str]):
        self.part, self.held = part, held
        sf = part.dependants.sf
        self.gates, self.value = sf.g.gates, sf.value
        self.down: dict[str, bool] = {}
        self._reachable: Container[str] | None = None
        inside = part.nodes
        down = self.down

        class Done:  # what post_order may skip: every node outside the part, and those evaluated
            def __contains__(self, node: object) -> bool:
                return node not in inside or node in down

        vertices = [v for v in part.order if v in part.dependants.vertices]
        for node in fg.post_order(self.gates, reversed(part.order), Done(), vertices):
            down[node] = self._down(node)

    def _state(self, node: str) -> bool:
        """Whether a node is down: evaluated inside the part, as with nothing failed outside."""
        if node in self.part.nodes:
            return self.down[node]
        return self.value(node) is DOWN

    def _down(self, node: str) -> bool:
        gate = self.gates[node]
        if gate.op != fg.REACH and not node.endswith(_REACHING) and fg.element_of(node) in self.held:
            return False
        if gate.own == self.part.element:
            return True
        if gate.op == fg.REACH:
            return gate.inputs[0] not in self._reach()
        states = [self._state(i) for i in gate.inputs]
        if gate.op == fg.ALL:
            return any(states)
        if gate.op == fg.ANY:
            return all(states)
        return states.count(False) < gate.k  # kofn: fewer than k inputs up

    def _reach(self) -> Container[str]:
        """The network vertices reachable from the entry points, as the part now stands:
        those reachable with nothing failed but what the part's downed vertices cut off,
        found below them in the sweep's BFS tree (`_cut_off`), not by a walk of the whole
        network per evaluation."""
        if self._reachable is None:
            sf = self.part.dependants.sf
            vertices, down = self.part.dependants.vertices, self.down
            gone = {v for v in self.part.order if v in vertices and down[v]}
            cut = _cut_off(gone, sf.g.network, sf.tree_parent, sf.tree_children) if gone else set()
            self._reachable = _Reached(sf.tree_parent, cut)
        return self._reachable


class _Reached:
    """The vertices of a BFS tree (`parent`) but those `cut` off."""

    def __init__(self, parent: Container[str], cut: Container[str]):
        self.parent, self.cut = parent, cut

    def __contains__(self, v: object) -> bool:
        return v in self.parent and v not in self.cut
