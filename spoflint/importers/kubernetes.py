"""Kubernetes manifests (YAML files of one or more documents, or folders of them) read
as topologies.

A file is Kubernetes when one of its documents has a string `apiVersion` and `kind`
and a `metadata` mapping. `kind: List` documents are read item by item.

**Workloads.** Each Deployment, StatefulSet, DaemonSet, ReplicaSet,
ReplicationController and bare Pod becomes a service named after its `metadata.name`
(`namespace/name` when two workloads of the files share a name), and so does each
resource of the operators below (`_kubernetes_operators`):

- `replicas` from `spec.replicas` (1 when missing, as Kubernetes defaults it; a
  workload scaled to 0 is left out); a DaemonSet runs one pod on every node. When a
  HorizontalPodAutoscaler's `scaleTargetRef` names the workload, its `minReplicas`
  (default 1) stands in for `spec.replicas`: the autoscaler may scale down to it. A bare
  Pod is one replica that nothing recreates when it fails, is evicted or loses its node
  (worse than a Deployment of one): a MODEL001 note on it says so, as does its
  `description`;
- `kind` from the image of the pod's first container (`postgres` -> postgresql, `redis`,
  `mongo` -> mongodb, `cassandra`, `cockroachdb/cockroach` -> cockroachdb, `etcd`,
  `zookeeper`, `kafka`, `rabbitmq`, `nginx`, ... see `_containers.IMAGE_KINDS`). A
  database image without any volume keeps its data in the pod: stateful, lost with the
  pod (and so with its node);
- otherwise `state`: stateful when its data outlives the pod (a claim, a writable
  `hostPath` outside the system folders, a network volume) or its name says it is a
  database (`catalogue-db`), else stateless (`emptyDir`, generic ephemeral volumes,
  ConfigMaps and Secrets are scratch). A Redis replica of another workload (an image
  named as a replica or follower, `--replicaof`, `REDIS_REPLICATION_MODE=replica`, no
  Sentinel) holds a copy of the leader's data: stateless;
- **where its data lives** (`_kubernetes_storage`): a PersistentVolumeClaim on
  network-attached storage (a cloud disk, Cinder, Ceph RBD/CephFS, Longhorn, any
  provisioner or CSI driver that is not node-local), an in-tree network volume, or an
  NFS share is a storage element of its own, without hosts (kind `managed`, `ceph`,
  `san` or `nfs`): it reattaches on another node, so a node failure is downtime, not
  data loss, and the volume itself can fail. Claims are resolved through their bound
  PersistentVolume, else their StorageClass's provisioner, else the class's well-known
  name. Data is on the node (`local`: the node's failure loses it) for a `hostPath`, a
  `local` PersistentVolume and a node-local class (`kubernetes.io/no-provisioner`,
  `local-path`, `local-storage`, OpenEBS hostpath/LVM/ZFS, TopoLVM). A claim whose class
  the files do not settle (none: the cluster's default; a class not in the files and not
  well known; a claim not in the files) is taken as network-attached, as on managed
  clusters, with a MODEL001 note on its element (an overlay setting its `kind` answers
  it); an NFS share always gets a note (its server is not described). Replicas sharing a
  `ReadWriteOnce` claim all run on the node it attaches to (no spread). A volume mounted
  read-only is needed (`depends_on`), not where the data lives;
- **replication** (`_kubernetes_replication`): a StatefulSet of two or more replicas
  that each keep their own data is a replicated service (`ha: active-active`) when the
  manifests show the replication (a Sentinel sidecar, `cluster-enabled yes`, Patroni or
  Spilo, repmgr, MySQL group replication, Galera, a MongoDB `--replSet`, RabbitMQ
  `cluster_formation`, in the images, command, arguments, environment or mounted
  ConfigMaps, or an image clustered by construction: etcd, ZooKeeper, Cassandra,
  CockroachDB, Kafka, Elasticsearch, ...). Where they do not, it is taken as replicated
  all the same, with one MODEL001 note ("replication of X is not described"; an overlay
  setting `ha` answers it), never N nodes that each hold the only copy. Any other
  workload of a clustered kind gets `ha: none`;
- `depends_on` from the addresses in its containers (`_kubernetes_addresses`): in the
  environment, a URL's host, a `host:port`, or the value of a variable named like an
  address (`PRODUCT_CATALOG_SERVICE_ADDR=productcatalogservice:3550`,
  `DATABASE_URL=postgres://db.prod.svc.cluster.local/x`); in `command` and `args` (a
  shell line is split into words), URLs, `host:port` words and the values of address
  flags (`--join=a,b`, `--redis-addr x:6379`). A name reaches a Service as DNS does:
  `svc`, `svc.ns`, `svc.ns.svc.cluster.local`, and a StatefulSet pod's
  `pod-0.svc[.ns[.svc.cluster.local]]` (its own StatefulSet, by `serviceName`, when the
  governing Service is not in the files); the dependency is on the workloads that
  Service selects. An inferred dependency that would close a cycle is dropped. A
  cluster name (one label, a `.svc`/`.cluster.local` suffix, or a namespace of the
  files as its last label) that reaches no workload of the files, or a Service without
  a selector, is a MODEL001 note on the workload (answered by an overlay's
  `depends_on`); an outside name (`api.stripe.com`), an IP address or `localhost` is
  not.

**Services.** A Service selects workloads by label (its `selector` against the pod
template's labels, in its namespace). It is not an element of its own: Kubernetes
implements it on every node. A workload behind a Service with a cluster IP is reached
through that virtual IP (`vip: kube-proxy`), so its replicas are load balanced; behind
only a headless Service (`clusterIP: None`), through DNS (`vip: dns`). A workload of no
known kind that no Service selects cannot be addressed, so it is taken to pull its work
(`access: worker`). A Service is the unit clients see: when it selects several
Deployments (ReplicaSets, ReplicationControllers) of one image, a canary beside its
stable track, they are one service named after the Service, whose replicas are the sum
(StatefulSets and DaemonSets are never merged; workloads of different images behind one
Service stay apart).

**User-facing** comes from exposure, not from "nothing depends on it": a workload behind
a `NodePort` or `LoadBalancer` Service (or one with `externalIPs`), the backend of an
Ingress or of a Gateway API route (`HTTPRoute`, `GRPCRoute`, `TLSRoute`, `TCPRoute`,
`UDPRoute`), one with a `hostPort` (but an exporter's, which is scraped), and an
operator's resource exposed by it (below) is `public: true`. When something in the files
is exposed, every other workload is `public: false`, and the workloads behind a Service
that is neither exposed nor addressed by a workload of the files (their clients'
addresses are in images or configuration files) are named in one MODEL001 note per
file. Workloads that no Service selects (queue consumers, cron loops, load generators),
controllers, operators and exporters (named or imaged `-operator`, `-controller`,
`controller-manager`, `-exporter`, `kube-state-metrics`, or run with `--leader-elect`) are
never user-facing unless exposed. When nothing in the files is exposed, the workloads
behind a Service keep the native default (user-facing when nothing depends on them),
and one MODEL001 note says so.

**Operators.** Each resource stands in for the pods its operator runs, with the labels
those pods carry and the Services the operator creates (so that the files' Services,
addresses and budgets find them), and the scheduling its spec gives:

- prometheus-operator `Prometheus` and `Alertmanager` (monitoring.coreos.com):
  `spec.replicas`, default 1 as the operator defaults it; no native kind, so `state` is
  written: stateful only with `spec.storage.volumeClaimTemplate` (else an emptyDir that
  goes with the pod), and then `ha: active-active` from two replicas (each Prometheus
  replica scrapes every target; Alertmanagers share silences and notifications);
  `spec.affinity` and `topologySpreadConstraints` are the pods'; Services
  `prometheus-operated`, `alertmanager-operated` (headless);
- CloudNativePG `Cluster` (postgresql.cnpg.io, and EDB's postgresql.k8s.enterprisedb.io):
  `spec.instances`, default 1. Two or more are `kind: postgresql-patroni` with `ha:
  active-active` (streaming replication keeps a copy on every instance) and `manager:
  cloudnative-pg` (the operator promotes a replica); one is `kind: postgresql`, `ha:
  none`. Its pods carry the operator's pod anti-affinity (`spec.affinity`:
  `enablePodAntiAffinity` default true, `podAntiAffinityType` default preferred,
  `topologyKey` default the hostname); Services `<name>-rw`, `-ro`, `-r`; a managed
  additional Service of type LoadBalancer or NodePort exposes it. A `Pooler` is
  `spec.instances` (default 1) stateless PgBouncer pods that need their Cluster;
- Zalando `postgresql` (acid.zalan.do): `spec.numberOfInstances` Spilo pods, Patroni
  failing over: two or more are `postgresql-patroni`, `ha: active-active`; one is
  `postgresql`. No anti-affinity (the operator's `enable_pod_antiaffinity` defaults to
  false); Services `<name>`, `<name>-repl`; `enableMasterLoadBalancer` or
  `enableReplicaLoadBalancer` exposes it;
- Strimzi `Kafka` (kafka.strimzi.io): brokers are the sum of the `replicas` of the
  KafkaNodePools labelled `strimzi.io/cluster: <name>` with the broker role, else
  `spec.kafka.replicas`; `kind: kafka`, `ha: active-active` from two brokers unless
  `default.replication.factor` is written below 2 (unwritten: Kafka's default of 1, a
  note). Dual-role pools make the brokers a KRaft quorum (`quorum: majority`);
  controller-only pools are a service of their own, `<name>-controllers` (a majority
  quorum the brokers need); without KRaft, `spec.zookeeper.replicas` is
  `<name>-zookeeper` (`kind: zookeeper`), which the brokers need. A listener of type
  `nodeport`, `loadbalancer`, `ingress` or `route` exposes the brokers; Services
  `<name>-kafka-bootstrap`, `<name>-kafka-brokers`, `<name>-zookeeper-client`. A
  `KafkaTopic` of `replicas: 1` is a note (one copy of its data). Without pools or
  `spec.kafka.replicas`, a note says its brokers are not described.

A count that is not a number is a note, and the resource is not read.

**Budgets.** A PodDisruptionBudget adds no replica and is not redundancy, but one that
lets no pod be evicted (`maxUnavailable: 0`, or `minAvailable` as many as the pods it
covers, percentages rounded up as the disruption controller rounds them) blocks every
node drain: a MODEL001 note on each workload it covers. Other budgets are read and
change nothing.

**Never silent.** Every object is read (above), read and left out (`LEFT_OUT` in
`_kubernetes_notes`: configuration, access control, policy, monitoring rules, batch,
the API's own objects: ConfigMap, Secret, ServiceAccount, RBAC, NetworkPolicy,
CustomResourceDefinition, Namespace, Job, CronJob, StorageClass, PersistentVolume(Claim)
(read for storage), IngressClass, Gateway, ServiceMonitor, PodMonitor, PrometheusRule,
KafkaUser, cert-manager's Certificate and Issuer, Dapr Configuration, ...), or noted:
the objects of any other kind are one MODEL001 note per file ("4 objects of kinds
postgresql, Kafka not read"), at the first of them; Dapr `Component`s of type `state.*`
and `pubsub.*` are storage and brokers the reader cannot see, one note per file naming
them.

**Nodes.** The manifests do not say how many nodes the cluster has, nor where they are.
The reader declares as many nodes as the widest workload has replicas, `k8s-node-1` ...,
with no rack, power or network, so MODEL001 reports each gap. Where the replicas of a
workload run is likewise a layer the manifests leave to the scheduler, and spoflint
treats an undescribed layer as it does everywhere else: as not failing together, and
reported as incomplete. So a workload's replicas are placed on distinct nodes
(`spread: host`), and how firm that is is said (`spread_strength`): kube-scheduler's
default spreading, a preferred pod anti-affinity and a `ScheduleAnyway` (or `maxSkew`
above 1) topology spread constraint are its best effort (`spread_strength: preferred`,
which SVC007 reports as a warning naming the constraint to add); a required pod
anti-affinity or a `DoNotSchedule` constraint with `maxSkew: 1`, against the workload's
own pods, is a promise (`required`). The firmest term wins (required before preferred,
zone before node):

- `spread: zone` for such a term on `topology.kubernetes.io/zone` (the nodes are then
  put in as many zones, `k8s-zone-1` ..., as the widest such workload needs);

and a workload pinned to one node (`nodeName`, or a `nodeSelector` on
`kubernetes.io/hostname`) has every replica on that node (no spread).

Every element points at its manifest's `metadata.name` (a merged service at its
Service's, when in the same file; an operator's part, such as Strimzi's ZooKeeper, at
its key in the resource); the nodes at the first line of the first file with a workload.
A `# spoflint: accept RULE reason` comment on that line accepts a risk on it.

**A cluster dump** (`kubectl get nodes,pods,pvc,pv,services,deployments,statefulsets,
daemonsets -A -o yaml`; `_kubernetes_live`): its Nodes are the hosts (their zone label; the
rack of the label the configuration names, `rack_label`), replacing the nodes above; a
pod's owner references (Pod -> ReplicaSet -> Deployment by the ReplicaSet's owner or the
`pod-template-hash`; Pod -> StatefulSet, DaemonSet, an operator's resource) name its
workload, whose instances are then on the nodes its pods run on now (`hosts`; every
replica on one node: `replicas` on a pool of that node; a quorum over pods that share a
node written over the nodes, worst case, with a note). A claim bound to a volume pinned to
one node keeps a pod not scheduled there; one bound to a volume in one zone is storage in
that zone. An object a manifest of the files also describes is read from the manifest.
Static pods, pods of owners not in the files and pods on no node are notes.

**Ignored**: Jobs and CronJobs (batch: they run to completion), an autoscaler's
`maxReplicas`, `nodeSelector` and node affinity, tolerations, resources, probes,
`envFrom`, init containers, NetworkPolicies, ConfigMaps (but for the replication
settings in those a workload mounts), Secrets, RBAC, CRDs, Strimzi rack awareness, and
Helm or Kustomize sources (render them first: `helm template`, `kubectl kustomize`).
"""

