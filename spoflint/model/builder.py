"""Documents to one Topology: ids merged across files, references resolved and checked,
the defaults of the format applied once."""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter

from ..errors import InputError, quote
from ..load import MarkedList, MarkedMap
from . import kinds
from .elements import (
    SECTIONS,
    Acceptance,
    Cooling,
    Host,
    Link,
    Location,
    NetworkNode,
    Power,
    Rack,
    Service,
    Storage,
    Topology,
    Zone,
)
from .messages import SINGULAR, _close_to


class _Builder:
    """Merges documents and resolves references; raises InputError at the first problem."""

    def __init__(self, documents: list[MarkedMap]):
        self.documents = documents
        self.where: dict[str, Location] = {}
        self.section_of: dict[str, str] = {}
        self.nodes: dict[str, MarkedMap] = {}  # element id -> its fields, for cycle positions

    # -- locations and errors
    def fail(self, container, key, message) -> InputError:
        if isinstance(container, MarkedMap) and key in container.where:
            line, column = container.value_at(key)
        elif isinstance(container, MarkedList) and isinstance(key, int) and key < len(container.where):
            line, column = container.item_at(key)
        else:
            line, column = container.line, container.column
        return InputError(container.path, line, column, message)

    def declare(self, eid: str, section: str, where: Location):
        if eid in self.section_of:
            first = self.where[eid]
            hint = " (name parallel links with `name:`)" if section == "links" == self.section_of[eid] else ""
            raise InputError(
                where.path,
                where.line,
                where.column,
                f"duplicate id {quote(eid)}: already used by the {SINGULAR[self.section_of[eid]]} "
                f"at {first.path}:{first.line}:{first.column}{hint}",
            )
        self.section_of[eid] = section
        self.where[eid] = where

    def ref(self, container, key, value, allowed: Iterable[str], what: str) -> str:
        section = self.section_of.get(value)
        if section is None:
            raise self.fail(container, key, f"unknown {what} {quote(value)}{self._did_you_mean(value, allowed)}")
        if section not in allowed:
            raise self.fail(container, key, f"{quote(value)} is a {SINGULAR[section]}, not a {what}")
        return value

    def _did_you_mean(self, value, allowed) -> str:
        close = _close_to(value, [eid for eid, section in self.section_of.items() if section in allowed])
        return f"; did you mean {close!r}?" if close else ""

    def refs(self, node: MarkedMap, key: str, allowed, what) -> tuple[str, ...]:
        values = node.get(key) or ()
        section_of = self.section_of
        for value in values:  # the usual case, quickly: every one known, of the right kind...
            if section_of.get(value) not in allowed:
                break
        else:
            result = tuple(dict.fromkeys(values))
            if len(result) == len(values):  # ...and none listed twice
                return result
        # else say what is wrong with the first that is
        seen: dict[str, None] = {}  # ordered, and O(1) membership for services on thousands of hosts
        for index, value in enumerate(values):
            self.ref(values, index, value, allowed, what)
            if value in seen:
                raise self.fail(values, index, f"{quote(value)} is listed twice")
            seen[value] = None
        return tuple(seen)

    def _listed_twice(self, values: MarkedList):
        seen = set()
        for index, value in enumerate(values):
            if value in seen:
                raise self.fail(values, index, f"{quote(value)} is listed twice")
            seen.add(value)

    def opt_ref(self, node: MarkedMap, key: str, allowed, what) -> str | None:
        value = node.get(key)
        if value is None or self.section_of.get(value) in allowed:
            return value
        return self.ref(node, key, value, allowed, what)

    # -- the build
    def _declare_all(self, sections, link_specs) -> None:
        """Collect every element, link and nic link of every document, and declare their
        ids in the order written, so that a duplicate is reported at its second writing."""
        declarations: list[tuple[int, int, int, str, str, str]] = []  # (doc, line, column, id, section, path)
        declare, nodes = declarations.append, self.nodes
        for number, document in enumerate(self.documents):
            for section in sections:
                table = document.get(section)
                if not table:
                    continue
                entries, where, path = sections[section], table.where, table.path
                for eid, node in table.items():
                    node = node or _empty(table, eid)
                    entries.append((eid, node, table))
                    nodes[eid] = node
                    at = where[eid]
                    declare((number, at[0], at[1], eid, section, path))
                    if section == "hosts":  # each nic is a link host--node
                        nics = node.get("nics")
                        if not nics:
                            continue
                        if len(set(nics)) != len(nics):
                            self._listed_twice(nics)
                        for index, switch in enumerate(nics):
                            link = f"{eid}--{switch}"
                            link_specs.append((link, eid, switch, None, None))
                            at = nics.where[index]
                            declare((number, at[0], at[1], link, "links", nics.path))
            links = document.get("links") or []
            for index, item in enumerate(links):
                if isinstance(item, MarkedMap):
                    ends, name, node = item["between"], item.get("name"), item
                    line, column = item.value_at("name") if name else ends.item_at(0)
                else:
                    ends, name, node = item, None, None
                    line, column = links.item_at(index)
                eid = name or f"{ends[0]}--{ends[1]}"  # unnamed: its ends as written
                link_specs.append((eid, ends[0], ends[1], ends, node))
                declarations.append((number, line, column, eid, "links", links.path))
        section_of, where = self.section_of, self.where
        for _, line, column, eid, section, path in sorted(declarations, key=itemgetter(0, 1, 2)):
            if eid in section_of:
                self.declare(eid, section, Location(path, line, column))  # says it is a duplicate
            section_of[eid] = section
            where[eid] = Location(path, line, column)
        for _, node, _ in sections["hosts"]:  # before the links they make: a nic names a network node
            self.refs(node, "nics", ("network",), "network node")

    def build(self) -> Topology:
        sections: dict[str, list[tuple[str, MarkedMap, MarkedMap]]] = {s: [] for s in SECTIONS if s != "links"}
        link_specs: list[tuple[str, str, str, MarkedList | None, MarkedMap | None]] = []
        self._declare_all(sections, link_specs)

        zones = {eid: Zone(eid) for eid, _, _ in sections["zones"]}
        power = {}
        for eid, node, _ in sections["power"]:
            power[eid] = Power(
                eid,
                node["kind"],
                self.refs(node, "from", ("power",), "power element"),
                self.opt_ref(node, "zone", ("zones",), "zone"),
            )
        cooling = {
            eid: Cooling(
                eid,
                self.opt_ref(node, "zone", ("zones",), "zone"),
                self.refs(node, "power", ("power",), "power element"),
            )
            for eid, node, _ in sections["cooling"]
        }
        racks = {
            eid: Rack(
                eid,
                self.opt_ref(node, "zone", ("zones",), "zone"),
                self.refs(node, "cooling", ("cooling",), "cooling unit"),
                self.refs(node, "power", ("power",), "power element"),
            )
            for eid, node, _ in sections["racks"]
        }
        network = {}
        for eid, node, _ in sections["network"]:
            rack = self.opt_ref(node, "rack", ("racks",), "rack")
            own = self.refs(node, "power", ("power",), "power element")
            network[eid] = NetworkNode(
                eid,
                node["kind"],
                rack,
                self.opt_ref(node, "zone", ("zones",), "zone"),
                own or (racks[rack].power if rack else ()),
            )
        links: dict[str, Link] = {}
        host_links: dict[str, list[str]] = {eid: [] for eid, _, _ in sections["hosts"]}
        for eid, a, b, ends, _ in link_specs:
            if ends is not None:  # written in `links` (a nic's ends were checked above)
                self.ref(ends, 0, a, ("network", "hosts"), "network node or host")
                self.ref(ends, 1, b, ("network", "hosts"), "network node or host")
                if a == b:
                    raise self.fail(ends, 1, f"link {quote(eid)} joins {quote(a)} to itself")
                if self.section_of[a] == "hosts" and self.section_of[b] == "hosts":
                    raise self.fail(ends, 1, f"link {quote(eid)} joins two hosts; a host is cabled to a network node")
            links[eid] = Link(eid, a, b)
            for end in (a, b):
                if end in host_links:
                    host_links[end].append(eid)
        hosts = {}
        for eid, node, _ in sections["hosts"]:
            rack = self.opt_ref(node, "rack", ("racks",), "rack")
            own = self.refs(node, "power", ("power",), "power element")
            hosts[eid] = Host(
                eid,
                rack,
                self.opt_ref(node, "zone", ("zones",), "zone"),
                own or (racks[rack].power if rack else ()),
                tuple(host_links[eid]),
                node.get("fencing"),
            )
        storage = {}
        for eid, node, _ in sections["storage"]:
            members = self.refs(node, "hosts", ("hosts",), "host")
            replicas = node.get("replicas", len(members) or 1)
            storage[eid] = Storage(
                eid,
                node["kind"],
                members,
                min(replicas, len(members)) if members else replicas,
                node.get("min_replicas", 1),
                self.opt_ref(node, "zone", ("zones",), "zone"),
            )
        entrypoints = self._entrypoints(network)
        services = self._services(sections["services"])
        self._check_cycles(power, services)
        accepted, declared, availability = {}, {}, {}
        key_sets: dict[frozenset, frozenset] = {}  # elements of a section mostly write the same keys
        for entries in sections.values():
            for eid, node, _ in entries:
                declared[eid] = _shared(frozenset(node), key_sets)
                self._availability(eid, node, availability)
                if node.get("accept"):
                    accepted[eid] = _acceptances(node["accept"])
        for eid, _, _, _, node in link_specs:
            if node is not None:
                declared[eid] = _shared(frozenset(node), key_sets)
                self._availability(eid, node, availability)
                if node.get("accept"):
                    accepted[eid] = _acceptances(node["accept"])
        self._comment_acceptances(accepted)
        first = self.documents[0]
        objectives = {}
        for document in self.documents:
            objectives.update(document.get("objectives") or {})
        return Topology(
            name=next((d["name"] for d in self.documents if d.get("name")), first.path),
            objectives=objectives,
            entrypoints=entrypoints,
            zones=zones,
            power=power,
            cooling=cooling,
            racks=racks,
            network=network,
            links=links,
            hosts=hosts,
            storage=storage,
            services=services,
            where=self.where,
            accepted=accepted,
            declared=declared,
            availability=availability,
        )

    def _availability(self, eid: str, node, out: dict) -> None:
        """An element's own availability figure, if it declares one: `availability`
        (percent), or `mtbf` and `mttr` (hours) as mtbf / (mtbf + mttr)."""
        if "availability" in node:
            if "mtbf" in node or "mttr" in node:
                raise self.fail(node, "availability", "give `availability` or `mtbf` and `mttr`, not both")
            out[eid] = node["availability"] / 100
        elif "mtbf" in node or "mttr" in node:
            if "mtbf" not in node or "mttr" not in node:
                raise self.fail(node, "mtbf" if "mtbf" in node else "mttr", "`mtbf` and `mttr` go together")
            out[eid] = node["mtbf"] / (node["mtbf"] + node["mttr"])

    def _comment_acceptances(self, accepted: dict) -> None:
        """`# spoflint: accept RULE reason` on an element's line accepts that risk on it."""
        comments = {d.path: d.comments for d in self.documents if getattr(d, "comments", None)}
        if not comments:
            return
        # The element a line declares is the one written first on it: `web-1: {nics:
        # [sw-1]}` also places the implied link web-1--sw-1 on that line, further right.
        first: dict[tuple[str, int], tuple[int, str]] = {}
        for eid, at in self.where.items():
            if at.line in comments.get(at.path, {}):
                key = (at.path, at.line)
                first[key] = min(first.get(key, (at.column, eid)), (at.column, eid))
        for (path, line), (_, eid) in first.items():
            for rule, reason, _ in comments[path][line]:
                accepted[eid] = accepted.get(eid, ()) + (Acceptance(rule, reason),)
        for path, lines in comments.items():
            for line, entries in sorted(lines.items()):
                if (path, line) not in first:
                    raise InputError(
                        path,
                        line,
                        entries[0][2],
                        "a `# spoflint: accept` comment must stand on the line of the element it accepts",
                    )

    def _entrypoints(self, network) -> tuple[str, ...]:
        declared: dict[str, None] = {}  # ordered set
        for document in self.documents:
            values = document.get("entrypoints") or []
            for index, value in enumerate(values):
                declared[self.ref(values, index, value, ("network",), "network node")] = None
        if declared:
            return tuple(declared)
        return tuple(eid for eid, node in network.items() if node.kind == "external")

    def _services(self, entries) -> dict[str, Service]:
        referenced: set[str] = set()
        balancers: set[str] = set()
        for _eid, node, _ in entries:
            referenced.update(node.get("depends_on") or ())
            if node.get("load_balancer"):
                referenced.add(node["load_balancer"])
                balancers.add(node["load_balancer"])
        services = {}
        for eid, node, _ in entries:
            kind_name = node.get("kind")
            known = kinds.lookup(kind_name)
            members = self.refs(node, "hosts", ("hosts",), "host")
            pool = self.refs(node, "pool", ("hosts",), "host")
            replicas = node.get("replicas", len(members))
            spread = node.get("spread")
            if pool and spread == "host" and len(pool) < replicas:
                raise self.fail(node, "pool", f"`spread: host` needs {replicas} hosts in the pool, it has {len(pool)}")
            ha = node.get("ha") or (known.ha if known else "none")
            declared_role = node.get("role")
            role = (
                (None if declared_role == "none" else declared_role)
                if declared_role
                else (known.role if known and known.role else ("load-balancer" if eid in balancers else None))
            )
            quorum = node.get("quorum")
            if quorum == "majority":
                quorum_count = replicas // 2 + 1
            elif quorum == "none":
                quorum_count = 0
            elif isinstance(quorum, int):
                quorum_count = quorum
            else:
                quorum_count = replicas // 2 + 1 if (ha == "active-active" and known and known.quorum) else 1
            lb = self.opt_ref(node, "load_balancer", ("services",), "service (the load balancer)")
            if lb == eid:
                raise self.fail(node, "load_balancer", f"{eid!r} cannot be its own load balancer")
            vip = node.get("vip")
            if isinstance(vip, dict):
                vip = vip.get("manager") or "address"
            services[eid] = Service(
                id=eid,
                kind=kind_name,
                state=node.get("state") or (known.state if known else None),
                role=role,
                hosts=members,
                replicas=replicas,
                pool=pool,
                spread=spread,
                ha=ha,
                manager=node.get("manager") or (known.manager if known else None),
                quorum=quorum_count,
                min_instances=node.get("min_instances", 1),
                load_balancer=lb,
                vip=vip,
                access=node.get("access") or (known.access if known else "single"),
                depends_on=self.refs(node, "depends_on", ("services", "storage"), "service or storage backend"),
                storage=self.refs(node, "storage", ("storage",), "storage backend"),
                public=node.get("public", eid not in referenced),
            )
        return services

    def _check_cycles(self, power, services):
        edges = {eid: p.sources for eid, p in power.items()}
        edges.update(
            {eid: s.depends_on + ((s.load_balancer,) if s.load_balancer else ()) for eid, s in services.items()}
        )
        cycle = find_cycle(edges)
        if not cycle:
            return
        first, second = cycle[0], (cycle + cycle)[1]
        node = self.nodes[first]
        for key in ("from", "depends_on", "load_balancer"):  # point at the reference that closes it
            value = node.get(key)
            if value == second:
                raise self.fail(node, key, _cycle_message(first in power, cycle))
            if isinstance(value, list) and second in value:
                raise self.fail(value, value.index(second), _cycle_message(first in power, cycle))
        at = self.where[first]
        raise InputError(at.path, at.line, at.column, _cycle_message(first in power, cycle))


