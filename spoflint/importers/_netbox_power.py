"""NetBox's power chain in the native model (docs/importers.md, "NetBox", "Power").

A power panel is the root of the chain (a power element of kind `feed`: NetBox holds
nothing above it); each active power feed is a `feed` fed `from` its panel, and supplies
its rack (the rack's `power`) and whatever its cable reaches. A device with power
outlets is a `pdu`, fed by what its power ports (its inlets) are cabled to; when its
outlets name different inlets (`power_port` on an outlet), each inlet that feeds outlets
is a `pdu` of its own (`<pdu>/<inlet>`), so that a server on two outlets of one inlet is
not counted as redundant. A host's or network node's power ports give its `power`: the
PDUs (or inlets) of the outlets they are cabled to, or a feed cabled to them directly.
What cannot be followed is said once per kind through `native.note`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._native import Native, mapping, put, sequence
from ._netbox_names import Names, Record, ref_id, safe_id, some


class Notes:
    """What could not be followed, by kind: each kind one note with a count and examples."""

    def __init__(self) -> None:
        self.seen: dict[str, list[str]] = {}

    def add(self, key: str, example: str) -> None:
        self.seen.setdefault(key, []).append(example)

    def write(self, native: Native, messages: dict[str, str]) -> None:
        """One note per kind seen: `messages[key]` with `{n}` (the count) and `{some}`."""
        for key, examples in self.seen.items():
            unique = list(dict.fromkeys(examples))
            native.note((1, 1), key, messages[key].format(n=len(unique), some=some(unique)))


def value(field: Any) -> str:
    """A choice field's value (`{"value": "active", "label": "Active"}`) or the text itself."""
    return str(field.get("value", "")) if isinstance(field, dict) else str(field or "")


def broken_cables(snapshot: Any) -> set[int]:
    """The cables that carry nothing: status other than connected (planned, decommissioning)."""
    return {c["id"] for c in snapshot.cables if value(c.get("status")) not in ("", "connected")}


def peers(record: Record, broken: set[int]) -> tuple[str, list[Record]]:
    """What a port's cable reaches at its far end: (type, objects); ("", []) when not cabled."""
    cable = ref_id(record.get("cable"))
    if cable is None or cable in broken:
        return "", []
    return record.get("link_peers_type") or "", list(record.get("link_peers") or [])


def port_name(record: Record) -> str:
    """`device port`, as a note names a port."""
    device = record.get("device") or {}
    return f"{device.get('display') or device.get('name') or device.get('id')} {record.get('name')}"


def set_list(node: Any, key: str, items: Iterable[str]) -> None:
    """Set a list of ids on an element, in order, each item at the element's place."""
    where = (getattr(node, "line", 1), getattr(node, "column", 1))
    values = list(dict.fromkeys(items))
    put(node, key, sequence(node.path, [(v, where) for v in values], where), where)


MESSAGES = {
    "netbox-feed-inactive": "{n} power feeds are not active (planned, offline or failed) and were taken as "
    "supplying nothing: {some}",
    "netbox-feed-no-panel": "{n} power feeds have no power panel that was read: {some}; what feeds them was not checked",
    "netbox-power-uncabled": "{n} power ports of hosts and network devices are cabled to nothing: {some}; "
    "a device with none cabled takes its rack's power, if any",
    "netbox-power-unfollowed": "{n} power cables lead to something that is not a power outlet or feed: {some}; "
    "they were not followed",
    "netbox-power-unread": "{n} power cables lead to outlets of devices not read as PDUs: {some}; "
    "they were not followed",
    "netbox-outlet-no-inlet": "{n} outlets of PDUs with several inlets name no inlet (power_port): {some}; "
    "they were taken as fed by any inlet of their PDU",
}


