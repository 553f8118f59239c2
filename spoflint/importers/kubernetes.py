"""Kubernetes manifests (YAML files of one or more documents, or folders of them) read
as topologies.

A file is Kubernetes when one of its documents has a string `apiVersion` and `kind`
and a `metadata` mapping. `kind: List` documents are read item by item.

**Workloads.** Each Deployment, StatefulSet, DaemonSet, ReplicaSet,
ReplicationController and bare Pod becomes a service named after its `metadata.name`
(`namespace/name` when two workloads of the files share a name):

- `replicas` from `spec.replicas` (1 when missing, as Kubernetes defaults it; 1 for a
  Pod; a workload scaled to 0 is left out); a DaemonSet runs one pod on every node;
- `kind` from the image of the pod's first container (`postgres` -> postgresql, `redis`,
  `mongo` -> mongodb, `cassandra`, `cockroachdb/cockroach` -> cockroachdb, `etcd`,
  `zookeeper`, `kafka`, `rabbitmq`, `nginx`, ... see `_containers.IMAGE_KINDS`). A kind
  that is clustered by construction (cassandra, cockroachdb, etcd, zookeeper, mongodb,
  kafka, elasticsearch, ...) is replicated (`ha: active-active`) only as a StatefulSet of
  three or more replicas; otherwise it gets `ha: none`;
- otherwise `state`: stateful when its data outlives the pod (a StatefulSet's
  `volumeClaimTemplates`, a `persistentVolumeClaim` volume, a writable `hostPath` outside
  the system folders) or its name says it is a database (`catalogue-db`), else stateless
  (`emptyDir` is scratch space). A Deployment with a claim is stateful with `ha: none`;
  where a claim's volume lives is not said, so it is treated as the node's (`local`);
- `depends_on` from environment variables that address a Service of the files
  (`PRODUCT_CATALOG_SERVICE_ADDR=productcatalogservice:3550`, `REDIS_ADDR=redis-cart:6379`,
  `DATABASE_URL=postgres://db.prod.svc.cluster.local/x`): the workloads that Service
  selects. An inferred dependency that would close a cycle is dropped.

**Services.** A Service selects workloads by label (its `selector` against the pod
template's labels, in its namespace). It is not an element of its own: Kubernetes
implements it on every node. A workload behind a Service with a cluster IP is reached
through that virtual IP (`vip: kube-proxy`), so its replicas are load balanced; behind
only a headless Service (`clusterIP: None`), through DNS (`vip: dns`). A workload of no
known kind that no Service selects cannot be addressed, so it is taken to pull its work
(`access: worker`).
A workload behind a `NodePort` or `LoadBalancer` Service, an Ingress backend, or with a
`hostPort` is user-facing (`public: true`); a workload no Service selects that depends
on such a workload is a client of it (a load generator), not user-facing; otherwise the
native default applies (user-facing when nothing depends on it).

**Nodes.** The manifests do not say how many nodes the cluster has, nor where they are.
The reader declares as many nodes as the widest workload has replicas, `k8s-node-1` ...,
with no rack, power or network, so MODEL001 reports each gap. Where the replicas of a
workload run is likewise a layer the manifests leave to the scheduler, and spoflint
treats an undescribed layer as it does everywhere else: as not failing together, and
reported as incomplete. So a workload's replicas are placed on distinct nodes
(`spread: host`): kube-scheduler spreads the pods of one workload across nodes by
default, and preferred anti-affinity or `ScheduleAnyway` constraints ask for it too.
Stronger promises are kept as such:

- `spread: zone` for a pod anti-affinity (required or preferred) on
  `topology.kubernetes.io/zone` against its own pods, or a topology spread constraint
  on that key (the nodes are then put in as many zones, `k8s-zone-1` ..., as the widest
  such workload needs);

and a workload pinned to one node (`nodeName`, or a `nodeSelector` on
`kubernetes.io/hostname`) has every replica on that node (no spread).

Every element points at its manifest's `metadata.name`; the nodes at the first line of
the first file with a workload. A `# spoflint: accept RULE reason` comment on a
workload's `name:` line accepts a risk on it.

**Ignored**: PodDisruptionBudgets (read and left out: they limit voluntary evictions such
as drains, not failures), Jobs and CronJobs (batch), HorizontalPodAutoscalers,
`nodeSelector` and node affinity, tolerations, resources, probes, `envFrom`, init
containers, storage classes and volumes' providers, NetworkPolicies, Gateway API routes,
ConfigMaps, Secrets, RBAC, CRDs, and Helm or Kustomize sources (render them first:
`helm template`, `kubectl kustomize`).
"""

from __future__ import annotations

from pathlib import Path

from .. import load
from ..errors import InputError
from ..load import MarkedMap
from ._kubernetes_objects import Cluster, ManifestFile
from ._kubernetes_workloads import natives
from .contract import Paths

FORMAT = "kubernetes"


def detect(path: Path, text: bytes) -> bool:
    """Whether a file holds a Kubernetes object (see `is_manifest`), and no native topology."""
    try:
        documents = load.load_documents(text, str(path))
    except InputError:
        return False
    if any(type(d.get("version")) is int and d["version"] == 1 for d in documents):
        return False  # a native topology
    return any(
        is_manifest(d)
        or (d.get("kind") == "List" and isinstance(d.get("items"), list) and any(is_manifest(i) for i in d["items"]))
        for d in documents
    )


def is_manifest(document: object) -> bool:
    """A mapping with a string `apiVersion` and `kind` and a `metadata` mapping."""
    return (
        isinstance(document, dict)
        and isinstance(document.get("apiVersion"), str)
        and isinstance(document.get("kind"), str)
        and isinstance(document.get("metadata"), dict)
    )


def read(paths: Paths) -> list[MarkedMap]:
    """Native documents, one per manifest file named or found under `paths`."""
    files: list[ManifestFile] = []
    for path, named in load.expand_paths([str(p) for p in paths]):
        shown = load.shown_path(path)
        try:
            data = _read_bytes(path, shown)
            documents = load.load_documents(data, shown)
            comments = load.accept_comments(data, shown)
        except InputError:
            if named:
                raise
            continue
        objects = _objects(documents)
        if not objects:
            if named:
                raise InputError(
                    shown, 1, 1, "not a Kubernetes manifest: no document with apiVersion, kind and metadata"
                )
            continue
        files.append((shown, objects, comments))
    return natives(Cluster(files))


def _objects(documents: list[MarkedMap]) -> list[MarkedMap]:
    """The Kubernetes objects of a file's documents, a `kind: List` read item by item."""
    objects: list[MarkedMap] = []
    for document in documents:
        if document.get("kind") == "List" and isinstance(document.get("items"), list):
            objects.extend(item for item in document["items"] if is_manifest(item))
        elif is_manifest(document):
            objects.append(document)
    return objects


def _read_bytes(path: Path, shown: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read(load.MAX_BYTES + 1)
    except OSError as error:
        raise InputError(shown, 1, 1, f"cannot read file: {error.strerror or error}") from None
    return data
