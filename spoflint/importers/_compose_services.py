"""What each Compose service is, from its own entry in the file: whether it runs by
default, how many containers it runs, its kind or state, whether it publishes a port,
and whether it is a reverse proxy (the rules are in the `compose` module's docstring).
"""

from __future__ import annotations

import re
from typing import Any

from ..load import MarkedList, MarkedMap
from ..model.kinds import lookup
from ._containers import CLUSTERED, PROXY_IMAGES, PROXY_KINDS, element_id, image_name, is_database_name, kind_of_image
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
_DATA_TARGET = re.compile(r"^(/var/lib/|/data(/|$)|/var/opt/|/bitnami/)")


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


def describe(name: str, service: MarkedMap, at: Position) -> Fields:
    """Native fields of one service (written at `at`), before dependencies."""
    fields: Fields = {}
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


def _state_volume(service: MarkedMap) -> Position | None:
    """Where the first volume that holds state is mounted; None if there is none."""
    volumes = service.get("volumes")
    if not isinstance(volumes, MarkedList):
        return None
    for index, volume in enumerate(volumes):
        if _holds_state(volume):
            return volumes.item_at(index)
    return None


def _holds_state(volume: object) -> bool:
    """Whether one `volumes` entry (short `source:target:mode` or long form) holds
    state: a named or anonymous volume, or a writable bind mount over a data directory."""
    target: object
    if isinstance(volume, str):
        parts = volume.split(":")
        if len(parts) == 1:
            return True  # anonymous volume
        source, target = parts[0], parts[1]
        mode = parts[2] if len(parts) > 2 else ""
        kind = "bind" if source.startswith((".", "/", "~", "$")) or "/" in source else "volume"
        readonly = "ro" in mode.split(",")
    elif isinstance(volume, dict):
        kind, target = volume.get("type", "volume"), volume.get("target")
        readonly = volume.get("read_only") is True
        if kind == "volume" and not volume.get("source"):
            return True  # anonymous volume
    else:
        return False
    if kind == "volume":
        return True
    return kind == "bind" and not readonly and isinstance(target, str) and _DATA_TARGET.match(target) is not None


def _published(service: MarkedMap) -> Position | None:
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
