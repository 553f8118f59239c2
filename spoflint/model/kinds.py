"""The catalogue of known service kinds: what a `kind:` implies when the file is silent,
the names operators write for them, and the words `vip`, `manager` and `fencing` take.

Each entry gives the defaults a service of that kind takes:

- `state`: `stateful` (it keeps data a failure can lose) or `stateless`;
- `role`: `load-balancer` for proxies that front other services;
- `access`: how clients find instances without a load balancer: `client-list` (every
  client is configured with every instance), `worker` (instances pull work from a
  queue; any one suffices) or `single` (clients address one instance);
- `ha`: the replication a kind always has (a Galera or etcd cluster is active/active by
  construction); otherwise `none`. `ha_from` is the fewest instances that default holds
  for: a single RabbitMQ node has no second copy of any queue, so it is `ha: none`;
- `quorum`: True for kinds whose clustered (active/active) form needs a majority of
  members up (Galera, RabbitMQ quorum queues, etcd, ZooKeeper, Ceph monitors);
- `manager`: for kinds that fail over by themselves (Patroni, Redis Sentinel, Ceph's
  standby daemons), what moves them; such a manager elects the active member by its
  own consensus (`ELECTING`: a leader key in a DCS, a quorum of sentinels, the Ceph
  monitors' maps, an OVSDB lock), so it needs no fencing (STONITH);
- `replicates`: the kind keeps a copy of its data on every member by itself (Patroni's
  streaming replicas, Redis replicas under Sentinel), although it is active/passive:
  one member's host holds no only copy;
- `source`: where a default comes from, when one decision rests on one source.

Facts from the OpenStack HA Guide (controller and storage chapters): memcached and
RabbitMQ are reached through client-side lists of every instance; the schedulers,
conductors, compute and volume agents consume work from the message queue; the API
services are stateless behind HAProxy; Galera needs a majority of its members.

Names: a kind is matched ignoring case and `_` for `-`; `ALIASES` maps the names
operators write (`galera`, `keystone`, `ha-proxy`, `postgres`) to the catalogue's, and
`AMBIGUOUS` the names of a project that runs several kinds (`nova`: nova-api,
nova-scheduler, ...). `resolve` turns a written kind into the catalogue's name, keeps a
kind it does not know as written (SVC006 then asks for its `state`), and says what is
wrong with one that is ambiguous or one edit from a known name (a typo: "did you mean").
`word` does the same for the free-text words of `vip`, `manager` and `fencing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Kind:
    state: str
    role: str | None = None
    access: str = "single"
    ha: str = "none"
    quorum: bool = False
    manager: str | None = None  # what moves an active/passive kind, when built in
    ha_from: int = 1  # the fewest instances the `ha` default holds for; fewer: `ha: none`
    replicates: bool = False  # active/passive, but every member keeps a replica of the data
    source: str | None = None  # where the defaults come from, when one source decides them


RABBITMQ_SOURCE = (
    "RabbitMQ 4.0 release notes: classic queue mirroring removed, quorum queues (Raft, majority) "
    "are the replicated queue type; kolla-ansible 2024.1 (om_enable_rabbitmq_quorum_queues: true) "
    "and OpenStack-Ansible 2024.1 (oslomsg_rabbit_quorum_queues: true) enable quorum queues by default"
)

_API = Kind("stateless")
_WORKER = Kind("stateless", access="worker")
_LB = Kind("stateless", role="load-balancer")

_CLUSTER = Kind("stateful", access="client-list", ha="active-active", quorum=True)

KINDS: dict[str, Kind] = {
    # relational databases
    "mariadb": Kind("stateful"),
    "mysql": Kind("stateful"),
    "postgresql": Kind("stateful"),
    "mariadb-galera": Kind("stateful", ha="active-active", quorum=True),
    "percona-xtradb-cluster": Kind("stateful", ha="active-active", quorum=True),
    "mysql-innodb-cluster": Kind("stateful", ha="active-active", quorum=True),  # Group Replication
    "postgresql-patroni": Kind("stateful", ha="active-passive", manager="patroni", replicates=True),
    "cockroachdb": Kind("stateful", ha="active-active", quorum=True),  # Raft ranges
    # document, wide-column and search stores
    "mongodb": Kind("stateful", access="client-list", ha="active-active", quorum=True),  # replica set election
    "cassandra": Kind("stateful", access="client-list", ha="active-active"),  # tunable consistency, no majority
    "elasticsearch": Kind("stateful", access="client-list", ha="active-active", quorum=True),
    "opensearch": Kind("stateful", access="client-list", ha="active-active", quorum=True),
    # messaging
    "rabbitmq": Kind(
        "stateful", access="client-list", ha="active-active", quorum=True, ha_from=2, source=RABBITMQ_SOURCE
    ),  # quorum queues (majority); a single node replicates nothing
    "kafka": Kind("stateful", access="client-list", ha="active-active"),  # partition replicas, ISR
    "nats": Kind("stateful", access="client-list"),
    # caches
    "memcached": Kind("stateless", access="client-list"),
    "redis": Kind("stateful"),
    # clients ask any sentinel for the current master (a list of every sentinel)
    "redis-sentinel": Kind("stateful", access="client-list", ha="active-passive", manager="sentinel", replicates=True),
    "valkey": Kind("stateful"),
    # coordination
    "etcd": _CLUSTER,
    "zookeeper": _CLUSTER,
    "consul": _CLUSTER,
    "ovsdb-raft": _CLUSTER,
    # Ceph daemons
    "ceph-mon": _CLUSTER,
    "ceph-osd": Kind("stateful", access="client-list", ha="active-active"),  # data: model it as storage
    # standbys take over by themselves; clients find the active one in the monitors' maps
    "ceph-mgr": Kind("stateless", access="client-list", ha="active-passive", manager="ceph-mon"),
    "ceph-mds": Kind("stateless", access="client-list", ha="active-passive", manager="ceph-mon"),
    "ceph-rgw": Kind("stateless"),  # HTTP, behind a load balancer
    # load balancers, proxies and VIP managers
    "haproxy": _LB,
    "envoy": _LB,
    "traefik": _LB,
    "ingress-nginx": _LB,
    "octavia-amphora": _LB,
    "nginx": Kind("stateless"),
    "keepalived": Kind("stateless"),
    "pacemaker": Kind("stateless"),
    # OpenStack API services (stateless, behind a load balancer)
    "keystone-api": _API,
    "nova-api": _API,
    "nova-metadata-api": _API,
    "nova-novncproxy": _API,
    "glance-api": _API,
    "neutron-server": _API,
    "cinder-api": _API,
    "heat-api": _API,
    "heat-api-cfn": _API,
    "placement-api": _API,
    "barbican-api": _API,
    "octavia-api": _API,
    "designate-api": _API,
    "swift-proxy": _API,
    "horizon": _API,
    # OpenStack services that take work from the message queue: any one suffices
    "nova-scheduler": _WORKER,
    "nova-conductor": _WORKER,
    "nova-compute": _WORKER,
    "cinder-scheduler": _WORKER,
    "cinder-volume": _WORKER,
    "cinder-backup": _WORKER,
    "heat-engine": _WORKER,
    "neutron-dhcp-agent": _WORKER,
    "neutron-metadata-agent": _WORKER,
    "neutron-l3-agent": _WORKER,
    "neutron-openvswitch-agent": _WORKER,
    "octavia-worker": _WORKER,
    "octavia-health-manager": _WORKER,
    "octavia-housekeeping": _WORKER,
    "designate-worker": _WORKER,
    # the instance that holds the OVSDB lock works; a standby takes the lock over
    "ovn-northd": Kind("stateless", access="worker", ha="active-passive", manager="ovsdb-lock"),
    "ovn-controller": _WORKER,
    # Kubernetes control plane
    "kube-apiserver": _API,
    "kube-scheduler": Kind("stateless", access="worker"),  # leader election
    "kube-controller-manager": Kind("stateless", access="worker"),
}

# the names operators write -> the catalogue's
ALIASES: dict[str, str] = {
    **dict.fromkeys(("galera", "galera-cluster", "mariadb-cluster", "mariadb-galera-cluster"), "mariadb-galera"),
    **dict.fromkeys(("pxc", "percona-cluster", "xtradb-cluster"), "percona-xtradb-cluster"),
    **dict.fromkeys(("innodb-cluster", "mysql-group-replication"), "mysql-innodb-cluster"),
    **dict.fromkeys(("postgres", "pgsql"), "postgresql"),
    "patroni": "postgresql-patroni",
    "mysqld": "mysql",
    **dict.fromkeys(("mongo", "mongod"), "mongodb"),
    "cockroach": "cockroachdb",
    "elastic": "elasticsearch",
    **dict.fromkeys(("rabbit", "rabbitmq-server"), "rabbitmq"),
    "memcache": "memcached",
    "redis-server": "redis",
    "sentinel": "redis-sentinel",
    "zk": "zookeeper",
    "ovsdb": "ovsdb-raft",
    "ha-proxy": "haproxy",
    "nginx-ingress": "ingress-nginx",
    "amphora": "octavia-amphora",
    **dict.fromkeys(("radosgw", "rgw", "ceph-radosgw"), "ceph-rgw"),
    "keystone": "keystone-api",
    "glance": "glance-api",
    "placement": "placement-api",
    "barbican": "barbican-api",
    "neutron-api": "neutron-server",
    "nova-metadata": "nova-metadata-api",
    "novncproxy": "nova-novncproxy",
    "neutron-metadata": "neutron-metadata-agent",
    "neutron-ovs-agent": "neutron-openvswitch-agent",
    "dashboard": "horizon",
    "openstack-dashboard": "horizon",
}

# names of projects that run several kinds: one service per process, so a kind each
AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "nova": ("nova-api", "nova-metadata-api", "nova-scheduler", "nova-conductor", "nova-compute", "nova-novncproxy"),
    "cinder": ("cinder-api", "cinder-scheduler", "cinder-volume", "cinder-backup"),
    "neutron": (
        "neutron-server",
        "neutron-dhcp-agent",
        "neutron-l3-agent",
        "neutron-metadata-agent",
        "neutron-openvswitch-agent",
    ),
    "heat": ("heat-api", "heat-api-cfn", "heat-engine"),
    "octavia": ("octavia-api", "octavia-worker", "octavia-health-manager", "octavia-housekeeping", "octavia-amphora"),
    "designate": ("designate-api", "designate-worker"),
    "ceph": ("ceph-mon", "ceph-osd", "ceph-mgr", "ceph-mds", "ceph-rgw"),
    "ovn": ("ovn-northd", "ovn-controller", "ovsdb-raft"),
    "kubernetes": ("kube-apiserver", "kube-scheduler", "kube-controller-manager"),
}

# Known words of the free-text fields. Any other word is allowed (a manager or fencing
# device of one's own); only one that is a typo of a known word is refused.
VIP_MANAGERS = (
    "keepalived",
    "pacemaker",
    "vrrp",
    "ucarp",
    "carp",
    "dns",
    "kube-proxy",
    "kube-vip",
    "metallb",
    "swarm",
    "bgp",
    "anycast",
    "lb-appliance",
)
MANAGERS = tuple(
    dict.fromkeys(
        (
            "pacemaker",
            "keepalived",
            "corosync",
            "patroni",
            "sentinel",
            "repmgr",
            "stolon",
            "orchestrator",
            "cloudnative-pg",
            "kubernetes",
            "swarm",
            "systemd",
            *(k.manager for k in KINDS.values() if k.manager),
        )
    )
)
# managers that elect the active member by their own consensus, so that a cut-off leader
# steps down by itself: no fencing (STONITH) needed (STATE003)
ELECTING = frozenset(k.manager for k in KINDS.values() if k.manager)

FENCING = (
    "ipmi",
    "ipmilan",
    "idrac",
    "drac",
    "ilo",
    "irmc",
    "redfish",
    "sbd",
    "pdu",
    "apc",
    "kdump",
    "scsi",
    "mpath",
    "libvirt",
    "virsh",
    "vmware",
    "aws",
    "azure",
    "gce",
)
NONE = "none"  # `vip: none`, `manager: none`, `fencing: none`: there is none


def normal(name: str) -> str:
    """A name as the catalogue spells it: lower case, `-` for `_` and spaces."""
    return name.strip().lower().replace("_", "-").replace(" ", "-")


def lookup(kind: str | None) -> Kind | None:
    """The catalogue entry of a kind (its name or an alias), or None."""
    if not kind:
        return None
    found = KINDS.get(kind)
    if found is None:
        name = normal(kind)
        found = KINDS.get(ALIASES.get(name, name))
    return found


def default_ha(known: Kind | None, instances: int) -> str:
    """The `ha` a service of this kind takes when it writes none."""
    return known.ha if known and instances >= known.ha_from else "none"


@lru_cache(maxsize=4096)
def resolve(kind: str) -> tuple[str, str | None]:
    """A written kind -> (the catalogue's name, or the kind as written when it is not
    known; what is wrong with it, or None). Ambiguous names and typos of known names
    are wrong; any other unknown kind is allowed (SVC006 asks for its `state`)."""
    if kind in KINDS:
        return kind, None
    name = normal(kind)
    if name in KINDS:
        return name, None
    if name in ALIASES:
        return ALIASES[name], None
    if name in AMBIGUOUS:
        return kind, f"kind {kind!r} is ambiguous: {_choices(name)}"
    close = _close(name, (*KINDS, *ALIASES, *AMBIGUOUS))
    if not close:
        return kind, None
    meant = list(dict.fromkeys(ALIASES.get(c, c) for c in close))
    if len(meant) == 1 and meant[0] in AMBIGUOUS:
        return kind, f"unknown kind {kind!r}; did you mean {meant[0]!r}? It is ambiguous: {_choices(meant[0])}"
    return kind, f"unknown kind {kind!r}; did you mean {_either(meant)}? (`spoflint kinds` lists them)"


@lru_cache(maxsize=4096)
def word(value: str, known: tuple[str, ...], what: str) -> tuple[str | None, str | None]:
    """A free-text word (`vip`, `manager`, `fencing`) -> (the word, or None for `none`;
    what is wrong with it: a typo of a known word, "did you mean"). A known word, free
    text, an address or a word of one's own is fine."""
    name = normal(value)
    if name == NONE:
        return None, None
    if name in known or any(c in value for c in " .:/"):
        return value, None
    close = _close(name, known)
    return value, (f"unknown {what} {value!r}; did you mean {_either(close)}?" if close else None)


