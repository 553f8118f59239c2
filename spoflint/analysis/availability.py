"""Analysis: how available each user-facing service is, computed exactly over shared elements.

Every element that can fail is up with its own probability (its *availability*: the
figure it declares, else the default of its kind, from spoflint.analysis.figures) and
fails independently of the others. What can fail is the one failure model of every
command: the candidates of the failure scope (`Topology.can_fail`), as for check and
cut sets. A service is up exactly when the structure function holds: the fault graph
of spoflint.graph with network reachability, the same question
`spoflint.analysis.reference` answers for one set of failed elements.

The exact figure comes from the structure function as a decision diagram
(spoflint.analysis.bdd) over the service's *support*: every element whose node its
gates can reach (for reachability, every network node and link), in the reverse of the
order a depth-first walk from the service meets them (`depth_first`), so that elements
that work together sit side by side: a wide parallel structure or a k-of-n over
independent members stays linear, a long chain grows at the top. The diagram gives the
availability and each element's Birnbaum importance, P(up | e up) - P(up | e down).
Shared elements are therefore counted once: two replicas behind one switch are
a_sw * (1 - (1 - a)^2), not the product of two independent paths.

On a small network (at most `EXACT_NETWORK` vertices) each service gets that diagram
of its own first. When it outgrows its budget (`MAX_NODES` nodes or `MAX_WORK` apply
steps per service: counted, never timed), the same structure is factored: it is
*coherent* (failing more elements never brings a service back), so Shannon
decomposition with coherence bounds is exact. Elements are decided one at a time, the
most widely shared first; a branch with every undecided element up that is down, or
with every one down that is up, ends with its probability, the up-branches summing to
the availability and the Birnbaum importance. Factoring stops after `MAX_BRANCHES`
evaluations or `MAX_WORK` steps, the branches left open making a bound; a topology's
own diagrams stop at `TOTAL_WORK`.

A service that leaves unsettled, and every service of a larger network (where each
diagram would re-encode the whole fabric's reachability), gets the shared diagram of
spoflint.analysis.sandwich: the network's reachability built once for every service,
between two acyclic structures; exact where the network has no alternative paths, a
bound otherwise (typically 1e-12 wide), within `SHARED_WORK` steps (or `SERVICE_WORK`
a user-facing service if more) and `SHARED_NODES` nodes at once for the topology
(`MAX_WORK` per service). Where both answers exist, the
narrower holds. A service left when all are spent gets the bound [0, 1] (not
estimated). `method` says which: exact or bound. OBJ001 says a bound is a bound.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Container
from dataclasses import dataclass

from .. import graph as fg
from ..model import DEFAULT_SCOPE, Topology
from .bdd import TooLarge, diagram
from .figures import element_availability
from .network import bfs_tree
from .sandwich import Sandwich

__all__ = ["ServiceAvailability", "compute", "element_availability", "nines", "percent", "service_availability"]

MINUTES_PER_YEAR = 365.25 * 24 * 60
MAX_BRANCHES = 200_000  # evaluations of factoring per service
MAX_NODES = 1_000_000  # BDD nodes per service
MAX_WORK = 1_000_000  # steps of work per service: BDD apply steps, factoring's evaluations x support
TOTAL_WORK = 5_000_000  # steps for every service of one topology
EXACT_NETWORK = (
    64  # network vertices (with the entry points' root) up to which each service's own diagram is tried first
)
SHARED_WORK = 40_000_000  # apply steps of the shared diagram (spoflint.analysis.sandwich) for one topology,
SERVICE_WORK = 50_000  # or this many per user-facing service if more (a larger estate, more to answer)
SHARED_NODES = 6_000_000  # and its nodes: memory (about 200 bytes a node)

Leaf = tuple[int, frozenset[str], float]  # an up-branch of factoring: (index, failed, probability)


@dataclass(frozen=True)
class ServiceAvailability:
    service: str
    lower: float  # availability is at least this
    upper: float  # and at most this (equal when exact)
    elements: int  # elements in its support that can fail
    size: int  # BDD nodes it took (0: past the budget, bounded instead)
    importance: tuple[tuple[str, float], ...]  # (element, Birnbaum importance), largest first
    work: int = 0  # steps it took: the BDD's apply steps, factoring's evaluations x the support

    @property
    def exact(self) -> bool:
        return self.lower == self.upper

    @property
    def method(self) -> str:
        """ "exact", or "bound" (the availability lies between lower and upper)."""
        return "exact" if self.exact else "bound"

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
) -> tuple[list[Leaf], float, int]:
    """Shannon decomposition of a coherent structure function `up(failed)` over the
    elements `order` (each down with probability q[e]). Returns (up_leaves, open mass,
    evaluations): each up-leaf is (index, failed, probability): the elements before
    `index` are decided (down if in `failed`), the rest free. At most `max_branches`
    evaluations of `up`."""
    n = len(order)
    leaves: list[Leaf] = []
    # index, failed, mass, known all-up, known all-down
    stack: list[tuple[int, frozenset[str], float, bool | None, bool | None]] = [(0, frozenset(), 1.0, None, None)]
    evaluations = 0
    while stack and evaluations < max_branches:
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
    max_work: int = MAX_WORK,
    max_branches: int = MAX_BRANCHES,
    scope: frozenset = DEFAULT_SCOPE,
) -> ServiceAvailability:
    """Exact, through a BDD; past its budget, by factoring, exact or a bound."""
    nodes = support(g, service)
    q = unavailabilities(t, g, nodes, scope)
    try:
        bdd, root = diagram(g, service, depth_first(g, service, q), max_nodes, max_work)
    except TooLarge:
        pass
    else:
        value, importance = bdd.probability(root, [1 - q[e] for e in bdd.order])
        ranked = _ranked(((bdd.order[level], b) for level, b in importance.items()), top)
        return ServiceAvailability(service, value, value, len(q), len(bdd.nodes), ranked, bdd.work)
    order = _order(g, nodes, q)
    structure = Structure(g, service)
    branches = max(1, min(max_branches, max_work // max(1, len(nodes))))
    leaves, open_mass, evaluations = factor(structure.up, order, q, branches)
    work = max_work + evaluations * len(nodes)
    lower = sum(mass for _, _, mass in leaves)
    if open_mass > 0:
        return ServiceAvailability(service, lower, min(1.0, lower + open_mass), len(order), 0, (), work)
    ranked = _ranked(birnbaum(leaves, order, q).items(), top)
    return ServiceAvailability(service, lower, lower, len(order), 0, ranked, work)


def unavailabilities(t: Topology, g: fg.FaultGraph, nodes: list[str], scope: frozenset) -> dict[str, float]:
    """1 - availability of every element of the support that can fail (the failure
    model of spoflint.analysis.figures: candidates in `scope` only)."""
    q: dict[str, float] = {}
    for node in nodes:
        own = g.gates[node].own
        if own is not None and own not in q:
            a = element_availability(t, own, scope)
            if a < 1:
                q[own] = 1 - a
    return q


def _ranked(pairs, top: int) -> tuple[tuple[str, float], ...]:
    """The `top` largest positive importances, ties by id."""
    return tuple(sorted(((e, b) for e, b in pairs if b > 0), key=lambda item: (-round(item[1], 12), item[0]))[:top])


def depth_first(g: fg.FaultGraph, key: str, q: dict[str, float]) -> list[str]:
    """The elements of `q` for the decision diagram: the reverse of the order a
    depth-first walk from `key` meets them, where reachability of a network vertex
    leads along its way up the breadth-first tree to the entry points (the rest of
    the network comes last). Elements that work together sit side by side, so that a
    wide parallel structure (a host with 18 uplinks, each a cable and a switch) or a
    k-of-n over independent members stays linear in the diagram; reversed, because
    the diagram is built inputs first, so a long chain grows at the top."""
    gates, network = g.gates, g.network
    parent, _ = bfs_tree(network)
    seen: set[str] = set()
    order: list[str] = []
    placed: set[str] = set()

    def walk(start: str) -> None:
        stack = [start]
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            gate = gates.get(node)
            nxt: list[str] = []
            if gate is not None:
                if gate.own in q and gate.own not in placed:
                    placed.add(gate.own)
                    order.append(gate.own)
                nxt.extend([gate.inputs[0]] if gate.op == fg.REACH else gate.inputs)
            if node in network:
                up = parent.get(node)
                nxt.extend([up] if up is not None else network[node])
            stack.extend(reversed([n for n in nxt if n not in seen]))

    walk(key)
    walk(fg.ROOT)  # what no way up passes: the rest of the network, by its edges
    seen.clear()
    for v in network:
        walk(v)
    order.extend(sorted(set(q) - placed))  # none expected: every element of q hangs below key
    return order[::-1]


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
    t: Topology, g: fg.FaultGraph | None = None, total_work: int = TOTAL_WORK, scope: frozenset = DEFAULT_SCOPE
) -> dict[str, ServiceAvailability]:
    """Every user-facing service's availability in the failure scope `scope`: its own
    diagram first on a small network (within `total_work` steps for all), else or past
    it the shared one (the module's docstring); [0, 1] when every budget is spent."""
    g = g or fg.build(t)
    left = total_work if len(g.network) <= EXACT_NETWORK else 0
    result: dict[str, ServiceAvailability] = {}
    services = public_services(t)
    own: dict[str, ServiceAvailability] = {}
    for s in services:
        if left > 0:
            own[s] = service_availability(t, g, s, max_work=min(MAX_WORK, left), scope=scope)
            left -= own[s].work
    rest = [s for s in services if s not in own or not own[s].exact]
    if rest:
        budget = max(SHARED_WORK, SERVICE_WORK * len(services))
        shared = Sandwich(t, g, SHARED_NODES, budget, scope, rest)
        for s in shared.schedule():
            result[s] = _narrowest(own.get(s), _shared(shared, s))
    return {s: own[s] if s not in result else result[s] for s in services}


def _shared(shared: Sandwich, s: str) -> ServiceAvailability:
    """Service `s` from the shared diagram (importance under its lower structure), or
    [0, 1] past its budget."""
    try:
        lower, upper, importance, size, work = shared.answer(s, MAX_WORK)
    except TooLarge:
        return ServiceAvailability(s, 0.0, 1.0, 0, 0, ())
    return ServiceAvailability(s, lower, upper, shared.elements(s), size, _ranked(importance.items(), 5), work)


def _narrowest(a: ServiceAvailability | None, b: ServiceAvailability) -> ServiceAvailability:
    """Two answers for one service: both hold, so the tighter bound."""
    if a is None or b.exact:
        return b
    lower, upper = max(a.lower, b.lower), min(a.upper, b.upper)
    best = b if b.lower >= a.lower else a
    return ServiceAvailability(b.service, lower, upper, b.elements, best.size, best.importance, a.work + b.work)
