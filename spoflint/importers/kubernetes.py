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

from dataclasses import dataclass, field
from pathlib import Path

from .. import load
from ..errors import InputError
from ..load import MarkedMap
from . import Native, put, sequence
from ._containers import CLUSTERED, addressed_hosts, element_id, image_name, is_database_name, kind_of_image, reaches

FORMAT = "kubernetes"

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Pod")
HOSTNAME = ("kubernetes.io/hostname",)
ZONE = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
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


def detect(path: Path, text: bytes) -> bool:
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


def is_manifest(document) -> bool:
    return (
        isinstance(document, dict)
        and isinstance(document.get("apiVersion"), str)
        and isinstance(document.get("kind"), str)
        and isinstance(document.get("metadata"), dict)
    )


@dataclass
class _Workload:
    kind: str
    name: str
    namespace: str
    doc: MarkedMap
    path: str
    at: tuple[int, int]
    labels: dict
    pod: MarkedMap  # the pod spec
    id: str = ""
    services: list = field(default_factory=list)  # Services that select it
    public_at: tuple[int, int] | None = None

    @property
    def replicas(self) -> int | None:
        if self.kind == "DaemonSet":
            return None
        if self.kind == "Pod":
            return 1
        spec = self.doc.get("spec")
        value = spec.get("replicas") if isinstance(spec, dict) else None
        return value if type(value) is int and value >= 0 else 1

    def replicas_at(self) -> tuple[int, int]:
        spec = self.doc.get("spec")
        return spec.value_at("replicas") if isinstance(spec, dict) and "replicas" in spec.where else self.at

    @property
    def containers(self) -> list:
        containers = self.pod.get("containers")
        return [c for c in containers if isinstance(c, dict)] if isinstance(containers, list) else []


@dataclass
class _Service:
    name: str
    namespace: str
    path: str
    doc: MarkedMap
    type: str
    headless: bool
    selector: dict | None


def read(paths) -> list[MarkedMap]:
    """Native documents, one per manifest file named or found under `paths`."""
    files: list[tuple[str, list[MarkedMap], dict]] = []
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
        objects = []
        for document in documents:
            if document.get("kind") == "List" and isinstance(document.get("items"), list):
                objects.extend(item for item in document["items"] if is_manifest(item))
            elif is_manifest(document):
                objects.append(document)
        if not objects:
            if named:
                raise InputError(
                    shown, 1, 1, "not a Kubernetes manifest: no document with apiVersion, kind and metadata"
                )
            continue
        files.append((shown, objects, comments))
    return _Cluster(files).natives()


