"""What the OpenStack deployment readers share: the services they model, their kinds,
what each needs, and how the result is written as a native document.

Both OpenStack-Ansible and kolla-ansible deploy the same control plane (Galera,
RabbitMQ, memcached, the API services behind HAProxy, the schedulers and agents that
take work from the queue); they differ in how a file says which host runs what. The
readers work out placements (service -> hosts, with where each was written) and hand
them to `Plan`, which writes services, storage and the load balancer the same way for
both, so that the same deployment read from either tool gives the same model.

Facts used here (OpenStack HA Guide and the tools' own defaults, not their files):
the APIs and Galera are reached through HAProxy at the internal VIP; RabbitMQ and
memcached are reached through client-side lists of every member; RabbitMQ runs quorum
queues (active/active, majority) by default in both tools' current releases;
schedulers, conductors, agents and cinder-volume take work from the queue; OVN's
northd holds a lock in its Raft-clustered databases, so any one instance suffices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..load import MarkedList, MarkedMap
from ..load.comments import AcceptComments
from ..load.scalars import TaggedText
from ._native import Native, Position, mapping, put, sequence

At = tuple[str, int, int]  # (path, line, column) of what an element came from


@dataclass(frozen=True)
class Spec:
    kind: str
    behind_lb: bool = False  # clients reach it through the load balancer (or VIP)
    depends: tuple[str, ...] = ()  # services it needs, when they are in the model
    fields: tuple[tuple[str, object], ...] = ()  # extra native fields


_CORE = ("galera", "keystone", "rabbitmq")
_DB_MQ = ("galera", "rabbitmq")

SERVICES: dict[str, Spec] = {
    "haproxy": Spec("haproxy"),
    "galera": Spec("mariadb-galera", behind_lb=True),
    "rabbitmq": Spec("rabbitmq", fields=(("ha", "active-active"),)),
    "memcached": Spec("memcached"),
    "zookeeper": Spec("zookeeper"),
    "etcd": Spec("etcd"),
    "keystone": Spec("keystone-api", True, ("galera", "memcached")),
    "glance": Spec("glance-api", True, ("galera", "keystone")),
    "placement": Spec("placement-api", True, ("galera", "keystone")),
    "nova-api": Spec("nova-api", True, _CORE),
    "nova-metadata-api": Spec("nova-metadata-api", True, _DB_MQ),
    "nova-novncproxy": Spec("nova-novncproxy", True, _DB_MQ),
    "nova-scheduler": Spec("nova-scheduler", depends=(*_DB_MQ, "placement")),
    "nova-conductor": Spec("nova-conductor", depends=_DB_MQ),
    "nova-compute": Spec("nova-compute", depends=("rabbitmq", "nova-conductor")),
    "neutron-server": Spec("neutron-server", True, (*_CORE, "ovn-ovsdb")),
    "neutron-l3-agent": Spec("neutron-l3-agent", depends=("rabbitmq",)),
    "neutron-dhcp-agent": Spec("neutron-dhcp-agent", depends=("rabbitmq",)),
    "neutron-metadata-agent": Spec("neutron-metadata-agent", depends=("rabbitmq",)),
    "ovn-ovsdb": Spec("ovsdb-raft"),
    # northd takes a lock in the southbound database: the others stand by, no fencing needed
    "ovn-northd": Spec("ovn-northd", depends=("ovn-ovsdb",), fields=(("ha", "none"), ("access", "worker"))),
    "ovn-gateway": Spec("ovn-controller", depends=("ovn-ovsdb",)),
    "cinder-api": Spec("cinder-api", True, _CORE),
    "cinder-scheduler": Spec("cinder-scheduler", depends=_DB_MQ),
    "cinder-volume": Spec("cinder-volume", depends=_DB_MQ),
    "cinder-backup": Spec("cinder-backup", depends=_DB_MQ),
    "heat-api": Spec("heat-api", True, _CORE),
    "heat-api-cfn": Spec("heat-api-cfn", True, _CORE),
    "heat-engine": Spec("heat-engine", depends=_CORE),
    "horizon": Spec("horizon", True, ("keystone", "memcached")),
    "ceph-mon": Spec("ceph-mon"),
    "ceph-rgw": Spec("ceph-rgw", True, ("ceph-mon",)),
    "swift-proxy": Spec("swift-proxy", True, ("keystone", "memcached")),
    "barbican-api": Spec("barbican-api", True, ("galera", "keystone")),
    "designate-api": Spec("designate-api", True, _CORE),
    "designate-worker": Spec("designate-worker", depends=_DB_MQ),
    "octavia-api": Spec("octavia-api", True, _CORE),
    "octavia-worker": Spec("octavia-worker", depends=_DB_MQ),
    "octavia-health-manager": Spec("octavia-health-manager", depends=_DB_MQ),
    "octavia-housekeeping": Spec("octavia-housekeeping", depends=_DB_MQ),
}


@dataclass
class Placement:
    """Where one service runs: its hosts in order (first written first) and where the
    file says so."""

    at: At
    hosts: dict[str, At] = field(default_factory=dict)  # host -> where it was listed for this service
    instances: dict[str, int] = field(default_factory=dict)  # host -> containers (OSA affinity > 1)
    description: str = ""
    storage: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)  # services it needs besides its spec's (ceph-mon)
    extra: dict = field(default_factory=dict)  # fields that override the spec's

    def add(self, host: str, at: At, count: int = 1) -> None:
        if host not in self.hosts:
            self.hosts[host] = at
        if count > 1:
            self.instances[host] = max(self.instances.get(host, 1), count)


@dataclass
class StorageSpec:
    kind: str
    at: At
    hosts: dict[str, At] = field(default_factory=dict)
    replicas: int | None = None
    min_replicas: int | None = None
    description: str = ""


@dataclass(frozen=True)
class Note:
    at: At
    key: str
    message: str
    subject: str | None = None
    unless: str | None = None


@dataclass
class HostSpec:
    at: At
    description: str = ""
    zone: tuple[str, At] | None = None


class Plan:
    """The model a reader worked out, written as native documents (one per source file,
    so that every element keeps the file it came from)."""

    def __init__(self, name: str):
        self.name = name
        self.hosts: dict[str, HostSpec] = {}
        self.zones: dict[str, At] = {}
        self.services: dict[str, Placement] = {}
        self.storage: dict[str, StorageSpec] = {}
        self.network: dict[str, tuple[str, At, str]] = {}  # id -> (kind, at, description)
        self.balancer: str | None = None  # the load-balancer service, when the tool deploys one
        self.vip: dict | None = None  # {manager, address}: the VIP the load balancer holds
        self.external_vip: dict | None = None  # the VIP of a load balancer the file does not describe
        self.comments: dict[str, AcceptComments] = {}  # path -> `# spoflint: accept` comments by line
        self.notes: dict[tuple[str, str | None, str], Note] = {}  # what the reader could not read or see

    def note(self, at: At, key: str, message: str, subject: str | None = None, unless: str | None = None) -> None:
        """A MODEL001 note: about the service, host or storage `subject` (its name in the
        plan), or, with none, about the file at `at`; once per (file, subject, key)."""
        self.notes.setdefault((at[0], subject, key), Note(at, key, message, subject, unless))

    def host(self, name: str, at: At) -> HostSpec:
        if name not in self.hosts:
            self.hosts[name] = HostSpec(at)
        return self.hosts[name]

    def place(self, service: str, at: At) -> Placement:
        if service not in self.services:
            self.services[service] = Placement(at)
        return self.services[service]

    def documents(self) -> list[MarkedMap]:
        """The plan as native documents, one per file its elements came from."""
        return _Writer(self).documents()

    def ids(self) -> dict[str, str]:
        """Element ids. Hosts keep their names; a zone, network node, storage backend or
        service whose name a host (or an earlier section) already has gets a suffix:
        a host called `haproxy` leaves the service the id `haproxy-service`."""
        taken = set(self.hosts)
        ids: dict[str, str] = {}
        for names, suffix in (
            (self.zones, "zone"),
            (self.network, "lb"),
            (self.storage, "storage"),
            (self.services, "service"),
        ):
            for name in names:
                eid = name if name not in taken else f"{name}-{suffix}"
                ids[name] = eid
                taken.add(eid)
        return ids


class _Writer:
    """Writes a plan: zones, network nodes, hosts, storage, then services, each into the
    native document of the file it came from (created in the order first needed)."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.ids = plan.ids()
        self.natives: dict[str, Native] = {}
        self.present = {s for s, p in plan.services.items() if p.hosts}  # services that run somewhere

    def documents(self) -> list[MarkedMap]:
        plan = self.plan
        for zone, at in plan.zones.items():
            self._element("zones", self.ids[zone], at)
        for eid, (kind, at, description) in plan.network.items():
            node = self._element("network", self.ids[eid], at)
            put(node, "kind", kind, _pos(at))
            if description:
                put(node, "description", description, _pos(at))
        for name, host in plan.hosts.items():
            self._host(name, host)
        for eid, storage in plan.storage.items():
            self._storage(eid, storage)
        for service, placement in plan.services.items():
            if service in self.present:
                self._service(service, placement)
        for note in plan.notes.values():
            subject = self._subject(note.subject) if note.subject else None
            if note.subject and subject is None:
                continue  # about an element that is not in the model
            self._native(note.at[0]).note(_pos(note.at), note.key, note.message, subject, note.unless)
        return [native.root for native in self.natives.values()]

    def _subject(self, name: str) -> str | None:
        """The element id of a host, storage backend or service of the plan that is in the
        model (a service placed on no host is not)."""
        if name in self.plan.hosts:
            return name
        if name in self.plan.services and name not in self.present:
            return None
        return self.ids.get(name)

    def _native(self, path: str) -> Native:
        """The native document of a file, created the first time it is needed."""
        if path not in self.natives:
            native = self.natives[path] = Native(path, self.plan.name)
            if self.plan.comments.get(path):
                native.root.comments = self.plan.comments[path]
        return self.natives[path]

    def _element(self, section: str, eid: str, at: At) -> MarkedMap:
        """The element `eid` of a section, in the document of the file `at` is in."""
        return self._native(at[0]).element(section, eid, _pos(at))

    def _host(self, name: str, spec: HostSpec) -> None:
        node = self._element("hosts", name, spec.at)
        if spec.zone and spec.zone[0] in self.plan.zones:
            put(node, "zone", self.ids[spec.zone[0]], _same(spec.at, spec.zone[1]))
        if spec.description:
            put(node, "description", spec.description, _pos(spec.at))

    def _storage(self, eid: str, spec: StorageSpec) -> None:
        at = _pos(spec.at)
        node = self._element("storage", self.ids[eid], spec.at)
        put(node, "kind", spec.kind, at)
        if spec.hosts:
            put(node, "hosts", _list(spec.at, spec.hosts), at)
        if spec.replicas is not None:
            put(node, "replicas", spec.replicas, at)
        if spec.min_replicas is not None:
            # at most one copy per host: a pool of size 3 on one OSD host keeps one copy, and
            # needs no more than it has (STATE005 says what that one host means)
            copies = min(spec.replicas or len(spec.hosts), len(spec.hosts)) if spec.hosts else spec.replicas
            put(node, "min_replicas", min(spec.min_replicas, copies or spec.min_replicas), at)
        if spec.description:
            put(node, "description", spec.description, at)

    def _service(self, service: str, placement: Placement) -> None:
        spec = SERVICES[service]
        at = placement.at
        node = self._element("services", self.ids[service], at)
        put(node, "kind", spec.kind, _pos(at))
        total = sum(placement.instances.get(h, 1) for h in placement.hosts)
        if total > len(placement.hosts):
            # several containers on a host fail together; worst case, all on one host
            put(node, "replicas", total, _pos(at))
            put(node, "pool", _list(at, placement.hosts), _pos(at))
        else:
            put(node, "hosts", _list(at, placement.hosts), _pos(at))
        fields = dict(spec.fields)
        fields.update(placement.extra)
        for key, value in fields.items():
            put(node, key, value, _pos(at))
        self._reached(node, service, spec, at)
        needs = [d for d in dict.fromkeys((*spec.depends, *placement.needs)) if d in self.present and d != service]
        if needs:
            put(node, "depends_on", self._refs(at, needs), _pos(at))
        if placement.storage:
            put(node, "storage", self._refs(at, placement.storage), _pos(at))
        if placement.description:
            put(node, "description", placement.description, _pos(at))

    def _reached(self, node: MarkedMap, service: str, spec: Spec, at: At) -> None:
        """How clients reach a service: the load balancer holds the VIP; a service
        behind it names it, or, with a load balancer the file does not describe, its VIP."""
        plan = self.plan
        if service == plan.balancer and plan.vip is not None:
            put(node, "vip", _vip(at, plan.vip), _pos(at))
        elif spec.behind_lb and service != plan.balancer:
            if plan.balancer is not None and plan.balancer in self.present:
                put(node, "load_balancer", self.ids[plan.balancer], _pos(at))
            elif plan.external_vip is not None:
                put(node, "vip", _vip(at, plan.external_vip), _pos(at))

    def _refs(self, owner: At, names: list[str]) -> MarkedList:
        """A list of element ids, each at the owner's position."""
        return sequence(owner[0], [(self.ids[n], _pos(owner)) for n in names], _pos(owner))


