"""Kubernetes as it runs: a cluster dump (`kubectl get nodes,pods,pvc,pv,services,
deployments,statefulsets,daemonsets -A -o yaml`, a `List`) read for where things are now,
alone or with the manifests of the same workloads (the rules are in the `kubernetes`
module's docstring, "A cluster dump").

- Nodes are hosts under their own names, in the zone of their `topology.kubernetes.io/zone`
  label and the rack of the configured rack label; they replace the nodes the manifests
  imply.
- A pod belongs to the workload its owner references name (Pod -> ReplicaSet ->
  Deployment, by the ReplicaSet's own owner or its `pod-template-hash`; Pod ->
  StatefulSet, DaemonSet, an operator's resource); the workload's instances are placed
  on the nodes its pods run on (`nodeName`), instead of the manifests' abstract
  placement.
- A claim bound to a PersistentVolume whose node affinity (or label) names a zone is
  storage in that zone.
- An object of a dump that a manifest of the files also describes (same kind, namespace,
  name) is read from the manifest: findings point at the file kept in the repository.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from ..load import MarkedList, MarkedMap, ReaderNote
from ..model import kinds
from ._containers import element_id, free_id
from ._kubernetes_live_storage import volume_nodes, zonal
from ._kubernetes_meta import namespace_of, owner_of
from ._kubernetes_objects import Cluster, Service, Workload
from ._kubernetes_placement import ZONE
from ._native import Position, mapping, put, sequence

ASSUMED_NODE, ASSUMED_ZONE = "a node the manifests imply", "a zone the manifests imply"
DONE = ("Succeeded", "Failed")  # phases of pods that no longer run
BATCH = ("Job", "CronJob")
SHOWN = 5
Pod = tuple[str, MarkedMap]  # (shown path, the Pod object)
T = TypeVar("T", Workload, Service)


def is_live(doc: MarkedMap) -> bool:
    """Whether an object comes from the API server (a dump), not from a manifest."""
    metadata = doc.get("metadata")
    return "status" in doc or (isinstance(metadata, dict) and ("uid" in metadata or "resourceVersion" in metadata))


def deduplicated(items: list[T]) -> list[T]:
    """Each object once: of a workload or Service both a manifest and a dump describe,
    the manifest's."""
    kept: dict[tuple[str, str, str], T] = {}
    for item in items:
        key = (item.doc["kind"], item.namespace, item.name)
        if key not in kept or (is_live(kept[key].doc) and not is_live(item.doc)):
            kept[key] = item
    return [item for item in items if kept[(item.doc["kind"], item.namespace, item.name)] is item]


def place(cluster: Cluster, documents: list[MarkedMap], rack_label: str | None = None) -> None:
    """Write the dump's nodes and the placement its pods show into the native documents
    (one per file, in `cluster.files` order)."""
    roots = {root.path: root for root in documents}
    nodes = _declare_nodes(cluster, roots, rack_label)
    pinned = _pin(cluster)
    pods, notes = _pods_by_workload(cluster)
    notes += pinned
    if nodes or pods:
        for root in documents:
            _drop_assumed(root)
    for w in cluster.workloads:
        service = roots[w.path].get("services", {}).get(w.id)
        if not isinstance(service, MarkedMap):
            continue
        running = pods.get(w, [])
        if running:
            _placed(roots[w.path], service, w, running, nodes)
        elif nodes:
            _anywhere(service, w, list(nodes.values()))
    zonal(cluster, roots)
    for path, at, key, message in notes:
        roots[path].notes.append(ReaderNote(path, at[0], at[1], key, message))


# -- nodes


