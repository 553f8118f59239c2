"""What the container readers (Compose, Kubernetes) share: what an image says about the
software in it, which other services an environment variable points at, adding
inferred dependencies without closing a cycle, and ids for the hosts they declare.

Kinds come from the image's name alone (its last path component, without registry,
tag or digest), matched exactly against a table of well-known images: `postgres:15`
and `bitnami/postgresql` are PostgreSQL, `mongo-express` is not MongoDB. An image not
in the table has no kind; the reader then decides its state from its volumes.
"""

from __future__ import annotations

import re
import shlex
from functools import lru_cache
from urllib.parse import urlsplit

from ..load import MarkedList, MarkedMap
from ..model import kinds

# image name (last path component) -> known kind
IMAGE_KINDS: dict[str, str] = {
    **dict.fromkeys(("postgres", "postgresql", "postgis", "timescaledb", "pgvector"), "postgresql"),
    **dict.fromkeys(("mysql", "mysql-server", "percona", "percona-server"), "mysql"),
    **dict.fromkeys(("mariadb", "mariadb-server"), "mariadb"),
    "percona-xtradb-cluster": "percona-xtradb-cluster",
    **dict.fromkeys(
        (
            "redis",
            "redismod",
            "redis-stack",
            "redis-stack-server",
            "keydb",
            "gb-redisslave",
            "redis-slave",
            "redis-master",
        ),
        "redis",
    ),
    "valkey": "valkey",
    **dict.fromkeys(("mongo", "mongodb", "mongodb-community-server"), "mongodb"),
    **dict.fromkeys(("rabbitmq",), "rabbitmq"),
    **dict.fromkeys(("kafka", "cp-kafka", "cp-server", "redpanda"), "kafka"),
    **dict.fromkeys(("zookeeper", "cp-zookeeper"), "zookeeper"),
    **dict.fromkeys(("etcd",), "etcd"),
    **dict.fromkeys(("consul",), "consul"),
    **dict.fromkeys(("nats",), "nats"),
    **dict.fromkeys(("memcached",), "memcached"),
    **dict.fromkeys(("elasticsearch",), "elasticsearch"),
    **dict.fromkeys(("opensearch",), "opensearch"),
    **dict.fromkeys(("cassandra",), "cassandra"),
    **dict.fromkeys(("cockroach", "cockroachdb"), "cockroachdb"),
    **dict.fromkeys(("nginx", "nginx-unprivileged", "openresty"), "nginx"),
    **dict.fromkeys(("traefik",), "traefik"),
    **dict.fromkeys(("haproxy",), "haproxy"),
    **dict.fromkeys(("envoy",), "envoy"),
}

# kinds that are clustered by construction in the catalogue (ha: active-active): a
# single container of them is not a cluster, so the readers say `ha: none` unless the
# workload really is one
CLUSTERED = frozenset(name for name, kind in kinds.KINDS.items() if kind.ha == "active-active")

# reverse proxies: a proxy that depends on an application fronts it
PROXY_KINDS = frozenset(("nginx", "traefik", "haproxy", "envoy"))
PROXY_IMAGES = frozenset(
    (
        "caddy",
        "caddy-gen",
        "caddy-docker-proxy",
        "httpd",
        "apache",
        "varnish",
        "nginx-proxy",
        "nginx-proxy-manager",
        "swag",
    )
)

# names that say "a database" when the image is unknown: the database word is the head
# of the name (`catalogue-db`, `user_db`, `db`, `mysql`, `postgres-1`), never a word that
# only qualifies another (`mysql-exporter`, `postgres-operator`, `db-admin`, `mongo-express`,
# `ratings-v2-mysql`: a ratings service built for MySQL). A product name counts alone only;
# `db`/`database` also as the last word of a longer name.
_DATABASE_NAME = re.compile(
    r"^((db|database|mysql|mysqldb|mariadb|postgres|postgresql|pgsql|mongo|mongodb)s?"
    r"|.+[-_.](db|database)s?)([-_.]?[0-9]+)?$"
)
# `${VAR:-default}` / `${VAR-default}` (the default), `${VAR}` / `$VAR` (nothing)
_INTERPOLATION = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-?+]([^${}]*))?\}|\$[A-Za-z_][A-Za-z0-9_]*")

# variables whose value is an address: FOO_HOST, BAR_ADDR, DATABASE_URL, KAFKA_BROKERS ...
_ADDRESS_KEY = re.compile(
    r"(HOST|HOSTS|HOSTNAME|ADDR|ADDRS|ADDRESS|ADDRESSES|SERVER|SERVERS|ENDPOINT|ENDPOINTS|URL|URLS|URI|"
    r"DSN|BROKER|BROKERS|BOOTSTRAP_SERVERS|SEEDS|NODES)$",
    re.I,
)
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$")


_ID_CHARACTERS = re.compile(r"[^A-Za-z0-9_.:@/+=-]+")


def element_id(name: object) -> str | None:
    """A native element id for a name from another format (None when nothing is left):
    characters an id cannot hold become `-`."""
    if not isinstance(name, str):
        return None
    cleaned = _ID_CHARACTERS.sub("-", name).lstrip(".:@/+=-")
    return cleaned or None


def interpolated(text: str) -> str:
    """`text` with Compose's variables replaced as far as the file says: a default
    (`${TAG:-16}` -> `16`) where it gives one, nothing elsewhere (`$$` stays `$`)."""
    if "$" not in text:
        return text
    text = text.replace("$$", "\0")
    for _ in range(4):  # nested defaults: ${A:-${B:-x}}
        replaced = _INTERPOLATION.sub(lambda m: m.group(1) or "", text)
        if replaced == text:
            break
        text = replaced
    return text.replace("\0", "$")


