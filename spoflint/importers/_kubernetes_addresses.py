"""Where Kubernetes objects name each other: the addresses in a pod's containers (its
environment, command and arguments), the DNS names of Services and of a StatefulSet's
pods, the backends of Ingresses and Gateway API routes, and host ports (the rules are
in the `kubernetes` module's docstring)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..load import MarkedList, MarkedMap
from ._containers import addressed_hosts
from ._native import Position

if TYPE_CHECKING:
    from ._kubernetes_objects import Service

# flags whose value is an address: --join=a,b  --redis-addr=x:6379  -broker x
_ADDRESS_FLAG = re.compile(
    r"(host|hosts|addr|addrs|address|addresses|server|servers|endpoint|endpoints|url|urls|uri|join|peer|peers|"
    r"seeds|brokers|bootstrap-servers|bootstrap\.servers|upstream|backend|dsn|connect|target)$",
    re.I,
)
_HOST = re.compile(r"^[a-z0-9]([a-z0-9_.-]*[a-z0-9])?$")
_HOST_PORT = re.compile(r"^([A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?):([0-9]{2,5})(/.*)?$")
_NOT_HOSTS = frozenset(("localhost", "true", "false", "yes", "no", "none", "null", "on", "off", "any", "all"))
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s,;'\"]+")
_CLUSTER_SUFFIXES = (".svc.cluster.local", ".cluster.local", ".svc")


def addresses(containers: list[MarkedMap]) -> Iterator[tuple[str, Position]]:
    """(host name, where) of every address in the containers' environment, commands
    and arguments: a URL's host, a `host:port`, the value of a variable or flag named
    like an address (`REDIS_ADDR=redis-cart:6379`, `--join=db-0.db,db-1.db`)."""
    for container in containers:
        env = container.get("env")
        if not isinstance(env, MarkedList):
            env = MarkedList()
        for index, item in enumerate(env):
            if not isinstance(item, MarkedMap):
                continue
            where = item.value_at("value") if "value" in item.where else env.item_at(index)
            value = item.get("value")
            hosts = addressed_hosts(item.get("name"), value)
            if isinstance(value, str) and "://" not in value:
                hosts += [h for part in re.split(r"[,\s;]+", value) for h in _host_of_host_port(part)]
            yield from _unique(hosts, where)
        for key in ("command", "args"):
            items = container.get(key)
            if not isinstance(items, MarkedList):
                continue
            previous = ""
            for index, argument in enumerate(items):
                if isinstance(argument, str):
                    yield from _unique(list(_argument_hosts(argument, previous)), items.item_at(index))
                    previous = argument.split()[-1] if argument.split() else ""


def _unique(hosts: list[str], where: Position) -> Iterator[tuple[str, Position]]:
    seen: set[str] = set()
    for host in hosts:
        host = host.lower()
        if host not in seen and _is_host(host):
            seen.add(host)
            yield host, where


def _is_host(host: str) -> bool:
    return bool(_HOST.match(host)) and host not in _NOT_HOSTS and not host.replace(".", "").isdigit()


def _host_of_host_port(text: str) -> list[str]:
    match = _HOST_PORT.match(text.strip("'\""))
    return [match.group(1)] if match else []


def _argument_hosts(argument: str, previous: str) -> Iterator[str]:
    """Hosts in one argument (a shell line is split into words): URLs, `host:port`
    words, the values of address flags (`--peers=a,b`, or `--peers a,b` over two words)."""
    for word in argument.split():
        word = word.strip("'\";")
        if "://" in word:
            for url in _URL.findall(word):
                yield from _url_hosts(url)
        elif word.startswith("-") and "=" in word:
            flag, value = word.split("=", 1)
            if _ADDRESS_FLAG.search(flag.lstrip("-")):
                yield from _list_hosts(value)
        elif previous.startswith("--") and "=" not in previous and _ADDRESS_FLAG.search(previous.lstrip("-")):
            yield from _list_hosts(word)
        else:
            for part in word.split(","):
                yield from _host_of_host_port(part)
        previous = word


def _list_hosts(value: str) -> Iterator[str]:
    for part in value.split(","):
        if "://" in part:
            yield from _url_hosts(part)
        else:
            yield part.rsplit(":", 1)[0] if re.search(r":[0-9]+$", part) else part


def _url_hosts(text: str) -> Iterator[str]:
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return
    if host:
        yield host


def resolve(
    host: str, namespace: str, services: dict[tuple[str, str], Service], namespaces: set[str]
) -> tuple[Service | None, bool]:
    """The Service a host name reaches (`svc`, `svc.ns`, `svc.ns.svc.cluster.local`, or a
    StatefulSet pod's `pod.svc[.ns]`), and whether the name is the cluster's own (a
    single label, a cluster suffix, or a namespace of the files as its last label)
    rather than an outside name."""
    name = host.lower().rstrip(".")
    internal = False
    for suffix in _CLUSTER_SUFFIXES:
        if name.endswith(suffix):
            name, internal = name[: -len(suffix)], True
            break
    labels = name.split(".")
    if len(labels) <= 2:
        found = services.get((labels[0], labels[1] if len(labels) == 2 else namespace))
        if found:
            return found, True
    if 2 <= len(labels) <= 3:
        found = services.get((labels[1], labels[2] if len(labels) == 3 else namespace))
        if found:
            return found, True
    return None, internal or len(labels) == 1 or (len(labels) <= 3 and labels[-1] in namespaces)


def host_port(containers: list[MarkedMap]) -> Position | None:
    """Where the first `hostPort` of the containers is written, or None."""
    for container in containers:
        ports = container.get("ports")
        if not isinstance(ports, MarkedList):
            continue
        for index, port in enumerate(ports):
            if isinstance(port, dict) and port.get("hostPort"):
                return ports.item_at(index)
    return None


def ingress_backends(spec: MarkedMap) -> list[tuple[str | None, str, Position]]:
    """(None, Service name, where) of every backend an Ingress routes to (in its namespace)."""
    out: list[tuple[str | None, str, Position]] = []
    for node in _backend_nodes(spec):
        if not isinstance(node, MarkedMap):
            continue
        service = node.get("service")
        if isinstance(service, MarkedMap) and isinstance(service.get("name"), str):
            out.append((None, service["name"], service.value_at("name")))
        elif isinstance(node.get("serviceName"), str):  # extensions/v1beta1
            out.append((None, node["serviceName"], node.value_at("serviceName")))
    return out


def _backend_nodes(spec: MarkedMap) -> Iterator[object]:
    """The default backend of an Ingress, then the backend of each of its rules' paths."""
    yield spec.get("defaultBackend") or spec.get("backend")
    rules = spec.get("rules")
    for rule in rules if isinstance(rules, list) else []:
        http = rule.get("http") if isinstance(rule, dict) else None
        paths = http.get("paths") if isinstance(http, dict) else None
        for item in paths if isinstance(paths, list) else []:
            if isinstance(item, dict):
                yield item.get("backend")


def route_backends(spec: MarkedMap, namespace: str) -> list[tuple[str | None, str, Position]]:
    """(namespace, Service name, where) of every Service a Gateway API route sends to."""
    out: list[tuple[str | None, str, Position]] = []
    rules = spec.get("rules")
    for rule in rules if isinstance(rules, list) else []:
        refs = rule.get("backendRefs") if isinstance(rule, dict) else None
        for ref in refs if isinstance(refs, list) else []:
            if (
                isinstance(ref, MarkedMap)
                and isinstance(ref.get("name"), str)
                and ref.get("kind", "Service") == "Service"
            ):
                ns = ref.get("namespace")
                out.append((ns if isinstance(ns, str) else namespace, ref["name"], ref.value_at("name")))
    return out


# --- label selectors ------------------------------------------------------------------------


def selector_matches(selector: object, labels: dict) -> bool:
    """A label selector (`matchLabels`, `matchExpressions`) against labels, as the API
    defines it: an empty one selects everything, a malformed one nothing."""
    if not isinstance(selector, dict):
        return False
    match = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not isinstance(match, dict) or not isinstance(expressions, list):
        return False
    if any(labels.get(k) != v for k, v in match.items()):
        return False
    return all(_holds(e, labels) for e in expressions)


def selects_own_pods(selector: object, labels: dict) -> bool:
    """Whether an affinity term's or spread constraint's selector names these pods: it
    matches them and says something (an empty one is no promise about them)."""
    return selector_matches(selector, labels) and bool(
        isinstance(selector, dict) and (selector.get("matchLabels") or selector.get("matchExpressions"))
    )


def _holds(expression: object, labels: dict) -> bool:
    """Whether one `matchExpressions` entry holds for labels (a malformed one, or one of
    an operator the API does not define, never does)."""
    if not isinstance(expression, dict) or not isinstance(expression.get("key"), str):
        return False
    key, operator = expression["key"], expression.get("operator")
    values = expression.get("values") or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return False
    if operator == "In":
        return labels.get(key) in values
    if operator == "NotIn":
        return labels.get(key) not in values
    if operator == "Exists":
        return key in labels
    return operator == "DoesNotExist" and key not in labels
