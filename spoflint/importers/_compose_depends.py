"""What Compose services need: `depends_on` and `links` as written, dependencies
inferred from environment variables that address another service, and reverse proxies
in front of stateless applications turned into their load balancer (the rules are in
the `compose` module's docstring)."""

from __future__ import annotations

import re

from ..load import MarkedList, MarkedMap
from ._compose_services import Fields
from ._containers import addressed_hosts, command_words, environment, reaches
from ._native import Position

Needs = dict[str, list[tuple[str, Position]]]  # service -> [(service it needs, where written)]
Balancers = dict[str, tuple[str, Position]]  # application -> (the proxy in front of it, where written)


# variables that address a backend (a database, a cache, a queue, a mail relay): when
# one names a host that is no service of the file, that dependency is not checked
_BACKEND_KEY = re.compile(
    r"(DB|DATABASE|SQL|MYSQL|MARIADB|POSTGRES|PG|MONGO|REDIS|VALKEY|MEMCACHE|CACHE|AMQP|RABBIT|KAFKA|BROKER|"
    r"NATS|ZOOKEEPER|ETCD|ELASTIC|OPENSEARCH|CLICKHOUSE|INFLUX|S3|MINIO|QUEUE|LDAP|SMTP|MAIL)",
    re.I,
)
_LOCAL = ("localhost", "host.docker.internal", "gateway.docker.internal", "0.0.0.0", "::1")
# variables that say where a service itself listens or is reached, not what it needs
_OWN_KEY = re.compile(r"LISTEN|ADVERTISE|BIND|PUBLIC|EXTERNAL|ALLOWED|TRUSTED|CORS|ORIGIN|REDIRECT|CALLBACK", re.I)


def dependencies(
    services: dict[str, MarkedMap], ids: dict[str, str], decided: dict[str, Fields]
) -> list[tuple[str, str, str, Position]]:
    """Add the `depends_on` and `load_balancer` fields of every service to `decided`.
    An inferred dependency that would close a cycle is dropped. Returns the backend
    addresses that name no service of the file: (service, variable, host, where)."""
    lb, needs = _explicit(services, decided)
    edges: dict[str, list[str]] = {name: [] for name in services}
    for target, (proxy, _) in lb.items():
        edges[target].append(proxy)
    for name, targets in needs.items():
        edges[name].extend(t for t, _ in targets)
    inferred, unresolved = _inferred(services)
    for name, target, where in inferred:
        if target in edges[name] or lb.get(name, (None,))[0] == target or reaches(edges, target, name):
            continue
        edges[name].append(target)
        needs[name].append((target, where))
    twins = _twins(services, lb)
    alias = {member: first for first, members in twins.items() for member in members[1:]}
    for name in services:
        if name in alias:
            del decided[name]  # one service with its twin, written as the first
            continue
        targets = list({alias.get(t, t): w for t, w in reversed(needs[name]) if alias.get(t, t) != name}.items())[::-1]
        decided[name]["_needs"] = ([t for t, _ in targets] + ([lb[name][0]] if name in lb else []), (0, 0))
        needed = [(ids[t], w) for t, w in targets] + decided[name].get("_uses", ([], None))[0]
        if needed:
            decided[name]["depends_on"] = (needed, needed[0][1])
        if name in lb:
            proxy, where = lb[name]
            decided[name]["load_balancer"] = (ids[proxy], where)
        if name in twins:
            decided[name]["_instances"] = (twins[name], where)
    return unresolved


def _twins(services: dict[str, MarkedMap], lb: Balancers) -> dict[str, list[str]]:
    """Services that are instances of one application behind one proxy (`web1`, `web2`:
    the same `build` or `image`, `command` and `entrypoint`, fronted by the same proxy),
    by the first of them."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for name in services:
        if name in lb:
            service = services[name]
            build = service.get("build")
            context = build.get("context", ".") if isinstance(build, dict) else build
            what = (lb[name][0], str(context), str(service.get("image")), str(service.get("command")))
            groups.setdefault((*what, str(service.get("entrypoint"))), []).append(name)
    return {names[0]: names for names in groups.values() if len(names) > 1}


def _explicit(services: dict[str, MarkedMap], decided: dict[str, Fields]) -> tuple[Balancers, Needs]:
    """The dependencies written in the file, a proxy's on a stateless application
    (the first proxy for each) turned into that application's load balancer."""
    lb: Balancers = {}
    needs: Needs = {name: [] for name in services}
    for name, service in services.items():
        hard = [(t, w) for t, w in _shared(service) if t in services and t != name]
        needs[name].extend(dict(hard).items())  # its network or volumes: never a backend it fronts
        for target, where in _depends_on(service) + _links(service):
            if target not in services or target == name or lb.get(target, (None,))[0] == name:
                continue
            known = any(t == target for t, _ in needs[name])
            fronted = (
                decided[name]["_proxy"][0] and decided[target]["_stateless"][0] and not decided[target]["_proxy"][0]
            )
            if fronted and target not in lb and not known:
                lb[target] = (name, where)
            elif not known:
                needs[name].append((target, where))
    return lb, needs


