"""Where Compose services run: the Docker host of a plain Compose project, or the
fewest Swarm nodes a stack's constraints need, and each service's placement on them
(the rules are in the `compose` module's docstring)."""

from __future__ import annotations

from ..load import MarkedMap
from ._compose_services import deploy, one_per_node, replicas
from ._containers import free_id
from ._native import Native, Position, put, sequence


def declare_hosts(
    native: Native, project: str, services: dict[str, MarkedMap], taken: set[str], swarm: bool, at: Position
) -> list[str]:
    """Declare the hosts the services run on (at `at`, the file's `services:`), with
    ids that no service has; their ids."""
    if not swarm:
        return [_docker_host(native, project, taken, at)]
    count = max([1] + [replicas(s)[0] for s in services.values() if one_per_node(s)])
    return [_swarm_node(native, project, index, taken, at) for index in range(1, count + 1)]


def _docker_host(native: Native, project: str, taken: set[str], at: Position) -> str:
    host = free_id(f"{project}-host", taken)
    node = native.element("hosts", host, at)
    put(node, "kind", "docker-host", at)
    put(
        node,
        "description",
        f"the Docker host that runs project {project} (not described "
        "in the Compose file: add its rack, power and network in an overlay)",
        at,
    )
    return host


def _swarm_node(native: Native, project: str, index: int, taken: set[str], at: Position) -> str:
    host = free_id(f"{project}-node-{index}", taken)
    node = native.element("hosts", host, at)
    put(node, "kind", "swarm-node", at)
    put(
        node,
        "description",
        f"one of the Swarm nodes of stack {project}: the file does not say "
        "how many there are or where; the fewest its constraints need are "
        "modelled (describe the real nodes in an overlay)",
        at,
    )
    return host


def place(node: MarkedMap, service: MarkedMap, at: Position, hosts: list[str], swarm: bool) -> None:
    """Write where a service's containers run: `hosts`, or `replicas` over a `pool`
    with its `spread` and `vip`."""
    shown = node.path
    settings = deploy(service)
    if swarm and settings.get("mode") == "global":
        put(node, "hosts", sequence(shown, [(h, at) for h in hosts], at), at, settings.value_at("mode"))
        if len(hosts) > 1:
            put(node, "vip", "swarm", at)
        return
    count, count_at = replicas(service)
    if count == 1 and len(hosts) == 1:
        put(node, "hosts", sequence(shown, [(hosts[0], at)], at), at)
        return
    put(node, "replicas", count, at, count_at)
    put(node, "pool", sequence(shown, [(h, at) for h in hosts], at), at)
    if swarm and one_per_node(service):
        placement = settings["placement"]
        put(node, "spread", "host", at, placement.value_at("max_replicas_per_node"))
    if count > 1:
        endpoint = settings.get("endpoint_mode")
        put(node, "vip", "dns" if not swarm or endpoint == "dnsrr" else "swarm", at)
