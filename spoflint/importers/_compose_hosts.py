"""Where Compose services run: the Docker host of a plain Compose project, or the
fewest Swarm nodes a stack's placement needs, and each service's placement on them
(the rules are in the `compose` module's docstring)."""

from __future__ import annotations

import re

from ..errors import InputError
from ..load import MarkedMap
from ..load.limits import MAX_IMPLIED_NODES, too_many_nodes
from ._compose_services import deploy, one_per_node, replicas
from ._containers import free_id
from ._native import Native, Position, put, sequence

_PINNED = re.compile(r"^\s*node\.(hostname|id)\s*==\s*\S+\s*$")


def is_swarm(shown: str, services: dict[str, MarkedMap], document: MarkedMap) -> bool:
    """Whether a file is a Swarm stack: named `*stack*`, or a service placed or global,
    or an overlay network; or replicas in a file with nothing only `docker compose` reads
    (`build`, `container_name`): `docker compose` runs replicas on one host too."""
    if "stack" in shown.rsplit("/", 1)[-1].lower():
        return True
    if any("placement" in deploy(s) or deploy(s).get("mode") == "global" for s in services.values()):
        return True
    networks = document.get("networks")
    if isinstance(networks, dict) and any(
        isinstance(n, dict) and n.get("driver") == "overlay" for n in networks.values()
    ):
        return True
    compose_only = any("build" in s or "container_name" in s for s in services.values())
    return not compose_only and any("replicas" in deploy(s) for s in services.values())


def node_count(services: dict[str, MarkedMap]) -> int:
    """The fewest Swarm nodes the stack describes: as many as the widest service that
    spreads its tasks (by a promise or by Swarm's default), and two when a service runs
    on every node (a swarm of one node would make `mode: global` a single instance)."""
    count = 1
    for service in services.values():
        if deploy(service).get("mode") == "global":
            count = max(count, 2)
        elif not pinned(service):
            wanted, at = replicas(service)
            if wanted > MAX_IMPLIED_NODES:  # counted before a node is made
                raise InputError(service.path, *(at or (1, 1)), too_many_nodes(wanted))
            count = max(count, wanted)
    return count


def pinned(service: MarkedMap) -> bool:
    """Whether a placement constraint names one node (`node.hostname == db-1`)."""
    placement = deploy(service).get("placement")
    constraints = placement.get("constraints") if isinstance(placement, dict) else None
    return isinstance(constraints, list) and any(isinstance(c, str) and _PINNED.match(c) for c in constraints)


def declare_hosts(
    native: Native, project: str, services: dict[str, MarkedMap], taken: set[str], swarm: bool, at: Position
) -> list[str]:
    """Declare the hosts the services run on (at `at`, the file's `services:`), with
    ids that no service has; their ids."""
    if not swarm:
        return [_docker_host(native, project, taken, at)]
    return [_swarm_node(native, project, index, taken, at) for index in range(1, node_count(services) + 1)]


def _docker_host(native: Native, project: str, taken: set[str], at: Position) -> str:
    host = free_id(f"{project}-host", taken)
    node = native.element("hosts", host, at)
    put(node, "kind", "docker-host", at)
    put(node, "assumed", "the Docker host the Compose file implies", at)  # a real machine; its name is made up
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
    put(node, "assumed", "a node the stack file implies", at)
    put(
        node,
        "description",
        f"one of the Swarm nodes of stack {project}: the file does not say "
        "how many there are or where; the fewest its placement needs are "
        "modelled (describe the real nodes in an overlay)",
        at,
    )
    return host


def place(node: MarkedMap, service: MarkedMap, at: Position, hosts: list[str], swarm: bool, times: int = 1) -> None:
    """Write where a service's containers run: `hosts`, or `replicas` over a `pool`
    with its `spread` and `vip` (`times`: services that are instances of it)."""
    shown = node.path
    settings = deploy(service)
    if swarm and settings.get("mode") == "global":
        put(node, "hosts", sequence(shown, [(h, at) for h in hosts], at), at, settings.value_at("mode"))
        if len(hosts) > 1:
            put(node, "vip", "swarm", at)
        return
    count, count_at = replicas(service)
    count *= times
    if swarm and pinned(service):
        hosts = hosts[:1]  # every task on the one node the constraint names
    if count == 1 and len(hosts) == 1:
        put(node, "hosts", sequence(shown, [(hosts[0], at)], at), at)
        return
    put(node, "replicas", count, at, count_at)
    put(node, "pool", sequence(shown, [(h, at) for h in hosts], at), at)
    if swarm and count > 1 and len(hosts) > 1:
        if one_per_node(service):
            put(node, "spread", "host", at, settings["placement"].value_at("max_replicas_per_node"))
        else:  # Swarm spreads tasks over nodes by default, as its best effort
            put(node, "spread", "host", at, count_at)
            put(node, "spread_strength", "preferred", at, count_at)
    if count > 1:
        endpoint = settings.get("endpoint_mode")
        put(node, "vip", "dns" if not swarm or endpoint == "dnsrr" else "swarm", at)
