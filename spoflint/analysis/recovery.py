"""Analysis: how long a user-facing service is down when a host under it fails.

When one of a service's instances' hosts fails, something must notice and move the
traffic: a VIP moves, a load balancer's health check drops the backend, a cluster evicts
the member, a client tries the next address, Kubernetes reschedules the pod, or a person
restarts it. The expected recovery of a service is the slowest mechanism on its path:
its own (access, vip, ha and manager), its load balancer's, and those of every service
and storage backend it depends on (their hosts may be the ones that failed).

Default times per mechanism (seconds; rough figures from each project's documented
defaults, to compare against `objectives.recovery_time`):

| mechanism | default | from |
|---|---|---|
| keepalived / VRRP VIP | 4 s | RFC 5798 (VRRP): Master_Down_Interval = 3 x Advertisement_Interval + Skew_Time; keepalived's `advert_int` defaults to 1 s |
| load balancer health check | 6 s | HAProxy server defaults `inter 2s`, `fall 3` |
| Pacemaker (with fencing) | 60 s | Corosync token loss (`token` 3 s + consensus), fencing bounded by `stonith-timeout` (60 s default), then the resource's start: tens of seconds (ClusterLabs "Pacemaker Explained") |
| Galera eviction | 20 s | Galera `evs.suspect_timeout` PT5S, `evs.inactive_timeout` PT15S (Galera Cluster system variables) |
| RabbitMQ cluster | 60 s | `net_ticktime` 60 s before a peer is declared down (RabbitMQ "Net Tick Time") |
| other quorum clusters | 10 s | leader election and membership timeouts of Raft/Zab systems: seconds (etcd `election-timeout` 1 s, ZooKeeper `tickTime` x `syncLimit`) |
| client-side list | 10 s | the client's connect timeout and retry: seconds (oslo.cache `memcache_socket_timeout` 1-3 s, oslo.messaging reconnect delays 1 s and up) |
| queue workers | 60 s | a dead consumer's unacknowledged work returns to the queue when its connection is declared dead (oslo.messaging `heartbeat_timeout_threshold` 60 s) |
| DNS | 150 s | health check 30 s x 3 failures + record TTL 60 s (Route 53 health-check defaults) |
| Kubernetes, spare replicas | 40 s | `node-monitor-grace-period` 40 s before a node is NotReady and its pods leave the Service endpoints |
| Kubernetes, replica needed | 340 s | 40 s + pod eviction after `default-not-ready-toleration-seconds` 300 s |
| Patroni, Redis Sentinel, ceph-mon standbys | 30 s | Patroni `ttl` 30 s, Sentinel `down-after-milliseconds` 30000, Ceph `mon_mgr_beacon_grace` 30 s |
| other cluster managers | 60 s | as Pacemaker |
| ceph (storage) | 20 s | `osd_heartbeat_grace` 20 s before a dead OSD is marked down and I/O moves |
| manual restart | 2 h | nothing moves it: a person is paged, diagnoses and restarts (hours) |
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import graph as fg
from ..model import Topology

MANUAL = 7200.0
MECHANISMS: dict[str, float] = {
    "keepalived": 4.0,
    "vrrp": 4.0,
    "load-balancer": 6.0,
    "pacemaker": 60.0,
    "galera": 20.0,
    "rabbitmq": 60.0,
    "cluster": 10.0,
    "client-list": 10.0,
    "worker": 60.0,
    "dns": 150.0,
    "kubernetes": 40.0,
    "kubernetes-reschedule": 340.0,
    "patroni": 30.0,
    "sentinel": 30.0,
    "ceph-mon": 30.0,
    "manager": 60.0,
    "ceph": 20.0,
    "manual": MANUAL,
}
GALERA_KINDS = ("mariadb-galera", "percona-xtradb-cluster")
LABELS = {
    "keepalived": "keepalived VIP (VRRP)",
    "vrrp": "VRRP VIP",
    "load-balancer": "load balancer health check",
    "pacemaker": "Pacemaker fencing and restart",
    "galera": "Galera eviction",
    "rabbitmq": "RabbitMQ net_ticktime",
    "cluster": "cluster election",
    "client-list": "client retry",
    "worker": "queue redelivery to other workers",
    "dns": "DNS health check and TTL",
    "kubernetes": "Kubernetes endpoint removal",
    "kubernetes-reschedule": "Kubernetes pod rescheduling",
    "patroni": "Patroni",
    "sentinel": "Redis Sentinel",
    "ceph-mon": "Ceph standby takeover",
    "manager": "cluster manager",
    "ceph": "Ceph OSD heartbeat grace",
    "manual": "manual restart",
}


@dataclass(frozen=True)
class Recovery:
    seconds: float
    mechanism: str  # the slowest one (a key of MECHANISMS)
    via: str  # the service or storage it belongs to


def parse_duration(value: object) -> float:
    """'2m', '30s', '1h', '500ms' or a number (seconds) to seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)?", str(value).strip())
    if not match:
        raise ValueError(f"not a duration: {value!r}")
    number, unit = float(match.group(1)), match.group(2) or "s"
    return number * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]


