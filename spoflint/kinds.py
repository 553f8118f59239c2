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
  members up (Galera, RabbitMQ quorum queues, etcd, ZooKeeper, Ceph monitors).

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


_API = Kind("stateless")
_WORKER = Kind("stateless", access="worker")
_LB = Kind("stateless", role="load-balancer")

KINDS: dict[str, Kind] = {
    # databases
    "mariadb": Kind("stateful"),
    "mysql": Kind("stateful"),
    "postgresql": Kind("stateful"),
    "mariadb-galera": Kind("stateful", ha="active-active", quorum=True),
    # messaging and caches
    "rabbitmq": Kind("stateful", access="client-list", quorum=True),
    "memcached": Kind("stateless", access="client-list"),
    "redis": Kind("stateful"),
    # coordination
    "etcd": Kind("stateful", access="client-list", ha="active-active", quorum=True),
    "zookeeper": Kind("stateful", access="client-list", ha="active-active", quorum=True),
    "ceph-mon": Kind("stateful", access="client-list", ha="active-active", quorum=True),
    # load balancers, proxies and VIP managers
    "haproxy": _LB,
    "nginx": Kind("stateless"),
    "keepalived": Kind("stateless"),
    # OpenStack API services (stateless, behind a load balancer)
    "keystone-api": _API,
    "nova-api": _API,
    "glance-api": _API,
    "neutron-server": _API,
    "cinder-api": _API,
    "heat-api": _API,
    "placement-api": _API,
    "horizon": _API,
    # OpenStack services that take work from the message queue
    "nova-scheduler": _WORKER,
    "nova-conductor": _WORKER,
    "nova-compute": _WORKER,
    "cinder-scheduler": _WORKER,
    "cinder-volume": _WORKER,
    "heat-engine": _WORKER,
    "neutron-dhcp-agent": _WORKER,
    "neutron-metadata-agent": _WORKER,
}


def lookup(kind: str | None) -> Kind | None:
    return KINDS.get(kind) if kind else None
