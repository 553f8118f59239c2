"""Joining a physical layer with a unit by host (docs/importers.md, "Joining a physical
layer"): the racks, power and cabling of the machines a unit runs on, from a document that
describes the estate (NetBox's, or a native file), under the unit's own host names.

The hosts of the two are the same machines under possibly different names. An inventory
host is matched to a physical host by an explicit alias (`aliases: {inventory-name:
physical-name}` at the top level of a native file), else by the same name, else the same
name ignoring case, else the same short name (the part before the first dot; never for an
IP address). A host that matches nothing, or several hosts, or a physical host that
several inventory hosts match, is said in a MODEL001 note naming them.

Of the physical layer, only what the matched hosts stand on is kept: their racks and
zones, the power chain of those racks and hosts (and of their network nodes), the
cooling of the racks (and the cooling units placed in the zones kept), the network nodes
the hosts are cabled to and those on some path from an entry point to them, and the links
among what is kept. So a unit of 20 hosts does not report the hundreds of devices of an
estate it does not run on. The physical layer's services and storage are not joined: the
unit says what runs.

The matched host keeps the unit's id and place (findings point at the inventory); the
physical layer fills in the fields the unit does not give (`rack`, `zone`, `power`,
`nics`, `fencing`): what a native overlay says of a host wins over the physical layer,
as it wins over the import.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from ..load import MarkedList, MarkedMap, ReaderNote
from ._native import mapping, put, sequence

HOST_FIELDS = ("rack", "zone", "power", "nics", "fencing")  # what the physical layer says of a host
PHYSICAL = ("zones", "power", "cooling", "racks", "network", "hosts")
REFERENCES = {  # section -> the fields naming other elements that what is kept needs
    "racks": ("zone", "cooling", "power"),
    "network": ("rack", "zone", "power"),
    "hosts": ("rack", "zone", "power", "nics"),
    "cooling": ("zone", "power"),
    "power": ("from", "zone"),
}
SHOWN = 5


@dataclass
class Matching:
    """Which physical host each unit host is (`matched`), and those that matched nothing
    or were ambiguous (`ambiguous`: host -> the physical hosts it could be)."""

    matched: dict[str, str] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)


def short(name: str) -> str:
    """The short name: the part before the first dot (an IP address is its own)."""
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return name.split(".", 1)[0]
    return name


def match(names: Iterable[str], physical: Iterable[str], aliases: Mapping[str, str]) -> Matching:
    """Each unit host name matched to a physical host: an alias, then the same name, then
    the same name ignoring case, then the same short name ignoring case. A physical host
    that several unit hosts find is theirs only if one of them has it by alias or by its
    exact name; otherwise all of them are ambiguous."""
    known = list(physical)
    exact = set(known)
    folded: dict[str, list[str]] = {}
    shorts: dict[str, list[str]] = {}
    for name in known:
        folded.setdefault(name.casefold(), []).append(name)
        shorts.setdefault(short(name).casefold(), []).append(name)
    out = Matching()
    firm: dict[str, str] = {}  # physical -> the unit host that has it by alias or exact name
    loose: dict[str, list[str]] = {}  # physical -> the unit hosts that found it otherwise
    for name in names:
        alias = aliases.get(name)
        if alias is not None or name in exact:
            target = alias if alias is not None else name
            if target not in exact:
                out.ambiguous[name] = []  # an alias naming no physical host
                continue
            if target in firm:
                out.ambiguous[name] = [target]
                out.ambiguous.setdefault(firm[target], [target])
                continue
            firm[target] = name
            continue
        candidates = folded.get(name.casefold()) or shorts.get(short(name).casefold()) or []
        if len(candidates) == 1:
            loose.setdefault(candidates[0], []).append(name)
        elif candidates:
            out.ambiguous[name] = sorted(candidates)
        else:
            out.unmatched.append(name)
    for target, name in firm.items():
        if name not in out.ambiguous:
            out.matched[name] = target
    for target, found in loose.items():
        if len(found) == 1 and target not in firm:
            out.matched[found[0]] = target
        else:
            for name in found:
                out.ambiguous[name] = [target]
    return out


def aliases_of(documents: Iterable[MarkedMap]) -> dict[str, str]:
    """The `aliases:` of the native documents (unit host name -> physical host name)."""
    out: dict[str, str] = {}
    for document in documents:
        table = document.get("aliases")
        if isinstance(table, dict):
            out.update({str(k): str(v) for k, v in table.items()})
    return out


def join(unit: list[MarkedMap], layer: MarkedMap, aliases: Mapping[str, str]) -> list[MarkedMap]:
    """The unit's documents with the physical layer joined by host: the matched hosts'
    fields filled in, and one more document holding what they stand on (with the notes on
    the hosts that matched nothing or were ambiguous)."""
    from ..model import validate

    validate(layer)  # its errors point into it, before anything is joined
    hosts = _hosts(unit)
    cabled = {name for name, node in hosts.items() if "nics" in node}  # the unit gives their cabling
    physical_hosts = layer.get("hosts") or {}
    found = match(hosts, physical_hosts, aliases)
    joined = mapping(layer.path, (layer.line, layer.column))
    put(joined, "version", 1, (layer.line, layer.column))
    renamed = {physical: name for name, physical in found.matched.items()}
    kept = _kept(layer, renamed, hosts, _named(unit))
    _copy_kept(layer, joined, kept, _elements(unit))
    for physical, name in renamed.items():
        _fill(hosts[name], physical_hosts[physical])
    links = _links(layer, kept, renamed, cabled)
    if links is not None:
        put(joined, "links", links, layer.key_at("links"))
    entries = layer.get("entrypoints")
    if isinstance(entries, MarkedList):
        items = [(e, entries.item_at(i)) for i, e in enumerate(entries) if e in kept]
        if items:
            put(joined, "entrypoints", sequence(entries.path, items, (entries.line, entries.column)), (1, 1))
    said = [n for n in getattr(layer, "notes", ()) if n.subject is None or n.subject in kept]
    joined.notes = [replace(n, subject=renamed[n.subject]) if n.subject in renamed else n for n in said]
    joined.notes.extend(_notes(found, hosts, str(layer.get("name") or layer.path)))
    return [*unit, joined]


def _copy_kept(layer: MarkedMap, joined: MarkedMap, kept: set[str], own: Mapping[tuple[str, str], MarkedMap]) -> None:
    """The elements of the physical layer kept, but for the hosts, into `joined`; one the
    unit has itself (by section and id) only fills in what the unit does not say of it."""
    for section in PHYSICAL:
        table = layer.get(section)
        if section == "hosts" or not isinstance(table, MarkedMap):
            continue
        out = mapping(table.path, (table.line, table.column))
        for eid, node in table.items():
            if eid in kept and (section, eid) in own:
                _fill(own[section, eid], node, tuple(node or ()))
            elif eid in kept:
                put(out, eid, node, table.key_at(eid), table.value_at(eid))
        if out:
            put(joined, section, out, layer.key_at(section))


def _hosts(documents: list[MarkedMap]) -> dict[str, MarkedMap]:
    out: dict[str, MarkedMap] = {}
    for document in documents:
        table = document.get("hosts")
        if isinstance(table, dict):
            for eid, node in table.items():
                if isinstance(node, MarkedMap):
                    out.setdefault(eid, node)
    return out


def _elements(documents: list[MarkedMap]) -> dict[tuple[str, str], MarkedMap]:
    return {
        (s, eid): node
        for d in documents
        for s in PHYSICAL
        if isinstance(d.get(s), dict)
        for eid, node in d[s].items()
        if isinstance(node, MarkedMap)
    }


def _fill(host: MarkedMap, physical: object, fields: tuple[str, ...] = HOST_FIELDS) -> None:
    """The physical layer's fields an element of the unit does not say itself; one assumed
    by a reader is described now."""
    if not isinstance(physical, MarkedMap):
        return
    for key in fields:
        if key in physical and key not in host:
            where = physical.where.get(key, (physical.line, physical.column) * 2)
            put(host, key, physical[key], where[:2], where[2:4])
    if host.get("assumed"):
        put(host, "assumed", False, (host.line, host.column))


def _named(documents: list[MarkedMap]) -> set[str]:
    """Every string value of the unit's documents: the ids of the physical layer they may
    name (a native overlay's PDU fed by a NetBox feed)."""
    out: set[str] = set()
    stack: list[object] = list(documents)
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            out.add(node)
    return out


def _kept(layer: MarkedMap, renamed: Mapping[str, str], hosts: Mapping[str, MarkedMap], named: set[str]) -> set[str]:
    """The ids of the physical layer that the matched hosts stand on (see the module), and
    those the unit names itself; the matched hosts under their physical names."""
    sections = {eid: s for s in PHYSICAL for eid in (layer.get(s) or {}) if s != "hosts"}
    physical_hosts = layer.get("hosts") or {}
    start: list[str] = sorted(named & set(sections))
    for physical, name in renamed.items():
        node = physical_hosts[physical] or {}
        for key in HOST_FIELDS:
            if key in node and key not in hosts[name] and key != "fencing":
                start.extend(node[key] if isinstance(node[key], list) else [node[key]])
    start.extend(_network(layer, _adjacency(layer), _cabled(layer, renamed, hosts)))
    kept = _closure(layer, sections, start, set())
    zones = {eid for eid in kept if sections[eid] == "zones"}
    in_zones = [c for c, node in (layer.get("cooling") or {}).items() if (node or {}).get("zone") in zones]
    return _closure(layer, sections, in_zones, kept) | set(renamed)


def _cabled(layer: MarkedMap, renamed: Mapping[str, str], hosts: Mapping[str, MarkedMap]) -> list[str]:
    """The network nodes of the physical layer the matched hosts are cabled to (by `nics`
    or links), but for the hosts the unit cables itself."""
    network = layer.get("network") or {}
    physical_hosts = layer.get("hosts") or {}
    joined = {p for p, name in renamed.items() if "nics" not in hosts[name]}
    cabled: dict[str, None] = {}  # ordered set
    for physical in joined:
        cabled.update(dict.fromkeys(n for n in (physical_hosts[physical] or {}).get("nics") or () if n in network))
    for a, b in _ends(layer.get("links") or ()):
        if a in joined and b in network:
            cabled[b] = None
        elif b in joined and a in network:
            cabled[a] = None
    return list(cabled)


def _adjacency(layer: MarkedMap) -> dict[str, set[str]]:
    network = layer.get("network") or {}
    adjacency: dict[str, set[str]] = {n: set() for n in network}
    for a, b in _ends(layer.get("links") or ()):
        if a in network and b in network:
            adjacency[a].add(b)
            adjacency[b].add(a)
    return adjacency


def _closure(layer: MarkedMap, sections: Mapping[str, str], start: list[str], kept: set[str]) -> set[str]:
    """`kept` with the elements of `start` and everything they name (REFERENCES)."""
    kept = set(kept)
    while start:
        eid = start.pop()
        if eid in kept or eid not in sections:
            continue
        kept.add(eid)
        node = layer[sections[eid]][eid] or {}
        for key in REFERENCES.get(sections[eid], ()):
            value = node.get(key)
            start.extend(value if isinstance(value, list) else [value] if isinstance(value, str) else [])
    return kept


def _network(layer: MarkedMap, adjacency: dict[str, set[str]], cabled: list[str]) -> list[str]:
    """The network nodes the hosts are cabled to and those on some path from an entry
    point to them (without entry points: every node connected to them)."""
    from ..analysis.orphans import _on_some_path

    if not cabled:
        return []
    network = layer.get("network") or {}
    entries = [e for e in layer.get("entrypoints") or () if e in network]
    entries = entries or [n for n, node in network.items() if (node or {}).get("kind") == "external"]
    if entries:
        return sorted((_on_some_path(adjacency, entries, cabled) & set(network)) | set(cabled))
    seen, stack = set(cabled), list(cabled)
    while stack:
        for w in adjacency[stack.pop()] - seen:
            seen.add(w)
            stack.append(w)
    return sorted(seen)


def _ends(links: Iterable[object]) -> Iterable[tuple[str, str]]:
    for item in links:
        ends = item.get("between") if isinstance(item, dict) else item
        if isinstance(ends, list) and len(ends) == 2:
            yield str(ends[0]), str(ends[1])


def _links(layer: MarkedMap, kept: set[str], renamed: Mapping[str, str], cabled: set[str]) -> MarkedList | None:
    """The physical layer's links among what is kept, host ends under the unit's names (a
    host whose cabling the unit gives itself keeps only that)."""
    links = layer.get("links")
    if not isinstance(links, MarkedList):
        return None
    items = []
    for index, item in enumerate(links):
        pair = next(iter(_ends([item])), None)
        if pair is None or not all(end in kept for end in pair):
            continue
        if any(renamed.get(end) in cabled for end in pair):
            continue
        items.append((_renamed_link(item, renamed), links.item_at(index)))
    return sequence(links.path, items, (links.line, links.column)) if items else None


def _renamed_link(item: object, renamed: Mapping[str, str]) -> object:
    ends = item.get("between") if isinstance(item, MarkedMap) else item
    assert isinstance(ends, MarkedList)
    new = sequence(
        ends.path, [(renamed.get(e, e), ends.item_at(i)) for i, e in enumerate(ends)], (ends.line, ends.column)
    )
    if not isinstance(item, MarkedMap):
        return new
    out = mapping(item.path, (item.line, item.column))
    for key, value in item.items():
        put(out, key, new if key == "between" else value, item.key_at(key), item.value_at(key))
    return out


def _notes(found: Matching, hosts: Mapping[str, MarkedMap], source: str) -> list[ReaderNote]:
    """MODEL001 notes on the unit's hosts that matched nothing or were ambiguous."""
    notes = []
    if found.unmatched:
        names = found.unmatched
        first = hosts[names[0]]
        listed = ", ".join(names[:SHOWN]) + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")
        message = (
            f"{_hosts_match(names)} no host of {source}: {listed}; "
            f"{'its' if len(names) == 1 else 'their'} rack, power and cabling were not joined "
            f"(name {'it' if len(names) == 1 else 'them'} in `aliases:` of a native file)"
        )
        notes.append(ReaderNote(first.path, first.line, first.column, "unmatched", message, names[0]))
    if found.ambiguous:
        names = sorted(found.ambiguous)
        said = [
            f"{n} ({' or '.join(found.ambiguous[n])})" if found.ambiguous[n] else f"{n} (its alias names no host)"
            for n in names[:SHOWN]
        ]
        listed = ", ".join(said) + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")
        first = hosts[names[0]]
        message = (
            f"{_hosts_match(names)} no single host of {source}: {listed}; "
            "not joined (say which in `aliases:` of a native file)"
        )
        notes.append(ReaderNote(first.path, first.line, first.column, "ambiguous", message, names[0]))
    return notes


def _hosts_match(names: list[str]) -> str:
    return "1 host matches" if len(names) == 1 else f"{len(names)} hosts match"