def own_mechanism(t: Topology, service: str) -> tuple[str, float]:
    """The mechanism that recovers this service itself when one instance's host fails."""
    svc = t.services[service]
    options: list[str] = []
    if svc.pool:  # the scheduler restarts a lost replica elsewhere
        spare = svc.spread is not None and svc.replicas - 1 >= svc.need and not svc.addresses_one
        options.append("kubernetes" if spare else "kubernetes-reschedule")
    elif svc.replicas <= 1 or svc.addresses_one:
        return "manual", MANUAL
    if svc.ha == "active-passive":
        manager = (svc.manager or "manager").lower()
        options.append(manager if manager in MECHANISMS else "manager")
    elif svc.ha == "active-active" and svc.quorum > 1:
        options.append("galera" if svc.kind in GALERA_KINDS else "rabbitmq" if svc.kind == "rabbitmq" else "cluster")
    if svc.vip:
        vip = svc.vip.lower()
        options.append(vip if vip in MECHANISMS else "manager")
    if svc.load_balancer:
        options.append("load-balancer")
    elif svc.access in ("client-list", "worker") and not svc.vip:
        options.append(svc.access)
    if not options:
        return "manual", MANUAL
    name = max(options, key=lambda o: MECHANISMS[o])
    return name, MECHANISMS[name]


def recovery(t: Topology, service: str, _memo: dict[str, Recovery] | None = None) -> Recovery:
    """The slowest mechanism on the service's path (without recursion: a chain of
    dependencies may be deeper than Python's stack)."""
    memo: dict[str, Recovery] = {} if _memo is None else _memo
    waits_for = lambda s: (o for o in _next(t, s) if o in t.services)  # noqa: E731
    for key in fg.inputs_first([service], waits_for, memo):
        memo[key] = _slowest(t, key, memo)
    return memo[service]


def _next(t: Topology, service: str) -> tuple[str, ...]:
    """What the service's recovery waits for: its load balancer and what it needs."""
    svc = t.services[service]
    return ((svc.load_balancer,) if svc.load_balancer else ()) + svc.needs


def _slowest(t: Topology, service: str, memo: dict[str, Recovery]) -> Recovery:
    """The service's recovery, the services it waits for already in `memo`."""
    name, seconds = own_mechanism(t, service)
    best = Recovery(seconds, name, service)
    for other in _next(t, service):
        if other in t.services:
            candidate = memo[other]
        else:
            backend = t.storage[other]
            if not backend.hosts:
                continue
            kind = backend.kind if backend.kind in MECHANISMS else None
            candidate = (
                Recovery(MECHANISMS[kind], kind, other)
                if kind
                else Recovery(MECHANISMS["manager"], "manager", other)
                if backend.replicas > 1
                else Recovery(MANUAL, "manual", other)
            )
        if candidate.seconds > best.seconds:
            best = candidate
    return best


def recoveries(t: Topology) -> dict[str, Recovery]:
    """Every user-facing service's recovery, by service id (rules read `Facts.recovery`)."""
    memo: dict[str, Recovery] = {}
    return {s: recovery(t, s, memo) for s in sorted(t.services) if t.services[s].public}


def label(mechanism: str) -> str:
    """A mechanism's name as a reader knows it."""
    return LABELS.get(mechanism, mechanism)


def describe(seconds: float) -> str:
    """120 -> '2m', 340 -> '5m40s', 7200 -> '2h', 0.5 -> '0.5s'."""
    if seconds < 60:
        return f"{seconds:g}s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return "".join(f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if n)
