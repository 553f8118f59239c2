"""Documents to one Topology: ids merged across files, references resolved and checked,
the defaults of the format applied once.

`_Builder.build` declares every id first (in the order written, so that a duplicate is
reported at its second writing), then builds a section at a time in the order sections
refer to each other (zones, power, cooling, racks, network, links, hosts, storage,
entry points, services), then checks for cycles and gathers what each element declares
about itself (its keys, availability and accepted risks: `declared`). The first problem
in that order is the one reported. The checks of ids, references and cycles are
`References`; the defaults of services are in `services`, accepted risks in
`acceptances`. A description that could never be up is refused like a broken reference:
a storage `min_replicas` above the copies kept, an availability of 1 or less (a fraction
where percent is meant, in `declared`), and in `services` a quorum above the instances;
so is a host or network node whose `zone` is not its rack's. A storage `replicas` above
its hosts is kept as one copy a host, and said (a MODEL001 note).
"""

from __future__ import annotations

from itertools import chain
from operator import itemgetter
from typing import Any

from ..errors import InputError, gathered, quote
from ..load import MarkedList, MarkedMap
from ..load.marked import ReaderNote
from .acceptances import add_comment_acceptances
from .declared import percent, self_declared
from .elements import (
    SECTIONS,
    Cooling,
    Host,
    Link,
    Location,
    NetworkNode,
    Power,
    Rack,
    Storage,
    Topology,
    Zone,
    by_id,
)
from .kinds import FENCING
from .references import References
from .services import Entry, build_services, free_word

Sections = dict[str, list[Entry]]  # section -> its elements, in the order written
# a link: (id, one end, the other end, its `between` as written, its fields), the last
# two None for the link a host's nic implies
LinkSpec = tuple[str, str, str, MarkedList | None, MarkedMap | None]
# an id as written: (document number, line, column, id, section, path)
Declaration = tuple[int, int, int, str, str, str]