def _inferred(
    services: dict[str, MarkedMap],
) -> tuple[list[tuple[str, str, Position]], list[tuple[str, str, str, Position]]]:
    """(service, service it addresses, where) for every environment variable that
    addresses another service of the file; and (service, variable, host, where) for
    each backend variable that addresses a host that is none."""
    names = _addresses(services)
    found, unresolved = [], []
    for name, service in services.items():
        for key, value, where in environment(service.get("environment")) + _command(service):
            if isinstance(value, str) and "$" in value:
                continue  # set where the file does not say (an .env file)
            for host in addressed_hosts(key, value):
                target = names.get(host.lower()) or names.get(host.lower().removeprefix("tasks."))
                if target and target != name:
                    found.append((name, target, where))
                elif not target and _unseen(key, host):
                    unresolved.append((name, key, host, where))
    return found, unresolved


def _command(service: MarkedMap) -> list[tuple[str, object, Position]]:
    """The URLs in a service's `command` (`-H tcp://tasks.agent:9001`), as variables
    without a name: only their addresses count."""
    if "command" not in service:
        return []
    where = service.value_at("command")
    return [("", word, where) for word in command_words(service["command"]) if "://" in word]


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


def _shared(service: MarkedMap) -> list[tuple[str, Position]]:
    """The services whose network (`network_mode: service:vpn`) or volumes
    (`volumes_from: [app]`) a service uses: Compose starts them first."""
    out = []
    mode = service.get("network_mode")
    if isinstance(mode, str) and mode.startswith("service:"):
        out.append((mode.split(":", 1)[1], service.value_at("network_mode")))
    value = service.get("volumes_from")
    if isinstance(value, MarkedList):
        for index, item in enumerate(value):
            if isinstance(item, str) and not item.startswith("container:"):
                out.append((item.split(":", 1)[0], value.item_at(index)))
    return out


def _links(service: MarkedMap) -> list[tuple[str, Position]]:
    """The services of `links` (`service` or `service:alias`)."""
    value = service.get("links")
    if not isinstance(value, MarkedList):
        return []
    return [(t.split(":", 1)[0], value.item_at(i)) for i, t in enumerate(value) if isinstance(t, str)]


def user_facing(decided: dict[str, Fields]) -> tuple[list[str], list[str]]:
    """Which services users reach, from what the project exposes (a published port or a
    proxy's routing labels; failing those, a port on the host's own address, for a proxy
    on the host). A service that is not exposed and not behind a load balancer is not
    user-facing when the file says what it is: it needs or serves another service (a
    worker, a backend), or it is software of a known kind (a database, a cache, a queue)
    or a database by its name.
    Of the others the native default stays (user-facing when nothing depends on it), and
    they are returned (every service, when nothing at all is exposed), with the services
    taken as workers only because they need others and nothing needs them (a queue
    consumer, or a backend whose callers' addresses are not in the file: a note says so)."""
    public = {n for n, f in decided.items() if f.get("public", (False,))[0]}
    if not public:
        public = {n for n, f in decided.items() if f["_loopback"][0]}
        for name in public:
            decided[name]["public"] = (True, decided[name]["_loopback"][1])
    if not public:
        return list(decided), []
    connected, needed = set(public), set()
    for name, fields in decided.items():
        needs: list[str] = fields["_needs"][0] if "_needs" in fields else []
        if needs:
            connected.update([name, *needs])
            needed.update(needs)
    unknown, workers = [], []
    for name, fields in decided.items():
        if name in public or "load_balancer" in fields:
            continue
        if name in connected or "kind" in fields or "_database" in fields:
            fields["public"] = (False, fields["_proxy"][1])
            if name not in needed and "kind" not in fields and "_database" not in fields:
                workers.append(name)
        else:
            unknown.append(name)
    return unknown, workers


def _unseen(key: str, host: str) -> bool:
    """Whether a variable names a backend that is no service of the file (not the
    service's own address, not the host itself)."""
    local = host.lower() in _LOCAL or host.startswith("127.") or host.replace(".", "").isdigit()
    return bool(_BACKEND_KEY.search(key)) and not _OWN_KEY.search(key) and not local
