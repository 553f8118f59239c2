"""Whether the replicas of a Kubernetes workload replicate their data, as far as the
manifests show it: in the images, the containers' command, arguments and environment,
and the ConfigMaps the pods read (the rules are in the `kubernetes` module's docstring).

A StatefulSet gives each replica its own volume; nothing in Kubernetes copies data
between them. Replication is the software's: a Redis Sentinel sidecar or Redis Cluster
(`cluster-enabled yes`), Patroni (the Spilo image, `PATRONI_` variables), repmgr, MySQL
group replication, Galera (`wsrep_`), a MongoDB replica set (`--replSet`), RabbitMQ peer
discovery (`cluster_formation`), or an image that clusters by construction (etcd,
ZooKeeper, Cassandra, CockroachDB, Kafka, Elasticsearch, ...).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple
from weakref import WeakKeyDictionary

from ..load import MarkedList, MarkedMap
from ._containers import CLUSTERED, image_name
from ._kubernetes_objects import Cluster, Workload
from ._native import Position


class Evidence(NamedTuple):
    how: str  # what replicates it, for a reader: "a Redis Sentinel sidecar"
    kind: str | None  # the kind it makes the workload, when more precise than its image's
    at: Position


# text in a command, argument or ConfigMap that says how the data is replicated
_TEXT_MARKERS = (
    ("cluster-enabled yes", "Redis Cluster (cluster-enabled yes)", None),
    ("redis-sentinel", "Redis Sentinel", None),
    ("--sentinel", "Redis Sentinel", None),
    ("group_replication", "MySQL group replication", "mysql-innodb-cluster"),
    ("group-replication", "MySQL group replication", "mysql-innodb-cluster"),
    ("wsrep_", "Galera (wsrep)", "mariadb-galera"),
    ("--wsrep", "Galera (wsrep)", "mariadb-galera"),
    ("--replset", "a MongoDB replica set (--replSet)", None),
    ("replsetname", "a MongoDB replica set (replSetName)", None),
    ("cluster_formation", "RabbitMQ peer discovery (cluster_formation)", None),
    ("--replicaof", "Redis replication (--replicaof)", None),
    ("--slaveof", "Redis replication (--slaveof)", None),
)
# environment variables (a prefix, or a name) that configure replication in common images
_ENV_MARKERS = (
    ("PATRONI_", "Patroni", "postgresql"),
    ("REPMGR_", "repmgr", "postgresql"),
    ("POSTGRESQL_REPLICATION_MODE", "PostgreSQL streaming replication", "postgresql"),
    ("REDIS_REPLICATION_MODE", "Redis replication", "redis"),
    ("REDIS_SENTINEL_", "Redis Sentinel", "redis"),
    ("REDIS_NODES", "Redis Cluster", "redis"),
    ("REDIS_CLUSTER_", "Redis Cluster", "redis"),
    ("MYSQL_REPLICATION_MODE", "MySQL replication", "mysql"),
    ("MARIADB_REPLICATION_MODE", "MariaDB replication", "mariadb"),
    ("MARIADB_GALERA_", "Galera", "mariadb-galera"),
    ("MONGODB_REPLICA_SET_", "a MongoDB replica set", "mongodb"),
    ("MONGODB_ADVERTISED_HOSTNAME", "a MongoDB replica set", "mongodb"),
)
# images whose software replicates by itself -> (how, kind)
_IMAGES = {
    "redis-sentinel": ("a Redis Sentinel sidecar", "redis"),
    "redis-cluster": ("Redis Cluster", "redis"),
    "valkey-sentinel": ("a Valkey Sentinel sidecar", "valkey"),
    "valkey-cluster": ("Valkey Cluster", "valkey"),
    "spilo": ("Patroni (Spilo)", "postgresql"),
    "patroni": ("Patroni", "postgresql"),
    "postgresql-repmgr": ("repmgr", "postgresql"),
    "stolon": ("stolon", "postgresql"),
    "mariadb-galera": ("Galera", "mariadb-galera"),
    "percona-xtradb-cluster": ("Galera (Percona XtraDB Cluster)", "percona-xtradb-cluster"),
}
# clustered kinds whose image alone does not make a cluster: mongod runs standalone
# unless started with a replica set; RabbitMQ nodes form a cluster only with peer
# discovery configured (`cluster_formation`)
_NOT_BY_IMAGE = frozenset(("mongodb", "rabbitmq"))
# image names of a Redis replica of another workload (the guestbook's followers)
_FOLLOWER_WORDS = ("slave", "replica", "follower")


def replication(w: Workload, cluster: Cluster, kind: str | None) -> Evidence | None:
    """What replicates the workload's data across its replicas, or None when the
    manifests do not show it."""
    for container in w.containers:
        image = image_name(container.get("image"))
        at = container.value_at("image") if "image" in container.where else w.at
        for word, (how, kind_of) in _IMAGES.items():
            if image == word or image.startswith(word + "-"):
                return Evidence(how, kind_of, at)
        if container.get("name") == "sentinel":
            return Evidence("a Redis Sentinel sidecar", None, container.value_at("name"))
    for evidence in _env_evidence(w):
        return evidence
    for text, at in _texts(w, cluster):
        lowered = text.lower()
        for marker, how, marked_kind in _TEXT_MARKERS:
            if marker in lowered:
                return Evidence(how, marked_kind, at)
    if kind in CLUSTERED and kind not in _NOT_BY_IMAGE:
        image_at = w.containers[0].value_at("image") if w.containers and "image" in w.containers[0].where else w.at
        return Evidence(f"a clustered image ({kind})", None, image_at)
    return None


def is_follower(w: Workload) -> Position | None:
    """Where a workload shows it is a Redis replica of another (an image named as a
    replica, `--replicaof` / `--slaveof`, `REDIS_REPLICATION_MODE=replica`) with no
    Sentinel to promote it: its data is a copy of the leader's."""
    if _has_sentinel(w):
        return None
    for container in w.containers:
        for item, at in _env(container):
            if item.get("name") == "REDIS_REPLICATION_MODE" and str(item.get("value")).lower() in ("slave", "replica"):
                return at
        image = image_name(container.get("image"))
        if "redis" in image and any(word in image for word in _FOLLOWER_WORDS):
            return container.value_at("image")
        words = [str(v).lower() for v in _strings(container.get("command")) + _strings(container.get("args"))]
        if any(word in ("--replicaof", "--slaveof", "replicaof", "slaveof") for word in words):
            return container.value_at("args" if "args" in container.where else "command")
    return None


