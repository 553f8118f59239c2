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
from ..load import MarkedList, MarkedMap
from ..model.kinds import lookup
from . import Native, put, sequence
from ._containers import (
    CLUSTERED,
    PROXY_IMAGES,
    PROXY_KINDS,
    addressed_hosts,
    element_id,
    environment,
    image_name,
    is_database_name,
    kind_of_image,
    reaches,
)

FORMAT = "compose"

_GENERIC = re.compile(r"^(docker-)?(compose|stack|docker-stack)([.-].*)?$")
_PROXY_NAMES = frozenset(
    (
        "proxy",
        "nginx",
        "lb",
        "loadbalancer",
        "load-balancer",
        "haproxy",
        "traefik",
        "reverse-proxy",
        "caddy",
        "edge-router",
        "ingress",
    )
)
_DATA_TARGET = re.compile(r"^(/var/lib/|/data(/|$)|/var/opt/|/bitnami/)")


def detect(path: Path, text: bytes) -> bool:
    try:
        document = load.load_text(text, str(path))
    except InputError:
        return False
    return is_compose(document)


def is_compose(document) -> bool:
    if not isinstance(document, dict):
        return False
    if type(document.get("version")) is int and document["version"] == 1:
        return False  # a native topology
    services = document.get("services")
    return isinstance(services, dict) and any(
        isinstance(s, dict) and ("image" in s or "build" in s) for s in services.values()
    )


def read(paths) -> list[MarkedMap]:
    """Native documents, one per Compose file named or found under `paths`."""
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
    projects = [_project(path, document) for path, _, document in files]
    seen: dict[str, int] = {}
    for _, _, document in files:
        for name in _services(document):
            seen[name] = seen.get(name, 0) + 1
    clashing = {name for name, count in seen.items() if count > 1}
    return [
        _File(shown, document, project, clashing if len(files) > 1 else set()).native()
        for (path, shown, document), project in zip(files, projects)
    ]


def _project(path: Path, document: MarkedMap) -> str:
    name = document.get("name")
    if not isinstance(name, str) or not name:
        stem = re.sub(r"\.(ya?ml)$", "", path.name, flags=re.I)
        if _GENERIC.match(stem.lower()):
            name = path.resolve().parent.name
        else:
            name = re.sub(r"[.-](docker-)?(compose|stack)$", "", stem, flags=re.I)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.")
    return name or "compose"


def _services(document: MarkedMap) -> dict[str, MarkedMap]:
    """The services that run by default (no `profiles`), by name."""
    out = {}
    for name, service in (document.get("services") or {}).items():
        if element_id(name) is None:
            continue
        if service is None:
            service = MarkedMap()
            service.path, service.where = document.path, {}
            service.line, service.column = document["services"].key_at(name)
        if not isinstance(service, dict) or service.get("profiles"):
            continue
        if _replicas(service)[0] == 0:
            continue
        out[name] = service
    return out


def _replicas(service: MarkedMap) -> tuple[int, tuple[int, int] | None]:
    deploy = service.get("deploy")
    if isinstance(deploy, dict) and type(deploy.get("replicas")) is int and deploy["replicas"] >= 0:
        return deploy["replicas"], deploy.value_at("replicas")
    if type(service.get("scale")) is int and service["scale"] >= 0:
        return service["scale"], service.value_at("scale")
    return 1, None


def _deploy(service) -> MarkedMap:
    deploy = service.get("deploy")
    return deploy if isinstance(deploy, dict) else {}


