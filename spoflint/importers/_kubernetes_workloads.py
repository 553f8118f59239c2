"""Kubernetes workloads written as native services: what each one is (its image's
kind, or whether its data outlives the pod), where its data lives (a storage element
per network-attached volume; node-local data stays with the instance), whether its
replicas replicate it, where they run, how they are reached (through a Service's
virtual IP or DNS, or not at all: a worker) and whether it is user-facing; one native
document per manifest file (the rules are in the `kubernetes` module's docstring)."""

from __future__ import annotations

from pathlib import Path

from ..load import MarkedMap
from ..model import kinds
from ._containers import CLUSTERED, command_words, image_name, is_database_name, kind_of_image, persistence_off
from ._kubernetes_objects import Cluster, Depends, Service, Workload
from ._kubernetes_placement import Spread, declare_nodes, node_and_zone_ids, spread
from ._kubernetes_replication import is_follower, replication
from ._kubernetes_storage import LOCAL, SCRATCH, Element, Mount, Storage
from ._native import Native, Position, put, sequence


def natives(cluster: Cluster) -> list[MarkedMap]:
    """One native document per manifest file: its workloads, the storage elements of
    the volumes declared in it, and in the first file with a workload, the nodes and
    zones they run on."""
    spreads = {w.id: spread(w) for w in cluster.workloads}
    node_ids, zone_ids = node_and_zone_ids(cluster.workloads, spreads)
    storage = Storage(cluster, {w.id for w in cluster.workloads} | set(node_ids) | set(zone_ids))
    mounts = {w.id: storage.mounts(w) for w in cluster.workloads}
    depends = cluster.dependencies()
    name = _name(cluster)
    documents: dict[str, Native] = {}
    for shown, _objects, comments in cluster.files:
        native = documents[shown] = Native(shown, name)
        native.root.comments = comments
    placed = False
    for w in cluster.workloads:
        native = documents[w.path]
        if not placed:
            placed = True
            declare_nodes(native, node_ids, zone_ids)
        node = native.element("services", w.id, w.at)
        kind = _what(native, node, w, mounts[w.id], cluster)
        _where(node, w, node_ids, spreads[w.id], mounts[w.id])
        _reached(node, cluster, w, kind, depends.get(w.id, []) + _needed(mounts[w.id]))
    for element in storage.elements.values():
        _declare_storage(documents[element.path], element)
    return [documents[shown].root for shown, _, _ in cluster.files]


def _name(cluster: Cluster) -> str:
    """The topology's name: the folder of the files, or the name of the one file."""
    first = Path(cluster.files[0][0]) if cluster.files else Path("kubernetes")
    return first.parent.name if len(cluster.files) > 1 and first.parent.name else first.name.split(".")[0]


def _what(native: Native, node: MarkedMap, w: Workload, mounts: list[Mount], cluster: Cluster) -> str | None:
    """Write the workload's kind or state, where its data lives, and whether its
    replicas replicate it (`ha`); its kind."""
    image = w.containers[0].get("image") if w.containers else None
    image_at = w.containers[0].value_at("image") if w.containers and "image" in w.containers[0].where else w.at
    kind = kind_of_image(image)
    if kind:
        put(node, "kind", kind, w.at, image_at)
    if _a_copy_or_a_cache(node, w, kind):
        return kind
    in_backends = _state(node, w, kind, mounts)
    known = kinds.lookup(kind)
    stateful = node.get("state", known.state if known else None) == "stateful"
    if w.kind == "StatefulSet" and (w.replicas or 0) >= 2 and stateful and not in_backends:
        kind = _replicated(native, node, w, kind, cluster)
    elif kind in CLUSTERED:
        put(node, "ha", "none", w.at, image_at)  # one member, or a Deployment's interchangeable pods: no cluster
    return kind


def _a_copy_or_a_cache(node: MarkedMap, w: Workload, kind: str | None) -> bool:
    """Write `state: stateless` for a workload whose data is a copy of another's (a
    Redis follower) or kept nowhere (Redis with persistence off); whether it is one."""
    follower_at = is_follower(w)
    if follower_at is not None:  # losing a copy loses nothing
        put(node, "state", "stateless", w.at, follower_at)
        return True
    if w.containers and _keeps_nothing(kind, w.containers[0]):
        first = w.containers[0]
        put(node, "state", "stateless", w.at, first.value_at("args" if "args" in first.where else "image"))
        return True
    return False


def _state(node: MarkedMap, w: Workload, kind: str | None, mounts: list[Mount]) -> bool:
    """Write the state of a workload of no known kind (stateful when data outlives its
    pods, or its name says database) and the network storage its data lives on;
    whether the data lives there (rather than on the nodes)."""
    kept = [m for m in mounts if m.writable and m.place.where != SCRATCH]
    local = [m for m in kept if m.per_pod or m.place.where == LOCAL]
    backends = [m for m in kept if m.element]
    if not kind:
        image = w.containers[0].get("image") if w.containers else None
        if kept:
            put(node, "state", "stateful", w.at, kept[0].at)
        elif is_database_name(w.name, image_name(image)):
            put(node, "state", "stateful", w.at)
        else:
            put(node, "state", "stateless", w.at)
    if backends and not local:
        put(node, "storage", sequence(w.path, [(m.element, m.at) for m in backends], backends[0].at), w.at)
        return True
    return False


