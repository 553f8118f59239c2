"""The resources of common Kubernetes operators, read as the workloads their operators
run: Prometheus and Alertmanager (prometheus-operator), CloudNativePG `Cluster` and
`Pooler`, Zalando `postgresql`, Strimzi `Kafka` with its `KafkaNodePool`s and
`KafkaTopic`s; each stands in for its pods (their count, labels and scheduling) beside
the Services its operator creates, so that the files' Services, dependencies and
budgets find them. Dapr state stores and pub/sub components are storage the reader
cannot see; every other kind is read and left out (`LEFT_OUT`) or not read at all
(the rules are in the `kubernetes` module's docstring)."""

from __future__ import annotations

from collections.abc import Callable

from ..load import MarkedMap
from ._kubernetes_meta import namespace_of
from ._kubernetes_notes import LEFT_OUT
from ._kubernetes_objects import EXPOSING, Cluster, Operated, Service, Workload, blank, labels_of
from ._native import Position, mapping, put, sequence

# streaming replication keeps a full copy on every instance, and the operator (or
# Patroni) fences a primary that loses its lease: replicated, not active/passive on
# node-local copies (which would lose data with any one node)
REPLICATED = "active-active"
_EXTERNAL_LISTENERS = ("nodeport", "loadbalancer", "ingress", "route")

_SCRAPES, _SHARES = "scrapes every target on its own", "shares silences and notifications with its peers"
_LATER = ("postgresql.cnpg.io", "postgresql.k8s.enterprisedb.io", "kafka.strimzi.io")  # read after what they name
Reader = Callable[[Cluster, str, MarkedMap], None]


def adopt(cluster: Cluster) -> None:
    """Read the operators' resources among `cluster.others` into workloads and the
    Services their operators make; keep Dapr stores and unread objects for the notes."""
    readers: dict[tuple[str, str], Reader] = {
        ("monitoring.coreos.com", "Prometheus"): lambda c, s, d: _monitoring(c, s, d, "prometheus", _SCRAPES),
        ("monitoring.coreos.com", "Alertmanager"): lambda c, s, d: _monitoring(c, s, d, "alertmanager", _SHARES),
        ("postgresql.cnpg.io", "Cluster"): _cloudnative_pg,
        ("postgresql.k8s.enterprisedb.io", "Cluster"): _cloudnative_pg,  # EDB's build of it
        ("acid.zalan.do", "postgresql"): _zalando,
        ("kafka.strimzi.io", "Kafka"): _strimzi,
    }
    later: list[tuple[str, MarkedMap]] = []
    for shown, doc in cluster.others:
        group, kind = doc["apiVersion"].split("/")[0], doc["kind"]
        reader = readers.get((group, kind))
        if reader:
            reader(cluster, shown, doc)
        elif kind in ("Pooler", "KafkaTopic") and group in _LATER:
            later.append((shown, doc))
        elif group == "dapr.io" and kind == "Component":  # a state store or broker the reader cannot see
            kind_of = _spec(doc).get("type")
            if isinstance(kind_of, str) and kind_of.split(".")[0] in ("state", "pubsub"):
                cluster.stores.append((shown, doc, kind_of))
        elif kind not in LEFT_OUT and (group, kind) != ("kafka.strimzi.io", "KafkaNodePool"):
            cluster.unread.append((shown, doc))
    for shown, doc in later:
        (_pooler if doc["kind"] == "Pooler" else _topic)(cluster, shown, doc)
    kafkas = {(d["metadata"]["name"], namespace_of(d)) for _, d in cluster.others if d["kind"] == "Kafka"}
    for shown, doc in cluster.others:
        owner = labels_of(doc["metadata"].get("labels")).get("strimzi.io/cluster")
        if doc["kind"] == "KafkaNodePool" and (owner, namespace_of(doc)) not in kafkas:
            message = f"KafkaNodePool {doc['metadata']['name']} is for the Kafka {owner}, not in these files: not read"
            _say(cluster, shown, doc, "pool", message)


# -- building blocks
def _spec(doc: MarkedMap, *keys: str) -> MarkedMap:
    node = doc
    for key in ("spec", *keys):
        value = node.get(key)
        node = value if isinstance(value, MarkedMap) else blank()
    return node


