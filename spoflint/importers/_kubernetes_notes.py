"""What the Kubernetes reader writes once the workloads are native services: what an
operator's resource runs (its kind, replication and failover), who is user-facing
(exposure), and the notes on what the files leave out: kinds not read, Dapr stores,
addresses naming nothing of the files, Services nobody addresses, bare Pods, and
disruption budgets that block drains (the rules are in the `kubernetes` module's
docstring)."""

from __future__ import annotations

import math

from ..load import MarkedMap, ReaderNote
from ._kubernetes_objects import Cluster, Workload, is_controller
from ._native import Position, put

# kinds whose objects the reader reads and leaves out: they say nothing about what runs
# where (configuration, access control, policy, monitoring rules, batch, the API itself)
LEFT_OUT = frozenset(
    (
        "ConfigMap Secret ServiceAccount Role ClusterRole RoleBinding ClusterRoleBinding NetworkPolicy "
        "CustomResourceDefinition Namespace LimitRange ResourceQuota PriorityClass RuntimeClass Endpoints "
        "EndpointSlice IngressClass GatewayClass Gateway ReferenceGrant StorageClass PersistentVolume "
        "PersistentVolumeClaim VolumeSnapshot VolumeSnapshotClass CSIDriver Job CronJob Lease Event "
        "MutatingWebhookConfiguration ValidatingWebhookConfiguration ValidatingAdmissionPolicy "
        "ValidatingAdmissionPolicyBinding APIService PodSecurityPolicy VerticalPodAutoscaler "
        "ServiceMonitor PodMonitor Probe PrometheusRule AlertmanagerConfig ScrapeConfig KafkaUser "
        "ScheduledBackup Backup Database OperatorConfiguration PostgresTeam Certificate CertificateRequest "
        "Issuer ClusterIssuer Configuration Subscription Resiliency"
    ).split()
)


def finish(cluster: Cluster, documents: list[MarkedMap]) -> None:
    """Complete the native documents (one per file, in `cluster.files` order)."""
    roots = {root.path: root for root in documents}
    for w in cluster.workloads:
        node = roots[w.path].get("services", {}).get(w.id)
        if node is None:
            continue
        if w.operator is not None:
            _operated(node, w)
        if w.public is not None:
            put(node, "public", w.public, w.at, w.public_at or w.at)
        if w.members:
            _grouped(node, w)
        if w.kind == "Pod":
            _bare(roots[w.path], node, w)
    for path, at, key, message, about in cluster.notes:
        _note(roots[path], at, key, message, about.id if about else None)
    _unread(cluster, roots)
    _stores(cluster, roots)
    _unresolved(cluster, roots)
    _exposure(cluster, roots)
    _budgets(cluster, roots)


def _note(root: MarkedMap, at: Position, key: str, message: str, subject: str | None = None, unless=None) -> None:
    root.notes.append(ReaderNote(root.path, at[0], at[1], key, message, subject, unless))


def _operated(node: MarkedMap, w: Workload) -> None:
    """What the operator runs: its native kind (else its state), replication, failover."""
    run = w.operator
    assert run is not None
    at = w.at
    for key in ("kind", "state", "ha", "access", "manager", "quorum"):
        node.pop(key, None)
        node.where.pop(key, None)
    if run.kind:
        put(node, "kind", run.kind, at)
    if run.state:
        put(node, "state", run.state, at)
    for key, value in (("ha", run.ha), ("manager", run.manager), ("quorum", run.quorum)):
        if value:
            put(node, key, value, at)
    if run.quorum and not w.services:
        put(node, "access", "client-list", at)  # its peers know every member
    if run.description:
        put(node, "description", run.description, at)


def _grouped(node: MarkedMap, w: Workload) -> None:
    assert w.grouped_by is not None
    parts = ", ".join(f"{m.kind} {m.name} ({m.own_replicas})" for m in [w, *w.members])
    put(
        node, "description", f"Service {w.grouped_by.name} selects {parts}: one service of {w.replicas} instances", w.at
    )


def _bare(root: MarkedMap, node: MarkedMap, w: Workload) -> None:
    """A bare Pod: `recreated: false`, which SVC001's message tells (no note besides it)."""
    text = (
        f"{w.id} is a bare Pod: nothing recreates it when it fails, is evicted or its node goes, "
        "which is worse than one replica of a Deployment; run it from a Deployment (or a StatefulSet)"
    )
    put(node, "description", text, w.at)
    put(node, "recreated", False, w.at)


def _unread(cluster: Cluster, roots: dict[str, MarkedMap]) -> None:
    """One note per file: the objects of kinds the reader does not know."""
    by_file: dict[str, list[MarkedMap]] = {}
    for path, doc in cluster.unread:
        by_file.setdefault(path, []).append(doc)
    for path, docs in by_file.items():
        kinds = sorted({d["kind"] for d in docs})
        count = f"{len(docs)} object{'s' if len(docs) > 1 else ''} of kind{'s' if len(kinds) > 1 else ''}"
        message = (
            f"{count} {', '.join(kinds)} not read (custom resources spoflint does not know): what they run "
            "is not in the model; describe it in a native overlay"
        )
        _note(roots[path], docs[0].value_at("kind"), "unread:" + ",".join(kinds), message)


