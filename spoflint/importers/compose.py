"""Docker Compose files (`compose.yaml`, `docker-compose.yml`, `docker-stack.yml`, ...)
read as topologies.

A file is Compose when its top level has a `services:` mapping in which some service has
an `image` or a `build`, and it is not a native topology (`version: 1`); an override file
under a Compose name (`compose.override.yaml`) may hold a fragment only.

**Projects.** A project's files are merged as `docker compose` merges them (the base, its
`compose.override.yaml`, the files named with it as `-f a -f b`; `include`, `extends`,
`!reset` and `!override`): see `_compose_files` and `_compose_merge`. Several projects
read together stay apart: a service name two of them use gets ids prefixed with the
project (`project/service`), and two projects with the same `name:` are told apart
(`shop`, `shop-green`), never a duplicate id.

**Where things run.** Plain Compose runs every container on one Docker host: the reader
declares one host per project, `<project>-host` (the project is its `name:`, else the
base file's name, else, for generic names like `docker-compose.yml`, its folder), and
puts every service on it. What Compose cannot say is left undeclared so that MODEL001
reports it: the host has no power, rack or cabling, and no network or entry point is
invented. A service with `deploy.replicas` or `scale` above one runs that many
containers, all on that host.

A Swarm stack (a file named `*stack*`, a service with `deploy.placement` or `mode:
global`, an overlay network, or replicas in a file with no `build`/`container_name`)
spreads tasks over nodes the file does not list. The reader declares the fewest nodes
its placement needs, `<project>-node-1` ...: as many as the widest replicated service,
two when a service is `mode: global` (one task on every node, never "a single
instance"), one otherwise. Swarm spreads a service's replicas over nodes as its best
effort: `spread: host` with `spread_strength: preferred` (SVC007 warns, naming
`deploy.placement.max_replicas_per_node: 1`); `max_replicas_per_node: 1` is a required
spread; a constraint naming one node (`node.hostname == db-1`) pins every task there.

**Services.** Each service that runs by default becomes a service (`profiles` and zero
replicas do not run; a one-shot job, which another service waits for with `condition:
service_completed_successfully`, such as a migration, is neither a service that must stay
up nor a runtime dependency, and is left out):

- `kind` from the image's name (`postgres` -> postgresql, `mysql`, `mariadb`, `redis`,
  `valkey`, `rabbitmq`, `mongo` -> mongodb, `kafka`/`redpanda` -> kafka, `zookeeper`,
  `memcached`, `elasticsearch`, `nginx`, `traefik`, `haproxy`, ... see
  `_containers.IMAGE_KINDS`); a kind clustered by construction (mongodb, kafka, etcd,
  ...) gets `ha: none`, since one Compose service is one container, not a cluster; a
  Redis or Valkey that keeps nothing on disk (`--save ''` without `--appendonly yes`, or
  the same in `REDIS_ARGS`, or Bitnami's variables) is `state: stateless`;
- otherwise `state` from its data (`_compose_volumes`: named and anonymous volumes,
  writable bind mounts of user data; not caches, tmpfs, read-only or configuration
  files), and only failing any volume, from a name whose head word says database
  (`catalogue-db`, `db`, `mysql`; not `mysql-exporter` or `ratings-v2-mysql`);
- a data set several services mount (a named volume, often through YAML anchors, or a
  host folder) is one `storage` element of kind `local` on the Docker host, reported
  once, and the services that share it get `storage:` instead of data of their own; an
  NFS or CIFS volume is a `storage` element of kind `nfs` with no hosts (one box the file
  does not describe, and a note says so);
- `depends_on` from `depends_on` (list or map form; `required: false` is skipped),
  `links`, `network_mode: service:x`, `volumes_from`, and environment variables that
  address another service of the file (`MYSQL_HOST=db`, `DATABASE_URL=mysql://...@db/x`,
  `REDIS_ADDR=redis:6379`); an inferred dependency that would close a cycle is dropped;
- a reverse proxy (an nginx, traefik, haproxy, envoy, caddy image, or a built service
  named `proxy`, `nginx`, `lb`, ...) that depends on stateless applications fronts them:
  they get `load_balancer: <proxy>` instead of the proxy depending on them;
- user-facing (`public`) from exposure: a published port (not on 127.0.0.1), or the
  labels a proxy routes by (Traefik, caddy-docker-proxy, caddy-gen, nginx-proxy's
  `VIRTUAL_HOST`); failing any, a port on 127.0.0.1 (a proxy on the host). The others
  are not user-facing (workers, backends) unless nothing is exposed or a service says
  nothing of whom it needs or serves: then the native default stays (user-facing when
  nothing depends on it) and a note says why;
- several replicas are reached through Docker's DNS round robin (`vip: dns`), or the
  Swarm service VIP (`vip: swarm`).

**Notes** (MODEL001, once per kind and file): volumes made outside the project
(`external: true`: assumed on the host) or on a driver that is not local; NFS/CIFS
shares; backend addresses in environment variables (`DATABASE_URL`, `REDIS_HOST`, ...)
that name no service of the project; `include` and `extends` files that cannot be
read; why services count as user-facing when exposure or dependencies are not said; a
file read alone that is only part of a project (an override fragment with no base
beside it, or a file another includes or extends from): a note, never a refusal.

Every element points at its service's name in the file that first defines it; the host
at `services:`. A `# spoflint: accept RULE reason` comment on a service's name line
accepts a risk on it.

**Ignored**: `networks` (software on the host, which fails with it); placement
constraints other than the above and `preferences`, `resources`, `restart` and
`healthcheck` policies, `secrets`, `configs`; unknown keys (`x-...`, `develop`, ...)
are ignored, never an error.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import load
from ..errors import InputError
from ..load import MarkedMap
from ..nogc import pausing
from ._compose_depends import dependencies, user_facing
from ._compose_files import (
    Project,
    Source,
    group,
    is_compose,
    is_fragment,
    part_of,
    read_source,
    read_text,
    with_bases,
)
from ._compose_hosts import declare_hosts, is_swarm, place
from ._compose_services import Fields, describe, jobs, services
from ._compose_volumes import Data, data_of, stores
from ._containers import element_id, free_id
from ._native import Native, Position, put, sequence
from .contract import Paths

FORMAT = "compose"

__all__ = ["FORMAT", "detect", "is_compose", "read"]

# the names `docker compose` and its users give Compose files: `compose.yaml`,
# `docker-compose.prod.yml`, `compose.override.yaml`, `blog.compose.yaml`
_COMPOSE_NAME = re.compile(r"^((docker-)?compose(\.[^.]+)?|[^.]+\.compose)\.ya?ml$")


def detect(path: Path, text: bytes) -> bool:
    """Whether a file is a Compose file (see `is_compose`), or an override file named
    as one (`compose.override.yaml` with only a `services:` fragment). It only looks:
    the parse is kept for `read`."""
    try:
        document = read_text(text, load.shown_path(path), keep=True)
    except InputError:
        return False
    return is_compose(document) or (is_fragment(document) and _COMPOSE_NAME.match(path.name) is not None)


@pausing  # a project's worth of small dicts, lists and tuples, none in cycles (a test holds it to that)
def read(paths: Paths) -> list[MarkedMap]:
    """Native documents for the Compose projects named or found under `paths` (a
    project's files merged as `docker compose` merges them; see `_compose_files`)."""
    projects, parts = [], []
    sources = with_bases(_files(paths))
    if len(sources) == 1 and (whole := part_of(sources[0])) is not None:
        parts.append(_part(sources[0], whole))
        sources = []
    for project in group(sources):
        if is_compose(project.document):
            projects.append(project)
            continue
        named = next((s for s in project.sources if s.named), None)
        if named is not None:  # an override fragment with no base beside it: said, not refused
            parts.append(_part(named, None))
    names = _names(projects)
    running = [services(project.document) for project in projects]
    seen: dict[str, int] = {}
    for table in running:
        for name in table:
            seen[name] = seen.get(name, 0) + 1
    clashing = {name for name, count in seen.items() if count > 1}
    return parts + [
        doc
        for project, name, table in zip(projects, names, running)
        for doc in _Project(project, name, table, clashing).natives()
    ]


def _part(source: Source, whole: Path | None) -> MarkedMap:
    """A file that is part of a project, read alone (one that another includes or
    extends from, or an override fragment): nothing of its own, and a note that says
    how it is read."""
    native = Native(source.shown, source.path.stem)
    if whole is not None:
        message = (
            f"{source.path.name} is part of the project of {whole.name}, which includes or extends from it: "
            f"check {whole.name} to check it"
        )
    else:
        message = (
            f"{source.path.name} only changes services it does not define (no service has an `image` or a "
            "`build`): an override file is checked with the files it overrides, named together"
        )
    native.note((source.document.line, source.document.column), "part", message)
    return native.root


def _files(paths: Paths) -> list[Source]:
    """Every Compose file named or found; a file named that is not one is an error, one
    found in a folder is skipped (an override fragment only under a Compose name)."""
    files = []
    for path, named in load.expand_paths([str(p) for p in paths]):
        shown = load.shown_path(path)
        try:
            source = read_source(path, shown, named)
        except InputError as error:
            if named:
                raise _in_compose_terms(error) from None
            continue
        document = source.document
        whole = is_compose(document)
        if not whole and not (is_fragment(document) and (named or _COMPOSE_NAME.match(path.name))):
            if named:
                raise InputError(
                    shown,
                    document.line,
                    document.column,
                    "not a Compose file: no `services:` with an `image` or `build`",
                )
            continue
        files.append(source)
    return files


def _in_compose_terms(error: InputError) -> InputError:
    """A loading error worded for a Compose file (not for a native topology)."""
    message = error.message
    message = message.replace("(version: 1, hosts: ..., services: ...)", "(services: ...)")
    message = message.replace("a topology file holds one (split it into files)", "a Compose file holds one")
    message = message.replace(
        "a topology is plain data (mappings, lists, strings, numbers, booleans)",
        "Compose files take only its own !reset and !override",
    )
    return InputError(error.path, error.line, error.column, message)


def _names(projects: list[Project]) -> list[str]:
    """Each project's name, told apart where several share one (the same `name:` in two
    folders, or a Compose file and a stack file of one folder)."""
    names: list[str] = []
    for project in projects:
        name = project.name()
        if name in names:
            first = projects[names.index(name)].base.path
            here = project.base.path
            suffix = (
                here.name.split(".")[0]
                if here.name.split(".")[0] != first.name.split(".")[0]
                else here.resolve().parent.name
            )
            name = free_id(f"{name}-{suffix}", set(names))
        names.append(name)
    return names


class _Project:
    """One Compose project and the native documents made from it: one per file that
    defines a service (so that findings point into that file), the base file's first."""

    def __init__(self, project: Project, name: str, running: dict[str, MarkedMap], clashing: set[str]):
        """`running`: the project's services that run by default (`services`)."""
        self.project, self.name = project, name
        self.document = project.document
        once = jobs(running)
        self.services = {n: s for n, s in running.items() if n not in once}
        self.ids = {n: self._id(n, clashing) for n in self.services}
        self.table = self.document["services"]
        self.swarm = is_swarm(project.base.shown, self.services, self.document)
        self.documents: dict[str, Native] = {}

    def _id(self, name: str, clashing: set[str]) -> str:
        """A service's id: its name, prefixed with the project when another has it."""
        eid = element_id(name)
        assert eid is not None  # `services` keeps only names that make an id
        return f"{self.name}/{eid}" if name in clashing else eid

    def at(self, name: str) -> Position:
        return self.table.key_at(name)

    def native(self, source: Source) -> Native:
        """The native document of one of the project's files (made on first use)."""
        if source.shown not in self.documents:
            native = Native(source.shown, self.name)
            native.root.comments = getattr(source.document, "comments", {})
            self.documents[source.shown] = native
        return self.documents[source.shown]

    def source(self, name: str) -> Source:
        return self.project.origin.get(name, self.project.base)

    def natives(self) -> list[MarkedMap]:
        base = self.native(self.project.base)
        taken = set(self.ids.values())
        hosts = declare_hosts(base, self.name, self.services, taken, self.swarm, self.document.key_at("services"))
        data = {n: data_of(s, n, self.document.get("volumes")) for n, s in self.services.items()}
        for name, service in self.services.items():  # `volumes_from`: the other's data too
            for other in _volumes_from(service):
                data[name] += data.get(other, [])
        stores = self._stores(data, hosts, taken | set(hosts))
        decided = {n: describe(n, s, self.at(n), data[n], stores) for n, s in self.services.items()}
        unresolved = dependencies(self.services, self.ids, decided)
        unknown, workers = user_facing(decided)
        for name, fields in decided.items():
            node = self.native(self.source(name)).element("services", self.ids[name], self.at(name))
            twins = fields.get("_instances", ([name], None))[0]
            place(node, self.services[name], self.at(name), hosts, self.swarm, len(twins))
            if len(twins) > 1:
                put(node, "description", f"one application run as services {_listed(twins)}", self.at(name))
            self._write(node, fields)
        self._notes(data, unresolved, unknown)
        if workers:
            self._workers(workers)
        return [native.root for native in self.documents.values()]

    def _workers(self, workers: list[str]) -> None:
        """Say which services are taken as workers only because nothing in the file needs them."""
        one = len(workers) == 1
        named = _listed(workers[:5] + ([f"{len(workers) - 5} more"] if len(workers) > 5 else []))
        self.native(self.project.base).note(
            self.document.key_at("services"),
            "workers",
            f"{named} {'is' if one else 'are'} not exposed and no service of the file needs "
            f"{'it' if one else 'them'}: taken as {'a worker' if one else 'workers'} (not user-facing); if a "
            f"user-facing service calls {'it' if one else 'them'}, say so (`depends_on`, or in an overlay)",
        )

    def _stores(self, data: dict[str, list[Data]], hosts: list[str], taken: set[str]) -> dict[str, str]:
        """Storage elements for the data sets that are one (see `_compose_volumes.stores`)."""
        return stores(data, hosts, taken, lambda name: self.native(self.source(name)))

    def _notes(
        self, data: dict[str, list[Data]], unresolved: list[tuple[str, str, str, Position]], unknown: list[str]
    ) -> None:
        """What the file leaves unseen: volumes made elsewhere or on other drivers,
        backends no service of the file answers for, files that could not be read."""
        base = self.native(self.project.base)
        for where, what in (
            ("external", "external (made outside this project): spoflint assumes {} data is on the Docker host"),
            (
                "driver",
                "on a volume driver that is not local: where {} data lives, and how many copies, was not checked",
            ),
        ):
            found = {d.name: (n, d) for n, sets in data.items() for d in sets if d.where == where}
            if found:
                name, d = next(iter(found.values()))
                verb, their = ("is", "its") if len(found) == 1 else ("are", "their")
                message = f"{_listed(list(found))} {verb} " + what.format(their)
                self.native(self.source(name)).note(d.at, f"{where}-volumes", message)
        if unresolved:
            name, _, _, at = unresolved[0]
            listed = [f"{n}'s {k} ({h})" for n, k, h, _ in unresolved]
            self.native(self.source(name)).note(
                at,
                "unresolved-addresses",
                f"{_listed(listed)} {'name a host' if len(listed) > 1 else 'names a host'} that is no service of "
                "this project: that dependency was not checked (describe it in an overlay)",
            )
        if unknown and len(self.services) > 1:
            some = len(unknown) < len(self.services)
            named = _listed(unknown[:5] + ([f"{len(unknown) - 5} more"] if len(unknown) > 5 else []))
            one = len(unknown) == 1
            base.note(
                self.document.key_at("services"),
                "user-facing",
                (
                    f"{named} {'neither publishes' if one else 'neither publish'} a port nor "
                    f"{'says which services it needs or serves' if one else 'say which services they need or serve'}"
                    if some
                    else "no service publishes a port or is routed by a proxy's labels"
                )
                + ": which services users reach is not said, so every such service that nothing depends on "
                "counts as user-facing",
            )
        for source, at, key, message in self.project.notes:
            (self.native(source) if source.shown in self.documents else base).note(at, key, message)

    def _write(self, node: MarkedMap, fields: Fields) -> None:
        """Write a service's fields (the notes starting with `_` are not fields)."""
        for key, (value, where) in fields.items():
            if key in ("depends_on", "storage"):
                if value:
                    put(node, key, sequence(node.path, value, where), where)
            elif not key.startswith("_"):
                put(node, key, value, node_at(node), where)


def node_at(node: MarkedMap) -> Position:
    return node.line, node.column


def _volumes_from(service: MarkedMap) -> list[str]:
    value = service.get("volumes_from")
    if not isinstance(value, list):
        return []
    return [v.split(":", 1)[0] for v in value if isinstance(v, str) and not v.startswith("container:")]


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
