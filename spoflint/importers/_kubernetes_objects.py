"""The objects of a set of Kubernetes manifests, resolved against each other: the
workloads (with their pod spec and labels), the Services that select them, the
Ingress backends that route to those Services, and which workload needs which through
the addresses in its containers' environment (the rules are in the `kubernetes`
module's docstring)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..load import MarkedList, MarkedMap
from ..load.comments import AcceptComments
from ._containers import addressed_hosts, element_id, reaches
from ._native import Position

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Pod")

ManifestFile = tuple[str, list[MarkedMap], AcceptComments]  # (shown path, its objects, its comments)
Depends = list[tuple[str, Position]]  # [(workload id it needs, where the address is written)]


@dataclass
class Workload:
    kind: str
    name: str
    namespace: str
    doc: MarkedMap
    path: str
    at: Position
    labels: dict
    pod: MarkedMap  # the pod spec
    id: str = ""
    services: list[Service] = field(default_factory=list)  # Services that select it
    public_at: Position | None = None

    @property
    def replicas(self) -> int | None:
        """Its pods: `spec.replicas` (default 1), 1 for a Pod, None for a DaemonSet (one
        on every node)."""
        if self.kind == "DaemonSet":
            return None
        if self.kind == "Pod":
            return 1
        spec = self.doc.get("spec")
        value = spec.get("replicas") if isinstance(spec, dict) else None
        return value if type(value) is int and value >= 0 else 1

    def replicas_at(self) -> Position:
        spec = self.doc.get("spec")
        return spec.value_at("replicas") if isinstance(spec, MarkedMap) and "replicas" in spec.where else self.at

    @property
    def containers(self) -> list[MarkedMap]:
        containers = self.pod.get("containers")
        return [c for c in containers if isinstance(c, MarkedMap)] if isinstance(containers, list) else []


@dataclass
class Service:
    name: str
    namespace: str
    path: str
    doc: MarkedMap
    type: str
    headless: bool
    selector: dict | None


class Cluster:
    """Every manifest read: its workloads, named and matched with their Services."""

    def __init__(self, files: list[ManifestFile]):
        self.files = files
        self.workloads: list[Workload] = []
        self.services: list[Service] = []
        self.ingress_backends: list[tuple[str, str, str, Position]] = []  # (ns, service, path, at)
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
        spec = _mapping(doc, "spec")
        if kind in WORKLOADS:
            workload = _workload(kind, name, namespace, doc, shown)
            if workload.replicas != 0:  # scaled to zero: nothing runs
                self.workloads.append(workload)
        elif kind == "Service":
            selector = _labels(spec.get("selector")) or None
            written = spec.get("type")
            kind_of_service = written if isinstance(written, str) else "ClusterIP"
            headless = spec.get("clusterIP") == "None"
            self.services.append(Service(name, namespace, shown, doc, kind_of_service, headless, selector))
        elif kind == "Ingress":
            for backend, at in _ingress_backends(spec):
                self.ingress_backends.append((namespace, backend, shown, at))

    def _name_workloads(self) -> None:
        """Ids: the name, `namespace/name` when two workloads share it, then the kind
        or a number when that is still taken."""
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

    # -- Services and what is user-facing
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
            if w.public_at is None:
                w.public_at = _host_port(w)

    def selected(self, service: Service) -> list[Workload]:
        """The workloads a Service selects (by label, in its namespace)."""
        selector = service.selector
        if selector is None:
            return []
        return [
            w
            for w in self.workloads
            if w.namespace == service.namespace and all(w.labels.get(k) == v for k, v in selector.items())
        ]

    # -- dependencies
    def dependencies(self) -> dict[str, Depends]:
        """Workload id -> the workloads it needs, from the environment of its
        containers; edges that would close a cycle are dropped."""
        by_name: dict[tuple[str, str], Service] = {(s.name, s.namespace): s for s in self.services}
        edges: dict[str, list[str]] = {w.id: [] for w in self.workloads}
        found: dict[str, Depends] = {}
        for w in self.workloads:
            for host, where in _addresses(w):
                service = _resolve(host, w.namespace, by_name)
                for target in self.selected(service) if service else []:
                    if target.id == w.id or target.id in edges[w.id] or reaches(edges, target.id, w.id):
                        continue
                    edges[w.id].append(target.id)
                    found.setdefault(w.id, []).append((target.id, where))
        return found


def _mapping(node: MarkedMap, key: str) -> MarkedMap:
    """`node[key]` when it is a mapping, else an empty one."""
    value = node.get(key)
    return value if isinstance(value, MarkedMap) else MarkedMap()


def _workload(kind: str, name: str, namespace: str, doc: MarkedMap, shown: str) -> Workload:
    """A workload with the labels and spec of its pods (its pod template's, or a Pod's own)."""
    metadata, spec = doc["metadata"], _mapping(doc, "spec")
    if kind == "Pod":
        labels, pod = metadata.get("labels"), spec
    else:
        template = _mapping(spec, "template")
        labels = _mapping(template, "metadata").get("labels")
        pod = _mapping(template, "spec")
    return Workload(kind, name, namespace, doc, shown, metadata.value_at("name"), _labels(labels), pod)


def _labels(node: object) -> dict:
    """Labels (or a Service's selector) as text -> text; anything else is left out."""
    if not isinstance(node, dict):
        return {}
    return {k: v for k, v in node.items() if isinstance(v, (str, int, float, bool))}


def _host_port(w: Workload) -> Position | None:
    """Where the first `hostPort` of the workload's containers is written, or None."""
    for container in w.containers:
        ports = container.get("ports")
        if not isinstance(ports, MarkedList):
            continue
        for index, port in enumerate(ports):
            if isinstance(port, dict) and port.get("hostPort"):
                return ports.item_at(index)
    return None


def _addresses(w: Workload) -> Iterator[tuple[str, Position]]:
    """(host name, where) of every address in the environment of the workload's containers."""
    for container in w.containers:
        env = container.get("env")
        if not isinstance(env, MarkedList):
            continue
        for index, item in enumerate(env):
            if not isinstance(item, MarkedMap):
                continue
            where = item.value_at("value") if "value" in item.where else env.item_at(index)
            for host in addressed_hosts(item.get("name"), item.get("value")):
                yield host, where


def _resolve(host: str, namespace: str, services: dict[tuple[str, str], Service]) -> Service | None:
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


def _ingress_backends(spec: MarkedMap) -> list[tuple[str, Position]]:
    """(service name, where) of every backend an Ingress routes to."""
    out: list[tuple[str, Position]] = []
    for node in _backend_nodes(spec):
        if not isinstance(node, MarkedMap):
            continue
        service = node.get("service")
        if isinstance(service, MarkedMap) and isinstance(service.get("name"), str):
            out.append((service["name"], service.value_at("name")))
        elif isinstance(node.get("serviceName"), str):  # extensions/v1beta1
            out.append((node["serviceName"], node.value_at("serviceName")))
    return out


def _backend_nodes(spec: MarkedMap) -> Iterator[object]:
    """The default backend of an Ingress, then the backend of each of its rules' paths."""
    yield spec.get("defaultBackend") or spec.get("backend")
    rules = spec.get("rules")
    for rule in rules if isinstance(rules, list) else []:
        http = rule.get("http") if isinstance(rule, dict) else None
        paths = http.get("paths") if isinstance(http, dict) else None
        for item in paths if isinstance(paths, list) else []:
            if isinstance(item, dict):
                yield item.get("backend")
