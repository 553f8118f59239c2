"""The reference semantics: given a set of failed elements, what is up, what lost data, why.

This is topology.md's "What up means" written as directly as possible, element by
element, with no cleverness: it is what `spoflint simulate` runs and what the tests
hold the fast analyses against. It never shares code with the fault graph.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ..model import Topology

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


def evaluate(t: Topology, failed: set[str] | frozenset) -> Evaluation:
    failed = frozenset(failed)
    result = Evaluation(t, failed)
    down = result.down
    memo: dict[str, bool] = {}

    def mark(eid, ok, reason="", causes=()):
        memo[eid] = ok
        if not ok:
            down[eid] = (reason, tuple(causes))
        return ok

    def zone_up(z):
        if z in memo:
            return memo[z]
        return mark(z, z not in failed, "failed")

    def power_up(p):
        if p in memo:
            return memo[p]
        el = t.power[p]
        if p in failed:
            return mark(p, False, "failed")
        if el.zone and not zone_up(el.zone):
            return mark(p, False, f"its zone {el.zone} is down", [el.zone])
        if el.sources and not any([power_up(s) for s in el.sources]):
            return mark(p, False, f"all its inputs are down ({', '.join(el.sources)})", el.sources)
        return mark(p, True)

    def powered(inputs):
        return not inputs or any([power_up(p) for p in inputs])

    def cooling_up(c):
        if c in memo:
            return memo[c]
        el = t.cooling[c]
        if c in failed:
            return mark(c, False, "failed")
        if el.zone and not zone_up(el.zone):
            return mark(c, False, f"its zone {el.zone} is down", [el.zone])
        if not powered(el.power):
            return mark(c, False, f"no power ({', '.join(el.power)} down)", el.power)
        return mark(c, True)

    def rack_up(r):
        if r in memo:
            return memo[r]
        el = t.racks[r]
        if r in failed:
            return mark(r, False, "failed")
        if el.zone and not zone_up(el.zone):
            return mark(r, False, f"its zone {el.zone} is down", [el.zone])
        if el.cooling and not any([cooling_up(c) for c in el.cooling]):
            return mark(r, False, f"no cooling ({', '.join(el.cooling)} down)", el.cooling)
        return mark(r, True)

    def box_up(eid, el):  # a network node or a host
        if eid in memo:
            return memo[eid]
        if eid in failed:
            return mark(eid, False, "failed")
        if el.rack and not rack_up(el.rack):
            return mark(eid, False, f"its rack {el.rack} is down", [el.rack])
        if el.zone and not zone_up(el.zone):
            return mark(eid, False, f"its zone {el.zone} is down", [el.zone])
        if not powered(el.power):
            return mark(eid, False, f"no power ({', '.join(el.power)} down)", el.power)
        return mark(eid, True)

    def end_up(eid):
        return box_up(eid, t.network[eid] if eid in t.network else t.hosts[eid])

    def link_up(l):
        if l in memo:
            return memo[l]
        link = t.links[l]
        if l in failed:
            return mark(l, False, "failed")
        for end in (link.a, link.b):
            if not end_up(end):
                return mark(l, False, f"its end {end} is down", [end])
        return mark(l, True)

    # reachability: breadth-first from the entry points; hosts are end points
    reached: set[str] = set()
    via: dict[str, str] = {}
    adjacent: dict[str, list[tuple[str, str]]] = {}
    for link in t.links.values():
        adjacent.setdefault(link.a, []).append((link.id, link.b))
        adjacent.setdefault(link.b, []).append((link.id, link.a))
    queue = deque(e for e in t.entrypoints if end_up(e))
    reached.update(queue)
    while queue:
        node = queue.popleft()
        for lid, other in adjacent.get(node, ()):
            if other not in reached and link_up(lid):
                reached.add(other)
                via[other] = lid
                if other in t.network:
                    queue.append(other)

    def host_ok(h):
        key = usable_key(h)
        if key in memo:
            return memo[key]
        el = t.hosts[h]
        if not box_up(h, el):
            return mark(key, False, f"host {h} is down", [h])
        if t.entrypoints and el.links and h not in reached:
            links = [l for l in el.links if not link_up(l)] or list(el.links)
            return mark(key, False, f"host {h} is unreachable", links)
        return mark(key, True)

    def storage_up(s):
        if s in memo:
            return memo[s]
        el = t.storage[s]
        if not el.hosts:
            if s in failed:
                return mark(s, False, "failed")
            if el.zone and not zone_up(el.zone):
                return mark(s, False, f"its zone {el.zone} is down", [el.zone])
            return mark(s, True)
        bad = [h for h in el.hosts if not host_ok(h)]
        tolerable = el.replicas - el.min_replicas
        if len(bad) > tolerable:
            return mark(
                s,
                False,
                f"{len(bad)} of its {len(el.hosts)} hosts are down or unreachable, it tolerates {max(tolerable, 0)}",
                [usable_key(h) for h in bad],
            )
        return mark(s, True)

    def need_up(d):
        return service_up(d) if d in t.services else storage_up(d)

    def service_up(s):
        if s in memo:
            return memo[s]
        svc = t.services[s]
        for d in svc.needs:
            if not need_up(d):
                return mark(s, False, f"it needs {d}, which is down", [d])
        if svc.load_balancer and not service_up(svc.load_balancer):
            return mark(s, False, f"its load balancer {svc.load_balancer} is down", [svc.load_balancer])
        if svc.hosts:
            bad = [h for h in svc.hosts if not host_ok(h)]
            usable = len(svc.hosts) - len(bad)
            if svc.addresses_one and svc.hosts[0] in bad:
                return mark(
                    s,
                    False,
                    f"clients address its first instance, on {svc.hosts[0]}, which is down",
                    [usable_key(svc.hosts[0])],
                )
            if usable < svc.need:
                return mark(
                    s,
                    False,
                    f"{usable} of {len(svc.hosts)} instances usable, it needs {svc.need}",
                    [usable_key(h) for h in bad],
                )
            return mark(s, True)
        return _pool_up(svc)

    def _pool_up(svc):
        s = svc.id
        bad = [h for h in svc.pool if not host_ok(h)]
        if svc.spread is None:  # worst case: every replica on one host, maybe a bad one
            placed = svc.replicas
            usable = 0 if bad else svc.replicas
        else:
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
            placed = min(svc.replicas, len(groups))
            bad_groups = sum(1 for members in groups.values() if members & set(bad))
            usable = placed - min(bad_groups, placed)
        if svc.addresses_one and bad:
            return mark(
                s,
                False,
                f"clients address one replica, which may sit on a failed or unreachable pool host ({', '.join(bad)})",
                [usable_key(h) for h in bad],
            )
        if bad and usable < svc.need:
            return mark(
                s,
                False,
                f"its replicas may all sit on failed or unreachable pool hosts ({', '.join(bad)})",
                [usable_key(h) for h in bad],
            )
        if usable < svc.need:
            return mark(s, False, f"only {placed} replicas can be placed, it needs {svc.need}")
        return mark(s, True)

    for z in t.zones:
        zone_up(z)
    for p in t.power:
        power_up(p)
    for c in t.cooling:
        cooling_up(c)
    for r in t.racks:
        rack_up(r)
    for n, el in t.network.items():
        box_up(n, el)
    for h, el in t.hosts.items():
        box_up(h, el)
        host_ok(h)
    for l in t.links:
        link_up(l)
    for s in t.storage:
        storage_up(s)
    for s in t.services:
        service_up(s)
    for n in t.network:
        if t.entrypoints and n not in reached and n not in down:
            down[reach_key(n)] = ("unreachable from every entry point", ())
    _data(t, failed, result.lost)
    return result


def _data(t: Topology, failed, lost: dict[str, str]) -> None:
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
        if svc.ha != "active-active":
            lost[svc.id] = f"{gone[0]} failed and held state that nothing replicates"
            continue
        if svc.hosts:
            if len(gone) == len(hosts):
                lost[svc.id] = f"every member failed ({', '.join(gone)})"
            continue
        if svc.spread is None:
            lost[svc.id] = f"{gone[0]} failed and may have held every replica"
            continue
        groups: dict[str, set[str]] = {}
        for h in svc.pool:
            host = t.hosts[h]
            group = {"rack": host.rack, "zone": host.zone or (t.racks[host.rack].zone if host.rack else None)}.get(
                svc.spread
            ) or h
            groups.setdefault(group, set()).add(h)
        placed = min(svc.replicas, len(groups))
        hit = sum(1 for members in groups.values() if members & set(gone))
        if hit >= placed:
            lost[svc.id] = f"failed hosts ({', '.join(gone)}) may have held all {placed} replicas"
