"""Changes to a Topology, as the model builder would have made them from the edited file.

A fix is a list of steps over one `Edit`: each step reads the elements as the steps
before it left them and replaces some (frozen dataclasses, `dataclasses.replace`);
`Edit.result()` is the changed Topology, the original untouched. The steps apply the
format's defaults the way `model/builder.py` and `model/services.py` do, so that the
changed model is the one a user gets by making the change in the file: a rack's power is
the power of what it holds that declares none; a service's `replicas` follows its hosts
unless written; a majority quorum follows the members.
"""

from __future__ import annotations

from collections import ChainMap
from dataclasses import replace
from typing import Any

from ...model import Cooling, Host, Link, Location, NetworkNode, Power, Service, Storage, Topology
from ...model.kinds import lookup


class Edit:
    """The changes being made to one topology: copies of the sections a step touches."""

    def __init__(self, topology: Topology):
        self.base = topology
        self._tables: dict[str, dict[str, Any]] = {}
        self._where: ChainMap[str, Location] | None = None  # the new places over the base's
        self._declared: dict[str, frozenset[str]] | None = None

    def table(self, section: str) -> dict[str, Any]:
        """A section as the steps so far left it (copied on first change)."""
        return self._tables.get(section) or getattr(self.base, section)

    def get(self, section: str, eid: str) -> Any:
        return self.table(section)[eid]

    def put(self, section: str, element: Any) -> None:
        if section not in self._tables:
            self._tables[section] = dict(getattr(self.base, section))
        self._tables[section][element.id] = element

    def declared(self, eid: str) -> frozenset[str]:
        return (self._declared if self._declared is not None else self.base.declared).get(eid, frozenset())

    def declare(self, eid: str, *keys: str) -> None:
        """Record that the element now writes these keys (rules read `declared`)."""
        if self._declared is None:
            self._declared = dict(self.base.declared)
        self._declared[eid] = self._declared.get(eid, frozenset()) | frozenset(keys)

    def place(self, eid: str, at: Location) -> None:
        """Where a new element is written: the subject's place (a fix names no line)."""
        if self._where is None:  # not a copy: the base's places are made only when asked for
            # a ChainMap writes only to its first map; the base's (read-only) is only read
            self._where = ChainMap({}, self.base.where)  # type: ignore[arg-type]
        self._where[eid] = at

    def where_of(self, eid: str) -> Location:
        return (self._where if self._where is not None else self.base.where)[eid]

    def result(self) -> Topology:
        changes: dict[str, Any] = dict(self._tables)
        if self._where is not None:
            changes["where"] = self._where
        if self._declared is not None:
            changes["declared"] = self._declared
        return replace(self.base, **changes) if changes else self.base


# --- power and cooling ----------------------------------------------------------------


def set_sources(edit: Edit, power: str, sources: tuple[str, ...]) -> None:
    """A power element's `from`."""
    edit.put("power", replace(edit.get("power", power), sources=sources))
    edit.declare(power, "from")


def set_power(edit: Edit, eid: str, inputs: tuple[str, ...]) -> None:
    """The `power` of a cooling unit, rack, network node or host. A rack's is the power
    of every host and network node in it that declares none of its own."""
    section = edit.base.section_of[eid]
    edit.put(section, replace(edit.get(section, eid), power=inputs))
    edit.declare(eid, "power")
    if section != "racks":
        return
    for inside in ("network", "hosts"):
        for element in list(edit.table(inside).values()):
            if element.rack == eid and "power" not in edit.declared(element.id):
                edit.put(inside, replace(element, power=inputs))


def set_cooling(edit: Edit, rack: str, units: tuple[str, ...]) -> None:
    edit.put("racks", replace(edit.get("racks", rack), cooling=units))
    edit.declare(rack, "cooling")


def new_power(edit: Edit, like: str, eid: str) -> None:
    """A power element like `like`: its kind, zone and `from`."""
    model: Power = edit.get("power", like)
    edit.put("power", Power(eid, model.kind, model.sources, model.zone))
    edit.place(eid, edit.base.where[like])
    edit.declare(eid, *edit.declared(like))


def new_cooling(edit: Edit, like: str, eid: str) -> None:
    model: Cooling = edit.get("cooling", like)
    edit.put("cooling", Cooling(eid, model.zone, model.power))
    edit.place(eid, edit.base.where[like])
    edit.declare(eid, *edit.declared(like))


# --- the network ----------------------------------------------------------------------


