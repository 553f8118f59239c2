"""Analysis: how available each user-facing service is, computed exactly over shared elements.

Every element that can fail is up with its own probability (its *availability*: the
figure it declares, else the default of its kind, from spoflint.analysis.figures) and
fails independently of the others. A service is up exactly when the structure function
holds: the fault graph of spoflint.graph with network reachability, the same question
`spoflint.analysis.reference` answers for one set of failed elements.

The exact figure comes from the structure function as a decision diagram
(spoflint.analysis.bdd) over the service's *support*: every element whose node its
gates can reach (for reachability, every network node and link), the most widely shared
first (a feed before a host). The diagram gives the availability and each element's
Birnbaum importance, P(up | e up) - P(up | e down). Shared elements are therefore
counted once: two replicas behind one switch are a_sw * (1 - (1 - a)^2), not the
product of two independent paths.

When the diagram outgrows its budget (`MAX_NODES` nodes or `TIME_BUDGET` seconds per
service), the same structure is factored directly. Because it is *coherent* (failing
more elements never brings a service back), Shannon decomposition with coherence bounds
is exact: elements are decided one at a time, in the same order; in each branch the
service is evaluated with every undecided element up and with every undecided element
down. Down in the first: every completion is down. Up in the second: every completion
is up. Either way the branch ends with its probability, otherwise it splits on the next
element. The up-branches are disjoint products, so their sum is the availability, and
the Birnbaum importance follows from the same sum. Factoring stops after `MAX_BRANCHES`
evaluations or the time budget; the branches left open are reported as a bound: the
availability lies between the mass proven up and that plus the mass still open.
Services left when a topology's `TOTAL_BUDGET` is spent are not estimated (the bound
[0, 1]). The rules judge by the lower end (unknown is not OK).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Container
from dataclasses import dataclass

from .. import graph as fg
from ..model import Topology
from .bdd import TooLarge, diagram
from .figures import element_availability

__all__ = ["ServiceAvailability", "compute", "element_availability", "nines", "percent", "service_availability"]

MINUTES_PER_YEAR = 365.25 * 24 * 60
MAX_BRANCHES = 200_000
MAX_NODES = 2_000_000  # BDD nodes per service
TIME_BUDGET = 2.0  # seconds per service
TOTAL_BUDGET = 10.0  # seconds for every service of one topology

Leaf = tuple[int, frozenset[str], float]  # an up-branch of factoring: (index, failed, probability)


@dataclass(frozen=True)
class ServiceAvailability:
    service: str
    lower: float  # availability is at least this
    upper: float  # and at most this (equal when exact)
    elements: int  # elements in its support that can fail
    size: int  # BDD nodes it took (0: past the budget, bounded instead)
    importance: tuple[tuple[str, float], ...]  # (element, Birnbaum importance), largest first

    @property
    def exact(self) -> bool:
        return self.lower == self.upper

    @property
    def availability(self) -> float:
        """The figure to judge by: exact, or the lower bound."""
        return self.lower

    @property
    def nines(self) -> float:
        return nines(self.availability)

    @property
    def downtime_minutes(self) -> float:
        return (1 - self.availability) * MINUTES_PER_YEAR


def nines(a: float) -> float:
    return math.inf if a >= 1 else -math.log10(1 - a)


def percent(a: float) -> str:
    """An availability in percent with enough digits to show its nines."""
    if a >= 1:
        return "100%"
    digits = max(2, min(12, int(nines(a)) + 1))
    return f"{a * 100:.{digits}f}%"


def support(g: fg.FaultGraph, key: str) -> list[str]:
    """Every fault-graph node `key` depends on (for reachability, the whole network)."""
    seen = {key}
    stack = [key]
    network = g.vertices()
    while stack:
        node = stack.pop()
        gate = g.gates[node]
        inputs = network if gate.op == fg.REACH else gate.inputs
        for i in inputs:
            if i not in seen:
                seen.add(i)
                stack.append(i)
    return list(seen)


class Structure:
    """The structure function of one fault-graph node: up or down for a failed set."""

    def __init__(self, g: fg.FaultGraph, key: str):
        self.g, self.key = g, key
        self.nodes = support(g, key)
        self.network = g.vertices()

    def up(self, failed: Container[str]) -> bool:
        """Whether the node is up when the elements `failed` are down (and the rest up)."""
        gates = self.g.gates
        values: dict[str, bool] = {}
        reached: set[str] | None = None
        for node in fg.post_order(gates, (self.key,), values, self.network):
            gate = gates[node]
            if gate.op == fg.REACH:
                if reached is None:  # every network vertex is known by now
                    reached = self._reached(values)
                values[node] = gate.inputs[0] in reached
            elif gate.own is not None and gate.own in failed:
                values[node] = False
            elif gate.op == fg.ALL:
                values[node] = all(values[i] for i in gate.inputs)
            elif gate.op == fg.ANY:
                values[node] = any(values[i] for i in gate.inputs)
            else:
                values[node] = sum(1 for i in gate.inputs if values[i]) >= gate.k
        return values[self.key]

    def _reached(self, values: dict[str, bool]) -> set[str]:
        """The network vertices reached from the entry points over vertices that are up."""
        adjacency, seen = self.g.network, {fg.ROOT}
        stack = [fg.ROOT]
        while stack:
            for w in adjacency[stack.pop()]:
                if w not in seen and values[w]:
                    seen.add(w)
                    stack.append(w)
        return seen


def factor(
    up: Callable[[frozenset[str]], bool],
    order: list[str],
    q: dict[str, float],
    max_branches: int = MAX_BRANCHES,
    time_budget: float = TIME_BUDGET,
) -> tuple[list[Leaf], float, int]:
    """Shannon decomposition of a coherent structure function `up(failed)` over the
    elements `order` (each down with probability q[e]). Returns (up_leaves, open mass,
    evaluations): each up-leaf is (index, failed, probability): the elements before
    `index` are decided (down if in `failed`), the rest free."""
    n = len(order)
    leaves: list[Leaf] = []
    # index, failed, mass, known all-up, known all-down
    stack: list[tuple[int, frozenset[str], float, bool | None, bool | None]] = [(0, frozenset(), 1.0, None, None)]
    evaluations = 0
    deadline = time.monotonic() + time_budget
    while stack:
        if evaluations >= max_branches or (evaluations % 256 == 0 and time.monotonic() > deadline):
            break
        i, failed, mass, best, worst = stack.pop()
        if best is None:
            best = up(failed)
            evaluations += 1
        if not best:
            continue  # down whatever the undecided do
        if worst is None:
            worst = up(failed | frozenset(order[i:]))
            evaluations += 1
        if worst or i == n:
            leaves.append((i, failed, mass))
            continue
        e = order[i]
        stack.append((i + 1, failed | {e}, mass * q[e], None, False))
        stack.append((i + 1, failed, mass * (1 - q[e]), True, None))
    open_mass = sum(entry[2] for entry in stack)
    return leaves, open_mass, evaluations


def birnbaum(leaves: list[Leaf], order: list[str], q: dict[str, float]) -> dict[str, float]:
    """P(up | e up) - P(up | e down) for every element, from disjoint up-leaves."""
    if_up = dict.fromkeys(order, 0.0)
    if_down = dict.fromkeys(order, 0.0)
    free_mass = [0.0] * (len(order) + 1)  # mass of leaves decided up to index i
    for i, failed, mass in leaves:
        free_mass[i] += mass
        for e in order[:i]:
            if e in failed:
                if_down[e] += mass / q[e]
            else:
                if_up[e] += mass / (1 - q[e])
    # a leaf leaves e free when e's position >= its index: it counts for both
    running = 0.0
    for k in range(len(order)):
        running += free_mass[k]
        e = order[k]
        if_up[e] += running
        if_down[e] += running
    return {e: if_up[e] - if_down[e] for e in order}


def service_availability(
    t: Topology,
    g: fg.FaultGraph,
    service: str,
    top: int = 5,
    max_nodes: int = MAX_NODES,
    time_budget: float = TIME_BUDGET,
    max_branches: int = MAX_BRANCHES,
) -> ServiceAvailability:
    """Exact, through a BDD; past the budget, a bound from partial factoring."""
    nodes = support(g, service)
    q: dict[str, float] = {}
    for node in nodes:
        own = g.gates[node].own
        if own is not None and own not in q:
            a = element_availability(t, own)
            if a < 1:
                q[own] = 1 - a
    order = _order(g, nodes, q)
    try:
        bdd, root = diagram(g, service, order, max_nodes, time_budget)
    except TooLarge:
        structure = Structure(g, service)
        leaves, open_mass, _ = factor(structure.up, order, q, max_branches, time_budget)
        lower = sum(mass for _, _, mass in leaves)
        if open_mass > 0:
            return ServiceAvailability(service, lower, min(1.0, lower + open_mass), len(order), 0, ())
        ranked = sorted(
            ((e, b) for e, b in birnbaum(leaves, order, q).items() if b > 0), key=lambda item: (-item[1], item[0])
        )
        return ServiceAvailability(service, lower, lower, len(order), 0, tuple(ranked[:top]))
    value, importance = bdd.probability(root, [1 - q[e] for e in order])
    ranked = sorted(((e, b) for e, b in zip(order, importance) if b > 0), key=lambda item: (-item[1], item[0]))
    return ServiceAvailability(service, value, value, len(order), len(bdd.nodes), tuple(ranked[:top]))


def _order(g: fg.FaultGraph, nodes: list[str], q: dict[str, float]) -> list[str]:
    """Elements by how much of the service's graph hangs off them, most first: deciding a
    feed or a core switch early settles many branches at once."""
    inside = set(nodes)
    users: dict[str, list[str]] = {}
    network = g.vertices()
    for node in nodes:
        gate = g.gates[node]
        for i in network if gate.op == fg.REACH else gate.inputs:
            if i in inside:
                users.setdefault(i, []).append(node)
    own_node: dict[str, str] = {}
    for node in nodes:
        own = g.gates[node].own
        if own is not None and own in q:
            own_node.setdefault(own, node)
    reach: dict[str, int] = {}
    for e, node in own_node.items():
        seen = {node}
        stack = [node]
        while stack:
            for u in users.get(stack.pop(), ()):
                if u not in seen:
                    seen.add(u)
                    stack.append(u)
        reach[e] = len(seen)
    return sorted(q, key=lambda e: (-reach.get(e, 0), -q[e], e))


def public_services(t: Topology) -> list[str]:
    """The user-facing services, by id."""
    return sorted(s for s, svc in t.services.items() if svc.public)


def compute(
    t: Topology, g: fg.FaultGraph | None = None, total_budget: float = TOTAL_BUDGET
) -> dict[str, ServiceAvailability]:
    """Every user-facing service's availability. A whole run gets `total_budget`
    seconds; services left when it is spent get the bound [0, 1] (not estimated)."""
    g = g or fg.build(t)
    deadline = time.monotonic() + total_budget
    result = {}
    for s in public_services(t):
        left = deadline - time.monotonic()
        result[s] = (
            service_availability(t, g, s, time_budget=min(TIME_BUDGET, left))
            if left > 0
            else ServiceAvailability(s, 0.0, 1.0, 0, 0, ())
        )
    return result
