"""The reference semantics: given a set of failed elements, what is up, what lost data, why.

This is docs/format.md's "What up means" written as directly as possible, element by
element, with no cleverness: it is what `spoflint simulate` runs and what the tests
hold the fast analyses against. It never shares code with the fault graph.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..model import Host, NetworkNode, Service, Topology
from .data import replicated

# Helper keys (a host's usability, a node's reachability) are an element id, this
# separator and a suffix: ids may contain `@`, never `#`, so no helper can collide with one.
SEP = "#"


def usable_key(host: str) -> str:
    return host + SEP + "ok"


def reach_key(node: str) -> str:
    return node + SEP + "reach"


@dataclass
class Evaluation:
    topology: Topology
    failed: frozenset
    down: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # id -> (reason, causes)
    lost: dict[str, str] = field(default_factory=dict)  # data holder -> reason

    def is_up(self, eid: str) -> bool:
        return eid not in self.down

    @property
    def services_down(self) -> list[str]:
        return sorted(s for s in self.topology.services if s in self.down)

    @property
    def public_down(self) -> list[str]:
        return [s for s in self.services_down if self.topology.services[s].public]

    @property
    def elements_down(self) -> list[str]:
        """Every element down (failed, or down because of what it needs), in the element
        order (the sections' order, each as written)."""
        return [eid for eid in self.topology.section_of if eid in self.down]

    @property
    def cut_off(self) -> list[str]:
        """Network nodes and hosts that are up but cut off: unreachable from every entry
        point (a host so is unusable), in the element order."""
        t, down = self.topology, self.down
        nodes = [n for n in t.network if n not in down and reach_key(n) in down]
        return nodes + [h for h in t.hosts if h not in down and usable_key(h) in down]

    def why(self, eid: str) -> str:
        return self.down[eid][0] if eid in self.down else "up"

    def chain(self, eid: str) -> list[str]:
        """A path of causes from a failed element to `eid`, as element ids."""
        path = [eid]
        seen = {eid}
        while path[-1] in self.down:
            causes = [c for c in self.down[path[-1]][1] if c not in seen]
            if not causes:
                break
            path.append(causes[0])
            seen.add(causes[0])
        ids: list[str] = []
        for key in reversed(path):
            element = key.split(SEP, 1)[0]
            if not ids or ids[-1] != element:
                ids.append(element)
        return ids


def evaluate(t: Topology, failed: set[str] | frozenset[str]) -> Evaluation:
    """What is up, what is down and why, and what lost data, when `failed` fail."""
    chosen = frozenset(failed)
    result = Evaluation(t, chosen)
    _Evaluator(t, chosen, result.down).run()
    _data(t, chosen, result.lost)
    return result


class _Evaluator:
    """One evaluation: each element's state worked out once (memoised), from what it
    needs, with the reason and the causes of each one that is down."""

    def __init__(self, t: Topology, failed: frozenset[str], down: dict[str, tuple[str, tuple[str, ...]]]):
        self.t, self.failed, self.down = t, failed, down
        self.memo: dict[str, bool] = {}
        self.reached: set[str] = set()  # hosts and network nodes reachable from an entry point

    def run(self) -> None:
        """Reachability first (it evaluates what it crosses), then every element."""
        t, down = self.t, self.down
        self.reach()
        for z in t.zones:
            self.zone_up(z)
        for p in t.power:
            self.power_up(p)
        for c in t.cooling:
            self.cooling_up(c)
        for r in t.racks:
            self.rack_up(r)
        for n, node in t.network.items():
            self.box_up(n, node)
        for h, host in t.hosts.items():
            self.box_up(h, host)
            self.host_ok(h)
        for l in t.links:
            self.link_up(l)
        for s in t.storage:
            self.storage_up(s)
        for s in t.services:
            self.service_up(s)
        for n in t.network:
            if t.entrypoints and n not in self.reached and n not in down:
                down[reach_key(n)] = ("unreachable from every entry point", ())

    def mark(self, eid: str, ok: bool, reason: str = "", causes: Iterable[str] = ()) -> bool:
        self.memo[eid] = ok
        if not ok:
            self.down[eid] = (reason, tuple(causes))
        return ok

    def zone_up(self, z: str) -> bool:
        if z in self.memo:
            return self.memo[z]
        return self.mark(z, z not in self.failed, "failed")

    def power_up(self, p: str) -> bool:
        if p in self.memo:
            return self.memo[p]
        el = self.t.power[p]
        if p in self.failed:
            return self.mark(p, False, "failed")
        if el.zone and not self.zone_up(el.zone):
            return self.mark(p, False, f"its zone {el.zone} is down", [el.zone])
        if el.sources and not any([self.power_up(s) for s in el.sources]):
            return self.mark(p, False, f"all its inputs are down ({', '.join(el.sources)})", el.sources)
        return self.mark(p, True)

    def powered(self, inputs: tuple[str, ...]) -> bool:
        return not inputs or any([self.power_up(p) for p in inputs])

    def cooling_up(self, c: str) -> bool:
        if c in self.memo:
            return self.memo[c]
        el = self.t.cooling[c]
        if c in self.failed:
            return self.mark(c, False, "failed")
        if el.zone and not self.zone_up(el.zone):
            return self.mark(c, False, f"its zone {el.zone} is down", [el.zone])
        if not self.powered(el.power):
            return self.mark(c, False, f"no power ({', '.join(el.power)} down)", el.power)
        return self.mark(c, True)

    def rack_up(self, r: str) -> bool:
        if r in self.memo:
            return self.memo[r]
        el = self.t.racks[r]
        if r in self.failed:
            return self.mark(r, False, "failed")
        if el.zone and not self.zone_up(el.zone):
            return self.mark(r, False, f"its zone {el.zone} is down", [el.zone])
        if el.cooling and not any([self.cooling_up(c) for c in el.cooling]):
            return self.mark(r, False, f"no cooling ({', '.join(el.cooling)} down)", el.cooling)
        return self.mark(r, True)

    def box_up(self, eid: str, el: NetworkNode | Host) -> bool:
        """A network node or a host."""
        if eid in self.memo:
            return self.memo[eid]
        if eid in self.failed:
            return self.mark(eid, False, "failed")
        if el.rack and not self.rack_up(el.rack):
            return self.mark(eid, False, f"its rack {el.rack} is down", [el.rack])
        if el.zone and not self.zone_up(el.zone):
            return self.mark(eid, False, f"its zone {el.zone} is down", [el.zone])
        if not self.powered(el.power):
            return self.mark(eid, False, f"no power ({', '.join(el.power)} down)", el.power)
        return self.mark(eid, True)

    def end_up(self, eid: str) -> bool:
        t = self.t
        return self.box_up(eid, t.network[eid] if eid in t.network else t.hosts[eid])

    def link_up(self, l: str) -> bool:
        if l in self.memo:
            return self.memo[l]
        link = self.t.links[l]
        if l in self.failed:
            return self.mark(l, False, "failed")
        for end in (link.a, link.b):
            if not self.end_up(end):
                return self.mark(l, False, f"its end {end} is down", [end])
        return self.mark(l, True)

    def reach(self) -> None:
        """Breadth-first from the entry points over links that are up; hosts are end points."""
        t, reached = self.t, self.reached
        adjacent: dict[str, list[tuple[str, str]]] = {}
        for link in t.links.values():
            adjacent.setdefault(link.a, []).append((link.id, link.b))
            adjacent.setdefault(link.b, []).append((link.id, link.a))
        queue = deque(e for e in t.entrypoints if self.end_up(e))
        reached.update(queue)
        while queue:
            node = queue.popleft()
            for lid, other in adjacent.get(node, ()):
                if other not in reached and self.link_up(lid):
                    reached.add(other)
                    if other in t.network:
                        queue.append(other)

    def host_ok(self, h: str) -> bool:
        """A host is usable: up, and reachable where the network is known."""
        key = usable_key(h)
        if key in self.memo:
            return self.memo[key]
        el = self.t.hosts[h]
        if not self.box_up(h, el):
            return self.mark(key, False, f"host {h} is down", [h])
        if self.t.entrypoints and el.links and h not in self.reached:
            links = [l for l in el.links if not self.link_up(l)] or list(el.links)
            return self.mark(key, False, f"host {h} is unreachable", links)
        return self.mark(key, True)

    def storage_up(self, s: str) -> bool:
        if s in self.memo:
            return self.memo[s]
        el = self.t.storage[s]
        if el.hosts and s in self.failed:  # the software itself (a what-if): its disks keep the data
            return self.mark(s, False, "failed itself (its software, not its hosts)")
        if not el.hosts and s in self.failed:
            return self.mark(s, False, "failed")
        if el.zone and not self.zone_up(el.zone):  # with hosts or without: placed in its zone
            return self.mark(s, False, f"its zone {el.zone} is down", [el.zone])
        if not el.hosts:
            return self.mark(s, True)
        bad = [h for h in el.hosts if not self.host_ok(h)]
        tolerable = el.replicas - el.min_replicas
        if len(bad) > tolerable:
            return self.mark(
                s,
                False,
                f"{len(bad)} of its {len(el.hosts)} hosts are down or unreachable, it tolerates {max(tolerable, 0)}",
                [usable_key(h) for h in bad],
            )
        return self.mark(s, True)

    def need_up(self, d: str) -> bool:
        return self.service_up(d) if d in self.t.services else self.storage_up(d)

    def service_up(self, s: str) -> bool:
        if s in self.memo:
            return self.memo[s]
        svc = self.t.services[s]
        if s in self.failed:  # a what-if of software: a bad configuration pushed, a partition
            return self.mark(s, False, "failed itself (its software, not its hosts)")
        for d in svc.needs:
            if not self.need_up(d):
                return self.mark(s, False, f"it needs {d}, which is down", [d])
        if svc.load_balancer and not self.service_up(svc.load_balancer):
            return self.mark(s, False, f"its load balancer {svc.load_balancer} is down", [svc.load_balancer])
        if svc.hosts:
            return self._placed_up(svc)
        return self._pool_up(svc)

    def _placed_up(self, svc: Service) -> bool:
        """A service with one instance per host: enough of them usable."""
        s = svc.id
        bad = [h for h in svc.hosts if not self.host_ok(h)]
        usable = len(svc.hosts) - len(bad)
        if svc.addresses_one and svc.hosts[0] in bad:
            return self.mark(
                s,
                False,
                f"clients address its first instance, on {svc.hosts[0]}, which is down",
                [usable_key(svc.hosts[0])],
            )
        if usable < svc.need:
            return self.mark(
                s,
                False,
                f"{usable} of {len(svc.hosts)} instances usable, it needs {svc.need}",
                [usable_key(h) for h in bad],
            )
        return self.mark(s, True)

    def _pool_up(self, svc: Service) -> bool:
        """A service scheduled on a pool: its replicas, placed the worst way, usable."""
        s = svc.id
        bad = [h for h in svc.pool if not self.host_ok(h)]
        if svc.spread is None:  # worst case: every replica on one host, maybe a bad one
            placed = svc.replicas
            usable = 0 if bad else svc.replicas
        else:
            groups = _spread_groups(self.t, svc)
            placed = min(svc.replicas, len(groups))
            bad_groups = sum(1 for members in groups.values() if members & set(bad))
            usable = placed - min(bad_groups, placed)
        if svc.addresses_one and bad:
            return self.mark(
                s,
                False,
                f"clients address one replica, which may sit on a failed or unreachable pool host ({', '.join(bad)})",
                [usable_key(h) for h in bad],
            )
        if bad and usable < svc.need:
            return self.mark(
                s,
                False,
                f"its replicas may all sit on failed or unreachable pool hosts ({', '.join(bad)})",
                [usable_key(h) for h in bad],
            )
        if usable < svc.need:
            return self.mark(
                s, False, f"only {placed} replica{'' if placed == 1 else 's'} can be placed, it needs {svc.need}"
            )
        return self.mark(s, True)


def _spread_groups(t: Topology, svc: Service) -> dict[str, set[str]]:
    """A pool's hosts by the service's spread level (a host with no rack or zone is a
    group of its own)."""
    groups: dict[str, set[str]] = {}
    for h in svc.pool:
        host = t.hosts[h]
        if svc.spread == "rack":
            group = host.rack or h
        elif svc.spread == "zone":
            group = host.zone or (t.racks[host.rack].zone if host.rack else None) or h
        else:
            group = h
        groups.setdefault(group, set()).add(h)
    return groups


def _data(t: Topology, failed: frozenset[str], lost: dict[str, str]) -> None:
    """Topology.md item 7: only failed hosts destroy data."""
    for s in t.storage.values():
        if s.hosts:
            gone = [h for h in s.hosts if h in failed]
            if len(gone) >= s.replicas:
                lost[s.id] = f"{', '.join(gone)} failed, and they held all {s.replicas} copies"
    for svc in t.services.values():
        if svc.state != "stateful" or svc.storage:
            continue
        hosts = svc.hosts or svc.pool
        gone = [h for h in hosts if h in failed]
        if not gone:
            continue
        if not replicated(svc):
            lost[svc.id] = f"{gone[0]} failed and held state that nothing replicates"
            continue
        if svc.hosts:
            if len(gone) == len(hosts):
                lost[svc.id] = f"every member failed ({', '.join(gone)})"
            continue
        if svc.spread is None:
            lost[svc.id] = f"{gone[0]} failed and may have held every replica"
            continue
        groups = _spread_groups(t, svc)
        placed = min(svc.replicas, len(groups))
        hit = sum(1 for members in groups.values() if members & set(gone))
        if hit >= placed:
            lost[svc.id] = f"failed hosts ({', '.join(gone)}) may have held all {placed} replicas"