def _declare_nodes(cluster: Cluster, roots: dict[str, MarkedMap], rack_label: str | None) -> dict[str, str]:
    """The dump's Nodes as hosts (their zone and rack from their labels); node name -> id
    (its name, unless a workload has it)."""
    taken = {w.id for w in cluster.workloads}
    out: dict[str, str] = {}
    for shown, doc in cluster.nodes:
        metadata = doc["metadata"]
        name = element_id(metadata.get("name"))
        if name is None or name in out:
            continue
        root, at = roots[shown], metadata.value_at("name")
        eid = free_id(name, taken) if name in taken else name
        host = _element(root, "hosts", eid, at)
        put(host, "kind", "k8s-node", at)
        labels = metadata.get("labels") if isinstance(metadata.get("labels"), MarkedMap) else None
        zone = _label(root, labels, ZONE, "zones", None)
        rack = _label(root, labels, (rack_label,) if rack_label else (), "racks", zone)
        if zone:
            put(host, "zone", zone, at, _label_at(labels, ZONE))
        if rack:
            put(host, "rack", rack, at, labels.value_at(rack_label) if labels is not None and rack_label else at)
        out[name] = eid
    return out


def _label(
    root: MarkedMap, labels: MarkedMap | None, keys: Sequence[str], section: str, zone: str | None
) -> str | None:
    """The element (zone or rack) a node's label names, declared at the label; a rack in
    the node's zone."""
    key = next((k for k in keys if labels is not None and isinstance(labels.get(k), str)), None)
    if key is None or labels is None:
        return None
    eid = element_id(labels[key])
    if eid is None:
        return None
    element = _element(root, section, eid, labels.value_at(key))
    if zone and "zone" not in element:
        put(element, "zone", zone, labels.value_at(key))
    return eid


def _label_at(labels: MarkedMap | None, keys: Sequence[str]) -> Position:
    key = next(k for k in keys if labels is not None and k in labels)
    assert labels is not None
    return labels.value_at(key)


def _element(root: MarkedMap, section: str, eid: str, at: Position) -> MarkedMap:
    if section not in root:
        put(root, section, mapping(root.path, at), at)
    table = root[section]
    if eid not in table:
        put(table, eid, mapping(root.path, at), at)
    return table[eid]


def _drop_assumed(root: MarkedMap) -> None:
    """The nodes and zones the manifests imply, replaced by the dump's."""
    for section, said in (("hosts", ASSUMED_NODE), ("zones", ASSUMED_ZONE)):
        table = root.get(section)
        if isinstance(table, MarkedMap):
            for eid in [e for e, node in table.items() if isinstance(node, dict) and node.get("assumed") == said]:
                del table[eid]
            if not table:
                del root[section]


# -- pods


def _pods_by_workload(cluster: Cluster) -> tuple[dict[Workload, list[Pod]], list[tuple[str, Position, str, str]]]:
    """The running pods of each workload (grouped ones under the one they are an instance
    of), and notes on the pods that belong to nothing read."""
    by_key: dict[tuple[object, str, object], Workload] = {(w.kind, w.namespace, w.name): w for w in cluster.all}
    deployments = {}  # (namespace, ReplicaSet) -> its Deployment, as the dump says
    for _, doc in cluster.owned:
        owner = owner_of(doc)
        if doc["kind"] == "ReplicaSet" and owner is not None and owner.get("kind") == "Deployment":
            deployments[namespace_of(doc), str(doc["metadata"].get("name"))] = str(owner.get("name"))
    out: dict[Workload, list[Pod]] = {}
    strays: dict[str, list[Pod]] = {}  # what owns them -> pods of owners not read
    for shown, doc in cluster.owned:
        if doc["kind"] != "Pod" or _done(doc):
            continue
        owner = owner_of(doc)
        assert owner is not None
        kind, name = str(owner.get("kind")), str(owner.get("name"))
        if kind == "ReplicaSet":
            kind, name = _deployment(doc, name, deployments, by_key)
        w = by_key.get((kind, namespace_of(doc), name))
        if w is not None:
            out.setdefault(w.head or w, []).append((shown, doc))
        elif kind not in BATCH:
            strays.setdefault("static" if kind == "Node" else "owner", []).append((shown, doc))
    notes = [_stray_note(key, pods) for key, pods in strays.items()]
    notes += [n for w, pods in out.items() if (n := _pending_note(w, pods)) is not None]
    return out, notes


