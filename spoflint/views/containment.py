"""What stands in what, for the pictures: zones hold racks, racks hold their hosts and
network nodes, and the power a rack's members inherit is drawn once, at the rack.

`nest(t)` is a pure function of the model. Its keys and tuples keep the model's order
(the order the file wrote), so a picture drawn from it is the same on every run. The
empty string stands for "no zone".
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Topology

NO_ZONE = ""


@dataclass(frozen=True)
class Nest:
    zones: dict[str, tuple[str, ...]]  # zone (NO_ZONE: none) -> the racks standing in it
    members: dict[str, tuple[str, ...]]  # rack -> the hosts and network nodes in it
    loose: dict[str, tuple[str, ...]]  # zone (NO_ZONE: none) -> hosts and network nodes in no rack
    facilities: dict[str, tuple[str, ...]]  # zone (NO_ZONE: none) -> its power and cooling elements
    rack_power: dict[str, tuple[str, ...]]  # rack -> the power inputs it gives its members
    own_power: dict[str, tuple[str, ...]]  # host or network node -> the power drawn for it itself

    def inherits(self, box: str) -> bool:
        """Whether a host's or network node's power is its rack's (drawn at the rack)."""
        return box not in self.own_power


def nest(t: Topology) -> Nest:
    """Zones, racks and their members, and whose power is drawn where. A box's power is
    its own when it differs from its rack's (a host with its own PDUs in a rack that
    declares none, or other ones); a box in no rack draws its power itself."""
    zones: dict[str, list[str]] = {z: [] for z in t.zones}
    for rid, rack in t.racks.items():
        zones.setdefault(rack.zone or NO_ZONE, []).append(rid)
    members: dict[str, list[str]] = {rid: [] for rid in t.racks}
    loose: dict[str, list[str]] = {}
    own_power: dict[str, tuple[str, ...]] = {}
    for boxes in (t.network, t.hosts):
        for bid, box in boxes.items():
            if box.rack:
                members[box.rack].append(bid)
                inherited = t.racks[box.rack].power
            else:
                loose.setdefault(box.zone or NO_ZONE, []).append(bid)
                inherited = ()
            if box.power and box.power != inherited:
                own_power[bid] = box.power
    facilities: dict[str, list[str]] = {}
    for section in (t.power, t.cooling):
        for eid, element in section.items():
            facilities.setdefault(element.zone or NO_ZONE, []).append(eid)
    return Nest(
        zones={z: tuple(r) for z, r in zones.items()},
        members={r: tuple(m) for r, m in members.items()},
        loose={z: tuple(b) for z, b in loose.items()},
        facilities={z: tuple(f) for z, f in facilities.items()},
        rack_power={rid: rack.power for rid, rack in t.racks.items()},
        own_power=own_power,
    )