def _stores(cluster: Cluster, roots: dict[str, MarkedMap]) -> None:
    """One note per file: Dapr state stores and pub/sub brokers, storage the reader cannot see."""
    by_file: dict[str, list[tuple[MarkedMap, str]]] = {}
    for path, doc, kind in cluster.stores:
        by_file.setdefault(path, []).append((doc, kind))
    for path, found in by_file.items():
        names = ", ".join(f"{d['metadata']['name']} ({kind})" for d, kind in found)
        message = (
            f"Dapr component{'s' if len(found) > 1 else ''} {names}: state stores and brokers spoflint cannot "
            "see (where their data lives, how many copies it keeps); describe them in a native overlay"
        )
        first = found[0][0]["metadata"]
        _note(roots[path], first.value_at("name"), "dapr:" + ",".join(d["metadata"]["name"] for d, _ in found), message)


def _unresolved(cluster: Cluster, roots: dict[str, MarkedMap]) -> None:
    """A note on each workload whose addresses name no workload of the files."""
    for wid, missing in cluster.unresolved().items():
        w = cluster.by_id[wid]
        hosts = ", ".join(h for h, _ in missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        message = (
            f"{wid} addresses {hosts}, which name{'s' if len(missing) == 1 else ''} no workload of these files: "
            "what it needs there is not described (add it, or declare depends_on in a native overlay)"
        )
        _note(roots[w.path], missing[0][1], "unresolved", message, wid, unless="depends_on")


def _exposure(cluster: Cluster, roots: dict[str, MarkedMap]) -> None:
    """Nothing exposed: the native default, said once. Else one note per file naming the
    Services' workloads that are neither exposed nor addressed: their clients are unknown."""
    if not cluster.workloads:
        return
    if not cluster.exposed:
        first = cluster.workloads[0]
        message = (
            "nothing in these files is exposed outside the cluster (no Ingress or Gateway route, LoadBalancer "
            "or NodePort Service, hostPort): "
        )
        if any(w.public is None for w in cluster.workloads):
            message += (
                "the workloads behind a Service that no other one needs are taken as user-facing; set "
                "`public:` in a native overlay where that is wrong"
            )
        else:
            message += (
                "no Service selects a workload that is not a controller or exporter, so none is taken as "
                "user-facing; set `public: true` in a native overlay on those users reach"
            )
        _note(roots[first.path], first.at, "exposure", message)
        return
    needed = {t for depends in cluster.dependencies().values() for t, _ in depends}
    by_file: dict[str, list[Workload]] = {}
    for w in cluster.workloads:
        if w.public is False and w.services and w.id not in needed and not w.needs and not is_controller(w):
            by_file.setdefault(w.path, []).append(w)
    for path, found in by_file.items():
        names = ", ".join(w.id for w in found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        verb, them, they = ("is", "it", "it is") if len(found) == 1 else ("are", "them", "they are")
        message = (
            f"{names} {verb} behind Services but neither exposed nor addressed by a workload of these files: "
            f"who needs {them} is not described (addresses kept in images or configuration files), so {they} "
            "not taken as user-facing; declare depends_on on the clients (or `public: true`) in a native overlay"
        )
        _note(roots[path], found[0].at, "unaddressed:" + ",".join(w.id for w in found), message)


def _budgets(cluster: Cluster, roots: dict[str, MarkedMap]) -> None:
    """A PodDisruptionBudget does not add a replica, but one that allows no eviction
    (`maxUnavailable: 0`, or `minAvailable` as many as the pods) blocks every node
    drain: a note on each workload it covers."""
    for _path, doc in cluster.budgets:
        spec = doc.get("spec")
        name = doc["metadata"].get("name")
        namespace = doc["metadata"].get("namespace") or "default"
        selector = spec.get("selector") if isinstance(spec, dict) else None
        covered = cluster.covered(namespace, selector)
        if not covered or not isinstance(spec, MarkedMap):
            continue
        pods = sum(w.own_replicas for w in covered if w.kind != "DaemonSet")
        allowed = allowed_disruptions(spec, pods)
        if allowed is None or allowed[0] > 0:
            continue
        heads = list(dict.fromkeys(w.head or w for w in covered))
        field = allowed[1]
        said = f"{field}: {spec[field]} of {pods} pod{'s' if pods != 1 else ''}"
        if isinstance(spec[field], str):
            said += ", rounded up"
        for w in heads:
            message = (
                f"the PodDisruptionBudget {name} lets no pod of {w.id} be evicted ({said}): draining a node it "
                "runs on waits until the budget changes; allow one (maxUnavailable: 1) with a replica to spare"
            )
            _note(roots[w.path], w.at, f"pdb:{name}", message, w.id)


def allowed_disruptions(spec: MarkedMap, pods: int) -> tuple[int, str] | None:
    """(pods a PodDisruptionBudget lets a drain evict at once, the field that says so)
    for `pods` matching pods, or None when it is malformed. Percentages round up, as
    the disruption controller rounds them."""
    for key in ("maxUnavailable", "minAvailable"):
        value = spec.get(key)
        if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
            value = math.ceil(int(value[:-1]) * pods / 100)
        if type(value) is int and value >= 0:
            return (value if key == "maxUnavailable" else max(pods - value, 0)), key
    return None
