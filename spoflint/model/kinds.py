"""The catalogue of known service kinds: what a `kind:` implies when the file is silent.

Each entry gives the defaults a service of that kind takes:

- `state`: `stateful` (it keeps data a failure can lose) or `stateless`;
- `role`: `load-balancer` for proxies that front other services;
- `access`: how clients find instances without a load balancer: `client-list` (every
  client is configured with every instance), `worker` (instances pull work from a
  queue; any one suffices) or `single` (clients address one instance);
- `ha`: the replication a kind always has (a Galera or etcd cluster is active/active by
  construction); otherwise `none`;
- `quorum`: True for kinds whose clustered (active/active) form needs a majority of
  members up (Galera, RabbitMQ quorum queues, etcd, ZooKeeper, Ceph monitors);
- `manager`: for kinds that fail over by themselves (Patroni, Redis Sentinel, Ceph's
  standby daemons), what moves them.

Facts from the OpenStack HA Guide (controller and storage chapters): memcached and
RabbitMQ are reached through client-side lists of every instance; the schedulers,
conductors, compute and volume agents consume work from the message queue; the API
services are stateless behind HAProxy; Galera needs a majority of its members.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    state: str
    role: str | None = None
    access: str = "single"
    ha: str = "none"
    quorum: bool = False
    manager: str | None = None  # what moves an active/passive kind, when built in


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
    "postgresql-patroni": Kind("stateful", ha="active-passive", manager="patroni"),
    "cockroachdb": Kind("stateful", ha="active-active", quorum=True),  # Raft ranges
    # document, wide-column and search stores
    "mongodb": Kind("stateful", access="client-list", ha="active-active", quorum=True),  # replica set election
    "cassandra": Kind("stateful", access="client-list", ha="active-active"),  # tunable consistency, no majority
    "elasticsearch": Kind("stateful", access="client-list", ha="active-active", quorum=True),
    "opensearch": Kind("stateful", access="client-list", ha="active-active", quorum=True),
    # messaging
    "rabbitmq": Kind("stateful", access="client-list", quorum=True),  # quorum queues when active/active
    "kafka": Kind("stateful", access="client-list", ha="active-active"),  # partition replicas, ISR
    "nats": Kind("stateful", access="client-list"),
    # caches
    "memcached": Kind("stateless", access="client-list"),
    "redis": Kind("stateful"),
    "redis-sentinel": Kind("stateful", ha="active-passive", manager="sentinel"),
    "valkey": Kind("stateful"),
    # coordination
    "etcd": _CLUSTER,
    "zookeeper": _CLUSTER,
    "consul": _CLUSTER,
    "ovsdb-raft": _CLUSTER,
    # Ceph daemons
    "ceph-mon": _CLUSTER,
    "ceph-osd": Kind("stateful", access="client-list", ha="active-active"),  # data: model it as storage
    "ceph-mgr": Kind("stateless", ha="active-passive", manager="ceph-mon"),  # standbys take over
    "ceph-mds": Kind("stateless", ha="active-passive", manager="ceph-mon"),
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
    "ovn-northd": Kind("stateless", ha="active-passive", manager="ovsdb-lock"),
    "ovn-controller": _WORKER,
    # Kubernetes control plane
    "kube-apiserver": _API,
    "kube-scheduler": Kind("stateless", access="worker"),  # leader election
    "kube-controller-manager": Kind("stateless", access="worker"),
}


def lookup(kind: str | None) -> Kind | None:
    return KINDS.get(kind) if kind else None
