"""NetBox's cabling in the native model (docs/importers.md, "NetBox", "Cables").

Every cabled interface of a host or network device is followed to the far end over the
snapshot, as NetBox traces a cable path: through front and rear ports of patch panels
(a rear port with several positions carries each front port's position, kept on a
stack), to an interface. Each cable path between two elements is a link; two cables
between the same ends are two links (named after their interfaces), so that the
members of a LAG (a bond) are separate links: one cable failing does not cut the host.
A switch stack (a virtual chassis) is one network element, one failure domain with a
shared control plane; its description names its members. Paths that end at a circuit
are the NetBox reader's (the outside world); the rest that cannot be followed is said
once per kind through `native.note`.
"""

from __future__ import annotations

from typing import Any

from ._native import Native, put, sequence
from ._netbox_names import Names, Record, link, ref_id, safe_id
from ._netbox_power import Notes, broken_cables, peers, port_name

STEPS = 256  # a cable path longer than this is a loop in the data
INTERFACE, FRONT, REAR, CIRCUIT = "dcim.interface", "dcim.frontport", "dcim.rearport", "circuits.circuittermination"

MESSAGES = {
    "netbox-cable-open": "{n} cable paths end at a patch panel port cabled to nothing: {some}; they make no link",
    "netbox-cable-split": "{n} cable paths reach a rear port of several positions without knowing which: {some}; "
    "they make no link",
    "netbox-cable-unfollowed": "{n} cables from interfaces lead to something that is not an interface, a patch "
    "panel port or a circuit: {some}; they were not followed",
    "netbox-cable-marked": "{n} interfaces are marked connected with no cable in NetBox: {some}; "
    "what they reach is not known and makes no link",
    "netbox-cable-disabled": "{n} interfaces are disabled in NetBox: {some}; their cables make no link",
    "netbox-cable-mgmt": "{n} management-only interfaces are cabled: {some}; out-of-band cables were not taken "
    "as data links",
    "netbox-cable-unread": "{n} cables lead to devices or patch panels that were not read: {some}; they make no link",
    "netbox-cable-hosts": "{n} cables join two hosts, which the model cannot hold (a host never routes): "
    "{some}; they make no link",
}


