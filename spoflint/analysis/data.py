"""Data holders: what keeps data, on which hosts, and whether one copy is all there is."""

from __future__ import annotations

from dataclasses import dataclass

from .. import graph as fg
from ..model import Topology


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
        if svc.ha != "active-active":
            holders.append(DataHolder(svc.id, hosts, True))
        elif svc.hosts:
            holders.append(DataHolder(svc.id, hosts, len(hosts) == 1))
        else:
            placed = min(svc.replicas, len(fg.pool_groups(t, svc))) if svc.spread else 1
            holders.append(DataHolder(svc.id, hosts, placed <= 1))
    return holders
