"""Docker Compose files (`compose.yaml`, `docker-compose.yml`, `docker-stack.yml`, ...)
read as topologies.

A file is Compose when its top level has a `services:` mapping in which some service has
an `image` or a `build`, and it is not a native topology (`version: 1`).

**Where things run.** Plain Compose runs every container on one Docker host: the reader
declares one host for the file, `<project>-host` (the project is the file's `name:`, else
the file's name, else, for the generic names like `docker-compose.yml`, its folder), and
puts every service on it. What Compose cannot say is left undeclared so that MODEL001
reports it: the host has no power, rack or cabling, and no network or entry point is
invented (spoflint then says that reachability was not checked; describe the host's
uplinks in a native overlay). A service with `deploy.replicas` or `scale` above one runs
that many containers, all on that host.

A Swarm stack (a file named `*stack*`, or any service with `deploy.replicas`,
`deploy.placement` or `deploy.mode: global`) spreads tasks over nodes the file does not
list. The reader declares the fewest nodes the file's own hard constraints require,
`<project>-node-1` ... (one when there are none: the pool then stands for "the swarm"),
and never more, so nothing is counted as redundant that was not described: a service of
N replicas runs on that pool without `spread` (Swarm's spreading is a preference, so the
worst case, every task on one node, is assumed) unless `deploy.placement.
max_replicas_per_node: 1` promises one task per node (`spread: host`). `mode: global`
runs one task on every node.

**Services.** Each service (by its Compose name) becomes a service:

- `kind` from the image's name (`postgres` -> postgresql, `mysql` -> mysql, `mariadb` ->
  mariadb, `redis` -> redis, `rabbitmq`, `mongo` -> mongodb, `kafka`/`redpanda` -> kafka,
  `zookeeper`, `memcached`, `elasticsearch`, `nginx`, `traefik`, `haproxy`, ... see
  `_containers.IMAGE_KINDS`); a kind clustered by construction (mongodb, kafka, etcd, ...)
  gets `ha: none`, since one Compose service is one container, not a cluster;
- otherwise `state`: stateful when a named or anonymous volume is mounted (a bind mount
  of a host folder is not state, except over a data directory such as `/var/lib/...` or
  `/data`), or when its name says it is a database (`catalogue-db`); stateless otherwise;
- `depends_on` from `depends_on` (list or map form; `required: false` is skipped),
  `links`, and environment variables that address another service of the file
  (`MYSQL_HOST=db`, `DATABASE_URL=mysql://...@db:3306/x`, `REDIS_ADDR=redis:6379`); an
  inferred dependency that would close a cycle is dropped;
- a reverse proxy (an nginx, traefik, haproxy, envoy, caddy image, or a built service
  named `proxy`, `nginx`, `lb`, ...) that depends on stateless applications fronts them:
  they get `load_balancer: <proxy>` instead of the proxy depending on them;
- `public: true` when it publishes a port (other than on 127.0.0.1); otherwise the
  native default applies (user-facing when nothing depends on it);
- several replicas are reached through Docker's DNS round robin (`vip: dns`), or the
  Swarm service VIP (`vip: swarm`).

Every element points at its service's name in the file; the host at `services:`. A
`# spoflint: accept RULE reason` comment on a service's name line accepts a risk on it.

**Ignored**: services with `profiles` (not started by default); `networks` (software on
the host, which fails with it); volume drivers (a volume is data on the host);
`deploy.placement.constraints` and `preferences`, `resources`, `restart` and
`healthcheck` policies, `extends`, `secrets`, `configs`, and override files (read one
Compose file per project; several projects that share a service name get ids prefixed
with their project, `project/service`).
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import load
from ..errors import InputError
from ..load import MarkedMap
from ._compose_depends import dependencies
from ._compose_hosts import declare_hosts, place
from ._compose_services import Fields, deploy, describe, services
from ._containers import element_id
from ._native import Native, Position, put, sequence
from .contract import Paths

FORMAT = "compose"

_GENERIC = re.compile(r"^(docker-)?(compose|stack|docker-stack)([.-].*)?$")


def detect(path: Path, text: bytes) -> bool:
    """Whether a file is a Compose file (see `is_compose`)."""
    try:
        document = load.load_text(text, str(path))
    except InputError:
        return False
    return is_compose(document)


def is_compose(document: object) -> bool:
    """A `services:` mapping with an `image` or a `build`, and not `version: 1`."""
    if not isinstance(document, dict):
        return False
    if type(document.get("version")) is int and document["version"] == 1:
        return False  # a native topology
    table = document.get("services")
    return isinstance(table, dict) and any(
        isinstance(s, dict) and ("image" in s or "build" in s) for s in table.values()
    )


def read(paths: Paths) -> list[MarkedMap]:
    """Native documents, one per Compose file named or found under `paths`."""
    files = _files(paths)
    seen: dict[str, int] = {}
    for _, _, document in files:
        for name in services(document):
            seen[name] = seen.get(name, 0) + 1
    clashing = {name for name, count in seen.items() if count > 1} if len(files) > 1 else set()
    return [_File(shown, document, _project(path, document), clashing).native() for path, shown, document in files]


def _files(paths: Paths) -> list[tuple[Path, str, MarkedMap]]:
    """(path, shown path, document) of every Compose file named or found; a file named
    that is not one is an error, one found in a folder is skipped."""
    files = []
    for path, named in load.expand_paths([str(p) for p in paths]):
        shown = load.shown_path(path)
        try:
            document = load.load_file(path, shown)
        except InputError:
            if named:
                raise
            continue
        if not is_compose(document):
            if named:
                raise InputError(
                    shown,
                    document.line,
                    document.column,
                    "not a Compose file: no `services:` with an `image` or `build`",
                )
            continue
        files.append((path, shown, document))
    return files


def _project(path: Path, document: MarkedMap) -> str:
    """The project's name: `name:`, else the file's name, else (for a generic name like
    `docker-compose.yml`) its folder's."""
    name = document.get("name")
    if not isinstance(name, str) or not name:
        stem = re.sub(r"\.(ya?ml)$", "", path.name, flags=re.I)
        if _GENERIC.match(stem.lower()):
            name = path.resolve().parent.name
        else:
            name = re.sub(r"[.-](docker-)?(compose|stack)$", "", stem, flags=re.I)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.")
    return name or "compose"