class Cabling:
    """The cable paths of one snapshot, walked port by port."""

    def __init__(self, snapshot: Any, names: Names):
        self.snapshot, self.names = snapshot, names
        self.notes = Notes()
        self.broken = broken_cables(snapshot)
        self.interfaces = {i["id"]: i for i in snapshot.interfaces}
        self.fronts = {p["id"]: p for p in snapshot.front_ports}
        self.rears = {p["id"]: p for p in snapshot.rear_ports}
        self.devices = {d["id"]: d for d in snapshot.devices}
        self.terminations = {t["id"]: t for t in snapshot.circuit_terminations}
        self.by_circuit: dict[int, list[Record]] = {}
        for termination in snapshot.circuit_terminations:
            self.by_circuit.setdefault(ref_id(termination.get("circuit")) or -1, []).append(termination)
        self.front_to_rear: dict[tuple[int, int], tuple[int, int]] = {}
        self.rear_to_front: dict[tuple[int, int], tuple[int, int]] = {}
        for port in snapshot.front_ports:
            for front_position, rear, rear_position in _mappings(port):
                self.front_to_rear[(port["id"], front_position)] = (rear, rear_position)
                self.rear_to_front[(rear, rear_position)] = (port["id"], front_position)

    def far_ends(self, interface: Record) -> list[tuple[int, tuple[str, ...]]]:
        """The interfaces at the far end of an interface's cable path, each with what the
        path passes through (patch panels, circuits); none when it cannot be followed."""
        kind, far = peers(interface, self.broken)
        if not far and interface.get("mark_connected"):
            self.notes.add("netbox-cable-marked", port_name(interface))
        ends: list[tuple[int, tuple[str, ...]]] = []
        for peer in far:
            ends += self._walk(interface, kind, peer["id"], [], ())
        return ends

    def _walk(
        self, origin: Record, kind: str, oid: int, stack: list[int], via: tuple[str, ...]
    ) -> list[tuple[int, tuple[str, ...]]]:
        for _ in range(STEPS):
            if kind == INTERFACE:
                return [(oid, via)]
            if kind == CIRCUIT:
                port, through = self._circuit(oid)
                if port is None:
                    return []  # the outside world (a provider network): the NetBox reader's
            elif kind in (FRONT, REAR):
                if oid not in (self.fronts if kind == FRONT else self.rears):
                    self.notes.add("netbox-cable-unread", port_name(origin))  # a panel of a site not read
                    return []
                port = self._through(kind, oid, stack)
                if port is None:
                    self.notes.add("netbox-cable-split", port_name(origin))
                    return []
                through = str((port.get("device") or {}).get("display") or "a patch panel")
            else:
                self.notes.add("netbox-cable-unfollowed", f"{port_name(origin)} -> {kind}")
                return []
            via = via if via and via[-1] == through else (*via, through)
            kind, far = peers(port, self.broken)
            if not far:
                self.notes.add("netbox-cable-open", f"{port_name(origin)} (at {port_name(port)})")
                return []
            if len(far) > 1:  # a cable of several terminations: each one is a path
                return [end for peer in far for end in self._walk(origin, kind, peer["id"], list(stack), via)]
            oid = far[0]["id"]
        self.notes.add("netbox-cable-unfollowed", f"{port_name(origin)} -> a loop")
        return []

    def _circuit(self, oid: int) -> tuple[Record | None, str]:
        """The other end of a circuit entered at termination `oid`, when it is cabled
        (a circuit between two of the estate's ports passes through, as in NetBox's trace)."""
        here = self.terminations.get(oid) or {}
        circuit = ref_id(here.get("circuit"))
        words = f"circuit {(here.get('circuit') or {}).get('cid', circuit)}"
        for other in self.by_circuit.get(circuit, []) if circuit is not None else []:
            if other["id"] != oid and peers(other, self.broken)[1]:
                return other, words
        return None, words

    def _through(self, kind: str, oid: int, stack: list[int]) -> Record | None:
        """The port on the other side of a patch panel (entered at `kind` `oid`), the
        position stack updated; None when a rear port's position is not known."""
        if kind == FRONT:
            front = self.fronts.get(oid)
            if front is None:
                return None
            position = stack.pop() if (front.get("positions") or 1) > 1 and stack else 1
            rear, rear_position = self.front_to_rear.get((oid, position), (None, 1))
            port = self.rears.get(rear) if rear is not None else None
            if port is not None and (port.get("positions") or 1) > 1:
                stack.append(rear_position)
            return port
        rear_port = self.rears.get(oid)
        if rear_port is None:
            return None
        if (rear_port.get("positions") or 1) > 1:
            if not stack:
                return None
            position = stack.pop()
        else:
            position = 1
        front_id, front_position = self.rear_to_front.get((oid, position), (None, 1))
        front_port = self.fronts.get(front_id) if front_id is not None else None
        if front_port is not None and (front_port.get("positions") or 1) > 1:
            stack.append(front_position)
        return front_port

    def owner(self, device: int | None) -> tuple[str, str] | None:
        """(element id, section) of the device an interface is on, or None when it is
        not an element that carries or ends traffic (a PDU, a patch panel, not read)."""
        if device is None:
            return None
        kind = self.names.kind_of_device(device)
        if kind not in ("host", "network"):
            return None
        chassis = ref_id((self.devices.get(device) or {}).get("virtual_chassis"))
        stack = self.names.of("virtual_chassis", chassis) if chassis is not None and kind == "network" else None
        eid = stack or self.names.of("device", device)
        return (eid, "hosts" if kind == "host" else "network") if eid else None

    def carries(self, interface: Record) -> bool:
        """Whether an interface's cable carries the estate's traffic: not a disabled
        interface, not a management-only one (out-of-band, not a data path); noted."""
        if not interface.get("cable"):
            return True  # nothing to follow (far_ends says so when it is marked connected)
        if interface.get("enabled") is False:
            self.notes.add("netbox-cable-disabled", port_name(interface))
            return False
        if interface.get("mgmt_only"):
            self.notes.add("netbox-cable-mgmt", port_name(interface))
            return False
        return True

    def links(self) -> list[tuple[str, str, Record, Record, tuple[str, ...]]]:
        """Each cable path once: (one end's element, the other's, the two interfaces)."""
        found, seen = [], set()
        for interface in self.snapshot.interfaces:
            here = self.owner(ref_id(interface.get("device")))
            if here is None or not self.carries(interface):
                continue
            for far_id, via in self.far_ends(interface):
                key = (min(interface["id"], far_id), max(interface["id"], far_id))
                if key in seen:
                    continue
                seen.add(key)
                far = self.interfaces.get(far_id)
                there = self.owner(ref_id((far or {}).get("device")))
                if far is None or there is None:
                    if far is None or self.names.kind_of_device(ref_id(far.get("device")) or -1) not in (
                        "pdu",
                        "patch-panel",
                    ):
                        self.notes.add("netbox-cable-unread", port_name(far or interface))
                    continue
                if not self.carries(far):
                    continue
                if here[0] == there[0]:
                    continue  # a stacking cable, or a loop on one device
                if here[1] == there[1] == "hosts":
                    self.notes.add("netbox-cable-hosts", f"{port_name(interface)} -- {port_name(far)}")
                    continue
                found.append((here[0], there[0], interface, far, via))
        return found


