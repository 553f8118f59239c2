"""What each Compose service is, from its own entry in the file: whether it runs by
default or once (a job), how many containers it runs, its kind or state, whether it
publishes a port, and whether it is a reverse proxy (the rules are in the `compose` module's docstring).
"""

from __future__ import annotations

from typing import Any

from ..load import MarkedList, MarkedMap
from ..model.kinds import lookup
from ._compose_merge import as_mapping
from ._compose_volumes import Data
from ._containers import (
    CLUSTERED,
    PROXY_IMAGES,
    PROXY_KINDS,
    command_words,
    element_id,
    environment,
    image_name,
    interpolated,
    is_database_name,
    kind_of_image,
    persistence_off,
)
from ._native import Position

# native fields of a service before they are written: name -> (value, where). Names
# starting with `_` are notes for the dependencies, not written.
Fields = dict[str, tuple[Any, Position]]

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


def services(document: MarkedMap) -> dict[str, MarkedMap]:
    """The services that run by default (no `profiles`), by name."""
    out: dict[str, MarkedMap] = {}
    for name, service in (document.get("services") or {}).items():
        if element_id(name) is None:
            continue
        if service is None:
            service = MarkedMap()
            service.path, service.where = document.path, {}
            service.line, service.column = document["services"].key_at(name)
        if not isinstance(service, MarkedMap) or service.get("profiles"):
            continue
        if replicas(service)[0] == 0:
            continue
        out[name] = service
    return out


def replicas(service: MarkedMap) -> tuple[int, Position | None]:
    """How many containers a service runs, and where that is written (None: the default)."""
    deploy = service.get("deploy")
    if isinstance(deploy, MarkedMap) and type(deploy.get("replicas")) is int and deploy["replicas"] >= 0:
        return deploy["replicas"], deploy.value_at("replicas")
    if type(service.get("scale")) is int and service["scale"] >= 0:
        return service["scale"], service.value_at("scale")
    return 1, None


def deploy(service: MarkedMap) -> MarkedMap:
    """A service's `deploy` mapping (empty when it has none)."""
    value = service.get("deploy")
    return value if isinstance(value, MarkedMap) else MarkedMap()


def one_per_node(service: MarkedMap) -> bool:
    """Whether the Swarm places at most one task of the service on a node."""
    placement = deploy(service).get("placement")
    return isinstance(placement, dict) and placement.get("max_replicas_per_node") == 1


def jobs(table: dict[str, MarkedMap]) -> set[str]:
    """One-shot jobs: the services another waits for to finish (`depends_on` with
    `condition: service_completed_successfully`), such as a migration or an init step."""
    out = set()
    for service in table.values():
        depends = service.get("depends_on")
        if isinstance(depends, dict):
            for target, spec in depends.items():
                if isinstance(spec, dict) and spec.get("condition") == "service_completed_successfully":
                    out.add(target)
    return out


def describe(name: str, service: MarkedMap, at: Position, data: list[Data], stores: dict[str, str]) -> Fields:
    """Native fields of one service (written at `at`), before dependencies: `data` is
    what it keeps (`_compose_volumes`), `stores` the storage element of each data set
    that is one (shared, or on a share)."""
    fields: Fields = {}
    image = service.get("image")
    kind = kind_of_image(image)
    local = [d for d in data if d.where in ("host", "external") and d.key not in stores]
    storage: dict[str, Position] = {}
    for d in data:
        if d.key in stores:
            storage.setdefault(stores[d.key], d.at)
    if kind:
        fields["kind"] = (kind, service.value_at("image"))
        if kind in CLUSTERED:
            fields["ha"] = ("none", service.value_at("image"))
        words = command_words(service.get("command"))
        env = {k: v for k, v, _ in environment(service.get("environment"))}
        if persistence_off(kind, words, env):
            fields["state"] = ("stateless", service.value_at("command") if "command" in service else at)
    elif local:
        fields["state"] = ("stateful", local[0].at)
    elif storage or data:
        fields["state"] = ("stateless", at)  # its data lives in storage of its own
    elif is_database_name(name, image_name(image)):
        fields["state"] = ("stateful", at)
        fields["_database"] = (True, at)
    else:
        fields["state"] = ("stateless", at)
    if storage:  # its data lives there; with data of its own too, it only needs it
        fields["_uses" if local else "storage"] = (list(storage.items()), next(iter(storage.values())))
    ports_at = exposed(service)
    if ports_at:
        fields["public"] = (True, ports_at)
    fields["_loopback"] = (loopback(service) is not None, at)
    proxy = kind in PROXY_KINDS or image_name(image) in PROXY_IMAGES or (not image and name.lower() in _PROXY_NAMES)
    fields["_proxy"] = (proxy, at)
    known = lookup(kind)
    fields["_stateless"] = (
        fields.get("state", (None,))[0] == "stateless" or (known is not None and known.state == "stateless"),
        at,
    )
    return fields


def _published(service: MarkedMap, loopback: bool = False) -> Position | None:
    """Where the first port published beyond the host itself is written (`loopback`:
    on the host's own address, for a proxy on the host), or None."""
    ports = service.get("ports")
    if not isinstance(ports, MarkedList):
        return None
    for index, port in enumerate(ports):
        if isinstance(port, (str, int)):
            local = interpolated(str(port)).startswith(("127.", "localhost:", "[::1]"))
        elif isinstance(port, dict):
            local = interpolated(str(port.get("host_ip", ""))).startswith(("127.", "::1"))
        else:
            continue
        if local == loopback:
            return ports.item_at(index)
    return None


def exposed(service: MarkedMap) -> Position | None:
    """Where a service is made reachable to users: a published port, or the labels or
    variables by which a proxy of the project routes to it (Traefik's `traefik.enable`
    and routers, caddy-docker-proxy's `caddy`, caddy-gen's `virtual.host`,
    nginx-proxy's `VIRTUAL_HOST`)."""
    at = _published(service)
    if at:
        return at
    labels = as_mapping(service.get("labels"))
    for key, value in labels.items():
        routed = key.startswith(("traefik.http.routers.", "traefik.tcp.routers.", "virtual.host", "caddy"))
        if routed or (key == "traefik.enable" and str(value).lower() == "true"):
            return labels.value_at(key)
    for key, _value, where in environment(service.get("environment")):
        if key == "VIRTUAL_HOST":
            return where
    return None


def loopback(service: MarkedMap) -> Position | None:
    """Where a port published on the host's own address only is written, or None."""
    return _published(service, loopback=True)