def _count(
    cluster: Cluster, shown: str, doc: MarkedMap, node: MarkedMap, key: str, default: int | None
) -> tuple[int, Position | None] | None:
    """(the count `node[key]` gives, where) or None, with a note, when it is not a count."""
    value = node.get(key, default)
    if type(value) is int and value >= 0:
        return value, (node.value_at(key) if key in node.where else None)
    message = f"{doc['kind']} {doc['metadata']['name']}: {key} is not a count of pods, so what it runs is not read"
    _say(cluster, shown, doc, "count", message)
    return None


def _say(cluster: Cluster, shown: str, doc: MarkedMap, key: str, message: str, at: Position | None = None) -> None:
    """A note about `doc`, at its name unless `at` says where."""
    cluster.notes.append(
        (shown, at or doc["metadata"].value_at("name"), f"{key}:{doc['metadata']['name']}", message, None)
    )


def _stand_in(
    cluster: Cluster, shown: str, doc: MarkedMap, name: str, labels: dict, pod: MarkedMap, run: Operated, at=None
) -> Workload:
    """A workload standing in for the pods an operator runs for `doc`."""
    w = Workload(doc["kind"], name, namespace_of(doc), doc, shown, at or doc["metadata"].value_at("name"), labels, pod)
    w.operator = run
    cluster.all.append(w)
    return w


def _made_service(cluster: Cluster, w: Workload, name: str, selector: dict, headless: bool = False) -> None:
    """A Service the operator creates for `w` (unless the files hold one of that name)."""
    if any(s.name == name and s.namespace == w.namespace for s in cluster.services):
        return
    metadata = mapping(w.path, w.at)
    put(metadata, "name", name, w.at)
    doc = mapping(w.path, w.at)
    put(doc, "metadata", metadata, w.at)
    put(doc, "spec", mapping(w.path, w.at), w.at)
    operator = w.operator.operator if w.operator else None
    cluster.services.append(Service(name, w.namespace, w.path, doc, "ClusterIP", headless, selector, operator))


def _scheduling(node: MarkedMap) -> MarkedMap:
    """The scheduling fields of a pod spec (or of an operator's pod template)."""
    pod = blank()
    for key in ("affinity", "topologySpreadConstraints", "nodeSelector", "nodeName", "tolerations"):
        if key in node:
            pod[key] = node[key]
            pod.where[key] = node.where[key]
    return pod


# -- prometheus-operator
def _monitoring(cluster: Cluster, shown: str, doc: MarkedMap, app: str, each: str) -> None:
    """Prometheus or Alertmanager: `spec.replicas` pods (default 1), stateful only on a
    claim (`spec.storage.volumeClaimTemplate`; else an emptyDir)."""
    spec = _spec(doc)
    found = _count(cluster, shown, doc, spec, "replicas", 1)
    if found is None:
        return
    replicas, at = found
    name = doc["metadata"]["name"]
    storage = spec.get("storage")
    kept = isinstance(storage, dict) and "volumeClaimTemplate" in storage
    shards = spec.get("shards")
    text = f"{doc['kind']} run by the prometheus-operator: each replica {each}"
    if type(shards) is int and shards > 1:
        text += f"; {shards} shards, each a separate set of replicas holding its part of the targets"
    if not kept:
        text += "; no spec.storage.volumeClaimTemplate, so its data is an emptyDir that goes with the pod"
    run = Operated("prometheus-operator", replicas, at, state="stateful" if kept else "stateless", description=text)
    if kept:
        run.ha = "active-active" if replicas >= 2 else "none"
    labels = {
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/managed-by": "prometheus-operator",
        app: name,
        "app": app,
        "operator.prometheus.io/name": name,
        **labels_of(_spec(doc, "podMetadata").get("labels")),
    }
    w = _stand_in(cluster, shown, doc, name, labels, _scheduling(spec), run)
    _made_service(cluster, w, f"{app}-operated", {"app.kubernetes.io/name": app}, headless=True)