def _deployment(pod: MarkedMap, replica_set: str, deployments: dict, by_key: dict) -> tuple[str, str]:
    """The Deployment a ReplicaSet's pod belongs to: the ReplicaSet's owner in the dump,
    else its name less the `pod-template-hash` it adds; the ReplicaSet if it is a
    workload of its own."""
    namespace = namespace_of(pod)
    if (namespace, replica_set) in deployments:
        return "Deployment", deployments[namespace, replica_set]
    labels = pod["metadata"].get("labels")
    suffix = labels.get("pod-template-hash") if isinstance(labels, dict) else None
    if isinstance(suffix, str) and replica_set.endswith("-" + suffix):
        name = replica_set[: -len(suffix) - 1]
        if ("Deployment", namespace, name) in by_key or ("ReplicaSet", namespace, replica_set) not in by_key:
            return "Deployment", name
    return "ReplicaSet", replica_set


def _pin(cluster: Cluster) -> list[tuple[str, Position, str, str]]:
    """A pod not scheduled now whose claim is bound to a volume on one node (a local
    PersistentVolume's node affinity) runs there or nowhere: its `nodeName` is taken to
    be that node, said where the claim is named; a note for each."""
    bound = volume_nodes(cluster)  # (namespace, claim) -> the node its volume is on
    notes = []
    for shown, pod in cluster.owned:
        spec = pod.get("spec")
        if pod["kind"] != "Pod" or not isinstance(spec, MarkedMap) or _node_of(pod) or _done(pod):
            continue
        volumes_of = spec.get("volumes")
        for volume in volumes_of if isinstance(volumes_of, list) else ():
            claim = volume.get("persistentVolumeClaim") if isinstance(volume, dict) else None
            named = claim.get("claimName") if isinstance(claim, MarkedMap) else None
            node = bound.get((namespace_of(pod), named)) if isinstance(named, str) else None
            if node is not None and isinstance(claim, MarkedMap):
                put(spec, "nodeName", node, claim.value_at("claimName"))
                name = pod["metadata"].get("name")
                message = f"{name} runs on no node now; its data (claim {named}) is on {node}: placed there"
                notes.append((shown, pod["metadata"].value_at("name"), "pinned", message))
                break
    return notes


def _done(pod: MarkedMap) -> bool:
    status = pod.get("status")
    return (isinstance(status, dict) and status.get("phase") in DONE) or "deletionTimestamp" in pod["metadata"]


def _node_of(pod: MarkedMap) -> str | None:
    spec = pod.get("spec")
    return element_id(spec.get("nodeName")) if isinstance(spec, dict) else None


def _stray_note(key: str, pods: list[Pod]) -> tuple[str, Position, str, str]:
    names = [f"{namespace_of(d)}/{d['metadata'].get('name')}" for _, d in pods]
    listed = ", ".join(names[:SHOWN]) + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")
    if key == "static":
        message = (
            f"{len(pods)} static pod{'s' if len(pods) > 1 else ''} ({listed}) not read: the kubelet runs them "
            "from files on their node (the control plane, on most clusters); describe them in a native overlay"
        )
    else:
        owners = sorted({str(owner.get("kind")) for _, d in pods if (owner := owner_of(d)) is not None})
        message = (
            f"{len(pods)} pod{'s' if len(pods) > 1 else ''} ({listed}) not read: owned by {', '.join(owners)} "
            "objects not in the files; what they run is not in the model"
        )
    shown, first = pods[0]
    return shown, first["metadata"].value_at("name"), f"pods:{key}", message


def _pending_note(w: Workload, pods: list[Pod]) -> tuple[str, Position, str, str] | None:
    waiting = [d for _, d in pods if _node_of(d) is None]
    if not waiting:
        return None
    names = ", ".join(str(d["metadata"].get("name")) for d in waiting[:SHOWN])
    message = (
        f"{len(waiting)} pod{'s' if len(waiting) > 1 else ''} of {w.id} ({names}) "
        f"{'run' if len(waiting) > 1 else 'runs'} on no node "
        "(not scheduled): placed as the pods that run"
    )
    shown, first = next((s, d) for s, d in pods if d is waiting[0])
    return shown, first["metadata"].value_at("name"), "pending", message


