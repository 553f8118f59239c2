"""The objects of a set of Kubernetes manifests, resolved against each other: the
workloads (with their pod spec and labels, and the replicas an autoscaler or an
operator gives them), the Services that select them (several Deployments behind one
Service are one service), what is exposed outside the cluster, and which workload
needs which through the addresses in its containers (the rules are in the
`kubernetes` module's docstring)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..load import MarkedMap
from ..load.comments import AcceptComments
from ._containers import element_id, image_name, reaches
from ._kubernetes_addresses import addresses, host_port, ingress_backends, resolve, route_backends
from ._kubernetes_index import LabelIndex
from ._kubernetes_meta import namespace_of, owner_of
from ._native import Position, put

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Pod")
_GROUPABLE = ("Deployment", "ReplicaSet", "ReplicationController")  # interchangeable pods
ROUTES = ("HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute")  # Gateway API
EXPOSING = ("NodePort", "LoadBalancer")
_CONTROLLER_NAME = re.compile(r"(-operator|-controller|controller-manager|-exporter|^kube-state-metrics)$")
_LEADER_FLAGS = ("--leader-elect", "--leader-election", "--enable-leader-election")

ManifestFile = tuple[str, list[MarkedMap], AcceptComments]  # (shown path, its objects, its comments)
Depends = list[tuple[str, Position]]  # [(workload id it needs, where the address is written)]
Unresolved = list[tuple[str, Position]]  # [(address, where)] naming nothing of the files
Note = tuple[str, Position, str, str, "Workload | None"]  # (path, at, key, message, about)


@dataclass
class Operated:
    """What an operator runs for one of its resources, as the native service to write."""

    operator: str  # who runs the pods: "CloudNativePG", "Strimzi", ...
    instances: int
    instances_at: Position | None  # where the count is written; None: the operator's default
    kind: str | None = None  # a native kind, else `state` says what it is
    state: str | None = None
    ha: str | None = None
    manager: str | None = None
    quorum: str | None = None
    description: str = ""


@dataclass(eq=False)  # one object per workload: compared and hashed by identity
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
    public_at: Position | None = None  # where it is exposed outside the cluster
    public: bool | None = None  # user-facing: True, False, or None for the native default
    members: list[Workload] = field(default_factory=list)  # more workloads behind its Service
    head: Workload | None = None  # the workload it is an instance of (behind one Service)
    grouped_by: Service | None = None  # the Service that makes it one service with its members
    autoscaled: tuple[str, int, Position | None] | None = None  # (HPA, minReplicas, where in path)
    operator: Operated | None = None  # an operator's resource standing in for its pods
    needs: list[tuple[Workload, Position]] = field(default_factory=list)  # an operator's parts

    @property
    def replicas(self) -> int | None:
        """Its pods: its own (`own_replicas`) and its members', None for a DaemonSet
        (one on every node)."""
        if self.kind == "DaemonSet":
            return None
        return self.own_replicas + sum(m.own_replicas for m in self.members)

    @property
    def own_replicas(self) -> int:
        """An operator's count; an autoscaler's `minReplicas`; `spec.replicas` (default 1);
        1 for a Pod."""
        if self.operator is not None:
            return self.operator.instances
        if self.autoscaled is not None:
            return self.autoscaled[1]
        if self.kind == "Pod":
            return 1
        spec = self.doc.get("spec")
        value = spec.get("replicas") if isinstance(spec, dict) else None
        return value if type(value) is int and value >= 0 else 1

    def replicas_at(self) -> Position:
        """Where its count is written (in its own file), else its name."""
        if self.operator is not None:
            return self.operator.instances_at or self.at
        if self.autoscaled is not None:
            return self.autoscaled[2] or self.at
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
    made_by: str | None = None  # the operator that creates it (not written in the files)


class Cluster:
    """Every manifest read: its workloads, named and matched with their Services."""

    def __init__(self, files: list[ManifestFile]):
        from ._kubernetes_operators import adopt  # it builds on this module's types

        self.files = files
        self.all: list[Workload] = []  # every workload that runs, grouped ones included
        self.services: list[Service] = []
        self.backends: list[tuple[str, str, str, Position]] = []  # (ns, Service, path, at) routed to
        self.autoscalers: list[tuple[str, MarkedMap]] = []
        self.budgets: list[tuple[str, MarkedMap]] = []
        self.others: list[tuple[str, MarkedMap]] = []  # every other object, for the operators' reader
        self.unread: list[tuple[str, MarkedMap]] = []  # objects of kinds the reader does not know
        self.stores: list[tuple[str, MarkedMap, str]] = []  # Dapr state stores and brokers, their type
        self.notes: list[Note] = []  # what the operators' reader could not read
        self.nodes: list[tuple[str, MarkedMap]] = []  # a cluster dump's Nodes (spoflint.importers._kubernetes_live)
        self.owned: list[tuple[str, MarkedMap]] = []  # a dump's Pods and ReplicaSets that a controller owns
        self.namespaces = {"default"}
        for shown, objects, _ in files:
            for doc in objects:
                self._collect(shown, doc)
        if self.nodes or self.owned:
            from ._kubernetes_live import deduplicated

            self.all, self.services = deduplicated(self.all), deduplicated(self.services)
        adopt(self)
        self._scale()
        self.all = [w for w in self.all if w.own_replicas != 0]  # scaled to zero: nothing runs
        self._index = LabelIndex(self.all)
        self._group()
        self.workloads = [w for w in self.all if w.head is None]
        self._name_workloads()
        self.by_id = {w.id: w for w in self.workloads}
        self._select()
        self._depends: tuple[dict[str, Depends], dict[str, Unresolved]] | None = None

    # -- collecting
    def _collect(self, shown: str, doc: MarkedMap) -> None:
        kind, metadata = doc["kind"], doc["metadata"]
        if "name" not in metadata and isinstance(metadata.get("generateName"), str):  # named when created:
            put(metadata, "name", metadata["generateName"].rstrip("-."), metadata.value_at("generateName"))
        name = element_id(metadata.get("name"))  # read after its prefix
        if name is None:
            return
        namespace = namespace_of(doc)
        self.namespaces.add(name if kind == "Namespace" else namespace)
        spec = _mapping(doc, "spec")
        if kind == "Node" or (kind in ("Pod", "ReplicaSet") and owner_of(doc) is not None):
            (self.nodes if kind == "Node" else self.owned).append((shown, doc))
        elif kind in WORKLOADS:
            self.all.append(_workload(kind, name, namespace, doc, shown))
        elif kind == "Service":
            selector = labels_of(spec.get("selector")) or None
            written = spec.get("type")
            kind_of_service = written if isinstance(written, str) else "ClusterIP"
            headless = spec.get("clusterIP") == "None"
            self.services.append(Service(name, namespace, shown, doc, kind_of_service, headless, selector))
        elif kind == "Ingress" or kind in ROUTES:
            found = ingress_backends(spec) if kind == "Ingress" else route_backends(spec, namespace)
            for backend_namespace, backend, at in found:
                self.backends.append((backend_namespace or namespace, backend, shown, at))
        elif kind == "HorizontalPodAutoscaler":
            self.autoscalers.append((shown, doc))
        elif kind == "PodDisruptionBudget":
            self.budgets.append((shown, doc))
        else:
            self.others.append((shown, doc))

    def _scale(self) -> None:
        """An autoscaler's `minReplicas` (default 1) stands in for its target's replicas."""
        by_target: dict[tuple[str, str, str], list[Workload]] = {}
        for w in self.all:
            by_target.setdefault((w.kind, w.name, w.namespace), []).append(w)
        for shown, doc in self.autoscalers:
            spec = _mapping(doc, "spec")
            target = _mapping(spec, "scaleTargetRef")
            namespace = doc["metadata"].get("namespace") or "default"
            least = spec.get("minReplicas", 1)
            key = (target.get("kind"), target.get("name"), namespace)
            if type(least) is not int or least < 0 or not all(isinstance(k, str) for k in key):
                continue  # a kind, name or namespace that is not text names no workload
            for w in by_target.get(key, []):  # type: ignore[arg-type]  # (checked: all text)
                at = spec.value_at("minReplicas") if "minReplicas" in spec.where and shown == w.path else None
                w.autoscaled = (element_id(doc["metadata"].get("name")) or "", least, at)

    def _group(self) -> None:
        """Deployments of one image that one Service selects are instances of one
        service (a canary beside its stable track): the one with the most replicas
        stands for all, named after the Service."""
        for service in self.services:
            chosen = self.index.equal(service.namespace, service.selector)
            if len(chosen) < 2 or any(w.kind not in _GROUPABLE or w.head or w.members for w in chosen):
                continue
            if len({image_name(w.containers[0].get("image")) if w.containers else "" for w in chosen}) != 1:
                continue
            head = max(chosen, key=lambda w: w.own_replicas)
            head.grouped_by = service
            head.members = [w for w in chosen if w is not head]
            for w in head.members:
                w.head = head
            if service.path == head.path:
                head.at = service.doc["metadata"].value_at("name")

    def _name_workloads(self) -> None:
        """Ids: the name (a grouping Service's), `namespace/name` when two workloads
        share it, then the kind or a number when that is still taken."""
        names = [w.grouped_by.name if w.grouped_by else w.name for w in self.workloads]
        counts = Counter(names)
        taken: set[str] = set()
        for w, name in zip(self.workloads, names):
            eid = name if counts[name] == 1 else f"{w.namespace}/{name}"
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
                if w.public_at is None and (service.type in EXPOSING or _external_ips(service)):
                    spec = service.doc["spec"]
                    exposed_at = spec.value_at("type" if "type" in spec.where else "externalIPs")
                    w.public_at = exposed_at if service.path == w.path else w.at
        by_name: dict[tuple[str, str], list[Service]] = {}
        for service in self.services:
            by_name.setdefault((service.name, service.namespace), []).append(service)
        for namespace, name, path, at in self.backends:
            for service in by_name.get((name, namespace), []):
                for w in self.selected(service):
                    if w.public_at is None:
                        w.public_at = at if path == w.path else w.at
        self._expose()

    def _expose(self) -> None:
        """Host ports expose a workload too; then who is user-facing: what is exposed,
        and when something is, nothing else."""
        for w in self.workloads:
            for m in [w, *w.members]:
                port_at = host_port(m.containers) if not is_exporter(m) else None  # scraped, not used
                if w.public_at is None and port_at is not None:
                    w.public_at = port_at if m.path == w.path else w.at
        self.exposed = any(w.public_at is not None for w in self.workloads)
        for w in self.workloads:
            if w.public_at is not None:
                w.public = True
            elif self.exposed or not w.services or is_controller(w):
                w.public = False  # not exposed; unreachable (a worker); a controller or exporter

    @property
    def index(self) -> LabelIndex:
        """The label index of `all` (built again if `all` changed since)."""
        if not self._index.current(self.all):
            self._index = LabelIndex(self.all)
        return self._index

    def selected(self, service: Service) -> list[Workload]:
        """The workloads a Service selects (by label, in its namespace), each grouped
        workload as the one it is an instance of."""
        heads = {(w.head or w): None for w in self.index.equal(service.namespace, service.selector)}
        return list(heads)

    def covered(self, namespace: object, selector: object) -> list[Workload]:
        """The workloads a label selector (`matchLabels`, `matchExpressions`) selects in
        a namespace, as a PodDisruptionBudget's does."""
        return self.index.matching(namespace, selector)

    # -- dependencies
    def dependencies(self) -> dict[str, Depends]:
        """Workload id -> the workloads it needs, from the addresses in its containers
        (environment, command and arguments) and an operator's parts; edges that would
        close a cycle are dropped."""
        return self._resolved()[0]

    def unresolved(self) -> dict[str, Unresolved]:
        """Workload id -> the addresses in its containers that name no workload of the files."""
        return self._resolved()[1]

    def _resolved(self) -> tuple[dict[str, Depends], dict[str, Unresolved]]:
        if self._depends is not None:
            return self._depends
        by_name: dict[tuple[str, str], Service] = {(s.name, s.namespace): s for s in self.services}
        edges: dict[str, list[str]] = {w.id: [] for w in self.workloads}
        found: dict[str, Depends] = {}
        missing: dict[str, Unresolved] = {}
        for w in self.workloads:
            wanted = [(part, where) for part, where in w.needs]
            for host, where in (a for m in [w, *w.members] for a in addresses(m.containers)):
                service, internal = resolve(host, w.namespace, by_name, self.namespaces)
                targets = self.selected(service) if service else self._stateful_pod(host, w.namespace)
                if internal and not targets and not (service and service.type == "ExternalName"):
                    if host not in (h for h, _ in missing.get(w.id, [])):
                        missing.setdefault(w.id, []).append((host, where))
                wanted.extend((t, where) for t in targets)
            for target, where in wanted:
                if target.id == w.id or target.id in edges[w.id] or reaches(edges, target.id, w.id):
                    continue
                edges[w.id].append(target.id)
                found.setdefault(w.id, []).append((target.id, where))
        self._depends = found, missing
        return self._depends

    def _stateful_pod(self, host: str, namespace: str) -> list[Workload]:
        """The StatefulSet whose pod a name is (`db-0.db[.ns...]`: its name, an ordinal,
        then its `serviceName`), when its governing Service is not in the files."""
        labels = host.split(".")
        if len(labels) < 2 or (len(labels) > 2 and labels[2] not in ("svc", *self.namespaces)):
            return []
        pod, service = labels[0], labels[1]
        space = labels[2] if len(labels) > 2 and labels[2] != "svc" else namespace
        return [
            w
            for w in self.workloads
            if w.kind == "StatefulSet"
            and w.namespace == space
            and _mapping(w.doc, "spec").get("serviceName") == service
            and pod.startswith(w.name + "-")
            and pod[len(w.name) + 1 :].isdigit()
        ]


def _mapping(node: MarkedMap, key: str) -> MarkedMap:
    """`node[key]` when it is a mapping, else an empty one."""
    value = node.get(key)
    return value if isinstance(value, MarkedMap) else blank()


def blank() -> MarkedMap:
    """An empty mapping written nowhere (what a missing part of an object reads as)."""
    node = MarkedMap()
    node.path, node.where, node.line, node.column = "", {}, 1, 1
    return node


def _workload(kind: str, name: str, namespace: str, doc: MarkedMap, shown: str) -> Workload:
    """A workload with the labels and spec of its pods (its pod template's, or a Pod's own)."""
    metadata, spec = doc["metadata"], _mapping(doc, "spec")
    if kind == "Pod":
        labels, pod = metadata.get("labels"), spec
    else:
        template = _mapping(spec, "template")
        labels = _mapping(template, "metadata").get("labels")
        pod = _mapping(template, "spec")
    return Workload(kind, name, namespace, doc, shown, metadata.value_at("name"), labels_of(labels), pod)


def labels_of(node: object) -> dict:
    """Labels (or a Service's selector) as text -> text; anything else is left out."""
    if not isinstance(node, dict):
        return {}
    return {k: v for k, v in node.items() if isinstance(v, (str, int, float, bool))}


def is_controller(w: Workload) -> bool:
    """A controller, operator or exporter: named or imaged so (`-operator`, `-controller`,
    `-exporter`, `kube-state-metrics`), or electing a leader (`--leader-elect`)."""
    names = [w.name, *(image_name(c.get("image")) for c in w.containers)]
    if any(_CONTROLLER_NAME.search(n) for n in names):
        return True
    arguments = [a for c in w.containers for key in ("command", "args") for a in _strings(c.get(key))]
    return any(a.startswith(_LEADER_FLAGS) for a in arguments)


def is_exporter(w: Workload) -> bool:
    return any(n.endswith("-exporter") for n in [w.name, *(image_name(c.get("image")) for c in w.containers)])


def _strings(node: object) -> list[str]:
    return [a for a in node if isinstance(a, str)] if isinstance(node, list) else []


def _external_ips(service: Service) -> bool:
    ips = service.doc["spec"].get("externalIPs") if isinstance(service.doc.get("spec"), dict) else None
    return isinstance(ips, list) and bool(ips)
