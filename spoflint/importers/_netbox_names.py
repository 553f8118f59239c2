"""The element ids of a NetBox snapshot's objects, and what each device is (a host, a
network node of some kind, a PDU, a patch panel), decided once for the whole reader."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..load import MarkedMap
from ._native import Native, mapping, put, sequence
from ._netbox_client import Record, Snapshot

# what a device is, by the words of its role's slug (a `roles:` entry of the config wins)
NETWORK_KINDS = ("router", "switch", "firewall", "lb-appliance")
KINDS = (*NETWORK_KINDS, "host", "pdu", "patch-panel")
_ROLE_WORDS = (
    ("patch", "patch-panel"),
    ("pdu", "pdu"),
    ("power-distribution", "pdu"),
    ("firewall", "firewall"),
    ("load-balancer", "lb-appliance"),
    ("loadbalancer", "lb-appliance"),
    ("router", "router"),
    ("gateway", "router"),
    ("switch", "switch"),
    ("spine", "switch"),
    ("leaf", "switch"),
)
# the web pages of each kind of object, for the positions of findings
PAGES = {
    "device": "dcim/devices",
    "rack": "dcim/racks",
    "site": "dcim/sites",
    "location": "dcim/locations",
    "power_panel": "dcim/power-panels",
    "power_feed": "dcim/power-feeds",
    "virtual_chassis": "dcim/virtual-chassis",
    "vm": "virtualization/virtual-machines",
    "cluster": "virtualization/clusters",
    "circuit": "circuits/circuits",
    "provider": "circuits/providers",
}
# a device in one of these states is not in service: not an element
RETIRED = frozenset({"offline", "planned", "decommissioning", "inventory"})
_UNSAFE = re.compile(r"[^A-Za-z0-9_.:@/+=-]+")


def role_kind(role: Record | None, roles: Mapping[str, str]) -> str | None:
    """The kind a device role stands for: the config's `roles` (by slug or name), else
    the words of its slug; None: not known (the device is a host unless it has outlets)."""
    if not role:
        return None
    slug, name = str(role.get("slug") or ""), str(role.get("name") or "")
    if slug in roles or name in roles:
        return roles.get(slug) or roles[name]
    words = slug.lower().replace("_", "-")
    for word, kind in _ROLE_WORDS:
        if word in words:
            return kind
    if re.search(r"(^|-)lb($|-)", words):
        return "lb-appliance"
    return None


def safe_id(text: str) -> str:
    """Text as an id's characters, for a part of an id (`PSU 1` -> `PSU-1`)."""
    return _UNSAFE.sub("-", text).strip("-") or "port"


def safe(text: str) -> str:
    """Text made a valid element id (letters, digits and `_.:@/+=-`)."""
    cleaned = _UNSAFE.sub("-", text.strip()).strip("-")
    return cleaned if cleaned and re.match(r"[A-Za-z0-9_]", cleaned) else f"x{cleaned}"


