"""Analysis: how available each user-facing service is, computed exactly over shared elements.

Every element that can fail is up with its own probability (its *availability*) and
fails independently of the others. A service is up exactly when the structure function
holds: the fault graph of spoflint.graph with network reachability, the same question
`spoflint.analysis.reference` answers for one set of failed elements. Because the structure is
*coherent* (failing more elements never brings a service back), Shannon decomposition
(factoring) with coherence bounds is exact:

- the service's *support* is every element whose node its gates can reach (for
  reachability, every network node and link);
- elements are decided one at a time, the most widely shared first (a feed before a
  host); in each branch the service is evaluated with every undecided element up and
  with every undecided element down. Down in the first: every completion is down. Up in
  the second: every completion is up. Either way the branch ends with its probability,
  otherwise it splits on the next element.

The up-branches are disjoint products, so their sum is the availability, and from them
the Birnbaum importance of each element, P(up | e up) - P(up | e down), follows exactly
from the same sum. Shared elements are therefore counted once: two replicas behind one
switch are a_sw * (1 - (1 - a)^2), not the product of two independent paths.

When the diagram outgrows its budget (`MAX_NODES` nodes or `TIME_BUDGET` seconds per
service), the same structure is factored directly (Shannon decomposition, evaluating
the structure function with every undecided element up and with every one down) until
`MAX_BRANCHES` evaluations or the time budget; the branches left open are reported as a
bound: the availability lies between the mass proven up and that plus the mass still
open. Services left when a topology's `TOTAL_BUDGET` is spent are not estimated (the
bound [0, 1]). The rules judge by the lower end (unknown is not OK).

Default availability per element kind (percent; rough figures to override with
`availability:` or `mtbf:`/`mttr:` on the element, from your own incident history):

| element | default | from |
|---|---|---|
| power feed (utility) | 99.9 | utility grid supply is typically quoted at about three nines (IEEE 493 "Gold Book"; Uptime Institute's Tier Standard treats the utility as unreliable and excludes it from tier ratings) |
| generator | 99.0 | IEEE 493 "Gold Book" start/run failure rates for standby generators: a percent-level chance of not carrying the load |
| ups | 99.99 | vendor module MTBF figures in the 100,000-250,000 h range with several hours to repair (IEEE 493; Schneider/APC white paper 78 on UPS availability) |
| pdu | 99.999 | vendor MTBF figures for rack PDUs of 500,000 h and more, a few hours to swap |
| cooling unit | 99.98 | CRAC/CRAH unit MTBF in the tens of thousands of hours with a working day to repair (IEEE 493; ASHRAE TC 9.9) |
| rack | 99.999 | a passive enclosure: what takes it down whole (a fire, a bumped breaker, a water leak) is rare |
| router, firewall, lb-appliance | 99.99 | vendor hardware MTBF (Cisco, Juniper: 100,000 h and more) less software and configuration faults, which dominate in practice (Uptime Institute annual outage analyses) |
| switch | 99.99 | as for routers |
| link (cable and optics) | 99.999 | transceiver MTBF figures above 1,000,000 h; cabling faults are mostly human |
| host | 99.95 | servers see a hardware failure at 2-8 % a year (Vishwanath and Nagappan, "Characterizing Cloud Computing Hardware Reliability", SoCC 2010; Schroeder and Gibson's studies of HPC node failures) with about a day to repair, plus unplanned reboots |
| storage box without hosts: san | 99.999 | enterprise arrays are marketed at five to six nines (dual controllers) |
| storage box without hosts: managed | 99.99 | cloud block and database SLAs (AWS EBS, Azure managed disks: 99.9-99.99 %) |
| storage box without hosts: other kinds | 99.95 | a single server |
| zone, external node, entry point | 100 | they do not fail unless given a figure (topology.md, "What can fail") |

Storage backends with hosts fail through their hosts and services through theirs, so
neither takes a figure of its own.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from .. import graph as fg
from ..model import Topology

MINUTES_PER_YEAR = 365.25 * 24 * 60
MAX_BRANCHES = 200_000
MAX_NODES = 2_000_000  # BDD nodes per service
TIME_BUDGET = 2.0  # seconds per service
TOTAL_BUDGET = 10.0  # seconds for every service of one topology

DEFAULTS: dict[tuple[str, str | None], float] = {  # (section, kind) -> percent
    ("power", "feed"): 99.9,
    ("power", "generator"): 99.0,
    ("power", "ups"): 99.99,
    ("power", "pdu"): 99.999,
    ("cooling", None): 99.98,
    ("racks", None): 99.999,
    ("network", "router"): 99.99,
    ("network", "firewall"): 99.99,
    ("network", "lb-appliance"): 99.99,
    ("network", "switch"): 99.99,
    ("links", None): 99.999,
    ("hosts", None): 99.95,
    ("storage", "san"): 99.999,
    ("storage", "managed"): 99.99,
    ("storage", None): 99.95,
}


def element_availability(t: Topology, eid: str) -> float:
    """The probability that element `eid` is up by itself (a fraction): its declared
    figure, else the default for its kind if it is a failure candidate, else 1."""
    if eid in t.availability:
        section = t.section_of.get(eid)
        if section == "storage" and t.storage[eid].hosts:
            return 1.0  # fails through its hosts
        return t.availability[eid]
    if not t.can_fail(eid):
        return 1.0
    section = t.section_of[eid]
    kind = getattr(t.element(eid), "kind", None)
    figure = DEFAULTS.get((section, kind), DEFAULTS.get((section, None)))
    return 1.0 if figure is None else figure / 100


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
    network = [v for v in g.network if v != fg.ROOT]
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
        self.network = [v for v in g.network if v != fg.ROOT]

    def up(self, failed) -> bool:
        gates, values = self.g.gates, {}
        reached: set | None = None
        stack = [self.key]
        while stack:
            top = stack[-1]
            if top in values:
                stack.pop()
                continue
            gate = gates[top]
            if gate.op == fg.REACH:
                if reached is None:
                    missing = [v for v in self.network if v not in values]
                    if missing:
                        stack.extend(missing)
                        continue
                    reached = self._reached(values)
                values[top] = gate.inputs[0] in reached
                stack.pop()
                continue
            missing = [i for i in gate.inputs if i not in values]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            if gate.own is not None and gate.own in failed:
                values[top] = False
            elif gate.op == fg.ALL:
                values[top] = all(values[i] for i in gate.inputs)
            elif gate.op == fg.ANY:
                values[top] = any(values[i] for i in gate.inputs)
            else:
                values[top] = sum(1 for i in gate.inputs if values[i]) >= gate.k
        return values[self.key]

    def _reached(self, values) -> set:
        adjacency, seen = self.g.network, {fg.ROOT}
        stack = [fg.ROOT]
        while stack:
            for w in adjacency[stack.pop()]:
                if w not in seen and values[w]:
                    seen.add(w)
                    stack.append(w)
        return seen


def factor(
    up, order: list[str], q: dict[str, float], max_branches: int = MAX_BRANCHES, time_budget: float = TIME_BUDGET
):
    """Shannon decomposition of a coherent structure function `up(failed)` over the
    elements `order` (each down with probability q[e]). Returns (up_leaves, open mass,
    evaluations): each up-leaf is (index, failed, probability): the elements before
    `index` are decided (down if in `failed`), the rest free."""
    n = len(order)
    leaves: list[tuple[int, frozenset, float]] = []
    stack = [(0, frozenset(), 1.0, None, None)]  # index, failed, mass, known all-up, known all-down
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


def birnbaum(leaves, order: list[str], q: dict[str, float]) -> dict[str, float]:
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


class TooLarge(Exception):
    """The decision diagram outgrew its budget."""


class BDD:
    """A reduced ordered binary decision diagram, just what the availability needs.
    Node 0 is false, 1 is true; a node is (level, low, high): low when the element at
    that level is down, high when it is up."""

    def __init__(self, order: list[str], max_nodes: int, deadline: float):
        self.order = order
        self.nodes: list[tuple[int, int, int]] = [(len(order), 0, 0), (len(order), 1, 1)]
        self.unique: dict[tuple[int, int, int], int] = {}
        self.cache: dict[tuple[str, int, int], int] = {}
        self.max_nodes, self.deadline = max_nodes, deadline

    def var(self, level: int) -> int:
        return self.mk(level, 0, 1)

    def mk(self, level: int, low: int, high: int) -> int:
        if low == high:
            return low
        key = (level, low, high)
        node = self.unique.get(key)
        if node is None:
            node = len(self.nodes)
            if node > self.max_nodes or (node % 4096 == 0 and time.monotonic() > self.deadline):
                raise TooLarge
            self.nodes.append(key)
            self.unique[key] = node
        return node

    def apply(self, op: str, a: int, b: int) -> int:
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
        if a > b:
            a, b = b, a
        key = (op, a, b)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        la, lo_a, hi_a = self.nodes[a]
        lb, lo_b, hi_b = self.nodes[b]
        level = min(la, lb)
        if la != level:
            lo_a = hi_a = a
        if lb != level:
            lo_b = hi_b = b
        result = self.mk(level, self.apply(op, lo_a, lo_b), self.apply(op, hi_a, hi_b))
        self.cache[key] = result
        return result

    def conjoin(self, items) -> int:
        result = 1
        for item in items:
            result = self.apply("and", result, item)
        return result

    def disjoin(self, items) -> int:
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

    def probability(self, root: int, p: list[float]) -> tuple[float, list[float]]:
        """P(true) with the element at level i up with probability p[i], and each
        element's Birnbaum importance P(true | up) - P(true | down)."""
        reachable = sorted(self._below(root), key=lambda u: self.nodes[u][0])
        value = {0: 0.0, 1: 1.0}
        for u in reversed(reachable):
            level, low, high = self.nodes[u]
            value[u] = p[level] * value[high] + (1 - p[level]) * value[low]
        arrive = dict.fromkeys(reachable, 0.0)
        arrive[root] = 1.0
        importance = [0.0] * len(p)
        for u in reachable:
            level, low, high = self.nodes[u]
            importance[level] += arrive[u] * (value[high] - value[low])
            if high > 1:
                arrive[high] += arrive[u] * p[level]
            if low > 1:
                arrive[low] += arrive[u] * (1 - p[level])
        return value.get(root, float(root == 1)), importance

    def _below(self, root: int) -> set[int]:
        seen, stack = set(), [root]
        while stack:
            u = stack.pop()
            if u > 1 and u not in seen:
                seen.add(u)
                stack.extend(self.nodes[u][1:])
        return seen