# -- CloudNativePG
def _cloudnative_pg(cluster: Cluster, shown: str, doc: MarkedMap) -> None:
    """`spec.instances` (default 1): one primary and streaming replicas; the operator
    promotes a replica when the primary fails. Pods preferably on distinct nodes unless
    `spec.affinity` says otherwise."""
    spec = _spec(doc)
    found = _count(cluster, shown, doc, spec, "instances", 1)
    if found is None:
        return
    instances, at = found
    name = doc["metadata"]["name"]
    if instances >= 2:
        run = Operated("CloudNativePG", instances, at, "postgresql-patroni", "stateful", REPLICATED, "cloudnative-pg")
        run.description = (
            f"PostgreSQL run by CloudNativePG: a primary and {instances - 1} streaming replica(s); "
            "the operator promotes a replica when the primary fails"
        )
    else:
        run = Operated("CloudNativePG", instances, at, "postgresql", ha="none")
        run.description = "PostgreSQL run by CloudNativePG with one instance: no replica to fail over to"
    labels = {"cnpg.io/cluster": name, "postgresql": name, "cnpg.io/podRole": "instance"}
    w = _stand_in(cluster, shown, doc, name, labels, _cnpg_pod(doc, name), run)
    for suffix in ("rw", "ro", "r"):
        _made_service(cluster, w, f"{name}-{suffix}", {"cnpg.io/cluster": name})
    extra = _spec(doc, "managed", "services").get("additional")
    for item in extra if isinstance(extra, list) else []:
        template = item.get("serviceTemplate") if isinstance(item, dict) else None
        service_spec = template.get("spec") if isinstance(template, MarkedMap) else None
        if isinstance(service_spec, MarkedMap) and service_spec.get("type") in EXPOSING and w.public_at is None:
            w.public_at = service_spec.value_at("type")


def _cnpg_pod(doc: MarkedMap, name: str) -> MarkedMap:
    """The pods' scheduling: the operator's pod anti-affinity against the cluster's own
    pods (`enablePodAntiAffinity`, default true; `podAntiAffinityType` preferred or
    required; `topologyKey`, default the hostname), and `spec.topologySpreadConstraints`."""
    affinity = _spec(doc, "affinity")
    pod = _scheduling(_spec(doc))
    pod.pop("affinity", None)
    pod.where.pop("affinity", None)
    if isinstance(affinity.get("nodeSelector"), MarkedMap):
        pod["nodeSelector"], pod.where["nodeSelector"] = affinity["nodeSelector"], affinity.where["nodeSelector"]
    if affinity.get("enablePodAntiAffinity", True) is False:
        return pod
    at = (affinity.line, affinity.column) if affinity.where else doc["metadata"].value_at("name")
    path = doc.path
    kind = "required" if affinity.get("podAntiAffinityType") == "required" else "preferred"
    key = affinity.get("topologyKey") if isinstance(affinity.get("topologyKey"), str) else "kubernetes.io/hostname"
    selector = mapping(path, at)
    put(selector, "matchLabels", {"cnpg.io/cluster": name}, at)
    term = mapping(path, at)
    put(term, "labelSelector", selector, at)
    put(term, "topologyKey", key, at)
    if kind == "preferred":
        weighted = mapping(path, at)
        put(weighted, "weight", 100, at)
        put(weighted, "podAffinityTerm", term, at)
        term = weighted
    anti = mapping(path, at)
    put(anti, f"{kind}DuringSchedulingIgnoredDuringExecution", sequence(path, [(term, at)], at), at)
    node = mapping(path, at)
    put(node, "podAntiAffinity", anti, at)
    put(pod, "affinity", node, at)
    return pod


def _pooler(cluster: Cluster, shown: str, doc: MarkedMap) -> None:
    """A CloudNativePG PgBouncer `Pooler`: `spec.instances` (default 1) stateless pods in
    front of the Cluster `spec.cluster.name`."""
    spec = _spec(doc)
    found = _count(cluster, shown, doc, spec, "instances", 1)
    if found is None:
        return
    name = doc["metadata"]["name"]
    text = "PgBouncer connection pooler run by CloudNativePG"
    run = Operated("CloudNativePG", found[0], found[1], state="stateless", description=text)
    template = _spec(doc, "template", "spec")
    w = _stand_in(cluster, shown, doc, name, {"cnpg.io/poolerName": name}, _scheduling(template), run)
    _made_service(cluster, w, name, {"cnpg.io/poolerName": name})
    target = _spec(doc, "cluster").get("name")
    for other in cluster.all:
        if other.kind == "Cluster" and other.name == target and other.namespace == w.namespace:
            w.needs.append((other, _spec(doc, "cluster").value_at("name")))
    if not w.needs:
        _say(cluster, shown, doc, "pooler", f"Pooler {name} fronts the Cluster {target}, not in these files")


