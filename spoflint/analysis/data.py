"""Data holders: what keeps data, on which hosts, and whether one copy is all there is;
and what a replicated storage backend's hosts all share (its failure domains)."""

from __future__ import annotations

from dataclasses import dataclass

from .. import graph as fg
from ..model import Service, Topology
from ..model.kinds import lookup
from .single import DOWN, SingleFailures, _in_at_least


@dataclass(frozen=True, slots=True)
class DataHolder:
    """Something that keeps data: a storage backend, or a stateful service on local
    storage. `hosts` hold the copies; `single` means any one of them failing loses data."""

    id: str
    hosts: tuple[str, ...]
    single: bool


def data_holders(t: Topology) -> list[DataHolder]:
    holders = []
    for s in t.storage.values():
        if s.hosts:
            holders.append(DataHolder(s.id, s.hosts, s.replicas <= 1))
    for svc in t.services.values():
        if svc.state != "stateful" or svc.storage:
            continue
        hosts = svc.hosts or svc.pool
        if not replicated(svc):
            holders.append(DataHolder(svc.id, hosts, True))
        elif svc.hosts:
            holders.append(DataHolder(svc.id, hosts, len(hosts) == 1))
        else:
            placed = min(svc.replicas, len(fg.pool_groups(t, svc))) if svc.spread else 1
            holders.append(DataHolder(svc.id, hosts, placed <= 1))
    return holders


def replicated(svc: Service) -> bool:
    """Whether a service keeps a copy of its data on every member: active/active, or an
    active/passive kind that replicates by itself (Patroni, Redis under Sentinel)."""
    if svc.ha == "active-active":
        return True
    known = lookup(svc.kind)
    return svc.ha == "active-passive" and known is not None and known.replicates


def storage_shared_fate(t: Topology, sf: SingleFailures) -> dict[str, tuple[str, ...]]:
    """Per storage backend over several hosts that keeps several copies: the elements
    whose failure alone takes down as many of its hosts as it keeps copies (all of them
    with the default; the worst placement puts every copy of some data on those), so
    that one failure takes every copy of that data offline: the failure domain a Ceph
    CRUSH rule should spread the copies over (host, rack, power, switch, zone), whether
    or not a service uses the backend yet."""
    result = {}
    for s in t.storage.values():
        placed = min(s.replicas, len(s.hosts))
        if len(s.hosts) < 2 or placed < 2:
            continue  # one host or one copy: STATE005 says so
        ups = [v for v in (sf.of(fg.usable(h)) for h in s.hosts) if v is not DOWN]
        common = sorted(_in_at_least(ups, placed)) if len(ups) >= placed else []
        if common:
            result[s.id] = tuple(common)
    return result
