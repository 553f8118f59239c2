"""Services as the analysis sees them: what each declares, with the defaults of the format
(docs/format.md) filled in from its kind (the `kinds` catalogue) and its neighbours.

A service's kind is the catalogue's name for what is written (`galera` is
mariadb-galera); an ambiguous kind (`nova`) or a typo of a known one is an input error,
as is a typo of a known `vip` or `manager` word (`keepalivd`). Its state, access, ha and
manager default to its kind's (`ha` only from the kind's `ha_from` instances: a single
RabbitMQ node is `ha: none`); its `spread_strength` to `required` (the spread is a
scheduler constraint); its role to its kind's, else `load-balancer` when another service
names it as its load balancer; its quorum to a majority when its kind is a clustered one
running active/active; and it is public when no other service depends on it or balances
to it. A `quorum` or `min_instances` above the instances it runs is an input error: the
service could never be up. `none` for `vip` or `manager` says there is none.
"""

from __future__ import annotations

from typing import Any

from ..load import MarkedMap
from . import kinds
from .elements import Service, by_id
from .kinds import Kind
from .references import References

Entry = tuple[str, MarkedMap, MarkedMap]  # an element's id, its fields, its section's table


def build_services(refs: References, entries: list[Entry]) -> dict[str, Service]:
    """Every service of `entries`, references checked (with `refs`) and defaults applied."""
    referenced: set[str] = set()  # named by another service: not public by default
    balancers: set[str] = set()  # some service's load balancer
    for _eid, node, _ in entries:
        referenced.update(node.get("depends_on") or ())
        if node.get("load_balancer"):
            referenced.add(node["load_balancer"])
            balancers.add(node["load_balancer"])
    rows = [_service(refs, eid, node, eid in referenced, eid in balancers) for eid, node, _ in entries]
    # made in C: Service's own __init__ took 3.4 us a service, a quarter of the building
    return by_id(Service, rows)


def _service(refs: References, eid: str, node: MarkedMap, referenced: bool, balancer: bool) -> tuple[Any, ...]:
    """One service's fields, in Service's order: its references checked in the order
    written in the format, its defaults applied."""
    kind_name = _kind(refs, node)
    known = kinds.lookup(kind_name)
    members = refs.refs(node, "hosts", ("hosts",), "host")
    pool = refs.refs(node, "pool", ("hosts",), "host")
    replicas = node.get("replicas", len(members))
    spread = node.get("spread")  # over too few hosts, racks or zones: SVC002 says so
    if "spread_strength" in node and not spread:
        raise refs.fail(
            node, "spread_strength", "`spread_strength` says how firm `spread` is; this service has no `spread`"
        )
    ha = node.get("ha") or kinds.default_ha(known, replicas)
    lb = refs.opt_ref(node, "load_balancer", ("services",), "service (the load balancer)")
    if lb == eid:
        raise refs.fail(node, "load_balancer", f"{eid!r} cannot be its own load balancer")
    quorum = _quorum(node.get("quorum"), replicas, ha, known)
    min_instances = node.get("min_instances", 1)
    _could_be_up(refs, node, eid, replicas, quorum, min_instances)
    return (
        eid,
        kind_name,
        node.get("state") or (known.state if known else None),
        _role(node.get("role"), known, balancer),
        members,
        replicas,
        pool,
        spread,
        node.get("spread_strength", "required"),
        ha,
        _manager(refs, node, known),
        quorum,
        min_instances,
        lb,
        _vip(refs, node),
        node.get("access") or (known.access if known else "single"),
        refs.refs(node, "depends_on", ("services", "storage"), "service or storage backend"),
        refs.refs(node, "storage", ("storage",), "storage backend"),
        node.get("public", not referenced),
        node.get("recreated", True),
    )


def _kind(refs: References, node: MarkedMap) -> str | None:
    """The catalogue's name for the kind written (an alias resolved), or the kind as
    written when the catalogue does not know it; an InputError for an ambiguous kind or a
    typo of a known one."""
    written = node.get("kind")
    if not written:
        return None
    kind, problem = kinds.resolve(written)
    if problem:
        raise refs.fail(node, "kind", problem)
    return kind


def _could_be_up(refs: References, node: MarkedMap, eid: str, instances: int, quorum: int, minimum: int) -> None:
    """An InputError at a `quorum` or `min_instances` above the instances the service
    runs: it would be down with nothing failed."""
    for key, need in (("quorum", quorum), ("min_instances", minimum)):
        if need > instances and key in node:
            raise refs.fail(
                node,
                key,
                f"`{key}: {need}` asks for {need} instances up, but {eid} has {instances}: "
                "it would be down with nothing failed",
            )


def free_word(refs: References, node: MarkedMap, key: str, known: tuple[str, ...], what: str) -> str | None:
    """A free-text word (`manager`, `vip`, `fencing`) as written, None for none (absent
    or `none`); an InputError for a typo of a known word (`keepalivd`)."""
    value = node.get(key)
    if value is None:
        return None
    meant, problem = kinds.word(value, known, what)
    if problem:
        raise refs.fail(node, key, problem)
    return meant


def _manager(refs: References, node: MarkedMap, known: Kind | None) -> str | None:
    """The manager written (`none`: none), else the kind's."""
    if "manager" in node:
        return free_word(refs, node, "manager", kinds.MANAGERS, "manager")
    return known.manager if known else None


def _role(declared: str | None, known: Kind | None, balancer: bool) -> str | None:
    """The role written (`none`: no role), else the kind's, else `load-balancer` for a
    service that another names as its load balancer."""
    if declared:
        return None if declared == "none" else declared
    if known and known.role:
        return known.role
    return "load-balancer" if balancer else None


def _quorum(quorum: Any, replicas: int, ha: str, known: Kind | None) -> int:
    """Instances a quorum needs (0: no quorum), from `quorum:` (`majority`, `none` or a
    number), else a majority for a clustered kind running active/active, else 1."""
    if quorum == "majority":
        return replicas // 2 + 1
    if quorum == "none":
        return 0
    if isinstance(quorum, int):
        return quorum
    return replicas // 2 + 1 if (ha == "active-active" and known and known.quorum) else 1


def _vip(refs: References, node: MarkedMap) -> str | None:
    """`vip:` as written (what moves it, or an address; `none`: no VIP), or for a mapping
    the manager that moves it."""
    vip = node.get("vip")
    if isinstance(vip, MarkedMap):
        return free_word(refs, vip, "manager", kinds.VIP_MANAGERS, "VIP manager") or "address"
    return free_word(refs, node, "vip", kinds.VIP_MANAGERS, "VIP manager")