def _pos(at: At) -> Position:
    return at[1], at[2]


def _same(owner: At, at: At) -> Position:
    """A position for a field: where it was written when that is in the owner's
    file, else the owner's own position."""
    return (at[1], at[2]) if at[0] == owner[0] else (owner[1], owner[2])


def _list(owner: At, items: dict[str, At]) -> MarkedList:
    """A list of names, each where it was written (when in the owner's file)."""
    return sequence(owner[0], [(name, _same(owner, at)) for name, at in items.items()], _pos(owner))


def _vip(owner: At, vip: dict) -> MarkedMap:
    node = mapping(owner[0], _pos(owner))
    for key in ("manager", "address"):
        if vip.get(key) is not None:
            put(node, key, str(vip[key]), _pos(owner))
    return node


def key_at(node: MarkedMap | MarkedList, key: str | int) -> At:
    """Where a key of a mapping (or an item of a list) is written; where the node
    itself is when it has no such key."""
    if isinstance(node, MarkedMap) and isinstance(key, str) and key in node.where:
        line, column = node.key_at(key)
        return node.path, line, column
    if isinstance(node, MarkedList) and isinstance(key, int) and key < len(node.where):
        line, column = node.item_at(key)
        return node.path, line, column
    return node.path, node.line, node.column


def value_at(node: MarkedMap, key: str) -> At:
    """Where the value of a key of a mapping is written."""
    line, column = node.value_at(key)
    return node.path, line, column