class _File:
    """One Compose file and the native document made from it."""

    def __init__(self, shown: str, document: MarkedMap, project: str, clashing: set[str]):
        self.shown, self.document, self.project = shown, document, project
        self.services = services(document)
        self.ids = {name: self._id(name, clashing) for name in self.services}
        self.table = document["services"]
        self.swarm = "stack" in Path(shown).name.lower() or any(
            "replicas" in deploy(s) or "placement" in deploy(s) or deploy(s).get("mode") == "global"
            for s in self.services.values()
        )

    def _id(self, name: str, clashing: set[str]) -> str:
        """A service's id: its name, prefixed with the project when another file has it."""
        eid = element_id(name)
        assert eid is not None  # `services` keeps only names that make an id
        return f"{self.project}/{eid}" if name in clashing else eid

    def at(self, name: str) -> Position:
        return self.table.key_at(name)

    def native(self) -> MarkedMap:
        native = Native(self.shown, self.project)
        native.root.comments = getattr(self.document, "comments", {})
        hosts = declare_hosts(
            native, self.project, self.services, set(self.ids.values()), self.swarm, self.document.key_at("services")
        )
        decided = {name: describe(name, service, self.at(name)) for name, service in self.services.items()}
        dependencies(self.services, self.ids, decided)
        for name, fields in decided.items():
            node = native.element("services", self.ids[name], self.at(name))
            place(node, self.services[name], self.at(name), hosts, self.swarm)
            self._write(node, name, fields)
        return native.root

    def _write(self, node: MarkedMap, name: str, fields: Fields) -> None:
        """Write a service's fields (the notes starting with `_` are not fields)."""
        for key, (value, where) in fields.items():
            if key == "depends_on":
                if value:
                    put(node, key, sequence(self.shown, value, where), where)
            elif not key.startswith("_"):
                put(node, key, value, self.at(name), where)
