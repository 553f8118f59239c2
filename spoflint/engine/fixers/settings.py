"""Fixes that set a field: a `vip` for a service whose clients address one instance,
`spread: host` for a pool, `replicas` and `min_replicas` on a storage backend, and a
replicated backend for the data of a service that keeps it on one host.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from ... import graph as fg
from .context import Candidate, Context, listed, names
from .edit import set_hosts, set_service, set_storage

VIP_MANAGERS = ("keepalived", "pacemaker")  # what moves a floating address


def vip(ctx: Context, service: str, instances: int | None = None) -> Candidate | None:
    """A floating address, moved by the service's own manager where it names one that
    moves addresses, else keepalived (the OpenStack HA Guide's choice for HAProxy);
    `instances`: as many as it will have once other changes are made."""
    svc = ctx.t.services[service]
    if svc.vip is not None or (instances or svc.replicas) < 2:
        return None
    manager = svc.manager if svc.manager in VIP_MANAGERS else "keepalived"
    return Candidate(
        f"give {service} a `vip` (`vip: {manager}`)", (partial(set_service, service=service, vip=manager),)
    )


def spread(ctx: Context, service: str, level: str) -> Candidate | None:
    """`spread: host|rack|zone` for replicas on a pool without spread, where the pool
    spans as many hosts, racks or zones as there are replicas."""
    svc = ctx.t.services[service]
    if not svc.pool or svc.spread is not None or svc.replicas < 2:
        return None
    groups = set(fg.pool_groups(ctx.t, replace(svc, spread=level)))
    if len(groups) < svc.replicas:
        return None
    why = {"host": "one replica per host", "rack": "replicas in different racks", "zone": "replicas in different zones"}
    return Candidate(
        f"set `spread: {level}` on {service} ({why[level]}: a required anti-affinity)",
        (partial(set_service, service=service, spread=level),),
    )


def fewer_members(ctx: Context, service: str) -> Candidate | None:
    """One member fewer for an even quorum cluster (four members survive no more than
    three): the last host listed, or one replica fewer on a pool."""
    svc = ctx.t.services[service]
    if svc.hosts:
        kept = svc.hosts[:-1]
        return Candidate(
            f"remove {svc.hosts[-1]} from the hosts of {service} (`hosts: {listed(kept)}`)",
            (partial(set_hosts, service=service, hosts=kept),),
        )
    return pool_replicas(ctx, service, svc.replicas - 1)


def pool_replicas(ctx: Context, service: str, replicas: int) -> Candidate | None:
    """`replicas: N` on a service placed on a pool that can hold them."""
    svc = ctx.t.services[service]
    if not svc.pool or len(svc.pool) < replicas:
        return None
    return Candidate(
        f"set `replicas: {replicas}` on {service}", (partial(set_service, service=service, replicas=replicas),)
    )


def storage_replicas(ctx: Context, storage: str, replicas: int) -> Candidate | None:
    """`replicas: N` on a backend, with the hosts to hold them when it has too few."""
    s = ctx.t.storage[storage]
    if s.hosts and s.kind not in ("ceph", "drbd"):  # one copy on one server, whatever `replicas` says
        return None
    missing = replicas - len(s.hosts)
    if missing <= 0:
        return Candidate(
            f"set `replicas: {replicas}` on {storage}", (partial(set_storage, storage=storage, replicas=replicas),)
        )
    chosen = ctx.hosts_for(s.hosts, (), missing)
    if len(chosen) < missing:
        return None
    step = partial(set_storage, storage=storage, hosts=(*s.hosts, *chosen), replicas=replicas)
    return Candidate(f"add {names(chosen)} to the hosts of storage {storage} and set `replicas: {replicas}`", (step,))


def storage_minimum(ctx: Context, storage: str, minimum: int, replicas: int | None = None) -> Candidate | None:
    """`min_replicas: N` on a backend that keeps more copies than that (`replicas`: as
    many as it will keep once other changes are made)."""
    s = ctx.t.storage[storage]
    if (replicas or s.replicas) < minimum or s.min_replicas >= minimum:
        return None
    return Candidate(
        f"set `min_replicas: {minimum}` on {storage}", (partial(set_storage, storage=storage, minimum=minimum),)
    )


def data_on_storage(ctx: Context, service: str, failed: str) -> Candidate | None:
    """Keep a service's data on a backend that keeps more than one copy and survives
    `failed` (a database on a Ceph volume), instead of on its host's disk."""
    svc = ctx.t.services[service]
    if svc.storage:
        return None
    ranked = []
    for s in ctx.t.storage.values():
        if s.hosts and s.replicas >= 2 and ctx.survives(s.id, {failed}):
            ranked.append((s.kind != "ceph", ctx.index[s.id], s.id))
    if not ranked:
        return None
    backend = min(ranked)[-1]
    return Candidate(
        f"keep the data of {service} on storage {backend} (`storage: {listed([backend])}`)",
        (partial(set_service, service=service, storage=(backend,)),),
    )
