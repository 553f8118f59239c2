"""Stage 3, graph: the Topology as a fault graph with any / all / k-of-n gates.

Every element is a node that is up when its gate over its inputs holds and, for a
failure candidate, it has not failed itself (`own`). The semantics of docs/format.md,
"What up means", become gates:

- power, cooling: `all`(zone, `any`(inputs));
- a rack: `all`(zone, `any`(cooling units));
- a network node or host: `all`(rack or zone, `any`(power inputs));
- a link: `all`(its two ends);
- a host is usable (`h#ok`) when it is up and `any` of its links is up with the node at
  the other end reachable; `n#reach` (a network node reachable from an entry point) is
  the one node that is not a gate: connectivity is not a boolean formula of neighbours,
  so the analyses compute it over the undirected network graph kept here;
- storage with hosts: k-of-n over its hosts (k = n - replicas + min_replicas), and
  `all`(its zone, that) when it is placed in a zone;
- a service: `all`(its load balancer, what it depends on, `kofn`(need, instances) and,
  when clients address one instance, the first instance).

Node keys are element ids; helper nodes carry a suffix after `#` so that a chain can be
read back as element ids. Ids may contain `@` (and `:` `.` `/`...) but never `#`, so a
helper can neither collide with an element nor cut an element's id short.

`post_order` walks the gates inputs first: every analysis that evaluates nodes from
their inputs (single failures, cut sets, availability) walks the graph with it.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter
from typing import NamedTuple

from .model import Service, Topology
from .nogc import pausing

ALL, ANY, KOFN, REACH = "all", "any", "kofn", "reach"
SEP = "#"  # outside the id alphabet of topology.schema.json
ROOT = SEP + "root"
# helper suffixes, spelt out once: build() writes `eid + OK` rather than calling helper()
POWER, REACH_OF, OK, VIA, NICS = SEP + "power", SEP + "reach", SEP + "ok", SEP + "via", SEP + "nics"


class Gate(NamedTuple):
    """A node's gate (a named tuple rather than a frozen dataclass: an estate of 1M
    elements makes a few million of them, and a tuple is made several times faster)."""

    op: str
    inputs: tuple[str, ...] = ()
    k: int = 0  # for kofn: inputs that must be up
    own: str | None = None  # the element whose own failure downs this node


@dataclass
class FaultGraph:
    gates: dict[str, Gate]
    network: dict[str, list[str]]  # undirected adjacency: network nodes, inter-node links, ROOT
    known_network: bool  # entry points exist, so reachability means something
    # network node -> its REACH node's key, the string object the gates name it by: a
    # value set under that object is found by identity, not by reading a second copy
    reach_keys: dict[str, str]

    def vertices(self) -> list[str]:
        """The network graph's vertices but ROOT: network nodes and inter-node links."""
        return [v for v in self.network if v != ROOT]


_tuple = tuple.__new__  # Gate(op, inputs, k, own) made without the named tuple's Python __new__ (hot loops)


def element_of(key: str) -> str:
    """The element a fault-graph node stands for."""
    return key.split(SEP, 1)[0]


def helper(eid: str, what: str) -> str:
    """The key of a helper node that belongs to element `eid`."""
    return eid + SEP + what


def reach(node: str) -> str:
    return node + REACH_OF


def usable(host: str) -> str:
    return host + OK


def post_order(
    gates: Mapping[str, Gate], roots: Iterable[str], done: Container[str], reach_inputs: Sequence[str] = ()
) -> Iterator[str]:
    """The nodes `roots` need, each once all its inputs are in `done`: inputs first,
    without recursion (a service's chain down to a feed is deeper than Python's stack).

    Nodes already in `done` are skipped, and so is what lies below them. The caller
    evaluates each node it is given and records it in `done` before it asks for the
    next one (a node it does not record is asked for again, for ever). A REACH node's
    inputs are `reach_inputs`: the network's vertices for a caller that works
    reachability out from their values, none (the default) for one that works it out
    its own way as soon as it meets a REACH node."""
    stack = list(roots)
    push, pop = stack.append, stack.pop
    while stack:
        top = stack[-1]
        if top in done:
            pop()
            continue
        gate = gates[top]
        depth = len(stack)
        for i in reach_inputs if gate.op == REACH else gate.inputs:
            if i not in done:
                push(i)
        if len(stack) == depth:  # every input known
            pop()
            yield top


def inputs_first(
    roots: Iterable[str], inputs_of: Callable[[str], Iterable[str]], done: Container[str]
) -> Iterator[str]:
    """`post_order`'s walk over any relation without cycles (power sources, what a
    service needs): each key `roots` lead to, once what `inputs_of` names for it is in
    `done`; the first root first. The caller records each key in `done` before it asks
    for the next. `post_order` keeps its own copy of the loop: it is the hot path."""
    stack = list(roots)[::-1]
    while stack:
        top = stack[-1]
        if top in done:
            stack.pop()
            continue
        depth = len(stack)
        stack.extend(i for i in inputs_of(top) if i not in done)
        if len(stack) == depth:  # every input known
            stack.pop()
            yield top