def truthy(value: object, default: bool) -> bool:
    """An Ansible boolean as people write it (`yes`, "True", 1), else the default
    (for a Jinja expression or nothing at all)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("yes", "true", "on", "1", "y"):
            return True
        if text in ("no", "false", "off", "0", "n", ""):
            return False
    return default


def is_template(value: object) -> bool:
    """A value that is not known until Ansible renders it: a Jinja expression, or a
    value encrypted with ansible-vault."""
    if isinstance(value, TaggedText) and value.encrypted:
        return True
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def known(value: object) -> object:
    """A value as written, or None when it is only known once rendered (`is_template`)."""
    return None if is_template(value) else value


def own_address(address: object, hosts: dict[str, str]) -> str | None:
    """The host (of `hosts`, address -> host) whose own address a VIP address is, if any;
    a VIP written with its prefix length (`172.29.236.9/32`) is compared without it."""
    if not isinstance(address, str) or is_template(address):
        return None
    return hosts.get(address.strip().split("/", 1)[0])


def ceph_copies(size: object) -> tuple[int, int]:
    """Replicas and min_replicas of a Ceph pool of this size (Ceph's default min_size
    is size - size // 2: 2 of 3)."""
    if isinstance(size, str) and size.strip().isdigit():
        size = int(size)
    size = size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else 3
    return size, size - size // 2
