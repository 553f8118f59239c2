"""The model's element types and the Topology that holds them, every default already applied."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass, field, fields
from functools import cached_property
from itertools import repeat
from operator import itemgetter
from typing import Any, TypeVar

from ..load.marked import ReaderNote

# the sections whose elements may fail; zones only when the failure scope asks
FAILING = ("power", "cooling", "racks", "network", "links", "hosts", "storage", "zones")
DEFAULT_SCOPE = frozenset(FAILING) - {"zones"}
SECTIONS = ("zones", "power", "cooling", "racks", "network", "links", "hosts", "storage", "services")
NOT_FAILING_NETWORK = ("external",)


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    line: int
    column: int


_new = object.__new__
_set_path, _set_line, _set_column = (Location.__dict__[f].__set__ for f in ("path", "line", "column"))  # slots


def location(path: str, line: int, column: int) -> Location:
    """`Location(path, line, column)` in half the time (the frozen dataclass's __init__
    goes through object.__setattr__ for each field): the model makes one per element."""
    at = _new(Location)
    _set_path(at, path)
    _set_line(at, line)
    _set_column(at, column)
    return at


_E = TypeVar("_E")


def by_id(cls: type[_E], rows: list[tuple[Any, ...]]) -> dict[str, _E]:
    """Instances of a frozen slots dataclass by id, one from each row (every field, in
    field order, the id first), as `{row[0]: cls(*row)}` would make them, with the loops
    in C: the generated __init__ sets each field through object.__setattr__, 0.85 us a
    Link and 1.6 us a Host, a tenth of the builder at 100k elements (this, 0.27 us a Link)."""
    if not rows:
        return {}
    objects = list(map(_new, repeat(cls, len(rows))))
    for each, column in zip(fields(cls), zip(*rows), strict=True):  # type: ignore[arg-type]  # a dataclass
        deque(map(cls.__dict__[each.name].__set__, objects, column), maxlen=0)
    return dict(zip(map(itemgetter(0), rows), objects))


class Places(Mapping[str, Location]):
    """Element id -> where it is written, each Location made the first time it is asked
    for. A check asks for the places of the few elements its findings name; making one
    for each of a million elements up front was a second of a 1M check (a tenth of a
    second at 100k). `raw`: id -> the builder's declaration of it, a tuple (document
    number, line, column, id, section, path), kept as the builder made it."""

    __slots__ = ("raw", "_made")

    def __init__(self, raw: dict[str, tuple[int, int, int, str, str, str]]):
        self.raw = raw
        self._made: dict[str, Location] = {}

    def __getitem__(self, eid: str) -> Location:
        made = self._made.get(eid)
        if made is None:
            _, line, column, _, _, path = self.raw[eid]
            made = self._made[eid] = location(path, line, column)
        return made

    def get(self, eid: str, default: Any = None) -> Any:
        return self[eid] if eid in self.raw else default

    def __contains__(self, eid: object) -> bool:
        return eid in self.raw

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def __repr__(self) -> str:
        return f"Places({dict(self)!r})"


@dataclass(frozen=True, slots=True)
class Acceptance:
    rule: str
    reason: str
    until: str | None = None
    at: Location | None = field(default=None, compare=False)  # where the rule is named (for its input error)


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
    kind: str | None = None  # free text as written: server, vm-host, k8s-node, swarm-node, ...


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
    spread_strength: str  # `required` (a scheduler constraint) or `preferred` (its best effort)
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
    recreated: bool = True  # false: nothing recreates a failed instance (a bare Pod)

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


Element = Zone | Power | Cooling | Rack | NetworkNode | Link | Host | Storage | Service


@dataclass(frozen=True)
class Topology:
    name: str
    objectives: dict[str, Any]  # as written: objective -> its figure
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
    where: Mapping[str, Location]  # a dict, or the builder's Places
    accepted: dict[str, tuple[Acceptance, ...]] = field(default_factory=dict)
    declared: dict[str, frozenset[str]] = field(default_factory=dict)  # fields written per element
    availability: dict[str, float] = field(default_factory=dict)  # declared figures, as fractions (0, 1]
    notes: tuple[ReaderNote, ...] = ()  # what the readers of foreign files could not read or see
    # elements the files imply but do not describe (`assumed:`, as a reader writes for the
    # nodes it must assume): element -> what it is, in words ("a node the manifests imply")
    assumed: dict[str, str] = field(default_factory=dict)
    # network nodes that stand for a switch stack (`members:`): node -> its member devices
    stacks: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @cached_property
    def section_of(self) -> dict[str, str]:
        """Element id -> the section it is declared in."""
        return {eid: name for name in SECTIONS for eid in getattr(self, name)}

    def describe(self, eid: str) -> str:
        """The element's id as a message names it: an assumed element with what it is,
        so that no finding reports it as a machine someone described
        ("k8s-node-1 (a node the manifests imply)")."""
        what = self.assumed.get(eid)
        if what:
            return f"{eid} ({what})"
        members = self.stacks.get(eid)
        if members:
            return f"{eid} (a switch stack of {', '.join(members)}: one control plane, one failure domain)"
        return eid

    def element(self, eid: str) -> Element:
        """The element with id `eid`, of whichever section."""
        return getattr(self, self.section_of[eid])[eid]

    def can_fail(self, eid: str, scope: Set[str] = DEFAULT_SCOPE) -> bool:
        """Whether an element is a failure candidate (docs/format.md, "What can fail"):
        one of the sections in the failure scope (every one but zones by default),
        never an entry point or an external node, and storage only when it has no hosts
        (else it fails through them)."""
        section = self.section_of.get(eid)
        if section not in scope:
            return False
        if section == "network":
            return self.network[eid].kind not in NOT_FAILING_NETWORK and eid not in self.entrypoints
        if section == "storage":
            return not self.storage[eid].hosts
        return True

    def failure_candidates(self, scope: Set[str] = DEFAULT_SCOPE) -> dict[str, bool]:
        """`can_fail` for every element at once, a section at a time."""
        result = dict.fromkeys(self.section_of, False)
        for section in SECTIONS:
            if section in scope:  # pairs straight in, without a dict of them first (0.2 s at 1M)
                result.update(zip(getattr(self, section), repeat(True)))
        if "network" in scope:
            for eid in self.entrypoints:
                if eid in self.network:
                    result[eid] = False
            for node in self.network.values():
                if node.kind in NOT_FAILING_NETWORK:
                    result[node.id] = False
        if "storage" in scope:
            for backend in self.storage.values():
                if backend.hosts:
                    result[backend.id] = False
        return result