def add_link(edit: Edit, a: str, b: str, name: str | None = None) -> str:
    """A cable between a host or network node `a` and network node `b` (a host's nic
    when `a` is a host: the link `a--b`); its id."""
    lid = name or f"{a}--{b}"
    edit.put("links", Link(lid, a, b))
    edit.place(lid, edit.where_of(a))
    if name:
        edit.declare(lid, "between", "name")
    hosts = edit.table("hosts")
    for end in (a, b):
        if end in hosts:
            host: Host = hosts[end]
            edit.put("hosts", replace(host, links=(*host.links, lid)))
            if name is None:
                edit.declare(end, "nics")
    return lid


def new_network_node(edit: Edit, like: str, eid: str) -> None:
    """A network node like `like` (kind, rack, zone, power), cabled to the network
    nodes `like` is cabled to."""
    model: NetworkNode = edit.get("network", like)
    edit.put("network", NetworkNode(eid, model.kind, model.rack, model.zone, model.power))
    edit.place(eid, edit.base.where[like])
    edit.declare(eid, *edit.declared(like))
    network, cabled = edit.table("network"), set()
    for link in list(edit.table("links").values()):
        if like in (link.a, link.b):
            other = link.b if link.a == like else link.a
            if other in network and other not in cabled:  # parallel cables: one is enough for a twin
                cabled.add(other)
                add_link(edit, eid, other)


def new_host(edit: Edit, like: str, eid: str) -> None:
    """A host like `like`: rack, zone, power, fencing, kind, and a nic to every network
    node `like` has one to."""
    model: Host = edit.get("hosts", like)
    edit.put("hosts", Host(eid, model.rack, model.zone, model.power, (), model.fencing, model.kind))
    edit.place(eid, edit.base.where[like])
    edit.declare(eid, *edit.declared(like))
    links = edit.table("links")
    for lid in model.links:
        link = links[lid]
        add_link(edit, eid, link.b if link.a == like else link.a)


# --- services and storage -------------------------------------------------------------


def set_hosts(edit: Edit, service: str, hosts: tuple[str, ...]) -> None:
    """A service's `hosts`: its replicas follow (unless written) and so does a majority
    quorum. A quorum written as a number equal to the majority is taken as `majority`,
    the stricter reading once members are added (the model keeps no other trace)."""
    svc: Service = edit.get("services", service)
    replicas = svc.replicas if "replicas" in edit.declared(service) else len(hosts)
    quorum = quorum_with(edit.declared(service), svc, replicas)
    edit.put("services", replace(svc, hosts=hosts, replicas=replicas, quorum=quorum))
    edit.declare(service, "hosts")


def set_pool(edit: Edit, service: str, pool: tuple[str, ...]) -> None:
    edit.put("services", replace(edit.get("services", service), pool=pool))
    edit.declare(service, "pool")


def set_service(edit: Edit, service: str, **fields: Any) -> None:
    """Service fields as written (`vip`, `spread`, `storage`, `replicas`)."""
    svc: Service = edit.get("services", service)
    if "replicas" in fields:
        fields["quorum"] = quorum_with(edit.declared(service), svc, fields["replicas"])
    edit.put("services", replace(svc, **fields))
    edit.declare(service, *(k for k in fields if k != "quorum"))


def quorum_with(declared: frozenset[str], svc: Service, replicas: int) -> int:
    """The quorum of `svc` with `replicas` members, as `model/services.py` would derive
    it (`declared`: the keys the service writes)."""
    before = svc.replicas // 2 + 1
    if "quorum" in declared:
        majority = svc.replicas > 1 and svc.quorum == before
    else:
        known = lookup(svc.kind)
        majority = svc.ha == "active-active" and bool(known and known.quorum)
    return replicas // 2 + 1 if majority else svc.quorum


def set_storage(
    edit: Edit,
    storage: str,
    hosts: tuple[str, ...] | None = None,
    replicas: int | None = None,
    minimum: int | None = None,
) -> None:
    """A storage backend's `hosts`, `replicas`, `min_replicas`; without a written
    `replicas` there is a copy on every host."""
    s: Storage = edit.get("storage", storage)
    members = s.hosts if hosts is None else hosts
    if replicas is not None:
        edit.declare(storage, "replicas")
    elif "replicas" not in edit.declared(storage):
        replicas = len(members) or s.replicas
    copies = s.replicas if replicas is None else min(replicas, len(members)) if members else replicas
    edit.put(
        "storage",
        replace(s, hosts=members, replicas=copies, min_replicas=s.min_replicas if minimum is None else minimum),
    )
    if hosts is not None:
        edit.declare(storage, "hosts")
    if minimum is not None:
        edit.declare(storage, "min_replicas")