class PowerChain:
    """The power elements read from one snapshot, and the sources of each port."""

    def __init__(self, snapshot: Any, native: Native, names: Names):
        self.snapshot, self.native, self.names = snapshot, native, names
        self.notes = Notes()
        self.broken = broken_cables(snapshot)
        self.ports = {p["id"]: p for p in snapshot.power_ports}
        self.feeds: dict[int, str] = {}  # active feed id -> its element
        self.inlet_of: dict[int, list[str]] = {}  # outlet id -> the power elements feeding it
        self.elements: dict[str, Any] = {}  # power element id -> its mapping
        self.sources: dict[str, list[str]] = {}  # power element id -> its `from`
        self.devices_by_id = {d["id"]: d for d in snapshot.devices}

    def panels_and_feeds(self) -> None:
        names, rack_power = self.names, dict[int, list[str]]()
        for panel in self.snapshot.power_panels:
            pid = names.of("power_panel", panel["id"])
            if pid is None:
                continue
            node = names.at(self.native, "power", "power_panel", panel["id"])
            put(node, "kind", "feed", (node.line, node.column))
            site = (panel.get("site") or {}).get("name", "")
            put(node, "description", f"NetBox power panel {panel.get('name')} (site {site})", (node.line, node.column))
            self._zone(node, panel)
        for feed in self.snapshot.power_feeds:
            fid = names.of("power_feed", feed["id"])
            if fid is None:
                continue
            if value(feed.get("status")) not in ("", "active"):
                self.notes.add("netbox-feed-inactive", f"{feed.get('name')} ({value(feed.get('status'))})")
                continue
            node = names.at(self.native, "power", "power_feed", feed["id"])
            at = (node.line, node.column)
            put(node, "kind", "feed", at)
            kind = value(feed.get("type")) or "primary"
            put(node, "x-netbox-type", kind, at)
            put(node, "description", _feed_words(feed, kind), at)
            self.feeds[feed["id"]] = fid
            panel = names.of("power_panel", ref_id(feed.get("power_panel")) or -1)
            if panel is None:
                self.notes.add("netbox-feed-no-panel", str(feed.get("name")))
            else:
                self.elements[fid], self.sources[fid] = node, [panel]
            rack = ref_id(feed.get("rack"))
            if rack is not None and names.of("rack", rack) is not None:
                rack_power.setdefault(rack, []).append(fid)
        for rack, feeds in rack_power.items():
            set_list(names.at(self.native, "racks", "rack", rack), "power", feeds)

    def _zone(self, node: Any, panel: Record) -> None:
        location = ref_id(panel.get("location"))
        zone = self.names.of("location", location) if location is not None else None
        zone = zone or self.names.of("site", ref_id(panel.get("site")) or -1)
        if zone is not None:
            put(node, "zone", zone, (node.line, node.column))

    def pdus(self) -> None:
        """Each device with outlets: one `pdu`, or one per inlet that feeds outlets."""
        outlets_of: dict[int, list[Record]] = {}
        for outlet in self.snapshot.power_outlets:
            outlets_of.setdefault(ref_id(outlet.get("device")) or -1, []).append(outlet)
        inlets_of: dict[int, list[Record]] = {}
        for port in self.snapshot.power_ports:
            inlets_of.setdefault(ref_id(port.get("device")) or -1, []).append(port)
        for device, outlets in outlets_of.items():
            pdu = self.names.of("device", device)
            if pdu is None or self.names.kind_of_device(device) != "pdu":
                continue
            fed = {ref_id(o.get("power_port")) for o in outlets} - {None}
            if len(fed) >= 2:
                self._split(pdu, outlets, [p for p in inlets_of.get(device, []) if p["id"] in fed])
                continue
            node = self.names.at(self.native, "power", "device", device)  # one inlet, or none named
            put(node, "kind", "pdu", (node.line, node.column))
            self.elements[pdu] = node
            self.sources[pdu] = [f"port:{p['id']}" for p in inlets_of.get(device, [])]
            for outlet in outlets:
                self.inlet_of[outlet["id"]] = [pdu]

    def _split(self, pdu: str, outlets: list[Record], inlets: list[Record]) -> None:
        """A PDU whose outlets hang off different inlets: a power element per inlet."""
        section, by_port = self.native.section("power"), {}
        for port in inlets:
            eid = self.names.take(f"{pdu}/{safe_id(str(port.get('name')))}")
            element = mapping(self.snapshot.web(f"dcim/power-ports/{port['id']}/"), (1, 1))
            put(section, eid, element, (1, 1))
            put(element, "kind", "pdu", (1, 1))
            put(element, "description", f"inlet {port.get('name')} of PDU {pdu} and the outlets it feeds", (1, 1))
            self.elements[eid], self.sources[eid], by_port[port["id"]] = element, [f"port:{port['id']}"], eid
        for outlet in outlets:
            inlet = by_port.get(ref_id(outlet.get("power_port")) or -1)
            if inlet is None:
                self.notes.add("netbox-outlet-no-inlet", port_name(outlet))
            self.inlet_of[outlet["id"]] = [inlet] if inlet else list(by_port.values())

    def port_sources(self, port: Record) -> list[str]:
        """The power elements a power port's cable reaches (a feed, or the PDU of an outlet)."""
        kind, far = peers(port, self.broken)
        found: list[str] = []
        for peer in far:
            if kind == "dcim.powerfeed":
                feed = self.feeds.get(peer["id"])
                found += [feed] if feed else []
            elif kind == "dcim.poweroutlet":
                inlets = self.inlet_of.get(peer["id"])
                if inlets is None:
                    self.notes.add("netbox-power-unread", port_name(peer))
                found += inlets or []
            else:
                self.notes.add("netbox-power-unfollowed", f"{port_name(port)} -> {kind}")
        return found

    def resolve(self) -> None:
        """Each power element's `from`, its inlets' cables followed."""
        for eid, node in self.elements.items():
            sources: list[str] = []
            for source in self.sources[eid]:
                if source.startswith("port:"):
                    sources += self.port_sources(self.ports[int(source[5:])])
                else:
                    sources.append(source)
            if sources:
                set_list(node, "from", sources)

    def powered(self) -> None:
        """Hosts' and network nodes' `power`: what their power ports are cabled to."""
        found: dict[tuple[str, str, int], list[str]] = {}
        for port in self.snapshot.power_ports:
            owner = self.owner(ref_id(port.get("device")))
            if owner is None:
                continue
            sources = self.port_sources(port)
            found.setdefault(owner, []).extend(sources)
            if not sources and not peers(port, self.broken)[1]:
                self.notes.add("netbox-power-uncabled", port_name(port))
        for (section, kind, key), sources in found.items():
            if sources:
                node = self.names.at(self.native, section, kind, key)
                set_list(node, "power", [*node.get("power", []), *sources])

    def owner(self, device: int | None) -> tuple[str, str, int] | None:
        """The element whose power a device's ports give: the host or network node, or
        the switch stack (virtual chassis) it is a member of; None for anything else."""
        kind = self.names.kind_of_device(device) if device is not None else ""
        if device is None or kind not in ("host", "network"):
            return None
        chassis = ref_id((self.devices_by_id.get(device) or {}).get("virtual_chassis"))
        if chassis is not None and kind == "network" and self.names.of("virtual_chassis", chassis) is not None:
            return ("network", "virtual_chassis", chassis)
        if self.names.of("device", device) is None:
            return None
        return ("hosts" if kind == "host" else "network", "device", device)


def _feed_words(feed: Record, kind: str) -> str:
    panel = (feed.get("power_panel") or {}).get("name", "?")
    figures = " ".join(
        f"{feed[k]} {unit}" for k, unit in (("voltage", "V"), ("amperage", "A")) if feed.get(k) not in (None, "")
    )
    return f"NetBox power feed {feed.get('name')} ({kind}{', ' + figures if figures else ''}) from panel {panel}"


def add_power(snapshot: Any, native: Native, names: Names) -> None:
    """The power chain of a NetBox snapshot into `native` (see the module's docstring)."""
    chain = PowerChain(snapshot, native, names)
    chain.panels_and_feeds()
    chain.pdus()
    chain.resolve()
    chain.powered()
    chain.notes.write(native, MESSAGES)