def _has_sentinel(w: Workload) -> bool:
    """Whether a container of the workload is, runs or configures a Sentinel."""
    for container in w.containers:
        words = [image_name(container.get("image")), str(container.get("name"))]
        words += _strings(container.get("command")) + _strings(container.get("args"))
        env = container.get("env")
        words += [str(i.get("name")) for i in env if isinstance(i, dict)] if isinstance(env, list) else []
        if any("sentinel" in word.lower() for word in words):
            return True
    return False


def _env_evidence(w: Workload) -> Iterator[Evidence]:
    for container in w.containers:
        for item, at in _env(container):
            name = item.get("name")
            for prefix, how, marked_kind in _ENV_MARKERS:
                if isinstance(name, str) and name.startswith(prefix):
                    yield Evidence(how, marked_kind, at)


def _env(container: MarkedMap) -> list[tuple[dict, Position]]:
    """The entries of a container's `env`, with where each is written."""
    env = container.get("env")
    if not isinstance(env, MarkedList):
        return []
    return [(item, env.item_at(index)) for index, item in enumerate(env) if isinstance(item, dict)]


def _texts(w: Workload, cluster: Cluster) -> Iterator[tuple[str, Position]]:
    """The command and arguments of the workload's containers, then the data of the
    ConfigMaps (of the files, in its namespace) its pods mount or read."""
    for container in w.containers:
        for key in ("command", "args"):
            words = _strings(container.get(key))
            if words:
                yield " ".join(words), container.value_at(key)
    index = _config_map_index(cluster)
    found = sorted(found for key in _config_maps(w) for found in index.get(key, []))  # in the files' order
    for _, doc in found:
        data = doc.get("data")
        for value in data.values() if isinstance(data, dict) else []:
            if isinstance(value, str):
                yield value, _first_container_at(w)


_CONFIG_MAPS: WeakKeyDictionary[Cluster, dict[tuple[str, object], list[tuple[int, MarkedMap]]]] = WeakKeyDictionary()


def _config_map_index(cluster: Cluster) -> dict[tuple[str, object], list[tuple[int, MarkedMap]]]:
    """(namespace, name) -> the ConfigMaps of the files so named, each with its place
    among the files' objects; built once per cluster."""
    if cluster not in _CONFIG_MAPS:
        index: dict[tuple[str, object], list[tuple[int, MarkedMap]]] = {}
        objects = (doc for _, docs, _ in cluster.files for doc in docs)
        for place, doc in enumerate(objects):
            metadata = doc["metadata"]
            namespace = metadata.get("namespace") if isinstance(metadata.get("namespace"), str) else "default"
            name = metadata.get("name")
            if doc["kind"] == "ConfigMap" and isinstance(name, str):
                index.setdefault((namespace, name), []).append((place, doc))
        _CONFIG_MAPS[cluster] = index
    return _CONFIG_MAPS[cluster]


def _config_maps(w: Workload) -> set[tuple[str, object]]:
    """(namespace, name) of the ConfigMaps the pod mounts (also projected) or reads in `envFrom`."""
    names: set[tuple[str, object]] = set()
    volumes = w.pod.get("volumes")
    for volume in volumes if isinstance(volumes, list) else []:
        if not isinstance(volume, dict):
            continue
        if isinstance(volume.get("configMap"), dict) and isinstance(volume["configMap"].get("name"), str):
            names.add((w.namespace, volume["configMap"]["name"]))
        projected = volume.get("projected")
        sources = projected.get("sources") if isinstance(projected, dict) else None
        for source in sources if isinstance(sources, list) else []:
            if isinstance(source, dict) and isinstance(source.get("configMap"), dict):
                if isinstance(source["configMap"].get("name"), str):
                    names.add((w.namespace, source["configMap"]["name"]))
    for container in w.containers:
        env_from = container.get("envFrom")
        for item in env_from if isinstance(env_from, list) else []:
            ref = item.get("configMapRef") if isinstance(item, dict) else None
            if isinstance(ref, dict) and isinstance(ref.get("name"), str):
                names.add((w.namespace, ref["name"]))
    return names


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    return [str(v) for v in node if isinstance(v, (str, int))] if isinstance(node, list) else []


def _first_container_at(w: Workload) -> Position:
    return w.containers[0].value_at("image") if w.containers and "image" in w.containers[0].where else w.at
