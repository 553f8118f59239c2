"""Stage 2, model: loaded documents to one validated, typed Topology.

Documents are checked against the JSON Schema, merged (ids unique across every section
and file), references resolved and checked for type and cycles, and every default of
topology.md applied once here (effective power, service state/role/access/ha from the
kind catalogue, quorum, public), so that later stages never re-derive them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import Iterable

from . import kinds
from .errors import InputError
from .load import MarkedList, MarkedMap, locate

SECTIONS = ("zones", "power", "cooling", "racks", "network", "links", "hosts", "storage", "services")
NOT_FAILING_NETWORK = ("external",)


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Acceptance:
    rule: str
    reason: str
    until: str | None = None


@dataclass(frozen=True, slots=True)
class Zone:
    id: str


@dataclass(frozen=True, slots=True)
class Power:
    id: str
    kind: str
    sources: tuple[str, ...]
    zone: str | None


@dataclass(frozen=True, slots=True)
class Cooling:
    id: str
    zone: str | None
    power: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rack:
    id: str
    zone: str | None
    cooling: tuple[str, ...]
    power: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NetworkNode:
    id: str
    kind: str
    rack: str | None
    zone: str | None
    power: tuple[str, ...]  # effective: its own, else its rack's


@dataclass(frozen=True, slots=True)
class Link:
    id: str
    a: str
    b: str


@dataclass(frozen=True, slots=True)
class Host:
    id: str
    rack: str | None
    zone: str | None
    power: tuple[str, ...]  # effective: its own, else its rack's
    links: tuple[str, ...]  # every link with this host at one end
    fencing: str | None


@dataclass(frozen=True, slots=True)
class Storage:
    id: str
    kind: str
    hosts: tuple[str, ...]
    replicas: int  # copies of each piece of data (at most one per host)
    min_replicas: int
    zone: str | None


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    kind: str | None
    state: str | None  # None: unknown kind and no state declared
    role: str | None
    hosts: tuple[str, ...]  # one instance per host; empty when scheduled on a pool
    replicas: int  # number of instances
    pool: tuple[str, ...]
    spread: str | None
    ha: str
    manager: str | None
    quorum: int  # instances a quorum needs (0: no quorum)
    min_instances: int
    load_balancer: str | None
    vip: str | None
    access: str
    depends_on: tuple[str, ...]
    storage: tuple[str, ...]  # empty: local
    public: bool

    @property
    def need(self) -> int:
        """Usable instances the service needs to be up."""
        return max(self.quorum, self.min_instances, 1)

    @property
    def addresses_one(self) -> bool:
        """Clients address one instance: no VIP, no load balancer, `access: single`."""
        return self.vip is None and self.load_balancer is None and self.access == "single"

    @property
    def needs(self) -> tuple[str, ...]:
        """Services and storage backends every instance needs."""
        return self.depends_on + tuple(s for s in self.storage if s not in self.depends_on)


@dataclass(frozen=True)
class Topology:
    name: str
    objectives: dict
    entrypoints: tuple[str, ...]
    zones: dict[str, Zone]
    power: dict[str, Power]
    cooling: dict[str, Cooling]
    racks: dict[str, Rack]
    network: dict[str, NetworkNode]
    links: dict[str, Link]
    hosts: dict[str, Host]
    storage: dict[str, Storage]
    services: dict[str, Service]
    where: dict[str, Location]
    accepted: dict[str, tuple[Acceptance, ...]] = field(default_factory=dict)
    declared: dict[str, frozenset] = field(default_factory=dict)  # fields written per element

    @cached_property
    def section_of(self) -> dict[str, str]:
        return {eid: name for name in SECTIONS for eid in getattr(self, name)}

    def element(self, eid: str):
        return getattr(self, self.section_of[eid])[eid]

    def can_fail(self, eid: str, zones: bool = False) -> bool:
        """Whether an element is a failure candidate (topology.md, "What can fail")."""
        section = self.section_of.get(eid)
        if section == "zones":
            return zones
        if section == "network":
            return self.network[eid].kind not in NOT_FAILING_NETWORK and eid not in self.entrypoints
        if section == "storage":
            return not self.storage[eid].hosts
        return section in ("power", "cooling", "racks", "links", "hosts")


# --- building ----------------------------------------------------------------------

_validator = None


def schema() -> dict:
    return json.loads(resources.files("spoflint").joinpath("topology.schema.json").read_text())


def _schema_errors(document: MarkedMap):
    global _validator
    if _validator is None:
        import jsonschema

        _validator = jsonschema.Draft202012Validator(schema())
    return _validator.iter_errors(document)


def is_topology(document: MarkedMap) -> bool:
    """A YAML file found in a directory is a topology when its `version` is 1."""
    return document.get("version") == 1 and not isinstance(document.get("version"), bool)


def validate(document: MarkedMap) -> None:
    """Check one document against the schema; the first error becomes an InputError."""
    version = document.get("version")
    if "version" not in document:
        raise InputError(document.path, document.line, document.column,
                         "missing `version: 1` (the topology format version)")
    if version != 1 or isinstance(version, bool):
        line, column = document.value_at("version")
        raise InputError(document.path, line, column,
                         f"unsupported format version {version!r}; this spoflint reads version 1")
    errors = list(_schema_errors(document))
    if not errors:
        return
    import jsonschema

    error = jsonschema.exceptions.best_match(errors)
    while error.context:  # oneOf: say what was wrong in the closest alternative
        error = jsonschema.exceptions.best_match(error.context)
    steps = list(error.absolute_path)
    line, column = locate(document, steps)
    where = ".".join(str(s) for s in steps)
    raise InputError(document.path, line, column, f"{where + ': ' if where else ''}{_schema_message(error)}")


def _schema_message(error) -> str:
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        extra = [e for e in extra if not str(e).startswith("x-")]
        return f"unknown key {extra[0]!r}" if extra else error.message
    if error.validator == "enum":
        return f"{error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
    if error.validator == "pattern" and error.schema is not None:
        return f"{error.instance!r} is not a valid id or value here"
    if error.validator == "not" or error.validator == "oneOf":
        return "give either `hosts`, or `replicas` with `pool`, not both"
    return error.message


class _Builder:
    """Merges documents and resolves references; raises InputError at the first problem."""

    def __init__(self, documents: list[MarkedMap]):
        self.documents = documents
        self.where: dict[str, Location] = {}
        self.raw: dict[str, tuple[str, MarkedMap | list, object]] = {}  # id -> (section, node, key)
        self.section_of: dict[str, str] = {}

    # -- locations and errors
    def fail(self, container, key, message) -> InputError:
        if isinstance(container, MarkedMap) and key in container.where:
            line, column = container.value_at(key)
        elif isinstance(container, MarkedList) and isinstance(key, int):
            line, column = container.item_at(key)
        else:
            line, column = container.line, container.column
        return InputError(container.path, line, column, message)

    def declare(self, eid: str, section: str, container, key, at: tuple[int, int]):
        if eid in self.section_of:
            first = self.where[eid]
            hint = " (name parallel links with `name:`)" if section == "links" else ""
            raise InputError(container.path, at[0], at[1],
                             f"duplicate id {eid!r}: already defined at {first.path}:{first.line}:{first.column}{hint}")
        self.section_of[eid] = section
        self.where[eid] = Location(container.path, at[0], at[1])

    def ref(self, container, key, value, allowed: Iterable[str], what: str) -> str:
        section = self.section_of.get(value)
        if section is None:
            raise self.fail(container, key, f"unknown {what} {value!r}")
        if section not in allowed:
            raise self.fail(container, key, f"{value!r} is in {section}, but this must be a {what}")
        return value

    def refs(self, node: MarkedMap, key: str, allowed, what) -> tuple[str, ...]:
        values = node.get(key) or ()
        out = []
        for index, value in enumerate(values):
            self.ref(values, index, value, allowed, what)
            if value in out:
                raise self.fail(values, index, f"{value!r} is listed twice")
            out.append(value)
        return tuple(out)

    def opt_ref(self, node: MarkedMap, key: str, allowed, what) -> str | None:
        value = node.get(key)
        return None if value is None else self.ref(node, key, value, allowed, what)

    # -- the build
    def build(self) -> Topology:
        sections: dict[str, list[tuple[str, MarkedMap, MarkedMap]]] = {s: [] for s in SECTIONS if s != "links"}
        link_items: list[tuple[MarkedList, int]] = []
        for document in self.documents:
            for section in sections:
                table = document.get(section) or {}
                for eid, node in table.items():
                    self.declare(eid, section, table, eid, table.key_at(eid))
                    sections[section].append((eid, node or _empty(table, eid), table))
            links = document.get("links") or []
            for index in range(len(links)):
                link_items.append((links, index))
        # links get their ids from their ends or names; nics add host links
        link_specs: list[tuple[str, str, str, object, object]] = []
        for links, index in link_items:
            item = links[index]
            if isinstance(item, MarkedMap):
                ends, name = item["between"], item.get("name")
                container, key = (item, "name") if name else (item["between"], 0)
                node = item
            else:
                ends, name, container, key, node = item, None, links, index, None
            a, b = ends
            eid = name or f"{a}--{b}"
            at = (container.value_at(key) if isinstance(container, MarkedMap) else container.item_at(key))
            self.declare(eid, "links", container, key, at)
            link_specs.append((eid, a, b, (ends, 0, 1), node))
        for eid, node, _ in sections["hosts"]:
            nics = node.get("nics") or []
            for index, switch in enumerate(nics):
                lid = f"{eid}--{switch}"
                self.declare(lid, "links", nics, index, nics.item_at(index))
                link_specs.append((lid, eid, switch, (nics, index, index), None))

        zones = {eid: Zone(eid) for eid, _, _ in sections["zones"]}
        power = {}
        for eid, node, _ in sections["power"]:
            power[eid] = Power(eid, node["kind"], self.refs(node, "from", ("power",), "power element"),
                               self.opt_ref(node, "zone", ("zones",), "zone"))
        cooling = {eid: Cooling(eid, self.opt_ref(node, "zone", ("zones",), "zone"),
                                self.refs(node, "power", ("power",), "power element"))
                   for eid, node, _ in sections["cooling"]}
        racks = {eid: Rack(eid, self.opt_ref(node, "zone", ("zones",), "zone"),
                           self.refs(node, "cooling", ("cooling",), "cooling unit"),
                           self.refs(node, "power", ("power",), "power element"))
                 for eid, node, _ in sections["racks"]}
        network = {}
        for eid, node, _ in sections["network"]:
            rack = self.opt_ref(node, "rack", ("racks",), "rack")
            own = self.refs(node, "power", ("power",), "power element")
            network[eid] = NetworkNode(eid, node["kind"], rack, self.opt_ref(node, "zone", ("zones",), "zone"),
                                       own or (racks[rack].power if rack else ()))
        links: dict[str, Link] = {}
        host_links: dict[str, list[str]] = {eid: [] for eid, _, _ in sections["hosts"]}
        for eid, a, b, (container, ka, kb), _ in link_specs:
            self.ref(container, ka, a, ("network", "hosts"), "network node or host")
            self.ref(container, kb, b, ("network", "hosts"), "network node")
            if a == b:
                raise self.fail(container, ka, f"link {eid!r} joins {a!r} to itself")
            if self.section_of[a] == "hosts" and self.section_of[b] == "hosts":
                raise self.fail(container, ka, f"link {eid!r} joins two hosts; hosts are cabled to network nodes")
            links[eid] = Link(eid, a, b)
            for end in (a, b):
                if end in host_links:
                    host_links[end].append(eid)
        hosts = {}
        for eid, node, _ in sections["hosts"]:
            rack = self.opt_ref(node, "rack", ("racks",), "rack")
            own = self.refs(node, "power", ("power",), "power element")
            self.refs(node, "nics", ("network",), "network node")
            hosts[eid] = Host(eid, rack, self.opt_ref(node, "zone", ("zones",), "zone"),
                              own or (racks[rack].power if rack else ()), tuple(host_links[eid]),
                              node.get("fencing"))
        storage = {}
        for eid, node, _ in sections["storage"]:
            members = self.refs(node, "hosts", ("hosts",), "host")
            replicas = node.get("replicas", len(members) or 1)
            storage[eid] = Storage(eid, node["kind"], members, min(replicas, len(members)) if members else replicas,
                                   node.get("min_replicas", 1), self.opt_ref(node, "zone", ("zones",), "zone"))
        entrypoints = self._entrypoints(network)
        services = self._services(sections["services"])
        self._check_cycles(power, services)
        accepted, declared = {}, {}
        for section, entries in sections.items():
            for eid, node, _ in entries:
                declared[eid] = frozenset(node)
                if node.get("accept"):
                    accepted[eid] = _acceptances(node["accept"])
        for eid, _, _, _, node in link_specs:
            if node is not None:
                declared[eid] = frozenset(node)
                if node.get("accept"):
                    accepted[eid] = _acceptances(node["accept"])
        first = self.documents[0]
        objectives = {}
        for document in self.documents:
            objectives.update(document.get("objectives") or {})
        return Topology(
            name=next((d["name"] for d in self.documents if d.get("name")), first.path),
            objectives=objectives, entrypoints=entrypoints, zones=zones, power=power,
            cooling=cooling, racks=racks, network=network, links=links, hosts=hosts,
            storage=storage, services=services, where=self.where, accepted=accepted, declared=declared)

    def _entrypoints(self, network) -> tuple[str, ...]:
        declared = []
        for document in self.documents:
            values = document.get("entrypoints") or []
            for index, value in enumerate(values):
                self.ref(values, index, value, ("network",), "network node")
                if value not in declared:
                    declared.append(value)
        if declared:
            return tuple(declared)
        return tuple(eid for eid, node in network.items() if node.kind == "external")

    def _services(self, entries) -> dict[str, Service]:
        referenced: set[str] = set()
        balancers: set[str] = set()
        for eid, node, _ in entries:
            referenced.update(node.get("depends_on") or ())
            if node.get("load_balancer"):
                referenced.add(node["load_balancer"])
                balancers.add(node["load_balancer"])
        services = {}
        for eid, node, _ in entries:
            kind_name = node.get("kind")
            known = kinds.lookup(kind_name)
            members = self.refs(node, "hosts", ("hosts",), "host")
            pool = self.refs(node, "pool", ("hosts",), "host")
            replicas = node.get("replicas", len(members))
            spread = node.get("spread")
            if pool and spread == "host" and len(pool) < replicas:
                raise self.fail(node, "pool", f"`spread: host` needs {replicas} hosts in the pool, it has {len(pool)}")
            ha = node.get("ha") or (known.ha if known else "none")
            declared_role = node.get("role")
            role = (None if declared_role == "none" else declared_role) if declared_role else (
                known.role if known and known.role else ("load-balancer" if eid in balancers else None))
            quorum = node.get("quorum")
            if quorum == "majority":
                quorum_count = replicas // 2 + 1
            elif quorum == "none":
                quorum_count = 0
            elif isinstance(quorum, int):
                quorum_count = quorum
            else:
                quorum_count = replicas // 2 + 1 if (ha == "active-active" and known and known.quorum) else 1
            lb = self.opt_ref(node, "load_balancer", ("services",), "service (the load balancer)")
            if lb == eid:
                raise self.fail(node, "load_balancer", f"{eid!r} cannot be its own load balancer")
            vip = node.get("vip")
            if isinstance(vip, dict):
                vip = vip.get("manager") or "address"
            services[eid] = Service(
                id=eid, kind=kind_name, state=node.get("state") or (known.state if known else None),
                role=role, hosts=members, replicas=replicas, pool=pool, spread=spread, ha=ha,
                manager=node.get("manager"), quorum=quorum_count,
                min_instances=node.get("min_instances", 1), load_balancer=lb, vip=vip,
                access=node.get("access") or (known.access if known else "single"),
                depends_on=self.refs(node, "depends_on", ("services", "storage"), "service or storage backend"),
                storage=self.refs(node, "storage", ("storage",), "storage backend"),
                public=node.get("public", eid not in referenced))
        return services

    def _check_cycles(self, power, services):
        edges = {eid: p.sources for eid, p in power.items()}
        edges.update({eid: s.depends_on + ((s.load_balancer,) if s.load_balancer else ())
                      for eid, s in services.items()})
        cycle = find_cycle(edges)
        if cycle:
            at = self.where[cycle[0]]
            raise InputError(at.path, at.line, at.column, "dependency cycle: " + " -> ".join(cycle + [cycle[0]]))


def find_cycle(edges: dict[str, tuple[str, ...]]) -> list[str] | None:
    """One cycle in a directed graph given as adjacency, in a deterministic order."""
    state: dict[str, int] = {}
    for start in edges:
        if state.get(start):
            continue
        stack = [(start, iter(edges.get(start, ())))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            for child in children:
                if state.get(child) == 1:
                    return path[path.index(child):]
                if not state.get(child):
                    state[child] = 1
                    path.append(child)
                    stack.append((child, iter(edges.get(child, ()))))
                    break
            else:
                stack.pop()
                path.pop()
                state[node] = 2
    return None


def _empty(table: MarkedMap, key) -> MarkedMap:
    """An element written with no fields (`dc1:`), as an empty mapping at its place."""
    node = MarkedMap()
    node.path, node.where = table.path, {}
    node.line, node.column = table.value_at(key)
    return node


def _acceptances(accept: dict) -> tuple[Acceptance, ...]:
    out = []
    for rule, value in accept.items():
        if isinstance(value, dict):
            out.append(Acceptance(rule, value["reason"], value.get("until")))
        else:
            out.append(Acceptance(rule, value))
    return tuple(out)


def build(documents: list[MarkedMap]) -> Topology:
    """Validate each document, then merge them into one Topology."""
    for document in documents:
        validate(document)
    return _Builder(documents).build()