# -- Zalando postgres-operator
def _zalando(cluster: Cluster, shown: str, doc: MarkedMap) -> None:
    """`spec.numberOfInstances` pods of Spilo, Patroni electing the primary among them;
    the operator sets no pod anti-affinity by default (`enable_pod_antiaffinity`)."""
    spec = _spec(doc)
    found = _count(cluster, shown, doc, spec, "numberOfInstances", None)
    if found is None:
        return
    instances, at = found
    name = doc["metadata"]["name"]
    if instances >= 2:
        run = Operated("Zalando postgres-operator", instances, at, "postgresql-patroni", "stateful", REPLICATED)
        run.description = f"PostgreSQL run by the Zalando postgres-operator: {instances} Spilo pods, Patroni fails over"
    else:
        run = Operated("Zalando postgres-operator", instances, at, "postgresql", ha="none")
        run.description = "PostgreSQL run by the Zalando postgres-operator with one instance: no replica"
    labels = {"application": "spilo", "cluster-name": name}
    if isinstance(spec.get("teamId"), str):
        labels["team"] = spec["teamId"]
    w = _stand_in(cluster, shown, doc, name, labels, _scheduling(blank()), run)
    _made_service(cluster, w, name, {"cluster-name": name})
    _made_service(cluster, w, f"{name}-repl", {"cluster-name": name})
    for key in ("enableMasterLoadBalancer", "enableReplicaLoadBalancer"):
        if spec.get(key) is True and w.public_at is None:
            w.public_at = spec.value_at(key)


# -- Strimzi
def _strimzi(cluster: Cluster, shown: str, doc: MarkedMap) -> None:
    """Brokers from the cluster's KafkaNodePools (label `strimzi.io/cluster`) or
    `spec.kafka.replicas`; controller-only pools and `spec.zookeeper` are the quorum
    it needs, a service of their own."""
    name, namespace = doc["metadata"]["name"], namespace_of(doc)
    kafka = _spec(doc, "kafka")
    pools = [
        (path, pool)
        for path, pool in cluster.others
        if pool["kind"] == "KafkaNodePool"
        and namespace_of(pool) == namespace
        and labels_of(pool["metadata"].get("labels")).get("strimzi.io/cluster") == name
    ]
    brokers, controllers, dual, at, pool_pod = _pools(cluster, pools, shown)
    if not pools:
        found = _count(cluster, shown, doc, kafka, "replicas", None) if "replicas" in kafka else None
        if found is None:
            message = f"Kafka {name}: neither spec.kafka.replicas nor a KafkaNodePool of it in the files, so its brokers are not described"
            _say(cluster, shown, doc, "brokers", message)
            return
        brokers, at = found
    factor = _config(kafka, "default.replication.factor")
    run = Operated("Strimzi", brokers, at, "kafka", quorum="majority" if dual else None)
    run.ha = "active-active" if brokers >= 2 and (factor is None or factor >= 2) else "none"
    run.description = f"Kafka run by Strimzi: {brokers} broker(s)" + (
        f", topics kept in {factor} copies by default" if factor else ""
    )
    if factor is None:
        message = (
            f"Kafka {name} does not set default.replication.factor: Kafka's default is 1, so a topic "
            "created without a replication factor has one copy (set it, e.g. 3, with min.insync.replicas: 2)"
        )
        _say(cluster, shown, doc, "replication", message)
    base = {"strimzi.io/cluster": name, "strimzi.io/kind": "Kafka", "strimzi.io/name": f"{name}-kafka"}
    pod = _scheduling(_spec(doc, "kafka", "template", "pod")) if "template" in kafka else pool_pod
    w = _stand_in(cluster, shown, doc, name, {**base, "strimzi.io/broker-role": "true"}, pod, run)
    _made_service(cluster, w, f"{name}-kafka-bootstrap", {**base, "strimzi.io/broker-role": "true"})
    _made_service(cluster, w, f"{name}-kafka-brokers", base, headless=True)
    _listeners(w, kafka)
    if controllers and not dual:
        text = f"the KRaft controllers of Kafka {name}, run by Strimzi: a Raft quorum"
        quorum = Operated("Strimzi", controllers, None, state="stateful", ha="active-active", quorum="majority")
        quorum.description = text
        labels = {**base, "strimzi.io/controller-role": "true"}
        part = _stand_in(cluster, shown, doc, f"{name}-controllers", labels, pool_pod, quorum)
        w.needs.append((part, part.at))
    zookeeper = _spec(doc, "zookeeper")
    annotations = labels_of(doc["metadata"].get("annotations"))
    kraft = controllers > 0 or annotations.get("strimzi.io/kraft") == "enabled"
    if "zookeeper" in _spec(doc).where and not kraft:  # KRaft clusters ignore it
        found = _count(cluster, shown, doc, zookeeper, "replicas", None)
        if found:
            _zookeeper(cluster, shown, doc, w, found)