def _replicated(native: Native, node: MarkedMap, w: Workload, kind: str | None, cluster: Cluster) -> str | None:
    """A StatefulSet whose replicas each keep their own data: replicated (`ha:
    active-active`) as its software shows, else taken as replicated with a note (never
    N nodes each holding "the only copy"); its kind."""
    evidence = replication(w, cluster, kind)
    if evidence is None:
        put(node, "ha", "active-active", w.at)
        native.note(
            w.at,
            "replication",
            f"replication of {w.id} is not described: a StatefulSet gives each of its {w.replicas} replicas "
            "its own data, and nothing in the manifests shows the data copied between them; taken as "
            "replicated (set `ha:` on it in a native overlay to say how it is)",
            subject=w.id,
            unless="ha",
        )
        return kind
    if evidence.kind and evidence.kind != kind:
        kind = evidence.kind
        put(node, "kind", kind, w.at, evidence.at)
        node.pop("state", None)
    put(node, "ha", "active-active", w.at, evidence.at)
    return kind


def _where(node: MarkedMap, w: Workload, nodes: list[str], how: Spread | None, mounts: list[Mount]) -> None:
    """Write where the workload's pods run: every node for a DaemonSet, else its
    replicas over a pool of nodes, with their spread (none when they share a
    ReadWriteOnce claim: it attaches to one node, so they all run there)."""
    at = w.at
    replicas = w.replicas
    if replicas is not None and replicas >= 2 and any(m.one_node for m in mounts):
        how = None
    if how and how.level == "host" and replicas is not None:
        nodes = nodes[: max(replicas, 1)]  # replica i on node i: distinct, and no node it cannot be on
    pool = sequence(w.path, [(n, at) for n in nodes], at)
    if replicas is None:  # a DaemonSet: one pod on every node
        put(node, "hosts", pool, at, w.doc.value_at("kind"))
        return
    put(node, "replicas", replicas, at, w.replicas_at())
    put(node, "pool", pool, at)
    if how:
        put(node, "spread", how.level, at, how.at)
        if how.strength != "required":
            put(node, "spread_strength", how.strength, at, how.at)


def _keeps_nothing(kind: str | None, container: MarkedMap) -> bool:
    """Whether a Redis or Valkey container keeps nothing on disk (`--save ''` without
    `--appendonly yes`, or the Bitnami variables that turn both off)."""
    words = command_words(container.get("command")) + command_words(container.get("args"))
    env = container.get("env")
    items = env if isinstance(env, list) else []
    values = {i["name"]: i.get("value") for i in items if isinstance(i, dict) and isinstance(i.get("name"), str)}
    return persistence_off(kind, words, values)


def _needed(mounts: list[Mount]) -> Depends:
    """Storage elements the workload mounts read-only: it needs them, its data is not there."""
    return [(m.element, m.at) for m in mounts if m.element and not m.writable]


def _declare_storage(native: Native, element: Element) -> None:
    """A storage element without hosts (it fails by itself), with a note when the files
    do not say where it lives or what serves it."""
    storage = native.element("storage", element.id, element.at)
    put(storage, "kind", element.kind, element.at)
    if element.kind == "nfs":
        share = element.share or element.id
        native.note(
            element.at,
            "nfs",
            f"NFS share {share} is storage spoflint cannot see (its server, its disks, whether it fails "
            "over): taken as one box that can fail; describe its hosts in a native overlay",
            subject=element.id,
            unless="hosts",
        )
    elif element.unknown:
        native.note(
            element.at,
            "storage-class",
            f"where the volume of claim {element.id} lives is not said ({element.unknown}): taken as "
            "network-attached, so a node failure means downtime while it reattaches elsewhere, not data "
            "loss; set `kind:` on it in a native overlay (`local` with `hosts:` if it is node-local)",
            subject=element.id,
            unless="kind",
        )


def _reached(node: MarkedMap, cluster: Cluster, w: Workload, kind: str | None, depends: Depends) -> None:
    """Write how the workload is reached (`vip`, or `access: worker`), whether it is
    user-facing, and what it needs."""
    at = w.at
    balanced = [s for s in w.services if not s.headless]
    if balanced:
        put(node, "vip", "kube-proxy", at, _service_at(balanced[0], w))
    elif w.services:
        put(node, "vip", "dns", at, _service_at(w.services[0], w))
    elif not kind:
        put(node, "access", "worker", at)
    if w.public_at is not None:
        put(node, "public", True, at, w.public_at)
    elif not w.services and any(t in cluster.by_id and cluster.by_id[t].public_at is not None for t, _ in depends):
        put(node, "public", False, at)  # a client of the user-facing service: a load generator
    if depends:
        put(node, "depends_on", sequence(w.path, depends, depends[0][1]), depends[0][1])


def _service_at(service: Service, w: Workload) -> Position:
    """Where a Service that selects the workload is named, when in the workload's file."""
    return service.doc["metadata"].value_at("name") if service.path == w.path else w.at
