"""The facade rules read (`Facts`): the model and every analysis over it, computed once.

Every fact a rule can read is a member of `Facts`: the fault graph, single failures and
single points, never-up services and the description's gaps (completeness), the
network's splits, shared fate, power convergence, availability, recovery and cut sets,
and the engine's verdicts for MODEL002. The heavier analyses are imported by their
members, so that a run whose rules never ask for them does not pay for the import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .. import graph as fg
from ..model import DEFAULT_SCOPE, Topology
from ..nogc import left_to_exit, pausing
from .data import data_holders, storage_shared_fate
from .network import Separation, _components_without, cut_vertices_and_bridges, host_ends, hosts_cut_alone, only_end
from .single import DOWN, SingleFailures, _in_at_least

if TYPE_CHECKING:
    import networkx as nx

    from ..baseline import Entry
    from .availability import ServiceAvailability
    from .completeness import Gap
    from .cutsets import CutSets
    from .reasons import LostGroup
    from .recovery import Recovery

CHAIN_SHOWN = 20  # elements of a single point's chain kept: past it, its two ends (chains.py)


@dataclass(frozen=True, slots=True)
class SinglePoint:
    """An element whose failure alone takes services down or loses data."""

    element: str
    services: tuple[str, ...]  # user-facing services it takes down
    data: tuple[str, ...]  # data holders that lose their only copy
    chain: tuple[str, ...]  # how it takes the first service down; past CHAIN_SHOWN elements, its ends
    data_chain: tuple[str, ...]


@dataclass
class Verdicts:
    """What the engine learnt while it made the other rules' findings: the facts of a rule
    that judges findings (`AFTER_FINDINGS`, as MODEL002 does). The engine fills it in
    before it runs such rules, and only then (`ready`)."""

    unused_acceptances: list[tuple[str, str, str]] = field(default_factory=list)  # (element, rule, why)
    # the baseline entries of rules that ran that no finding matches, over the findings made so far
    unmatched_baseline: Callable[[], list[Entry]] = list
    ready: bool = False


class Facts:
    """What rules read: the model and the analyses over it, each computed on first use."""

    def __init__(self, topology: Topology, scope: frozenset = DEFAULT_SCOPE, verdicts: Verdicts | None = None):
        self.topology = topology
        self.scope = scope
        self._verdicts = verdicts if verdicts is not None else Verdicts()
        self._cut_sets: dict[int, list[CutSets]] = {}  # per order
        self._lost_together: dict[str, tuple[LostGroup, ...]] = {}  # per single point, on first use
        self._convergence: dict[tuple[str, ...], tuple[str, ...]] = {}  # power inputs -> power_convergence
        left_to_exit(self)  # the program's exit frees it with the process (nogc.py)

    def _judged(self) -> Verdicts:
        if not self._verdicts.ready:
            raise RuntimeError("the other rules' findings are known only to rules with AFTER_FINDINGS = True")
        return self._verdicts

    def unused_acceptances(self) -> list[tuple[str, str, str]]:
        """(element, rule as written, why) for each acceptance no finding matched, among
        the rules that ran; one that names no rule at all is always listed."""
        return self._judged().unused_acceptances

    def unmatched_baseline_entries(self) -> list[Entry]:
        """Baseline entries of rules that ran that no finding matches: the other rules',
        and the ones this rule has yielded so far (the engine makes each finding as soon as
        the rule yields its problem)."""
        return self._judged().unmatched_baseline()

    @cached_property
    def graph(self) -> fg.FaultGraph:
        return fg.build(self.topology)

    @cached_property
    def single_failures(self) -> SingleFailures:
        return SingleFailures(self.topology, self.graph, self.scope)

    @cached_property
    def never_up(self) -> dict[str, str]:
        """Services down with nothing failed, and why (a description error)."""
        from .reference import evaluate

        sf = self.single_failures
        down = [s for s in self.topology.services if sf.of(s) is DOWN]
        if not down:
            return {}
        result = evaluate(self.topology, set())
        return {s: result.why(s) for s in down}

    @cached_property
    def gaps(self) -> list[Gap]:
        """What the description leaves out, each gap once (never-up services included)."""
        from .completeness import gaps

        return gaps(self.topology, self.never_up)

    @cached_property
    def unused(self) -> tuple[str, ...]:
        """Elements that exist to be depended on and that nothing depends on (orphans.py)."""
        from .orphans import unused

        return tuple(unused(self.topology))

    @cached_property
    def availability(self) -> dict[str, ServiceAvailability]:
        """Every user-facing service's availability, by service id."""
        from .availability import compute

        return compute(self.topology, self.graph, scope=self.scope)

    @cached_property
    def recovery(self) -> dict[str, Recovery]:
        """Every user-facing service's recovery after the loss of a host, by service id."""
        from .recovery import recoveries

        return recoveries(self.topology)

    def cut_sets(self, order: int) -> list[CutSets]:
        """The minimal cut sets up to `order` of every user-facing service up with
        nothing failed (in the failure scope), computed once per order."""
        if order not in self._cut_sets:
            from .cutsets import cut_sets

            self._cut_sets[order] = cut_sets(self.topology, order, self.scope, g=self.graph)
        return self._cut_sets[order]

    @cached_property
    def single_points(self) -> dict[str, SinglePoint]:
        """Elements whose failure alone takes a user-facing service down or loses data."""
        t, sf = self.topology, self.single_failures
        downs: dict[str, list[str]] = {}
        for svc in sorted(s for s in t.services if t.services[s].public):
            value = sf.of(svc)
            if value is DOWN:
                continue
            for e in value:
                downs.setdefault(e, []).append(svc)
        data: dict[str, list[str]] = {}
        for holder in data_holders(t):
            # a host outside the failure scope is assumed not to fail, so loses nothing
            hosts = [h for h in holder.hosts if sf.can_fail[h]] if holder.single else ()
            for h in hosts:
                data.setdefault(h, []).append(holder.id)
        result = {}
        for e in sorted(set(downs) | set(data)):
            services = tuple(downs.get(e, ()))
            held = tuple(sorted(data.get(e, ())))
            chain = tuple(sf.chain(e, services[0], CHAIN_SHOWN)) if services else ()
            result[e] = SinglePoint(e, services, held, chain, (e, held[0]) if held else ())
        return result

    def lost_together(self, element: str) -> tuple[LostGroup, ...]:
        """A single point's inputs lost together on its way to the services it takes down (reasons.py)."""
        if element not in self._lost_together:
            from .reasons import lost_together

            found = lost_together(self.single_failures, element, self.single_points[element].services)
            self._lost_together[element] = tuple(found)
        return self._lost_together[element]

    @cached_property
    @pausing
    def network_graph(self) -> nx.Graph[str]:
        """The network as networkx sees it: network nodes and hosts, links as edges
        (a count of parallel cables on each), hosts only at the edge."""
        from .network import networkx_graph

        return networkx_graph(self.topology)

    @cached_property
    @pausing
    def _node_graph(self) -> dict[str, dict[str, list[str]]]:
        """The network graph as `network_graph` has it, without networkx (whose import
        alone costs more than analysing a small file): node -> neighbour -> the links
        between them (one list shared by both directions), in the order written."""
        t = self.topology
        nodes: dict[str, dict[str, list[str]]] = {n: {} for n in t.network}
        for link in t.links.values():
            a, b = link.a, link.b
            if a in nodes and b in nodes:
                ids = nodes[a].get(b)
                if ids is None:
                    nodes[a][b] = nodes[b][a] = ids = []
                ids.append(link.id)
        return nodes

    @cached_property
    @pausing
    def _splits(self) -> tuple[list[str], list[tuple[str, str]]]:
        """The network graph's articulation points, and its bridges as (a, b) with a
        written before b."""
        nodes = self._node_graph
        points, bridges = cut_vertices_and_bridges(nodes)
        index = {n: i for i, n in enumerate(nodes)}
        return points, [(u, v) if index[u] < index[v] else (v, u) for u, v in bridges]

    @cached_property
    @pausing
    def _separation(self) -> Separation:
        """What each network vertex cuts off the entry points, by topology alone (the
        single-failure sweep's own when every vertex is up with nothing failed)."""
        swept = self.__dict__.get("single_failures")
        known = swept.whole_network if swept is not None else None
        return known if known is not None else Separation(self.graph.network)

    def cut_from_entries(self, element: str) -> set[str]:
        """Network nodes and hosts that lose every path to an entry point when this one
        network node or link is removed (and were reachable before). Hosts do not route."""
        t = self.topology
        if not t.entrypoints:
            return set()
        lost = self._separation.cut(element)
        if not lost:  # the usual case: the element alone cuts off only hosts whose every way out it is
            return set(self._cut_alone.get(element, ()))
        cut = {v for v in lost if v in t.network}
        cabled, gone = self._host_cables, {element, *lost}
        nearby = {h for v in gone for h, _ in cabled.get(v, ())}
        link = t.links.get(element)
        if link is not None:
            nearby.update(e for e in (link.a, link.b) if e in t.hosts)
        reachable = self._host_reachable_ends
        for h in nearby:
            ends = reachable[h]
            if ends and all(lid == element or end in gone for lid, end in ends):
                cut.add(h)
        return cut

    @cached_property
    def _cut_alone(self) -> dict[str, list[str]]:
        return hosts_cut_alone(self._host_ends, self._separation.pre)  # `_host_reachable_ends`' ends

    @cached_property
    def _host_reachable_ends(self) -> dict[str, list[tuple[str, str]]]:
        """Each host's links whose other end is reachable from the entry points."""
        reached = self._separation.pre  # what `reachable` asks: in the depth-first tree
        return {h: [end for end in ends if end[1] in reached] for h, ends in self._host_ends.items()}

    def cabled_to(self, host: str) -> str | None:
        """The one element every cable of `host` ends at, or None (no cable, or several)."""
        return only_end(self._host_ends[host])

    @cached_property
    def _host_ends(self) -> dict[str, list[tuple[str, str]]]:
        """Each host's links, with the network node at the other end."""
        return host_ends(self.topology)

    @cached_property
    def _host_cables(self) -> dict[str, list[tuple[str, str]]]:
        """Network node -> the hosts cabled to it, with the link."""
        cables: dict[str, list[tuple[str, str]]] = {}
        for h, ends in self._host_ends.items():
            for lid, end in ends:
                cables.setdefault(end, []).append((h, lid))
        return cables

    @cached_property
    @pausing
    def articulation_points(self) -> dict[str, tuple[str, ...]]:
        """Network nodes whose failure splits the network: the node -> what is cut off.
        A split cuts a part off the entry points (hosts included: they never route), or,
        where no entry point is concerned, divides the network graph in two (its
        articulation points; what is cut off is then the smaller side), or the one node a
        host is cabled to, when anything else hangs off it (hosts count, not cables)."""
        t, nodes = self.topology, self._node_graph
        # only a node that can fail is reported: the others (an entry point) are not worked out
        fails = {n for n in t.network if t.can_fail(n, self.scope)}
        result: dict[str, set[str]] = {}
        for node in t.network:
            if node in fails:
                cut = self.cut_from_entries(node)
                if cut:
                    result[node] = cut
        entries = set(t.entrypoints)
        points, _ = self._splits
        for node in points:
            if node in result or node not in fails:
                continue
            parts = sorted(_components_without(nodes, node), key=lambda c: (bool(c & entries), len(c), sorted(c)))
            cut_parts = [p for p in parts if not p & entries] or parts[:-1]
            result[node] = set().union(*cut_parts)
        for h, links in self._host_ends.items():
            only = only_end(links)  # cabled to one node alone (None: to none or several)
            if only in fails and (nodes[only] or any(other != h for other, _ in self._host_cables[only])):
                result.setdefault(only, set()).add(h)
        return {n: tuple(sorted(v)) for n, v in sorted(result.items())}

    @cached_property
    @pausing
    def bridges(self) -> dict[str, tuple[str, ...]]:
        """Links whose failure splits the network: link -> its two ends. Like nodes: a
        link that cuts something off the entry points, a bridge of the network graph
        (ends in the order the nodes were written), or a host's only link."""
        t, nodes = self.topology, self._node_graph
        result = {}
        _, bridges = self._splits
        for a, b in bridges:
            ids = nodes[a][b]
            if len(ids) == 1:
                result[ids[0]] = (a, b)
        if t.entrypoints:  # a link that cuts something off: most answered by the table, as cut_from_entries does
            alone, lost = self._cut_alone, self._separation.cut
            for link in t.links.values():
                if link.id not in result and (self.cut_from_entries(link.id) if lost(link.id) else link.id in alone):
                    result[link.id] = (link.a, link.b)
        for h in t.hosts.values():
            if len(h.links) == 1:
                link = t.links[h.links[0]]
                result[link.id] = (link.a, link.b)
        return {l: ends for l, ends in sorted(result.items()) if t.can_fail(l, self.scope)}

    @cached_property
    @pausing
    def shared_fate(self) -> dict[str, tuple[str, ...]]:
        """Per service with several instances: the elements whose failure alone takes
        every instance down (what the instances depend on is left out: that is the
        dependency's own redundancy); per replicated storage backend, those that take
        every copy of some data offline (data.py)."""
        t, sf = self.topology, self.single_failures
        result = storage_shared_fate(t, sf)
        for svc in t.services.values():
            if svc.replicas < 2:
                continue
            if svc.hosts:
                keys, placed = [fg.usable(h) for h in svc.hosts], len(svc.hosts)
            elif svc.spread:  # worst case: the replicas sit in the groups an element hits
                keys = list(self.graph.gates[fg.helper(svc.id, "instances")].inputs)
                placed = min(svc.replicas, len(keys))
            else:
                continue  # without spread every pool host is shared: SVC002 says so itself
            ups = [v for v in (sf.of(k) for k in keys) if v is not DOWN]
            if not ups:
                continue
            common = sorted(_in_at_least(ups, min(placed, len(ups))))
            if common:
                result[svc.id] = tuple(common)
        return result

    def power_convergence(self, eid: str) -> tuple[str, ...]:
        """Power elements whose failure alone cuts every power input of a host or network
        node: its one input, or where its several inputs converge upstream (computed
        once per set of inputs: the hosts of a rack share theirs)."""
        t = self.topology
        inputs = (t.hosts.get(eid) or t.network[eid]).power
        known = self._convergence.get(inputs)
        if known is None:
            sf = self.single_failures
            ups = [v for v in (sf.of(p) for p in inputs) if v is not DOWN]
            common = set(ups[0]).intersection(*ups[1:]) if ups else ()
            known = self._convergence[inputs] = tuple(sorted(e for e in common if e in t.power))
        return known

    def pool_groups(self, service: str) -> dict[str, list[str]]:
        return fg.pool_groups(self.topology, self.topology.services[service])

    def is_quorum_cluster(self, service: str) -> bool:
        """An active/active service of a clustered kind (a majority), or that declares a
        quorum (`majority`, a number above 1); never `quorum: none` (it needs 1 up)."""
        from ..model.kinds import lookup

        svc, known = self.topology.services[service], lookup(self.topology.services[service].kind)
        if svc.ha != "active-active" or svc.quorum == 0:
            return False
        declared = "quorum" in self.topology.declared.get(service, ())
        return svc.quorum > 1 or svc.replicas == 1 if declared else bool(known and known.quorum)

    @cached_property
    def depended_on_by_public(self) -> set[str]:
        """Services that a user-facing service needs, directly or through others
        (load balancers included)."""
        t = self.topology
        seen: set[str] = set()
        stack = [s.id for s in t.services.values() if s.public]
        while stack:
            s = stack.pop()
            if s in seen or s not in t.services:
                continue
            seen.add(s)
            svc = t.services[s]
            stack.extend(svc.depends_on)
            if svc.load_balancer:
                stack.append(svc.load_balancer)
        return seen