def _listeners(w: Workload, kafka: MarkedMap) -> None:
    """A listener of an external type exposes the brokers."""
    listeners = kafka.get("listeners")
    for listener in listeners if isinstance(listeners, list) else []:
        if isinstance(listener, MarkedMap) and listener.get("type") in _EXTERNAL_LISTENERS and w.public_at is None:
            w.public_at = listener.value_at("type")


def _pools(cluster: Cluster, pools: list[tuple[str, MarkedMap]], shown: str):
    """(brokers, controllers, whether a pool has both roles, where the first count is
    written in `shown`, the first pool's scheduling) of a Kafka cluster's node pools."""
    brokers = controllers = 0
    dual = False
    at: Position | None = None
    pod: MarkedMap | None = None
    for path, pool in pools:
        spec = _spec(pool)
        found = _count(cluster, path, pool, spec, "replicas", None)
        written = spec.get("roles")
        roles: list = written if isinstance(written, list) else ["broker"]
        if found is None:
            continue
        brokers += found[0] if "broker" in roles else 0
        controllers += found[0] if "controller" in roles else 0
        dual = dual or ("broker" in roles and "controller" in roles)
        if at is None and path == shown:
            at = found[1]
        if pod is None and path == shown:
            pod = _scheduling(_spec(pool, "template", "pod"))
    return brokers, controllers, dual, at, pod if pod is not None else _scheduling(blank())


def _zookeeper(cluster: Cluster, shown: str, doc: MarkedMap, kafka: Workload, found: tuple) -> None:
    name = doc["metadata"]["name"]
    replicas, at = found
    run = Operated("Strimzi", replicas, at, "zookeeper", ha="active-active" if replicas >= 2 else "none")
    run.description = f"the ZooKeeper ensemble of Kafka {name}, run by Strimzi"
    labels = {"strimzi.io/cluster": name, "strimzi.io/kind": "Kafka", "strimzi.io/name": f"{name}-zookeeper"}
    pod = _scheduling(_spec(doc, "zookeeper", "template", "pod"))
    part = _stand_in(cluster, shown, doc, f"{name}-zookeeper", labels, pod, run, _spec(doc).key_at("zookeeper"))
    _made_service(cluster, part, f"{name}-zookeeper-client", labels)
    _made_service(cluster, part, f"{name}-zookeeper-nodes", labels, headless=True)
    kafka.needs.append((part, part.at))


def _config(kafka: MarkedMap, key: str) -> int | None:
    config = kafka.get("config")
    value = config.get(key) if isinstance(config, dict) else None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if type(value) is int else None


def _topic(cluster: Cluster, shown: str, doc: MarkedMap) -> None:
    """A KafkaTopic of `replicas: 1` keeps one copy of its data, whatever the cluster."""
    replicas = _spec(doc).get("replicas")
    name = doc["metadata"]["name"]
    if type(replicas) is int and replicas < 2:
        message = f"KafkaTopic {name} keeps one copy of its data (replicas: {replicas}): losing its broker loses it"
        _say(cluster, shown, doc, "topic", message, _spec(doc).value_at("replicas"))