class _File:
    """One Compose file and the native document made from it."""

    def __init__(self, shown: str, document: MarkedMap, project: str, clashing: set[str]):
        self.shown, self.document, self.project = shown, document, project
        self.services = _services(document)
        self.ids = {
            name: (f"{project}/{element_id(name)}" if name in clashing else element_id(name)) for name in self.services
        }
        self.table = document["services"]
        self.swarm = "stack" in Path(shown).name.lower() or any(
            "replicas" in _deploy(s) or "placement" in _deploy(s) or _deploy(s).get("mode") == "global"
            for s in self.services.values()
        )

    def at(self, name) -> tuple[int, int]:
        return self.table.key_at(name)

    def native(self) -> MarkedMap:
        native = Native(self.shown, self.project)
        native.root.comments = getattr(self.document, "comments", {})
        hosts = self._hosts(native)
        decided = {name: self._service(name, service) for name, service in self.services.items()}
        self._dependencies(decided)
        for name, fields in decided.items():
            node = native.element("services", self.ids[name], self.at(name))
            self._place(node, name, hosts)
            for key, (value, where) in fields.items():
                if key == "depends_on":
                    if value:
                        put(node, key, sequence(self.shown, value, where), where)
                elif not key.startswith("_"):
                    put(node, key, value, self.at(name), where)
        return native.root

    # -- hosts
    def _hosts(self, native: Native) -> list[str]:
        at = self.document.key_at("services")
        taken = set(self.ids.values())
        if not self.swarm:
            host = _free(f"{self.project}-host", taken)
            node = native.element("hosts", host, at)
            put(node, "kind", "docker-host", at)
            put(
                node,
                "description",
                f"the Docker host that runs project {self.project} (not described "
                "in the Compose file: add its rack, power and network in an overlay)",
                at,
            )
            return [host]
        count = max([1] + [_replicas(s)[0] for s in self.services.values() if _one_per_node(s)])
        hosts = []
        for index in range(1, count + 1):
            host = _free(f"{self.project}-node-{index}", taken)
            node = native.element("hosts", host, at)
            put(node, "kind", "swarm-node", at)
            put(
                node,
                "description",
                f"one of the Swarm nodes of stack {self.project}: the file does not say "
                "how many there are or where; the fewest its constraints need are "
                "modelled (describe the real nodes in an overlay)",
                at,
            )
            hosts.append(host)
        return hosts

    def _place(self, node: MarkedMap, name: str, hosts: list[str]) -> None:
        service = self.services[name]
        at = self.at(name)
        deploy = _deploy(service)
        if self.swarm and deploy.get("mode") == "global":
            put(node, "hosts", sequence(self.shown, [(h, at) for h in hosts], at), at, deploy.value_at("mode"))
            if len(hosts) > 1:
                put(node, "vip", "swarm", at)
            return
        replicas, replicas_at = _replicas(service)
        if replicas == 1 and len(hosts) == 1:
            put(node, "hosts", sequence(self.shown, [(hosts[0], at)], at), at)
            return
        put(node, "replicas", replicas, at, replicas_at)
        put(node, "pool", sequence(self.shown, [(h, at) for h in hosts], at), at)
        if self.swarm and _one_per_node(service):
            placement = deploy["placement"]
            put(node, "spread", "host", at, placement.value_at("max_replicas_per_node"))
        if replicas > 1:
            endpoint = deploy.get("endpoint_mode")
            put(node, "vip", "dns" if not self.swarm or endpoint == "dnsrr" else "swarm", at)

    # -- what each service is
    def _service(self, name: str, service: MarkedMap) -> dict:
        """Native fields (value, where) of one service, before dependencies."""
        at = self.at(name)
        fields: dict = {}
        image = service.get("image")
        kind = kind_of_image(image)
        if kind:
            fields["kind"] = (kind, service.value_at("image"))
            if kind in CLUSTERED:
                fields["ha"] = ("none", service.value_at("image"))
        else:
            volume_at = _state_volume(service)
            if volume_at:
                fields["state"] = ("stateful", volume_at)
            elif is_database_name(name, image_name(image)):
                fields["state"] = ("stateful", at)
            else:
                fields["state"] = ("stateless", at)
        ports_at = _published(service)
        if ports_at:
            fields["public"] = (True, ports_at)
        proxy = kind in PROXY_KINDS or image_name(image) in PROXY_IMAGES or (not image and name.lower() in _PROXY_NAMES)
        fields["_proxy"] = (proxy, at)
        known = lookup(kind)
        fields["_stateless"] = (
            fields.get("state", (None,))[0] == "stateless" or (known is not None and known.state == "stateless"),
            at,
        )
        return fields

    def _dependencies(self, decided: dict) -> None:
        """Explicit and inferred dependencies, and proxies turned load balancers."""
        explicit: dict[str, list] = {}
        inferred: list[tuple[str, str, tuple[int, int]]] = []
        names = self._addresses()
        for name, service in self.services.items():
            explicit[name] = [
                (t, w) for t, w in _depends_on(service) + _links(service) if t in self.services and t != name
            ]
            for key, value, where in environment(service.get("environment")):
                for host in addressed_hosts(key, value):
                    target = names.get(host)
                    if target and target != name:
                        inferred.append((name, target, where))
        edges: dict[str, list[str]] = {name: [] for name in self.services}
        lb: dict[str, tuple[str, tuple[int, int]]] = {}
        needs: dict[str, list] = {name: [] for name in self.services}
        for name, targets in explicit.items():
            for target, where in targets:
                fronted = (
                    decided[name]["_proxy"][0] and decided[target]["_stateless"][0] and not decided[target]["_proxy"][0]
                )
                if fronted and target not in lb:
                    lb[target] = (name, where)
                elif all(t != target for t, _ in needs[name]):
                    needs[name].append((target, where))
        for target, (proxy, _) in lb.items():
            edges[target].append(proxy)
        for name, targets in needs.items():
            edges[name].extend(t for t, _ in targets)
        for name, target, where in inferred:
            if target in edges[name] or lb.get(name, (None,))[0] == target or reaches(edges, target, name):
                continue
            edges[name].append(target)
            needs[name].append((target, where))
        for name in self.services:
            if needs[name]:
                decided[name]["depends_on"] = ([(self.ids[t], w) for t, w in needs[name]], needs[name][0][1])
            if name in lb:
                proxy, where = lb[name]
                decided[name]["load_balancer"] = (self.ids[proxy], where)

    def _addresses(self) -> dict[str, str]:
        """Host names that reach each service: its name, `hostname`, `container_name`
        and network aliases."""
        names: dict[str, str] = {}
        for name, service in self.services.items():
            names.setdefault(name.lower(), name)
            for key in ("hostname", "container_name"):
                if isinstance(service.get(key), str):
                    names.setdefault(service[key].lower(), name)
            networks = service.get("networks")
            if isinstance(networks, dict):
                for network in networks.values():
                    if isinstance(network, dict) and isinstance(network.get("aliases"), list):
                        for alias in network["aliases"]:
                            if isinstance(alias, str):
                                names.setdefault(alias.lower(), name)
        return names