class _Builder(References):
    """Merges documents and resolves references; raises InputError at the first problem
    (every unknown reference of the documents together: `References.unknown`)."""

    def __init__(self, documents: list[MarkedMap]):
        super().__init__()
        self.documents = documents
        self.nic_lists: list[MarkedList] = []  # every host's `nics`, checked together
        self.notes: list[ReaderNote] = []  # what the model itself decided for the file (MODEL001)

    def build(self) -> Topology:
        """The Topology; every unknown reference is said at once (in file order), with the
        error that stopped the building if another did."""
        try:
            topology = self._build()
        except InputError as error:
            if not self.unknown:
                raise
            raise gathered(_in_order([*self.unknown, error])) from None
        except (KeyError, AttributeError, TypeError):
            # what an unknown reference kept for the rest of the checks breaks further on
            # (a link to no element): the unknown references are the errors; without one,
            # a bug, raised as it is
            if not self.unknown:
                raise
            raise gathered(_in_order(self.unknown)) from None
        if self.unknown:
            raise gathered(_in_order(self.unknown))
        return topology

    def _build(self) -> Topology:
        sections, link_specs = self._declare_all()
        zones = {eid: Zone(eid) for eid, _, _ in sections["zones"]}
        power = self._power(sections["power"])
        cooling = self._cooling(sections["cooling"])
        racks = self._racks(sections["racks"])
        network = self._network(sections["network"], racks)
        links, host_links = self._links(link_specs, sections["hosts"])
        hosts = self._hosts(sections["hosts"], racks, host_links)
        storage = self._storage(sections["storage"])
        entrypoints = self._entrypoints(network)
        services = build_services(self, sections["services"])
        self.check_cycles(power, services, lambda: {e: n for e, n, _ in sections["power"] + sections["services"]})
        links_written = ((eid, node, None) for eid, _, _, _, node in link_specs if node is not None)
        accepted, declared, availability, assumed = self_declared(
            self, chain(chain.from_iterable(sections.values()), links_written)
        )
        add_comment_acceptances(self.documents, self.where, accepted)
        objectives: dict[str, Any] = {}
        for document in self.documents:
            written = document.get("objectives")
            if written and "availability" in written:
                percent(self, written, "availability")
            objectives.update(written or {})
        return Topology(
            name=next((d["name"] for d in self.documents if d.get("name")), self.documents[0].path),
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
            assumed=assumed,
            stacks={eid: tuple(node["members"]) for eid, node, _ in sections["network"] if node.get("members")},
            notes=(*(n for d in self.documents for n in getattr(d, "notes", ())), *self.notes),
        )

    # -- declarations
    def _declare_all(self) -> tuple[Sections, list[LinkSpec]]:
        """Collect every element, link and nic link of every document, and declare their
        ids in the order written, so that a duplicate is reported at its second writing."""
        sections: Sections = {s: [] for s in SECTIONS if s != "links"}
        link_specs: list[LinkSpec] = []
        declarations: list[Declaration] = []
        for number, document in enumerate(self.documents):
            for section, entries in sections.items():
                table = document.get(section)
                if table:
                    self._collect(number, section, table, entries, link_specs, declarations)
            links = document.get("links")
            if links:
                self._collect_links(number, links, link_specs, declarations)
        self._declare(sorted(declarations, key=itemgetter(0, 1, 2)))
        # before the links they make: a nic names a network node (all at once, in C: 28 ms
        # at 100k host by host; host by host for the errors)
        if not set(map(self.section_of.get, chain.from_iterable(self.nic_lists))) <= {"network"}:
            for _, node, _ in sections["hosts"]:
                self.refs(node, "nics", ("network",), "network node")
        return sections, link_specs

    def _declare(self, ordered: list[Declaration]) -> None:
        """Declare the ids in the order written: in C when no id is written twice (one by
        one, a million took a second), else one at a time to the second writing's error."""
        section_of, raw = self.section_of, self.where.raw
        if not section_of:
            ids = list(map(itemgetter(3), ordered))
            section_of.update(zip(ids, map(itemgetter(4), ordered)))
            if len(section_of) == len(ordered):
                raw.update(zip(ids, ordered))  # the declarations are the places (`Places`)
                return
            section_of.clear()
        for _, line, column, eid, section, path in ordered:
            self.declare(eid, section, Location(path, line, column))

    def _collect(
        self,
        number: int,
        section: str,
        table: MarkedMap,
        entries: list[Entry],
        link_specs: list[LinkSpec],
        declarations: list[Declaration],
    ) -> None:
        """The elements of one section of document `number`; for hosts, the link each nic implies."""
        declare = declarations.append
        where, path = table.where, table.path
        for eid, fields in table.items():
            node = fields or _empty(table, eid)
            entries.append((eid, node, table))
            at = where[eid]
            # an element written apart from its section (a NetBox object at its own web page)
            declare((number, at[0], at[1], eid, section, getattr(fields, "path", None) or path))
            if section == "hosts":  # each nic is a link host--node
                nics = node.get("nics")
                if not nics:
                    continue
                if len(set(nics)) != len(nics):
                    self.listed_twice(nics)
                self.nic_lists.append(nics)
                for index, switch in enumerate(nics):
                    link = f"{eid}--{switch}"
                    link_specs.append((link, eid, switch, None, None))
                    nic_at = nics.where[index]
                    declare((number, nic_at[0], nic_at[1], link, "links", nics.path))

    def _collect_links(
        self, number: int, links: MarkedList, link_specs: list[LinkSpec], declarations: list[Declaration]
    ) -> None:
        """The `links` of document `number`: `[a, b]`, or a mapping with `between` (and a `name`)."""
        for index, item in enumerate(links):
            node: MarkedMap | None
            if isinstance(item, MarkedMap):
                ends, name, node = item["between"], item.get("name"), item
                line, column = item.value_at("name") if name else ends.item_at(0)
            else:
                ends, name, node = item, None, None
                line, column = links.item_at(index)
            eid = name or f"{ends[0]}--{ends[1]}"  # unnamed: its ends as written
            link_specs.append((eid, ends[0], ends[1], ends, node))
            path = getattr(node, "path", None) or links.path  # a link of its own page (NetBox's cables)
            declarations.append((number, line, column, eid, "links", path))

    # -- the sections, in the order they refer to each other
    def _power(self, entries: list[Entry]) -> dict[str, Power]:
        power = {}
        for eid, node, _ in entries:
            power[eid] = Power(
                eid,
                node["kind"],
                self.refs(node, "from", ("power",), "power element"),
                self.opt_ref(node, "zone", ("zones",), "zone"),
            )
        return power

    def _cooling(self, entries: list[Entry]) -> dict[str, Cooling]:
        return {
            eid: Cooling(
                eid,
                self.opt_ref(node, "zone", ("zones",), "zone"),
                self.refs(node, "power", ("power",), "power element"),
            )
            for eid, node, _ in entries
        }

    def _racks(self, entries: list[Entry]) -> dict[str, Rack]:
        return {
            eid: Rack(
                eid,
                self.opt_ref(node, "zone", ("zones",), "zone"),
                self.refs(node, "cooling", ("cooling",), "cooling unit"),
                self.refs(node, "power", ("power",), "power element"),
            )
            for eid, node, _ in entries
        }

    def _network(self, entries: list[Entry], racks: dict[str, Rack]) -> dict[str, NetworkNode]:
        network = {}
        for eid, node, _ in entries:
            rack = self.opt_ref(node, "rack", ("racks",), "rack")
            own = self.refs(node, "power", ("power",), "power element")
            network[eid] = NetworkNode(
                eid,
                node["kind"],
                rack,
                self.zone_of(node, racks[rack].zone if rack in racks else None),
                own or (racks[rack].power if rack in racks else ()),
            )
        return network

    def _links(self, link_specs: list[LinkSpec], hosts: list[Entry]) -> tuple[dict[str, Link], dict[str, list[str]]]:
        """Every link, its ends checked, and the links of each host."""
        host_links: dict[str, list[str]] = {eid: [] for eid, _, _ in hosts}
        for eid, a, b, ends, _ in link_specs:
            if ends is not None:  # written in `links` (a nic's ends were checked above)
                self.ref(ends, 0, a, ("network", "hosts"), "network node or host")
                self.ref(ends, 1, b, ("network", "hosts"), "network node or host")
                if a == b:
                    raise self.fail(ends, 1, f"link {quote(eid)} joins {quote(a)} to itself")
                if self.section_of[a] == "hosts" and self.section_of[b] == "hosts":
                    raise self.fail(ends, 1, f"link {quote(eid)} joins two hosts; a host is cabled to a network node")
            if a in host_links:
                host_links[a].append(eid)
            if b in host_links:
                host_links[b].append(eid)
        return by_id(Link, list(map(itemgetter(0, 1, 2), link_specs))), host_links

    def _hosts(self, entries: list[Entry], racks: dict[str, Rack], host_links: dict[str, list[str]]) -> dict[str, Host]:
        """Each host's fields as `opt_ref`, `refs`, `zone_of` and `free_word` have them,
        those calls made only for what is written and a fencing method checked once: a
        host at a time, they took 70 ms at 100k."""
        section_of, rows = self.section_of, []
        fencing: dict[object, str | None] = {None: None}
        for eid, node, _ in entries:
            get = node.get
            rack = get("rack")
            if rack is not None and section_of.get(rack) != "racks":
                rack = self.opt_ref(node, "rack", ("racks",), "rack")
            own = self.refs(node, "power", ("power",), "power element") if get("power") else ()
            in_rack = racks.get(rack) if rack is not None else None
            zone = None if get("zone") is None else self.zone_of(node, in_rack.zone if in_rack is not None else None)
            method = get("fencing")
            if method not in fencing:
                fencing[method] = free_word(self, node, "fencing", FENCING, "fencing method")
            power = own or (in_rack.power if in_rack is not None else ())
            rows.append((eid, rack, zone, power, tuple(host_links[eid]), fencing[method], get("kind")))
        return by_id(Host, rows)

    def _storage(self, entries: list[Entry]) -> dict[str, Storage]:
        storage = {}
        for eid, node, _ in entries:
            members = self.refs(node, "hosts", ("hosts",), "host")
            replicas = node.get("replicas", len(members) or 1)
            copies = min(replicas, len(members)) if members else replicas
            if members and replicas > copies:  # at most one copy a host: say what is kept
                hosts = f"{len(members)} host{'s' if len(members) != 1 else ''}"
                said = f"storage {eid} asks for {replicas} copies on {hosts}, one a host at most: it keeps {copies}"
                self.notes.append(ReaderNote(node.path, *node.value_at("replicas"), "replicas", said, eid))
            storage[eid] = Storage(
                eid,
                node["kind"],
                members,
                copies,
                self._min_replicas(eid, node, copies),
                self.opt_ref(node, "zone", ("zones",), "zone"),
            )
        return storage

    def _min_replicas(self, eid: str, node: MarkedMap, copies: int) -> int:
        """A backend's `min_replicas`; an InputError when it is more than the copies kept
        (at most one a host): the backend would be down with nothing failed."""
        minimum = node.get("min_replicas", 1)
        if minimum > copies:
            written = node.get("replicas", copies)
            why = f" (`replicas: {written}` on {copies} hosts, one copy a host)" if written > copies else ""
            raise self.fail(
                node,
                "min_replicas",
                f"`min_replicas: {minimum}` asks for {minimum} copies up, but {eid} keeps {copies}{why}: "
                "it would be down with nothing failed",
            )
        return minimum

    def _entrypoints(self, network: dict[str, NetworkNode]) -> tuple[str, ...]:
        """The entry points declared in any document, else the external network nodes."""
        declared: dict[str, None] = {}  # ordered set
        for document in self.documents:
            values = document.get("entrypoints")
            if not values:
                continue
            for index, value in enumerate(values):
                declared[self.ref(values, index, value, ("network",), "network node")] = None
        if declared:
            return tuple(declared)
        return tuple(eid for eid, node in network.items() if node.kind == "external")


def _empty(table: MarkedMap, key: str) -> MarkedMap:
    """An element written with no fields (`dc1:`), as an empty mapping at its place."""
    node = MarkedMap()
    node.path, node.where = table.path, {}
    node.line, node.column = table.value_at(key)
    return node


def _in_order(errors: list[InputError]) -> list[InputError]:
    return sorted(errors, key=lambda e: (e.path, e.line, e.column))