@pausing
def build(t: Topology) -> FaultGraph:
    """The fault graph of a topology. Gates are made in a fixed order, section by
    section (the analyses sweep them in that order: mostly inputs first)."""
    gates: dict[str, Gate] = {}
    _physical(t, gates)
    reach_keys: dict[str, str] = {}
    network = _network(t, gates, reach_keys)
    known_network = bool(t.entrypoints)
    ok = _usable(t, gates, known_network, reach_keys)
    _storage(t, gates, ok)
    _services(t, gates, ok)
    return FaultGraph(gates, network, known_network, reach_keys)


def _physical(t: Topology, gates: dict[str, Gate]) -> None:
    """Zones, power, cooling, racks, network nodes, hosts and links: each up when what
    holds it (zone, rack), what powers and cools it are up, and it has not failed.

    Hosts and network nodes are read as (id, rack, zone, power) rows by `attrgetter`,
    and the links' gates are made by `map` and `zip` without a line of Python per link:
    at 100k elements (24,608 hosts, 61,530 links) this section went from 0.061 to
    0.036 s."""
    for zone in t.zones:
        gates[zone] = _tuple(Gate, (ALL, (), 0, zone))
    _placed(gates, [(p.id, None, p.zone, p.sources) for p in t.power.values()])
    _placed(gates, [(c.id, None, c.zone, c.power) for c in t.cooling.values()])
    for r in t.racks.values():
        extra = (_any(gates, helper(r.id, "cooling"), r.cooling),) if r.cooling else ()
        gates[r.id] = _tuple(Gate, (ALL, extra + ((r.zone,) if r.zone else ()), 0, r.id))
    rows = attrgetter("id", "rack", "zone", "power")
    _placed(gates, map(rows, t.network.values()))
    _placed(gates, map(rows, t.hosts.values()))
    links = t.links.values()
    ids = list(map(attrgetter("id"), links))
    ends = map(attrgetter("a", "b"), links)
    gates.update(zip(ids, map(_tuple, repeat(Gate), zip(repeat(ALL), ends, repeat(0), ids))))


def _placed(gates: dict[str, Gate], rows: Iterable[tuple[str, str | None, str | None, tuple[str, ...]]]) -> None:
    """Elements that can fail by themselves, each `all`(rack, zone, `any`(power)), from
    (id, rack, zone, power) rows. The inputs tuple is chosen by branches rather than
    built in a list (33k elements at 100k: 0.5 of the section's 0.06 s was lists and
    calls)."""
    inputs: tuple[str, ...]
    for eid, rack, zone, power in rows:
        if power:
            if len(power) == 1:
                supply = power[0]
            else:
                supply = eid + POWER
                gates[supply] = _tuple(Gate, (ANY, power, 0, None))
            if rack:
                inputs = (rack, zone, supply) if zone else (rack, supply)
            else:
                inputs = (zone, supply) if zone else (supply,)
        elif rack:
            inputs = (rack, zone) if zone else (rack,)
        else:
            inputs = (zone,) if zone else ()
        gates[eid] = _tuple(Gate, (ALL, inputs, 0, eid))


def network_of(t: Topology) -> dict[str, list[str]]:
    """The undirected network graph alone (ROOT, network nodes, links between two)."""
    return _network(t, {})


def _network(t: Topology, gates: dict[str, Gate], reach_keys: dict[str, str] | None = None) -> dict[str, list[str]]:
    """The undirected network graph (ROOT joined to the entry points, network nodes,
    the links between two of them) and a REACH node per network node, its key kept in
    `reach_keys` (node -> key) for the gates that name it."""
    network: dict[str, list[str]] = {ROOT: list(t.entrypoints)}
    keys = {} if reach_keys is None else reach_keys
    for node in t.network:
        network.setdefault(node, [])
        key = keys[node] = node + REACH_OF
        gates[key] = _tuple(Gate, (REACH, (node,), 0, None))
    for e in t.entrypoints:
        network[e].append(ROOT)
    for link in t.links.values():
        if link.a in t.network and link.b in t.network:
            network[link.id] = [link.a, link.b]
            network[link.a].append(link.id)
            network[link.b].append(link.id)
    return network


