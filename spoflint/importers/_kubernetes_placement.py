"""Where the pods of Kubernetes workloads run: how each workload's replicas are spread
(over nodes or zones, and whether the scheduler must keep that spread or only prefers
it; not at all when it is pinned to one node), and the nodes and zones declared for
them, which the manifests never list (the rules are in the `kubernetes` module's
docstring)."""

from __future__ import annotations

from typing import NamedTuple

from ..errors import InputError
from ..load import MarkedList, MarkedMap
from ..load.limits import MAX_IMPLIED_NODES, too_many_nodes
from ._containers import free_id
from ._kubernetes_addresses import selects_own_pods
from ._kubernetes_objects import Workload
from ._native import Native, Position, put

HOSTNAME = ("kubernetes.io/hostname",)
ZONE = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")

REQUIRED, PREFERRED = "required", "preferred"


class Spread(NamedTuple):
    level: str  # "host" or "zone"
    at: Position  # where that is said
    strength: str  # REQUIRED: the scheduler refuses to break it; PREFERRED: its best effort


_ANTI_AFFINITY_TERMS = (
    ("requiredDuringSchedulingIgnoredDuringExecution", REQUIRED),
    ("preferredDuringSchedulingIgnoredDuringExecution", PREFERRED),
)


def spread(w: Workload) -> Spread | None:
    """How the workload's replicas are spread: the firmest of its pod anti-affinity terms
    and topology spread constraints against its own pods (required before preferred,
    zone before host), else over nodes by the scheduler's default spreading, a best
    effort; None for a workload pinned to one node."""
    selector = w.pod.get("nodeSelector")
    if w.pod.get("nodeName") or (isinstance(selector, dict) and any(k in HOSTNAME for k in selector)):
        return None
    found = [*_anti_affinity(w), *_constraints(w)]
    for strength in (REQUIRED, PREFERRED):
        for level in ("zone", "host"):
            for how in found:
                if (how.strength, how.level) == (strength, level):
                    return how
    return Spread("host", (w.doc.line, w.doc.column), PREFERRED)  # kube-scheduler's default spreading


def _anti_affinity(w: Workload) -> list[Spread]:
    """The pod anti-affinity terms on a node or zone key against the workload's own pods."""
    affinity = w.pod.get("affinity")
    anti = affinity.get("podAntiAffinity") if isinstance(affinity, dict) else None
    out = []
    for kind, strength in _ANTI_AFFINITY_TERMS:
        terms = anti.get(kind) if isinstance(anti, dict) else None
        if not isinstance(terms, MarkedList):
            continue
        for index, term in enumerate(terms):
            if isinstance(term, dict) and "podAffinityTerm" in term:
                term = term["podAffinityTerm"]
            if isinstance(term, dict) and selects_own_pods(term.get("labelSelector"), w.labels):
                level = _level(term.get("topologyKey"))
                if level:
                    out.append(Spread(level, terms.item_at(index), strength))
    return out


def _constraints(w: Workload) -> list[Spread]:
    """The topology spread constraints on a node or zone key against the workload's own
    pods: required when the scheduler must keep one replica per domain
    (`whenUnsatisfiable: DoNotSchedule`, the default, with `maxSkew: 1`), else preferred
    (`ScheduleAnyway`, or a larger skew, which lets two replicas share a domain)."""
    constraints = w.pod.get("topologySpreadConstraints")
    if not isinstance(constraints, MarkedList):
        return []
    out = []
    for index, item in enumerate(constraints):
        if isinstance(item, dict) and selects_own_pods(item.get("labelSelector"), w.labels):
            level = _level(item.get("topologyKey"))
            if level:
                hard = item.get("whenUnsatisfiable", "DoNotSchedule") == "DoNotSchedule" and item.get("maxSkew", 1) == 1
                out.append(Spread(level, constraints.item_at(index), REQUIRED if hard else PREFERRED))
    return out


def _level(key: object) -> str | None:
    return "host" if key in HOSTNAME else "zone" if key in ZONE else None


def node_and_zone_ids(workloads: list[Workload], spreads: dict[str, Spread | None]) -> tuple[list[str], list[str]]:
    """Ids of the nodes to declare (one per replica of the widest spread workload) and
    of the zones (as many as the widest workload spread over zones), none of them a
    workload's id."""
    spread = [w for w in workloads if spreads[w.id]]
    for w in spread:
        if (w.replicas or 1) > MAX_IMPLIED_NODES:  # counted before a node is made
            raise InputError(w.path, *w.replicas_at(), too_many_nodes(w.replicas or 1))
    nodes = max([1] + [w.replicas or 1 for w in spread])
    zones = max([0] + [w.replicas or 1 for w in workloads if _over_zones(spreads[w.id])])
    taken = {w.id for w in workloads}
    node_ids = [free_id(f"k8s-node-{i}", taken) for i in range(1, nodes + 1)]
    zone_ids = [free_id(f"k8s-zone-{i}", taken | set(node_ids)) for i in range(1, zones + 1)]
    return node_ids, zone_ids


def _over_zones(how: Spread | None) -> bool:
    return how is not None and how.level == "zone"


def declare_nodes(native: Native, node_ids: list[str], zone_ids: list[str]) -> None:
    """The zones and the nodes, spread round robin over the zones, at the file's start."""
    for zone in zone_ids:
        put(native.element("zones", zone, (1, 1)), "assumed", "a zone the manifests imply", (1, 1))
    for index, node in enumerate(node_ids):
        host: MarkedMap = native.element("hosts", node, (1, 1))
        put(host, "kind", "k8s-node", (1, 1))
        put(host, "assumed", "a node the manifests imply", (1, 1))
        if zone_ids:
            put(host, "zone", zone_ids[index % len(zone_ids)], (1, 1))
        put(
            host,
            "description",
            "one of the cluster's nodes: the manifests do not say how many "
            "there are or where; one per replica of the widest workload is "
            "modelled (describe the real nodes in an overlay)",
            (1, 1),
        )