def diagram(
    g: fg.FaultGraph, key: str, order: list[str], max_nodes: int = MAX_NODES, time_budget: float = TIME_BUDGET
) -> tuple[BDD, int]:
    """The structure function of node `key` as a BDD over the elements `order` (the
    elements outside it never fail). Reachability is a least fixed point over the
    network graph: a vertex is reached when it is up and a neighbour is reached."""
    bdd = BDD(order, max_nodes, time.monotonic() + time_budget)
    level = {e: i for i, e in enumerate(order)}
    gates, values = g.gates, {}
    reach: dict[str, int] | None = None
    network = [v for v in g.network if v != fg.ROOT]
    stack = [key]
    while stack:
        top = stack[-1]
        if top in values:
            stack.pop()
            continue
        gate = gates[top]
        if gate.op == fg.REACH:
            if reach is None:
                missing = [v for v in network if v not in values]
                if missing:
                    stack.extend(missing)
                    continue
                reach = _reachability(bdd, g, values)
            values[top] = reach[gate.inputs[0]]
            stack.pop()
            continue
        missing = [i for i in gate.inputs if i not in values]
        if missing:
            stack.extend(missing)
            continue
        stack.pop()
        inputs = [values[i] for i in gate.inputs]
        if gate.op == fg.ALL:
            f = bdd.conjoin(inputs)
        elif gate.op == fg.ANY:
            f = bdd.disjoin(inputs)
        else:
            f = bdd.at_least(gate.k, inputs)
        if gate.own in level:
            f = bdd.apply("and", bdd.var(level[gate.own]), f)
        values[top] = f
    return bdd, values[key]


def _reachability(bdd: BDD, g: fg.FaultGraph, alive: dict[str, int]) -> dict[str, int]:
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
    network = [v for v in g.network if v != fg.ROOT]
    for node in nodes:
        gate = g.gates[node]
        for i in network if gate.op == fg.REACH else gate.inputs:
            if i in inside:
                users.setdefault(i, []).append(node)
    own_node = {}
    for node in nodes:
        own = g.gates[node].own
        if own in q:
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
    return sorted(s for s, svc in t.services.items() if svc.public)


def of_facts(facts) -> dict[str, ServiceAvailability]:
    """Every user-facing service's availability, computed once per Facts and shared."""
    cached = getattr(facts, "_availability", None)
    if cached is None:
        cached = facts._availability = compute(facts.topology, facts.graph)
    return cached


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