def _usable(t: Topology, gates: dict[str, Gate], known_network: bool, reach_keys: dict[str, str]) -> dict[str, str]:
    """`h#ok` per host: up, and (where the network is known) `any` of its links up with
    the node at the other end reachable. Returns host -> its `h#ok` key.

    A gate names a node by the key object the node was made under (`reach_keys`, the
    keys returned), not by a new string of the same text: at 1M elements that is 0.7M
    strings fewer, and every lookup of a name in the analyses' dicts then matches on
    identity, without hashing or reading a second copy."""
    links = t.links
    ok: dict[str, str] = {}
    for h in t.hosts.values():
        hid = h.id
        key = ok[hid] = hid + OK
        if known_network and h.links:
            paths = []
            for lid in h.links:
                link = links[lid]
                other = link.b if link.a == hid else link.a
                via = lid + VIA
                gates[via] = _tuple(Gate, (ALL, (lid, reach_keys[other]), 0, None))  # a host is cabled to a node
                paths.append(via)
            if len(paths) == 1:
                gates[key] = _tuple(Gate, (ALL, (hid, paths[0]), 0, None))
            else:
                nics = hid + NICS
                gates[nics] = _tuple(Gate, (ANY, tuple(paths), 0, None))
                gates[key] = _tuple(Gate, (ALL, (hid, nics), 0, None))
        else:  # network unknown: usable when up (reported as incomplete)
            gates[key] = _tuple(Gate, (ALL, (hid,), 0, None))
    return ok


def _storage(t: Topology, gates: dict[str, Gate], ok: Mapping[str, str]) -> None:
    """Storage over hosts is k-of-n of their `h#ok` (and, placed in a zone, needs it too);
    a box without hosts fails by itself."""
    for s in t.storage.values():
        if s.hosts:
            k = len(s.hosts) - s.replicas + s.min_replicas
            copies = Gate(KOFN, tuple(map(ok.__getitem__, s.hosts)), k)
            if s.zone:
                key = helper(s.id, "hosts")
                gates[key] = copies
                gates[s.id] = Gate(ALL, (s.zone, key))
            else:
                gates[s.id] = copies
        else:
            gates[s.id] = Gate(ALL, (s.zone,) if s.zone else (), 0, s.id)


def _services(t: Topology, gates: dict[str, Gate], ok: Mapping[str, str]) -> None:
    """A service: `all`(what it needs, its load balancer, its instances and, when
    clients address one instance, the first one)."""
    for svc in t.services.values():
        inputs = list(svc.needs)
        if svc.load_balancer:
            inputs.append(svc.load_balancer)
        inputs.append(_instances(t, svc, gates, ok))
        if svc.addresses_one:
            first = svc.hosts[:1] or svc.pool
            inputs.append(_all(gates, helper(svc.id, "first"), tuple(map(ok.__getitem__, first))))
        gates[svc.id] = Gate(ALL, tuple(inputs))


def _any(gates: dict[str, Gate], key: str, inputs: tuple[str, ...]) -> str:
    """`any`(inputs) under `key`, or the one input itself."""
    if len(inputs) == 1:
        return inputs[0]
    gates[key] = Gate(ANY, inputs)
    return key


def _all(gates: dict[str, Gate], key: str, inputs: tuple[str, ...]) -> str:
    """`all`(inputs) under `key`, or the one input itself."""
    if len(inputs) == 1:
        return inputs[0]
    gates[key] = Gate(ALL, inputs)
    return key


def _instances(t: Topology, svc: Service, gates: dict[str, Gate], ok: Mapping[str, str]) -> str:
    """The k-of-n gate over a service's instances (worst-case placement for pools)."""
    key = helper(svc.id, "instances")
    if svc.hosts:
        gates[key] = Gate(KOFN, tuple(map(ok.__getitem__, svc.hosts)), k=svc.need)
        return key
    if svc.spread is None:  # all replicas may land on one host: every pool host matters
        k = len(svc.pool) if svc.replicas >= svc.need else len(svc.pool) + 1
        gates[key] = Gate(KOFN, tuple(map(ok.__getitem__, svc.pool)), k=k)
        return key
    groups = pool_groups(t, svc)
    members: list[str] = []
    for name, hosts in groups.items():
        members.append(_all(gates, helper(svc.id, f"{svc.spread}:{name}"), tuple(map(ok.__getitem__, hosts))))
    placed = min(svc.replicas, len(groups))
    k = len(groups) - placed + svc.need if placed >= svc.need else len(groups) + 1
    gates[key] = Gate(KOFN, tuple(members), k=k)
    return key


def pool_groups(t: Topology, svc: Service) -> dict[str, list[str]]:
    """A pool's hosts grouped by the service's spread level (a host with no rack or
    zone is a group of its own)."""
    groups: dict[str, list[str]] = {}
    for h in svc.pool:
        host = t.hosts[h]
        if svc.spread == "rack":
            name = host.rack or h
        elif svc.spread == "zone":
            name = host.zone or (t.racks[host.rack].zone if host.rack else None) or h
        else:
            name = h
        groups.setdefault(name, []).append(h)
    return groups