def _read_bytes(path: Path, shown: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read(load.MAX_BYTES + 1)
    except OSError as error:
        raise InputError(shown, 1, 1, f"cannot read file: {error.strerror or error}") from None
    return data


class _Cluster:
    """Every manifest read, resolved against each other, written as native documents."""

    def __init__(self, files):
        self.files = files
        self.workloads: list[_Workload] = []
        self.services: list[_Service] = []
        self.ingress_backends: list[tuple[str, str, str, tuple[int, int]]] = []  # (ns, service, path, at)
        for shown, objects, _ in files:
            for doc in objects:
                self._collect(shown, doc)
        self._name_workloads()
        self.by_id = {w.id: w for w in self.workloads}
        self._select()

    # -- collecting
    def _collect(self, shown: str, doc: MarkedMap) -> None:
        kind, metadata = doc["kind"], doc["metadata"]
        name = element_id(metadata.get("name"))
        if name is None:
            return
        namespace = metadata.get("namespace") if isinstance(metadata.get("namespace"), str) else "default"
        spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
        if kind in WORKLOADS:
            if kind == "Pod":
                labels, pod = metadata.get("labels"), spec
            else:
                template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
                template_meta = template.get("metadata") if isinstance(template.get("metadata"), dict) else {}
                labels = template_meta.get("labels")
                pod = template.get("spec") if isinstance(template.get("spec"), dict) else {}
            workload = _Workload(kind, name, namespace, doc, shown, metadata.value_at("name"), _labels(labels), pod)
            if workload.replicas != 0:  # scaled to zero: nothing runs
                self.workloads.append(workload)
        elif kind == "Service":
            selector = _labels(spec.get("selector")) or None
            self.services.append(
                _Service(
                    name,
                    namespace,
                    shown,
                    doc,
                    spec.get("type") if isinstance(spec.get("type"), str) else "ClusterIP",
                    spec.get("clusterIP") == "None",
                    selector,
                )
            )
        elif kind == "Ingress":
            for backend, at in _ingress_backends(spec):
                self.ingress_backends.append((namespace, backend, shown, at))

    def _name_workloads(self) -> None:
        count: dict[str, int] = {}
        for w in self.workloads:
            count[w.name] = count.get(w.name, 0) + 1
        taken: set[str] = set()
        for w in self.workloads:
            eid = w.name if count[w.name] == 1 else f"{w.namespace}/{w.name}"
            if eid in taken:
                eid = f"{eid}.{w.kind.lower()}"
            n = 2
            base = eid
            while eid in taken:
                eid, n = f"{base}-{n}", n + 1
            taken.add(eid)
            w.id = eid

    def _select(self) -> None:
        for service in self.services:
            for w in self.selected(service):
                w.services.append(service)
                if service.type in ("NodePort", "LoadBalancer") and w.public_at is None:
                    spec = service.doc["spec"]
                    w.public_at = spec.value_at("type") if service.path == w.path else w.at
        for namespace, name, path, at in self.ingress_backends:
            for service in self.services:
                if service.name == name and service.namespace == namespace:
                    for w in self.selected(service):
                        if w.public_at is None:
                            w.public_at = at if path == w.path else w.at
        for w in self.workloads:
            for container in w.containers:
                ports = container.get("ports")
                for index, port in enumerate(ports if isinstance(ports, list) else []):
                    if isinstance(port, dict) and port.get("hostPort") and w.public_at is None:
                        w.public_at = ports.item_at(index)

    def selected(self, service: _Service) -> list[_Workload]:
        if service.selector is None:
            return []
        return [
            w
            for w in self.workloads
            if w.namespace == service.namespace and all(w.labels.get(k) == v for k, v in service.selector.items())
        ]

    # -- writing
    def natives(self) -> list[MarkedMap]:
        spreads = {w.id: _spread(w) for w in self.workloads}
        nodes = max([1] + [w.replicas or 1 for w in self.workloads if spreads[w.id]])
        zones = max([0] + [w.replicas or 1 for w in self.workloads if spreads[w.id] and spreads[w.id][0] == "zone"])
        depends = self._dependencies()
        out = []
        placed = False
        taken = {w.id for w in self.workloads}
        node_ids = [_free(f"k8s-node-{i}", taken) for i in range(1, nodes + 1)]
        zone_ids = [_free(f"k8s-zone-{i}", taken | set(node_ids)) for i in range(1, zones + 1)]
        first = Path(self.files[0][0]) if self.files else Path("kubernetes")
        name = first.parent.name if len(self.files) > 1 and first.parent.name else first.name.split(".")[0]
        for shown, _objects, comments in self.files:
            native = Native(shown, name)
            native.root.comments = comments
            mine = [w for w in self.workloads if w.path == shown]
            if mine and not placed:
                placed = True
                for zone in zone_ids:
                    native.element("zones", zone, (1, 1))
                for index, node in enumerate(node_ids):
                    host = native.element("hosts", node, (1, 1))
                    put(host, "kind", "k8s-node", (1, 1))
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
            for w in mine:
                self._write(native, w, node_ids, spreads[w.id], depends.get(w.id, []))
            out.append(native.root)
        return out

    def _write(self, native: Native, w: _Workload, nodes: list[str], spread, depends) -> None:
        at = w.at
        node = native.element("services", w.id, at)
        image = w.containers[0].get("image") if w.containers else None
        image_at = w.containers[0].value_at("image") if image else at
        kind = kind_of_image(image)
        replicas = w.replicas
        persistent_at = _persistent(w)
        if kind:
            put(node, "kind", kind, at, image_at)
            if kind in CLUSTERED:
                clustered = w.kind == "StatefulSet" and (replicas or 0) >= 3
                put(node, "ha", "active-active" if clustered else "none", at, image_at)
        elif persistent_at:
            put(node, "state", "stateful", at, persistent_at)
        elif is_database_name(w.name, image_name(image)):
            put(node, "state", "stateful", at)
        else:
            put(node, "state", "stateless", at)
        if spread and spread[0] == "host" and replicas is not None:
            nodes = nodes[: max(replicas, 1)]  # replica i on node i: distinct, and no node it cannot be on
        pool = sequence(w.path, [(n, at) for n in nodes], at)
        if replicas is None:  # a DaemonSet: one pod on every node
            put(node, "hosts", pool, at, w.doc.value_at("kind"))
        else:
            put(node, "replicas", replicas, at, w.replicas_at())
            put(node, "pool", pool, at)
            if spread:
                put(node, "spread", spread[0], at, spread[1])
        balanced = [s for s in w.services if not s.headless]
        if balanced:
            put(node, "vip", "kube-proxy", at, self._at(balanced[0], w))
        elif w.services:
            put(node, "vip", "dns", at, self._at(w.services[0], w))
        elif not kind:
            put(node, "access", "worker", at)
        if w.public_at is not None:
            put(node, "public", True, at, w.public_at)
        elif not w.services and any(self.by_id[t].public_at is not None for t, _ in depends):
            put(node, "public", False, at)  # a client of the user-facing service: a load generator
        if depends:
            put(node, "depends_on", sequence(w.path, depends, depends[0][1]), depends[0][1])

    def _at(self, service: _Service, w: _Workload) -> tuple[int, int]:
        return service.doc["metadata"].value_at("name") if service.path == w.path else w.at

    def _dependencies(self) -> dict[str, list[tuple[str, tuple[int, int]]]]:
        """Workload -> [(workload it needs, where the address is written)], from the
        environment of its containers; edges that would close a cycle are dropped."""
        by_name: dict[tuple[str, str], _Service] = {(s.name, s.namespace): s for s in self.services}
        edges: dict[str, list[str]] = {w.id: [] for w in self.workloads}
        found: dict[str, list[tuple[str, tuple[int, int]]]] = {}
        for w in self.workloads:
            for container in w.containers:
                env = container.get("env")
                for index, item in enumerate(env if isinstance(env, list) else []):
                    if not isinstance(item, dict):
                        continue
                    where = item.value_at("value") if "value" in item.where else env.item_at(index)
                    for host in addressed_hosts(item.get("name"), item.get("value")):
                        service = _resolve(host, w.namespace, by_name)
                        for target in self.selected(service) if service else []:
                            if target.id == w.id or target.id in edges[w.id] or reaches(edges, target.id, w.id):
                                continue
                            edges[w.id].append(target.id)
                            found.setdefault(w.id, []).append((target.id, where))
        return found


def _free(eid: str, taken: set[str]) -> str:
    candidate, n = eid, 2
    while candidate in taken:
        candidate, n = f"{eid}-{n}", n + 1
    return candidate


def _resolve(host: str, namespace: str, services: dict) -> _Service | None:
    """The Service a host name reaches: `svc`, `svc.ns`, `svc.ns.svc.cluster.local`, or a
    StatefulSet pod's `pod.svc[.ns]`."""
    name = host.lower().rstrip(".")
    for suffix in (".svc.cluster.local", ".svc"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    labels = name.split(".")
    if len(labels) <= 2:
        found = services.get((labels[0], labels[1] if len(labels) == 2 else namespace))
        if found:
            return found
    if 2 <= len(labels) <= 3:
        return services.get((labels[1], labels[2] if len(labels) == 3 else namespace))
    return None


def _labels(node) -> dict:
    """Labels (or a Service's selector) as text -> text; anything else is left out."""
    if not isinstance(node, dict):
        return {}
    return {k: v for k, v in node.items() if isinstance(v, (str, int, float, bool))}


def _matches(selector, labels: dict) -> bool:
    """A label selector (`matchLabels` and `matchExpressions`) against labels."""
    if not isinstance(selector, dict):
        return False
    match = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not isinstance(match, dict) or not isinstance(expressions, list):
        return False
    if any(labels.get(k) != v for k, v in match.items()):
        return False
    for expression in expressions:
        if not isinstance(expression, dict) or not isinstance(expression.get("key"), str):
            return False
        key, operator = expression["key"], expression.get("operator")
        values = expression.get("values") or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return False
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return bool(match or selector.get("matchExpressions"))


def _spread(w: _Workload) -> tuple[str, tuple[int, int]] | None:
    """`("host"|"zone", where)`: how the workload's replicas are spread (see the module
    docstring); None for a workload pinned to one node."""
    selector = w.pod.get("nodeSelector")
    if w.pod.get("nodeName") or (isinstance(selector, dict) and any(k in HOSTNAME for k in selector)):
        return None
    found = None
    affinity = w.pod.get("affinity")
    anti = affinity.get("podAntiAffinity") if isinstance(affinity, dict) else None
    for kind in ("requiredDuringSchedulingIgnoredDuringExecution", "preferredDuringSchedulingIgnoredDuringExecution"):
        terms = anti.get(kind) if isinstance(anti, dict) else None
        for index, term in enumerate(terms if isinstance(terms, list) else []):
            if isinstance(term, dict) and "podAffinityTerm" in term:
                term = term["podAffinityTerm"]
            if isinstance(term, dict) and _matches(term.get("labelSelector"), w.labels):
                if _level(term.get("topologyKey")) == "zone":
                    found = found or ("zone", terms.item_at(index))
    constraints = w.pod.get("topologySpreadConstraints")
    for index, item in enumerate(constraints if isinstance(constraints, list) else []):
        if isinstance(item, dict) and _matches(item.get("labelSelector"), w.labels):
            if _level(item.get("topologyKey")) == "zone":
                found = found or ("zone", constraints.item_at(index))
    return found or ("host", (w.doc.line, w.doc.column))


def _level(key) -> str | None:
    return "host" if key in HOSTNAME else "zone" if key in ZONE else None


def _persistent(w: _Workload) -> tuple[int, int] | None:
    """Where the workload's data that outlives a pod is declared, or None."""
    spec = w.doc.get("spec") if isinstance(w.doc.get("spec"), dict) else {}
    claims = spec.get("volumeClaimTemplates")
    if w.kind == "StatefulSet" and isinstance(claims, list) and claims:
        return claims.item_at(0)
    writable = set()
    for container in w.containers:
        mounts = container.get("volumeMounts")
        for mount in mounts if isinstance(mounts, list) else []:
            if isinstance(mount, dict) and mount.get("readOnly") is not True and isinstance(mount.get("name"), str):
                writable.add(mount["name"])
    volumes = w.pod.get("volumes")
    for index, volume in enumerate(volumes if isinstance(volumes, list) else []):
        if not isinstance(volume, dict) or not isinstance(volume.get("name"), str) or volume["name"] not in writable:
            continue
        if isinstance(volume.get("persistentVolumeClaim"), dict):
            return volumes.item_at(index)
        host_path = volume.get("hostPath")
        if isinstance(host_path, dict) and isinstance(host_path.get("path"), str):
            path = host_path["path"].rstrip("/") or "/"
            if not any(path == p or path.startswith(p + "/") for p in _SYSTEM_PATHS):
                return volumes.item_at(index)
    return None


def _ingress_backends(spec) -> list[tuple[str, tuple[int, int]]]:
    """(service name, where) of every backend an Ingress routes to."""
    out = []

    def backend(node):
        if not isinstance(node, dict):
            return
        service = node.get("service")
        if isinstance(service, dict) and isinstance(service.get("name"), str):
            out.append((service["name"], service.value_at("name")))
        elif isinstance(node.get("serviceName"), str):  # extensions/v1beta1
            out.append((node["serviceName"], node.value_at("serviceName")))

    backend(spec.get("defaultBackend") or spec.get("backend"))
    rules = spec.get("rules")
    for rule in rules if isinstance(rules, list) else []:
        http = rule.get("http") if isinstance(rule, dict) else None
        paths = http.get("paths") if isinstance(http, dict) else None
        for item in paths if isinstance(paths, list) else []:
            if isinstance(item, dict):
                backend(item.get("backend"))
    return out