def _free(eid: str, taken: set[str]) -> str:
    candidate, n = eid, 2
    while candidate in taken:
        candidate, n = f"{eid}-{n}", n + 1
    return candidate


def _one_per_node(service) -> bool:
    placement = _deploy(service).get("placement")
    return isinstance(placement, dict) and placement.get("max_replicas_per_node") == 1


def _depends_on(service) -> list[tuple[str, tuple[int, int]]]:
    value = service.get("depends_on")
    if isinstance(value, MarkedList):
        return [(t, value.item_at(i)) for i, t in enumerate(value) if isinstance(t, str)]
    if isinstance(value, MarkedMap):
        return [
            (t, value.key_at(t))
            for t, spec in value.items()
            if not (isinstance(spec, dict) and spec.get("required") is False)
        ]
    return []


def _links(service) -> list[tuple[str, tuple[int, int]]]:
    value = service.get("links")
    if not isinstance(value, MarkedList):
        return []
    return [(t.split(":", 1)[0], value.item_at(i)) for i, t in enumerate(value) if isinstance(t, str)]


def _state_volume(service) -> tuple[int, int] | None:
    """Where the first volume that holds state is mounted: a named or anonymous volume,
    or a bind mount over a data directory; None if there is none."""
    volumes = service.get("volumes")
    if not isinstance(volumes, MarkedList):
        return None
    for index, volume in enumerate(volumes):
        if isinstance(volume, str):
            parts = volume.split(":")
            if len(parts) == 1:
                return volumes.item_at(index)  # anonymous volume
            source, target = parts[0], parts[1]
            mode = parts[2] if len(parts) > 2 else ""
            kind = "bind" if source.startswith((".", "/", "~", "$")) or "/" in source else "volume"
            readonly = "ro" in mode.split(",")
        elif isinstance(volume, dict):
            kind, source, target = volume.get("type", "volume"), volume.get("source"), volume.get("target")
            readonly = volume.get("read_only") is True
            if kind == "volume" and not source:
                return volumes.item_at(index)  # anonymous volume
        else:
            continue
        if kind == "volume":
            return volumes.item_at(index)
        if kind == "bind" and not readonly and isinstance(target, str) and _DATA_TARGET.match(target):
            return volumes.item_at(index)
    return None


def _published(service) -> tuple[int, int] | None:
    """Where the first port published beyond the host itself is written, or None."""
    ports = service.get("ports")
    if not isinstance(ports, MarkedList):
        return None
    for index, port in enumerate(ports):
        if isinstance(port, (str, int)):
            text = str(port)
            if text.startswith(("127.", "localhost:", "[::1]")):
                continue
            return ports.item_at(index)
        if isinstance(port, dict):
            if str(port.get("host_ip", "")).startswith("127."):
                continue
            return ports.item_at(index)
    return None