# -- placement


def _placed(root: MarkedMap, service: MarkedMap, w: Workload, pods: list[Pod], nodes: dict[str, str]) -> None:
    """The workload's instances on the nodes its pods run on now: one instance on each
    such node, or, when every pod runs on one node, all its replicas on that node (a
    node the dump does not list is declared where the pod names it)."""
    counts: dict[str, int] = {}
    where: dict[str, Position] = {}
    for shown, doc in sorted(pods, key=lambda p: str(p[1]["metadata"].get("name"))):
        node = _node_of(doc)
        if node is None:
            continue
        if node not in nodes:
            nodes[node] = node
            put(_element(root, "hosts", node, w.at), "kind", "k8s-node", w.at)
        node = nodes[node]
        counts[node] = counts.get(node, 0) + 1
        where.setdefault(node, doc["spec"].value_at("nodeName") if shown == w.path else w.at)
    if not counts:
        return
    for key in ("hosts", "pool", "replicas", "spread", "spread_strength"):
        service.pop(key, None)
    at = w.at
    total = sum(counts.values())
    if len(counts) == 1 and total >= 2 and w.kind != "DaemonSet":
        (node,) = counts
        put(service, "replicas", total, at)
        put(service, "pool", sequence(w.path, [(node, where[node])], at), at)
        return
    hosts = list(counts)
    need = _quorum(service, total)
    if total > len(counts) and need > 1:
        hosts = _stacked(root, service, w, counts, need)
    put(service, "hosts", sequence(w.path, [(n, where[n]) for n in hosts], at), at)


def _quorum(service: MarkedMap, pods: int) -> int:
    """How many of its pods the service needs up: a majority for a kind with a quorum."""
    known = kinds.lookup(service.get("kind"))
    return pods // 2 + 1 if known is not None and known.quorum and service.get("ha") != "none" else 1


def _stacked(root: MarkedMap, service: MarkedMap, w: Workload, counts: dict[str, int], need: int) -> list[str]:
    """A quorum over pods some of which share a node, written over the nodes (the model
    has one instance per host): when no node's failure alone leaves too few pods, any one
    may fail; when some node's does, every node is needed (the worst case: a node whose
    failure the quorum survives is reported too, and the note says which)."""
    total = sum(counts.values())
    critical = [n for n, c in counts.items() if total - c < need]
    hosts = list(counts)
    quorum = len(hosts) if critical else len(hosts) - 1
    put(service, "quorum", quorum, w.at)
    shared = ", ".join(f"{c} on {n}" for n, c in counts.items() if c > 1)
    spared = [n for n in hosts if n not in critical]
    if not critical:
        said = f"any one node may fail and leave its quorum of {need} pods"
    elif spared:
        said = f"its quorum of {need} pods is lost with {' or '.join(critical)}, not with {' or '.join(spared)}"
    else:
        said = f"its quorum of {need} pods is lost with any one of them"
    message = (
        f"{w.id} runs {total} pods on {len(counts)} nodes now ({shared}): {said}; modelled as {quorum} of its "
        f"{len(hosts)} nodes needed, one instance on each"
        + (f", so the failure of {' or '.join(spared)} is taken as fatal too" if critical and spared else "")
    )
    root.notes.append(ReaderNote(w.path, w.at[0], w.at[1], "stacked", message, w.id))
    return hosts


def _anywhere(service: MarkedMap, w: Workload, nodes: list[str]) -> None:
    """A workload with no pod running: placed as the manifests say, over the dump's nodes."""
    key = "hosts" if "hosts" in service else "pool"
    written = service.get(key)
    at = written.item_at(0) if isinstance(written, MarkedList) and written else w.at
    put(service, key, sequence(w.path, [(n, at) for n in nodes], at), service.key_at(key) if key in service else w.at)
