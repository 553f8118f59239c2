"""What Compose services need: `depends_on` and `links` as written, dependencies
inferred from environment variables that address another service, and reverse proxies
in front of stateless applications turned into their load balancer (the rules are in
the `compose` module's docstring)."""

from __future__ import annotations

from ..load import MarkedList, MarkedMap
from ._compose_services import Fields
from ._containers import addressed_hosts, environment, reaches
from ._native import Position

Needs = dict[str, list[tuple[str, Position]]]  # service -> [(service it needs, where written)]
Balancers = dict[str, tuple[str, Position]]  # application -> (the proxy in front of it, where written)


def dependencies(services: dict[str, MarkedMap], ids: dict[str, str], decided: dict[str, Fields]) -> None:
    """Add the `depends_on` and `load_balancer` fields of every service to `decided`.
    An inferred dependency that would close a cycle is dropped."""
    lb, needs = _explicit(services, decided)
    edges: dict[str, list[str]] = {name: [] for name in services}
    for target, (proxy, _) in lb.items():
        edges[target].append(proxy)
    for name, targets in needs.items():
        edges[name].extend(t for t, _ in targets)
    for name, target, where in _inferred(services):
        if target in edges[name] or lb.get(name, (None,))[0] == target or reaches(edges, target, name):
            continue
        edges[name].append(target)
        needs[name].append((target, where))
    for name in services:
        if needs[name]:
            decided[name]["depends_on"] = ([(ids[t], w) for t, w in needs[name]], needs[name][0][1])
        if name in lb:
            proxy, where = lb[name]
            decided[name]["load_balancer"] = (ids[proxy], where)


def _explicit(services: dict[str, MarkedMap], decided: dict[str, Fields]) -> tuple[Balancers, Needs]:
    """The dependencies written in the file, a proxy's on a stateless application
    (the first proxy for each) turned into that application's load balancer."""
    lb: Balancers = {}
    needs: Needs = {name: [] for name in services}
    for name, service in services.items():
        for target, where in _depends_on(service) + _links(service):
            if target not in services or target == name:
                continue
            fronted = (
                decided[name]["_proxy"][0] and decided[target]["_stateless"][0] and not decided[target]["_proxy"][0]
            )
            if fronted and target not in lb:
                lb[target] = (name, where)
            elif all(t != target for t, _ in needs[name]):
                needs[name].append((target, where))
    return lb, needs


def _inferred(services: dict[str, MarkedMap]) -> list[tuple[str, str, Position]]:
    """(service, service it addresses, where) for every environment variable that
    addresses another service of the file."""
    names = _addresses(services)
    found = []
    for name, service in services.items():
        for key, value, where in environment(service.get("environment")):
            for host in addressed_hosts(key, value):
                target = names.get(host)
                if target and target != name:
                    found.append((name, target, where))
    return found


def _addresses(services: dict[str, MarkedMap]) -> dict[str, str]:
    """Host names that reach each service: its name, `hostname`, `container_name`
    and network aliases."""
    names: dict[str, str] = {}
    for name, service in services.items():
        names.setdefault(name.lower(), name)
        for key in ("hostname", "container_name"):
            if isinstance(service.get(key), str):
                names.setdefault(service[key].lower(), name)
        for alias in _aliases(service.get("networks")):
            names.setdefault(alias.lower(), name)
    return names


def _aliases(networks: object) -> list[str]:
    """The network aliases of a service's `networks` (in their mapping form)."""
    if not isinstance(networks, dict):
        return []
    return [
        alias
        for network in networks.values()
        if isinstance(network, dict) and isinstance(network.get("aliases"), list)
        for alias in network["aliases"]
        if isinstance(alias, str)
    ]


def _depends_on(service: MarkedMap) -> list[tuple[str, Position]]:
    """`depends_on` in its list or mapping form; `required: false` is skipped."""
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


def _links(service: MarkedMap) -> list[tuple[str, Position]]:
    """The services of `links` (`service` or `service:alias`)."""
    value = service.get("links")
    if not isinstance(value, MarkedList):
        return []
    return [(t.split(":", 1)[0], value.item_at(i)) for i, t in enumerate(value) if isinstance(t, str)]
