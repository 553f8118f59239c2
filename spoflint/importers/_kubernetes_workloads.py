"""Kubernetes workloads written as native services: what each one is (its image's
kind, or whether its data outlives the pod), where its replicas run, how it is reached
(through a Service's virtual IP or DNS, or not at all: a worker) and whether it is
user-facing; one native document per manifest file (the rules are in the `kubernetes`
module's docstring)."""

from __future__ import annotations

from pathlib import Path

from ..load import MarkedList, MarkedMap
from ._containers import CLUSTERED, image_name, is_database_name, kind_of_image
from ._kubernetes_objects import Cluster, Depends, Service, Workload
from ._kubernetes_placement import Spread, declare_nodes, node_and_zone_ids, spread
from ._native import Native, Position, put, sequence

_SYSTEM_PATHS = (
    "/proc",
    "/sys",
    "/dev",
    "/run",
    "/var/run",
    "/etc",
    "/lib/modules",
    "/var/log",
    "/usr",
    "/var/lib/docker/containers",
    "/var/lib/kubelet",
)


def natives(cluster: Cluster) -> list[MarkedMap]:
    """One native document per manifest file: its workloads, and in the first file with
    a workload, the nodes and zones they run on."""
    spreads = {w.id: spread(w) for w in cluster.workloads}
    node_ids, zone_ids = node_and_zone_ids(cluster.workloads, spreads)
    depends = cluster.dependencies()
    out = []
    placed = False
    name = _name(cluster)
    for shown, _objects, comments in cluster.files:
        native = Native(shown, name)
        native.root.comments = comments
        mine = [w for w in cluster.workloads if w.path == shown]
        if mine and not placed:
            placed = True
            declare_nodes(native, node_ids, zone_ids)
        for w in mine:
            node = native.element("services", w.id, w.at)
            kind = _what(node, w)
            _where(node, w, node_ids, spreads[w.id])
            _reached(node, cluster, w, kind, depends.get(w.id, []))
        out.append(native.root)
    return out


def _name(cluster: Cluster) -> str:
    """The topology's name: the folder of the files, or the name of the one file."""
    first = Path(cluster.files[0][0]) if cluster.files else Path("kubernetes")
    return first.parent.name if len(cluster.files) > 1 and first.parent.name else first.name.split(".")[0]


def _what(node: MarkedMap, w: Workload) -> str | None:
    """Write the workload's kind (and `ha` of a clustered kind) or its state; its kind."""
    at = w.at
    image = w.containers[0].get("image") if w.containers else None
    kind = kind_of_image(image)
    if kind:
        image_at = w.containers[0].value_at("image")
        put(node, "kind", kind, at, image_at)
        if kind in CLUSTERED:
            clustered = w.kind == "StatefulSet" and (w.replicas or 0) >= 3
            put(node, "ha", "active-active" if clustered else "none", at, image_at)
        return kind
    persistent_at = _persistent(w)
    if persistent_at:
        put(node, "state", "stateful", at, persistent_at)
    elif is_database_name(w.name, image_name(image)):
        put(node, "state", "stateful", at)
    else:
        put(node, "state", "stateless", at)
    return None


def _where(node: MarkedMap, w: Workload, nodes: list[str], how: Spread | None) -> None:
    """Write where the workload's pods run: every node for a DaemonSet, else its
    replicas over a pool of nodes, with their spread."""
    at = w.at
    replicas = w.replicas
    if how and how[0] == "host" and replicas is not None:
        nodes = nodes[: max(replicas, 1)]  # replica i on node i: distinct, and no node it cannot be on
    pool = sequence(w.path, [(n, at) for n in nodes], at)
    if replicas is None:  # a DaemonSet: one pod on every node
        put(node, "hosts", pool, at, w.doc.value_at("kind"))
        return
    put(node, "replicas", replicas, at, w.replicas_at())
    put(node, "pool", pool, at)
    if how:
        put(node, "spread", how[0], at, how[1])


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
    elif not w.services and any(cluster.by_id[t].public_at is not None for t, _ in depends):
        put(node, "public", False, at)  # a client of the user-facing service: a load generator
    if depends:
        put(node, "depends_on", sequence(w.path, depends, depends[0][1]), depends[0][1])


def _service_at(service: Service, w: Workload) -> Position:
    """Where a Service that selects the workload is named, when in the workload's file."""
    return service.doc["metadata"].value_at("name") if service.path == w.path else w.at


def _persistent(w: Workload) -> Position | None:
    """Where the workload's data that outlives a pod is declared, or None."""
    spec = w.doc.get("spec")
    claims = spec.get("volumeClaimTemplates") if isinstance(spec, MarkedMap) else None
    if w.kind == "StatefulSet" and isinstance(claims, MarkedList) and claims:
        return claims.item_at(0)
    writable = _writable(w)
    volumes = w.pod.get("volumes")
    if not isinstance(volumes, MarkedList):
        return None
    for index, volume in enumerate(volumes):
        if isinstance(volume, dict) and isinstance(volume.get("name"), str) and volume["name"] in writable:
            if _outlives_pod(volume):
                return volumes.item_at(index)
    return None


def _writable(w: Workload) -> set[str]:
    """The volumes some container of the workload mounts writable."""
    writable = set()
    for container in w.containers:
        mounts = container.get("volumeMounts")
        for mount in mounts if isinstance(mounts, list) else []:
            if isinstance(mount, dict) and mount.get("readOnly") is not True and isinstance(mount.get("name"), str):
                writable.add(mount["name"])
    return writable


def _outlives_pod(volume: dict) -> bool:
    """A claim, or a host folder outside the system folders (`emptyDir` is scratch)."""
    if isinstance(volume.get("persistentVolumeClaim"), dict):
        return True
    host_path = volume.get("hostPath")
    if isinstance(host_path, dict) and isinstance(host_path.get("path"), str):
        path = host_path["path"].rstrip("/") or "/"
        return not any(path == p or path.startswith(p + "/") for p in _SYSTEM_PATHS)
    return False