def image_name(image: object) -> str:
    """`docker.io/bitnami/postgresql:16@sha256:...` -> `postgresql` (Compose variables
    replaced by their defaults first: `${REGISTRY:-ghcr.io}/app/db:${TAG}` -> `db`)."""
    if not isinstance(image, str):
        return ""
    return _image_name(image)


@lru_cache(maxsize=4096)  # a project's services run a few images many times over
def _image_name(image: str) -> str:
    name = interpolated(image).split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[0].lower()


def kind_of_image(image: object) -> str | None:
    """The known kind of an image, or None (see `IMAGE_KINDS`)."""
    return IMAGE_KINDS.get(image_name(image))


def is_database_name(*names: object) -> bool:
    """Whether a service or image name says it is a database: `catalogue-db`, `db`,
    `mysql`; not `mysql-exporter`, `postgres-operator`, `ratings-v2-mysql` (the database
    word only qualifies another name there)."""
    return any(isinstance(n, str) and _DATABASE_NAME.match(n.lower()) for n in names)


def persistence_off(kind: str | None, words: list[str], env: dict[str, object]) -> bool:
    """Whether a Redis (or Valkey) keeps nothing on disk, as its command line or
    environment says: `--save ''` (no snapshots) without `--appendonly yes`, or the
    Bitnami image's `REDIS_AOF_ENABLED=no` with `REDIS_RDB_POLICY_DISABLED=yes`, or
    the same options in `REDIS_ARGS`/`VALKEY_EXTRA_FLAGS`. Redis's defaults (snapshots
    on) are persistence on."""
    if kind not in ("redis", "valkey"):
        return False
    env = {k.upper(): v for k, v in env.items()}
    for key in ("REDIS_ARGS", "REDIS_EXTRA_FLAGS", "VALKEY_EXTRA_FLAGS", "VALKEY_ARGS"):
        if isinstance(env.get(key), str):
            words = [*words, *_split(str(env[key]))]
    flags = {
        words[i]: words[i + 1] if i + 1 < len(words) else "" for i in range(len(words)) if words[i].startswith("--")
    }
    aof = str(flags.get("--appendonly", "no")).lower()
    if "--save" in flags and flags["--save"] in ("", "''", '""') and aof == "no":
        return True
    return _no(env.get("REDIS_AOF_ENABLED")) and _yes(env.get("REDIS_RDB_POLICY_DISABLED"))


def _split(text: str) -> list[str]:
    """A command line as a shell splits it (unbalanced quotes: by blanks)."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _yes(value: object) -> bool:
    return str(value).lower() in ("yes", "true", "1")


def _no(value: object) -> bool:
    return str(value).lower() in ("no", "false", "0")


def command_words(command: object) -> list[str]:
    """A Compose `command`/`entrypoint` or a container's `command`+`args` as words."""
    if isinstance(command, str):
        return _split(command)
    if isinstance(command, list):
        return [str(w) for w in command if isinstance(w, (str, int, float))]
    return []


def addressed_hosts(key: object, value: object) -> list[str]:
    """Host names an environment variable points at: the host of a URL in any
    variable (`mysql://root:pw@db:3306/app` -> db), or each `host[:port]` of a
    variable named like an address (`REDIS_ADDR=redis-cart:6379`, `BROKERS=k1,k2`)."""
    if not isinstance(value, str) or not value:
        return []
    found = []
    if "://" in value:
        for part in _URLS_SPLIT(value):
            if "://" not in part:
                continue
            try:
                host = urlsplit(part).hostname
            except ValueError:
                continue
            if host:
                found.append(host)
        return found
    if not isinstance(key, str) or not _names_an_address(key):
        return []
    for part in _ADDRESSES_SPLIT(value):
        host = part.rsplit(":", 1)[0] if _PORT(part) else part
        if _HOST.match(host) and not host.replace(".", "").isdigit():
            found.append(host.lower())
    return found


_URLS_SPLIT = re.compile(r"[,\s]+").split
_ADDRESSES_SPLIT = re.compile(r"[,\s;]+").split
_PORT = re.compile(r":[0-9]+$").search


@lru_cache(maxsize=4096)  # the same variable names come back in service after service
def _names_an_address(key: str) -> bool:
    return _ADDRESS_KEY.search(key) is not None


def environment(node: object) -> list[tuple[str, object, tuple[int, int]]]:
    """(name, value, where) of a Compose `environment` (a list of `K=V` or a mapping)."""
    out: list[tuple[str, object, tuple[int, int]]] = []
    if isinstance(node, MarkedMap):
        for key, value in node.items():
            out.append((key, value, node.value_at(key)))
    elif isinstance(node, MarkedList):
        for index, item in enumerate(node):
            if isinstance(item, str) and "=" in item:
                key, value = item.split("=", 1)
                out.append((key, value, node.item_at(index)))
    return out


def reaches(edges: dict[str, list[str]], start: str, goal: str) -> bool:
    """Whether `goal` can be reached from `start` along `edges`."""
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        for child in edges.get(node, ()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return False


def free_id(eid: str, taken: set[str]) -> str:
    """`eid`, or `eid-2`, `eid-3` ... the first that is not taken."""
    candidate, n = eid, 2
    while candidate in taken:
        candidate, n = f"{eid}-{n}", n + 1
    return candidate