def _shared(value, table: dict):
    """One object for equal values: a million elements declare a few sets of keys."""
    return table.setdefault(value, value)


def _cycle_message(power: bool, cycle: list[str]) -> str:
    loop = " -> ".join(cycle + [cycle[0]])
    if len(cycle) == 1:
        return f"{quote(cycle[0])} {'is fed from' if power else 'depends on'} itself"
    return f"power cycle (each is fed from the next): {loop}" if power else f"dependency cycle: {loop}"


def find_cycle(edges: dict[str, tuple[str, ...]]) -> list[str] | None:
    """One cycle in a directed graph given as adjacency, in a deterministic order."""
    state: dict[str, int] = {}
    for start in edges:
        if state.get(start):
            continue
        stack = [(start, iter(edges.get(start, ())))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            for child in children:
                if state.get(child) == 1:
                    return path[path.index(child) :]
                if not state.get(child):
                    state[child] = 1
                    path.append(child)
                    stack.append((child, iter(edges.get(child, ()))))
                    break
            else:
                stack.pop()
                path.pop()
                state[node] = 2
    return None


def _empty(table: MarkedMap, key) -> MarkedMap:
    """An element written with no fields (`dc1:`), as an empty mapping at its place."""
    node = MarkedMap()
    node.path, node.where = table.path, {}
    node.line, node.column = table.value_at(key)
    return node


def _acceptances(accept: dict) -> tuple[Acceptance, ...]:
    out = []
    for rule, value in accept.items():
        if isinstance(value, dict):
            out.append(Acceptance(rule, value["reason"], value.get("until")))
        else:
            out.append(Acceptance(rule, value))
    return tuple(out)