from __future__ import annotations

from pathlib import Path

from .. import load
from ..errors import InputError
from ..load import MarkedMap
from ._kubernetes_live import place
from ._kubernetes_notes import finish
from ._kubernetes_objects import Cluster, ManifestFile
from ._kubernetes_workloads import natives
from ._native import put
from .contract import Paths

FORMAT = "kubernetes"


def detect(path: Path, text: bytes) -> bool:
    """Whether a file holds a Kubernetes object (see `is_manifest`), and no native topology.
    It only looks: the parse is kept for `read`, and let go when the file is not one
    (Compose, asked first, kept it too)."""
    shown = load.shown_path(path)
    try:
        documents = load.load_documents(text, shown, keep=True)
    except InputError:
        documents = []
    found = not any(type(d.get("version")) is int and d["version"] == 1 for d in documents) and any(
        is_manifest(d) or (_is_list(d) and (any(is_manifest(i) for i in d["items"]) or _typed_items(d)))
        for d in documents
    )
    if not found:
        load.forget(text, shown)
    return found


def is_manifest(document: object) -> bool:
    """A mapping with a string `apiVersion` and `kind` and a `metadata` mapping."""
    return (
        isinstance(document, dict)
        and isinstance(document.get("apiVersion"), str)
        and isinstance(document.get("kind"), str)
        and isinstance(document.get("metadata"), dict)
    )