def _choices(name: str) -> str:
    return f"write the kind of the process this service runs, one of: {', '.join(AMBIGUOUS[name])}"


def _either(names: list[str]) -> str:
    quoted = [repr(n) for n in names[:3]]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _close(word: str, candidates: tuple[str, ...]) -> list[str]:
    """The candidates a typo of `word` most likely meant: one edit away (a letter added,
    dropped, changed or two swapped; two edits for names of 12 letters or more), never a
    change of digits alone (`neutron-l2-agent` is no typo of `neutron-l3-agent`), never
    for words under 4 letters."""
    if len(word) < 4 or len(word) > 64:
        return []
    found: dict[int, list[str]] = {}
    for candidate in candidates:
        if len(candidate) < 4 or abs(len(candidate) - len(word)) > 2:
            continue
        most = 2 if min(len(word), len(candidate)) >= 12 else 1
        distance = _distance(word, candidate, most)
        if distance <= most and _strip_digits(word) != _strip_digits(candidate):
            found.setdefault(distance, []).append(candidate)
    return found[min(found)] if found else []


def _strip_digits(word: str) -> str:
    return "".join(c for c in word if not c.isdigit())


def _distance(a: str, b: str, most: int) -> int:
    """The optimal-string-alignment distance between `a` and `b` (insertions, deletions,
    substitutions and adjacent swaps), or `most + 1` once it is known to be larger."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > most:
            return most + 1
        previous2, previous = previous, current
    return previous[-1]
