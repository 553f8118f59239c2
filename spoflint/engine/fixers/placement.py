"""Fixes that place more instances: another instance of a service on a host that
survives the failure, a third member of a quorum cluster, another host for a storage
backend, another host in a pool; or a new host beside the failing one.

How many to add is worked out as the model counts (docs/format.md, "What up means"):
a service needs `max(quorum, min_instances)` usable instances, and a majority quorum
grows with the members, so a two-member Galera cluster needs a third member, not a
second. Hosts are chosen by `Context.hosts_for`: those that already run what the
members run (a third controller), outside what fails; or, where no such host exists,
new hosts like the failing one (`Hosts`), said as an element the file needs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from ... import graph as fg
from ...analysis.data import replicated
from .context import Candidate, Context, Step, listed, names, together
from .edit import Edit, new_host, quorum_with, set_hosts, set_pool, set_service, set_storage
from .settings import vip

MOST = 4  # instances added to one service at most
ORDINALS = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh"}


def _lost(ctx: Context, members: tuple[str, ...], failed: str | None) -> int:
    """Members a failure takes down: those `failed` makes unusable, or any one host."""
    if failed is None:
        return 1
    return sum(1 for m in members if ctx.lost_to(fg.usable(m), failed))


def instances_to_add(ctx: Context, service: str, failed: str | None, at_least: int = 1) -> int | None:
    """How many instances `service` needs beside its hosts to stay up when `failed`
    (None: any one of its hosts) fails; None when more than MOST would be needed."""
    svc = ctx.t.services[service]
    declared = ctx.t.declared.get(service, frozenset())
    lost = _lost(ctx, svc.hosts, failed)
    for extra in range(at_least, MOST + 1):
        n = svc.replicas + extra
        need = max(quorum_with(declared, svc, n), svc.min_instances, 1)
        if n - lost >= need:  # the new instances are on hosts that survive
            return extra
    return None


def _members_change(ctx: Context, service: str, hosts: list[str], failed: str | None) -> str:
    svc = ctx.t.services[service]
    outside = f" (outside {failed})" if failed in ctx.t.racks or failed in ctx.t.zones else ""
    if ctx.facts.is_quorum_cluster(service):
        if len(hosts) == 1:
            nth = ORDINALS.get(svc.replicas + 1, f"{svc.replicas + 1}th")
            return f"add a {nth} {service} member on {hosts[0]}{outside}"
        return f"add {len(hosts)} {service} members on {names(hosts)}{outside} ({svc.replicas + len(hosts)} in all)"
    many = "instances" if len(hosts) > 1 else "an instance"
    return f"add {many} of {service} on {names(hosts)}{outside}"


class Hosts:
    """Where new instances go: hosts that survive `avoid` (passing over the best
    `skip`, for an alternative), or new hosts like `like`, as many as asked for."""

    def __init__(self, ctx: Context, avoid: set[str], skip: int = 0, like: str | None = None):
        self.ctx, self.avoid, self.skip, self.like = ctx, avoid, skip, like
        self.twins: list[str] = []

    def pick(self, members: tuple[str, ...], count: int, group: Callable[[str], str] | None = None) -> list[str] | None:
        """`count` hosts for new instances beside `members`, each in a group of its own
        that no member is in (`group`: a host's rack, zone or itself), or None."""
        if self.like is not None:
            if len(self.twins) < count:
                self.twins = self.ctx.fresh(self.like, count)
            chosen = self.twins[:count]
            if group is not None and len({group(h) for h in chosen} - {group(m) for m in members}) < count:
                return None
            return chosen
        ranked = self.ctx.hosts_for(members, self.avoid)
        if group is not None:
            taken = {group(m) for m in members}
            apart = []
            for h in ranked:
                if group(h) not in taken:
                    taken.add(group(h))
                    apart.append(h)
            ranked = apart
        chosen = ranked[self.skip : self.skip + count]
        return chosen if len(chosen) == count else None

    def made(self) -> list[Candidate]:
        """The new hosts the picks need, as a change of their own (none for existing hosts)."""
        if not self.twins or self.like is None:
            return []
        step = partial(_new_hosts, like=self.like, ids=tuple(self.twins))
        return [Candidate(_new_hosts_change(self.twins, self.like), (step,), new_element=True)]

    def group_of(self, spread: str) -> Callable[[str], str]:
        """A host's group under `spread` (a new host is in the group of the host it is like)."""
        hosts = self.ctx.t.hosts

        def group(h: str) -> str:
            host = hosts[self.like if h in self.twins and self.like else h]
            if spread == "rack":
                return host.rack or h
            if spread == "zone":
                return host.zone or (self.ctx.t.racks[host.rack].zone if host.rack else None) or h
            return h

        return group


def add_instances(
    ctx: Context,
    service: str,
    failed: str | None,
    count: int,
    skip: int = 0,
    avoid: set[str] | None = None,
    new: bool = False,
) -> Candidate | None:
    """`count` more instances of a service listed by `hosts`, on hosts that `failed`
    (or any element of `avoid`) does not take down (`skip`: pass over the best few, for
    an alternative); `new`: on new hosts like its last one."""
    svc = ctx.t.services[service]
    away = (avoid or set()) | ({failed} if failed else set())
    where = Hosts(ctx, away, skip, svc.hosts[-1] if new else None)
    chosen = where.pick(svc.hosts, count)
    if chosen is None:
        return None
    step = partial(_add_hosts, service=service, hosts=tuple(chosen))
    change = _members_change(ctx, service, chosen, failed)
    if avoid:
        change += f" (away from {names(sorted(avoid, key=ctx.index.__getitem__))})"
    return together([*where.made(), Candidate(change, (step,))])


def _add_hosts(edit: Edit, service: str, hosts: tuple[str, ...]) -> None:
    set_hosts(edit, service, (*edit.get("services", service).hosts, *hosts))


def _new_hosts(edit: Edit, like: str, ids: tuple[str, ...]) -> None:
    for eid in ids:
        new_host(edit, like, eid)


def _new_hosts_change(ids: list[str], like: str) -> str:
    return f"add {'a host' if len(ids) == 1 else 'hosts'} {names(ids)} like {like} (rack, power and nics)"


def pool_fix(ctx: Context, service: str, where: Hosts, failed: str | None) -> Candidate | None:
    """Replicas on a pool that survive `failed` (None: any one host): enough replicas
    for one to be lost, a pool host in as many new groups as that needs, and a `spread`
    (`host` where there is none: without one, every replica may sit on one host)."""
    svc = ctx.t.services[service]
    spread = svc.spread or "host"
    group = where.group_of(spread)
    groups = {group(h) for h in svc.pool}
    if failed is None:
        hits = 1
    else:
        hits = len({group(h) for h in svc.pool if ctx.lost_to(fg.usable(h), failed)})
    declared = ctx.t.declared.get(service, frozenset())
    replicas = max(svc.replicas, 2)
    while replicas - hits < max(quorum_with(declared, svc, replicas), svc.min_instances, 1):
        replicas += 1
        if replicas > svc.replicas + MOST:
            return None
    added = where.pick(svc.pool, max(0, replicas - len(groups)), group) if replicas > len(groups) else []
    if added is None:
        return None
    steps: list[Step] = []
    said = []
    if added:
        pool = (*svc.pool, *added)
        steps.append(partial(set_pool, service=service, pool=pool))
        said.append(f"add {names(added)} to the pool of {service} (`pool: {listed(pool)}`)")
    fields: dict[str, Any] = {}
    if svc.spread is None:
        fields["spread"] = "host"
        said.append(f"set `spread: host` on {service}")
    if replicas != svc.replicas:
        fields["replicas"] = replicas
        said.append(f"set `replicas: {replicas}` on {service}")
    if fields:
        steps.append(partial(set_service, service=service, **fields))
    return Candidate("; ".join(said), tuple(steps)) if steps else None


def add_to_pool(ctx: Context, service: str, failed: str | None, new: bool = False) -> Candidate | None:
    """`pool_fix` on existing hosts (or new ones like the pool's last)."""
    svc = ctx.t.services[service]
    where = Hosts(ctx, {failed} if failed else set(), like=svc.pool[-1] if new else None)
    fix = pool_fix(ctx, service, where, failed)
    return together([*where.made(), fix]) if fix is not None else None


# the storage kinds that keep copies of their data on several hosts (Ceph's replicas, DRBD's
# mirror): only these are fixed by more hosts
REPLICATING = ("ceph", "drbd")


def add_storage_hosts(
    ctx: Context, storage: str, failed: str | None, count: int = 1, new: bool = False
) -> Candidate | None:
    """More hosts for a storage backend (a copy on each, unless `replicas` is written);
    `new`: new hosts like its last one."""
    s = ctx.t.storage[storage]
    if s.kind not in REPLICATING:  # an NFS server or an LVM volume group keeps one copy, however many hosts
        return None
    where = Hosts(ctx, {failed} if failed else set(), like=s.hosts[-1] if new else None)
    chosen = where.pick(s.hosts, count)
    if chosen is None:
        return None
    return together([*where.made(), _storage_hosts(ctx, storage, chosen)])


def _storage_hosts(ctx: Context, storage: str, chosen: list[str]) -> Candidate:
    s = ctx.t.storage[storage]
    written = "replicas" in ctx.t.declared.get(storage, ())
    replicas = s.replicas + len(chosen) if written else None
    also = f" and set `replicas: {replicas}`" if written else " (a copy of its data on each)"
    step = partial(set_storage, storage=storage, hosts=(*s.hosts, *chosen), replicas=replicas)
    return Candidate(f"add {names(chosen)} to the hosts of storage {storage}{also}", (step,))


def _plain(ctx: Context, plain: dict[tuple[str, ...], list[str]], failed: str) -> list[Candidate | None]:
    """`add an instance of a, b and c on h`, once per set of hosts."""
    outside = f" (outside {failed})" if failed in ctx.t.racks or failed in ctx.t.zones else ""
    out: list[Candidate | None] = []
    for hosts, group in plain.items():
        many = "instances" if len(hosts) > 1 else "an instance"
        steps = tuple(partial(_add_hosts, service=s, hosts=hosts) for s in group)
        out.append(Candidate(f"add {many} of {names(group, 6)} on {names(hosts)}{outside}", steps))
    return out


def unreplicated(ctx: Context, service: str) -> bool:
    """A stateful service whose instances each keep their own copy of its data on their
    host: nothing replicates it (`ha: none` or active/passive on local storage)."""
    svc = ctx.t.services[service]
    return svc.state == "stateful" and not svc.storage and not replicated(svc)


def hit(ctx: Context, failed: str) -> tuple[list[str], list[str]]:
    """The services (that users need) and storage backends whose own instances `failed`
    takes down: not through what they depend on, which has a fix of its own."""
    down = ctx.downed(failed)
    return [s for s in down.get("instances", ()) if ctx.relevant(s)], list(down.get("storage", ()))


def spread_out(ctx: Context, failed: str, skip: int = 0, new: bool = False) -> Candidate | None:
    """Instances, members, pool replicas and storage hosts that `failed` does not take
    down, for everything whose own instances it does, as one change (`add an instance
    of keystone, glance and horizon on ctl-2`), and a `vip` where clients address an
    instance it takes. `new`: on new hosts like `failed` (a host)."""
    services, storage = hit(ctx, failed)
    if not services and not storage or new and failed not in ctx.t.hosts:
        return None
    where = Hosts(ctx, {failed}, skip, failed if new else None)
    parts: list[Candidate | None] = []
    plain: dict[tuple[str, ...], list[str]] = {}  # hosts -> the services given an instance on each
    vips: list[Candidate | None] = []
    for s in services:
        svc = ctx.t.services[s]
        if unreplicated(ctx, s):
            return None  # one more instance would keep one more only copy (a new SPOF002)
        if not svc.hosts:
            parts.append(pool_fix(ctx, s, where, failed))
            continue
        extra = instances_to_add(ctx, s, failed)
        chosen = where.pick(svc.hosts, extra) if extra else None
        if extra is None or chosen is None:
            return None
        if ctx.facts.is_quorum_cluster(s):
            step = partial(_add_hosts, service=s, hosts=tuple(chosen))
            parts.append(Candidate(_members_change(ctx, s, chosen, failed), (step,)))
        else:
            plain.setdefault(tuple(chosen), []).append(s)
        if svc.addresses_one:
            vips.append(vip(ctx, s, instances=svc.replicas + extra))
    parts += _plain(ctx, plain, failed)
    for s in storage:
        chosen = where.pick(ctx.t.storage[s].hosts, 1) if ctx.t.storage[s].kind in REPLICATING else None
        parts.append(_storage_hosts(ctx, s, chosen) if chosen else None)
    if any(p is None for p in parts + vips):
        return None
    return together([*where.made(), *(p for p in parts + vips if p is not None)])