def read(paths: Paths, rack_label: str | None = None) -> list[MarkedMap]:
    """Native documents, one per manifest file named or found under `paths`; a cluster
    dump's nodes in the rack their `rack_label` names."""
    files: list[ManifestFile] = []
    for path, named in load.expand_paths([str(p) for p in paths]):
        shown = load.shown_path(path)
        try:
            data = _read_bytes(path, shown)
            documents, comments = load.load_stream(data, shown)  # the parse detection kept, if it did
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
    cluster = Cluster(files)
    documents = natives(cluster)
    finish(cluster, documents)
    if cluster.nodes or cluster.owned:  # a cluster dump: where things run now
        place(cluster, documents, rack_label)
    return documents


def _objects(documents: list[MarkedMap]) -> list[MarkedMap]:
    """The Kubernetes objects of a file's documents, a `kind: List` read item by item."""
    objects: list[MarkedMap] = []
    pending = list(reversed(documents))  # a List's items may be Lists too: read in order, without recursion
    while pending:
        document = pending.pop()
        if _is_list(document):
            _typed(document)
            pending.extend(reversed([i for i in document["items"] if isinstance(i, MarkedMap)]))
        elif is_manifest(document):
            objects.append(document)
    return objects


def _is_list(document: MarkedMap) -> bool:
    """A `List` (as `kubectl get -o yaml` writes), or a typed list (`PodList`) as the API
    returns it: its `items` are objects."""
    kind = document.get("kind")
    return isinstance(kind, str) and kind.endswith("List") and isinstance(document.get("items"), list)


def _typed_items(document: MarkedMap) -> bool:
    """A typed list of the API (`PodList`) whose items are objects without a `kind`."""
    return (
        document["kind"] != "List"
        and isinstance(document.get("apiVersion"), str)
        and any(isinstance(i, dict) and isinstance(i.get("metadata"), dict) for i in document["items"])
    )


def _typed(document: MarkedMap) -> None:
    """The items of a typed list (`PodList`, as the API returns it) carry no `kind` or
    `apiVersion` of their own: the list's."""
    kind, version = document["kind"][: -len("List")], document.get("apiVersion")
    if not kind or not isinstance(version, str):
        return
    for item in document["items"]:
        if isinstance(item, MarkedMap) and isinstance(item.get("metadata"), dict) and "kind" not in item:
            put(item, "kind", kind, (item.line, item.column))
            put(item, "apiVersion", version, (item.line, item.column))


def _read_bytes(path: Path, shown: str) -> bytes:
    return load.read_once(path, shown)  # the bytes sniffing read, bounded