def _mappings(front: Record) -> list[tuple[int, int, int]]:
    """(front position, rear port id, rear position) of a front port: NetBox 4.5's
    `rear_ports` mappings, or the older single `rear_port` with `rear_port_position`."""
    if front.get("rear_ports"):
        return [(m.get("position") or 1, m["rear_port"], m.get("rear_port_position") or 1) for m in front["rear_ports"]]
    rear = ref_id(front.get("rear_port"))
    return [(1, rear, front.get("rear_port_position") or 1)] if rear is not None else []


def _lag(interface: Record, interfaces: dict[int, Record]) -> str:
    bond = interfaces.get(ref_id(interface.get("lag")) or -1)
    return f"; member of LAG {bond.get('name')} of {port_name(bond).rsplit(' ', 1)[0]}" if bond else ""


def add_links(snapshot: Any, native: Native, names: Names) -> None:
    """The cabling of a NetBox snapshot into `native` (see the module's docstring)."""
    cabling = Cabling(snapshot, names)
    found = cabling.links()
    pairs: dict[frozenset[str], int] = {}
    for a, b, *_ in found:
        pairs[frozenset((a, b))] = pairs.get(frozenset((a, b)), 0) + 1
    for a, b, mine, far, via in found:
        name = f"{a}--{b}"
        if pairs[frozenset((a, b))] > 1:  # several cables between the same ends: named by their ports
            name = f"{a}:{safe_id(str(mine.get('name')))}--{b}:{safe_id(str(far.get('name')))}"
        through = f" through {', '.join(via)}" if via else ""
        lags = _lag(mine, cabling.interfaces) + _lag(far, cabling.interfaces)
        words = f"NetBox cable path {port_name(mine)} -- {port_name(far)}{through}{lags}"
        cable = ref_id(mine.get("cable"))
        link(native, snapshot.web(f"dcim/cables/{cable}/"), a, b, names.take(name), words)
    _stacks(snapshot, native, names)
    cabling.notes.write(native, MESSAGES)


def _stacks(snapshot: Any, native: Native, names: Names) -> None:
    """Each switch stack's description: one failure domain, its members named."""
    for chassis in snapshot.virtual_chassis:
        eid = names.of("virtual_chassis", chassis["id"])
        if eid is None or eid not in native.root.get("network", {}):
            continue  # a stack of no network device read
        node = names.at(native, "network", "virtual_chassis", chassis["id"])
        names_of = [str(m.get("display") or m.get("name") or m.get("id")) for m in chassis.get("members") or []]
        members = ", ".join(names_of)
        words = (
            f"switch stack (NetBox virtual chassis {chassis.get('name')}): members {members}; "
            "one failure domain with a shared control plane"
        )
        put(node, "description", words, (node.line, node.column))
        if len(names_of) >= 2:  # findings name the stack's members (Topology.describe)
            put(node, "members", sequence(node.path, [(n, (1, 1)) for n in names_of], (1, 1)), (1, 1))