class Names:
    """Element ids for NetBox objects, unique across the document: an object's own name
    where it is unique, else qualified by its site (`name@site`), else by its NetBox id."""

    def __init__(self, snapshot: Snapshot, roles: Mapping[str, str] | None = None):
        self.snapshot = snapshot
        self.roles = dict(roles or {})
        self._ids: dict[tuple[str, int], str] = {}
        self._taken: set[str] = set()
        self.device_kinds: dict[int, str] = {}  # device id -> one of KINDS
        self.retired: list[Record] = []
        outlets = {(o.get("device") or {}).get("id") for o in snapshot.power_outlets}
        interfaces = {(i.get("device") or {}).get("id") for i in snapshot.interfaces}
        ports = {(p.get("device") or {}).get("id") for p in (*snapshot.front_ports, *snapshot.rear_ports)}
        devices = []
        for device in snapshot.devices:
            if (device.get("status") or {}).get("value") in RETIRED:
                self.retired.append(device)
                continue
            kind = role_kind(device.get("role") or device.get("device_role"), self.roles)
            if kind is None:
                if device["id"] in outlets:
                    kind = "pdu"
                elif device["id"] in ports and device["id"] not in interfaces:
                    kind = "patch-panel"
                else:
                    kind = "host"
            self.device_kinds[device["id"]] = kind
            if kind != "patch-panel":
                devices.append(device)
        # the order of preference: the machines first (hosts join inventories by name)
        self._allocate("device", devices, lambda d: d.get("name") or d.get("display") or f"device-{d['id']}")
        self._allocate("vm", snapshot.virtual_machines, lambda v: v.get("name") or f"vm-{v['id']}")
        self._allocate("virtual_chassis", snapshot.virtual_chassis, lambda c: c.get("name") or f"stack-{c['id']}")
        self._allocate("site", snapshot.sites, lambda s: s.get("slug") or s.get("name") or f"site-{s['id']}")
        self._allocate("rack", snapshot.racks, lambda r: r.get("name") or f"rack-{r['id']}")
        self._allocate("power_panel", snapshot.power_panels, lambda p: p.get("name") or f"panel-{p['id']}")
        self._allocate("power_feed", snapshot.power_feeds, _feed_name)

    def _allocate(self, kind: str, records: list[Record], name) -> None:
        wanted = [(r, safe(str(name(r)))) for r in records]
        counts: dict[str, int] = {}
        for _, eid in wanted:
            counts[eid] = counts.get(eid, 0) + 1
        for record, eid in wanted:
            if counts[eid] > 1 or eid in self._taken:
                site = (record.get("site") or {}).get("slug")
                eid = f"{eid}@{safe(site)}" if site else eid
            if eid in self._taken or counts.get(eid, 0) > 1 and "@" not in eid:
                eid = f"{eid}:{record['id']}"
            while eid in self._taken:
                eid += "+"
            self._taken.add(eid)
            self._ids[(kind, record["id"])] = eid

    def of(self, kind: str, netbox_id: int | None) -> str | None:
        """The element id of a NetBox object (kind: device, rack, site, location,
        power_panel, power_feed, virtual_chassis, vm); None: it is no element (a patch
        panel, a device out of service, an object not read). A location is its site's zone."""
        if netbox_id is None:
            return None
        if kind == "location":
            location = next((r for r in self.snapshot.locations if r["id"] == netbox_id), None)
            return self.of("site", (location or {}).get("site", {}).get("id")) if location else None
        return self._ids.get((kind, netbox_id))

    def take(self, wanted: str) -> str:
        """A new id, for an element no NetBox object stands for one to one (a provider's network)."""
        eid = safe(wanted)
        while eid in self._taken:
            eid += "+"
        self._taken.add(eid)
        return eid

    def url(self, kind: str, netbox_id: int) -> str:
        """The web page of an object: where findings about its element point."""
        return f"{self.snapshot.base}/{PAGES[kind]}/{netbox_id}/"

    def at(self, native: Native, section: str, kind: str, netbox_id: int) -> MarkedMap:
        """The element of a NetBox object in a section (created if new), written at the
        object's web page (line 1, column 1), so that findings point at it in NetBox."""
        eid = self.of(kind, netbox_id)
        if eid is None:
            raise KeyError((kind, netbox_id))
        table = native.section(section)
        if eid not in table:
            put(table, eid, mapping(self.url(kind, netbox_id), (1, 1)), (1, 1))
        return table[eid]

    def kind_of_device(self, netbox_id: int) -> str:
        """What a device is: `host`, `network` (a router, switch, firewall or load
        balancer), `pdu`, `patch-panel`, or "" (not read: out of service, or not in scope)."""
        kind = self.device_kinds.get(netbox_id, "")
        return "network" if kind in NETWORK_KINDS else kind


def field(node: MarkedMap, key: str, value: object) -> None:
    """Set a field of an element, written where the element is."""
    put(node, key, value, (1, 1))


def element(native: Native, section: str, eid: str, path: str) -> MarkedMap:
    """A new element of `section`, at the page `path` (line 1, column 1)."""
    table = native.section(section)
    put(table, eid, mapping(path, (1, 1)), (1, 1))
    return table[eid]


def link(native: Native, path: str, a: str, b: str, name: str, description: str | None = None) -> MarkedMap:
    """A new link between `a` and `b`, named, at the page `path` (a cable's, a circuit's);
    the mapping, for the fields a caller adds."""
    links = native.root.get("links")
    if links is None:
        links = sequence(native.path, [], (1, 1))
        put(native.root, "links", links, (1, 1))
    item = mapping(path, (1, 1))
    put(item, "between", sequence(path, [(a, (1, 1)), (b, (1, 1))], (1, 1)), (1, 1))
    put(item, "name", name, (1, 1))
    if description is not None:
        put(item, "description", description, (1, 1))
    links.append(item)
    links.where.append((1, 1))
    return item


def _feed_name(feed: Record) -> str:
    panel = (feed.get("power_panel") or {}).get("name")
    return f"{panel}/{feed.get('name')}" if panel else str(feed.get("name") or f"feed-{feed['id']}")


def ref_id(nested: object) -> int | None:
    """The id of a nested object (`{"id": 12, ...}`), or None."""
    return nested.get("id") if isinstance(nested, dict) else None


def ref(record: Record | None, key: str) -> int | None:
    """The id of the object a record's `key` names, or None."""
    return ref_id((record or {}).get(key))


def placed(node: MarkedMap, record: Record, names: Names) -> None:
    """`rack` (when it is an element), else `zone` (the site), of a device or stack."""
    rack = names.of("rack", ref(record, "rack"))
    zone = names.of("site", ref(record, "site"))
    if rack:
        field(node, "rack", rack)
    elif zone:
        field(node, "zone", zone)


def some(items: list[str]) -> str:
    shown = ", ".join(items[:5])
    return shown + (f" and {len(items) - 5} more" if len(items) > 5 else "")
